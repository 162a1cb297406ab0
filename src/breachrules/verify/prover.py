"""The consistency analysis, proved by a solver over every complete incident.

Each question is put to Z3 as "is there a valid incident where ...": a rule
that applies, two exceptions that disagree, an invariant that is false, a
worse fact that lowers the risk. No such incident (``unsat``) is a proof
over the whole input space; one (``sat``) becomes a counterexample, made
small and confirmed by the interpreter before it is reported. When Z3
cannot decide in its time, the analysis says so rather than guess.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import z3

from breachrules import interpreter
from breachrules.errors import EvaluationError
from breachrules.i18n import Term
from breachrules.program import MonotoneDef, Program
from breachrules.verify import witness
from breachrules.verify.encoding import Encoding, Instant, SetValue, Space, Unsupported
from breachrules.verify.findings import Analysis, Claim, Finding
from breachrules.verify.partial import Partial
from breachrules.verify.questions import ANSWER, Questions
from breachrules.verify.transform import without
from breachrules.verify.witness import change, evaluate, trace

TIMEOUT_MS = 20_000
Incident = dict[str, Any]


def analyse(program: Program) -> Analysis:
    """Everything the solver can settle about ``program``; where the program
    cannot be encoded exactly, the search of :mod:`breachrules.verify.search`."""
    try:
        prover = _Prover(program)
    except Unsupported as unsupported:
        from breachrules.verify import search

        return search.analyse(program, unsupported)
    return prover.run()


class _Prover:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.space = Space()
        self.encoding = Encoding(program, self.space)
        self.base = [self.encoding.valid()]
        self.solver = z3.Solver()
        self.solver.set("timeout", TIMEOUT_MS)
        self.solver.add(*self.base)
        self.findings: list[Finding] = []
        self.claims: list[Claim] = []
        self.exact = True  # False once something had to be searched

    # -------------------------------------------------------------- asking

    def ask(self, goal: z3.BoolRef) -> z3.CheckSatResult:
        self.solver.push()
        self.solver.add(goal)
        try:
            return self.solver.check()
        finally:
            self.solver.pop()

    def example(self, goal: z3.BoolRef, holds: Callable[[Incident], bool],
                encodings: list[Encoding] | None = None, shrink: bool = True) -> Incident | None:
        """A small valid incident where ``goal`` holds, confirmed by ``holds``
        (the interpreter's reading of the same property)."""
        model = witness.smallest(self.base, goal, encodings or [self.encoding])
        if model is None:
            self.solver.push()
            self.solver.add(goal)
            model = self.solver.model() if self.solver.check() == z3.sat else None
            self.solver.pop()
        if model is None:
            return None
        found = witness.incident(model, self.space, self.program)
        if not holds(found):
            return None
        return witness.shrink(self.program, found, holds) if shrink else found

    def undecided(self, span: Any, what: str) -> None:
        self.findings.append(Finding.make("BR821", span, what=what))

    # -------------------------------------------------------------- the checks

    def run(self) -> Analysis:
        self._rules()
        self._conflicts()
        self._obligations()
        self._actions()
        self._failures()
        self._unknowns()
        self._invariants()
        self._monotone()
        order = {code: i for i, code in enumerate(sorted({f.code for f in self.findings}))}
        findings = sorted(self.findings, key=lambda f: (f.span.file, f.span.line, f.span.column, order[f.code]))
        return Analysis(tuple(findings), tuple(self.claims), self.exact)

    def _fires(self, label: str) -> Callable[[Incident], bool]:
        def holds(data: Incident) -> bool:
            result = evaluate(self.program, data)
            return result is not None and any(f.label == label and f.certain for f in result.fired)
        return holds

    def _rules(self) -> None:
        program, encoding = self.program, self.encoding
        for rule in program.rules.values():
            path = encoding.paths[rule.label]
            answer = self.ask(path)
            if answer == z3.unknown:
                self.undecided(rule.span, rule.label)
                continue
            if answer == z3.unsat:
                alone = self.ask(encoding.applies[rule.label]) if rule.kind == "exception" else z3.unsat
                code = "BR802" if alone == z3.sat else "BR801"
                self.findings.append(Finding.make(code, rule.span, name=rule.label, base=rule.base or ""))
                continue
            changes = self._raises(rule.label) if rule.kind == "rule" else self._differs(without(program, rule.label))
            answer = self.ask(z3.And(path, changes))
            if answer == z3.unknown:
                self.undecided(rule.span, rule.label)
            elif answer == z3.unsat:
                shown = self.example(path, self._fires(rule.label))
                code = "BR804" if rule.kind == "rule" else "BR803"
                self.findings.append(Finding.make(
                    code, rule.span, name=rule.label, base=rule.base or "", incident=shown,
                    trace=trace(program, shown) if shown is not None else ()))

    def _raises(self, label: str) -> z3.BoolRef:
        """When a base rule gives some outcome more than everything else does."""
        encoding = self.encoding
        tree = encoding.trees[label]
        raised = []
        for outcome in self.program.outcomes:
            if outcome.name not in tree:
                continue
            others = [encoding.trees[root].get(outcome.name, z3.IntVal(0))
                      for root in outcome.roots if root != label]
            if outcome.table is not None:
                # rows and columns as they are: if the rule changed them, it
                # changed an outcome read earlier, which is found there
                others.append(encoding.table_level(outcome.name))
            best: z3.ArithRef = z3.IntVal(0)
            for other in others:
                best = z3.If(other > best, other, best)
            raised.append(tree[outcome.name] > best)
        return z3.Or(raised) if raised else z3.BoolVal(False)

    def _differs(self, changed: Program) -> z3.BoolRef:
        other = Encoding(changed, self.space)
        mine, theirs = self.encoding.outputs(), other.outputs()
        return z3.Or([mine[key] != theirs[key] for key in mine if key in theirs] or [z3.BoolVal(False)])

    def _conflicts(self) -> None:
        for base, one, other, conflict in self.encoding.conflicts():
            when = z3.And(conflict, self.encoding.evaluates())
            answer = self.ask(when)
            span = self.program.rules[other].span
            if answer == z3.unknown:
                self.undecided(span, other)
            elif answer == z3.sat:
                def holds(data: Incident, pair: tuple[str, str] = (one, other), base: str = base) -> bool:
                    result = evaluate(self.program, data)  # a conflict for certain: the base applies too
                    return result is not None and any(set(pair) <= set(c) for c in result.conflicts) \
                        and any(f.label == base and f.certain for f in result.fired)
                shown = self.example(when, holds)
                self.findings.append(Finding.make(
                    "BR805", span, base=base, first=one, second=other, incident=shown,
                    trace=trace(self.program, shown) if shown is not None else ()))

    def _obligations(self) -> None:
        never: set[str] = set()
        for ob in self.program.obligations:
            if ob.always:
                continue
            answer = self.ask(self.encoding.required[ob.name])
            if answer == z3.unsat:
                never.add(ob.name)
                self.findings.append(Finding.make("BR807", ob.span, name=ob.name))
            elif answer == z3.unknown:
                self.undecided(ob.span, ob.name)
        for label, exemption in self.program.exemptions.items():
            if exemption.obligation in never:
                continue
            answer = self.ask(self.encoding.exempting[label])
            if answer == z3.unsat:
                self.findings.append(Finding.make("BR806", exemption.span, name=label,
                                                  obligation=exemption.obligation))
            elif answer == z3.unknown:
                self.undecided(exemption.span, label)
        for checklist in self.program.checklists:
            if checklist.obligation in never:
                self.findings.append(Finding.make("BR812", checklist.span, name=checklist.name,
                                                  obligation=checklist.obligation))

    def _actions(self) -> None:
        for action in self.program.actions:
            if action.condition is None:
                continue
            answer = self.ask(self.encoding.actions[action.name])
            if answer == z3.unsat:
                self.findings.append(Finding.make("BR808", action.span, name=action.name))
            elif answer == z3.unknown:
                self.undecided(action.span, action.name)

    def _failures(self) -> None:
        seen: set[Any] = set()
        for failure in self.encoding.failures:
            if failure.span in seen:
                continue
            answer = self.ask(failure.guard)
            if answer == z3.unknown:
                self.undecided(failure.span, failure.label)
            if answer != z3.sat:
                continue
            seen.add(failure.span)

            shown = self.example(failure.guard, lambda data: witness.fails(self.program, data))
            self.findings.append(Finding.make("BR809", failure.span, label=failure.label,
                                              reason=Term.of(f"evaluation.{failure.reason}"), incident=shown))

    def _unknowns(self) -> None:
        """That every provisional result brackets every complete answer: an
        incident with facts unknown gives, for each outcome, an interval
        holding the level of every way of answering them, and an
        obligation it calls required (or not) is required (or not) in each.
        Read over pairs of a partial incident and one of its completions;
        an arithmetic operation that can fail anywhere keeps it from being
        proved (the partial reading may reach it where the complete one
        does not)."""
        span = self.program.span
        if any(self.ask(failure.operation) != z3.unsat for failure in self.encoding.failures):
            self.claims.append(Claim("unknowns", "", span, "unsupported"))
            self.claims.append(Claim("questions", "", span, "unsupported"))
            return
        try:
            reading = Partial(self.encoding)
        except Unsupported:
            self.claims.append(Claim("unknowns", "", span, "unsupported"))
            self.claims.append(Claim("questions", "", span, "unsupported"))
            return
        self._brackets(reading)
        self._questions(Questions(reading))

    def _brackets(self, reading: Partial) -> None:
        span = self.program.span
        complete = self.encoding.outputs()
        broken: dict[str, z3.BoolRef] = {}
        for name, level in reading.outcomes.items():
            value = complete[f"outcome:{name}"]
            broken[f"outcome:{name}"] = z3.Or(value < level.lo, value > level.hi)
        for name, truth in reading.required.items():
            value = complete[f"obligation:{name}"]
            broken[f"obligation:{name}"] = z3.Or(z3.And(truth.true, z3.Not(value)), z3.And(truth.false, value))
        if not self._refuted("unknowns", self.ask(z3.Or(list(broken.values())))):
            return
        key = next(key for key, goal in broken.items() if self.ask(goal) == z3.sat)
        self.solver.push()
        self.solver.add(broken[key])
        self.solver.check()
        model = self.solver.model()
        self.solver.pop()
        answered = witness.incident(model, self.space, self.program)
        # the partial incident: its known facts, and null (unknown) for a fact whose default would fill it
        known = {name: value if z3.is_true(model.eval(reading.known[name], model_completion=True)) else None
                 for name, value in answered.items()}
        known = {name: value for name, value in known.items()
                 if value is not None or self.program.facts[name].has_default}
        self.findings.append(Finding.make("BR813", span, what=key.split(":", 1)[1], incident=known,
                                          other=answered))

    def _refuted(self, kind: str, answer: z3.CheckSatResult) -> bool:
        """Record how a claim about the whole ruleset stands; True when a
        counterexample is to be shown."""
        status = "refuted" if answer == z3.sat else "proved" if answer == z3.unsat else "undecided"
        self.claims.append(Claim(kind, "", self.program.span, status))
        if status == "undecided":
            self.undecided(self.program.span, self.program.name)
        return status == "refuted"

    def _questions(self, questions: Questions) -> None:
        """That a provisional result says what could change it: every fact
        whose answer can change the risk, an obligation or a deadline of
        some completion is among the open questions. (The converse, that
        every open question can change the decision, does not hold: the
        questions are read from the rules, as the interpreter reads them;
        see docs/proving.md.)"""
        span = self.program.span
        facts = [name for name in self.program.facts if name in witness.read_facts(self.program)]
        missed, which = questions.missed(facts)
        # a solver of its own: the goal carries its own validity, and a fresh
        # solver simplifies it before the search (the shared one, after a
        # push, takes half as long again)
        solver = z3.Solver()
        solver.set("timeout", TIMEOUT_MS)
        solver.add(missed)
        if not self._refuted("questions", solver.check()):
            return
        model = solver.model()
        fact = facts[model.eval(which, model_completion=True).as_long()]
        answered = witness.incident(model, self.space, self.program)
        other = witness.incident(model, self.space, self.program, prefix=ANSWER)[fact]
        known = {name: value for name, value in answered.items()
                 if name != fact and z3.is_true(model.eval(questions.reading.known[name], model_completion=True))}
        partial = witness.unasked(self.program, answered, known, fact)
        if partial is None:  # the interpreter asks after all: its reading and ours differ
            self.claims[-1] = Claim("questions", "", span, "undecided")
            self.undecided(span, self.program.name)
            return
        what = next(name for name, term in questions.decision().items()
                    if not z3.is_true(model.eval(term == z3.substitute(term, *questions.answered(fact)),
                                                 model_completion=True)))
        self.findings.append(Finding.make("BR814", span, fact=fact, what=what.split("@")[0],
                                          value=json.dumps(other, ensure_ascii=False),
                                          incident=partial, other=answered))

    def _invariants(self) -> None:
        for inv in self.program.invariants:
            try:
                broken = z3.And(z3.Not(self.encoding.truth(inv.expr)), self.encoding.evaluates(),
                                z3.Not(self.encoding.failing(inv.expr)))
            except Unsupported as unsupported:  # an invariant with floating-point arithmetic: searched
                from breachrules.verify import search

                claim, finding = search.invariant(self.program, inv)
                self.claims.append(claim)
                self.findings.append(Finding.make("BR820", unsupported.span, construct=unsupported.construct))
                self.findings.extend([finding] if finding is not None else [])
                self.exact = False
                continue
            answer = self.ask(broken)
            if answer == z3.unknown:
                self.claims.append(Claim("invariant", inv.name, inv.span, "undecided"))
                self.undecided(inv.span, inv.name)
                continue
            if answer == z3.unsat:
                self.claims.append(Claim("invariant", inv.name, inv.span, "proved"))
                continue

            def holds(data: Incident, expr: Any = inv.expr) -> bool:
                facts = witness.checked(self.program, data)
                if facts is None:
                    return False
                try:
                    return interpreter.conditions_after_decision(self.program, facts, [expr])[0] is False
                except EvaluationError:
                    return False
            shown = self.example(broken, holds)
            self.claims.append(Claim("invariant", inv.name, inv.span, "refuted"))
            self.findings.append(Finding.make("BR810", inv.span, name=inv.name, incident=shown, promise=inv.message,
                                              trace=trace(self.program, shown) if shown is not None else ()))

    def _monotone(self) -> None:
        if not self.program.monotone:
            return
        after = Encoding(self.program, self.space, prefix="after:")
        self.solver.add(after.valid())
        self.base.append(after.valid())
        for declared in self.program.monotone:
            goal = z3.And(self._worse(declared, after), self.encoding.evaluates(), after.evaluates())
            answer = self.ask(goal)
            if answer == z3.unknown:
                self.claims.append(Claim(declared.direction, declared.fact, declared.span, "undecided"))
                self.undecided(declared.span, declared.fact)
                continue
            if answer == z3.unsat:
                self.claims.append(Claim(declared.direction, declared.fact, declared.span, "proved"))
                continue
            self.claims.append(Claim(declared.direction, declared.fact, declared.span, "refuted"))
            model = witness.smallest(self.base, goal, [self.encoding, after])
            if model is None:
                self.solver.push()
                self.solver.add(goal)
                self.solver.check()
                model = self.solver.model()
                self.solver.pop()
            before = witness.incident(model, self.space, self.program)
            later = witness.incident(model, self.space, self.program, prefix="after:")
            def worse(a: Incident, b: Incident, direction: str = declared.direction) -> bool:
                return change(self.program, direction, a, b)[0] != ""
            before, later = witness.shrink_pair(self.program, before, later, declared.fact, worse)
            what, old, new = change(self.program, declared.direction, before, later)
            self.findings.append(Finding.make(
                "BR811", declared.span, fact=declared.fact, direction=Term.of(f"verify.kind.{declared.direction}"),
                low=_shown(before, declared.fact), high=_shown(later, declared.fact),
                what=what, before=old, after=new, incident=before, other=later,
                trace=trace(self.program, later)))

    def _worse(self, declared: MonotoneDef, after: Encoding) -> z3.BoolRef:
        """When the fact rising alone makes things better for an aggravating
        fact (worse for a mitigating one), and how to say what changed."""
        program, space, encoding = self.program, self.space, self.encoding
        same = []
        for name, fact in program.facts.items():
            if name != declared.fact:
                same.append(_equal(space.fact(fact, ""), space.fact(fact, "after:")))
        fact = program.facts[declared.fact]
        rises = _lower(space, fact, declared, space.fact(fact, ""), space.fact(fact, "after:"))
        mine, theirs = encoding.outputs(), after.outputs()
        turns = []
        for key, value in mine.items():
            if key.startswith("outcome:"):
                turns.append(theirs[key] < value if declared.direction == "aggravating" else theirs[key] > value)
            elif declared.direction == "aggravating":
                turns.append(z3.And(value, z3.Not(theirs[key])))
            else:
                turns.append(z3.And(z3.Not(value), theirs[key]))

        return z3.And(*same, rises, z3.Or(turns))




def _equal(a: Any, b: Any) -> z3.BoolRef:
    if isinstance(a, Instant):
        return z3.And(a.utc == b.utc, a.offset == b.offset)
    if isinstance(a, SetValue):
        return z3.And([a.members[m] == b.members[m] for m in a.members] or [z3.BoolVal(True)])
    return a == b


def _lower(space: Space, fact: Any, declared: MonotoneDef, a: Any, b: Any) -> z3.BoolRef:
    """``a`` strictly below ``b`` in the fact's declared order."""
    kind = fact.type.kind
    if declared.order:
        number = (lambda m: fact.type.members.index(m)) if kind == "level" else space.member
        return z3.Or([z3.And(a == number(low), b == number(high)) for low, high in declared.order])
    if kind == "bool":
        return z3.And(z3.Not(a), b)
    if kind == "datetime":
        return a.utc < b.utc
    if kind == "set":
        return z3.And(z3.And([z3.Implies(a.members[m], b.members[m]) for m in a.members]),
                      z3.Or([z3.And(b.members[m], z3.Not(a.members[m])) for m in a.members]))
    if kind == "enum":
        members = fact.type.members
        return z3.Or([z3.And(a == space.member(x), b == space.member(y))
                      for i, x in enumerate(members) for y in members[i + 1:]])
    return a < b


def _shown(data: Mapping[str, Any], fact: str) -> str:
    """A fact's value as the incident writes it."""
    return json.dumps(data.get(fact), ensure_ascii=False)
