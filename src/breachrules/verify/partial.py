"""The interpreter's reading of an incident with unknown facts, as formulas.

A partial incident is a complete one (the :class:`~.encoding.Encoding`'s
fact variables) with a *known* flag per fact: the facts not known are the
open answers, and the complete incident is one way of answering them. This
module reads the program over such a pair exactly as
:mod:`breachrules.interpreter` reads a partial incident: Kleene's logic for
conditions, intervals of levels for outcomes, the hull of what an
exception that may apply could give, and an obligation that is required,
not required or undecided. Asking the solver for a pair where the complete
answer falls outside the partial one proves (``unsat``) that every
provisional result brackets every way its open questions can be answered.

A truth is a pair of formulas: certainly true, certainly false (neither:
unknown). A level is an interval with a known flag; any other value is the
complete incident's value with a known flag. ``is known`` reads the
partial incident itself, not its completions, so a program that uses it
is not encoded (:class:`~.encoding.Unsupported`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import z3

from breachrules import ir
from breachrules.i18n import Term
from breachrules.program import Program, RuleDef
from breachrules.verify.encoding import Encoding, Unsupported

_TRUE, _FALSE = z3.BoolVal(True), z3.BoolVal(False)


@attrs.frozen
class Truth:
    true: z3.BoolRef  # certainly true
    false: z3.BoolRef  # certainly false


@attrs.frozen
class Level:
    known: z3.BoolRef
    lo: z3.ArithRef
    hi: z3.ArithRef


@attrs.frozen
class Value:
    known: z3.BoolRef
    value: Any  # the complete incident's value, meaningful when known


class Partial:
    """One program read over a partial incident: the known flags over the
    fact variables of ``complete`` (whose decision is the completion's)."""

    def __init__(self, complete: Encoding) -> None:
        self.complete = complete
        self.program: Program = complete.program
        self.known = {name: z3.Bool(f"known:{name}") for name in self.program.facts}
        self.defines: dict[str, Any] = {}
        self.outcomes: dict[str, Level] = {}
        self.trees: dict[str, dict[str, tuple[z3.ArithRef, z3.ArithRef]]] = {}
        self.conditions: dict[str, Truth] = {}
        self.tables: dict[str, tuple[z3.ArithRef, z3.ArithRef]] = {}  # outcome -> the cells its table may give
        self.tops = {o.name: len(o.levels) - 1 for o in self.program.outcomes}
        waiting: dict[str | None, list[Any]] = {}
        for define in self.program.defines:
            waiting.setdefault(define.after, []).append(define)
        for define in waiting.get(None, []):
            self.defines[define.name] = self.value(define.expr)
        for outcome in self.program.outcomes:
            self._outcome(outcome.name)
            for define in waiting.get(outcome.name, []):
                self.defines[define.name] = self.value(define.expr)
        self.required = self._obligations()
        # obligation -> whether its due instant is known (when it is an expression)
        self.dated = {ob.name: self._known(ob.due) for ob in self.program.obligations if isinstance(ob.due, ir.Node)}

    # -------------------------------------------------------------- the decision

    def _outcome(self, name: str) -> None:
        outcome = self.program.outcome(name)
        lo: z3.ArithRef = z3.IntVal(0)
        hi: z3.ArithRef = z3.IntVal(0)
        for root in outcome.roots:
            tree_lo, tree_hi = self._tree(self.program.rules[root]).get(name, (_ZERO, _ZERO))
            lo, hi = _max(lo, tree_lo), _max(hi, tree_hi)
        if outcome.table is not None:
            table = outcome.table
            rows, columns = self.outcomes[table.rows], self.outcomes[table.columns]
            cells = [(z3.And(rows.lo <= r, r <= rows.hi, columns.lo <= c, c <= columns.hi), level)
                     for r, row in enumerate(table.cells) for c, level in enumerate(row)]
            least: z3.ArithRef = z3.IntVal(max(level for _, level in cells))
            most: z3.ArithRef = z3.IntVal(min(level for _, level in cells))
            for inside, level in cells:
                least = z3.If(z3.And(inside, level < least), z3.IntVal(level), least)
                most = z3.If(z3.And(inside, level > most), z3.IntVal(level), most)
            self.tables[name] = (least, most)
            lo, hi = _max(lo, least), _max(hi, most)
        self.outcomes[name] = Level(_TRUE, lo, hi)

    def _condition(self, rule: RuleDef) -> Truth:
        if rule.label not in self.conditions:
            self.conditions[rule.label] = self.truth(rule.condition)
        return self.conditions[rule.label]

    def _tree(self, rule: RuleDef) -> dict[str, tuple[z3.ArithRef, z3.ArithRef]]:
        """What a rule contributes with its exceptions, as the interpreter's
        ``tree`` computes it: the exceptions that certainly apply replace the
        rule's own levels, those that may apply widen what it could give."""
        if rule.label in self.trees:
            return self.trees[rule.label]
        applies = self._condition(rule)
        own: dict[str, tuple[z3.ArithRef, z3.ArithRef]] = {}
        for name, node in rule.conclusions:
            level = self.level(node)
            lo = z3.If(level.known, level.lo, _ZERO)
            hi = z3.If(level.known, level.hi, z3.IntVal(self.tops[name]))
            old_lo, old_hi = own.get(name, (_ZERO, _ZERO))
            own[name] = (_max(old_lo, lo), _max(old_hi, hi))
        exceptions = []
        for label in rule.exceptions:
            exception = self.program.rules[label]
            condition = self._condition(exception)
            exceptions.append((condition.true, z3.Not(z3.Or(condition.true, condition.false)),
                               self._tree(exception)))
        names = set(own).union(*(tree for _, _, tree in exceptions))
        any_certain = z3.Or([certain for certain, _, _ in exceptions] or [_FALSE])
        result: dict[str, tuple[z3.ArithRef, z3.ArithRef]] = {}
        for name in sorted(names):
            replaced_lo, replaced_hi, maybe_lo, maybe_hi = _ZERO, _ZERO, _BIG, _ZERO
            for certain, maybe, tree in exceptions:
                lo, hi = tree.get(name, (_ZERO, _ZERO))
                replaced_lo = _max(replaced_lo, z3.If(certain, lo, _ZERO))
                replaced_hi = _max(replaced_hi, z3.If(certain, hi, _ZERO))
                maybe_lo = z3.If(z3.And(maybe, lo < maybe_lo), lo, maybe_lo)
                maybe_hi = _max(maybe_hi, z3.If(maybe, hi, _ZERO))
            own_lo, own_hi = own.get(name, (_ZERO, _ZERO))
            # hull(replaced, join(replaced, maybe)) keeps replaced's floor;
            # hull(own, maybe) takes the lower floor
            lo = z3.If(any_certain, replaced_lo, z3.If(maybe_lo < own_lo, maybe_lo, own_lo))
            hi = z3.If(any_certain, _max(replaced_hi, maybe_hi), _max(own_hi, maybe_hi))
            lo = z3.If(applies.true, lo, _ZERO)  # a rule that may apply gives nothing for certain
            hi = z3.If(applies.false, _ZERO, hi)
            result[name] = (lo, hi)
        self.trees[rule.label] = result
        return result

    def _obligations(self) -> dict[str, Truth]:
        own: dict[str, Truth] = {}
        for ob in self.program.obligations:
            if ob.always:
                own[ob.name] = Truth(_TRUE, _FALSE)
            else:
                own[ob.name] = self.truth(ob.condition) if ob.condition is not None else Truth(_FALSE, _TRUE)
        instead: dict[str, list[Truth]] = {}
        final: dict[str, Truth] = {}
        for ob in self.program.instead_order():
            required = _or([own[ob.name], *instead.get(ob.name, [])])
            flags = []
            for label in ob.exemptions:
                exemption = self.program.exemptions[label]
                flag = self.truth(exemption.condition)
                flags.append(flag)
                if exemption.instead:
                    instead.setdefault(exemption.instead, []).append(_and([required, flag]))
            exempted = _or(flags) if flags else Truth(_FALSE, _TRUE)
            final[ob.name] = _and([required, Truth(exempted.false, exempted.true)])
        return final

    # -------------------------------------------------------------- expressions

    def truth(self, node: ir.Node | None) -> Truth:
        if node is None:
            return Truth(_TRUE, _FALSE)
        value = self.value(node)
        if isinstance(value, Truth):
            return value
        raise Unsupported(node.span, Term.of("verify.unsupported.constant"))  # pragma: no cover - typed bool

    def level(self, node: ir.Node) -> Level:
        value = self.value(node)
        assert isinstance(value, Level)
        return value

    def value(self, node: ir.Node) -> Truth | Level | Value:
        kind = node.type.kind
        if isinstance(node, ir.IsKnown):
            raise Unsupported(node.span, Term.of("verify.unsupported.is_known"))
        if isinstance(node, ir.DefineRef):
            stored: Truth | Level | Value = self.defines[node.name]
            return stored
        if kind == "bool":
            return self._truth(node)
        if kind == "level":
            return self._level(node)
        return Value(self._known(node), None)

    def _known(self, node: ir.Node) -> z3.BoolRef:
        """Whether a value that is neither a truth nor a level is known: when
        everything it reads is (the interpreter gives None for any unknown
        operand)."""
        if isinstance(node, ir.FactRef):
            return self.known[node.name]
        if isinstance(node, ir.DefineRef):
            stored = self.defines[node.name]
            return stored.known if isinstance(stored, (Value, Level)) else z3.Or(stored.true, stored.false)
        if isinstance(node, ir.Points) and node.operand.type.kind == "level":
            level = self.level(node.operand)  # an outcome not yet one level is worth nothing known
            return z3.And(level.known, level.lo == level.hi)
        parts = [self._known(child) for child in ir.children(node)]
        return z3.And(parts) if parts else _TRUE

    def _truth(self, node: ir.Node) -> Truth:
        complete = self.complete
        if isinstance(node, ir.Const):
            return Truth(z3.BoolVal(bool(node.value)), z3.BoolVal(not node.value))
        if isinstance(node, ir.FactRef):
            known, value = self.known[node.name], complete.value(node)
            return Truth(z3.And(known, value), z3.And(known, z3.Not(value)))
        if isinstance(node, ir.Not):
            inner = self.truth(node.operand)
            return Truth(inner.false, inner.true)
        if isinstance(node, ir.BoolOp):
            parts = [self.truth(operand) for operand in node.operands]
            return _and(parts) if node.op == "and" else _or(parts)
        if isinstance(node, ir.Compare) and node.left.type.kind == "level":
            return _compare(node.op, self.level(node.left), self.level(node.right))
        if isinstance(node, ir.Compare) and node.left.type.kind == "bool":
            left, right = self.truth(node.left), self.truth(node.right)
            known = z3.And(z3.Or(left.true, left.false), z3.Or(right.true, right.false))
            same = left.true == right.true
            holds = same if node.op == "==" else z3.Not(same)
            return Truth(z3.And(known, holds), z3.And(known, z3.Not(holds)))
        # a comparison or set test of known values: the complete incident's answer
        known = self._known(node)
        value = complete.value(node)
        return Truth(z3.And(known, value), z3.And(known, z3.Not(value)))

    def _level(self, node: ir.Node) -> Level:
        if isinstance(node, ir.Const):
            return Level(_TRUE, z3.IntVal(node.value), z3.IntVal(node.value))
        if isinstance(node, ir.OutcomeRef):
            return self.outcomes[node.name]
        if isinstance(node, ir.Call):
            args = [self.level(arg) for arg in node.args]
            pick: Callable[[Any, Any], Any] = _max if node.function == "max" else _min
            lo, hi = args[0].lo, args[0].hi
            for arg in args[1:]:
                lo, hi = pick(lo, arg.lo), pick(hi, arg.hi)
            return Level(z3.And([arg.known for arg in args]), lo, hi)
        value = self.complete.value(node)  # a level fact, or bands over a number
        return Level(self._known(node), value, value)


_ZERO = z3.IntVal(0)
_BIG = z3.IntVal(1 << 30)  # above every level: "no exception may apply"


def _max(a: Any, b: Any) -> Any:
    return z3.If(a >= b, a, b)


def _min(a: Any, b: Any) -> Any:
    return z3.If(a <= b, a, b)


def _and(parts: list[Truth]) -> Truth:
    return Truth(z3.And([p.true for p in parts] or [_TRUE]), z3.Or([p.false for p in parts] or [_FALSE]))


def _or(parts: list[Truth]) -> Truth:
    return Truth(z3.Or([p.true for p in parts] or [_FALSE]), z3.And([p.false for p in parts] or [_TRUE]))


def _compare(op: str, a: Level, b: Level) -> Truth:
    """The interpreter's comparison of levels that may be intervals."""
    known = z3.And(a.known, b.known)
    if op in (">", ">="):
        a, b = b, a
        op = "<" if op == ">" else "<="
    if op == "==":
        true, false = z3.And(a.lo == a.hi, a.hi == b.lo, b.lo == b.hi), z3.Or(a.hi < b.lo, b.hi < a.lo)
    elif op == "!=":
        true, false = z3.Or(a.hi < b.lo, b.hi < a.lo), z3.And(a.lo == a.hi, a.hi == b.lo, b.lo == b.hi)
    elif op == "<":
        true, false = a.hi < b.lo, a.lo >= b.hi
    else:
        true, false = a.hi <= b.lo, a.lo > b.hi
    return Truth(z3.And(known, true), z3.And(known, false))
