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
FIXTURES = ROOT / "fixtures"
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


# The packages the README's Python imports, as its commands generate them.
README_PACKAGES = {
    "adder": ("adder.wit", "import", {}),
    "add_only": ("interfaced-adder.wit", "import", {"interface": "add"}),
    "bindings": ("cache.wit", "export", {"legacy_package": "wasi-mindmap:cache"}),
    "kv_store": ("kv-store", "import", {}),
}


def _python_by_section() -> dict[str, str]:
    """The README's Python blocks, joined per `##` section: a section is read
    top to bottom, so a later block may use what an earlier one defined."""
    sections: dict[str, str] = {}
    for section in re.split(r"^## ", README, flags=re.MULTILINE)[1:]:
        blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
        if blocks:
            title = section.splitlines()[0]
            sections[title] = "\n\n".join(blocks)
    return sections


def test_the_readme_python_passes_mypy_strict(tmp_path: Path) -> None:
    from witgen.api import generate

    for name, (source, direction, options) in README_PACKAGES.items():
        for path, text in generate(FIXTURES / source, direction, **options).files.items():  # type: ignore[arg-type]
            target = tmp_path / name / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    sections = _python_by_section()
    assert len(sections) >= 3, sections.keys()
    modules = []
    for number, (title, code) in enumerate(sections.items()):
        module = tmp_path / f"readme_section_{number}.py"
        module.write_text(f"# {title}\n{code}", encoding="utf-8")
        modules.append(module.name)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", os.devnull, *modules],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
