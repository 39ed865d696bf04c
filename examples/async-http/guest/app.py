"""The guest of the async HTTP demo: a request handler that computes, and
asks the host's cache before and after. Built with componentize-py (see
../README.md)."""

import wit_world
from wit_world import Response
from wit_world.imports import cache


def count_primes(below: int) -> int:
    """Trial division, on purpose: a request that computes for a while."""
    count = 0
    for n in range(2, below):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


class WitWorld(wit_world.WitWorld):
    def handle(self, path: str) -> Response:
        parts = path.strip("/").split("/")
        if parts == ["spin"]:
            while True:  # a runaway guest: only the host's timeout stops it
                pass
        if len(parts) == 2 and parts[0] == "primes" and parts[1].isdigit() and int(parts[1]) <= 10_000_000:
            key = f"primes:{int(parts[1])}"
            cached = cache.get(key)
            if cached is not None:
                return Response(200, f"primes below {int(parts[1])}: {cached} (cached)\n")
            count = count_primes(int(parts[1]))
            cache.set(key, str(count))
            return Response(200, f"primes below {int(parts[1])}: {count} (computed)\n")
        return Response(404, f"no such page: {path}\n(try /primes/20000 or /spin)\n")
