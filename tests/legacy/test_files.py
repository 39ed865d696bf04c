"""witgen.legacy.files: legacy files -> one modern package (names,
siblings and `use *`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from witgen.diagnostics import Source, WitError
from witgen.frontend import ast
from witgen.frontend.printer import print_file
from witgen.legacy import migrate, parse_legacy, parse_legacy_files

from .helpers import LEGACY_DIR, LEGACY_FILES, error_of, interface_of, parse_doc, where


def test_a_file_brings_the_siblings_it_uses() -> None:
    files = parse_legacy_files(LEGACY_DIR / "names.wit")
    assert [interface_of(f).name for f in files] == ["names", "error-type", "store"]
    assert {str(f.package.name) for f in files if f.package} == {"legacy:names"}


def test_a_directory_is_one_package() -> None:
    files = parse_legacy_files(LEGACY_DIR, "my:old@1.0.0")
    assert [interface_of(f).name for f in files] == [p.name.split(".")[0] for p in LEGACY_FILES[1:]]
    assert {str(f.package.name) for f in files if f.package} == {"my:old@1.0.0"}


def test_use_names_and_star() -> None:
    file = parse_doc(
        "use * from base\nuse { a as b, c, } from other\nf: function(x: t1, y: b)",
        base="type t1 = u32\nrecord t2 {}\nuse { z } from third",
    )
    uses = [i for i in interface_of(file).items if isinstance(i, ast.Use)]
    listed = [(u.path, [(n.name, n.alias) for n in u.names]) for u in uses]
    assert [(p.name, names) for p, names in listed if isinstance(p, ast.LocalPath)] == [
        ("base", [("t1", None), ("t2", None), ("z", None)]),
        ("other", [("a", "b"), ("c", None)]),
    ]
    assert "  use base.{t1, t2, z};\n  use other.{a as b, c};\n" in print_file(file)


def test_star_of_a_file_that_defines_nothing_disappears() -> None:
    (alias,) = interface_of(parse_doc("use * from empty\ntype a = u8", empty="")).items
    assert isinstance(alias, ast.TypeAlias)


def test_star_follows_stars() -> None:
    file = parse_doc("use * from b", b="use * from c\ntype y = u8", c="type x = u8")
    (use,) = interface_of(file).items
    assert isinstance(use, ast.Use)
    assert [n.name for n in use.names] == ["x", "y"]


def test_missing_sibling() -> None:
    error = error_of("type a = u8\nuse * from nowhere")
    assert where(error) == ("cannot find `nowhere.wit` beside this file", 2, 12)


def test_star_cycle() -> None:
    error = error_of("use * from b", b="use * from doc")
    assert "cycle: doc -> b -> doc" in error.diagnostics[0].message


def test_markdown_files(tmp_path: Path) -> None:
    (tmp_path / "base.wit.md").write_text(
        "# Base\n\nProse with `code`.\n\n```wit\n/// A number.\ntype n = u32\n```\n\n"
        "```rust\nfn main() {}\n```\n\n~~~~ wit\nrecord r { x: n }\n~~~~\n",
        encoding="utf-8",
    )
    (tmp_path / "main.wit").write_text("use * from base\nf: function(r: r) -> n\n", encoding="utf-8")
    text = migrate(tmp_path / "main.wit")
    assert "interface base {\n  /// A number.\n  type n = u32;\n\n  record r {\n" in text
    assert "  use base.{n, r};\n" in text
    (tmp_path / "bad.wit.md").write_text("# Bad\n\n```wit\ntype t = unit\n```\n", encoding="utf-8")
    with pytest.raises(WitError) as caught:
        migrate(tmp_path / "bad.wit.md")
    assert where(caught.value)[1:] == (4, 10)
    assert "bad.wit.md" in caught.value.render()


def test_package_argument() -> None:
    file = parse_legacy(Source("dir/my_old-file.wit", "type t = u8"), "a:b@1.2.3")
    assert file.package is not None and str(file.package.name) == "a:b@1.2.3"
    assert interface_of(file).name == "my-old-file"
    assert str(parse_legacy(Source("dir/CamelCase.wit", "")).package.name) == "legacy:camel-case"  # type: ignore[union-attr]


@pytest.mark.parametrize("package", ["a", "a:bC", "a:b@1", ":b", "a:b:c", "a:1b"])
def test_bad_package_argument(package: str) -> None:
    with pytest.raises(WitError) as caught:
        parse_legacy(Source("x.wit", ""), package)
    assert caught.value.diagnostics[0].message.startswith(f"invalid package name `{package}`")


def test_file_names_that_make_no_interface_name() -> None:
    with pytest.raises(WitError) as caught:
        parse_legacy(Source("1st.wit", ""), "a:b")
    assert "cannot name an interface after the file `1st.wit`" in caught.value.diagnostics[0].message
