"""Which base rules can apply: rules indexed by the facts their guards test.

Evaluating every rule of a large ruleset costs in proportion to the file,
while an incident makes only a few rules' guards true. Most guards open
with a test on one fact (``encrypted and ...``, ``records > 1000 and ...``,
``health in data_categories``), and when that test is false the guard is
false whatever follows: the interpreter stops there (``and`` short-circuits)
and the rule contributes nothing, raises nothing and is not traced. Such a
rule needs no visit at all. Indexing rules by that opening test, by the
values under which it holds, lets an evaluation visit only the rules whose
opening test holds or is unknown.

A *gate* is what the index knows of a guard: *clauses*, each a
disjunction of *atoms*; an atom is a test that cannot fail (names,
constants, comparisons, membership, negation, ``is known``, ``size``,
``min``, ``max``, the time between two instants). A clause is false when
every one of its atoms is exactly ``False``, and then the guard is false
without an error:

- ``c1 and c2 and ... and x and ...``: one clause for each operand before
  the first that has none (that one could fail, and those after it are
  read only if it does not);
- ``a or b or ...``: one clause, the atoms of every operand's first clause
  (each operand must have one);
- an atom alone: one clause of one atom.

A guard without a gate (a first test with arithmetic that could fail) is
always visited. A rule is read on its *turn*, the first outcome it
concludes, when every outcome before it is decided: atoms on facts and on
definitions evaluated before any outcome are looked up once, at the start;
atoms on outcomes and later definitions (``severity >= high and ...``) on
the turn of their rule, when their values are final. Atoms are indexed by
the name they read (one of them, when they read several), and those of
common shapes are
found by dictionary lookup (a flag, equality with a member, membership in a
set) or by bisection (a threshold on an ordered fact); any other atom, and
any value of a type the lookup was not built for, is evaluated as the
interpreter would evaluate it. The index never decides that a rule does not
apply when evaluating it would say otherwise: that is the contract, and the
property tests hold the interpreter to the same results with it.
"""

from __future__ import annotations

import itertools
import operator
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from breachrules import ir
from breachrules.types import Type

# A mark: the rule's number in the index and the clause the atom belongs to,
# one int (``rule << CLAUSE_BITS | clause``), so that a set of marks is a
# set of small ints.
CLAUSE_BITS = 4
MOST_CLAUSES = 1 << CLAUSE_BITS
_SAFE = (ir.Const, ir.FactRef, ir.DefineRef, ir.OutcomeRef, ir.Not, ir.Compare, ir.Member, ir.SetTest, ir.IsKnown,
         ir.Call)
_NAMES = (ir.FactRef, ir.DefineRef, ir.OutcomeRef)
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
# the run-time types a threshold may be bisected for, by the type of its constants
_ORDERED = {int: (int, float), float: (int, float), timedelta: (timedelta,), datetime: (datetime,)}


