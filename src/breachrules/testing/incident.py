"""Incidents that a ruleset accepts, for property tests of the ruleset.

A property of a ruleset ("safely encrypted data never has to be told to
the people") is a claim about every incident it accepts, and those are
what :func:`incidents` draws: each fact absent (unknown), ``null`` where
that differs from absent, or given a value of its type (see
:mod:`breachrules.testing.facts`), and the instants in an order the
ruleset allows (see :mod:`breachrules.testing.chronology`). Every incident
passes ``ruleset.validate``; tests/test_testing_incidents.py holds it to
that over the bundled rulesets and generated ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from breachrules.durations import format_iso_duration
from breachrules.program import FactDef
from breachrules.testing.chronology import Chronology
from breachrules.testing.facts import durations, instants, plain

if TYPE_CHECKING:
    from breachrules.ruleset import Ruleset


def incidents(ruleset: Ruleset, *, complete: bool = False,
              fixed: Mapping[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Incidents that ``ruleset`` accepts, as dicts in the JSON form an
    incident file holds, facts in the order the ruleset declares them.

    ``complete=False`` (the default): each fact may be left out, which makes
    it unknown; a fact with a default may also be ``None``, the explicit
    "don't know" (left out, it would take its default). Assessments are
    then often provisional, as they are while a breach is still being
    looked into. ``complete=True``: every fact has a value, so that the
    assessment is final.

    ``fixed`` maps facts to the values every incident gives them, as given
    (a ``datetime`` stays one); the strategy draws the rest. ``None`` fixes
    a fact as unknown: the incident says ``null``, even with
    ``complete=True``, which then draws every other fact. The other instants
    are drawn in an order the fixed ones allow.

    ``fixed`` is checked when the strategy is built, not when it draws: a
    name that is not a fact, or a value the fact does not take, raises
    :class:`breachrules.IncidentError` as an incident with them would, and
    fixed instants that leave no time for an instant between them raise
    ``ValueError``.

    Incidents shrink towards fewer facts and plainer values: a failing
    incident comes down to the facts that make it fail, each with the
    simplest value that still does.
    """
    from breachrules.ruleset import Ruleset

    if not isinstance(ruleset, Ruleset):
        raise TypeError(f"incidents() takes a compiled ruleset (breachrules.bundled, load or loads), not {ruleset!r}")
    given = dict(fixed or {})
    known = ruleset.validate(given).known  # raises IncidentError naming each bad fact
    unknown = {name for name, value in given.items() if value is None}
    chronology = Chronology(ruleset.program, {name: known[name] for name in given if name in known
                                              and isinstance(known[name], datetime)}, unknown)
    parts = {name: _drawn(fact) for name, fact in ruleset.facts.items() if name not in given}
    if complete:
        drawn = st.fixed_dictionaries(parts)
    else:
        drawn = st.fixed_dictionaries({}, optional={
            name: st.one_of(part, st.none()) if ruleset.facts[name].has_default else part
            for name, part in parts.items()})
    return _incidents(drawn, given, chronology, list(ruleset.facts))


@st.composite
def _incidents(draw: st.DrawFn, drawn: st.SearchStrategy[dict[str, Any]], fixed: dict[str, Any],
               chronology: Chronology, order: list[str]) -> dict[str, Any]:
    """The drawn facts, finished. (A composite rather than ``.map``, whose
    failing examples Hypothesis shows as the call that made them rather
    than as the incident.)"""
    return _finished(draw(drawn), fixed, chronology, order)


def _drawn(fact: FactDef) -> st.SearchStrategy[Any]:
    """A fact's value as it is drawn: instants as datetimes, to be put in
    order before they are written."""
    kind = fact.type.kind
    if kind == "datetime":
        return instants()
    if kind == "duration":
        return durations().map(format_iso_duration)
    return plain(fact.type)


def _finished(drawn: dict[str, Any], fixed: dict[str, Any], chronology: Chronology,
              order: list[str]) -> dict[str, Any]:
    """The incident: fixed facts as given, drawn ones with their instants
    put in order and written as text, all in declaration order."""
    drawn = dict(drawn)
    chronology.arrange(drawn)
    incident: dict[str, Any] = {}
    for name in order:
        if name in fixed:
            incident[name] = fixed[name]
        elif name in drawn:
            value = drawn[name]
            incident[name] = value.isoformat() if isinstance(value, datetime) else value
    return incident
