"""Reading an instant written in ISO 8601, exactly as written.

Every place that reads an instant from text (an incident, a command-line
option, a stored record or report) reads it here, so that they all agree.
``datetime.fromisoformat`` alone does not: CPython's C implementation
(3.11 to 3.13) reads a UTC offset of under a second, such as
``+00:00:00.000001``, as UTC. Nobody writes such an offset by hand, but the
solver may choose one for a counterexample, and a counterexample must be
read back as the very incident the solver found.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_UNDER_A_SECOND = re.compile(r"([+-])00:?00:?00[.,](\d{1,6})\Z")


def parse_instant(text: str) -> datetime:
    """``datetime.fromisoformat``, with offsets of under a second kept.

    Raises ``ValueError`` where ``fromisoformat`` does.
    """
    value = datetime.fromisoformat(text)
    match = _UNDER_A_SECOND.search(text)
    if match is None or value.utcoffset() != timedelta(0):
        return value
    offset = timedelta(microseconds=int(match.group(2).ljust(6, "0")))
    return value.replace(tzinfo=timezone(-offset if match.group(1) == "-" else offset))


__all__ = ["parse_instant"]
