"""The parts of a result, as plain frozen values.

What an assessment and a report are made of: the rules that applied
(:class:`TraceEntry`), each obligation (:class:`ObligationResult`), the
open questions, the actions of the plans, and a report's deadlines and
checklists. They are below everything that reads them: the results
(:mod:`breachrules.assessment`, :mod:`breachrules.report`) hold them, and
the renderers (:mod:`breachrules.explain`, :mod:`breachrules.record`,
:mod:`breachrules.notice`) write them in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from breachrules.citations import Citation, from_list, to_list
from breachrules.instants import parse_instant
from breachrules.spans import Span


@attrs.frozen
class TraceEntry:
    """A rule, exception or exemption that applied, or may apply once the
    open questions are answered (``certain`` false)."""

    kind: str  # rule | exception | exemption
    label: str
    certain: bool
    overrides: str | None  # the rule an exception overrides, the obligation an exemption lifts
    effects: tuple[tuple[str, str], ...]  # (outcome, level) the rule raises, as written
    instead: str | None  # the obligation an exemption requires instead
    message: str
    cites: tuple[Citation, ...]
    span: Span
    ruleset: str = ""  # the name of the ruleset that declares it (its file may be one of an extends chain)
    # the members of enum and set facts its condition names: its reason says which of them matched
    tests: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "certain": self.certain,
            "overrides": self.overrides,
            "effects": [{"outcome": o, "level": level} for o, level in self.effects],
            "instead": self.instead,
            "message": self.message,
            "cites": to_list(self.cites),
            "span": self.span.to_dict(),
            "ruleset": self.ruleset,
            "tests": [{"fact": fact, "members": list(members)} for fact, members in self.tests],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TraceEntry:
        return cls(
            kind=data["kind"],
            label=data["label"],
            certain=data["certain"],
            overrides=data["overrides"],
            effects=tuple((e["outcome"], e["level"]) for e in data["effects"]),
            instead=data["instead"],
            message=data["message"],
            cites=from_list(data["cites"]),
            span=Span.from_dict(data["span"]),
            ruleset=data.get("ruleset", ""),
            tests=tuple((test["fact"], tuple(test["members"])) for test in data.get("tests", ())),
        )


@attrs.frozen
class ObligationResult:
    """One obligation: whether it is required and by when.

    ``required`` is the conservative answer; ``certain`` is false when it
    depends on facts still unknown ("if in doubt, notify").
    """

    id: str
    required: bool
    certain: bool
    due: datetime | None  # the instant, when the ruleset gives a deadline
    without_undue_delay: bool
    exempted_by: str | None
    instead_of: str | None
    message: str
    cites: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "required": self.required,
            "certain": self.certain,
            "due": self.due.isoformat() if self.due else None,
            "without_undue_delay": self.without_undue_delay,
            "exempted_by": self.exempted_by,
            "instead_of": self.instead_of,
            "message": self.message,
            "cites": to_list(self.cites),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ObligationResult:
        return cls(
            id=data["id"],
            required=data["required"],
            certain=data["certain"],
            due=parse_instant(data["due"]) if data["due"] else None,
            without_undue_delay=data["without_undue_delay"],
            exempted_by=data["exempted_by"],
            instead_of=data["instead_of"],
            message=data["message"],
            cites=from_list(data["cites"]),
        )


@attrs.frozen
class OpenQuestion:
    """An unknown fact whose answer could change the outcome."""

    fact: str
    question: str  # message id

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "question": self.question}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OpenQuestion:
        return cls(data["fact"], data["question"])


@attrs.frozen(cache_hash=True)  # what a record's texts are remembered by
class Action:
    """One step of an action plan that applies (``certain``) or may apply
    once the open questions are answered."""

    name: str
    plan: str
    phase: str
    message: str
    cites: tuple[Citation, ...]
    certain: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "plan": self.plan, "phase": self.phase, "message": self.message,
                "cites": to_list(self.cites), "certain": self.certain}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Action:
        return cls(data["name"], data["plan"], data["phase"], data["message"], from_list(data["cites"]),
                   data["certain"])


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


@attrs.frozen(cache_hash=True)  # what a record's texts are remembered by
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


@attrs.frozen(cache_hash=True)  # what a record's texts are remembered by
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


def is_given(known: Mapping[str, Any], fact: str) -> bool:
    """A fact counts as given when it is known; blank text says nothing."""
    value = known.get(fact)
    return value is not None and not (isinstance(value, str) and not value.strip())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: str | None) -> datetime | None:
    return parse_instant(value) if value is not None else None
