"""The runtime library of witgen-generated bindings.

Generated packages import this module (``import witgen_runtime as _rt``)
and use the names below; users see the values and errors through their
generated package's ``__init__``. `require_interface` is how a generated
package says which interface it was generated for.
"""

from ._bindings import *  # noqa: F401,F403
from ._bindings import __all__ as _names

# The interface generated code is written against: a name or meaning that
# generated code relies on changes only with a new number.
INTERFACE = 1
INTERFACES = frozenset({1})  # the ones this release can run
__version__ = "0.1.0"


def require_interface(interface: int, package: str) -> None:
    """Raise `ImportError` unless this release runs bindings generated for
    runtime interface `interface` (called first by every generated package)."""
    if interface in INTERFACES:
        return
    if interface > max(INTERFACES):
        fix = "upgrade the runtime: pip install --upgrade witgen-runtime"
    else:
        fix = (f"regenerate {package} with a witgen that targets interface {INTERFACE}, "
               f"or install the witgen-runtime release that {package} was generated for")
    raise ImportError(
        f"{package} was generated for witgen-runtime interface {interface}, but witgen-runtime "
        f"{__version__} runs interface{'s' if len(INTERFACES) > 1 else ''} "
        f"{', '.join(map(str, sorted(INTERFACES)))}: {fix}"
    )


__all__ = [*_names, "INTERFACE", "require_interface"]
