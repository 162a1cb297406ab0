"""Evaluation semantics: unknown facts, exceptions, conflicts, tables,
scores, obligations and exemptions. Each test checks one documented rule of
the semantics on a small ruleset written for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import breachrules
from breachrules.citations import Citation
from breachrules.errors import EvaluationError

HEADER = """ruleset t version "1"
scale risk: none < risk < high
scale severity: low < medium < high
scale likelihood: remote < likely
"""


def compile_(body: str) -> breachrules.Ruleset:
    return breachrules.loads(HEADER + body)


EXCEPTIONS = compile_("""
fact health: bool
fact encrypted: bool
fact key_lost: bool
fact returned: bool
fact other: bool
rule health_exposed when health then risk >= high because "m" cite "c"
exception unintelligible to health_exposed when encrypted
  because "m" cite "c"
exception returned_unread to health_exposed when returned then risk >= risk
  because "m" cite "c"
exception key_really_lost to unintelligible when key_lost then risk >= high
  because "m" cite "c"
rule other_rule when other then risk >= risk because "m" cite "c"
obligation notify when risk >= risk says "o" cite "c"
obligation tell when risk >= high says "o" cite "c"
""")

ALL_FALSE = {"health": False, "encrypted": False, "key_lost": False, "returned": False, "other": False}


def facts(**changes: bool | None) -> dict[str, bool | None]:
    return {**ALL_FALSE, **changes}


def test_a_base_rule_raises_the_outcome() -> None:
    a = EXCEPTIONS.assess(facts(health=True))
    assert a.risk == "high" and not a.provisional
    assert [(e.kind, e.label) for e in a.trace] == [("rule", "health_exposed")]


def test_an_applicable_exception_replaces_its_base() -> None:
    a = EXCEPTIONS.assess(facts(health=True, encrypted=True))
    assert a.risk == "none"
    assert [(e.kind, e.label, e.overrides) for e in a.trace] == [
        ("rule", "health_exposed", None), ("exception", "unintelligible", "health_exposed"),
    ]


def test_an_exception_with_a_conclusion_gives_its_own_level() -> None:
    assert EXCEPTIONS.assess(facts(health=True, returned=True)).risk == "risk"


def test_an_exception_is_read_only_when_its_base_applies() -> None:
    a = EXCEPTIONS.assess(facts(returned=True))
    assert a.risk == "none" and a.trace == ()


def test_two_applicable_exceptions_that_disagree_are_a_conflict_and_the_higher_wins() -> None:
    a = EXCEPTIONS.assess(facts(health=True, encrypted=True, returned=True))
    assert a.conflicts == (("unintelligible", "returned_unread"),)
    assert a.risk == "risk"


def test_an_exception_to_an_exception_overrides_it() -> None:
    a = EXCEPTIONS.assess(facts(health=True, encrypted=True, key_lost=True))
    assert a.risk == "high"
    assert [(e.label, e.overrides) for e in a.trace] == [
        ("health_exposed", None), ("unintelligible", "health_exposed"),
        ("key_really_lost", "unintelligible"),
    ]
    # the inner exception is read only when the outer one applies
    b = EXCEPTIONS.assess(facts(key_lost=True, other=True))
    assert b.risk == "risk" and [e.label for e in b.trace] == ["other_rule"]


def test_highest_level_wins_across_rules() -> None:
    assert EXCEPTIONS.assess(facts(health=True, other=True)).risk == "high"
    assert EXCEPTIONS.assess(facts(other=True)).risk == "risk"


def test_unknown_is_not_false() -> None:
    a = EXCEPTIONS.assess(facts(health=None))
    assert a.risk == "high"  # the cautious reading
    assert a.certain_levels["risk"] == "none"
    assert a.provisional
    assert [q.fact for q in a.open_questions] == ["health"]
    assert [(e.label, e.certain) for e in a.trace] == [("health_exposed", False)]


def test_false_and_unknown_is_false() -> None:
    rs = compile_("""
fact a: bool
fact b: bool
rule r when a and b then risk >= high because "m" cite "c"
""")
    a = rs.assess({"a": False})
    assert a.risk == "none" and not a.provisional and a.open_questions == ()


def test_true_or_unknown_is_true() -> None:
    rs = compile_("""
