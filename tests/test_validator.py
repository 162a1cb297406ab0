"""The generated validator accepts only what the full validator accepts, and
gives the same values; anything else goes to the full validator."""

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

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=5),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3), st.timedeltas(),
    st.sampled_from(["PT30H", "P1Y", "2026-01-01T00:00:00", "2026-01-01T00:00:00+02:00", "health"]),
)


def full(incident: Any) -> Any:
    try:
        return validate(GDPR.program, incident, GDPR._read)
    except IncidentError:
        return "refused"


@given(incidents(GDPR))
def test_valid_incidents_take_the_fast_path_with_the_same_values(incident: dict[str, Any]) -> None:
    fast = GDPR._validate_fast(incident)
    slow = full(incident)
    if fast is not None:  # only lists are fast for sets, so tuples may fall back
        assert (fast.known, fast.complete) == (slow.known, slow.complete)


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
    {"breach_types": ("confidentiality",)},  # a tuple: valid, but for the full validator
    [],
])
def test_the_fast_path_declines_what_it_does_not_vouch_for(incident: Any) -> None:
    assert GDPR._validate_fast(incident) is None


def test_durations_are_the_same_objects_either_way() -> None:
    fast = GDPR._validate_fast({"restore_time": "PT30H"})
    assert fast is not None and fast.known["restore_time"] == timedelta(hours=30)
