"""The wheel carries the grammar and templates and works in a fresh venv."""

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

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
    assert any(n.startswith("witgen/templates/") for n in names)
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)


def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
    )
    # The dependencies come from this test's own environment, whatever kind it
    # is (a venv, as after the README's command, or a system Python): its
    # site-packages folders are appended to the new venv's path by a .pth
    # file. Such a line only adds the folder, without running the .pth files
    # inside it, so an editable witgen there stays out and witgen comes from
    # the wheel alone.
    ours = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (site_packages,) = (env_dir / "lib").glob("python*/site-packages")
    (site_packages / "test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    wit = tmp_path / "hello.wit"
    wit.write_text("package demo:hello;\n\nworld hello {\n  export greet: func(name: string) -> string;\n}\n")
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(python), "-c", "import witgen.parser, sys; print(witgen.parser.GRAMMAR)"],
        cwd=tmp_path, capture_output=True, text=True, env=environment, check=True,
    )
    assert str(env_dir) in where.stdout, where.stdout
    check = subprocess.run(
        [str(env_dir / "bin" / "witgen"), "check", str(wit)],
        cwd=tmp_path, capture_output=True, text=True, env=environment,
    )
    assert check.returncode == 0, check.stderr
