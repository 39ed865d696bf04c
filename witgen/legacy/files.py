"""Legacy files -> one modern package: interfaces named after files, a
package named after the file or directory given, siblings found beside
each file, and `use * from other` spelled out with the names `other`
defines or itself `use`s (the names 2022 brought in).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterator

from .._records import dataclass, field
from ..diagnostics import Diagnostic, Source, Span, WitError, read_source
from ..frontend import ast
from ..frontend.lexer import kebab_error
from .migration import Item, SiblingUse, migrate_document
from .parser import parse

DEFAULT_NAMESPACE = "legacy"

# Given a sibling's name (`other` for `use ... from other`), its source, or
# None when there is no such file.
Siblings = Callable[[str], "Source | None"]


def parse_legacy(source: Source, package: str | None = None, siblings: Siblings | None = None) -> ast.File:
    """One legacy file -> a file holding one interface named after it.

    `siblings` finds the files that `use * from` names (by default, the
    `.wit` files in the same directory as `source.path`)."""
    session = _Session(siblings or _beside(Path(source.path)))
    document = session.document(source)
    return session.file(document, _package_name(package, Path(source.path).name, source))


def parse_legacy_files(path: str | Path, package: str | None = None) -> list[ast.File]:
    """A legacy file and every sibling it uses, transitively (the given file
    first); or, for a directory, every `*.wit` file in it (sorted). All of
    them are interfaces of the same package."""
    path = Path(path)
    if path.is_dir():
        paths = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(_SUFFIXES))
        if not paths:
            raise WitError([Diagnostic(f"no `*.wit` or `*.wit.md` files in {path}")])
        session = _Session(_beside(paths[0]))
        documents = [session.document(read_source(p)) for p in paths]
        name = _package_name(package, path.resolve().name, documents[0].source)
        return [session.file(document, name) for document in documents]
    session = _Session(_beside(path))
    main = session.document(read_source(path))
    name = _package_name(package, path.name, main.source)
    files = [session.file(main, name)]
    seen = {main.name}
    queue = [main]
    while queue:
        document = queue.pop(0)
        for use in document.uses():
            if use.source in seen:
                continue
            seen.add(use.source)
            sibling = session.sibling(use.source, use.source_span)
            files.append(session.file(sibling, name))
            queue.append(sibling)
    return files


def _beside(path: Path) -> Siblings:
    directory = path.parent

    def find(name: str) -> Source | None:
        for suffix in _SUFFIXES:
            candidate = directory / f"{name}{suffix}"
            if candidate.is_file():
                return read_source(candidate)
        return None

    return find


def _kebab(stem: str) -> str:
    """`cache`, `error_type`, `ErrorType`, `error type` -> kebab-case."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", stem)
    return "-".join(w for w in re.split(r"[^A-Za-z0-9]+", words) if w).lower()


# 2022 read `x.wit`, else `x.wit.md`: markdown whose ```wit blocks are WIT.
_SUFFIXES = (".wit", ".wit.md")


def _file_name(file_name: str) -> str:
    for suffix in _SUFFIXES:
        if file_name.endswith(suffix):
            return file_name[: -len(suffix)]
    return Path(file_name).stem


def _interface_name(source: Source) -> str:
    stem = _file_name(Path(source.path).name)
    name = _kebab(stem)
    problem = kebab_error(name)
    if problem:
        raise WitError.at(
            Span(source, 0, 0),
            f"cannot name an interface after the file `{Path(source.path).name}`: {problem}",
            "rename the file to a kebab-case name such as `my-interface.wit`",
        )
    return name


_PACKAGE = re.compile(r"([^:@]+):([^:@]+)(?:@(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?))?")


