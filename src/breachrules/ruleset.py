"""A compiled ruleset: validate an incident, decide, assess.

A :class:`Ruleset` is immutable and shares nothing mutable between calls
(its caches hold equal values whoever fills them, and its generated
functions, compiled on first use, give equal answers whoever compiles
them), so one instance serves any number of threads. It pickles as its
source text and recompiles on the other side, as :mod:`re` patterns do.

Two evaluation paths give one answer:

- every fact the rules read is known: the generated fast path
  (:mod:`breachrules.codegen`);
- some are unknown: the three-valued interpreter
  (:mod:`breachrules.interpreter`), which also finds the open questions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import attrs

from breachrules import catalogs, packing
from breachrules.assessment import Action, Assessment, ObligationResult, OpenQuestion, TraceEntry
from breachrules.collector import paused_gc
from breachrules.errors import EvaluationError
from breachrules.extra_keys import ExtraKeys, without_extra_keys
from breachrules.frozen import FrozenDict
from breachrules.i18n import Messages
from breachrules.incident import Facts, IncidentError, after, as_is, converter, moment, validate
from breachrules.limits import DEFAULT, Limits
from breachrules.spans import Span
from breachrules.vocabulary import FactShape, Vocabulary, digest

if TYPE_CHECKING:
    from uuid import UUID

    from breachrules import interpreter
    from breachrules.diagnostics import Diagnostic
    from breachrules.intake import Question
    from breachrules.kit import Kit
    from breachrules.program import FactDef, Program
    from breachrules.ranking import Ranking
    from breachrules.report import Report


# How many distinct decisions are kept, shared between incidents.
_DECISIONS = 65536
# How many distinct traces the parts of assessments are kept for: a ruleset
# of many rules has more traces than incidents; past this many, an
# assessment of a new trace builds its parts anew.
_SHARED_TRACES = 4096


class Decision(NamedTuple):
    """The decision alone: outcome levels and required obligations."""

    levels: Mapping[str, str]
    required: tuple[str, ...]

    @property
    def risk(self) -> str:
        return self.levels["risk"]


@attrs.frozen
class Source:
    """One file of a chain: its name in spans, its text, and where its
    catalogs live (None: it has none)."""

    file: str
    text: str
    catalogs: str | None


class Ruleset:
    _load: Callable[[], tuple[Program, tuple[Diagnostic, ...]]]  # the program of a ruleset from a kit

    def __init__(self, program: Program, sources: tuple[Source, ...],
                 catalogs: tuple[tuple[Path, str], ...], limits: Limits = DEFAULT,
                 rebuild: Callable[[tuple[Source, ...], Limits], object] | None = None,
                 words: Vocabulary | None = None) -> None:
        """``rebuild`` compiles ``sources`` again (the loader's
        ``compile_chain``): a ruleset pickles as its sources, and the other
        side recompiles them, as :mod:`re` patterns do. ``words`` is
        :func:`vocabulary_of` the program, when it was prepared with it."""
        from breachrules import codegen

        self.program = program
        self._rebuild = rebuild
        self.sources = sources
        self.catalogs = catalogs
        self.limits = limits
        # what `breachrules check` warns about: declarations nothing reads (see usage.py)
        self.warnings = ()
        self._read = frozenset(codegen.read_facts(program))
        self._value_names = program.value_names()  # what its catalogs may put in braces
        self._static = _StaticParts(program, tuple((str(d), domain) for d, domain in catalogs),
                                    tuple(source.text for source in sources), words)
        self._kit: Kit | None = None
        # The decision cache: one shared, read-only Decision per distinct
        # result. Filling it from several threads at once is harmless: every
        # thread builds an equal value for a key.
        self._decisions: dict[int, Decision] = {}

    @classmethod
    def from_kit(cls, kit: Kit, sources: tuple[Source, ...], catalogs: tuple[tuple[Path, str], ...],
                 rebuild: Callable[[tuple[Source, ...], Limits], object],
                 load: Callable[[], tuple[Program, tuple[Diagnostic, ...]]]) -> Ruleset:
        """A bundled ruleset from its kit (:mod:`breachrules.kit`): what a
        complete incident's assessment needs, prepared at build time, with
        the program itself read (``load``) only when something else needs
        it. The same ruleset as compiled, sooner."""
        ruleset = cls.__new__(cls)
        ruleset._rebuild = rebuild
        ruleset.sources = sources
        ruleset.catalogs = catalogs
        ruleset.limits = DEFAULT
        ruleset._read = kit.read
        ruleset._value_names = kit.value_names
        ruleset._static = kit.static.placed(tuple((str(d), domain) for d, domain in catalogs),
                                            tuple(source.text for source in sources), lambda: ruleset.program)
        ruleset._kit = kit
        ruleset._load = functools.cache(load)
        ruleset._decisions = {}
        return ruleset

    @functools.cached_property
    def program(self) -> Program:
        """The compiled program (of a ruleset from a kit: read on first need)."""
        return self._load()[0]

    @functools.cached_property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """What ``breachrules check`` warns about (see usage.py)."""
        return self._load()[1]

    @functools.cached_property
    def _validate_fast(self) -> Callable[[Any], Facts | None]:
        from breachrules import validator

        return validator.build(self.program, self._read)

    # -------------------------------------------------------------- identity

    @property
    def name(self) -> str:
        return self._static.name

    @property
    def version(self) -> str:
        return self._static.version

    @property
    def facts(self) -> Mapping[str, FactDef]:
        """The ruleset's facts: the schema incidents are written against."""
        return self.program.facts

    def __repr__(self) -> str:
        return f"<Ruleset {self.name} {self.version}>"

    def __reduce__(self) -> tuple[Callable[..., object], tuple[Any, ...]]:
        if self._rebuild is None:
            raise TypeError(f"{self!r} was not compiled from sources and cannot be pickled")
        return self._rebuild, (self.sources, self.limits)

    def messages(self, locale: str) -> Messages:
        return catalogs.messages(locale, self.catalogs, self._value_names)

    # -------------------------------------------------------------- intake forms

    def questions(self, locale: str = "en") -> tuple[Question, ...]:
        """The questions of an intake form, one per fact, in the order the
        ruleset declares them, in the words of ``locale``: the fact's kind,
        label, question, members and range, and whether a complete
        assessment needs it (see :mod:`breachrules.intake`)."""
        from breachrules import intake

        return intake.questions(self.program, self.messages(locale), self._read)

    def schema(self, locale: str = "en", *, complete: bool = False) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the ruleset's incident, in the
        words of ``locale``, built from :meth:`questions`; with ``complete``,
        of a complete incident (see :mod:`breachrules.schema`)."""
        from breachrules import schema

        return schema.build(self.program, self.questions(locale), self.messages(locale), complete=complete)

    # -------------------------------------------------------------- stored results

    @property
    def digest(self) -> str:
        """A content hash over the sources of the ``extends`` chain and every
        catalog: what a stored result names to say which words it was made with."""
        return self._static.vocabulary.digest

    def read_assessment(self, data: Mapping[str, Any], *, reworded: bool = False) -> Assessment:
        """A stored assessment (its JSON form), to be rendered with this
        ruleset's catalogs: the ruleset it was made with, whose words it
        renders exactly as when it was stored. A ruleset of another name is
        refused, and so is the same ruleset with other sources or catalogs
        (another digest) unless ``reworded``: the reader then accepts that
        the words may differ from those first shown."""
        return self._accept(Assessment.from_dict(data), reworded)

    def _accept(self, stored: Assessment, reworded: bool) -> Assessment:
        from breachrules.errors import ArgumentError

        if stored.ruleset != self.name:
            raise ArgumentError("argument.other_ruleset", stored=stored.ruleset, ruleset=self.name)
        made_with = stored.vocabulary.digest
        if made_with and made_with != self.digest and not reworded:
            raise ArgumentError("argument.reworded_ruleset", ruleset=self.name, version=stored.ruleset_version)
        return stored.using_catalogs(self._static.catalogs)

    def read_report(self, data: Mapping[str, Any], *, reworded: bool = False) -> Report:
        """A stored report (its JSON form, a record), to be rendered with this
        ruleset's catalogs; refused as :meth:`read_assessment` refuses."""
        from breachrules.report import Report

        stored = Report.from_dict(data)  # (a record before version 3 kept its actions beside the assessment)
        return attrs.evolve(stored, assessment=self._accept(stored.assessment, reworded))

    # -------------------------------------------------------------- evaluation

    def validate(self, incident: Mapping[str, Any], *, extra_keys: ExtraKeys = "error") -> Facts:
        """Check an incident against the facts; raise IncidentError listing
        every problem. With ``extra_keys="warn"``, a key that is not a fact
        is left out, with an :class:`~breachrules.extra_keys.ExtraKeyWarning`,
        rather than refused (so for :meth:`decide`, :meth:`assess`,
        :meth:`report` and :meth:`ranked_questions`)."""
        if extra_keys != "error":
            incident = without_extra_keys(self.program, incident, extra_keys)
        if isinstance(incident, Facts):
            return incident
        return self._validate_fast(incident) or validate(self.program, incident, self._read)

    def decide(self, incident: Mapping[str, Any], *, extra_keys: ExtraKeys = "error") -> Decision:
        """The decision alone, without trace: the fast path for callers that
        decide many incidents. Pass :class:`Facts` from :meth:`validate` to
        skip validation.

        The first call writes and compiles the ruleset's own ``decide``, which
        then stands in this method's place on the instance: a plain dict is
        checked and decided in that one call, and what it does not handle it
        passes to ``_decide_slow``. (Compiled on first use, not at load: a
        caller who only assesses never needs it. Two threads may both compile
        it; each gets a function that gives the same answers.)"""
        # (this method, taken before the first call, calls the function)
        function = self.__dict__.get("decide") or self._compiled("decide")
        decision: Decision = function(incident) if extra_keys == "error" else function(incident, extra_keys=extra_keys)
        return decision

    def compile(self) -> Ruleset:
        """Write and compile the generated ``decide`` and ``assess`` now,
        rather than on first use: for a server that would rather pay for it
        at start-up (a large ruleset takes a second or two)."""
        self._compiled("decide")
        self._compiled("assess")
        return self

    def _compiled(self, method: str) -> Callable[..., Any]:
        """The generated function of ``method``, compiled and put in its place."""
        function = self.__dict__.get(method)
        if function is not None:
            return function  # type: ignore[no-any-return]
        if method == "decide":
            names: dict[str, Any] = {"_decisions": self._decisions, "_decision": self._new_decision,
                                     "_slow": self._decide_slow, "_Facts": Facts}
        else:
            static = self._static
            names = {"_shared": static.shared, "_shared_for": static.shared_for,
                     "_from_fields": Assessment.from_fields, "_values": static.values,
                     "_facts_of": static.facts_of, "_facts_json": static.facts_json,
                     "_slow": self._assess_slow, "_Facts": Facts}
        try:
            function = self._kit.function(method, names) if self._kit is not None else None
            if function is None:
                from breachrules import codegen

                with paused_gc():  # (as the loader compiles: see collector.py)
                    function = codegen.build(self.program, traced=method == "assess", names=names)
        except (RecursionError, SyntaxError, MemoryError):
            # A backstop, never reached by a ruleset the limits admit: were the
            # generated source ever too much for Python's compiler, the
            # reference interpreter answers every call instead.
            slow = self._decide_slow if method == "decide" else self._assess_slow
            function = functools.partial(slow, failed=True)
        setattr(self, method, function)
        return function

    def _decide_slow(self, incident: Mapping[str, Any], failed: bool = False,
                     extra_keys: ExtraKeys = "error") -> Decision:
        """What the generated decide passes on: an incident it does not vouch
        for (validated here, which says what is wrong), one with facts
        unknown, or one on which it stopped on an error (``failed``)."""
        facts = self._facts(incident, extra_keys)
        if facts.complete and not failed:
            return self.decide(facts)
        assessment = self._interpreted(facts)
        return Decision(assessment.levels, assessment.required)

    def _new_decision(self, key: int) -> Decision:
        """The decision of a key not seen before, kept for the next incident
        with the same (while fewer than a bound are kept: a large ruleset has
        more decisions than a server will see incidents)."""
        decision = self._static.decision(packing.unpack(self.program, key))
        if len(self._decisions) >= _DECISIONS:
            return decision
        return self._decisions.setdefault(key, decision)

    def assess(self, incident: Mapping[str, Any], *, extra_keys: ExtraKeys = "error") -> Assessment:
        """The full assessment: levels, obligations, open questions, trace.
        (Compiled on first use and put in this method's place, as
        :meth:`decide` is.)"""
        function = self.__dict__.get("assess") or self._compiled("assess")
        assessment: Assessment = (function(incident) if extra_keys == "error"
                                  else function(incident, extra_keys=extra_keys))
        return assessment

    def _assess_slow(self, incident: Mapping[str, Any], failed: bool = False,
                     extra_keys: ExtraKeys = "error") -> Assessment:
        """What the generated assess passes on, as for :meth:`_decide_slow`."""
        facts = self._facts(incident, extra_keys)
        if facts.complete and not failed:
            return self.assess(facts)
        return self._interpreted(facts)

    def _facts(self, incident: Mapping[str, Any], extra_keys: ExtraKeys = "error") -> Facts:
        """The incident validated, as the generated functions take it."""
        if isinstance(incident, Facts) and incident.__class__ is not Facts:
            return Facts(incident.known, incident.complete)
        return self.validate(incident, extra_keys=extra_keys)

    def _interpreted(self, facts: Facts) -> Assessment:
        """The assessment by the reference interpreter: with facts unknown,
        or to raise the positioned error the generated code stopped on.
        The generated code evaluates what can fail exactly where the
        interpreter does, but it does not say where or why: errors have one
        source, the reference."""
        from breachrules import interpreter  # (a complete incident never needs it)

        static = self._static
        return static.assessment(interpreter.evaluate(self.program, facts.known), static.facts_json(facts.known))

    def report(self, incident: Mapping[str, Any], now: datetime | None = None, *,
               decision_id: str | UUID | None = None, extra_keys: ExtraKeys = "error") -> Report:
        """The assessment with its deadlines at ``now`` (default: the current
        time), the checklists of each notice and the action plan; the record
        keeps the incident as given, the library's version and the
        ``decision_id`` (a UUID; default: one derived from the library's
        version, the ruleset's digest, ``now`` and the incident, so that the
        same decision gives the same record)."""
        from breachrules import report

        chosen = report.parse_decision_id(decision_id) if decision_id is not None else None
        if extra_keys != "error":  # (the record keeps the incident as taken, without them)
            incident = without_extra_keys(self.program, incident, extra_keys)
        facts = self.validate(incident)
        when = moment(now) if now is not None else datetime.now(UTC)
        future = after(facts.known, self.program, when)
        if future:
            raise IncidentError(future)
        given = None if isinstance(incident, Facts) else report.as_given(incident)  # (validated: a mapping)
        return report.build(self.program, facts.known, self.assess(facts), when, given, chosen)

    def ranked_questions(self, incident: Mapping[str, Any], now: datetime | None = None, *,
                         extra_keys: ExtraKeys = "error", exact: bool = False) -> Ranking:
        """The open questions of the incident, ranked for an intake form:
        first those whose answer alone can still remove or confirm a duty,
        most urgent deadline first, then those that can only change the risk
        level, then the rest (see :mod:`breachrules.ranking`). ``exact``
        (needs the solver, ``breachrules[verify]``): which questions can
        matter at all, and which no answer can, proved for this incident."""
        from breachrules import ranking

        if extra_keys != "error":
            incident = without_extra_keys(self.program, incident, extra_keys)
        return ranking.rank(self, incident, now, exact)


