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

Cost follows what can apply, not the size of the file: a rule, obligation,
action or definition whose condition a known fact makes false on a first
test (where reading it would stop) is not read at all
(:mod:`breachrules.guards` indexes them by those tests, once per program),
and the search for open questions remembers what it found and stops once
every unknown fact is asked. Skipping is invisible: the results, the trace
and the errors are those of reading everything (tests/test_guards.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import attrs

from breachrules import ir
from breachrules.arithmetic import times
from breachrules.errors import EvaluationError
from breachrules.guards import Guards
from breachrules.program import DefineDef, ExemptionDef, ObligationDef, OutcomeDef, Program, RuleDef


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


_NOT_REQUIRED = ObligationStatus(required=False, due=None, exempted_by=None, instead_of=None)


@attrs.frozen
class Result:
    levels: Mapping[str, Interval]
    obligations: Mapping[str, ObligationStatus]
    fired: tuple[Fired, ...]
    conflicts: tuple[tuple[str, ...], ...]
    open_questions: tuple[str, ...]
    actions: tuple[bool | None, ...] = ()  # each action's condition, in plan order, once decided
    values: tuple[Any, ...] = ()  # the value of each of Program.numbers(), in its order (None: unknown)


def evaluate(program: Program, facts: Mapping[str, Any], *, questions: bool = True) -> Result:
    """The result of ``facts``; without ``questions``, its open questions
    are not looked for (the result then has none): for a caller that needs
    the decision alone, many times over."""
    return _Run(program, facts, questions).result()


def evaluation(program: Program, facts: Mapping[str, Any]) -> tuple[Result, Callable[[ir.Node], Any]]:
    """The result of ``facts`` (without open questions), and what any node
    of the program is worth once it is decided: for a caller that asks
    what an incident makes of expressions the result does not show."""
    run = _Run(program, facts, questions=False)
    return run.result(), run.value


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


# ------------------------------------------------------------------ prepared once per program


class _Prepared:
    """What every evaluation of one program looks up, arranged once: by name
    rather than by scanning a list, so that an evaluation, and its search
    for open questions, costs in proportion to what it reads."""

    def __init__(self, program: Program) -> None:
        early = {define.name for define in program.defines if define.after is None}
        # A base rule is read on the turn of the first outcome it concludes.
        turn: dict[str, str] = {}
        for outcome in program.outcomes:
            for label in outcome.roots:
                turn.setdefault(label, outcome.name)
        self.guards = Guards(((rule.label, rule.condition, turn[rule.label]) for rule in program.rules.values()
                              if rule.kind == "rule" and rule.label in turn), early)
        self.order = {label: i for i, label in enumerate(program.rules)}
        # what a rule concludes, for the rules that conclude levels written
        # as constants (read-only: shared by every evaluation)
        self.constant: dict[str, dict[str, Interval]] = {}
        self.widened: dict[str, dict[str, Interval]] = {}  # the same, for a rule that may apply
        for rule in program.rules.values():
            levels = [(name, node.value) for name, node in rule.conclusions
                      if isinstance(node, ir.Const) and isinstance(node.value, int)]
            if len(levels) == len(rule.conclusions):
                own: dict[str, Interval] = {}
                for name, level in levels:
                    own[name] = _higher(own.get(name, ZERO), Interval(level, level))
                self.constant[rule.label] = own
                self.widened[rule.label] = {name: Interval(0, iv.hi) for name, iv in own.items()}
        # obligations and actions are read once every outcome is decided
        self.obligation_guards = Guards(((ob.name, ob.condition, "") for ob in program.obligations
                                         if not ob.always and ob.condition is not None), early)
        self.action_guards = Guards(((action.name, action.condition, "") for action in program.actions
                                     if action.condition is not None), early)
        self.tops = {o.name: len(o.levels) - 1 for o in program.outcomes}
        self.outcomes: dict[str, OutcomeDef] = {o.name: o for o in program.outcomes}
        self.defines_after: dict[str | None, list[DefineDef]] = {}
        for define in program.defines:
            self.defines_after.setdefault(define.after, []).append(define)
        # Definitions evaluated before any outcome, true or false, are read
        # only when no fact makes them false (see _define_after).
        self.define_guards = Guards(((define.name, define.expr, "") for define in self.defines_after.get(None, ())
                                     if define.type.kind == "bool"), early, facts_only=True)
        self.gated_defines = frozenset(self.define_guards.labels)
        self.obligations: dict[str, ObligationDef] = {ob.name: ob for ob in program.obligations}
        self.instead_of: dict[str, list[ExemptionDef]] = {}  # obligation -> the exemptions that require it
        for exemption in program.exemptions.values():
            if exemption.instead is not None:
                self.instead_of.setdefault(exemption.instead, []).append(exemption)
        self.instead_order = program.instead_order()
        self.numbers = tuple(program.numbers().values())
        # each outcome's base rules, by their place in its roots
        self.root_place = {o.name: {label: i for i, label in enumerate(o.roots)} for o in program.outcomes}

    def roots(self, outcome: str, live: set[str]) -> list[str]:
        """The roots of ``outcome`` that may apply, in the order of its roots."""
        place = self.root_place[outcome]
        return sorted((label for label in live if label in place), key=place.__getitem__)


_PREPARED: dict[int, tuple[weakref.ref[Program], _Prepared]] = {}


def _prepared(program: Program) -> _Prepared:
    """The program's prepared lookups, built on its first evaluation and
    dropped with it (keyed by identity: a program compares by value, which
    would cost a walk of the whole program on every look-up)."""
    key = id(program)
    entry = _PREPARED.get(key)
    if entry is not None and entry[0]() is program:
        return entry[1]
    prepared = _Prepared(program)
    _PREPARED[key] = (weakref.ref(program, lambda _, key=key: _PREPARED.pop(key, None)), prepared)  # type: ignore[misc]
    return prepared


class _Run:
    """One evaluation of one incident."""

    def __init__(self, program: Program, facts: Mapping[str, Any], questions: bool = True) -> None:
        self.program = program
        self.prepared = _prepared(program)
        self.facts = facts
        self.questions = questions
        self.label = program.name  # what is being evaluated, for errors
        self.defines: dict[str, Any] = {}
        self.outcomes: dict[str, Interval] = {}
        self.conditions: dict[str, bool | None] = {}
        self.trees: dict[str, dict[str, Interval]] = {}
        self.fired: list[Fired] = []
        self.conflicts: list[tuple[str, ...]] = []
        self._defines_unknown: dict[str, set[str]] | None = None
        self._outcomes_unknown: dict[str, set[str]] = {}
        self._required_unknown: dict[str, set[str]] = {}
        self._unknown_facts: frozenset[str] | None = None
        self.statuses: Mapping[str, ObligationStatus] = {}
        self.live: dict[str, list[str]] = {}  # each outcome's roots that may apply, once read
        self._undecided_defines: dict[str | None, list[DefineDef]] = {}  # by what they wait for
        self._define_after(None)

    def _define_after(self, outcome: str | None) -> None:
        """Evaluate the definitions that wait for ``outcome`` (None: for
        nothing). Of those that wait for nothing, one a fact makes false
        (on a first test, where evaluating it would stop: see
        breachrules.guards) is false without being read."""
        defines = self.prepared.defines_after.get(outcome, ())
        gated, maybe = self.prepared.gated_defines, None
        if outcome is None and gated:
            maybe = self._may_hold(self.prepared.define_guards)
        for define in defines:
            if maybe is not None and define.name in gated and define.name not in maybe:
                self.defines[define.name] = False
                continue
            self.label = define.name
            value = self.defines[define.name] = self.value(define.expr)
            if value is None or value.__class__ is Interval:
                self._undecided_defines.setdefault(outcome, []).append(define)
        if defines:
            self.label = defines[-1].name  # (where evaluating each would leave it)

    # -------------------------------------------------------------- expressions

    def value(self, node: ir.Node) -> Any:
        """The value of an expression: a value, ``None`` (unknown) or, for an
        outcome not yet certain, an :class:`Interval`."""
        return _VALUE[type(node)](self, node)

    # (The methods below look up their operands' methods themselves rather
    # than through value(): one call per node instead of two; the
    # commonest operands, a fact and a constant, they read in place, as
    # _v_FactRef and _v_Const would.)

    def truth(self, node: ir.Node | None) -> bool | None:
        if node is None:
            return True
        result = _VALUE[node.__class__](self, node)
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
        operand = node.operand
        v = _VALUE[operand.__class__](self, operand)
        return None if v is None else not v

    def _v_BoolOp(self, node: ir.BoolOp) -> Any:
        values: list[bool | None] = []
        for operand in node.operands:  # short-circuit as Python would
            if isinstance(operand, ir.FactRef):
                v = self.facts.get(operand.name)
            else:
                v = _VALUE[operand.__class__](self, operand)
            if (v is False and node.op == "and") or (v is True and node.op == "or"):
                return v
            values.append(v)
        return _and(values) if node.op == "and" else _or(values)

    def _v_Compare(self, node: ir.Compare) -> Any:
        left, right = node.left, node.right
        a = self.facts.get(left.name) if isinstance(left, ir.FactRef) else _VALUE[left.__class__](self, left)
        b = right.value if isinstance(right, ir.Const) else _VALUE[right.__class__](self, right)
        if a is None or b is None:
            return None
        if a.__class__ is Interval or b.__class__ is Interval:
            return _compare(node.op, a, b)
        return bool(ir.COMPARISONS[node.op](a, b))

    def _v_Member(self, node: ir.Member) -> Any:
        element, collection = node.element, node.collection
        if isinstance(element, ir.FactRef):
            a = self.facts.get(element.name)
        else:
            a = _VALUE[element.__class__](self, element)
        if isinstance(collection, ir.FactRef):
            b = self.facts.get(collection.name)
        else:
            b = _VALUE[collection.__class__](self, collection)
        if a is None or b is None:
            return None
        return (a in b) != node.negated

    def _v_SetTest(self, node: ir.SetTest) -> Any:
        left, right = node.left, node.right
        a = self.facts.get(left.name) if isinstance(left, ir.FactRef) else _VALUE[left.__class__](self, left)
        b = right.value if isinstance(right, ir.Const) else _VALUE[right.__class__](self, right)
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
            own = self.prepared.constant.get(rule.label)
            if own is None:
                tops = self.prepared.tops
                own = {}
                for name, node in rule.conclusions:
                    own[name] = _higher(own.get(name, ZERO), self.level(node, tops[name]))
            if not rule.exceptions:  # (most rules: what follows, with nothing to read)
                if applies is None:
                    widened = self.prepared.widened.get(rule.label)
                    own = widened if widened is not None else {name: Interval(0, iv.hi) for name, iv in own.items()}
                self.trees[rule.label] = own
                return own
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
                widened = self.prepared.widened.get(rule.label) if result is own else None
                result = widened if widened is not None else {name: Interval(0, iv.hi) for name, iv in result.items()}
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
        prepared = self.prepared
        # Only the base rules whose guards may hold are read: any other is
        # false on a first test of its guard, where reading it would stop
        # (see breachrules.guards), and contributes nothing.
        guards = prepared.guards
        reading = guards.start(self.facts, self.defines, self.value)
        alive: set[str] = set()
        for outcome in program.outcomes:
            alive.update(guards.turn(reading, outcome.name, self.value))
            roots = self.live[outcome.name] = prepared.roots(outcome.name, alive)
            lo = hi = 0  # (the higher of each, as _higher would give it)
            for root in roots:
                contribution = self.tree(program.rules[root]).get(outcome.name)
                if contribution is not None:
                    lo, hi = max(lo, contribution.lo), max(hi, contribution.hi)
            level = Interval(lo, hi)
            if outcome.table is not None:
                level = _higher(level, self._table(outcome.table))
            self.outcomes[outcome.name] = level
            self._define_after(outcome.name)
        for label in sorted(alive, key=prepared.order.__getitem__):
            self.record(program.rules[label])
        obligations = self.statuses = self._obligations()
        actions: list[bool | None] = []
        maybe = self._may_hold(prepared.action_guards)
        for action in program.actions:
            self.label = action.name
            if action.condition is None:
                actions.append(True)
            else:
                actions.append(self.truth(action.condition) if action.name in maybe else False)
        return Result(
            levels=dict(self.outcomes),
            obligations=obligations,
            fired=tuple(self.fired),
            conflicts=tuple(self.conflicts),
            open_questions=self._open_questions(obligations) if self.questions else (),
            actions=tuple(actions),
            values=tuple(self.value(node) for node in self.prepared.numbers),
        )

    def _table(self, table: Any) -> Interval:
        rows, columns = self.outcomes[table.rows], self.outcomes[table.columns]
        cells = [table.cells[r][c] for r in range(rows.lo, rows.hi + 1)
                 for c in range(columns.lo, columns.hi + 1)]
        return Interval(min(cells), max(cells))

    def _may_hold(self, guards: Guards) -> set[str]:
        """The statements of ``guards`` whose conditions may hold, read when
        every outcome is decided; any other one's is False."""
        return guards.turn(guards.start(self.facts, self.defines, self.value), "", self.value)

    def _obligations(self) -> dict[str, ObligationStatus]:
        program = self.program
        own: dict[str, bool | None] = {}
        maybe = self._may_hold(self.prepared.obligation_guards)
        for ob in program.obligations:
            if ob.always:
                own[ob.name] = True
            elif ob.condition and ob.name in maybe:
                self.label = ob.name
                own[ob.name] = self.truth(ob.condition)
            else:
                own[ob.name] = False
        if program.obligations:
            self.label = program.obligations[-1].name  # (where the loop leaves it, read by what follows)
        instead: dict[str, list[tuple[bool | None, str]]] = {}
        statuses: dict[str, ObligationStatus] = {}
        for ob in self.prepared.instead_order:
            if own[ob.name] is False and ob.name not in instead:
                statuses[ob.name] = _NOT_REQUIRED
                continue
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
        every = self._every_unknown()
        for ob in program.obligations:
            if wanted >= every:
                break  # every unknown fact is asked already
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
        remembered = self._required_unknown.get(name)
        if remembered is not None:  # (``instead`` has no cycles: what is remembered is complete)
            return remembered
        if name in seen:
            return set()
        seen.add(name)
        ob = self.prepared.obligations[name]
        found = set() if ob.always else set(self.unknowns(ob.condition))
        for exemption in self.prepared.instead_of.get(name, ()):
            found |= self.unknowns(exemption.condition)
            found |= self._required_unknowns(exemption.obligation, seen)
        self._required_unknown[name] = found
        return found

    def _every_unknown(self) -> frozenset[str]:
        """Every fact left unknown: the most a search for unknowns can find,
        so that a search that has found them all can stop."""
        if self._unknown_facts is None:
            self._unknown_facts = frozenset(name for name in self.program.facts if self.facts.get(name) is None)
        return self._unknown_facts

    def _define_unknowns(self, name: str) -> set[str]:
        """The unknowns behind a definition, remembered: a definition read
        twice by the next one, and that by the next, is still read once
        (without the memory the work doubles with every definition)."""
        found = self._filled().get(name)
        return set() if found is None else found  # (none: its value is known)

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
                for define in self._undecided_defines.get(outcome, ()):  # (the others' are empty)
                    value = self.defines[define.name]  # what unknowns() would evaluate first
                    self._defines_unknown[define.name] = self._unknowns_at(define.expr, value)
        return self._defines_unknown

    def _outcome_unknowns(self, name: str) -> set[str]:
        self._filled()  # what the outcome's rules read, first
        remembered = self._outcomes_unknown.get(name)
        if remembered is None:
            remembered = self._outcomes_unknown[name] = self._find_outcome_unknowns(name)
        return remembered

    def _find_outcome_unknowns(self, name: str) -> set[str]:
        outcome = self.prepared.outcomes[name]
        floor = self.outcomes[name].lo
        found: set[str] = set()
        every = self._every_unknown()
        for root in self.live[name]:  # a root left out contributes nothing: ZERO is decided
            if found >= every:
                return found  # no rule can add to it
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
        if self.conditions.get(rule.label) is None and rule.condition is not None:
            found |= self._unknowns_at(rule.condition, None)  # (its value: the condition's, unknown)
        for name, node in rule.conclusions:
            if name == outcome:
                found |= self.unknowns(node)
        for label in rule.exceptions:
            if self.conditions.get(label) is not False and label in self.conditions:
                found |= self._tree_unknowns(self.program.rules[label], outcome)
        return found

    def unknowns(self, node: ir.Node | None) -> set[str]:
        """The unknown facts that leave ``node`` undetermined."""
        if node is None or isinstance(node, ir.Const):
            return set()
        if isinstance(node, ir.FactRef):  # (the most common case, answered without a call)
            return set() if self.facts.get(node.name) is not None else {node.name}
        return self._unknowns_at(node, self.value(node))

    def _unknowns_at(self, node: ir.Node, v: Any) -> set[str]:
        """:meth:`unknowns` of ``node``, whose value ``v`` is known already."""
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


# the evaluation of each kind of node, looked up by its type
_VALUE: dict[type, Callable[[_Run, Any], Any]] = {
    node_type: getattr(_Run, "_v_" + node_type.__name__) for node_type in (
        ir.Const, ir.FactRef, ir.DefineRef, ir.OutcomeRef, ir.ObligationRef, ir.Not, ir.BoolOp, ir.Compare,
        ir.Member, ir.SetTest, ir.IsKnown, ir.BinOp, ir.Negate, ir.Call, ir.Bands, ir.Points)
}
