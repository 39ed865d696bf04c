"""The `witgen` command line.

    witgen import PATH... [-o DIR]  bindings to host a world's component
    witgen export PATH... [-o DIR]  Protocols for the host to implement
    witgen check PATH...            resolve together, print diagnostics
    witgen parse --json PATH        the resolved packages as wit-parser JSON
    witgen migrate PATH             legacy (2022) WIT -> modern WIT

Exit status: 0 ok, 1 rejected input (WIT errors; output that cannot be
written), 2 usage (including a world or interface that is missing or
ambiguous, and a target that witgen will not overwrite). With `--check`,
as in datamodel-code-generator: 0 up to date, 1 differs, 2 anything that
kept the comparison from happening (WIT errors included).

`import` and `export` read `[tool.witgen]` from the nearest pyproject.toml
(keys: path (a string or a list), output, world, interface, package,
features, all-features, implement-wasi, format, with (a table of
interface = module); paths relative to that file); flags given on the
command line win (for `with`, interface by interface).

Only this module writes generated files, through `writer.write_package`:
a whole package or nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from . import __version__
from .diagnostics import Diagnostic, WitError, read_source, render_all
from .writer import RefusedTarget, write_package

OK, REJECTED, USAGE = 0, 1, 2
# `--check`'s statuses (datamodel-code-generator's): a WIT error is ERROR
# there, so that 1 only ever means "out of date".
DIFF, ERROR = 1, 2


class UsageError(Exception):
    """A command line that names something that is not there, or asks for
    what witgen will not do; printed as `error: ...`, exit 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _argument_parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except WitError as error:
        _print_diagnostics(error.diagnostics)
        return ERROR if getattr(args, "check", False) else REJECTED
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return OK
    except Exception:  # noqa: BLE001 - the last line of defence
        print(
            "error: internal error in witgen; this is a bug, please report it "
            "with the input that caused it\n",
            file=sys.stderr,
        )
        traceback.print_exc()
        return 3


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="witgen",
        description="Typed Python bindings for WebAssembly components, from WIT.",
    )
    parser.add_argument("--version", action="version", version=f"witgen {__version__}")
    commands = parser.add_subparsers(metavar="COMMAND", required=True)

    import_ = commands.add_parser(
        "import",
        help="bindings to host a component: call its exports, implement its imports",
        description="Bindings for a host that loads a component of WORLD: typed calls into "
        "its exports and `add_to_linker` for its imports (or, with --interface, calls into "
        "one exported interface).",
    )
    _generate_options(import_, "the world's name")
    import_.set_defaults(command=_generate, direction="import")

    export = commands.add_parser(
        "export",
        help="Protocols for the host to implement: a package's interfaces or a world's imports",
        description="Bindings for a host that implements the interfaces of PATH's package "
        "(or a world's imports, with --world): Protocols and `add_to_linker`.",
    )
    _generate_options(export, "the package's name")
    export.set_defaults(command=_generate, direction="export")

    check = commands.add_parser("check", help="resolve WIT and report problems")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _feature_options(check)
    _legacy_option(check)
    check.set_defaults(command=_check)

    parse = commands.add_parser("parse", help="print the resolved packages")
    parse.add_argument("path", type=Path, metavar="PATH")
    parse.add_argument(
        "--json", action="store_true", required=True, help="wit-parser's JSON schema"
    )
    _feature_options(parse)
    _legacy_option(parse)
    parse.set_defaults(command=_parse)

    migrate = commands.add_parser(
        "migrate",
        help="print legacy (2022) WIT as modern WIT",
        description="Print legacy (2022) WIT as modern WIT. PATH is a file, or a folder of files: "
        "give the folder when its files `use` each other's names, so that the output resolves by itself.",
    )
    migrate.add_argument("file", type=Path, metavar="PATH")
    _legacy_option(migrate)
    migrate.set_defaults(command=_migrate)
    return parser


