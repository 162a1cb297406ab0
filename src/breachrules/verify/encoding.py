"""A checked program as formulas: what it decides for every complete incident.

Each fact becomes a solver variable (:class:`Space`), constrained to what
the ruleset's own validation accepts; every definition, rule tree, outcome,
obligation and action becomes a term over those variables, read exactly as
:mod:`breachrules.interpreter` reads a complete incident. Two programs
encoded over one space (a ruleset and a changed copy of it) share their
facts, which is what makes a difference between them a formula.

Values, by type: ``bool`` a Boolean; whole numbers integers and other
numbers reals; durations integers of microseconds; instants a pair of
integers (the UTC microseconds, which order them, and the UTC offset, which
decides when a sum overflows the calendar); text strings; enum members and
levels integers; a set one Boolean per member.

Only what is exact is encoded. Floating-point arithmetic (``/``, and
arithmetic on numbers that need not be whole) and the rounding of a
duration scaled by a number are not: they raise :class:`Unsupported`, and
the analysis says so and searches instead of proving. Arithmetic on a few
numbers the ruleset states itself (``points`` and sums and products of
them), where no combination rounds, is exact, and is encoded as such
(:mod:`breachrules.verify.exact`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import attrs
import z3

from breachrules import ir
from breachrules.arithmetic import LIMIT
from breachrules.i18n import Term
from breachrules.incident import EARLIEST, LATEST
from breachrules.limits import MAX_MAGNITUDE
from breachrules.program import DefineDef, FactDef, ObligationDef, Program, RuleDef
from breachrules.spans import Span
from breachrules.types import Type
from breachrules.verify.exact import Finite

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = 1
SECOND = 10**6
DAY = 86_400 * SECOND
MAX_DURATION = (timedelta.max.days * 86_400 + timedelta.max.seconds) * SECOND + timedelta.max.microseconds
MIN_DURATION = timedelta.min.days * DAY
# the local wall-clock times Python can hold, as microseconds from the epoch
FIRST_LOCAL = -int((EPOCH - datetime(1, 1, 1, tzinfo=UTC)).total_seconds()) * SECOND
LAST_LOCAL = int((datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - EPOCH).total_seconds()) * SECOND + 999_999
MAX_OFFSET = DAY - 1  # a UTC offset is strictly within a day: at most a microsecond short of it


def micros(value: datetime | timedelta) -> int:
    """An instant (from the epoch) or a duration in whole microseconds, exactly."""
    delta = value - EPOCH if isinstance(value, datetime) else value
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds


class Unsupported(Exception):
    """A construct the encoding cannot express exactly; ``span`` is where."""

    def __init__(self, span: Span, construct: Term) -> None:
        self.span = span
        self.construct = construct  # verify.unsupported.*, in the reader's language
        super().__init__(f"{span}: {construct.key}")


@attrs.frozen
class Instant:
    utc: z3.ArithRef  # microseconds from 1970-01-01T00:00Z
    offset: z3.ArithRef  # microseconds east of UTC


@attrs.frozen
class SetValue:
    members: Mapping[str, z3.BoolRef]  # a member left out is not in the set


@attrs.frozen
class Failure:
    """Where evaluation can stop with an error, and on which incidents."""

    guard: z3.BoolRef
    label: str
    span: Span
    reason: str  # division_by_zero | out_of_range
    operation: z3.BoolRef = z3.BoolVal(True)  # the operation fails, wherever it is reached


class Space:
    """The facts of one or more programs as solver variables."""

    def __init__(self) -> None:
        self.variables: dict[str, Any] = {}
        self.types: dict[str, Type] = {}
        self._members: dict[str, int] = {}
        self._names: list[str] = []

    def member(self, name: str) -> int:
        """The number that stands for an enum member (the same for every fact)."""
        if name not in self._members:
            self._members[name] = len(self._names)
            self._names.append(name)
        return self._members[name]

    def member_name(self, number: int) -> str:
        return self._names[number]

    def fact(self, fact: FactDef, prefix: str = "") -> Any:
        key = prefix + fact.name
        if key not in self.variables:
            self.variables[key] = self._variable(key, fact.type)
            self.types[key] = fact.type
        return self.variables[key]

    def share(self, *programs: Program) -> None:
        """One variable for each fact of several programs (two versions of a
        ruleset): a set fact gets every member either version knows."""
        for program in programs:
            for name, fact in program.facts.items():
                known = self.types.get(name)
                if known is None:
                    self.fact(fact)
                elif known.kind != fact.type.kind or (known.kind == "number" and known.integral != fact.type.integral):
                    raise Unsupported(fact.span, Term.of("verify.unsupported.fact_type", name=name))
                elif known.kind == "set" and set(fact.type.members) - set(known.members):
                    members = (*known.members, *(m for m in fact.type.members if m not in known.members))
                    merged = attrs.evolve(known, members=members)
                    self.variables[name] = self._variable(name, merged)
                    self.types[name] = merged

    def _variable(self, key: str, type_: Type) -> Any:
        kind = type_.kind
        if kind == "bool":
            return z3.Bool(key)
        if kind == "number":
            return z3.Int(key) if type_.integral else z3.Real(key)
        if kind in ("duration", "enum", "level"):
            return z3.Int(key)
        if kind == "datetime":
            return Instant(z3.Int(key + "@utc"), z3.Int(key + "@offset"))
        if kind == "text":
            return z3.String(key)
        return SetValue({m: z3.Bool(f"{key}[{m}]") for m in type_.members})

    def pairs(self, fact: FactDef, given: Any, prefix: str = "") -> list[tuple[Any, Any]]:
        """(variable, value) pairs that put one validated value of ``fact`` in
        for its variables, as the encoding represents its type: to fix a
        known fact, or to read a term on one incident."""
        variable, kind = self.fact(fact, prefix), fact.type.kind
        if kind == "bool":
            return [(variable, z3.BoolVal(given))]
        if kind == "number":
            return [(variable, z3.IntVal(given) if fact.type.integral else z3.RealVal(Fraction(given)))]
        if kind == "duration":
            return [(variable, z3.IntVal(micros(given)))]
        if kind == "datetime":
            return [(variable.utc, z3.IntVal(micros(given))), (variable.offset, z3.IntVal(micros(given.utcoffset())))]
        if kind == "text":
            return [(variable, text(given, fact.span))]
        if kind == "enum":
            return [(variable, z3.IntVal(self.member(given)))]
        if kind == "level":
            return [(variable, z3.IntVal(given))]  # validated: the index in its scale
        return [(flag, z3.BoolVal(member in given)) for member, flag in variable.members.items()]

    def valid(self, fact: FactDef, value: Any) -> z3.BoolRef:
        """What validation accepts of one fact (for a complete incident)."""
        type_ = fact.type
        kind = type_.kind
        if kind == "number":
            bounds = [value >= -MAX_MAGNITUDE, value <= MAX_MAGNITUDE]
            if type_.low is not None:
                bounds.append(value >= _number(type_.low))
            if type_.high is not None:
                bounds.append(value <= _number(type_.high))
            return z3.And(bounds)
        if kind == "duration":
            return z3.And(value >= 0, value <= MAX_DURATION)
        if kind == "enum":
            return z3.Or([value == self.member(m) for m in type_.members])
        if kind == "level":
            return z3.And(value >= 0, value < len(type_.members))
        if kind == "set":  # a member another version of the ruleset has is never in this one's sets
            return z3.And([z3.Not(flag) for m, flag in value.members.items() if m not in type_.members]
                          or [z3.BoolVal(True)])
        if kind == "datetime":
            return z3.And(value.utc >= micros(EARLIEST), value.utc < micros(LATEST),
                          value.offset >= -MAX_OFFSET, value.offset <= MAX_OFFSET)
        return z3.BoolVal(True)


# the characters the solver's strings hold
LAST_CHARACTER = 0x2FFFF


def text(value: str, span: Span) -> z3.SeqRef:
    """A text as the solver's string, character by character: written as
    escapes, since the solver reads escapes in what it is given."""
    if any(ord(c) > LAST_CHARACTER for c in value):
        raise Unsupported(span, Term.of("verify.unsupported.character"))
    return z3.StringVal("".join(f"\\u{{{ord(c):x}}}" for c in value))


def read_text(value: z3.SeqRef) -> str:
    """A solver's string as text: it writes characters beyond Latin-1, and
    a backslash that could start one, as escapes."""
    return re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), value.as_string())


def _number(value: int | float) -> Any:
    return z3.IntVal(value) if isinstance(value, int) else z3.RealVal(Fraction(value))


def _worth(value: int | float, integral: bool) -> Any:
    """A number of ``points`` as the solver takes it: all of one sort, whole
    only when every number is (an If of an integer and a real is a real)."""
    return z3.IntVal(value) if integral else z3.RealVal(Fraction(value))


class Encoding:
    """One program over a space: the terms of its decision."""

    def __init__(self, program: Program, space: Space, prefix: str = "") -> None:
        self.program = program
        self.space = space
        self.prefix = prefix  # a second copy of the facts (monotonicity compares two incidents)
        self.defines: dict[str, Any] = {}
        self.outcomes: dict[str, z3.ArithRef] = {}
        self.applies: dict[str, z3.BoolRef] = {}  # a rule's condition
        self.paths: dict[str, z3.BoolRef] = {}  # a rule and every base above it apply
        self.trees: dict[str, dict[str, z3.ArithRef]] = {}
        self.failures: list[Failure] = []
        self.finite = Finite(program)  # the arithmetic on few values, which no incident makes round
        self._label = program.name
        self._reach: z3.BoolRef = z3.BoolVal(True)
        waiting: dict[str | None, list[DefineDef]] = {}
        for define in program.defines:  # evaluated as the interpreter does: after what they read
            waiting.setdefault(define.after, []).append(define)
        for define in waiting.get(None, []):
            self._define(define)
        for outcome in program.outcomes:
            self._outcome(outcome.name)
            for define in waiting.get(outcome.name, []):
                self._define(define)
        self.before_exemptions: dict[str, z3.BoolRef] = {}
        self.own, self.required, self.exempting = self._obligations()
        self.actions: dict[str, z3.BoolRef] = {}
        for action in program.actions:
            self._label = action.name
            if action.condition is not None:
                self._fail(action.condition, z3.BoolVal(True))
            self.actions[action.name] = self.truth(action.condition)

    # -------------------------------------------------------------- the input

    def facts(self) -> dict[str, Any]:
        return {name: self.space.fact(fact, self.prefix) for name, fact in self.program.facts.items()}

    def valid(self) -> z3.BoolRef:
        """Every complete incident the program's validation accepts."""
        constraints = [self.space.valid(fact, self.space.fact(fact, self.prefix))
                       for fact in self.program.facts.values()]
        for earlier, later in self.program.precedes:
            first = self.space.fact(self.program.facts[earlier], self.prefix)
            second = self.space.fact(self.program.facts[later], self.prefix)
            constraints.append(second.utc >= first.utc)
        return z3.And(constraints)

    def evaluates(self) -> z3.BoolRef:
        """The incident evaluates without an error: a promise is broken, or
        a version decides differently, only on an incident with an answer
        (one without is BR809's). The conditions of the plans' actions are
        part of it: an assessment decides them with everything else."""
        return z3.Not(z3.Or([f.guard for f in self.failures] or [z3.BoolVal(False)]))

    def failing(self, node: ir.Node) -> z3.BoolRef:
        """When evaluating ``node``, an expression outside the decision (an
        invariant's), stops with an error: the interpreter then has no
        truth for it, so it can be neither proved nor refuted there."""
        before = len(self.failures)
        self._fail(node, z3.BoolVal(True))
        found = self.failures[before:]
        del self.failures[before:]
        return z3.Or([f.guard for f in found] or [z3.BoolVal(False)])

    # -------------------------------------------------------------- the decision

    def outputs(self) -> dict[str, z3.ExprRef]:
        """What an assessment decides: each outcome's level, each obligation's
        being required. Keys are ``outcome:NAME`` and ``obligation:NAME``."""
        found: dict[str, z3.ExprRef] = {f"outcome:{name}": level for name, level in self.outcomes.items()}
        found.update({f"obligation:{name}": flag for name, flag in self.required.items()})
        return found

    def truth(self, node: ir.Node | None) -> z3.BoolRef:
        return z3.BoolVal(True) if node is None else self.value(node)

    def _define(self, define: DefineDef) -> None:
        self._label = define.name
        self._fail(define.expr, z3.BoolVal(True))
        self.defines[define.name] = self.value(define.expr)

    def _outcome(self, name: str) -> None:
        outcome = self.program.outcome(name)
        contributions = [self._tree(self.program.rules[root], z3.BoolVal(True)).get(name, _ZERO)
                         for root in outcome.roots]
        if outcome.table is not None:
            contributions.append(self.table_level(name))
        self.outcomes[name] = _max(contributions)

    def table_level(self, name: str) -> z3.ArithRef:
        """The level an outcome's ``combine`` table gives (0 without one)."""
        table = self.program.outcome(name).table
        cell: z3.ArithRef = z3.IntVal(0)
        if table is None:
            return cell
        rows, columns = self.outcomes[table.rows], self.outcomes[table.columns]
        for r, row in enumerate(table.cells):
            for c, level in enumerate(row):
                cell = z3.If(z3.And(rows == r, columns == c), z3.IntVal(level), cell)
        return cell

    def _tree(self, rule: RuleDef, base_applies: z3.BoolRef) -> dict[str, z3.ArithRef]:
        """What a rule contributes with its exceptions; ``base_applies`` is
        when the interpreter reads its condition at all."""
        if rule.label in self.trees:
            return self.trees[rule.label]
        self._label = rule.label
        if rule.condition is not None:
            self._fail(rule.condition, base_applies)
        applies = self.truth(rule.condition)
        path = z3.And(base_applies, applies)
        self.applies[rule.label] = applies
        self.paths[rule.label] = path
        own: dict[str, list[z3.ArithRef]] = {}
        for name, node in rule.conclusions:
            self._label = rule.label
            self._fail(node, path)
            own.setdefault(name, []).append(self.value(node))
        exceptions = []
        for label in rule.exceptions:
            tree = self._tree(self.program.rules[label], path)
            exceptions.append((self.applies[label], tree))
        names = set(own).union(*(tree.keys() for _, tree in exceptions))
        overridden = z3.Or([flag for flag, _ in exceptions]) if exceptions else z3.BoolVal(False)
        result: dict[str, z3.ArithRef] = {}
        for name in sorted(names):  # a fixed order of terms: the same models, run after run
            replaced = _max([z3.If(flag, tree.get(name, _ZERO), _ZERO) for flag, tree in exceptions])
            level = z3.If(overridden, replaced, _max(own.get(name, [])))
            result[name] = z3.If(applies, level, _ZERO)
        self.trees[rule.label] = result
        return result

    def conflicts(self) -> list[tuple[str, str, str, z3.BoolRef]]:
        """(base, one, other, when): two exceptions to one rule that both
        apply and leave different levels (what the interpreter reports)."""
        found = []
        for rule in self.program.rules.values():
            labels = rule.exceptions
            for i, one in enumerate(labels):
                for other in labels[i + 1:]:
                    a, b = self.trees[one], self.trees[other]
                    differ = z3.Or([a.get(name, _ZERO) != b.get(name, _ZERO) for name in sorted(set(a) | set(b))]) \
                        if set(a) | set(b) else z3.BoolVal(False)
                    when = z3.And(self.paths[rule.label], self.applies[one], self.applies[other], differ)
                    found.append((rule.label, one, other, when))
        return found

    def _obligations(self) -> tuple[dict[str, z3.BoolRef], dict[str, z3.BoolRef], dict[str, z3.BoolRef]]:
        """Whether each obligation is required before exemptions, in the
        end, and when each exemption lifts its obligation."""
        own: dict[str, z3.BoolRef] = {}
        for ob in self.program.obligations:
            self._label = ob.name
            if ob.always:
                own[ob.name] = z3.BoolVal(True)
            elif ob.condition is None:
                own[ob.name] = z3.BoolVal(False)
            else:
                self._fail(ob.condition, z3.BoolVal(True))
                own[ob.name] = self.value(ob.condition)
        instead: dict[str, list[z3.BoolRef]] = {}
        before: dict[str, z3.BoolRef] = {}
        final: dict[str, z3.BoolRef] = {}
        exempting: dict[str, z3.BoolRef] = {}
        for ob in self.program.instead_order():
            required = z3.Or([own[ob.name], *instead.get(ob.name, [])])
            before[ob.name] = required
            flags = []
            for label in ob.exemptions:
                exemption = self.program.exemptions[label]
                self._label = label
                if exemption.condition is not None:
                    self._fail(exemption.condition, required)
                flag = self.truth(exemption.condition)
                flags.append(flag)
                exempting[label] = z3.And(required, flag)
                if exemption.instead:
                    instead.setdefault(exemption.instead, []).append(z3.And(required, flag))
            final[ob.name] = z3.And(required, z3.Not(z3.Or(flags))) if flags else required
            if isinstance(ob.due, ir.Node):
                self._label = ob.name
                self._fail(ob.due, final[ob.name])
        self.before_exemptions = before
        return own, final, exempting

    def obligation(self, name: str) -> ObligationDef:
        return next(ob for ob in self.program.obligations if ob.name == name)

    # -------------------------------------------------------------- expressions

    def value(self, node: ir.Node) -> Any:
        method: Callable[[Any], Any] = getattr(self, "_v_" + type(node).__name__)
        return method(node)

    def _v_Const(self, node: ir.Const) -> Any:
        return self.constant(node.value, node.type, node.span)

    def constant(self, value: Any, type_: Type, span: Span) -> Any:
        kind = type_.kind
        if kind == "bool":
            return z3.BoolVal(bool(value))
        if kind == "number":
            return _number(value)
        if kind == "duration":
            return z3.IntVal(micros(value))
        if kind == "text":
            return text(value, span)
        if kind == "enum":
            return z3.IntVal(self.space.member(value))
        if kind == "level":
            return z3.IntVal(value)
        if kind == "set":
            return SetValue({m: z3.BoolVal(True) for m in sorted(value)})
        raise Unsupported(span, Term.of("verify.unsupported.constant"))

    def _v_FactRef(self, node: ir.FactRef) -> Any:
        return self.space.fact(self.program.facts[node.name], self.prefix)

    def _v_DefineRef(self, node: ir.DefineRef) -> Any:
        return self.defines[node.name]

    def _v_OutcomeRef(self, node: ir.OutcomeRef) -> Any:
        return self.outcomes[node.name]

    def _v_ObligationRef(self, node: ir.ObligationRef) -> Any:
        return self.required[node.name]

    def _v_Not(self, node: ir.Not) -> Any:
        return z3.Not(self.value(node.operand))

    def _v_BoolOp(self, node: ir.BoolOp) -> Any:
        operands = [self.value(o) for o in node.operands]
        return z3.And(operands) if node.op == "and" else z3.Or(operands)

    def _v_Compare(self, node: ir.Compare) -> Any:
        a, b = self.value(node.left), self.value(node.right)
        if isinstance(a, Instant):
            a, b = a.utc, b.utc
        if isinstance(a, SetValue):
            same = z3.And([_has(a, m) == _has(b, m) for m in _members(a, b)])
            return same if node.op == "==" else z3.Not(same)
        return ir.COMPARISONS[node.op](a, b)

    def _v_Member(self, node: ir.Member) -> Any:
        element, collection = self.value(node.element), self.value(node.collection)
        inside = z3.Or([z3.And(element == self.space.member(m), flag) for m, flag in collection.members.items()])
        return z3.Not(inside) if node.negated else inside

    def _v_SetTest(self, node: ir.SetTest) -> Any:
        a, b = self.value(node.left), self.value(node.right)
        if node.op == "intersects":
            return z3.Or([z3.And(_has(a, m), _has(b, m)) for m in _members(a, b)])
        return z3.And([z3.Implies(_has(a, m), _has(b, m)) for m in _members(a, b)])

    def _v_IsKnown(self, node: ir.IsKnown) -> Any:
        self.value(node.operand)  # still encoded: an operand it cannot encode is unsupported here too
        return z3.BoolVal(not node.negated)  # in a complete incident everything is known

    def _v_BinOp(self, node: ir.BinOp) -> Any:
        a, b = self.value(node.left), self.value(node.right)
        op, kind = node.op, node.type.kind
        if kind == "set":
            members = _members(a, b)
            if op == "|":
                return SetValue({m: z3.Or(_has(a, m), _has(b, m)) for m in members})
            if op == "&":
                return SetValue({m: z3.And(_has(a, m), _has(b, m)) for m in members})
            return SetValue({m: z3.And(_has(a, m), z3.Not(_has(b, m))) for m in members})
        if op == "/" or (kind == "number" and not node.type.integral and not _whole(node)):
            if op == "/" or self.finite.values(node) is None:
                raise Unsupported(node.span, Term.of("verify.unsupported.float"))
            return self._exact(op, node.left, a, b)
        if kind == "datetime":
            if isinstance(a, Instant):
                return Instant(a.utc + b if op == "+" else a.utc - b, a.offset)
            return Instant(b.utc + a, b.offset)
        if kind == "duration":
            if isinstance(a, Instant):
                return a.utc - b.utc
            if op == "*":
                scalar, duration = (node.left, b) if node.left.type.kind == "number" else (node.right, a)
                if not scalar.type.integral:
                    raise Unsupported(node.span, Term.of("verify.unsupported.scaled_duration"))
                factor = a if node.left.type.kind == "number" else b
                return duration * factor
            return a + b if op == "+" else a - b
        return {"+": a + b, "-": a - b, "*": a * b}[op]

    def _exact(self, op: str, left: ir.Node, a: Any, b: Any) -> Any:
        """Arithmetic that no incident makes round (:mod:`.exact`), on the
        solver's exact reals. A product is a choice among the few values of
        its left side, each times the right: linear, where ``a * b`` would
        be the nonlinear arithmetic the solver may give up on."""
        if op != "*":
            return a + b if op == "+" else a - b
        values = self.finite.values(left)
        assert values is not None  # (the whole product is finite, so each side is)
        product: Any = _number(values[-1]) * b
        for value in reversed(values[:-1]):
            product = z3.If(a == _number(value), _number(value) * b, product)
        return product

    def _v_Negate(self, node: ir.Negate) -> Any:
        return -self.value(node.operand)

    def _v_Call(self, node: ir.Call) -> Any:
        args = [self.value(a) for a in node.args]
        if node.function == "size":
            return z3.Sum([z3.If(flag, 1, 0) for flag in args[0].members.values()] or [z3.IntVal(0)])
        pick = ir.COMPARISONS["<"] if node.function == "min" else ir.COMPARISONS[">"]
        best = args[0]
        for arg in args[1:]:  # Python keeps the first of equal values
            if isinstance(best, Instant):
                take = pick(arg.utc, best.utc)
                best = Instant(z3.If(take, arg.utc, best.utc), z3.If(take, arg.offset, best.offset))
            else:
                best = z3.If(pick(arg, best), arg, best)
        return best

    def _v_Bands(self, node: ir.Bands) -> Any:
        v = self.value(node.operand)
        level: Any = z3.IntVal(node.levels[-1])
        for limit, band in reversed(list(zip(node.limits, node.levels, strict=False))):
            level = z3.If(v < _number(limit), z3.IntVal(band), level)
        return level

    def _v_Points(self, node: ir.Points) -> Any:
        """What a member or level is worth, as a chain of ``If``: every
        member has its number, so the last one needs no test."""
        v = self.value(node.operand)
        keys = [self.space.member(m) for m in node.members] if node.operand.type.kind == "enum" \
            else list(range(len(node.members)))
        worth = [_worth(value, node.type.integral) for value in node.values]
        result: Any = worth[-1]
        for key, value in reversed(list(zip(keys[:-1], worth[:-1], strict=True))):
            result = z3.If(v == key, value, result)
        return result

    # -------------------------------------------------------------- errors

    def _fail(self, node: ir.Node, reach: z3.BoolRef) -> None:
        """Record when evaluating ``node`` (reached under ``reach``) stops with
        an error: operands left to right, ``and``/``or`` stopping early."""
        if isinstance(node, ir.BoolOp):
            for operand in node.operands:
                self._fail(operand, reach)
                value = self.value(operand)
                reach = z3.And(reach, value if node.op == "and" else z3.Not(value))
            return
        for child in ir.children(node):
            self._fail(child, reach)
        reason = self._overflow(node)
        if reason is not None:
            self.failures.append(Failure(z3.And(reach, reason), self._label, node.span,
                                         "division_by_zero" if isinstance(node, ir.BinOp) and node.op == "/"
                                         else "out_of_range", reason))

    def _overflow(self, node: ir.Node) -> z3.BoolRef | None:
        """When the operation at ``node`` itself fails (operands evaluated)."""
        if isinstance(node, ir.Negate) and node.type.kind == "duration":
            # -d exists only while d is no longer than the longest negative duration
            operand = self.value(node.operand)
            return z3.Or(operand > -MIN_DURATION, operand < -MAX_DURATION)
        if not isinstance(node, ir.BinOp) or node.type.kind == "set":
            return None
        value = self.value(node)
        kind = node.type.kind
        if kind == "duration":
            return z3.Or(value < MIN_DURATION, value > MAX_DURATION)
        if kind == "datetime":
            local = value.utc + value.offset
            return z3.Or(local < FIRST_LOCAL, local > LAST_LOCAL)
        if kind == "number" and node.op == "*" and node.type.integral:
            return z3.Or(value < -LIMIT, value > LIMIT)
        return None


_ZERO = z3.IntVal(0)



def _max(levels: Iterable[z3.ArithRef]) -> z3.ArithRef:
    best: z3.ArithRef = _ZERO
    for level in levels:
        best = z3.If(level > best, level, best)
    return best


def _members(a: SetValue, b: SetValue) -> list[str]:
    return sorted(set(a.members) | set(b.members))


def _has(value: SetValue, member: str) -> z3.BoolRef:
    return value.members.get(member, z3.BoolVal(False))


def _whole(node: ir.BinOp) -> bool:
    """Arithmetic on numbers is exact when both sides are whole numbers
    (a ``number`` result can still come from two integral operands)."""
    return node.left.type.integral and node.right.type.integral and node.op != "/"
