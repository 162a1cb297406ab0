"""The parser: syntax errors in words, with exact positions (golden tests)."""

from __future__ import annotations

import pytest

from breachrules import nodes as n
from breachrules.diagnostics import RulesetError
from breachrules.parser import parse


def syntax_error(source: str) -> str:
    with pytest.raises(RulesetError) as caught:
        parse(source, "t.rules")
    return caught.value.render()


def test_a_misplaced_keyword_is_reported_where_it_stands() -> None:
    assert syntax_error("ruleset t\nrule r when a > then risk >= high\n") == (
        "error[BR101]: unexpected 'then'; expected an expression\n"
        "  --> t.rules:2:17\n"
        "  |\n"
        "2 | rule r when a > then risk >= high\n"
        "  |                 ^^^^"
    )


def test_a_missing_fact_type_names_the_types() -> None:
    assert syntax_error("ruleset t\nfact a:\n") == (
        "error[BR103]: the file ends too early; expected a fact type such as bool, count, "
        "integer, number, duration, datetime, text, {a, b} or set of {a, b}\n"
        "  --> t.rules:2:8\n"
        "  |\n"
        "2 | fact a:\n"
        "  |        ^"
    )


def test_two_names_in_a_row_suggest_an_operator() -> None:
    text = syntax_error("ruleset t\nrule r when a b\n")
    assert text.splitlines()[0] == (
        "error[BR101]: unexpected name 'b'; expected an operator such as and, or, ==, >=, in "
        "or '(', '.', 'then'"
    )
    assert text.splitlines()[1] == "  --> t.rules:2:15"


def test_an_unknown_character() -> None:
    text = syntax_error("ruleset t\nfact a: bool %\n")
    assert text.splitlines()[:2] == [
        "error[BR102]: unexpected character '%'; expected a statement such as fact, define, "
        "rule, exception, combine or obligation, the end of the file or 'default', 'question'",
        "  --> t.rules:2:14",
    ]


def test_a_missing_comma_in_a_set_type() -> None:
    text = syntax_error("ruleset t\nfact b: {a b}\n")
    assert text.splitlines()[0] == "error[BR101]: unexpected name 'b'; expected ',', '}'"


def test_a_clause_in_the_wrong_statement_and_a_repeated_clause_are_both_reported() -> None:
    with pytest.raises(RulesetError) as caught:
        parse('ruleset t\nrule r when a then risk >= high because "x" because "y" instead z\n', "t.rules")
    codes = [(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics]
    assert codes == [("BR105", 2, 45), ("BR104", 2, 57)]
    assert caught.value.diagnostics[1].message() == (
        "'instead' does not belong in rule; rule takes because, cite"
    )


def test_keywords_are_reserved() -> None:
    text = syntax_error("ruleset t\nfact when: bool\n")
    assert text.splitlines()[0] == "error[BR101]: unexpected 'when'; expected a name"


def test_spans_on_nodes() -> None:
    module = parse(
        'ruleset t version "1"\n\nrule high_if_health\n  when health\n  then risk >= high\n'
        '  because "why" cite "GDPR Art. 9"\n',
        "t.rules",
    )
    (rule,) = module.statements
    assert isinstance(rule, n.Rule)
    assert (rule.span.line, rule.span.column, rule.span.end_line) == (3, 1, 6)
    assert (rule.label.span.line, rule.label.span.column) == (3, 6)
    assert isinstance(rule.condition, n.Name)
    assert (rule.condition.span.line, rule.condition.span.column) == (4, 8)
    assert rule.clauses.cite[0].value == "GDPR Art. 9"


def test_boolean_chains_are_flat_and_precedence_holds() -> None:
    module = parse("ruleset t\ndefine d = a or b and not c or d\n", "t.rules")
    (define,) = module.statements
    assert isinstance(define, n.Define)
    expr = define.expr
    assert isinstance(expr, n.BoolOp) and expr.op == "or"
    assert [type(o).__name__ for o in expr.operands] == ["Name", "BoolOp", "Name"]
    inner = expr.operands[1]
    assert isinstance(inner, n.BoolOp) and inner.op == "and"
    assert isinstance(inner.operands[1], n.Not)


def test_arithmetic_precedence() -> None:
    module = parse("ruleset t\ndefine d = 1 + 2 * 3 - 4\n", "t.rules")
    expr = module.statements[0].expr  # type: ignore[union-attr]
    assert isinstance(expr, n.BinOp) and expr.op == "-"
    assert isinstance(expr.left, n.BinOp) and expr.left.op == "+"
    assert isinstance(expr.left.right, n.BinOp) and expr.left.right.op == "*"


def test_durations_and_tables() -> None:
    module = parse(
        "ruleset t\ndefine overdue = x > 72h\n"
        "combine risk = s x l\n  l: a b\n  lo: none risk\n  hi: risk high\n",
        "t.rules",
    )
    define, combine = module.statements
    assert isinstance(define, n.Define) and isinstance(define.expr, n.Compare)
    assert isinstance(define.expr.right, n.DurationLit)
    assert define.expr.right.value.total_seconds() == 72 * 3600
    assert isinstance(combine, n.Combine)
    assert [r.label.name for r in combine.rows] == ["l", "lo", "hi"]
    assert [c.name for c in combine.rows[2].cells] == ["risk", "high"]
