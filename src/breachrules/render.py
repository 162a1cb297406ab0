"""A document written out: as plain text for a terminal or a letter, as Markdown for a record.

The two writers know nothing of breaches: they lay out the sections, lists,
tables and paragraphs of a :class:`~breachrules.document.Document`. All
text passes through :func:`~breachrules.plaintext.plain` (no control
characters reach a terminal), and Markdown escapes whatever it would read
as markup, so the words of an incident cannot open a heading, a list, a
link or an HTML tag in the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from breachrules.document import Block, Bullets, Document, Item, Mark, Note, Paragraph, Quote, Section, Table
from breachrules.plaintext import plain

# ------------------------------------------------------------------ plain text

_BOX = {"yes": "[x] ", "no": "[ ] ", "maybe": "[?] ", "": "- "}


def as_text(document: Document) -> str:
    """The document as plain text: sections as lines, their contents indented
    beneath them (a letter: flush left, as it would be sent)."""
    out: list[str] = []
    if document.title:
        out.append(_one_line(document.title))
    _Text(out, document.letter).blocks(document.blocks, 0, top=True)
    return "\n".join(out).strip("\n") + "\n"


class _Text:
    def __init__(self, out: list[str], letter: bool) -> None:
        self.out = out
        self.letter = letter

    def blocks(self, blocks: tuple[Block, ...], indent: int, *, top: bool = False) -> None:
        for i, block in enumerate(blocks):
            if top or (i and not self.letter):  # a letter's part is one run of lines
                self.out.append("")
            self.block(block, indent)

    def block(self, block: Block, indent: int) -> None:
        pad = " " * indent
        if isinstance(block, Paragraph | Note):
            self.out += [f"{pad}{line}".rstrip() for line in plain(block.text).split("\n")]
        elif isinstance(block, Bullets):
            for item in block.items:
                self.item(item, indent)
        elif isinstance(block, Table):
            self.out += [f"{pad}{_one_line(label)}: {_one_line(value)}" for label, value in block.rows]
        elif isinstance(block, Quote):
            inner = as_text(block.document).rstrip("\n").split("\n")
            self.out += [f"{pad}{line}".rstrip() for line in inner]
        else:
            self.out += _remembered(("text", self.letter, block, indent), lambda: self._section(block, indent))

    def _section(self, section: Section, indent: int) -> list[str]:
        out = [" " * indent + _one_line(section.title)]
        _Text(out, self.letter).blocks(section.blocks, indent if self.letter else indent + 2)
        return out

    def item(self, item: Item, indent: int) -> None:
        box = _BOX[item.mark]
        line = _one_line(f"{item.name}: {item.text}" if item.name and item.text else item.name or item.text)
        if item.aside:
            line += " " + _one_line(item.aside)
        if item.sources:  # in brackets: a remark beside it may be in parentheses
            line += f" [{_one_line(item.sources)}]"
        self.out.append(" " * indent + box + line)
        for child in item.items:
            self.item(child, indent + len(box))


def _one_line(text: str) -> str:
    return plain(text).replace("\n", " ")


# ------------------------------------------------------------------ Markdown

_MD_BOX: dict[Mark, str] = {"yes": "[x] ", "maybe": "[x] ", "no": "[ ] ", "": ""}


def as_markdown(document: Document) -> str:
    """The document as CommonMark (with GitHub's task lists and tables)."""
    out: list[str] = []
    if document.title:
        out += [f"# {_inline(document.title)}", ""]
    _Markdown(out).blocks(document.blocks, 1)
    return _single_blank("\n".join(out)).strip("\n") + "\n"


class _Markdown:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def blocks(self, blocks: tuple[Block, ...], depth: int) -> None:
        """Each block, and a blank line after it (one: never two in a row)."""
        out = self.out
        for block in blocks:
            self.block(block, depth)
            if out and out[-1]:
                out.append("")

    def block(self, block: Block, depth: int) -> None:
        if isinstance(block, Paragraph):
            text = _lines(block.text)
            self.out.append(f"**{text}**" if block.strong else text)
        elif isinstance(block, Note):
            self.out.append("> " + _lines(block.text).replace("\n", "\n> "))
        elif isinstance(block, Bullets):
            for item in block.items:
                self.item(item, 0)
        elif isinstance(block, Table):
            self.out += [f"| {_cell(block.header[0])} | {_cell(block.header[1])} |", "|---|---|"]
            self.out += [f"| {_cell(label)} | {_cell(value)} |" for label, value in block.rows]
        elif isinstance(block, Quote):
            self.quote(block.document, depth)
        else:
            self.out += _remembered(("md", block, depth), lambda: self._section(block, depth))

    def _section(self, section: Section, depth: int) -> list[str]:
        out = ["#" * min(depth + 1, 6) + " " + _inline(section.title), ""]
        _Markdown(out).blocks(section.blocks, depth + 1)
        while out[-1] == "":  # the blank line after it is the caller's
            out.pop()
        return out

    def item(self, item: Item, indent: int) -> None:
        line = f"**{_inline(item.name)}**: {_inline(item.text)}" if item.name and item.text else (
            f"**{_inline(item.name)}**" if item.name else _start(_inline(item.text)))
        if item.aside:
            line += f" *{_inline(item.aside)}*"
        if item.sources:
            line += f" ({_inline(item.sources)})"
        self.out.append(f"{' ' * indent}- {_MD_BOX[item.mark]}{line}")
        for child in item.items:
            self.item(child, indent + 2)

    def quote(self, document: Document, depth: int) -> None:
        """Another document as a block quote: its title a paragraph, its
        sections headed one level below the section that holds it."""
        inner: list[str] = []
        if document.title:
            inner += [_lines(document.title), ""]
        _Markdown(inner).blocks(document.blocks, depth)
        while inner and not inner[-1]:
            inner.pop()
        self.out += [f"> {line}".rstrip() for line in _single_blank("\n".join(inner)).split("\n")]


_WRITTEN: dict[tuple[Any, ...], list[str]] = {}
_MOST_SECTIONS = 2_000  # sections remembered, then forgotten all at once
_MOST_CHARACTERS = 2_000_000  # or once they hold this much text
_LARGEST_SECTION = 20_000  # a section longer than this (an incident's long text) is not kept
_written = [0]  # characters in _WRITTEN


def _remembered(key: tuple[Any, ...], write: Callable[[], list[str]]) -> list[str]:
    """The lines of a section, written once for its value and place: a
    record's plans, checklists and tables recur from one incident to the
    next, and its sections are made once and shared (:mod:`breachrules.record`),
    so a section seen before is found by identity, at the cost of a lookup.
    (Blocks keep their hash: a new one is hashed once, as it is written.)
    The lines are never changed: callers copy them into their own list."""
    lines = _WRITTEN.get(key)
    if lines is None:
        lines = write()
        size = sum(map(len, lines))
        if size <= _LARGEST_SECTION:
            if len(_WRITTEN) >= _MOST_SECTIONS or _written[0] + size > _MOST_CHARACTERS:
                _WRITTEN.clear()
                _written[0] = 0
            _WRITTEN[key] = lines
            _written[0] += size
    return lines


def _single_blank(text: str) -> str:
    """No more than one blank line in a row: each run of three line breaks
    or more becomes two."""
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


_SPECIAL = re.compile(r"([\\`*_\[\]~])")
_MARKUP = re.compile(r"[\\`*_\[\]~\n&<]")  # what _inline changes: most text has none of it
_BLOCK_START = re.compile(r"^([#>+\-=|]|\d+(?=[.)]))")


def _inline(text: str) -> str:
    """Text in one line of Markdown, read as written: no emphasis, code, link
    or HTML it could open, no line break it could end a list item with.
    (Remembered: a record says the same messages every time.)"""
    said = _ESCAPED.get(text)
    return said if said is not None else _keep(_ESCAPED, text, _escaped(text))


def _keep(table: dict[str, str], text: str, said: str) -> str:
    """``said`` of ``text``, kept in ``table`` unless the text is long; the
    table forgotten all at once when full."""
    if len(text) <= _LONGEST:
        if len(table) >= _MOST:
            table.clear()
        table[text] = said
    return said


_ESCAPED: dict[str, str] = {}
_CELLS: dict[str, str] = {}
_MOST = 10_000  # texts remembered, then forgotten all at once
_LONGEST = 2_000  # (an incident's free text may be long, and is seldom shown twice)


def _escaped(text: str) -> str:
    text = plain(text)
    if _MARKUP.search(text) is None:
        return text
    text = _SPECIAL.sub(r"\\\1", text.replace("\n", " "))
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _start(text: str) -> str:
    """Text that begins a line, unable to begin a heading, a quote or a list."""
    text = text.lstrip()
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    if match.group(1)[0].isdigit():  # "1." begins a numbered list, "1\." does not
        end = match.end()
        return text[:end] + "\\" + text[end:]
    return "\\" + text


def _lines(text: str) -> str:
    """A paragraph that keeps its line breaks (as hard breaks), each line
    unable to begin a block."""
    return "\\\n".join(_start(_inline(line)) for line in plain(text).split("\n") if line.strip())


def _cell(text: str) -> str:
    """Text made safe for one table cell: it cannot end the cell or the row."""
    said = _CELLS.get(text)
    if said is not None:
        return said
    return _keep(_CELLS, text, "<br>".join(_inline(line).replace("|", "\\|") for line in plain(text).split("\n")))
