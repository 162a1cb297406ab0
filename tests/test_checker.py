"""The checker: one test per check, each with its code, position and words."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import breachrules
from breachrules.citations import Citation
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
        breachrules.loads(PRELUDE + body)
    return [(d.code, d.span.line, d.span.column, d.message()) for d in caught.value.diagnostics]


def only(body: str) -> tuple[str, int, int, str]:
    found = problems(body)
    assert len(found) == 1, found
    return found[0]


def rule(condition: str, then: str = "risk >= high") -> str:
    return f'rule r when {condition} then {then} because "why.r" cite "GDPR"\n'


def test_a_valid_ruleset_compiles() -> None:
    rs = breachrules.loads(PRELUDE + rule("health in data"))
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
        ("BR409", "'r' has no 'because \"message id\"'; every rule, obligation and action needs a message"),
        ("BR410", "'r' has no 'cite \"...\"'; every rule, obligation and action cites its source"),
    ]


def test_duplicate_level() -> None:
    assert only("scale size: small < small < big\n")[:2] == ("BR411", LINE)


def test_a_ruleset_needs_a_risk_scale() -> None:
    with pytest.raises(RulesetError) as caught:
        breachrules.loads("ruleset t\nfact a: bool\n")
    assert [d.code for d in caught.value.diagnostics] == ["BR412"]


def test_score_bands_must_rise_and_end_with_otherwise() -> None:
    body = "score s: severity = subjects * 2\n  below 10: low\n  below 5: medium\n"
    assert [f[0] for f in problems(body)] == ["BR414", "BR414"]


POINTS = "points worth = encryption\n  none: 0\n  weak: 0.5\n  strong: 1\n"


def test_points_give_a_number_to_each_member_whole_only_when_every_number_is() -> None:
    rs = breachrules.loads(PRELUDE + POINTS + "points rank = severity\n  low: 1\n  medium: 2\n  high: 4\n"
                           + rule("worth * 2 > 1 and rank >= 2"))
    defines = {d.name: d.type for d in rs.program.defines}
    assert defines["worth"].kind == "number" and not defines["worth"].integral
    assert defines["rank"].kind == "number" and defines["rank"].integral


def test_points_read_a_member_or_a_level() -> None:
    assert only("points p = subjects\n  none: 1\n") == (
        "BR431", LINE, 12, "points 'p' give a number to each member of an enum or each level of a scale, "
        "but its expression is a whole number")


def test_points_give_each_member_one_number() -> None:
    assert only(POINTS + "  weak: 0.75\n") == (
        "BR432", LINE + 4, 3, "'weak' is given a number twice in points 'worth'")


def test_points_leave_no_member_without_a_number() -> None:
    assert only("points worth = encryption\n  none: 0\n") == (
        "BR433", LINE, 1, "points 'worth' give no number to 'weak', 'strong': every member must have one")


def test_points_name_only_members_of_what_they_read() -> None:
    code, line, column, message = only(POINTS.replace("strong: 1", "strng: 1"))
    assert (code, line, column) == ("BR202", LINE + 3, 3)
    assert "did you mean 'strong'?" in message


def test_points_are_a_name_like_any_definition() -> None:
    assert only(POINTS + "define worth = 1\n")[0] == "BR401"
    assert [f[0] for f in problems("points p = encryption\n  none: 0\n  weak: 1\n  strong: x\n")] == ["BR101"]


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
    rs = breachrules.loads(
        PRELUDE + rule("health in data")
        + 'obligation notify when risk >= risk says "o" cite "GDPR Art. 33"\n'
    )
    a = rs.assess({"data": ["health"], "subjects": 1, "aware": "2026-01-01T00:00:00+00:00"})
    assert a.obligation("notify").required
    b = rs.assess({"data": ["contact"], "subjects": 1, "aware": "2026-01-01T00:00:00+00:00"})
    assert not b.obligation("notify").required


def test_the_enum_member_none_and_the_level_none_do_not_clash() -> None:
    rs = breachrules.loads(PRELUDE + rule("encryption == none", "risk >= none"))
    assert rs.program.facts["encryption"].default == "none"


def test_a_default_must_be_a_literal_not_another_fact() -> None:
    assert only("fact a: bool default later\nfact later: bool\n")[:2] == ("BR306", LINE)


# ------------------------------------------------------------------ checklists, plans and actions

PLAN_PRELUDE = """ruleset t version "1"
scale risk: none < risk < high
fact a: bool
fact aware: datetime
fact notified: datetime
fact why: text
fact who: text
obligation notify when risk >= risk due aware + 72h done notified late requires why says "o" cite "c"
plan response: acute, later
"""
PLAN_LINE = PLAN_PRELUDE.count("\n") + 1  # 10: the first line after the prelude


def plan_problems(body: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(PLAN_PRELUDE + body)
    return [(d.code, d.span.line, d.span.column, d.message()) for d in caught.value.diagnostics]


def plan_only(body: str) -> tuple[str, int, int, str]:
    found = plan_problems(body)
    assert len(found) == 1, found
    return found[0]


def test_checklists_plans_and_actions_compile() -> None:
    rs = breachrules.loads(
        PLAN_PRELUDE
        + "checklist content for notify\n"
        + '  item contact: who cite "Art. 33(3)(b)"\n'
        + "  item what: a, why\n"
        + 'action tidy in later always says "q" cite "guide"\n'
        + 'action call_police in acute when a says "p" cite "guide", "police act"\n'
    )
    program = rs.program
    (notify,) = program.obligations
    assert (notify.done, notify.late_requires) == ("notified", "why")
    (content,) = program.checklists
    assert (content.name, content.obligation, content.message) == ("content", "notify", "checklist.content")
    assert [(i.name, i.facts, i.message, i.cites) for i in content.items] == [
        ("contact", ("who",), "checklist.content.contact", (Citation(text="Art. 33(3)(b)"),)),
        ("what", ("a", "why"), "checklist.content.what", ()),
    ]
    assert [(p.name, p.phases, p.message) for p in program.plans] == [
        ("response", ("acute", "later"), "plan.response"),
    ]
    # in phase order, not as written
    assert [(a.name, a.plan, a.phase, a.message, a.cites) for a in program.actions] == [
        ("call_police", "response", "acute", "p", (Citation(text="guide"), Citation(text="police act"))),
        ("tidy", "response", "later", "q", (Citation(text="guide"),)),
    ]
    assert program.actions[1].condition is None
    assert program.actions[0].span.line == PLAN_LINE + 4
    assert {
        "checklist.content", "checklist.content.contact", "checklist.content.what",
        "plan.response", "plan.response.acute", "plan.response.later", "p", "q", "o",
    } <= program.message_ids


def test_an_obligation_without_done_has_none() -> None:
    rs = breachrules.loads(PLAN_PRELUDE + 'obligation other when a says "x" cite "y"\n')
    other = rs.program.obligations[1]
    assert (other.done, other.late_requires) == (None, None)


def test_checklist_for_an_unknown_obligation() -> None:
    assert plan_only("checklist content for notfy\n  item contact: who\n") == (
        "BR207", PLAN_LINE, 23, "'notfy' is not an obligation; did you mean 'notify'?"
    )


def test_checklist_for_a_rule_is_not_for_an_obligation() -> None:
    body = 'rule rr when a then risk >= high because "m" cite "c"\nchecklist content for rr\n  item x: who\n'
    assert plan_only(body) == ("BR207", PLAN_LINE + 1, 23, "'rr' is not an obligation")


def test_checklist_item_naming_an_unknown_fact() -> None:
    assert plan_only("checklist content for notify\n  item contact: whoo\n") == (
        "BR208", PLAN_LINE + 1, 17, "'whoo' is not a fact; did you mean 'who'?"
    )


def test_checklist_item_naming_a_definition_is_not_a_fact() -> None:
    body = "define d = a\nchecklist content for notify\n  item contact: who, d\n"
    assert plan_only(body) == ("BR208", PLAN_LINE + 2, 22, "'d' is not a fact")


def test_done_naming_an_unknown_fact() -> None:
    assert plan_only('obligation o6 when a done nobody says "o" cite "c"\n') == (
        "BR208", PLAN_LINE, 27, "'nobody' is not a fact"
    )


def test_late_requires_naming_an_unknown_fact() -> None:
    body = 'obligation o7 when a due aware + 1h done notified late requires whyy says "o" cite "c"\n'
    assert plan_only(body) == ("BR208", PLAN_LINE, 65, "'whyy' is not a fact; did you mean 'why'?")


def test_done_must_name_a_datetime_fact() -> None:
    assert plan_only('obligation o2 when a due aware + 1h done why says "o" cite "c"\n') == (
        "BR301", PLAN_LINE, 42, "expected a date and time, found a text"
    )


def test_done_naming_a_bool_fact() -> None:
    assert plan_only('obligation o2 when a due aware + 1h done a says "o" cite "c"\n')[:3] == (
        "BR301", PLAN_LINE, 42,
    )


BR417_MESSAGE = (
    "'late requires' needs to know when obligation '{}' is late: give it 'due <instant>' and 'done <fact>'"
)


def test_late_requires_without_done() -> None:
    body = 'obligation o3 when a due aware + 1h late requires why says "o" cite "c"\n'
    assert plan_only(body) == ("BR417", PLAN_LINE, 51, BR417_MESSAGE.format("o3"))


def test_late_requires_with_an_undated_due() -> None:
    body = 'obligation o4 when a due without undue delay done notified late requires why says "o" cite "c"\n'
    assert plan_only(body) == ("BR417", PLAN_LINE, 74, BR417_MESSAGE.format("o4"))


def test_late_requires_without_any_due() -> None:
    body = 'obligation o5 when a done notified late requires why says "o" cite "c"\n'
    assert plan_only(body) == ("BR417", PLAN_LINE, 50, BR417_MESSAGE.format("o5"))


def test_duplicate_checklist_item() -> None:
    body = "checklist content for notify\n  item contact: who\n  item contact: why\n"
    assert plan_only(body) == (
        "BR418", PLAN_LINE + 2, 8, "item 'contact' appears twice in checklist 'content'"
    )


def test_a_phase_declared_in_two_plans() -> None:
    assert plan_only("plan other: later, more\n") == (
        "BR419", PLAN_LINE, 13, "the phase 'later' is already declared in plan 'response'"
    )


def test_a_phase_declared_twice_in_one_plan() -> None:
    assert plan_only("plan again: x, y, x\n") == (
        "BR419", PLAN_LINE, 19, "the phase 'x' is already declared in plan 'again'"
    )


def test_action_in_an_unknown_phase() -> None:
    assert plan_only('action call in acut when a says "p" cite "g"\n') == (
        "BR209", PLAN_LINE, 16,
        "'acut' is not a phase of any plan; declare it with 'plan NAME: phase, ...'; did you mean 'acute'?",
    )


def test_action_in_a_plan_instead_of_a_phase() -> None:
    assert plan_only('action call in response when a says "p" cite "g"\n')[:3] == ("BR209", PLAN_LINE, 16)


def test_action_without_says() -> None:
    assert plan_only('action call in acute when a cite "g"\n') == (
        "BR409", PLAN_LINE, 8,
        "'call' has no 'says \"message id\"'; every rule, obligation and action needs a message",
    )


def test_action_without_cite() -> None:
    assert plan_only('action call in acute when a says "p"\n') == (
        "BR410", PLAN_LINE, 8, "'call' has no 'cite \"...\"'; every rule, obligation and action cites its source",
    )


def test_action_condition_must_be_a_condition() -> None:
    assert plan_only('action call in acute when who says "p" cite "g"\n') == (
        "BR304", PLAN_LINE, 27, "a condition must be true or false, but this is a text"
    )


def test_action_condition_with_an_undefined_name() -> None:
    assert plan_only('action call in acute when aa says "p" cite "g"\n')[:3] == ("BR201", PLAN_LINE, 27)


def test_due_on_an_action_names_the_clauses_it_takes() -> None:
    assert plan_only('action call in acute when a due aware + 1h says "p" cite "g"\n') == (
        "BR104", PLAN_LINE, 29, "'due' does not belong in action; action takes says, cite"
    )


def test_says_on_a_checklist_item() -> None:
    assert plan_only('checklist content for notify\n  item contact: who says "x"\n') == (
        "BR104", PLAN_LINE + 1, 21, "'says' does not belong in checklist item; checklist item takes cite"
    )


def test_done_on_a_rule() -> None:
    body = 'rule rr when a then risk >= high because "m" cite "c" done notified\n'
    assert plan_only(body) == (
        "BR104", PLAN_LINE, 55, "'done' does not belong in rule; rule takes because, cite"
    )


def test_obligation_takes_done_and_late_requires() -> None:
    body = 'obligation o8 when a due aware + 1h done notified done notified says "o" cite "c"\n'
    found = plan_only(body)
    assert found[:3] == ("BR105", PLAN_LINE, 51)


def test_checklist_plan_and_action_labels_share_the_label_namespace() -> None:
    body = (
        "checklist notify for notify\n  item contact: who\n"
        'action response in acute always says "p" cite "g"\n'
    )
    found = plan_problems(body)
    assert [(f[0], f[1], f[2]) for f in found] == [("BR402", PLAN_LINE, 11), ("BR402", PLAN_LINE + 2, 8)]


def test_new_diagnostics_render_with_a_caret() -> None:
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(PLAN_PRELUDE + 'action call in acut when a says "p" cite "g"\n')
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "BR209"
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_line,
            diagnostic.span.end_column) == (10, 16, 10, 20)
    assert caught.value.render() == (
        "error[BR209]: 'acut' is not a phase of any plan; declare it with 'plan NAME: phase, ...'; "
        "did you mean 'acute'?\n"
        "  --> <string>:10:16\n"
        "   |\n"
        '10 | action call in acut when a says "p" cite "g"\n'
        "   |                ^^^^"
    )


def test_every_new_problem_in_one_run() -> None:
    body = (
        "checklist content for notfy\n"          # BR207
        "  item contact: whoo\n"                  # BR208
        "  item contact: who\n"                   # BR418
        "plan other: acute\n"                     # BR419
        'action call in nowhere when a says "p" cite "g"\n'  # BR209
        'action run in later when a cite "g"\n'  # BR409
    )
    found = plan_problems(body)
    assert sorted((f[0], f[1]) for f in found) == [
        ("BR207", PLAN_LINE), ("BR208", PLAN_LINE + 1), ("BR209", PLAN_LINE + 4),
        ("BR409", PLAN_LINE + 5), ("BR418", PLAN_LINE + 2), ("BR419", PLAN_LINE + 3),
    ]


def test_message_ids_of_checklists_and_plans() -> None:
    rs = breachrules.loads(
        PLAN_PRELUDE
        + "checklist content for notify\n  item contact: who\n"
        + 'action call in acute when a says "action.call" cite "g"\n'
    )
    ids = rs.program.message_ids
    for expected in ("checklist.content", "checklist.content.contact", "plan.response",
                     "plan.response.acute", "plan.response.later", "action.call"):
        assert expected in ids
    assert "checklist.content.what" not in ids
    assert "plan.response.contact" not in ids


# ------------------------------------------------------------------ warnings: declarations nothing uses


def test_declarations_nothing_reads_are_warnings_of_the_checked_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    path = tmp_path / "w.rules"
    path.write_text('ruleset w extends gdpr\nscale spare: lo < hi\nfact unread: bool\nfact read: bool\n'
                    'define idle = read and unread\n'
                    'rule r when read then risk >= high because "m" cite gdpr recital 75\n', encoding="utf-8")
    rs = breachrules.load(path)
    assert [(w.code, dict(w.values)["name"], w.span.line, w.severity) for w in rs.warnings] == [
        ("BR703", "spare", 2, "warning"), ("BR702", "idle", 5, "warning")]
    # 'unread' is read by the unused definition; nothing of gdpr's is warned about here
    # --no-prove: the extension's rule r breaks gdpr's invariants, which test_verify covers
    run = [sys.executable, "-m", "breachrules.cli", "check", str(path), "--no-prove"]
    plain = subprocess.run(run, capture_output=True, text=True)
    assert plain.returncode == 0 and "warning[BR702]" in plain.stderr and "warning[BR703]" in plain.stderr
    # and, as it has no catalogs, one BR708 per language for its messages (fact.read, ...)
    assert plain.stderr.count("warning[BR708]") == 3 and "5 warnings" in plain.stderr
    strict = subprocess.run([*run, "--strict", "--lang", "fi"], capture_output=True, text=True)
    assert strict.returncode == 1 and "varoitus[BR703]" in strict.stderr
    clean = breachrules.loads('ruleset c\nscale risk: none < risk < high\nfact a: bool\n'
                              'rule r when a then risk >= high because "m" cite "c"\n')
    assert clean.warnings == ()


def test_catalog_messages_nothing_uses_are_warnings_of_check(tmp_path: Path) -> None:
    path = tmp_path / "ours.rules"
    path.write_text('ruleset ours extends gdpr\nfact read: bool\n'
                    'rule r when read then severity >= high because "reason.r" cite "c"\n', encoding="utf-8")
    for lang in ("fi", "sv", "en"):
        po = tmp_path / "locale" / lang / "LC_MESSAGES" / "ours.po"
        po.parent.mkdir(parents=True)
        po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                      'msgid "reason.r"\nmsgstr "R"\n\nmsgid "fact.read"\nmsgstr "Read"\n\n'
                      'msgid "reason.rr"\nmsgstr "a typo of reason.r"\n', encoding="utf-8")
    run = [sys.executable, "-m", "breachrules.cli", "check", str(path), "--no-prove"]
    plain = subprocess.run([*run, "--format", "json"], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    found = [d for d in json.loads(plain.stdout)["diagnostics"] if d["code"] == "BR704"]
    # once, at the first catalog that has it (fi), and not for ids the ruleset names implicitly (fact.read)
    assert [(d["message"], d["file"].endswith("fi/LC_MESSAGES/ours.po"), d["line"]) for d in found] == [
        ("the message 'reason.rr' of the ruleset's catalog is used by nothing in the ruleset", True, 11)]
    strict = subprocess.run([*run, "--strict", "--lang", "sv"], capture_output=True, text=True)
    assert strict.returncode == 1 and "varning[BR704]" in strict.stderr


def _ours(tmp_path: Path, catalogs: dict[str, str]) -> list[dict[str, Any]]:
    """`check --format json` of an extension of gdpr with these catalogs
    (language -> the .po text after its header): the BR706-BR708 warnings."""
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "ours.rules"
    path.write_text('ruleset ours extends gdpr\nfact read: bool\n  question "question.read"\n'
                    'rule r when read then severity >= high because "reason.r" cite gdpr recital 75\n',
                    encoding="utf-8")
    for lang, entries in catalogs.items():
        po = tmp_path / "locale" / lang / "LC_MESSAGES" / "ours.po"
        po.parent.mkdir(parents=True)
        po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + entries,
                      encoding="utf-8")
    run = [sys.executable, "-m", "breachrules.cli", "check", str(path), "--no-prove", "--format", "json"]
    result = subprocess.run(run, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] in ("BR706", "BR707", "BR708")]


COMPLETE_PO = ('msgid "reason.r"\nmsgstr "R"\n\nmsgid "fact.read"\nmsgstr "Read"\n\n'
               'msgid "question.read"\nmsgstr "Read?"\n\nmsgid "name.r"\nmsgstr "reading"\n')


def test_a_message_a_reader_would_see_as_its_id_is_a_warning_of_check(tmp_path: Path) -> None:
    fuzzy = COMPLETE_PO.replace('msgid "reason.r"', '#, fuzzy\nmsgid "reason.r"')
    untranslated = COMPLETE_PO.replace('msgid "name.r"\nmsgstr "reading"', 'msgid "name.r"\nmsgstr ""')
    found = _ours(tmp_path, {"en": COMPLETE_PO, "fi": fuzzy, "sv": untranslated.replace('msgid "fact.read"\n'
                                                                                          'msgstr "Read"\n', "")})
    shown = sorted((d["code"], d["line"], d["message"]) for d in found)
    missing = "has no Swedish translation in the ruleset's catalogs: a reader sees the id"
    assert shown == [
        ("BR706", 2, f"the message 'fact.read' {missing}"),
        ("BR706", 4, f"the message 'name.r' {missing}"),
        ("BR707", 4, "the Finnish translation of the message 'reason.r' is marked fuzzy, and a fuzzy translation is "
                     "not used: a reader sees the id"),
    ]


def test_a_ruleset_without_a_catalog_in_a_language_is_one_warning(tmp_path: Path) -> None:
    found = _ours(tmp_path, {"en": COMPLETE_PO})
    assert sorted((d["code"], d["message"]) for d in found) == [
        ("BR708", "the ruleset has no Finnish catalog: a reader sees the ids of its 4 messages"),
        ("BR708", "the ruleset has no Swedish catalog: a reader sees the ids of its 4 messages"),
    ]
    assert _ours(tmp_path / "full", {lang: COMPLETE_PO for lang in ("en", "fi", "sv")}) == []


# ------------------------------------------------------------------ notices

NOTICE_BASE = ('obligation tell when risk >= high says "o" cite "c"\n'
               'fact what: text\n'
               'plan advice_plan: now\n')


def test_a_notice_compiles_to_its_parts_in_the_order_of_the_letter() -> None:
    rs = breachrules.loads(PRELUDE + NOTICE_BASE + "notice letter for tell\n"
                           "  contact: what\n  what_happened: what, data\n  discovered: aware\n"
                           "  advice: advice_plan\n")
    [notice] = rs.program.notices
    assert notice.obligations == ("tell",)
    assert [(p.part, p.sources) for p in notice.parts] == [
        ("what_happened", (("fact", "what"), ("fact", "data"))), ("discovered", (("fact", "aware"),)),
        ("advice", (("plan", "advice_plan"),)), ("contact", (("fact", "what"),))]
    # a set fact told in a letter brings the letter's own words to the catalogs
    assert {"plain.data", "plain.data.contact", "plain.data.health"} <= rs.program.message_ids


def test_an_unknown_part_of_a_notice_is_refused_with_a_suggestion() -> None:
    code, line, column, message = only(NOTICE_BASE + "notice letter for tell\n  what_hapened: what\n")
    assert (code, line, column) == ("BR427", LINE + 4, 3)
    assert "did you mean 'what_happened'" in message


def test_a_part_given_twice_is_refused() -> None:
    code, line, _, _ = only(NOTICE_BASE + "notice letter for tell\n  contact: what\n  contact: what\n")
    assert (code, line) == ("BR428", LINE + 5)


@pytest.mark.parametrize(("part", "source"), [("discovered", "what"), ("what_happened", "subjects"),
                                              ("contact", "data"), ("discovered", "advice_plan")])
def test_a_part_refuses_what_it_cannot_tell(part: str, source: str) -> None:
    code, line, column, _ = only(NOTICE_BASE + f"notice letter for tell\n  {part}: {source}\n")
    assert (code, line, column) == ("BR429", LINE + 4, len(part) + 5)


def test_a_fact_only_a_notice_tells_is_used() -> None:
    from breachrules.usage import unused

    told = breachrules.loads(PRELUDE + NOTICE_BASE + "notice letter for tell\n  contact: what\n")
    assert "what" not in [dict(d.values)["name"] for d in unused(told.program, "<string>")]
    untold = breachrules.loads(PRELUDE + NOTICE_BASE)
    assert "what" in [dict(d.values)["name"] for d in unused(untold.program, "<string>")]


def test_a_notice_names_facts_plans_and_obligations_that_exist() -> None:
    found = problems(NOTICE_BASE + "notice letter for tel\n  contact: wat\n")
    assert [code for code, *_ in found] == ["BR207", "BR430"]
    assert "did you mean 'tell'" in found[0][3] and "did you mean 'what'" in found[1][3]
