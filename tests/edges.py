"""Complete incidents at the edges of what validation accepts.

``breachrules.testing.incidents`` draws ordinary incidents: instants of
the last quarter century, durations of up to ten years. The tests that
hold two readings of one ruleset to one answer (the fast path and the
interpreter, tests/test_differential.py; the solver's encoding and the
interpreter, tests/test_verify_*.py) also need the values where arithmetic
leaves the calendar: instants at the ends of the window incidents may
speak of (1900 to 2999), in the farthest time zones, and durations as long
as a ``timedelta`` holds. Those are drawn here, in Python form.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from breachrules.program import FactDef
from breachrules.testing import values
from breachrules.testing.chronology import Chronology

ZONES = [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), ZoneInfo("Europe/Helsinki")]


def instants() -> st.SearchStrategy[datetime]:
    """Instants of today, and near the edges of the window incidents may
    speak of (1900 to 2999, in UTC), where arithmetic soon leaves the calendar.
    Drawn in UTC and shown in some time zone, so that the instant is in the window."""
    utc = st.one_of(
        st.datetimes(datetime(2000, 1, 1), datetime(2030, 12, 31)),
        st.datetimes(datetime(1900, 1, 1), datetime(1900, 1, 3)),
        st.datetimes(datetime(2999, 12, 29), datetime(2999, 12, 31, 23, 59, 59, 999999)),
        st.sampled_from([datetime(1900, 1, 1), datetime(2999, 12, 31, 23, 59, 59, 999999)]),
    )
    return st.builds(lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone), utc, st.sampled_from(ZONES))


def durations() -> st.SearchStrategy[timedelta]:
    """Short durations, and long ones that carry an instant off the calendar."""
    return st.one_of(
        st.timedeltas(timedelta(0), timedelta(days=10)),
        st.timedeltas(timedelta(0), timedelta(days=10**6)),
        st.sampled_from([timedelta(0), timedelta(days=999999999), timedelta.max, timedelta(microseconds=1)]),
    )


def fact_value(fact: FactDef) -> st.SearchStrategy[Any]:
    kind = fact.type.kind
    if kind == "datetime":
        return instants()
    if kind == "duration":
        return durations()
    if kind == "number" and fact.type.low is None and fact.type.high is None and not fact.type.integral:
        return st.one_of(values(fact), st.sampled_from([0, 0.0, 1e15, -1e15, 1e-12]))
    return values(fact)


def complete_incidents(ruleset: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Incidents that give every fact of ``ruleset``: the generated fast
    path runs. Instants come in an order the ruleset allows."""
    chronology = Chronology(ruleset.program, {})

    def arranged(incident: dict[str, Any]) -> dict[str, Any]:
        chronology.arrange(incident)
        return incident

    return st.fixed_dictionaries({name: fact_value(fact) for name, fact in ruleset.facts.items()}).map(arranged)
