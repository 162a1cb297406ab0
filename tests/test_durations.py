"""ISO 8601 durations as incidents write them (breachrules.durations)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachrules.durations import format_iso_duration, parse_iso_duration


@pytest.mark.parametrize(("text", "value"), [
    ("PT30H", timedelta(hours=30)), ("P2DT4H", timedelta(days=2, hours=4)), ("P1W", timedelta(weeks=1)),
    ("PT0.5S", timedelta(milliseconds=500)), ("PT1H30M", timedelta(minutes=90)),
])
def test_what_incidents_write_is_read(text: str, value: timedelta) -> None:
    assert parse_iso_duration(text) == value


@pytest.mark.parametrize("text", [
    "P", "PT", "P1Y", "P1M", "p1d", " PT1H", "PT1H ", "P1DT", "1D",
    "P\u0661D",  # an Arabic-Indic digit one: a digit to Python, not to ISO 8601
    "PT\uff11H",  # a fullwidth one
    "P1\u0660D",
])
def test_anything_else_is_no_duration(text: str) -> None:
    assert parse_iso_duration(text) is None


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)))
def test_the_written_form_reads_back_exactly(value: timedelta) -> None:
    assert parse_iso_duration(format_iso_duration(value)) == value
