"""Pytest fixtures for tests that run guest components.

Tests outside this folder import them explicitly::

    from guests.plugin import engine, guest, wasi_linker, wasi_store  # noqa: F401

(``tests/`` is on ``sys.path`` under pytest's default import mode.)
"""

from __future__ import annotations

from typing import Callable

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Component, Linker

from . import build

GuestLoader = Callable[[str], Component]


@pytest.fixture(scope="session")
def engine() -> Engine:
    """One engine (default Config) for the session: cached guests need it."""
    return Engine()


@pytest.fixture(scope="session")
def guest(engine: Engine) -> GuestLoader:
    """``guest("adder")`` -> the compiled component, built on first use per
    machine (componentize-py, ≈ 10 s) and loaded in milliseconds after."""
    loaded: dict[str, Component] = {}

    def load(name: str) -> Component:
        if name not in loaded:
            if name not in build.GUESTS:
                raise KeyError(f"unknown guest {name!r}; known: {', '.join(build.GUESTS)}")
            loaded[name] = build.load(engine, name)
        return loaded[name]

    return load


@pytest.fixture
def wasi_store(engine: Engine) -> Store:
    """A store with a default WASI context (componentize-py guests import WASI)."""
    store = Store(engine)
    store.set_wasi(WasiConfig())
    return store


@pytest.fixture
def wasi_linker(engine: Engine) -> Linker:
    """A linker with WASI 0.2 defined; add the world's own imports to it."""
    linker = Linker(engine)
    linker.add_wasip2()
    return linker
