"""Python source for the expressions of a generated function, and the
bookkeeping of its names and constants (see :mod:`breachrules.codegen`).

A generated name is a kind letter and an index (``o0_risk``, ``c3_1``), so
two declarations can never share a variable, whatever their names; the
name after the index is only there for a reader. A literal is written as
its ``repr`` only where that is exactly itself (booleans, small integers,
member names, finite floats); every other one is a constant of the
function's namespace.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from breachrules import ir
from breachrules.arithmetic import times
from breachrules.program import Program
from breachrules.validator import Checks

# How deep a definition may be to be written where it is used.
INLINE_DEPTH = 12
SMALL_INT = 2**31


class Emitter:
    """Lines, names, constants and expressions of one generated function."""

    def __init__(self, program: Program, traced: bool) -> None:
        self.program = program
        self.traced = traced
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self._constant_names: dict[tuple[type, Any], str] = {}
        self.temp = 0
        reading = read_program(program)
        self.uses = reading.uses
        self.risky = Risky()
        # Names by index: unique by construction.
        read = reading.facts
        self.fact_var = {name: f"f{i}_{name}" for i, name in enumerate(sorted(read))}
        # on the fast path, a set fact read only by tests that any container
        # answers alike is kept as the caller gave it (see read_program)
        self.raw_sets = reading.container_safe
        self.checks = Checks(program, frozenset(read), strict=True, fallback="raise _Decline", raw=self.raw_sets,
                             snapshot=traced)
        self.fact_locals = False  # a fact's value is in the checked locals, not in the dict f
        self.define_var = {d.name: f"d{i}_{d.name}" for i, d in enumerate(program.defines)}
        self.outcome_index = {o.name: i for i, o in enumerate(program.outcomes)}
        self.rule_index = {label: i for i, label in enumerate(program.rules)}
        self.ob_index = {ob.name: i for i, ob in enumerate(program.obligations)}
        # On the fast path a fact read once is read where it is used, and a
        # definition used once that cannot fail is written where it is used.
        self.inline_facts = not traced
        self.inlined_defines: dict[str, ir.Node] = {}
        if not traced:
            depths: dict[str, int] = {}
            for d in program.defines:  # dependency order: what a definition reads is measured already
                depths[d.name] = _depth(d.expr, depths, self.inlined_defines)
                if self.uses.get(d.name, 0) == 1 and not self.risky(d.expr) and depths[d.name] <= INLINE_DEPTH:
                    self.inlined_defines[d.name] = d.expr
                else:
                    depths[d.name] = 0
        self.lazy: dict[str, ir.Node] = {}  # definitions computed where read, by a function (see codegen)
        self.in_function = False  # writing a definition's function: facts are read from f
        # A rule's variables by its place in the tree being written (see _root), not by its
        # own number: a function with a local for every rule costs, at each call, one
        # word per rule to set up.
        self.slots: dict[str, int] | None = None

    # -------------------------------------------------------------- names

    def o(self, outcome: str) -> str:
        return f"o{self.outcome_index[outcome]}_{outcome}"

    def r(self, label: str) -> str:
        if self.slots is not None:
            return f"r_{self.slots[label]}"
        return f"r{self.rule_index[label]}_{label}"

    def c(self, label: str, outcome: str) -> str:
        if self.slots is not None:
            return f"c_{self.slots[label]}_{self.outcome_index[outcome]}"
        return f"c{self.rule_index[label]}_{self.outcome_index[outcome]}"

    def ob(self, kind: str, name: str) -> str:
        return f"{kind}{self.ob_index[name]}_{name}"

    # -------------------------------------------------------------- output

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def constant(self, value: Any) -> str:
        """A name in the namespace for ``value``; the same name for an equal value."""
        try:
            key: tuple[type, Any] | None = (type(value), value)
            found = self._constant_names.get(key)  # type: ignore[arg-type]
        except TypeError:  # unhashable: a table of cells, a dict
            key, found = None, None
        if found is not None:
            return found
        name = f"_K{len(self.constants)}"
        self.constants[name] = value
        if key is not None:
            self._constant_names[key] = name
        return name

    def _bit(self, bit: int) -> str:
        """``1 << bit``, as a literal while small, else a constant of the namespace."""
        return self._bit_constant(1 << bit)

    def _bit_constant(self, value: int) -> str:
        return str(value) if value < SMALL_INT else self.constant(value)

    # -------------------------------------------------------------- expressions

    def expr(self, node: ir.Node) -> str:
        method: Callable[[Any], str] = getattr(self, "_x_" + type(node).__name__)
        return method(node)

    def _x_Const(self, node: ir.Const) -> str:
        return self.literal(node.value)

    def literal(self, value: Any) -> str:
        """A literal as a reader would write it when its ``repr`` is exactly
        itself (booleans, small integers, member names, finite floats);
        anything else as a constant of the namespace."""
        kind = type(value)
        if kind is bool or (kind is int and -SMALL_INT < value < SMALL_INT) or (
            kind is str and value.isidentifier() and value.isascii() and len(value) <= 40
        ) or (kind is float and math.isfinite(value)):  # a finite float's repr reads back exactly
            return repr(value)
        return self.constant(value)

    def _x_FactRef(self, node: ir.FactRef) -> str:
        if self.in_function:
            return f"f[{node.name!r}]"
        if self.fact_locals:
            return self.checks.var(node.name)
        if self.inline_facts and self.uses.get(node.name, 0) <= 1:
            return f"f[{node.name!r}]"
        return self.fact_var[node.name]

    def _x_DefineRef(self, node: ir.DefineRef) -> str:
        if node.name in self.inlined_defines:
            return self.expr(self.inlined_defines[node.name])
        if node.name in self.lazy:
            return f"_{self.define_var[node.name]}(f, m)"
        return self.define_var[node.name]

    def _x_OutcomeRef(self, node: ir.OutcomeRef) -> str:
        return self.o(node.name)

    def _x_Not(self, node: ir.Not) -> str:
        return f"(not {self.expr(node.operand)})"

    def _x_BoolOp(self, node: ir.BoolOp) -> str:
        return "(" + f" {node.op} ".join(self.expr(o) for o in node.operands) + ")"

    def _x_Compare(self, node: ir.Compare) -> str:
        return f"({self.expr(node.left)} {node.op} {self.expr(node.right)})"

    def _x_Member(self, node: ir.Member) -> str:
        op = "not in" if node.negated else "in"
        return f"({self.expr(node.element)} {op} {self.expr(node.collection)})"

    def _x_SetTest(self, node: ir.SetTest) -> str:
        """A test that also answers for a set fact kept as a list or tuple
        (see :func:`read_program`): the method of the other side is called."""
        left, right = self.expr(node.left), self.expr(node.right)
        raw_left, raw_right = self._raw(node.left), self._raw(node.right)
        if node.op == "intersects":
            return f"(not {right}.isdisjoint({left}))" if raw_left else f"(not {left}.isdisjoint({right}))"
        if raw_left:
            return f"{right}.issuperset({left})"
        return f"{left}.issubset({right})" if raw_right else f"({left} <= {right})"

    def _raw(self, node: ir.Node) -> bool:
        return isinstance(node, ir.FactRef) and node.name in self.raw_sets

    def _x_IsKnown(self, node: ir.IsKnown) -> str:
        # On the fast path every value is known; the operand is still
        # evaluated when it can fail, as the interpreter evaluates it.
        if not self.risky(node.operand):
            return "False" if node.negated else "True"
        return f"({self.expr(node.operand)} is {'' if node.negated else 'not '}None)"

    def _x_BinOp(self, node: ir.BinOp) -> str:
        if node.op == "*" and node.type.kind == "number":
            self.constants["_times"] = times  # whole numbers never overflow: see arithmetic.py
            return f"_times({self.expr(node.left)}, {self.expr(node.right)})"
        return f"({self.expr(node.left)} {node.op} {self.expr(node.right)})"

    def _x_Negate(self, node: ir.Negate) -> str:
        return f"(-{self.expr(node.operand)})"

    def _x_Call(self, node: ir.Call) -> str:
        args = ", ".join(self.expr(a) for a in node.args)
        return f"len({args})" if node.function == "size" else f"{node.function}({args})"

    def _x_Bands(self, node: ir.Bands) -> str:
        self.temp += 1
        var = f"_t{self.temp}"
        parts = []
        for i, (limit, level) in enumerate(zip(node.limits, node.levels, strict=False)):
            test = f"({var} := {self.expr(node.operand)})" if i == 0 else var
            parts.append(f"{level} if {test} < {self.constant(limit)} else")
        if not parts:  # one band: the level is known, but a failing operand still fails
            return f"({self.expr(node.operand)}, {node.levels[-1]})[1]" if self.risky(node.operand) \
                else f"{node.levels[-1]}"
        return "(" + " ".join(parts) + f" {node.levels[-1]})"

    def _x_Points(self, node: ir.Points) -> str:
        """A lookup in a constant table of what each member or level is worth
        (every one is in it: the checker sees to that)."""
        table = self.constant(dict(zip(node.keys(), node.values, strict=True)))
        return f"{table}[{self.expr(node.operand)}]"


def _between(node: ir.BinOp) -> bool:
    """The time between two instants: never fails (any two instants Python
    holds are less than the longest duration apart)."""
    return node.op == "-" and node.left.type.kind == "datetime" and node.right.type.kind == "datetime"


class Risky:
    """Whether evaluating an expression can fail: arithmetic on numbers,
    durations and instants can divide by zero or overflow (but not the time
    between two instants); nothing else can. Remembered per node, so asking
    again is free."""

    def __init__(self) -> None:
        self.memo: dict[int, tuple[ir.Node, bool]] = {}

    def __call__(self, node: ir.Node) -> bool:
        remembered = self.memo.get(id(node))
        if remembered is not None:
            return remembered[1]
        risky = False
        stack = [node]
        while stack and not risky:
            current = stack.pop()
            arithmetic = isinstance(current, ir.BinOp) and current.type.kind != "set" and not _between(current)
            risky = arithmetic or (isinstance(current, ir.Negate) and current.type.kind == "duration")
            stack.extend(ir.children(current))
        self.memo[id(node)] = (node, risky)  # the node is kept so that its id stays its own
        return risky


def _depth(node: ir.Node, defines: dict[str, int], inlined: dict[str, ir.Node]) -> int:
    """How deep an expression is once inlined definitions are written in place."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, ir.DefineRef) and current.name in inlined:
            depth += defines.get(current.name, 0)
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ir.children(current))
    return deepest


