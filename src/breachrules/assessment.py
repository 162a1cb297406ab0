"""What an assessment says, as plain frozen values.

An :class:`Assessment` holds the outcome levels (the conservative reading, to
act on, and what is already certain), each obligation, the open questions
and a trace of every rule, exception and exemption that applied, with its
span, citations and message id. ``to_dict`` gives the public JSON form
(documented in ``docs/json-output.md``); ``from_dict`` reads it back, and
``Assessment.from_dict(a.to_dict()) == a`` always holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from breachrules.results import Action, ObligationResult, OpenQuestion, TraceEntry
from breachrules.vocabulary import Vocabulary

if TYPE_CHECKING:  # built by explain, on first use
    from breachrules.document import Document

SCHEMA = "breachrules.assessment/3"
# read too: version 2 had no actions and no vocabulary (its facts are then
# rendered as their JSON values), version 1 also wrote citations as strings
READABLE = (SCHEMA, "breachrules.assessment/2", "breachrules.assessment/1")


@attrs.frozen(slots=False)  # with a __dict__: see from_fields
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

    @classmethod
    def from_fields(cls, shared: dict[str, Any], facts: Any, values: Mapping[str, int | float | None],
                    later: Callable[[Any], dict[str, Any]] | None = None) -> Assessment:
        """An assessment of the ``shared`` fields (every field, by name) with
        its own ``facts`` and ``values``, without a call of ``__init__``: the
        fast path builds one per incident from parts it shares between
        incidents with the same trace, and setting fifteen fields of a frozen
        class one by one costs more than the rest of the assessment. The
        fields are values ``__init__`` would take as they are (it has no
        converters). With ``later``, the facts are ``later(facts)``, made on
        first use (see ``__getattr__``)."""
        assessment = object.__new__(cls)
        fields = assessment.__dict__
        fields.update(shared)
        if later is None:
            fields["facts"] = facts
        else:
            del fields["facts"]
            fields["_facts_later"] = (later, facts)
        fields["values"] = values
        return assessment

    if not TYPE_CHECKING:  # (for mypy, an Assessment has no attributes but its fields)

        def __getattr__(self, name: str) -> Any:
            """The ``facts`` of an assessment on the fast path, put in their
            JSON form on first use: most callers never read them, and writing
            every set, instant and duration out costs more than the rest of
            the assessment."""
            later = self.__dict__.get("_facts_later") if name == "facts" else None
            if later is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            convert, values = later
            facts = convert(values)
            self.__dict__["facts"] = facts  # (two threads may both convert: to equal values)
            return facts

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with its facts in their JSON form (not the ruleset's
        converter, which is not for another process)."""
        state = dict(self.__dict__)
        if state.pop("_facts_later", None) is not None:
            state["facts"] = self.facts
        return state

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