def _package_name(package: str | None, file_name: str, source: Source) -> ast.PackageName:
    """`package`, or the default named after a file or a directory."""
    span = Span(source, 0, 0)
    if package is None:
        name = _kebab(_file_name(file_name))
        if kebab_error(name):
            raise WitError(
                [
                    Diagnostic(
                        f"cannot name a package after `{file_name}`",
                        hint="pass a package name such as `--legacy-package my:pkg`",
                    )
                ]
            )
        return ast.PackageName(DEFAULT_NAMESPACE, name, None, span)
    match = _PACKAGE.fullmatch(package)
    problems = [kebab_error(part) for part in match.groups()[:2]] if match else []
    if match is None or any(problems):
        reason = next((p for p in problems if p), None)
        raise WitError(
            [
                Diagnostic(
                    f"invalid package name `{package}`" + (f": {reason}" if reason else ""),
                    hint="a package is `namespace:name` or `namespace:name@1.2.3`, in kebab-case",
                )
            ]
        )
    return ast.PackageName(match.group(1), match.group(2), match.group(3), span)


# ---- documents and `use` ------------------------------------------------


@dataclass(frozen=True)
class _Document:
    name: str
    source: Source
    items: tuple[Item, ...]

    def uses(self) -> Iterator[SiblingUse]:
        return (item for item in self.items if isinstance(item, SiblingUse))


@dataclass
class _Session:
    """Legacy files parsed together, so that `use * from` can look inside
    its sibling and each file is read once."""

    siblings: Siblings
    documents: dict[str, _Document] = field(default_factory=dict)
    exported: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def document(self, source: Source) -> _Document:
        name = _interface_name(source)
        if name not in self.documents:
            self.documents[name] = _Document(name, source, migrate_document(parse(source)))
        return self.documents[name]

    def sibling(self, name: str, span: Span) -> _Document:
        if name in self.documents:
            return self.documents[name]
        source = self.siblings(name)
        if source is None:
            raise WitError.at(
                span,
                f"cannot find `{name}.wit` beside this file",
                "`use ... from x` reads `x.wit` from the same directory",
            )
        return self.document(source)

    def exports(self, document: _Document, chain: tuple[str, ...]) -> tuple[str, ...]:
        """Every name `document` defines or `use`s, in order; `chain`: the
        documents whose `use *` led here. Iterative: `use *` can chain
        through many files."""
        if document.name in self.exported:
            return self.exported[document.name]
        path = [*chain, document.name]
        # Each frame: a document, its items still to read, its names so far.
        stack: list[tuple[_Document, Iterator[Item], list[str]]] = [(document, iter(document.items), [])]
        while stack:
            current, items, names = stack[-1]
            for item in items:
                if not isinstance(item, SiblingUse):
                    names.append(item.name)
                elif item.names is not None:
                    names.extend(n.alias or n.name for n in item.names)
                else:
                    if item.source in path:
                        cycle = " -> ".join([*path[path.index(item.source) :], item.source])
                        raise WitError.at(item.source_span, f"files use each other in a cycle: {cycle}")
                    sibling = self.sibling(item.source, item.source_span)
                    done = self.exported.get(sibling.name)
                    if done is not None:
                        names.extend(done)
                        continue
                    stack.append((sibling, iter(sibling.items), []))
                    path.append(sibling.name)
                    break
            else:
                stack.pop()
                path.pop()
                result = self.exported[current.name] = tuple(dict.fromkeys(names))
                if stack:
                    stack[-1][2].extend(result)
        return self.exported[document.name]

    def _star(self, use: SiblingUse, chain: tuple[str, ...]) -> tuple[str, ...]:
        if use.source in chain:
            cycle = " -> ".join(chain[chain.index(use.source) :] + (use.source,))
            raise WitError.at(use.source_span, f"files use each other in a cycle: {cycle}")
        return self.exports(self.sibling(use.source, use.source_span), chain)

    def file(self, document: _Document, package: ast.PackageName) -> ast.File:
        source = document.source
        items: list[ast.InterfaceItem] = []
        for item in document.items:
            if not isinstance(item, SiblingUse):
                items.append(item)
                continue
            names = item.names
            if names is None:
                star = item.span
                names = tuple(ast.UseName(n, None, star, None) for n in self._star(item, (document.name,)))
                if not names:
                    continue
            path = ast.LocalPath(item.source, item.source_span)
            items.append(ast.Use(path, names, item.docs, (), item.span))
        header = ast.PackageHeader(package, None, (), package.span)
        start = Span(source, 0, 0)
        interface = ast.Interface(document.name, tuple(items), None, (), start)
        return ast.File(source, header, (interface,), ())
