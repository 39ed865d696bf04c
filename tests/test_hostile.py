"""Hostile and huge WIT: every input ends in success or a clean diagnostic.

The inputs come from tests/hostile_inputs.py at sizes well past Python's
recursion limit (so a recursive walk fails here) but small enough to keep
the suite quick. Nothing here times anything: bench/bench_hostile.py does,
at larger sizes.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from witgen import bindgen, cli, diagnostics
from witgen.api import plan
from witgen.diagnostics import Diagnostic, Source, Span, WitError, read_source
from witgen.loader import load, load_text

sys.path.insert(0, str(Path(__file__).parent))
import hostile_inputs as h  # noqa: E402

# Past the default recursion limit (1000) whatever the frames per level.
DEEP = 1500


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Turns a hang (a FIFO read waiting for a writer) into a failure; not a
    timing: the limit is far beyond what the test takes."""

    def hung(signum: int, frame: object) -> None:
        raise AssertionError("hung: witgen waited on a FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err[-3000:]
    return code, err


def _generate(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], direction: str = "import") -> None:
    code, err = _run_cli([direction, str(path), "-o", str(tmp_path / "out"), "--no-format"], capsys)
    assert code == 0, err[-3000:]


# ---- reading files ----------------------------------------------------


def test_fifo_in_deps_is_reported_not_waited_on(tmp_path: Path, no_hang: None) -> None:
    (tmp_path / "deps").mkdir()
    os.mkfifo(tmp_path / "deps" / "pipe.wit")
    (tmp_path / "main.wit").write_text("package a:b;\nworld w {}\n")
    with pytest.raises(WitError) as caught:
        load(tmp_path)
    assert caught.value.diagnostics[0].message.endswith("pipe.wit: not a regular file")


def test_link_to_dev_zero_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "deps").mkdir()
    (tmp_path / "deps" / "zero.wit").symlink_to("/dev/zero")
    (tmp_path / "main.wit").write_text("package a:b;\nworld w {}\n")
    with pytest.raises(WitError) as caught:
        load(tmp_path)
    assert "zero.wit: not a regular file" in caught.value.diagnostics[0].message


def test_fifo_as_the_path_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str], no_hang: None) -> None:
    os.mkfifo(tmp_path / "pipe.wit")
    for argv in (["check"], ["migrate"]):
        code, err = _run_cli([*argv, str(tmp_path / "pipe.wit")], capsys)
        assert code == 1 and "not a regular file" in err


def test_file_over_the_size_limit_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagnostics, "MAX_SOURCE_BYTES", 1024)
    big = tmp_path / "big.wit"
    big.write_text("package a:b;\n" + "// padding\n" * 200)
    with pytest.raises(WitError) as caught:
        load(big)
    message = caught.value.diagnostics[0].message
    assert "big.wit" in message and "limit" in message


