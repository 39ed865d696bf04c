"""witgen as a build step: examples/hatch-app and examples/setuptools-app
built from clean copies.

The build environment is a fresh venv holding hatchling (and `editables`,
its requirement for editable builds) and setuptools from PyPI, witgen and witgen-runtime
as wheels built here from this checkout, and witgen's own dependencies
(lark, jinja2, black) from this test's environment. Builds run in it
without isolation, so nothing but the build backend comes from an index;
that the hook's `dependencies = ["witgen"]` reaches an isolated build is
checked on what hatchling reports. The built wheel then runs in another
fresh venv holding only wasmtime, the runtime's wheel and the app's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hatch-app"
BINDINGS = Path("hatch_app") / "calc_bindings"

from venvs import fresh_venv, see_only_wasmtime, see_this_environment


def environment(tmp: Path) -> dict[str, str]:
    # No PYTHONPATH (it would bring this checkout's witgen), and a
    # component cache of the test's own.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(tmp / "cache")
    return env


def run(args: list[str | Path], cwd: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=environment(tmp), capture_output=True, text=True)


def pip(python: Path, *args: str | Path, cwd: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "pip", "--python", python, *args], cwd, tmp)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    built = pip(Path(sys.executable), "wheel", "--no-deps", "--quiet", "-w", out, ROOT, ROOT / "runtime",
                cwd=out, tmp=out)
    if built.returncode != 0:
        pytest.fail(f"building witgen's wheels failed:\n{built.stdout}\n{built.stderr}")
    return out


@pytest.fixture(scope="module")
def build_python(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("build-env")
    python = fresh_venv(tmp / "venv")
    see_this_environment(python)  # lark, jinja2, black; an editable witgen stays out
    backends = ("hatchling>=1.21", "editables~=0.3", "setuptools>=70.1")
    backend = pip(python, "install", "--quiet", *backends, cwd=tmp, tmp=tmp)
    if backend.returncode != 0:
        pytest.skip(f"the build backends could not be installed from the package index:\n{backend.stderr[-2000:]}")
    ours_installed = pip(python, "install", "--quiet", "--no-deps", *sorted(wheels.glob("*.whl")), cwd=tmp, tmp=tmp)
    assert ours_installed.returncode == 0, ours_installed.stderr
    return python


def clean_copy(tmp: Path, example: Path = EXAMPLE) -> Path:
    project = tmp / example.name
    shutil.copytree(example, project, ignore=shutil.ignore_patterns("calc_bindings", "__pycache__", "dist", "build", "*.egg-info"))
    return project


def app_venv(tmp: Path, wheels: Path, app_wheel: Path) -> Path:
    """A fresh venv: wasmtime (only it) from this environment, the
    runtime's wheel and the app's; no witgen, no build backend."""
    python = fresh_venv(tmp / "app-venv")
    see_only_wasmtime(python, tmp / "wasmtime-only")
    (runtime,) = wheels.glob("witgen_runtime-*.whl")
    installed = pip(python, "install", "--quiet", "--no-deps", app_wheel, runtime, cwd=tmp, tmp=tmp)
    assert installed.returncode == 0, installed.stderr
    alone = run([python, "-c", "import importlib.util as u; print([n for n in ('witgen', 'hatchling', 'setuptools', 'lark') "
                 "if u.find_spec(n)])"], tmp, tmp)
    assert alone.stdout == "[]\n", alone.stdout + alone.stderr
    return python


def test_the_hook_brings_witgen_into_the_build_environment(build_python: Path, tmp_path: Path) -> None:
    project = clean_copy(tmp_path)
    script = ("import hatchling.build as b; print(b.get_requires_for_build_wheel(), b.get_requires_for_build_sdist(), "
              "b.get_requires_for_build_editable())")
    asked = run([build_python, "-c", script], project, tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.split("] [")[:2] == ["['witgen'", "'witgen'"], asked.stdout
    assert "'witgen'" in asked.stdout.split("] [")[2]


def test_the_wheel_and_sdist_carry_the_generated_bindings(build_python: Path, wheels: Path, tmp_path: Path) -> None:
    project = clean_copy(tmp_path)
    assert "calc_bindings" in (project / ".gitignore").read_text()  # packaged although ignored
    dist = tmp_path / "dist"
    built = pip(build_python, "wheel", "--no-build-isolation", "--no-deps", "-w", dist, project, cwd=tmp_path, tmp=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("hatch_app-*.whl")
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    assert {"hatch_app/calc_bindings/__init__.py", "hatch_app/calc_bindings/py.typed", "hatch_app/calc.wat"} <= set(names)
    metadata = archive.read("hatch_app-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: witgen-runtime<0.2,>=0.1" in metadata.splitlines()

    shutil.rmtree(project / BINDINGS)
    sdist = run([build_python, "-m", "hatchling", "build", "-t", "sdist", "-d", dist], project, tmp_path)
    assert sdist.returncode == 0, sdist.stderr
    (archive_path,) = dist.glob("hatch_app-*.tar.gz")
    with tarfile.open(archive_path) as tar:
        members = tar.getnames()
    assert "hatch_app-0.1.0/hatch_app/calc_bindings/__init__.py" in members
    assert "hatch_app-0.1.0/wit/calc.wit" in members

    python = app_venv(tmp_path, wheels, wheel)
    ran = run([python.parent / "hatch-app", "40", "2"], tmp_path, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "40 + 2 = 42\n40 * 2 = 80\n"


def test_an_editable_install_regenerates_after_the_wit_changes(build_python: Path, tmp_path: Path) -> None:
    project = clean_copy(tmp_path)
    installed = pip(build_python, "install", "--no-build-isolation", "--no-deps", "-e", project, cwd=tmp_path, tmp=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    try:
        ran = run([build_python.parent / "hatch-app"], tmp_path, tmp_path)
        assert ran.stdout == "6 + 7 = 13\n6 * 7 = 42\n", ran.stderr
        has_sub = [build_python, "-c", "import hatch_app.calc_bindings as b; print(hasattr(b.Calc, 'sub'))"]
        assert run(has_sub, tmp_path, tmp_path).stdout == "False\n"

        wit = project / "wit" / "calc.wit"
        wit.write_text(wit.read_text().replace("}", "  /// `a - b`.\n  export sub: func(a: s32, b: s32) -> s32;\n}"))
        # What the README says to do after editing the WIT: install again...
        again = pip(build_python, "install", "--no-build-isolation", "--no-deps", "-e", project, cwd=tmp_path, tmp=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        assert run(has_sub, tmp_path, tmp_path).stdout == "True\n"

        # ... or regenerate in place with `witgen build`, which reads the same targets.
        witgen = build_python.parent / "witgen"
        wit.write_text(wit.read_text().replace("  /// `a - b`.\n  export sub: func(a: s32, b: s32) -> s32;\n", ""))
        stale = run([witgen, "build", "--check"], project, tmp_path)
        assert stale.returncode == 1 and "stale: " in stale.stdout, stale.stdout + stale.stderr
        assert run([witgen, "build"], project / "wit", tmp_path).returncode == 0
        assert run(has_sub, tmp_path, tmp_path).stdout == "False\n"
        assert run([witgen, "build", "--check"], project, tmp_path).returncode == 0
    finally:
        pip(build_python, "uninstall", "--yes", "hatch-app", cwd=tmp_path, tmp=tmp_path)


def test_a_broken_wit_fails_the_build_with_the_diagnostic(build_python: Path, tmp_path: Path) -> None:
    project = clean_copy(tmp_path)
    wit = project / "wit" / "calc.wit"
    wit.write_text(wit.read_text().replace("export mul: func(a: s32, b: s32) -> s32;", "export mul: func(a: s32, b: s23) -> s32;"))
    dist = tmp_path / "dist"
    built = pip(build_python, "wheel", "--no-build-isolation", "--no-deps", "-w", dist, project, cwd=tmp_path, tmp=tmp_path)
    output = built.stdout + built.stderr
    assert built.returncode != 0
    lines = [line.strip() for line in output.splitlines()]
    at = lines.index("error: name `s23` does not exist")
    assert lines[at + 1] == "--> wit/calc.wit:8:31"
    assert lines[at + 3] == "8 |   export mul: func(a: s32, b: s23) -> s32;"
    assert lines[at + 4] == "|" + " " * 31 + "^^^"
    assert "error: witgen: the WIT has errors: no bindings generated" in lines
    assert "Traceback" not in output
    assert not dist.exists() or not list(dist.iterdir())
    assert not (project / BINDINGS).exists()


def test_clean_removes_only_what_witgen_generated(build_python: Path, tmp_path: Path) -> None:
    project = clean_copy(tmp_path)
    hatchling = [build_python, "-m", "hatchling", "build"]
    assert run([*hatchling, "--hooks-only"], project, tmp_path).returncode == 0
    assert (project / BINDINGS / "__init__.py").is_file()
    cleaned = run([*hatchling, "--clean-only"], project, tmp_path)
    assert cleaned.returncode == 0, cleaned.stderr
    assert "witgen: removed hatch_app/calc_bindings" in cleaned.stderr
    assert not (project / BINDINGS).exists()

    # A package of the user's own where the bindings would go: kept, and the
    # build refuses to replace it.
    (project / BINDINGS).mkdir()
    (project / BINDINGS / "__init__.py").write_text("MINE = True\n")
    assert run([*hatchling, "--clean-only"], project, tmp_path).returncode == 0
    refused = run([*hatchling, "--hooks-only"], project, tmp_path)
    assert refused.returncode == 1
    assert "error: witgen: cannot write `hatch_app/calc_bindings`" in refused.stderr
    assert "is not a package witgen generated" in refused.stderr and "Traceback" not in refused.stderr
    assert (project / BINDINGS / "__init__.py").read_text() == "MINE = True\n"


README_BLOCKS = re.findall(
    r"<!-- build-test: (\S+) -->\n```sh\n(.*?)```\n\n```text\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL
)


def test_the_readme_has_a_block_per_build_integration() -> None:
    assert [name for name, _, _ in README_BLOCKS] == ["hatch", "setuptools"]


@pytest.mark.parametrize("name, commands, expected", README_BLOCKS, ids=[b[0] for b in README_BLOCKS])
def test_the_readme_commands(name: str, commands: str, expected: str, build_python: Path, tmp_path: Path) -> None:
    """The README's block, as written, in a copy of the examples; `pip` is
    this environment's pip installing into the build environment, without
    build isolation (PIP_NO_BUILD_ISOLATION=0 means that, pip's inversion)."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples",
                    ignore=shutil.ignore_patterns("calc_bindings", "__pycache__", "build", "*.egg-info"))
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "pip").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pip --python "{build_python}" "$@"\n')
    (shims / "pip").chmod(0o755)
    env = environment(tmp_path)
    env.update(PATH=os.pathsep.join([str(shims), str(build_python.parent), env["PATH"]]), PIP_NO_BUILD_ISOLATION="0")
    try:
        result = subprocess.run(["bash", "-c", "set -e\n" + commands], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.endswith(expected), result.stdout
    finally:
        pip(build_python, "uninstall", "--yes", f"{name}-app", cwd=tmp_path, tmp=tmp_path)


def test_the_hooks_table_overrides_tool_witgen(build_python: Path, tmp_path: Path) -> None:
    from witgen.api import generate

    project = clean_copy(tmp_path)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace('dependencies = ["witgen"]\n', 'dependencies = ["witgen"]\nformat = false\n')
        .replace('dependencies = ["witgen-runtime>=0.1,<0.2"]', "dependencies = []")
    )
    hooked = run([build_python, "-m", "hatchling", "build", "--hooks-only"], project, tmp_path)
    assert hooked.returncode == 0, hooked.stderr
    expected = generate(project / "wit", world="calc", format=False).files["__init__.py"]
    assert (project / BINDINGS / "__init__.py").read_text() == expected
    assert "the project's dependencies do not name witgen-runtime" in hooked.stderr

    pyproject.write_text(text.replace('dependencies = ["witgen"]\n', 'dependencies = ["witgen"]\nwrold = "calc"\n'))
    mistaken = run([build_python, "-m", "hatchling", "build", "--hooks-only"], project, tmp_path)
    assert mistaken.returncode == 1
    assert "error: witgen: pyproject.toml: unknown key `wrold` in [tool.hatch.build.hooks.witgen]" in mistaken.stderr
    assert "Traceback" not in mistaken.stderr


