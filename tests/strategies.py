"""Hypothesis strategies for incidents of any ruleset, built from its facts."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from breachrules.program import FactDef

ZONES = [UTC, timezone(timedelta(hours=2)), ZoneInfo("Europe/Helsinki"), ZoneInfo("America/New_York")]


def value_of(fact: FactDef) -> st.SearchStrategy[Any]:
    """A valid incident value for ``fact``, in the form an application passes."""
    t = fact.type
    if t.kind == "bool":
        return st.booleans()
    if t.kind == "number":
        low = t.low if t.low is not None else -1000
        high = t.high if t.high is not None else 5000
        if t.integral:
            return st.integers(int(low), int(high))
        return st.one_of(
            st.integers(int(-(-low // 1)), int(high // 1)),
            st.floats(low, high, allow_nan=False, allow_infinity=False),
        )
    if t.kind in ("enum", "level"):
        return st.sampled_from(t.members)
    if t.kind == "set":
        return st.lists(st.sampled_from(t.members), unique=True)
    if t.kind == "duration":
        return st.timedeltas(timedelta(0), timedelta(days=10))
    if t.kind == "datetime":
        return st.datetimes(timezones=st.sampled_from(ZONES)).filter(
            lambda d: d.year > 1 and d.year < 9999
        )
    return st.text(max_size=20)


def incidents(facts: dict[str, FactDef], *, complete: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Incidents with every fact (``complete``), or with each fact possibly absent."""
    if complete:
        return st.fixed_dictionaries({name: value_of(fact) for name, fact in facts.items()})
    return st.fixed_dictionaries({}, optional={name: value_of(fact) for name, fact in facts.items()})
