"""A read-only mapping that pickles: for values shared between results.

The fast path hands one levels mapping to every assessment with the same
decision, so nobody may change it. ``types.MappingProxyType`` would do that
but cannot be pickled, and results must cross process boundaries (a pool of
workers returning assessments). A dict that refuses changes does both, and
compares equal to the plain dict the interpreter builds.
"""

from __future__ import annotations

from typing import Any, NoReturn


class FrozenDict(dict[str, Any]):
    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("this mapping is shared between results and cannot be changed")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return FrozenDict, (dict(self),)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"