fact a: bool
fact b: bool
rule r when a or b then risk >= high because "m" cite "c"
""")
    a = rs.assess({"a": True})
    assert a.risk == "high" and not a.provisional


def test_open_questions_are_only_the_facts_that_could_change_the_outcome() -> None:
    # health is certain and gives high; whether "other" holds cannot change anything
    a = EXCEPTIONS.assess(facts(health=True, other=None))
    assert a.risk == "high" and not a.provisional and a.open_questions == ()
    # an unknown exception could lower the risk: its facts are asked
    b = EXCEPTIONS.assess(facts(health=True, encrypted=None))
    assert b.risk == "high" and b.certain_levels["risk"] == "none"
    assert [q.fact for q in b.open_questions] == ["encrypted"]


def test_facts_of_an_exception_that_is_not_read_are_not_asked() -> None:
    # encrypted is false, so the exception to it (key_lost) cannot matter
    a = EXCEPTIONS.assess(facts(health=True, key_lost=None))
    assert a.risk == "high" and a.open_questions == ()


def test_obligations_follow_the_interval() -> None:
    a = EXCEPTIONS.assess(facts(health=None, other=True))
    notify, tell = a.obligation("notify"), a.obligation("tell")
    assert notify.required and notify.certain  # risk is at least "risk" whatever health is
    assert tell.required and not tell.certain  # high only if health turns out true


TABLE = compile_("""
fact sev: {l, m, h}
fact lik: {r, k}
rule s_medium when sev == m then severity >= medium because "m" cite "c"
rule s_high when sev == h then severity >= high because "m" cite "c"
rule likely when lik == k then likelihood >= likely because "m" cite "c"
combine risk = severity x likelihood
  likelihood: remote likely
  low:        none   none
  medium:     none   risk
  high:       risk   high
""")


@pytest.mark.parametrize(
    ("sev", "lik", "risk"),
    [("l", "r", "none"), ("l", "k", "none"), ("m", "r", "none"), ("m", "k", "risk"),
     ("h", "r", "risk"), ("h", "k", "high")],
)
def test_combine_table(sev: str, lik: str, risk: str) -> None:
    assert TABLE.assess({"sev": sev, "lik": lik}).risk == risk


def test_table_with_an_unknown_input_spans_the_cells() -> None:
    a = TABLE.assess({"sev": "h"})
    assert (a.certain_levels["risk"], a.risk) == ("risk", "high")
    assert [q.fact for q in a.open_questions] == ["lik"]


def test_table_unknown_that_cannot_change_the_cell_is_not_asked() -> None:
    a = TABLE.assess({"sev": "l"})  # low severity: none whatever the likelihood
    assert a.risk == "none" and not a.provisional and a.open_questions == ()


SCORE = compile_("""
fact dpc: number 1..4
fact ei: number 0.25..1
fact cb: number 0..2
score enisa: severity = dpc * ei + cb
  below 2: low
  below 3: medium
  otherwise: high
rule scored when true then severity >= enisa because "m" cite "ENISA 2013"
rule high_severity when severity >= high then risk >= high because "m" cite "c"
rule medium_severity when severity >= medium then risk >= risk because "m" cite "c"
""")


@pytest.mark.parametrize(
    ("dpc", "ei", "cb", "severity"),
    [(1, 1, 0, "low"), (1, 1, 0.99, "low"), (2, 1, 0, "medium"), (4, 0.5, 0.5, "medium"),
     (4, 0.75, 0, "high"), (3, 1, 0, "high")],
)
def test_score_bands(dpc: float, ei: float, cb: float, severity: str) -> None:
    assert SCORE.assess({"dpc": dpc, "ei": ei, "cb": cb}).levels["severity"] == severity


def test_unknown_score_input_leaves_the_whole_scale_open() -> None:
    a = SCORE.assess({"dpc": 4, "ei": 1})
    assert (a.certain_levels["severity"], a.levels["severity"]) == ("low", "high")
    assert [q.fact for q in a.open_questions] == ["cb"]


POINTS = compile_("""
fact ease: {negligible, limited, significant, maximum}
fact dpc: count 1..4
points ei = ease
  negligible: 0.25
  limited: 0.5
  significant: 0.75
  maximum: 1
points weight = severity
  low: 1
  medium: 2
  high: 4
