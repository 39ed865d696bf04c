import pytest

from witgen.diagnostics import WitError
from witgen.lexer import kebab_error
from witgen.parser import parse_text


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


def test_control_characters_are_rejected() -> None:
    with pytest.raises(WitError, match="invalid character"):
        parse_text("package a:b;\ninterface i {\x07}")


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
