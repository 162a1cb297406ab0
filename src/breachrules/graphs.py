"""Depth-first order without recursion, for every graph the compiler walks.

Definitions that read definitions, outcomes that read outcomes, obligations
required ``instead`` of others: each is a graph a hostile ruleset can make
ten thousand nodes deep, so it is walked with a stack of its own, never
with Python frames.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
E = TypeVar("E")


def post_order(starts: Iterable[K], edges: Callable[[K], Iterable[E]], target: Callable[[E], K],
               closes: Callable[[list[K], E], None] | None = None) -> list[K]:
    """Every node reachable from ``starts``, each after the nodes its edges
    lead to, starts taken in the order given. An edge back into the path
    being walked (a cycle) is not followed; ``closes`` gets the cycle, its
    first node repeated at the end, and the edge that closed it."""
    order: list[K] = []
    state: dict[K, int] = {}  # 1: on the path, 2: done
    for start in starts:
        if start in state:
            continue
        path, state[start] = [start], 1
        pending = [iter(edges(start))]
        while pending:
            edge = next(pending[-1], None)
            if edge is None:
                pending.pop()
                done = path.pop()
                state[done] = 2
                order.append(done)
                continue
            node = target(edge)
            if state.get(node) == 1:
                if closes is not None:
                    closes([*path[path.index(node):], node], edge)
            elif node not in state:
                state[node] = 1
                path.append(node)
                pending.append(iter(edges(node)))
    return order
