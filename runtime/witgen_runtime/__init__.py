"""The runtime library of witgen-generated bindings.

Generated packages import this module (``import witgen_runtime as _rt``)
and use the names below; users see the values and errors through their
generated package's ``__init__``. `require_interface` is how a generated
package says which interface it was generated for.
"""

from ._async import StoreCalls, epoch_interruption, store_calls
from ._capi import SUPPORTED, TWO_HOST_BORROWS_FAIL, WASMTIME_VERSION, config_enable_map, config_use_winch
from ._errors import (BindingMismatchError, CloseError, Err, HandleError, InstancePoisonedError, Ok,
                      ResourceDroppedError, Result, Some, Trap, UnsupportedError, WitError)
from ._exports import ExportFunc, ExportSpec, InstanceState
from ._host import HostFunc, add_func, host_func
from ._loading import component_cache_key, default_cache_dir, load_component
from ._resources import (Borrow, GuestBorrow, GuestOwn, GuestResource, HostResource, Own,
                         add_host_resource)
from ._store import (add_wasi, host_getter, instantiate, prepare_store, register_store, release_store,
                     store_state)
from ._verify import WorldShape, differences, mismatch_message, verify
from . import _values
from ._values import *  # the codecs, `_values.__all__`: a new kind's is exported where it is written

# The interface generated code is written against: a name or meaning that
# generated code relies on changes only with a new number.
# 2: `WorldShape`, `instantiate(..., shape)` (verify before linking).
# 3: `store_calls`, `StoreCalls.run` (awaited calls, the `Async` classes).
INTERFACE = 3
INTERFACES = frozenset({1, 2, 3})  # the ones this release can run
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


__all__ = [
    "INTERFACE", "require_interface", "SUPPORTED", "WASMTIME_VERSION", "TWO_HOST_BORROWS_FAIL", "config_enable_map",
    "config_use_winch",
    "Ok", "Err", "Some", "Result",
    "WitError", "Trap", "InstancePoisonedError", "ResourceDroppedError", "HandleError", "BindingMismatchError",
    "UnsupportedError", "CloseError",
    "HostResource", "Own", "Borrow", "add_host_resource", "GuestResource", "GuestOwn", "GuestBorrow",
    "InstanceState", "ExportSpec", "ExportFunc", "HostFunc", "host_func", "add_func", "host_getter",
    "add_wasi", "instantiate", "prepare_store", "register_store", "release_store", "store_state",
    "load_component", "component_cache_key", "default_cache_dir", "WorldShape", "differences", "verify",
    "mismatch_message", "StoreCalls", "store_calls", "epoch_interruption",
]
__all__ += _values.__all__
