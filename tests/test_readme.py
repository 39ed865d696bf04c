"""The README's walkthroughs work as written: each `readme-test` block runs
in a copy of the examples, and prints what the README says it prints."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(
    r"<!-- readme-test: (\S+) -->\n```sh\n(.*?)```\n\n```text\n(.*?)```", README, re.DOTALL
)


def test_the_readme_has_walkthroughs() -> None:
    assert {name for name, _, _ in BLOCKS} == {"adder", "cache"}


@pytest.mark.parametrize("name, commands, expected", BLOCKS, ids=[b[0] for b in BLOCKS])
def test_walkthrough(name: str, commands: str, expected: str, tmp_path: Path) -> None:
    if shutil.which("componentize-py") is None:
        pytest.skip("componentize-py is not installed (it is in the `test` extra)")
    for folder in ("examples", "fixtures"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("build", "__pycache__"))
    # `witgen` and `python` as a user's shell finds them: this interpreter's.
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    script = "set -e\n" + commands.replace("python ", f"{sys.executable} ")
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in expected.splitlines():
        assert line in result.stdout.splitlines(), f"{line!r} not in:\n{result.stdout}"
