"""The comments and blank lines of a ruleset's text, found between its tokens.

The grammar ignores comments (``%ignore COMMENT``), so the parse tree has
none. The formatter needs every one of them back, each in its place: the
text between two consecutive tokens holds nothing but white space and
comments (a ``#`` inside a string is part of its token), so reading those
gaps finds them all, and with them the blank lines an author left between
statements.

A gap is numbered by the token after it: gap 0 comes before the first
token, gap ``n`` after the last of ``n`` tokens. "In its place" means in the
same gap, in the same order, and a comment on the line of the token before
it (``trailing``) stays on that token's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
from lark import Token


@attrs.frozen
class Comment:
    """One comment: its text without trailing blanks, whether it is on the
    line of the token before it, and the column it starts at (from 1)."""

    text: str
    trailing: bool
    column: int
    # line breaks between the token or comment before it and this comment
    newlines_before: int


@attrs.frozen
class Gap:
    """What lies between two tokens besides spaces."""

    comments: tuple[Comment, ...]
    # line breaks between the last comment (or the token before) and the token after
    newlines_after: int

    @property
    def blank_line_after(self) -> bool:
        return self.newlines_after >= 2


def tokens_of(tree: Any) -> list[Any]:
    """The tokens of a Lark tree (kept with ``keep_all_tokens``), in the
    order of the text; without recursion."""
    found: list[Any] = []
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Token):
            found.append(node)
        elif node is not None:
            stack.extend(reversed(node.children))
    return found


def gaps_of(text: str, tokens: Sequence[Any]) -> list[Gap]:
    """The ``len(tokens) + 1`` gaps of ``text`` around its tokens."""
    bounds = [0] + [b for t in tokens for b in (t.start_pos, t.end_pos)] + [len(text)]
    return [_gap(text, bounds[2 * i], bounds[2 * i + 1], first=i == 0) for i in range(len(tokens) + 1)]


def _gap(text: str, start: int, end: int, *, first: bool) -> Gap:
    comments: list[Comment] = []
    position = start
    while True:
        found = text.find("#", position, end)
        if found < 0:
            return Gap(tuple(comments), text.count("\n", position, end))
        stop = text.find("\n", found, end)
        stop = end if stop < 0 else stop
        newlines = text.count("\n", position, found)
        line_start = text.rfind("\n", 0, found) + 1
        comments.append(Comment(
            text=text[found:stop].rstrip(),
            trailing=newlines == 0 and not comments and not first,
            column=found - line_start + 1,
            newlines_before=newlines,
        ))
        position = stop


def placed(text: str, tokens: Sequence[Any]) -> list[tuple[int, bool, str]]:
    """Every comment as (gap, trailing, text): what must not change when a
    text is reformatted."""
    return [(i, c.trailing, c.text) for i, gap in enumerate(gaps_of(text, tokens)) for c in gap.comments]
