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

Exact both ways: every incident where the versions differ is proved to lie
in a listed region (what no cause explains becomes regions of its own), and
every change listed has its witness. A region says where a change *can*
happen and what it is; an incident in it where other facts already decide
the outcome may not change at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
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
    text: str  # e.g. "subjects >= 501", "exposed_to in {outsider, public}"

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
        self.cuts = _cuts(old, new)
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
        the thresholds the rulesets compare them with, made minimal (each
        condition needed) and enum members widened to every member that
        still implies it. Definitions the two versions agree on count as
        conditions and are kept in preference to the facts they read."""
        for exact in (False, True):
            literals = [*self._definitions(model), *(lit for name in self.read
                                                    for lit in self._literals(name, model, exact))]
            if self.implies(literals, goal):
                break
        else:  # pragma: no cover - a model's own values always imply what they decide
            raise AssertionError("an incident's own values imply its decision")
        for literal in sorted(literals, key=lambda lit: lit.fact in self.facts, reverse=True):
            trial = [lit for lit in literals if lit is not literal]
            if self.implies(trial, goal):
                literals = trial
        return [self._widen(lit, literals, goal) for lit in literals]

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
            number = _python(value())
            show = _duration if kind == "duration" else _number
            if exact:
                return [_Literal(name, variable == _term(number), f"{name} == {show(number)}")]
            low, high = _between(self.cuts.get(name, []), number)
            bounds = []
            if low is not None:
                bounds.append(_Literal(name, variable >= _term(low), f"{name} >= {show(low)}"))
            if high is not None:
                bounds.append(_Literal(name, variable <= _term(high), f"{name} <= {show(high)}"))
            return bounds
        if kind == "datetime":  # instants only as exact values: what rulesets compare them with is other instants
            if not exact:
                return []
            utc, offset = (model.eval(variable.utc, model_completion=True).as_long(),
                           model.eval(variable.offset, model_completion=True).as_long())
            shown = witness.instant(utc, offset)
            return [_Literal(name, z3.And(variable.utc == utc, variable.offset == offset), f"{name} == {shown}")]
        written = read_text(value())
        return [_Literal(name, variable == text(written, fact.span), f"{name} == {written!r}")]


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


def _between(cuts: list[tuple[Any, Any]], value: Any) -> tuple[Any, Any]:
    """The nearest boundaries at or below and at or above ``value``: each
    comparison a ruleset makes splits a fact's values between a highest
    value on one side and a lowest on the other (``x > 1000``: 1000 and 1001)."""
    low = max((lo for lo, _ in cuts if lo <= value), default=None)
    high = min((hi for _, hi in cuts if hi >= value), default=None)
    return low, high


def _duration(value: Any) -> str:
    return format_iso_duration(timedelta(microseconds=int(value)))


def _number(value: Any) -> str:
    return str(int(value)) if Fraction(value).denominator == 1 else str(float(value))


def _cuts(*programs: Program) -> dict[str, list[tuple[Any, Any]]]:
    """Per fact, the constants it is compared with (in microseconds for durations)."""
    cuts: dict[str, list[tuple[Any, Any]]] = {}
    for program in programs:
        stack = [*program.expressions(), *(a.condition for a in program.actions if a.condition is not None)]
        while stack:
            node = stack.pop()
            stack.extend(ir.children(node))
            if isinstance(node, ir.Compare):
                for side, other, op in ((node.left, node.right, node.op), (node.right, node.left, _FLIP[node.op])):
                    limit = _scalar(other)
                    if isinstance(side, ir.FactRef) and limit is not None:
                        cuts.setdefault(side.name, []).extend(_split(op, limit, _whole(side)))
            if isinstance(node, ir.Bands) and isinstance(node.operand, ir.FactRef):
                for limit in node.limits:
                    cuts.setdefault(node.operand.name, []).extend(_split("<", limit, _whole(node.operand)))
    return cuts


def _whole(node: ir.Node) -> bool:
    return node.type.kind == "duration" or bool(node.type.integral)


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _split(op: str, c: Any, whole: bool) -> list[tuple[Any, Any]]:
    """The bounds ``x op c`` puts on either side, as (lowest value of the
    upper side, highest value of the lower side); for whole values the
    neighbours of ``c``, otherwise ``c`` itself on the side that holds it."""
    step = 1 if whole else 0
    if op in (">", "<="):
        return [(c + step, c)] if whole else []
    if op in (">=", "<"):
        return [(c, c - step)] if whole else []
    return [(c, c - step), (c + step, c)] if whole else []


def _scalar(node: ir.Node) -> Any:
    if not isinstance(node, ir.Const):
        return None
    if isinstance(node.value, timedelta):
        return micros(node.value)
    if isinstance(node.value, bool) or not isinstance(node.value, int):
        return None
    return node.value


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
