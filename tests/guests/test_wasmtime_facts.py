"""The wasmtime-py 49 behaviours docs/design/wasmtime-py-49.md relies on.

Each test is the reproduction of one fact, on the *raw* API. When wasmtime
is upgraded, a failure here names the fact that changed (and the runtime or
generator code that depends on it).
"""

from __future__ import annotations

import ctypes
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from wasmtime import Engine, Store, WasmtimeError
from wasmtime.component import (
    Component,
    Linker,
    Record,
    ResourceHost,
    ResourceType,
    Variant,
)

SCALARS = """
(component
  (core module $m
    (global $post (mut i32) (i32.const 0))
    (func (export "id32") (param i32) (result i32) local.get 0)
    (func (export "idf64") (param f64) (result f64) local.get 0)
    (func (export "seven") (result i32) i32.const 7)
    (func (export "post") (param i32) global.get $post i32.const 1 i32.add global.set $post)
    (func (export "posts") (result i32) global.get $post)
    (func (export "boom") unreachable))
  (core instance $i (instantiate $m))
  (alias core export $i "post" (core func $post))
  (func (export "u8") (param "x" u8) (result u8) (canon lift (core func $i "id32")))
  (func (export "s32") (param "x" s32) (result s32) (canon lift (core func $i "id32")))
  (func (export "bool") (param "x" bool) (result bool) (canon lift (core func $i "id32")))
  (func (export "f64") (param "x" f64) (result f64) (canon lift (core func $i "idf64")))
  (func (export "with-post") (result u32) (canon lift (core func $i "seven") (post-return $post)))
  (func (export "posts") (result u32) (canon lift (core func $i "posts")))
  (func (export "boom") (canon lift (core func $i "boom")))
)
"""

IMPORTS = """
(component
  (import "ns:pkg/iface@1.0.0" (instance $h (export "x" (func (param "a" u32) (result u32)))))
  (core func $x (canon lower (func $h "x")))
  (core module $m
    (import "" "x" (func $x (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) local.get 0 call $x))
  (core instance $i (instantiate $m (with "" (instance (export "x" (func $x))))))
  (func $f (param "a" u32) (result u32) (canon lift (core func $i "f")))
  (instance $e (export "f" (func $f)))
  (export "ns:pkg/api@1.0.0" (instance $e))
)
"""


@pytest.fixture(scope="module")
def scalars(engine: Engine) -> Component:
    return Component(engine, SCALARS)


def _call(engine: Engine, component: Component, name: str, *args: Any) -> Any:
    store = Store(engine)
    instance = Linker(engine).instantiate(store, component)
    func = instance.get_func(store, name)
    assert func is not None
    return func(store, *args)


def test_integers_wrap_silently(engine: Engine, scalars: Component) -> None:
    assert _call(engine, scalars, "u8", 256) == 0
    assert _call(engine, scalars, "u8", -1) == 255
    assert _call(engine, scalars, "s32", 2**31) == -(2**31)
    assert _call(engine, scalars, "u8", True) == 1  # bool is accepted as an int


def test_floats_and_bools_are_strict(engine: Engine, scalars: Component) -> None:
    with pytest.raises(TypeError):
        _call(engine, scalars, "f64", 1)
    with pytest.raises(TypeError):
        _call(engine, scalars, "bool", 1)
    nan = _call(engine, scalars, "f64", float("nan"))
    assert nan != nan


def test_post_return_runs_inside_the_call(engine: Engine, scalars: Component) -> None:
    store = Store(engine)
    instance = Linker(engine).instantiate(store, scalars)
    with_post, posts = instance.get_func(store, "with-post"), instance.get_func(store, "posts")
    assert with_post is not None and posts is not None
    assert with_post(store) == 7
    with_post(store)
    assert posts(store) == 2
    with_post.post_return(store)  # a no-op in 49
    assert posts(store) == 2


