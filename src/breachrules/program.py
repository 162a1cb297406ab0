"""A checked ruleset: declarations with every name resolved and typed.

This is what the checker produces and what both evaluators (the
three-valued interpreter and the generated fast path) consume. Everything
is frozen; the mappings are never mutated after checking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from breachrules import ir
from breachrules.citations import Citation
from breachrules.graphs import post_order
from breachrules.spans import Span
from breachrules.types import Type
from breachrules.vocabulary import Notice


@attrs.frozen
class ScaleDef:
    name: str
    levels: tuple[str, ...]
    span: Span


@attrs.frozen
class FactDef:
    name: str
    type: Type
    default: Any  # a value of ``type``; meaningful only when has_default
    has_default: bool
    question: str
    span: Span


@attrs.frozen
class DefineDef:
    """A definition; ``after`` is the last outcome (in evaluation order) it
    reads, directly or through other definitions: it is evaluated right after
    that outcome, or before any outcome when None."""

    name: str
    expr: ir.Node
    type: Type
    span: Span
    after: str | None = None


@attrs.frozen
class RuleDef:
    """A base rule or an exception; ``exceptions`` are the labels that
    override it, ``base`` the label it overrides."""

    kind: str  # rule | exception
    label: str
    base: str | None
    condition: ir.Node | None  # None: always
    conclusions: tuple[tuple[str, ir.Node], ...]
    exceptions: tuple[str, ...]
    message: str
    cites: tuple[Citation, ...]
    span: Span


@attrs.frozen
class TableDef:
    rows: str  # the scale of the rows
    columns: str  # the scale of the columns
    cells: tuple[tuple[int, ...], ...]
    span: Span


@attrs.frozen
class OutcomeDef:
    name: str
    levels: tuple[str, ...]
    roots: tuple[str, ...]  # base rules whose tree concludes this outcome
    table: TableDef | None
    span: Span


@attrs.frozen
class ExemptionDef:
    label: str
    obligation: str
    condition: ir.Node | None
    instead: str | None
    message: str
    cites: tuple[Citation, ...]
    span: Span
    instead_span: Span | None = None  # where the instead is written


@attrs.frozen
class ObligationDef:
    name: str
    condition: ir.Node | None  # None with always False: only through an exemption's instead
    always: bool
    due: ir.Node | str | None  # an expression, "without_undue_delay" or None
    exemptions: tuple[str, ...]
    message: str
    cites: tuple[Citation, ...]
    span: Span
    done: str | None = None  # the datetime fact that records when it was done
    late_requires: str | None = None  # the fact a late fulfilment must give (a reason)


@attrs.frozen
class ChecklistItemDef:
    """One element a notice must contain: present when all its facts are known."""

    name: str
    facts: tuple[str, ...]
    message: str  # checklist.<checklist>.<item>
    cites: tuple[Citation, ...]
    span: Span


@attrs.frozen
class ChecklistDef:
    name: str
    obligation: str
    items: tuple[ChecklistItemDef, ...]
    message: str  # checklist.<name>
    span: Span


@attrs.frozen
class PlanDef:
    name: str
    phases: tuple[str, ...]
    message: str  # plan.<name>; each phase is plan.<name>.<phase>
    span: Span


@attrs.frozen
class ActionDef:
    name: str
    plan: str
    phase: str
    condition: ir.Node | None  # None: always
    message: str
    cites: tuple[Citation, ...]
    span: Span


@attrs.frozen
class InvariantDef:
    name: str
    expr: ir.Node
    message: str
    span: Span


@attrs.frozen
class MonotoneDef:
    """A fact declared to aggravate (or mitigate): raising it never lowers
    (never raises) an outcome and never drops (never adds) an obligation.
    ``order`` is the strict order of its values as (lower, higher) pairs,
    closed under transitivity, for members ordered by chains; empty: the
    order of the fact's type."""

    fact: str
    direction: str  # aggravating | mitigating
    order: tuple[tuple[str, str], ...]
    span: Span


@attrs.frozen
class ReplacedDef:
    """``replaced OLD by NEW``: the fact that answers ``OLD`` now, and the
    ruleset (name and version) that said so, which an extension of it is
    not."""

    fact: str
    ruleset: str
    version: str


