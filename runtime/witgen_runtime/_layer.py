"""The C-API value layer, as one namespace (until the bindings run on it).

`_capi` is the only module touching wasmtime-py's internals; `_values` holds
the codecs; `_func` the export call path and host callbacks."""

from ._capi import SUPPORTED, WASMTIME_VERSION, config_enable_map
from ._func import BindingMismatchError, ExportFunc, Trap, add_host_func
from ._resources import GuestHandle, GuestResource, HostResource, add_host_resource
from ._values import (BOOL, BYTES, CHAR, F32, F64, S8, S16, S32, S64, STRING, U8, U16, U32, U64, Enum, Err,
                      Flags, List, Map, Ok, Option, Record, Result, Some, Tuple, Variant)

__all__ = [
    "SUPPORTED", "WASMTIME_VERSION", "config_enable_map", "BindingMismatchError", "ExportFunc", "Trap",
    "add_host_func", "GuestHandle", "GuestResource", "HostResource", "add_host_resource",
    "BOOL", "BYTES", "CHAR", "F32", "F64", "S8", "S16", "S32", "S64", "STRING", "U8", "U16", "U32", "U64",
    "Enum", "Err", "Flags", "List", "Map", "Ok", "Option", "Record", "Result", "Some", "Tuple", "Variant",
]
