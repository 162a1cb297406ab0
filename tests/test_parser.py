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
    assert rule.clauses.cite[0].text is not None and rule.clauses.cite[0].text.value == "GDPR Art. 9"


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


# ------------------------------------------------------------------ checklists, plans, actions, done

NEW_STATEMENTS = """ruleset t
obligation notify when risk >= risk due aware + 72h done notified late requires why says "o" cite "c"
checklist content for notify
  item contact: who cite "Art. 33(3)(b)"
  item what: a, why
plan response: acute, later
action call_police in acute when a says "p" cite "guide"
action tidy in later always says "q" cite "guide"
"""


def test_new_statements_parse_with_spans() -> None:
    module = parse(NEW_STATEMENTS, "t.rules")
    obligation, checklist, plan, police, tidy = module.statements
    assert isinstance(obligation, n.Obligation)
    assert obligation.clauses.done is not None and obligation.clauses.late_requires is not None
    assert obligation.clauses.done.name == "notified"
    assert (obligation.clauses.done.span.line, obligation.clauses.done.span.column) == (2, 58)
    assert obligation.clauses.late_requires.name == "why"
    assert (obligation.clauses.late_requires.span.line, obligation.clauses.late_requires.span.column) == (2, 81)

    assert isinstance(checklist, n.Checklist)
    assert (checklist.name.name, checklist.obligation.name) == ("content", "notify")
    assert (checklist.span.line, checklist.span.column, checklist.span.end_line) == (3, 1, 5)
    assert (checklist.name.span.line, checklist.name.span.column) == (3, 11)
    assert (checklist.obligation.span.line, checklist.obligation.span.column) == (3, 23)
    contact, what = checklist.items
    assert contact.name.name == "contact" and [f.name for f in contact.facts] == ["who"]
    assert (contact.span.line, contact.span.column) == (4, 3)
    assert (contact.name.span.line, contact.name.span.column, contact.name.span.end_column) == (4, 8, 15)
    assert [c.text.value for c in contact.clauses.cite if c.text] == ["Art. 33(3)(b)"]
    assert [(f.name, f.span.column) for f in what.facts] == [("a", 14), ("why", 17)]
    assert what.clauses.cite == ()

    assert isinstance(plan, n.Plan)
    assert plan.name.name == "response"
    assert [(p.name, p.span.line, p.span.column) for p in plan.phases] == [("acute", 6, 16), ("later", 6, 23)]

    assert isinstance(police, n.Action) and isinstance(tidy, n.Action)
    assert (police.name.name, police.phase.name) == ("call_police", "acute")
    assert (police.phase.span.line, police.phase.span.column) == (7, 23)
    assert isinstance(police.condition, n.Name) and police.condition.name == "a"
    assert police.clauses.says is not None and police.clauses.says.value == "p"
    assert (police.span.line, police.span.column, police.span.end_line) == (7, 1, 7)
    assert tidy.condition is None
    assert (tidy.span.line, tidy.span.column) == (8, 1)


@pytest.mark.parametrize("word", ["done", "late", "requires", "checklist", "item", "for", "plan", "action"])
def test_the_new_keywords_are_reserved(word: str) -> None:
    with pytest.raises(RulesetError) as caught:
        parse(f"ruleset t\nfact {word}: bool\n", "t.rules")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("BR101", 2, 6)
    assert diagnostic.span.end_column == 6 + len(word)
    assert diagnostic.message() == f"unexpected '{word}'; expected a name"


def test_words_containing_keywords_are_names() -> None:
    module = parse("ruleset t\nfact done_at: datetime\nfact planned: bool\nfact items: bool\n", "t.rules")
    assert [s.name.name for s in module.statements] == ["done_at", "planned", "items"]  # type: ignore[union-attr]


