"""The Art. 33(5) documentation record of a breach, in words.

:func:`markdown` renders a :class:`~breachrules.report.ReportView` as the record a
controller keeps of every personal data breach: the facts, the risk
assessment and its reasons, every obligation with the decision taken on it
(and, for each one not required, why not: this is where the record says why
the organisation did not notify), the deadlines, what each required notice
must contain, the action plan, the open questions and, when the data
subjects must be told, the draft communication as an appendix.

:func:`text` is the command line's plain-text view: the explanation of the
assessment followed by the deadlines, the checklists and the action plan.

Every word comes from a catalog: the library's (``record.*``, ``explain.*``)
for the frame, the ruleset's for its own ids. Facts are read from their JSON
form (``assessment.facts``), so a record can be rendered from a report read
back with ``ReportView.from_dict``.
"""

from __future__ import annotations

import re
from datetime import timedelta

from breachrules import durations
from breachrules.citations import Citation, render_all
from breachrules.explain import (
    decision,
    explain,
    format_instant,
    heading,
    in_sentence,
    member,
    messages_for,
    names_of,
    provisional,
    reason,
    time_zone,
    where,
)
from breachrules.i18n import Messages
from breachrules.instants import parse_instant
from breachrules.notice import draft, due
from breachrules.plaintext import plain
from breachrules.results import (
    DONE_LATE,
    DONE_ON_TIME,
    OVERDUE,
    PENDING,
    Checklist,
    Deadline,
)
from breachrules.views import AssessmentView, ReportView

# ------------------------------------------------------------------ Markdown


def markdown(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki") -> str:
    """The documentation record of ``report`` as Markdown."""
    time_zone(timezone)
    a = report.assessment
    _ = messages_for(a, locale)
    out: list[str] = []

    def section(title: str) -> None:
        out.extend(["", f"## {title}", ""])

    out.append(f"# {_('record.title')}")
    out.append("")
    out.append(_("record.purpose"))
    out.append("")
    out.append("- " + _("record.ruleset", title=_(a.title) if a.title else a.ruleset, version=a.ruleset_version))
    out.append("- " + _("record.generated_at", when=format_instant(report.now, locale, timezone)))

    section(_("record.facts"))
    out.append(f"| {_('record.fact_column')} | {_('record.value_column')} |")
    out.append("|---|---|")
    for name, value in fact_rows(a, locale, timezone):
        out.append(f"| {_cell(name)} | {_cell(value)} |")

    section(_("record.assessment"))
    out.append("- " + _("explain.risk", level=f"**{_('scale.risk.' + a.risk)}**"))
    for name, level in a.levels.items():
        if name != "risk":
            out.append("- " + _("explain.level", name=_("scale." + name), level=_(f"scale.{name}.{level}")))
    if a.provisional:
        out += ["", "> " + provisional(_, a)]
    out += ["", f"### {_('explain.why')}", ""]
    if not a.trace:
        out.append(_("explain.nothing_fired"))
    for entry in a.trace:
        out.append(f"- {reason(_, entry, a.facts)} ({render_all(_, entry.cites)}; {where(_, entry)})")

    section(_("record.decisions"))
    for ob in a.obligations:
        mark = "x" if ob.required else " "
        name, what = heading(_, ob), _(ob.message)
        line = f"- [{mark}] **{name}**: {decision(_, a, ob, locale, timezone)}"
        if name == what:  # no short name: the text heads the line, with its sources
            out.append(f"{line} ({render_all(_, ob.cites)})")
        else:
            out += [line, f"  - {what} ({render_all(_, ob.cites)})"]

    section(_("record.deadlines"))
    if not report.deadlines:
        out.append(_("record.no_obligations"))
    for d in report.deadlines:
        ob = a.obligation(d.obligation)
        out.append(f"- **{heading(_, ob)}**")
        for line in deadline_lines(_, a, d, locale, timezone):
            out.append(f"  - {line}")
        if d.reason_missing:
            out.append(f"  - **{_('record.reason.missing')}**")

    required = [c for c in report.checklists if c.required]
    if required:
        section(_("record.checklists"))
        for checklist in required:
            out += _checklist_markdown(_, report, checklist)

    section(_("record.plans"))
    out += _plans(_, report, markdown=True)

    if a.open_questions:
        section(_.plural("explain.open_questions", len(a.open_questions)))
        for q in a.open_questions:
            out.append(f"- {_(q.question)} ({_label(_, q.fact)})")

    if a.conflicts:
        section(_("explain.conflicts"))
        for labels in a.conflicts:
            out.append("- " + _("explain.conflict", labels=names_of(_, labels)))

    for notice in due(a):
        section(_("record.appendix"))
        out += _quoted(draft(report, locale, timezone, notice))

    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).rstrip("\n") + "\n"


