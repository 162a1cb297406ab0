"""The checker: one test per check, each with its code, position and words."""

from __future__ import annotations

import pytest

import breachrules
from breachrules.diagnostics import RulesetError

PRELUDE = """ruleset t version "1"
scale risk: none < risk < high
scale severity: low < medium < high
fact data: set of {contact, health, financial}
fact subjects: count
fact encryption: {none, weak, strong} default none
fact aware: datetime
"""
LINE = PRELUDE.count("\n") + 1  # the first line after the prelude


def problems(body: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(RulesetError) as caught:
        breachrules.load(PRELUDE + body)
    return [(d.code, d.span.line, d.span.column, d.message()) for d in caught.value.diagnostics]


def only(body: str) -> tuple[str, int, int, str]:
    found = problems(body)
    assert len(found) == 1, found
    return found[0]


def rule(condition: str, then: str = "risk >= high") -> str:
    return f'rule r when {condition} then {then} because "why.r" cite "GDPR"\n'


def test_a_valid_ruleset_compiles() -> None:
    rs = breachrules.load(PRELUDE + rule("health in data"))
    assert rs.name == "t" and rs.version == "1"


def test_undefined_name_with_suggestion() -> None:
    assert only(rule("subjekts > 10")) == (
        "BR201", LINE, 13, "undefined name 'subjekts'; did you mean 'subjects'?"
    )


def test_unknown_member_of_a_set_with_suggestion() -> None:
    assert only(rule("data intersects {helth}")) == (
        "BR202", LINE, 30,
        "'helth' is not one of this value: 'contact', 'health', 'financial'; did you mean 'health'?",
    )


def test_unknown_level_names_its_scale() -> None:
    assert only(rule("health in data", "risk >= hihg")) == (
        "BR202", LINE, 41,
        "'hihg' is not one of risk: 'none', 'risk', 'high'; did you mean 'high'?",
    )


def test_unknown_fact_type_suggests_a_type() -> None:
    assert only("fact flag: boool\n") == (
        "BR203", LINE, 12,
        "unknown fact type 'boool'; expected a fact type such as bool, count, integer, number, "
        "duration, datetime, text, {a, b}, set of {a, b} or the name of a scale; did you mean 'bool'?",
    )


def test_unknown_function() -> None:
    assert only(rule("sise(data) > 1"))[:2] == ("BR204", LINE)


def test_exception_to_a_missing_label() -> None:
    body = rule("health in data") + 'exception e to rr when subjects > 1 because "x" cite "y"\n'
    assert only(body) == (
        "BR205", LINE + 1, 16, "exception to 'rr', but no rule has that label; did you mean 'r'?"
    )


def test_conclusion_on_a_non_outcome() -> None:
    assert only(rule("health in data", "danger >= high"))[:2] == ("BR206", LINE)


def test_type_mismatch() -> None:
    assert only(rule("subjects > 10h")) == (
        "BR301", LINE, 13, "expected a whole number, found a duration"
    )


def test_comparison_across_scales() -> None:
    body = "define sev = severity\n" + rule("risk >= sev")
    assert only(body) == (
        "BR302", LINE + 1, 13,
        "cannot compare a level of risk with a level of severity: they are different scales",
    )


def test_condition_must_be_boolean() -> None:
    assert only(rule("subjects + 1")) == (
        "BR304", LINE, 13, "a condition must be true or false, but this is a whole number"
    )


def test_ordering_an_unordered_enum() -> None:
    assert only(rule("encryption > weak"))[:3] == ("BR307", LINE, 13)


def test_set_literal_without_context() -> None:
    assert only("define s = {contact}\n")[:2] == ("BR305", LINE)


def test_duplicate_names_and_labels() -> None:
    body = "fact subjects: bool\n" + rule("health in data") + rule("health in data")
    found = problems(body)
    assert [f[0] for f in found] == ["BR401", "BR402"]
    assert found[0][3] == "'subjects' is already declared at <string>:5:6"
    assert found[1][3] == "the label 'r' is already used by the rule at <string>:9:6"


def test_cycle_among_definitions() -> None:
    found = problems("define a = b\ndefine b = not a\n")
    assert found == [("BR403", LINE + 1, 16, "this depends on itself: a → b → a")]


def test_cycle_among_exceptions() -> None:
    body = (
        'exception a to b when subjects > 1 because "x" cite "y"\n'
        'exception b to a when subjects > 2 because "x" cite "y"\n'
    )
    assert [f[0] for f in problems(body)] == ["BR403"]


def test_cycle_among_outcomes() -> None:
    body = rule("severity >= high", "risk >= high") + (
        'rule s when risk >= risk then severity >= high because "x" cite "y"\n'
    )
    found = problems(body)
    assert [f[0] for f in found] == ["BR404"]
    assert found[0][3].startswith("outcomes depend on each other in a cycle: ")


def test_exception_aimed_at_an_obligation() -> None:
    body = (
        'obligation notify when risk >= risk says "o" cite "GDPR Art. 33"\n'
        'exception e to notify when subjects > 1 because "x" cite "y"\n'
    )
    assert only(body)[:2] == ("BR405", LINE + 1)


def test_table_header_rows_and_cells() -> None:
    body = (
        "scale likelihood: remote < likely\n"
        "combine risk = severity x likelihood\n"
        "  likelihood: likely remote\n"
        "  low: none risk\n"
        "  medium: none\n"
        "  high: risk hihg\n"
    )
    codes = [f[0] for f in problems(body)]
    assert codes == ["BR406", "BR408", "BR202"]


def test_table_rows_in_the_wrong_order() -> None:
    body = (
        "scale likelihood: remote < likely\n"
        "combine risk = severity x likelihood\n"
        "  likelihood: remote likely\n"
        "  high: none risk\n  medium: none risk\n  low: risk high\n"
    )
    assert only(body)[3] == (
        "the rows of the table must be the levels of severity in order (low, medium, high); "
        "found high, medium, low"
    )


def test_message_and_citation_are_required() -> None:
    found = problems("rule r when health in data then risk >= high\n")
    assert [(f[0], f[3]) for f in found] == [
        ("BR409", "'r' has no 'because \"message id\"'; every rule and obligation needs a message"),
        ("BR410", "'r' has no 'cite \"...\"'; every rule and obligation cites its source"),
    ]


def test_duplicate_level() -> None:
    assert only("scale size: small < small < big\n")[:2] == ("BR411", LINE)


def test_a_ruleset_needs_a_risk_scale() -> None:
    with pytest.raises(RulesetError) as caught:
        breachrules.load("ruleset t\nfact a: bool\n")
    assert [d.code for d in caught.value.diagnostics] == ["BR412"]


def test_score_bands_must_rise_and_end_with_otherwise() -> None:
    body = "score s: severity = subjects * 2\n  below 10: low\n  below 5: medium\n"
    assert [f[0] for f in problems(body)] == ["BR414", "BR414"]


def test_empty_range() -> None:
    assert only("fact n: integer 5..1\n")[:2] == ("BR415", LINE)


def test_obligation_that_can_never_be_required() -> None:
    assert only('obligation o says "o" cite "c"\n')[:2] == ("BR416", LINE)


def test_every_problem_in_one_run() -> None:
    body = rule("subjekts > 1") + 'rule q when data intersects {helth} then risk >= high\n'
    codes = [f[0] for f in problems(body)]
    assert codes == ["BR201", "BR202", "BR409", "BR410"]


def test_level_names_resolve_against_the_other_side() -> None:
    # "risk >= risk": the outcome on the left, the level on the right
    rs = breachrules.load(
        PRELUDE + rule("health in data")
        + 'obligation notify when risk >= risk says "o" cite "GDPR Art. 33"\n'
    )
    a = rs.assess({"data": ["health"], "subjects": 1, "aware": "2026-01-01T00:00:00+00:00"})
    assert a.obligation("notify").required
    b = rs.assess({"data": ["contact"], "subjects": 1, "aware": "2026-01-01T00:00:00+00:00"})
    assert not b.obligation("notify").required


def test_the_enum_member_none_and_the_level_none_do_not_clash() -> None:
    rs = breachrules.load(PRELUDE + rule("encryption == none", "risk >= none"))
    assert rs.program.facts["encryption"].default == "none"


def test_a_default_must_be_a_literal_not_another_fact() -> None:
    assert only("fact a: bool default later\nfact later: bool\n")[:2] == ("BR306", LINE)
