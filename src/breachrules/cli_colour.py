"""Colour for a person at a terminal, and never for anything else.

Colour helps where the eye looks for one thing in many lines: an error
among warnings, a failed case among passed ones. It is used only when the
stream written to is a terminal, ``NO_COLOR`` is unset or empty
(https://no-color.org), and ``TERM`` is not ``dumb``; never in a pipe, a
file or a JSON document, whose readers would get escape codes in their
data.
"""

from __future__ import annotations

import os
import re
from typing import TextIO

import attrs

from breachrules.i18n import Messages
from breachrules.plaintext import plain

_CODES = {"red": "31", "green": "32", "yellow": "33"}
_SEVERITY_COLOUR = {"error": "red", "warning": "yellow"}


def wanted(stream: TextIO) -> bool:
    """Whether text written to ``stream`` may be coloured."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed stream
        return False


@attrs.frozen
class Paint:
    """Colours text for one stream; does nothing when colour is off."""

    on: bool

    def __call__(self, text: str, colour: str) -> str:
        return f"\x1b[{_CODES[colour]}m{text}\x1b[0m" if self.on and text else text

    def findings(self, text: str, _: Messages) -> str:
        """Diagnostics as ``check`` renders them, their severity coloured:
        ``error[BR201]`` red, ``warning[BR701]`` yellow, in the reader's words."""
        if not self.on:
            return text
        words = {_(f"diagnostic.severity.{s}"): c for s, c in _SEVERITY_COLOUR.items()}
        heads = re.compile(r"^(" + "|".join(map(re.escape, words)) + r")(?=\[BR\d+\])", re.M)
        return heads.sub(lambda m: self(m.group(1), words[m.group(1)]), text)


# The escape sequences a Paint writes: the only ones a line may keep.
_OURS = re.compile("(\x1b\\[(?:" + "|".join(_CODES.values()) + "|0)m)")


def for_terminal(text: str) -> str:
    """Text fit for a terminal: the control characters of what a file
    gave (a record, an incident's keys) taken out, so that none can move
    the cursor or clear the screen, and the colours of a :class:`Paint` kept."""
    return "".join(part if _OURS.fullmatch(part) else plain(part) for part in _OURS.split(text))


def paint(stream: TextIO, allowed: bool = True) -> Paint:
    """The paint for ``stream``; ``allowed=False`` (a JSON form) turns it off."""
    return Paint(allowed and wanted(stream))


__all__ = ["Paint", "for_terminal", "paint", "wanted"]