def _checklist_markdown(_: Messages, report: ReportView, checklist: Checklist) -> list[str]:
    a = report.assessment
    out = [f"### {_(checklist.message)}", ""]
    for item in checklist.items:
        out.append(f"- [{'x' if item.present else ' '}] {_item(_, item.message, item.cites, item.missing)}")
    out.append("")
    if checklist.complete:
        out.append(_("record.checklist.complete"))
    else:
        missing = len(checklist.supplementary)
        out.append(f"**{_.plural('record.checklist.missing', missing, total=len(checklist.items))}**")
    if checklist.phased:
        out += ["", _("record.phased"), "", f"**{_('record.initial')}**", ""]
        out += [f"- {_(item.message)}" for item in checklist.initial] or [f"- {_('record.initial.none')}"]
        out += ["", f"**{_('record.supplementary')}**", ""]
        out += [f"- {_item(_, item.message, (), item.missing)}" for item in checklist.supplementary]
        if a.open_questions:
            out.append(f"- {_('record.supplementary.questions')}")
            out += [f"  - {_(q.question)}" for q in a.open_questions]
        if not checklist.supplementary and not a.open_questions:
            out.append(f"- {_('record.supplementary.none')}")
    out.append("")
    return out


# ------------------------------------------------------------------ plain text


def text(report: ReportView, locale: str = "en", timezone: str = "Europe/Helsinki") -> str:
    """The command line's view: the explanation, then deadlines, checklists and plan."""
    time_zone(timezone)
    a = report.assessment
    _ = messages_for(a, locale)
    lines = [explain(a, locale, timezone).rstrip("\n")]

    lines += ["", _("record.deadlines")]
    if not report.deadlines:
        lines.append("  " + _("record.no_obligations"))
    for d in report.deadlines:
        lines.append("  " + heading(_, a.obligation(d.obligation)))
        lines += ["      " + line for line in deadline_lines(_, a, d, locale, timezone)]
        if d.reason_missing:
            lines.append("      !! " + _("record.reason.missing"))

    for checklist in (c for c in report.checklists if c.required):
        lines += ["", f"{_('record.checklists')}: {_(checklist.message)}"]
        for item in checklist.items:
            mark = "[x]" if item.present else "[ ]"
            lines.append(f"  {mark} {_item(_, item.message, item.cites, item.missing)}")
        if not checklist.complete:
            lines.append("  " + _.plural("record.checklist.missing", len(checklist.supplementary),
                                         total=len(checklist.items)))
        if checklist.phased:
            lines += ["  " + _("record.phased"), "    " + _("record.initial")]
            lines += ["      - " + _(item.message) for item in checklist.initial] or [
                "      - " + _("record.initial.none")]
            lines.append("    " + _("record.supplementary"))
            lines += ["      - " + _item(_, item.message, (), item.missing) for item in checklist.supplementary]
            if a.open_questions:
                lines.append("      - " + _("record.supplementary.questions"))
                lines += ["          " + _(q.question) for q in a.open_questions]
            if not checklist.supplementary and not a.open_questions:
                lines.append("      - " + _("record.supplementary.none"))

    lines += ["", _("record.plans")]
    lines += _plans(_, report, markdown=False)

    for notice in due(a):
        lines += ["", _("record.appendix"), ""]
        lines += [f"  {line}".rstrip() for line in draft(report, locale, timezone, notice).rstrip("\n").split("\n")]
    return "\n".join(lines) + "\n"


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
        lines.append(_("record.reason.given", reason=_inline(str(a.facts.get(d.reason_fact, "")))))
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
    rows = [(_label(_, name), value(_, a, name, locale, timezone)) for name in order]
    unknown = _("record.unknown")
    rows += [(_label(_, name), unknown) for name in declared if name not in a.facts]
    return rows


