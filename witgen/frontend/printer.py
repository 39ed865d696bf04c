"""`witgen.frontend.ast` -> modern WIT text, in one canonical layout.

Two-space indentation, `;` after every item that takes one, docs as `///`
lines, attributes as `@since(...)` lines above their item, and `%` before
every name that is a keyword. Inside a block, one-line items of the same
kind (a run of `use`s, of functions, of imports) stay together; everything
else is separated by a blank line.

Printing keeps everything `shape` keeps: parsing the printed text gives the
same AST except for positions. Comments that are not docs are not in the
AST, so they are not printed.
"""

from __future__ import annotations

import functools
from typing import Sequence, Union

from . import ast
from .. import model as m
from .._compat import assert_never
from .._records import fields, is_dataclass
from ..diagnostics import Source, Span

INDENT = "  "


def print_file(file: ast.File) -> str:
    """The whole file, ending with a newline."""
    blocks: list[list[str]] = []
    items: list[object] = []
    if file.package is not None:
        header = file.package
        blocks.append(_docs(header.docs) + _attrs(header.attrs) + [f"package {_package(header.name)};"])
        items.append(header)
    for item in file.items:
        blocks.append(_package_item(item))
        items.append(item)
    for nested in file.nested:
        head = f"package {_package(nested.name)}"
        body = [_package_item(item) for item in nested.items]
        blocks.append(_docs(nested.docs) + _attrs(nested.attrs) + _braced(head, body, nested.items))
        items.append(nested)
    return "\n".join(_join(blocks, items)) + "\n" if blocks else ""


def print_type(type_: ast.Type) -> str:
    """A type as it is written after `:` or `=`."""
    match type_:
        case ast.Primitive(name=name):
            return name
        case ast.Named(name=name):
            return _id(name)
        case ast.Handle(kind=how, resource=resource):
            return f"{how}<{_id(resource.name)}>"
        case ast.Shape(shape=shape):
            return m.shape_wit(shape, print_type)
        case _:
            assert_never(type_)


# ---- names ------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _keywords() -> frozenset[str]:
    # The modern grammar's own keyword table: a name needs `%` exactly when
    # the modern lexer would read it as a keyword.
    from .parser import keywords

    return keywords()


def _id(name: str) -> str:
    return f"%{name}" if name in _keywords() else name


def _package(name: ast.PackageName) -> str:
    text = f"{_id(name.namespace)}:{_id(name.name)}"
    return f"{text}@{name.version}" if name.version else text


def _path(path: ast.UsePath) -> str:
    if isinstance(path, ast.LocalPath):
        return _id(path.name)
    package = path.package
    text = f"{_id(package.namespace)}:{_id(package.name)}/{_id(path.name)}"
    return f"{text}@{package.version}" if package.version else text


# ---- docs and attributes ----------------------------------------------


def _docs(docs: str | None) -> list[str]:
    if docs is None:
        return []
    return [f"/// {line}".rstrip() for line in docs.split("\n")]


def _attr(attr: ast.Attribute) -> str:
    if isinstance(attr, ast.Since):
        return f"@since(version = {attr.version})"
    if isinstance(attr, ast.Unstable):
        return f"@unstable(feature = {_id(attr.feature)})"
    if isinstance(attr, ast.Deprecated):
        return f"@deprecated(version = {attr.version})"
    return f'@external-id("{attr.id}")'


def _attrs(attrs: ast.Attributes) -> list[str]:
    return [_attr(a) for a in attrs]


# ---- layout -----------------------------------------------------------

Item = Union[ast.PackageItem, ast.InterfaceItem, ast.WorldItem]


def _group(item: object) -> str | None:
    """Consecutive one-line items of the same group are not spaced apart."""
    if isinstance(item, (ast.Use, ast.TopLevelUse)):
        return "use"
    if isinstance(item, ast.TypeAlias):
        return "type"
    if isinstance(item, (ast.Func, ast.Constructor, ast.Method)):
        return "func"
    if isinstance(item, ast.Resource):
        return "resource"
    if isinstance(item, (ast.Import, ast.Export)):
        return "extern"
    if isinstance(item, ast.Include):
        return "include"
    return None


def _join(blocks: Sequence[list[str]], items: Sequence[object]) -> list[str]:
    """Blocks one after another; `items[i]` is what `blocks[i]` prints, to
    know which one-liners go together."""
    lines: list[str] = []
    previous: str | None = None
    for block, item in zip(blocks, items):
        group = _group(item) if len(block) == 1 else None
        if lines and (group is None or group != previous):
            lines.append("")
        lines.extend(block)
        previous = group
    return lines


def _braced(head: str, blocks: Sequence[list[str]], items: Sequence[object]) -> list[str]:
    if not blocks:
        return [f"{head} {{}}"]
    body = _join(blocks, items)
    return [f"{head} {{"] + [INDENT + line if line else "" for line in body] + ["}"]


def _items_block(head: str, items: Sequence[Item]) -> list[str]:
    return _braced(head, [_item(item) for item in items], items)


def _members(head: str, members: Sequence[list[str]]) -> list[str]:
    """`record`, `flags`, `variant` and `enum` bodies: one member a line."""
    if not members:
        return [f"{head} {{}}"]
    lines = [f"{head} {{"]
    for member in members:
        *docs, last = member
        lines += [INDENT + line for line in docs] + [f"{INDENT}{last},"]
    return lines + ["}"]