@attrs.frozen
class Program:
    name: str
    version: str
    title: str
    source: str
    extends: str | None
    span: Span
    scales: Mapping[str, ScaleDef]
    facts: Mapping[str, FactDef]
    defines: tuple[DefineDef, ...]  # in dependency order
    rules: Mapping[str, RuleDef]
    outcomes: tuple[OutcomeDef, ...]  # in dependency order
    obligations: tuple[ObligationDef, ...]
    exemptions: Mapping[str, ExemptionDef]
    invariants: tuple[InvariantDef, ...]
    message_ids: frozenset[str]
    checklists: tuple[ChecklistDef, ...] = ()
    plans: tuple[PlanDef, ...] = ()
    actions: tuple[ActionDef, ...] = ()  # in plan and phase order, then as written
    # (earlier, later): datetime facts that cannot come in the other order,
    # because the later records when a duty was done whose deadline is
    # counted from the earlier
    precedes: tuple[tuple[str, str], ...] = ()
    monotone: tuple[MonotoneDef, ...] = ()  # what ``breachrules check`` proves of single facts
    notices: tuple[Notice, ...] = ()
    # facts of an earlier version -> the facts that answer them now
    replaced: Mapping[str, ReplacedDef] = attrs.field(factory=dict)
    files: Mapping[str, str] = attrs.field(factory=dict)  # file -> the name of the ruleset it holds

    def expressions(self) -> list[ir.Node]:
        """Every expression the program evaluates: definitions, conditions,
        conclusions, deadlines, the conditions of actions. (Invariants are
        checked, not evaluated.)"""
        nodes: list[ir.Node | None] = [d.expr for d in self.defines]
        for rule in self.rules.values():
            nodes.append(rule.condition)
            nodes.extend(level for _, level in rule.conclusions)
        for ob in self.obligations:
            nodes.append(ob.condition)
            if ob.due is not None and not isinstance(ob.due, str):
                nodes.append(ob.due)
        for exemption in self.exemptions.values():
            nodes.append(exemption.condition)
        nodes.extend(action.condition for action in self.actions)
        return [node for node in nodes if node is not None]

    def numbers(self) -> dict[str, ir.Node]:
        """What a reason may show as a number, besides the number facts: each
        definition whose value is a number (``points`` among them), and each
        score, by the number it placed in its bands; in the order of
        :attr:`defines`, which is how an assessment keeps them."""
        found: dict[str, ir.Node] = {}
        for define in self.defines:
            if define.type.kind == "number":
                found[define.name] = ir.DefineRef(define.name, define.type, define.span)
            elif isinstance(define.expr, ir.Bands):
                found[define.name] = define.expr.operand
        return found

    def value_names(self) -> frozenset[str]:
        """The names a ruleset's message may put in braces to show a number:
        its number facts and :meth:`numbers`."""
        facts = (name for name, fact in self.facts.items() if fact.type.kind == "number")
        return frozenset((*facts, *self.numbers()))

    def citations(self) -> list[tuple[Span, tuple[Citation, ...]]]:
        """Every statement's citations, with the statement's span."""
        cited: list[RuleDef | ExemptionDef | ObligationDef | ActionDef | ChecklistItemDef] = [
            *self.rules.values(), *self.exemptions.values(), *self.obligations, *self.actions,
            *(item for checklist in self.checklists for item in checklist.items)]
        return [(statement.span, statement.cites) for statement in cited]

    def outcome(self, name: str) -> OutcomeDef:
        for outcome in self.outcomes:
            if outcome.name == name:
                return outcome
        raise KeyError(name)

    def instead_order(self) -> list[ObligationDef]:
        """Obligations in an order where each comes after every obligation
        whose exemption requires it ``instead`` (declaration order
        otherwise): the order both evaluators read them in. The checker
        refuses cycles of ``instead``, so the order always exists."""
        before: dict[str, list[str]] = {ob.name: [] for ob in self.obligations}
        for exemption in self.exemptions.values():
            if exemption.instead in before:
                before[exemption.instead].append(exemption.obligation)
        by_name = {ob.name: ob for ob in self.obligations}
        return [by_name[name] for name in post_order(by_name, before.__getitem__, lambda source: source)]
