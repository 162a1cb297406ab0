"""Stored decisions, decided again.

A record (``Report.to_dict()``, the JSON of ``breachrules assess --format
json``) says what was decided, with which ruleset (its name, version and
digest) and on which facts (``facts_given``, the incident as the caller
gave it; a record written before version 4 has only the validated facts of
its assessment). :func:`replay` decides those facts again:

- under **the ruleset the record names**, found by name among the rulesets
  the caller gives (``made_with``) and the bundled ones, and only if its
  digest is the record's: a ruleset whose sources or catalogs have changed
  since is reported as such (``digest_matches`` false), never silently
  decided with. The record **reproduces** when deciding its facts again
  at its ``generated_at`` gives back what it holds: every level, the
  obligations, the deadlines, the rules that applied, the open questions,
  the validated facts and the checklists. Each part that does not is a
  :class:`Difference`.
- under **a new ruleset** (``new``), if given: the parts of the decision
  that would change (the risk level, each obligation's status and
  deadline), each a :class:`Change` from the record's outcome to the new
  one, and on each side the rules responsible (:class:`Rule`, with where
  it is written).

Nothing here is in words: :mod:`breachrules.cli_replay` says it in the
reader's language, and :meth:`Replayed.to_dict` gives it as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from breachrules import record_shape
from breachrules.errors import ArgumentError
from breachrules.exceptions import BreachrulesError
from breachrules.exits import ExitCode, worst
from breachrules.i18n import Term
from breachrules.record_shape import ShapeProblem
from breachrules.report import Report
from breachrules.results import TraceEntry

if TYPE_CHECKING:
    from breachrules.assessment import Assessment
    from breachrules.ruleset import Ruleset

SCHEMA = "breachrules.replay/1"
# the versions of the record that always name their ruleset's digest
_DIGESTED = ("breachrules.record/4", "breachrules.record/3")

# an obligation's status, as a decision has it
REQUIRED = "required"
POSSIBLY_REQUIRED = "possibly_required"  # required unless the open questions show otherwise
NOT_REQUIRED = "not_required"


class RecordError(ArgumentError, ValueError):
    """A document that is not a decision record, or one that lacks what
    replaying it needs. (A :class:`ValueError`, as :meth:`Report.from_dict`
    raises for a document of another schema.) ``problems`` are every part
    of it that is not as a record has it, each with its ``$.path``; the
    message says the first."""

    problems: tuple[ShapeProblem, ...] = ()

    @classmethod
    def of_shape(cls, problems: tuple[ShapeProblem, ...]) -> RecordError:
        first = problems[0]
        error = cls("argument.not_a_record.shape", path=first.path, what=Term.of(first.key, **dict(first.values)))
        error.problems = problems
        return error


@attrs.frozen
class Rule:
    """A rule, exception or exemption of a trace, and where it is written."""

    kind: str  # rule | exception | exemption
    label: str
    certain: bool  # false: it may apply, depending on the open questions
    ruleset: str  # the ruleset whose file holds it
    file: str
    line: int

    @classmethod
    def of(cls, entry: TraceEntry) -> Rule:
        return cls(entry.kind, entry.label, entry.certain, entry.ruleset, entry.span.file, entry.span.line)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "certain": self.certain, "ruleset": self.ruleset,
                "file": self.file, "line": self.line}


@attrs.frozen
class ObligationStatus:
    """One obligation of a decision: required, possibly required or not, and by when."""

    id: str
    required: bool
    certain: bool
    due: datetime | None
    without_undue_delay: bool

    @property
    def status(self) -> str:
        if not self.required:
            return NOT_REQUIRED
        return REQUIRED if self.certain else POSSIBLY_REQUIRED

    @property
    def deadline(self) -> str | None:
        """The deadline as data: the instant, ``"without_undue_delay"`` or None."""
        if self.due is not None:
            return self.due.isoformat()
        return "without_undue_delay" if self.without_undue_delay else None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "required": self.required, "certain": self.certain,
                "due": self.due.isoformat() if self.due is not None else None,
                "without_undue_delay": self.without_undue_delay}


@attrs.frozen
class Side:
    """One side of a change: the decision a ruleset came to, and the rules
    of its trace responsible for what changed."""

    ruleset: str
    ruleset_version: str
    digest: str | None
    risk: str
    obligations: tuple[ObligationStatus, ...]
    rules: tuple[Rule, ...]

    def obligation(self, id: str) -> ObligationStatus | None:
        return next((ob for ob in self.obligations if ob.id == id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"ruleset": {"name": self.ruleset, "version": self.ruleset_version, "digest": self.digest},
                "risk": self.risk, "obligations": [ob.to_dict() for ob in self.obligations],
                "rules": [rule.to_dict() for rule in self.rules]}


@attrs.frozen
class Change:
    """One part of a decision that a new ruleset decides otherwise.
    ``what`` is ``"risk"`` (``old`` and ``new`` are levels), ``"obligation"``
    (statuses: ``required``, ``possibly_required``, ``not_required``, or None
    where the ruleset has no such obligation) or ``"due"`` (deadlines: an
    instant, ``without_undue_delay`` or None); ``name`` is ``risk`` or the
    obligation's id."""

    what: str
    name: str
    old: str | None
    new: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "name": self.name, "old": self.old, "new": self.new}


