"""Instants in an order the ruleset allows.

Validation refuses one combination of facts that are each valid: a duty
done before the instant its deadline is counted from (``done
authority_notified_at`` on an obligation ``due became_aware_at + 72h``
puts the notification no earlier than the awareness; the compiler lists
such pairs in ``Program.precedes``). Drawing each instant on its own would
break that order about half the time, and filtering those incidents out
would make Hypothesis give up on rulesets with several such pairs.

So the instants are drawn freely and then arranged: an incident whose
instants are already in a possible order is left exactly as drawn (every
valid incident can be drawn), and an instant that comes too early is moved
after the ones it must follow, by as much as it came too early (folded back
into the years instants are drawn from), rather than onto them, so that
equal instants stay one case among many. Instants fixed by the caller are
never moved: the others are kept within the bounds the fixed ones set.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from breachrules.program import Program
from breachrules.testing.facts import LAST

_LAST = LAST.replace(tzinfo=UTC)


class Chronology:
    """The order ``program`` requires of its instants, with ``fixed``
    instants (the validated values) in place and the ``unknown`` facts,
    which are never known, out of it."""

    def __init__(self, program: Program, fixed: Mapping[str, datetime], unknown: Collection[str] = ()) -> None:
        names = [name for name, fact in program.facts.items()
                 if fact.type.kind == "datetime" and name not in unknown]
        self.edges = [(a, b) for a, b in program.precedes if a in names and b in names]
        self.fixed = dict(fixed)
        self.order = _topological(names, self.edges)
        self.before = {name: [a for a, b in self.edges if b == name] for name in names}
        self.low: dict[str, datetime] = {}
        self.high: dict[str, datetime] = {}
        for name in names:
            if name in self.fixed:
                continue
            earlier = [u for u in _reachable(name, self.edges, forward=False) if u in self.fixed]
            later = [w for w in _reachable(name, self.edges, forward=True) if w in self.fixed]
            if earlier:
                self.low[name] = max(self.fixed[u] for u in earlier)
            if later:
                self.high[name] = min(self.fixed[w] for w in later)
            if earlier and later and self.low[name] > self.high[name]:
                first = max(earlier, key=self.fixed.__getitem__)
                last = min(later, key=self.fixed.__getitem__)
                raise ValueError(
                    f"fixed instants leave no time for {name!r}: the ruleset puts it no earlier than "
                    f"{first!r} ({self.fixed[first].isoformat()}) and no later than {last!r} "
                    f"({self.fixed[last].isoformat()}); fix {name!r} to None (unknown) if that is meant")

    def arrange(self, values: dict[str, object]) -> None:
        """Move the drawn instants of ``values`` (aware datetimes; absent
        and ``None`` ones are unknown) into the required order, in place."""
        for name in self.order:
            value = values.get(name)
            if name in self.fixed or not isinstance(value, datetime):
                continue
            bounds = [self._known(e, values) for e in self.before[name]] + [self.low.get(name)]
            lowest = max((b for b in bounds if b is not None), default=None)
            moved = value
            if lowest is not None and moved < lowest:
                room = max(_LAST, lowest) - lowest
                moved = lowest + (lowest - moved) % room if room else lowest
            highest = self.high.get(name)
            if highest is not None and moved > highest:
                moved = highest
            values[name] = moved.astimezone(value.tzinfo)
        self._settle(values)

    def _known(self, name: str, values: Mapping[str, object]) -> datetime | None:
        value = self.fixed.get(name, values.get(name))
        return value if isinstance(value, datetime) else None

    def _settle(self, values: dict[str, object]) -> None:
        """Instants in a circle of the order (``a`` no earlier than ``b`` and
        ``b`` no earlier than ``a``) can only be equal: raise each later one
        to its earlier until nothing moves. In a ruleset without circles
        :meth:`arrange` has already done it all."""
        for _ in range(len(self.order) + 1):
            moved = False
            for earlier, later in self.edges:
                first, then = self._known(earlier, values), self._known(later, values)
                if first is not None and then is not None and then < first and later not in self.fixed:
                    values[later] = first.astimezone(then.tzinfo)
                    moved = True
            if not moved:
                return


def _topological(names: list[str], edges: list[tuple[str, str]]) -> list[str]:
    """``names`` with each after those it must follow, otherwise in the
    order given (declaration order); names in a circle come last, as given."""
    waiting = {name: {a for a, b in edges if b == name and a != name} for name in names}
    order: list[str] = []
    while True:
        ready = next((name for name in names if name in waiting and not waiting[name]), None)
        if ready is None:
            return order + [name for name in names if name in waiting]
        del waiting[ready]
        order.append(ready)
        for others in waiting.values():
            others.discard(ready)


def _reachable(start: str, edges: list[tuple[str, str]], *, forward: bool) -> set[str]:
    """The instants that must come after ``start`` (``forward``), or before it."""
    found: set[str] = set()
    frontier = [start]
    while frontier:
        name = frontier.pop()
        for a, b in edges:
            step, to = (a, b) if forward else (b, a)
            if step == name and to not in found:
                found.add(to)
                frontier.append(to)
    found.discard(start)
    return found
