"""ISO 8601 durations, the way incidents write them ("PT30H", "P2DT4H").

Years and months are refused: their length depends on the calendar, and a
deadline computed from an ambiguous duration is a deadline guessed.
"""

from __future__ import annotations

import re
from datetime import timedelta

_ISO = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?",
    re.ASCII,  # digits as ISO 8601 writes them: "P١D" (Arabic-Indic one) is no duration
)


def parse_iso_duration(text: str) -> timedelta | None:
    """The duration, or None if ``text`` is not a supported ISO 8601 duration
    (upper case, no spaces, no years or months)."""
    match = _ISO.fullmatch(text)  # as written: "p1d" and " PT1H " are not ISO 8601
    if match is None:
        return None
    parts = {unit: float(value) for unit, value in match.groupdict().items() if value}
    try:
        return timedelta(**parts)
    except OverflowError:  # longer than a timedelta can hold: not a duration we accept
        return None


def format_iso_duration(value: timedelta) -> str:
    """The ISO 8601 form, exact to the microsecond (no float on the way)."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    out = "P" + (f"{value.days}D" if value.days else "")
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or value.microseconds:
        clock += f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".") + "S"
    if clock or out == "P":
        out += "T" + (clock or "0S")
    return sign + out
