"""Text an incident gives, made fit to show: free text is untrusted too.

A description or a reason for a delay is printed in a record, a draft
notice and a terminal. As written, it could carry escape sequences a
terminal acts on, or carriage returns that a Markdown renderer reads as the
end of a table row. What it says is kept; those characters are not.
"""

from __future__ import annotations


def plain(text: str) -> str:
    """Text as written, without control characters (line breaks become
    ``\\n``, tabs stay tabs)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or (c >= " " and c != "\x7f" and not 0x80 <= ord(c) < 0xA0))
