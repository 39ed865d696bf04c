"""`--with`: a package that reuses another generated package's modules.

Package A is `witgen export` of the coverage WIT (`e2e_with_host`); package B
is `witgen import` of its world with `types` and `host-echo` taken from A
(`e2e_with_world`). B writes no module for them, its own code names A's
classes, both pass `mypy --strict` with typed host code (`with_host.py`), and
A's values cross the real coverage guest through B. Package C reuses every
interface, the exported one too, from the session's plain import package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

from witgen.api import generate

from .conftest import GUESTS, generate_and_import
from .test_coverage import EchoHost, _roundtrips

HERE = Path(__file__).resolve().parent
COVERAGE = GUESTS / "coverage" / "wit"
WITH = {"witgen:coverage/types": "e2e_with_host.types", "witgen:coverage/host-echo": "e2e_with_host.host_echo"}


@pytest.fixture(scope="module")
def packages(generated_root: Path) -> SimpleNamespace:
    a = generate_and_import(generated_root, "e2e_with_host", COVERAGE, "export")
    b = generate_and_import(generated_root, "e2e_with_world", COVERAGE, with_=WITH)
    return SimpleNamespace(a=a, b=b)


@pytest.fixture(scope="module")
def everything_reused(generated_root: Path, bindings: SimpleNamespace) -> ModuleType:
    """C: every interface from the session's `e2e_coverage` (an import of the
    same world), so the exported one's accessor is that package's too."""
    return generate_and_import(
        generated_root, "e2e_with_all", COVERAGE,
        with_={
            "witgen:coverage/types": "e2e_coverage.types",
            "witgen:coverage/host-echo": "e2e_coverage.host_echo",
            "witgen:coverage/guest-echo@0.1.0": "e2e_coverage.guest_echo",
        },
    )


def test_b_has_no_module_or_class_of_its_own_for_what_it_reuses(packages: SimpleNamespace, generated_root: Path) -> None:
    a, b = packages.a, packages.b
    assert sorted(p.name for p in (generated_root / "e2e_with_world").iterdir() if p.suffix != ".pyc" and p.is_file()) == [
        "__init__.py", "guest_echo.py", "py.typed"
    ]
    assert b.guest_echo._types is a.types
    assert b.guest_echo._types.Point is a.types.Point
    hints = typing.get_type_hints(b.guest_echo.Exports.drawings)
    assert hints == {"store": Store, "d": a.types.Drawing, "return": a.types.Drawing}
    # The host side of host-echo is A's: its Protocol and its add_to_linker.
    init = "".join((generated_root / "e2e_with_world" / "__init__.py").read_text().split())  # black's layout aside
    assert ("host_echo:Union[_host_echo.Host,_host_echo.AsyncHost,"
            "Callable[[Store],Union[_host_echo.Host,_host_echo.AsyncHost]]" in init)
    assert b._host_echo is a.host_echo


def test_b_is_the_plain_package_less_the_reused_modules() -> None:
    """Without `with`, the same modules with the same names: what B's code
    names in A is what A defines, because names depend on the interface."""
    plain = generate(COVERAGE).files
    reused = generate(COVERAGE, with_=WITH).files
    assert set(plain) - set(reused) == {"types.py", "host_echo.py"}
    assert reused["guest_echo.py"] == plain["guest_echo.py"].replace(
        "from . import types as _types", "import e2e_with_host.types as _types"
    )
    assert generate(COVERAGE, "export").files["types.py"] == plain["types.py"]


def test_both_packages_and_typed_host_code_pass_mypy_strict(
    packages: SimpleNamespace, everything_reused: ModuleType, generated_root: Path
) -> None:
    # The checkout's runtime first, as the generated code needs it.
    env = {**os.environ, "MYPYPATH": f"{generated_root}{os.pathsep}{Path(__file__).resolve().parents[2] / 'runtime'}"}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", os.devnull,
         *(str(generated_root / name) for name in ("e2e_with_host", "e2e_with_world", "e2e_with_all")),
         str(HERE / "with_host.py")],
        cwd=generated_root, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_values_cross_the_guest_through_b(packages: SimpleNamespace, guest: Any, engine: Engine) -> None:
    from . import with_host

    t = packages.a.types
    result = with_host.run(engine, guest("coverage"))
    assert result == {
        "drawing": True,
        "mixed": t.Mixed(True, "n", t.Point(1, -2), ["x"], 7),
        "color": t.Color.BLUE_ISH,
        "perms": t.Perms.WRITE,
        "shape": t.Shape_Rect(t.Point(5, 6)),
        "points": [t.Point(1, 2)],
        "error": t.Color.BLUE_ISH,
        "bowls": (7, 3004),
        "counted": 83,
        "double": 42,
    }
    for key in ("mixed", "color", "perms", "shape"):
        assert type(result[key]).__module__ == "e2e_with_host.types", key


def test_every_coverage_value_roundtrips_with_a_classes(packages: SimpleNamespace, guest: Any, engine: Engine) -> None:
    a, b = packages.a, packages.b
    pkg = SimpleNamespace(types=a.types, Ok=b.Ok, Err=b.Err, Some=b.Some)
    host = EchoHost(pkg)
    linker = Linker(engine)
    b.Coverage.add_to_linker(linker, host_echo=host, imports=host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    echo = b.Coverage.instantiate(store, guest("coverage"), linker).guest_echo
    for name, args, expected in _roundtrips(pkg):
        out = getattr(echo, name)(store, *args)
        assert out == expected and type(out) is type(expected), (name, args)


def test_c_reuses_the_exported_interfaces_accessor_and_proxies(
    everything_reused: ModuleType, bindings: SimpleNamespace, guest: Any, engine: Engine, generated_root: Path
) -> None:
    c, other = everything_reused, bindings.coverage
    assert sorted(p.name for p in (generated_root / "e2e_with_all").iterdir() if p.is_file()) == ["__init__.py", "py.typed"]
    host = EchoHost(other)
    linker = Linker(engine)
    c.Coverage.add_to_linker(linker, host_echo=host, imports=host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    world = c.Coverage.instantiate(store, guest("coverage"), linker)
    assert type(world.guest_echo) is other.guest_echo.Exports
    point = other.types.Point(1, 2)
    assert world.guest_echo.list_of_records(store, [point]) == [point]
    with world.guest_echo.make_counter(store, 5) as counter:
        assert type(counter) is other.guest_echo.Counter
        assert counter.increment(store) == 6
    assert world.double_via_host(store, 4) == 8