def value(_: Messages, a: AssessmentView, fact: str, locale: str, timezone: str) -> str:
    """A fact's JSON value in words, as its type says: members through
    ``value.<fact>.<member>``, instants in the reader's zone, durations and
    truth values in words, text as written."""
    raw = a.facts.get(fact)
    shape = a.vocabulary.fact(fact)
    kind = shape.kind if shape is not None else ""
    if raw is None:
        return _("record.unknown")
    if isinstance(raw, bool):
        return _("record.yes") if raw else _("record.no")
    if isinstance(raw, int | float):
        from babel.numbers import format_decimal

        return str(format_decimal(raw, locale=locale))
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
        return _(key) if _.has(key) else _.label(f"scale.{shape.scale}.{text_}", text_)
    if kind != "text":  # an enum member (or a fact a version 2 record does not describe)
        return member(_, fact, text_)
    return text_


def _label(_: Messages, fact: str) -> str:
    return _(f"fact.{fact}") if _.has(f"fact.{fact}") else fact


def _item(_: Messages, message: str, cites: tuple[Citation, ...], missing: tuple[str, ...]) -> str:
    line = _(message)
    if cites:
        line += f" ({render_all(_, cites)})"
    if missing:
        line += " — " + _("record.item.missing", facts="; ".join(in_sentence(_label(_, f)) for f in missing))
    return line


def _plans(_: Messages, report: ReportView, *, markdown: bool) -> list[str]:
    """The action plan, plan by plan and phase by phase; uncertain actions marked."""
    out: list[str] = []
    for plan, phases in report.plans:
        actions = report.actions_in(plan)
        if not actions:
            continue
        out += ["", f"### {_('plan.' + plan)}"] if markdown else ["  " + _("plan." + plan)]
        for phase in phases:
            in_phase = [action for action in actions if action.phase == phase]
            if not in_phase:
                continue
            out += ["", f"#### {_(f'plan.{plan}.{phase}')}", ""] if markdown else [
                "    " + _(f"plan.{plan}.{phase}")]
            for action in in_phase:
                line = _(action.message)
                if not action.certain:
                    line += " " + (f"*{_('explain.if_confirmed')}*" if markdown else _("explain.if_confirmed"))
                if action.cites:
                    line += f" ({render_all(_, action.cites)})"
                out.append(f"- [ ] {line}" if markdown else f"      - {line}")
    if not out:
        out.append(_("record.no_actions") if markdown else "  " + _("record.no_actions"))
    elif markdown and out[0] == "":
        out = out[1:]
    return out


def _quoted(plain: str) -> list[str]:
    """Plain text as a Markdown block quote that keeps its lines: each line its
    own paragraph, consecutive list items one list."""
    out: list[str] = []
    previous = ""
    for line in plain.rstrip("\n").split("\n"):
        if line and previous and not (line.startswith("- ") and previous.startswith("- ")):
            out.append(">")
        out.append(f"> {line}".rstrip())
        previous = line
    return out


def _cell(text_: str) -> str:
    """Text made safe for one Markdown table cell: it cannot end the cell or
    the row, open an HTML tag or an entity, or carry control characters."""
    return (plain(text_).replace("\\", "\\\\").replace("|", "\\|").replace("&", "&amp;").replace("<", "&lt;")
            .replace("\n", "<br>"))


def _inline(text_: str) -> str:
    """Free text of an incident inside a Markdown line: one line, no HTML,
    no heading or list it could start."""
    return plain(text_).replace("&", "&amp;").replace("<", "&lt;").replace("\n", " ")
