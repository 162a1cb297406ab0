"""The answers worth trying for a fact an incident leaves unknown.

:mod:`breachrules.ranking` asks, for each unknown fact, whether some answer
to it alone settles a duty; trying every answer is impossible (a number has
endless values), and trying a few is a guess. The answers here are one of
each class of values the ruleset's tests cannot tell apart, under what the
incident already says: both truth values; every member of a choice or
level of a scale; for a set, one set per combination of the groups of
members that every test the unknowns leave open names together; for a
number, a duration or an instant, the values at and on either side of each
threshold it is compared with (followed through definitions, sums,
``min``/``max``, scores and division by a constant, the other facts
substituted), and the ends of its range; for a text, each text compared
with and one that is none of them. Were a ruleset to read a fact in a way
these classes do not cover (a product of two expressions of it, say),
:attr:`Probes.complete` turns false.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from breachrules import interpreter, ir
from breachrules.errors import EvaluationError
from breachrules.incident import EARLIEST, LATEST
from breachrules.interpreter import Interval
from breachrules.limits import MAX_MAGNITUDE
from breachrules.program import FactDef, Program

# Sets of a fact tried at most: past it, the groups of members are tried
# one at a time (and the answers are not complete).
MAX_SET_ANSWERS = 1 << 14

_UNKNOWN = object()  # an expression whose value no answer to the fact tried makes known
_Form = tuple[Fraction, Fraction]  # a * v + b, v the value tried (microseconds for durations and instants)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class Probes:
    """The incident's evaluation, and the answers to try of each unknown fact."""

    def __init__(self, program: Program, known: dict[str, Any], now: datetime) -> None:
        self.program = program
        self.known = known
        self.now = now
        self.complete = True
        result, self.value = interpreter.evaluation(program, known)
        self.statuses = {name: status.required for name, status in result.obligations.items()}
        self.risk = result.levels["risk"]
        self.defines = {d.name: d.expr for d in program.defines}
        self.expressions = program.expressions()
        self.read = ir.references_through(self.expressions, self.defines)[0]
        self._refs: dict[int, tuple[set[str], set[str]]] = {}
        self._live: list[ir.Node] | None = None

    def outcome(self, fact: str, value: Any) -> tuple[dict[str, bool | None], Interval] | None:
        """The obligations' statuses and the risk with ``fact`` answered ``value``."""
        known = dict(self.known)
        known[fact] = value
        try:
            result = interpreter.evaluate(self.program, known, questions=False)
        except EvaluationError:
            return None
        return {name: status.required for name, status in result.obligations.items()}, result.levels["risk"]

    def refs(self, node: ir.Node) -> tuple[set[str], set[str]]:
        """The facts and outcomes ``node`` reads, through definitions."""
        found = self._refs.get(id(node))
        if found is None:
            found = self._refs[id(node)] = ir.references_through([node], self.defines)
        return found

    # -------------------------------------------------------------- answers

    def answers(self, fact: FactDef) -> list[Any]:
        """One answer of each class (see the module), as validated values."""
        kind = fact.type.kind
        if kind == "bool":
            return [True, False]
        if kind == "enum":
            return list(fact.type.members)
        if kind == "level":
            return list(range(len(fact.type.members)))
        if kind == "set":
            return self._sets(fact)
        if kind == "text":
            return self._texts(fact)
        return self._ordered(fact)

    def live(self) -> list[ir.Node]:
        """The nodes whose value an answer may still change: those the
        incident leaves undetermined, reached through undetermined nodes
        from every expression of the program (a determined value stays as
        it is whatever an unknown turns out to be, in Kleene's logic; a
        test of whether something ``is known`` is the exception, and is
        always followed)."""
        if self._live is None:
            live: list[ir.Node] = []
            seen: set[int] = set()
            stack = list(self.expressions)
            while stack:
                node = stack.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                if not isinstance(node, ir.IsKnown):
                    try:
                        value = self.value(node)
                    except (EvaluationError, KeyError, ArithmeticError, ValueError, TypeError):
                        value = None
                    if value is not None and not isinstance(value, Interval):
                        continue
                live.append(node)
                stack.extend(ir.children(node))
            self._live = live
        return self._live

    def _constants(self, kinds: tuple[str, ...], members: tuple[str, ...] | None) -> list[Any]:
        """The constants the undetermined tests compare with, of ``kinds``
        (and, for members, of the same choices), and the values of the known
        facts of the same type: what a test can tell an answer by."""
        found: list[Any] = []
        for node in self.live():
            for child in ir.children(node):
                if isinstance(child, ir.Const) and child.type.kind in kinds and (
                        members is None or set(child.type.members) == set(members)):
                    found.append(child.value)
        for name, value in self.known.items():
            type_ = self.program.facts[name].type
            if type_.kind in kinds and (members is None or set(type_.members) == set(members)):
                found.append(value)
        return found

    def _texts(self, fact: FactDef) -> list[Any]:
        compared = [v for v in self._constants(("text",), None) if isinstance(v, str)]
        fresh = "answer"
        while fresh in compared:
            fresh += "_"
        return [fresh, *dict.fromkeys(compared)]

    def _sets(self, fact: FactDef) -> list[Any]:
        """A set per combination of the groups of members no test tells
        apart: present or not, for tests of whether they meet or lie
        within a set; also all of a group, when the set is tested the other
        way round or combined; every number of each, when its size is read."""
        members = fact.type.members
        constants = []
        for value in self._constants(("set", "enum"), members):
            constants.append(value if isinstance(value, frozenset) else frozenset({value}))
        groups: dict[tuple[bool, ...], list[str]] = {}
        for member in members:
            groups.setdefault(tuple(member in c for c in constants), []).append(member)
        mode = self._set_mode(fact.name)
        choices: list[list[tuple[str, ...]]] = []
        for group in groups.values():
            if mode == "count":
                choices.append([tuple(group[:n]) for n in range(len(group) + 1)])
            elif mode == "full" and len(group) > 1:
                choices.append([(), (group[0],), tuple(group)])
            else:
                choices.append([(), (group[0],)])
        if math.prod(len(c) for c in choices) > MAX_SET_ANSWERS:
            self.complete = False
            return [frozenset(), *(frozenset(choice[-1]) for choice in choices), frozenset(members)]
        sets = [frozenset(itertools.chain.from_iterable(combination)) for combination in itertools.product(*choices)]
        key = self._set_key(fact.name)
        if key is None:
            return sets
        return list({key(value): value for value in reversed(sets)}.values())[::-1]

    def _set_key(self, fact: str) -> Any:
        """What the undetermined tests that read the set say of a value of
        it, when every one of them compares it with a set or member the
        incident fixes: two values they say the same of are assessed alike,
        and one is tried for both. None when some test reads it otherwise."""
        if any(d.type.kind == "set" and fact in self.refs(d.expr)[0] for d in self.program.defines):
            return None  # a definition passes it on, as a set
        tests: list[Any] = []
        for node in self.live():
            for child in ir.children(node):
                if not (isinstance(child, ir.FactRef) and child.name == fact):
                    continue
                if isinstance(node, ir.IsKnown):
                    continue  # known, whichever set is tried
                other = [n for n in ir.children(node) if n is not child]
                fixed = self._fixed(other[0]) if len(other) == 1 else None
                if fixed is None:
                    return None
                if isinstance(node, ir.SetTest) and node.op == "intersects":
                    tests.append(lambda v, c=fixed: not v.isdisjoint(c))
                elif isinstance(node, ir.SetTest):
                    tests.append((lambda v, c=fixed: v <= c) if child is node.left else (lambda v, c=fixed: c <= v))
                elif isinstance(node, ir.Member) and child is node.collection:
                    tests.append(lambda v, m=fixed: m in v)
                elif isinstance(node, ir.Compare) and node.op in ("==", "!="):
                    tests.append(lambda v, c=fixed: v == c)
                else:
                    return None
        return lambda value: tuple(test(value) for test in tests)

    def _fixed(self, node: ir.Node) -> Any:
        """The value of a constant or a known fact; None for anything else."""
        if isinstance(node, ir.Const):
            return node.value
        if isinstance(node, ir.FactRef):
            return self.known.get(node.name)
        return None

    def _set_mode(self, fact: str) -> str:
        """How the undetermined tests read the set: "presence" (whether it
        meets or lies within a set, whether a member is in it), "full" (any
        other way) or "count" (its size)."""
        mode = "presence"
        for node in self.live():
            if isinstance(node, ir.Call) and node.function == "size" and fact in self.refs(node)[0]:
                return "count"
            for child in ir.children(node):
                if isinstance(child, ir.FactRef) and child.name == fact:
                    plain = ((isinstance(node, ir.SetTest) and (child is node.left or node.op == "intersects"))
                             or (isinstance(node, ir.Member) and child is node.collection))
                    if not plain:
                        mode = "full"
                elif isinstance(child, ir.DefineRef) and fact in self.refs(child)[0] and child.type.kind == "set":
                    mode = "full"
        return mode

    # -------------------------------------------------------------- numbers, durations, instants

    def _ordered(self, fact: FactDef) -> list[Any]:
        """The values at and either side of each threshold the ruleset
        compares the fact with (the other facts as the incident gives them),
        and the ends of the range of values it can take."""
        kind = fact.type.kind
        low, high = self._range(fact)
        if low > high:
            return []
        whole = kind != "number" or fact.type.integral
        if whole and high - low <= 256:  # a small range: every value
            points: set[Fraction] = {Fraction(n) for n in range(math.ceil(low), math.floor(high) + 1)}
        else:
            points = {low, high}
            for cut in self._cuts(fact.name):
                if whole:
                    points.update(Fraction(n) for n in range(math.floor(cut) - 1, math.ceil(cut) + 2))
                else:
                    x = float(cut)
                    near = {x}
                    for direction in (-math.inf, math.inf):
                        y = x
                        for _ in range(4):
                            y = math.nextafter(y, direction)
                            near.add(y)
                    points.update(Fraction(y) for y in near if math.isfinite(y))
        return [self._value(fact, p) for p in sorted(points) if low <= p <= high]

    def _range(self, fact: FactDef) -> tuple[Fraction, Fraction]:
        """The least and greatest value an answer can give (microseconds for
        durations and instants): the declared bounds, the limits of an
        incident, and for an instant, not after ``now`` and in the order
        the ruleset requires with the instants known."""
        kind = fact.type.kind
        if kind == "number":
            type_ = fact.type
            low = Fraction(-MAX_MAGNITUDE if type_.low is None else max(type_.low, -MAX_MAGNITUDE))
            high = Fraction(MAX_MAGNITUDE if type_.high is None else min(type_.high, MAX_MAGNITUDE))
            return low, high
        if kind == "duration":
            return Fraction(0), Fraction(timedelta.max // _MICRO)
        earliest, latest = _micros(EARLIEST), min(_micros(LATEST) - 1, _micros(self.now))
        for before, after in self.program.precedes:
            if after == fact.name and before in self.known:
                earliest = max(earliest, _micros(self.known[before]))
            if before == fact.name and after in self.known:
                latest = min(latest, _micros(self.known[after]))
        return Fraction(earliest), Fraction(latest)

    def _value(self, fact: FactDef, point: Fraction) -> Any:
        kind = fact.type.kind
        if kind == "duration":
            return timedelta(microseconds=int(point))
        if kind == "datetime":
            return _EPOCH + timedelta(microseconds=int(point))
        return int(point) if fact.type.integral else float(point)

    def _cuts(self, fact: str) -> set[Fraction]:
        """Where the comparisons that read ``fact`` change their truth, as
        functions of its value."""
        cuts: set[Fraction] = set()
        forms = _Forms(self, fact)
        for node in self.live():
            if isinstance(node, ir.Compare) and node.left.type.kind in _ORDERED_KINDS:
                if fact not in self.refs(node)[0]:
                    continue
                left, right = forms.of(node.left), forms.of(node.right)
                if left is _UNKNOWN or right is _UNKNOWN:
                    continue  # another unknown: no answer to this fact decides it
                if left is None or right is None:
                    self.complete = False
                    continue
                pairs = [(a, b) for a in left for b in right]
            elif isinstance(node, ir.Bands) and fact in self.refs(node.operand)[0]:
                operand = forms.of(node.operand)
                if operand is _UNKNOWN:
                    continue
                if operand is None:
                    self.complete = False
                    continue
                pairs = [(a, (Fraction(0), Fraction(limit))) for a in operand
                         for limit in node.limits]
            else:
                continue
            for (a1, b1), (a2, b2) in pairs:
                if a1 != a2:
                    cuts.add((b2 - b1) / (a1 - a2))
        return cuts | forms.poles


_ORDERED_KINDS = ("number", "duration", "datetime")


class _Forms:
    """The values an expression of numbers, durations or instants can take
    as ``a * v + b`` of the value ``v`` tried for one fact: a list of such
    forms (``min``, ``max`` and a choice of a few values stand for each of
    theirs), ``_UNKNOWN`` when it has no value whatever ``v`` is (it reads
    another fact still unknown, or divides by zero), or None when it is not
    such a sum (a product of two expressions of ``v``, a quotient by one).
    Where a divisor that depends on ``v`` is zero, there is no value: those
    values of ``v`` are kept in ``poles``, tried as thresholds are."""

    def __init__(self, probes: Probes, fact: str) -> None:
        self.probes = probes
        self.fact = fact
        self.memo: dict[int, Any] = {}
        self.poles: set[Fraction] = set()  # where a divisor is zero: no value there

    def of(self, node: ir.Node) -> Any:
        found = self.memo.get(id(node), self)
        if found is self:
            found = self.memo[id(node)] = self._of(node)
        return found

    def _of(self, node: ir.Node) -> Any:
        probes, fact = self.probes, self.fact
        facts, outcomes = probes.refs(node)
        if fact not in facts and not outcomes:  # as the incident says, whatever the answer
            try:
                value = probes.value(node)
            except (EvaluationError, ArithmeticError, ValueError, TypeError, KeyError):
                return _UNKNOWN
            number = _number(value)
            return _UNKNOWN if number is None else [(Fraction(0), number)]
        if isinstance(node, ir.FactRef):  # (the fact itself: any other was answered above)
            return [(Fraction(1), Fraction(0))]
        if isinstance(node, ir.DefineRef):
            return self.of(probes.defines[node.name])
        if isinstance(node, ir.Negate):
            inner = self.of(node.operand)
            return inner if inner is None or inner is _UNKNOWN else [(-a, -b) for a, b in inner]
        if isinstance(node, ir.Points):
            return [(Fraction(0), Fraction(v)) for v in dict.fromkeys(node.values)]
        if isinstance(node, ir.Call) and node.function in ("min", "max"):
            args = [self.of(arg) for arg in node.args]
            if any(forms is _UNKNOWN for forms in args):
                return _UNKNOWN
            if any(forms is None for forms in args):
                return None
            return list(dict.fromkeys(form for forms in args for form in forms))
        if isinstance(node, ir.BinOp) and node.op in ("+", "-", "*", "/"):
            left, right = self.of(node.left), self.of(node.right)
            if left is _UNKNOWN or right is _UNKNOWN:
                return _UNKNOWN
            if left is None or right is None:
                return None
            if node.op == "+":
                return list(dict.fromkeys((a1 + a2, b1 + b2) for a1, b1 in left for a2, b2 in right))
            if node.op == "-":
                return list(dict.fromkeys((a1 - a2, b1 - b2) for a1, b1 in left for a2, b2 in right))
            if node.op == "*":
                if all(a == 0 for a, _ in right):
                    return list(dict.fromkeys((a * c, b * c) for a, b in left for _, c in right))
                if all(a == 0 for a, _ in left):
                    return list(dict.fromkeys((a * c, b * c) for a, b in right for _, c in left))
                return None
            if all(a == 0 for a, _ in right):  # a quotient by a number (by zero: no value, an error)
                divisors = [c for _, c in right if c != 0]
                if not divisors:
                    return _UNKNOWN
                return list(dict.fromkeys((a / c, b / c) for a, b in left for c in divisors))
            if all(a == 0 and b == 0 for a, b in left):  # zero over an expression of v: zero, but at its zeros
                self.poles.update(-b / a for a, b in right if a != 0)
                return [(Fraction(0), Fraction(0))]
            return None
        return None


def _number(value: Any) -> Fraction | None:
    """A value as a number of the forms (microseconds for durations and instants)."""
    if value is None or isinstance(value, (bool, Interval)):
        return None
    if isinstance(value, timedelta):
        return Fraction(value // _MICRO)
    if isinstance(value, datetime):
        return Fraction(_micros(value))
    if isinstance(value, (int, float)) and math.isfinite(value):
        return Fraction(value)
    return None


def _micros(instant: datetime) -> int:
    return (instant - _EPOCH) // _MICRO
