"""Host-implemented resources against the hand-written `host-resource` guest
(component-model text): guest drops close host objects, bad handles trap
cleanly, and the host lends or gives its objects to exports.

wasmtime 50.0.x cannot pass two borrows to a host function (the runtime
refuses to link one there), so on 50 these tests run the same guest with
`merge` taking the second bowl's grams (`b: u32`, the guest passing 5)
instead of the second bowl: every number stays the same."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest
from wasmtime import Engine, Store
from wasmtime.component import Component, Linker

import witgen_runtime

from .conftest import generate_and_import

# What tests/guests/host-resource/host-resource.wat implements.
WIT = """package ns:pkg;

interface r {
  resource bowl {
    constructor(n: u32);
    weigh: func() -> u32;
    merge: static func(a: borrow<bowl>, b: borrow<bowl>) -> bowl;
  }
}

world host-resource {
  use r.{bowl};
  import r;
  /// Makes bowls n and 5, merges them, weighs the merge, drops all three.
  export run: func(n: u32) -> u32;
  /// Weighs handle 99, which it does not have.
  export weigh-bad: func() -> u32;
  export take: func(b: bowl) -> u32;
  export make: func(n: u32) -> bowl;
  export peek: func(b: borrow<bowl>) -> u32;
  /// The weight of `b` plus `n`.
  export take2: func(b: bowl, n: u32) -> u32;
  /// The weights of `a` and `b` added (these two: guest drops both).
  export take-both: func(a: bowl, b: bowl) -> u32;
  export peek-take: func(a: borrow<bowl>, b: bowl) -> u32;
}
"""


class BowlHost:
    def __init__(self) -> None:
        self.closed: list[int] = []
        host = self

        class Bowl:
            def __init__(self, n: int) -> None:
                self.grams = n

            def weigh(self) -> int:
                return self.grams

            @staticmethod
            def merge(a: "Bowl", b: "Bowl | int") -> "Bowl":
                return Bowl(a.grams + (b if isinstance(b, int) else b.grams))

            def close(self) -> None:
                host.closed.append(self.grams)

        self.Bowl = Bowl


TWO_BORROWS = "merge: static func(a: borrow<bowl>, b: borrow<bowl>) -> bowl;"
ONE_BORROW = "merge: static func(a: borrow<bowl>, b: u32) -> bowl;"
GUEST = Path(__file__).resolve().parent.parent / "guests" / "host-resource" / "host-resource.wat"


def _one_borrow_guest() -> str:
    """The guest's text with `merge(a: borrow<bowl>, b: u32)`, called with 5."""
    text = GUEST.read_text()
    for old, new in [
        ('(param "b" (borrow $b)) (result (own $b))', '(param "b" u32) (result (own $b))'),
        ("local.get $a local.get $b call $merge", "local.get $a i32.const 5 call $merge"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def two_borrow_pkg(generated_root: Path, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The world as the guest has it (`merge` taking two borrows)."""
    wit = tmp_path_factory.mktemp("host-resource") / "host-resource.wit"
    wit.write_text(WIT)
    return generate_and_import(generated_root, "e2e_host_resource", wit)


@pytest.fixture(scope="module")
def pkg(two_borrow_pkg: ModuleType, generated_root: Path, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The world these tests run: on wasmtime 50, `merge` takes one borrow."""
    if not witgen_runtime.TWO_HOST_BORROWS_FAIL:
        return two_borrow_pkg
    assert WIT.count(TWO_BORROWS) == 1
    wit = tmp_path_factory.mktemp("host-resource-one-borrow") / "host-resource.wit"
    wit.write_text(WIT.replace(TWO_BORROWS, ONE_BORROW))
    return generate_and_import(generated_root, "e2e_host_resource_one_borrow", wit)


@pytest.fixture(scope="module")
def component(guest: Any, engine: Engine) -> Component:
    if not witgen_runtime.TWO_HOST_BORROWS_FAIL:
        loaded: Component = guest("host-resource")
        return loaded
    return Component(engine, _one_borrow_guest())


@pytest.fixture
def world(pkg: ModuleType, component: Component, engine: Engine) -> Iterator[tuple[Any, Store, BowlHost]]:
    host = BowlHost()
    linker = Linker(engine)
    pkg.HostResource.add_to_linker(linker, r=host, wasi=False)  # the guest imports no WASI
    store = Store(engine)
    yield pkg.HostResource.instantiate(store, component, linker), store, host


def test_two_borrowed_host_resources_are_refused_on_wasmtime_50(two_borrow_pkg: ModuleType, engine: Engine) -> None:
    """wasmtime 50.0.x fails every call of a host function taking two
    borrows (../shared/PLATFORM.md): refused when linked, naming the
    function and the bug, never in the middle of a call. 49 links it."""
    pkg, linker = two_borrow_pkg, Linker(engine)
    if not witgen_runtime.TWO_HOST_BORROWS_FAIL:
        pkg.HostResource.add_to_linker(linker, r=BowlHost(), wasi=False)
        return
    with pytest.raises(pkg.UnsupportedError) as info:
        pkg.HostResource.add_to_linker(linker, r=BowlHost(), wasi=False)
    message = str(info.value)
    assert message.startswith("ns:pkg/r#[static]bowl.merge takes 2 borrowed host resources, and wasmtime 50.")
    assert "deferred host scope has no call context" in message and "wasmtime>=49,<50" in message


def _live_handles(pkg: ModuleType, store: Store) -> int:
    return len(witgen_runtime.store_state(store).handles)


def test_guest_drops_close_host_objects(pkg: ModuleType, world: Any) -> None:
    w, store, host = world
    assert w.run(store, 3) == 8  # constructor, static with two borrows, method
    assert sorted(host.closed) == [3, 5, 8]
    assert _live_handles(pkg, store) == 0


def test_a_guest_using_a_handle_it_does_not_have_traps_cleanly(pkg: ModuleType, world: Any) -> None:
    w, store, _ = world
    with pytest.raises(pkg.Trap, match="unknown handle index 99"):
        w.weigh_bad(store)
    with pytest.raises(pkg.InstancePoisonedError):
        w.run(store, 1)


def test_host_lends_and_gives_its_objects_to_exports(pkg: ModuleType, world: Any) -> None:
    w, store, host = world
    bowl = host.Bowl(12)
    assert w.peek(store, bowl) == 12  # lent for the call only: never closed
    assert w.peek(store, bowl) == 12
    assert _live_handles(pkg, store) == 0 and host.closed == []
    assert w.take(store, host.Bowl(13)) == 13  # given: the guest drops it, the host closes it
    assert host.closed == [13] and _live_handles(pkg, store) == 0
    made = w.make(store, 14)  # made by the guest's constructor call; now the host's
    assert isinstance(made, host.Bowl) and made.grams == 14
    assert _live_handles(pkg, store) == 0 and host.closed == [13]
    assert w.run(store, 1) == 6  # nothing poisoned


def test_host_exception_in_a_constructor_traps(pkg: ModuleType, world: Any) -> None:
    w, store, host = world

    def broken(n: int) -> Any:
        raise OverflowError(n)

    host.Bowl = broken  # type: ignore[assignment]
    with pytest.raises(pkg.Trap, match="ns:pkg/r#\\[constructor\\]bowl raised OverflowError") as info:
        w.run(store, 1)
    assert isinstance(info.value.__cause__, OverflowError)


def test_host_side_and_world_from_separate_packages(
    pkg: ModuleType, generated_root: Path, tmp_path: Path, component: Component, engine: Engine
) -> None:
    """`witgen export --interface r` for the host side, the world package for
    the calls: host objects cross between them (own and borrow, both ways)."""
    wit = WIT.replace(TWO_BORROWS, ONE_BORROW) if witgen_runtime.TWO_HOST_BORROWS_FAIL else WIT
    (tmp_path / "host-resource.wit").write_text(wit)
    host_side = generate_and_import(
        generated_root, "e2e_host_resource_r", tmp_path / "host-resource.wit", "export", interface="r"
    )
    host = BowlHost()
    linker = Linker(engine)
    host_side.r.add_to_linker(linker, host)
    store = Store(engine)
    w = pkg.HostResource(store, linker.instantiate(store, component))
    assert w.run(store, 2) == 7 and sorted(host.closed) == [2, 5, 7]
    assert w.peek(store, host.Bowl(11)) == 11
    assert w.take(store, host.Bowl(12)) == 12 and host.closed[-1] == 12
    made = w.make(store, 13)
    assert isinstance(made, host.Bowl) and made.grams == 13
    assert _live_handles(pkg, store) == _live_handles(host_side, store) == 0


@pytest.mark.parametrize("bad", [None, "bowl", 5, object()], ids=["None", "str", "int", "object"])
def test_a_host_resource_argument_must_be_an_instance_of_the_hosts_class(
    pkg: ModuleType, world: Any, bad: Any
) -> None:
    """Anything else would reach the guest, trap when it calls the resource,
    and poison the store: refused first, naming the parameter."""
    w, store, host = world
    expected = f"expected Bowl, got {type(bad).__name__}"
    with pytest.raises(TypeError, match=f"^b: {expected}$"):
        w.take(store, bad)  # own
    with pytest.raises(TypeError, match=f"^b: {expected}$"):
        w.peek(store, bad)  # borrow
    with pytest.raises(TypeError, match=f"^b: {expected}$"):
        w.take_both(store, host.Bowl(1), bad)
    assert _live_handles(pkg, store) == 0 and host.closed == []
    assert w.run(store, 1) == 6  # nothing poisoned


def test_other_linkers_hosts_do_not_decide_what_a_store_accepts(pkg: ModuleType, world: Any, engine: Engine) -> None:
    """Another linker in the process implements the same resource with a
    factory (its class unknown): this store still checks against its own
    linker's class."""

    class FactoryHost:
        Bowl = staticmethod(lambda n: BowlHost().Bowl(n))

    other = Linker(engine)
    pkg.HostResource.add_to_linker(other, r=FactoryHost(), wasi=False)
    w, store, _ = world
    with pytest.raises(TypeError, match="^b: expected Bowl, got object$"):
        w.take(store, object())
    assert w.run(store, 1) == 6


def test_another_hosts_class_of_the_same_name_is_refused(world: Any) -> None:
    w, store, _ = world
    with pytest.raises(TypeError, match="^b: expected .*Bowl, got another class of that name$"):
        w.take(store, BowlHost().Bowl(3))  # a host no linker was given


def test_a_host_returning_a_wrong_object_for_a_resource_traps_naming_it(world: Any, pkg: ModuleType) -> None:
    w, store, host = world
    host.Bowl.merge = staticmethod(lambda a, b: "merged")
    with pytest.raises(pkg.Trap) as info:
        w.run(store, 1)
    assert isinstance(info.value.__cause__, TypeError)
    assert str(info.value.__cause__) == "return value of ns:pkg/r#[static]bowl.merge: expected Bowl, got str"


def test_a_refused_call_leaves_nothing_in_the_handle_table(pkg: ModuleType, world: Any) -> None:
    """`b` is lowered (put in the table) before `n` is refused: undone, so
    a later release_store does not close an object the host still owns."""
    w, store, host = world
    bowl = host.Bowl(5)
    with pytest.raises(ValueError, match="^n: 4294967296 is out of range for u32"):
        w.take2(store, bowl, 2**32)
    assert _live_handles(pkg, store) == 0
    assert w.take2(store, bowl, 1) == 6 and host.closed == [5]  # given for real: the guest dropped it
    keep = host.Bowl(7)
    with pytest.raises(ValueError, match="^n: "):
        w.take2(store, keep, -1)
    pkg.release_store(store)
    assert host.closed == [5]  # `keep` is still the host's


def test_one_host_object_is_given_at_most_once_per_call(pkg: ModuleType, world: Any) -> None:
    """The component model moves an own handle, and cannot move a lent one:
    the same object twice as own, or as borrow and own, is refused."""
    w, store, host = world
    bowl = host.Bowl(4)
    with pytest.raises(ValueError, match="^b: this Bowl is already passed as own in a of the same call"):
        w.take_both(store, bowl, bowl)
    with pytest.raises(ValueError, match="^b: this Bowl is borrowed in a of the same call"):
        w.peek_take(store, bowl, bowl)
    assert _live_handles(pkg, store) == 0 and host.closed == []
    assert w.take_both(store, bowl, host.Bowl(6)) == 10 and sorted(host.closed) == [4, 6]
    lent = host.Bowl(1)
    assert w.peek_take(store, lent, host.Bowl(2)) == 3 and 1 not in host.closed


def test_release_store_closes_every_object_even_if_some_close_raises(pkg: ModuleType, world: Any) -> None:
    w, store, host = world
    base = host.Bowl

    class Breaking(base):  # type: ignore[misc,valid-type]
        def weigh(self) -> int:
            raise RuntimeError("no scale")

        @staticmethod
        def merge(a: Any, b: Any) -> Any:
            return Breaking(base.merge(a, b).grams)

        def close(self) -> None:
            super().close()
            if self.grams != 5:
                raise OSError(f"bowl {self.grams} stuck")

    host.Bowl = Breaking
    with pytest.raises(pkg.Trap):
        w.run(store, 3)  # bowls 3, 5 and 8 left in the guest by the trap
    assert _live_handles(pkg, store) == 3
    with pytest.raises(pkg.CloseError) as info:
        pkg.release_store(store)
    assert sorted(host.closed) == [3, 5, 8]  # all of them, though two raised
    assert sorted(str(e) for e in info.value.errors) == ["bowl 3 stuck", "bowl 8 stuck"]
    assert isinstance(info.value.__cause__, OSError)
    assert "2 host object(s) failed to close" in str(info.value)
