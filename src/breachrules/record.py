"""The Art. 33(5) documentation record of a breach, in words.

:func:`document` builds, from a :class:`~breachrules.report.ReportView`, the record a
controller keeps of every personal data breach: the facts, the risk
assessment and its reasons, every obligation with the decision taken on it
(and, for each one not required, why not: this is where the record says why
the organisation did not notify), the deadlines, what each required notice
must contain, the action plan, the open questions and, when the data
subjects must be told, the draft communication as an appendix.

:func:`view` is the command line's view: the explanation of the assessment
followed by the deadlines, the checklists, the action plan and the draft.
Both are built once, from the same sections, and written out by
:mod:`breachrules.render` (:func:`markdown`, :func:`text`).

Every word comes from a catalog: the library's (``record.*``, ``explain.*``)
for the frame, the ruleset's for its own ids. Facts are read from their JSON
form (``assessment.facts``), so a record can be rendered from a report read
back with ``ReportView.from_dict``.

The sections that recur from one record to the next (the facts table, each
checklist, the action plan, the draft letter) are made once for what they
are made of, in the catalogs' memory (:meth:`Messages.remember`), and so
are the same objects the next time, which :mod:`breachrules.render` writes
out once: a record seen before costs little more than finding its parts.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from breachrules import durations
from breachrules.document import Block, Bullets, Document, Item, Paragraph, Quote, Section, Table
from breachrules.explain import (
    cited,
    conflicts,
    decisions,
    fact_label,
    format_instant,
    heading,
    in_sentence,
    joined,
    level_of,
    member,
    messages_for,
    number,
    questions,
    reasons,
    summary,
    time_zone,
)
from breachrules.explain import document as explain_document
from breachrules.i18n import Messages
from breachrules.incident import json_key
from breachrules.instants import parse_instant
from breachrules.notice import document as letter
from breachrules.notice import due
from breachrules.render import as_markdown, as_text
from breachrules.results import (
    DONE_LATE,
    DONE_ON_TIME,
    OVERDUE,
    PENDING,
    Checklist,
    Deadline,
)
from breachrules.views import AssessmentView, ReportView


def document(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki",
             ranked: Block | None = None) -> Document:
    """The documentation record of ``report``. ``ranked`` are its open
    questions as :meth:`breachrules.ranking.Ranking.section` ranks them, to
    stand in place of the assessment's list."""
    time_zone(timezone)
    a = report.assessment
    _ = messages_for(a, locale)
    about = [
        Item(_("record.ruleset", title=_(a.title) if a.title else a.ruleset, version=a.ruleset_version)),
        Item(_("record.generated_at", when=format_instant(report.now, locale, timezone))),
    ]
    # what an audit names the decision by, and the words and rules it was made with (not in older records)
    if report.decision_id is not None:
        about.append(Item(_("record.decision_id", id=report.decision_id)))
    if a.vocabulary.digest:
        about.append(Item(_("record.digest", digest=a.vocabulary.digest)))
    blocks: list[Block] = [
        Paragraph(_("record.purpose")),
        Bullets(tuple(about)),
        _facts(_, a, locale, timezone),
        Section(_("record.assessment"), (*summary(_, a), reasons(_, a))),
        decisions(_, a, locale, timezone, _("record.decisions")),
        *_actions(_, report, locale, timezone),
    ]
    blocks += [s for s in (ranked or questions(_, a), conflicts(_, a)) if s is not None]
    blocks += _appendices(report, locale, timezone)
    return Document(_("record.title"), tuple(blocks))


def view(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki",
         ranked: Block | None = None) -> Document:
    """The command line's view of ``report``: the explanation of the
    assessment (with the open questions ``ranked``, as for :func:`document`),
    then what to do (deadlines, notices' contents, the plan) and the draft
    communication."""
    time_zone(timezone)
    _ = messages_for(report.assessment, locale)
    explained = explain_document(report.assessment, locale, timezone, ranked)
    blocks = (*explained.blocks, *_actions(_, report, locale, timezone), *_appendices(report, locale, timezone))
    return Document(explained.title, blocks)


def markdown(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki",
             ranked: Block | None = None) -> str:
    """The documentation record of ``report`` as Markdown."""
    return as_markdown(document(report, locale, timezone, ranked))


def text(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki",
         ranked: Block | None = None) -> str:
    """The command line's view as plain text."""
    return as_text(view(report, locale, timezone, ranked))


# ------------------------------------------------------------------ sections


