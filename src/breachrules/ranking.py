"""The open questions of an assessment, ranked for an intake form.

An assessment with facts unknown lists its open questions in no order of
importance. :func:`rank` orders them by what an answer can still do:

1. first the questions whose answer can **remove** a duty (on the cautious
   reading it is required, and some answer makes it not required) or
   **confirm** one (some answer makes it certainly required), the most
   urgent duty first: the one whose deadline comes soonest (an overdue
   one before any other), then those due "without undue delay", then the
   rest;
2. then those whose answer can only change the **risk level** (either end
   of it: the level the assessment acts on, or the level already certain);
3. then the other open questions: their answer alone changes neither,
   though it may together with other answers, or may fix a deadline.

"Can" is exact, not a guess. A question can remove (or confirm) a duty
when there is an answer to it alone, every other unknown fact staying
unknown, under which the assessment no longer requires the duty (or
requires it for certain); each such claim comes with an answer that does
it (:class:`Answer`), which :meth:`Ruleset.assess` confirms. The answers
tried cover every answer an incident can give, class by class: both truth
values; every member of a choice or level of a scale; for a set, one set
per combination of the groups of members the ruleset's tests cannot tell
apart (members named together in every test the unknowns leave open); for
a number, a duration or an instant, the values at and on either side of
each threshold the ruleset compares it with, the other facts as the
incident gives them, as well as the ends of its range; for a text, each
text the ruleset compares it with and one it does not. (A number that need
not be whole is tried at the nearest floating-point numbers either side of
a threshold. Were a ruleset to read a fact in a way these classes do not
cover, a product of two expressions of it, say, :attr:`Ranking.complete`
is false.)

Why an answer to one question, the others left open: that is what a
reporter can give next, and "this answer alone settles the duty" is a claim
that needs no assumption about the answers not given yet. A duty that no
single answer settles is still listed (:class:`OpenDuty`), with no
questions: it takes several answers. docs/ranking.md is the guide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import attrs

from breachrules.answers import Probes
from breachrules.incident import Facts, json_value
from breachrules.results import OVERDUE, PENDING, Deadline

if TYPE_CHECKING:
    from breachrules.assessment import Assessment
    from breachrules.document import Section
    from breachrules.i18n import Messages
    from breachrules.report import Report
    from breachrules.ruleset import Ruleset
    from breachrules.verify.relevance import Relevance

SCHEMA = "breachrules.ranking/1"

Effect = Literal["remove", "confirm", "risk"]



# ------------------------------------------------------------------ results


@attrs.frozen
class Answer:
    """An answer to one question that does something: removes or confirms
    ``obligation``, or (``effect`` "risk", no obligation) changes the risk
    level. ``value`` is in the incident's JSON form."""

    effect: Effect
    obligation: str | None
    value: Any

    def to_dict(self) -> dict[str, Any]:
        return {"effect": self.effect, "obligation": self.obligation, "value": self.value}


