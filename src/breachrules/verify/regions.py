"""Where two rulesets decide differently: regions of the input space.

Both programs are encoded over one set of fact variables. For each output
(an outcome's level, an obligation's being required) the solver finds an
incident where the two differ; that incident is then *generalised*: each
fact's condition is weakened, from its exact value to a range, a set of
members, or nothing at all, as long as every incident meeting the
conditions still changes in the same way (old value to new value). The
region found is excluded and the search goes on until no difference is
left, so the regions cover every difference, each with a witness. Regions
of different outputs with the same conditions are merged: a reader gets a
handful of regions, not one per incident.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from fractions import Fraction
from typing import Any

import attrs
import z3

from breachrules import ir
from breachrules.durations import format_iso_duration
from breachrules.program import FactDef, Program
from breachrules.verify import witness
from breachrules.verify.encoding import EPOCH, Encoding, Instant, SetValue, Space, micros
from breachrules.verify.prover import evaluate

MAX_REGIONS = 200  # per output; a diff this large is reported as cut short


@attrs.frozen
class Condition:
    """One fact's part of a region, written as the ruleset language would."""

    fact: str
    text: str  # e.g. "subjects >= 501", "exposed_to in {outsider, public}"

    def to_dict(self) -> dict[str, str]:
        return {"fact": self.fact, "condition": self.text}


@attrs.frozen
class Change:
    output: str  # outcome:NAME or obligation:NAME
    old: Any  # a level's name, or whether the obligation is required
    new: Any

    @property
    def weaker(self) -> bool:
        """Whether the new ruleset asks less here: a duty dropped or a level lowered."""
        if self.output.startswith("obligation:"):
            return self.old is True and self.new is False
        return bool(self.new < self.old) if isinstance(self.old, int) else False


@attrs.frozen
class Region:
    conditions: tuple[Condition, ...]
    changes: tuple[Change, ...]
    incident: dict[str, Any]  # one incident of the region
    old_rules: tuple[str, ...]  # what fired only under the old ruleset (or changed)
    new_rules: tuple[str, ...]
    pieces: int = 1  # exact conjunctions of conditions joined in this region

    def to_dict(self, old: Program, new: Program) -> dict[str, Any]:
        return {
            "conditions": [c.to_dict() for c in self.conditions],
            "changes": [{"output": c.output, "old": _shown(old, c.output, c.old),
                         "new": _shown(new, c.output, c.new)} for c in self.changes],
            "incident": self.incident,
            "old_rules": list(self.old_rules),
            "new_rules": list(self.new_rules),
            "pieces": self.pieces,
        }


@attrs.frozen
class Diff:
    old: Program
    new: Program
    regions: tuple[Region, ...]
    complete: bool = True  # False: cut short at MAX_REGIONS for some output

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
    space = Space()
    space.share(old, new)
    before, after = Encoding(old, space), Encoding(new, space)
    finder = _Regions(old, new, space, before, after)
    found, complete = finder.all()
    return Diff(old, new, _merged(found), complete)


def _merged(found: list[tuple[Change, Region]]) -> tuple[Region, ...]:
    """One region per way of changing: the same change for the same rules.
    Its conditions are those every exact piece shares (each piece is a
    conjunction that implies the change), so every incident of the region
    meets them; ``pieces`` says how many exact pieces it joins. Outputs
    that change together in the same pieces make one region."""
    by_cause: dict[tuple[Any, ...], list[Region]] = {}
    for change, region in found:
        by_cause.setdefault((change, region.old_rules, region.new_rules), []).append(region)
    joined: dict[tuple[Any, ...], Region] = {}
    for (change, old_rules, new_rules), pieces in by_cause.items():
        shared = tuple(c for c in pieces[0].conditions if all(c in r.conditions for r in pieces[1:]))
        key = (shared, old_rules, new_rules, len(pieces))
        if key in joined:
            joined[key] = attrs.evolve(joined[key], changes=(*joined[key].changes, change))
        else:
            joined[key] = Region(shared, (change,), pieces[0].incident, old_rules, new_rules, len(pieces))
    return tuple(joined.values())


