"""Legacy WIT (2022) -> `witgen.frontend.ast`, and `witgen migrate`.

Before packages, interfaces and worlds, a WIT document was one file whose
items made up one interface: the dialect of wit-bindgen's `WIT.md` and
`crates/parser` from the rename to `*.wit` (Dec 2021) until `world` and
`interface` arrived (#413, Nov 2022). Read from that history (commits
8f5fffd9 Jan, f8d4e9c6 June, 65197620 Sep 2022 and the ones named here):

- items one after another, without `;`: `use`, `type`, `record`,
  `flags`, `variant`, `enum`, `union`, `resource`, `name: function(...)`;
- `use * from other` and `use { a, b as c } from other`, `other` being
  `other.wit` (else `other.wit.md`) in the same directory;
- `function` until #232 (June 2022), `func` after; `async` before either;
- one result type, or a list of results, named or not: `-> (u32, u32)`,
  `-> a: u32`, `-> (a: u32, b: string)` (until April, again from Sep);
- `expected<T, E>` until #318 (Sep 2022), with `_` for "no type" until
  #215 (May) and `unit` from #204 (April); then `result<T, E>`,
  `result<_, E>`, `result<T>` and `result`;
- `f32` / `f64`, then `float32` / `float64` from #198 (April);
- `handle r` (until #343, Oct 2022), resources with functions inside,
  `static`, and `resource a implements b` (#280, July);
- `tuple<...>`, `option<T>`, `list<T>`, `stream<T, E>` (#228),
  `future<T>` (#269), and early in the year `push-buffer<T>`;
- names: kebab-case, `%name` from #123 (March), `"name"` before it;
- `///` and `/** */` comments are docs, other comments are not;
- `.wit.md` files: markdown whose ```wit blocks hold the WIT.

Words that were keywords for only part of 2022 (`func`, `result`,
`stream`, `future`, `unit`, `expected`, the float names, `handle`,
`implements`) are read by position, so files of any month parse.

How each becomes modern WIT:

- A file becomes one interface named after its stem in kebab-case
  (`cache.wit` -> `interface cache`). Its package is the `package`
  argument (`ns:name` or `ns:name@1.2.3`: the CLI's `--package`), else
  `legacy:<name>` with `<name>` the kebab-case stem of the file given, or
  the name of the directory given. Files loaded together share it.
- `use { a, b as c } from other` -> `use other.{a, b as c};`;
  `use * from other` -> `use other.{...}` listing what `other` defines or
  itself `use`s, in its order (the names 2022 brought in).
- `function` -> `func`; `expected` -> `result`, where `_` and `unit` are
  "no type"; `unit` as a result or a case payload -> none; a list of
  results -> `tuple<...>` (the same ABI; names have no modern place);
  `float32` -> `f32`; `handle r` -> `r`, an owned handle;
  `stream<T, unit>` -> `stream<T>`.
- `union u { s32, list<u8> }` -> `variant u { s32(s32), list-u8(list<u8>) }`:
  cases are named after their types, `-2`, `-3` for repeats.
- Resources keep their functions; `static` ones stay `static`.

What has no modern form is a diagnostic with a span, all of a file's
reported together: globals (`name: type`), nested `interface` blocks,
`unit` elsewhere, a stream's end type, `push-buffer` / `pull-buffer`,
`implements`, and a function named like a type (2022 kept the two apart).

API: `looks_legacy` (for the loader, after a modern parse fails),
`parse_legacy` (one file), `parse_legacy_files` (a file with the
siblings it uses, or a directory: one package), `migrate` (the CLI).
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Sequence

from .._records import dataclass, field, replace
from ..frontend import ast
from .._resources import grammar_path
from ..diagnostics import Collector, Diagnostic, Source, Span, WitError, read_source
from ..frontend import lalr
from ..frontend.lexer import Token, Tokens, kebab_error, vocabulary

GRAMMAR = grammar_path("wit_legacy.lark")

DEFAULT_NAMESPACE = "legacy"

# Given a sibling's name (`other` for `use ... from other`), its source, or
# None when there is no such file.
Siblings = Callable[[str], "Source | None"]


# ---- recognising legacy text ------------------------------------------

_COMMENT_MARKS = re.compile(r"//|/\*|\*/|\n")
_MODERN = re.compile(r"(?m)^\s*(?:@[a-z-]+\([^)]*\)\s*)*(?:package|interface|world)\b|;")
_LEGACY = re.compile(
    r":\s*(?:async\s+)?(?:static\s+)?function\s*\("
    r"|\bexpected\s*<"
    r"|\buse\s*(?:\*|\{)"
    r"|\b(?:float32|float64|unit)\b"
    r"|\bhandle\s+[%A-Za-z]"
    r"|^\s*[%A-Za-z][\w-]*\s*:\s*(?:async\s+)?func\s*\("
    # Definitions outside any interface: modern WIT has none.
    r"|\A\s*(?:use|type|record|flags|variant|enum|union|resource)\s",
    re.MULTILINE,
)


def _without_comments(text: str) -> str:
    """`text` with its comments (block comments nest) turned into spaces."""
    out: list[str] = []
    depth = 0
    line_comment = False
    pos = 0
    for mark in _COMMENT_MARKS.finditer(text):
        kind = mark.group()
        if line_comment:
            if kind == "\n":
                line_comment = False
                pos = mark.start()
            continue
        if kind == "//" and depth == 0:
            out.append(text[pos : mark.start()])
            line_comment = True
        elif kind == "/*":
            if depth == 0:
                out.append(text[pos : mark.start()])
            depth += 1
        elif kind == "*/" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(" ")
                pos = mark.end()
    if depth == 0 and not line_comment:
        out.append(text[pos:])
    return "".join(out)


def looks_legacy(text: str) -> bool:
    """Whether `text` reads as 2022 WIT rather than broken modern WIT.

    For the loader, after a modern parse failed: legacy files have no
    `package`, `interface`, `world` or `;`, and use words or forms that
    modern WIT does not (`function`, `expected<`, `use * from`, `unit`, a
    function or a type definition at the top level)."""
    code = _without_comments(text)
    if _MODERN.search(code):
        return False
    return _LEGACY.search(code) is not None


# ---- the public API ---------------------------------------------------


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


def migrate(path: Path, package: str | None = None) -> str:
    """`witgen migrate`: the legacy file (with the siblings it uses) or
    directory as one modern WIT file."""
    from ..frontend.parser import parse_source
    from ..frontend.printer import print_file

    path = Path(path)
    if path.is_file():
        source = read_source(path)
        if not looks_legacy(source.text):
            try:
                parse_source(source)
            except WitError:
                pass  # not modern either: the legacy parser says why
            else:
                raise WitError([Diagnostic(f"{path} is modern WIT already: nothing to migrate")])
    files = parse_legacy_files(path, package)
    first = files[0]
    items = tuple(item for file in files for item in file.items)
    return print_file(ast.File(first.source, first.package, items, ()))


# ---- files, names and packages ----------------------------------------


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
                        hint="pass a package name such as `--package my:pkg`",
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
class _Use:
    """`use { ... } from source` (`names`), or `use * from source` (None)."""

    source: str
    names: tuple[ast.UseName, ...] | None
    docs: str | None
    span: Span
    source_span: Span


Item = ast.TypeDef | ast.Func | _Use


@dataclass(frozen=True)
class _Document:
    name: str
    source: Source
    items: tuple[Item, ...]

    def uses(self) -> Iterator[_Use]:
        return (item for item in self.items if isinstance(item, _Use))


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
            self.documents[name] = _Document(name, source, _parse(source))
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
                if not isinstance(item, _Use):
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

    def _star(self, use: _Use, chain: tuple[str, ...]) -> tuple[str, ...]:
        if use.source in chain:
            cycle = " -> ".join(chain[chain.index(use.source) :] + (use.source,))
            raise WitError.at(use.source_span, f"files use each other in a cycle: {cycle}")
        return self.exports(self.sibling(use.source, use.source_span), chain)

    def file(self, document: _Document, package: ast.PackageName) -> ast.File:
        source = document.source
        items: list[ast.InterfaceItem] = []
        for item in document.items:
            if not isinstance(item, _Use):
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


# ---- parsing ------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _parser() -> lalr.Parser:
    return lalr.load(GRAMMAR).parser(_Builder())


@functools.lru_cache(maxsize=None)
def _vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    return vocabulary(lalr.load(GRAMMAR).strings)


class _State:
    """What the builder needs while one file is parsed."""

    def __init__(self, tokens: Tokens, defined: set[str]) -> None:
        self.tokens = tokens
        self.defined = defined
        self.problems = Collector()


_STATE: ContextVar[_State] = ContextVar("witgen_legacy_state")


class _Abort(Exception):
    def __init__(self, error: WitError) -> None:
        self.error = error


_CONTEXTUAL = {"handle": "HANDLE", "implements": "IMPLEMENTS"}


def _contextual_keywords(tokens: list[Token]) -> list[Token]:
    """`handle x` and `implements x` are keywords before a name that is not
    followed by `:`; otherwise (`type handle = ...`, `handle: u32`) names,
    as `handle` became in October 2022."""
    out = list(tokens)
    for index, token in enumerate(tokens[:-1]):
        if token.type != "ID" or token.value not in _CONTEXTUAL:
            continue
        following = tokens[index + 1]
        after = tokens[index + 2] if index + 2 < len(tokens) else None
        if following.type in ("ID", "STRING") and (after is None or after.type != "COLON"):
            out[index] = Token(_CONTEXTUAL[token.value], token.value, token.start_pos, token.end_pos)
    return out


_DEFINING = {"TYPE", "RECORD", "FLAGS", "VARIANT", "ENUM", "UNION", "RESOURCE"}


def _defined_names(tokens: Sequence[Token]) -> set[str]:
    """Names the file defines or imports by name, from its tokens."""
    names: set[str] = set()
    in_use = False
    for previous, token in zip([None, *tokens], tokens):
        kind = previous.type if previous is not None else None
        if token.type in ("ID", "STRING"):
            if kind in _DEFINING or (in_use and kind in ("LBRACE", "COMMA", "AS")):
                names.add(token.value)
        if token.type == "LBRACE":
            in_use = kind == "USE"
        elif token.type == "RBRACE":
            in_use = False
    return names


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*")


def _wit_in_markdown(text: str) -> str:
    """The ```wit blocks of a markdown text, everything else blanked so
    that offsets, and so diagnostics, stay those of the markdown."""
    out: list[str] = []
    fence: str | None = None  # the fence of the open ```wit block
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        match = _FENCE.fullmatch(body)
        if fence is None:
            if match and match.group(2) == "wit":
                fence = match.group(1)
        elif match and body.strip() and set(body.strip()) == {fence[0]} and len(body.strip()) >= len(fence):
            fence = None
        else:
            out.append(line)
            continue
        out.append(re.sub(r"[^\r\n]", " ", line))
    return "".join(out)