def _actions(_: Messages, report: ReportView, locale: str, timezone: str) -> list[Block]:
    """What the organisation must do: the deadlines, the contents of each
    required notice and the action plan."""
    a = report.assessment
    deadlines: list[Item] = []
    for d in report.deadlines:
        lines = [Item(line) for line in deadline_lines(_, a, d, locale, timezone)]
        if d.reason_missing:
            lines.append(Item("", name=_("record.reason.missing")))
        deadlines.append(Item("", name=heading(_, a.obligation(d.obligation)), items=tuple(lines)))
    out: list[Block] = [Section(_("record.deadlines"), (Bullets(tuple(deadlines)),) if deadlines else (
        Paragraph(_("record.no_obligations")),))]
    required = [c for c in report.checklists if c.required]
    if required:
        out.append(Section(_("record.checklists"), tuple(
            _.remember(("checklist section", c, a.open_questions if c.phased else ()),
                       functools.partial(_checklist, _, report, c))
            for c in required)))
    out.append(_.remember(("plans section", report.plans, a.actions),
                          lambda: Section(_("record.plans"), _plans(_, report))))
    return out


def _facts(_: Messages, a: AssessmentView, locale: str, timezone: str) -> Section:
    """The facts as given, a table; made once for the same facts in the
    same words, while they are among the recent ones (see
    :meth:`Messages.remember`, and :mod:`breachrules.render`, which writes
    it out once)."""
    def table() -> Section:
        return Section(_("record.facts"), (Table((_("record.fact_column"), _("record.value_column")),
                                                 tuple(fact_rows(a, locale, timezone))),))

    given = json_key(a.facts)
    if given is None:  # more words than are worth keeping
        return table()
    return _.remember(("facts section", timezone, a.vocabulary, a.open_questions, given), table, recent=True)


def _appendices(report: ReportView, locale: str, timezone: str) -> list[Block]:
    _ = messages_for(report.assessment, locale)
    return [Section(_("record.appendix"), (Quote(letter(report, locale, timezone, notice)),))
            for notice in due(report.assessment)]


def _checklist(_: Messages, report: ReportView, checklist: Checklist) -> Section:
    """What one notice must contain, item by item, and, when it can be given
    in phases, what goes into the first notice and what follows."""
    a = report.assessment
    blocks: list[Block] = [Bullets(tuple(
        Item(_(item.message), mark="yes" if item.present else "no", sources=cited(_, item.cites),
             items=(Item(missing(_, item.missing)),) if item.missing else ())
        for item in checklist.items))]
    if checklist.complete:
        blocks.append(Paragraph(_("record.checklist.complete")))
    else:
        blocks.append(Paragraph(_.plural("record.checklist.missing", len(checklist.supplementary),
                                         total=len(checklist.items)), strong=True))
    if checklist.phased:
        initial = [Item(_(item.message)) for item in checklist.initial] or [Item(_("record.initial.none"))]
        later = [Item(_(item.message), items=(Item(missing(_, item.missing)),)) for item in checklist.supplementary]
        if a.open_questions:
            later.append(Item(_("record.supplementary.questions"),
                              items=tuple(Item(_(q.question)) for q in a.open_questions)))
        if not later:
            later.append(Item(_("record.supplementary.none")))
        blocks += [Paragraph(_("record.phased")),
                   Paragraph(_("record.initial"), strong=True), Bullets(tuple(initial)),
                   Paragraph(_("record.supplementary"), strong=True), Bullets(tuple(later))]
    return Section(_(checklist.message), tuple(blocks))


def _plans(_: Messages, report: ReportView) -> tuple[Block, ...]:
    """The action plan, plan by plan and phase by phase; uncertain actions marked."""
    plans: list[Block] = []
    for plan, phases in report.plans:
        actions = report.actions_in(plan)
        in_phases = tuple(
            Section(_(f"plan.{plan}.{phase}"), (Bullets(tuple(
                Item(_(action.message), mark="no", aside="" if action.certain else _("explain.if_confirmed"),
                     sources=cited(_, action.cites))
                for action in actions if action.phase == phase)),))
            for phase in phases if any(action.phase == phase for action in actions))
        if in_phases:
            plans.append(Section(_("plan." + plan), in_phases))
    return tuple(plans) or (Paragraph(_("record.no_actions")),)


# ------------------------------------------------------------------ shared parts