@attrs.frozen
class Difference:
    """One part of a record that deciding its facts again does not give
    back: ``stored`` is what the record holds, ``replayed`` what the
    decision gives now, both as JSON values (None where one has nothing).

    ``what`` is ``level`` or ``certain_level`` (``name``: the outcome),
    ``provisional``, ``obligation`` (its status), ``due`` (its deadline),
    ``exempted_by``, ``rule`` (``name``: the label; ``applied``,
    ``may_apply`` or None), ``open_questions`` (the facts asked),
    ``fact`` (a validated fact), ``deadline`` and ``checklist`` (as
    the record writes them), or ``ruleset`` (the record's ``ruleset``
    is not its assessment's)."""

    what: str
    name: str
    stored: Any
    replayed: Any

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "name": self.name, "stored": self.stored, "replayed": self.replayed}


@attrs.frozen
class Replayed:
    """What became of one stored record.

    ``found``: a ruleset of the name the record gives was found.
    ``digest_matches``: it is the one the record was made with (None: the
    record, written before version 3, holds no digest, or none was found).
    ``reproduced``: deciding the facts again gave back what the record
    holds (None: not decided again, the ruleset being another or not found);
    ``differences`` says what did not, ``error`` what stopped it (an
    :class:`~breachrules.incident.IncidentError` or an evaluation error).
    With a new ruleset: ``changes``, ``old`` (the record's decision) and
    ``new`` (the new ruleset's), or ``new_error``."""

    record_id: str | None
    schema: str
    generated_at: datetime
    ruleset: str
    ruleset_version: str
    digest: str | None
    facts_given: bool  # the record holds the facts as given (version 4); else its validated facts were used
    found: bool
    digest_matches: bool | None
    reproduced: bool | None
    differences: tuple[Difference, ...] = ()
    error: BreachrulesError | None = attrs.field(default=None, eq=False)
    found_digest: str | None = None  # the digest of the ruleset of its name found (the one used, or the first)
    against: tuple[str, str, str] | None = None  # the new ruleset: name, version, digest
    changes: tuple[Change, ...] = ()
    old: Side | None = None
    new: Side | None = None
    new_error: BreachrulesError | None = attrs.field(default=None, eq=False)
    # the assessments, for the words of their rulesets (the record's read with its ruleset's catalogs)
    stored: Assessment | None = attrs.field(default=None, eq=False, repr=False)
    again: Assessment | None = attrs.field(default=None, eq=False, repr=False)  # its own ruleset's, decided again
    decided: Assessment | None = attrs.field(default=None, eq=False, repr=False)  # the new ruleset's
    library_version: str | None = None  # of the library that made the record (None before version 4)

    @property
    def other_library(self) -> bool:
        """Whether the record was made by another version of the library
        than this one: the decision may then differ for the library's sake."""
        from breachrules import __version__

        return self.library_version is not None and self.library_version != __version__

    @property
    def changed(self) -> bool | None:
        """Whether the new ruleset decides otherwise (None: no new ruleset)."""
        if self.against is None:
            return None
        return bool(self.changes) or self.new_error is not None

    @property
    def exit_code(self) -> ExitCode:
        """What this record makes ``breachrules replay`` exit with: 4 when no
        ruleset of its name was found; 3 when its facts do not fit a ruleset
        and 5 when a ruleset cannot evaluate them; 1 when it does not
        reproduce, was made with another version of its ruleset, or the new
        ruleset decides otherwise; else 0."""
        codes = [_code(self.error), _code(self.new_error)]
        if not self.found:
            codes.append(ExitCode.RULESET)
        if self.digest_matches is False or self.reproduced is False or self.changed:
            codes.append(ExitCode.FINDINGS)
        return worst(codes)

    @staticmethod
    def unread() -> dict[str, Any]:
        """The fields of :meth:`to_dict` for a file that is no readable record:
        each empty (``null``, or no entries), so that every entry has the same keys."""
        return {key: [] if isinstance(value, list) else None for key, value in _SAMPLE.to_dict().items()
                if key != "exit_code"}

    def to_dict(self) -> dict[str, Any]:
        """The data of :mod:`breachrules.cli_replay`'s JSON form, without its words."""
        return {
            "decision_id": self.record_id,
            "schema": self.schema,
            "generated_at": self.generated_at.isoformat(),
            "ruleset": {"name": self.ruleset, "version": self.ruleset_version, "digest": self.digest},
            "facts": "given" if self.facts_given else "validated",
            "library_version": self.library_version,
            "found": self.found,
            "digest_matches": self.digest_matches,
            "found_digest": self.found_digest,
            "reproduced": self.reproduced,
            "differences": [d.to_dict() for d in self.differences],
            "changed": self.changed,
            "changes": [c.to_dict() for c in self.changes],
            "old": self.old.to_dict() if self.old is not None else None,
            "new": self.new.to_dict() if self.new is not None else None,
            "exit_code": int(self.exit_code),
        }


