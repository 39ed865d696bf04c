"""A generated package needs wasmtime and witgen-runtime, nothing else: it
imports and runs in a fresh venv holding only those two (no witgen, lark,
jinja2 or black), and says what to do when the runtime is not the one it
was generated for."""

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

import witgen_runtime
from venvs import fresh_venv, install_wheels, see_only_wasmtime
from witgen.api import generate

ROOT = Path(__file__).resolve().parents[1]

ADDER_WAT = """(component
  (core module $m (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" s32) (param "b" s32) (result s32) (canon lift (core func $i "add"))))
"""


def test_a_generated_package_runs_with_only_wasmtime_and_the_runtime(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT / "runtime")],
        capture_output=True, text=True,
    )
    if build.returncode != 0:
        pytest.fail(f"building the runtime's wheel failed:\n{build.stdout}\n{build.stderr}")
    (wheel,) = wheels.glob("witgen_runtime-*.whl")
    env_dir = tmp_path / "venv"
    python = fresh_venv(env_dir)
    install_wheels(python, wheel)
    see_only_wasmtime(python, tmp_path / "wasmtime-only")

    wit = tmp_path / "adder.wit"
    wit.write_text("package demo:adder;\n\nworld adder {\n  export add: func(a: s32, b: s32) -> s32;\n}\n")
    package = tmp_path / "app" / "adder_bindings"
    package.mkdir(parents=True)
    for path, text in generate(wit).files.items():
        (package / path).write_text(text)
    (tmp_path / "app" / "adder.wat").write_text(ADDER_WAT)
    script = textwrap.dedent("""
        import importlib.util, sys
        for name in ("witgen", "lark", "jinja2", "black"):
            assert importlib.util.find_spec(name) is None, name + " is importable"
        from wasmtime import Engine, Store
        from wasmtime.component import Component, Linker
        import adder_bindings
        engine = Engine()
        store = Store(engine)
        world = adder_bindings.Adder.instantiate(store, Component(engine, open("adder.wat").read()), Linker(engine))
        print(world.add(store, 40, 2))
        try:
            world.add(store, 2**31, 0)
        except ValueError as e:
            print(e)
        print(adder_bindings.Adder.__module__, sys.modules["witgen_runtime"].__file__)
    """)
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(python), "-c", script], cwd=tmp_path / "app", capture_output=True, text=True,
                         env=environment)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:2] == ["42", "a: 2147483648 is out of range for s32 (-2147483648..2147483647)"]
    assert str(env_dir) in lines[2]  # the runtime came from the wheel
    assert sysconfig.get_paths()["purelib"] not in lines[2]


def test_a_package_for_another_runtime_interface_says_what_to_do() -> None:
    with pytest.raises(ImportError, match=r"^my_bindings was generated for witgen-runtime interface 99, .*"
                                          r"upgrade the runtime: pip install --upgrade witgen-runtime$"):
        witgen_runtime.require_interface(99, "my_bindings")
    with pytest.raises(ImportError, match=r"interface 0, .*regenerate my_bindings with a witgen"):
        witgen_runtime.require_interface(0, "my_bindings")
    witgen_runtime.require_interface(witgen_runtime.INTERFACE, "my_bindings")


def test_generated_packages_check_the_interface_they_were_made_for(tmp_path: Path) -> None:
    wit = tmp_path / "adder.wit"
    wit.write_text("package demo:adder;\n\nworld adder {\n  export add: func(a: s32, b: s32) -> s32;\n}\n")
    init = generate(wit).files["__init__.py"]
    check = f"_rt.require_interface({witgen_runtime.INTERFACE}, __name__)"
    assert check in init
    # Before the package imports anything else of the runtime or itself.
    assert init.index(check) < init.index("from witgen_runtime import")
