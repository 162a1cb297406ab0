"""Arithmetic on a few numbers is read exactly, and only where no incident makes it round.

``breachrules.verify.exact`` lets the encoding read sums and products of
numbers that need not be whole as the solver's exact reals, when every
operand can take only a few values known before any incident (constants,
``points``, bounded whole numbers) and no combination rounds in Python. The
tests hold it to both halves: what it lets through is read as the
interpreter computes it, on every incident (a ruleset of few-valued facts
has few incidents, so all of them are tried); what rounds, or has too many
values, or reads a ``number`` fact, is still refused, and the analysis
then searches instead of proving.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import breachrules
from breachrules import ir
from breachrules.program import Program

z3 = pytest.importorskip("z3")

from breachrules.verify import prover  # noqa: E402  (these need the solver)
from breachrules.verify.encoding import Encoding, Space, Unsupported  # noqa: E402
from breachrules.verify.exact import MAX_VALUES, Finite  # noqa: E402
from tests.test_verify_semantics import assert_encoding_agrees, checked  # noqa: E402

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
HEAD = "ruleset t\nscale risk: low < medium < high\n"
RULE = 'because "m" cite "c"'


def program(body: str) -> Program:
    return breachrules.loads(HEAD + body).program


def values(body: str, name: str) -> tuple[Any, ...] | None:
    """The values the analysis finds for the definition ``name``."""
    compiled = program(body)
    expr = next(d.expr for d in compiled.defines if d.name == name)
    return Finite(compiled).values(expr)


ENISA = """fact category: {simple, behavioural, financial, sensitive}
fact raised_by: count 0..3
fact lowered_by: count 0..3
fact ease: {negligible, limited, significant, maximum}
fact confidentiality: {no_evidence, known_recipients, unknown_recipients}
fact malicious: {no, yes}
points basic = category
  simple: 1
  behavioural: 2
  financial: 3
  sensitive: 4
points ei = ease
  negligible: 0.25
  limited: 0.5
  significant: 0.75
  maximum: 1
points cb_confidentiality = confidentiality
  no_evidence: 0
  known_recipients: 0.25
  unknown_recipients: 0.5
points cb_malicious = malicious
  no: 0
  yes: 0.5
define dpc = max(1, min(4, basic + raised_by - lowered_by))
define se = dpc * ei + cb_confidentiality + cb_malicious
score band: risk = se
  below 2: low
  below 3: medium
  otherwise: high
