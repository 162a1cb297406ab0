"""Citations: where in a law or a document a rule rests, cited per language.

A Finnish reader expects "tietosuoja-asetuksen 33 artiklan 3 kohdan a
alakohta", a Swedish one "artikel 33.3 a i dataskyddsförordningen", an
English one "GDPR Art. 33(3)(a)": the same place, in three word orders. So
a citation is kept as data (the reference and the place in it), never as a
sentence, and written out only when rendered, from the library catalog's
patterns (``cite.*``) and the ruleset catalog's name of the reference.

A citation carries its reference's kind and the message id of its name, so
a citation stored in a record renders without the ruleset that made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from breachrules.i18n import Messages

LAW_PARTS = ("article", "recital", "annex")  # a law is cited at one of these
DOCUMENT_PARTS = ("annex", "example", "page", "section", "case")  # a document at any of these, in this order
_FIELDS = ("reference", "kind", "name", "article", "paragraph", "point", "recital", "annex", "examples", "page",
           "section", "case", "text")


@attrs.frozen(cache_hash=True)  # what a record's texts are remembered by
class Citation:
    """A declared reference and the place in it, or a text cited as written
    (``text``, with no reference)."""

    reference: str = ""  # the declared reference's name
    kind: str = ""  # law | document
    name: str = ""  # the message id of the reference's name, in the form a citation uses
    article: str = ""
    paragraph: str = ""
    point: str = ""
    recital: str = ""
    annex: str = ""
    examples: tuple[str, ...] = ()  # "22", "11-12"
    page: str = ""
    section: str = ""
    case: str = ""
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set; a verbatim citation is ``{"text": ...}``."""
        found: dict[str, Any] = {}
        for field in _FIELDS:
            value = getattr(self, field)
            if value:
                found[field] = list(value) if isinstance(value, tuple) else value
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | str) -> Citation:
        if isinstance(data, str):  # a record written before citations were structured
            return cls(text=data)
        values = {field: data[field] for field in _FIELDS if field in data}
        if "examples" in values:
            values["examples"] = tuple(values["examples"])
        return cls(**values)

    def render(self, _: Messages) -> str:
        if not self.reference:
            return self.text
        if self.kind == "law":
            return self._law(_)
        parts = [_(self.name)]
        if self.annex:
            parts.append(_("cite.annex", annex=self.annex))
        if self.examples:
            parts.append(_.plural("cite.example", _count(self.examples), examples=_numbers(_, self.examples)))
        if self.page:
            parts.append(_("cite.page", page=self.page))
        if self.section:
            parts.append(_("cite.section", section=self.section))
        if self.case:
            parts.append(_("cite.case", case=self.case))
        return _("cite.separator").join(parts)

    def _law(self, _: Messages) -> str:
        law = _(self.name)
        if self.article:
            key = "cite.article" + (".paragraph" if self.paragraph else "") + (".point" if self.point else "")
            return _(key, law=law, article=self.article, paragraph=self.paragraph, point=self.point)
        if self.recital:
            return _("cite.recital", law=law, recital=self.recital)
        return _("cite.law_annex", law=law, annex=self.annex)


def render_all(_: Messages, cites: Iterable[Citation]) -> str:
    """Several citations in one line: "; " between them, as a citation
    itself may hold a comma ("liite 1, esimerkki 22")."""
    return "; ".join(c.render(_) for c in cites)


def to_list(cites: Iterable[Citation]) -> list[dict[str, Any]]:
    return [c.to_dict() for c in cites]


def from_list(data: Iterable[Mapping[str, Any] | str]) -> tuple[Citation, ...]:
    return tuple(Citation.from_dict(c) for c in data)


def _count(examples: tuple[str, ...]) -> int:
    """One example, or several: a range counts as several."""
    return 1 if len(examples) == 1 and "-" not in examples[0] else 2


def _numbers(_: Messages, examples: tuple[str, ...]) -> str:
    """"3 and 7", "11–12": a range with an en dash, a list as the reader's
    language lists (Babel's CLDR patterns: "3 ja 7", "3 och 7")."""
    from babel.lists import format_list

    shown = [e.replace("-", "\N{EN DASH}") for e in examples]
    return format_list(shown, locale=_.locale) if len(shown) > 1 else shown[0]


__all__ = ["DOCUMENT_PARTS", "LAW_PARTS", "Citation", "from_list", "render_all", "to_list"]
