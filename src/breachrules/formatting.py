"""The canonical layout of a ruleset file: ``breachrules fmt``.

:func:`format_ruleset` parses a ruleset with the library's own parser and
prints it again in one layout (described in :mod:`breachrules.layout` and
``docs/language.md``, "Layout and ``breachrules fmt``"), so that a
reviewer reads differences of meaning, not of spacing. It changes
white space only:

- every token is kept, in its order, strings and numbers byte for byte;
- every comment stays in the gap between the same two tokens, a comment at
  the end of a line stays at the end of that line (:mod:`breachrules.comments`);
- the author's grouping of statements stays: where a blank line (or more)
  separated two statements, or statements and comments between them, one
  blank line does; none is added. Blank lines inside a statement go.

A formatter that rewrites files must never change what they say, so the
output is checked before it is returned: parsed again, it must give the
same syntax tree (positions aside), the same tokens and the same comments
in the same places. If it does not, that is a bug of the formatter, and
:class:`FormattingError` is raised rather than a changed ruleset returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from breachrules import parser
from breachrules.comments import Gap, gaps_of, placed, tokens_of
from breachrules.exceptions import BreachrulesError
from breachrules.layout import INDENT, Layout, kids, label_text
from breachrules.pretty import Sep, Text, prepare, render, walk

WIDTH = 80  # columns; comments, strings and long names may go past it


class FormattingError(BreachrulesError):
    """The formatted text would not say what the original says: a bug in the
    formatter, reported instead of writing the text."""

    def __init__(self, file: str, what: str) -> None:
        self.file = file
        self.what = what  # for the developer: tree, tokens or comments
        super().__init__(self.message())

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.file, self.what)

    def message(self, locale: str = "en") -> str:
        from breachrules.i18n import Messages

        return Messages(locale)("formatting.changed", file=self.file)


def format_ruleset(text: str, file: str = "<string>", *, width: int = WIDTH) -> str:
    """The text of a ruleset in the canonical layout.

    Raises :class:`~breachrules.diagnostics.RulesetError`, with positions in
    ``file``, for text that does not parse, and :class:`FormattingError` if
    the result would not say the same as ``text`` (which would be a bug)."""
    before = parser.parse(text, file)  # the library's own errors, positioned, for text that does not parse
    tree = _concrete().parse(text)
    tokens = tokens_of(tree)
    formatted = _print(tree, tokens, gaps_of(text, tokens), width, file)
    _check_same(text, before, tokens, formatted, file)
    return formatted


def _concrete() -> Any:
    """The grammar's parser keeping every token (keywords and punctuation
    too): the tree the layout is printed from."""
    return parser._lark(keep_all_tokens=True)


# ------------------------------------------------------------------ printing


@attrs.frozen
class _Statement:
    tree: Any
    first: int  # index of its first token
    last: int  # and of its last


def _print(tree: Any, tokens: Sequence[Any], gaps: Sequence[Gap], width: int, file: str) -> str:
    """Each statement laid out on its own (:mod:`breachrules.layout`), with
    the comments inside it; between them, the comments and blank lines of
    the gaps between statements."""
    statements = _statements(tree)
    widths = _reference_widths(statements, gaps)
    out: list[str] = []
    _leading(out, gaps[0])
    for i, statement in enumerate(statements):
        doc = Layout(widths.get(i, ())).statement(statement.tree)
        _put_comments(doc, tokens, gaps, statement, file)
        prepare(doc)
        out.append(render(doc, width, hang=INDENT))
        _between(out, gaps[statement.last + 1], more=i + 1 < len(statements))
    return "".join(out)


def _statements(tree: Any) -> list[_Statement]:
    """The header and the statements, each with its range of tokens."""
    found = []
    position = 0
    for child in kids(tree):
        count = len(tokens_of(child))
        found.append(_Statement(child, position, position + count - 1))
        position += count
    return found


def _reference_widths(statements: Sequence[_Statement], gaps: Sequence[Gap]) -> dict[int, tuple[int, int]]:
    """The name and kind columns of each run of ``reference`` statements
    that follow one another with no blank line or comment line between."""
    runs: list[list[int]] = []
    for i, statement in enumerate(statements):
        if statement.tree.data != "reference":
            continue
        gap = gaps[statement.first]
        together = not gap.blank_line_after and all(c.trailing for c in gap.comments)
        if runs and runs[-1][-1] == i - 1 and together:
            runs[-1].append(i)
        else:
            runs.append([i])
    widths: dict[int, tuple[int, int]] = {}
    for run in runs:
        parts = [kids(statements[i].tree) for i in run]
        name_width = max(len(str(p[1])) + 1 for p in parts)
        kind_width = max(len(str(p[3])) for p in parts)
        widths.update((i, (name_width, kind_width)) for i in run)
    return widths


def _put_comments(doc: Any, tokens: Sequence[Any], gaps: Sequence[Gap], statement: _Statement, file: str) -> None:
    """Give each gap inside the statement its comments, checking that the
    document holds the statement's tokens, in order, one gap between each two."""
    pieces = walk(doc)
    expected = tokens[statement.first:statement.last + 1]
    texts = pieces[0::2]
    if (len(pieces) != 2 * len(expected) - 1 or not all(isinstance(t, Text) for t in texts)
            or not all(isinstance(s, Sep) for s in pieces[1::2])
            or [t.text for t in texts if isinstance(t, Text)] != [label_text(t) for t in expected]):
        raise FormattingError(file, "layout")  # pragma: no cover
    for offset, sep in enumerate(pieces[1::2]):
        assert isinstance(sep, Sep)
        comments = gaps[statement.first + offset + 1].comments
        if comments and comments[0].trailing:
            sep.trailing = comments[0].text
            comments = comments[1:]
        sep.own = [c.text for c in comments]


