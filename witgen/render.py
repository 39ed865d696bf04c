"""The code model -> the files of a generated package, formatted with black.

Templates are rendered body first, so the imports a module needs can be
read off what it uses (as betterproto does), then the header around it.
"""

from __future__ import annotations

import functools
import json
import re
import jinja2

from . import __version__
from . import codemodel as cm
from ._resources import templates_dir

RUNTIME = "_runtime.py"

# What generated code may use, and where it comes from.
_NAMES = [
    (re.compile(r"^@dataclass", re.MULTILINE), "dataclasses", "dataclass"),
    (re.compile(r"(?::\s*|\[|,\s*)Any\b"), "typing", "Any"),
    (re.compile(r"\bCallable\["), "typing", "Callable"),
    (re.compile(r"\bOptional\["), "typing", "Optional"),
    (re.compile(r"\(Protocol\)"), "typing", "Protocol"),
    (re.compile(r"\bUnion\["), "typing", "Union"),
    (re.compile(r"\bStore\b"), "wasmtime", "Store"),
    (re.compile(r"\bComponent\b"), "wasmtime.component", "Component"),
    (re.compile(r"\bInstance\b"), "wasmtime.component", "Instance"),
    (re.compile(r"\bLinker\b"), "wasmtime.component", "Linker"),
]
_ENUM = re.compile(r"\benum\.(?:Enum|Flag)\b")
_RUNTIME_USE = re.compile(r"\b_rt\.")


def render_package(package: cm.Package, *, format: bool = True) -> dict[str, str]:
    """Path (inside the package) -> text, sorted by path."""
    files = {module.path: render_module(package, module, format=format) for module in package.modules}
    files[RUNTIME] = (templates_dir() / "runtime.py").read_text(encoding="utf-8")
    files["py.typed"] = ""
    return dict(sorted(files.items()))


def render_module(package: cm.Package, module: cm.Module, *, format: bool = True) -> str:
    env = _environment()
    body = env.get_template("body.py.j2").render(module=module)
    text = env.get_template("module.py.j2").render(
        version=__version__,
        source=package.source,
        docs=_module_docs(module),
        imports=_imports(module, body),
        exports=module.exports,
        body=body,
    )
    return format_python(text) if format else text


def _module_docs(module: cm.Module) -> str:
    if not module.unsupported:
        return module.docs
    left_out = "\n".join(f"- `{u.wit}`: {u.reason}." for u in module.unsupported)
    return f"{module.docs}\n\nLeft out, as the bindings cannot call them:\n\n{left_out}"


def _imports(module: cm.Module, body: str) -> list[str]:
    """Standard library, wasmtime, then the package's own modules."""
    names: dict[str, list[str]] = {}
    for pattern, source, name in _NAMES:
        if pattern.search(body):
            names.setdefault(source, []).append(name)
    standard = ["import enum"] if _ENUM.search(body) else []
    standard += [f"from {s} import {', '.join(n)}" for s, n in sorted(names.items()) if not s.startswith("wasmtime")]
    wasmtime = [f"from {s} import {', '.join(n)}" for s, n in sorted(names.items()) if s.startswith("wasmtime")]
    own = sorted(set(module.imports) | ({"from . import _runtime as _rt"} if _RUNTIME_USE.search(body) else set()))
    groups = [sorted(standard, key=lambda line: (line.startswith("from "), line)), wasmtime, own]
    return [line for group in groups if group for line in [*group, ""]][:-1]


def format_python(text: str) -> str:
    import black

    from black.mode import TargetVersion

    formatted: str = black.format_str(text, mode=black.Mode(target_versions={TargetVersion.PY310}))
    return formatted


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["docstring"] = _docstring
    env.filters["tojson_tuple"] = lambda items: _tuple_literal(list(items))
    env.filters["tojson_list"] = lambda items: json.dumps(list(items))
    env.filters["prepend"] = lambda text, prefix: f"{prefix}{text}"
    return env


def _docstring(text: object) -> str:
    """WIT docs as the inside of a docstring: escaped, lines indented by
    black afterwards (it re-indents docstrings)."""
    inside = str(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    return f"{inside} " if inside.endswith('"') else inside


def _tuple_literal(items: list[str]) -> str:
    inner = ", ".join(json.dumps(i) for i in items)
    return f"({inner},)" if len(items) == 1 else f"({inner})"
