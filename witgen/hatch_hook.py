"""The hatchling build hook: bindings generated when a project is built.

A project's pyproject.toml says

    [tool.hatch.build.hooks.witgen]
    dependencies = ["witgen"]

and hatchling, finding this module through witgen's `hatch` entry point,
generates every target of `[tool.witgen]` (`witgen.config`) into the
project before each build: wheel, sdist and editable. The hook's own table
takes the same keys as `[tool.witgen]`, over it. The generated directories
are added as artifacts, so they are packaged even when gitignored; `clean`
removes them. A WIT mistake stops the build with witgen's diagnostics, not
a traceback.

Imported only by hatchling (witgen does not depend on it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl

from . import config, project
from .config import ConfigError
from .diagnostics import Diagnostic, WitError, render_all
from .writer import RefusedTarget

# Options hatchling gives every build hook: not witgen's settings.
_HATCH_OPTIONS = frozenset({"dependencies", "require-runtime-dependencies", "require-runtime-features", "enable-by-default"})
RUNTIME = "witgen-runtime"


class WitgenBuildHook(BuildHookInterface):
    PLUGIN_NAME = "witgen"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        generated = self._generate(root)
        for each in generated:
            _report(each.warnings)
            try:
                project.write(each)
            except (RefusedTarget, OSError) as error:
                _stop(f"cannot write `{each.directory}`: {getattr(error, 'strerror', None) or error}")
            # Anchored at the project's root, so gitignored output is packaged
            # wherever the target puts it (the wheel's package selection still applies).
            build_data["artifacts"].append(f"/{_relative(each.directory, root)}")
        if generated and not any(_names(requirement, RUNTIME) for requirement in self._dependencies()):
            _report([Diagnostic(
                f"the generated packages import `witgen_runtime`, and the project's dependencies do not "
                f"name {RUNTIME}: add \"{RUNTIME}>=0.1,<0.2\" to [project] dependencies",
                severity="warning",
            )])
        print(f"witgen: generated {', '.join(str(_relative(g.directory, root)) for g in generated)}", file=sys.stderr)

    def clean(self, versions: list[str]) -> None:
        root = Path(self.root)
        for target in self._targets(root):
            directory = target.output
            if directory is not None and project.clean(directory):
                print(f"witgen: removed {_relative(directory, root)}", file=sys.stderr)

    def _targets(self, root: Path) -> list[config.Target]:
        # Relative when building in the project (pip, build and hatch do), so
        # that diagnostics name `wit/app.wit`, as the user knows the file.
        pyproject = Path("pyproject.toml") if Path.cwd().resolve() == root.resolve() else root / "pyproject.toml"
        overrides = {k: v for k, v in self.config.items() if k not in _HATCH_OPTIONS}
        try:
            table = config.read_table(pyproject) or {}
            if not table and not overrides:
                raise ConfigError(f"{pyproject}: no [tool.witgen] and no settings in [tool.hatch.build.hooks.witgen]")
            return config.targets(pyproject, table, overrides)
        except ConfigError as error:
            _stop(str(error))

    def _generate(self, root: Path) -> list[project.Generated]:
        targets = self._targets(root)
        try:
            return project.generate_all(targets, root=root)
        except WitError as error:
            _report(error.diagnostics)
            _stop("the WIT has errors: no bindings generated")
        except ConfigError as error:
            _stop(str(error))

    def _dependencies(self) -> list[str]:
        try:
            return list(self.metadata.core.dependencies)
        except Exception:  # noqa: BLE001 - metadata hatchling cannot read fails the build by itself
            return []


def _names(requirement: str, name: str) -> bool:
    head = requirement.split(";")[0].strip().lower().replace("_", "-")
    return head == name or head.startswith((f"{name}[", f"{name}=", f"{name}<", f"{name}>", f"{name}!", f"{name}~", f"{name} "))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        _stop(f"`{path}` is outside the project ({root}): a build can only package what is inside it")


def _report(diagnostics: list[Diagnostic]) -> None:
    for block in render_all(diagnostics):
        print(block, end="\n\n", file=sys.stderr)


def _stop(message: str) -> NoReturn:
    """Ends the build with `message` and no traceback: hatchling runs in a
    process of its own under pip, build and hatch alike."""
    print(f"error: witgen: {message}", file=sys.stderr)
    raise SystemExit(1)


@hookimpl
def hatch_register_build_hook() -> type[WitgenBuildHook]:
    return WitgenBuildHook