# ---- items ------------------------------------------------------------


def _package_item(item: ast.PackageItem) -> list[str]:
    if isinstance(item, ast.TopLevelUse):
        alias = f" as {_id(item.alias)}" if item.alias else ""
        return _attrs(item.attrs) + [f"use {_path(item.path)}{alias};"]
    return _item(item)


def _item(item: Item) -> list[str]:
    if isinstance(item, ast.TopLevelUse):
        return _package_item(item)
    lines = _docs(item.docs) + _attrs(item.attrs)
    if isinstance(item, ast.Interface):
        return lines + _items_block(f"interface {_id(item.name)}", item.items)
    if isinstance(item, ast.World):
        return lines + _items_block(f"world {_id(item.name)}", item.items)
    if isinstance(item, ast.Use):
        names = ", ".join(_id(n.name) + (f" as {_id(n.alias)}" if n.alias else "") for n in item.names)
        return lines + [f"use {_path(item.path)}.{{{names}}};"]
    if isinstance(item, ast.Func):
        return lines + _func(_id(item.name), item.type, "")
    if isinstance(item, (ast.Import, ast.Export)):
        keyword = "import" if isinstance(item, ast.Import) else "export"
        return lines + _extern(keyword, item.extern)
    if isinstance(item, ast.Include):
        head = f"include {_path(item.path)}"
        if not item.names:
            return lines + [head + ";"]
        names = ", ".join(f"{_id(n.name)} as {_id(n.alias)}" for n in item.names)
        return lines + [f"{head} with {{ {names} }}"]
    return lines + _typedef(item)


def _extern(keyword: str, extern: ast.Extern) -> list[str]:
    if isinstance(extern, ast.ExternFunc):
        return _func(f"{keyword} {_id(extern.name)}", extern.type, "")
    if isinstance(extern, ast.ExternInline):
        return _items_block(f"{keyword} {_id(extern.name)}: interface", extern.items)
    if isinstance(extern, ast.ExternNamedPath):
        return [f"{keyword} {_id(extern.name)}: {_path(extern.path)};"]
    return [f"{keyword} {_path(extern.path)};"]


def _typedef(item: ast.TypeDef) -> list[str]:
    name = _id(item.name)
    match item:
        case ast.TypeAlias(type=type_):
            return [f"type {name} = {print_type(type_)};"]
        case ast.Record(fields=record_fields):
            return _members(
                f"record {name}",
                [_docs(f.docs) + [f"{_id(f.name)}: {print_type(f.type)}"] for f in record_fields],
            )
        case ast.Flags(flags=flags):
            return _members(f"flags {name}", [_docs(f.docs) + [_id(f.name)] for f in flags])
        case ast.Variant(cases=cases):
            return _members(
                f"variant {name}",
                [
                    _docs(c.docs) + [_id(c.name) + (f"({print_type(c.type)})" if c.type is not None else "")]
                    for c in cases
                ],
            )
        case ast.Enum(cases=enum_cases):
            return _members(f"enum {name}", [_docs(c.docs) + [_id(c.name)] for c in enum_cases])
        case ast.Resource(functions=functions):
            if not functions:
                return [f"resource {name};"]
            blocks = [_resource_func(f) for f in functions]
            return _braced(f"resource {name}", blocks, functions)
        case _:
            assert_never(item)


def _resource_func(func: ast.ResourceFunc) -> list[str]:
    lines = _docs(func.docs) + _attrs(func.attrs)
    if isinstance(func, ast.Constructor):
        return lines + _signature("constructor", func.type)
    prefix = "static " if func.static else ""
    return lines + _func(_id(func.name), func.type, prefix)


def _func(head: str, func: ast.FuncType, prefix: str) -> list[str]:
    keyword = f"{prefix}{'async ' if func.is_async else ''}func"
    return _signature(f"{head}: {keyword}", func)


def _signature(head: str, func: ast.FuncType) -> list[str]:
    result = f" -> {print_type(func.result)}" if func.result is not None else ""
    if not any(p.docs for p in func.params):
        params = ", ".join(f"{_id(p.name)}: {print_type(p.type)}" for p in func.params)
        return [f"{head}({params}){result};"]
    # Documented parameters: one a line, each under its docs.
    lines = [f"{head}("]
    for param in func.params:
        lines += [INDENT + line for line in _docs(param.docs)]
        lines.append(f"{INDENT}{_id(param.name)}: {print_type(param.type)},")
    return lines + [f"){result};"]


# ---- comparing ASTs ---------------------------------------------------


def without_positions(node: object) -> object:
    """`node` as plain nested data without its positions (spans, sources):
    what printing and parsing again must keep. Two ASTs written differently
    but meaning the same text have equal shapes."""
    if isinstance(node, (Span, Source)):
        return None
    if is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__,) + tuple(
            (f.name, without_positions(getattr(node, f.name)))
            for f in fields(node)
            if f.name not in ("span", "source", "alias_span")
        )
    if isinstance(node, (tuple, list)):
        return tuple(without_positions(item) for item in node)
    return node
