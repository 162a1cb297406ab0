"""Where two versions of a ruleset decide differently, and why.

Both programs are encoded over one set of fact variables, so "the versions
decide differently" is a formula. A difference in what an assessment
decides always starts at one part of the ruleset that, given the same
facts and the same levels to read, decides differently: a rule or an
exception that applies on one side only (or concludes differently), an
obligation's own condition, an exemption, a ``combine`` table. Each such
*cause* gives the regions a reader sees: where that part decides
differently and some outcome or obligation changes, described by a few
conditions on facts and definitions (a conjunction the solver finds and
makes minimal), with every change that happens there, each shown by a
small incident the interpreter confirms.

A number or a duration is described by the comparisons the rulesets make
with it, through definitions, negations, sums, ``min`` and ``max``: a
range between the thresholds it is compared with (``n > 0.000000000001``,
each threshold as the ruleset wrote it, and read as the ruleset reads it),
or a relation with another fact it is compared with (``a <= b``), never a
list of the values the solver happens to give. The solver's numbers are
exact fractions, an incident's are floats: each witness is one an incident
can give, inside its region exactly.

Exact both ways: every incident where the versions differ is proved to lie
in a listed region (what no cause explains becomes regions of its own), and
every change listed has its witness. A region says where a change *can*
happen and what it is; an incident in it where other facts already decide
the outcome may not change at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import z3

from breachrules import ir
from breachrules.durations import format_iso_duration
from breachrules.i18n import Term
from breachrules.program import Program
from breachrules.verify import witness
from breachrules.verify.encoding import Encoding, Space, Unsupported, micros, read_text, text
from breachrules.verify.witness import evaluate

MAX_CUBES = 12  # conjunctions per cause; a cause needing more is cut short (and says so)
TIMEOUT_MS = 30_000
_TRUE, _FALSE = z3.BoolVal(True), z3.BoolVal(False)


@attrs.frozen
class Condition:
    """One part of a region, written as the ruleset language would."""

    fact: str  # the fact or definition it constrains
    text: str  # e.g. "subjects >= 501", "exposed_to in {outsider, public}", "n > 0.5", "a <= b + 2"

    def to_dict(self) -> dict[str, str]:
        return {"fact": self.fact, "condition": self.text}


@attrs.frozen
class Change:
    """An output that changes somewhere in a region, and an incident where it does."""

    output: str  # outcome:NAME or obligation:NAME
    old: Any  # a level's index, or whether the obligation is required
    new: Any
    incident: Mapping[str, Any]

    @property
    def weaker(self) -> bool:
        """Whether the new version asks less here: a duty dropped or a level lowered."""
        if self.output.startswith("obligation:"):
            return self.old is True and self.new is False
        return bool(self.new < self.old)


@attrs.frozen
class Region:
    cause: str  # the rule, exception, obligation, exemption or outcome table that decides differently
    kind: str  # rule | exception | obligation | exemption | table | other
    conditions: tuple[Condition, ...]  # all of them hold in the region
    changes: tuple[Change, ...]
    old_rules: tuple[str, ...]  # on the first witness: what fired only in the old version, or differently
    new_rules: tuple[str, ...]

    @property
    def incident(self) -> Mapping[str, Any]:
        return self.changes[0].incident

    def to_dict(self, old: Program, new: Program) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "kind": self.kind,
            "conditions": [c.to_dict() for c in self.conditions],
            "changes": [{"output": c.output, "old": _shown(old, c.output, c.old),
                         "new": _shown(new, c.output, c.new), "weaker": c.weaker, "incident": dict(c.incident)}
                        for c in self.changes],
            "incident": dict(self.incident),
            "old_rules": list(self.old_rules),
            "new_rules": list(self.new_rules),
        }


@attrs.frozen
class Diff:
    old: Program
    new: Program
    regions: tuple[Region, ...]
    complete: bool = True  # False: some cause needed more than MAX_CUBES regions, or the solver gave up

    @property
    def weaker(self) -> bool:
        return any(c.weaker for r in self.regions for c in r.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old.name, "new": self.new.name, "complete": self.complete,
                "weaker": self.weaker, "regions": [r.to_dict(self.old, self.new) for r in self.regions]}


def _shown(program: Program, output: str, value: Any) -> Any:
    if output.startswith("outcome:"):
        return program.outcome(output.split(":", 1)[1]).levels[value]
    return value


def diff(old: Program, new: Program) -> Diff:
    """Every region where ``new`` decides differently from ``old``."""
    for outcome in old.outcomes:
        if any(o.name == outcome.name and o.levels != outcome.levels for o in new.outcomes):
            raise Unsupported(outcome.span, Term.of("verify.unsupported.levels", name=outcome.name))
    space = Space()
    space.share(old, new)
    return _Regions(old, new, space).all()


@attrs.frozen
class _Cause:
    label: str
    kind: str
    where: z3.BoolRef  # the part decides differently, reading the same facts and levels


@attrs.frozen
class _Always:
    """The causes active anywhere in a cause's own region: itself."""

    cause: _Cause

    def __call__(self, model: z3.ModelRef) -> list[_Cause]:
        return [self.cause]


