"""The bounded reads under the binary decoder."""

from __future__ import annotations

import pytest

from witgen.binary.reader import BinaryError, Reader


@pytest.mark.parametrize(
    ("data", "value"),
    [(b"\x00", 0), (b"\x7f", 127), (b"\x80\x01", 128), (b"\xff\xff\xff\xff\x0f", 2**32 - 1)],
)
def test_u32(data: bytes, value: int) -> None:
    reader = Reader(data)
    assert reader.u32() == value
    assert reader.at_end()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xff\xff\xff\x1f", "integer too large"),
        (b"\x80\x80\x80\x80\x80\x00", "integer representation too long"),
        (b"\x80", "unexpected end of section or binary"),
    ],
)
def test_bad_u32(data: bytes, message: str) -> None:
    with pytest.raises(BinaryError) as raised:
        Reader(data).u32()
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("data", "value"),
    [(b"\x7f", -1), (b"\x73", -13), (b"\x3f", 63), (b"\xc0\x00", 64), (b"\x80\x7f", -128)],
)
def test_s33(data: bytes, value: int) -> None:
    assert Reader(data).s33() == value


def test_a_count_is_bounded_by_the_bytes_left() -> None:
    reader = Reader(b"\x03abc")
    assert reader.count() == 3
    with pytest.raises(BinaryError) as raised:
        Reader(b"\x04abc").count()
    assert raised.value.offset == 0
    with pytest.raises(BinaryError):
        Reader(b"\x02ab").count(least_bytes=2)


def test_names_are_utf8_and_bounded() -> None:
    assert Reader(b"\x03a\xc3\xa9").name() == "aé"
    with pytest.raises(BinaryError) as raised:
        Reader(b"\x02\xff\xfe").name()
    assert raised.value.message == "name is not valid UTF-8"
    with pytest.raises(BinaryError):
        Reader(b"\x05ab").name()


def test_a_sub_reader_stays_inside_its_section() -> None:
    reader = Reader(b"\x01\x02\x03\x04")
    inner = reader.sub(2)
    assert (inner.byte(), inner.byte()) == (1, 2)
    with pytest.raises(BinaryError):
        inner.byte()
    assert reader.byte() == 3
