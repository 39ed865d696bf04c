"""The code model -> the files of a generated package, formatted with black.

Templates get finished Python from the code model (names, annotations,
codecs, the import lines its code uses); outside text (docs, WIT names, the
source's name) reaches them raw and goes through `witgen.render.pytext` there, by
the `docstring`, `literal` and `comment` filters.
"""

from __future__ import annotations

import functools

import jinja2

from .. import __version__
from ..bindgen import code as cm
from . import pytext
from .python import import_line, parameters, python
from .._resources import templates_dir

def render_package(package: cm.Package, *, format: bool = True) -> dict[str, str]:
    """Path (inside the package) -> text, sorted by path."""
    files = {module.path: render_module(package, module, format=format) for module in package.modules}
    files["py.typed"] = ""
    return dict(sorted(files.items()))


def render_module(package: cm.Package, module: cm.Module, *, format: bool = True) -> str:
    env = _environment()
    body = env.get_template("body.py.j2").render(module=module)
    text = env.get_template("module.py.j2").render(
        version=__version__,
        source=package.source,
        docs=_module_docs(module),
        module=module,
        body=body,
    )
    return format_python(text) if format else text


def _module_docs(module: cm.Module) -> str:
    if not module.left_out:
        return module.docs
    left_out = "\n".join(f"- `{u.wit}`: {u.reason}." for u in module.left_out)
    return f"{module.docs}\n\nLeft out, as the bindings cannot call them:\n\n{left_out}"


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
    env.filters["docstring"] = pytext.docstring
    env.filters["literal"] = pytext.literal
    env.filters["comment"] = pytext.comment
    env.filters["tuple_of_literals"] = lambda items: _tuple([pytext.literal(i) for i in items])
    env.filters["list_of_literals"] = lambda items: f"[{', '.join(pytext.literal(i) for i in items)}]"
    env.filters["python"] = python
    env.filters["import_line"] = import_line
    env.filters["parameters"] = parameters
    env.filters["kind"] = lambda decl: type(decl).__name__.lower()
    env.filters["one_line"] = _one_line
    env.filters["method_docs"] = _method_docs
    env.filters["is_none"] = lambda expr: expr == cm.NONE
    return env


def _one_line(decl: cm.Decl) -> bool:
    """Undocumented one-line declarations in a row are written together."""
    return isinstance(decl, cm.Constant) or (isinstance(decl, cm.Alias) and not decl.docs)


def _method_docs(f: cm.Def) -> str:
    parts = [f.docs] if f.docs else []
    if f.raises is not None:
        parts.append(f"Raises `Err({python(f.raises)})` with the error of the WIT `result`.")
    return "\n\n".join(parts)


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
