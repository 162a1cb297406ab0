"""``breachrules.testing.rulesets``: every ruleset it draws compiles, with
the name and size asked for; the grammar draws only text it accepts, and
fitting makes of it an expression of the type asked for.

(tests/test_differential.py holds the fast path to the interpreter on
these rulesets; tests/test_testing_incidents.py draws incidents for them.)
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import breachrules
from breachrules.testing import rulesets
from breachrules.testing.expressions import Ctx, Ty, any_type
from breachrules.testing.grammar import CHAIN, _parser, _shapes, drawing_grammar, guided
from breachrules.testing.statements import facts, scales

LARGE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
KINDS = {"bool": "bool", "num": "number", "dur": "duration", "dt": "datetime", "enum": "enum", "set": "set",
         "level": "level"}


@settings(max_examples=30, deadline=None, suppress_health_check=LARGE)
@given(rulesets())
def test_every_ruleset_compiles(text: str) -> None:
    breachrules.loads(text)


@settings(max_examples=20, deadline=None, suppress_health_check=LARGE)
@given(rulesets(name="our-org", max_rules=1, extremes=False))
def test_rulesets_have_the_name_and_size_asked_for(text: str) -> None:
    rs = breachrules.loads(text)
    assert rs.name == "our-org"
    assert sum(rule.kind == "rule" for rule in rs.program.rules.values()) <= 1
    assert len(rs.program.defines) < 50  # no chains of definitions


@pytest.mark.parametrize("arguments", [
    {"name": "1x"}, {"name": "a b"}, {"name": "a\nfact b: bool"}, {"name": ""}, {"max_rules": 0},
])
def test_bad_arguments_are_refused_when_the_strategy_is_built(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        rulesets(**arguments)


# ------------------------------------------------------------------ the grammar's part


@settings(max_examples=100)
@given(_shapes())
def test_the_unrolled_grammar_draws_text_the_grammar_accepts(text: str) -> None:
    _parser().parse(text)


def test_the_unrolled_grammar_reads_one_level_down_when_it_goes_back_up() -> None:
    text = drawing_grammar('?expr: or_expr\n?atom: NAME | "(" expr ")"\nsigned_number: NUMBER\n', levels=2)
    assert '?atom_0: NAME | "(" expr_1 ")"' in text
    assert '?atom_1: NAME | "(" expr_2 ")"' in text
    assert all(f"?{rule}_2: NAME" in text for rule in CHAIN)
    assert "%ignore" not in drawing_grammar("?expr: atom\nsigned_number: NUMBER\n%ignore WS\n")


@st.composite
def probes(draw: Any) -> tuple[Ty, str]:
    """A small ruleset defining ``probe`` as a grammar-shaped expression of
    some type, and the type."""
    ctx = Ctx(draw, grammar=True)
    lines = scales(ctx) + facts(ctx)
    ty = any_type(ctx)
    return ty, 'ruleset probe\n' + "\n".join(lines) + f"\ndefine probe = {guided(ctx, ty, 0)}\n"


@settings(max_examples=100, deadline=None)
@given(probes())
def test_fitting_gives_an_expression_of_the_type_asked_for(probe: tuple[Ty, str]) -> None:
    ty, text = probe
    defined = next(d for d in breachrules.loads(text).program.defines if d.name == "probe")
    assert defined.type.kind == KINDS[ty[0]]
    if ty[0] == "level":
        assert defined.type.scale == ty[1]