_SAMPLE = Replayed(None, "", datetime(2000, 1, 1), "", "", None, False, False, None, None)  # (its shape only)


def _code(error: BreachrulesError | None) -> ExitCode:
    from breachrules.incident import IncidentError

    if error is None:
        return ExitCode.OK
    # facts that do not fit (or a moment out of range: an ArgumentError) are the record's; the rest the ruleset's
    return ExitCode.INPUT if isinstance(error, IncidentError | ArgumentError) else ExitCode.EVALUATION


# ------------------------------------------------------------------ replaying


def read(data: object) -> Report:
    """A stored record, read back; :class:`RecordError` for a document that
    is not one (another schema, a field missing or of the wrong type)."""
    import json

    from breachrules.report import READABLE

    if not isinstance(data, Mapping):
        raise RecordError("argument.not_a_record.not_object")
    if data.get("schema") not in READABLE:
        raise RecordError("argument.not_a_record.schema", schema=json.dumps(data.get("schema"))[:80])
    found = record_shape.problems(data)  # (a record is untrusted: nothing below reads a value of another kind)
    if found:
        raise RecordError.of_shape(found)
    try:
        return Report.from_dict(data)
    except KeyError as error:
        field = repr(error.args[0])[:80] if error.args else "?"
        raise RecordError("argument.not_a_record.missing", field=field) from None
    except (TypeError, ValueError, AttributeError, IndexError, OverflowError):
        raise RecordError("argument.not_a_record.malformed") from None


def replay(record: Mapping[str, Any], *, made_with: Iterable[Ruleset] = (), new: Ruleset | None = None) -> Replayed:
    """Decide a stored record (its JSON form) again; see the module's docstring.

    ``made_with`` are rulesets records may have been made with that are not
    bundled (an organisation's own): the record's ruleset is looked for, by
    name and digest, among them, then among the bundled rulesets.
    ``new`` is a ruleset to compare the record's decision with. Raises
    :class:`RecordError` for a document that is not a record."""
    stored_report = read(record)
    stored = stored_report.assessment
    digest = stored_report.ruleset_digest
    facts: Mapping[str, Any] = (stored_report.facts_given if stored_report.facts_given is not None
                                else stored.facts)
    candidates = _candidates(stored.ruleset, made_with, new)
    # every record since version 3 names its ruleset's digest: one that names none was altered,
    # and is decided again with no ruleset (one of an older version, with the one of its name)
    digested = digest is not None or record.get("schema") in _DIGESTED
    original = next((r for r in candidates if r.digest == digest), None) if digested else next(iter(candidates), None)
    found = bool(candidates)
    replayed = Replayed(
        record_id=stored_report.decision_id, schema=str(record.get("schema")), generated_at=stored_report.now,
        ruleset=stored.ruleset, ruleset_version=stored.ruleset_version, digest=digest,
        facts_given=stored_report.facts_given is not None, found=found,
        digest_matches=(original is not None) if digested and found else None, reproduced=None, stored=stored,
        found_digest=(original or candidates[0]).digest if found else None,
        library_version=stored_report.library_version,
    )
    again_report: Report | None = None
    if original is not None:
        stored = stored.using_catalogs(tuple((str(d), domain) for d, domain in original.catalogs))
        replayed = attrs.evolve(replayed, stored=stored)
        try:
            again = again_report = original.report(facts, now=stored_report.now)
        except BreachrulesError as error:
            replayed = attrs.evolve(replayed, reproduced=False, error=error)
        else:
            differences = (*_ruleset_difference(record, stored_report), *differences_between(stored_report, again))
            replayed = attrs.evolve(replayed, reproduced=not differences, differences=differences,
                                    again=again.assessment)
    if new is not None:
        # (the record's own ruleset given as the new one: what it decided again is what the new one decides)
        same = again_report if new is original and again_report is not None else None
        replayed = _against(replayed, stored, facts, stored_report.now, new, same)
    return replayed


