"""The command line as a user meets it: exit codes, output, no tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from witgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "witgen", *args], cwd=cwd, capture_output=True, text=True
    )


def test_check_accepts_good_wit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURES / "kv-store"), str(FIXTURES / "adder.wit")]) == 0
    assert capsys.readouterr().err == ""


def test_check_reports_every_bad_interface_with_location_and_caret(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wit"
    bad.write_text(
        "package a:b;\n"
        "interface one {\n  type payload = list<u8>;\n  get: func() -> payloda;\n}\n"
        "interface two {\n  put: func(x: strin);\n}\n"
    )
    result = run("check", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"--> {bad}:4:18" in result.stderr
    assert "4 |   get: func() -> payloda;" in result.stderr
    assert "^^^^^^^" in result.stderr
    assert "did you mean `payload`?" in result.stderr
    assert f"--> {bad}:7:16" in result.stderr
    assert "error: 2 errors" in result.stderr


def test_check_resolves_its_paths_together() -> None:
    corpus = ROOT.parent / "shared" / "corpus" / "wasi-0.2.12"
    if not corpus.is_dir():
        pytest.skip(f"the WASI corpus is not at {corpus}")
    folders = sorted(str(p) for p in corpus.iterdir() if p.is_dir())
    assert main(["check", *folders]) == 0


def test_check_warns_about_legacy_wit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURES / "cache.wit")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: ") and "legacy (2022)" in err
    assert "witgen migrate" in err


def test_missing_file_is_a_diagnostic_not_a_traceback() -> None:
    result = run("check", "no/such/file.wit")
    assert result.returncode == 1
    assert result.stderr.startswith("error: no such file or directory")


def test_parse_json_is_wit_parsers_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--json", str(FIXTURES / "adder.wit")]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in document["packages"]] == ["wasi-mindmap:adder"]
    assert list(document["worlds"][0]["exports"]) == ["add"]


def test_features_gate_unstable_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wit = tmp_path / "gated.wit"
    wit.write_text(
        "package a:b@1.0.0;\ninterface i {\n"
        "  @unstable(feature = shiny)\n  shiny: func();\n"
        "  @since(version = 1.0.0)\n  plain: func();\n}\n"
    )
    functions = []
    for flags in ([], ["--features", "shiny"], ["--all-features"]):
        assert main(["parse", "--json", str(wit), *flags]) == 0
        functions.append(sorted(json.loads(capsys.readouterr().out)["interfaces"][0]["functions"]))
    assert functions == [["plain"], ["plain", "shiny"], ["plain", "shiny"]]


def test_migrate_prints_modern_wit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(FIXTURES / "cache.wit"), "--package", "wasi-mindmap:cache"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("package wasi-mindmap:cache;\n")
    assert "set: func(key: string, value: payload, ttl: option<u32>) -> result<_, error>;" in out


def test_usage_errors_exit_2() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "usage: witgen" in result.stderr


def test_internal_errors_say_they_are_bugs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import witgen.loader

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(witgen.loader, "load_many", explode)
    assert main(["check", str(FIXTURES / "adder.wit")]) == 3
    err = capsys.readouterr().err
    assert "internal error in witgen; this is a bug" in err
    assert "RuntimeError: boom" in err


def test_python_dash_m_and_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("witgen ")
