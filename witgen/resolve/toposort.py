"""Stable topological sort of named nodes, as wit-parser orders them.

Among nodes whose dependencies are all placed, the one listed first comes
first; so independent items keep their source order.
"""

from __future__ import annotations

import heapq

from ..diagnostics import Span, WitError, did_you_mean

# node name -> the names it depends on, each with the span that mentions it
Deps = dict[str, list[tuple[str, Span]]]


def toposort(kind: str, deps: Deps) -> list[str]:
    """Order `deps` dependencies-first, or raise for a missing name or cycle."""
    names = list(deps)
    index = {name: i for i, name in enumerate(names)}
    remaining = [0] * len(names)
    reverse: list[list[int]] = [[] for _ in names]
    for i, edges in enumerate(deps.values()):
        remaining[i] = len(edges)
        for name, span in edges:
            j = index.get(name)
            if j is None:
                raise WitError.at(span, f"{kind} `{name}` does not exist", did_you_mean(name, names))
            reverse[j].append(i)

    heap = [i for i in range(len(names)) if remaining[i] == 0]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        i = heapq.heappop(heap)
        order.append(names[i])
        for k in reverse[i]:
            remaining[k] -= 1
            if remaining[k] == 0:
                heapq.heappush(heap, k)
    if len(order) == len(names):
        return order

    for i, edges in enumerate(deps.values()):
        if remaining[i] == 0:
            continue
        for name, span in edges:
            if remaining[index[name]] != 0:
                raise WitError.at(span, f"{kind} `{name}` depends on itself")
    raise AssertionError("a cycle without an edge")
