"""What the organisation must do next, and the record it keeps.

An :class:`Assessment` answers "how risky, and which duties?". A
:class:`Report` adds what a DPO needs to act on that answer at a given
moment:

- **deadlines**: each required obligation's due instant, whether it was met,
  is still open or is overdue, and whether a late fulfilment carries the
  reason the ruleset requires (Art. 33(1));
- **checklists**: what each notice must contain, item by item, present or
  missing from the incident. A notice whose items are not all known yet can
  be sent in phases (Art. 33(4)): the present items go into the initial
  notification, the missing ones and the open questions into the
  supplementary one;
- **actions**: the ruleset's action plan, the steps that apply to this
  incident, phase by phase.

The report depends on ``now`` (an obligation is overdue only at some point in
time), which is why it is separate from the assessment, which depends on the
facts alone. ``to_dict`` is the JSON form of the Art. 33(5) documentation
record; :mod:`breachrules.record` renders it as Markdown and
:mod:`breachrules.notice` drafts the communication to the data subjects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from breachrules.assessment import Assessment
from breachrules.document import Document
from breachrules.errors import NameNotFound
from breachrules.incident import fixed_offset
from breachrules.instants import parse_instant
from breachrules.program import Program
from breachrules.results import (  # re-exported: where a report's parts were first found
    DONE_LATE,
    DONE_ON_TIME,
    OVERDUE,
    PENDING,
    UNDATED,
    Action,
    Checklist,
    ChecklistItem,
    Deadline,
    is_given,
)

SCHEMA = "breachrules.record/3"
# read too: version 2 kept the actions beside the assessment, version 1 also
# wrote citations as strings
READABLE = (SCHEMA, "breachrules.record/2", "breachrules.record/1")

@attrs.frozen
class Report:
    assessment: Assessment
    now: datetime
    deadlines: tuple[Deadline, ...]
    checklists: tuple[Checklist, ...]
    plans: tuple[tuple[str, tuple[str, ...]], ...]  # (plan, its phases), in order

    @property
    def actions(self) -> tuple[Action, ...]:
        """The steps of the plans that apply: decided with the assessment."""
        return self.assessment.actions

    @property
    def phased(self) -> bool:
        """True when a notice due by a deadline cannot yet be given in full (Art. 33(4))."""
        return any(c.phased for c in self.checklists)

    def deadline(self, obligation: str) -> Deadline:
        for d in self.deadlines:
            if d.obligation == obligation:
                return d
        available = ", ".join(d.obligation for d in self.deadlines) or "-"
        raise NameNotFound("argument.no_deadline", name=obligation, available=available)

    def checklist(self, name: str) -> Checklist:
        for c in self.checklists:
            if c.name == name:
                return c
        available = ", ".join(c.name for c in self.checklists) or "-"
        raise NameNotFound("argument.no_checklist", name=name, available=available)

    def actions_in(self, plan: str) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.plan == plan)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated_at": self.now.isoformat(),
            "assessment": self.assessment.to_dict(),
            "phased": self.phased,
            "deadlines": [d.to_dict() for d in self.deadlines],
            "checklists": [c.to_dict() for c in self.checklists],
            "plans": [{"name": name, "phases": list(phases)} for name, phases in self.plans],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        if data.get("schema") not in READABLE:
            raise ValueError(f"not a {SCHEMA} document: schema is {data.get('schema')!r}")
        now = parse_instant(data["generated_at"])
        assessment = data["assessment"]
        if "actions" in data and "actions" not in assessment:  # before version 3, the report held them
            assessment = {**assessment, "actions": data["actions"]}
        return cls(
            assessment=Assessment.from_dict(assessment),
            now=now,
            deadlines=tuple(Deadline.from_dict(d, now) for d in data["deadlines"]),
            checklists=tuple(Checklist.from_dict(c) for c in data["checklists"]),
            plans=tuple((p["name"], tuple(p["phases"])) for p in data["plans"]),
        )

    def to_markdown(self, locale: str = "en", timezone: str = "Europe/Helsinki") -> str:
        """The Art. 33(5) documentation record, as Markdown."""
        from breachrules.record import markdown

        return markdown(self, locale, timezone)

    def to_document(self, locale: str = "en", timezone: str = "Europe/Helsinki") -> Document:
        """The Art. 33(5) documentation record as a document (sections,
        lists, tables in words): what ``to_markdown`` writes, as data."""
        from breachrules.record import document

        return document(self, locale, timezone)

    def notice(self, locale: str = "en", timezone: str = "Europe/Helsinki") -> str:
        """A draft of the communication to the data subjects (Art. 34(2))."""
        from breachrules.notice import draft

        return draft(self, locale, timezone)


# ------------------------------------------------------------------ building


def build(program: Program, known: Mapping[str, Any], assessment: Assessment, now: datetime) -> Report:
    """The report for validated facts ``known`` and their assessment, at ``now``."""
    now = fixed_offset(now)  # compared and stored as an instant, as the facts are
    obligations = {ob.name: ob for ob in program.obligations}
    deadlines = tuple(
        _deadline(result, obligations[result.id].done, obligations[result.id].late_requires, known, now)
        for result in assessment.obligations
        if result.required and obligations[result.id].due is not None  # it has a deadline to keep
    )
    checklists = []
    for c in program.checklists:
        items = tuple(
            ChecklistItem(item.name, item.message, item.facts,
                          tuple(f for f in item.facts if not is_given(known, f)), item.cites)
            for item in c.items
        )
        result = assessment.obligation(c.obligation)
        incomplete = assessment.provisional or any(item.missing for item in items)
        checklists.append(Checklist(
            name=c.name,
            obligation=c.obligation,
            required=result.required,
            message=c.message,
            items=items,
            phased=result.required and obligations[c.obligation].due is not None
            and not isinstance(obligations[c.obligation].due, str) and incomplete,
        ))
    plans = tuple((plan.name, plan.phases) for plan in program.plans)
    return Report(assessment, now, deadlines, tuple(checklists), plans)


def _deadline(result: Any, done_fact: str | None, reason_fact: str | None,
              known: Mapping[str, Any], now: datetime) -> Deadline:
    due: datetime | None = result.due
    done_at: datetime | None = known.get(done_fact) if done_fact else None
    remaining = None
    if due is None:
        state = UNDATED
    elif done_at is not None:
        state = DONE_ON_TIME if done_at <= due else DONE_LATE
    else:
        remaining = due - now
        state = PENDING if now <= due else OVERDUE
    return Deadline(
        obligation=result.id,
        due=due,
        without_undue_delay=result.without_undue_delay,
        done_at=done_at,
        state=state,
        remaining=remaining,
        reason_fact=reason_fact,
        reason_given=reason_fact is not None and is_given(known, reason_fact),
    )


__all__ = ["DONE_LATE", "DONE_ON_TIME", "OVERDUE", "PENDING", "UNDATED", "Action", "Checklist",
           "ChecklistItem", "Deadline", "Report", "build", "is_given"]
