"""A small pretty printer: documents of text and breakable separators, laid
out to a line width.

The formatter (:mod:`breachrules.formatting`) describes each statement as a
document and this module decides where its lines break, in the manner of
Wadler's "prettier printer" (and of Prettier, which popularised it): a
:class:`Group` is printed on one line when it fits and with every one of its
own line separators broken when it does not; a :class:`Fill` breaks only
where the next item would not fit. The decision depends on nothing but the
document and the width, which is what makes a formatter's output canonical.

Two things are particular to formatting source text with comments:

- Every gap between two tokens is one :class:`Sep`, so a comment that sat in
  a gap can be put back into it. A separator with a comment always ends its
  line (a comment runs to the end of the line), and so do the groups around
  it; a comment never makes anything else break.
- Continuation lines can be aligned under a column rather than indented by a
  fixed step (:class:`Align`), with an offset, so that ``and`` and ``or`` can
  hang to the left of the operands they join.

Printing and measuring are loops over an explicit stack, never recursion:
a ruleset may nest expressions as deep as the parser allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

SepKind = Literal["none", "space", "line", "softline", "hard"]
_FLAT, _BREAK = False, True


class Text:
    """Text printed as it is: a token, never containing a line break."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class Sep:
    """The gap between two tokens.

    ``none`` glues them, ``space`` puts ``pad`` spaces between them, ``line``
    is a space or a line break and ``softline`` nothing or a line break (as
    the group around them decides), ``hard`` is always a line break.
    Comments found in the gap are added later (:meth:`add_comments`): the one
    on the line of the token before (``trailing``) and those on lines of
    their own (``own``); either makes the gap a line break."""

    __slots__ = ("kind", "pad", "trailing", "own")

    def __init__(self, kind: SepKind, pad: int = 1) -> None:
        self.kind: SepKind = kind
        self.pad = pad
        self.trailing: str | None = None
        self.own: list[str] = []

    @property
    def forced(self) -> bool:
        """Whether this gap always ends a line."""
        return self.kind == "hard" or self.trailing is not None or bool(self.own)


class Concat:
    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Doc]) -> None:
        self.parts = tuple(parts)


class Group:
    """Printed flat when it fits on the line, else with its separators broken.
    ``forced`` is set by :func:`prepare` when a separator inside must break."""

    __slots__ = ("body", "forced")

    def __init__(self, body: Doc) -> None:
        self.body = body
        self.forced = False


class Indent:
    """Line breaks inside continue ``by`` columns further in than the enclosing ones."""

    __slots__ = ("by", "body")

    def __init__(self, by: int, body: Doc) -> None:
        self.by = by
        self.body = body


class Align:
    """Line breaks inside continue at the column where the body starts, plus ``offset``."""

    __slots__ = ("offset", "body")

    def __init__(self, offset: int, body: Doc) -> None:
        self.offset = offset
        self.body = body


class Fill:
    """Items and the separators between them (item, sep, item, ...): each
    separator breaks only when the item after it would not fit on the line."""

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Doc]) -> None:
        assert len(parts) % 2 == 1 and all(isinstance(p, Sep) for p in parts[1::2])
        self.parts = tuple(parts)


Doc = Text | Sep | Concat | Group | Indent | Align | Fill


def concat(*parts: Doc) -> Concat:
    return Concat(parts)


def children(doc: Doc) -> tuple[Doc, ...]:
    if isinstance(doc, (Concat, Fill)):
        return doc.parts
    if isinstance(doc, (Group, Indent, Align)):
        return (doc.body,)
    return ()


def walk(doc: Doc) -> list[Text | Sep]:
    """The tokens and gaps of a document, in the order they are printed."""
    found: list[Text | Sep] = []
    stack: list[Doc] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, (Text, Sep)):
            found.append(node)
        else:
            stack.extend(reversed(children(node)))
    return found