def _parse(source: Source) -> tuple[Item, ...]:
    if source.path.endswith(".md"):
        source = Source(source.path, _wit_in_markdown(source.text))
    if source.text.startswith("\ufeff"):
        # 2022 skipped a byte-order mark; keep offsets by blanking it.
        source = Source(source.path, " " + source.text[1:])
    tokens = Tokens(source, *_vocabulary())
    try:
        lexed = list(tokens.lex())
    except WitError as error:
        raise _hinted(error) from None
    lexed = _contextual_keywords(lexed)
    state = _State(tokens, _defined_names(lexed))
    handle = _STATE.set(state)
    try:
        items = _parser().parse(lexed)
    except lalr.UnexpectedToken as error:
        raise _syntax_error(tokens, error) from None
    except _Abort as abort:
        raise abort.error from None
    finally:
        _STATE.reset(handle)
    state.problems.raise_if_any()
    assert isinstance(items, tuple)
    return items


def _syntax_error(tokens: Tokens, error: lalr.UnexpectedToken) -> WitError:
    token = error.token
    expected = error.expected
    wanted = _expected(tokens, expected) if expected else "more input"
    if token.type == "$END":
        end = len(tokens.source.text.rstrip())
        return WitError.at(Span(tokens.source, end, end + 1), f"expected {wanted}, found eof")
    start = token.start_pos
    span = Span(tokens.source, start, token.end_pos)
    found = _describe(tokens, token.type)
    hint = None
    if token.type in tokens.keywords.values() and "ID" in expected:
        hint = f"`{token.value}` is a keyword; write `%{token.value}` to use it as a name"
    elif token.value in ("package", "world"):
        hint = _MODERN_HINT
    return WitError.at(span, f"expected {wanted}, found {found}", hint)