def _generate_options(parser: argparse.ArgumentParser, default_name: str) -> None:
    # Defaults are None so that `[tool.witgen]` fills in what the command
    # line leaves out (see `_settings`).
    parser.add_argument(
        "paths",
        type=Path,
        nargs="*",
        metavar="PATH",
        help="a .wit file or a package directory; several are resolved together, as by "
        "`witgen check` (the WASI folders, say), the first being the package to generate for",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help=f"the package directory to write (default: ./<{default_name} in snake_case>)",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--world", metavar="WORLD", help="`name`, `ns:pkg/name` or `ns:pkg/name@version`")
    which.add_argument("--interface", metavar="NAME", help="one interface instead of a world")
    features = parser.add_mutually_exclusive_group()
    features.add_argument("--features", metavar="A,B", help="enable these @unstable features")
    features.add_argument(
        "--all-features", action="store_true", default=None, help="enable every @unstable feature"
    )
    _legacy_option(parser)
    parser.add_argument(
        "--implement-wasi",
        action="store_true",
        default=None,
        help="Protocols for `wasi:*` imports too, instead of wasmtime's own WASI",
    )
    parser.add_argument(
        "--with",
        dest="with_",
        action="append",
        type=_with_entry,
        metavar="IFACE=MODULE",
        help="reuse another generated package's module for interface IFACE (`ns:pkg/iface`, "
        "`ns:pkg/iface@1.0.0`) instead of generating one: its types, Protocol, `add_to_linker` "
        "and accessor, imported from MODULE (an absolute module path, `host_pkg.types`); repeatable",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming the files that differ from what would be written",
    )
    parser.add_argument(
        "--format",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="format with black (default; --no-format is faster, for debugging)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace DIR even if it does not look like witgen's output"
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PYPROJECT",
        help="read [tool.witgen] from this file (default: the nearest pyproject.toml)",
    )


def _feature_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--features",
        metavar="A,B",
        default="",
        help="enable these @unstable features",
    )
    group.add_argument(
        "--all-features", action="store_true", help="enable every @unstable feature"
    )


def _legacy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--package",
        metavar="NS:NAME",
        help="the package of legacy (2022) WIT files (default: legacy:<file or folder name>)",
    )


def _with_entry(text: str) -> tuple[str, str]:
    iface, equals, module = text.partition("=")
    if not (equals and iface.strip() and module.strip()):
        raise argparse.ArgumentTypeError(f"expected IFACE=MODULE (`ns:pkg/types=host_pkg.types`), got `{text}`")
    return iface.strip(), module.strip()


def _features(args: argparse.Namespace) -> frozenset[str]:
    return _feature_set(args.features)


