"""Random, well-formed rulesets, as text: :func:`rulesets`.

For tools built on the language (a formatter, an editor's outline, an
exporter, another evaluator) and for the library's own tests, which hold
the generated fast path to the interpreter on them
(tests/test_differential.py).
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from breachrules.testing.citations import references
from breachrules.testing.documents import (
    checklists,
    header,
    invariants,
    monotone,
    notices,
    obligation_names,
    plans,
    questions,
    replaced,
)
from breachrules.testing.expressions import Ctx
from breachrules.testing.statements import combine, defines, facts, obligations, points, rule_tree, scales, scores


def rulesets(*, name: str = "generated", max_rules: int = 5, extremes: bool = True) -> st.SearchStrategy[str]:
    """The text of random rulesets that compile: ``breachrules.loads(text)``
    takes every one.

    How: the statements are drawn by a generator that knows the language's
    types (see :mod:`breachrules.testing.expressions`), so that every name
    is declared, every operand has a type its operator takes and no outcome
    reads itself; the grammar (``grammar/breachrules.lark``, through
    ``hypothesis.extra.lark.from_lark``) draws the shape of some of the
    expressions, which are then fitted to the types their places need (see
    :mod:`breachrules.testing.grammar`). Nothing is filtered: no example is
    thrown away.

    A ruleset has every kind of statement the language has but
    ``extends``: references cited at places in them, scales (``risk`` and
    up to three more), facts of every type with ranges, defaults and
    questions, definitions, scores, points, rules with exceptions up to
    five deep, a combine table, obligations with deadlines, ``done`` and
    ``late requires``, exemptions (``instead`` among them), checklists, an
    action plan, a notice, invariants, aggravating and mitigating facts,
    replaced facts, and comments; in the order drawn or shuffled, and with
    names chosen to collide. Its arithmetic may fail on some incidents (a
    division by zero, an instant past the calendar): assessing such an
    incident raises :class:`breachrules.EvaluationError`, as it would with
    the same ruleset written by hand.

    ``name`` is the ruleset's name; ``max_rules`` bounds the number of rules
    (each with its exceptions); ``extremes=False`` leaves out the shapes at
    the language's limits (60-deep nesting, chains of 150 definitions),
    which make rulesets slow to compile and long to read.

    Rulesets are large examples: a test drawing them wants
    ``settings(deadline=None)``, and shrinking one compiles it thousands of
    times.
    """
    _check_name(name)
    if not isinstance(max_rules, int) or max_rules < 1:
        raise ValueError(f"max_rules must be a whole number of at least 1, not {max_rules!r}")
    return _rulesets(name, max_rules, extremes)


@st.composite
def _rulesets(draw: Any, name: str, max_rules: int, extremes: bool) -> str:
    ctx = Ctx(draw, extremes=extremes, grammar=True)
    statements = references(ctx) + scales(ctx) + questions(ctx, facts(ctx))
    statements += defines(ctx) + scores(ctx) + points(ctx)
    for _ in range(draw(st.integers(1, max_rules))):
        statements += rule_tree(ctx)
    duties = obligations(ctx, done=True)
    names = obligation_names(duties)
    actions, plan_names = plans(ctx)
    statements += combine(ctx) + duties + actions + checklists(ctx, names) + notices(ctx, names, plan_names)
    statements += invariants(ctx, names) + monotone(ctx) + replaced(ctx)
    order = draw(st.permutations(statements)) if draw(st.booleans()) else statements
    return header(ctx, name) + "\n" + "\n".join(commented(ctx, order)) + "\n"


def commented(ctx: Ctx, statements: list[str]) -> list[str]:
    """The statements, some with a comment before them or at the end of
    their last line, where a formatter must keep them."""
    draw = ctx.draw
    lines = []
    for statement in statements:
        roll = draw(st.integers(0, 9))
        lines += ["# about the next statement"] if roll == 0 else []
        lines.append(statement + ("  # and why" if roll == 1 else ""))
    return lines


# The grammar's RULESET_NAME: words joined by hyphens, as in fi-health.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise ValueError(f"{name!r} is not a ruleset name: words of letters, digits and _, joined by hyphens")
