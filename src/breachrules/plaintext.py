"""Text an incident gives, made fit to show: free text is untrusted too.

A description or a reason for a delay is printed in a record, a draft
notice and a terminal. As written, it could carry escape sequences a
terminal acts on, or carriage returns that a Markdown renderer reads as the
end of a table row. What it says is kept; those characters are not.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and line feed (CR is made LF first)


def plain(text: str) -> str:
    """Text as written, without control characters (line breaks become
    ``\\n``, tabs stay tabs)."""
    if text.isprintable():  # the usual case: nothing to take out
        return text
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
