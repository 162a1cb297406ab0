"""Which arithmetic on numbers that need not be whole the solver may read exactly.

Python adds and multiplies such numbers as binary floats, which round
(``0.1 + 0.2`` is ``0.30000000000000004``), and the solver's reals do not;
an encoding that read every float sum as exact would prove things of a
ruleset the interpreter does not do. But a ruleset often computes with a
few numbers it states itself: the points of ENISA's method (``0.25``,
``0.5``, ``0.75``) and the sums and products of such. When every operand
can take only a few values, known before any incident, each combination can
be tried in Python, as the interpreter computes it, and compared with the
exact result. If none rounds, the float arithmetic *is* the exact
arithmetic on every incident, and the solver may read it as such.

:class:`Finite` finds those values: of constants, of ``points``, of
whole-number facts bounded on both sides (a ``count 0..3``), and of ``+``,
``-``, ``*``, ``min`` and ``max`` of such (so ``max(1, min(4, basic +
steps))`` of such), as long as there are at most :data:`MAX_VALUES` of them
and no combination rounds. Each value is kept as Python computes it, so a
whole number stays an ``int``.
Anything else (a ``number`` fact, a quotient, a sum that rounds) has no
such values, and the encoding still refuses it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from breachrules import ir
from breachrules.arithmetic import times
from breachrules.program import Program

MAX_VALUES = 64
# Combinations tried for one program, all expressions together: a ruleset
# is untrusted, and twenty definitions each pairing a thousand values would
# otherwise keep ``check`` busy for minutes. Past it, an expression has no
# known values, and the encoding refuses it (searched, not proved).
MAX_COMBINATIONS = 200_000

Values = tuple[int | float, ...]

# Each operator as the interpreter applies it, and on exact values.
_PYTHON: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": times}
_EXACT: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul}


class Finite:
    """The values the number expressions of one program can take."""

    def __init__(self, program: Program) -> None:
        self.program = program
        # by id, with the node kept so that its id stays its own (as codegen's _Risky)
        self._memo: dict[int, tuple[ir.Node, Values | None]] = {}
        self._budget = MAX_COMBINATIONS
        # each definition's values, found in dependency order: a chain of ten
        # thousand definitions is ten thousand steps, not as many frames
        self.definitions: dict[str, Values | None] = {}
        for define in program.defines:
            self.definitions[define.name] = self.values(define.expr)

    def values(self, node: ir.Node) -> Values | None:
        """Every value ``node`` can take, as Python computes it (a whole
        number an ``int``, others as the interpreter makes them), or None
        when they are not few, not known, or some arithmetic on the way
        rounds."""
        remembered = self._memo.get(id(node))
        if remembered is None:
            remembered = self._memo[id(node)] = (node, self._values(node))
        return remembered[1]

    def _values(self, node: ir.Node) -> Values | None:
        if node.type.kind != "number":
            return None
        if isinstance(node, ir.Const):
            return (node.value,)
        if isinstance(node, ir.Points):
            return _few(_distinct(node.values))
        if isinstance(node, ir.DefineRef):
            return self.definitions[node.name]
        if isinstance(node, ir.FactRef):
            return self._fact(node.name)
        if isinstance(node, ir.Negate):
            inner = self.values(node.operand)
            return None if inner is None else _distinct(-v for v in inner)
        if isinstance(node, ir.BinOp) and node.op in _EXACT:
            found = self.values(node.left)
            return None if found is None else self._combine(found, self.values(node.right), node.op)
        if isinstance(node, ir.Call) and node.function == "size":
            return _few(tuple(range(len(node.args[0].type.members) + 1)))
        if isinstance(node, ir.Call):
            pick = min if node.function == "min" else max
            found = self.values(node.args[0])
            for arg in node.args[1:]:
                if found is None:
                    return None
                found = self._combine(found, self.values(arg), pick)
            return found
        return None

    def _fact(self, name: str) -> Values | None:
        """A whole-number fact bounded on both sides: each value of its range."""
        type_ = self.program.facts[name].type
        if not type_.integral or type_.low is None or type_.high is None:
            return None
        low, high = math.ceil(type_.low), math.floor(type_.high)
        return tuple(range(low, high + 1)) if 0 < high - low + 1 <= MAX_VALUES else None

    def _combine(self, left: Values, right: Values | None, operation: str | Callable[[Any, Any], Any]) -> Values | None:
        """Every result of ``operation`` (an arithmetic operator, or ``min``
        or ``max``) on a value of each side, as the interpreter gives it;
        None when an arithmetic result is not the exact one (it rounds, or
        overflows) or when there are too many."""
        if right is None or len(left) * len(right) > self._budget:
            return None
        self._budget -= len(left) * len(right)
        results = []
        for a in left:
            for b in right:
                if not isinstance(operation, str):
                    results.append(operation(a, b))
                    continue
                try:
                    result = _PYTHON[operation](a, b)
                except OverflowError:  # a whole product past the interpreter's bound: it fails there
                    return None
                if isinstance(result, float) and not math.isfinite(result) \
                        or Fraction(result) != _EXACT[operation](Fraction(a), Fraction(b)):
                    return None
                results.append(result)
        return _few(_distinct(results))


def _few(values: Values) -> Values | None:
    return values if len(values) <= MAX_VALUES else None


def _distinct(values: Iterable[int | float]) -> Values:
    """The values without repeats, an ``int`` and a ``float`` of one value
    kept apart: what follows from them may differ (``2**60 + 1`` is exact,
    ``2.0**60 + 1`` is not)."""
    seen: dict[tuple[type, int | float], None] = {}
    for value in values:
        seen.setdefault((type(value), value), None)
    return tuple(value for _, value in seen)