_MODERN_HINT = "this looks like modern WIT, not the legacy dialect"


def _hinted(error: WitError) -> WitError:
    """Legacy has no `;`, `@`, `.` or `/`: finding one, say so."""
    first = error.diagnostics[0]
    span = first.span
    if span is not None and first.hint is None and span.source.text[span.start : span.start + 1] in ";@./":
        return WitError([replace(first, hint=_MODERN_HINT), *error.diagnostics[1:]])
    return error


def _describe(tokens: Tokens, kind: str) -> str:
    names = {
        "$END": "eof",
        "HANDLE": "keyword `handle`",
        "IMPLEMENTS": "keyword `implements`",
        "ID": "an identifier",
        "STRING": "a string",
        "INT": "an integer",
        "VERSION": "a version",
    }
    if kind in names:
        return names[kind]
    for table, label in ((tokens.keywords, "keyword `{}`"), (tokens.operators, "'{}'")):
        for text, name in table.items():
            if name == kind:
                return label.format(text)
    return kind


_TYPE_STARTS = {"BOOL", "STRING_TYPE", "LIST", "OPTION", "TUPLE", "HANDLE"}


def _expected(tokens: Tokens, names: set[str]) -> str:
    if _TYPE_STARTS <= names:
        rest = {n for n in names if n not in tokens.keywords.values() and n not in ("ID", "STRING")}
        return (_expected(tokens, rest) + " or a type") if rest else "a type"
    described = sorted({_describe(tokens, n) for n in names - {"STRING"}})
    if len(described) == 1:
        return described[0]
    if len(described) <= 4:
        return ", ".join(described[:-1]) + " or " + described[-1]
    return "one of " + ", ".join(described)


