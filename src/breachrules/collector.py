"""The cyclic garbage collector paused while a ruleset compiles.

Its own module, a leaf, because both the loader (parse, check) and a
ruleset (its generated code, written on first use) compile.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while a ruleset compiles.

    Compiling allocates hundreds of thousands of small objects that all stay
    alive until it ends, and the collector, set off by the allocations, walks
    them again and again for nothing: before this pause, 40% of the time of
    loading 10,000 rules, and a growing share the larger the ruleset.
    Nested and concurrent compiles share one pause; the last to finish
    restores the collector as the first found it (off stays off)."""
    with _Pause.lock:
        if _Pause.depth == 0:
            _Pause.was_enabled = gc.isenabled()
            gc.disable()
        _Pause.depth += 1
    try:
        yield
    finally:
        with _Pause.lock:
            _Pause.depth -= 1
            if _Pause.depth == 0 and _Pause.was_enabled:
                gc.enable()


class _Pause:
    """The compiles under way, and whether the collector was on before the first."""

    lock = threading.Lock()
    depth = 0
    was_enabled = False