@attrs.frozen
class RankedQuestion:
    """One question, with what an answer to it alone can do.

    ``removes`` and ``confirms`` are obligation ids, in the ruleset's order;
    ``risk`` whether some answer changes the risk level. ``due`` and
    ``time_left`` are those of the most urgent duty it settles (None when
    that duty has no instant, or it settles none); ``time_left`` is
    negative once that duty is overdue. ``answers`` holds, for each thing
    it can do, one answer that does it. ``matters``, in an exact ranking
    only (:func:`ranked` with a ``relevance``): whether some answer, with
    the others answered some way, changes the decision (the solver's pair
    is in :attr:`Ranking.relevance`), or no answer can (proved); None when
    not known."""

    fact: str
    question: str  # message id
    removes: tuple[str, ...]
    confirms: tuple[str, ...]
    risk: bool
    due: datetime | None
    time_left: timedelta | None
    answers: tuple[Answer, ...]
    open_question: bool = True  # listed by the assessment (see Ranking.questions)
    matters: bool | None = None

    @property
    def settles(self) -> tuple[str, ...]:
        """The duties some answer settles, removed or confirmed."""
        return tuple(dict.fromkeys((*self.removes, *self.confirms)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "question": self.question,
            "removes": list(self.removes),
            "confirms": list(self.confirms),
            "risk": self.risk,
            "due": _iso(self.due),
            "remaining_seconds": _seconds(self.time_left),
            "answers": [a.to_dict() for a in self.answers],
            "open_question": self.open_question,
            "matters": self.matters,
        }


@attrs.frozen
class OpenDuty:
    """An obligation an answer could still change: required on the cautious
    reading but not certain (or, in a ruleset that tests ``is known``, one
    a single answer changes). ``removed_by`` and ``confirmed_by`` are the
    facts whose answer alone can remove or confirm it, in rank order; both
    are empty when it takes several answers. The deadline is the report's
    (:class:`~breachrules.results.Deadline`), None when it has none."""

    obligation: str
    message: str
    deadline: Deadline | None
    removed_by: tuple[str, ...]
    confirmed_by: tuple[str, ...]

    @property
    def due(self) -> datetime | None:
        return None if self.deadline is None else self.deadline.due

    @property
    def time_left(self) -> timedelta | None:
        """``due - now`` while not done (negative once overdue), else None."""
        return None if self.deadline is None else self.deadline.remaining

    def to_dict(self) -> dict[str, Any]:
        d = self.deadline
        return {
            "obligation": self.obligation,
            "due": _iso(self.due),
            "without_undue_delay": d is not None and d.without_undue_delay,
            "state": None if d is None else d.state,
            "remaining_seconds": _seconds(self.time_left),
            "removed_by": list(self.removed_by),
            "confirmed_by": list(self.confirmed_by),
        }


@attrs.frozen
class Ranking:
    """The open questions of an assessment at ``now``, most useful first.

    ``questions``: first every question that can settle a duty, by the
    urgency of the most urgent one it settles (then by how many it settles);
    then those that can only change the risk level; then the other open
    questions; within each, in the order the ruleset declares its facts.
    ``duties``: the obligations still open to an answer, most urgent first.
    ``complete``: every class of answers was tried (see the module).
    ``relevance``: the solver's exact reading, in an exact ranking; the
    questions no answer can matter to come last."""

    now: datetime
    duties: tuple[OpenDuty, ...]
    questions: tuple[RankedQuestion, ...]
    complete: bool
    assessment: Assessment = attrs.field(eq=False, repr=False)  # what was ranked, for its catalogs
    relevance: Relevance | None = None

    @property
    def settling(self) -> tuple[RankedQuestion, ...]:
        """The questions whose answer alone can remove or confirm a duty."""
        return tuple(q for q in self.questions if q.removes or q.confirms)

    @property
    def risk_only(self) -> tuple[RankedQuestion, ...]:
        """The questions whose answer can change the risk level and no duty."""
        return tuple(q for q in self.questions if q.risk and not (q.removes or q.confirms))

    @property
    def others(self) -> tuple[RankedQuestion, ...]:
        """The open questions whose answer alone changes neither."""
        return tuple(q for q in self.questions if not (q.risk or q.removes or q.confirms))

    def question(self, fact: str) -> RankedQuestion:
        for q in self.questions:
            if q.fact == fact:
                return q
        from breachrules.errors import NameNotFound

        raise NameNotFound("argument.no_question", name=fact,
                           available=", ".join(q.fact for q in self.questions) or "-")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated_at": self.now.isoformat(),
            "complete": self.complete,
            "duties": [d.to_dict() for d in self.duties],
            "questions": [q.to_dict() for q in self.questions],
            "exact": None if self.relevance is None else self.relevance.to_dict(),
        }

    # -------------------------------------------------------------- in words

    def lines(self, locale: str = "en") -> tuple[str, ...]:
        """One line per open duty ("12 hours left: the answer to any of 2
        open questions can still remove the obligation “...”"), most urgent
        first, in the reader's language."""
        _ = _messages(self.assessment, locale)
        return tuple(line for duty in self.duties for line in _duty_lines(_, self, duty))

    def section(self, locale: str = "en") -> Section:
        """The ranking as a section of a document: the lines of the duties,
        then the questions in rank order, each with what its answer can do."""
        from breachrules.document import Bullets, Item, Paragraph, Section
        from breachrules.explain import fact_label, name_of, scale_name

        _ = _messages(self.assessment, locale)
        lines = (*self._exact_lines(_), *self.lines(locale))
        blocks: list[Any] = [Paragraph("\n".join(lines))] if lines else []
        items = []
        for q in self.questions:
            notes = []
            if q.matters is False:  # what its answer alone seems to do, the exact lines above settle
                items.append(Item(_(q.question), aside=f"({fact_label(_, q.fact)})",
                                  items=(Item(_("ranking.needless")),)))
                continue
            if q.removes:
                notes.append(Item(_("ranking.can_remove", duties=_names(_, q.removes))))
            if q.confirms:
                notes.append(Item(_("ranking.can_confirm", duties=_names(_, q.confirms))))
            if q.risk and not (q.removes or q.confirms):
                scale = scale_name(_, "risk", "")
                notes.append(Item(_("ranking.can_change_level", name=scale) if scale
                                  else _("ranking.can_change_risk")))
            matter = None if self.relevance is None else self.relevance.matter(q.fact)
            if matter is not None and not (q.risk or q.removes or q.confirms):
                what = (_("ranking.deadline_of", duty=name_of(_, matter.changes)) if matter.deadline
                        else _changed(_, matter.changes))
                # with other questions open, the pair may answer them too; alone, its answer does it
                alone = self.relevance is not None and self.relevance.open_facts == 1
                notes.append(Item(_("ranking.can_change_level", name=what) if alone
                                  else _("ranking.matters", what=what)))
            items.append(Item(_(q.question), aside=f"({fact_label(_, q.fact)})", items=tuple(notes)))
        if items:
            blocks.append(Bullets(tuple(items)))
        return Section(_.plural("ranking.title", len(self.questions)), tuple(blocks))

    def _exact_lines(self, _: Messages) -> list[str]:
        """What the solver settles that the assessment leaves open: a
        narrower risk level, a duty decided whatever the answers."""
        from breachrules.explain import level_of, name_of

        if self.relevance is None:
            return []
        if not self.relevance.answerable:
            return [_("ranking.no_completion")]
        out = [] if self.relevance.exact else [_("ranking.not_settled")]
        risk = self.relevance.levels.get("risk", ())
        shown = self.assessment.levels.get("risk")
        if len(risk) == 1 and shown is not None and self.assessment.certain_levels.get("risk") != shown:
            name = _changed(_, "risk")
            out.append(_("ranking.exact_level", name=name[:1].upper() + name[1:], level=level_of(_, "risk", risk[0])))
        undecided = {o.id for o in self.assessment.obligations if not o.certain}
        for ob, required in self.relevance.required.items():
            if ob in undecided and required is not None:
                key = "ranking.exact_required" if required else "ranking.exact_not_required"
                out.append(_(key, duty=name_of(_, ob)))
        return out

    def render(self, locale: str = "en") -> str:
        """:meth:`section` as plain text, as the command line shows it."""
        from breachrules.document import Document
        from breachrules.render import as_text

        return as_text(Document("", (self.section(locale),)))