def test_invalid_utf8_points_at_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.wit"
    path.write_bytes("package a:b;\n\ninterface i {\n  // café \xff\n}\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    with pytest.raises(WitError) as caught:
        load(path)
    (d,) = caught.value.diagnostics
    assert d.span is not None
    assert (d.span.line, d.span.column) == (4, 11)  # after `  // café `: columns count characters
    rendered = d.render()
    assert f"{path}:4:11" in rendered and "0xFF" in rendered


def test_read_source_reads_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.wit"
    path.write_text("package a:b;\n")
    assert read_source(path).text == "package a:b;\n"


def test_missing_package_header_has_a_location(tmp_path: Path) -> None:
    path = tmp_path / "headless.wit"
    path.write_text("// no header\n\ninterface i {}\n")
    with pytest.raises(WitError) as caught:
        load(path)
    (d,) = caught.value.diagnostics
    assert d.span is not None and d.span.location() == f"{path}:3:11"


def test_empty_file_without_header_has_a_location(tmp_path: Path) -> None:
    path = tmp_path / "empty.wit"
    path.write_text("")
    with pytest.raises(WitError) as caught:
        load(path)
    assert caught.value.diagnostics[0].span is not None


# ---- bounded output ---------------------------------------------------


def test_errors_on_one_long_line_print_a_bounded_amount(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "errors.wit"
    path.write_text(h.errors_on_one_line(2000))
    assert path.stat().st_size > 40_000
    code, err = _run_cli(["check", str(path)], capsys)
    assert code == 1
    assert len(err) < 30_000
    assert f"note: {2000 - diagnostics.MAX_SHOWN} more errors not shown" in err
    assert "error: 2000 errors" in err
    # Every source line shown is a window of the 55 KB line, caret inside.
    lines = err.splitlines()
    shown = [line for line in lines if line.startswith("3 | ")]
    assert len(shown) == diagnostics.MAX_SHOWN
    assert all(len(line) <= diagnostics.LINE_WINDOW + 20 for line in shown)


def test_line_window_keeps_the_caret_under_the_span() -> None:
    text = "x" * 5000 + "needle" + "y" * 5000
    source = Source("long.wit", text)
    start = text.index("needle")
    rendered = Diagnostic("here", Span(source, start, start + 6)).render().splitlines()
    line, caret = rendered[3], rendered[4]
    assert line.startswith("1 | ...") and line.endswith("...")
    column = caret.index("^")
    assert line[column : column + 6] == "needle" and caret.count("^") == 6


def test_line_window_at_the_start_and_end_of_a_line() -> None:
    text = "a" * 1000
    source = Source("long.wit", text)
    first = Diagnostic("start", Span(source, 0, 1)).render().splitlines()
    assert first[3].startswith("1 | a") and first[3].endswith("...") and first[4] == "  | ^"
    last = Diagnostic("end", Span(source, 999, 1000)).render().splitlines()
    assert last[3].startswith("1 | ...") and not last[3].endswith("...")
    assert last[3][last[4].index("^")] == "a" and last[4].index("^") == len(last[3]) - 1


def test_long_messages_are_clipped() -> None:
    rendered = Diagnostic("name `" + "z" * 100_000 + "` does not exist").render()
    assert len(rendered) <= diagnostics.MAX_MESSAGE + 20


def test_error_text_is_bounded_and_lazy() -> None:
    source = Source("x.wit", "x\n")
    error = WitError([Diagnostic(f"e{i}", Span(source, 0, 1)) for i in range(10_000)])
    text = str(error)
    assert "note: 9950 more errors not shown" in text
    assert text.count("error: e") == diagnostics.MAX_SHOWN


# ---- deep and long structures: no recursion without bound -------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: h.type_chain(DEEP), id="type-chain"),
        pytest.param(lambda: h.alias_chain(DEEP), id="alias-chain"),
        pytest.param(lambda: h.interface_chain(DEEP), id="interface-chain"),
        pytest.param(lambda: h.export_chain(DEEP), id="export-chain"),
    ],
)
def test_long_chains_load_and_generate(
    make: Callable[[], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "chain.wit"
    path.write_text(make())
    loaded = load(path)
    assert loaded.resolve.worlds
    _generate(path, tmp_path, capsys)


def test_include_chain_loads(tmp_path: Path) -> None:
    # Each world holds all before it (quadratic by WIT's semantics), so shorter.
    loaded = load_text(h.include_chain(300))
    last = loaded.resolve.worlds[loaded.resolve.packages[loaded.main[0]].worlds["w299"]]
    assert len(last.imports) == 301  # 300 functions and the record


def test_long_chain_of_packages_in_deps(tmp_path: Path) -> None:
    root = h.deps_chain(tmp_path / "pkg", DEEP)
    loaded = load(root)
    assert len(loaded.resolve.packages) == DEEP + 1
    # Generating for it walks the same `use` chain as interface-chain.


def test_cycle_between_packages_is_still_reported(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "deps").mkdir(parents=True)
    (root / "deps" / "a.wit").write_text("package x:a;\ninterface i { use x:b/i.{t}; type u = t; }\n")
    (root / "deps" / "b.wit").write_text("package x:b;\ninterface i { use x:a/i.{u}; type t = u; }\n")
    (root / "main.wit").write_text("package x:main;\nworld w { import x:a/i; }\n")
    with pytest.raises(WitError) as caught:
        load(root)
    assert "creates a dependency cycle" in caught.value.diagnostics[0].message


# ---- types that share their parts: no exponential walks ---------------


@pytest.mark.parametrize("kind", ["record", "tuple", "variant"])
def test_wasm_tools_deep_types_generate(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_hang: None
) -> None:
    # wasm-tools' tests/cli/wit-deep-{record,tuple,variant}.wit: 16**8 paths.
    path = tmp_path / f"deep-{kind}.wit"
    path.write_text(h.deep_types(kind))
    _generate(path, tmp_path, capsys)
    out = tmp_path / "out"
    assert sum(p.stat().st_size for p in out.rglob("*.py")) < 200_000


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(h.deep_types("result", depth=40, width=2), id="result"),
        pytest.param(h.deep_resource_types(40), id="resource"),
    ],
)
@pytest.mark.parametrize("direction", ["import", "export"])
def test_types_naming_the_previous_twice_walk_each_type_once(
    text: str, direction: str, monkeypatch: pytest.MonkeyPatch, no_hang: None
) -> None:
    loaded = load_text(text)
    calls = 0
    references = loaded.resolve.type_references

    def counted(kind: object) -> object:
        nonlocal calls
        calls += 1
        return references(kind)  # type: ignore[arg-type]

    monkeypatch.setattr(loaded.resolve, "type_references", counted)
    built = plan(loaded.resolve, loaded.main, direction, source="deep.wit", world="w")  # type: ignore[arg-type]
    package = bindgen.build(loaded.resolve, built)
    assert package.modules
    # 2**40 paths; a walk per type per use is a few thousand calls.
    assert calls < 20_000, calls


# ---- many items: duplicate checks and name lookups stay linear -------


