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

import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
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

SCHEMA = "breachrules.record/4"
# read too: version 3 had no decision id, library version or facts as given,
# version 2 also kept the actions beside the assessment, version 1 also wrote
# citations as strings
READABLE = (SCHEMA, "breachrules.record/3", "breachrules.record/2", "breachrules.record/1")

@attrs.frozen
class Report:
    assessment: Assessment
    now: datetime
    deadlines: tuple[Deadline, ...]
    checklists: tuple[Checklist, ...]
    plans: tuple[tuple[str, tuple[str, ...]], ...]  # (plan, its phases), in order
    # What an audit needs to reproduce the decision (version 4; None in a record written before):
    decision_id: str | None = None  # a UUID: the caller's, else derived from the decision (see content_id)
    library_version: str | None = None  # breachrules.__version__ of the library that decided
    facts_given: Mapping[str, Any] | None = None  # the incident as the caller gave it, in JSON form

    @property
    def ruleset_digest(self) -> str | None:
        """The digest of the ruleset's sources and catalogs the decision was
        made with (the assessment's), None for a record written before version 3."""
        return self.assessment.vocabulary.digest or None

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
            "decision_id": self.decision_id,
            "generated_at": self.now.isoformat(),
            "library_version": self.library_version,
            "ruleset": {"name": self.assessment.ruleset, "version": self.assessment.ruleset_version,
                        "digest": self.ruleset_digest},
            "facts_given": dict(self.facts_given) if self.facts_given is not None else None,
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
            # (``ruleset`` is the assessment's, written again for the reader: not read back)
            decision_id=data.get("decision_id"),
            library_version=data.get("library_version"),
            facts_given=dict(data["facts_given"]) if data.get("facts_given") is not None else None,
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


def build(program: Program, known: Mapping[str, Any], assessment: Assessment, now: datetime,
          given: Mapping[str, Any] | None = None, decision_id: str | None = None) -> Report:
    """The report for validated facts ``known`` and their assessment, at
    ``now``: ``given`` is the incident as the caller gave it (in JSON form,
    see :func:`as_given`), ``decision_id`` the decision's id (default: one
    derived from what the decision is made of, :func:`content_id`)."""
    from breachrules import __version__

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
    facts_given = dict(given) if given is not None else dict(assessment.facts)
    if decision_id is None:
        decision_id = content_id(__version__, assessment, now, facts_given)
    return Report(assessment, now, deadlines, tuple(checklists), plans,
                  decision_id=decision_id, library_version=__version__, facts_given=facts_given)


# The namespace of the decision ids breachrules derives (uuid5 of "https://breachrules.invalid/decision")
DECISION_NAMESPACE = "f125b86c-7e81-5335-bd36-8f6e14a9ceed"  # (uuid is imported on first need: it is slow)


def content_id(library_version: str, assessment: Assessment, now: datetime, facts_given: Mapping[str, Any]) -> str:
    """The id of a decision the caller gave none: a name-based UUID (version
    5) of everything the decision is made of: the library's version, the
    ruleset's name, version and digest, the moment and the facts as given.
    Two decisions differ in one of these, and then in their ids; the same
    facts decided again at the same moment with the same ruleset and library
    are the same record, to the byte, and have the same id. (``now``, when
    not given, is the current time to the microsecond.)"""
    import json

    name = json.dumps({"library_version": library_version, "ruleset": assessment.ruleset,
                       "ruleset_version": assessment.ruleset_version, "digest": assessment.vocabulary.digest,
                       "generated_at": now.isoformat(), "facts_given": facts_given},
                      sort_keys=True, separators=(",", ":"))  # (ASCII: a text may hold a lone surrogate)
    import uuid

    return str(uuid.uuid5(uuid.UUID(DECISION_NAMESPACE), name))


def parse_decision_id(value: object) -> str:
    """A decision id given by the caller: a UUID (a :class:`uuid.UUID` or its
    text in any form :class:`uuid.UUID` reads), in its canonical form
    (``"1b4e28ba-2fa1-11d2-883f-0016d3cca427"``); ArgumentError for anything else."""
    import uuid

    from breachrules.errors import ArgumentError

    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise ArgumentError("argument.decision_id", value=repr(value)[:80])


def as_given(incident: Mapping[str, Any]) -> dict[str, Any]:
    """The incident as the caller gave it, in JSON form, before validation
    and its defaults: what was left out stays out, ``null`` stays ``null``,
    a text stays as written (``"PT30H"``, not ``"P1DT6H"``). Only what JSON
    cannot hold is converted: an instant to ISO 8601 with its offset, a
    duration to ISO 8601, a set to a list (sorted: a set has no order), a
    tuple to a list."""
    return {str(name): _given(value) for name, value in incident.items()}


def _given(value: Any) -> Any:
    from breachrules.durations import format_iso_duration

    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)  # (never valid: an incident refuses them)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_iso_duration(value)
    if isinstance(value, set | frozenset):
        import json

        return sorted((_given(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, list | tuple):
        return [_given(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _given(item) for key, item in value.items()}
    return str(value)


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
           "ChecklistItem", "Deadline", "Report", "as_given", "build", "content_id", "is_given", "parse_decision_id"]