def _messages(assessment: Assessment, locale: str) -> Messages:
    from breachrules.explain import messages_for

    return messages_for(assessment, locale)


def _changed(_: Messages, what: str) -> str:
    """What an answer changes, in words: the risk level (by its scale's
    name) or an obligation."""
    from breachrules.explain import name_of, scale_name

    if what == "risk":
        return scale_name(_, "risk", "") or _("ranking.the_risk_level")
    return name_of(_, what)


def _names(_: Messages, obligations: Iterable[str]) -> str:
    from breachrules.explain import names_of

    return names_of(_, obligations)


def _duty_lines(_: Messages, ranking: Ranking, duty: OpenDuty) -> list[str]:
    from breachrules.explain import name_of
    from breachrules.record import duration

    name = name_of(_, duty.obligation)
    said = []
    if duty.removed_by:
        said.append(_.plural("ranking.removes", len(duty.removed_by), duty=name))
    if duty.confirmed_by:
        said.append(_.plural("ranking.confirms", len(duty.confirmed_by), duty=name))
    if not said:
        said.append(_("ranking.takes_several", duty=name))
    d = duty.deadline
    out = []
    for text in said:
        if d is not None and d.state == PENDING and d.remaining is not None:
            out.append(_("ranking.left", time=duration(_, d.remaining), text=text))
        elif d is not None and d.state == OVERDUE and d.remaining is not None:
            out.append(_("ranking.overdue", time=duration(_, -d.remaining), text=text))
        elif d is not None and d.due is None and d.without_undue_delay:
            out.append(_("ranking.without_undue_delay", text=text))
        else:
            out.append(text[:1].upper() + text[1:])
    return out