# ---- the builder --------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """`unit`, kept until its context says what it becomes."""

    span: Span


@dataclass(frozen=True)
class _Hole:
    """`_` inside `expected<...>`, `result<...>` or `stream<...>`."""

    span: Span


@dataclass(frozen=True)
class _Value:
    """`name: ...`: a function, or a method once inside a resource."""

    name: Token
    type: ast.FuncType | None  # None: a global, already reported
    docs: str | None
    static: bool = False


_TYPES = (
    ast.Primitive,
    ast.Named,
    ast.ListOf,
    ast.OptionOf,
    ast.ResultOf,
    ast.TupleOf,
    ast.FutureOf,
    ast.StreamOf,
    _Unit,
    _Hole,
)
Ty = Any  # an ast.Type, or a _Unit / _Hole still to be placed


def _span(token: Token) -> Span:
    return Span(_STATE.get().tokens.source, token.start_pos, token.end_pos)


def _error(span: Span, message: str, hint: str | None = None) -> None:
    _STATE.get().problems.error(span, message, hint)


def _docs(token: Token) -> str | None:
    return _docs_at(token.start_pos)


def _docs_at(offset: int) -> str | None:
    """Docs before the token at `offset`: its `///` and `/** */` comments,
    as 2022 read them (other comments are notes, not docs)."""
    comments = _STATE.get().tokens.comments_before.get(offset, [])
    lines: list[str] = []
    for comment in comments:
        if comment.startswith("///"):
            lines.append(comment.lstrip("/").strip())
        elif comment.startswith("/**") and not comment.startswith("/**/"):
            body = comment[3:-2].split("\n")
            indent = min(
                (len(line) - len(line.lstrip()) for line in body[1:] if line.strip()),
                default=0,
            )
            lines.append(body[0].strip())
            lines.extend(line[indent:].rstrip() for line in body[1:])
    text = "\n".join(lines).strip("\n")
    return text or None


