"""`[tool.witgen]` read into targets: the one reader of the CLI and the build hooks."""

from pathlib import Path

import pytest

from witgen.config import ConfigError, Target, read_table, targets

PYPROJECT = Path("/project/pyproject.toml")


def test_a_table_without_targets_is_one_target() -> None:
    found = targets(PYPROJECT, {"path": "wit", "world": "app", "output": "src/app/bindings", "format": False})
    assert found == [
        Target(paths=(Path("/project/wit"),), world="app", output=Path("/project/src/app/bindings"), format=False)
    ]


def test_targets_take_the_tables_keys_as_defaults() -> None:
    table = {
        "path": "wit",
        "format": False,
        "world": "app",
        "targets": [
            {"output": "a"},
            {"direction": "export", "interface": "types", "output": "b", "path": ["other", "wit"]},
        ],
    }
    first, second = targets(PYPROJECT, table)
    assert first == Target(paths=(Path("/project/wit"),), world="app", output=Path("/project/a"), format=False)
    # A target's interface replaces the default world (and the other way round).
    assert second == Target(
        paths=(Path("/project/other"), Path("/project/wit")), direction="export", interface="types",
        output=Path("/project/b"), format=False,
    )


def test_overrides_win_and_replace_the_list() -> None:
    table = {"path": "wit", "targets": [{"output": "a"}, {"output": "b"}]}
    (only,) = targets(PYPROJECT, table, {"targets": [{"output": "c"}], "format": False})
    assert only == Target(paths=(Path("/project/wit"),), output=Path("/project/c"), format=False)


def test_legacy_package_names_the_package_of_legacy_files() -> None:
    (only,) = targets(PYPROJECT, {"path": "cache.wit", "legacy-package": "wasi-mindmap:cache"})
    assert only == Target(paths=(Path("/project/cache.wit"),), legacy_package="wasi-mindmap:cache")


@pytest.mark.parametrize(
    "table, message",
    [
        ({"path": "wit", "worlds": "x"}, "unknown key `worlds` in [tool.witgen]"),
        ({"path": "wit", "targets": [{"wrold": "x"}]}, "unknown key `wrold` in [[tool.witgen.targets]] #1"),
        ({"path": "wit", "targets": [{}, {"format": "no"}]}, "[[tool.witgen.targets]] #2 `format` must be bool"),
        ({"path": "wit", "direction": "both"}, '`direction` must be "import" or "export"'),
        ({"targets": [{"output": "a"}]}, "[[tool.witgen.targets]] #1 has no `path`"),
        ({"path": "wit", "targets": []}, "empty `targets` list"),
        ({"path": "wit", "targets": {"output": "a"}}, "must be a list of tables"),
        ({"path": "wit", "targets": [{"output": "a"}, {"output": "a"}]}, "two targets write `/project/a`"),
        ({"path": ["wit", 3]}, "`path` must be a string or a list of strings"),
        ({"path": "wit", "world": "w", "interface": "i"}, "gives a world and an interface"),
        ({"path": "wit", "package": "a:b"}, "`package` in [tool.witgen] is now `legacy-package`"),
        ({"path": "wit", "targets": [{"package": "a:b"}]}, "`package` in [[tool.witgen.targets]] #1 is now `legacy-package`"),
    ],
)
def test_mistakes_name_the_file_and_the_table(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        targets(PYPROJECT, table)
    assert str(raised.value).startswith(f"{PYPROJECT}: ")
    assert message in str(raised.value)


def test_read_table(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    assert read_table(pyproject) is None
    pyproject.write_text('[tool.witgen]\npath = "wit"\n[[tool.witgen.targets]]\nworld = "a"\n')
    assert read_table(pyproject) == {"path": "wit", "targets": [{"world": "a"}]}
    pyproject.write_text("[tool.witgen\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        read_table(pyproject)


def test_a_mistake_in_the_overrides_names_their_table() -> None:
    with pytest.raises(ConfigError, match=r"unknown key `wrold` in \[tool.hatch.build.hooks.witgen\]"):
        targets(PYPROJECT, {"path": "wit"}, {"wrold": "x"})