def test_ten_thousand_parameters(tmp_path: Path) -> None:
    loaded = load_text(h.many_params(10_000))
    (func,) = [item.function for item in loaded.resolve.worlds[0].imports.values()]  # type: ignore[union-attr]
    assert len(func.params) == 10_000


def test_duplicate_parameter_is_still_reported() -> None:
    with pytest.raises(WitError) as caught:
        load_text("package a:b;\nworld w {\n  import f: func(a: u8, b: u8, a: u8);\n}\n")
    d = caught.value.diagnostics[0]
    assert d.message == "param `a` is defined more than once"
    assert d.span is not None and (d.span.line, d.span.column) == (3, 32)


def test_include_renaming_every_item() -> None:
    loaded = load_text(h.include_with_renames(3000))
    package = loaded.resolve.packages[loaded.main[0]]
    world = loaded.resolve.worlds[package.worlds["w"]]
    assert sorted(world.imports) == sorted(f"new{i}" for i in range(3000))


def test_include_rename_of_a_missing_name_is_reported() -> None:
    text = h.include_with_renames(3).replace("fun2 as new2", "nope as new2")
    with pytest.raises(WitError) as caught:
        load_text(text)
    assert "no import or export kebab-name `nope`" in caught.value.diagnostics[0].message


def test_claiming_one_python_name_thousands_of_times_is_linear() -> None:
    from witgen.bindgen.names import Scope

    checks = 0

    class Counting(set[str]):
        def __contains__(self, name: object) -> bool:
            nonlocal checks
            checks += 1
            return super().__contains__(name)

    scope = Scope({"x"})
    scope._taken = Counting(scope._taken)
    names = [scope.claim("x") for _ in range(5000)]
    assert len(set(names)) == 5000 and names[:3] == ["x_", "x_2", "x_3"]
    assert checks < 4 * 5000, checks  # counting from `x_2` each time: 12.5 million


def test_names_differing_in_case_only_are_rejected_or_distinct(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.wit"
    path.write_text(h.case_variants(12))
    code, err = _run_cli(["check", str(path)], capsys)
    assert code in (0, 1) and len(err) < 30_000


def test_many_resources_generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "resources.wit"
    path.write_text(h.many_resources(300))
    _generate(path, tmp_path, capsys)
    out = tmp_path / "out"
    # Each resource keeps its own functions: one method and one static each.
    j = (out / "j.py").read_text()  # exported: guest resources
    assert j.count("def get(self, store: Store) -> int:") == 300
    assert j.count("def make(exports: Exports, store: Store) -> R") == 300
    i = (out / "i.py").read_text()  # imported: host resources
    assert i.count("def get(self) -> int:") == 300 and i.count("def make() -> R") == 300


def test_thousands_of_world_level_functions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "funcs.wit"
    path.write_text(h.world_functions(2000))
    _generate(path, tmp_path, capsys)
    init = (tmp_path / "out" / "__init__.py").read_text()
    assert init.count("    def imp") == 2000 and init.count("    def exp") == 2000
    assert init.count("async def imp") == 2000 and init.count("async def exp") == 2000  # the awaited twins


def test_long_chain_of_legacy_star_uses(tmp_path: Path) -> None:
    last = h.legacy_star_chain(tmp_path / "legacy", DEEP)
    loaded = load(last)
    assert len(loaded.resolve.interfaces) == DEEP


def test_legacy_star_use_cycle_is_still_reported(tmp_path: Path) -> None:
    (tmp_path / "a.wit").write_text("use * from b\n\nrecord ra { x: u8 }\n")
    (tmp_path / "b.wit").write_text("use * from a\n\nrecord rb { x: u8 }\n")
    with pytest.raises(WitError) as caught:
        load(tmp_path / "a.wit")
    assert "files use each other in a cycle: a -> b -> a" in caught.value.diagnostics[0].message


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "package a:b;\nworld w {\n  import x: func();\n  import X: func();\n}\n",
            "conflicts with",
        ),
        ("package a:b;\npackage a:b {}\n", "is defined in two different locations"),
    ],
)
def test_conflicts_have_a_location(text: str, message: str) -> None:
    with pytest.raises(WitError) as caught:
        load_text(text)
    (d,) = caught.value.diagnostics
    assert message in d.message
    assert d.span is not None and " --> <string>:" in d.render()


def test_interface_chain_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "chain.wit"
    path.write_text(h.interface_chain(DEEP))
    _generate(path, tmp_path, capsys, direction="export")


def test_thousands_of_misspellings_hint_the_shown_ones() -> None:
    with pytest.raises(WitError) as caught:
        load_text(h.misspelt_names(3000))
    found = caught.value.diagnostics
    assert len(found) == 3000
    # Each hint compares with the whole scope: only as many as are shown.
    assert [d.hint for d in found[: diagnostics.MAX_SHOWN]] == [
        f"did you mean `name{i}`?" for i in range(diagnostics.MAX_SHOWN)
    ]
    assert all(d.hint is None for d in found[diagnostics.MAX_SHOWN :])
