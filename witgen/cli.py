"""The `witgen` command line.

    witgen import PATH... [-o DIR]  bindings to host a world's component
    witgen export PATH... [-o DIR]  Protocols for the host to implement
    witgen check PATH...            resolve together, print diagnostics
    witgen parse --json PATH        the resolved packages as wit-parser JSON
    witgen wit PATH                 the WIT a component binary (or any PATH) carries
    witgen migrate PATH             legacy (2022) WIT -> modern WIT
    witgen build [--check]          every target of [tool.witgen], as build hooks do
    witgen verify COMPONENT PATH... does a component match the world? (exit 0 / 1)

Exit status: 0 ok, 1 rejected input (WIT errors; output that cannot be
written), 2 usage (including a world or interface that is missing or
ambiguous, and a target that witgen will not overwrite). With `--check`,
as in datamodel-code-generator: 0 up to date, 1 differs, 2 anything that
kept the comparison from happening (WIT errors included). `verify` exits
as `--check` does: 0 the component matches, 1 it differs (every difference
printed), 2 a WIT error, a missing world or a component it cannot read.

`import` and `export` read `[tool.witgen]` from the nearest pyproject.toml
(`witgen.config`: keys path (a string or a list), direction, output, world,
interface, legacy-package, features, all-features, implement-wasi, format,
with (a table of interface = module), modules (interface = module name); paths relative to that file; a list of
`[[tool.witgen.targets]]` with the same keys); flags given on the command
line win (for `with`, interface by interface). `build` generates every target.

Only this module and the build hooks write generated files, through
`witgen.project.write` (`writer.write_package`): a whole package or nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from . import __version__, config
from .config import ConfigError, Target
from .diagnostics import Diagnostic, WitError, render_all

if TYPE_CHECKING:
    from . import project

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
    except (UsageError, ConfigError) as error:
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
        import traceback

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

    wit = commands.add_parser(
        "wit",
        help="print the WIT of a component binary, a WIT package encoded as wasm, or WIT",
        description="Print the WIT that PATH carries, as `wasm-tools component wit` does: a "
        "component's world (`root:component/root`) and the packages it uses, or a package "
        "encoded as wasm with its dependencies. PATH may also be WIT text.",
    )
    wit.add_argument("path", type=Path, metavar="PATH")
    wit.add_argument("--no-docs", action="store_true", help="leave out `///` documentation")
    wit.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    _feature_options(wit)
    wit.set_defaults(command=_wit)

    migrate = commands.add_parser(
        "migrate",
        help="print legacy (2022) WIT as modern WIT",
        description="Print legacy (2022) WIT as modern WIT. PATH is a file, or a folder of files: "
        "give the folder when its files `use` each other's names, so that the output resolves by itself.",
    )
    migrate.add_argument("file", type=Path, metavar="PATH")
    _legacy_option(migrate)
    migrate.set_defaults(command=_migrate)

    build = commands.add_parser(
        "build",
        help="generate every target of [tool.witgen] in pyproject.toml, as the build hooks do",
        description="Generate every target of [tool.witgen] (its `[[tool.witgen.targets]]`, or the table "
        "itself), paths relative to the pyproject.toml: what the hatch build hook runs before a build.",
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming the files that differ from what would be written",
    )
    build.add_argument("--force", action="store_true", help="replace output directories that are not witgen's")
    build.add_argument(
        "--config",
        type=Path,
        metavar="PYPROJECT",
        help="read [tool.witgen] from this file (default: the nearest pyproject.toml)",
    )
    build.set_defaults(command=_build)

    verify = commands.add_parser(
        "verify",
        help="check a component against a world before running it (exit 1 listing every difference)",
        description="Compare what COMPONENT imports and exports, and each function's types, with WORLD "
        "of the WIT at PATH. Exit 0 when they match, 1 when they differ (every difference printed), "
        "2 when the WIT, the world or the component cannot be read.",
    )
    verify.add_argument("component", type=Path, metavar="COMPONENT.wasm")
    verify.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH",
        help="a .wit file or a package directory; several are resolved together, as by `witgen check`",
    )
    verify.add_argument("--world", metavar="WORLD", help="`name`, `ns:pkg/name` or `ns:pkg/name@version`")
    _feature_options(verify)
    _legacy_option(verify)
    verify.set_defaults(command=_verify, check=True)  # `check`: WIT errors exit 2, as with --check
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
        type=_entry("IFACE=MODULE (`ns:pkg/types=host_pkg.types`)"),
        metavar="IFACE=MODULE",
        help="reuse another generated package's module for interface IFACE (`ns:pkg/iface`, "
        "`ns:pkg/iface@1.0.0`) instead of generating one: its types, Protocol, `add_to_linker` "
        "and accessor, imported from MODULE (an absolute module path, `host_pkg.types`); repeatable",
    )
    parser.add_argument(
        "--module",
        dest="modules",
        action="append",
        type=_entry("IFACE=NAME (`wasi:io/streams=streams`)"),
        metavar="IFACE=NAME",
        help="name the module of interface IFACE (`ns:pkg/iface`) NAME instead of the interface's "
        "own name (`wasi_io_streams` for another package's); repeatable",
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
        "--legacy-package",
        metavar="NS:NAME",
        help="the package of legacy (2022) WIT files (default: legacy:<file or folder name>)",
    )
    parser.add_argument(
        "--package",
        dest="legacy_package",
        action=_DeprecatedAlias,
        metavar="NS:NAME",
        help="deprecated: the old name of --legacy-package",
    )


class _DeprecatedAlias(argparse.Action):
    """`--package`, read as `--legacy-package` with a warning: the old name
    read as the Python package's, which `-o` (and `generate(name=...)`) set."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: str | None = None
    ) -> None:
        print(f"warning: {option} is deprecated: use --legacy-package", file=sys.stderr)
        setattr(namespace, self.dest, values)