class _Index:
    """The atoms that test one name, arranged for lookup by its value.

    Atoms that are the same test (written at several places: the same
    structure, whatever the spans) are evaluated once."""

    def __init__(self) -> None:
        self.every: dict[Any, tuple[ir.Node, list[int]]] = {}  # each test on this name, for an unusual value
        self.marks: list[int] = []  # every atom's mark: the ones that hold when the value is unknown
        self.equal: dict[Any, list[int]] = {}  # holds when the value equals the key
        self.equal_type: type | None = None
        self.unequal: dict[Any, list[int]] = {}  # holds when the value differs from the key
        self.contains: dict[str, list[int]] = {}  # holds when the (set) value contains the key
        self.above: dict[str, tuple[list[Any], list[int]]] = {}  # op -> sorted thresholds, marks
        self.above_types: tuple[type, ...] = ()
        self.other: dict[Any, tuple[ir.Node, list[int]]] = {}  # evaluated, once per test
        self.only_equal: type = type(None)  # the type of value looked up in ``equal`` alone, if that is all

    def add(self, mark: int, node: ir.Node, kind: str, keys: tuple[Any, ...]) -> None:
        key = _key(node)
        self.every.setdefault(key, (node, []))[1].append(mark)
        self.marks.append(mark)
        if kind == "equal" or kind == "unequal":
            key_type = type(keys[0])
            if self.equal_type not in (None, key_type) or any(type(k) is not key_type for k in keys):
                self.other.setdefault(key, (node, []))[1].append(mark)
                return
            self.equal_type = key_type
            table = self.equal if kind == "equal" else self.unequal
            for value in keys:
                table.setdefault(value, []).append(mark)
        elif kind == "contains":
            for value in keys:
                self.contains.setdefault(value, []).append(mark)
        elif kind in _FLIP:
            families = _ORDERED.get(type(keys[0]))
            if families is None or (self.above_types and self.above_types != families):
                self.other.setdefault(key, (node, []))[1].append(mark)
                return
            self.above_types = families
            thresholds, marks = self.above.setdefault(kind, ([], []))
            thresholds.append(keys[0])
            marks.append(mark)
        else:
            self.other.setdefault(key, (node, []))[1].append(mark)

    def seal(self) -> None:
        """Sort the thresholds (once every atom is in)."""
        for op, (thresholds, marks) in list(self.above.items()):
            pairs = sorted(zip(thresholds, marks, strict=True), key=lambda pair: pair[0])
            self.above[op] = ([t for t, _ in pairs], [mark for _, mark in pairs])
        if self.equal_type is not None and not (self.unequal or self.contains or self.above or self.other):
            self.only_equal = self.equal_type

    def holding(self, value: Any, evaluate: Callable[[ir.Node], Any], out: set[int]) -> None:
        """Add to ``out`` the marks of the atoms on this name that are not
        False at ``value``."""
        if value is None:
            out.update(self.marks)
            return
        kind = type(value)
        if ((self.equal or self.unequal) and kind is not self.equal_type
                or self.contains and kind is not frozenset
                or self.above and (kind not in self.above_types or value != value)):  # NaN: no order
            _evaluate(self.every, evaluate, out)
            return
        if self.equal:
            out.update(self.equal.get(value, ()))
        for key, marks in self.unequal.items():
            if key != value:
                out.update(marks)
        if self.contains:
            for member in value:
                out.update(self.contains.get(member, ()))
        for op, (thresholds, marks) in self.above.items():
            if op == ">":  # threshold < value
                out.update(marks[:bisect_left(thresholds, value)])
            elif op == ">=":  # threshold <= value
                out.update(marks[:bisect_right(thresholds, value)])
            elif op == "<":  # value < threshold
                out.update(marks[bisect_right(thresholds, value):])
            else:  # value <= threshold
                out.update(marks[bisect_left(thresholds, value):])
        if self.other:
            _evaluate(self.other, evaluate, out)


def _evaluate(tests: dict[Any, tuple[ir.Node, list[int]]], evaluate: Callable[[ir.Node], Any],
              out: set[int]) -> None:
    for node, marks in tests.values():
        if evaluate(node) is not False:
            out.update(marks)


def _lookup(indexes: list[tuple[str, _Index]], values: Mapping[str, Any],
            evaluate: Callable[[ir.Node], Any], out: set[int]) -> None:
    """Each index's holding atoms at the named value; the commonest cases
    (unknown, a flag) without a call."""
    for name, index in indexes:
        value = values.get(name)
        if value is None:
            out.update(index.marks)
        elif value.__class__ is index.only_equal:
            found = index.equal.get(value)
            if found is not None:
                out.update(found)
        else:
            index.holding(value, evaluate, out)


def _key(node: ir.Node) -> Any:
    """A test's structure without its spans: the same key, the same value."""
    parts: list[Any] = [type(node).__name__]
    for field in attrs.fields(type(node)):
        if field.name == "span":
            continue
        value = getattr(node, field.name)
        if isinstance(value, tuple) and value and attrs.has(type(value[0])):
            value = tuple(_key(item) for item in value)
        elif attrs.has(type(value)) and not isinstance(value, Type):
            value = _key(value)
        parts.append(value)
    return tuple(parts)


