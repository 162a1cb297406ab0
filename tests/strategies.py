"""Hypothesis strategies for incidents of any ruleset, built from its facts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
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
    if t.kind == "datetime":  # the window incidents may speak of: 1900 to 2999
        return st.datetimes(datetime(1900, 1, 2), datetime(2999, 12, 30), timezones=st.sampled_from(ZONES))
    return st.text(max_size=20)


def incidents(facts: Mapping[str, FactDef], *, complete: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Incidents with every fact (``complete``), or with each fact possibly
    absent. Instants come in the order their facts are declared, so that no
    duty is done before the instant its deadline is counted from (the
    bundled rulesets declare awareness first)."""
    values = {name: value_of(fact) for name, fact in facts.items()}
    drawn = st.fixed_dictionaries(values) if complete else st.fixed_dictionaries({}, optional=values)
    return drawn.map(lambda incident: chronological(incident, list(facts)))


def chronological(incident: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """The same incident with its instants (datetimes, or ISO strings of
    datetime facts) reassigned in the order the facts are declared."""
    def instant(value: Any) -> datetime | None:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return None
        return value.astimezone(UTC) if isinstance(value, datetime) and value.utcoffset() is not None else None

    instants = sorted(((name, value) for name, value in incident.items() if instant(value) is not None),
                      key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order))
    ordered = sorted((value for _, value in instants), key=instant)  # type: ignore[arg-type,return-value]
    return {**incident, **{name: value for (name, _), value in zip(instants, ordered, strict=True)}}