def _feature_set(text: str) -> frozenset[str]:
    return frozenset(f.strip() for f in text.split(",") if f.strip())


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for block in render_all(diagnostics):
        print(block, end="\n\n", file=sys.stderr)
    errors = sum(d.severity == "error" for d in diagnostics)
    if errors > 1:
        print(f"error: {errors} errors", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    """The paths are one package set: each may depend on the others' packages
    (e.g. `witgen check wasi/*`, whose folders are each other's deps)."""
    from .loader import load_many

    loaded = load_many(
        args.paths,
        features=_features(args),
        all_features=args.all_features,
        legacy_package=args.package,
    )
    _print_diagnostics(loaded.warnings)
    return OK


def _parse(args: argparse.Namespace) -> int:
    from .loader import load
    from .witjson import to_json

    loaded = load(
        args.path,
        features=_features(args),
        all_features=args.all_features,
        legacy_package=args.package,
    )
    _print_diagnostics(loaded.warnings)
    json.dump(to_json(loaded.resolve), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return OK


def _migrate(args: argparse.Namespace) -> int:
    from .legacy import migrate

    sys.stdout.write(migrate(args.file, args.package))
    return OK


@dataclass(frozen=True)
class Settings:
    """One `witgen import`/`export`: the command line over `[tool.witgen]`."""

    paths: tuple[Path, ...]
    output: Path | None = None
    world: str | None = None
    interface: str | None = None
    package: str | None = None
    features: frozenset[str] = frozenset()
    all_features: bool = False
    implement_wasi: bool = False
    format: bool = True
    with_: tuple[tuple[str, str], ...] = ()  # (interface, module), as `--with` gives them


# `[tool.witgen]` keys -> (Settings field, the TOML types it accepts).
_CONFIG_KEYS: dict[str, tuple[str, tuple[type, ...]]] = {
    "path": ("paths", (str, list)),
    "output": ("output", (str,)),
    "world": ("world", (str,)),
    "interface": ("interface", (str,)),
    "package": ("package", (str,)),
    "features": ("features", (list, str)),
    "all-features": ("all_features", (bool,)),
    "implement-wasi": ("implement_wasi", (bool,)),
    "format": ("format", (bool,)),
    "with": ("with_", (dict,)),
}


def _settings(args: argparse.Namespace) -> Settings:
    """As datamodel-code-generator does: `[tool.witgen]` of the nearest
    `pyproject.toml` (paths in it relative to that file), then the flags
    given on the command line over it."""
    found = _read_config(args.config) if args.config is not None else _nearest_config(Path.cwd())
    merged: dict[str, object] = {}
    configured_with: dict[str, str] = {}
    if found is not None:
        source, table = found
        for key, value in table.items():
            if key not in _CONFIG_KEYS:
                known = ", ".join(f"`{k}`" for k in _CONFIG_KEYS)
                raise UsageError(f"{source}: unknown key `{key}` in [tool.witgen] (known: {known})")
            field, types = _CONFIG_KEYS[key]
            if not isinstance(value, types):
                raise UsageError(f"{source}: [tool.witgen] `{key}` must be {' or '.join(t.__name__ for t in types)}")
            checked: Any = value
            if field == "paths":
                checked = tuple(source.parent / p for p in ([checked] if isinstance(checked, str) else checked))
            elif field == "output":
                checked = source.parent / checked
            elif field == "features":
                checked = _feature_set(checked if isinstance(checked, str) else ",".join(map(str, checked)))
            elif field == "with_":
                if not all(isinstance(v, str) for v in checked.values()):
                    raise UsageError(f"{source}: [tool.witgen] `with` maps interfaces to module paths (strings)")
                configured_with = dict(checked)
                checked = tuple(checked.items())
            merged[field] = checked
    given = {
        "paths": tuple(args.paths) or None,
        "output": args.output,
        "package": args.package,
        "implement_wasi": args.implement_wasi,
        "format": args.format,
    }
    if args.world is not None or args.interface is not None:
        given.update(world=args.world, interface=args.interface)
    if args.features is not None or args.all_features is not None:
        given.update(features=_feature_set(args.features or ""), all_features=bool(args.all_features))
    if args.with_:
        # Interface by interface: the command line's module over the file's.
        given["with_"] = tuple({**configured_with, **dict(args.with_)}.items())
    merged.update((k, v) for k, v in given.items() if v is not None)
    if merged.get("world") is not None and merged.get("interface") is not None:
        raise UsageError("give a world or an interface, not both")
    if "paths" not in merged:
        raise UsageError("no PATH: name the WIT to read, or set `path` in [tool.witgen] of pyproject.toml")
    return Settings(**merged)  # type: ignore[arg-type]


def _nearest_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return _read_config(candidate)
    return None


def _read_config(pyproject: Path) -> tuple[Path, dict[str, Any]] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(read_source(pyproject).text)
    except WitError as error:
        raise UsageError(error.diagnostics[0].message) from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{pyproject} is not valid TOML: {error}") from None
    table = document.get("tool", {}).get("witgen")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise UsageError(f"{pyproject}: [tool.witgen] must be a table")
    return pyproject, table


def _generate(args: argparse.Namespace) -> int:
    from . import bindgen
    from .api import plan
    from .loader import load_many
    from .render import render_package

    settings = _settings(args)
    loaded = load_many(
        settings.paths,
        features=settings.features,
        all_features=settings.all_features,
        legacy_package=settings.package,
    )
    _print_diagnostics(loaded.warnings)
    try:
        built = plan(
            loaded.resolve,
            loaded.main,
            args.direction,
            source=", ".join(p.name for p in settings.paths),
            world=settings.world,
            interface=settings.interface,
            implement_wasi=settings.implement_wasi,
            with_=dict(settings.with_),
        )
    except (LookupError, ValueError) as error:  # a name or module path the user gave
        raise UsageError(str(error).strip("'\"")) from None
    package = bindgen.build(loaded.resolve, built)
    _print_diagnostics(
        [Diagnostic(f"left out `{u.wit}`: {u.reason}", severity="warning") for u in package.unsupported]
    )
    files = render_package(package, format=settings.format)
    target = settings.output if settings.output is not None else Path(built.package)
    if args.check:
        return _check_package(target, files)
    try:
        write_package(target, files, force=args.force)
    except RefusedTarget as refused:
        raise UsageError(str(refused)) from None
    except OSError as error:
        print(f"error: cannot write `{target}`: {error.strerror or error}", file=sys.stderr)
        return REJECTED
    print(f"wrote {len(files)} files to {target}{os.sep}")
    return OK


def _check_package(target: Path, files: dict[str, str]) -> int:
    on_disk = _package_files(target)
    stale = sorted(p for p in files if p in on_disk and _read(target / p) != files[p])
    missing = sorted(p for p in files if p not in on_disk)
    extra = sorted(on_disk - files.keys())
    for label, paths in (("stale", stale), ("missing", missing), ("extra", extra)):
        for path in paths:
            print(f"{label}: {target / path}")
    if stale or missing or extra:
        print(f"{target}{os.sep} is out of date: regenerate it", file=sys.stderr)
        return DIFF
    return OK


def _package_files(directory: Path) -> set[str]:
    """The files of a package on disk, as generated paths; caches are not ours."""
    if not directory.is_dir():
        return set()
    return {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def _read(path: Path) -> str | None:
    try:
        return read_source(path).text  # regular files only: a FIFO would block
    except WitError:
        return None


