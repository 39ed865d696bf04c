"""`.pre-commit-hooks.yaml`: its hooks' commands on examples/pre-commit, a
project that commits its bindings. pre-commit itself is not needed: the
hooks are read from the file (a flat subset of YAML) and their `entry` run
as pre-commit would, in the project, without file names."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pre-commit"


def hooks() -> dict[str, dict[str, str]]:
    """id -> keys of each hook, from `- id: x` / `  key: value` lines."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in (ROOT / ".pre-commit-hooks.yaml").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.removeprefix("- ").strip().partition(": ")
        if line.startswith("- "):
            current = found.setdefault(value, {})
        current[key] = value
    return found


def run_hook(hook_id: str, project: Path) -> subprocess.CompletedProcess[str]:
    command = shlex.split(hooks()[hook_id]["entry"])
    assert command[0] == "witgen"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # witgen as this checkout has it
    return subprocess.run([sys.executable, "-m", "witgen", *command[1:]], cwd=project, env=env,
                          capture_output=True, text=True)


def test_the_hooks() -> None:
    assert set(hooks()) == {"witgen-check", "witgen-build"}
    for hook in hooks().values():
        # pre-commit installs witgen from this repository and runs the entry
        # once per commit, whichever files changed (bindings edited by hand too).
        assert hook["language"] == "python" and hook["pass_filenames"] == "false" and hook["always_run"] == "true"
    config = (EXAMPLE / ".pre-commit-config.yaml").read_text()
    assert "      - id: witgen-check\n" in config


def test_the_committed_example_is_up_to_date() -> None:
    result = run_hook("witgen-check", EXAMPLE)
    assert result.returncode == 0, result.stdout + result.stderr + "\n(run `witgen build` in examples/pre-commit)"


def test_check_fails_on_stale_bindings_and_build_fixes_them(tmp_path: Path) -> None:
    project = tmp_path / "pre-commit"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__"))
    wit = project / "wit" / "calc.wit"
    wit.write_text(wit.read_text().replace("}", "  export sub: func(a: s32, b: s32) -> s32;\n}"))
    stale = run_hook("witgen-check", project)
    assert stale.returncode == 1
    assert stale.stdout == f"stale: {Path('calc_bindings') / '__init__.py'}\n"
    assert "calc_bindings/ is out of date: regenerate it" in stale.stderr

    rebuilt = run_hook("witgen-build", project)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout == "wrote 2 files to calc_bindings/\n"
    assert run_hook("witgen-check", project).returncode == 0
    assert "def sub(" in (project / "calc_bindings" / "__init__.py").read_text()

    wit.write_text(wit.read_text().replace("s32;\n}", "s3;\n}"))
    broken = run_hook("witgen-check", project)
    assert broken.returncode == 2  # --check: the comparison could not be made
    assert "--> wit/calc.wit:9:" in broken.stderr and "Traceback" not in broken.stderr


def test_the_readme_block(tmp_path: Path) -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ((commands, expected),) = re.findall(r"<!-- pre-commit-test -->\n```sh\n(.*?)```\n\n```text\n(.*?)```", readme, re.DOTALL)
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "pre-commit", ignore=shutil.ignore_patterns("__pycache__"))
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "witgen").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m witgen "$@"\n')  # this checkout's witgen
    (shims / "witgen").chmod(0o755)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", "set -e\n" + commands], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == expected
