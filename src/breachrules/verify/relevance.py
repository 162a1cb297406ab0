"""Which open questions can change the decision: the solver's exact answer
for one incident.

The interpreter reads an assessment's open questions from the rules, in
Kleene's three-valued logic (:mod:`breachrules.verify.questions` writes
that reading down), and so may ask a question whose answer cannot matter:
two rules that conclude the same for ``b`` and for ``not b`` leave ``b``
asked, and the levels a range, though either answer decides the same.
``breachrules check`` proves that reading *sound* (the range covers every
completion, every fact that can matter is asked); it cannot make it
*exact*, since "no answer to this question matters" quantifies over every
way of answering the others.

For one incident, the solver can decide it. With the known facts fixed,
:func:`relevance` asks, fact by fact, for a completion (every unknown
fact answered, as validation accepts) and another answer to the fact
alone that decide the risk, an obligation or a deadline differently. Found,
the question *matters*, and the pair shows it (the reference interpreter
confirms it before it is reported); proved impossible, the question is
*needless*. The same search gives the levels and duties exactly: every
level some completion gives, and whether a duty is required in every
completion, in none, or depends on the answers.

Completions range over the incidents that evaluate without an error (one
with arithmetic that can fail stops; it has no decision to change). A
ruleset that reads ``is known`` is not read: what it decides of a
question left open is not what any answer decides.
``breachrules assess --exact`` shows the result; docs/proving.md
(Provisional results) explains it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
import z3

from breachrules import interpreter, ir
from breachrules.i18n import Term
from breachrules.incident import Facts
from breachrules.program import Program
from breachrules.verify import witness
from breachrules.verify.encoding import Encoding, Space, Unsupported, micros
from breachrules.verify.questions import ANSWER, answered, decision

TIMEOUT_MS = 10_000  # per question to the solver; beyond it, the answer is "undecided"
BUDGET_S = 30.0  # for all the questions of one incident; what is left then is "undecided"
PLAIN_TIMEOUT_MS = 1_000  # for plainer values of a pair found already
YEAR = 366 * 86_400 * 10**6


@attrs.frozen
class Matters:
    """An open question whose answer can change the decision, and the pair
    that shows it: ``completion``, a complete incident that agrees with the
    assessed one on every known fact, and ``answer``, another answer to
    ``fact`` alone, under which ``changes`` (``"risk"`` or an obligation's
    name: its being required, or with ``deadline`` its deadline alone) is
    decided otherwise. Both in the incident's JSON form."""

    fact: str
    completion: Mapping[str, Any]
    answer: Any
    changes: str
    deadline: bool = False  # only the obligation's deadline: it is required either way

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "changes": self.changes, "deadline": self.deadline,
                "completion": dict(self.completion), "answer": self.answer}


@attrs.frozen
class Relevance:
    """The exact reading of one incident with facts unknown.

    ``levels``: each outcome's levels that some completion gives, in the
    order of its scale. ``required``: each obligation, True when every
    completion requires it, False when none does, None when the answers
    decide. ``matters`` and ``needless`` divide the unknown facts the
    ruleset reads (in its order of facts); ``undecided`` are those the
    solver could not settle in time, and ``exact`` is false when anything
    here was not settled (a level or a duty is then given as it may be).
    When no completion evaluates without an error (``answerable`` false),
    or the solver cannot tell whether one does, nothing is claimed: every
    level, no duty decided, every fact undecided."""

    levels: Mapping[str, tuple[str, ...]]
    required: Mapping[str, bool | None]
    matters: tuple[Matters, ...]
    needless: tuple[str, ...]
    undecided: tuple[str, ...]
    exact: bool
    answerable: bool = True

    @property
    def open_facts(self) -> int:
        """How many unknown facts the rules read."""
        return len(self.matters) + len(self.needless) + len(self.undecided)

    def matter(self, fact: str) -> Matters | None:
        return next((m for m in self.matters if m.fact == fact), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exact": self.exact,
            "levels": {name: list(levels) for name, levels in self.levels.items()},
            "required": dict(self.required),
            "matters": [m.to_dict() for m in self.matters],
            "needless": list(self.needless),
            "undecided": list(self.undecided),
            "answerable": self.answerable,
        }


