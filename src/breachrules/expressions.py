"""Checking expressions: names resolved, types inferred and checked.

A mixin of the checker (:mod:`breachrules.checker`), which provides the
declarations it reads (``facts``, ``scales``, ``names``, ``define_nodes``),
``_define`` to check a definition on first use, and ``error`` to record a
diagnostic. An expression that fails comes back as ``None``; whatever builds
on it stays quiet, so one mistake gives one message.

Level names and enum members are not global: a bare name is read in the
light of the type expected where it stands, and an expected member wins
over a variable of the same name (``risk >= risk``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from breachrules import ir
from breachrules import nodes as n
from breachrules import types as t
from breachrules.diagnostics import Diagnostic, did_you_mean, quoted_list
from breachrules.i18n import Term
from breachrules.spans import Span

FUNCTIONS = ("size", "min", "max")


class ExpressionChecker:
    facts: dict[str, Any]
    scales: dict[str, Any]
    names: dict[str, Span]
    define_nodes: dict[str, Any]
    checking: list[str]
    closing: set[Span]
    diagnostics: list[Diagnostic]
    labels: dict[str, tuple[str, Span]]
    reading_obligations: bool

    def _define(self, name: str) -> Any:
        raise NotImplementedError

    def error(self, code: str, span: Span, /, **values: object) -> None:
        raise NotImplementedError

    def expr(self, e: n.Expr, expected: t.Type | None = None) -> ir.Node | None:
        method = getattr(self, "_e_" + type(e).__name__)
        result: ir.Node | None = method(e, expected)
        return result

    def _variable(self, name: str, span: Span) -> ir.Node | None:
        if name in self.facts:
            return ir.FactRef(name, self.facts[name].type, span)
        if name in self.define_nodes:
            if span in self.closing:
                return None  # closes a cycle, reported where the order was found
            if name in self.checking:
                cycle = self.checking[self.checking.index(name):] + [name]
                self.error("BR403", span, cycle=" → ".join(cycle))
                return None
            define = self._define(name)
            return ir.DefineRef(name, define.type, span) if define else None
        if name in self.scales:
            scale = self.scales[name]
            return ir.OutcomeRef(name, t.level(name, scale.levels), span)
        return None

    def _e_Name(self, e: n.Name, expected: t.Type | None) -> ir.Node | None:
        if expected is not None and expected.kind in ("enum", "level") and e.name in expected.members:
            return self._member_const(e.name, expected, e.span)
        node = self._variable(e.name, e.span)
        if node is not None or e.name in self.names:
            return node  # None here: a broken declaration, reported already
        if self.reading_obligations and self.labels.get(e.name, ("",))[0] == "obligation":
            return ir.ObligationRef(e.name, t.BOOL, e.span)
        if expected is not None and expected.kind in ("enum", "level"):
            self._unknown_member(n.Ident(e.name, e.span), expected.scale or "", expected.members)
        else:
            hint = did_you_mean(e.name, self.names)
            self.error("BR201", e.span, name=e.name, suggestion=suggest(hint))
        return None

    def _member_const(self, name: str, type_: t.Type, span: Span) -> ir.Const:
        if type_.kind == "level":
            return ir.Const(type_.members.index(name), type_, span)
        return ir.Const(name, t.Type("enum", type_.members), span)

    def _unknown_member(self, ident: n.Ident, owner: str, members: Sequence[str]) -> None:
        hint = did_you_mean(ident.name, members)
        self.error("BR202", ident.span, name=ident.name, owner=owner or Term.of("type.this_value"),
                   members=quoted_list(members), suggestion=suggest(hint))

    def _e_Qualified(self, e: n.Qualified, expected: t.Type | None) -> ir.Node | None:
        if e.owner in self.scales:
            scale = self.scales[e.owner]
            if e.member not in scale.levels:
                self._unknown_member(n.Ident(e.member, e.span), scale.name, scale.levels)
                return None
            return ir.Const(scale.levels.index(e.member), t.level(scale.name, scale.levels), e.span)
        fact = self.facts.get(e.owner)
        if fact is not None and fact.type.kind in ("enum", "set", "level"):
            if e.member not in fact.type.members:
                self._unknown_member(n.Ident(e.member, e.span), fact.name, fact.type.members)
                return None
            element = fact.type if fact.type.kind != "set" else fact.type.element
            return self._member_const(e.member, element, e.span)
        self.error("BR201", e.span, name=e.owner,
                   suggestion=suggest(did_you_mean(e.owner, [*self.scales, *self.facts])))
        return None

    def _e_NumberLit(self, e: n.NumberLit, expected: t.Type | None) -> ir.Node:
        return ir.Const(e.value, t.Type("number", integral=isinstance(e.value, int)), e.span)

    def _e_DurationLit(self, e: n.DurationLit, expected: t.Type | None) -> ir.Node:
        return ir.Const(e.value, t.DURATION, e.span)

    def _e_StringLit(self, e: n.StringLit, expected: t.Type | None) -> ir.Node:
        return ir.Const(e.value, t.TEXT, e.span)

    def _e_BoolLit(self, e: n.BoolLit, expected: t.Type | None) -> ir.Node:
        return ir.Const(e.value, t.BOOL, e.span)

    def _e_SetLit(self, e: n.SetLit, expected: t.Type | None) -> ir.Node | None:
        if expected is None or expected.kind != "set":
            self.error("BR305", e.span)
            return None
        ok = True
        for member in e.members:
            if member.name not in expected.members:
                self._unknown_member(member, "", expected.members)
                ok = False
        if not ok:
            return None
        return ir.Const(frozenset(m.name for m in e.members), expected, e.span)

    def _bools(self, operands: Iterable[n.Expr]) -> list[ir.Node] | None:
        nodes = []
        for operand in operands:
            node = self.expr(operand, t.BOOL)
            if node is not None and node.type.kind != "bool":
                self.error("BR304", operand.span, found=node.type.describe())
                node = None
            nodes.append(node)
        return None if any(x is None for x in nodes) else nodes  # type: ignore[return-value]

    def _e_Not(self, e: n.Not, expected: t.Type | None) -> ir.Node | None:
        nodes = self._bools([e.operand])
        return ir.Not(nodes[0], t.BOOL, e.span) if nodes else None

    def _e_BoolOp(self, e: n.BoolOp, expected: t.Type | None) -> ir.Node | None:
        nodes = self._bools(e.operands)
        return ir.BoolOp(e.op, tuple(nodes), t.BOOL, e.span) if nodes else None

    def _pair(self, left: n.Expr, right: n.Expr,
              expect_right: Any = None) -> tuple[ir.Node | None, ir.Node | None]:
        """Check two operands; a bare name or set literal is read in the light
        of the other side's type, so the other side goes first."""
        if self._contextual(left) and not self._contextual(right):
            r = self.expr(right)
            return self.expr(left, r.type if r is not None else None), r
        lnode = self.expr(left)
        return lnode, self.expr(right, lnode.type if lnode is not None else None)

    def _contextual(self, e: n.Expr) -> bool:
        return isinstance(e, n.SetLit) or (isinstance(e, n.Name) and e.name not in self.names)

    def _mismatch(self, span: Span, expected: t.Type, found: t.Type) -> None:
        if expected.kind == "level" and found.kind == "level":
            self.error("BR302", span, left=expected.scale, right=found.scale)
        else:
            self.error("BR301", span, expected=expected.describe(), found=found.describe())

    def _e_Compare(self, e: n.Compare, expected: t.Type | None) -> ir.Node | None:
        left, right = self._pair(e.left, e.right)
        if left is None or right is None:
            return None
        if not left.type.same(right.type):
            self._mismatch(e.span, left.type, right.type)
            return None
        if e.op not in ("==", "!=") and not left.type.ordered:
            self.error("BR307", e.span, op=e.op, type=left.type.describe())
            return None
        return ir.Compare(e.op, left, right, t.BOOL, e.span)

    def _e_Member(self, e: n.Member, expected: t.Type | None) -> ir.Node | None:
        if isinstance(e.collection, n.SetLit):
            element = self.expr(e.element)
            if element is None:
                return None
            if element.type.kind != "enum":
                self.error("BR303", e.span, op="in", left=element.type.describe(), right=Term.of("type.some_set"))
                return None
            collection = self.expr(e.collection, t.Type("set", element.type.members))
        else:
            collection = self.expr(e.collection)
            if collection is None:
                return None
            if collection.type.kind != "set":
                self.error("BR303", e.span, op="in", left=Term.of("type.value"), right=collection.type.describe())
                return None
            element = self.expr(e.element, collection.type.element)
        if element is None or collection is None:
            return None
        if not element.type.same(collection.type.element):
            self._mismatch(e.element.span, collection.type.element, element.type)
            return None
        return ir.Member(element, collection, e.negated, t.BOOL, e.span)

    def _e_SetTest(self, e: n.SetTest, expected: t.Type | None) -> ir.Node | None:
        left, right = self._pair(e.left, e.right)
        if left is None or right is None:
            return None
        if left.type.kind != "set" or not left.type.same(right.type):
            self.error("BR303", e.span, op=e.op, left=left.type.describe(), right=right.type.describe())
            return None
        return ir.SetTest(e.op, left, right, t.BOOL, e.span)

    def _e_IsKnown(self, e: n.IsKnown, expected: t.Type | None) -> ir.Node | None:
        operand = self.expr(e.operand)
        return ir.IsKnown(operand, e.negated, t.BOOL, e.span) if operand is not None else None

    def _e_BinOp(self, e: n.BinOp, expected: t.Type | None) -> ir.Node | None:
        left, right = self._pair(e.left, e.right)
        if left is None or right is None:
            return None
        result = _arith_type(e.op, left.type, right.type)
        if result is None:
            self.error("BR303", e.span, op=e.op, left=left.type.describe(), right=right.type.describe())
            return None
        return ir.BinOp(e.op, left, right, result, e.span)

    def _e_Negate(self, e: n.Negate, expected: t.Type | None) -> ir.Node | None:
        operand = self.expr(e.operand)
        if operand is None:
            return None
        if operand.type.kind not in ("number", "duration"):
            self.error("BR303", e.span, op="-", left=Term.of("type.nothing"), right=operand.type.describe())
            return None
        if isinstance(operand, ir.Const):
            return ir.Const(-operand.value, operand.type, e.span)
        return ir.Negate(operand, operand.type, e.span)

    def _e_Call(self, e: n.Call, expected: t.Type | None) -> ir.Node | None:
        name = e.function.name
        if name not in FUNCTIONS:
            self.error("BR204", e.function.span, name=name,
                       suggestion=suggest(did_you_mean(name, FUNCTIONS)), functions=", ".join(FUNCTIONS))
            return None
        # variables first, then bare level names read in the light of their type
        order = sorted(range(len(e.args)), key=lambda i: self._contextual(e.args[i]))
        checked: dict[int, ir.Node | None] = {}
        for i in order:
            context = next((x.type for x in checked.values() if x is not None), expected)
            checked[i] = self.expr(e.args[i], context)
        args = [checked[i] for i in range(len(e.args))]
        if any(a is None for a in args):
            return None
        nodes: list[ir.Node] = [a for a in args if a is not None]
        if name == "size":
            if len(nodes) != 1 or nodes[0].type.kind != "set":
                self.error("BR308", e.span, name=name, expected=Term.of("type.one_set"))
                return None
            return ir.Call(name, tuple(nodes), t.Type("number", integral=True), e.span)
        if len(nodes) < 2 or not all(a.type.same(nodes[0].type) and a.type.ordered for a in nodes):
            self.error("BR308", e.span, name=name, expected=Term.of("type.ordered_values"))
            return None
        type_ = nodes[0].type
        if type_.kind == "number":  # whole only when every argument is
            type_ = t.Type("number", integral=all(a.type.integral for a in nodes))
        return ir.Call(name, tuple(nodes), type_, e.span)


def _arith_type(op: str, left: t.Type, right: t.Type) -> t.Type | None:
    kinds = (left.kind, right.kind)
    if op in ("&", "|"):
        return left if left.kind == "set" and left.same(right) else None
    if op == "-" and left.kind == "set" and left.same(right):
        return left
    if kinds == ("number", "number"):
        integral = left.integral and right.integral and op != "/"
        return t.Type("number", integral=integral)
    table: dict[tuple[str, str, str], t.Type] = {
        ("+", "duration", "duration"): t.DURATION,
        ("-", "duration", "duration"): t.DURATION,
        ("+", "datetime", "duration"): t.DATETIME,
        ("+", "duration", "datetime"): t.DATETIME,
        ("-", "datetime", "duration"): t.DATETIME,
        ("-", "datetime", "datetime"): t.DURATION,
        ("*", "duration", "number"): t.DURATION,
        ("*", "number", "duration"): t.DURATION,
        ("/", "duration", "number"): t.DURATION,
        ("/", "duration", "duration"): t.NUMBER,
    }
    return table.get((op, *kinds))


def suggest(suggestion: str | None) -> str:
    return suggestion or ""
