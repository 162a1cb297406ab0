"""Python source from a checked program: the fast path.

When every fact a ruleset reads is known, there is no third truth value to
carry, and a ruleset is just a function of its facts. Like Jinja2 compiling a
template, we write that function as Python source and ``exec`` it once:
plain locals, ``if`` statements and constant tables, as a person would write
it by hand. Two functions come out of one generator, each the whole of a
ruleset's method for the common case, in one call:

- ``decide(d)``: the incident checked (:mod:`breachrules.validator`'s
  checks, written in), then the outcome levels and which obligations are
  required, packed into an integer that names a shared, cached decision.
- ``assess(d)``: the same, plus what the assessment needs: which rules
  fired, which exceptions overrode them, conflicts, due instants, which
  actions of the plans apply and the numbers a reason may show; what
  depends on the trace alone is shared (:mod:`breachrules.packing`).

``d`` is a plain dict, or :class:`~breachrules.incident.Facts` already
validated. Anything else (an incident the checks do not vouch for, one with
facts unknown) goes to the ruleset's full path, ``_slow(d)``, which
validates it in full (and says what is wrong) or runs the interpreter.

The interpreter (:mod:`breachrules.interpreter`) is the reference, and this
module keeps to it by construction:

- Names and literals: see :mod:`breachrules.emitter`.
- Everything that can fail (arithmetic, which can divide by zero or
  overflow) is evaluated under exactly the conditions the interpreter
  evaluates it: it is never inlined, skipped by an ``elif`` or left out of
  the untraced function, and only a test read before it (a condition that
  short-circuits) may skip it. So the generated code stops on an error
  exactly when the interpreter would: it does not report the error itself,
  but passes the incident to ``_slow(d, True)``, and the interpreter raises
  the positioned :class:`~breachrules.errors.EvaluationError`, its own first.
  (In a large program's decide, statements are read in another order than
  the interpreter's, grouped by their opening test: see
  :mod:`breachrules.dispatch`; which of them are read, and what they read,
  is the same.)
- Expressions are at most ``Limits.max_depth`` deep and inlining adds at
  most ``INLINE_DEPTH``, so the source stays within what Python compiles.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from breachrules import ir, prepared
from breachrules.dispatch import Atom, Clauses
from breachrules.emitter import Emitter, read_program, tuple_display
from breachrules.kit import function_of
from breachrules.packing import TraceLayout, width
from breachrules.program import ObligationDef, Program, RuleDef
from breachrules.validator import CAUGHT, Decline

# A program of at most this many statements has its body written twice (see
# _Writer.source); a larger one, once.
_DUAL_SIZE = 400
# A statement under a clause of more atoms than this is read always.
_MOST_ATOMS = 8
# Decisions cached by the outcome levels alone are kept in a list when the
# levels take at most this many bits; made when the function is built when
# there are at most this many combinations of levels.
_LIST_BITS = 12
_FILLED = 64


def generate(program: Program, *, traced: bool) -> str:
    return generated(program, traced=traced)[0]


def generated(program: Program, *, traced: bool) -> tuple[str, dict[str, Any]]:
    """The generated function's source, and the constants it reads."""
    writer = _Writer(program, traced)
    source = writer.source()
    return source, {**writer.constants, **writer.checks.constants}


def build(program: Program, *, traced: bool,
          names: dict[str, Any] | None = None) -> Callable[[Any], Any]:
    """Compile the generated function. ``names`` are the globals it calls:
    ``_slow(d, failed=False, extra_keys="error")`` for what it does not
    handle (``failed``: it stopped on an error, which the interpreter is
    then to raise; ``extra_keys``: the option of that name, given, which
    only the full path reads), and
    ``_Facts``; for the untraced function ``_decisions`` (key to decision)
    and ``_decision(key)`` for a key not seen before; for the traced one
    those ``Ruleset.assess`` passes (see ``_Writer.result``)."""
    source, constants = generated(program, traced=traced)
    namespace: dict[str, Any] = {**constants, "_Decline": Decline, **(names or {})}
    code = prepared.generated(filename(program, traced), source)
    return function_of(code, namespace, tuple(len(o.levels) for o in program.outcomes))