class _Regions:
    def __init__(self, old: Program, new: Program, space: Space, before: Encoding, after: Encoding) -> None:
        self.old, self.new, self.space = old, new, space
        self.before, self.after = before, after
        self.solver = z3.Solver()
        self.solver.set("timeout", 30_000)
        self.solver.add(before.valid(), after.valid())
        self.facts = {**new.facts, **old.facts}
        self.read = sorted(witness.read_facts(old) | witness.read_facts(new))
        self.cuts = _cuts(old, new)

    def holds(self, goal: z3.BoolRef) -> bool:
        """Whether ``goal`` holds for every valid incident."""
        self.solver.push()
        self.solver.add(z3.Not(goal))
        answer = self.solver.check()
        self.solver.pop()
        return answer == z3.unsat

    def all(self) -> tuple[list[tuple[Change, Region]], bool]:
        mine, theirs = self.before.outputs(), self.after.outputs()
        found: list[tuple[Change, Region]] = []
        complete = True
        for key in mine:
            if key not in theirs:
                continue
            a, b = mine[key], theirs[key]
            blocked: list[z3.BoolRef] = []
            for _ in range(MAX_REGIONS):
                self.solver.push()
                self.solver.add(a != b, *blocked)
                model = self.solver.model() if self.solver.check() == z3.sat else None
                self.solver.pop()
                if model is None:
                    break
                old_value, new_value = model.eval(a, model_completion=True), model.eval(b, model_completion=True)
                same_change = z3.And(a == old_value, b == new_value)
                literals = self._generalise(model, same_change, blocked)
                blocked.append(z3.Not(z3.And([term for _, term, _ in literals] or [z3.BoolVal(True)])))
                found.append(self._region(key, model, literals, old_value, new_value))
            else:
                complete = False
        return found, complete

    def _generalise(self, model: z3.ModelRef, change: z3.BoolRef,
                    blocked: list[z3.BoolRef]) -> list[tuple[str, z3.BoolRef, str]]:
        """Conditions on the facts, true of ``model``, that imply ``change``
        (outside the regions already found): the solver's unsat core of the
        facts' values, numbers widened to the span between the thresholds
        the rulesets compare them with where that still implies it."""
        for widened in (True, False):
            literals = [literal for name in self.read for literal in self._literals(name, model, widened)]
            flags = [z3.Bool(f"region#{i}") for i in range(len(literals))]
            solver = z3.Solver()
            solver.set("timeout", 30_000)
            solver.add(self.before.valid(), self.after.valid(), *blocked, z3.Not(change))
            solver.add(*(z3.Implies(flag, term) for flag, (_, term, _) in zip(flags, literals, strict=True)))
            if solver.check(*flags) == z3.unsat:
                core = {str(flag) for flag in solver.unsat_core()}
                return [literal for flag, literal in zip(flags, literals, strict=True) if str(flag) in core]
        raise AssertionError("an incident's own values always imply its change")  # pragma: no cover

    def _literals(self, name: str, model: z3.ModelRef, widened: bool) -> list[tuple[str, z3.BoolRef, str]]:
        """What ``model`` says of one fact, as conditions."""
        fact = self.facts[name]
        variable = self.space.fact(fact)
        kind = fact.type.kind
        value = _read(model, variable)
        if kind == "bool":
            return [(name, variable == value, name if value else f"not {name}")]
        if kind == "enum":
            return [(name, variable == value, f"{name} == {self.space.member_name(value)}")]
        if kind == "level":
            return [(name, variable == value, f"{name} == {fact.type.members[value]}")]
        if kind == "set":
            found = []
            for m, flag in variable.members.items():
                inside = z3.is_true(model.eval(flag, model_completion=True))
                found.append((name, flag if inside else z3.Not(flag), f"{m} {'in' if inside else 'not in'} {name}"))
            return found
        if kind in ("number", "duration"):
            show = (lambda v: format_iso_duration(timedelta(microseconds=int(v)))) if kind == "duration" else _number
            if not widened:
                return [(name, variable == value, f"{name} == {show(value)}")]
            low, high = _between(self.cuts.get(name, []), value)
            bounds = []
            if low is not None:
                bounds.append((name, variable >= low, f"{name} >= {show(low)}"))
            if high is not None:
                bounds.append((name, variable <= high, f"{name} <= {show(high)}"))
            return bounds
        if kind == "datetime":
            assert isinstance(variable, Instant)
            instant = (EPOCH + timedelta(microseconds=value[0])).astimezone(
                timezone(timedelta(microseconds=value[1]))).isoformat()
            return [(name, z3.And(variable.utc == value[0], variable.offset == value[1]), f"{name} == {instant}")]
        return [(name, variable == value, f"{name} == {value!r}")]

    def _region(self, key: str, model: z3.ModelRef, literals: list[tuple[str, z3.BoolRef, str]],
                old_value: Any, new_value: Any) -> tuple[Change, Region]:
        old_incident = witness.incident(model, self.space, self.old)
        new_incident = witness.incident(model, self.space, self.new)
        shown = {**new_incident, **old_incident}
        before, after = evaluate(self.old, old_incident), evaluate(self.new, new_incident)
        fired_old = {f.label for f in before.fired if f.certain} if before is not None else set()
        fired_new = {f.label for f in after.fired if f.certain} if after is not None else set()
        changed = {label for label in fired_old & fired_new if _shape_of(self.old, label) != _shape_of(self.new, label)}
        old_rules = tuple(sorted((fired_old - fired_new) | changed))
        new_rules = tuple(sorted((fired_new - fired_old) | changed))
        conditions = tuple(Condition(name, text) for name, _, text in literals)
        old_v = z3.is_true(old_value) if z3.is_bool(old_value) else old_value.as_long()
        new_v = z3.is_true(new_value) if z3.is_bool(new_value) else new_value.as_long()
        return Change(key, old_v, new_v), Region(conditions, (), shown, old_rules, new_rules)