# ---- setuptools: witgen.setuptools.build_py ----

SETUPTOOLS_EXAMPLE = ROOT / "examples" / "setuptools-app"
SETUPTOOLS_BINDINGS = Path("setuptools_app") / "calc_bindings"


def test_setuptools_builds_a_wheel_with_the_bindings(build_python: Path, wheels: Path, tmp_path: Path) -> None:
    project = clean_copy(tmp_path, SETUPTOOLS_EXAMPLE)
    dist = tmp_path / "dist"
    built = pip(build_python, "wheel", "--no-build-isolation", "--no-deps", "-w", dist, project, cwd=tmp_path, tmp=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("setuptools_app-*.whl")
    archive = zipfile.ZipFile(wheel)
    assert {"setuptools_app/calc_bindings/__init__.py", "setuptools_app/calc_bindings/py.typed",
            "setuptools_app/calc.wat"} <= set(archive.namelist())
    metadata = archive.read("setuptools_app-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: witgen-runtime<0.2,>=0.1" in metadata.splitlines()

    # The sdist carries the WIT, from which its wheel is built.
    shutil.rmtree(project / SETUPTOOLS_BINDINGS)
    sdist = run([build_python, "-c", f"import setuptools.build_meta as b; b.build_sdist({str(dist)!r})"], project, tmp_path)
    assert sdist.returncode == 0, sdist.stderr
    (archive_path,) = dist.glob("setuptools_app-*.tar.gz")
    with tarfile.open(archive_path) as tar:
        assert "setuptools_app-0.1.0/wit/calc.wit" in tar.getnames()

    python = app_venv(tmp_path, wheels, wheel)
    ran = run([python.parent / "setuptools-app", "40", "2"], tmp_path, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "40 + 2 = 42\n40 * 2 = 80\n"


def test_setuptools_editable_install_regenerates_when_installed_again(build_python: Path, tmp_path: Path) -> None:
    project = clean_copy(tmp_path, SETUPTOOLS_EXAMPLE)
    install = ["install", "--no-build-isolation", "--no-deps", "-e", project]
    installed = pip(build_python, *install, cwd=tmp_path, tmp=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    try:
        ran = run([build_python.parent / "setuptools-app"], tmp_path, tmp_path)
        assert ran.stdout == "6 + 7 = 13\n6 * 7 = 42\n", ran.stderr
        has_sub = [build_python, "-c", "import setuptools_app.calc_bindings as b; print(hasattr(b.Calc, 'sub'))"]
        assert run(has_sub, tmp_path, tmp_path).stdout == "False\n"
        wit = project / "wit" / "calc.wit"
        wit.write_text(wit.read_text().replace("}", "  export sub: func(a: s32, b: s32) -> s32;\n}"))
        again = pip(build_python, *install, cwd=tmp_path, tmp=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        assert run(has_sub, tmp_path, tmp_path).stdout == "True\n"
    finally:
        pip(build_python, "uninstall", "--yes", "setuptools-app", cwd=tmp_path, tmp=tmp_path)


def test_setuptools_stops_at_a_broken_wit_with_the_diagnostic(build_python: Path, tmp_path: Path) -> None:
    project = clean_copy(tmp_path, SETUPTOOLS_EXAMPLE)
    wit = project / "wit" / "calc.wit"
    wit.write_text(wit.read_text().replace("export mul: func(a: s32, b: s32) -> s32;", "export mul: func(a: s32, b: s23) -> s32;"))
    built = pip(build_python, "wheel", "--no-build-isolation", "--no-deps", "-w", tmp_path / "dist", project,
                cwd=tmp_path, tmp=tmp_path)
    output = built.stdout + built.stderr
    assert built.returncode != 0
    lines = [line.strip() for line in output.splitlines()]
    at = lines.index("error: name `s23` does not exist")
    assert lines[at + 1 : at + 5] == [
        "--> wit/calc.wit:8:31", "|", "8 |   export mul: func(a: s32, b: s23) -> s32;", "|" + " " * 31 + "^^^",
    ]
    assert "error: witgen: the WIT has errors: no bindings generated" in lines
    assert "Traceback" not in output
    assert not (project / SETUPTOOLS_BINDINGS).exists()
