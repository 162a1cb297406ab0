"""The document model: its JSON form reads back as the same document."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachrules.document import Block, Bullets, Document, Item, Note, Paragraph, Quote, Section, Table

words = st.text(max_size=30)
marks = st.sampled_from(("", "yes", "no", "maybe"))


def items(depth: int = 2) -> st.SearchStrategy[Item]:
    children = st.lists(items(depth - 1), max_size=2).map(tuple) if depth else st.just(())
    return st.builds(Item, words, words, marks, words, words, children)


def blocks(depth: int = 2) -> st.SearchStrategy[Block]:
    leaves: list[st.SearchStrategy[Block]] = [
        st.builds(Paragraph, words, st.booleans()),
        st.builds(Note, words),
        st.builds(Bullets, st.lists(items(), min_size=1, max_size=3).map(tuple)),
        st.builds(Table, st.tuples(words, words), st.lists(st.tuples(words, words), max_size=3).map(tuple)),
    ]
    if depth:
        inner = st.lists(blocks(depth - 1), max_size=3).map(tuple)
        leaves += [st.builds(Section, words, inner),
                   st.builds(Quote, st.builds(Document, words, inner, st.booleans()))]
    return st.one_of(leaves)


documents = st.builds(Document, words, st.lists(blocks(), max_size=4).map(tuple), st.booleans())


@given(documents)
def test_a_document_read_back_from_json_is_the_same_document(document: Document) -> None:
    assert Document.from_dict(json.loads(json.dumps(document.to_dict()))) == document


def test_the_json_form_names_each_block() -> None:
    doc = Document("T", (Section("S", (Paragraph("p"), Bullets((Item("i", mark="yes"),)))),))
    assert doc.to_dict() == {
        "title": "T", "letter": False,
        "blocks": [{"type": "section", "title": "S", "blocks": [
            {"type": "paragraph", "text": "p", "strong": False},
            {"type": "list", "items": [{"text": "i", "mark": "yes"}]},
        ]}],
    }


@pytest.mark.parametrize("block", [{"type": "script", "text": "x"},
                                   {"type": "list", "items": [{"text": "x", "mark": "done"}]}])
def test_what_is_not_a_document_is_refused(block: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Document.from_dict({"title": "", "letter": False, "blocks": [block]})
