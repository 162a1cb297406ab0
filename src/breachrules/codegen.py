"""Python source from a checked program: the fast path.

When every fact a ruleset reads is known, there is no third truth value to
carry, and a ruleset is just a function of its facts. Like Jinja2 compiling a
template, we write that function as Python source and ``exec`` it once:
plain locals, ``if`` statements and constant tables, as a person would write
it by hand. Two functions come out of one generator:

- ``decide(f)``: the outcome levels and which obligations are required,
  returned as a shared, cached tuple key; no trace.
- ``trace(f)``: the same decision plus what the assessment needs: which
  rules fired, which exceptions overrode them, conflicts, due instants,
  which actions of the plans apply and the numbers a reason may show.

The interpreter (:mod:`breachrules.interpreter`) is the reference, and this
module keeps to it by construction:

- A generated name is a kind letter and an index (``o0_risk``, ``c3_1``),
  so two declarations can never share a variable, whatever their names; the
  name after the index is only there for a reader.
- A literal is written as its ``repr`` only where that is exactly itself
  (booleans, small integers, member names, finite floats); every other one
  is a constant of the function's namespace.
- Everything that can fail (arithmetic, which can divide by zero or
  overflow) is evaluated exactly when and in the order the interpreter
  evaluates it: it is never inlined, skipped by an ``elif`` or left out of
  the untraced function. The generated code does not report errors itself:
  when it stops on one, the ruleset runs the interpreter, which raises the
  positioned :class:`~breachrules.errors.EvaluationError`.
- Expressions are at most ``Limits.max_depth`` deep and inlining adds at
  most ``_INLINE_DEPTH``, so the source stays within what Python compiles.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

from breachrules import ir
from breachrules.arithmetic import times
from breachrules.program import ObligationDef, Program, RuleDef

# How deep a definition may be to be written where it is used.
_INLINE_DEPTH = 12
_SMALL_INT = 2**31


def generate(program: Program, *, traced: bool) -> str:
    return _Writer(program, traced).source()


def build(program: Program, *, traced: bool,
          names: dict[str, Any] | None = None) -> Callable[[dict[str, Any]], Any]:
    """Compile the generated function. ``names`` are extra globals it may use:
    the untraced function returns ``_decision(key)`` for its packed result."""
    writer = _Writer(program, traced)
    source = writer.source()
    namespace: dict[str, Any] = {**writer.constants, **(names or {})}
    with warnings.catch_warnings():
        # Python warns of "(2 / 3) is not None" once it has folded the constants: our own
        # code, read by nobody, so no warning is printed on the caller's terminal
        warnings.simplefilter("ignore", SyntaxWarning)
        code = compile(source, f"<breachrules {program.name} {'trace' if traced else 'decide'}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated code, from a checked program
    function: Callable[[dict[str, Any]], Any] = namespace["run"]
    return function


class _Writer:
    def __init__(self, program: Program, traced: bool) -> None:
        self.program = program
        self.traced = traced
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self._constant_names: dict[tuple[type, Any], str] = {}
        self.temp = 0
        self.uses = _use_counts(program)
        self.risky = _Risky()
        # Names by index: unique by construction.
        self.fact_var = {name: f"f{i}_{name}" for i, name in enumerate(sorted(read_facts(program)))}
        self.define_var = {d.name: f"d{i}_{d.name}" for i, d in enumerate(program.defines)}
        self.outcome_index = {o.name: i for i, o in enumerate(program.outcomes)}
        self.rule_index = {label: i for i, label in enumerate(program.rules)}
        self.ob_index = {ob.name: i for i, ob in enumerate(program.obligations)}
        self.conclusions_of: dict[str, frozenset[str]] = {}
        # On the fast path a fact read once is read where it is used, and a
        # definition used once that cannot fail is written where it is used.
        self.inline_facts = not traced
        self.inlined_defines: dict[str, ir.Node] = {}
        if not traced:
            depths: dict[str, int] = {}
            for d in program.defines:  # dependency order: what a definition reads is measured already
                depths[d.name] = _depth(d.expr, depths, self.inlined_defines)
                if self.uses.get(d.name, 0) == 1 and not self.risky(d.expr) and depths[d.name] <= _INLINE_DEPTH:
                    self.inlined_defines[d.name] = d.expr
                else:
                    depths[d.name] = 0

    # -------------------------------------------------------------- names

    def o(self, outcome: str) -> str:
        return f"o{self.outcome_index[outcome]}_{outcome}"

    def r(self, label: str) -> str:
        return f"r{self.rule_index[label]}_{label}"

    def c(self, label: str, outcome: str) -> str:
        return f"c{self.rule_index[label]}_{self.outcome_index[outcome]}"

    def ob(self, kind: str, name: str) -> str:
        return f"{kind}{self.ob_index[name]}_{name}"

    # -------------------------------------------------------------- output

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def constant(self, value: Any) -> str:
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

    def source(self) -> str:
        program = self.program
        self.emit(0, "def run(f):")
        for name, var in self.fact_var.items():
            if not self.inline_facts or self.uses.get(name, 0) > 1:
                self.emit(1, f"{var} = f[{name!r}]")
        if self.traced:
            self.emit(1, "fired = []")
            self.emit(1, "conflicts = []")
        self._defines_after(None)
        done: set[str] = set()
        for outcome in program.outcomes:
            chained = [] if self.traced else [
                self.program.rules[r] for r in outcome.roots if self._chainable(self.program.rules[r])
            ]
            chained_labels = {rule.label for rule in chained}
            for root in outcome.roots:
                if root not in done and root not in chained_labels:
                    done.add(root)
                    self.rule(program.rules[root], 1)
            var = self.o(outcome.name)
            self.emit(1, f"{var} = 0")
            if chained:
                self._chain(outcome.name, chained)
            for root in outcome.roots:
                if root not in chained_labels and outcome.name in self._concluded(root):
                    self.emit(1, f"if {self.c(root, outcome.name)} > {var}: {var} = {self.c(root, outcome.name)}")
            if outcome.table is not None:
                table = self.constant(outcome.table.cells)
                self.emit(1, f"t = {table}[{self.o(outcome.table.rows)}][{self.o(outcome.table.columns)}]")
                self.emit(1, f"if t > {var}: {var} = t")
            self._defines_after(outcome.name)
        if self.traced:
            self._trace_order()
        self.obligations()
        self.actions()
        self.result()
        return "\n".join(self.lines) + "\n"

    def _defines_after(self, outcome: str | None) -> None:
        """The definitions that wait for ``outcome``, in the interpreter's order."""
        for define in self.program.defines:
            if define.after == outcome and define.name not in self.inlined_defines:
                self.emit(1, f"{self.define_var[define.name]} = {self.expr(define.expr)}")

    def _chainable(self, rule: RuleDef) -> bool:
        """A rule that can join an if/elif chain: no exceptions, constant
        levels, and a condition that cannot fail (skipping it must not skip
        an error)."""
        return (not rule.exceptions
                and all(isinstance(level, ir.Const) for _, level in rule.conclusions)
                and len({outcome for outcome, _ in rule.conclusions}) == 1  # its condition written once
                and (rule.condition is None or not self.risky(rule.condition)))

    def _chain(self, outcome: str, rules: list[RuleDef]) -> None:
        """Rules that only raise an outcome to constant levels, highest level
        first, as a person would write them: the first that holds decides."""
        by_level: dict[int, list[RuleDef]] = {}
        for rule in rules:  # each rule once, at the highest level it gives (the first that holds decides)
            levels = [node.value for name, node in rule.conclusions if name == outcome and isinstance(node, ir.Const)]
            if levels:
                by_level.setdefault(max(levels), []).append(rule)
        keyword = "if"
        for level in sorted(by_level, reverse=True):
            if level == 0:
                continue
            conditions = [self.expr(rule.condition) if rule.condition else "True" for rule in by_level[level]]
            self.emit(1, f"{keyword} {' or '.join(conditions)}:")
            self.emit(2, f"{self.o(outcome)} = {level}")
            keyword = "elif"

    # -------------------------------------------------------------- rules

    def _concluded(self, label: str) -> frozenset[str]:
        """The outcomes a rule's tree (the rule and its exceptions) concludes."""
        found = self.conclusions_of.get(label)
        if found is None:
            rule = self.program.rules[label]
            found = frozenset({o for o, _ in rule.conclusions}).union(
                *(self._concluded(e) for e in rule.exceptions))
            self.conclusions_of[label] = found
        return found

    def rule(self, rule: RuleDef, depth: int) -> None:
        """Emit a contribution variable for every outcome the rule's tree touches."""
        outcomes = sorted(self._concluded(rule.label), key=self.outcome_index.__getitem__)
        for outcome in outcomes:
            self.emit(depth, f"{self.c(rule.label, outcome)} = 0")
        applies = self.r(rule.label)
        self.emit(depth, f"{applies} = {self.expr(rule.condition) if rule.condition else 'True'}")
        self.emit(depth, f"if {applies}:")
        body = depth + 1
        if self.traced and rule.kind == "rule":
            self.emit(body, f"fired.append({rule.label!r})")
        if not rule.exceptions:
            self.conclusions(rule, body)
            return
        for label in rule.exceptions:
            self.rule(self.program.rules[label], body)
        applied = " or ".join(self.r(label) for label in rule.exceptions)
        self.emit(body, f"if {applied}:")
        for label in rule.exceptions:
            self.emit(body + 1, f"if {self.r(label)}:")
            self.emit(body + 2, f"fired.append({label!r})" if self.traced else "pass")
            for outcome in outcomes:
                if outcome in self._concluded(label):
                    source, target = self.c(label, outcome), self.c(rule.label, outcome)
                    self.emit(body + 2, f"if {source} > {target}: {target} = {source}")
        if self.traced and len(rule.exceptions) > 1:
            self._conflict_check(rule, outcomes, body + 1)
        self.emit(body, "else:")
        self.conclusions(rule, body + 1)

    def _conflict_check(self, rule: RuleDef, outcomes: list[str], depth: int) -> None:
        def own(label: str) -> str:
            touched = self._concluded(label)
            return _tuple(self.c(label, o) if o in touched else "0" for o in outcomes)

        pairs = ", ".join(f"({label!r}, {own(label)})" for label in rule.exceptions)
        flags = ", ".join(self.r(x) for x in rule.exceptions)
        self.emit(depth, f"applied = [p for p, r in zip(({pairs}), ({flags},)) if r]")
        self.emit(depth, "if len({c for _, c in applied}) > 1: "
                         "conflicts.append(tuple(label for label, _ in applied))")

    def conclusions(self, rule: RuleDef, depth: int) -> None:
        if not rule.conclusions:
            self.emit(depth, "pass")
        for outcome, node in rule.conclusions:
            var = self.c(rule.label, outcome)
            repeated = sum(o == outcome for o, _ in rule.conclusions) > 1
            self.emit(depth, f"{var} = max({var}, {self.expr(node)})" if repeated else f"{var} = {self.expr(node)}")

    def _trace_order(self) -> None:
        """The interpreter lists fired rules in declaration order, each base
        rule before its exceptions; put ours in the same order."""
        order: list[str] = []
        stack = [r.label for r in reversed(list(self.program.rules.values())) if r.kind == "rule"]
        while stack:
            label = stack.pop()
            order.append(label)
            stack.extend(reversed(self.program.rules[label].exceptions))
        rank = self.constant({label: i for i, label in enumerate(order)})
        self.emit(1, f"fired.sort(key={rank}.__getitem__)")

    # -------------------------------------------------------------- obligations

    def obligations(self) -> None:
        """As the interpreter reads them: every obligation's own condition in
        the order written, then, in ``instead`` order, the exemptions and the
        deadline of each obligation still required."""
        program = self.program
        targets = {e.instead for e in program.exemptions.values() if e.instead}
        for ob in program.obligations:
            own = "True" if ob.always else (self.expr(ob.condition) if ob.condition else "False")
            self.emit(1, f"{self.ob('b', ob.name)} = {own}")
        for name in targets:
            self.emit(1, f"{self.ob('i', name)} = None")
        for ob in program.instead_order():
            required = self.ob("b", ob.name)
            exempted = self.ob("x", ob.name)
            if ob.name in targets:
                self.emit(1, f"if {self.ob('i', ob.name)} is not None: {required} = True")
            if ob.exemptions or self.traced:
                self.emit(1, f"{exempted} = None")
            if ob.exemptions:
                self.emit(1, f"if {required}:")
                for label in ob.exemptions:
                    exemption = program.exemptions[label]
                    condition = self.expr(exemption.condition) if exemption.condition else "True"
                    self.emit(2, f"if {condition}:")
                    if self.traced:
                        self.emit(3, f"fired.append(({label!r}, {ob.name!r}))")
                    self.emit(3, f"if {exempted} is None: {exempted} = {label!r}")
                    if exemption.instead:
                        target = self.ob("i", exemption.instead)
                        self.emit(3, f"if {target} is None: {target} = {ob.name!r}")
                self.emit(2, f"if {exempted} is not None: {required} = False")
            if dated(ob) and self.traced:
                self.emit(1, f"{self.ob('u', ob.name)} = {self.expr(ob.due)} if {required} else None")  # type: ignore[arg-type]
            elif dated(ob) and self.risky(ob.due):  # type: ignore[arg-type]
                # computed only to fail where the interpreter does
                self.emit(1, f"if {required}: {self.expr(ob.due)}")  # type: ignore[arg-type]

    def actions(self) -> None:
        """As the interpreter reads them, after the obligations: each action's
        condition, in plan order. The untraced function has no use for them
        but evaluates those that can fail, to fail where the interpreter does."""
        conditions = [a.condition for a in self.program.actions]
        if self.traced:
            flags = _tuple("True" if c is None else self.expr(c) for c in conditions)
            self.emit(1, f"acts = {flags}")
            return
        for condition in conditions:
            if condition is not None and self.risky(condition):
                self.emit(1, self.expr(condition))

    def result(self) -> None:
        program = self.program
        levels = _tuple(self.o(o.name) for o in program.outcomes)
        if not self.traced:
            parts, shift = [], 0
            for o in program.outcomes:
                parts.append(f"{self.o(o.name)} << {shift}" if shift else self.o(o.name))
                shift += _width(len(o.levels))
            for ob in program.obligations:
                var = self.ob("b", ob.name)
                parts.append(f"{var} << {shift}" if shift else var)
                shift += 1
            self.emit(1, f"k = {' | '.join(parts) or '0'}")
            self.emit(1, "d = _decisions.get(k)")
            self.emit(1, "return d if d is not None else _decision(k)")
            return
        targets = {e.instead for e in program.exemptions.values()}
        statuses = _tuple(
            f"({self.ob('b', o.name)}, {self.ob('x', o.name)}, "
            f"{self.ob('i', o.name) if o.name in targets else 'None'})"
            for o in program.obligations
        )
        dues = _tuple(self.ob("u", o.name) for o in program.obligations if dated(o))
        # what the reasons may show: a definition's variable, a score's number again (it did not fail the first time)
        numbers = _tuple(self.expr(node) for node in program.numbers().values())
        self.emit(1, f"return {levels}, {statuses}, {dues}, fired, conflicts, acts, {numbers}")

    # -------------------------------------------------------------- expressions

    def expr(self, node: ir.Node) -> str:
        method: Callable[[Any], str] = getattr(self, "_x_" + type(node).__name__)
        return method(node)

    def _x_Const(self, node: ir.Const) -> str:
        """A literal as a reader would write it when its ``repr`` is exactly
        itself (booleans, small integers, member names, finite floats);
        anything else as a constant of the namespace."""
        value = node.value
        kind = type(value)
        if kind is bool or (kind is int and -_SMALL_INT < value < _SMALL_INT) or (
            kind is str and value.isidentifier() and value.isascii() and len(value) <= 40
        ) or (kind is float and math.isfinite(value)):  # a finite float's repr reads back exactly
            return repr(value)
        return self.constant(value)

    def _x_FactRef(self, node: ir.FactRef) -> str:
        if self.inline_facts and self.uses.get(node.name, 0) <= 1:
            return f"f[{node.name!r}]"
        return self.fact_var[node.name]

    def _x_DefineRef(self, node: ir.DefineRef) -> str:
        if node.name in self.inlined_defines:
            return self.expr(self.inlined_defines[node.name])
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
        if node.op == "intersects":
            return f"(not {self.expr(node.left)}.isdisjoint({self.expr(node.right)}))"
        return f"({self.expr(node.left)} <= {self.expr(node.right)})"

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


