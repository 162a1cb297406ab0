"""A draft communication to the data subjects (GDPR Art. 34(2)).

:func:`draft` writes, in clear and plain language, what the controller must
tell the people concerned: what happened, when it came to light, what it may
mean for them, what the controller has done, what they can do themselves and
whom to contact. The frame (the parts' headings and sentences) is the
library's (``notice.*``); which facts and plans fill each part the ruleset
declares (a ``notice`` statement, carried by the assessment), and its
catalog says them in the words of a letter rather than of a form
(``plain.<fact>`` leads a list, ``plain.<fact>.<member>`` is one item).
Free-text facts are the controller's own words, inserted as written.

Whatever a notice needs but the incident does not yet say is shown as a
visible placeholder ("[to be completed: ...]"), so that an incomplete draft
cannot be sent unnoticed: an unknown list or moment where it would stand,
the controller's own account where it opens a part, and a part the law
requires (Art. 34(2)) that nothing fills.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachrules.document import Block, Bullets, Document, Item, Paragraph, Section
from breachrules.explain import fact_label, format_instant, in_sentence, member, messages_for, time_zone
from breachrules.i18n import Messages
from breachrules.incident import json_key
from breachrules.instants import parse_instant
from breachrules.render import as_text
from breachrules.results import is_given
from breachrules.views import AssessmentView, ReportView
from breachrules.vocabulary import NOTICE_PARTS, REQUIRED_PARTS, Notice


def due(assessment: AssessmentView) -> tuple[Notice, ...]:
    """The notices to draft: those an obligation required is for."""
    required = set(assessment.required)
    return tuple(n for n in assessment.vocabulary.notices if required.intersection(n.obligations))


def document(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki",
             notice: Notice | None = None) -> Document:
    """The draft communication to the data subjects: of ``notice``, or of
    the ruleset's first notice (a ruleset that declares none gets the
    frame, every required part a placeholder)."""
    time_zone(timezone)
    a = report.assessment
    _ = messages_for(a, locale)
    if notice is None:
        notice = a.vocabulary.notices[0] if a.vocabulary.notices else Notice("", (), ())
    # made once for what it is made of (a record of the same facts and plans says the same letter)
    given = json_key(a.facts)
    if given is None:  # more words than are worth keeping
        return _letter(report, _, locale, timezone, notice)
    key = ("letter", notice, timezone, a.vocabulary, report.actions, given)
    return _.remember(key, lambda: _letter(report, _, locale, timezone, notice), recent=True)


def _letter(report: ReportView, _: Messages, locale: str, timezone: str, notice: Notice) -> Document:
    part_of = _Part(report, _, locale, timezone)
    blocks: list[Block] = [Paragraph(_("notice.greeting")), Paragraph(_("notice.intro"))]
    for part in NOTICE_PARTS:
        declared = notice.part(part)
        told = part_of.blocks(declared.sources) if declared else []
        if part == "discovered":  # a sentence of "what happened", not a part of its own
            if told and isinstance(blocks[-1], Section):
                blocks[-1] = Section(blocks[-1].title, blocks[-1].blocks + tuple(told))
            else:
                blocks += told
            continue
        if declared and not part_of.tells(declared.sources):  # nothing to tell yet: the part's own placeholder
            told = []
        if not told and declared is None and part not in REQUIRED_PARTS:
            continue
        if not told:
            told = [Paragraph(_(f"notice.none.{part}") if _.has(f"notice.none.{part}")
                              else _("notice.placeholder", what=_(f"notice.missing.{part}")))]
        lead = [Paragraph(_(f"notice.{part}.lead"))] if _.has(f"notice.{part}.lead") else []
        blocks.append(Section(_(f"notice.{part}"), (*lead, *told)))
    blocks.append(Paragraph(_("notice.complaint")))
    return Document(_("notice.subject"), tuple(blocks), letter=True)


def draft(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki",
          notice: Notice | None = None) -> str:
    """The draft communication as plain text, ready to be completed and sent."""
    return as_text(document(report, locale, timezone, notice))


class _Part:
    """What one part of the letter says, from the facts and plans that fill it."""

    def __init__(self, report: ReportView, _: Messages, locale: str, timezone: str) -> None:
        self.report = report
        self.assessment = report.assessment
        self._ = _
        self.locale = locale
        self.timezone = timezone

    def blocks(self, sources: tuple[tuple[str, str], ...]) -> list[Block]:
        out: list[Block] = []
        for i, (kind, name) in enumerate(sources):
            out += self.plan(name) if kind == "plan" else self.fact(name, opens=i == 0)
        return out

    def tells(self, sources: tuple[tuple[str, str], ...]) -> bool:
        """Whether any of the sources has something to say: a fact given, an action that applies."""
        facts = self.assessment.facts
        return any(self.report.actions_in(name) if kind == "plan" else is_given(facts, name) and facts[name] != []
                   for kind, name in sources)

    def fact(self, name: str, *, opens: bool) -> list[Block]:
        """What a fact tells. Unknown, it is a placeholder where it would
        stand, except a free text that follows the part's lists or plans:
        a text that opens a part is the part's own account (what happened),
        one that follows only adds to what is already told."""
        _ = self._
        shape = self.assessment.vocabulary.fact(name)
        kind = shape.kind if shape else "text"
        facts = self.assessment.facts
        value = facts[name] if is_given(facts, name) else None
        if value is None and kind == "text" and not opens:
            return []
        if value is None:
            return [Paragraph(_("notice.placeholder", what=in_sentence(fact_label(_, name))))]
        if kind == "text":
            return [Paragraph(str(value))]
        if kind == "datetime":
            when = _instant(value, self.locale, self.timezone)
            return [Paragraph(_("notice.discovered", when=when))] if when else []
        items = tuple(value) if isinstance(value, list | tuple | set | frozenset) else (value,)
        if not items:
            return []
        key = ("letter members", name, tuple((type(item), item) for item in items))
        return _.remember(key, lambda: self.members(name, items))

    def members(self, fact: str, items: tuple[Any, ...]) -> list[Block]:
        """A fact's members, a list under its lead (the same blocks whenever
        they are the same: a letter's parts recur from one incident to the next)."""
        _ = self._
        lead = _(f"plain.{fact}") if _.has(f"plain.{fact}") else fact_label(_, fact) + ":"
        return [Paragraph(lead), Bullets(tuple(Item(self.member(fact, str(item))) for item in items))]

    def member(self, fact: str, name: str) -> str:
        key = f"plain.{fact}.{name}"
        return self._(key) if self._.has(key) else member(self._, fact, name)

    def plan(self, name: str) -> list[Block]:
        _ = self._
        actions = self.report.actions_in(name)
        if not actions:
            return []
        return _.remember(("letter plan", actions), lambda: [Bullets(tuple(
            Item(_(action.message), aside="" if action.certain else _("notice.uncertain")) for action in actions))])


def _instant(value: Any, locale: str, timezone: str) -> str | None:
    if isinstance(value, datetime):
        instant: datetime | None = value
    elif isinstance(value, str):
        try:
            instant = parse_instant(value)
        except ValueError:
            return None
    else:
        return None
    if instant is None or instant.tzinfo is None:
        return None
    return format_instant(instant, locale, timezone, sentence=True)