def _plain(type_: Ty, where: str) -> ast.Type:
    """A type where neither `unit` nor `_` can stand."""
    if isinstance(type_, _Unit):
        _error(
            type_.span,
            f"`unit` has no modern equivalent {where}",
            "modern WIT has no unit type: leave out a result, or use `_` in `result<_, E>`",
        )
        return ast.TupleOf((), type_.span)
    if isinstance(type_, _Hole):
        _error(type_.span, f"`_` cannot stand {where}")
        return ast.TupleOf((), type_.span)
    return type_  # type: ignore[no-any-return]


def _optional(type_: Ty) -> ast.Type | None:
    """A type where `unit` and `_` mean "none"."""
    return None if isinstance(type_, (_Unit, _Hole)) else type_


def _types(children: Sequence[Any]) -> list[Ty]:
    return [c for c in children if isinstance(c, _TYPES)]


def _check_one_namespace(items: Sequence[Item]) -> None:
    """2022 kept functions and types apart; a modern interface does not."""
    types: set[str] = set()
    for item in items:
        if isinstance(item, _Use):
            types.update(n.alias or n.name for n in item.names or ())
        elif not isinstance(item, ast.Func):
            types.add(item.name)
    for item in items:
        if isinstance(item, ast.Func) and item.name in types:
            _error(
                item.span,
                f"`{item.name}` names both a type and a function",
                "a modern interface has one namespace for both: rename one of them",
            )


# A union case is named after its type: `list<u8>` -> `list-u8`.
def _case_name(type_: ast.Type) -> str:
    from ..frontend.printer import print_type

    return "-".join(w for w in re.split(r"[^a-z0-9]+", print_type(type_).lower()) if w)


