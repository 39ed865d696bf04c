from pathlib import Path

import pytest

from witgen.diagnostics import Diagnostic, Source, Span, WitError, did_you_mean


def test_render_has_location_source_line_caret_and_hint() -> None:
    source = Source("cache.wit", "package a:b;\ninterface i {\n  get: func() -> payloda;\n}\n")
    start = source.text.index("payloda")
    diagnostic = Diagnostic(
        "type `payloda` does not exist",
        Span(source, start, start + len("payloda")),
        hint="did you mean `payload`?",
    )
    assert diagnostic.render().splitlines() == [
        "error: type `payloda` does not exist",
        " --> cache.wit:3:18",
        "  |",
        "3 |   get: func() -> payloda;",
        "  |                  ^^^^^^^",
        "  = help: did you mean `payload`?",
    ]


def test_caret_at_end_of_file_is_one_wide() -> None:
    source = Source("x.wit", "package a:b;\n")
    rendered = Diagnostic("expected `{`, found eof", Span(source, 13, 13)).render()
    assert " --> x.wit:2:1" in rendered
    assert rendered.splitlines()[-1] == "  | ^"


def test_error_renders_every_diagnostic() -> None:
    source = Source("x.wit", "a\nb\n")
    error = WitError([Diagnostic("first", Span(source, 0, 1)), Diagnostic("second", Span(source, 2, 3))])
    assert "first" in str(error) and "second" in str(error)
    assert "x.wit:2:1" in str(error)


def test_did_you_mean_only_when_close() -> None:
    assert did_you_mean("payloda", ["payload", "error"]) == "did you mean `payload`?"
    assert did_you_mean("zzz", ["payload", "error"]) is None


def test_every_reader_reports_bad_utf8_alike(tmp_path: Path) -> None:
    # One function reads WIT files (`read_source`): the loader, the parser
    # and the legacy stages all say the same, at the same place.
    from witgen.frontend.parser import parse_file
    from witgen.legacy import migrate, parse_legacy_files
    from witgen.loader import load

    modern = tmp_path / "modern.wit"
    modern.write_bytes(b"package a:b;\n// \xff\n")
    legacy = tmp_path / "legacy.wit"
    legacy.write_bytes(b"type t = u8\n// \xff\n")
    for read, path in [(load, modern), (parse_file, modern), (parse_legacy_files, legacy), (migrate, legacy), (load, legacy)]:
        with pytest.raises(WitError) as caught:
            read(path)
        (d,) = caught.value.diagnostics
        assert (d.message, d.hint) == ("input file is not valid utf-8", "invalid byte(s): 0xFF"), read
        assert d.span is not None and (d.span.path, d.span.line, d.span.column) == (str(path), 2, 4)