rule scored always then risk >= band because "m" cite "c"
invariant in_range: se >= 0.25 and se <= 5
aggravating category, raised_by, ease, confidentiality, malicious
mitigating lowered_by
"""


# ------------------------------------------------------------------ the values


def test_the_values_of_points_and_their_sums_and_products() -> None:
    assert values(ENISA, "dpc") == (1, 2, 3, 4)
    found = values(ENISA, "se")
    assert found is not None and min(found) == 0.25 and max(found) == 5
    assert set(found) == {d * e + c + m for d in (1, 2, 3, 4) for e in (0.25, 0.5, 0.75, 1)
                          for c in (0, 0.25, 0.5) for m in (0, 0.5)}


def test_a_sum_that_rounds_has_no_values() -> None:
    body = "fact a: {x, y}\npoints p = a\n  x: 0.1\n  y: 0.25\npoints q = a\n  x: 0.2\n  y: 0.5\n"
    assert 0.1 + 0.2 != 0.3  # what Python gives is not the exact sum
    assert values(body + "define s = p + q\n", "s") is None
    assert values(body + "define s = p * 2\n", "s") == (0.2, 0.5)  # doubling a float is exact


def test_a_whole_number_too_large_for_a_float_rounds_when_a_fraction_is_added() -> None:
    body = "fact a: {x, y}\npoints p = a\n  x: 999999999999999\n  y: 1\n"
    assert values(body + "define s = p + 0.5\n", "s") == (999999999999999.5, 1.5)  # 51 bits: exact
    assert values(body + "define s = p * p + 0.5\n", "s") is None  # 10**30 as a float rounds
    assert values(body + "define s = p * p + 2\n", "s") is not None  # whole arithmetic is exact


def test_too_many_values_are_not_tried() -> None:
    body = f"fact n: count 0..{MAX_VALUES - 1}\nfact a: {{x, y}}\npoints p = a\n  x: 0\n  y: 0.5\n"
    assert len(values(body + "define s = n * 0.5 + 0.25\n", "s") or ()) == MAX_VALUES
    assert values(body + "define s = n + p\n", "s") is None  # n + 0 and n + 0.5: 128 values
    assert values(f"fact n: count 0..{MAX_VALUES}\ndefine s = n * 0.5\n", "s") is None  # 65 to start with


def test_the_work_of_finding_values_is_bounded() -> None:
    """A ruleset is untrusted: a size of a thousand members is not tried at
    all, and the combinations tried for the whole program are counted, so
    that definitions past the budget have no values (searched, not proved)
    instead of keeping ``check`` busy for minutes."""
    members = ", ".join(f"m{i}" for i in range(1000))
    assert values(f"fact s: set of {{{members}}}\ndefine d = size(s) + 0.5\n", "d") is None
    sixty_four = ", ".join(f"v{i}" for i in range(64))
    table = "\n".join(f"  v{i}: {i}.5" for i in range(64))
    body = (f"fact a: {{{sixty_four}}}\nfact b: {{{sixty_four}}}\npoints p = a\n{table}\npoints q = b\n{table}\n"
            + "".join(f"define d{i} = min(p, q) + {i}\n" for i in range(60)))  # 64 x 64 pairs, 64 values
    compiled = program(body)
    finite = Finite(compiled)
    assert finite.definitions["d0"] is not None  # 4,160 combinations, well within the budget
    assert finite.definitions["d59"] is None     # sixty of them are not


def test_a_number_fact_or_an_unbounded_count_has_no_values() -> None:
    assert values("fact r: number 0..1\ndefine s = r * 0.5\n", "s") is None
    assert values("fact n: count\ndefine s = n * 0.5\n", "s") is None
    assert values("fact n: count 0..9\ndefine s = max(1, min(4, n)) * 0.5\n", "s") == (0.5, 1.0, 1.5, 2.0)


# ------------------------------------------------------------------ the proofs


def test_few_valued_arithmetic_is_proved_not_searched() -> None:
    analysis = prover.analyse(program(ENISA))
    assert analysis.exact
    assert [f.code for f in analysis.findings] == []
    claims = {(c.kind, c.name): c.status for c in analysis.claims}
    assert claims == {
        ("invariant", "in_range"): "proved",
        **{("aggravating", fact): "proved" for fact in ("category", "raised_by", "ease", "confidentiality",
                                                       "malicious")},
        ("mitigating", "lowered_by"): "proved",
        ("unknowns", ""): "proved", ("questions", ""): "proved",
    }


def test_a_broken_promise_over_few_values_is_refuted_with_an_incident() -> None:
    analysis = prover.analyse(program(ENISA.replace("se <= 5", "se < 5")))
    [finding] = analysis.findings
    assert finding.code == "BR810" and finding.incident is not None
    assessed = breachrules.loads(HEAD + ENISA).assess(finding.incident)
    assert assessed.risk == "high"


def test_arithmetic_that_rounds_is_still_searched() -> None:
    body = ENISA.replace("known_recipients: 0.25", "known_recipients: 0.1").replace("yes: 0.5", "yes: 0.2")
    analysis = prover.analyse(program(body))
    assert not analysis.exact
    assert [f.code for f in analysis.findings] == ["BR820"]
    assert {c.status for c in analysis.claims} == {"searched"}
    with pytest.raises(Unsupported):
        Encoding(program(body), Space())


def test_a_quotient_of_few_values_is_still_refused() -> None:
    with pytest.raises(Unsupported):
        Encoding(program(ENISA.replace("dpc * ei", "dpc / ei")), Space())


# ------------------------------------------------------------------ every incident, every ruleset

# What a member may be worth: exact in binary or not, whole and large.
WORTH = ("0", "1", "-2", "0.25", "0.5", "0.75", "1.5", "0.1", "0.2", "0.3", "999999999999999")
OPERATORS = ("+", "-", "*")


@st.composite
def few_valued(draw: Any) -> str:
    """A ruleset of enum and small count facts, points over them, and
    definitions of sums, differences, products, minima and maxima of those
    and of constants, which rules compare and invariants bound."""
    lines = ["fact a: {x, y, z}", "fact b: {x, y}", "fact n: count 0..3"]
    names: list[str] = ["n"]
    for i, (fact, members) in enumerate((("a", "xyz"), ("b", "xy"), ("a", "xyz"))):
        listed = "\n".join(f"  {m}: {draw(st.sampled_from(WORTH))}" for m in members)
        lines.append(f"points p{i} = {fact}\n{listed}")
        names.append(f"p{i}")

    def term(depth: int) -> str:
        if depth == 0 or draw(st.integers(0, 2)) == 0:
            return str(draw(st.sampled_from([*names, *WORTH[:7]])))
        if draw(st.integers(0, 4)) == 0:
            return f"{draw(st.sampled_from(['min', 'max']))}({term(depth - 1)}, {term(depth - 1)})"
        return f"({term(depth - 1)}) {draw(st.sampled_from(OPERATORS))} ({term(depth - 1)})"

    for i in range(draw(st.integers(1, 3))):
        lines.append(f"define d{i} = {term(3)}")
        names.append(f"d{i}")
    for i in range(draw(st.integers(1, 3))):
        level = draw(st.sampled_from(["medium", "high"]))
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        lines.append(f"rule r{i} when {term(2)} {op} {term(1)} then risk >= {level} {RULE}")
    lines.append(f"invariant bound: {term(2)} <= {term(2)} or risk >= medium")
    return HEAD + "\n".join(lines) + "\n"


def nodes(compiled: Program) -> list[ir.Node]:
    """Every expression node of a program, its invariants' too."""
    found: list[ir.Node] = []
    stack = [*compiled.expressions(), *(inv.expr for inv in compiled.invariants)]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(ir.children(node))
    return found


def incidents(compiled: Program) -> list[dict[str, Any]]:
    """Every complete incident of a few-valued ruleset."""
    facts = compiled.facts
    choices = [facts[name].type.members or tuple(range(int(facts[name].type.high or 0) + 1)) for name in facts]
    return [dict(zip(facts, combination, strict=True)) for combination in itertools.product(*choices)]


@settings(max_examples=300 if THOROUGH else 40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=few_valued())
def test_what_is_encoded_is_what_the_interpreter_computes_on_every_incident(text: str) -> None:
    compiled = breachrules.loads(text).program
    space = Space()
    try:
        encoding = Encoding(compiled, space)
    except Unsupported as refused:
        # refused only at arithmetic on numbers that need not be whole, where it rounds or has too many values
        [node] = [node for node in nodes(compiled) if node.span == refused.span]
        assert isinstance(node, ir.BinOp) and not node.type.integral
        assert Finite(compiled).values(node) is None
        return
    for incident in incidents(compiled):
        facts = checked(compiled, incident)
        assert facts is not None
        assert_encoding_agrees(compiled, space, encoding, facts)
