"""`[tool.witgen]` of a project's pyproject.toml: the packages it generates.

    [tool.witgen]
    path = "wit"                    # keys here are defaults for every target

    [[tool.witgen.targets]]
    world = "app"                   # direction "import" unless it says otherwise
    output = "src/app/bindings"

    [[tool.witgen.targets]]
    direction = "export"
    output = "src/app/host_api"

A table without `targets` is itself the one target, as before targets
existed. Paths are relative to the pyproject.toml. The command line
(`witgen import`, `export`, `build`) and the build hooks read it here, and
nowhere else; this module only reads.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal, Mapping

from ._records import dataclass
from .diagnostics import WitError, read_source

Direction = Literal["import", "export"]

__all__ = ["ConfigError", "Direction", "Target", "find_pyproject", "read_table", "target_fields", "targets"]


class ConfigError(Exception):
    """A `[tool.witgen]` that cannot be read: the message names the file and key."""


@dataclass(frozen=True)
class Target:
    """One generated package: which WIT, which side, where."""

    paths: tuple[Path, ...]
    direction: Direction = "import"
    output: Path | None = None  # None: ./<the package's name>
    world: str | None = None
    interface: str | None = None
    legacy_package: str | None = None  # `ns:name` of legacy (2022) WIT files
    features: frozenset[str] = frozenset()
    all_features: bool = False
    implement_wasi: bool = False
    format: bool = True
    with_: tuple[tuple[str, str], ...] = ()  # (interface, module), as `--with` gives them
    modules: tuple[tuple[str, str], ...] = ()  # (interface, module name), as `--module` gives them


# Keys of a target table -> (Target field, the TOML types it accepts).
KEYS: dict[str, tuple[str, tuple[type, ...]]] = {
    "path": ("paths", (str, list)),
    "direction": ("direction", (str,)),
    "output": ("output", (str,)),
    "world": ("world", (str,)),
    "interface": ("interface", (str,)),
    "legacy-package": ("legacy_package", (str,)),
    "features": ("features", (list, str)),
    "all-features": ("all_features", (bool,)),
    "implement-wasi": ("implement_wasi", (bool,)),
    "format": ("format", (bool,)),
    "with": ("with_", (dict,)),
    "modules": ("modules", (dict,)),
}
TARGETS = "targets"
# `legacy-package`'s old name, which read as the Python package's: an
# error that says the new one, so that no project changes meaning silently.
OLD_LEGACY_PACKAGE = "package"


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_table(pyproject: Path) -> dict[str, Any] | None:
    """`[tool.witgen]` of `pyproject`, or None if it has none."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(read_source(pyproject).text)
    except WitError as error:
        raise ConfigError(error.diagnostics[0].message) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject} is not valid TOML: {error}") from None
    table = document.get("tool", {}).get("witgen")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.witgen] must be a table")
    return table


def targets(
    pyproject: Path,
    table: Mapping[str, Any],
    overrides: Mapping[str, Any] = {},
    overrides_name: str = "[tool.hatch.build.hooks.witgen]",
) -> list[Target]:
    """Every target of `table` (`[tool.witgen]` of `pyproject`), with the
    keys of `overrides` (a build hook's own table, named `overrides_name`
    in messages) over the table's. `targets` in `overrides` replaces the
    table's list as a whole."""
    target_fields(pyproject, {k: v for k, v in overrides.items() if k != TARGETS}, overrides_name)
    merged = {**table, **overrides}
    listed = merged.pop(TARGETS, None)
    defaults = target_fields(pyproject, merged, "[tool.witgen]")
    if listed is None:
        return [_target(pyproject, defaults, "[tool.witgen]")]
    if not isinstance(listed, list) or not all(isinstance(t, dict) for t in listed):
        raise ConfigError(f"{pyproject}: `targets` in [tool.witgen] must be a list of tables ([[tool.witgen.targets]])")
    if not listed:
        raise ConfigError(f"{pyproject}: [tool.witgen] has an empty `targets` list")
    found = []
    for number, entry in enumerate(listed, 1):
        where = f"[[tool.witgen.targets]] #{number}"
        if TARGETS in entry:
            raise ConfigError(f"{pyproject}: {where} cannot have `targets` of its own")
        own = target_fields(pyproject, entry, where)
        base = dict(defaults)
        if "world" in own or "interface" in own:  # a target's world replaces a default interface
            base.pop("world", None)
            base.pop("interface", None)
        found.append(_target(pyproject, {**base, **own}, where))
    outputs = [t.output for t in found if t.output is not None]
    for output in outputs:
        if outputs.count(output) > 1:
            raise ConfigError(f"{pyproject}: two targets write `{output}`: give each its own `output`")
    return found


def target_fields(pyproject: Path, table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A target table's keys as Target fields, checked; paths relative to
    the pyproject.toml made absolute."""
    fields: dict[str, Any] = {}
    for key, value in table.items():
        if key == OLD_LEGACY_PACKAGE:
            raise ConfigError(
                f"{pyproject}: `package` in {where} is now `legacy-package` (the package of legacy (2022) "
                "WIT files): rename it"
            )
        if key not in KEYS:
            known = ", ".join(f"`{k}`" for k in (*KEYS, TARGETS) if not where.startswith("[[") or k != TARGETS)
            raise ConfigError(f"{pyproject}: unknown key `{key}` in {where} (known: {known})")
        field, types = KEYS[key]
        if not isinstance(value, types):
            raise ConfigError(f"{pyproject}: {where} `{key}` must be {' or '.join(t.__name__ for t in types)}")
        checked: Any = value
        if field == "paths":
            items = [checked] if isinstance(checked, str) else checked
            if not all(isinstance(p, str) for p in items):
                raise ConfigError(f"{pyproject}: {where} `path` must be a string or a list of strings")
            checked = tuple(pyproject.parent / p for p in items)
        elif field == "direction":
            if checked not in ("import", "export"):
                raise ConfigError(f"{pyproject}: {where} `direction` must be \"import\" or \"export\"")
        elif field == "output":
            checked = pyproject.parent / checked
        elif field == "features":
            checked = feature_set(checked if isinstance(checked, str) else ",".join(map(str, checked)))
        elif field == "with_":
            if not all(isinstance(v, str) for v in checked.values()):
                raise ConfigError(f"{pyproject}: {where} `with` maps interfaces to module paths (strings)")
            checked = tuple(checked.items())
        elif field == "modules":
            if not all(isinstance(v, str) for v in checked.values()):
                raise ConfigError(f"{pyproject}: {where} `modules` maps interfaces to module names (strings)")
            checked = tuple(checked.items())
        fields[field] = checked
    return fields


def feature_set(text: str) -> frozenset[str]:
    return frozenset(f.strip() for f in text.split(",") if f.strip())


def _target(pyproject: Path, fields: dict[str, Any], where: str) -> Target:
    if "paths" not in fields:
        raise ConfigError(f"{pyproject}: {where} has no `path`: name the WIT to read")
    if fields.get("world") is not None and fields.get("interface") is not None:
        raise ConfigError(f"{pyproject}: {where} gives a world and an interface: give one")
    return Target(**fields)
