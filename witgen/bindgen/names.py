"""WIT names -> Python names. Every case change and escape happens here.

WIT identifiers are kebab-case words, each all lowercase or all uppercase
(`get-URL`). Python names follow PEP 8 the way componentize-py's guest
bindings do: `snake_case` functions, fields and parameters, `PascalCase`
classes, `SHOUTY` enum members, and a trailing `_` where a name must be
escaped in its position.

Names derived from WIT never begin with `_` (a WIT word starts with a letter
or digit), so every private name the generator introduces (`_rt`,
`_instance`, `_kvdb`, codec constants) is out of their reach by
construction. The public names it introduces (`store`, `instantiate`,
`add_to_linker`, `Protocol`, ...) are reserved in the `Scope` of the
namespace they live in, and a WIT name that wants one gets a `_` instead.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .. import model as m

# Written out, not read from the running Python, so that the output is the
# same whichever Python (3.10-3.13) runs witgen; tests/bindgen/test_names.py fails
# when a Python has one more. Hard keywords only: soft keywords (`match`,
# `case`, `type`) are names.
KEYWORDS = frozenset({
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
    "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
})
# Every public builtin of Python 3.10-3.13.
BUILTINS = frozenset({
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BaseExceptionGroup",
    "BlockingIOError", "BrokenPipeError", "BufferError", "BytesWarning", "ChildProcessError",
    "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError", "ConnectionResetError",
    "DeprecationWarning", "EOFError", "Ellipsis", "EncodingWarning", "EnvironmentError", "Exception",
    "ExceptionGroup", "False", "FileExistsError", "FileNotFoundError", "FloatingPointError",
    "FutureWarning", "GeneratorExit", "IOError", "ImportError", "ImportWarning", "IndentationError",
    "IndexError", "InterruptedError", "IsADirectoryError", "KeyError", "KeyboardInterrupt",
    "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "None", "NotADirectoryError",
    "NotImplemented", "NotImplementedError", "OSError", "OverflowError", "PendingDeprecationWarning",
    "PermissionError", "ProcessLookupError", "PythonFinalizationError", "RecursionError",
    "ReferenceError", "ResourceWarning", "RuntimeError", "RuntimeWarning", "StopAsyncIteration",
    "StopIteration", "SyntaxError", "SyntaxWarning", "SystemError", "SystemExit", "TabError",
    "TimeoutError", "True", "TypeError", "UnboundLocalError", "UnicodeDecodeError",
    "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError", "UnicodeWarning", "UserWarning",
    "ValueError", "Warning", "ZeroDivisionError", "abs", "aiter", "all", "anext", "any", "ascii", "bin",
    "bool", "breakpoint", "bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex",
    "copyright", "credits", "delattr", "dict", "dir", "divmod", "enumerate", "eval", "exec", "exit",
    "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr", "hash", "help", "hex",
    "id", "input", "int", "isinstance", "issubclass", "iter", "len", "license", "list", "locals", "map",
    "max", "memoryview", "min", "next", "object", "oct", "open", "ord", "pow", "print", "property",
    "quit", "range", "repr", "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod",
    "str", "sum", "super", "tuple", "type", "vars", "zip",
})
# The builtins generated code refers to (in annotations, mostly). A method,
# field or parameter named like one would make the next annotation in its
# class or function body mean the member instead; other builtins are
# shadowed harmlessly (`conn.set`, a parameter `id`).
USED_BUILTINS = frozenset({"bool", "bytes", "dict", "float", "int", "list", "object", "str", "tuple", "type"})
# Module-level names (classes): keywords and every builtin, so that a
# module's namespace keeps its builtins (`Exception`, `None`).
MODULE_RESERVED_BUILTINS = KEYWORDS | BUILTINS
MEMBER_RESERVED = KEYWORDS | USED_BUILTINS

# ---- the names generated code introduces itself, per namespace ----------
# Each is reserved in the `Scope` of its namespace, so a name from WIT that
# wants one gets a `_` instead. Private names need no entry: WIT names never
# begin with `_`.

# What a generated module imports or defines at module level (`__init__`
# also re-exports the runtime's names: `RUNTIME_EXPORTS`).
MODULE_NAMES = frozenset(
    {
        "annotations", "dataclass", "enum", "Any", "Callable", "Optional", "Protocol", "Union",
        "Store", "Linker", "Component", "Instance", "Engine", "load_component",
        "Ok", "Err", "Some", "Result",
    }
)
# An interface module's own API, the same names in every module so that
# they never depend on the interface's name or collide with its types: what
# the host implements (`Host`, its resource classes `HostResources`,
# `add_to_linker`), what it calls (`Exports`).
HOST, HOST_RESOURCES, ADD_TO_LINKER, EXPORTS = "Host", "HostResources", "add_to_linker", "Exports"
ASYNC_HOST, ASYNC_EXPORTS = "AsyncHost", "AsyncExports"  # their `async def` twins
INTERFACE_MODULE_NAMES = MODULE_NAMES | {HOST, HOST_RESOURCES, ADD_TO_LINKER, EXPORTS, ASYNC_HOST, ASYNC_EXPORTS}
# The runtime's public values and errors, re-exported by every package's
# `__init__` so users never import `witgen_runtime` themselves.
RUNTIME_EXPORTS = (
    "Ok", "Err", "Some", "Result", "WitError", "Trap", "InstancePoisonedError",
    "ResourceDroppedError", "HandleError", "BindingMismatchError", "UnsupportedError", "CloseError", "release_store",
    "register_store", "load_component", "store_calls",
)
INIT_NAMES = MODULE_NAMES | {"add_to_linker"} | set(RUNTIME_EXPORTS)
FILE_NAMES = frozenset({"__init__"}) | MODULE_NAMES  # modules of the package
WORLD_CLASS_NAMES = frozenset({"instantiate", "add_to_linker"})
ACCESSOR_NAMES = frozenset({"instantiate"})  # an exported interface's class
PRIVATE_NAMES = frozenset({"_instance", "_sync", "_calls"})  # of world, accessor and awaited classes; slots are `_<method>`
PROXY_NAMES = frozenset({"drop", "dropped"})  # `_rt.GuestResource`'s own
HOST_RESOURCE_NAMES = frozenset({"close"})  # called when the guest drops its handle
# The parameters a generated method has before those of the WIT function:
# an export's `(self, store, ...)`, a host Protocol method's `(self, ...)`.
EXPORT_PARAMS = frozenset({"self", "store"})
HOST_PARAMS = frozenset({"self"})
WORLD_LINKER_PARAMS = frozenset({"linker", "wasi"})  # the world class's `add_to_linker`
# Names of generated bodies, claimed after the parameters so that they give
# way: an export's local result, a host function lambda's host object.
EXPORT_LOCAL = "result"
HOST_LOCAL = "h"


def words(name: str) -> list[str]:
    return [w for w in name.lstrip("%").split("-") if w]


def snake(name: str) -> str:
    """`get-URL` -> `get_url`: functions, methods, fields, parameters and
    modules, escaped if a keyword or a builtin generated code uses."""
    return escape(snake_part(name), MEMBER_RESERVED)


def pascal(name: str) -> str:
    """`http-request` -> `HttpRequest`; `HTTP` -> `Http`."""
    return escape(pascal_part(name), MODULE_RESERVED_BUILTINS)


def shouty(name: str) -> str:
    """`not-found` -> `NOT_FOUND` (enum and flag members)."""
    return escape(shouty_part(name), MEMBER_RESERVED)


# The same case changes without the escape, for a part of a longer name
# (`Shape_Circle`, `_COUNTER_NEW`): only the whole name is claimed in a scope.


def snake_part(name: str) -> str:
    return "_".join(w.lower() for w in words(name))


def pascal_part(name: str) -> str:
    return "".join(w[0].upper() + w[1:].lower() for w in words(name))


def shouty_part(name: str) -> str:
    return "_".join(w.upper() for w in words(name))


def escape(identifier: str, reserved: frozenset[str]) -> str:
    return f"{identifier}_" if identifier in reserved else identifier


class Scope:
    """Hands out distinct names: a second claim of `x` gets `x_`, then `x_2`.

    One scope per Python namespace (a module, a class, a parameter list), so
    two WIT names that map to the same Python name never collide, nor one
    with a name the generator reserved there."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken = set(reserved)
        # wanted -> the next suffix to try: thousands of WIT names can map to
        # one Python name (`a-b`, `A-b`, `a-B`, ...); counting from 2 each
        # time made that quadratic.
        self._next: dict[str, int] = {}

    def claim(self, wanted: str) -> str:
        name = wanted
        if name in self._taken:
            name = f"{wanted}_"
        counter = self._next.get(wanted, 2)
        while name in self._taken:
            name = f"{wanted}_{counter}"
            counter += 1
        self._next[wanted] = counter
        self._taken.add(name)
        return name

    def reserve(self, names: Iterable[str]) -> None:
        self._taken.update(names)

    def __contains__(self, name: str) -> bool:
        return name in self._taken