def replay_all(records: Iterable[Mapping[str, Any]], *, made_with: Sequence[Ruleset] = (),
               new: Ruleset | None = None) -> tuple[Replayed, ...]:
    """:func:`replay` of each record, in order."""
    return tuple(replay(record, made_with=made_with, new=new) for record in records)


def _candidates(name: str, made_with: Iterable[Ruleset], new: Ruleset | None) -> list[Ruleset]:
    """The rulesets of that name: those given, the bundled one, the new one."""
    import breachrules

    found = [r for r in made_with if r.name == name]
    if name in breachrules.bundled_names():
        found.append(breachrules.bundled(name))
    if new is not None and new.name == name:
        found.append(new)
    return found


def _against(replayed: Replayed, stored: Assessment, facts: Mapping[str, Any], now: datetime,
             new: Ruleset, decided_report: Report | None = None) -> Replayed:
    """The record's decision compared with what ``new`` decides on its facts
    (``decided_report``, when it has decided them already)."""
    against = (new.name, new.version, new.digest)
    old_obligations = _statuses(stored)
    try:
        decided = (decided_report or new.report(facts, now=now)).assessment
    except BreachrulesError as error:
        old = Side(stored.ruleset, stored.ruleset_version, replayed.digest, stored.risk, old_obligations, ())
        return attrs.evolve(replayed, against=against, old=old, new_error=error)
    new_obligations = _statuses(decided)
    changes = changes_between(stored.risk, old_obligations, decided.risk, new_obligations)
    changed_outcomes = {o for o in (*stored.levels, *decided.levels)
                        if stored.levels.get(o) != decided.levels.get(o)}
    changed_obligations = {c.name for c in changes if c.what != "risk"}
    old_rules = responsible(stored.trace, decided.trace, changed_outcomes, changed_obligations) if changes else ()
    new_rules = responsible(decided.trace, stored.trace, changed_outcomes, changed_obligations) if changes else ()
    return attrs.evolve(
        replayed, against=against, changes=changes, decided=decided,
        old=Side(stored.ruleset, stored.ruleset_version, replayed.digest, stored.risk, old_obligations, old_rules),
        new=Side(new.name, new.version, new.digest, decided.risk, new_obligations, new_rules),
    )


def _statuses(assessment: Assessment) -> tuple[ObligationStatus, ...]:
    return tuple(ObligationStatus(ob.id, ob.required, ob.certain, ob.due, ob.without_undue_delay)
                 for ob in assessment.obligations)


def changes_between(old_risk: str, old: Sequence[ObligationStatus], new_risk: str,
                    new: Sequence[ObligationStatus]) -> tuple[Change, ...]:
    """What differs between two decisions: the risk level, then each
    obligation (the old ruleset's first, in order, then the new one's own)."""
    changes = [Change("risk", "risk", old_risk, new_risk)] if old_risk != new_risk else []
    before, after = {ob.id: ob for ob in old}, {ob.id: ob for ob in new}
    for id in (*before, *(id for id in after if id not in before)):
        a, b = before.get(id), after.get(id)
        # an obligation one ruleset does not have is, for this incident, one it does not require
        old_status, new_status = (a.status if a else NOT_REQUIRED), (b.status if b else NOT_REQUIRED)
        if old_status != new_status:
            changes.append(Change("obligation", id, a.status if a else None, b.status if b else None))
        elif a is not None and b is not None and a.required and a.deadline != b.deadline:
            changes.append(Change("due", id, a.deadline, b.deadline))
    return tuple(changes)


def _trace_key(entry: TraceEntry) -> tuple[Any, ...]:
    return (entry.kind, entry.label, entry.certain, entry.overrides, entry.effects)