def _entry(form: str) -> Callable[[str], tuple[str, str]]:
    """An argument `IFACE=VALUE` as a pair; `form` is its shape, with an example."""

    def parse(text: str) -> tuple[str, str]:
        iface, equals, value = text.partition("=")
        if not (equals and iface.strip() and value.strip()):
            raise argparse.ArgumentTypeError(f"expected {form}, got `{text}`")
        return iface.strip(), value.strip()

    return parse


def _features(args: argparse.Namespace) -> frozenset[str]:
    return config.feature_set(args.features)


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
        legacy_package=args.legacy_package,
    )
    _print_diagnostics(loaded.warnings)
    return OK


def _parse(args: argparse.Namespace) -> int:
    import json

    from .loader import load
    from .model.witjson import to_json

    loaded = load(
        args.path,
        features=_features(args),
        all_features=args.all_features,
        legacy_package=args.legacy_package,
    )
    _print_diagnostics(loaded.warnings)
    json.dump(to_json(loaded.resolve), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return OK


def _wit(args: argparse.Namespace) -> int:
    from .loader import load
    from .model.witprint import PrintError, print_resolve

    loaded = load(args.path, features=_features(args), all_features=args.all_features)
    _print_diagnostics(loaded.warnings)
    try:
        text = print_resolve(loaded.resolve, loaded.main[0], docs=not args.no_docs)
    except PrintError as error:
        raise WitError([Diagnostic(f"{args.path}: cannot print as WIT: {error}")]) from None
    if args.output is None:
        sys.stdout.write(text)
        return OK
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise WitError([Diagnostic(f"cannot write {args.output}: {error.strerror or error}")]) from None
    return OK


def _migrate(args: argparse.Namespace) -> int:
    from .legacy import migrate

    sys.stdout.write(migrate(args.file, args.legacy_package))
    return OK


def _settings(args: argparse.Namespace) -> Target:
    """As datamodel-code-generator does: `[tool.witgen]` of the nearest
    `pyproject.toml` (paths in it relative to that file), then the flags
    given on the command line over it. With `targets`, the one target of
    this command's direction is the base (several: `witgen build`)."""
    pyproject = args.config if args.config is not None else config.find_pyproject(Path.cwd())
    table = config.read_table(pyproject) if pyproject is not None else None
    merged: dict[str, Any] = {}
    if pyproject is not None and table is not None:
        defaults = {k: v for k, v in table.items() if k != config.TARGETS}
        merged = config.target_fields(pyproject, defaults, "[tool.witgen]")
        if config.TARGETS in table:
            mine = [t for t in config.targets(pyproject, table) if t.direction == args.direction]
            if len(mine) > 1 and not args.paths:
                raise UsageError(
                    f"{pyproject}: [tool.witgen] has {len(mine)} {args.direction} targets: `witgen build` "
                    "generates every target, or name the WIT to read and the flags for this one"
                )
            if len(mine) == 1:
                merged = dict(vars(mine[0]))
    merged["direction"] = args.direction
    given = {
        "paths": tuple(args.paths) or None,
        "output": args.output,
        "legacy_package": args.legacy_package,
        "implement_wasi": args.implement_wasi,
        "format": args.format,
    }
    if args.world is not None or args.interface is not None:
        given.update(world=args.world, interface=args.interface)
    if args.features is not None or args.all_features is not None:
        given.update(features=config.feature_set(args.features or ""), all_features=bool(args.all_features))
    if args.with_:
        # Interface by interface: the command line's module over the file's.
        given["with_"] = tuple({**dict(merged.get("with_", ())), **dict(args.with_)}.items())
    if args.modules:
        given["modules"] = tuple({**dict(merged.get("modules", ())), **dict(args.modules)}.items())
    merged.update((k, v) for k, v in given.items() if v is not None)
    if merged.get("world") is not None and merged.get("interface") is not None:
        raise UsageError("give a world or an interface, not both")
    if "paths" not in merged:
        raise UsageError("no PATH: name the WIT to read, or set `path` in [tool.witgen] of pyproject.toml")
    return Target(**merged)


# `project` (generation and writing) is imported by the commands that
# generate: `witgen check` starts without it.


def _generate(args: argparse.Namespace) -> int:
    from . import project

    generated = project.generate_target(_settings(args), root=Path())
    _print_diagnostics(generated.warnings)
    if args.check:
        return _report_differences([generated])
    return _write([generated], force=args.force)


def _build(args: argparse.Namespace) -> int:
    """Every target of `[tool.witgen]`, as the build hooks generate them."""
    from . import project

    pyproject = args.config if args.config is not None else config.find_pyproject(Path.cwd())
    table = config.read_table(pyproject) if pyproject is not None else None
    if pyproject is None or table is None:
        raise UsageError("no [tool.witgen] in pyproject.toml here or above: nothing to build")
    relative = Path(os.path.relpath(pyproject))
    if ".." not in relative.parts:  # then diagnostics and messages name `wit/app.wit`, as the user does
        pyproject = relative
    generated = project.generate_all(config.targets(pyproject, table), root=pyproject.parent)
    for each in generated:
        _print_diagnostics(each.warnings)
    if args.check:
        return _report_differences(generated)
    return _write(generated, force=args.force)


def _write(generated: list[project.Generated], *, force: bool) -> int:
    from . import project
    from .writer import RefusedTarget

    for each in generated:
        try:
            project.write(each, force=force)
        except RefusedTarget as refused:
            raise UsageError(str(refused)) from None
        except OSError as error:
            print(f"error: cannot write `{each.directory}`: {error.strerror or error}", file=sys.stderr)
            return REJECTED
        print(f"wrote {len(each.files)} files to {each.directory}{os.sep}")
    return OK


def _verify(args: argparse.Namespace) -> int:
    from witgen_runtime import mismatch_message

    from .verification import UnreadableComponent, verify

    try:
        found = verify(
            args.component,
            args.paths,
            world=args.world,
            features=_features(args),
            all_features=args.all_features,
            legacy_package=args.legacy_package,
        )
    except UnreadableComponent as error:
        print(f"error: {error}", file=sys.stderr)
        return ERROR
    except LookupError as error:
        raise UsageError(str(error)) from None
    if found.ok:
        print(f"{args.component} matches world `{found.world}`")
        return OK
    print(mismatch_message(f"world `{found.world}`", found.differences))
    return DIFF


def _report_differences(generated: list[project.Generated]) -> int:
    from . import project

    status = OK
    for each in generated:
        found = project.differences(each)
        for label, path in found:
            print(f"{label}: {path}")
        if found:
            print(f"{each.directory}{os.sep} is out of date: regenerate it", file=sys.stderr)
            status = DIFF
    return status
