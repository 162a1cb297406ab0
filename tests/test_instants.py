"""Reading instants back exactly as they were written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachrules.instants import parse_instant

offsets = st.timedeltas(min_value=timedelta(hours=-23, minutes=-59, seconds=-59, microseconds=-999_999),
                        max_value=timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999))


@given(local=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)), offset=offsets)
def test_every_instant_is_read_back_as_written(local: datetime, offset: timedelta) -> None:
    written = local.replace(tzinfo=timezone(offset))
    read = parse_instant(written.isoformat())
    assert read == written
    assert read.utcoffset() == offset


@pytest.mark.parametrize(("text", "micros"), [
    ("2026-01-05T09:00:00+00:00:00.000001", 1),
    ("2026-01-05T09:00:00-00:00:00.000002", -2),
    ("2026-01-05T09:00:00+00:00:00.5", 500_000),
    ("2026-01-05T09:00:00-00:00:00.999999", -999_999),
])
def test_an_offset_under_a_second_is_kept(text: str, micros: int) -> None:
    assert parse_instant(text).utcoffset() == timedelta(microseconds=micros)


@pytest.mark.parametrize("text", ["2026-01-05T09:00:00Z", "2026-01-05T09:00:00+00:00", "2026-01-05T09:00:00-00:00:00"])
def test_utc_stays_utc(text: str) -> None:
    assert parse_instant(text) == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert parse_instant(text).utcoffset() == timedelta(0)


def test_a_naive_instant_stays_naive_and_nonsense_is_refused() -> None:
    assert parse_instant("2026-01-05T09:00:00").tzinfo is None
    with pytest.raises(ValueError):
        parse_instant("2026-01-05T09:00:00+00:00:00.")
    with pytest.raises(ValueError):
        parse_instant("yesterday")
