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
from datetime import datetime, timedelta
from typing import Any

import attrs

from breachrules.assessment import Action, Assessment
from breachrules.citations import Citation, from_list, to_list
from breachrules.incident import fixed_offset
from breachrules.instants import parse_instant
from breachrules.program import Program

SCHEMA = "breachrules.record/3"
# read too: version 2 kept the actions beside the assessment, version 1 also
# wrote citations as strings
READABLE = (SCHEMA, "breachrules.record/2", "breachrules.record/1")

# The states of a deadline.
DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
PENDING = "pending"  # not done, not yet due
OVERDUE = "overdue"  # not done, past due
UNDATED = "undated"  # no instant: "without undue delay", or the instant is not known yet


@attrs.frozen
class Deadline:
    """When one required obligation is due and where it stands at ``now``."""

    obligation: str
    due: datetime | None
    without_undue_delay: bool
    done_at: datetime | None
    state: str
    remaining: timedelta | None  # due - now while not done; negative once overdue
    reason_fact: str | None  # the fact a late fulfilment must give
    reason_given: bool

    @property
    def late(self) -> bool:
        return self.state in (DONE_LATE, OVERDUE)

    @property
    def reason_required(self) -> bool:
        return self.late and self.reason_fact is not None

    @property
    def reason_missing(self) -> bool:
        return self.reason_required and not self.reason_given

    def to_dict(self) -> dict[str, Any]:
        return {
            "obligation": self.obligation,
            "due": _iso(self.due),
            "without_undue_delay": self.without_undue_delay,
            "done_at": _iso(self.done_at),
            "state": self.state,
            "late": self.late,
            "remaining_seconds": None if self.remaining is None else self.remaining.total_seconds(),
            "reason_fact": self.reason_fact,
            "reason_required": self.reason_required,
            "reason_given": self.reason_given,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], now: datetime) -> Deadline:
        """Read back a deadline of a report made at ``now``; the time remaining
        is recomputed exactly rather than read from its rounded seconds."""
        due = _from_iso(data["due"])
        remaining = due - now if due is not None and data["remaining_seconds"] is not None else None
        return cls(
            obligation=data["obligation"],
            due=due,
            without_undue_delay=data["without_undue_delay"],
            done_at=_from_iso(data["done_at"]),
            state=data["state"],
            remaining=remaining,
            reason_fact=data["reason_fact"],
            reason_given=data["reason_given"],
        )


@attrs.frozen
class ChecklistItem:
    name: str
    message: str
    facts: tuple[str, ...]
    missing: tuple[str, ...]  # the facts not known yet
    cites: tuple[Citation, ...]

    @property
    def present(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "message": self.message,
            "present": self.present,
            "facts": list(self.facts),
            "missing": list(self.missing),
            "cites": to_list(self.cites),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChecklistItem:
        return cls(data["name"], data["message"], tuple(data["facts"]), tuple(data["missing"]),
                   from_list(data["cites"]))


@attrs.frozen
class Checklist:
    """What one notice must contain; ``required`` follows its obligation.

    ``phased`` is true when the notice is required, runs against a deadline
    instant and cannot yet be given in full: the law then lets it be given
    in phases rather than late (Art. 33(4)). A notice due "without undue
    delay" has no such split: it waits for its content.
    """

    name: str
    obligation: str
    required: bool
    message: str
    items: tuple[ChecklistItem, ...]
    phased: bool = False

    @property
    def complete(self) -> bool:
        return all(item.present for item in self.items)

    @property
    def initial(self) -> tuple[ChecklistItem, ...]:
        """What a first notification can already say (Art. 33(4))."""
        return tuple(item for item in self.items if item.present)

    @property
    def supplementary(self) -> tuple[ChecklistItem, ...]:
        """What a supplementary notification must add once it is known."""
        return tuple(item for item in self.items if not item.present)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "obligation": self.obligation,
            "required": self.required,
            "message": self.message,
            "complete": self.complete,
            "phased": self.phased,
            "items": [item.to_dict() for item in self.items],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checklist:
        return cls(data["name"], data["obligation"], data["required"], data["message"],
                   tuple(ChecklistItem.from_dict(i) for i in data["items"]), data["phased"])


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
        raise KeyError(obligation)

    def checklist(self, name: str) -> Checklist:
        for c in self.checklists:
            if c.name == name:
                return c
        raise KeyError(name)

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


def is_given(known: Mapping[str, Any], fact: str) -> bool:
    """A fact counts as given when it is known; blank text says nothing."""
    value = known.get(fact)
    return value is not None and not (isinstance(value, str) and not value.strip())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: str | None) -> datetime | None:
    return parse_instant(value) if value is not None else None
