"""The tests a statement's condition cannot hold without: an index for the
generated code of a large program.

A large ruleset has many rules, and an incident makes few of them apply.
Reading every condition costs in proportion to the file; reading only the
statements whose opening test holds costs in proportion to what applies.
:mod:`breachrules.codegen` groups a large program's statements (rules,
obligations) by such a test, and tests each once: every rule whose
condition begins ``encrypted and ...`` under one ``if encrypted:``, every
threshold on one fact under the loosest of them.

A *clause* of a condition is a list of *atoms*, tests of which at least one
holds whenever the condition does, and such that when every one is False
the condition is False *without anything that can fail having been
evaluated*: so skipping the statement skips no error the interpreter would
raise (the interpreter is the reference; see :mod:`breachrules.codegen`).

- ``a and b and ...``: the clause of an operand read before anything that
  can fail (the shortest such clause);
- ``a or b or ...``: the atoms of every operand's clause (each must have one);
- a definition that cannot fail: the clause of its expression;
- a test that cannot fail: itself, as an atom.

An atom has a *subject*, the value it tests (a fact, an outcome, a
definition computed already, the time between two instants), and a kind:
``true``, ``false``, ``equal`` (to a constant), ``contains`` (a member),
a threshold (``>``, ``>=``, ``<``, ``<=`` a constant) or ``other`` (a test
read as it is, without a subject).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from breachrules import ir

# How deep a clause is looked for through definitions.
_DEPTH = 40
_NAMES = (ir.FactRef, ir.OutcomeRef, ir.DefineRef)
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
THRESHOLDS = (">", ">=", "<", "<=")


class Atom(NamedTuple):
    kind: str
    subject: ir.Node | None  # None for ``other``
    key: Any  # the constant, member or threshold; None for ``true``, ``false``, ``other``
    node: ir.Node  # the test itself


class Clauses:
    """Finds clauses. ``through``: the definitions written where they are
    read (their clause is their expression's); every other definition is
    computed before it is read, and is a subject."""

    def __init__(self, risky: Callable[[ir.Node], bool], through: Mapping[str, ir.Node]) -> None:
        self.risky = risky
        self.through = through
        self._defines: dict[str, list[Atom] | None] = {}

    def of(self, node: ir.Node, depth: int = 0) -> list[Atom] | None:
        """The clause of a condition, or None (no clause: always read)."""
        if depth > _DEPTH:
            return None
        if isinstance(node, ir.BoolOp) and node.op == "and":
            best: list[Atom] | None = None
            for operand in node.operands:
                found = self.of(operand, depth + 1)
                if found is not None and (best is None or len(found) < len(best)):
                    best = found
                if (best is not None and len(best) == 1) or self.risky(operand):
                    break  # (what follows an operand that can fail is not a clause)
            return best
        if isinstance(node, ir.BoolOp):
            atoms: list[Atom] = []
            for operand in node.operands:
                found = self.of(operand, depth + 1)
                if found is None:
                    return None
                atoms += found
            return atoms
        if isinstance(node, ir.DefineRef) and node.name in self.through:
            if node.name not in self._defines:
                self._defines[node.name] = None  # (a cycle cannot be, but a clause is not worth one)
                self._defines[node.name] = self.of(self.through[node.name], depth + 1)
            return self._defines[node.name]
        if self.risky(node):
            return None
        return self._atoms(node)

    def _atoms(self, node: ir.Node) -> list[Atom] | None:
        """A test that cannot fail, as atoms with a subject where it has one."""
        if isinstance(node, _NAMES) and node.type.kind == "bool":
            return [Atom("true", node, None, node)]
        if isinstance(node, ir.Not) and isinstance(node.operand, _NAMES) and node.operand.type.kind == "bool":
            return [Atom("false", node.operand, None, node)]
        if isinstance(node, ir.Const):
            return None  # (true: no clause; false: never, and rare)
        if isinstance(node, ir.IsKnown):
            return None  # every fact is known on the fast path: no test there
        if isinstance(node, ir.Compare):
            subject, constant, op = node.left, node.right, node.op
            if isinstance(subject, ir.Const):
                subject, constant, op = constant, subject, _FLIP[op]
            if isinstance(constant, ir.Const) and not isinstance(subject, ir.Const) and _ordered(constant.value):
                if op == "==":
                    return [Atom("equal", subject, constant.value, node)]
                if op in THRESHOLDS:
                    return [Atom(op, subject, constant.value, node)]
        if isinstance(node, ir.Member) and not node.negated:
            if isinstance(node.collection, ir.Const) and not isinstance(node.element, ir.Const) \
                    and all(isinstance(m, str) for m in node.collection.value):
                return [Atom("equal", node.element, m, node) for m in sorted(node.collection.value)] or None
            if isinstance(node.element, ir.Const) and isinstance(node.element.value, str) \
                    and not isinstance(node.collection, ir.Const):
                return [Atom("contains", node.collection, node.element.value, node)]
        if isinstance(node, ir.SetTest) and node.op == "intersects":
            subject, constant = (node.left, node.right) if isinstance(node.right, ir.Const) else (node.right, node.left)
            if isinstance(constant, ir.Const) and not isinstance(subject, ir.Const) \
                    and all(isinstance(m, str) for m in constant.value):
                return [Atom("contains", subject, m, node) for m in sorted(constant.value)] or None
        return [Atom("other", None, None, node)]


def _ordered(value: Any) -> bool:
    """A constant an atom may be keyed by: a member, a level, a number, a
    duration or an instant (not a bool or a set)."""
    return value is not None and not isinstance(value, (bool, frozenset))
