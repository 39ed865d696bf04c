"""Paths on disk -> a resolved model: the front end's entry point.

A path is a `.wit` file or a directory. A directory's `*.wit` files form
one package; its `deps/` folder holds the packages it depends on, each a
directory or a single file (as wit-parser's `Resolve::push_path` reads
them). A file may also define further packages inline (`package a:b {}`).

A file that starts with the `\0asm` magic is a component binary: a WIT
package encoded as wasm (`wasm-tools component wit --wasm`), or, as the
path itself, a component, whose world is `root:component/root`
(`witgen.binary` decodes both). Decoded packages join the model before any
text package, as wit-parser's `push_dir` merges them first.
"""

from __future__ import annotations

import re
from ._records import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from .frontend import ast
from .diagnostics import Collector, Diagnostic, Source, Span, WitError, hint_budget, read_source
from .model import PackageId, PackageName, Resolve
from . import binary
from .frontend.parser import parse_source
from .resolve import Features, PackageSource, UnresolvedPackage, resolve_groups, resolve_package

if TYPE_CHECKING:
    from .binary.decode import Decoded

__all__ = ["Loaded", "load", "load_many", "load_text"]

_PACKAGE_DECLARATION = re.compile(r"^\s*package\s", re.MULTILINE)


@dataclass
class Loaded:
    resolve: Resolve
    # The packages the path itself defines: its own package first (what
    # wit-parser's `push_path` returns), then packages nested in its files.
    main: list[PackageId]
    warnings: list[Diagnostic] = field(default_factory=list)


def load(
    path: str | Path,
    *,
    features: frozenset[str] = frozenset(),
    all_features: bool = False,
    legacy_package: str | None = None,
) -> Loaded:
    """Parse and resolve `path` with its `deps/`, or raise `WitError`.

    A legacy (2022) file becomes one interface named after the file, in the
    package `legacy_package` (`ns:name`; by default `legacy:<stem>`, see
    `witgen.legacy`); the siblings it `use`s come along."""
    return load_many(
        [path], features=features, all_features=all_features, legacy_package=legacy_package
    )


def load_many(
    paths: Sequence[str | Path],
    *,
    features: frozenset[str] = frozenset(),
    all_features: bool = False,
    legacy_package: str | None = None,
) -> Loaded:
    """Resolve several paths together: each may use the others' packages.

    For the WASI folders, say, where each folder is one package and its
    siblings are its dependencies. A dependency that several paths carry
    in their `deps/` is read once.
    """
    with hint_budget():
        return _load_many(paths, features, all_features, legacy_package)


def _load_many(
    paths: Sequence[str | Path], features: frozenset[str], all_features: bool, legacy_package: str | None
) -> Loaded:
    reader = _Reader(legacy_package)
    mains: list[list[UnresolvedPackage]] = []
    all_deps: list[tuple[int, list[UnresolvedPackage]]] = []
    for index, path in enumerate(paths):
        main, path_deps = reader.read_path(Path(path), index)
        mains.append(main)
        all_deps += [(index, group) for group in path_deps]
    reader.errors.raise_if_any()
    resolve = Resolve()
    binary_mains: dict[int, list[PackageId]] = {}
    for decoded, main_index in reader.decoded:
        merged = binary.merge_decoded(resolve, decoded.resolve)
        if main_index is not None:
            binary_mains[main_index] = [merged[decoded.package]]
    # A package that another path brings is shared, not a duplicate;
    # duplicates among one path's own packages stay errors.
    owner: dict[PackageName, int] = {pkg.name: i for i, group in enumerate(mains) for pkg in group}
    deps: list[list[UnresolvedPackage]] = []
    for index, group in all_deps:
        if any(owner.get(pkg.name, index) != index for pkg in group):
            continue
        owner.update((pkg.name, index) for pkg in group)
        deps.append(group)
    groups = mains + deps
    for group in groups:
        for pkg in group:
            if pkg.name in resolve.package_names:
                raise WitError.at(
                    pkg.name_span,
                    f"package `{pkg.name}` is defined in two different locations: a WIT file and a binary",
                )

    ids = resolve_groups(resolve, groups, Features(features, all_features))
    main_ids: list[PackageId] = []
    for index, group_ids in enumerate(ids[: len(mains)]):
        main_ids += binary_mains.get(index, [])
        if group_ids:
            # Groups list nested packages first and the file's own last.
            main_ids += [group_ids[-1], *group_ids[:-1]]
    return Loaded(resolve, main_ids, reader.warnings)


