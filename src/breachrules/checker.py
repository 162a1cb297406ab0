"""From parsed modules to a checked :class:`~breachrules.program.Program`.

The checker resolves every name, infers and checks every type, and checks
the structure (duplicates, exceptions to missing labels, tables, cycles,
missing messages and citations). It never stops at the first problem: it
records a diagnostic, substitutes nothing, and carries on, so that one run
reports everything. Expressions are checked by the mixin in
:mod:`breachrules.expressions`.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from breachrules import ir
from breachrules import nodes as n
from breachrules import types as t
from breachrules.citations import Citation
from breachrules.diagnostics import Diagnostic, did_you_mean, quoted_list
from breachrules.expressions import ExpressionChecker, suggest
from breachrules.i18n import Term, plain_template
from breachrules.limits import DEFAULT, Limits
from breachrules.notice_parts import NoticeChecker
from breachrules.orders import OrderChecker
from breachrules.program import (
    ActionDef,
    ChecklistDef,
    ChecklistItemDef,
    DefineDef,
    ExemptionDef,
    FactDef,
    InvariantDef,
    MonotoneDef,
    ObligationDef,
    OutcomeDef,
    PlanDef,
    Program,
    ReplacedDef,
    RuleDef,
    ScaleDef,
    TableDef,
)
from breachrules.references import ReferenceChecker
from breachrules.spans import Span

FACT_TYPES = ("bool", "count", "integer", "number", "duration", "datetime", "text")


def _repeated(names: Sequence[n.Ident]) -> list[n.Ident]:
    """The names that repeat an earlier one, in one pass."""
    seen: set[str] = set()
    repeated = []
    for ident in names:
        if ident.name in seen:
            repeated.append(ident)
        seen.add(ident.name)
    return repeated


def check(modules: Sequence[n.Module], limits: Limits = DEFAULT) -> tuple[Program | None, list[Diagnostic]]:
    """Check a ruleset given as its chain of modules, the base first."""
    checker = _Checker(modules, limits)
    program = checker.run()
    return (None if checker.diagnostics else program), checker.diagnostics


class _Checker(ExpressionChecker, OrderChecker, ReferenceChecker, NoticeChecker):
    def __init__(self, modules: Sequence[n.Module], limits: Limits = DEFAULT) -> None:
        self.modules = modules
        self.limits = limits
        self.closing: set[Span] = set()  # references that close a cycle of definitions
        self.header = modules[-1].header
        self.diagnostics: list[Diagnostic] = []
        self.scales: dict[str, ScaleDef] = {}
        self.facts: dict[str, FactDef] = {}
        self.define_nodes: dict[str, n.Define | n.Score | n.Points] = {}
        self.defines: dict[str, DefineDef | None] = {}
        self.checking: list[str] = []  # definitions being checked, for cycles
        self.names: dict[str, Span] = {}  # facts, definitions and outcomes share one namespace
        self.labels: dict[str, tuple[str, Span]] = {}  # rules, exemptions, obligations, invariants
        self.message_ids: set[str] = set()
        self.texts: list[n.Text] = []  # the message ids written in the file, in the order read
        self.references: dict[str, n.Reference] = {}
        self.reading_obligations = False  # an obligation's name is a value only in invariants

    def error(self, code: str, span: Span, /, **values: object) -> None:
        self.diagnostics.append(Diagnostic.make(code, span, **values))

    # ------------------------------------------------------------ the passes

    def run(self) -> Program:
        statements = [s for module in self.modules for s in module.statements]
        self._headers()
        for s in statements:
            if isinstance(s, n.Scale):
                self._scale(s)
        for s in statements:
            if isinstance(s, n.Fact):
                self._declare(s.name)
            elif isinstance(s, (n.Define, n.Score, n.Points)) and self._declare(s.name):
                self.define_nodes[s.name.name] = s
        for s in statements:
            if isinstance(s, n.Fact):
                self._fact(s)
        for name in self._define_order():
            self._define(name)
        self._references([s for s in statements if isinstance(s, n.Reference)])
        rule_nodes = [s for s in statements if isinstance(s, n.Rule) and s.kind != "exemption"]
        exemption_nodes = [s for s in statements if isinstance(s, n.Rule) and s.kind == "exemption"]
        obligation_nodes = [s for s in statements if isinstance(s, n.Obligation)]
        invariant_nodes = [s for s in statements if isinstance(s, n.Invariant)]
        checklist_nodes = [s for s in statements if isinstance(s, n.Checklist)]
        plan_nodes = [s for s in statements if isinstance(s, n.Plan)]
        action_nodes = [s for s in statements if isinstance(s, n.Action)]
        notice_nodes = [s for s in statements if isinstance(s, n.Notice)]
        for labelled in (*rule_nodes, *exemption_nodes):
            self._label(labelled.label, labelled.kind)
        for ob in obligation_nodes:
            self._label(ob.name, "obligation")
        for kind, named in (("checklist", checklist_nodes), ("plan", plan_nodes), ("action", action_nodes),
                            ("notice", notice_nodes)):
            for statement in named:
                self._label(statement.name, kind)
        for inv in invariant_nodes:
            self._label(inv.name, "invariant")
        rules = self._rules(rule_nodes)
        tables = self._tables([s for s in statements if isinstance(s, n.Combine)])
        exemptions = self._exemptions(exemption_nodes)
        obligations = self._obligations(obligation_nodes, exemptions)
        invariants = tuple(filter(None, (self._invariant(s) for s in invariant_nodes)))
        checklists = tuple(filter(None, (self._checklist(s) for s in checklist_nodes)))
        plans = self._plans(plan_nodes)
        actions = self._actions(action_nodes, plans)
        notices = self._notices(notice_nodes, plans)
        outcomes = self._outcomes(rules, tables)
        self._place_definitions(outcomes)
        if "risk" not in self.scales:
            self.error("BR412", self.header.name.span)
        header = self.header
        program = Program(
            name=header.name.name,
            version=header.version.value if header.version else "",
            title=self._message(header.title) if header.title else "",
            source=header.source.value if header.source else "",
            extends=self._extends_name(),
            span=header.span,
            scales=self.scales,
            facts=self.facts,
            defines=tuple(d for d in self.defines.values() if d is not None),
            rules=rules,
            outcomes=outcomes,
            obligations=obligations,
            exemptions=exemptions,
            invariants=invariants,
            message_ids=frozenset(self.message_ids),
            checklists=checklists,
            plans=plans,
            actions=actions,
            precedes=self._precedes(obligations),
            monotone=self._monotone([s for s in statements if isinstance(s, n.Monotone)]),
            notices=notices,
            replaced=self._replaced(),
            files={module.file: module.header.name.name for module in self.modules},
        )
        self._placeholders(program.value_names())
        return program

    def _headers(self) -> None:
        for module in self.modules:
            if module.header.title:
                self._message(module.header.title)

    def _extends_name(self) -> str | None:
        extends = self.header.extends
        if extends is None:
            return None
        return extends.name if isinstance(extends, n.Ident) else extends.value

    def _message(self, text: n.Text) -> str:
        self.texts.append(text)  # its placeholders are checked once the numbers are known
        self.message_ids.add(text.value)
        return text.value

    def _placeholders(self, numbers: frozenset[str]) -> None:
        """A message id is shown as written when no catalog has it, so it takes
        only the placeholders a catalog's text may: ``{matched}`` and the
        names of the ruleset's numbers (BR421 for anything else)."""
        for text in self.texts:
            if not plain_template(text.value, numbers):
                self.error("BR421", text.span, text=text.value)

    def _declare(self, ident: n.Ident) -> bool:
        if ident.name in self.names:
            self.error("BR401", ident.span, name=ident.name, first=self.names[ident.name])
            return False
        self.names[ident.name] = ident.span
        return True

    def _declared_here(self, ident: n.Ident) -> bool:
        """True for the first declaration of a label; a duplicate has its BR402 already."""
        return self.labels.get(ident.name, ("", None))[1] is ident.span

    def _not_an_obligation(self, ident: n.Ident) -> None:
        obligations = [k for k, (kind, _) in self.labels.items() if kind == "obligation"]
        self.error("BR207", ident.span, name=ident.name, suggestion=suggest(did_you_mean(ident.name, obligations)))

    def _label(self, ident: n.Ident, kind: str) -> bool:
        if ident.name in self.labels:
            first_kind, first = self.labels[ident.name]
            self.error("BR402", ident.span, label=ident.name, first=first,
                       kind=Term.of(f"statement.{first_kind}"))
            return False
        self.labels[ident.name] = (kind, ident.span)
        if kind in ("rule", "exception", "exemption", "obligation"):
            self.message_ids.add(f"name.{ident.name}")  # its short name, for prose
        return True

    # ------------------------------------------------------------ scales and facts

    def _scale(self, s: n.Scale) -> None:
        if not self._declare(s.name):
            return
        if len(self.scales) == self.limits.max_scales:
            self.error("BR608", s.name.span, limit=self.limits.max_scales)
        names = [level.name for level in s.levels]
        for level in _repeated(s.levels):
            self.error("BR411", level.span, level=level.name, scale=s.name.name)
        self.scales[s.name.name] = ScaleDef(s.name.name, tuple(names), s.span)
        self.message_ids.add(f"scale.{s.name.name}")
        self.message_ids.update(f"scale.{s.name.name}.{level}" for level in names)

    def _fact_type(self, te: n.TypeExpr, fact: str) -> t.Type | None:
        if te.kind in ("enum", "set"):
            members = [m.name for m in te.members]
            for member in _repeated(te.members):
                self.error("BR411", member.span, level=member.name, scale=fact)
            self.message_ids.update(f"value.{fact}.{m}" for m in members)
            return t.Type(te.kind, tuple(members))
        if te.kind == "scale":
            assert te.scale is not None
            scale = self.scales.get(te.scale.name)
            if scale is None:
                hint = did_you_mean(te.scale.name, (*FACT_TYPES, *self.scales))
                self.error("BR203", te.scale.span, name=te.scale.name, suggestion=suggest(hint))
                return None
            return t.level(scale.name, scale.levels)
        if te.kind in ("count", "integer", "number"):
            low, high = te.low, te.high
            if te.kind == "count" and low is None:
                low = 0
            if low is not None and high is not None and low > high:
                self.error("BR415", te.span, low=low, high=high)
            if te.kind == "count" and low is not None and low < 0:
                self.error("BR415", te.span, low=low, high=high if high is not None else "")
            return t.Type("number", integral=te.kind != "number", low=low, high=high)
        return {"bool": t.BOOL, "duration": t.DURATION, "datetime": t.DATETIME, "text": t.TEXT}[te.kind]

    def _fact(self, s: n.Fact) -> None:
        if self.names.get(s.name.name) is not s.name.span:
            return  # a duplicate, already reported
        type_ = self._fact_type(s.type, s.name.name)
        if type_ is None:
            return
        default, has_default = None, False
        if isinstance(s.default, n.Name) and not (
            type_.kind in ("enum", "level") and s.default.name in type_.members
        ):
            self.error("BR306", s.default.span, fact=s.name.name)
        elif s.default is not None:
            node = self.expr(s.default, type_)
            if node is not None:
                if not isinstance(node, ir.Const):
                    self.error("BR306", s.default.span, fact=s.name.name)
                elif not self._accepts(type_, node):
                    self.error("BR301", s.default.span, expected=type_.describe(),
                               found=node.type.describe())
                else:
                    default, has_default = node.value, True
        question = s.question.value if s.question else f"question.{s.name.name}"
        self.message_ids.update((question, f"fact.{s.name.name}"))
        self.facts[s.name.name] = FactDef(s.name.name, type_, default, has_default, question, s.span)

    def _accepts(self, type_: t.Type, node: ir.Node) -> bool:
        if not type_.same(node.type):
            return False
        if type_.kind == "number" and isinstance(node, ir.Const):
            value = node.value
            if type_.integral and not isinstance(value, int):
                return False
            if type_.low is not None and value < type_.low:
                return False
            if type_.high is not None and value > type_.high:
                return False
        return True

    # ------------------------------------------------------------ definitions

    def _define(self, name: str) -> DefineDef | None:
        if name in self.defines:
            return self.defines[name]
        if name in self.checking:
            return None  # the cycle is reported where it closes
        self.checking.append(name)
        s = self.define_nodes[name]
        result: DefineDef | None = None
        if isinstance(s, n.Define):
            node = self.expr(s.expr)
            if node is not None:
                result = DefineDef(name, node, node.type, s.span)
        elif isinstance(s, n.Points):
            result = self._points(s)
        else:
            result = self._score(s)
        self.checking.pop()
        self.defines[name] = result
        return result

    def _score(self, s: n.Score) -> DefineDef | None:
        scale = self.scales.get(s.scale.name)
        if scale is None:
            self.error("BR201", s.scale.span, name=s.scale.name,
                       suggestion=suggest(did_you_mean(s.scale.name, self.scales)))
        node = self.expr(s.expr, t.NUMBER)
        if node is not None and node.type.kind != "number":
            self.error("BR301", s.expr.span, expected=t.NUMBER.describe(), found=node.type.describe())
            node = None
        if scale is None or node is None:
            return None
        limits: list[int | float] = []
        levels: list[int] = []
        ok = True
        for i, band in enumerate(s.bands):
            if band.level.name not in scale.levels:
                self._unknown_member(band.level, scale.name, scale.levels)
                ok = False
                continue
            if band.below is None and i != len(s.bands) - 1 or band.below is not None and (
                limits and band.below <= limits[-1]
            ):
                self.error("BR414", band.span, score=s.name.name)
                ok = False
            if band.below is not None:
                limits.append(band.below)
            levels.append(scale.levels.index(band.level.name))
        if not s.bands or s.bands[-1].below is not None:
            self.error("BR414", s.span, score=s.name.name)
            ok = False
        if not ok:
            return None
        type_ = t.level(scale.name, scale.levels)
        bands = ir.Bands(node, tuple(limits), tuple(levels), type_, s.span)
        return DefineDef(s.name.name, bands, type_, s.span)

    def _points(self, s: n.Points) -> DefineDef | None:
        """A number for each member of an enum, or each level of a scale, that
        the expression gives: every one listed once, none left out, so that
        the lookup cannot fail. Whole when every number is."""
        node = self.expr(s.expr)
        if node is None:
            return None
        if node.type.kind not in ("enum", "level") or not node.type.members:
            self.error("BR431", s.expr.span, name=s.name.name, found=node.type.describe())
            return None
        members = node.type.members
        owner = node.type.scale or (node.name if isinstance(node, ir.FactRef) else "")
        given: dict[str, int | float] = {}
        ok = True
        for point in s.points:
            if point.member.name not in members:
                self._unknown_member(point.member, owner, members)
                ok = False
            elif point.member.name in given:
                self.error("BR432", point.member.span, member=point.member.name, name=s.name.name)
                ok = False
            else:
                given[point.member.name] = point.value
        missing = [m for m in members if m not in given]
        if missing and ok:
            self.error("BR433", s.span, name=s.name.name, missing=quoted_list(missing))
        if missing or not ok:
            return None
        values = tuple(given[m] for m in members)
        type_ = t.Type("number", integral=all(isinstance(v, int) for v in values))
        return DefineDef(s.name.name, ir.Points(node, members, values, type_, s.span), type_, s.span)

    # ------------------------------------------------------------ rules

    def _clauses_required(self, where: Span, label: str, message: n.Text | None,
                          cites: tuple[n.Citation, ...], message_clause: str) -> tuple[str, tuple[Citation, ...]]:
        if message is None:
            self.error("BR409", where, label=label, clause=message_clause)
        if not cites:
            self.error("BR410", where, label=label)
        return (self._message(message) if message else ""), self._citations(cites)

    def _condition(self, expr: n.Expr | None) -> ir.Node | None:
        if expr is None:
            return None
        node = self.expr(expr)
        if node is not None and node.type.kind != "bool":
            self.error("BR304", expr.span, found=node.type.describe())
        return node

    def _rules(self, rule_nodes: list[n.Rule]) -> dict[str, RuleDef]:
        by_label = {r.label.name: r for r in rule_nodes}
        children: dict[str, list[str]] = {label: [] for label in by_label}
        for r in rule_nodes:
            if r.base is None:
                continue
            kind = self.labels.get(r.base.name, ("", None))[0]
            if r.base.name not in by_label:
                if kind in ("obligation",):
                    self.error("BR405", r.base.span, label=r.base.name,
                               kind=Term.of(f"statement.{kind}"), statement=Term.of("statement.exception"))
                else:
                    self.error("BR205", r.base.span, label=r.base.name,
                               suggestion=suggest(did_you_mean(r.base.name, by_label)))
            elif r.base.name == r.label.name:
                self.error("BR403", r.base.span, cycle=f"{r.label.name} → {r.label.name}")
            else:
                children[r.base.name].append(r.label.name)
        self._exception_cycles(by_label)
        result: dict[str, RuleDef] = {}
        for r in rule_nodes:
            if by_label.get(r.label.name) is not r:
                continue  # a duplicate label, already reported
            condition = self._condition(r.condition)
            conclusions = []
            for c in r.conclusions:
                scale = self.scales.get(c.outcome.name)
                if scale is None:
                    self.error("BR206", c.outcome.span, name=c.outcome.name,
                               suggestion=suggest(did_you_mean(c.outcome.name, self.scales)))
                    continue
                level = self.expr(c.level, t.level(scale.name, scale.levels))
                if level is None:
                    continue
                if level.type.kind != "level" or level.type.scale != scale.name:
                    self._mismatch(c.level.span, t.level(scale.name, scale.levels), level.type)
                    continue
                conclusions.append((scale.name, level))
            message, cites = self._clauses_required(r.label.span, r.label.name, r.clauses.because,
                                                    r.clauses.cite, "because")
            result[r.label.name] = RuleDef(
                kind=r.kind, label=r.label.name, base=r.base.name if r.base else None,
                condition=condition, conclusions=tuple(conclusions),
                exceptions=tuple(children[r.label.name]), message=message, cites=cites, span=r.span,
            )
        return result

    def _exemptions(self, nodes: list[n.Rule]) -> dict[str, ExemptionDef]:
        result: dict[str, ExemptionDef] = {}
        for s in nodes:
            if not self._declared_here(s.label):
                continue
            assert s.base is not None
            base_kind = self.labels.get(s.base.name, ("", None))[0]
            if base_kind != "obligation":
                if base_kind:
                    self.error("BR405", s.base.span, label=s.base.name,
                               kind=Term.of(f"statement.{base_kind}"), statement=Term.of("statement.exemption"))
                else:
                    self._not_an_obligation(s.base)
            instead = s.clauses.instead
            if instead is not None and self.labels.get(instead.name, ("", None))[0] != "obligation":
                self._not_an_obligation(instead)
            message, cites = self._clauses_required(s.label.span, s.label.name, s.clauses.because,
                                                    s.clauses.cite, "because")
            result[s.label.name] = ExemptionDef(
                s.label.name, s.base.name, self._condition(s.condition),
                instead.name if instead else None, message, cites, s.span,
                instead.span if instead else None,
            )
        return result

    def _obligations(self, nodes: list[n.Obligation],
                     exemptions: dict[str, ExemptionDef]) -> tuple[ObligationDef, ...]:
        result = []
        targets = {e.instead for e in exemptions.values()}
        by_obligation: dict[str, list[str]] = {}
        for e in exemptions.values():
            by_obligation.setdefault(e.obligation, []).append(e.label)
        self._instead_cycles(exemptions)
        for s in nodes:
            if not self._declared_here(s.name):
                continue
            due: ir.Node | str | None = None
            if isinstance(s.clauses.due, n.WithoutUndueDelay):
                due = "without_undue_delay"
            elif s.clauses.due is not None:
                due = self.expr(s.clauses.due)
                if due is not None and due.type.kind != "datetime":
                    self.error("BR301", s.clauses.due.span, expected=t.DATETIME.describe(),
                               found=due.type.describe())
            if s.condition is None and not s.always and s.name.name not in targets:
                self.error("BR416", s.name.span, name=s.name.name)
            message, cites = self._clauses_required(s.name.span, s.name.name, s.clauses.says,
                                                    s.clauses.cite, "says")
            done = self._fact_named(s.clauses.done, t.DATETIME)
            late_requires = self._fact_named(s.clauses.late_requires)
            # (a 'done' naming a wrong fact is reported as such, not once more here)
            if late_requires is not None and (s.clauses.done is None or not isinstance(due, ir.Node)):
                self.error("BR417", s.clauses.late_requires.span, name=s.name.name)  # type: ignore[union-attr]
            result.append(ObligationDef(
                s.name.name, self._condition(s.condition), s.always, due,
                tuple(by_obligation.get(s.name.name, ())),
                message, cites, s.span, done, late_requires,
            ))
        return tuple(result)

    def _fact_named(self, ident: n.Ident | None, type_: t.Type | None = None) -> str | None:
        """The fact a clause names (checked to be of ``type_``), or None."""
        if ident is None:
            return None
        fact = self.facts.get(ident.name)
        if fact is None:
            self.error("BR208", ident.span, name=ident.name,
                       suggestion=suggest(did_you_mean(ident.name, self.facts)))
            return None
        if type_ is not None and fact.type.kind != type_.kind:
            self.error("BR301", ident.span, expected=type_.describe(), found=fact.type.describe())
            return None
        return fact.name

    # ------------------------------------------------------------ checklists and action plans

    def _checklist(self, s: n.Checklist) -> ChecklistDef | None:
        if not self._declared_here(s.name):
            return None
        if self.labels.get(s.obligation.name, ("", None))[0] != "obligation":
            self._not_an_obligation(s.obligation)
        items: list[ChecklistItemDef] = []
        names: set[str] = set()
        for item in s.items:
            if item.name.name in names:
                self.error("BR418", item.name.span, item=item.name.name, checklist=s.name.name)
                continue
            names.add(item.name.name)
            facts = tuple(filter(None, (self._fact_named(f) for f in item.facts)))
            message = self._message(n.Text(f"checklist.{s.name.name}.{item.name.name}", item.name.span))
            items.append(ChecklistItemDef(item.name.name, facts, message,
                                          self._citations(item.clauses.cite), item.span))
        message = self._message(n.Text(f"checklist.{s.name.name}", s.name.span))
        return ChecklistDef(s.name.name, s.obligation.name, tuple(items), message, s.span)

    def _plans(self, nodes: list[n.Plan]) -> tuple[PlanDef, ...]:
        plans: list[PlanDef] = []
        seen: dict[str, str] = {}  # phase -> plan
        for s in nodes:
            if not self._declared_here(s.name):
                continue
            phases = []
            for phase in s.phases:
                if phase.name in seen:
                    self.error("BR419", phase.span, phase=phase.name, plan=seen[phase.name])
                    continue
                seen[phase.name] = s.name.name
                phases.append(phase.name)
                self.message_ids.add(f"plan.{s.name.name}.{phase.name}")
            message = self._message(n.Text(f"plan.{s.name.name}", s.name.span))
            plans.append(PlanDef(s.name.name, tuple(phases), message, s.span))
        return tuple(plans)

    def _actions(self, nodes: list[n.Action], plans: tuple[PlanDef, ...]) -> tuple[ActionDef, ...]:
        order = {phase: (i, j, plan.name) for i, plan in enumerate(plans) for j, phase in enumerate(plan.phases)}
        actions: list[tuple[tuple[int, int], ActionDef]] = []
        for s in nodes:
            if not self._declared_here(s.name):
                continue
            condition = self._condition(s.condition)
            message, cites = self._clauses_required(s.name.span, s.name.name, s.clauses.says,
                                                    s.clauses.cite, "says")
            if s.phase.name not in order:
                self.error("BR209", s.phase.span, name=s.phase.name,
                           suggestion=suggest(did_you_mean(s.phase.name, order)))
                continue
            i, j, plan = order[s.phase.name]
            actions.append(((i, j), ActionDef(s.name.name, plan, s.phase.name, condition, message, cites, s.span)))
        actions.sort(key=lambda pair: pair[0])  # stable: as written within a phase
        return tuple(action for _, action in actions)

    def _invariant(self, s: n.Invariant) -> InvariantDef | None:
        self.reading_obligations = True  # an invariant may say which duties follow
        try:
            node = self._condition(s.expr)
        finally:
            self.reading_obligations = False
        message = self._message(s.clauses.because) if s.clauses.because else ""
        return InvariantDef(s.name.name, node, message, s.span) if node is not None else None

    def _replaced(self) -> dict[str, ReplacedDef]:
        """Old fact -> the fact that answers it now. The old name must be free
        (an incident could not say which one it meant), the new one a fact."""
        replaced: dict[str, ReplacedDef] = {}
        for module in self.modules:
            header = module.header
            for s in module.statements:
                if not isinstance(s, n.Replaced):
                    continue
                if s.new.name not in self.facts:
                    self.error("BR208", s.new.span, name=s.new.name,
                               suggestion=suggest(did_you_mean(s.new.name, self.facts)))
                elif s.old.name in self.names and self.names[s.old.name].file != s.old.span.file:
                    # an extension declares a name its base retired: the
                    # error belongs in the extension, which its author can edit
                    self.error("BR401", self.names[s.old.name], name=s.old.name, first=s.old.span)
                elif self._declare(s.old):
                    replaced[s.old.name] = ReplacedDef(
                        s.new.name, header.name.name, header.version.value if header.version else "")
        return replaced

    def _monotone(self, nodes: list[n.Monotone]) -> tuple[MonotoneDef, ...]:
        declared: dict[str, MonotoneDef] = {}
        for s in nodes:
            for ident in s.facts:
                fact = self.facts.get(ident.name)
                if fact is None:
                    self.error("BR208", ident.span, name=ident.name,
                               suggestion=suggest(did_you_mean(ident.name, self.facts)))
                    continue
                if ident.name in declared:
                    first = declared[ident.name].span
                    self.error("BR423", ident.span, name=ident.name, where=f"{first.file}:{first.line}")
                    continue
                if fact.type.kind == "text":
                    self.error("BR425", ident.span, name=ident.name, direction=Term.of(f"verify.kind.{s.direction}"))
                    continue
                order = self._chains(fact, s.chains)
                if order is not None:
                    declared[ident.name] = MonotoneDef(ident.name, s.direction, order, s.span)
        return tuple(declared.values())

    def _chains(self, fact: FactDef, chains: tuple[tuple[n.Ident, ...], ...]) -> tuple[tuple[str, str], ...] | None:
        """The strict order the chains give a fact's members, closed under
        transitivity; None when the chains are not an order of its members."""
        if not chains:
            return ()
        if fact.type.kind not in ("enum", "level"):
            self.error("BR424", chains[0][0].span, name=fact.name)
            return None
        above: dict[str, set[str]] = {m: set() for m in fact.type.members}
        ok = True
        for chain in chains:
            for ident in chain:
                if ident.name not in above:
                    self.error("BR202", ident.span, name=ident.name, owner=fact.name,
                               members=quoted_list(fact.type.members),
                               suggestion=suggest(did_you_mean(ident.name, above)))
                    ok = False
            for low, high in zip(chain, chain[1:], strict=False):
                if low.name in above and high.name in above:
                    above[low.name].add(high.name)
        if not ok:
            return None
        closed: dict[str, set[str]] = {}
        for member in fact.type.members:  # reachability from each member; members are few (BR606)
            seen: set[str] = set()
            stack = list(above[member])
            while stack:
                current = stack.pop()
                if current not in seen:
                    seen.add(current)
                    stack.extend(above[current])
            closed[member] = seen
        if any(member in closed[member] for member in closed):
            self.error("BR424", chains[0][0].span, name=fact.name)
            return None
        return tuple((low, high) for low in fact.type.members for high in fact.type.members if high in closed[low])

    # ------------------------------------------------------------ outcomes

    def _tables(self, combines: list[n.Combine]) -> dict[str, TableDef]:
        tables: dict[str, TableDef] = {}
        for c in combines:
            outcome = self.scales.get(c.outcome.name)
            rows = self.scales.get(c.rows_scale.name)
            columns = self.scales.get(c.columns_scale.name)
            for ident, scale in ((c.outcome, outcome), (c.rows_scale, rows), (c.columns_scale, columns)):
                if scale is None:
                    self.error("BR201", ident.span, name=ident.name,
                               suggestion=suggest(did_you_mean(ident.name, self.scales)))
            if outcome is None or rows is None or columns is None:
                continue
            if c.outcome.name in tables:
                self.error("BR413", c.outcome.span, name=c.outcome.name)
                continue
            if c.outcome.name in (rows.name, columns.name):
                self.error("BR404", c.outcome.span, cycle=f"{outcome.name} → {outcome.name}")
                continue
            table = self._table(c, outcome, rows, columns)
            if table is not None:
                tables[outcome.name] = table
        return tables

    def _table(self, c: n.Combine, outcome: ScaleDef, rows: ScaleDef,
               columns: ScaleDef) -> TableDef | None:
        header, *body = c.rows
        ok = True
        if header.label.name != columns.name or tuple(x.name for x in header.cells) != columns.levels:
            self.error("BR406", header.span, scale=columns.name,
                       expected=f"{columns.name}: " + " ".join(columns.levels))
            ok = False
        labels = tuple(row.label.name for row in body)
        if labels != rows.levels:
            where = body[0].span if body else header.span
            self.error("BR407", where, scale=rows.name, expected=", ".join(rows.levels),
                       found=", ".join(labels))
            ok = False
        cells = []
        for row in body:
            if len(row.cells) != len(columns.levels):
                self.error("BR408", row.span, row=row.label.name, expected=len(columns.levels),
                           found=len(row.cells))
                ok = False
                continue
            values = []
            for cell in row.cells:
                if cell.name not in outcome.levels:
                    self._unknown_member(cell, outcome.name, outcome.levels)
                    ok = False
                else:
                    values.append(outcome.levels.index(cell.name))
            cells.append(tuple(values))
        return TableDef(rows.name, columns.name, tuple(cells), c.span) if ok else None

    def _outcomes(self, rules: dict[str, RuleDef],
                  tables: dict[str, TableDef]) -> tuple[OutcomeDef, ...]:
        define_outcomes = self._define_outcomes()

        def tree(label: str) -> list[RuleDef]:
            out, seen, stack = [], set(), [label]
            while stack:
                rule = rules.get(stack.pop())
                if rule is not None and rule.label not in seen:
                    seen.add(rule.label)
                    out.append(rule)
                    stack.extend(rule.exceptions)
            return out

        roots = [r for r in rules.values() if r.kind == "rule"]
        deps: dict[str, set[str]] = {name: set() for name in self.scales}
        concluding: dict[str, list[str]] = {name: [] for name in self.scales}
        for root in roots:
            members = tree(root.label)
            reads: set[str] = set()
            for rule in members:
                for node in (rule.condition, *(level for _, level in rule.conclusions)):
                    if node is not None:
                        reads |= self._outcome_reads(node, define_outcomes)
            for outcome in {o for rule in members for o, _ in rule.conclusions}:
                concluding[outcome].append(root.label)
                deps[outcome] |= reads
        for name, table in tables.items():
            deps[name] |= {table.rows, table.columns}
        order = self._topological(deps)
        return tuple(
            OutcomeDef(name, self.scales[name].levels, tuple(concluding[name]), tables.get(name),
                       self.scales[name].span)
            for name in order
        )

    def _place_definitions(self, outcomes: tuple[OutcomeDef, ...]) -> None:
        """Mark each definition with the last outcome it reads, so that both
        evaluators compute it only once that outcome is known."""
        position = {o.name: i for i, o in enumerate(outcomes)}
        reads = self._define_outcomes()
        for name, define in self.defines.items():
            if define is not None and reads.get(name):
                last = max(reads[name], key=lambda o: position.get(o, -1))
                self.defines[name] = attrs.evolve(define, after=last)

    def _define_outcomes(self) -> dict[str, set[str]]:
        """The outcomes each definition reads, directly or through others
        (``self.defines`` is in dependency order: one pass, no recursion)."""
        result: dict[str, set[str]] = {}
        for name, define in self.defines.items():
            result[name] = set()
            if define is not None:
                _, defines, outcomes = ir.references(define.expr)
                result[name] = outcomes.union(*(result.get(d, ()) for d in defines))
        return result

    def _outcome_reads(self, node: ir.Node, define_outcomes: dict[str, set[str]]) -> set[str]:
        _, defines, outcomes = ir.references(node)
        return outcomes | {o for d in defines for o in define_outcomes.get(d, ())}
