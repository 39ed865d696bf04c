"""Generated `instantiate` compares the component with the world before
linking it: a mismatch is one `BindingMismatchError` listing everything,
raised before any guest code runs or any import is looked up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from wasmtime import Engine, Store, WasmtimeError
from wasmtime.component import Component, Linker

from dummy_components import ECHO, OTHER, OTHER_DIFFERENCES, dummy_component

from .conftest import FIXTURES, generate_and_import


@pytest.fixture(scope="module")
def echo_pkg(tmp_path_factory: pytest.TempPathFactory, generated_root: Path) -> Any:
    wit = tmp_path_factory.mktemp("echo-wit") / "echo.wit"
    wit.write_text(ECHO)
    return generate_and_import(generated_root, "e2e_verify_echo", wit)


def test_a_mismatch_is_one_error_listing_everything_before_linking(
    echo_pkg: Any, engine: Engine, tmp_path: Path
) -> None:
    other = Component.from_file(engine, str(dummy_component(tmp_path, OTHER, "echo")))
    # An empty linker: linking would fail on the first missing import, so
    # the error below can only come from the check before it.
    with pytest.raises(echo_pkg.BindingMismatchError) as caught:
        echo_pkg.Echo.instantiate(Store(engine), other, Linker(engine))
    assert caught.value.differences == OTHER_DIFFERENCES
    assert str(caught.value).count("\n  ") == len(OTHER_DIFFERENCES)


def test_a_matching_component_goes_on_to_linking(echo_pkg: Any, engine: Engine, tmp_path: Path) -> None:
    same = Component.from_file(engine, str(dummy_component(tmp_path, ECHO, "echo")))
    with pytest.raises(WasmtimeError, match="matching implementation was not found"):  # checked, then linked
        echo_pkg.Echo.instantiate(Store(engine), same, Linker(engine))


def test_an_exported_interfaces_class_checks_it(echo_pkg: Any, engine: Engine, tmp_path: Path) -> None:
    other = Component.from_file(engine, str(dummy_component(tmp_path, OTHER, "echo")))
    with pytest.raises(echo_pkg.BindingMismatchError) as caught:
        echo_pkg.store.Exports.instantiate(Store(engine), other, Linker(engine))
    assert caught.value.differences == [
        "export `demo:echo/store#put`: param req → field body: list<u8> vs string"]


@pytest.mark.parametrize("name, wit", [
    ("adder", "adder.wit"), ("kv-store", "kv-store"), ("interfaced-adder", "interfaced-adder.wit"),
    ("coverage", "../tests/guests/coverage/wit"),
])
def test_componentize_py_guests_match_their_worlds(name: str, wit: str, guest: Any, engine: Engine) -> None:
    """Real components: WASI imports besides the world's, extra exports of
    componentize-py's own, resources, every type kind the coverage world has."""
    import witgen

    found = witgen.verify(guest(name), FIXTURES / wit, engine=engine)
    assert found.differences == []