class Guards:
    """Statements (rules, obligations, actions) indexed by their gates, by turn."""

    def __init__(self, statements: Iterable[tuple[str, ir.Node | None, str]], early: set[str], *,
                 facts_only: bool = False) -> None:
        """``statements``: each one's label, condition (None: always) and
        turn; ``early``: the definitions evaluated before any outcome;
        ``facts_only``: only the clauses before the first that reads
        anything but facts (for definitions, decided before any is
        evaluated)."""
        self.labels: list[str] = []  # the statements, by number
        self.clauses: list[int] = []  # how many clauses each one's gate has
        self.every: list[int] = []  # each one's clauses, one bit each (0: no gate)
        self.late_clauses: list[bool] = []  # whether a clause reads an outcome or a later definition
        self.free: dict[str, list[str]] = {}  # turn -> statements read whatever the facts
        self.facts: dict[str, _Index] = {}
        self.defines: dict[str, _Index] = {}
        # turn -> (kind, name) of what atoms read -> a reference to it, the index
        self.late: dict[str, dict[tuple[str, str], tuple[ir.Node, _Index]]] = {}
        self.turn_of: list[str] = []
        for label, condition, turn in statements:
            number = len(self.labels)
            self.labels.append(label)
            self.turn_of.append(turn)
            clauses = _clauses(condition) if condition is not None else []
            if facts_only:
                clauses = list(itertools.takewhile(
                    lambda clause: all(isinstance(ref, ir.FactRef) for _, names, _, _ in clause for ref in names),
                    clauses))
            self.clauses.append(len(clauses))
            self.every.append((1 << len(clauses)) - 1)
            late = False
            if not clauses:
                self.free.setdefault(turn, []).append(label)
            for i, clause in enumerate(clauses):
                for node, names, kind, keys in clause:
                    # an atom that reads anything late is looked up late
                    late_names = [ref for ref in names if not _early(ref, early)]
                    reads = (late_names or names)[0]
                    if isinstance(reads, ir.FactRef):
                        index = self.facts.setdefault(reads.name, _Index())
                    elif isinstance(reads, ir.DefineRef) and reads.name in early:
                        index = self.defines.setdefault(reads.name, _Index())
                    else:
                        late = True
                        key = (type(reads).__name__, reads.name)  # type: ignore[union-attr]
                        index = self.late.setdefault(turn, {}).setdefault(key, (reads, _Index()))[1]
                    index.add(number << CLAUSE_BITS | i, node, kind, keys)
            self.late_clauses.append(late)
        for index in (*self.facts.values(), *self.defines.values(),
                      *(index for indexes in self.late.values() for _, index in indexes.values())):
            index.seal()
        self.fact_indexes = list(self.facts.items())
        self.define_indexes = list(self.defines.items())

    def start(self, facts: Mapping[str, Any], defines: Mapping[str, Any],
              evaluate: Callable[[ir.Node], Any]) -> _Reading:
        """Look up the atoms on facts and early definitions: which
        statements each turn may read, as far as these tell."""
        marks: set[int] = set()
        _lookup(self.fact_indexes, facts, evaluate, marks)
        _lookup(self.define_indexes, defines, evaluate, marks)
        reading = _Reading({turn: list(labels) for turn, labels in self.free.items()})
        clauses, late, labels, turns = self.clauses, self.late_clauses, self.labels, self.turn_of
        for number, held in _clauses_held(marks).items():
            if held == clauses[number]:  # every clause has an atom not False
                reading.live.setdefault(turns[number], []).append(labels[number])
            elif late[number]:  # the turn's atoms may hold the others
                reading.held[number] = _bits(number, clauses[number], marks)
        return reading

    def turn(self, reading: _Reading, turn: str, evaluate: Callable[[ir.Node], Any]) -> set[str]:
        """The statements of ``turn`` whose conditions may hold: each other
        one has a clause whose atoms are all False, which evaluating it
        would find before anything that could fail. Everything the turn's
        atoms read must be final: the outcomes before it decided, the
        definitions that wait for them evaluated."""
        found = set(reading.live.get(turn, ()))
        indexes = self.late.get(turn)
        if indexes:
            marks: set[int] = set()
            for reads, index in indexes.values():
                index.holding(evaluate(reads), evaluate, marks)
            clauses, every, labels = self.clauses, self.every, self.labels
            for number in _clauses_held(marks):
                if _bits(number, clauses[number], marks) | reading.held.get(number, 0) == every[number]:
                    found.add(labels[number])
        return found


def _clauses_held(marks: set[int]) -> Counter[int]:
    """For each statement with a mark, how many of its clauses hold (a mark
    is one clause's: the set holds each once)."""
    return Counter(map(operator.rshift, marks, itertools.repeat(CLAUSE_BITS)))


def _bits(number: int, clauses: int, marks: set[int]) -> int:
    """The clauses of statement ``number`` that ``marks`` hold, one bit each."""
    first = number << CLAUSE_BITS
    return sum(1 << i for i in range(clauses) if first | i in marks)


class _Reading:
    """What the atoms read at the start tell, per turn."""

    def __init__(self, live: dict[str, list[str]]) -> None:
        self.live = live  # turn -> rules that may apply
        self.held: dict[int, int] = {}  # rule with late clauses -> its early clauses that hold, as bits


