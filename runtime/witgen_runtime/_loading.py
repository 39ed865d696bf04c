"""Loading components, with a per-user cache of compiled artifacts.

Compiling an 18 MB componentize-py component takes seconds; deserializing
what wasmtime compiled takes milliseconds."""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import sys
import tempfile
import weakref
from importlib import metadata as _metadata
from pathlib import Path

import wasmtime
from wasmtime import WasmtimeError
from wasmtime.component import Component
from typing import Callable, Optional, Union


__all__ = ["load_component", "component_cache_key", "default_cache_dir"]

_log = logging.getLogger("witgen")

# Bump when the key's inputs or the entry layout change.
_CACHE_FORMAT = "1"
# The smallest component: its compiled artifact records the engine's settings.
_EMPTY_COMPONENT = b"\x00asm\x0d\x00\x01\x00"


def default_cache_dir() -> Path:
    """Where ``load_component`` keeps compiled artifacts by default.

    ``$WITGEN_CACHE_DIR/components`` if set, else ``$XDG_CACHE_HOME/witgen/components``,
    else the platform's per-user cache folder (``~/.cache/witgen/components`` on Linux).
    """
    override = os.environ.get("WITGEN_CACHE_DIR")
    if override:
        return Path(override) / "components"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore relative paths
        base = Path(xdg)
    elif sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path.home() / ".cache"
    return base / "witgen" / "components"


def _wasmtime_version() -> str:
    try:
        return _metadata.version("wasmtime")
    except _metadata.PackageNotFoundError:  # pragma: no cover - vendored wasmtime-py
        return "unknown"


# An engine's settings never change after it is made: one fingerprint each.
_ENGINE_KEYS: "weakref.WeakKeyDictionary[wasmtime.Engine, bytes]" = weakref.WeakKeyDictionary()


def _engine_key(engine: wasmtime.Engine) -> bytes:
    """What besides the component's bytes decides its compiled artifact: the
    wasmtime version, the machine and the engine's configuration."""
    known = _ENGINE_KEYS.get(engine)
    if known is None:
        # wasmtime-py cannot read a Config back, but every artifact records
        # what the engine's settings change in compiled code (target, ISA and
        # Cranelift flags, tunables, wasm features): an empty component's
        # artifact is that record (≈ 0.1 ms to compile).
        key = hashlib.sha256()
        key.update(f"witgen-component/{_CACHE_FORMAT}\0wasmtime/{_wasmtime_version()}\0".encode())
        key.update(f"{platform.machine()}\0{sys.platform}\0".encode())
        key.update(bytes(Component(engine, _EMPTY_COMPONENT).serialize()))
        known = _ENGINE_KEYS[engine] = key.digest()
    return known


def component_cache_key(engine: wasmtime.Engine, wasm: bytes) -> str:
    """The cache key of component ``wasm`` (its bytes) compiled by ``engine``.

    It changes with the component's bytes, the wasmtime version, the
    machine, and the engine's configuration."""
    return hashlib.sha256(_engine_key(engine) + hashlib.sha256(wasm).digest()).hexdigest()[:40]


def _path_stamp(engine: wasmtime.Engine, real: str, st: os.stat_result) -> str:
    """The name under which the key of the file at ``real``, as ``st``
    describes it, is remembered: the warm path reads that instead of hashing
    the whole file (24 ms for 18 MB, against 2-4 ms to deserialize). Any
    rewrite changes the inode, size, mtime or ctime."""
    what = f"{real}\0{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
    return hashlib.sha256(_engine_key(engine) + what.encode("utf-8", "surrogateescape")).hexdigest()[:40]


def _compile(engine: wasmtime.Engine, wasm: bytes) -> Component:
    return Component(engine, wasm)


def load_component(
    engine: wasmtime.Engine,
    path: Union[str, "os.PathLike[str]"],
    cache_dir: Union[str, "os.PathLike[str]", None] = None,
) -> Component:
    """The component in the file ``path`` (binary, or text), compiled for ``engine``.

    The first load compiles it and keeps wasmtime's compiled artifact in
    ``cache_dir`` (default: ``default_cache_dir()``) under a key of the
    component's bytes, the wasmtime version, the machine and the engine's
    configuration; later loads deserialize that artifact instead, a few
    milliseconds instead of seconds. An entry wasmtime cannot load is deleted
    and the component compiled again; a cache folder that cannot be written
    only costs the compile (both are logged on the ``witgen`` logger).

    The cache folder is trusted as wasmtime's own cache is: wasmtime maps the
    artifact's code as it is, so it must be writable by you alone (entries
    are created readable by their owner only).
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    real = os.path.realpath(path)
    stamp = folder / _PATHS / _path_stamp(engine, real, os.stat(real))
    known = _read_stamp(stamp)
    if known is not None:
        component = _deserialize(engine, folder / f"{known}.cwasm")
        if component is not None:
            _log.debug("witgen: %s loaded from %s (known by its path)", path, folder / f"{known}.cwasm")
            return component
    with open(real, "rb") as file:
        before = os.fstat(file.fileno())
        wasm = file.read()
        unchanged = _same_file(before, os.fstat(file.fileno()))
    key = component_cache_key(engine, wasm)
    entry = folder / f"{key}.cwasm"
    component = _deserialize(engine, entry) if entry.is_file() else None
    if component is None:
        component = _compile(engine, wasm)
        _write_atomically(entry, lambda: bytes(component.serialize()))
    if unchanged:  # a file rewritten while it was read is not remembered
        _write_atomically(folder / _PATHS / _path_stamp(engine, real, before), key.encode("ascii"))
    return component


# The folder of `_path_stamp` files, each holding a component's cache key.
_PATHS = "by-path"


def _read_stamp(stamp: Path) -> Optional[str]:
    try:
        text = stamp.read_bytes().decode("ascii")
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) == 40 and all(c in "0123456789abcdef" for c in text) else None


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_size, a.st_mtime_ns, a.st_ctime_ns) == (b.st_ino, b.st_size, b.st_mtime_ns, b.st_ctime_ns)


def _deserialize(engine: wasmtime.Engine, entry: Path) -> Optional[Component]:
    """The artifact in ``entry``, or None (an unloadable one is deleted)."""
    try:
        return Component.deserialize_file(engine, str(entry))
    except WasmtimeError as error:
        if entry.exists():
            _log.warning("witgen: dropping unloadable compiled artifact %s: %s", entry, str(error).splitlines()[0])
            try:
                entry.unlink()
            except OSError:
                pass
        return None


def _write_atomically(path: Path, data: "bytes | Callable[[], bytes]") -> None:
    """Write atomically (temporary file, then rename), so a reader sees a
    whole file or none. Never rewrite an artifact in place: wasmtime maps
    the file, and a process whose mapped file is truncated dies of SIGBUS;
    a rename or an unlink leaves its mapping intact. A cache that cannot be
    written is logged, never an error."""
    tmp: Optional[str] = None
    try:
        content = data() if callable(data) else data
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        os.replace(tmp, path)
        tmp = None
        _log.debug("witgen: cached %s", path)
    except (OSError, WasmtimeError) as error:
        _log.warning("witgen: could not cache the compiled component at %s: %s", path, error)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass

