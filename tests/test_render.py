"""Writing a document out: plain text and Markdown that keep the document's shape,
whatever its words say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import breachrules
from breachrules.document import Block, Bullets, Document, Item, Note, Paragraph, Quote, Section, Table
from breachrules.plaintext import plain
from breachrules.render import _cell, _inline, _single_blank, as_markdown, as_text
from tests.test_document import documents

# words an incident could carry to break out of their place in a record
hostile = st.text(alphabet=st.sampled_from(list("#>-+*_`[]()!|<&\\=~1.) \n\r\tax\x1b")), max_size=20)


def _count(blocks: tuple[Block, ...]) -> tuple[int, int]:
    """(sections, list entries) in blocks, quoted documents included."""
    sections = entries = 0

    def of_items(items: tuple[Item, ...]) -> int:
        return sum(1 + of_items(i.items) for i in items)

    for block in blocks:
        if isinstance(block, Section):
            s, e = _count(block.blocks)
            sections, entries = sections + 1 + s, entries + e
        elif isinstance(block, Bullets):
            entries += of_items(block.items)
        elif isinstance(block, Quote):
            s, e = _count(block.document.blocks)
            sections, entries = sections + s, entries + e
    return sections, entries


def _unquoted(line: str) -> str:
    while line.startswith(">"):
        line = line[1:].removeprefix(" ")
    return line


@given(hostile, hostile, hostile, hostile)
def test_words_in_markdown_cannot_open_a_heading_a_list_a_link_or_a_tag(a: str, b: str, c: str, d: str) -> None:
    doc = Document(a, (
        Paragraph(b), Note(c), Section(d, (Bullets((Item(a, name=b, aside=c, sources=d, items=(Item(b),)),)),)),
        Table((a, b), ((c, d),)), Quote(Document(b, (Paragraph(c), Section(a, (Paragraph(d),))), letter=True)),
    ))
    lines = [_unquoted(line) for line in as_markdown(doc).splitlines()]
    sections, entries = _count(doc.blocks)
    assert sum(1 for line in lines if re.match(r"\s*#", line)) == (1 if a else 0) + sections
    assert sum(1 for line in lines if re.match(r"\s*[-+*] ", line)) == entries
    assert not any(re.match(r"\s*\d+[.)]", line) for line in lines)
    assert not any(re.match(r"\s*(=+|-{2,}|_{3,}|\*{3,})\s*$", line) for line in lines)  # no rule or underline
    text = "\n".join(lines).replace("<br>", "")
    assert "<" not in text
    assert not re.search(r"(?<!\\)[\[\]`]", text.replace("[x] ", "").replace("[ ] ", ""))
    assert "\x1b" not in text and "\r" not in text


@given(documents)
def test_text_has_no_control_characters_and_every_entry_on_its_own_line(document: Document) -> None:
    out = as_text(document)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out)
    assert out.endswith("\n")
    _, entries = _count(document.blocks)
    assert sum(1 for line in out.splitlines() if re.match(r"\s*(-|\[[x ?]\])( |$)", line)) >= entries


def test_the_text_view_indents_a_section_and_aligns_entries_under_their_text() -> None:
    doc = Document("Title", (
        Section("Obligations", (Bullets((
            Item("Required", name="Notice", mark="yes", items=(Item("Notify them", sources="Art. 33"),)),
            Item("Not required", name="Public", mark="no"),
        )),)),
        Section("Why", (Bullets((Item("It leaked.", aside="(if confirmed)", sources="Art. 4"),)),)),
    ))
    assert as_text(doc) == (
        "Title\n\n"
        "Obligations\n"
        "  [x] Notice: Required\n"
        "      - Notify them [Art. 33]\n"
        "  [ ] Public: Not required\n\n"
        "Why\n"
        "  - It leaked. (if confirmed) [Art. 4]\n"
    )


def test_a_letter_is_flush_left_each_part_one_run_of_lines() -> None:
    doc = Document("Subject: a breach", (
        Paragraph("Hello,"),
        Section("What happened", (Paragraph("A letter went astray."), Paragraph("These data:"),
                                  Bullets((Item("your address"),)))),
        Paragraph("Regards"),
    ), letter=True)
    assert as_text(doc) == ("Subject: a breach\n\nHello,\n\nWhat happened\nA letter went astray.\nThese data:\n"
                            "- your address\n\nRegards\n")


def test_markdown_headings_nest_and_a_quoted_letter_continues_them() -> None:
    letter = Document("Subject", (Section("What happened", (Paragraph("Line one\nline two"),)),), letter=True)
    doc = Document("Record", (Section("Appendix", (Quote(letter),)), Section("Plan", (
        Section("Phase", (Bullets((Item("Do it", mark="no", aside="(maybe)", sources="Art. 1"),)),)),))))
    assert as_markdown(doc) == (
        "# Record\n\n## Appendix\n\n> Subject\n>\n> ### What happened\n>\n> Line one\\\n> line two\n\n"
        "## Plan\n\n### Phase\n\n- [ ] Do it *(maybe)* (Art. 1)\n"
    )


def test_markdown_escapes_what_would_start_a_block_and_keeps_a_cell_in_its_cell() -> None:
    doc = Document("", (Paragraph("1. not a list\n# not a heading"),
                        Table(("Fact", "Value"), (("Description", "A | B\n<b>&c</b>"),))))
    assert as_markdown(doc) == ("1\\. not a list\\\n\\# not a heading\n\n| Fact | Value |\n|---|---|\n"
                                "| Description | A \\| B<br>&lt;b>&amp;c&lt;/b> |\n")


# ------------------------------------------------------------------ the fast paths keep their definitions


def _inline_as_defined(text: str) -> str:
    text = re.sub(r"([\\`*_\[\]~])", r"\\\1", plain(text).replace("\n", " "))
    return text.replace("&", "&amp;").replace("<", "&lt;")


@given(st.text() | hostile)
def test_escaping_remembered_and_skipped_is_escaping_as_defined(text: str) -> None:
    # _inline skips the work for text without markup and remembers what it
    # wrote; _single_blank replaces rather than matches: the same text
    for _ in range(2):
        assert _inline(text) == _inline_as_defined(text)
        assert _cell(text) == "<br>".join(_inline_as_defined(line).replace("|", "\\|")
                                          for line in plain(text).split("\n"))
        assert _single_blank(text) == re.sub(r"\n{3,}", "\n\n", text)


def test_remembered_messages_follow_a_catalog_read_again(tmp_path: Path) -> None:
    from breachrules import catalogs

    (tmp_path / "acme.rules").write_text(
        'ruleset acme\nscale risk: none < risk < high\nfact a: bool\n'
        'rule r when a then risk >= high because "reason.r" cite "c"\n', encoding="utf-8")
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    head = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    acme = breachrules.load(tmp_path / "acme.rules")
    for words in ("The first reason.", "The second reason."):
        (locale / "acme.po").write_text(head + f'msgid "reason.r"\nmsgstr "{words}"\n', encoding="utf-8")
        for cached in (catalogs._layers, catalogs._load_catalog, catalogs._translations, catalogs._ruleset_catalog):
            cached.cache_clear()  # the catalog is read again
        assert words in acme.assess({"a": True}).explain("en")


def test_remembered_messages_tell_equal_values_of_other_types_apart() -> None:
    from breachrules.explain import messages_for

    assessment = breachrules.bundled("gdpr").assess({})
    _ = messages_for(assessment, "en")
    said = [_("explain.where", ruleset="r", line=line) for line in (1, True, 1.0, 1)]
    assert said == ["r, line 1", "r, line True", "r, line 1.0", "r, line 1"]


@given(documents)
def test_sections_remembered_are_written_as_sections_written_afresh(document: Document) -> None:
    """A section is written once for its value and place (render._remembered):
    the same document, an equal copy of it, and the same sections one level
    deeper read as they do when nothing is remembered."""
    import copy

    from breachrules import render

    deeper = Document(document.title, (Section("Outer", document.blocks),), document.letter)
    other = Document(document.title, document.blocks, not document.letter)  # a letter is laid out otherwise
    forms = [(as_markdown, document), (as_text, document), (as_markdown, deeper), (as_text, deeper),
             (as_markdown, other), (as_text, other)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "_remembered", lambda key, write: write())
        afresh = [write(doc) for write, doc in forms]
    render._WRITTEN.clear()
    for _ in range(2):
        assert [write(doc) for write, doc in forms] == afresh
        assert [write(copy.deepcopy(doc)) for write, doc in forms] == afresh
    assert all("\n\n\n" not in out for out in afresh[::2])  # Markdown: never two blank lines in a row


def test_sections_kept_are_bounded_by_their_words() -> None:
    """An incident's long text is written afresh, not kept: what the
    writers keep stays within its bound however long the texts."""
    from breachrules import render

    render._WRITTEN.clear()
    render._written[0] = 0
    for n in range(60):
        long = Document("", (Section("Facts", (Paragraph(f"{n} " + "x" * 50_000),)),))
        short = Document("", (Section("Plan", (Paragraph("y" * 15_000 + str(n)),)),))
        assert as_markdown(long).count("x") == 50_000 and as_text(short).count("y") == 15_000
    kept = [line for lines in render._WRITTEN.values() for line in lines]
    assert not any("x" * 50_000 in line for line in kept)  # too long to keep
    assert 0 < sum(map(len, kept)) == render._written[0] <= render._MOST_CHARACTERS