def deadline_lines(_: Messages, a: AssessmentView, d: Deadline, locale: str, timezone: str) -> list[str]:
    """The due instant, the state and, for a late one, the reasons for the delay."""
    lines = []
    if d.due is not None:
        lines.append(_("explain.due", when=format_instant(d.due, locale, timezone, sentence=True)))
        if d.state == DONE_ON_TIME and d.done_at is not None:
            done = format_instant(d.done_at, locale, timezone, sentence=True)
            lines.append(_("record.state.done_on_time", when=done))
        elif d.state == DONE_LATE and d.done_at is not None:
            lines.append(_("record.state.done_late", when=format_instant(d.done_at, locale, timezone, sentence=True),
                           late=duration(_, d.done_at - d.due)))
        elif d.state == PENDING and d.remaining is not None:
            lines.append(_("record.state.pending", remaining=duration(_, d.remaining)))
        elif d.state == OVERDUE and d.remaining is not None:
            lines.append(_("record.state.overdue", late=duration(_, -d.remaining)))
    else:
        lines.append(_("explain.without_undue_delay") if d.without_undue_delay else _("record.state.undated"))
        if d.done_at is not None:
            lines.append(_("record.state.done", when=format_instant(d.done_at, locale, timezone, sentence=True)))
    if d.reason_required and d.reason_given and d.reason_fact is not None:
        lines.append(_("record.reason.given", reason=str(a.facts.get(d.reason_fact, ""))))
    return lines


def duration(_: Messages, value: timedelta) -> str:
    """A length of time in words: its two largest units, rounded down ("1 day and 6 hours")."""
    seconds = int(abs(value).total_seconds())
    if seconds < 60:
        return _.plural("record.duration.seconds", seconds)
    minutes = seconds // 60
    weeks, rest = divmod(minutes, 7 * 24 * 60)
    days, rest = divmod(rest, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [_.plural(msgid, n)
             for msgid, n in (("record.duration.weeks", weeks), ("record.duration.days", days),
                              ("record.duration.hours", hours), ("record.duration.minutes", minutes)) if n]
    from babel.lists import format_list

    return format_list(parts[:2], locale=_.locale)  # "1 vuorokausi ja 21 tuntia"


def fact_rows(a: AssessmentView, locale: str, timezone: str) -> list[tuple[str, str]]:
    """(label, value in words) of every fact: the given ones in the order the
    ruleset declares them, then the unknown ones."""
    _ = messages_for(a, locale)
    declared = [f.name for f in a.vocabulary.facts]
    declared += [q.fact for q in a.open_questions if q.fact not in declared]
    order = [name for name in declared if name in a.facts] + [name for name in a.facts if name not in declared]
    rows = [(fact_label(_, name), value(_, a, name, locale, timezone)) for name in order]
    unknown = _("record.unknown")
    rows += [(fact_label(_, name), unknown) for name in declared if name not in a.facts]
    return rows


def value(_: Messages, a: AssessmentView, fact: str, locale: str, timezone: str) -> str:
    """A fact's value in the assessment, in words (see :func:`in_words`)."""
    return in_words(_, a, fact, a.facts.get(fact), locale, timezone)


def in_words(_: Messages, a: AssessmentView, fact: str, raw: Any, locale: str, timezone: str) -> str:
    """A JSON value of a fact of ``a``'s ruleset in words, as its type says:
    members through ``value.<fact>.<member>``, instants in the reader's
    zone, durations and truth values in words, text as written."""
    shape = a.vocabulary.fact(fact)
    kind = shape.kind if shape is not None else ""
    if raw is None:
        return _("record.unknown")
    if isinstance(raw, bool):
        return _("record.yes") if raw else _("record.no")
    if isinstance(raw, int | float):
        return number(_, raw)
    if isinstance(raw, list | tuple | set | frozenset):
        if not raw:
            return _("record.none")
        return "; ".join(member(_, fact, str(m)) for m in raw)
    text_ = str(raw)
    if kind == "datetime":
        try:
            return format_instant(parse_instant(text_), locale, timezone)
        except ValueError:  # a record edited by hand: shown as written
            return text_
    if kind == "duration":
        length = durations.parse_iso_duration(text_)
        return duration(_, length) if length is not None else text_
    if kind == "level" and shape is not None:
        key = f"value.{fact}.{text_}"
        return _(key) if _.has(key) else level_of(_, shape.scale, text_)
    if kind != "text":  # an enum member (or a fact a version 2 record does not describe)
        return member(_, fact, text_)
    return text_



def missing(_: Messages, facts: tuple[str, ...]) -> str:
    """What a checklist item still lacks: the facts that would tell it."""
    return joined([_("record.item.missing", facts="; ".join(in_sentence(fact_label(_, f)) for f in facts))])