# ---- the names of one package ----------------------------------------------


def module_stems(
    resolve: m.Resolve,
    interfaces: dict[m.InterfaceId, m.WorldKey],
    home: m.PackageId | None,
    overrides: Mapping[m.InterfaceId, str],
) -> dict[m.InterfaceId, str]:
    """Each interface's module name, from the interface alone so that it
    stays put whatever else the world imports: the interface's name in the
    package the bindings are for (`types`), qualified by its package
    elsewhere (`wasi_io_streams`), and by the version where one package
    comes in two (`wasi_io_streams_0_2_1`); an interface inline in a world
    goes by its name there. `overrides` (`--module`) win."""
    packages: dict[tuple[str, str], set[str | None]] = {}
    for iface in interfaces:
        package = resolve.interfaces[iface].package
        if package is not None:
            name = resolve.packages[package].name
            packages.setdefault((name.namespace, name.name), set()).add(name.version)
    stems: dict[m.InterfaceId, str] = {}
    files = Scope(FILE_NAMES | set(overrides.values()))
    for iface, key in interfaces.items():
        if iface in overrides:
            stems[iface] = overrides[iface]
            continue
        interface = resolve.interfaces[iface]
        package = interface.package
        if interface.name is None or package is None:
            wanted = snake(str(key))
        elif package == home:
            wanted = snake(interface.name)
        else:
            name = resolve.packages[package].name
            parts = [name.namespace, name.name, interface.name]
            if len(packages[(name.namespace, name.name)]) > 1 and name.version is not None:
                parts.append(name.version.replace(".", "-").replace("+", "-"))
            wanted = snake_part("-".join(parts))
        stems[iface] = files.claim(wanted or "interface")
    return stems