rule from_ease when dpc * ei >= 2 then severity >= high because "m" cite "c"
rule some_ease when ease == limited then severity >= medium because "m" cite "c"
rule weighty when weight >= 4 then risk >= high because "m" cite "c"
rule weighed when weight >= 2 then risk >= risk because "m" cite "c"
""")


@pytest.mark.parametrize(("dpc", "ease", "severity"),
                         [(4, "limited", "high"), (3, "limited", "medium"), (3, "maximum", "high"),
                          (1, "maximum", "low"), (4, "negligible", "low")])
def test_points_give_each_member_its_number(dpc: int, ease: str, severity: str) -> None:
    assert POINTS.assess({"dpc": dpc, "ease": ease}).levels["severity"] == severity


def test_points_of_an_outcome_follow_its_level() -> None:
    assert POINTS.assess({"dpc": 4, "ease": "maximum"}).risk == "high"
    assert POINTS.assess({"dpc": 3, "ease": "limited"}).risk == "risk"
    assert POINTS.assess({"dpc": 1, "ease": "negligible"}).risk == "none"


def test_points_of_an_unknown_member_are_unknown() -> None:
    a = POINTS.assess({"dpc": 4})
    assert (a.certain_levels["severity"], a.levels["severity"]) == ("low", "high")
    assert [q.fact for q in a.open_questions] == ["ease"]


def test_points_of_an_outcome_not_yet_one_level_are_unknown() -> None:
    """While the severity may be medium or high, its points may be 2 or 4:
    the risk is open between what the rules give for certain and the top."""
    a = POINTS.assess({"dpc": 3})
    assert (a.certain_levels["severity"], a.levels["severity"]) == ("low", "high")
    assert (a.certain_levels["risk"], a.risk) == ("none", "high")
    assert a.provisional and [q.fact for q in a.open_questions] == ["ease"]


def test_points_of_an_outcome_already_one_level_are_known() -> None:
    """``max(severity, high)`` is ``high`` whatever the open severity turns
    out to be: its points are known, and so is what follows from them."""
    rs = compile_("""
fact ease: {negligible, limited}
rule some_ease when ease == limited then severity >= medium because "m" cite "c"
points weight = max(severity, high)
  low: 1
  medium: 2
  high: 4
rule weighty when weight >= 4 then risk >= high because "m" cite "c"
""")
    a = rs.assess({})
    assert a.values == {"weight": 4}
    assert a.certain_levels["risk"] == "high" and [q.fact for q in a.open_questions] == []


def test_division_by_zero_names_the_definition_and_its_span() -> None:
    rs = compile_("""
fact n: count
define ratio = 10 / n
rule r when ratio > 2 then risk >= high because "m" cite "c"
""")
    with pytest.raises(EvaluationError) as caught:
        rs.assess({"n": 0})
    assert caught.value.label == "ratio"
    assert str(caught.value.span) == "<string>:7:16"


EXEMPT = compile_("""
fact high: bool
fact unintelligible: bool
fact disproportionate: bool
fact aware: datetime
rule r when high then risk >= high because "m" cite "c"
obligation document always says "o" cite "GDPR Art. 33(5)"
obligation notify when risk >= risk due aware + 72h says "o" cite "GDPR Art. 33(1)"
obligation tell when risk >= high due without undue delay says "o" cite "GDPR Art. 34(1)"
obligation public says "o" cite "GDPR Art. 34(3)(c)"
exemption a to tell when unintelligible because "m" cite "GDPR Art. 34(3)(a)"
exemption c to tell when disproportionate instead public because "m" cite "GDPR Art. 34(3)(c)"
""")
AWARE = "2026-11-20T09:30:00+02:00"


def test_deadline_is_an_exact_instant() -> None:
    a = EXEMPT.assess({"high": True, "unintelligible": False, "disproportionate": False, "aware": AWARE})
    notify = a.obligation("notify")
    assert notify.due == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    assert a.obligation("tell").without_undue_delay and a.obligation("tell").due is None
    assert a.required == ("document", "notify", "tell")


def test_exemption_lifts_the_obligation() -> None:
    a = EXEMPT.assess({"high": True, "unintelligible": True, "disproportionate": False, "aware": AWARE})
    tell = a.obligation("tell")
    assert not tell.required and tell.exempted_by == "a"
    assert ("exemption", "a", "tell") in [(e.kind, e.label, e.overrides) for e in a.trace]


def test_exemption_with_instead_requires_the_other_obligation() -> None:
    a = EXEMPT.assess({"high": True, "unintelligible": False, "disproportionate": True, "aware": AWARE})
    assert not a.obligation("tell").required
    public = a.obligation("public")
    assert public.required and public.instead_of == "tell"


def test_an_exemption_does_not_matter_when_the_obligation_is_not_due() -> None:
    a = EXEMPT.assess({"high": False, "unintelligible": None, "disproportionate": None, "aware": AWARE})
    assert a.required == ("document",) and not a.provisional and a.open_questions == ()


def test_unknown_exemption_keeps_the_obligation_provisionally() -> None:
    a = EXEMPT.assess({"high": True, "unintelligible": None, "disproportionate": False, "aware": AWARE})
    tell = a.obligation("tell")
    assert tell.required and not tell.certain
    assert [q.fact for q in a.open_questions] == ["unintelligible"]


def test_unknown_awareness_time_is_an_open_question_when_notification_is_due() -> None:
    a = EXEMPT.assess({"high": True, "unintelligible": False, "disproportionate": False})
    assert a.obligation("notify").required and a.obligation("notify").due is None
    assert [q.fact for q in a.open_questions] == ["aware"]
    b = EXEMPT.assess({"high": False, "unintelligible": False, "disproportionate": False})
    assert b.open_questions == ()  # no notification, so no deadline to know


def test_is_known() -> None:
    rs = compile_("""
