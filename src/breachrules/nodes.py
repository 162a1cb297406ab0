"""The syntax tree of a ruleset file, as the parser builds it.

Nodes are small frozen attrs classes and every one carries its span. They
hold what the author wrote, unresolved: a bare name may turn out to be a
fact, a definition, an outcome or a level of a scale, and only the checker
(:mod:`breachrules.checker`) decides which.
"""

from __future__ import annotations

from datetime import timedelta

import attrs

from breachrules.spans import Span


@attrs.frozen
class Ident:
    name: str
    span: Span


@attrs.frozen
class Text:
    """A quoted string: a message id, a citation or a text literal."""

    value: str
    span: Span


# ------------------------------------------------------------------ expressions


@attrs.frozen
class Name:
    name: str
    span: Span


@attrs.frozen
class Qualified:
    """``scale.level`` or ``fact.member``: a member named without ambiguity."""

    owner: str
    member: str
    span: Span


@attrs.frozen
class NumberLit:
    value: int | float
    span: Span


@attrs.frozen
class DurationLit:
    value: timedelta
    text: str
    span: Span


@attrs.frozen
class StringLit:
    value: str
    span: Span


@attrs.frozen
class BoolLit:
    value: bool
    span: Span


@attrs.frozen
class SetLit:
    members: tuple[Ident, ...]
    span: Span


@attrs.frozen
class Not:
    operand: Expr
    span: Span


@attrs.frozen
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]
    span: Span


@attrs.frozen
class Compare:
    op: str  # == != < <= > >=
    left: Expr
    right: Expr
    span: Span


@attrs.frozen
class Member:
    element: Expr
    collection: Expr
    negated: bool
    span: Span


@attrs.frozen
class SetTest:
    op: str  # "intersects" | "subset"
    left: Expr
    right: Expr
    span: Span


@attrs.frozen
class IsKnown:
    operand: Expr
    negated: bool
    span: Span


@attrs.frozen
class BinOp:
    op: str  # + - * / & |
    left: Expr
    right: Expr
    span: Span


@attrs.frozen
class Negate:
    operand: Expr
    span: Span


@attrs.frozen
class Call:
    function: Ident
    args: tuple[Expr, ...]
    span: Span


Expr = (
    Name | Qualified | NumberLit | DurationLit | StringLit | BoolLit | SetLit | Not | BoolOp
    | Compare | Member | SetTest | IsKnown | BinOp | Negate | Call
)


def names_read(expr: Expr) -> list[Name]:
    """The bare names an expression reads, found without recursion."""
    found: list[Name] = []
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.append(node)
        elif isinstance(node, (Not, Negate, IsKnown)):
            stack.append(node.operand)
        elif isinstance(node, BoolOp):
            stack.extend(reversed(node.operands))
        elif isinstance(node, Call):
            stack.extend(reversed(node.args))
        elif isinstance(node, Member):
            stack.extend((node.collection, node.element))
        elif isinstance(node, (Compare, SetTest, BinOp)):
            stack.extend((node.right, node.left))
    return found


# ------------------------------------------------------------------ fact types


@attrs.frozen
class TypeExpr:
    """A fact type as written: ``bool``, ``count 1..``, ``{a, b}``, ``set of {a}``..."""

    kind: str  # bool count integer number duration datetime text enum set scale
    span: Span
    low: int | float | None = None
    high: int | float | None = None
    members: tuple[Ident, ...] = ()
    scale: Ident | None = None


# ------------------------------------------------------------------ statements


@attrs.frozen
class Header:
    name: Ident
    extends: Ident | Text | None
    version: Text | None
    title: Text | None
    source: Text | None
    span: Span


@attrs.frozen
class Scale:
    name: Ident
    levels: tuple[Ident, ...]
    span: Span


@attrs.frozen
class Fact:
    name: Ident
    type: TypeExpr
    default: Expr | None
    question: Text | None
    span: Span


@attrs.frozen
class Define:
    name: Ident
    expr: Expr
    span: Span


@attrs.frozen
class Band:
    below: int | float | None  # None: "otherwise"
    level: Ident
    span: Span


@attrs.frozen
class Score:
    name: Ident
    scale: Ident
    expr: Expr
    bands: tuple[Band, ...]
    span: Span


@attrs.frozen
class Point:
    """One line of ``points``: a member (or level) and the number it is worth."""

    member: Ident
    value: int | float
    span: Span


