"""A guest for the adder world, built with componentize-py (see the README)."""

import wit_world


class WitWorld(wit_world.WitWorld):
    def add(self, a: int, b: int) -> int:
        # s32 arithmetic wraps, as it does in Rust and C guests.
        return ((a + b + 2**31) % 2**32) - 2**31