fact when_found: datetime
rule r when when_found is unknown then risk >= risk because "m" cite "c"
""")
    assert rs.assess({}).risk == "risk"
    assert rs.assess({"when_found": AWARE}).risk == "none"


def test_durations_and_datetime_arithmetic() -> None:
    rs = compile_("""
fact outage: duration
fact start: datetime
fact end: datetime
rule long when outage > 24h or end - start > 1d then risk >= risk because "m" cite "c"
""")
    assert rs.assess({"outage": "PT25H", "start": AWARE, "end": AWARE}).risk == "risk"
    assert rs.assess({"outage": "PT2H", "start": AWARE, "end": AWARE}).risk == "none"
    later = (datetime.fromisoformat(AWARE) + timedelta(days=2)).isoformat()
    assert rs.assess({"outage": "PT2H", "start": AWARE, "end": later}).risk == "risk"


def test_set_operations() -> None:
    rs = compile_("""
fact data: set of {contact, health, financial, other}
rule sensitive when data intersects {health, financial} then risk >= high because "m" cite "c"
rule only_contact when data subset of {contact} and size(data) > 0
  then risk >= risk because "m" cite "c"
rule several when size(data & {health, financial}) >= 2 then severity >= high because "m" cite "c"
""")
    assert rs.assess({"data": ["health"]}).risk == "high"
    assert rs.assess({"data": ["contact"]}).risk == "risk"
    assert rs.assess({"data": []}).risk == "none"
    assert rs.assess({"data": ["health", "financial"]}).levels["severity"] == "high"
    assert rs.assess({"data": ["health", "other"]}).levels["severity"] == "low"


def test_a_definition_may_read_an_outcome() -> None:
    rs = compile_("""
fact health: bool
fact many: bool
define severe = severity >= high
rule health_is_severe when health then severity >= high because "m" cite "c"
rule severe_and_many when severe and many then risk >= high because "m" cite "c"
""")
    assert rs.assess({"health": True, "many": True}).risk == "high"
    assert rs.assess({"health": False, "many": True}).risk == "none"
    unknown = rs.assess({"many": True})  # the interpreter's path
    assert (unknown.certain_levels["risk"], unknown.risk) == ("none", "high")


def test_instead_chains_do_not_depend_on_declaration_order() -> None:
    rs = compile_("""
fact high: bool
fact disproportionate: bool
fact no_press: bool
rule r when high then risk >= high because "m" cite "c"
obligation web_notice says "o" cite "c"
obligation press says "o" cite "c"
obligation tell when risk >= high says "o" cite "c"
exemption via_press to tell when disproportionate instead press because "m" cite "c"
exemption via_web to press when no_press instead web_notice because "m" cite "c"
""")
    a = rs.assess({"high": True, "disproportionate": True, "no_press": True})
    assert a.required == ("web_notice",)
    assert a.obligation("web_notice").instead_of == "press"
    assert a.obligation("press").exempted_by == "via_web"


def test_a_rule_concluding_one_outcome_twice_takes_the_higher_in_both_paths() -> None:
    rs = compile_("""