def test_a_trap_poisons_the_whole_store(engine: Engine, scalars: Component) -> None:
    linker = Linker(engine)
    store = Store(engine)
    instance = linker.instantiate(store, scalars)
    boom = instance.get_func(store, "boom")
    assert boom is not None
    with pytest.raises(WasmtimeError, match="unreachable"):
        boom(store)
    again = linker.instantiate(store, scalars).get_func(store, "s32")
    assert again is not None
    with pytest.raises(WasmtimeError, match="cannot enter component instance"):
        again(store, 1)
    other = Store(engine)
    fresh = linker.instantiate(other, scalars).get_func(other, "s32")
    assert fresh is not None and fresh(other, 1) == 1


def test_interface_exports_need_two_level_lookup(engine: Engine) -> None:
    component = Component(engine, IMPORTS)
    linker = Linker(engine)
    with linker.root() as root:
        with root.add_instance("ns:pkg/iface@1.0.0") as li:
            li.add_func("x", lambda store, a: a + 1)
    store = Store(engine)
    instance = linker.instantiate(store, component)
    assert instance.get_func(store, "ns:pkg/api@1.0.0#f") is None
    assert instance.get_func(store, "f") is None
    iface = instance.get_export_index(store, "ns:pkg/api@1.0.0")
    func_index = instance.get_export_index(store, "f", iface)
    assert func_index is not None
    func = instance.get_func(store, func_index)
    assert func is not None and func(store, 1) == 2
    # Indices from the Component work on its instances (compute them once).
    from_component = component.get_export_index("f", component.get_export_index("ns:pkg/api@1.0.0"))
    assert from_component is not None
    func = instance.get_func(store, from_component)
    assert func is not None and func(store, 2) == 3


def test_host_exception_reaches_the_caller_as_itself(engine: Engine) -> None:
    component = Component(engine, IMPORTS)
    boom = ValueError("from the host")
    seen: list[Any] = []

    def x(store: Any, a: int) -> int:
        seen.append(type(store).__name__)
        try:
            raise KeyError("inner")
        except KeyError as e:
            raise boom from e

    linker = Linker(engine)
    with linker.root() as root:
        with root.add_instance("ns:pkg/iface@1.0.0") as li:
            li.add_func("x", x)
    store = Store(engine)
    instance = linker.instantiate(store, component)
    func = instance.get_func(store, instance.get_export_index(store, "f", instance.get_export_index(store, "ns:pkg/api@1.0.0")))
    assert func is not None
    with pytest.raises(ValueError) as info:
        func(store, 1)
    assert info.value is boom and isinstance(info.value.__cause__, KeyError)
    assert seen == ["StoreContext"]


def test_store_context_identifies_its_store(engine: Engine) -> None:
    component = Component(engine, IMPORTS)
    addresses = []
    linker = Linker(engine)
    with linker.root() as root:
        with root.add_instance("ns:pkg/iface@1.0.0") as li:
            li.add_func("x", lambda s, a: addresses.append(ctypes.cast(s._context(), ctypes.c_void_p).value) or a)
    store = Store(engine, data={"k": 1})
    instance = linker.instantiate(store, component)
    func = instance.get_func(store, instance.get_export_index(store, "f", instance.get_export_index(store, "ns:pkg/api@1.0.0")))
    assert func is not None
    func(store, 1)
    assert addresses == [ctypes.cast(store._context(), ctypes.c_void_p).value]


def test_falsy_store_data_is_dropped(engine: Engine) -> None:
    assert Store(engine, data={}).data() is None
    assert Store(engine, data={"k": 1}).data() == {"k": 1}


def test_more_than_32_flags_are_rejected(engine: Engine) -> None:
    names = " ".join(f'"f{i}"' for i in range(33))
    with pytest.raises(WasmtimeError, match="more than 32 flags"):
        Component(engine, f"(component (type $f (flags {names})) (export \"f\" (type $f)))")