# ------------------------------------------------------------------ ranking


def rank(ruleset: Ruleset, incident: Mapping[str, Any], now: datetime | None = None,
         exact: bool = False) -> Ranking:
    """The open questions of ``incident``, ranked at ``now`` (default: the
    current time); ``exact`` asks the solver which of them can matter at
    all (see :func:`exactly`). Raises what :meth:`Ruleset.report` raises."""
    facts = ruleset.validate(incident)
    report = ruleset.report(facts, now=now)
    return ranked(ruleset, facts, report, exactly(ruleset, facts, report.now) if exact else None)


def exactly(ruleset: Ruleset, facts: Facts, now: datetime) -> Relevance:
    """The solver's exact reading of ``facts`` (:mod:`breachrules.verify.relevance`):
    which unknown facts can change the decision, each with a pair of
    incidents that shows it, and which cannot. Raises :class:`ImportError`
    without the solver, and :class:`~breachrules.verify.encoding.Unsupported`
    for a ruleset it cannot hold exactly. Instants are of what has happened
    by ``now``, as a report at ``now`` takes them."""
    from breachrules.verify.relevance import relevance

    return relevance(ruleset.program, facts, now)


def ranked(ruleset: Ruleset, facts: Facts, report: Report, relevance: Relevance | None = None) -> Ranking:
    """The ranking of validated ``facts`` whose report is ``report``; with
    the solver's ``relevance`` of them, an exact one."""
    assessment = report.assessment
    if facts.complete and not assessment.open_questions:  # every fact the rules read is known: nothing to rank
        return Ranking(report.now, (), (), True, assessment, relevance)
    program = ruleset.program
    known = dict(facts.known)
    probe = Probes(program, known, report.now)
    asked = [q.fact for q in assessment.open_questions]
    # every unknown fact the rules read is tried, not only those asked: the
    # interpreter asks for what can change a result, but a rule that tests
    # whether a fact "is known" can change with any answer
    candidates = [name for name in program.facts if name not in known and name in probe.read]
    candidates += [name for name in asked if name not in candidates]
    matters: dict[str, bool | None] = {}
    decided: set[str] = set()
    if relevance is not None:
        matters = {**dict.fromkeys(relevance.undecided), **dict.fromkeys(relevance.needless, False),
                   **{m.fact: True for m in relevance.matters}}
        candidates += [m.fact for m in relevance.matters if m.fact not in candidates]
        # what the solver decides whatever the answers is no longer open to one
        decided = {ob for ob, required in relevance.required.items() if required is not None}
    deadlines = {d.obligation: d for d in report.deadlines}
    order = {ob.name: i for i, ob in enumerate(program.obligations)}
    found: dict[str, tuple[dict[str, Answer], dict[str, Answer], Answer | None]] = {}
    for name in candidates:
        removes: dict[str, Answer] = {}
        confirms: dict[str, Answer] = {}
        risk: Answer | None = None
        for value in probe.answers(program.facts[name]):
            outcome = probe.outcome(name, value)
            if outcome is None:  # the ruleset cannot evaluate that answer
                continue
            statuses, levels = outcome
            for ob, before in probe.statuses.items():
                if ob in decided:
                    continue
                after = statuses[ob]
                if before is not False and after is False and ob not in removes:
                    removes[ob] = Answer("remove", ob, json_value(program.facts[name], value))
                if before is not True and after is True and ob not in confirms:
                    confirms[ob] = Answer("confirm", ob, json_value(program.facts[name], value))
            if risk is None and levels != probe.risk:
                risk = Answer("risk", None, json_value(program.facts[name], value))
        found[name] = (removes, confirms, risk)
    changed = {ob for removes, confirms, _risk in found.values() for ob in (*removes, *confirms)}
    open_duties = [ob.name for ob in program.obligations
                   if (probe.statuses[ob.name] is None or ob.name in changed) and ob.name not in decided]
    duty_key = {ob: _urgency(deadlines.get(ob), order[ob]) for ob in open_duties}
    declared = {name: i for i, name in enumerate(program.facts)}

    questions = []
    for name in candidates:
        removes, confirms, risk = found[name]
        if name not in asked and not (removes or confirms or risk or matters.get(name)):
            continue  # not asked, and rightly: no answer to it alone changes anything
        settled = sorted({*removes, *confirms}, key=lambda ob: duty_key[ob])
        first = deadlines.get(settled[0]) if settled else None
        answers = (*(removes[ob] for ob in _in_order(removes, order)),
                   *(confirms[ob] for ob in _in_order(confirms, order)), *((risk,) if risk else ()))
        questions.append(RankedQuestion(
            fact=name,
            question=program.facts[name].question,
            removes=_in_order(removes, order),
            confirms=_in_order(confirms, order),
            risk=risk is not None,
            due=None if first is None else first.due,
            time_left=None if first is None else first.remaining,
            answers=answers,
            open_question=name in asked,
            matters=matters.get(name),
        ))

    def key(q: RankedQuestion) -> tuple[Any, ...]:
        settled = q.settles
        if q.matters is False:  # no answer can change anything: last, whatever it seems to settle alone
            return (3, (), 0, declared[q.fact])
        if settled:
            return (0, min(duty_key[ob] for ob in settled), -len(settled), declared[q.fact])
        return (1 if q.risk else 2, (), 0, declared[q.fact])

    questions.sort(key=key)
    place = {q.fact: i for i, q in enumerate(questions)}
    duties = tuple(sorted((
        OpenDuty(
            obligation=ob,
            message=program.obligations[order[ob]].message,
            deadline=deadlines.get(ob),
            removed_by=tuple(sorted((n for n, (r, _c, _k) in found.items() if ob in r), key=place.__getitem__)),
            confirmed_by=tuple(sorted((n for n, (_r, c, _k) in found.items() if ob in c), key=place.__getitem__)),
        ) for ob in open_duties), key=lambda duty: duty_key[duty.obligation]))
    return Ranking(report.now, duties, tuple(questions), probe.complete, assessment, relevance)


def _in_order(names: Iterable[str], order: Mapping[str, int]) -> tuple[str, ...]:
    return tuple(sorted(names, key=order.__getitem__))


def _urgency(deadline: Deadline | None, declared: int) -> tuple[int, float, int]:
    """Most urgent first: a duty with an instant still to keep (overdue
    first, as its instant is the earliest), then one due "without undue
    delay", then the rest, each in the order the ruleset declares them."""
    if deadline is not None and deadline.state in (PENDING, OVERDUE) and deadline.due is not None:
        return (0, deadline.due.timestamp(), declared)
    if deadline is not None and deadline.done_at is None and deadline.without_undue_delay:
        return (1, 0.0, declared)
    return (2, 0.0, declared)


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat()


def _seconds(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds()


__all__ = ["SCHEMA", "Answer", "OpenDuty", "RankedQuestion", "Ranking", "exactly", "rank", "ranked"]
