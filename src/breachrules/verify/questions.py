"""A provisional result says what could change it: the proof.

An assessment with facts unknown lists the open questions whose answers
could change the risk level, an obligation or a deadline
(``interpreter._Run._open_questions``). A question it leaves out is a
reporter left believing a provisional answer cannot move when it can. This
module reads that list as formulas over a partial incident
(:class:`~.partial.Partial`): ``asked[fact]`` holds exactly when the
interpreter asks for the fact (``tests/test_verify_questions.py`` checks
the two agree). The claim is that no partial incident leaves a fact open
and unasked while another answer to it changes the decision of one of its
completions.

The converse, that every open question can change the decision, is not
claimed, and does not hold of the bundled rulesets: the interpreter reads
its questions from the rules, three-valued, and two rules that conclude the
same for ``b`` and for ``not b`` leave ``b`` asked though either answer
decides the same. Refuting "this question can matter" for every partial
incident quantifies over the completions (``ForAll``), and took up to 20 s
per fact on gdpr; for one incident it is existential, and
:mod:`breachrules.verify.relevance` decides it (``assess --exact``).
"""

from __future__ import annotations

from typing import Any

import z3

from breachrules import ir
from breachrules.program import RuleDef
from breachrules.verify.encoding import Encoding, Instant, SetValue
from breachrules.verify.partial import Level, Partial, Truth

_FALSE = z3.BoolVal(False)
ANSWER = "answer:"  # the prefix of the fact variables of the other answer
Facts = dict[str, z3.BoolRef]  # fact -> when it is among the unknowns


class Questions:
    """The interpreter's open questions of one partial reading."""

    def __init__(self, reading: Partial) -> None:
        self.reading = reading
        self.program = reading.program
        self._defines: dict[str, Facts] = {}
        self._outcomes: dict[str, Facts] = {}
        self.asked = self._open()

    # ------------------------------------------------------------ as the interpreter

    def _open(self) -> Facts:
        reading, program = self.reading, self.program
        wanted: list[Facts] = []
        if "risk" in reading.outcomes:
            risk = reading.outcomes["risk"]
            wanted.append(_when(risk.lo != risk.hi, self.outcome("risk")))
        for ob in program.obligations:
            status = reading.required[ob.name]
            undecided = z3.Not(z3.Or(status.true, status.false))
            found = self._required(ob.name, set())
            for label in ob.exemptions:
                found = _union(found, self.unknowns(program.exemptions[label].condition))
            wanted.append(_when(undecided, found))
            if isinstance(ob.due, ir.Node):
                undated = z3.And(z3.Not(status.false), z3.Not(reading.dated[ob.name]))
                wanted.append(_when(undated, self.unknowns(ob.due)))
        return _union(*wanted)

    def _required(self, name: str, seen: set[str]) -> Facts:
        if name in seen:
            return {}
        seen.add(name)
        ob = next(o for o in self.program.obligations if o.name == name)
        found = {} if ob.always else self.unknowns(ob.condition)
        for exemption in self.program.exemptions.values():
            if exemption.instead == name:
                found = _union(found, self.unknowns(exemption.condition), self._required(exemption.obligation, seen))
        return found

    def outcome(self, name: str) -> Facts:
        if name not in self._outcomes:
            self._outcomes[name] = {}  # outcomes are read in order: no circle
            self._outcomes[name] = self._find_outcome(name)
        return self._outcomes[name]

    def _find_outcome(self, name: str) -> Facts:
        reading = self.reading
        outcome = self.program.outcome(name)
        floor = reading.outcomes[name].lo
        found: list[Facts] = []
        for root in outcome.roots:
            lo, hi = reading.trees[root].get(name, (_ZERO, _ZERO))
            found.append(_when(z3.And(lo != hi, hi > floor), self._tree(self.program.rules[root], name)))
        if outcome.table is not None:
            lo, hi = reading.tables[name]
            for source in (outcome.table.rows, outcome.table.columns):
                level = reading.outcomes[source]
                found.append(_when(z3.And(lo != hi, hi > floor, level.lo != level.hi), self.outcome(source)))
        return _union(*found)

    def _tree(self, rule: RuleDef, outcome: str) -> Facts:
        condition = self.reading.conditions[rule.label]
        found = [_when(z3.Not(z3.Or(condition.true, condition.false)), self.unknowns(rule.condition))]
        found += [self.unknowns(node) for name, node in rule.conclusions if name == outcome]
        for label in rule.exceptions:
            applies = self.reading.conditions[label]
            # read at all only when the rule may apply; then not when certainly not
            reached = z3.And(z3.Not(condition.false), z3.Not(applies.false))
            found.append(_when(reached, self._tree(self.program.rules[label], outcome)))
        return _union(*found)

    def unknowns(self, node: ir.Node | None) -> Facts:
        """The unknown facts that leave ``node`` undetermined."""
        if node is None or isinstance(node, ir.IsKnown):
            return {}
        undetermined = z3.Not(self._determined(node))
        if isinstance(node, ir.FactRef):
            return {node.name: undetermined}
        if isinstance(node, ir.DefineRef):
            if node.name not in self._defines:
                expr = next(d.expr for d in self.program.defines if d.name == node.name)
                self._defines[node.name] = self.unknowns(expr)
            return _when(undetermined, self._defines[node.name])
        if isinstance(node, ir.OutcomeRef):
            return _when(undetermined, self.outcome(node.name))
        return _when(undetermined, _union(*(self.unknowns(child) for child in ir.children(node))))

    def _determined(self, node: ir.Node) -> z3.BoolRef:
        """Whether the interpreter has a value for ``node``: a truth or a
        value that is known, a level that is known and a single level."""
        value = self.reading.value(node)
        if isinstance(value, Truth):
            return z3.Or(value.true, value.false)
        if isinstance(value, Level):
            return z3.And(value.known, value.lo == value.hi)
        return value.known

    # ------------------------------------------------------------ the claim

    def decision(self) -> dict[str, z3.ExprRef]:
        return decision(self.reading.complete)

    def answered(self, fact: str) -> list[tuple[Any, Any]]:
        return answered(self.reading.complete, fact)

    def missed(self, facts: list[str]) -> tuple[z3.BoolRef, z3.ArithRef]:
        """A partial incident that leaves one of ``facts`` open and does not
        ask for it, though another answer to it changes the decision of one
        of its completions: a provisional result that does not say what
        could change it. Existential, so cheap: the completion is the
        complete incident's variables; the other answer is the same
        incident with the chosen fact's variables replaced by their copies.
        Returns the goal and the variable that says which fact (its index
        in ``facts``): one copy of the decision for all of them, rather than
        a copy per fact (1 s on gdpr, against 4 s)."""
        complete = self.reading.complete
        chosen = z3.Int("answer:which")
        substitution: list[tuple[Any, Any]] = []
        for index, fact in enumerate(facts):
            substitution += [(leaf, z3.If(chosen == index, copy, leaf)) for leaf, copy in self.answered(fact)]
        valid = complete.valid()
        changes = z3.Or([term != z3.substitute(term, *substitution) for term in self.decision().values()])
        unasked = z3.Or([z3.And(chosen == index, z3.Not(self.reading.known[fact]),
                                z3.Not(self.asked.get(fact, _FALSE))) for index, fact in enumerate(facts)])
        return z3.And(unasked, valid, z3.substitute(valid, *substitution), changes), chosen


