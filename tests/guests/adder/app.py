import wit_world


class WitWorld(wit_world.WitWorld):
    def add(self, a: int, b: int) -> int:
        # s32 wraps like the Rust and C guests do.
        return ((a + b + 2**31) % 2**32) - 2**31
