from wit_world import exports


class Add(exports.Add):
    def add(self, a: int, b: int) -> int:
        return ((a + b + 2**31) % 2**32) - 2**31