def responsible(side: Sequence[TraceEntry], other: Sequence[TraceEntry], outcomes: set[str],
                obligations: set[str]) -> tuple[Rule, ...]:
    """The rules of one side's trace responsible for a change: those that
    apply on this side and not (or not so) on the other, and those that
    conclude an outcome whose level changed or lift an obligation whose
    status changed. In the order of the trace."""
    others = {_trace_key(e) for e in other}
    return tuple(
        Rule.of(e) for e in side
        if _trace_key(e) not in others
        or any(outcome in outcomes for outcome, _ in e.effects)
        or (e.kind == "exemption" and (e.overrides in obligations or e.instead in obligations))
    )


# ------------------------------------------------------------------ differences


def _ruleset_difference(record: Mapping[str, Any], report: Report) -> tuple[Difference, ...]:
    """A record (version 4) whose ``ruleset`` is not its assessment's contradicts itself."""
    named = record.get("ruleset")
    if named is None:
        return ()
    own = {"name": report.assessment.ruleset, "version": report.assessment.ruleset_version,
           "digest": report.ruleset_digest}
    return () if named == own else (Difference("ruleset", "", named, own),)


def differences_between(stored: Report, again: Report) -> tuple[Difference, ...]:
    """Every part of ``stored`` that ``again`` (its facts decided again, at
    its moment) does not give back."""
    a, b = stored.assessment, again.assessment
    out: list[Difference] = []
    for what, first, second in (("level", a.levels, b.levels), ("certain_level", a.certain_levels, b.certain_levels)):
        out += [Difference(what, name, first.get(name), second.get(name))
                for name in _union(first, second) if first.get(name) != second.get(name)]
    if a.provisional != b.provisional:
        out.append(Difference("provisional", "", a.provisional, b.provisional))
    before, after = {ob.id: ob for ob in _statuses(a)}, {ob.id: ob for ob in _statuses(b)}
    exempted = {ob.id: ob.exempted_by for ob in a.obligations}, {ob.id: ob.exempted_by for ob in b.obligations}
    for id in _union(before, after):
        x, y = before.get(id), after.get(id)
        if (x.status if x else None) != (y.status if y else None):
            out.append(Difference("obligation", id, x.status if x else None, y.status if y else None))
        elif x is not None and y is not None and x.deadline != y.deadline:
            out.append(Difference("due", id, x.deadline, y.deadline))
        if exempted[0].get(id) != exempted[1].get(id):
            out.append(Difference("exempted_by", id, exempted[0].get(id), exempted[1].get(id)))
    rules = _applied(a.trace), _applied(b.trace)
    out += [Difference("rule", label, rules[0].get(label), rules[1].get(label))
            for label in _union(*rules) if rules[0].get(label) != rules[1].get(label)]
    asked = sorted(q.fact for q in a.open_questions), sorted(q.fact for q in b.open_questions)
    if asked[0] != asked[1]:
        out.append(Difference("open_questions", "", asked[0], asked[1]))
    out += [Difference("fact", name, a.facts.get(name), b.facts.get(name))
            for name in _union(a.facts, b.facts) if a.facts.get(name) != b.facts.get(name)]
    deadlines = ({d.obligation: d.to_dict() for d in stored.deadlines},
                 {d.obligation: d.to_dict() for d in again.deadlines})
    out += [Difference("deadline", name, deadlines[0].get(name), deadlines[1].get(name))
            for name in _union(*deadlines) if deadlines[0].get(name) != deadlines[1].get(name)]
    checklists = ({c.name: _checklist(c) for c in stored.checklists}, {c.name: _checklist(c) for c in again.checklists})
    out += [Difference("checklist", name, checklists[0].get(name), checklists[1].get(name))
            for name in _union(*checklists) if checklists[0].get(name) != checklists[1].get(name)]
    return tuple(out)


def _applied(trace: Sequence[TraceEntry]) -> dict[str, str]:
    """Each label of a trace: ``applied`` or ``may_apply``."""
    return {e.label: "applied" if e.certain else "may_apply" for e in trace}


def _checklist(checklist: Any) -> dict[str, Any]:
    """What a checklist decides (not its citations, whose form changed in version 2)."""
    return {"obligation": checklist.obligation, "required": checklist.required, "phased": checklist.phased,
            "missing": {item.name: list(item.missing) for item in checklist.items}}


def _union(*mappings: Mapping[str, Any]) -> list[str]:
    """The keys of all, each once, in the order first met."""
    return list(dict.fromkeys(key for mapping in mappings for key in mapping))


__all__ = ["NOT_REQUIRED", "POSSIBLY_REQUIRED", "REQUIRED", "SCHEMA", "Change", "Difference", "ObligationStatus",
           "RecordError", "Replayed", "Rule", "Side", "changes_between", "differences_between", "read", "replay",
           "replay_all", "responsible"]
