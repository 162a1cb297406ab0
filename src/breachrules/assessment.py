"""What an assessment says, as plain frozen values.

An :class:`Assessment` holds the outcome levels (the conservative reading, to
act on, and what is already certain), each obligation, the open questions
and a trace of every rule, exception and exemption that applied, with its
span, citations and message id. ``to_dict`` gives the public JSON form
(documented in ``docs/json-output.md``); ``from_dict`` reads it back, and
``Assessment.from_dict(a.to_dict()) == a`` always holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from breachrules.document import Document
from breachrules.results import Action, ObligationResult, OpenQuestion, TraceEntry
from breachrules.vocabulary import Vocabulary

SCHEMA = "breachrules.assessment/3"
# read too: version 2 had no actions and no vocabulary (its facts are then
# rendered as their JSON values), version 1 also wrote citations as strings
READABLE = (SCHEMA, "breachrules.assessment/2", "breachrules.assessment/1")


@attrs.frozen
class Assessment:
    ruleset: str
    ruleset_version: str
    title: str  # message id of the ruleset's title
    levels: Mapping[str, str]  # the conservative reading: act on this
    certain_levels: Mapping[str, str]  # what is established whatever the open answers
    provisional: bool
    obligations: tuple[ObligationResult, ...]
    open_questions: tuple[OpenQuestion, ...]
    trace: tuple[TraceEntry, ...]
    conflicts: tuple[tuple[str, ...], ...]
    facts: Mapping[str, Any]  # the incident as validated, in its JSON form
    actions: tuple[Action, ...] = ()  # the steps of the plans that apply, or may once the questions are answered
    # the ruleset's numbers (Program.numbers: numeric definitions, scores' numbers) for this incident, None when
    # unknown: what a reason shows of them ("{se}"), kept so that a stored result shows them again
    values: Mapping[str, int | float | None] = attrs.field(factory=dict)
    vocabulary: Vocabulary = Vocabulary()  # what rendering needs of the ruleset: see vocabulary.py
    catalogs: tuple[tuple[str, str], ...] = attrs.field(default=(), eq=False, repr=False)

    @property
    def risk(self) -> str:
        return self.levels["risk"]

    def obligation(self, id: str) -> ObligationResult:
        for ob in self.obligations:
            if ob.id == id:
                return ob
        raise KeyError(id)

    @property
    def required(self) -> tuple[str, ...]:
        """The ids of the obligations required (conservatively)."""
        return tuple(ob.id for ob in self.obligations if ob.required)

    def using_catalogs(self, catalogs: tuple[tuple[str, str], ...]) -> Assessment:
        """The same assessment, rendered with these (directory, domain)
        catalogs, its own ruleset's first: how a result read back is given
        the words of a ruleset that is not bundled (see
        ``Ruleset.read_assessment``)."""
        return attrs.evolve(self, catalogs=catalogs)

    def explain(self, locale: str = "en", timezone: str = "Europe/Helsinki") -> str:
        from breachrules.explain import explain

        return explain(self, locale, timezone)

    def to_document(self, locale: str = "en", timezone: str = "Europe/Helsinki") -> Document:
        """The explanation as a document (sections, lists, paragraphs in
        words), for an application that lays it out itself."""
        from breachrules.explain import document

        return document(self, locale, timezone)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "ruleset": self.ruleset,
            "ruleset_version": self.ruleset_version,
            "title": self.title,
            "risk": self.risk,
            "levels": dict(self.levels),
            "certain_levels": dict(self.certain_levels),
            "provisional": self.provisional,
            "open_questions": [q.to_dict() for q in self.open_questions],
            "obligations": [ob.to_dict() for ob in self.obligations],
            "trace": [entry.to_dict() for entry in self.trace],
            "conflicts": [list(c) for c in self.conflicts],
            "facts": dict(self.facts),
            **({"values": dict(self.values)} if self.values else {}),  # (a ruleset without numbers has none)
            "actions": [action.to_dict() for action in self.actions],
            "vocabulary": self.vocabulary.to_dict(),
            # whose catalogs render it, by name: the directories are this machine's
            "catalog_domains": [domain for _, domain in self.catalogs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assessment:
        if data.get("schema") not in READABLE:
            raise ValueError(f"not a {SCHEMA} document: schema is {data.get('schema')!r}")
        return cls(
            ruleset=data["ruleset"],
            ruleset_version=data["ruleset_version"],
            title=data["title"],
            levels=dict(data["levels"]),
            certain_levels=dict(data["certain_levels"]),
            provisional=data["provisional"],
            obligations=tuple(ObligationResult.from_dict(o) for o in data["obligations"]),
            open_questions=tuple(OpenQuestion.from_dict(q) for q in data["open_questions"]),
            trace=tuple(TraceEntry.from_dict(t) for t in data["trace"]),
            conflicts=tuple(tuple(c) for c in data["conflicts"]),
            facts=dict(data["facts"]),
            values=dict(data.get("values", {})),
            actions=tuple(Action.from_dict(a) for a in data.get("actions", ())),
            vocabulary=Vocabulary.from_dict(data["vocabulary"]) if "vocabulary" in data else Vocabulary(),
            catalogs=tuple(("", domain) for domain in data.get("catalog_domains", ())),
        )


__all__ = ["Action", "Assessment", "ObligationResult", "OpenQuestion", "TraceEntry"]