def prepare(doc: Doc) -> None:
    """Mark every group that holds a separator that must break (a hard line
    or a comment): such a group can never be flat."""
    # post-order without recursion: a node is finished after its children
    stack: list[tuple[Doc, bool]] = [(doc, False)]
    forced: dict[int, bool] = {}
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            stack.extend((child, False) for child in children(node))
            continue
        value = node.forced if isinstance(node, Sep) else any(forced[id(child)] for child in children(node))
        if isinstance(node, Group):
            node.forced = value
        forced[id(node)] = value


_Command = tuple[int, bool, Doc]  # indentation, break mode, document


def render(doc: Doc, width: int, hang: int = 0) -> str:
    """The document laid out within ``width`` columns where it can be (a
    token longer than the line stays whole), lines without trailing blanks.
    A line never starts left of ``hang`` but the first: a statement's first
    line broken by a comment goes on indented, not at the margin where a
    statement would start. :func:`prepare` must have been called."""
    out: list[str] = []
    column = 0
    stack: list[_Command] = [(0, _BREAK, doc)]

    def newline(at: int) -> None:
        nonlocal column
        at = max(at, hang)
        out.append("\n" + " " * at)
        column = at

    while stack:
        at, broken, node = stack.pop()
        if isinstance(node, Text):
            out.append(node.text)
            column += len(node.text)
        elif isinstance(node, Sep):
            if node.forced and (node.trailing is not None or node.own):
                if node.trailing is not None:
                    out.append("  " + node.trailing)
                for comment in node.own:
                    newline(at)
                    out.append(comment)
                newline(at)
            elif node.kind == "space":
                out.append(" " * node.pad)
                column += node.pad
            elif node.kind == "hard" or (broken and node.kind in ("line", "softline")):
                newline(at)
            elif node.kind == "line":
                out.append(" ")
                column += 1
        elif isinstance(node, Concat):
            stack.extend((at, broken, part) for part in reversed(node.parts))
        elif isinstance(node, Indent):
            stack.append((at + node.by, broken, node.body))
        elif isinstance(node, Align):
            stack.append((max(0, column + node.offset), broken, node.body))
        elif isinstance(node, Group):
            flat = not node.forced and (not broken or _fits([(at, _FLAT, node.body)], width - column, stack))
            stack.append((at, not flat, node.body))
        else:
            _fill(node, at, broken, width - column, stack)
    text = "".join(out)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _fill(node: Fill, at: int, broken: bool, room: int, stack: list[_Command]) -> None:
    """Push the first item of a fill and what follows it, breaking the
    separator after it only if the next item does not fit behind it."""
    parts = node.parts
    if not broken:
        stack.extend((at, _FLAT, part) for part in reversed(parts))
        return
    first = parts[0]
    first_fits = _fits([(at, _FLAT, first)], room, [])
    if len(parts) == 1:
        stack.append((at, not first_fits, first))
        return
    sep, following = parts[1], parts[2]
    assert isinstance(sep, Sep)
    pair_fits = not sep.forced and _fits([(at, _FLAT, following), (at, _FLAT, sep), (at, _FLAT, first)], room, [])
    stack.append((at, _BREAK, Fill(parts[2:])))
    stack.append((at, not pair_fits, sep))
    stack.append((at, not first_fits, first))


def _fits(commands: list[_Command], room: int, rest: Sequence[_Command]) -> bool:
    """Whether the commands, then what follows them, reach the end of the
    line (or of the document) within ``room`` columns."""
    todo = list(commands)
    following = len(rest)  # the rest of the printer's stack, read from its top
    while room >= 0:
        if not todo:
            if following == 0:
                return True
            following -= 1
            todo.append(rest[following])
        at, broken, node = todo.pop()
        if isinstance(node, Text):
            room -= len(node.text)
        elif isinstance(node, Sep):
            if node.forced or (broken and node.kind in ("line", "softline")):
                return True
            room -= node.pad if node.kind == "space" else 1 if node.kind == "line" else 0
        elif isinstance(node, Group):
            todo.append((at, broken if not node.forced else _BREAK, node.body))
        else:
            todo.extend((at, broken, part) for part in reversed(children(node)))
    return False