def relevance(program: Program, facts: Facts, now: datetime | None = None) -> Relevance:
    """The exact reading of ``facts`` (validated: :meth:`Ruleset.validate`);
    with ``now``, of the completions whose instants are not later (as a
    report at ``now`` accepts them). Raises
    :class:`~breachrules.verify.encoding.Unsupported` for a ruleset the
    solver cannot hold exactly (floating-point arithmetic, ``is known``), or
    a text it cannot hold that the rules read."""
    for node in [*program.expressions(), *(a.condition for a in program.actions if a.condition is not None)]:
        _refuse_is_known(node)
    return _Reading(program, facts, now).result()


def _refuse_is_known(node: ir.Node) -> None:
    if isinstance(node, ir.IsKnown):
        raise Unsupported(node.span, Term.of("verify.unsupported.is_known"))
    for child in ir.children(node):
        _refuse_is_known(child)


class _Reading:
    def __init__(self, program: Program, facts: Facts, now: datetime | None) -> None:
        self.program = program
        self.space = Space()
        self.encoding = Encoding(program, self.space)
        read = witness.read_facts(program)
        self.unknown = [name for name in program.facts if name in read and name not in facts.known]
        accepted = [self.encoding.valid(), self.encoding.evaluates()]
        if now is not None:  # an instant is of something that has happened
            accepted += [self.space.fact(fact).utc <= micros(now) for fact in program.facts.values()
                         if fact.type.kind == "datetime"]
        self.accepted = z3.And(accepted)
        # the facts known (those the rules read: the others change nothing, and need not be held)
        fixed = [variable == value for name, given in facts.known.items() if name in read
                 for variable, value in self.space.pairs(program.facts[name], given)]
        self.solver = z3.Solver()
        self.solver.add(self.accepted, *fixed)
        self.until = time.monotonic() + BUDGET_S
        self.exact = True

    def result(self) -> Relevance:
        some = self._can()
        if some is not True:  # no completion evaluates (or none found in time): nothing to claim
            return Relevance({o.name: o.levels for o in self.program.outcomes},
                             dict.fromkeys(self.encoding.required), (), (), tuple(self.unknown), False,
                             answerable=some is None)
        levels = {outcome.name: self._levels(outcome.name) for outcome in self.program.outcomes}
        required = {name: self._required(flag) for name, flag in self.encoding.required.items()}
        matters, needless, undecided = self._questions()
        return Relevance(levels, required, matters, needless, undecided, self.exact and not undecided)

    def _check(self, *goal: Any, most_ms: int = TIMEOUT_MS) -> tuple[z3.CheckSatResult, z3.ModelRef | None]:
        """The solver's answer for ``goal`` on top of the completions, in at
        most ``most_ms`` and what is left of the budget (none left: unknown)."""
        left_ms = int((self.until - time.monotonic()) * 1000)
        if left_ms <= 0:
            return z3.unknown, None
        self.solver.set("timeout", min(most_ms, left_ms))
        self.solver.push()
        self.solver.add(*goal)
        answer = self.solver.check()
        model = self.solver.model() if answer == z3.sat else None
        self.solver.pop()
        return answer, model

    def _can(self, *goal: Any) -> bool | None:
        """Whether some completion meets ``goal``; None: the solver gave up."""
        answer, _model = self._check(*goal)
        if answer == z3.unknown:
            self.exact = False
            return None
        return bool(answer == z3.sat)

    def _levels(self, name: str) -> tuple[str, ...]:
        level = self.encoding.outcomes[name]
        names = self.program.outcome(name).levels
        return tuple(n for index, n in enumerate(names) if self._can(level == index) is not False)

    def _required(self, flag: z3.BoolRef) -> bool | None:
        """True when no completion leaves the duty out, False when none
        requires it (a completion existing: see :meth:`result`), None else."""
        can, cannot = self._can(flag), self._can(z3.Not(flag))
        if cannot is False:
            return True
        if can is False:
            return False
        return None

    def _questions(self) -> tuple[tuple[Matters, ...], tuple[str, ...], tuple[str, ...]]:
        """One question to the solver per fact that matters, and one more:
        "which of the facts left can change the decision?" (a variable
        chooses the fact, as in :meth:`Questions.missed`)."""
        # a deadline is its instant: another offset of the same instant says it the same
        terms = {key: term for key, term in decision(self.encoding).items() if not key.endswith("@offset")}
        left, found, undecided = list(self.unknown), {}, []
        while left:
            chosen = z3.Int("answer:which")
            substitution = [(leaf, z3.If(chosen == index, copy, leaf))
                            for index, fact in enumerate(left) for leaf, copy in answered(self.encoding, fact)]
            goal = [chosen >= 0, chosen < len(left), z3.substitute(self.accepted, *substitution),
                    z3.Or([term != z3.substitute(term, *substitution) for term in terms.values()])]
            answer, model = self._check(*goal)
            if model is None:
                if answer == z3.unknown:
                    undecided.extend(left)
                break
            index = model.eval(chosen, model_completion=True).as_long()
            fact = left.pop(index)
            shown = self._shown(self._plain(goal, chosen == index, fact) or model, fact)
            if shown is None:  # the solver's reading and the interpreter's differ: not claimed
                undecided.append(fact)
            else:
                found[fact] = shown
        order = list(self.program.facts)
        matters = tuple(sorted(found.values(), key=lambda m: order.index(m.fact)))
        needless = tuple(f for f in self.unknown if f not in found and f not in undecided)
        return matters, needless, tuple(sorted(undecided, key=order.index))

    def _plain(self, goal: list[Any], chosen: z3.BoolRef, fact: str) -> z3.ModelRef | None:
        """A model of the same goal with values a reader takes in at a
        glance, if there is one soon: instants on whole minutes in UTC
        within a year of the reference date, durations in whole minutes.
        (The prover's optimiser finds plainer ones, in tens of seconds.)"""
        plainness = []
        for name in [*self.unknown, ANSWER + fact]:
            fact_def = self.program.facts[name.removeprefix(ANSWER)]
            variable = self.space.fact(fact_def, ANSWER if name.startswith(ANSWER) else "")
            if fact_def.type.kind == "datetime":
                plainness += [variable.offset == 0, (variable.utc - witness.REFERENCE) % witness.MINUTE == 0,
                              variable.utc - witness.REFERENCE <= YEAR, witness.REFERENCE - variable.utc <= YEAR]
            elif fact_def.type.kind == "duration":
                plainness.append(variable % witness.MINUTE == 0)
        return self._check(*goal, chosen, *plainness, most_ms=PLAIN_TIMEOUT_MS)[1]

    def _shown(self, model: z3.ModelRef, fact: str) -> Matters | None:
        """The pair the model gives, confirmed by the reference interpreter."""
        completion = witness.incident(model, self.space, self.program)
        answer = witness.incident(model, self.space, self.program, prefix=ANSWER)[fact]
        before = witness.evaluate(self.program, completion)
        after = witness.evaluate(self.program, {**completion, fact: answer})
        if before is None or after is None:
            return None
        changes = _changed(self.program, before, after)
        return None if changes is None else Matters(fact, completion, answer, *changes)


def _changed(program: Program, before: interpreter.Result, after: interpreter.Result) -> tuple[str, bool] | None:
    """What two decisions decide differently: the risk, or an obligation,
    and whether only its deadline (the obligation required either way)."""
    if "risk" in before.levels and before.levels["risk"] != after.levels["risk"]:
        return "risk", False
    for ob in program.obligations:
        was, now = before.obligations[ob.name], after.obligations[ob.name]
        if was.required != now.required:
            return ob.name, False
    for ob in program.obligations:
        was, now = before.obligations[ob.name], after.obligations[ob.name]
        if was.required and was.due != now.due:
            return ob.name, True
    return None


__all__ = ["Matters", "Relevance", "relevance"]
