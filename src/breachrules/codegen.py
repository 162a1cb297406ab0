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
from breachrules.program import ObligationDef, Program, RuleDef


def generate(program: Program, *, traced: bool) -> str:
    return _Writer(program, traced).source()


def build(program: Program, *, traced: bool,
          names: dict[str, Any] | None = None) -> Callable[[dict[str, Any]], Any]:
    """Compile the generated function. ``names`` are extra globals it may use:
    the untraced function returns ``_decision(key)`` for its packed result."""
    writer = _Writer(program, traced)
    source = writer.source()
    namespace: dict[str, Any] = {**writer.constants, **(names or {})}
    code = compile(source, f"<breachrules {program.name} {'trace' if traced else 'decide'}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated code, from a checked program
    function: Callable[[dict[str, Any]], Any] = namespace["run"]
    return function


def _division_by_zero(label: str, span: Any) -> Any:
    raise EvaluationError(label, span, "division_by_zero")


class _Writer:
    def __init__(self, program: Program, traced: bool) -> None:
        self.program = program
        self.traced = traced
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {"_division_by_zero": _division_by_zero}
        self.temp = 0
        self.label = program.name
        self.uses = _use_counts(program)
        # On the fast path a fact read once is read where it is used, and a
        # definition used once without a division is written where it is used.
        self.inline_facts = not traced
        self.inlined_defines = {
            d.name: d.expr for d in program.defines
            if not traced and self.uses.get(d.name, 0) == 1 and not _divides(d.expr)
        }

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
        for name in sorted(read_facts(program)):
            if not self.inline_facts or self.uses.get(name, 0) > 1:
                self.emit(1, f"f_{name} = f[{name!r}]")
        if self.traced:
            self.emit(1, "fired = []")
            self.emit(1, "conflicts = []")
        self._defines_after(None)
        done: set[str] = set()
        for outcome in program.outcomes:
            chained = [] if self.traced else [
                self.program.rules[r] for r in outcome.roots if self._chainable(self.program.rules[r])
            ]
            for root in outcome.roots:
                if root not in done and program.rules[root] not in chained:
                    done.add(root)
                    self.rule(program.rules[root], 1)
            self.emit(1, f"o_{outcome.name} = 0")
            if chained:
                self._chain(outcome.name, chained)
            for root in outcome.roots:
                rule = program.rules[root]
                if rule not in chained and any(outcome.name == o for o, _ in self._all_conclusions(rule)):
                    var = f"c_{root}__{outcome.name}"
                    self.emit(1, f"if {var} > o_{outcome.name}: o_{outcome.name} = {var}")
            if outcome.table is not None:
                table = self.constant(outcome.table.cells)
                self.emit(1, f"t = {table}[o_{outcome.table.rows}][o_{outcome.table.columns}]")
                self.emit(1, f"if t > o_{outcome.name}: o_{outcome.name} = t")
            self._defines_after(outcome.name)
        if self.traced:
            self._trace_order()
        self.obligations()
        self.result()
        return "\n".join(self.lines) + "\n"

    def _defines_after(self, outcome: str | None) -> None:
        """The definitions that wait for ``outcome``, in the interpreter's order."""
        for define in self.program.defines:
            if define.after == outcome and define.name not in self.inlined_defines:
                self.label = define.name
                self.emit(1, f"d_{define.name} = {self.expr(define.expr)}")

    def _chainable(self, rule: RuleDef) -> bool:
        """A rule that can join an if/elif chain: no exceptions, constant
        levels, and no division (skipping it must not skip an error)."""
        return (not rule.exceptions
                and all(isinstance(level, ir.Const) for _, level in rule.conclusions)
                and (rule.condition is None or not _divides(rule.condition)))

    def _chain(self, outcome: str, rules: list[RuleDef]) -> None:
        """Rules that only raise an outcome to constant levels, highest level
        first, as a person would write them: the first that holds decides."""
        by_level: dict[int, list[RuleDef]] = {}
        for rule in rules:
            for name, node in rule.conclusions:
                if name == outcome:
                    assert isinstance(node, ir.Const)
                    by_level.setdefault(node.value, []).append(rule)
        keyword = "if"
        for level in sorted(by_level, reverse=True):
            if level == 0:
                continue
            conditions = []
            for rule in by_level[level]:
                self.label = rule.label
                conditions.append(self.expr(rule.condition) if rule.condition else "True")
            self.emit(1, f"{keyword} {' or '.join(conditions)}:")
            self.emit(2, f"o_{outcome} = {level}")
            keyword = "elif"

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
            if ob.exemptions or self.traced:
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
                due = self.expr(ob.due) if dated(ob) else "None"  # type: ignore[arg-type]
                if dated(ob):
                    self.emit(1, f"u_{ob.name} = {due} if b_{ob.name} else None")

    def result(self) -> None:
        program = self.program
        levels = _tuple(f"o_{o.name}" for o in program.outcomes)
        if not self.traced:
            parts, shift = [], 0
            for o in program.outcomes:
                parts.append(f"o_{o.name} << {shift}" if shift else f"o_{o.name}")
                shift += _width(len(o.levels))
            for ob in program.obligations:
                parts.append(f"b_{ob.name} << {shift}" if shift else f"b_{ob.name}")
                shift += 1
            self.emit(1, f"k = {' | '.join(parts) or '0'}")
            self.emit(1, "d = _decisions.get(k)")
            self.emit(1, "return d if d is not None else _decision(k)")
            return
        targets = {e.instead for e in program.exemptions.values()}
        statuses = _tuple(
            f"(b_{o.name}, x_{o.name}, {f'i_{o.name}' if o.name in targets else 'None'})"
            for o in program.obligations
        )
        dues = _tuple(f"u_{o.name}" for o in program.obligations if dated(o))
        self.emit(1, f"return {levels}, {statuses}, {dues}, fired, conflicts")

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
        if self.inline_facts and self.uses.get(node.name, 0) <= 1:
            return f"f[{node.name!r}]"
        return f"f_{node.name}"

    def _x_DefineRef(self, node: ir.DefineRef) -> str:
        if node.name in self.inlined_defines:
            return self.expr(self.inlined_defines[node.name])
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


def _divides(node: ir.Node) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ir.BinOp) and current.op == "/":
            return True
        stack.extend(ir.children(current))
    return False


def _tuple(items: Any) -> str:
    """Source for a tuple display, right for zero, one or many items."""
    return "(" + "".join(f"{item}, " for item in items) + ")"


def read_facts(program: Program) -> set[str]:
    """The facts the program reads: the fast path needs all of them known."""
    found: set[str] = set()
    for node in program.expressions():
        found |= ir.references(node)[0]
    return found