# an atom found in a guard: the test, the names it reads (a reference to each
# fact, definition or outcome), how it is looked up, and the keys
_Found = tuple[ir.Node, list[ir.Node], str, tuple[Any, ...]]


def _early(ref: ir.Node, early: set[str]) -> bool:
    """Whether a name is known before any outcome: a fact, or a definition
    that reads no outcome."""
    return isinstance(ref, ir.FactRef) or (isinstance(ref, ir.DefineRef) and ref.name in early)


def _clauses(node: ir.Node) -> list[list[_Found]]:
    """The clauses of a guard (see the module's docstring): each a list of
    atoms, the guard false without an error when all of one are False."""
    if isinstance(node, ir.BoolOp) and node.op == "and":
        found: list[list[_Found]] = []
        for operand in _conjuncts(node):
            clause = _clause(operand)
            if clause is None or len(found) == MOST_CLAUSES:
                break
            found.append(clause)
        return found
    clause = _clause(node)
    return [] if clause is None else [clause]


def _conjuncts(node: ir.Node) -> list[ir.Node]:
    """The operands of nested ``and``, in the order they are read."""
    if isinstance(node, ir.BoolOp) and node.op == "and":
        return [leaf for operand in node.operands for leaf in _conjuncts(operand)]
    return [node]


def _clause(node: ir.Node) -> list[_Found] | None:
    """Atoms all False only when ``node`` is False, found without an error."""
    if isinstance(node, ir.BoolOp):
        if node.op == "and":
            return _clause(node.operands[0])
        atoms: list[_Found] = []
        for operand in node.operands:
            found = _clause(operand)
            if found is None:
                return None
            atoms.extend(found)
        return atoms
    names = _names(node)
    if not names:
        return None
    kind, keys = _shape(node) if len(names) == 1 else ("other", ())
    return [(node, [names[key] for key in sorted(names)], kind, keys)]


def _names(node: ir.Node) -> dict[tuple[str, str], ir.Node] | None:
    """The names a test reads (a reference to each), or None when it could
    fail."""
    found: dict[tuple[str, str], ir.Node] = {}
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ir.BinOp):  # the time between two instants: never fails
            if current.op != "-" or current.left.type.kind != "datetime" or current.right.type.kind != "datetime":
                return None
        elif not isinstance(current, _SAFE):
            return None
        if isinstance(current, (ir.FactRef, ir.DefineRef, ir.OutcomeRef)):
            found.setdefault((type(current).__name__, current.name), current)
        stack.extend(ir.children(current))
    return found


def _shape(node: ir.Node) -> tuple[str, tuple[Any, ...]]:
    """How the index can look an atom up: ``equal``/``unequal`` to keys,
    ``contains`` one of the keys, a threshold (``>`` etc.: the value's
    relation to the key), or ``other`` (evaluated)."""
    if isinstance(node, _NAMES) and node.type.kind == "bool":
        return "equal", (True,)
    if isinstance(node, ir.Not) and isinstance(node.operand, _NAMES) \
            and node.operand.type.kind == "bool":
        return "equal", (False,)
    if isinstance(node, ir.Compare):
        name, const, op = node.left, node.right, node.op
        if isinstance(name, ir.Const):
            name, const, op = const, name, _FLIP.get(op, op)
        if isinstance(name, _NAMES) and isinstance(const, ir.Const) and const.value is not None:
            if op == "==":
                return "equal", (const.value,)
            if op == "!=":
                return "unequal", (const.value,)
            return op, (const.value,)
    if isinstance(node, ir.Member) and not node.negated:
        if isinstance(node.element, _NAMES) and isinstance(node.collection, ir.Const) \
                and node.collection.value:
            return "equal", _sorted(node.collection.value)
        if isinstance(node.element, ir.Const) and isinstance(node.collection, _NAMES) \
                and isinstance(node.element.value, str):
            return "contains", (node.element.value,)
    if isinstance(node, ir.SetTest) and node.op == "intersects":
        name, const = (node.left, node.right) if isinstance(node.right, ir.Const) else (node.right, node.left)
        if isinstance(name, _NAMES) and isinstance(const, ir.Const) \
                and all(isinstance(m, str) for m in const.value):
            return "contains", _sorted(const.value)
    return "other", ()


def _sorted(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(sorted(values))
