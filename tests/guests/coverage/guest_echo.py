from typing import Self

from wit_world.exports import guest_echo


class Counter(guest_echo.Counter):
    def __init__(self, start: int) -> None:
        self._value = start

    def increment(self) -> int:
        self._value += 1
        return self._value

    def value(self) -> int:
        return self._value

    @classmethod
    def sum(cls, a: Self, b: Self) -> int:
        return a._value + b._value
