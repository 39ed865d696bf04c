"""Bytes -> values, every read bounded by the bytes that are there.

The lowest layer of the binary stage: LEB128 integers, names and vectors of
the component binary format (component-model `Binary.md`), each read
checked against the end of its section, so that a truncated or hostile
binary stops with a `BinaryError` at the offset where it went wrong and
never allocates more than the input could describe.
"""

from __future__ import annotations


class BinaryError(Exception):
    """A malformed binary: what is wrong and at which byte offset."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class Reader:
    """A cursor over `data[pos:end]` (a section's body, say)."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    @property
    def remaining(self) -> int:
        return self.end - self.pos

    def at_end(self) -> bool:
        return self.pos >= self.end

    def error(self, message: str, offset: int | None = None) -> BinaryError:
        return BinaryError(self.pos if offset is None else offset, message)

    def byte(self) -> int:
        if self.pos >= self.end:
            raise self.error("unexpected end of section or binary")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def peek(self) -> int:
        if self.pos >= self.end:
            raise self.error("unexpected end of section or binary")
        return self.data[self.pos]

    def bytes(self, count: int) -> bytes:
        if count > self.remaining:
            raise self.error(f"{count} bytes declared, {self.remaining} left")
        value = self.data[self.pos : self.pos + count]
        self.pos += count
        return value

    def u32(self) -> int:
        start = self.pos
        result = 0
        for shift in range(0, 35, 7):
            value = self.byte()
            result |= (value & 0x7F) << shift
            if not value & 0x80:
                if result > 0xFFFF_FFFF:
                    raise self.error("integer too large", start)
                return result
        raise self.error("integer representation too long", start)

    def s33(self) -> int:
        """A signed LEB128 of at most 33 bits (a value type: an index or a
        negative primitive code)."""
        start = self.pos
        result = 0
        shift = 0
        while True:
            value = self.byte()
            result |= (value & 0x7F) << shift
            shift += 7
            if not value & 0x80:
                break
            if shift >= 35:
                raise self.error("integer representation too long", start)
        if value & 0x40:
            result -= 1 << shift
        if not -(1 << 32) <= result < (1 << 32):
            raise self.error("integer too large", start)
        return result

    def count(self, least_bytes: int = 1) -> int:
        """A vector's length; each element takes at least `least_bytes`, so
        a count the rest of the input cannot hold is an error, not an
        allocation."""
        start = self.pos
        count = self.u32()
        if count * least_bytes > self.remaining:
            raise self.error(f"count {count} is larger than the {self.remaining} bytes left", start)
        return count

    def name(self) -> str:
        start = self.pos
        length = self.u32()
        raw = self.bytes(length)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("name is not valid UTF-8", start) from None

    def sub(self, size: int) -> Reader:
        """A reader of the next `size` bytes; this one moves past them."""
        if size > self.remaining:
            raise self.error(f"section size {size} is larger than the {self.remaining} bytes left")
        inner = Reader(self.data, self.pos, self.pos + size)
        self.pos += size
        return inner

    def expect_end(self, what: str) -> None:
        if self.pos != self.end:
            raise self.error(f"{self.end - self.pos} unexpected bytes at the end of {what}")
