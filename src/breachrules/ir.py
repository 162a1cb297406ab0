"""Resolved, typed expressions: what the checker makes of the syntax tree.

Every name is bound (a fact, a definition, an outcome or a constant), every
node knows its type, and members of enums and levels of scales are already
constants. The interpreter and the code generator both work from these.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from breachrules.spans import Span
from breachrules.types import Type


@attrs.frozen
class Const:
    value: Any
    type: Type
    span: Span


@attrs.frozen
class FactRef:
    name: str
    type: Type
    span: Span


@attrs.frozen
class DefineRef:
    name: str
    type: Type
    span: Span


@attrs.frozen
class OutcomeRef:
    name: str
    type: Type
    span: Span


@attrs.frozen
class ObligationRef:
    """Whether an obligation is required, in the end: read only by
    invariants, which speak of what the assessment decides."""

    name: str
    type: Type
    span: Span


@attrs.frozen
class Not:
    operand: Node
    type: Type
    span: Span


@attrs.frozen
class BoolOp:
    op: str  # and | or
    operands: tuple[Node, ...]
    type: Type
    span: Span


@attrs.frozen
class Compare:
    op: str  # == != < <= > >=
    left: Node
    right: Node
    type: Type
    span: Span


@attrs.frozen
class Member:
    element: Node
    collection: Node
    negated: bool
    type: Type
    span: Span


@attrs.frozen
class SetTest:
    op: str  # intersects | subset
    left: Node
    right: Node
    type: Type
    span: Span


@attrs.frozen
class IsKnown:
    operand: Node
    negated: bool
    type: Type
    span: Span


@attrs.frozen
class BinOp:
    op: str  # + - * / & | (& and | on sets)
    left: Node
    right: Node
    type: Type
    span: Span


@attrs.frozen
class Negate:
    operand: Node
    type: Type
    span: Span


@attrs.frozen
class Call:
    function: str  # size | min | max
    args: tuple[Node, ...]
    type: Type
    span: Span


@attrs.frozen
class Bands:
    """A score: a number placed in the bands of a scale (ENISA style)."""

    operand: Node
    limits: tuple[int | float, ...]  # "below" limits, ascending
    levels: tuple[int, ...]  # one more than limits: the last is "otherwise"
    type: Type
    span: Span


@attrs.frozen
class Points:
    """The number a member (or level) is worth: the inverse of a score.

    ``values[i]`` is what the i-th of ``members`` is worth, in the order
    the operand's type declares them; the operand's value at run time is a
    member's name (an enum) or a level's index (a scale). Every member has
    its number, so the lookup never fails."""

    operand: Node
    members: tuple[str, ...]
    values: tuple[int | float, ...]
    type: Type
    span: Span

    def keys(self) -> tuple[Any, ...]:
        """The operand's run-time values, in the order of ``values``."""
        return tuple(range(len(self.members))) if self.operand.type.kind == "level" else self.members

    def worth(self, value: Any) -> int | float:
        """What the operand's run-time value is worth."""
        return self.values[self.keys().index(value)]


Node = (
    Const | FactRef | DefineRef | OutcomeRef | ObligationRef | Not | BoolOp | Compare | Member | SetTest | IsKnown
    | BinOp | Negate | Call | Bands | Points
)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Not, IsKnown, Negate, Bands, Points)):
        return (node.operand,)
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Member):
        return (node.element, node.collection)
    if isinstance(node, (Compare, SetTest, BinOp)):
        return (node.left, node.right)
    return ()


def references(node: Node) -> tuple[set[str], set[str], set[str]]:
    """The facts, definitions and outcomes an expression reads."""
    facts: set[str] = set()
    defines: set[str] = set()
    outcomes: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, FactRef):
            facts.add(current.name)
        elif isinstance(current, DefineRef):
            defines.add(current.name)
        elif isinstance(current, OutcomeRef):
            outcomes.add(current.name)
        stack.extend(children(current))
    return facts, defines, outcomes


def tested_members(node: Node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The members of enum and set facts a condition tests for by name
    (``health in data_categories``, ``data_categories intersects {a, b}``,
    ``exposed_to in {a, b}``), per fact, in the order its type declares
    them: what a reason can name when it says which of them matched."""
    found: dict[str, set[str]] = {}
    fact_types: dict[str, tuple[str, ...]] = {}
    stack = [node]
    while stack:
        current = stack.pop()
        pairs: list[tuple[Node, Node]] = []
        if isinstance(current, Member) and not current.negated:
            pairs = [(current.collection, current.element), (current.element, current.collection)]
        elif isinstance(current, SetTest):
            pairs = [(current.left, current.right), (current.right, current.left)]
        for fact, named in pairs:
            if isinstance(fact, FactRef) and isinstance(named, Const) and fact.type.kind in ("enum", "set"):
                value = named.value
                found.setdefault(fact.name, set()).update(value if isinstance(value, frozenset) else {value})
                fact_types[fact.name] = fact.type.members
        stack.extend(children(current))
    return tuple((fact, tuple(m for m in fact_types[fact] if m in members)) for fact, members in sorted(found.items()))


def references_through(nodes: Iterable[Node], definitions: Mapping[str, Node]) -> tuple[set[str], set[str]]:
    """The facts and outcomes expressions read, directly or through the
    definitions they read (``definitions``: each definition's expression)."""
    facts: set[str] = set()
    outcomes: set[str] = set()
    seen: set[str] = set()
    pending = list(nodes)
    while pending:
        read, through, levels = references(pending.pop())
        facts |= read
        outcomes |= levels
        for name in through - seen:
            seen.add(name)
            if name in definitions:
                pending.append(definitions[name])
    return facts, outcomes


# What the comparison operators mean, for values and for the solver's terms alike.
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
