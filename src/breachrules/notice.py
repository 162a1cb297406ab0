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
and a part the law requires (Art. 34(2)) that nothing fills.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachrules.explain import format_instant, in_sentence, member, messages_for, time_zone
from breachrules.i18n import Messages
from breachrules.instants import parse_instant
from breachrules.plaintext import plain
from breachrules.results import is_given
from breachrules.views import AssessmentView, ReportView
from breachrules.vocabulary import NOTICE_PARTS, REQUIRED_PARTS, Notice


def due(assessment: AssessmentView) -> tuple[Notice, ...]:
    """The notices to draft: those an obligation required is for."""
    required = set(assessment.required)
    return tuple(n for n in assessment.vocabulary.notices if required.intersection(n.obligations))


def draft(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki",
          notice: Notice | None = None) -> str:
    """The draft communication to the data subjects, as plain text: of
    ``notice``, or of the ruleset's first notice (a ruleset that declares
    none gets the frame, every required part a placeholder)."""
    time_zone(timezone)
    a = report.assessment
    _ = messages_for(a, locale)
    if notice is None:
        notice = a.vocabulary.notices[0] if a.vocabulary.notices else Notice("", (), ())
    out = [_("notice.subject"), "", _("notice.greeting"), "", _("notice.intro")]
    for part in NOTICE_PARTS:
        declared = notice.part(part)
        lines = _Part(report, _, locale, timezone).lines(declared.sources) if declared else []
        if part == "discovered":  # a sentence of "what happened", not a part of its own
            out += lines
            continue
        if not lines and declared is None and part not in REQUIRED_PARTS:
            continue
        if not lines:
            lines = [_(f"notice.none.{part}") if _.has(f"notice.none.{part}")
                     else _("notice.placeholder", what=_(f"notice.missing.{part}"))]
        out += ["", _(f"notice.{part}")]
        if _.has(f"notice.{part}.lead"):
            out.append(_(f"notice.{part}.lead"))
        out += lines
    out += ["", _("notice.complaint")]
    return "\n".join(out) + "\n"


class _Part:
    """The lines of one part of the letter, from the facts and plans that fill it."""

    def __init__(self, report: ReportView, _: Messages, locale: str, timezone: str) -> None:
        self.report = report
        self.assessment = report.assessment
        self._ = _
        self.locale = locale
        self.timezone = timezone

    def lines(self, sources: tuple[tuple[str, str], ...]) -> list[str]:
        out: list[str] = []
        for kind, name in sources:
            out += self.plan(name) if kind == "plan" else self.fact(name)
        return out

    def fact(self, name: str) -> list[str]:
        _ = self._
        shape = self.assessment.vocabulary.fact(name)
        kind = shape.kind if shape else "text"
        facts = self.assessment.facts
        value = facts[name] if is_given(facts, name) else None
        if kind == "text":
            return [plain(str(value))] if value is not None else []
        if value is None:  # an unknown list or moment stands where it would be told
            return [_("notice.placeholder", what=in_sentence(_.label(f"fact.{name}", name)))]
        if kind == "datetime":
            when = _instant(value, self.locale, self.timezone)
            return [_("notice.discovered", when=when)] if when else []
        items = value if isinstance(value, list | tuple | set | frozenset) else [value]
        if not items:
            return []
        lead = _(f"plain.{name}") if _.has(f"plain.{name}") else _.label(f"fact.{name}", name) + ":"
        return [lead, *("- " + self.member(name, str(item)) for item in items)]

    def member(self, fact: str, name: str) -> str:
        key = f"plain.{fact}.{name}"
        return self._(key) if self._.has(key) else member(self._, fact, name)

    def plan(self, name: str) -> list[str]:
        _ = self._
        out = []
        for action in self.report.actions_in(name):
            line = "- " + _(action.message)
            if not action.certain:
                line += " " + _("notice.uncertain")
            out.append(line)
        return out


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