def filename(program: Program, traced: bool) -> str:
    """What tracebacks through the generated code name it."""
    return f"<breachrules {program.name} {'assess' if traced else 'decide'}>"


class _Writer(Emitter):
    """The statements of a generated function (its expressions: see :mod:`breachrules.emitter`)."""

    def __init__(self, program: Program, traced: bool) -> None:
        super().__init__(program, traced)
        self.dual = _size(program) <= _DUAL_SIZE
        self.layout = TraceLayout(program) if traced else None
        self.conclusions_of: dict[str, frozenset[str]] = {}
        # A large program's decide reads only the statements whose opening
        # test holds (see dispatch.py), and a definition only where it is read.
        self.indexed = not traced and not self.dual
        self.lazy = self._lazy_defines() if self.indexed else {}
        self.functions: list[str] = []

    def source(self) -> str:
        """The function: an incident (complete :class:`Facts`, tested for
        first as it takes the fewest steps, or a plain dict) checked and
        decided, or assessed, in one call.

        A small program's body is written twice: on the checked values in
        locals for a dict (no dict of facts is built to be read again), and
        on the dict of :class:`Facts`, where a fact is read only if it is
        needed. A large one's is written once, on a dict of facts built from
        the checked values, so as not to compile it twice.
        """
        checks = self.checks
        self.emit(0, "def run(d, extra_keys=None):")
        self.emit(1, "if extra_keys is not None:")  # (an option given: the full path, which reads it)
        self.emit(2, "return _slow(d, False, extra_keys)")
        self.emit(1, "try:")
        self.emit(2, "c = d.__class__")
        self.emit(2, "if c is _Facts and d.complete:")
        self.emit(3, "f = d.known")
        if self.traced:
            self.emit(3, "j = _facts_json(f)")
            self.emit(3, "later = None")
        if self.dual:
            self._indented(3, locals_=False)
        self.emit(2, "elif c is dict:")
        for line in checks.lines():
            self.emit(3, line)
        if self.traced:
            self.emit(3, f"j = {checks.values()}")  # the facts, to be written in JSON form on first use
            self.emit(3, "later = _facts_of")
        if self.dual:
            self._indented(3, locals_=True)
        else:
            read = set(self.fact_var)
            for line in checks.known_dict([name for name in self.program.facts if name in read]):
                self.emit(3, line)
        self.emit(2, "else:")
        self.emit(3, "raise _Decline")
        if not self.dual:
            self._indented(2, locals_=False)
        self.emit(1, "except _Decline:")
        self.emit(2, "return _slow(d)")
        self.emit(1, f"except ({CAUGHT}, ArithmeticError, ValueError):")
        self.emit(2, "return _slow(d, True)")
        return "\n".join([*self.functions, *self.lines]) + "\n"

    def _indented(self, depth: int, *, locals_: bool) -> None:
        """The body at ``depth``, its facts read from the checked locals or from ``f``."""
        start = len(self.lines)
        self.fact_locals = locals_
        self.body()
        indent = "    " * (depth - 1)
        self.lines[start:] = [indent + line for line in self.lines[start:]]

    def body(self) -> None:
        """The decision (or the trace) of the facts in ``f``."""
        if self.indexed:
            self._indexed_body()
            return
        program = self.program
        for name, var in self.fact_var.items():
            if not self.fact_locals and (not self.inline_facts or self.uses.get(name, 0) > 1):
                self.emit(1, f"{var} = f[{name!r}]")
        if self.traced:
            self.emit(1, "fk = 0")  # the trace, packed: see packing.TraceLayout
            if self._conflicting:
                self.emit(1, "conflicts = []")
        self._defines_after(None)
        done: set[str] = set()
        for outcome in program.outcomes:
            chained = [self.program.rules[r] for r in outcome.roots if self._chainable(self.program.rules[r])]
            chained_labels = {rule.label for rule in chained}
            for root in outcome.roots:
                if root not in done and root not in chained_labels:
                    done.add(root)
                    self.rule(program.rules[root], 1)
            var = self.o(outcome.name)
            self.emit(1, f"{var} = 0")
            if chained and self.traced:
                self._traced_chain(outcome.name, chained)
            elif chained:
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
            self.obligations(1)
            self.actions()
            self.result()
        elif self._by_levels():
            self.actions()  # (those that can fail; the obligations below cannot)
            self._decided_by_levels()
        else:
            self.obligations(1)
            self.actions()
            self.result()

    def _defines_after(self, outcome: str | None) -> None:
        """The definitions that wait for ``outcome``, in the interpreter's order."""
        for define in self.program.defines:
            if define.after == outcome and define.name not in self.inlined_defines and define.name not in self.lazy:
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

    def _traced_chain(self, outcome: str, rules: list[RuleDef]) -> None:
        """The same rules in the traced function, each read (the trace lists
        every one that holds), each raising the outcome itself."""
        var = self.o(outcome)
        for rule in rules:
            level = max(node.value for _, node in rule.conclusions if isinstance(node, ir.Const))
            self.emit(1, f"if {self.expr(rule.condition) if rule.condition else 'True'}:")
            if rule.kind == "rule":
                self.emit(2, f"fk |= {self._bit(self._layout.rule_bit[rule.label])}")
            if level:
                self.emit(2, f"if {var} < {level}: {var} = {level}")
            elif rule.kind != "rule":
                self.emit(2, "pass")

    # -------------------------------------------------------------- a large program's decide

    def _lazy_defines(self) -> dict[str, ir.Node]:
        """The definitions computed where they are read, by a function of the
        facts that keeps its value for the call (``m``): those that cannot
        fail, read no outcome and read no definition computed in order.
        (Every other one is computed in order, as the interpreter does.)"""
        lazy: dict[str, ir.Node] = {}
        free: set[str] = set()  # definitions lazy or written in place that read only such
        for define in self.program.defines:
            if define.after is None and not self.risky(define.expr) and \
                    ir.references(define.expr)[1] <= free:
                free.add(define.name)
                if define.name not in self.inlined_defines:
                    lazy[define.name] = define.expr
        return lazy

    def _memo_functions(self) -> None:
        """A function for each lazy definition, ahead of ``run``."""
        lines, self.lines, self.in_function = self.lines, [], True
        for key, (name, expr) in enumerate(self.lazy.items()):
            self.emit(0, f"def _{self.define_var[name]}(f, m):")
            self.emit(1, f"v = m.get({key})")
            self.emit(1, "if v is None:")
            self.emit(2, f"v = m[{key}] = {self.expr(expr)}")
            self.emit(1, "return v")
        self.functions, self.lines, self.in_function = self.lines, lines, False

    def _indexed_body(self) -> None:
        """The decision of a large program: the outcomes raised by the rules
        whose opening test holds, the obligations likewise (see
        :mod:`breachrules.dispatch`); every outcome starts at its lowest
        level, and each rule's tree raises each outcome it concludes."""
        program = self.program
        clauses = Clauses(self.risky, {**self.inlined_defines, **self.lazy})
        self._memo_functions()
        for name, var in self.fact_var.items():
            if self.uses.get(name, 0) > 1:
                self.emit(1, f"{var} = f[{name!r}]")
        if self.lazy:
            self.emit(1, "m = {}")
        for outcome in program.outcomes:
            self.emit(1, f"{self.o(outcome.name)} = 0")
        self._defines_after(None)
        done: set[str] = set()
        for outcome in program.outcomes:
            statements: list[tuple[list[Atom] | None, Callable[[int], None]]] = []
            for root in outcome.roots:
                if root not in done:
                    done.add(root)
                    rule = program.rules[root]
                    clause = clauses.of(rule.condition) if rule.condition is not None else None
                    statements.append((clause, functools.partial(self._root, rule)))
            self._gated(statements, 1)
            if outcome.table is not None:
                var = self.o(outcome.name)
                table = self.constant(outcome.table.cells)
                self.emit(1, f"t = {table}[{self.o(outcome.table.rows)}][{self.o(outcome.table.columns)}]")
                self.emit(1, f"if t > {var}: {var} = t")
            self._defines_after(outcome.name)
        self._indexed_obligations(clauses)
        self.actions()
        levels, _ = self._packed()
        self.emit(1, f"k = {levels} | rq << {sum(width(len(o.levels)) for o in program.outcomes)}")
        self.emit(1, "found = _decisions.get(k)")
        self.emit(1, "return found if found is not None else _decision(k)")

    def _root(self, rule: RuleDef, depth: int) -> None:
        """A rule and its exceptions, raising the outcomes they conclude."""
        if self._chainable(rule):
            outcome = rule.conclusions[0][0]
            level = max(node.value for _, node in rule.conclusions if isinstance(node, ir.Const))
            if level:  # (a rule that raises nothing, and cannot fail, needs no reading)
                var = self.o(outcome)
                self.emit(depth, f"if {self.expr(rule.condition) if rule.condition else 'True'}:")
                self.emit(depth + 1, f"if {var} < {level}: {var} = {level}")
            return
        tree, stack = [], [rule.label]
        while stack:
            label = stack.pop()
            tree.append(label)
            stack.extend(reversed(self.program.rules[label].exceptions))
        self.slots = {label: i for i, label in enumerate(tree)}
        self.rule(rule, depth)
        for outcome in sorted(self._concluded(rule.label), key=self.outcome_index.__getitem__):
            var, contribution = self.o(outcome), self.c(rule.label, outcome)
            self.emit(depth, f"if {contribution} > {var}: {var} = {contribution}")
        self.slots = None

    def _indexed_obligations(self, clauses: Clauses) -> None:
        """The obligations required, as the bits of ``rq`` (one per
        obligation, in declaration order): each one's own condition, read
        under its opening test; then, only if an obligation with exemptions
        is required, the exemptions in ``instead`` order; then the deadlines
        that can fail, of those still required."""
        program = self.program
        bit = {ob.name: self._bit_constant(1 << i) for i, ob in enumerate(program.obligations)}
        always = sum(1 << i for i, ob in enumerate(program.obligations) if ob.always)
        self.emit(1, f"rq = {self._bit_constant(always)}")
        statements: list[tuple[list[Atom] | None, Callable[[int], None]]] = []
        for ob in program.obligations:
            if not ob.always and ob.condition is not None:
                condition = ob.condition
                statements.append((clauses.of(condition), functools.partial(
                    lambda depth, condition, ob: self.emit(depth, f"if {self.expr(condition)}: rq |= {bit[ob]}"),
                    condition=condition, ob=ob.name)))
        self._gated(statements, 1)
        exempting = [ob for ob in program.instead_order() if ob.exemptions]
        if exempting:
            sources = TraceLayout(program).sources
            mask = sum(1 << i for i, ob in enumerate(program.obligations) if ob.exemptions)
            self.emit(1, f"if rq & {self._bit_constant(mask)}:")
            for ob in program.obligations:
                if ob.name in sources:
                    self.emit(2, f"{self.ob('i', ob.name)} = 0")
            for ob in program.instead_order():
                if ob.name in sources:
                    self.emit(2, f"if {self.ob('i', ob.name)}: rq |= {bit[ob.name]}")
                if not ob.exemptions:
                    continue
                exempted = "x"  # (read only here: one name for every obligation)
                self.emit(2, f"if rq & {bit[ob.name]}:")
                self.emit(3, f"{exempted} = 0")
                for code, label in enumerate(ob.exemptions, start=1):
                    exemption = program.exemptions[label]
                    self.emit(3, f"if {self.expr(exemption.condition) if exemption.condition else 'True'}:")
                    self.emit(4, f"if not {exempted}: {exempted} = {code}")
                    if exemption.instead:
                        target = self.ob("i", exemption.instead)
                        self.emit(4, f"if not {target}: {target} = {sources[exemption.instead].index(ob.name) + 1}")
                self.emit(3, f"if {exempted}: rq ^= {bit[ob.name]}")
        failing = [ob for ob in program.obligations if dated(ob) and self.risky(ob.due)]  # type: ignore[arg-type]
        if failing:  # deadlines computed only to fail where the interpreter does
            mask = sum(1 << self.ob_index[ob.name] for ob in failing)
            self.emit(1, f"if rq & {self._bit_constant(mask)}:")
            for ob in failing:
                self.emit(2, f"if rq & {bit[ob.name]}: {self.expr(ob.due)}")  # type: ignore[arg-type]

    def _gated(self, statements: list[tuple[list[Atom] | None, Callable[[int], None]]], depth: int) -> None:
        """Statements, each under the atoms of its clause (or always, without
        one), the atoms on one subject tested together: the subject read
        once into ``g``, its thresholds under the loosest of them. A statement
        under several atoms may be written (and read) more than once: each
        one only raises outcomes and sets bits, which reading again does not
        change."""
        always: list[Callable[[int], None]] = []
        others: dict[str, list[Callable[[int], None]]] = {}
        subjects: dict[str, dict[str, dict[Any, list[Callable[[int], None]]]]] = {}
        for clause, write in statements:
            if clause is None or len(clause) > _MOST_ATOMS:
                always.append(write)
                continue
            for atom in clause:
                if atom.subject is None:
                    others.setdefault(self.expr(atom.node), []).append(write)
                else:
                    kinds = subjects.setdefault(self.expr(atom.subject), {})
                    kinds.setdefault(atom.kind, {}).setdefault(atom.key, []).append(write)
        for write in always:
            write(depth)
        for test, writes in others.items():
            self.emit(depth, f"if {test}:")
            self._writes(writes, depth + 1)
        for subject, kinds in subjects.items():
            self.emit(depth, f"g = {subject}")
            if "true" in kinds or "false" in kinds:
                self.emit(depth, "if g:")
                self._writes(kinds.get("true", {}).get(None, []), depth + 1)
                if "false" in kinds:
                    self.emit(depth, "else:")
                    self._writes(kinds["false"][None], depth + 1)
            keyword = "if"
            for key, writes in kinds.get("equal", {}).items():  # (one value equals one key at most)
                self.emit(depth, f"{keyword} g == {self.literal(key)}:")
                self._writes(writes, depth + 1)
                keyword = "elif"
            if "contains" in kinds:
                self.emit(depth, "if g:")
                for key, writes in kinds["contains"].items():
                    self.emit(depth + 1, f"if {self.literal(key)} in g:")
                    self._writes(writes, depth + 2)
            for ops, loosest in (((">", ">="), min), (("<", "<="), max)):
                thresholds = [(op, key) for op in ops for key in kinds.get(op, {})]
                if thresholds:
                    bound = loosest(key for _, key in thresholds)
                    self.emit(depth, f"if g {ops[1]} {self.literal(bound)}:")
                    for op, key in sorted(thresholds, key=lambda pair: pair[1]):
                        self.emit(depth + 1, f"if g {op} {self.literal(key)}:")
                        self._writes(kinds[op][key], depth + 2)

    def _writes(self, writes: list[Callable[[int], None]], depth: int) -> None:
        """The statements of a block (``pass`` if they write nothing)."""
        start = len(self.lines)
        for write in writes:
            write(depth)
        if len(self.lines) == start:
            self.emit(depth, "pass")

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
            self.emit(body, f"fk |= {self._bit(self._layout.rule_bit[rule.label])}")
        if not rule.exceptions:
            self.conclusions(rule, body)
            return
        for label in rule.exceptions:
            self.rule(self.program.rules[label], body)
        applied = " or ".join(self.r(label) for label in rule.exceptions)
        self.emit(body, f"if {applied}:")
        for label in rule.exceptions:
            self.emit(body + 1, f"if {self.r(label)}:")
            self.emit(body + 2, f"fk |= {self._bit(self._layout.rule_bit[label])}" if self.traced else "pass")
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
            return tuple_display(self.c(label, o) if o in touched else "0" for o in outcomes)

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

    @property
    def _layout(self) -> TraceLayout:
        assert self.layout is not None  # (the traced function's)
        return self.layout

    # -------------------------------------------------------------- obligations

    def obligations(self, depth: int) -> None:
        """As the interpreter reads them: every obligation's own condition in
        the order written, then, in ``instead`` order, the exemptions and the
        deadline of each obligation still required. Which exemption lifted an
        obligation, and what it is required instead of, are codes (see
        :class:`~breachrules.packing.TraceLayout`): 0 for none."""
        program = self.program
        sources = TraceLayout(program).sources if self.layout is None else self.layout.sources
        for ob in program.obligations:
            own = "True" if ob.always else (self.expr(ob.condition) if ob.condition else "False")
            self.emit(depth, f"{self.ob('b', ob.name)} = {own}")
        for ob in program.obligations:
            if ob.name in sources:
                self.emit(depth, f"{self.ob('i', ob.name)} = 0")
        for ob in program.instead_order():
            required = self.ob("b", ob.name)
            exempted = self.ob("x", ob.name)
            if ob.name in sources:
                self.emit(depth, f"if {self.ob('i', ob.name)}: {required} = True")
            if ob.exemptions:
                self.emit(depth, f"{exempted} = 0")
                self.emit(depth, f"if {required}:")
                for code, label in enumerate(ob.exemptions, start=1):
                    exemption = program.exemptions[label]
                    condition = self.expr(exemption.condition) if exemption.condition else "True"
                    self.emit(depth + 1, f"if {condition}:")
                    if self.traced:
                        self.emit(depth + 2, f"fk |= {self._bit(self._layout.exemption_bit[(label, ob.name)])}")
                    self.emit(depth + 2, f"if not {exempted}: {exempted} = {code}")
                    if exemption.instead:
                        target = self.ob("i", exemption.instead)
                        source = sources[exemption.instead].index(ob.name) + 1
                        self.emit(depth + 2, f"if not {target}: {target} = {source}")
                self.emit(depth + 1, f"if {exempted}: {required} = False")
            if dated(ob) and self.traced:
                self.emit(depth, f"{self.ob('u', ob.name)} = {self.expr(ob.due)} if {required} else None")  # type: ignore[arg-type]
            elif dated(ob) and self.risky(ob.due):  # type: ignore[arg-type]
                # computed only to fail where the interpreter does
                self.emit(depth, f"if {required}: {self.expr(ob.due)}")  # type: ignore[arg-type]

    def _by_levels(self) -> bool:
        """Whether the obligations follow from the outcome levels alone: no
        condition of an obligation or an exemption reads a fact (through
        definitions either), and none can fail, nor can a deadline. The
        decision is then cached by the levels, and the obligations are read
        only for levels not seen before."""
        program = self.program
        conditions = [node for node in (*(ob.condition for ob in program.obligations),
                                        *(e.condition for e in program.exemptions.values())) if node is not None]
        definitions = {d.name: d.expr for d in program.defines}
        facts, _ = ir.references_through(conditions, definitions)
        return not facts and not any(map(self.risky, conditions)) and not any(
            dated(ob) and self.risky(ob.due) for ob in program.obligations)  # type: ignore[arg-type]

    def _decided_by_levels(self) -> None:
        levels, obligations = self._packed()
        program = self.program
        bits = sum(width(len(o.levels)) for o in program.outcomes)
        conditions = [node for node in (*(ob.condition for ob in program.obligations),
                                        *(e.condition for e in program.exemptions.values())) if node is not None]
        if math.prod(len(o.levels) for o in program.outcomes) <= _FILLED \
                and not any(ir.references(node)[1] for node in conditions):
            # every decision made once, when the function is built (see build): the levels index them
            self.constants["_by_levels"] = [None] * (1 << bits)
            self.emit(1, f"return _by_levels[{levels}]")
            if not any(line.startswith("def _levels(") for line in self.functions):
                lines, self.lines = self.lines, []
                self.emit(0, f"def _levels({', '.join(self.o(o.name) for o in program.outcomes)}):")
                self.obligations(1)
                self.emit(1, f"return _decision({levels} | {obligations})")
                self.functions += self.lines
                self.lines = lines
            return
        # this function's own cache: the levels packed, to the shared Decision; a
        # list when the levels are few (an index is cheaper than a lookup)
        small = bits <= _LIST_BITS
        self.constants["_by_levels"] = [None] * (1 << bits) if small else {}
        self.emit(1, f"k = {levels}")
        self.emit(1, "found = _by_levels[k]" if small else "found = _by_levels.get(k)")
        self.emit(1, "if found is None:")
        self.obligations(2)
        self.emit(2, f"found = _by_levels[k] = _decision(k | {obligations})")
        self.emit(1, "return found")

    def _packed(self) -> tuple[str, str]:
        """Expressions for the levels, and the obligations' flags, of a decision
        key (see :func:`breachrules.packing.unpack`)."""
        program = self.program
        levels, flags, shift = [], [], 0
        for o in program.outcomes:
            levels.append(f"{self.o(o.name)} << {shift}" if shift else self.o(o.name))
            shift += width(len(o.levels))
        for ob in program.obligations:
            flags.append(f"{self.ob('b', ob.name)} << {shift}")
            shift += 1
        return " | ".join(levels) or "0", " | ".join(flags) or "0"

    def actions(self) -> None:
        """As the interpreter reads them, after the obligations: each action's
        condition, in plan order. The untraced function has no use for them
        but evaluates those that can fail, to fail where the interpreter does."""
        for i, action in enumerate(self.program.actions):
            condition = action.condition
            if self.traced and condition is not None:
                self.emit(1, f"if {self.expr(condition)}: fk |= {self._bit(self._layout.action_shift + i)}")
            elif condition is not None and self.risky(condition):
                self.emit(1, self.expr(condition))

    def result(self) -> None:
        program = self.program
        if not self.traced:
            levels, obligations = self._packed()
            self.emit(1, f"k = {levels} | {obligations}")
            self.emit(1, "found = _decisions.get(k)")
            self.emit(1, "return found if found is not None else _decision(k)")
            return
        layout = self._layout
        always = sum(1 << (layout.action_shift + i) for i, a in enumerate(program.actions) if a.condition is None)
        parts = ["fk", *([self._bit_constant(always)] if always else [])]
        for o in program.outcomes:
            parts.append(f"{self.o(o.name)} << {layout.level_shift[o.name]}")
        for ob in program.obligations:
            parts.append(f"{self.ob('b', ob.name)} << {layout.required_shift[ob.name]}")
            if ob.exemptions:
                parts.append(f"{self.ob('x', ob.name)} << {layout.exempted_shift[ob.name]}")
            if ob.name in layout.sources:
                parts.append(f"{self.ob('i', ob.name)} << {layout.instead_shift[ob.name]}")
        dated_ = [self.ob("u", o.name) for o in program.obligations if dated(o)]
        # what the reasons may show: a definition's variable, a score's number again (it did not fail the first time)
        numbers = tuple_display(self.expr(node) for node in program.numbers().values())
        conflicts = "conflicts" if self._conflicting else "()"
        # the parts shared by every assessment of this trace, unless this one has its own
        self.emit(1, f"k = {' | '.join(parts)}")
        self.emit(1, "shared = _shared.get(k)")
        special = [*(["conflicts"] if self._conflicting else []), *(f"{u} is not None" for u in dated_)]
        self.emit(1, f"if {' or '.join(['shared is None', *special])}:")
        self.emit(2, f"shared = _shared_for(k, {tuple_display(dated_)}, {conflicts})")
        values = f"_values({numbers})" if program.numbers() else "{}"
        self.emit(1, f"return _from_fields(shared, j, {values}, later)")

    @functools.cached_property
    def _conflicting(self) -> bool:
        """Whether two exceptions to one rule can both apply: a conflict."""
        return any(len(rule.exceptions) > 1 for rule in self.program.rules.values())

def dated(ob: ObligationDef) -> bool:
    """Whether an obligation's deadline is an instant computed from the facts."""
    return ob.due is not None and not isinstance(ob.due, str)


def _size(program: Program) -> int:
    """How many statements a program has: what its generated body grows with."""
    return (len(program.rules) + len(program.defines) + len(program.obligations) + len(program.exemptions)
            + len(program.actions))


def read_facts(program: Program) -> set[str]:
    """The facts the program reads: the fast path needs all of them known."""
    return set(read_program(program).facts)
