"""`load_component`: the runtime's component loader with a per-user cache of
compiled artifacts (`templates/runtime.py`, re-exported by every generated
package).

Most tests use a tiny component in text form (compiled in milliseconds);
`test_componentize_py_guest` loads a real ≈ 18 MB guest cold and cached and
prints both times (`pytest -s`). Whether the cache was used is asserted by
watching the compiler and the entry, never by timing.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from wasmtime import Config, Engine, Store
from wasmtime.component import Component, Linker

from witgen.api import generate

ROOT = Path(__file__).resolve().parents[1]

import witgen_runtime
from witgen_runtime import _loading as rt  # its internals too

ADDER_WAT = """
(component
  (core module $m (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" s32) (param "b" s32) (result s32) (canon lift (core func $i "add")))
)
"""


def _add(engine: Engine, component: Component, a: int, b: int) -> int:
    store = Store(engine)
    instance = Linker(engine).instantiate(store, component)
    func = instance.get_func(store, "add")
    assert func is not None
    result: int = func(store, a, b)
    return result


class Compiles:
    """Counts the runtime's compiles; `forbid()` makes the next one fail."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.forbidden = False
        real = rt._compile

        def compile(engine: Engine, wasm: bytes) -> Component:
            if self.forbidden:
                raise AssertionError("compiled although the cache should have been used")
            self.count += 1
            return real(engine, wasm)

        monkeypatch.setattr(rt, "_compile", compile)

    def forbid(self) -> None:
        self.forbidden = True


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Compiles:
    return Compiles(monkeypatch)


@pytest.fixture
def engine() -> Engine:
    return Engine()


@pytest.fixture
def adder(tmp_path: Path) -> Path:
    path = tmp_path / "adder.wat"
    path.write_text(ADDER_WAT)
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _entry(engine: Engine, component: Path, cache: Path) -> Path:
    return cache / f"{rt.component_cache_key(engine, component.read_bytes())}.cwasm"


def _replace(path: Path, data: bytes) -> None:
    # Never rewrite an entry in place: this process may still have it mapped
    # (truncating a mapped file is SIGBUS).
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def test_first_load_compiles_and_writes_the_entry(engine: Engine, adder: Path, cache: Path, compiles: Compiles) -> None:
    component = rt.load_component(engine, adder, cache)
    assert compiles.count == 1
    assert _add(engine, component, 2, 3) == 5
    entry = _entry(engine, adder, cache)
    assert sorted(p.name for p in cache.iterdir()) == [entry.name, "by-path"], "one entry, no temporary files left"
    (stamp,) = (cache / "by-path").iterdir()
    assert stamp.read_text() == entry.stem, "the path remembers the entry's key"
    assert _add(engine, Component.deserialize_file(engine, str(entry)), 4, 5) == 9
    if os.name == "posix":
        assert entry.stat().st_mode & 0o077 == 0, "entries are the user's own"


def test_second_load_uses_the_entry(engine: Engine, adder: Path, cache: Path, compiles: Compiles) -> None:
    rt.load_component(engine, adder, cache)
    entry = _entry(engine, adder, cache)
    before = entry.stat()
    compiles.forbid()
    component = rt.load_component(engine, adder, cache)
    assert _add(engine, component, 20, 22) == 42
    after = entry.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "the entry was not rewritten"


class Reads:
    """Counts the times the runtime reads (and so hashes) a whole component."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = rt.component_cache_key

        def key(engine: Engine, wasm: bytes) -> str:
            self.count += 1
            return str(real(engine, wasm))

        monkeypatch.setattr(rt, "component_cache_key", key)


def test_the_warm_path_does_not_read_the_component(
    engine: Engine, adder: Path, cache: Path, compiles: Compiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt.load_component(engine, adder, cache)
    reads = Reads(monkeypatch)
    compiles.forbid()
    assert _add(engine, rt.load_component(engine, adder, cache), 1, 2) == 3
    assert reads.count == 0, "known by path, size and times: not hashed again"


def test_a_rewritten_component_is_read_again(
    engine: Engine, adder: Path, cache: Path, compiles: Compiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt.load_component(engine, adder, cache)
    reads = Reads(monkeypatch)
    # Same size, same mtime as before: only the inode and ctime tell.
    before = adder.stat()
    _replace(adder, ADDER_WAT.replace("i32.add", "i32.sub").encode())
    os.utime(adder, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert adder.stat().st_size == before.st_size
    assert _add(engine, rt.load_component(engine, adder, cache), 5, 3) == 2
    assert reads.count == 1 and compiles.count == 2

    # Touched, the same bytes: read and hashed again, not compiled.
    os.utime(adder, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    assert _add(engine, rt.load_component(engine, adder, cache), 5, 3) == 2
    assert reads.count == 2 and compiles.count == 2
    # And remembered under its new stat.
    assert _add(engine, rt.load_component(engine, adder, cache), 5, 3) == 2
    assert reads.count == 2


def test_a_damaged_stamp_only_costs_a_read(
    engine: Engine, adder: Path, cache: Path, compiles: Compiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt.load_component(engine, adder, cache)
    (stamp,) = (cache / "by-path").iterdir()
    _replace(stamp, b"../../etc/passwd")
    reads = Reads(monkeypatch)
    compiles.forbid()
    assert _add(engine, rt.load_component(engine, adder, cache), 1, 1) == 2
    assert reads.count == 1
    assert stamp.read_text() == _entry(engine, adder, cache).stem


def test_a_stamp_naming_a_missing_entry_falls_back(engine: Engine, adder: Path, cache: Path, compiles: Compiles) -> None:
    rt.load_component(engine, adder, cache)
    _entry(engine, adder, cache).unlink()
    assert _add(engine, rt.load_component(engine, adder, cache), 2, 2) == 4
    assert compiles.count == 2 and _entry(engine, adder, cache).is_file()


def test_the_entry_serves_another_engine_with_the_same_config(adder: Path, cache: Path, compiles: Compiles) -> None:
    rt.load_component(Engine(), adder, cache)
    compiles.forbid()
    other = Engine()
    assert _add(other, rt.load_component(other, adder, cache), 1, 1) == 2


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"not an artifact" * 10, id="garbage"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-64], id="tail-cut"),
    ],
)
def test_a_damaged_entry_is_dropped_and_rebuilt(
    engine: Engine, adder: Path, cache: Path, compiles: Compiles, damage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    rt.load_component(engine, adder, cache)
    entry = _entry(engine, adder, cache)
    good = entry.read_bytes()
    _replace(entry, damage(good))
    with caplog.at_level(logging.WARNING, logger="witgen"):
        component = rt.load_component(engine, adder, cache)
    assert _add(engine, component, 3, 4) == 7
    assert compiles.count == 2, "compiled again"
    assert "dropping unloadable compiled artifact" in caplog.text
    assert entry.read_bytes() == good, "a good entry replaced the damaged one"
    compiles.forbid()
    rt.load_component(engine, adder, cache)


def test_keys(engine: Engine, tmp_path: Path) -> None:
    wasm = ADDER_WAT.encode()
    key = rt.component_cache_key(engine, wasm)
    assert key == rt.component_cache_key(Engine(), wasm), "same bytes, same config: same key"
    assert rt.component_cache_key(engine, wasm.replace(b"i32.add", b"i32.sub")) != key, "different bytes"
    assert rt.component_cache_key(engine, wasm + b"\n") != key, "bytes, not meaning"
    for setting, value in [("cranelift_opt_level", "none"), ("consume_fuel", True), ("debug_info", True)]:
        config = Config()
        setattr(config, setting, value)
        assert rt.component_cache_key(Engine(config), wasm) != key, f"engine config {setting}"


def test_different_components_get_different_entries(engine: Engine, tmp_path: Path, cache: Path) -> None:
    one, two = tmp_path / "one.wat", tmp_path / "two.wat"
    one.write_text(ADDER_WAT)
    two.write_text(ADDER_WAT.replace("i32.add", "i32.sub"))
    assert _add(engine, rt.load_component(engine, one, cache), 5, 3) == 8
    assert _add(engine, rt.load_component(engine, two, cache), 5, 3) == 2
    assert len(list(cache.glob("*.cwasm"))) == 2
    assert _add(engine, rt.load_component(engine, one, cache), 5, 3) == 8


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, adder: Path, engine: Engine) -> None:
    monkeypatch.delenv("WITGEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rt.default_cache_dir() == tmp_path / "xdg" / "witgen" / "components"
    rt.load_component(engine, adder)
    assert _entry(engine, adder, tmp_path / "xdg" / "witgen" / "components").is_file()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    if sys.platform.startswith("linux"):
        assert rt.default_cache_dir() == Path.home() / ".cache" / "witgen" / "components"
    monkeypatch.setenv("WITGEN_CACHE_DIR", str(tmp_path / "mine"))
    assert rt.default_cache_dir() == tmp_path / "mine" / "components"


def test_an_unwritable_cache_only_costs_the_compile(
    engine: Engine, adder: Path, tmp_path: Path, compiles: Compiles, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="witgen"):
        for _ in range(2):
            assert _add(engine, rt.load_component(engine, adder, blocker / "cache"), 1, 2) == 3
    assert compiles.count == 2
    assert "could not cache the compiled component" in caplog.text


def test_a_missing_component_is_an_error(engine: Engine, tmp_path: Path, cache: Path) -> None:
    with pytest.raises(FileNotFoundError):
        rt.load_component(engine, tmp_path / "nope.wasm", cache)


# --------------------------------------------------------------------------
# The generated package offers it


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Any]:
    root = tmp_path / "pkgs"
    for path, text in generate(ROOT / "fixtures" / "adder.wit", "import").files.items():
        target = root / "loading_adder" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("loading_adder")
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == "loading_adder" or n.startswith("loading_adder.")]:
            del sys.modules[name]


def test_the_generated_package_exports_it(generated: Any, engine: Engine, adder: Path, cache: Path) -> None:
    assert "load_component" in generated.__all__
    assert generated.load_component is witgen_runtime.load_component
    component = generated.load_component(engine, adder, cache)
    store = Store(engine)
    assert generated.Adder.instantiate(store, component, Linker(engine)).add(store, 40, 2) == 42


# --------------------------------------------------------------------------
# A real componentize-py guest: seconds to compile, milliseconds cached


def test_componentize_py_guest(engine: Engine, cache: Path, compiles: Compiles) -> None:
    from guests import build

    wasm = build.wasm_path("adder")
    start = time.perf_counter()
    cold = rt.load_component(engine, wasm, cache)
    compile_s = time.perf_counter() - start
    assert compiles.count == 1
    compiles.forbid()
    start = time.perf_counter()
    warm = rt.load_component(engine, wasm, cache)
    cached_s = time.perf_counter() - start
    entry = _entry(engine, wasm, cache)
    print(
        f"\n{wasm.stat().st_size / 1e6:.1f} MB component: compile {compile_s * 1000:.0f} ms, "
        f"cached {cached_s * 1000:.1f} ms ({compile_s / cached_s:.0f}x), entry {entry.stat().st_size / 1e6:.1f} MB"
    )
    linker = Linker(engine)
    linker.add_wasip2()
    from wasmtime import WasiConfig

    for component in (cold, warm):
        store = Store(engine)
        store.set_wasi(WasiConfig())
        func = linker.instantiate(store, component).get_func(store, "add")
        assert func is not None and func(store, 2, 40) == 42