def test_variant_tagging_depends_on_case_classes(engine: Engine, guest: Any, wasi_store: Store, wasi_linker: Linker) -> None:
    """`shape` (f64 | record | none) is untagged; option<option<u32>> is tagged."""
    from wasmtime.component import ResultType, VariantType

    component = guest("coverage")
    exports = component.type.exports(engine)["witgen:coverage/guest-echo@0.1.0"].ty.exports(engine)
    variants = exports["variants"].ty.params[0][1]
    nested = exports["nested-options"].ty.params[0][1]
    ambiguous = exports["ambiguous-results"].ty.params[0][1]
    results = exports["results"].ty.params[0][1]
    assert isinstance(variants, VariantType) and not variants._tagged()
    assert nested._tagged() and ambiguous._tagged()
    assert isinstance(results, ResultType) and not results._tagged()


def test_raw_values_of_each_type(engine: Engine, guest: Any) -> None:
    """Records by WIT field name, enums as str, flags as set[str], untagged
    variants as bare payloads; tagged ones as Variant."""
    component = guest("coverage")
    received: dict[str, Any] = {}
    linker = Linker(engine)
    linker.add_wasip2()
    from wasmtime import WasiConfig

    def echo(name: str) -> Any:
        def f(store: Any, *args: Any) -> Any:
            received[name] = args
            return args[0] if len(args) == 1 else (tuple(args) if args else None)
        return f

    names = ["records", "enums", "flag-sets", "variants", "nested-options", "results"]
    with linker.root() as root:
        root.add_func("host-double", lambda s, x: x)
        with root.add_instance("witgen:coverage/host-echo@0.1.0") as li:
            for n in ["bools", "ints", "floats", "chars", "strings", "bytes", "lists", "records", "enums",
                      "flag-sets", "variants", "options", "nested-options", "results", "unit-results",
                      "ambiguous-results", "tuples", "list-of-records", "fallible", "nothing", "weigh-plus",
                      "drawings", "nested"]:
                li.add_func(n, echo(n))
            li.add_resource("bowl", ResourceType.host(1), lambda s, rep: None)
            for n in ["[constructor]bowl", "[method]bowl.weigh", "[static]bowl.merge"]:
                li.add_func(n, echo(n))
    store = Store(engine)
    store.set_wasi(WasiConfig())
    instance = linker.instantiate(store, component)
    iface = instance.get_export_index(store, "witgen:coverage/guest-echo@0.1.0")

    def call(name: str, *args: Any) -> Any:
        func = instance.get_func(store, instance.get_export_index(store, name, iface))
        assert func is not None
        return func(store, *args)

    point = Record()
    point.x, point.y = 1, 2
    mixed = Record()
    mixed.__dict__.update({"a-bool": True, "name": "n", "at": point, "tags": [], "maybe": None})
    assert call("records", mixed).__dict__["a-bool"] is True
    assert call("enums", "blue-ish") == "blue-ish"
    assert call("flag-sets", {"read", "exec"}) == {"read", "exec"}
    assert call("variants", 1.5) == 1.5
    assert call("variants", None) is None
    with pytest.raises(ValueError):
        call("variants", Variant("circle", 1.5))
    assert call("nested-options", Variant("some", None)) == Variant("some", None)
    assert call("results", "bad") == "bad"  # err case of result<u32, string>
    assert set(received) >= set(names)


# wasmtime 50.0.x fails host calls receiving borrows that 49 passes
# ("BUG: deferred host scope has no call context"; ../shared/PLATFORM.md).
WASMTIME_50 = metadata.version("wasmtime").startswith("50.")
DEFERRED_SCOPE_BUG = "deferred host scope has no call context"


def test_borrows_must_be_released_by_the_host(engine: Engine, guest: Any) -> None:
    linker = Linker(engine)
    with linker.root() as root:
        with root.add_instance("ns:pkg/r") as li:
            li.add_resource("bowl", ResourceType.host(7), lambda s, rep: None)
            li.add_func("[constructor]bowl", lambda s, n: ResourceHost.own(n, 7))
            li.add_func("[method]bowl.weigh", lambda s, b: 1)  # no to_host()
            li.add_func("[static]bowl.merge", lambda s, a, b: ResourceHost.own(a.to_host(s).rep + b.to_host(s).rep, 7))
    store = Store(engine)
    instance = linker.instantiate(store, guest("host-resource"))
    make, take = instance.get_func(store, "make"), instance.get_func(store, "take")
    assert make is not None and take is not None
    with pytest.raises(WasmtimeError, match="borrow handles still remain"):
        take(store, make(store, 3))  # the guest lends its own bowl to weigh