@attrs.frozen
class _Literal:
    fact: str
    term: z3.BoolRef
    text: str
    members: tuple[str, ...] = ()  # an enum literal: the members it allows (widened later)
    # a bound: (what is bounded, the comparison, the bound, the bound as written): "n >= 2" and
    # "n <= 2" become "n == 2"
    bound: tuple[Any, str, Any, str] | None = None
    relation: bool = False  # it compares two facts


class _Regions:
    def __init__(self, old: Program, new: Program, space: Space) -> None:
        self.old, self.new, self.space = old, new, space
        self.before, self.after = Encoding(old, space), Encoding(new, space)
        # valid incidents both versions evaluate: one that stops with an error is BR809's
        self.valid = [self.before.valid(), self.after.valid(), self.before.evaluates(),
                      self.after.evaluates()]
        self.solver = z3.Solver()
        self.solver.set("timeout", TIMEOUT_MS)
        self.solver.add(*self.valid)
        mine, theirs = self.before.outputs(), self.after.outputs()
        # an obligation only one version has is never required in the other
        self.outputs = {key: (mine.get(key, _FALSE), theirs.get(key, _FALSE))
                        for key in [*mine, *(key for key in theirs if key not in mine)]
                        if key.startswith("obligation:") or (key in mine and key in theirs)}
        self.differ = z3.Or([a != b for a, b in self.outputs.values()] or [_FALSE])
        self.facts = {**new.facts, **old.facts}
        self.read = sorted(witness.read_facts(old) | witness.read_facts(new))
        self.splits = _splits(self.before, self.after)
        self.complete = True
        self.alone: dict[str, set[tuple[str, Any, Any]]] = {}  # what each cause changes by itself
        self.listed: list[z3.BoolRef] = []  # the conditions of the regions listed so far

    # -------------------------------------------------------------- asking

    def sat(self, *goals: z3.BoolRef) -> z3.ModelRef | None:
        self.solver.push()
        self.solver.add(*goals)
        answer = self.solver.check()
        model = self.solver.model() if answer == z3.sat else None
        self.solver.pop()
        if answer == z3.unknown:
            self.complete = False
        return model

    def floats(self, model: z3.ModelRef, *goals: z3.BoolRef) -> z3.ModelRef:
        """A model of ``goals`` like ``model`` whose numbers are all ones an
        incident can give: the solver's numbers are exact fractions, an
        incident's floats, and a witness and the conditions it is shown
        with must be the same numbers. Each fraction that is no float is
        moved to the whole number nearest it, or else to a float next to
        it, where the goals still hold (one always does where they hold
        over a range between thresholds the rulesets wrote, which are
        floats)."""
        fixed: list[z3.BoolRef] = []
        for name in self.read:
            fact = self.facts[name]
            if fact.type.kind != "number" or fact.type.integral:
                continue
            variable = self.space.fact(fact)
            number = Fraction(_python(model.eval(variable, model_completion=True)))
            if not _is_float(number):
                for near in _floats_near(number):
                    found = self.sat(*goals, *fixed, variable == _term(near))
                    if found is not None:
                        model, number = found, near
                        break
            fixed.append(variable == _term(number))
        return model

    def implies(self, literals: list[_Literal], goal: z3.BoolRef) -> bool:
        self.solver.push()
        self.solver.add(*(lit.term for lit in literals), z3.Not(goal))
        answer = self.solver.check()
        self.solver.pop()
        return bool(answer == z3.unsat)

    # -------------------------------------------------------------- the regions

    def all(self) -> Diff:
        live = [c for c in self._causes() if self.sat(c.where, self.differ) is not None]
        regions: list[Region] = []
        alone = []
        for cause in live:
            others = z3.Or([c.where for c in live if c is not cause] or [_FALSE])
            alone.append(z3.And(cause.where, z3.Not(others)))
            regions.extend(self._cover(alone[-1], _Always(cause)))
        # where two causes meet, a change neither makes alone (levels that
        # combine in a table); and a difference no part explains (a fact
        # whose validation changed, say)
        rest = z3.And(self.differ, z3.Not(z3.Or(alone or [_FALSE])))
        regions.extend(self._cover(rest, lambda model: [c for c in live if z3.is_true(
            model.eval(c.where, model_completion=True))]))
        return Diff(self.old, self.new, tuple(regions), self.complete)

    def _cover(self, area: z3.BoolRef, active: Callable[[z3.ModelRef], list[_Cause]]) -> Iterator[Region]:
        """Regions that together cover every incident of ``area`` where an
        output changes, each a conjunction of conditions under which the
        causes ``active`` names for it decide differently."""
        covered: list[z3.BoolRef] = []
        for _ in range(MAX_CUBES):
            model = self.sat(area, self.differ, *(z3.Not(c) for c in covered))
            if model is None:
                return
            model = self.floats(model, area, self.differ, *(z3.Not(c) for c in covered))
            causes = active(model)
            inside = z3.And([c.where for c in causes]) if causes else area
            literals = self._generalise(model, inside)
            cube = z3.And([lit.term for lit in literals] or [_TRUE])
            covered.append(cube)
            labels = [c.label for c in causes if c.kind in ("rule", "exception")]
            # where causes meet, only what none of them changes alone
            known = {pair for c in causes if len(causes) > 1 for pair in self.alone.get(c.label, ())}
            changes = [c for c in self._changes(z3.And(cube, area), labels, known)]
            if not changes and known and self.sat(cube, area, self.differ, *(z3.Not(c) for c in self.listed)):
                # what happens here happens alone too, but these incidents lie in no region listed: list it
                changes = [c for c in self._changes(z3.And(cube, area), labels, set())]
            if len(causes) == 1:
                self.alone.setdefault(causes[0].label, set()).update((c.output, c.old, c.new) for c in changes)
            if changes:
                self.listed.append(cube)
                old_rules, new_rules = self._responsible(changes[0].incident)
                kind = causes[0].kind if len(causes) == 1 else "combined" if causes else "other"
                yield Region(" + ".join(c.label for c in causes), kind,
                             tuple(Condition(lit.fact, lit.text) for lit in literals),
                             tuple(changes), old_rules, new_rules)
        if self.sat(area, self.differ, *(z3.Not(c) for c in covered)) is not None:
            self.complete = False

    def _changes(self, region: z3.BoolRef, labels: list[str], known: set[tuple[str, Any, Any]]) -> Iterator[Change]:
        """Every (output, old value, new value) that occurs in ``region``
        but is not ``known``, each with a small incident on which the rules
        ``labels`` name fire differently."""
        for key, (a, b) in self.outputs.items():
            seen: list[z3.BoolRef] = []
            while (model := self.sat(region, a != b, *seen)) is not None:
                old_value, new_value = model.eval(a, model_completion=True), model.eval(b, model_completion=True)
                pair = z3.And(a == old_value, b == new_value)
                seen.append(z3.Not(pair))
                model = self.floats(model, region, pair)
                old_v, new_v = _python(old_value), _python(new_value)
                if (key, old_v, new_v) not in known:
                    yield Change(key, old_v, new_v, self._example(model, key, old_v, new_v, labels))

    def _example(self, model: z3.ModelRef, key: str, old_v: Any, new_v: Any, labels: list[str]) -> dict[str, Any]:
        """The model as incident data, without the facts the change does not
        need (the interpreter decides, with those facts unknown)."""
        found = {**witness.incident(model, self.space, self.new), **witness.incident(model, self.space, self.old)}

        def holds(data: dict[str, Any]) -> bool:
            if _certain(self.old, data, key) != old_v or _certain(self.new, data, key) != new_v:
                return False
            old_rules, new_rules = self._responsible(data)
            return set(labels) <= {*old_rules, *new_rules}
        # a fact with a default stays: left out, each version would read its own default,
        # another incident, perhaps outside the region
        return witness.shrink(self.old, found, holds, self.facts, defaults=False) if holds(found) else found

    def _responsible(self, data: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What fired on one side only (or with a changed text) on an incident."""
        before, after = evaluate(self.old, _own(self.old, data)), evaluate(self.new, _own(self.new, data))
        fired_old = {f.label for f in before.fired if f.certain} if before is not None else set()
        fired_new = {f.label for f in after.fired if f.certain} if after is not None else set()
        changed = {label for label in fired_old & fired_new if _shape_of(self.old, label) != _shape_of(self.new, label)}
        return tuple(sorted((fired_old - fired_new) | changed)), tuple(sorted((fired_new - fired_old) | changed))

    # -------------------------------------------------------------- causes

    def _causes(self) -> Iterator[_Cause]:
        """The parts of the two versions that can decide differently on the same input."""
        old, new, before, after = self.old, self.new, self.before, self.after
        for label in [*old.rules, *(label for label in new.rules if label not in old.rules)]:
            o, n = old.rules.get(label), new.rules.get(label)
            rule = o or n
            assert rule is not None
            reads = [node for r in (o, n) if r is not None for node in (r.condition, *(c for _, c in r.conclusions))]
            context = [self._same_input(reads)]
            for r in (o, n):
                if r is not None and r.base is not None:  # the base applies alike on both sides
                    context.append(before.paths.get(r.base, _FALSE) == after.paths.get(r.base, _FALSE))
            p_old, p_new = before.paths.get(label, _FALSE), after.paths.get(label, _FALSE)
            concluded = _FALSE
            if o is not None and n is not None:
                concluded = z3.And(p_old, p_new, z3.Or(
                    [_concludes(before, o, name) != _concludes(after, n, name)
                     for name in sorted({name for name, _ in (*o.conclusions, *n.conclusions)})] or [_FALSE]))
            yield _Cause(label, rule.kind, z3.And(*context, z3.Or(p_old != p_new, concluded)))
        for name in [*before.own, *(name for name in after.own if name not in before.own)]:
            nodes = [ob.condition for ob in (*old.obligations, *new.obligations) if ob.name == name]
            own = before.own.get(name, _FALSE) != after.own.get(name, _FALSE)
            yield _Cause(name, "obligation", z3.And(self._same_input(nodes), own))
        for label in [*old.exemptions, *(label for label in new.exemptions if label not in old.exemptions)]:
            e = old.exemptions.get(label) or new.exemptions[label]
            required = (before.before_exemptions.get(e.obligation, _FALSE)
                        == after.before_exemptions.get(e.obligation, _FALSE))
            nodes = [x.condition for x in (old.exemptions.get(label), new.exemptions.get(label)) if x is not None]
            lifted = before.exempting.get(label, _FALSE) != after.exempting.get(label, _FALSE)
            yield _Cause(label, "exemption", z3.And(required, self._same_input(nodes), lifted))
        for outcome in old.outcomes:
            other = next((o for o in new.outcomes if o.name == outcome.name), None)
            if other is None or (outcome.table is None and other.table is None):
                continue
            scales = {t.rows for t in (outcome.table, other.table) if t} | {t.columns for t in (outcome.table,
                                                                                             other.table) if t}
            same = [before.outcomes[s] == after.outcomes[s] for s in sorted(scales)]
            yield _Cause(outcome.name, "table", z3.And(*same, before.table_level(outcome.name)
                                                        != after.table_level(outcome.name)))

    def _same_input(self, nodes: list[ir.Node | None]) -> z3.BoolRef:
        """The levels the expressions read (directly or through definitions) are alike on both sides."""
        outcomes = _outcomes_read(self.old, nodes) | _outcomes_read(self.new, nodes)
        return z3.And([self.before.outcomes[name] == self.after.outcomes[name] for name in sorted(outcomes)
                       if name in self.before.outcomes and name in self.after.outcomes] or [_TRUE])

    # -------------------------------------------------------------- conditions

    def _generalise(self, model: z3.ModelRef, goal: z3.BoolRef) -> list[_Literal]:
        """A few conditions, true of ``model``, under which ``goal`` holds for
        every valid incident: the model's values, numbers as ranges between
        the thresholds the rulesets compare them with and as relations with
        the facts they compare them with, made minimal (each condition
        needed) and enum members widened to every member that still implies
        it. Definitions the two versions agree on count as conditions and
        are kept in preference to the facts they read. Only where ranges
        and relations do not describe it (a sum of three facts, an instant)
        is a value the model's own."""
        for exact in (False, True):
            literals = [*self._definitions(model), *(lit for name in self.read
                                                    for lit in self._literals(name, model, exact))]
            if not exact:
                literals.extend(self._relations(model))
            if self.implies(literals, goal):
                break
        else:  # pragma: no cover - a model's own values always imply what they decide
            raise AssertionError("an incident's own values imply its decision")
        # what two facts compared with each other say goes first, then what the facts
        # do alone: thresholds are kept in preference to relations, definitions to both
        for literal in sorted(literals, key=lambda lit: 0 if lit.relation else 1 if lit.fact in self.facts else 2):
            trial = [lit for lit in literals if lit is not literal]
            if self.implies(trial, goal):
                literals = trial
        return [self._widen(lit, literals, goal) for lit in _points(literals)]

    def _widen(self, literal: _Literal, literals: list[_Literal], goal: z3.BoolRef) -> _Literal:
        if not literal.members:
            return literal
        variable = self.space.variables[literal.fact]
        members = list(literal.members)
        for member in self.facts[literal.fact].type.members:
            if member in members:
                continue
            alone = [lit if lit is not literal else _Literal(lit.fact, variable == self.space.member(member), "")
                     for lit in literals]
            if self.sat(*(lit.term for lit in alone)) is not None and self.implies(alone, goal):
                members.append(member)  # a member that adds incidents, all inside
        term = z3.Or([variable == self.space.member(m) for m in members])
        text = f"{literal.fact} == {members[0]}" if len(members) == 1 else \
            f"{literal.fact} in {{{', '.join(m for m in self.facts[literal.fact].type.members if m in members)}}}"
        return _Literal(literal.fact, term, text, tuple(members))

    def _relations(self, model: z3.ModelRef) -> list[_Literal]:
        """What the model says of two facts the rulesets compare with each
        other: ``x - sign * y`` between the nearest of the constants they
        compare it with, as ``x >= y + 2``, ``x < -y``."""
        found: list[_Literal] = []
        for relation, cuts in sorted(self.splits.relations.items(),
                                     key=lambda item: (item[0].x, item[0].y, item[0].sign)):
            x, y = (self.space.fact(self.facts[name]) for name in (relation.x, relation.y))
            difference = Fraction(_python(model.eval(x - relation.sign * y, model_completion=True)))
            kind = self.facts[relation.x].type.kind
            show = _duration if kind == "duration" else _number
            whole = _whole(self.facts[relation.x].type) and _whole(self.facts[relation.y].type)
            other = f"{'-' if relation.sign < 0 else ''}{relation.y}"

            def beside(at: Fraction, other: str = other, show: Callable[[Any], str] = show) -> str:
                return other if at == 0 else f"{other} + {show(at)}" if at > 0 else f"{other} - {show(-at)}"
            bounds = _bounds(relation.x, x - relation.sign * y, cuts, difference, whole, show, beside)
            found.extend(attrs.evolve(literal, relation=True) for literal in bounds)
        return found

    def _definitions(self, model: z3.ModelRef) -> list[_Literal]:
        """The Boolean definitions both versions define alike, as the model has them."""
        found = []
        for define in self.old.defines:
            mine, theirs = self.before.defines.get(define.name), self.after.defines.get(define.name)
            if define.type.kind != "bool" or theirs is None or self.sat(mine != theirs) is not None:
                continue
            value = z3.is_true(model.eval(mine, model_completion=True))
            found.append(_Literal(define.name, mine if value else z3.Not(mine),
                                  define.name if value else f"not {define.name}"))
        return found

    def _literals(self, name: str, model: z3.ModelRef, exact: bool) -> list[_Literal]:
        """What ``model`` says of one fact, as conditions."""
        fact = self.facts[name]
        variable = self.space.fact(fact)
        kind = fact.type.kind

        def value() -> Any:
            return model.eval(variable, model_completion=True)
        if kind == "bool":
            on = z3.is_true(value())
            return [_Literal(name, variable if on else z3.Not(variable), name if on else f"not {name}")]
        if kind == "enum":
            member = self.space.member_name(value().as_long())
            return [_Literal(name, variable == self.space.member(member), "", (member,))]
        if kind == "level":
            level = value().as_long()
            return [_Literal(name, variable == level, f"{name} == {fact.type.members[level]}")]
        if kind == "set":
            found = []
            for m, flag in variable.members.items():
                inside = z3.is_true(model.eval(flag, model_completion=True))
                found.append(_Literal(name, flag if inside else z3.Not(flag),
                                      f"{m} {'in' if inside else 'not in'} {name}"))
            return found
        if kind in ("number", "duration"):
            number = Fraction(_python(value()))
            show = _duration if kind == "duration" else _number
            if exact:
                return [_Literal(name, variable == _term(number), f"{name} == {show(number)}")]
            return _bounds(name, variable, self.splits.cuts.get(name, ()), number, _whole(fact.type), show)
        if kind == "datetime":  # instants only as exact values: what rulesets compare them with is other instants
            if not exact:
                return []
            utc, offset = (model.eval(variable.utc, model_completion=True).as_long(),
                           model.eval(variable.offset, model_completion=True).as_long())
            shown = witness.instant(utc, offset)
            return [_Literal(name, z3.And(variable.utc == utc, variable.offset == offset), f"{name} == {shown}")]
        written = read_text(value())
        return [_Literal(name, variable == text(written, fact.span), f"{name} == {written!r}")]


def _bounds(name: str, variable: Any, cuts: Iterable[_Cut], value: Fraction, whole: bool,
            show: Callable[[Any], str], beside: Callable[[Fraction], str] | None = None) -> list[_Literal]:
    """The cell of ``value`` among the cuts, as conditions on ``variable``
    (``beside`` writes a bound, as what is compared with ``name``)."""
    low, high = _between(cuts, value)
    written = beside or show
    bounds = []
    if low is not None:
        if whole and low.strict:  # x > 1000: x >= 1001
            low = _Bound(low.at + 1, False)
        op = ">" if low.strict else ">="
        bounds.append(_Literal(name, ir.COMPARISONS[op](variable, _term(low.at)), f"{name} {op} {written(low.at)}",
                               bound=(variable, op, _term(low.at), written(low.at))))
    if high is not None:
        op = "<" if high.strict else "<="
        bounds.append(_Literal(name, ir.COMPARISONS[op](variable, _term(high.at)), f"{name} {op} {written(high.at)}",
                               bound=(variable, op, _term(high.at), written(high.at))))
    return bounds


def _points(literals: list[_Literal]) -> list[_Literal]:
    """The conditions with a lower and an upper bound that meet (``n >= 2``
    and ``n <= 2``) as one (``n == 2``)."""
    found: list[_Literal] = []
    for literal in literals:
        if literal.bound is not None and literal.bound[1] == "<=":
            lhs, _, rhs, written = literal.bound
            low = next((i for i, lit in enumerate(found) if lit.fact == literal.fact and lit.bound is not None
                        and lit.bound[1] == ">=" and lit.bound[3] == written and lit.relation == literal.relation),
                       None)
            if low is not None:
                found[low] = attrs.evolve(literal, term=lhs == rhs, text=f"{literal.fact} == {written}",
                                          bound=(lhs, "==", rhs, written))
                continue
        found.append(literal)
    return found


def _own(program: Program, data: Mapping[str, Any]) -> dict[str, Any]:
    """Incident data of two versions as one version takes it: its own facts."""
    return {name: value for name, value in data.items() if name in program.facts}


def _certain(program: Program, data: Mapping[str, Any], key: str) -> Any:
    """An output's value for incident data when it is certain, else None."""
    result = evaluate(program, _own(program, data))
    if result is None:
        return None
    kind, name = key.split(":", 1)
    if kind == "outcome":
        level = result.levels[name]
        return level.hi if level.lo == level.hi else None
    status = result.obligations.get(name)
    return False if status is None else status.required  # a version without it never requires it


def _concludes(encoding: Encoding, rule: Any, outcome: str) -> z3.ArithRef:
    best: z3.ArithRef = z3.IntVal(0)
    for name, node in rule.conclusions:
        if name == outcome:
            level = encoding.value(node)
            best = z3.If(level > best, level, best)
    return best


def _outcomes_read(program: Program, nodes: list[ir.Node | None]) -> set[str]:
    """The outcomes the expressions read, directly or through definitions."""
    _, outcomes = ir.references_through([node for node in nodes if node is not None],
                                        {d.name: d.expr for d in program.defines})
    return outcomes


def _python(value: z3.ExprRef) -> Any:
    if z3.is_bool(value):
        return z3.is_true(value)
    if z3.is_int_value(value):
        return value.as_long()
    return Fraction(value.as_fraction())


def _term(value: Any) -> Any:
    """A number as the solver takes it (fractions exactly)."""
    if isinstance(value, Fraction) and value.denominator != 1:
        return z3.RealVal(f"{value.numerator}/{value.denominator}")
    return int(value)


def _between(cuts: Iterable[_Cut], value: Fraction) -> tuple[_Bound | None, _Bound | None]:
    """The cell of ``value`` among the cuts: the nearest bound at or below
    it and the nearest at or above (each None where no cut is there)."""
    low: _Bound | None = None
    high: _Bound | None = None
    for cut in cuts:
        if value > cut.at or (value == cut.at and not cut.closed_below):  # on the upper side
            bound = _Bound(cut.at, cut.closed_below)  # x > at, or x >= at
            if low is None or (bound.at, bound.strict) > (low.at, low.strict):
                low = bound
        else:
            bound = _Bound(cut.at, not cut.closed_below)  # x <= at, or x < at
            if high is None or (bound.at, not bound.strict) < (high.at, not high.strict):
                high = bound
    return low, high


def _duration(value: Any) -> str:
    return format_iso_duration(timedelta(microseconds=int(value)))


def _number(value: Any) -> str:
    """A number as the ruleset language writes it: a whole number as one,
    any other by the shortest decimal that reads back as the same float
    (``0.000000000001``, never ``1e-12``)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return format(Decimal(repr(float(value))), "f")


def _is_float(value: Fraction) -> bool:
    """Whether a number is one an incident can give (a float, or a whole
    number, which an incident may give as an integer of any size)."""
    if value.denominator == 1:
        return True
    try:
        return Fraction(float(value)) == value
    except OverflowError:  # pragma: no cover - beyond every float, and every limit
        return False


def _floats_near(value: Fraction) -> list[Fraction]:
    """Floats near a number that is none: the nearest whole number (a
    plainer witness, where it will do), then the floats next to it, the
    nearest first."""
    nearest = float(value)
    other = math.nextafter(nearest, math.inf if Fraction(nearest) < value else -math.inf)
    return [Fraction(round(value)), Fraction(nearest), Fraction(other)]


@attrs.frozen
class _Cut:
    """Where a comparison splits a fact's values in two: ``x <= at`` below
    and ``x > at`` above when ``closed_below``, else ``x < at`` and ``x >= at``.
    For a whole value (a whole number, a duration's microseconds) always
    ``closed_below``, at a whole ``at``."""

    at: Fraction
    closed_below: bool


@attrs.frozen
class _Bound:
    at: Fraction
    strict: bool  # x > at (a lower bound) or x < at (an upper one)


# A sum of facts, each times a number, and a number: (((fact, factor), ...), constant).
_Form = tuple[tuple[tuple[str, Fraction], ...], Fraction]
MAX_FORMS = 64  # sums an expression stands for; past it, nothing is read from the comparison


@attrs.frozen
class _Relation:
    """Two facts a ruleset compares with each other, ``x`` with ``sign * y``
    (and a constant): ``x > y``, ``a + b >= 10`` (``a >= -b + 10``)."""

    x: str
    y: str
    sign: int  # 1 or -1


@attrs.frozen
class _Splits:
    """Where the comparisons the rulesets make split the values of their
    number and duration facts (microseconds for durations): each fact's
    own thresholds, and the differences ``x - sign * y`` of two facts
    compared with each other."""

    cuts: dict[str, set[_Cut]]
    relations: dict[_Relation, set[_Cut]]


def _splits(*encodings: Encoding) -> _Splits:
    """A comparison reaches the facts it reads through definitions,
    negations, sums, products with constants, ``min`` and ``max``: an
    expression stands for a few sums of facts (``min(a, b) + 1`` for
    ``a + 1`` and ``b + 1``), and which way it compares with another
    depends on nothing but which way each of its sums compares with each
    of the other's. A sum of one fact is a threshold on it (``- min(n, m)
    > 0.5``: ``n`` and ``m`` at -0.5, below or not); one of two is a
    relation between them (``n > m``). A score's bands are comparisons
    too, and a ``points`` or other expression of a few values known
    before any incident stands for each of them."""
    found = _Splits({}, {})
    for encoding in encodings:
        forms = _Forms(encoding)
        compared: list[tuple[list[_Form], str, list[_Form]]] = []
        stack = list(encoding.program.expressions())
        while stack:
            node = stack.pop()
            stack.extend(ir.children(node))
            if isinstance(node, ir.Compare):
                left, right = forms.of(node.left), forms.of(node.right)
                if left is not None and right is not None:
                    compared.append((left, node.op, right))
            if isinstance(node, ir.Bands):
                operand = forms.of(node.operand)
                if operand is not None:
                    compared.append((operand, "<", [((), Fraction(limit)) for limit in node.limits]))
        for left, op, right in compared:
            for one in left:
                for other in right:
                    _split_by(found, encoding.program, _minus(one, other), op)
    return found


def _split_by(found: _Splits, program: Program, form: _Form, op: str) -> None:
    """What ``form op 0`` splits."""
    terms, constant = form
    whole = all(_whole(program.facts[name].type) for name, _ in terms)
    if len(terms) == 1:
        (name, factor), = terms
        for cut in _split(op if factor > 0 else _FLIP[op], -constant / factor, whole):
            found.cuts.setdefault(name, set()).add(cut)
    elif len(terms) == 2 and abs(terms[0][1]) == abs(terms[1][1]):
        (x, a), (y, b) = terms  # a x + b y + c op 0: x op -b/a y - c/a
        relation = _Relation(x, y, -1 if a == b else 1)
        for cut in _split(op if a > 0 else _FLIP[op], -constant / a, whole):
            found.relations.setdefault(relation, set()).add(cut)


def _minus(one: _Form, other: _Form) -> _Form:
    return _plus(one, _times(other, Fraction(-1)))


def _plus(one: _Form, other: _Form) -> _Form:
    factors = dict(one[0])
    for name, factor in other[0]:
        factors[name] = factors.get(name, Fraction(0)) + factor
    return tuple(sorted((name, f) for name, f in factors.items() if f)), one[1] + other[1]


def _times(form: _Form, factor: Fraction) -> _Form:
    return tuple((name, f * factor) for name, f in form[0] if f * factor), form[1] * factor


class _Forms:
    """The sums of facts each number or duration expression of a program
    stands for (see :func:`_splits`), or None."""

    def __init__(self, encoding: Encoding) -> None:
        self.encoding = encoding
        self.defined: dict[str, list[_Form] | None] = {}
        for define in encoding.program.defines:  # in the order they read one another: no deep recursion
            self.defined[define.name] = self.of(define.expr)

    def of(self, node: ir.Node) -> list[_Form] | None:
        found = self._of(node)
        return None if found is None or len(found) > MAX_FORMS else found

    def _of(self, node: ir.Node) -> list[_Form] | None:
        kind = node.type.kind
        if kind not in ("number", "duration"):
            return None
        if isinstance(node, ir.Const):
            if isinstance(node.value, bool):
                return None
            return [((), Fraction(micros(node.value) if isinstance(node.value, timedelta) else node.value))]
        if isinstance(node, ir.FactRef):
            return [(((node.name, Fraction(1)),), Fraction(0))]
        if isinstance(node, ir.DefineRef):
            return self.defined.get(node.name)
        if isinstance(node, ir.Negate):
            inner = self.of(node.operand)
            return None if inner is None else [_times(form, Fraction(-1)) for form in inner]
        if isinstance(node, ir.Call) and node.function in ("min", "max"):
            found: list[_Form] = []
            for arg in node.args:
                forms = self.of(arg)
                if forms is None:
                    return None
                found.extend(forms)
            return list(dict.fromkeys(found))
        if isinstance(node, ir.BinOp) and node.op in ("+", "-", "*"):
            left, right = self.of(node.left), self.of(node.right)
            if left is None or right is None or len(left) * len(right) > MAX_FORMS:
                return None
            if node.op == "*":  # a product with one constant
                if len(right) == 1 and not right[0][0]:
                    return [_times(form, right[0][1]) for form in left]
                if len(left) == 1 and not left[0][0]:
                    return [_times(form, left[0][1]) for form in right]
                return None
            combine = _plus if node.op == "+" else _minus
            return list(dict.fromkeys(combine(one, other) for one in left for other in right))
        if kind == "number":  # points, size: a few values known before any incident
            values = self.encoding.finite.values(node)
            return None if values is None else [((), Fraction(value)) for value in values]
        return None


def _whole(type_: Any) -> bool:
    return type_.kind == "duration" or bool(type_.integral)


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _split(op: str, at: Fraction, whole: bool) -> list[_Cut]:
    """Where ``x op at`` splits the values of ``x``: between ``at`` and
    what is above it (``>``, ``<=``), between what is below it and ``at``
    (``>=``, ``<``), or both (``==``, ``!=``). A whole value is split
    between two whole numbers; any other at a number an incident can give
    (the threshold the ruleset wrote, a float)."""
    cuts = []
    if op in (">", "<=", "==", "!="):
        if whole:
            cuts.append(_Cut(Fraction(math.floor(at)), True))
        elif _is_float(at):
            cuts.append(_Cut(at, True))
        else:  # pragma: no cover - thresholds on numbers that need not be whole are floats
            cuts.append(_Cut(Fraction(float(at)), True))
    if op in (">=", "<", "==", "!="):
        if whole:
            cuts.append(_Cut(Fraction(math.ceil(at) - 1), True))
        elif _is_float(at):
            cuts.append(_Cut(at, False))
        else:  # pragma: no cover
            cuts.append(_Cut(Fraction(float(at)), False))
    return cuts


def _shape_of(program: Program, label: str) -> Any:
    """A rule as written, without its position: whether two versions differ."""
    rule = program.rules.get(label)
    if rule is None:
        return None
    return (_shape(rule.condition), tuple((name, _shape(node)) for name, node in rule.conclusions), rule.exceptions)


def _shape(node: Any) -> Any:
    if node is None:
        return None
    if isinstance(node, ir.Const):
        return ("const", repr(node.value))
    fields = tuple((f.name, getattr(node, f.name)) for f in attrs.fields(type(node)) if f.name not in ("span", "type"))
    return (type(node).__name__, tuple(
        (name, _shape(v) if attrs.has(type(v)) else tuple(_shape(x) for x in v) if isinstance(v, tuple) and v
         and attrs.has(type(v[0])) else v) for name, v in fields))


__all__ = ["Change", "Condition", "Diff", "Region", "diff"]
