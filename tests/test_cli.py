"""The command line as a user meets it: exit codes, output, no tracebacks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import witgen.cli
from witgen.cli import main
from witgen.api import generate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # `python -m witgen` from any cwd
    return subprocess.run(
        [sys.executable, "-m", "witgen", *args], cwd=cwd, capture_output=True, text=True, env=env
    )


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` (a whole tree, caches included)."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def as_bytes(files: dict[str, str]) -> dict[str, bytes]:
    return {path: text.encode() for path, text in files.items()}


TWO_WORLDS = "package a:b;\nworld first {\n  export f: func();\n}\nworld second {\n  export g: func();\n}\n"


def test_check_accepts_good_wit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURES / "kv-store"), str(FIXTURES / "adder.wit")]) == 0
    assert capsys.readouterr().err == ""


def test_check_reports_every_bad_interface_with_location_and_caret(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wit"
    bad.write_text(
        "package a:b;\n"
        "interface one {\n  type payload = list<u8>;\n  get: func() -> payloda;\n}\n"
        "interface two {\n  put: func(x: strin);\n}\n"
    )
    result = run("check", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"--> {bad}:4:18" in result.stderr
    assert "4 |   get: func() -> payloda;" in result.stderr
    assert "^^^^^^^" in result.stderr
    assert "did you mean `payload`?" in result.stderr
    assert f"--> {bad}:7:16" in result.stderr
    assert "error: 2 errors" in result.stderr


def test_check_resolves_its_paths_together() -> None:
    corpus = ROOT.parent / "shared" / "corpus" / "wasi-0.2.12"
    if not corpus.is_dir():
        pytest.skip(f"the WASI corpus is not at {corpus}")
    folders = sorted(str(p) for p in corpus.iterdir() if p.is_dir())
    assert main(["check", *folders]) == 0


def test_check_warns_about_legacy_wit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURES / "cache.wit")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: ") and "legacy (2022)" in err
    assert "witgen migrate" in err


def test_missing_file_is_a_diagnostic_not_a_traceback() -> None:
    result = run("check", "no/such/file.wit")
    assert result.returncode == 1
    assert result.stderr.startswith("error: no such file or directory")


def test_parse_json_is_wit_parsers_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--json", str(FIXTURES / "adder.wit")]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in document["packages"]] == ["wasi-mindmap:adder"]
    assert list(document["worlds"][0]["exports"]) == ["add"]


def test_features_gate_unstable_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wit = tmp_path / "gated.wit"
    wit.write_text(
        "package a:b@1.0.0;\ninterface i {\n"
        "  @unstable(feature = shiny)\n  shiny: func();\n"
        "  @since(version = 1.0.0)\n  plain: func();\n}\n"
    )
    functions = []
    for flags in ([], ["--features", "shiny"], ["--all-features"]):
        assert main(["parse", "--json", str(wit), *flags]) == 0
        functions.append(sorted(json.loads(capsys.readouterr().out)["interfaces"][0]["functions"]))
    assert functions == [["plain"], ["plain", "shiny"], ["plain", "shiny"]]


def test_migrate_prints_modern_wit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(FIXTURES / "cache.wit"), "--legacy-package", "wasi-mindmap:cache"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("package wasi-mindmap:cache;\n")
    assert "set: func(key: string, value: payload, ttl: option<u32>) -> result<_, error>;" in out


def test_usage_errors_exit_2() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "usage: witgen" in result.stderr


def test_internal_errors_say_they_are_bugs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import witgen.loader

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(witgen.loader, "load_many", explode)
    assert main(["check", str(FIXTURES / "adder.wit")]) == 3
    err = capsys.readouterr().err
    assert "internal error in witgen; this is a bug" in err
    assert "RuntimeError: boom" in err


def test_python_dash_m_and_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("witgen ")


# ---- witgen import / export ----


def test_import_writes_a_package_named_after_the_world_in_the_cwd(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "adder.wit").write_text((FIXTURES / "adder.wit").read_text())
    result = run("import", "fixtures/adder.wit", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote 2 files to adder{os.sep}\n"
    assert result.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adder", "fixtures"]
    assert snapshot(tmp_path / "adder") == as_bytes(generate(FIXTURES / "adder.wit", "import").files)


def test_import_output_imports_and_names_its_world(tmp_path: Path) -> None:
    assert main(["import", str(FIXTURES / "kv-store"), "-o", str(tmp_path / "kv")]) == 0
    result = subprocess.run(
        [sys.executable, "-c", "import kv; print(kv.KvStore.__name__)"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "KvStore\n"


def test_export_writes_the_packages_interfaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "cache_host"
    assert main(["export", str(FIXTURES / "cache.wit"), "-o", str(target)]) == 0
    assert capsys.readouterr().out == f"wrote 3 files to {target}{os.sep}\n"
    assert snapshot(target) == as_bytes(generate(FIXTURES / "cache.wit", "export").files)
    assert "class Host(Protocol):" in (target / "cache.py").read_text()


def test_export_default_name_is_the_package(tmp_path: Path) -> None:
    result = run("export", str(FIXTURES / "interfaced-adder.wit"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "interfaced_adder" / "add.py").is_file()


def test_export_world_implements_its_imports(tmp_path: Path) -> None:
    target = tmp_path / "kv_host"
    assert main(["export", str(FIXTURES / "kv-store"), "--world", "kv-store", "-o", str(target)]) == 0
    assert snapshot(target) == as_bytes(generate(FIXTURES / "kv-store", "export", world="kv-store").files)
    assert "class Connection(Protocol):" in (target / "kvdb.py").read_text()
    assert "class KvStoreImports(Protocol):" in (target / "__init__.py").read_text()


def test_import_one_interface(tmp_path: Path) -> None:
    target = tmp_path / "add_only"
    assert main(["import", str(FIXTURES / "interfaced-adder.wit"), "--interface", "add", "-o", str(target)]) == 0
    assert snapshot(target) == as_bytes(generate(FIXTURES / "interfaced-adder.wit", "import", interface="add").files)


def test_regenerating_removes_files_of_the_older_generation(tmp_path: Path) -> None:
    target = tmp_path / "adder"
    assert main(["import", str(FIXTURES / "adder.wit"), "-o", str(target)]) == 0
    (target / "gone.py").write_text("# an interface the WIT no longer has\n")
    (target / "__pycache__").mkdir()
    (target / "__pycache__" / "gone.cpython-311.pyc").write_bytes(b"")
    assert main(["import", str(FIXTURES / "adder.wit"), "-o", str(target)]) == 0
    assert snapshot(target) == as_bytes(generate(FIXTURES / "adder.wit", "import").files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adder"]  # no staging left behind


def test_check_clean_stale_missing_extra(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "adder"
    adder = str(FIXTURES / "adder.wit")

    assert main(["import", adder, "-o", str(target), "--check"]) == 1  # nothing there yet
    out = capsys.readouterr().out
    assert f"missing: {target / '__init__.py'}" in out and f"missing: {target / 'py.typed'}" in out
    assert not target.exists(), "--check writes nothing"

    assert main(["import", adder, "-o", str(target)]) == 0
    capsys.readouterr()
    assert main(["import", adder, "-o", str(target), "--check"]) == 0
    assert capsys.readouterr().out == ""

    (target / "__init__.py").write_text("# Generated by witgen, then edited\n")
    (target / "py.typed").unlink()
    (target / "extra.py").write_text("")
    (target / "__pycache__").mkdir()
    (target / "__pycache__" / "x.pyc").write_bytes(b"")  # caches are not part of the package
    before = snapshot(target)
    assert main(["import", adder, "-o", str(target), "--check"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"stale: {target / '__init__.py'}",
        f"missing: {target / 'py.typed'}",
        f"extra: {target / 'extra.py'}",
    ]
    assert "out of date" in captured.err
    assert snapshot(target) == before


def test_check_exit_codes_follow_datamodel_code_generator(tmp_path: Path) -> None:
    """With --check, 1 only ever means "differs": errors are 2."""
    bad = tmp_path / "bad.wit"
    bad.write_text("package a:b;\nworld w { export f: func() -> nope; }\n")
    assert run("import", str(bad), "--check", cwd=tmp_path).returncode == 2
    assert run("import", str(bad), cwd=tmp_path).returncode == 1


def test_a_wit_error_leaves_the_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "pkg"
    assert main(["import", str(FIXTURES / "adder.wit"), "-o", str(target)]) == 0
    before = snapshot(target)
    bad = tmp_path / "bad.wit"
    bad.write_text("package a:b;\nworld w { export f: func() -> nope; }\n")
    result = run("import", str(bad), "-o", str(target))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "name `nope` does not exist" in result.stderr
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.wit", "pkg"]


def test_a_failed_write_leaves_the_target_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whole or nothing: a failure halfway through the package (here, the
    third file) neither half-updates the old package nor leaves debris."""
    target = tmp_path / "pkg"
    assert main(["import", str(FIXTURES / "kv-store"), "-o", str(target)]) == 0
    before = snapshot(target)
    capsys.readouterr()
    real_open = Path.open
    opened: list[Path] = []

    def failing_open(self: Path, mode: str = "r", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if "w" in mode:
            opened.append(self)
            if len(opened) == 3:
                raise OSError(28, "No space left on device")
        return real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", failing_open)
    assert main(["import", str(FIXTURES / "kv-store"), "-o", str(target), "--no-format"]) == 1
    monkeypatch.undo()
    assert capsys.readouterr().err == f"error: cannot write `{target}`: No space left on device\n"
    assert len(opened) == 3
    assert snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]


