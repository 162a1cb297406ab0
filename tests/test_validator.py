"""The generated validator accepts only what the full validator accepts, and
gives the same values; anything else goes to the full validator. (The same
checks open the generated decide and assess: tests/test_differential.py
holds those to the full validator on generated rulesets.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import breachrules
from breachrules.incident import IncidentError, validate
from breachrules.testing import incidents

GDPR = breachrules.bundled("gdpr")

class Named(str):
    """A str of the caller's own class: the full validator takes it, the checks leave it to it."""


class LooksLikeHealth:
    """Not a str, but equal to one and hashed like it: the full validator refuses it."""

    def __eq__(self, other: object) -> bool:
        return other == "health"

    def __hash__(self) -> int:
        return hash("health")


MEMBERS = st.one_of(st.sampled_from(["health", "contact", "confidentiality", "x"]), st.text(max_size=5),
                    st.integers(), st.builds(Named, st.sampled_from(["health", "contact"])),
                    st.builds(LooksLikeHealth))
JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=5),
    st.lists(MEMBERS, max_size=3), st.lists(MEMBERS, max_size=3).map(tuple),
    st.sets(MEMBERS, max_size=3), st.frozensets(MEMBERS, max_size=3), st.timedeltas(),
    st.sampled_from(["PT30H", "P1Y", "2026-01-01T00:00:00", "2026-01-01T00:00:00+02:00", "health"]),
)


def containers(incident: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """The incident with each set given as a list, tuple, set or frozenset."""
    out = {}
    for name, value in incident.items():
        if isinstance(value, list):
            value = data.draw(st.sampled_from([list, tuple, set, frozenset]))(value)
        out[name] = value
    return out


def full(incident: Any) -> Any:
    try:
        return validate(GDPR.program, incident, GDPR._read)
    except IncidentError:
        return "refused"


@given(incidents(GDPR), st.data())
def test_valid_incidents_take_the_fast_path_with_the_same_values(incident: dict[str, Any],
                                                                 data: st.DataObject) -> None:
    incident = containers(incident, data)
    fast = GDPR._validate_fast(incident)
    slow = full(incident)
    assert fast is not None  # sets as lists, tuples, sets and frozensets alike
    assert (fast.known, fast.complete) == (slow.known, slow.complete)
    assert list(fast.known) == list(slow.known)  # in the order of the declarations, too


@given(st.dictionaries(st.sampled_from([*GDPR.facts, "helth", "other"]), JUNK))
def test_anything_the_fast_path_accepts_the_full_validator_accepts_alike(incident: dict[str, Any]) -> None:
    fast = GDPR._validate_fast(incident)
    if fast is not None:
        slow = full(incident)
        assert slow != "refused"
        assert (fast.known, fast.complete) == (slow.known, slow.complete)


@pytest.mark.parametrize("incident", [
    {"subjects": True},  # bool is not a count
    {"subjects": 1.0},  # nor is a float
    {"restore_time": "PT-1H"},
    {"became_aware_at": "2026-01-01T00:00:00"},  # no time zone
    {"data_categories": [["health"]]},  # unhashable member
    {"data_categories": [Named("health")]},  # a str of another class: valid, but for the full validator
    {"data_categories": {LooksLikeHealth()}},  # equal to a member, but not a str
    {"data_categories": "health"},  # a str is not a set of its letters
    {"data_categories": {"health": True}},  # nor is a dict a set of its keys
    {"other": 1},
    [],
])
def test_the_fast_path_declines_what_it_does_not_vouch_for(incident: Any) -> None:
    assert GDPR._validate_fast(incident) is None


def test_a_caller_s_class_is_left_to_the_full_validator() -> None:
    from collections import OrderedDict

    assert GDPR._validate_fast(OrderedDict(subjects=1)) is None
    assert GDPR.validate(OrderedDict(subjects=1)).known["subjects"] == 1


def test_durations_are_the_same_objects_either_way() -> None:
    fast = GDPR._validate_fast({"restore_time": "PT30H"})
    assert fast is not None and fast.known["restore_time"] == timedelta(hours=30)