class Reading(NamedTuple):
    """What a program reads, found in one walk over its expressions."""

    uses: dict[str, int]  # how often each fact and definition is read
    facts: frozenset[str]  # the facts read: the fast path needs all of them known
    container_safe: frozenset[str]  # see _reading


def read_program(program: Program) -> Reading:
    """One walk over every expression of the program (a large one has
    hundreds of thousands of nodes).

    A set fact is *container safe* when every read tests it in a way a
    list, tuple, set or frozenset of the same members answers alike: a
    member ``in`` it, or ``intersects`` and ``subset`` against another set
    (which does the work: see ``_x_SetTest``). Not ``size`` (a list may
    repeat a member), nor ``&``, ``|``, ``-`` or ``==``."""
    sets = {name for name, fact in program.facts.items() if fact.type.kind == "set"}
    uses: dict[str, int] = {}
    unsafe: set[str] = set()
    roots = program.expressions()
    unsafe.update(node.name for node in roots if isinstance(node, ir.FactRef) and node.name in sets)
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, (ir.FactRef, ir.DefineRef)):
            uses[node.name] = uses.get(node.name, 0) + 1
            continue
        children = ir.children(node)
        if not children:
            continue
        allowed: tuple[ir.Node, ...] = ()
        if isinstance(node, ir.Member):
            allowed = (node.collection,)
        elif isinstance(node, ir.SetTest) and not (isinstance(node.left, ir.FactRef)
                                                   and isinstance(node.right, ir.FactRef)):
            allowed = (node.left, node.right)
        for child in children:
            if isinstance(child, ir.FactRef) and child.name in sets and not any(child is a for a in allowed):
                unsafe.add(child.name)
        stack.extend(children)
    return Reading(uses, frozenset(name for name in uses if name in program.facts), frozenset(sets - unsafe))


def tuple_display(items: Any) -> str:
    """Source for a tuple display, right for zero, one or many items."""
    return "(" + "".join(f"{item}, " for item in items) + ")"