class _Builder:
    """One callback per grammar rule, each returning an AST node."""

    def start(self, children: list[Any]) -> tuple[Item, ...]:
        items: list[Item] = []
        for child in children:
            if isinstance(child, _Value):
                if child.type is not None:
                    name = child.name
                    items.append(ast.Func(name.value, child.type, child.docs, (), _span(name)))
            elif child is not None:
                items.append(child)
        _check_one_namespace(items)
        return tuple(items)

    def id(self, children: list[Any]) -> Token:
        token: Token = children[0]
        if token.type == "STRING":
            problem = kebab_error(token.value)
            if problem:
                _error(_span(token), problem)
            return Token("ID", token.value, token.start_pos, token.end_pos)
        return token

    # ---- use ----

    def use_all(self, children: list[Any]) -> _Use:
        keyword, star, source = children[0], children[1], children[3]
        return _Use(source.value, None, _docs(keyword), _span(star), _span(source))

    def use_names(self, children: list[Any]) -> _Use:
        keyword, source = children[0], children[-1]
        names = tuple(c for c in children if isinstance(c, ast.UseName))
        return _Use(source.value, names, _docs(keyword), _span(source), _span(source))

    def use_name(self, children: list[Any]) -> ast.UseName:
        ids = [c for c in children if isinstance(c, Token) and c.type == "ID"]
        alias = ids[1] if len(ids) > 1 else None
        return ast.UseName(
            ids[0].value,
            alias.value if alias else None,
            _span(ids[0]),
            _span(alias) if alias else None,
        )

    # ---- type definitions ----

    def type_alias(self, children: list[Any]) -> ast.TypeAlias:
        keyword, name, type_ = children[0], children[1], children[3]
        return ast.TypeAlias(name.value, _plain(type_, "as a type alias"), _docs(keyword), (), _span(name))

    def record(self, children: list[Any]) -> ast.Record:
        keyword, name = children[0], children[1]
        fields = tuple(c for c in children if isinstance(c, ast.Field))
        return ast.Record(name.value, fields, _docs(keyword), (), _span(name))

    def field(self, children: list[Any]) -> ast.Field:
        name = children[0]
        type_ = _plain(children[2], "as a record field")
        return ast.Field(name.value, type_, _docs(name), _span(name))

    def flags(self, children: list[Any]) -> ast.Flags:
        keyword, name = children[0], children[1]
        flags = tuple(c for c in children if isinstance(c, ast.Flag))
        return ast.Flags(name.value, flags, _docs(keyword), (), _span(name))

    def flag(self, children: list[Any]) -> ast.Flag:
        name = children[0]
        return ast.Flag(name.value, _docs(name), _span(name))

    def variant(self, children: list[Any]) -> ast.Variant:
        keyword, name = children[0], children[1]
        cases = tuple(c for c in children if isinstance(c, ast.Case))
        return ast.Variant(name.value, cases, _docs(keyword), (), _span(name))

    def case(self, children: list[Any]) -> ast.Case:
        name = children[0]
        types = _types(children)
        payload = _optional(types[0]) if types else None  # `c(unit)` is `c`
        return ast.Case(name.value, payload, _docs(name), _span(name))

    def enum(self, children: list[Any]) -> ast.Enum:
        keyword, name = children[0], children[1]
        cases = tuple(c for c in children if isinstance(c, ast.EnumCase))
        return ast.Enum(name.value, cases, _docs(keyword), (), _span(name))

    def enum_case(self, children: list[Any]) -> ast.EnumCase:
        name = children[0]
        return ast.EnumCase(name.value, _docs(name), _span(name))

    def union(self, children: list[Any]) -> ast.Variant:
        keyword, name = children[0], children[1]
        cases: list[ast.Case] = []
        taken: set[str] = set()
        for docs, type_ in (c for c in children if isinstance(c, tuple)):
            base = _case_name(type_)
            case_name, count = base, 1
            while case_name in taken:
                count += 1
                case_name = f"{base}-{count}"
            taken.add(case_name)
            cases.append(ast.Case(case_name, type_, docs, type_.span))
        return ast.Variant(name.value, tuple(cases), _docs(keyword), (), _span(name))

    def union_case(self, children: list[Any]) -> tuple[str | None, ast.Type]:
        type_ = children[0]
        return _docs_at(type_.span.start), _plain(type_, "as a union case")

    def resource(self, children: list[Any]) -> ast.Resource:
        keyword, name = children[0], children[1]
        if len(children) > 2 and isinstance(children[2], Token) and children[2].type == "IMPLEMENTS":
            _error(
                _span(children[2]),
                "resource subtyping (`implements`) has no modern equivalent",
            )
        functions: list[ast.ResourceFunc] = []
        for value in (c for c in children if isinstance(c, _Value)):
            if value.type is not None:
                method = ast.Method(value.name.value, value.type, value.static, value.docs, (), _span(value.name))
                functions.append(method)
        return ast.Resource(name.value, tuple(functions), _docs(keyword), (), _span(name))

    def resource_item(self, children: list[Any]) -> _Value:
        value: _Value = children[-1]
        if len(children) == 2:  # `static name: ...`: its docs are before `static`
            return _Value(value.name, value.type, _docs(children[0]), static=True)
        return value

    def interface(self, children: list[Any]) -> None:
        name = children[1]
        _error(
            _span(name),
            "nested `interface` blocks are not supported",
            "move its items into a file of their own and `use` them",
        )

    # ---- values ----

    def function_value(self, children: list[Any]) -> _Value:
        name = children[0]
        return _Value(name, children[2], _docs(name))

    def global_value(self, children: list[Any]) -> _Value:
        name = children[0]
        _error(
            _span(name),
            f"`{name.value}` is a global value, which the component model never had",
            "make it a function, such as `" + name.value + ": func() -> ...`",
        )
        return _Value(name, None, None)

    def function(self, children: list[Any]) -> ast.FuncType:
        is_async = children[0].type == "ASYNC"
        keyword = children[1] if is_async else children[0]
        params, result = children[-2], children[-1]
        return ast.FuncType(tuple(params), _optional(result), is_async, _span(keyword))

    def function_soft(self, children: list[Any]) -> ast.FuncType:
        keyword = children[1] if children[0].type == "ASYNC" else children[0]
        if keyword.value != "func":
            raise _Abort(WitError.at(_span(keyword), f"expected `function`, `func` or a type, found `{keyword.value}`"))
        return self.function(children)

    def params(self, children: list[Any]) -> list[ast.Field]:
        return [c for c in children if isinstance(c, ast.Field)]

    def param(self, children: list[Any]) -> ast.Field:
        name = children[0]
        # 2022 dropped the docs of parameters.
        return ast.Field(name.value, _plain(children[2], "as a parameter"), None, _span(name))

    def results(self, children: list[Any]) -> Ty:
        types = _types(children)
        return types[0] if types else None

    def named_result(self, children: list[Any]) -> Ty:
        return children[2]

    def result_list(self, children: list[Any]) -> Ty:
        """`-> (a: u32, b: string)` -> `-> tuple<u32, string>`: the canonical
        ABI passes both alike, and 2022 itself rewrote unnamed lists so.
        Modern WIT has no place for the names."""
        results = _types(children)
        if len(results) == 1:
            return results[0]
        if not results:
            return None
        items = tuple(_plain(t, "in a result list") for t in results)
        return ast.TupleOf(items, items[0].span)

    # ---- types ----

    def primitive(self, children: list[Any]) -> ast.Primitive:
        token = children[0]
        return ast.Primitive(token.value, _span(token))

    def named(self, children: list[Any]) -> Ty:
        token = children[0]
        soft = _soft(token)
        return soft if soft is not None else ast.Named(token.value, _span(token))

    def handle(self, children: list[Any]) -> ast.Named:
        name = children[1]
        return ast.Named(name.value, _span(name))

    def list_type(self, children: list[Any]) -> ast.ListOf:
        return ast.ListOf(_plain(_types(children)[0], "in a list"), _span(children[0]))

    def option_type(self, children: list[Any]) -> ast.OptionOf:
        return ast.OptionOf(_plain(_types(children)[0], "in an option"), _span(children[0]))

    def tuple_type(self, children: list[Any]) -> ast.TupleOf:
        items = tuple(_plain(t, "in a tuple") for t in _types(children))
        return ast.TupleOf(items, _span(children[0]))

    def hole(self, children: list[Any]) -> _Hole:
        return _Hole(_span(children[0]))

    def generic(self, children: list[Any]) -> Ty:
        name: Token = children[0]
        args = _types(children)
        span = _span(name)
        kind = name.value
        wanted = {"expected": (2,), "result": (1, 2), "stream": (1, 2), "future": (1,)}
        if kind in ("push-buffer", "pull-buffer"):
            _error(span, f"`{kind}` has no modern equivalent", "use `list<...>`")
            return ast.ListOf(_plain(args[0], "in a buffer"), span)
        if kind not in wanted:
            raise _Abort(WitError.at(span, f"`{kind}` does not take type arguments"))
        if len(args) not in wanted[kind]:
            counts = " or ".join(str(n) for n in wanted[kind])
            raise _Abort(WitError.at(span, f"`{kind}` takes {counts} type arguments, not {len(args)}"))
        node: Ty
        if kind in ("expected", "result"):
            ok = _optional(args[0])
            err = _optional(args[1]) if len(args) > 1 else None
            node = ast.ResultOf(ok, err, span)
        elif kind == "future":
            node = ast.FutureOf(_optional(args[0]), span)
        else:
            end = args[1] if len(args) > 1 else None
            if end is not None and not isinstance(end, (_Unit, _Hole)):
                _error(
                    end.span,
                    "a stream's end type has no modern equivalent",
                    "modern streams have no end value: return it separately",
                )
            node = ast.StreamOf(_optional(args[0]), span)
        return node


# `f32` and `f64` until April 2022, `float32` and `float64` after.
_FLOATS: dict[str, Literal["f32", "f64"]] = {
    "f32": "f32",
    "f64": "f64",
    "float32": "f32",
    "float64": "f64",
}


def _soft(token: Token) -> Ty | None:
    """The words that were keywords in only part of 2022, unless the file
    defines a type of that name."""
    if token.value in _STATE.get().defined:
        return None
    span = _span(token)
    if token.value in _FLOATS:
        return ast.Primitive(_FLOATS[token.value], span)
    if token.value == "unit":
        return _Unit(span)
    if token.value == "result":
        return ast.ResultOf(None, None, span)
    if token.value == "future":
        return ast.FutureOf(None, span)
    if token.value == "stream":
        return ast.StreamOf(None, span)
    return None
