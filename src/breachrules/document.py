"""What a reader is shown, as data: a document of sections, lists and paragraphs.

An explanation, a documentation record and a draft notice are each built
once, in words, as a :class:`Document` (by :mod:`breachrules.explain`,
:mod:`breachrules.record` and :mod:`breachrules.notice`); how it is written
out (plain text, Markdown) is the business of :mod:`breachrules.render`
alone, and :meth:`Document.to_dict` is its JSON form, for an application
that lays it out itself. So a sentence is chosen in one place, and every
form of the output says the same.

All text in a document is already in the reader's language and is plain:
the renderers escape what their format would read as markup, so the words
of an incident (a description, a reason for a delay) can never become a
heading, a link or an HTML tag.

Every block keeps its hash once computed (``cache_hash``): the renderers
remember what they wrote of a section by the section's value, and a
record's sections recur, made once and shared (see :mod:`breachrules.record`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

Mark: TypeAlias = Literal["", "yes", "no", "maybe"]  # no box, ticked, empty, uncertain


@attrs.frozen(cache_hash=True)
class Paragraph:
    text: str
    strong: bool = False  # stands out: a count of what is missing


@attrs.frozen(cache_hash=True)
class Note:
    """A warning the reader must not miss (a provisional result)."""

    text: str


@attrs.frozen(cache_hash=True)
class Item:
    """One entry of a list: ``name: text`` with an optional check box, a
    remark (``aside``), its sources and entries under it."""

    text: str
    name: str = ""  # what the entry is about, set off from the text
    mark: Mark = ""
    aside: str = ""
    sources: str = ""
    items: tuple[Item, ...] = ()


@attrs.frozen(cache_hash=True)
class Bullets:
    items: tuple[Item, ...]


@attrs.frozen(cache_hash=True)
class Table:
    header: tuple[str, str]
    rows: tuple[tuple[str, str], ...]


@attrs.frozen(cache_hash=True)
class Quote:
    """Another document set inside this one (the draft letter in a record)."""

    document: Document


@attrs.frozen(cache_hash=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


Block: TypeAlias = Paragraph | Note | Bullets | Table | Quote | Section


@attrs.frozen(cache_hash=True)
class Document:
    title: str
    blocks: tuple[Block, ...]
    letter: bool = False  # a letter to a person: no indentation, headings as lines

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "letter": self.letter, "blocks": [_block_to_dict(b) for b in self.blocks]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        return cls(str(data["title"]), tuple(_block_from_dict(b) for b in data["blocks"]), bool(data["letter"]))


# ------------------------------------------------------------------ JSON form


def _item_to_dict(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"text": item.text}
    for key in ("name", "mark", "aside", "sources"):
        if getattr(item, key):
            out[key] = getattr(item, key)
    if item.items:
        out["items"] = [_item_to_dict(i) for i in item.items]
    return out


def _item_from_dict(data: Mapping[str, Any]) -> Item:
    mark = data.get("mark", "")
    if mark not in ("", "yes", "no", "maybe"):
        raise ValueError(f"not a check box: {mark!r}")
    return Item(str(data["text"]), str(data.get("name", "")), mark, str(data.get("aside", "")),
                str(data.get("sources", "")), tuple(_item_from_dict(i) for i in data.get("items", ())))


def _block_to_dict(block: Block) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": block.text, "strong": block.strong}
    if isinstance(block, Note):
        return {"type": "note", "text": block.text}
    if isinstance(block, Bullets):
        return {"type": "list", "items": [_item_to_dict(i) for i in block.items]}
    if isinstance(block, Table):
        return {"type": "table", "header": list(block.header), "rows": [list(r) for r in block.rows]}
    if isinstance(block, Quote):
        return {"type": "quote", "quoted": block.document.to_dict()}
    return {"type": "section", "title": block.title, "blocks": [_block_to_dict(b) for b in block.blocks]}


def _block_from_dict(data: Mapping[str, Any]) -> Block:
    kind = data["type"]
    if kind == "paragraph":
        return Paragraph(str(data["text"]), bool(data.get("strong", False)))
    if kind == "note":
        return Note(str(data["text"]))
    if kind == "list":
        return Bullets(tuple(_item_from_dict(i) for i in data["items"]))
    if kind == "table":
        label, value = data["header"]
        return Table((str(label), str(value)), tuple((str(a), str(b)) for a, b in data["rows"]))
    if kind == "quote":
        return Quote(Document.from_dict(data["quoted"]))
    if kind == "section":
        return Section(str(data["title"]), tuple(_block_from_dict(b) for b in data["blocks"]))
    raise ValueError(f"not a block of a document: {kind!r}")