def test_a_hyphenated_ruleset_name_parses() -> None:
    module = parse("ruleset my-org extends gdpr\n", "my-org.rules")
    header = module.header
    assert header.name.name == "my-org"
    assert (header.name.span.line, header.name.span.column, header.name.span.end_column) == (1, 9, 15)
    assert isinstance(header.extends, n.Ident) and header.extends.name == "gdpr"
    assert (header.extends.span.line, header.extends.span.column) == (1, 24)


def test_a_hyphenated_name_after_extends_and_with_digits() -> None:
    module = parse('ruleset fi-health-2 extends my-base version "1"\n', "t.rules")
    assert module.header.name.name == "fi-health-2"
    assert isinstance(module.header.extends, n.Ident) and module.header.extends.name == "my-base"
    assert module.header.version is not None and module.header.version.value == "1"


def test_a_hyphenated_ruleset_compiles_on_top_of_gdpr() -> None:
    import breachrules

    rs = breachrules.loads("ruleset my-org extends gdpr\n")
    assert rs.name == "my-org"
    assert rs.program.extends == "gdpr"


def test_a_ruleset_name_cannot_end_with_a_hyphen() -> None:
    with pytest.raises(RulesetError) as caught:
        parse("ruleset my-\n", "t.rules")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("BR101", 1, 11)


def test_fact_names_take_no_hyphen() -> None:
    with pytest.raises(RulesetError) as caught:
        parse("ruleset t\nfact a-b: bool\n", "t.rules")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("BR101", 2, 7)
    assert diagnostic.message() == "unexpected '-'; expected ':'"


def test_a_checklist_needs_an_item() -> None:
    with pytest.raises(RulesetError) as caught:
        parse("ruleset t\nchecklist c for o\n", "t.rules")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "BR103"
    assert diagnostic.message() == "the file ends too early; expected 'item'"


def test_an_action_needs_when_or_always() -> None:
    with pytest.raises(RulesetError) as caught:
        parse('ruleset t\naction x in p says "a" cite "b"\n', "t.rules")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("BR101", 2, 15)
    assert diagnostic.message() == "unexpected 'says'; expected 'always', 'when'"


def test_clauses_out_of_place_in_new_statements_are_all_reported() -> None:
    with pytest.raises(RulesetError) as caught:
        parse(
            'ruleset t\nchecklist c for o\n  item i: f because "x"\n'
            'action x in p always says "a" cite "b" due aware + 1h instead y\n',
            "t.rules",
        )
    assert [(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics] == [
        ("BR104", 3, 13), ("BR104", 4, 40), ("BR104", 4, 55),
    ]
    assert [d.message() for d in caught.value.diagnostics] == [
        "'because' does not belong in checklist item; checklist item takes cite",
        "'due' does not belong in action; action takes says, cite",
        "'instead' does not belong in action; action takes says, cite",
    ]


def test_points_list_each_member_glued_to_its_colon() -> None:
    module = parse("ruleset t\nfact e: {below, otherwise_x, c}\npoints p = e\n  below: 1\n  otherwise_x : -2\n"
                   "  c: 0.25\n", "t.rules")
    points = module.statements[-1]
    assert isinstance(points, n.Points) and isinstance(points.expr, n.Name)
    assert [(p.member.name, p.value, p.member.span.line, p.member.span.column) for p in points.points] == [
        ("below", 1, 4, 3), ("otherwise_x", -2, 5, 3), ("c", 0.25, 6, 3)]


def test_otherwise_still_ends_a_score_where_points_could_follow() -> None:
    score = parse("ruleset t\nscore s: risk = d\n  below 3: none\n  otherwise: high\n", "t.rules").statements[0]
    assert isinstance(score, n.Score) and [(b.below, b.level.name) for b in score.bands] == [(3, "none"),
                                                                                          (None, "high")]
    assert "a table row such as 'low:'" in syntax_error("ruleset t\npoints p = e\n  a 1\n")
    assert syntax_error("ruleset t\nscore s: risk = d\n  below 3: none\n  3\n").startswith(
        "error[BR101]: unexpected number 3; expected a statement such as")