def _leading(out: list[str], gap: Gap) -> None:
    """The comments before the header, at the left margin."""
    for i, comment in enumerate(gap.comments):
        if i and comment.newlines_before >= 2:
            out.append("\n")
        out.append(comment.text + "\n")
    if gap.comments and gap.blank_line_after:
        out.append("\n")


def _between(out: list[str], gap: Gap, *, more: bool) -> None:
    """The comments and blank lines after a statement: one blank line where
    the author left any, a comment line indented under the statement when
    it was indented and follows the statement directly (it belongs to it)."""
    comments = list(gap.comments)
    if comments and comments[0].trailing:
        out.append("  " + comments.pop(0).text)
    out.append("\n")
    attached = True
    for comment in comments:
        if comment.newlines_before >= 2:
            out.append("\n")
            attached = False
        attached = attached and comment.column > 1
        out.append((" " * 2 if attached else "") + comment.text + "\n")
    if more and gap.blank_line_after:
        out.append("\n")


# ------------------------------------------------------------------ checking


def _check_same(text: str, before: Any, tokens: Sequence[Any], formatted: str, file: str) -> None:
    """Refuse output that does not say what the input says."""
    from breachrules.diagnostics import RulesetError

    try:
        after = parser.parse(formatted, file)
    except RulesetError:
        raise FormattingError(file, "parse") from None
    if not same_tree(before, after):
        raise FormattingError(file, "tree")
    tokens_after = tokens_of(_concrete().parse(formatted))
    if [(t.type, label_text(t)) for t in tokens] != [(t.type, label_text(t)) for t in tokens_after]:
        raise FormattingError(file, "tokens")
    if placed(text, tokens) != placed(formatted, tokens_after):
        raise FormattingError(file, "comments")


def same_tree(a: object, b: object) -> bool:
    """Whether two syntax trees are equal but for where they were written
    (their spans and file names); without recursion."""
    stack: list[tuple[Any, Any]] = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if attrs.has(type(x)):
            for field in attrs.fields(type(x)):
                if field.name not in ("span", "file"):
                    stack.append((getattr(x, field.name), getattr(y, field.name)))
        elif isinstance(x, tuple):
            assert isinstance(y, tuple)
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif x != y:
            return False
    return True