fact a: bool
fact unrelated: bool
rule r when a then risk >= high, risk >= risk because "m" cite "c"
""")
    assert rs.assess({"a": True, "unrelated": True}).risk == "high"  # generated code
    assert rs.assess({"a": True}).risk == "high"  # interpreter (a fact is missing)


def test_numeric_and_boolean_defaults() -> None:
    rs = compile_("""
fact n: count default 0
fact x: number 0..10 default 2.5
fact b: bool default true
rule r when n == 0 and x > 2 and b then risk >= risk because "m" cite "c"
""")
    assert rs.assess({}).risk == "risk"


def test_escaped_quotes_keep_non_ascii_text() -> None:
    rs = compile_('fact a: bool\nrule r when a then risk >= high because "m" cite "päätös \\"x\\" 1/2"\n')
    assert rs.program.rules["r"].cites == (Citation(text='päätös "x" 1/2'),)


def test_max_reads_a_level_name_against_the_other_argument() -> None:
    rs = compile_("""
fact h: bool
rule r when h then severity >= high because "m" cite "c"
define at_least_medium = max(severity, medium)
rule s when at_least_medium >= medium then likelihood >= likely because "m" cite "c"
""")
    assert rs.assess({"h": False}).levels["likelihood"] == "likely"


def test_open_questions_take_linear_work_down_a_chain_of_definitions(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``define d_i = d_(i-1) and (d_(i-1) or a)`` read every definition twice,
    and that one twice again: 10 s at 20 definitions, doubling with each.
    The work is counted, not timed: it must grow with the chain, not with 2^n."""
    from breachrules import interpreter

    calls = {"n": 0}
    unknowns = interpreter._Run.unknowns

    def counting(self, node):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return unknowns(self, node)

    monkeypatch.setattr(interpreter._Run, "unknowns", counting)
    work = {}
    for size in (20, 40, 200):
        chain = "".join(f"define d{i} = d{i - 1} and (d{i - 1} or a)\n" for i in range(1, size + 1))
        rs = breachrules.loads(HEADER.replace("ruleset t", f"ruleset t{size}") + "fact a: bool\nfact b: bool\n"
                               "define d0 = b\n" + chain
                               + f'rule q when d{size} then risk >= high because "m" cite "c"\n')
        calls["n"] = 0
        assessment = rs.assess({})
        assert [q.fact for q in assessment.open_questions] == ["a", "b"]
        work[size] = calls["n"]
    assert work[40] < 3 * work[20] and work[200] < 15 * work[20]


def test_open_questions_through_an_outcome_read_by_an_earlier_definition() -> None:
    # 'a' is declared first but reads the outcome that 'b' decides: the
    # unknowns are worked out in evaluation order, not declaration order.
    rs = breachrules.loads('ruleset t\nscale risk: none < risk < high\nscale sev: low < high\nfact x: bool\n'
                           'define a = sev == high\ndefine b = x\n'
                           'rule r1 when b then sev >= high because "m" cite "c"\n'
                           'rule r2 when a then risk >= high because "m" cite "c"\n')
    assert [q.fact for q in rs.assess({}).open_questions] == ["x"]


def test_open_questions_down_a_long_chain_of_outcomes_do_not_recurse_deeply() -> None:
    lines = ["ruleset t", "scale risk: none < risk < high", "fact x: bool"]
    lines += [f"scale s{i}: lo < hi" for i in range(40)]
    lines.append('rule r0 when x then s0 >= hi because "m" cite "c"')
    lines += [f'rule r{i} when {"not " * 62}(s{i - 1} == hi) then s{i} >= hi because "m" cite "c"'
              for i in range(1, 40)]
    lines.append('rule last when s39 == hi then risk >= high because "m" cite "c"')
    assessment = breachrules.loads("\n".join(lines) + "\n").assess({})
    assert [q.fact for q in assessment.open_questions] == ["x"] and assessment.provisional
