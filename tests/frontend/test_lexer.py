from pathlib import Path

import pytest

from witgen.diagnostics import WitError
from witgen.frontend.lexer import kebab_error
from witgen.loader import load
from witgen.frontend.parser import parse_file, parse_text


@pytest.mark.parametrize("name", ["a", "foo-bar", "HTTP", "get-URL", "a1", "foo-2d", "x-y-z"])
def test_kebab_names_are_accepted(name: str) -> None:
    assert kebab_error(name) is None


@pytest.mark.parametrize(
    "name, why",
    [
        ("fooBar", "mixes cases"),
        ("foo--bar", "empty part"),
        ("foo-", "empty part"),
        ("1abc", "start with a letter"),
        ("foo_bar", "invalid character `_`"),
    ],
)
def test_bad_kebab_names_say_why(name: str, why: str) -> None:
    problem = kebab_error(name)
    assert problem is not None and why in problem


def test_nested_block_comments_are_skipped() -> None:
    file = parse_text("/* a /* b */ c */ package a:b; /* x */ interface i {}")
    assert file.package is not None and str(file.package.name) == "a:b"


def test_unterminated_block_comment_points_at_its_start() -> None:
    with pytest.raises(WitError) as caught:
        parse_text("package a:b;\n\n  /* never /* closed */\n")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == "unterminated block comment"
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 3)


def test_keywords_can_be_escaped_with_percent() -> None:
    file = parse_text("package a:b;\ninterface %type { %record: func(%list: u32); }")
    interface = file.items[0]
    assert interface.name == "type"
    assert interface.items[0].name == "record"
    assert interface.items[0].type.params[0].name == "list"


def test_versions_are_semver() -> None:
    file = parse_text("package a:b@1.2.3-rc.1+build.5;")
    assert file.package is not None
    assert file.package.name.version == "1.2.3-rc.1+build.5"


@pytest.mark.parametrize(
    "version, message",
    [
        ("01.0.0", "invalid leading zero in major version number"),
        ("1.01.0", "invalid leading zero in minor version number"),
        ("1.0.00", "invalid leading zero in patch version number"),
        ("1.0.0-rc.01", "invalid leading zero in pre-release identifier"),
        ("1.18446744073709551616.0", "value of minor version number exceeds u64::MAX"),
    ],
)
def test_versions_are_checked_as_semver_crate_does(version: str, message: str) -> None:
    with pytest.raises(WitError) as caught:
        parse_text(f"package a:b@{version};")
    diagnostic = caught.value.diagnostics[0]
    assert (diagnostic.message, diagnostic.span.column) == (message, 13)


@pytest.mark.parametrize("version", ["0.0.0-0", "1.0.0-rc0.1", "1.0.0+build.01", "1.0.0-0a", "18446744073709551615.0.0"])
def test_semver_edge_cases_are_accepted(version: str) -> None:
    file = parse_text(f"package a:b@{version};")
    assert file.package is not None and file.package.name.version == version


def test_control_characters_are_rejected() -> None:
    with pytest.raises(WitError, match=r"Control code '\\u\{7\}'"):
        parse_text("package a:b;\ninterface i {\x07}")


# Line endings, whitespace and codepoints follow wit-parser's lexer
# (crates/wit-parser/src/ast/lex.rs): whitespace is space, tab, `\n` and
# `\r\n`; only `\n` ends a `//` comment.


def _interfaces(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "t.wit"
    path.write_bytes(data)
    loaded = load(path)
    return sorted(i.name or "" for i in loaded.resolve.interfaces)


def test_a_bare_cr_does_not_end_a_line_comment(tmp_path: Path) -> None:
    # Read from a file: universal newlines once turned the `\r` into `\n`.
    data = b"package a:b;\n// c\rinterface smuggled {}\ninterface kept {}\n"
    assert _interfaces(tmp_path, data) == ["kept"]


def test_crlf_is_a_line_break(tmp_path: Path) -> None:
    data = b"package a:b;\r\n// c\r\ninterface i {}\r\n"
    assert _interfaces(tmp_path, data) == ["i"]


def test_a_bare_cr_is_not_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "t.wit"
    path.write_bytes(b"package a:b;\rinterface i {}\n")
    with pytest.raises(WitError) as caught:
        parse_file(path)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == "unexpected character '\\r'"
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 13)


def test_a_leading_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    assert _interfaces(tmp_path, "\ufeffpackage a:b;\ninterface i {}\n".encode()) == ["i"]


def test_a_byte_order_mark_elsewhere_is_rejected() -> None:
    with pytest.raises(WitError, match=r"unexpected character '\\u\{feff\}'"):
        parse_text("package a:b;\n\ufeffinterface i {}")


@pytest.mark.parametrize(
    "codepoint, message",
    [
        ("\x85", "Control code '\\u{85}'"),
        ("\x9f", "Control code '\\u{9f}'"),
        ("\x0c", "Control code '\\u{c}'"),
        ("\u202e", "Input contains bidirectional override codepoint '\\u{202e}'"),
        ("\u0149", "Codepoint '\\u{149}' is discouraged by Unicode"),
    ],
)
def test_forbidden_codepoints_are_rejected_even_in_comments(codepoint: str, message: str) -> None:
    with pytest.raises(WitError) as caught:
        parse_text(f"package a:b;\n// {codepoint}\n")
    assert caught.value.diagnostics[0].message == message
    assert caught.value.diagnostics[0].span.line == 2


@pytest.mark.parametrize("text", ["type t = list<u8, \u0664>;", "type a\u0664 = u8;", "type t = list<u8, 1\u0664>;"])
def test_only_ascii_digits_are_digits(text: str) -> None:
    with pytest.raises(WitError):
        parse_text(f"package a:b;\ninterface i {{ {text} }}")


def test_doc_lines_split_only_at_newlines() -> None:
    # U+2028 is text to Rust's `str::lines`, unlike Python's `splitlines`.
    file = parse_text("package a:b;\n/// one\u2028two\ninterface i {}")
    assert file.items[0].docs == "one\u2028two"


def test_doc_indent_counts_only_ascii_whitespace() -> None:
    # A no-break space is text: the common indent here is one space.
    file = parse_text("package a:b;\n///  a\n/// \u00a0b\ninterface i {}")
    assert file.items[0].docs == " a\n\u00a0b"


def test_type_nesting_is_bounded() -> None:
    deep = "list<" * 150 + "u8" + ">" * 150
    with pytest.raises(WitError, match="type nesting too deep"):
        parse_text(f"package a:b;\ninterface i {{ type t = {deep}; }}")


def test_non_ascii_names_are_reported_whole() -> None:
    with pytest.raises(WitError) as caught:
        parse_text("package a:b;\ninterface garçon {}")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == "invalid character `ç` in identifier `garçon`"
    assert diagnostic.span.end - diagnostic.span.start == len("garçon")