@attrs.frozen
class Points:
    """``points NAME = EXPR`` and a number for each member of the enum (or
    level of the scale) ``expr`` gives: the inverse of a score."""

    name: Ident
    expr: Expr
    points: tuple[Point, ...]
    span: Span


@attrs.frozen
class Conclusion:
    outcome: Ident
    level: Expr
    span: Span


@attrs.frozen
class WithoutUndueDelay:
    span: Span


@attrs.frozen
class CitePart:
    """One step into a reference: ``article 33(3)(a)`` is the part
    ``article`` with the values ``33``, ``3``, ``a``; ``example 3 and 7 to
    9`` is ``example`` with the ranges ``3`` and ``7-9``."""

    kind: str  # article | recital | annex | example | page | section | case
    values: tuple[str, ...]
    span: Span


@attrs.frozen
class Citation:
    """A declared reference and the place in it, or a text cited as written."""

    reference: Ident | None
    parts: tuple[CitePart, ...]
    text: Text | None  # a quoted citation: no reference, no parts
    span: Span


@attrs.frozen
class Clauses:
    """The optional clauses of a rule or obligation, each at most once."""

    because: Text | None = None
    says: Text | None = None
    cite: tuple[Citation, ...] = ()
    instead: Ident | None = None
    due: Expr | WithoutUndueDelay | None = None
    done: Ident | None = None
    late_requires: Ident | None = None


@attrs.frozen
class Rule:
    """A base rule (``rule``), an exception to a rule, or an exemption from
    an obligation; ``kind`` tells which, ``base`` names what it overrides."""

    kind: str  # "rule" | "exception" | "exemption"
    label: Ident
    base: Ident | None
    condition: Expr | None  # None: "always"
    conclusions: tuple[Conclusion, ...]
    clauses: Clauses
    span: Span


@attrs.frozen
class TableRow:
    label: Ident
    cells: tuple[Ident, ...]
    span: Span


@attrs.frozen
class Combine:
    outcome: Ident
    rows_scale: Ident
    columns_scale: Ident
    rows: tuple[TableRow, ...]
    span: Span


@attrs.frozen
class Obligation:
    name: Ident
    condition: Expr | None
    always: bool
    clauses: Clauses
    span: Span


@attrs.frozen
class ChecklistItem:
    name: Ident
    facts: tuple[Ident, ...]
    clauses: Clauses
    span: Span


@attrs.frozen
class Checklist:
    name: Ident
    obligation: Ident
    items: tuple[ChecklistItem, ...]
    span: Span


@attrs.frozen
class Plan:
    name: Ident
    phases: tuple[Ident, ...]
    span: Span


@attrs.frozen
class NoticePart:
    """One part of a notice (``what_happened: breach_description, ...``):
    the facts and plans that fill it, in the order the letter tells them."""

    part: Ident
    sources: tuple[Ident, ...]
    span: Span


@attrs.frozen
class Notice:
    name: Ident
    obligations: tuple[Ident, ...]
    parts: tuple[NoticePart, ...]
    span: Span


@attrs.frozen
class Action:
    name: Ident
    phase: Ident
    condition: Expr | None  # None: "always"
    clauses: Clauses
    span: Span


@attrs.frozen
class Invariant:
    name: Ident
    expr: Expr
    clauses: Clauses
    span: Span


@attrs.frozen
class Monotone:
    """``aggravating`` or ``mitigating``: facts, or one fact with chains of
    its members, lowest first."""

    direction: str  # aggravating | mitigating
    facts: tuple[Ident, ...]
    chains: tuple[tuple[Ident, ...], ...]
    span: Span


@attrs.frozen
class Replaced:
    """``replaced OLD by NEW``: a fact of an earlier version, whose answers
    now go to ``new``. Kept so that an old intake form is told what to send
    instead of being told that its key means nothing."""

    old: Ident
    new: Ident
    span: Span


@attrs.frozen
class Reference:
    """A source that citations point into: a ``law`` (cited by article,
    recital or annex) or a ``document`` (by annex, example, page, section or
    case), with the message id of its name."""

    name: Ident
    kind: str  # law | document
    message: Text
    span: Span


Statement = (
    Scale | Fact | Define | Score | Points | Rule | Combine | Obligation | Checklist | Plan | Action | Invariant
    | Monotone | Replaced
    | Reference | Notice
)


@attrs.frozen
class Module:
    """One parsed file."""

    header: Header
    statements: tuple[Statement, ...]
    file: str
