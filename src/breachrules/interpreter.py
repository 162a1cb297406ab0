"""The reference semantics: evaluation with unknown facts.

A fact that has not been established is *unknown* (``None``), a third truth
value. Conditions follow Kleene's logic (``false and unknown`` is false,
``true or unknown`` is true, everything else with an unknown operand is
unknown). An outcome is then an interval of levels: ``lo`` is what is
already certain, ``hi`` what the answers still missing could make it. The
assessment acts on ``hi`` ("if in doubt, notify") and says it is provisional.

How rules combine:

- A rule raises its outcomes to *at least* a level; the highest level wins.
- An exception is read only when its base rule applies. When it applies,
  its conclusions (possibly none) replace those of its base.
- Two exceptions to one rule that both apply and conclude differently are a
  conflict. It is reported, and the reading that protects the data subjects
  (the higher level) is taken meanwhile: never the one that comes first.
- ``combine`` tables add their value to the outcome, as one more rule would.
- Obligations follow their conditions; an applicable exemption lifts an
  obligation, and with ``instead`` it requires another one.

When every fact is known this module and the generated fast path
(:mod:`breachrules.codegen`) must agree; a property test holds them to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

import attrs

from breachrules import ir
from breachrules.arithmetic import times
from breachrules.errors import EvaluationError
from breachrules.program import ObligationDef, Program, RuleDef


class Interval(NamedTuple):
    lo: int
    hi: int


ZERO = Interval(0, 0)


@attrs.frozen
class Fired:
    """One rule, exception or exemption that applied (or may apply)."""

    label: str
    certain: bool
    overrides: str | None = None


@attrs.frozen
class ObligationStatus:
    required: bool | None  # None: it depends on facts still unknown
    due: datetime | str | None  # an instant, "without_undue_delay", or None
    exempted_by: str | None
    instead_of: str | None


@attrs.frozen
class Result:
    levels: Mapping[str, Interval]
    obligations: Mapping[str, ObligationStatus]
    fired: tuple[Fired, ...]
    conflicts: tuple[tuple[str, ...], ...]
    open_questions: tuple[str, ...]
    actions: tuple[bool | None, ...] = ()  # each action's condition, in plan order, once decided
    values: tuple[Any, ...] = ()  # the value of each of Program.numbers(), in its order (None: unknown)


def evaluate(program: Program, facts: Mapping[str, Any]) -> Result:
    return _Run(program, facts).result()


def conditions_after_decision(program: Program, facts: Mapping[str, Any],
                              conditions: list[ir.Node | None]) -> list[bool | None]:
    """The truth of ``conditions`` (``None`` is "always") once the outcomes
    are decided: how a report reads the conditions of its actions."""
    if not conditions:
        return []
    run = _Run(program, facts)
    run.result()
    return [run.truth(condition) for condition in conditions]


def least_levels(program: Program, outcome: str, conditions: list[ir.Node]) -> list[int | None]:
    """For each condition, the lowest level of ``outcome`` at which it may
    hold, or None when it holds at none: each condition evaluated, at each
    level, for an incident that tells nothing (every fact unknown, every
    other outcome as wide as the rules allow). A condition false there is
    false whatever the facts say, so below its level the outcome alone
    rules it out: how a record can say "not required at this risk level"
    only when the level is a reason."""
    found: list[int | None] = [None] * len(conditions)
    for level in range(len(program.scales[outcome].levels)):
        run = _Run(program, {})
        run.result()
        run.outcomes[outcome] = Interval(level, level)
        for other in program.outcomes:  # the definitions that read the outcomes, again
            run._define_after(other.name)
        for i, condition in enumerate(conditions):
            if found[i] is None and run.truth(condition) is not False:
                found[i] = level
    return found


# ------------------------------------------------------------------ three-valued helpers


def _and(values: list[bool | None]) -> bool | None:
    if False in values:
        return False
    return None if None in values else True


def _or(values: list[bool | None]) -> bool | None:
    if True in values:
        return True
    return None if None in values else False


def _join(a: dict[str, Interval], b: dict[str, Interval]) -> dict[str, Interval]:
    """Both apply: the higher of each (the conservative reading)."""
    out = dict(a)
    for name, iv in b.items():
        out[name] = _higher(out.get(name, ZERO), iv)
    return out


def _higher(a: Interval, b: Interval) -> Interval:
    return Interval(max(a.lo, b.lo), max(a.hi, b.hi))


def _nonzero(contribution: dict[str, Interval]) -> tuple[tuple[str, Interval], ...]:
    return tuple(sorted((k, v) for k, v in contribution.items() if v != ZERO))


def _hull(a: dict[str, Interval], b: dict[str, Interval]) -> dict[str, Interval]:
    """Either may be the case: everything between."""
    out: dict[str, Interval] = {}
    for name in a.keys() | b.keys():
        x, y = a.get(name, ZERO), b.get(name, ZERO)
        out[name] = Interval(min(x.lo, y.lo), max(x.hi, y.hi))
    return out


def _compare(op: str, a: Any, b: Any) -> bool | None:
    if isinstance(a, Interval) or isinstance(b, Interval):
        al, ah = (a.lo, a.hi) if isinstance(a, Interval) else (a, a)
        bl, bh = (b.lo, b.hi) if isinstance(b, Interval) else (b, b)
        if op == "==":
            return True if al == ah == bl == bh else (False if ah < bl or bh < al else None)
        if op == "!=":
            eq = _compare("==", a, b)
            return None if eq is None else not eq
        if op in (">", ">="):
            (al, ah), (bl, bh) = (bl, bh), (al, ah)
            op = "<" if op == ">" else "<="
        if op == "<":
            return True if ah < bl else (False if al >= bh else None)
        return True if ah <= bl else (False if al > bh else None)
    return bool(ir.COMPARISONS[op](a, b))




class _Run:
    """One evaluation of one incident."""

    def __init__(self, program: Program, facts: Mapping[str, Any]) -> None:
        self.program = program
        self.facts = facts
        self.label = program.name  # what is being evaluated, for errors
        self.defines: dict[str, Any] = {}
        self.outcomes: dict[str, Interval] = {}
        self.conditions: dict[str, bool | None] = {}
        self.trees: dict[str, dict[str, Interval]] = {}
        self.fired: list[Fired] = []
        self.conflicts: list[tuple[str, ...]] = []
        self._defines_unknown: dict[str, set[str]] | None = None
        self._outcomes_unknown: dict[str, set[str]] = {}
        self.statuses: Mapping[str, ObligationStatus] = {}
        self._define_after(None)

    def _define_after(self, outcome: str | None) -> None:
        """Evaluate the definitions that wait for ``outcome`` (None: for nothing)."""
        for define in self.program.defines:
            if define.after == outcome:
                self.label = define.name
                self.defines[define.name] = self.value(define.expr)

    # -------------------------------------------------------------- expressions

    def value(self, node: ir.Node) -> Any:
        """The value of an expression: a value, ``None`` (unknown) or, for an
        outcome not yet certain, an :class:`Interval`."""
        return getattr(self, "_v_" + type(node).__name__)(node)

    def truth(self, node: ir.Node | None) -> bool | None:
        if node is None:
            return True
        result = self.value(node)
        return None if result is None else bool(result)

    def _v_Const(self, node: ir.Const) -> Any:
        return node.value

    def _v_FactRef(self, node: ir.FactRef) -> Any:
        return self.facts.get(node.name)

    def _v_DefineRef(self, node: ir.DefineRef) -> Any:
        return self.defines[node.name]

    def _v_OutcomeRef(self, node: ir.OutcomeRef) -> Any:
        iv = self.outcomes[node.name]
        return iv.lo if iv.lo == iv.hi else iv

    def _v_ObligationRef(self, node: ir.ObligationRef) -> Any:
        return self.statuses[node.name].required

    def _v_Not(self, node: ir.Not) -> Any:
        v = self.value(node.operand)
        return None if v is None else not v

    def _v_BoolOp(self, node: ir.BoolOp) -> Any:
        values: list[bool | None] = []
        for operand in node.operands:  # short-circuit as Python would
            v = self.value(operand)
            if (v is False and node.op == "and") or (v is True and node.op == "or"):
                return v
            values.append(v)
        return _and(values) if node.op == "and" else _or(values)

    def _v_Compare(self, node: ir.Compare) -> Any:
        a, b = self.value(node.left), self.value(node.right)
        if a is None or b is None:
            return None
        return _compare(node.op, a, b)

    def _v_Member(self, node: ir.Member) -> Any:
        a, b = self.value(node.element), self.value(node.collection)
        if a is None or b is None:
            return None
        return (a in b) != node.negated

    def _v_SetTest(self, node: ir.SetTest) -> Any:
        a, b = self.value(node.left), self.value(node.right)
        if a is None or b is None:
            return None
        return not a.isdisjoint(b) if node.op == "intersects" else a <= b

    def _v_IsKnown(self, node: ir.IsKnown) -> Any:
        v = self.value(node.operand)
        known = v is not None and not isinstance(v, Interval)
        return known != node.negated

    def _v_BinOp(self, node: ir.BinOp) -> Any:
        a, b = self.value(node.left), self.value(node.right)
        if a is None or b is None:
            return None
        if node.op == "/" and not b:
            raise EvaluationError(self.label, node.span, "division_by_zero")
        operation = times if node.op == "*" and node.type.kind == "number" else _ARITH[node.op]
        try:
            return operation(a, b)
        except (ArithmeticError, ValueError):
            # an instant past year 9999, a duration too long, a quotient too
            # large for a float, a duration times a number that is not one
            raise EvaluationError(self.label, node.span, "out_of_range") from None

    def _v_Negate(self, node: ir.Negate) -> Any:
        v = self.value(node.operand)
        if v is None:
            return None
        try:
            return -v
        except OverflowError:  # a duration longer than the longest negative one has no opposite
            raise EvaluationError(self.label, node.span, "out_of_range") from None

    def _v_Call(self, node: ir.Call) -> Any:
        args = [self.value(a) for a in node.args]
        if node.function == "size":
            return None if args[0] is None else len(args[0])
        if any(a is None for a in args):  # an unknown level: the result is not known either
            return None
        if any(isinstance(a, Interval) for a in args):
            ivs = [a if isinstance(a, Interval) else Interval(a, a) for a in args]
            pick = max if node.function == "max" else min
            return Interval(pick(i.lo for i in ivs), pick(i.hi for i in ivs))
        return max(args) if node.function == "max" else min(args)

    def _v_Bands(self, node: ir.Bands) -> Any:
        v = self.value(node.operand)
        if v is None:
            return None
        for limit, level in zip(node.limits, node.levels, strict=False):
            if v < limit:
                return level
        return node.levels[-1]

    def _v_Points(self, node: ir.Points) -> Any:
        """What a member or level is worth; unknown while it is, and while a
        level is not yet one level (an outcome still open). An interval of
        one level is that level: ``max(risk, high)`` is ``high`` however
        the risk turns out."""
        v = self.value(node.operand)
        if isinstance(v, Interval):
            v = v.lo if v.lo == v.hi else None
        if v is None:
            return None
        return node.worth(v)

    # -------------------------------------------------------------- rules

    def condition(self, rule: RuleDef) -> bool | None:
        if rule.label not in self.conditions:
            self.label = rule.label
            self.conditions[rule.label] = self.truth(rule.condition)
        return self.conditions[rule.label]

    def level(self, node: ir.Node, top: int) -> Interval:
        v = self.value(node)
        if v is None:
            return Interval(0, top)
        return v if isinstance(v, Interval) else Interval(v, v)

    def tree(self, rule: RuleDef) -> dict[str, Interval]:
        """What a rule, read with its exceptions, contributes to each outcome."""
        if rule.label in self.trees:
            return self.trees[rule.label]
        applies = self.condition(rule)
        result: dict[str, Interval] = {}
        if applies is not False:
            tops = {o.name: len(o.levels) - 1 for o in self.program.outcomes}
            own: dict[str, Interval] = {}
            for name, node in rule.conclusions:
                own[name] = _higher(own.get(name, ZERO), self.level(node, tops[name]))
            certain: list[tuple[str, dict[str, Interval]]] = []
            maybe: list[dict[str, Interval]] = []
            for label in rule.exceptions:
                exception = self.program.rules[label]
                if self.condition(exception) is False:
                    continue
                contribution = self.tree(exception)
                if self.conditions[label]:
                    certain.append((label, contribution))
                else:
                    maybe.append(contribution)
            if certain:
                replaced: dict[str, Interval] = {}
                for _, contribution in certain:
                    replaced = _join(replaced, contribution)
                if len({_nonzero(c) for _, c in certain}) > 1:
                    self.conflicts.append(tuple(label for label, _ in certain))
                result = replaced
                for contribution in maybe:
                    result = _hull(result, _join(replaced, contribution))
            else:
                result = own
                for contribution in maybe:
                    result = _hull(result, contribution)
            if applies is None:
                result = {name: Interval(0, iv.hi) for name, iv in result.items()}
        self.trees[rule.label] = result
        return result

    def record(self, rule: RuleDef, certain: bool = True) -> None:
        """Add a rule and the exceptions that override it to the trace."""
        applies = self.conditions.get(rule.label)
        if applies is False or rule.label not in self.conditions:
            return
        certain = certain and applies is True
        self.fired.append(Fired(rule.label, certain, rule.base if rule.kind == "exception" else None))
        for label in rule.exceptions:
            self.record(self.program.rules[label], certain)

    # -------------------------------------------------------------- the run

    def result(self) -> Result:
        program = self.program
        for outcome in program.outcomes:
            level = ZERO
            for root in outcome.roots:
                level = _higher(level, self.tree(program.rules[root]).get(outcome.name, ZERO))
            if outcome.table is not None:
                level = _higher(level, self._table(outcome.table))
            self.outcomes[outcome.name] = level
            self._define_after(outcome.name)
        for rule in program.rules.values():
            if rule.kind == "rule":
                self.record(rule)
        obligations = self.statuses = self._obligations()
        actions = []
        for action in program.actions:
            self.label = action.name
            actions.append(True if action.condition is None else self.truth(action.condition))
        return Result(
            levels=dict(self.outcomes),
            obligations=obligations,
            fired=tuple(self.fired),
            conflicts=tuple(self.conflicts),
            open_questions=self._open_questions(obligations),
            actions=tuple(actions),
            values=tuple(self.value(node) for node in program.numbers().values()),
        )

    def _table(self, table: Any) -> Interval:
        rows, columns = self.outcomes[table.rows], self.outcomes[table.columns]
        cells = [table.cells[r][c] for r in range(rows.lo, rows.hi + 1)
                 for c in range(columns.lo, columns.hi + 1)]
        return Interval(min(cells), max(cells))

    def _obligations(self) -> dict[str, ObligationStatus]:
        program = self.program
        own: dict[str, bool | None] = {}
        for ob in program.obligations:
            self.label = ob.name
            own[ob.name] = True if ob.always else (self.truth(ob.condition) if ob.condition else False)
        instead: dict[str, list[tuple[bool | None, str]]] = {}
        statuses: dict[str, ObligationStatus] = {}
        for ob in program.instead_order():
            required = _or([own[ob.name], *(flag for flag, _ in instead.get(ob.name, []))])
            exempted: bool | None = False
            exempted_by = None
            if required is not False:
                flags = []
                for label in ob.exemptions:
                    exemption = program.exemptions[label]
                    self.label = label
                    flag = self.truth(exemption.condition)
                    flags.append(flag)
                    if flag is not False:
                        self.fired.append(Fired(label, flag is True and required is True, ob.name))
                        if exemption.instead:
                            instead.setdefault(exemption.instead, []).append(
                                (_and([required, flag]), ob.name))
                    if flag is True and exempted_by is None:
                        exempted_by = label
                exempted = _or(flags)
            final = _and([required, None if exempted is None else not exempted])
            statuses[ob.name] = ObligationStatus(
                required=final,
                due=self._due(ob) if final is not False else None,
                exempted_by=exempted_by,
                instead_of=next((src for flag, src in instead.get(ob.name, []) if flag is not False), None),
            )
        return {ob.name: statuses[ob.name] for ob in program.obligations}

    def _due(self, ob: ObligationDef) -> datetime | str | None:
        if isinstance(ob.due, str) or ob.due is None:
            return ob.due
        self.label = ob.name
        value = self.value(ob.due)
        return value if isinstance(value, datetime) else None

    # -------------------------------------------------------------- open questions

    def _open_questions(self, obligations: Mapping[str, ObligationStatus]) -> tuple[str, ...]:
        """The unknown facts whose answers could change the risk level or an
        obligation; facts that could not change them are not asked."""
        wanted: set[str] = set()
        if self.outcomes["risk"].lo != self.outcomes["risk"].hi:
            wanted |= self._outcome_unknowns("risk")
        program = self.program
        for ob in program.obligations:
            status = obligations[ob.name]
            if status.required is None:
                wanted |= self._required_unknowns(ob.name, set())
                for label in ob.exemptions:
                    wanted |= self.unknowns(program.exemptions[label].condition)
            if status.required is not False and status.due is None and isinstance(ob.due, ir.Node):
                wanted |= self.unknowns(ob.due)
        return tuple(sorted(wanted))

    def _required_unknowns(self, name: str, seen: set[str]) -> set[str]:
        """The unknowns that decide whether an obligation is required before
        its own exemptions: its condition, and for an ``instead`` target, the
        exemptions that point at it and whether their obligations are required."""
        if name in seen:
            return set()
        seen.add(name)
        program = self.program
        ob = next(o for o in program.obligations if o.name == name)
        found = set() if ob.always else self.unknowns(ob.condition)
        for exemption in program.exemptions.values():
            if exemption.instead == name:
                found |= self.unknowns(exemption.condition)
                found |= self._required_unknowns(exemption.obligation, seen)
        return found

    def _define_unknowns(self, name: str) -> set[str]:
        """The unknowns behind a definition, remembered: a definition read
        twice by the next one, and that by the next, is still read once
        (without the memory the work doubles with every definition)."""
        return self._filled()[name]

    def _filled(self) -> dict[str, set[str]]:
        """The unknowns behind every definition, worked out on first need in
        evaluation order, each outcome's before the definitions that wait
        for it: whatever one reads is known already, so no question recurses
        down a chain of definitions or outcomes."""
        if self._defines_unknown is None:
            self._defines_unknown = {}
            for outcome in [None, *(o.name for o in self.program.outcomes)]:
                if outcome is not None and self.outcomes[outcome].lo != self.outcomes[outcome].hi:
                    self._outcome_unknowns(outcome)
                for define in self.program.defines:
                    if define.after == outcome:
                        self._defines_unknown[define.name] = self.unknowns(define.expr)
        return self._defines_unknown

    def _outcome_unknowns(self, name: str) -> set[str]:
        self._filled()  # what the outcome's rules read, first
        remembered = self._outcomes_unknown.get(name)
        if remembered is None:
            remembered = self._outcomes_unknown[name] = self._find_outcome_unknowns(name)
        return remembered

    def _find_outcome_unknowns(self, name: str) -> set[str]:
        outcome = self.program.outcome(name)
        floor = self.outcomes[name].lo
        found: set[str] = set()
        for root in outcome.roots:
            iv = self.trees[root].get(name, ZERO)
            if iv.lo != iv.hi and iv.hi > floor:
                found |= self._tree_unknowns(self.program.rules[root], name)
        table = outcome.table
        if table is not None:
            iv = self._table(table)
            if iv.lo != iv.hi and iv.hi > floor:
                for source in (table.rows, table.columns):
                    if self.outcomes[source].lo != self.outcomes[source].hi:
                        found |= self._outcome_unknowns(source)
        return found

    def _tree_unknowns(self, rule: RuleDef, outcome: str) -> set[str]:
        found: set[str] = set()
        if self.conditions.get(rule.label) is None:
            found |= self.unknowns(rule.condition)
        for name, node in rule.conclusions:
            if name == outcome:
                found |= self.unknowns(node)
        for label in rule.exceptions:
            if self.conditions.get(label) is not False and label in self.conditions:
                found |= self._tree_unknowns(self.program.rules[label], outcome)
        return found

    def unknowns(self, node: ir.Node | None) -> set[str]:
        """The unknown facts that leave ``node`` undetermined."""
        if node is None:
            return set()
        v = self.value(node)
        if v is not None and not isinstance(v, Interval):
            return set()
        if isinstance(node, ir.FactRef):
            return {node.name}
        if isinstance(node, ir.DefineRef):
            return self._define_unknowns(node.name)
        if isinstance(node, ir.OutcomeRef):
            return self._outcome_unknowns(node.name)
        if isinstance(node, ir.IsKnown):
            return set()
        found: set[str] = set()
        for child in ir.children(node):
            found |= self.unknowns(child)
        return found


_ARITH: dict[str, Any] = {
    "/": lambda a, b: a / b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
}
