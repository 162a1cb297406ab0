"""The orders a ruleset must admit, found without recursion.

A mixin of the checker (:mod:`breachrules.checker`): definitions must be
checkable in an order where each comes after what it reads, exceptions and
``instead`` must not lead back where they started and may nest only so deep,
outcomes must be decidable one after another, and a duty cannot be done
before the instants its deadline is counted from. Every walk here is a loop
with its own stack, so a chain of ten thousand definitions costs ten
thousand steps, not ten thousand Python frames.
"""

from __future__ import annotations

from typing import Any

from breachrules import ir
from breachrules import nodes as n
from breachrules.diagnostics import Diagnostic
from breachrules.graphs import post_order
from breachrules.limits import Limits
from breachrules.program import DefineDef, ExemptionDef, FactDef, ObligationDef, ScaleDef
from breachrules.spans import Span


class OrderChecker:
    limits: Limits
    define_nodes: dict[str, Any]
    defines: dict[str, DefineDef | None]
    facts: dict[str, FactDef]
    scales: dict[str, ScaleDef]
    closing: set[Span]
    diagnostics: list[Diagnostic]

    def error(self, code: str, span: Span, /, **values: object) -> None:
        raise NotImplementedError

    def _define_order(self) -> list[str]:
        """Definitions in dependency order, found without recursion, so that
        checking one never has to check another first however long the
        chain. A reference that closes a cycle is reported (BR403) and
        then read as broken."""
        deps = {
            name: [ref for ref in n.names_read(node.expr) if ref.name in self.define_nodes]
            for name, node in self.define_nodes.items()
        }

        def closes(cycle: list[str], ref: n.Name) -> None:
            self.error("BR403", ref.span, cycle=" → ".join(cycle))
            self.closing.add(ref.span)

        return post_order(deps, deps.__getitem__, lambda ref: ref.name, closes)

    def _exception_cycles(self, by_label: dict[str, n.Rule]) -> None:
        """Cycles of exceptions, and chains of exceptions deeper than the limit."""
        reported: set[str] = set()
        depth: dict[str, int] = {}
        limit = self.limits.max_exception_depth
        for start in by_label:
            if start in depth:
                continue
            path = [start]
            on_path = {start}
            current = by_label[start]
            top = 0  # the depth of the last label on the path: a rule's is 0
            while current.base is not None and current.base.name in by_label:
                nxt = current.base.name
                if nxt in depth:  # counted already: the rest of the chain is known
                    top = depth[nxt] + 1
                    break
                if nxt in on_path:
                    cycle = path[path.index(nxt):] + [nxt]
                    if not reported & set(cycle):
                        self.error("BR403", by_label[nxt].span, cycle=" → ".join(cycle))
                        reported.update(cycle)
                    top = -len(path)  # no depth to speak of: count none of the path
                    break
                path.append(nxt)
                on_path.add(nxt)
                current = by_label[nxt]
            for i, label in enumerate(reversed(path)):
                depth[label] = max(0, top + i)
                if top >= 0 and depth[label] == limit + 1:
                    self.error("BR607", by_label[label].label.span, limit=limit)

    def _instead_cycles(self, exemptions: dict[str, ExemptionDef]) -> None:
        """``instead`` must not lead back to where it started: exempting
        ``a`` instead of ``b`` and ``b`` instead of ``a`` would make both
        vanish, or neither, depending on the order they were read in."""
        edges: dict[str, list[ExemptionDef]] = {}
        for e in exemptions.values():
            if e.instead is not None:
                edges.setdefault(e.obligation, []).append(e)

        def closes(cycle: list[str], edge: ExemptionDef) -> None:
            self.error("BR420", edge.instead_span or edge.span, cycle=" → ".join(cycle))

        post_order(edges, lambda ob: edges.get(ob, ()), lambda edge: edge.instead or "", closes)

    def _precedes(self, obligations: tuple[ObligationDef, ...]) -> tuple[tuple[str, str], ...]:
        """A duty cannot be done before the instants its deadline is counted
        from: the ``done`` fact comes after every datetime fact the ``due``
        expression reads, directly or through definitions."""
        expressions = {d.name: d.expr for d in self.defines.values() if d is not None}  # once, not per duty
        pairs: list[tuple[str, str]] = []
        for ob in obligations:
            if ob.done is None or not isinstance(ob.due, ir.Node):
                continue
            facts, _ = ir.references_through([ob.due], expressions)
            pairs.extend((fact, ob.done) for fact in sorted(facts)
                         if fact != ob.done and self.facts[fact].type.kind == "datetime")
        return tuple(dict.fromkeys(pairs))

    def _topological(self, deps: dict[str, set[str]]) -> list[str]:
        """Outcomes in an order where each comes after those it reads; a
        cycle is reported at the scale where it closes."""

        def closes(cycle: list[str], dep: str) -> None:
            self.error("BR404", self.scales[dep].span, cycle=" → ".join(cycle))

        return post_order(deps, lambda name: sorted(deps[name]), lambda dep: dep, closes)