def test_two_borrows_in_one_host_call(engine: Engine, guest: Any) -> None:
    """Fails on wasmtime 50.0.x ("deferred host scope has no call context"):
    when a 50.x passes this, the runtime's refusal (TWO_HOST_BORROWS_FAIL)
    can go."""
    dropped: list[int] = []
    linker = Linker(engine)
    with linker.root() as root:
        with root.add_instance("ns:pkg/r") as li:
            li.add_resource("bowl", ResourceType.host(7), lambda s, rep: dropped.append(rep))
            li.add_func("[constructor]bowl", lambda s, n: ResourceHost.own(n, 7))
            li.add_func("[method]bowl.weigh", lambda s, b: b.to_host(s).rep)
            li.add_func("[static]bowl.merge", lambda s, a, b: ResourceHost.own(a.to_host(s).rep + b.to_host(s).rep, 7))
    store = Store(engine)
    run = linker.instantiate(store, guest("host-resource")).get_func(store, "run")
    assert run is not None
    if WASMTIME_50:
        with pytest.raises(WasmtimeError, match=DEFERRED_SCOPE_BUG):
            run(store, 3)
        return
    assert run(store, 3) == 8
    assert sorted(dropped) == [3, 5, 8]  # the destructor gets (store, rep)


def test_serialized_component_loads(engine: Engine, scalars: Component, tmp_path: Path) -> None:
    path = tmp_path / "c.cwasm"
    path.write_bytes(scalars.serialize())
    loaded = Component.deserialize_file(engine, str(path))
    assert _call(engine, loaded, "s32", 5) == 5
    with pytest.raises(WasmtimeError):
        from wasmtime import Config

        config = Config()
        config.consume_fuel = True
        Component.deserialize_file(Engine(config), str(path))


def test_surrogate_char_aborts_the_process() -> None:
    """Why the runtime rejects surrogates itself: wasmtime panics (SIGABRT)."""
    code = textwrap.dedent(
        """
        from wasmtime import Engine, Store
        from wasmtime.component import Component, Linker
        e = Engine()
        c = Component(e, '''(component
          (core module $m (func (export "id") (param i32) (result i32) local.get 0))
          (core instance $i (instantiate $m))
          (func (export "c") (param "x" char) (result char) (canon lift (core func $i "id"))))''')
        s = Store(e)
        Linker(e).instantiate(s, c).get_func(s, "c")(s, "\\ud800")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "panicked" in proc.stderr


def test_lending_a_host_resource_to_an_export(engine: Engine, guest: Any) -> None:
    """`ResourceHost.borrow` cannot be passed to an export (a wasmtime bug
    trap); an own `ResourceAny` passed to the borrow parameter works."""
    dropped: list[int] = []
    linker = Linker(engine)
    with linker.root() as root:
        with root.add_instance("ns:pkg/r") as li:
            li.add_resource("bowl", ResourceType.host(7), lambda s, rep: dropped.append(rep))
            li.add_func("[constructor]bowl", lambda s, n: ResourceHost.own(n, 7))
            li.add_func("[method]bowl.weigh", lambda s, b: b.to_host(s).rep)
            li.add_func("[static]bowl.merge", lambda s, a, b: ResourceHost.own(0, 7))
    store = Store(engine)
    peek = linker.instantiate(store, guest("host-resource")).get_func(store, "peek")
    assert peek is not None
    own = ResourceHost.own(42, 7).to_any(store)
    assert peek(store, own) == 42
    assert peek(store, own) == 42  # still ours
    own.drop(store)
    assert dropped == []  # no destructor for a handle the host made itself
    if WASMTIME_50:  # fixed in 50: a host borrow can be passed to an export
        assert peek(store, ResourceHost.borrow(43, 7)) == 43
        return
    with pytest.raises(WasmtimeError, match="no current scope"):
        peek(store, ResourceHost.borrow(43, 7))
