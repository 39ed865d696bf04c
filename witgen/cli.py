"""The `witgen` command line. Exit status: 0 ok, 1 rejected input, 2 usage.

    witgen check PATH...            resolve together, print diagnostics
    witgen parse --json PATH        the resolved packages as wit-parser JSON
    witgen migrate FILE             legacy (2022) WIT -> modern WIT
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .diagnostics import Diagnostic, WitError

OK, REJECTED, USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _argument_parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except WitError as error:
        _print_diagnostics(error.diagnostics)
        return REJECTED
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

    migrate = commands.add_parser("migrate", help="print legacy (2022) WIT as modern WIT")
    migrate.add_argument("file", type=Path, metavar="FILE")
    _legacy_option(migrate)
    migrate.set_defaults(command=_migrate)
    return parser


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


def _features(args: argparse.Namespace) -> frozenset[str]:
    return frozenset(f.strip() for f in args.features.split(",") if f.strip())


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.render(), end="\n\n", file=sys.stderr)
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
