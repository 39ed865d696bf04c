"""A project's targets (`witgen.config.Target`) generated, compared and
written: what `witgen import`/`export`/`build` and the build hooks share.

Generating stays pure (`generate_target` returns the files); `write` goes
through `writer.write_package`, whole or nothing, and `clean` removes only
directories witgen wrote.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .config import ConfigError, Target
from .diagnostics import Diagnostic, WitError
from .writer import GENERATED_HEADER, write_package

__all__ = ["Generated", "clean", "differences", "generate_all", "generate_target", "write"]


@dataclass(frozen=True)
class Generated:
    """One target's package, ready to write to `directory`."""

    target: Target
    directory: Path
    files: dict[str, str]
    warnings: list[Diagnostic] = field(default_factory=list)


def generate_target(target: Target, *, root: Path) -> Generated:
    """The target's files, by `witgen.generate`. A target without `output`
    goes to `root/<package name>`. Raises `WitError` for the WIT's mistakes
    and `ConfigError` for a world, interface or `with` entry that is not
    there or cannot work."""
    from .api import InvalidOption, UnresolvedName, generate

    try:
        generation = generate(
            target.paths,
            target.direction,
            world=target.world,
            interface=target.interface,
            features=target.features,
            all_features=target.all_features,
            legacy_package=target.legacy_package,
            implement_wasi=target.implement_wasi,
            with_=dict(target.with_),
            modules=dict(target.modules),
            format=target.format,
        )
    except (UnresolvedName, InvalidOption) as error:  # a name or module path the user gave
        raise ConfigError(str(error).strip("'\"")) from None
    directory = target.output if target.output is not None else root / generation.name
    return Generated(target, directory, generation.files, generation.warnings)


def generate_all(targets: list[Target], *, root: Path) -> list[Generated]:
    """Every target, or the first error: nothing is written before all of
    them generate. The WIT errors of every target are raised together."""
    generated: list[Generated] = []
    errors: dict[str, Diagnostic] = {}  # by rendered text: targets often share their WIT
    for target in targets:
        try:
            generated.append(generate_target(target, root=root))
        except WitError as error:
            errors.update((d.render(), d) for d in error.diagnostics if d.render() not in errors)
    if errors:
        raise WitError(errors.values())
    return generated


def write(generated: Generated, *, force: bool = False) -> None:
    """Raises `RefusedTarget` and `OSError` as `write_package` does."""
    write_package(generated.directory, generated.files, force=force)


def differences(generated: Generated) -> list[tuple[str, Path]]:
    """("stale" | "missing" | "extra", path) for each file on disk that is
    not what `write` would leave there."""
    target, files = generated.directory, generated.files
    on_disk = _package_files(target)
    stale = sorted(p for p in files if p in on_disk and _read(target / p) != files[p])
    missing = sorted(p for p in files if p not in on_disk)
    extra = sorted(on_disk - files.keys())
    return [(label, target / path) for label, paths in (("stale", stale), ("missing", missing), ("extra", extra))
            for path in paths]


def clean(directory: Path) -> bool:
    """Remove `directory` if it is a package witgen wrote; whether it was."""
    init = directory / "__init__.py"
    if directory.is_symlink() or not init.is_file():
        return False
    with init.open("rb") as file:
        head = [file.readline(200).decode("utf-8", "replace") for _ in range(2)]
    if not any(line.startswith(GENERATED_HEADER) for line in head):
        return False
    shutil.rmtree(directory)
    return True


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
    from .diagnostics import read_source

    try:
        return read_source(path).text  # regular files only: a FIFO would block
    except WitError:
        return None