class _Risky:
    """Whether evaluating an expression can fail: arithmetic on numbers,
    durations and instants can divide by zero or overflow; nothing else
    can. Remembered per node, so asking again is free."""

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
            arithmetic = isinstance(current, ir.BinOp) and current.type.kind != "set"
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


def dated(ob: ObligationDef) -> bool:
    """Whether an obligation's deadline is an instant computed from the facts."""
    return ob.due is not None and not isinstance(ob.due, str)


def _width(levels: int) -> int:
    """Bits for a level index of a scale with this many levels."""
    return max(1, (levels - 1).bit_length())


def unpack(program: Program, key: int) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """The levels and obligation flags packed into an untraced result key."""
    levels = []
    for outcome in program.outcomes:
        width = _width(len(outcome.levels))
        levels.append(key & ((1 << width) - 1))
        key >>= width
    flags = []
    for _ in program.obligations:
        flags.append(bool(key & 1))
        key >>= 1
    return tuple(levels), tuple(flags)


def _use_counts(program: Program) -> dict[str, int]:
    """How often each fact and definition is read, across the whole program."""
    counts: dict[str, int] = {}
    stack = program.expressions()
    while stack:
        node = stack.pop()
        if isinstance(node, (ir.FactRef, ir.DefineRef)):
            counts[node.name] = counts.get(node.name, 0) + 1
        stack.extend(ir.children(node))
    return counts


def _tuple(items: Any) -> str:
    """Source for a tuple display, right for zero, one or many items."""
    return "(" + "".join(f"{item}, " for item in items) + ")"


def read_facts(program: Program) -> set[str]:
    """The facts the program reads: the fast path needs all of them known."""
    found: set[str] = set()
    for node in program.expressions():
        found |= ir.references(node)[0]
    return found