_ZERO = z3.IntVal(0)


def decision(complete: Encoding) -> dict[str, z3.ExprRef]:
    """What an open question is asked to settle, for a complete incident:
    the risk, whether each obligation is required, and the due instant of
    each required one; by the name a finding gives it."""
    terms: dict[str, z3.ExprRef] = {"risk": complete.outcomes["risk"]} if "risk" in complete.outcomes else {}
    for ob in complete.program.obligations:
        required = complete.required[ob.name]
        terms[ob.name] = required
        if isinstance(ob.due, ir.Node):
            due = complete.value(ob.due)
            terms[f"{ob.name}@due"] = z3.If(required, due.utc, _ZERO)
            terms[f"{ob.name}@offset"] = z3.If(required, due.offset, _ZERO)
    return terms


def answered(complete: Encoding, fact: str) -> list[tuple[Any, Any]]:
    """The substitution from a complete incident to another answer to
    ``fact``: the fact's variables by their copies (``ANSWER``-prefixed)."""
    fact_def = complete.program.facts[fact]
    variable = complete.space.fact(fact_def, complete.prefix)
    return list(zip(_leaves(variable), _leaves(complete.space.fact(fact_def, ANSWER)), strict=True))


def _when(condition: z3.BoolRef, facts: Facts) -> Facts:
    return {name: z3.And(condition, when) for name, when in facts.items()}


def _union(*sets: Facts) -> Facts:
    found: dict[str, list[z3.BoolRef]] = {}
    for facts in sets:
        for name, when in facts.items():
            found.setdefault(name, []).append(when)
    return {name: z3.Or(whens) if len(whens) > 1 else whens[0] for name, whens in found.items()}


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, Instant):
        return [value.utc, value.offset]
    if isinstance(value, SetValue):
        return list(value.members.values())
    return [value]


__all__ = ["Questions"]
