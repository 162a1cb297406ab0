"""Python source from a checked program: the fast path.

When every fact a ruleset reads is known, there is no third truth value to
carry, and a ruleset is just a function of its facts. Like Jinja2 compiling a
template, we write that function as Python source and ``exec`` it once:
plain locals, ``if`` statements and constant tables, as a person would write
it by hand. Two functions come out of one generator:

- ``decide(f)``: the outcome levels and which obligations are required,
  returned as a shared, cached tuple key; no trace.
- ``trace(f)``: the same decision plus what the assessment needs: which
  rules fired, which exceptions overrode them, conflicts and due instants.

The interpreter (:mod:`breachrules.interpreter`) stays the reference; a
property test checks that both agree on complete incidents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from breachrules import ir
from breachrules.errors import EvaluationError
from breachrules.interpreter import _instead_order
from breachrules.program import Program, RuleDef


def generate(program: Program, *, traced: bool) -> str:
    return _Writer(program, traced).source()


def build(program: Program, *, traced: bool) -> Callable[[dict[str, Any]], Any]:
    writer = _Writer(program, traced)
    source = writer.source()
    namespace: dict[str, Any] = dict(writer.constants)
    code = compile(source, f"<breachrules {program.name} {'trace' if traced else 'decide'}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated code, from a checked program
    function: Callable[[dict[str, Any]], Any] = namespace["run"]
    return function


def _division_by_zero(label: str, span: Any) -> Any:
    raise EvaluationError(label, span, "division by zero")


class _Writer:
    def __init__(self, program: Program, traced: bool) -> None:
        self.program = program
        self.traced = traced
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {"_division_by_zero": _division_by_zero}
        self.temp = 0
        self.label = program.name

    # -------------------------------------------------------------- output

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def constant(self, value: Any) -> str:
        for name, existing in self.constants.items():
            if type(existing) is type(value) and existing == value:
                return name
        name = f"_K{len(self.constants)}"
        self.constants[name] = value
        return name

    def source(self) -> str:
        program = self.program
        self.emit(0, "def run(f):")
        facts = sorted(_read_facts(program))
        for name in facts:
            self.emit(1, f"f_{name} = f[{name!r}]")
        if self.traced:
            self.emit(1, "fired = []")
            self.emit(1, "conflicts = []")
        for define in program.defines:
            self.label = define.name
            self.emit(1, f"d_{define.name} = {self.expr(define.expr)}")
        done: set[str] = set()
        for outcome in program.outcomes:
            for root in outcome.roots:
                if root not in done:
                    done.add(root)
                    self.rule(program.rules[root], 1)
            self.emit(1, f"o_{outcome.name} = 0")
            for root in outcome.roots:
                if any(outcome.name == o for o, _ in self._all_conclusions(program.rules[root])):
                    var = f"c_{root}__{outcome.name}"
                    self.emit(1, f"if {var} > o_{outcome.name}: o_{outcome.name} = {var}")
            if outcome.table is not None:
                table = self.constant(outcome.table.cells)
                self.emit(1, f"t = {table}[o_{outcome.table.rows}][o_{outcome.table.columns}]")
                self.emit(1, f"if t > o_{outcome.name}: o_{outcome.name} = t")
        if self.traced:
            self._trace_order()
        self.obligations()
        self.result()
        return "\n".join(self.lines) + "\n"

    # -------------------------------------------------------------- rules

    def _all_conclusions(self, rule: RuleDef) -> list[tuple[str, ir.Node]]:
        found = list(rule.conclusions)
        for label in rule.exceptions:
            found.extend(self._all_conclusions(self.program.rules[label]))
        return found

    def rule(self, rule: RuleDef, depth: int) -> None:
        """Emit ``c_<label>_<outcome>`` for every outcome the rule's tree touches."""
        outcomes = sorted({o for o, _ in self._all_conclusions(rule)})
        for outcome in outcomes:
            self.emit(depth, f"c_{rule.label}__{outcome} = 0")
        self.label = rule.label
        self.emit(depth, f"r_{rule.label} = {self.expr(rule.condition) if rule.condition else 'True'}")
        self.emit(depth, f"if r_{rule.label}:")
        body = depth + 1
        if self.traced and rule.kind == "rule":
            self.emit(body, f"fired.append({rule.label!r})")
        if not rule.exceptions:
            self.conclusions(rule, outcomes, body)
            return
        for label in rule.exceptions:
            self.rule(self.program.rules[label], body)
        applied = " or ".join(f"r_{label}" for label in rule.exceptions)
        self.emit(body, f"if {applied}:")
        for label in rule.exceptions:
            self.emit(body + 1, f"if r_{label}:")
            self.emit(body + 2, f"fired.append({label!r})" if self.traced else "pass")
            for outcome in outcomes:
                source = f"c_{label}__{outcome}"
                if any(o == outcome for o, _ in self._all_conclusions(self.program.rules[label])):
                    self.emit(body + 2, f"if {source} > c_{rule.label}__{outcome}: "
                                        f"c_{rule.label}__{outcome} = {source}")
        if self.traced and len(rule.exceptions) > 1:
            self._conflict_check(rule, outcomes, body + 1)
        self.emit(body, "else:")
        self.conclusions(rule, outcomes, body + 1)

    def _conflict_check(self, rule: RuleDef, outcomes: list[str], depth: int) -> None:
        def own(label: str) -> str:
            touched = {o for o, _ in self._all_conclusions(self.program.rules[label])}
            return "(" + "".join(
                (f"c_{label}__{o}" if o in touched else "0") + ", " for o in outcomes) + ")"

        pairs = ", ".join(f"({label!r}, {own(label)})" for label in rule.exceptions)
        self.emit(depth, f"applied = [p for p, r in zip(({pairs}), "
                         f"({', '.join(f'r_{x}' for x in rule.exceptions)},)) if r]")
        self.emit(depth, "if len({c for _, c in applied}) > 1: "
                         "conflicts.append(tuple(label for label, _ in applied))")

    def conclusions(self, rule: RuleDef, outcomes: list[str], depth: int) -> None:
        wrote = False
        for outcome, node in rule.conclusions:
            self.emit(depth, f"c_{rule.label}__{outcome} = max(c_{rule.label}__{outcome}, {self.expr(node)})"
                      if sum(o == outcome for o, _ in rule.conclusions) > 1
                      else f"c_{rule.label}__{outcome} = {self.expr(node)}")
            wrote = True
        if not wrote:
            self.emit(depth, "pass")

    def _trace_order(self) -> None:
        """The interpreter lists fired rules in declaration order, each base
        rule before its exceptions; put ours in the same order."""
        order: list[str] = []

        def walk(rule: RuleDef) -> None:
            order.append(rule.label)
            for label in rule.exceptions:
                walk(self.program.rules[label])

        for rule in self.program.rules.values():
            if rule.kind == "rule":
                walk(rule)
        rank = self.constant({label: i for i, label in enumerate(order)})
        self.emit(1, f"fired.sort(key={rank}.__getitem__)")

    # -------------------------------------------------------------- obligations

    def obligations(self) -> None:
        program = self.program
        targets = {e.instead for e in program.exemptions.values() if e.instead}
        for name in targets:
            self.emit(1, f"i_{name} = None")
        for ob in _instead_order(program):
            self.label = ob.name
            own = "True" if ob.always else (self.expr(ob.condition) if ob.condition else "False")
            if ob.name in targets:
                own = f"({own}) or i_{ob.name} is not None"
            self.emit(1, f"b_{ob.name} = {own}")
            self.emit(1, f"x_{ob.name} = None")
            if ob.exemptions:
                self.emit(1, f"if b_{ob.name}:")
                for label in ob.exemptions:
                    exemption = program.exemptions[label]
                    self.label = label
                    condition = self.expr(exemption.condition) if exemption.condition else "True"
                    self.emit(2, f"if {condition}:")
                    if self.traced:
                        self.emit(3, f"fired.append(({label!r}, {ob.name!r}))")
                    self.emit(3, f"if x_{ob.name} is None: x_{ob.name} = {label!r}")
                    if exemption.instead:
                        self.emit(3, f"if i_{exemption.instead} is None: i_{exemption.instead} = {ob.name!r}")
                self.emit(2, f"if x_{ob.name} is not None: b_{ob.name} = False")
            if self.traced:
                due = "None"
                if isinstance(ob.due, str):
                    due = repr(ob.due)
                elif ob.due is not None:
                    due = self.expr(ob.due)
                self.emit(1, f"u_{ob.name} = {due} if b_{ob.name} else None")

    def result(self) -> None:
        program = self.program
        levels = _tuple(f"o_{o.name}" for o in program.outcomes)
        required = _tuple(f"b_{o.name}" for o in program.obligations)
        if not self.traced:
            self.emit(1, f"return {levels}, {required}")
            return
        targets = {e.instead for e in program.exemptions.values()}
        statuses = _tuple(
            f"(b_{o.name}, u_{o.name}, x_{o.name}, {f'i_{o.name}' if o.name in targets else 'None'})"
            for o in program.obligations
        )
        self.emit(1, f"return {levels}, {statuses}, fired, conflicts")

    # -------------------------------------------------------------- expressions

    def expr(self, node: ir.Node) -> str:
        method: Callable[[Any], str] = getattr(self, "_x_" + type(node).__name__)
        return method(node)

    def _x_Const(self, node: ir.Const) -> str:
        value = node.value
        if isinstance(value, (bool, int, str)) or (isinstance(value, float) and value == value):
            return repr(value)
        return self.constant(value)

    def _x_FactRef(self, node: ir.FactRef) -> str:
        return f"f_{node.name}"

    def _x_DefineRef(self, node: ir.DefineRef) -> str:
        return f"d_{node.name}"

    def _x_OutcomeRef(self, node: ir.OutcomeRef) -> str:
        return f"o_{node.name}"

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
        return "False" if node.negated else "True"  # on the fast path every fact is known

    def _x_BinOp(self, node: ir.BinOp) -> str:
        left, right = self.expr(node.left), self.expr(node.right)
        if node.op != "/":
            return f"({left} {node.op} {right})"
        self.temp += 1
        divisor = f"_t{self.temp}"
        where = self.constant(node.span)
        return f"({left} / {divisor} if ({divisor} := {right}) else _division_by_zero({self.label!r}, {where}))"

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
            parts.append(f"{level} if {test} < {limit!r} else")
        if not parts:
            return f"{node.levels[-1]}"
        return "(" + " ".join(parts) + f" {node.levels[-1]})"


def _tuple(items: Any) -> str:
    """Source for a tuple display, right for zero, one or many items."""
    return "(" + "".join(f"{item}, " for item in items) + ")"


def _read_facts(program: Program) -> set[str]:
    found: set[str] = set()
    nodes: list[ir.Node | None] = [d.expr for d in program.defines]
    for rule in program.rules.values():
        nodes.append(rule.condition)
        nodes.extend(level for _, level in rule.conclusions)
    for ob in program.obligations:
        nodes.append(ob.condition)
        if ob.due is not None and not isinstance(ob.due, str):
            nodes.append(ob.due)
    for exemption in program.exemptions.values():
        nodes.append(exemption.condition)
    for node in nodes:
        if node is not None:
            found |= ir.references(node)[0]
    return found


read_facts = _read_facts