def load_text(
    text: str,
    path: str = "<string>",
    *,
    features: frozenset[str] = frozenset(),
    all_features: bool = False,
) -> Loaded:
    """Resolve one file's `text` (no dependencies); `path` names it in errors."""
    with hint_budget():
        reader = _Reader()
        group = reader.package([Source(path, text)])
        reader.errors.raise_if_any()
        resolve = Resolve()
        (ids,) = resolve_groups(resolve, [group], Features(features, all_features))
        return Loaded(resolve, [ids[-1], *ids[:-1]], reader.warnings)


class _Reader:
    """Reads and resolves each package by itself, collecting errors across them."""

    def __init__(self, legacy_package: str | None = None) -> None:
        self.warnings: list[Diagnostic] = []
        self.errors = Collector()
        self.legacy_package = legacy_package
        # Binaries decoded, in the order read, each with the index of the
        # path it is (None for a dependency).
        self.decoded: list[tuple[Decoded, int | None]] = []

    def read_path(
        self, path: Path, index: int = 0
    ) -> tuple[list[UnresolvedPackage], list[list[UnresolvedPackage]]]:
        if not path.exists():
            raise WitError([Diagnostic(f"no such file or directory: {path}")])
        is_dir = path.is_dir()
        if not is_dir and self.read_binary(path, index):
            return [], []
        sources = self.read_dir(path) if is_dir else self.read_sources([path])
        if sources is not None and _is_legacy(sources):
            return self.read_legacy(path), []
        main = [] if sources is None else self.package(sources)
        return main, self.read_deps(path / "deps") if is_dir else []

    def read_legacy(self, path: Path) -> list[UnresolvedPackage]:
        from . import legacy

        try:
            files = legacy.parse_legacy_files(path, self.legacy_package)
        except WitError as error:
            self.errors.extend(error)
            return []
        self.warnings.append(
            Diagnostic(
                f"{path} uses the legacy (2022) WIT syntax",
                Span(files[0].source, 0, 0),
                hint=f"`witgen migrate {path}` prints it in today's syntax",
                severity="warning",
            )
        )
        return self.package_of(files)

    def read_deps(self, path: Path) -> list[list[UnresolvedPackage]]:
        if not path.exists():
            return []
        groups: list[list[UnresolvedPackage]] = []
        for entry in sorted(path.iterdir(), key=lambda p: p.name):
            if entry.is_dir():
                sources = self.read_dir(entry)
            elif entry.suffix in (".wit", ".wasm", ".wat"):
                if self.read_binary(entry, None):
                    continue
                sources = self.read_sources([entry])
            else:
                continue
            groups.append([] if sources is None else self.package(sources))
        return groups

    def read_binary(self, path: Path, main_index: int | None) -> bool:
        """Decode `path` if it is a binary (or WebAssembly text); False if it
        is WIT. Its errors are kept."""
        try:
            if path.suffix == ".wat":
                decoded = binary.load_wat(str(path))
            elif binary.is_binary_file(str(path)):
                decoded = binary.load_binary(str(path))
            else:
                return False
            if main_index is None and decoded.kind == "component":
                raise WitError(
                    [Diagnostic(f"{path}: found an actual component instead of an encoded WIT package in wasm")]
                )
        except WitError as error:
            self.errors.extend(error)
            return True
        self.decoded.append((decoded, main_index))
        return True

    def read_dir(self, path: Path) -> list[Source] | None:
        """A package's `*.wit` files, read (sorted); None, the error kept, if
        there are none or one cannot be read."""
        try:
            files = sorted((p for p in path.iterdir() if p.name.endswith(".wit") and not p.is_dir()), key=str)
        except OSError as error:
            raise WitError([Diagnostic(f"cannot read directory {path}: {error.strerror}")]) from None
        if not files:
            self.errors.error(None, f"no `package` header was found in any WIT file for this package: {path} has no `*.wit` files")
            return None
        return self.read_sources(files)

    def read_sources(self, files: Iterable[Path]) -> list[Source] | None:
        """The files' text; None (the error kept) if one cannot be read."""
        sources: list[Source] = []
        for path in files:
            try:
                sources.append(read_source(path))
            except WitError as error:
                self.errors.extend(error)
                return None
        return sources

    def package(self, sources: Iterable[Source]) -> list[UnresolvedPackage]:
        """One package from `sources` (plus those nested in them), nested first.

        A package whose files have errors is left out (so that its other
        mistakes are not buried under consequences); the errors are kept.
        """
        files: list[ast.File] = []
        broken = False
        for source in sources:
            try:
                files.append(parse_source(source))
            except WitError as error:
                self.errors.extend(error)
                broken = True
        return self.package_of(files, broken)

    def package_of(self, files: Sequence[ast.File], broken: bool = False) -> list[UnresolvedPackage]:
        """The package `files` form (plus those nested in them), nested first.

        When `broken` (some of its files did not parse), only the nested
        packages: the package itself would only repeat consequences."""
        nested: list[UnresolvedPackage] = []
        header: ast.PackageHeader | None = None
        docs: str | None = None
        items: list[tuple[ast.PackageItem, ...]] = []
        for file in files:
            for inner in file.nested:
                try:
                    nested.append(resolve_package(PackageSource(inner.name, inner.docs, [inner.items])))
                except WitError as error:
                    self.errors.extend(error)
            try:
                if file.package is not None:
                    if header is not None and str(file.package.name) != str(header.name):
                        raise WitError.at(
                            file.package.span,
                            f"package identifier `{file.package.name}` does not match previous package name "
                            f"of `{header.name}`",
                        )
                    header = file.package
                    if file.package.docs is not None:
                        if docs is not None:
                            raise WitError.at(
                                _docs_span(file.package), "found doc comments on multiple 'package' items"
                            )
                        docs = file.package.docs
            except WitError as error:
                self.errors.extend(error)
                broken = True
            items.append(file.items)
        if broken:
            return nested
        if header is None and files:
            # The resolver cannot say where: it sees items, not files.
            self.errors.error(
                _headless_span(files),
                "no `package` header was found in any WIT file for this package",
                "start a file with `package namespace:name;`",
            )
            return nested
        try:
            main = resolve_package(PackageSource(header.name if header else None, docs, items))
        except WitError as error:
            self.errors.extend(error)
            return nested
        return [*nested, main]


def _headless_span(files: Sequence[ast.File]) -> Span:
    """Where a package without a header starts: its first item, else its first file."""
    for file in files:
        if file.items:
            return file.items[0].span
    return Span(files[0].source, 0, 0)


def _docs_span(header: ast.PackageHeader) -> Span:
    """Where the doc comment of `package ...;` starts (wit-parser points there)."""
    source = header.span.source
    keyword = source.text.rfind("package", 0, header.span.start)
    start = keyword
    line_start = source.text.rfind("\n", 0, keyword) + 1
    while line_start > 0:
        prev_start = source.text.rfind("\n", 0, line_start - 1) + 1
        line = source.text[prev_start : line_start - 1].strip()
        if not (line.startswith("///") or line.startswith("/**") or line.startswith("*") or line.endswith("*/")):
            break
        start = prev_start
        line_start = prev_start
    return Span(source, start, keyword)


def _is_legacy(sources: Sequence[Source]) -> bool:
    """Whether the files of a path are 2022 WIT: none declares a package,
    and one reads as legacy."""
    if any(_PACKAGE_DECLARATION.search(source.text) for source in sources):
        return False
    from .legacy import looks_legacy

    return any(looks_legacy(source.text) for source in sources)