class _Duty(NamedTuple):
    """What a result says of an obligation, whatever the incident."""

    name: str
    without_undue_delay: bool  # its deadline
    message: str
    cites: tuple[Any, ...]


class _Step(NamedTuple):
    """What a result says of an action, whatever the incident."""

    name: str
    plan: str
    phase: str
    message: str
    cites: tuple[Any, ...]


class _StaticParts:
    """Everything about a ruleset's results that does not depend on the
    incident, built once: trace entries, level names, obligation texts.

    It keeps of the program only what results say (so that a bundled
    ruleset's is prepared at build time: see :mod:`breachrules.kit`); the
    program itself is asked for only by the interpreter's results."""

    def __init__(self, program: Program, catalogs: tuple[tuple[str, str], ...], texts: tuple[str, ...],
                 words: Vocabulary | None = None) -> None:
        from breachrules import codegen, ir

        self._program: Program | None = program
        self._load_program: Callable[[], Program] | None = None
        self.words = words
        self.catalogs = catalogs
        self.texts = texts
        self.name, self.version, self.title = program.name, program.version, program.title
        self.shapes = tuple((name, fact.type.kind, fact.type.members) for name, fact in program.facts.items())
        self._fresh()
        self.layout = packing.TraceLayout(program)
        self.dated = tuple(i for i, ob in enumerate(program.obligations) if codegen.dated(ob))
        self.outcomes = tuple(o.name for o in program.outcomes)
        self.level_names = {o.name: o.levels for o in program.outcomes}
        self.obligations = tuple(_Duty(ob.name, ob.due == "without_undue_delay", ob.message, ob.cites)
                                 for ob in program.obligations)
        self.steps = tuple(_Step(a.name, a.plan, a.phase, a.message, a.cites) for a in program.actions)
        self.numbers = tuple(program.numbers())  # the names of what a reason may show, as the paths give them
        self.entries: dict[tuple[str, bool], TraceEntry] = {}
        for rule in program.rules.values():
            effects = tuple(
                (o, self._describe_level(o, node)) for o, node in rule.conclusions
            )
            for certain in (True, False):
                self.entries[(rule.label, certain)] = TraceEntry(
                    rule.kind, rule.label, certain, rule.base, effects, None, rule.message, rule.cites,
                    _named(rule.span),
                    program.files.get(rule.span.file, program.name),
                    ir.tested_members(rule.condition) if rule.condition is not None else (),
                )
        for exemption in program.exemptions.values():
            for certain in (True, False):
                self.entries[(exemption.label, certain)] = TraceEntry(
                    "exemption", exemption.label, certain, exemption.obligation, (), exemption.instead,
                    exemption.message, exemption.cites, _named(exemption.span),
                    program.files.get(exemption.span.file, program.name),
                    ir.tested_members(exemption.condition) if exemption.condition is not None else (),
                )

        # what the generated trace function lists: rule labels, (exemption, obligation) pairs
        self.trace_entries: dict[Any, TraceEntry] = {
            (e.label if e.kind != "exemption" else (e.label, e.overrides)): e
            for (_, certain), e in self.entries.items() if certain
        }

    def _fresh(self) -> None:
        """The converters of the facts' values and empty caches."""
        # facts whose JSON form is not their value: sets, levels, instants, durations
        self.converters = {name: convert for name, kind, members in self.shapes
                           if (convert := converter(kind, members)) is not as_is}
        # (the fast path may keep a set fact as a tuple, a frozenset or a set: the converter takes each)
        self.json_order = tuple((name, converter(kind, members)) for name, kind, members in self.shapes)
        # Shared between assessments, filled on first need; every value is immutable.
        self.levels_cache: dict[tuple[int, ...], Mapping[str, str]] = {}
        self.obligations_cache: dict[tuple[Any, ...], tuple[ObligationResult, ...]] = {}
        self.actions_cache: dict[tuple[bool | None, ...], tuple[Action, ...]] = {}
        self.shared: dict[int, dict[str, Any]] = {}  # see shared_for
        self.statuses_cache: dict[tuple[Any, ...], ObligationResult] = {}  # see assessment

    @property
    def program(self) -> Program:
        if self._program is None:
            assert self._load_program is not None, "prepared parts are placed before use"
            self._program = self._load_program()
        return self._program

    def __getstate__(self) -> dict[str, Any]:
        """What a kit keeps (:mod:`breachrules.kit`): neither the program,
        nor the catalogs' places and the sources' texts (the machine's that
        reads it), nor the caches, nor functions."""
        kept = {"_program", "_load_program", "catalogs", "texts", "converters", "json_order", "levels_cache",
                "obligations_cache", "actions_cache", "shared", "statuses_cache", "vocabulary"}
        return {name: value for name, value in self.__dict__.items() if name not in kept}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._program, self._load_program = None, None
        self.catalogs, self.texts = (), ()
        self._fresh()

    def placed(self, catalogs: tuple[tuple[str, str], ...], texts: tuple[str, ...],
               load_program: Callable[[], Program]) -> _StaticParts:
        """These parts, read from a kit, with the catalogs and sources of
        the ruleset they are for, and how to read its program."""
        self.catalogs, self.texts, self._load_program = catalogs, texts, load_program
        return self

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        """Built on the first assessment, not at load: the digest reads the catalogs."""
        words = self.words if self.words is not None else vocabulary_of(self.program)
        return attrs.evolve(words, digest=digest(self.texts, ((Path(d), domain) for d, domain in self.catalogs)))

    def actions(self, flags: tuple[bool | None, ...]) -> tuple[Action, ...]:
        """The actions that apply (or may), shared between assessments with the same flags."""
        actions = self.actions_cache.get(flags)
        if actions is None:
            actions = _kept(self.actions_cache, flags, tuple(
                Action(a.name, a.plan, a.phase, a.message, a.cites, certain=flag is True)
                for a, flag in zip(self.steps, flags, strict=True) if flag is not False
            ))
        return actions

    def _describe_level(self, outcome: str, node: Any) -> str:
        from breachrules import ir

        if isinstance(node, ir.Const):
            return str(self.level_names[outcome][node.value])
        if isinstance(node, ir.DefineRef):
            return node.name
        return "?"

    def names(self, levels: tuple[int, ...]) -> Mapping[str, str]:
        """Outcome levels by name, read-only and shared between results."""
        names = self.levels_cache.get(levels)
        if names is None:
            names = self.levels_cache.setdefault(levels, FrozenDict(
                {name: self.level_names[name][v] for name, v in zip(self.outcomes, levels, strict=True)}
            ))
        return names

    def decision(self, raw: tuple[tuple[int, ...], tuple[bool, ...]]) -> Decision:
        levels, required = raw
        return Decision(
            self.names(levels),
            tuple(ob.name for ob, flag in zip(self.obligations, required, strict=True) if flag),
        )

    def values(self, numbers: tuple[Any, ...]) -> dict[str, int | float | None]:
        """The ruleset's numbers by name, as a result keeps them: a float
        that overflowed to infinity (or NaN after it) has no number to show,
        and no JSON form, so it is kept as not known."""
        return {name: None if isinstance(value, float) and not math.isfinite(value) else value
                for name, value in zip(self.numbers, numbers, strict=True)}

    def facts_json(self, known: dict[str, Any]) -> dict[str, Any]:
        data = dict(known)
        for name, convert in self.converters.items():
            if name in data:
                data[name] = convert(data[name])
        return data

    def shared_for(self, key: int, dues: tuple[datetime | None, ...],
                   conflicts: list[tuple[str, ...]] | tuple[()]) -> dict[str, Any]:
        """The fields of a complete assessment that its trace decides, from
        the generated trace function's answer: its trace packed into ``key``
        (see :class:`~breachrules.packing.TraceLayout`). That function builds
        the assessment (``Assessment.from_fields``) with its own facts and
        numbers.

        Everything that depends only on the trace (level names, obligation
        results without a deadline, trace entries, actions) is built once per
        distinct key and kept in :attr:`shared` for every assessment of the
        same trace: all of it is immutable. An assessment with deadlines or
        conflicts of its own gets a copy with them."""
        shared = self.shared.get(key)
        if shared is None:
            shared = self._shared(*self.layout.unpack(key), [])
            if len(self.shared) < _SHARED_TRACES:
                shared = self.shared.setdefault(key, shared)
        if conflicts or (dues and any(dues)):
            shared = {**shared, "conflicts": tuple(conflicts),
                      "obligations": self._with_deadlines(shared["obligations"], dues)}
        return shared

    def facts_of(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """The facts known, in JSON form, from the checked value of every fact (None: unknown)."""
        return {name: convert(value) for (name, convert), value in zip(self.json_order, values, strict=True)
                if value is not None}

    def _shared(self, levels: tuple[int, ...], statuses: tuple[Any, ...], fired: list[Any],
                acts: tuple[bool, ...], conflicts: list[tuple[str, ...]]) -> dict[str, Any]:
        """The fields of an assessment that follow from its trace alone."""
        names = self.names(levels)
        obligations = self.obligations_cache.get(statuses)
        if obligations is None:
            obligations = _kept(self.obligations_cache, statuses, tuple(
                ObligationResult(
                    id=ob.name, required=bool(required), certain=True, due=None,
                    without_undue_delay=bool(required) and ob.without_undue_delay,
                    exempted_by=exempted, instead_of=instead, message=ob.message, cites=ob.cites,
                )
                for ob, (required, exempted, instead) in zip(self.obligations, statuses, strict=True)
            ))
        entries = self.trace_entries
        return attrs.asdict(Assessment(
            ruleset=self.name,
            ruleset_version=self.version,
            title=self.title,
            levels=names,
            certain_levels=names,
            provisional=False,
            obligations=obligations,
            open_questions=(),
            trace=tuple([entries[f] for f in fired]),
            conflicts=tuple(conflicts) if conflicts else (),
            facts={},
            actions=self.actions(acts),
            values={},
            vocabulary=self.vocabulary,
            catalogs=self.catalogs,
        ), recurse=False)

    def _with_deadlines(self, obligations: tuple[ObligationResult, ...],
                        dues: tuple[datetime | None, ...]) -> tuple[ObligationResult, ...]:
        """Put the incident's deadline instants into the shared obligation results."""
        out = list(obligations)
        for position, due in zip(self.dated, dues, strict=True):
            if due is not None:
                ob = out[position]
                out[position] = ObligationResult(
                    id=ob.id, required=ob.required, certain=True, due=due, without_undue_delay=False,
                    exempted_by=ob.exempted_by, instead_of=ob.instead_of, message=ob.message, cites=ob.cites,
                )
        return tuple(out)

    def assessment(self, result: interpreter.Result, facts: dict[str, Any]) -> Assessment:
        """The assessment of the interpreter's result."""
        program = self.program
        names = self.level_names
        obligations = []
        for ob in self.obligations:
            status = result.obligations[ob.name]
            if isinstance(status.due, datetime):
                obligations.append(self._obligation(ob, status))
                continue
            # without a deadline of the incident's own, a result shared with every such status
            key = (ob.name, status.required, status.due, status.exempted_by, status.instead_of)
            found = self.statuses_cache.get(key)
            if found is None:
                found = self.statuses_cache.setdefault(key, self._obligation(ob, status))
            obligations.append(found)
        risk = result.levels["risk"]
        provisional = (bool(result.open_questions) or risk.lo != risk.hi
                       or any(not ob.certain for ob in obligations))
        return Assessment(
            ruleset=program.name,
            ruleset_version=program.version,
            title=program.title,
            levels={name: names[name][iv.hi] for name, iv in result.levels.items()},
            certain_levels={name: names[name][iv.lo] for name, iv in result.levels.items()},
            provisional=provisional,
            obligations=tuple(obligations),
            open_questions=tuple(
                OpenQuestion(fact, program.facts[fact].question) for fact in result.open_questions
            ),
            trace=tuple(self.entries[(f.label, f.certain)] for f in result.fired),
            conflicts=result.conflicts,
            facts=facts,
            actions=self.actions(result.actions),
            values=self.values(result.values),
            vocabulary=self.vocabulary,
            catalogs=self.catalogs,
        )


    @staticmethod
    def _obligation(ob: _Duty, status: interpreter.ObligationStatus) -> ObligationResult:
        return ObligationResult(
            id=ob.name,
            required=status.required is not False,
            certain=status.required is not None,
            due=status.due if isinstance(status.due, datetime) else None,
            without_undue_delay=status.due == "without_undue_delay",
            exempted_by=status.exempted_by,
            instead_of=status.instead_of,
            message=ob.message,
            cites=ob.cites,
        )


_K = TypeVar("_K")
_V = TypeVar("_V")


def vocabulary_of(program: Program) -> Vocabulary:
    """What rendering needs of ``program`` (see vocabulary.py), all but the
    digest of its texts: the program's alone, so a bundled ruleset's is
    prepared with it at build time (it runs the interpreter)."""
    from breachrules import interpreter, ir

    definitions = {d.name: d.expr for d in program.defines}
    bound = [ob for ob in program.obligations if ob.condition is not None
             and "risk" in ir.references_through([ob.condition], definitions)[1]]
    levels = program.scales["risk"].levels
    try:
        conditions = [ob.condition for ob in bound if ob.condition is not None]  # (all of them: see bound)
        floors = interpreter.least_levels(program, "risk", conditions)
    except EvaluationError:  # a rule that fails on an incident that tells nothing: say the level, as before
        floors = []
    return Vocabulary(
        facts=tuple(FactShape(f.name, f.type.kind, f.type.members, f.type.scale) for f in program.facts.values()),
        notices=program.notices,
        risk_bound=tuple(ob.name for ob in bound),
        risk_levels=tuple(levels),
        risk_floors=tuple((ob.name, "" if floor is None else levels[floor])
                          for ob, floor in zip(bound, floors, strict=False)),
    )


def _kept(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    """``value``, kept in ``cache`` under ``key`` unless the cache holds as
    many as a shared trace's (a large ruleset has more distinct results than
    a server will see incidents: the cache must not grow with them)."""
    if len(cache) >= _SHARED_TRACES:
        return value
    return cache.setdefault(key, value)


def _named(span: Span) -> Span:
    """A span as a result keeps it: the file by its name, not its path on
    the machine that assessed it (a record is kept, and shown, elsewhere)."""
    return attrs.evolve(span, file=Path(span.file).name)


