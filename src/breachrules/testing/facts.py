"""Valid values of one fact, in the form an incident file holds them.

A value is what ``json.loads`` gives: ``true``, a number, a member's name,
a list of members, a text, and for instants and durations ISO 8601 text
(``"2024-03-01T09:30:00+02:00"``, ``"PT72H"``). An application may pass
Python objects too (``datetime``, ``timedelta``, tuples), but a failing
example in the JSON form can be pasted into an incident file or a case file
as Hypothesis prints it, and it reads the same to everyone.

Each strategy shrinks towards the plainest value of its type, so that a
failing example says what matters and nothing else: ``false``; zero, or
the end of the range nearest to it; the first member of an enum and the
lowest level of a scale; the empty set; the empty text; a duration of
nothing; midnight UTC on 1 January 2000.

The values are those validation accepts, and ordinary ones: instants lie
between 2000 and 2025, in the past of any ``now`` a report is made at
(a datetime fact records something that happened); durations last at most
ten years; numbers fill what the fact's range allows, up to the 10^15 that
validation takes. Instants and durations are whole seconds.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from breachrules.durations import format_iso_duration
from breachrules.limits import MAX_MAGNITUDE
from breachrules.program import FactDef
from breachrules.types import Type

# The instants incidents speak of, in UTC: from the plainest one (where
# Hypothesis shrinks a datetime to) to the end of a year already past.
FIRST = datetime(2000, 1, 1)
LAST = datetime(2025, 12, 31, 23, 59, 59)
# UTC offsets an instant is written in; UTC first, where it shrinks to.
OFFSETS = tuple(timezone(timedelta(minutes=m)) if m else UTC for m in (0, 120, 180, 60, -300, 330, 840, -660))
LONGEST = timedelta(days=3653)
TEXT_SIZE = 80


def values(fact: FactDef) -> st.SearchStrategy[Any]:
    """Values that validation accepts for ``fact`` (one of a ruleset's
    ``facts``), in their JSON form. Never ``None``: that is "don't know",
    which :func:`breachrules.testing.incidents` draws itself."""
    if fact.type.kind == "datetime":
        return instants().map(datetime.isoformat)
    if fact.type.kind == "duration":
        return durations().map(format_iso_duration)
    return plain(fact.type)


def plain(t: Type) -> st.SearchStrategy[Any]:
    """Values of the types JSON writes as themselves (all but instants and
    durations)."""
    kind = t.kind
    if kind == "bool":
        return st.booleans()
    if kind == "number":
        return numbers(t)
    if kind in ("enum", "level"):
        return st.sampled_from(t.members)
    if kind == "set":
        members = t.members
        return st.lists(st.sampled_from(members), unique=True).map(
            lambda chosen: sorted(chosen, key=members.index))
    return st.text(max_size=TEXT_SIZE)


def numbers(t: Type) -> st.SearchStrategy[int | float]:
    """Numbers in the fact's range (and within what validation takes):
    whole ones first, so that a number shrinks to a whole one."""
    low = -MAX_MAGNITUDE if t.low is None else max(t.low, -MAX_MAGNITUDE)
    high = MAX_MAGNITUDE if t.high is None else min(t.high, MAX_MAGNITUDE)
    first, last = math.ceil(low), math.floor(high)
    whole: st.SearchStrategy[int | float] | None = st.integers(first, last) if first <= last else None
    if t.integral:
        assert whole is not None, t  # the checker refuses a whole-number range without a whole number
        return whole
    fractional = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return fractional if whole is None else st.one_of(whole, fractional)


def instants() -> st.SearchStrategy[datetime]:
    """Aware instants between :data:`FIRST` and :data:`LAST` (UTC), in
    whole seconds, written in one of :data:`OFFSETS`."""
    moments = st.datetimes(FIRST, LAST).map(lambda moment: moment.replace(microsecond=0, tzinfo=UTC))
    return st.builds(datetime.astimezone, moments, st.sampled_from(OFFSETS))


def durations() -> st.SearchStrategy[timedelta]:
    """From nothing to ten years, in whole seconds."""
    return st.timedeltas(timedelta(0), LONGEST).map(lambda d: d - timedelta(microseconds=d.microseconds))