def _read(model: z3.ModelRef, variable: Any) -> Any:
    if isinstance(variable, Instant):
        return (model.eval(variable.utc, model_completion=True).as_long(),
                model.eval(variable.offset, model_completion=True).as_long())
    if isinstance(variable, SetValue):
        return None
    value = model.eval(variable, model_completion=True)
    if z3.is_bool(value):
        return z3.is_true(value)
    if z3.is_int_value(value):
        return value.as_long()
    if z3.is_rational_value(value):
        return Fraction(value.as_fraction())
    return value.as_string()


def _between(cuts: list[tuple[Any, Any]], value: Any) -> tuple[Any, Any]:
    """The nearest boundaries at or below and at or above ``value``: each
    comparison a ruleset makes splits a fact's values between a highest
    value on one side and a lowest on the other (``x > 1000``: 1000 and 1001)."""
    low = max((lo for lo, _ in cuts if lo <= value), default=None)
    high = min((hi for _, hi in cuts if hi >= value), default=None)
    return low, high


def _number(value: Any) -> str:
    return str(int(value)) if Fraction(value).denominator == 1 else str(float(value))


def _cuts(*programs: Program) -> dict[str, list[tuple[Any, Any]]]:
    """Per fact, the constants it is compared with (in microseconds for durations)."""
    cuts: dict[str, list[tuple[Any, Any]]] = {}
    for program in programs:
        nodes = [*program.expressions(), *(a.condition for a in program.actions if a.condition is not None)]
        stack = list(nodes)
        while stack:
            node = stack.pop()
            stack.extend(ir.children(node))
            if isinstance(node, ir.Compare):
                for side, other, op in ((node.left, node.right, node.op), (node.right, node.left, _FLIP[node.op])):
                    if isinstance(side, ir.FactRef) and isinstance(other, ir.Const) and _scalar(other) is not None:
                        cuts.setdefault(side.name, []).extend(_split(op, _scalar(other)))
            if isinstance(node, ir.Bands) and isinstance(node.operand, ir.FactRef):
                for limit in node.limits:
                    cuts.setdefault(node.operand.name, []).extend(_split("<", limit))
    return cuts


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _split(op: str, c: Any) -> list[tuple[Any, Any]]:
    """(lowest value above, highest value below) of the split ``x op c``
    makes, for whole values; as pairs of (a lower bound, an upper bound)."""
    if op in (">", "<="):
        return [(c + 1, c)]
    if op in (">=", "<"):
        return [(c, c - 1)]
    return [(c, c - 1), (c + 1, c)]


def _scalar(const: ir.Const) -> Any:
    if isinstance(const.value, timedelta):
        return micros(const.value)
    if isinstance(const.value, bool) or not isinstance(const.value, (int, float)):
        return None
    return const.value


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


__all__ = ["Change", "Condition", "Diff", "FactDef", "Region", "diff"]
