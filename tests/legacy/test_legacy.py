"""witgen.legacy end to end: the fixtures, `migrate` (the CLI's), and the
loader reading legacy files."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from witgen.diagnostics import Source, WitError
from witgen.frontend import ast
from witgen.frontend.parser import parse_text
from witgen.frontend.printer import print_file, without_positions
from witgen.legacy import looks_legacy, migrate, parse_legacy, parse_legacy_files

from .helpers import FIXTURES, LEGACY_DIR, LEGACY_FILES, interface_of

MODERN_FIXTURES = [FIXTURES / "adder.wit", FIXTURES / "interfaced-adder.wit", FIXTURES / "kv-store"]

HAVE_LOADER = importlib.util.find_spec("witgen.loader") is not None
needs_loader = pytest.mark.skipif(not HAVE_LOADER, reason="witgen.loader is not written yet")

_ids = [p.name for p in LEGACY_FILES]


@pytest.mark.parametrize("path", LEGACY_FILES, ids=_ids)
def test_fixture_parses_to_one_interface(path: Path) -> None:
    file = parse_legacy(Source(str(path), path.read_text(encoding="utf-8")))
    assert file.package is not None
    stem = path.name.split(".")[0]
    assert str(file.package.name) == f"legacy:{stem}"
    assert interface_of(file).name == stem
    assert looks_legacy(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [*LEGACY_FILES, LEGACY_DIR], ids=[*_ids, "legacy/"])
def test_migrated_text_is_modern_and_canonical(path: Path) -> None:
    text = migrate(path)
    modern = parse_text(text, "migrated.wit")
    assert print_file(modern) == text
    assert not looks_legacy(text)
    # Every legacy file loaded becomes one interface of the output.
    legacy = parse_legacy_files(path)
    names = [interface_of(f).name for f in legacy]
    assert [i.name for i in modern.items if isinstance(i, ast.Interface)] == names


def test_cache_migrates_to() -> None:
    assert migrate(FIXTURES / "cache.wit") == CACHE_MIGRATED
    assert migrate(FIXTURES / "cache.wit", "wasi-mindmap:cache@0.1.0").startswith("package wasi-mindmap:cache@0.1.0;\n")


CACHE_MIGRATED = """\
package legacy:cache;

interface cache {
  enum error {
    runtime-error,
    not-found-error,
  }

  type payload = list<u8>;

  set: func(key: string, value: payload, ttl: option<u32>) -> result<_, error>;
  get: func(key: string) -> result<payload, error>;
  delete: func(key: string) -> result<_, error>;
}
"""


@needs_loader
@pytest.mark.parametrize("path", [*LEGACY_FILES, LEGACY_DIR], ids=[*_ids, "legacy/"])
def test_legacy_and_migrated_resolve_alike(path: Path, tmp_path: Path) -> None:
    migrated = tmp_path / "migrated.wit"
    migrated.write_text(migrate(path), encoding="utf-8")
    assert _model(_resolve_legacy(path)) == _model(_load(migrated))


@needs_loader
def test_loader_reads_a_legacy_file() -> None:
    from witgen.loader import load

    path = FIXTURES / "cache.wit"
    loaded = load(path)
    assert [d.severity for d in loaded.warnings] == ["warning"]
    assert _model(loaded.resolve) == _model(_resolve_legacy(path))


def _load(path: Path) -> Any:
    from witgen.loader import load

    return load(path).resolve


def _resolve_legacy(path: Path) -> Any:
    """The model of a legacy file with its siblings, or of a directory."""
    from witgen.model import Resolve
    from witgen.resolve import Features, PackageSource, resolve_groups, resolve_package

    files = parse_legacy_files(path)
    assert files[0].package is not None
    package = resolve_package(PackageSource(files[0].package.name, None, [f.items for f in files]))
    resolve = Resolve()
    resolve_groups(resolve, [[package]], Features())
    return resolve


def _model(resolve: Any) -> str:
    """Compare through wit-parser's JSON when it exists, else the model."""
    if importlib.util.find_spec("witgen.model.witjson") is not None:
        from witgen.model.witjson import to_json

        return json.dumps(to_json(resolve), indent=1, sort_keys=True)
    return repr(without_positions(resolve))


def test_migrating_modern_wit_says_so() -> None:
    with pytest.raises(WitError) as caught:
        migrate(FIXTURES / "adder.wit")
    assert caught.value.diagnostics[0].message.endswith("is modern WIT already: nothing to migrate")


@pytest.mark.parametrize("path", MODERN_FIXTURES, ids=[p.name for p in MODERN_FIXTURES])
def test_modern_fixtures_are_canonical(path: Path) -> None:
    files = sorted(path.glob("*.wit")) if path.is_dir() else [path]
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert not looks_legacy(text)
        assert print_file(parse_text(text, str(file))) == text


@needs_loader
@pytest.mark.parametrize("path", MODERN_FIXTURES, ids=[p.name for p in MODERN_FIXTURES])
def test_modern_fixtures_resolve(path: Path) -> None:
    from witgen.loader import load

    loaded = load(path)
    assert len(loaded.resolve.worlds) == 1
    assert not loaded.warnings


def test_cli_migrate(capsys: pytest.CaptureFixture[str]) -> None:
    from witgen.cli import main

    assert main(["migrate", str(FIXTURES / "cache.wit")]) == 0
    assert capsys.readouterr().out == CACHE_MIGRATED
    assert main(["migrate", str(FIXTURES / "cache.wit"), "--legacy-package", "wasi-mindmap:cache"]) == 0
    assert capsys.readouterr().out.startswith("package wasi-mindmap:cache;\n")
    assert main(["migrate", str(FIXTURES / "adder.wit")]) == 1
    assert "is modern WIT already" in capsys.readouterr().err