def test_a_failed_swap_puts_the_old_package_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pkg"
    assert main(["import", str(FIXTURES / "adder.wit"), "-o", str(target), "--no-format"]) == 0
    before = snapshot(target)
    real_rename = Path.rename

    def failing_rename(self: Path, destination: Path) -> Path:
        if self.name.endswith(".witgen-new"):
            raise OSError(18, "Invalid cross-device link")
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", failing_rename)
    assert main(["import", str(FIXTURES / "adder.wit"), "-o", str(target)]) == 1
    monkeypatch.undo()
    assert snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]


def test_an_unwritable_target_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run("import", str(FIXTURES / "adder.wit"), "-o", str(blocker / "adder"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: cannot write `{blocker / 'adder'}`")
    assert blocker.read_text() == "not a directory"

    result = run("import", str(FIXTURES / "adder.wit"), "-o", str(blocker))
    assert result.returncode == 2
    assert "is not a directory" in result.stderr


def test_a_directory_witgen_did_not_write_is_not_replaced_without_force(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "__init__.py").write_text("# my own code\n")
    result = run("import", str(FIXTURES / "adder.wit"), "-o", str(target))
    assert result.returncode == 2
    assert "not a package witgen generated" in result.stderr and "--force" in result.stderr
    assert snapshot(target) == {"__init__.py": b"# my own code\n"}

    assert run("import", str(FIXTURES / "adder.wit"), "-o", str(target), "--force").returncode == 0
    assert snapshot(target) == as_bytes(generate(FIXTURES / "adder.wit", "import").files)


def test_an_empty_directory_is_filled(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert main(["import", str(FIXTURES / "adder.wit"), "-o", str(target)]) == 0
    assert (target / "__init__.py").is_file()


def test_ambiguous_world_names_the_candidates(tmp_path: Path) -> None:
    wit = tmp_path / "two.wit"
    wit.write_text(TWO_WORLDS)
    result = run("import", str(wit), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: package `a:b` has several worlds or none (`first`, `second`): name one\n"
    assert list(tmp_path.iterdir()) == [wit]

    assert run("import", str(wit), "--world", "second", cwd=tmp_path).returncode == 0
    assert (tmp_path / "second" / "__init__.py").is_file()


def test_missing_world_or_interface_names_the_candidates(tmp_path: Path) -> None:
    wit = tmp_path / "two.wit"
    wit.write_text(TWO_WORLDS)
    result = run("import", str(wit), "--world", "third", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: no world `third` (the path defines `a:b/first`, `a:b/second`)\n"

    result = run("import", str(FIXTURES / "interfaced-adder.wit"), "--interface", "sub", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: no interface `sub` (the package has `add`)\n"

    result = run("export", str(wit), cwd=tmp_path)
    assert result.returncode == 2
    assert "defines no interfaces" in result.stderr and "`first`, `second`" in result.stderr
    assert list(tmp_path.iterdir()) == [wit]


def test_world_takes_wit_parsers_escaped_spelling(tmp_path: Path) -> None:
    wit = tmp_path / "kw.wit"
    wit.write_text("package a:b;\nworld %from { export f: func(); }\nworld other { export g: func(); }\n")
    assert main(["import", str(wit), "--world", "%from", "-o", str(tmp_path / "escaped")]) == 0
    assert main(["import", str(wit), "--world", "from", "-o", str(tmp_path / "plain")]) == 0
    assert snapshot(tmp_path / "escaped") == snapshot(tmp_path / "plain")
    (tmp_path / "pyproject.toml").write_text('[tool.witgen]\npath = "kw.wit"\nworld = "%from"\noutput = "cfg"\n')
    result = run("import", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert snapshot(tmp_path / "cfg") == snapshot(tmp_path / "plain")


def test_world_and_interface_exclude_each_other() -> None:
    result = run("import", str(FIXTURES / "interfaced-adder.wit"), "--world", "w", "--interface", "add")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_legacy_package_and_warning(tmp_path: Path) -> None:
    result = run("export", str(FIXTURES / "cache.wit"), "--legacy-package", "wasi-mindmap:cache", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith("warning: ") and "legacy (2022)" in result.stderr
    assert "`wasi-mindmap:cache/cache`" in (tmp_path / "cache" / "cache.py").read_text()


def test_package_is_a_deprecated_name_of_legacy_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cache"
    assert main(["export", str(FIXTURES / "cache.wit"), "--package", "wasi-mindmap:cache", "-o", str(out)]) == 0
    assert "warning: --package is deprecated: use --legacy-package" in capsys.readouterr().err
    assert snapshot(out) == as_bytes(generate(FIXTURES / "cache.wit", "export", legacy_package="wasi-mindmap:cache").files)
    assert main(["migrate", str(FIXTURES / "cache.wit"), "--package", "wasi-mindmap:cache"]) == 0
    assert capsys.readouterr().out.startswith("package wasi-mindmap:cache;\n")


def test_implement_wasi_generates_protocols_for_wasi_imports(tmp_path: Path) -> None:
    wasi = ROOT.parent / "shared" / "corpus" / "wasi-0.2.12" / "clocks"
    if not wasi.is_dir():
        pytest.skip(f"the WASI corpus is not at {wasi}")
    wit = tmp_path / "wit"
    (wit / "deps").mkdir(parents=True)
    for dep in ("clocks", "io"):
        (wit / "deps" / dep).symlink_to(wasi.parent / dep)
    (wit / "world.wit").write_text(
        "package a:b;\nworld timed {\n  import wasi:clocks/wall-clock@0.2.12;\n  export run: func();\n}\n"
    )
    assert main(["import", str(wit), "-o", str(tmp_path / "plain")]) == 0
    assert main(["import", str(wit), "-o", str(tmp_path / "own"), "--implement-wasi"]) == 0
    assert "(Protocol)" not in (tmp_path / "plain" / "wasi_clocks_wall_clock.py").read_text()
    assert "class Host(Protocol):" in (tmp_path / "own" / "wasi_clocks_wall_clock.py").read_text()


# ---- [tool.witgen] ----


def project(tmp_path: Path, table: str) -> Path:
    """A project folder with the kv-store fixture and `table` as [tool.witgen]."""
    (tmp_path / "kv-store").mkdir()
    for wit in (FIXTURES / "kv-store").iterdir():
        (tmp_path / "kv-store" / wit.name).write_text(wit.read_text())
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "app"\n\n[tool.witgen]\n{table}')
    (tmp_path / "src" / "app").mkdir(parents=True)
    return tmp_path


def test_pyproject_config_fills_in_the_command_line(tmp_path: Path) -> None:
    root = project(tmp_path, 'path = "kv-store"\noutput = "src/app/bindings"\nworld = "kv-store"\nformat = false\n')
    result = run("import", cwd=root / "src" / "app")  # paths are relative to pyproject.toml
    assert result.returncode == 0, result.stderr
    written = root / "src" / "app" / "bindings"
    assert snapshot(written) == as_bytes(generate(FIXTURES / "kv-store", "import", format=False).files)
    assert run("import", "--check", cwd=root).returncode == 0


def test_command_line_flags_win_over_pyproject(tmp_path: Path) -> None:
    root = project(tmp_path, 'path = "kv-store"\noutput = "src/app/bindings"\nformat = false\n')
    result = run("import", "-o", "elsewhere", "--format", cwd=root)
    assert result.returncode == 0, result.stderr
    assert not (root / "src" / "app" / "bindings").exists()
    assert snapshot(root / "elsewhere") == as_bytes(generate(FIXTURES / "kv-store", "import").files)


def test_bad_pyproject_config_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path, 'path = "kv-store"\nworlds = "kv-store"\n')
    result = run("import", cwd=root)
    assert result.returncode == 2
    assert "unknown key `worlds` in [tool.witgen]" in result.stderr

    (root / "pyproject.toml").write_text('[tool.witgen]\npath = "kv-store"\nformat = "no"\n')
    result = run("import", cwd=root)
    assert result.returncode == 2
    assert "[tool.witgen] `format` must be bool" in result.stderr


def test_no_path_anywhere_is_a_usage_error(tmp_path: Path) -> None:
    result = run("import", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "error: no PATH: name the WIT to read, or set `path` in [tool.witgen] of pyproject.toml\n"
    )


def test_config_option_names_the_pyproject(tmp_path: Path) -> None:
    root = project(tmp_path, 'path = "kv-store"\noutput = "out"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("import", "--config", str(root / "pyproject.toml"), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (root / "out" / "kvdb.py").is_file()


def test_several_paths_resolve_together(tmp_path: Path) -> None:
    """The WASI folders are each other's dependencies, as for `witgen check`."""
    wasi = ROOT.parent / "shared" / "corpus" / "wasi-0.2.12"
    if not wasi.is_dir():
        pytest.skip(f"the WASI corpus is not at {wasi}")
    folders = sorted(str(p) for p in wasi.iterdir() if p.is_dir())
    result = run("import", *folders, "--world", "wasi:http/proxy", "--no-format", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote 14 files to proxy{os.sep}\n"
    init = (tmp_path / "proxy" / "__init__.py").read_text()
    assert init.startswith(f"# Generated by witgen {witgen.__version__} (encoding: utf-8) from cli, clocks, filesystem, http, io, random, sockets.")
    assert "class Proxy:" in init


def test_the_current_directory_is_not_a_target(tmp_path: Path) -> None:
    result = run("import", str(FIXTURES / "adder.wit"), "-o", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "is the current directory or holds it" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_functions_left_out_are_named_with_why(tmp_path: Path) -> None:
    wit = tmp_path / "streamy.wit"
    wit.write_text(
        "package a:b;\n\nworld streamy {\n"
        "  export ok: func() -> u32;\n"
        "  export pipe: func(s: stream<u8>);\n}\n"
    )
    result = run("import", str(wit), "-o", str(tmp_path / "streamy"))
    assert result.returncode == 0, result.stderr
    assert "warning: left out `pipe`: it uses `stream` values, which wasmtime's C API cannot pass" in result.stderr
    init = (tmp_path / "streamy" / "__init__.py").read_text()
    assert "def ok(self, store: Store) -> int:" in init
    assert "- `pipe`: it uses `stream` values" in init


def test_a_dangling_symlink_as_output_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "bindings"
    link.symlink_to(tmp_path / "elsewhere" / "bindings")
    result = run("import", str(FIXTURES / "adder.wit"), "-o", str(link))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: `{link}` is a symbolic link to `{tmp_path / 'elsewhere' / 'bindings'}`, which does not exist: "
        "create it, or choose another -o\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["bindings"]


def test_with_round_trip(tmp_path: Path) -> None:
    """The README's commands: A implements kvdb; B, for the world, reuses A's module."""
    kv = str(FIXTURES / "kv-store")
    assert run("export", kv, "-o", "host_pkg", cwd=tmp_path).returncode == 0
    result = run("import", kv, "--with", "wasi-mindmap:kv-store/kvdb=host_pkg.kvdb", "-o", "world_pkg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote 2 files to world_pkg{os.sep}\n"
    with_ = {"wasi-mindmap:kv-store/kvdb": "host_pkg.kvdb"}
    assert snapshot(tmp_path / "world_pkg") == as_bytes(generate(FIXTURES / "kv-store", with_=with_).files)
    check = run("import", kv, "--with", "wasi-mindmap:kv-store/kvdb=host_pkg.kvdb", "-o", "world_pkg", "--check", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert run("import", kv, "-o", "world_pkg", "--check", cwd=tmp_path).returncode == 1  # kvdb.py missing


@pytest.mark.parametrize(
    "entry, message",
    [
        ("wasi-mindmap:kv-store/kvbd=host_pkg.kvdb", "error: no interface `wasi-mindmap:kv-store/kvbd` (package `wasi-mindmap:kv-store` has `kvdb`)\n"),
        ("wasi-mindmap:kv-store/kvdb=host-pkg.kvdb", "error: `host-pkg.kvdb` (given for `wasi-mindmap:kv-store/kvdb`) is not an absolute module path such as `host_pkg.types`\n"),
        ("wasi-mindmap:kv-store/kvdb", "argument --with: expected IFACE=MODULE"),
    ],
)
def test_a_bad_with_mapping_is_a_usage_error(tmp_path: Path, entry: str, message: str) -> None:
    result = run("import", str(FIXTURES / "kv-store"), "--with", entry, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_with_in_pyproject_merges_with_the_command_line(tmp_path: Path) -> None:
    root = project(tmp_path, 'path = "kv-store"\noutput = "out"\n\n[tool.witgen.with]\n"wasi-mindmap:kv-store/kvdb" = "from_config.kvdb"\n')
    assert run("import", cwd=root).returncode == 0
    assert "import from_config.kvdb as _kvdb\n" in (root / "out" / "__init__.py").read_text()
    assert run("import", "--with", "wasi-mindmap:kv-store/kvdb=from_flag.kvdb", cwd=root).returncode == 0
    assert "import from_flag.kvdb as _kvdb\n" in (root / "out" / "__init__.py").read_text()

    (root / "pyproject.toml").write_text('[tool.witgen]\npath = "kv-store"\nwith = { "wasi-mindmap:kv-store/kvdb" = 1 }\n')
    result = run("import", cwd=root)
    assert result.returncode == 2
    assert "[tool.witgen] `with` maps interfaces to module paths (strings)" in result.stderr


# ---- witgen build: every target ----


TWO_TARGETS = (
    'path = "kv-store"\nformat = false\n\n'
    '[[tool.witgen.targets]]\noutput = "src/app/world"\n\n'
    '[[tool.witgen.targets]]\ndirection = "export"\noutput = "src/app/host"\n'
)


def test_build_generates_every_target(tmp_path: Path) -> None:
    root = project(tmp_path, TWO_TARGETS)
    assert run("build", "--check", cwd=root / "src").returncode == 1
    result = run("build", cwd=root / "src")  # from below the pyproject.toml, as the CLI's other commands
    assert result.returncode == 0, result.stderr
    assert snapshot(root / "src" / "app" / "world") == as_bytes(generate(FIXTURES / "kv-store", "import", format=False).files)
    assert snapshot(root / "src" / "app" / "host") == as_bytes(generate(FIXTURES / "kv-store", "export", format=False).files)
    assert run("build", "--check", cwd=root).returncode == 0
    (root / "kv-store" / "kvdb.wit").write_text((root / "kv-store" / "kvdb.wit").read_text() + "\n// changed\n")
    assert run("build", "--check", cwd=root).returncode == 0  # a comment changes nothing generated
    (root / "src" / "app" / "host" / "kvdb.py").write_text("# edited\n")
    checked = run("build", "--check", cwd=root)
    assert checked.returncode == 1
    assert checked.stdout == f"stale: {Path('src', 'app', 'host', 'kvdb.py')}\n"  # relative to the cwd, as given


def test_import_and_export_take_their_own_target(tmp_path: Path) -> None:
    root = project(tmp_path, TWO_TARGETS)
    assert run("export", cwd=root).returncode == 0
    assert (root / "src" / "app" / "host" / "kvdb.py").is_file()
    assert not (root / "src" / "app" / "world").exists()
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text() + '\n[[tool.witgen.targets]]\noutput = "src/app/again"\n'
    )
    result = run("import", cwd=root)
    assert result.returncode == 2
    assert "has 2 import targets: `witgen build` generates every target" in result.stderr


def test_build_reports_wit_errors_of_every_target_once(tmp_path: Path) -> None:
    root = project(tmp_path, TWO_TARGETS)
    (root / "kv-store" / "kvdb.wit").write_text("package wasi-mindmap:kv-store;\n\ninterface kvdb {\n  get: func() -> strin;\n}\n")
    result = run("build", cwd=root)
    assert result.returncode == 1
    assert result.stderr.count("error: ") == 1, result.stderr
    assert "--> " in result.stderr and "kvdb.wit:4:" in result.stderr and "^" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "src" / "app" / "world").exists()


def test_build_without_config_is_a_usage_error(tmp_path: Path) -> None:
    result = run("build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: no [tool.witgen] in pyproject.toml here or above: nothing to build\n"


def test_module_names_a_module(tmp_path: Path) -> None:
    target = tmp_path / "out"
    wit = FIXTURES / "kv-store"
    assert main(["import", str(wit), "-o", str(target), "--module", "wasi-mindmap:kv-store/kvdb=store"]) == 0
    assert (target / "store.py").is_file() and not (target / "kvdb.py").exists()
