"""The wheel carries the grammar and templates and works in a fresh venv."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from venvs import fresh_venv, install_wheels, see_this_environment

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{build.stdout}\n{build.stderr}")
    (path,) = out.glob("witgen-*.whl")
    return path


def test_wheel_contains_grammar_and_templates(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "witgen/grammar/wit.lark" in names
    assert "witgen/grammar/wit.lalr.json" in names  # its parse table: no Lark on `witgen check`
    assert any(n.startswith("witgen/templates/") for n in names)
    assert "witgen/py.typed" in names  # users' mypy reads `witgen.generate`'s types (PEP 561)
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)


def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    python = fresh_venv(env_dir)
    install_wheels(python, wheel)
    # The dependencies come from this test's own environment, whatever kind it
    # is (a venv, as after the README's command, or a system Python); an
    # editable witgen there stays out, so witgen comes from the wheel alone.
    see_this_environment(python)
    wit = tmp_path / "hello.wit"
    wit.write_text("package demo:hello;\n\nworld hello {\n  export greet: func(name: string) -> string;\n}\n")
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(python), "-c", "import witgen.frontend.parser, sys; print(witgen.frontend.parser.GRAMMAR)"],
        cwd=tmp_path, capture_output=True, text=True, env=environment, check=True,
    )
    assert str(env_dir) in where.stdout, where.stdout
    check = subprocess.run(
        [str(env_dir / "bin" / "witgen"), "check", str(wit)],
        cwd=tmp_path, capture_output=True, text=True, env=environment,
    )
    assert check.returncode == 0, check.stderr
