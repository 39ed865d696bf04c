"""Hostile binaries: decoding ends in a `Decoded` or a `WitError` naming
the file and the byte offset, never another exception, never a hang.

The seeds are small real binaries (the WAT guests, the corpus' packages in
wasm and WebAssembly text); hypothesis truncates and mutates them. No
`wasm-tools` is needed.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wasmtime import wat2wasm

from guests import build as guests
from shared_corpus import SHARED
from witgen import cli
from witgen.binary import decode_binary
from witgen.binary.decode import Decoded
from witgen.diagnostics import WitError

UI = SHARED / "corpus" / "wit-parser-ui"


def _seeds() -> list[bytes]:
    seeds = [bytes(wat2wasm(g.wat.read_text())) for g in guests.GUESTS.values() if g.wat.is_file()]
    for wat in [UI / "simple-wasm-text.wat", UI / "kinds-of-deps" / "deps" / "d.wat"]:
        if wat.is_file():
            seeds.append(bytes(wat2wasm(wat.read_text())))
    wasm = UI / "kinds-of-deps" / "deps" / "e.wasm"
    if wasm.is_file():
        seeds.append(wasm.read_bytes())
    return seeds


SEEDS = _seeds()


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A hang fails the test (the limit is far beyond what decoding takes)."""

    def hung(signum: int, frame: object) -> None:
        raise AssertionError("hung decoding a binary")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _decodes_or_rejects(data: bytes) -> None:
    start = time.perf_counter()
    try:
        result = decode_binary(data, "fuzz.wasm")
    except WitError as error:
        message = error.diagnostics[0].message
        assert message.startswith("fuzz.wasm: "), message
    else:
        assert isinstance(result, Decoded)
    assert time.perf_counter() - start < 5


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        change = draw(st.sampled_from(["truncate", "flip", "set", "insert", "delete", "huge"]))
        if change == "truncate":
            del data[at:]
        elif change == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif change == "set" and data:
            data[at] = draw(st.integers(0, 255))
        elif change == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif change == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            # A LEB128 count or size of 2**32 - 1.
            data[at:at] = b"\xff\xff\xff\xff\x0f"
    return bytes(data)


@pytest.mark.skipif(not SEEDS, reason="no seed binaries")
@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_binary_decodes_or_is_rejected(data: bytes) -> None:
    _decodes_or_rejects(data)


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_every_truncation_decodes_or_is_rejected_with_an_offset(seed: int) -> None:
    """Cut at a section boundary, a binary is a smaller valid one; cut
    anywhere else, it is rejected at an offset."""
    data = SEEDS[seed]
    rejected = 0
    for end in range(len(data)):
        try:
            decode_binary(data[:end], "cut.wasm")
        except WitError as error:
            rejected += 1
            message = error.diagnostics[0].message
            assert message.startswith("cut.wasm: "), message
            assert "offset 0x" in message or "cannot decode" in message, message
    assert rejected > len(data) // 2


def _component(*sections: bytes) -> bytes:
    return b"\0asm\x0d\x00\x01\x00" + b"".join(sections)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "offset 0x0: not a WebAssembly binary"),
        (b"\0asm\x01\x00\x00\x00", "offset 0x4: a core WebAssembly module, not a component"),
        (_component(b"\x07\x05\x01"), "offset 0x9: type section size 5 is larger than the 1 bytes left"),
        # A type section claiming 2**32 - 1 types in five bytes.
        (_component(b"\x07\x05\xff\xff\xff\xff\x0f"), "offset 0xa: count 4294967295 is larger than the 0 bytes left"),
        (_component(b"\x07\x03\x01\x70\x05"), "offset 0xc: type index 5 out of bounds (0 defined)"),
        (_component(b"\x07\x02\x01\x50"), "offset 0xb: unknown type encoding 0x50"),
        (_component(b"\x0b\x05\x01\x00\x01x\x03"), "offset 0xf: unexpected end of section or binary"),
        (_component(b"\x0e\x00"), "offset 0x8: unknown section code 0xe"),
    ],
)
def test_malformed_binary_is_a_diagnostic_with_the_offset(data: bytes, expected: str) -> None:
    with pytest.raises(WitError) as raised:
        decode_binary(data, "bad.wasm")
    assert raised.value.diagnostics[0].message.startswith(f"bad.wasm: {expected}")


def test_deeply_nested_types_are_a_diagnostic() -> None:
    """An imported `f: func(x: list<list<...<u8>...>>)`, 5,000 lists deep."""
    depth = 5000
    types = [b"\x70\x7d"] + [b"\x70" + _sleb(i) for i in range(depth - 1)]
    types.append(b"\x40\x01\x01x" + _sleb(depth - 1) + b"\x01\x00")
    body = _leb(len(types)) + b"".join(types)
    imports = b"\x01\x00\x01f\x01" + _leb(depth)
    data = _component(b"\x07" + _leb(len(body)) + body, b"\x0a" + _leb(len(imports)) + imports)
    with pytest.raises(WitError) as raised:
        decode_binary(data, "deep.wasm")
    assert raised.value.diagnostics[0].message == "deep.wasm: types are nested too deeply"


def _sleb(value: int) -> bytes:
    """A nonnegative value type index: signed LEB128 (`s33`)."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value == 0 and not byte & 0x40:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _leb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def test_cli_reports_a_truncated_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.wasm"
    path.write_bytes(SEEDS[0][: len(SEEDS[0]) // 2])
    for command in (["wit"], ["check"], ["parse", "--json"]):
        assert cli.main([*command, str(path)]) == cli.REJECTED
        err = capsys.readouterr().err
        assert f"error: {path}: offset 0x" in err
        assert "Traceback" not in err
