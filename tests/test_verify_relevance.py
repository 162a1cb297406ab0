"""Which open questions can matter, exactly (breachrules.verify.relevance).

Both halves of the claim are checked without the solver. A question said
to matter comes with a pair of complete incidents, differing in that fact
alone and agreeing with every known fact, that the interpreter decides
differently. A question said to be needless is answered otherwise on
completions drawn at random, and on a small ruleset on every completion
there is (brute force, every partial incident), and nothing changes;
there the levels and duties are exactly those the completions give.
Then ``--exact`` in the ranking and on the command line.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import breachrules
from breachrules import interpreter
from breachrules.incident import out_of_order
from breachrules.program import Program

z3 = pytest.importorskip("z3")

from breachrules.verify.encoding import Unsupported  # noqa: E402  (these need the solver)
from breachrules.verify.relevance import Relevance, relevance  # noqa: E402
from breachrules.verify.witness import read_facts  # noqa: E402
from tests.test_ranking import run  # noqa: E402
from tests.test_verify_partial import draw_partial  # noqa: E402
from tests.test_verify_semantics import (  # noqa: E402
    LARGE,
    PHASES,
    THOROUGH,
    checked,
    compiled,
    complete_incidents,
    decide,
    decision,
    extended_rulesets,
)

ROOT = Path(__file__).resolve().parent.parent

# The outage of docs/proving.md: more than 24 hours down, whatever was restored
OUTAGE = {
    "breach_types": ["availability"], "data_categories": ["contact"], "subjects": 200,
    "vulnerable_subjects": False, "malicious": False, "possible_harms": [], "restore_time": "PT30H",
    "became_aware_at": "2026-11-20T09:30:00+02:00",
}
NOW = datetime.fromisoformat("2026-11-20T12:00:00+02:00")

# Two rules that conclude the same for b and for not b: the interpreter asks for b
SAME_EITHER_WAY = """ruleset t
scale risk: none < risk < high
fact a: bool
fact b: bool
fact c: bool
fact who: {nobody, colleague, outsider}
rule r1 when a and b then risk >= risk because "r" cite "c"
rule r2 when a and not b then risk >= risk because "r" cite "c"
rule r3 when who == outsider and c then risk >= high because "r" cite "c"
obligation o when risk >= risk says "s" cite "c"
obligation p when risk >= high says "s" cite "c"
exemption e to p when who == colleague or (a and not c) because "e" cite "c"
"""


# ------------------------------------------------------------------ what a claim must show


def assert_shown(program: Program, facts: Any, found: Relevance) -> None:
    """Every question said to matter, by a pair the interpreter decides
    differently; the unknown facts read divided among the three lists."""
    unknown = [name for name in program.facts if name in read_facts(program) and name not in facts.known]
    listed = [m.fact for m in found.matters] + list(found.needless) + list(found.undecided)
    assert sorted(listed) == sorted(unknown) and len(set(listed)) == len(listed)
    for matter in found.matters:
        before = checked(program, matter.completion)
        after = checked(program, {**matter.completion, matter.fact: matter.answer})
        assert before is not None and after is not None, "a pair the ruleset does not accept"
        read = read_facts(program)
        assert read <= before.known.keys() and read <= after.known.keys()
        assert {k: v for k, v in before.known.items() if k in facts.known and k in read} == {
            k: v for k, v in facts.known.items() if k in read}
        assert {k for k in before.known if before[k] != after[k]} <= {matter.fact}
        old, new = decide(program, before), decide(program, after)
        assert old is not None and new is not None
        assert decision(old) != decision(new), matter


def assert_needless_on(program: Program, found: Relevance, completion: Mapping[str, Any],
                       other: Mapping[str, Any]) -> None:
    """On one completion of the assessed incident: its levels and duties as
    ``found`` says they can be, and a needless fact answered as in
    ``other`` decides the same."""
    decided = decide(program, completion)
    if decided is None:
        return  # no decision: not among the completions the claims range over
    for outcome in program.outcomes:
        level = decided.levels[outcome.name]
        assert outcome.levels[level.hi] in found.levels[outcome.name]
    for name, required in found.required.items():
        assert required is None or decided.obligations[name].required is required, name
    for name in found.needless:
        answered = {**completion, name: other[name]}
        if out_of_order(program, answered):
            continue
        changed = decide(program, answered)
        if changed is not None:
            assert decision(changed) == decision(decided), (name, dict(completion), other[name])


# ------------------------------------------------------------------ the bundled rulesets


def test_the_outage_asks_a_question_no_answer_can_matter_to() -> None:
    rs = breachrules.bundled("gdpr")
    facts = rs.validate(OUTAGE)
    assert [q.fact for q in rs.assess(OUTAGE).open_questions] == ["restoration"]  # as the rules read it
    found = relevance(rs.program, facts)
    assert found.exact and found.matters == () and "restoration" in found.needless
    assert found.levels["risk"] == ("risk",) and found.levels["severity"] == ("medium",)
    assert found.required["notify_authority"] is True and found.required["communicate_subjects"] is False
    for restoration in ("complete", "partial", "impossible"):  # and indeed every answer decides the same
        assert rs.assess({**OUTAGE, "restoration": restoration}).levels["risk"] == "risk"


def test_the_questions_of_the_partial_example_each_come_with_their_pair() -> None:
    rs = breachrules.bundled("gdpr")
    incident = json.loads((ROOT / "examples" / "partial-facts.json").read_text(encoding="utf-8"))
    facts = rs.validate(incident)
    found = relevance(rs.program, facts)
    assert found.exact and {m.fact for m in found.matters} <= {q.fact for q in rs.assess(incident).open_questions}
    assert "subjects" in {m.fact for m in found.matters}
    assert_shown(rs.program, facts, found)


@settings(max_examples=40 if THOROUGH else 6, deadline=None, phases=PHASES, suppress_health_check=LARGE)
@given(name=st.sampled_from(["gdpr", "fi-health"]), data=st.data())
def test_the_bundled_rulesets_are_read_exactly(name: str, data: st.DataObject) -> None:
    program = breachrules.bundled(name).program
    drawn = draw_partial(program, data)
    if drawn is None:
        return
    _raw, complete, _hidden, partial = drawn
    found = relevance(program, partial)
    assert found.exact
    assert_shown(program, partial, found)
    other = checked(program, data.draw(complete_incidents(program)))
    assert_needless_on(program, found, complete, other if other is not None else complete)
    # what check proves of the bundled rulesets (BR814): the interpreter asks every question that matters
    asked = set(interpreter.evaluate(program, partial).open_questions)
    assert {m.fact for m in found.matters} <= asked


# ------------------------------------------------------------------ generated rulesets


@settings(max_examples=60 if THOROUGH else 8, deadline=None, phases=PHASES, suppress_health_check=LARGE)
@given(text=extended_rulesets(), data=st.data())
def test_generated_rulesets_are_read_exactly(text: str, data: st.DataObject) -> None:
    program = compiled(text)
    drawn = draw_partial(program, data)
    if drawn is None:
        return
    _raw, complete, _hidden, partial = drawn
    try:
        found = relevance(program, partial)
    except Unsupported:
        return  # floating-point arithmetic or `is known`: said so, not read
    assert_shown(program, partial, found)
    other = draw_partial(program, data)
    assert_needless_on(program, found, complete, other[1] if other is not None else complete)


# ------------------------------------------------------------------ exactly, by brute force


def small_partials() -> list[dict[str, Any]]:
    values: dict[str, list[Any]] = {"a": [True, False, None], "b": [True, False, None],
                                    "c": [True, False, None], "who": ["nobody", "colleague", "outsider", None]}
    return [{k: v for k, v in zip(values, chosen, strict=True) if v is not None}
            for chosen in itertools.product(*values.values())]


def test_every_partial_incident_of_a_small_ruleset_is_read_exactly() -> None:
    """Every completion enumerated: a fact matters when two completions that
    differ in it alone decide differently, and the levels and duties are
    those some completion gives."""
    rs = breachrules.loads(SAME_EITHER_WAY)
    program = rs.program
    options = {"a": [True, False], "b": [True, False], "c": [True, False],
               "who": ["nobody", "colleague", "outsider"]}
    needless_asked = 0
    for known in small_partials():
        facts = rs.validate(known)
        unknown = [name for name in options if name not in known]
        completions = [{**known, **dict(zip(unknown, chosen, strict=True))}
                       for chosen in itertools.product(*(options[n] for n in unknown))]
        decided = {json.dumps(c, sort_keys=True): decide(program, rs.validate(c)) for c in completions}
        matters = {name for name in unknown for c in completions for v in options[name]
                   if decision(decided[json.dumps(c, sort_keys=True)])
                   != decision(decided[json.dumps({**c, name: v}, sort_keys=True)])}
        found = relevance(program, facts)
        assert found.exact and {m.fact for m in found.matters} == matters, known
        assert set(found.needless) == set(unknown) - matters
        risks = {program.outcome("risk").levels[d.levels["risk"].hi] for d in decided.values() if d is not None}
        assert set(found.levels["risk"]) == risks
        for ob in ("o", "p"):
            required = {d.obligations[ob].required for d in decided.values() if d is not None}
            assert found.required[ob] == (required.pop() if len(required) == 1 else None)
        needless_asked += len(set(rs.assess(known).open_questions) - matters)
    assert needless_asked > 0  # the interpreter does ask questions that cannot matter here


def test_a_ruleset_that_reads_is_known_is_not_read() -> None:
    program = breachrules.loads(SAME_EITHER_WAY.replace("rule r3 when", "rule r3 when c is known and")).program
    with pytest.raises(Unsupported) as raised:
        relevance(program, breachrules.loads(SAME_EITHER_WAY).validate({}))
    assert raised.value.construct.key == "verify.unsupported.is_known"


# ------------------------------------------------------------------ what is not claimed


NEVER_EVALUATES = """ruleset t
scale risk: none < risk < high
fact a: bool
fact aware: datetime
rule r1 when a then risk >= high because "r" cite "c"
obligation p when risk >= high says "s" cite "c"
obligation o always
  due aware + 3000000d
  says "s2" cite "c"
"""


def test_when_no_answer_evaluates_nothing_is_claimed() -> None:
    """Every completion stops on an error (a deadline beyond the calendar):
    of an empty set of completions, everything would be "true"."""
    rs = breachrules.loads(NEVER_EVALUATES)
    found = relevance(rs.program, rs.validate({}))
    assert not found.answerable and not found.exact
    assert found.needless == () and found.matters == () and set(found.undecided) == {"a", "aware"}
    assert set(found.required.values()) == {None} and found.levels["risk"] == ("none", "risk", "high")
    words = rs.ranked_questions({}, NOW, exact=True).render("fi")
    assert "Mikään tapa vastata avoimiin kysymyksiin ei johda ratkaisuun ilman virhettä" in words
    assert "ratkaisijan" not in words and "todistanut" not in words


def test_what_the_solver_cannot_settle_in_time_is_not_claimed(monkeypatch: pytest.MonkeyPatch) -> None:
    from breachrules.verify import relevance as module

    monkeypatch.setattr(module, "BUDGET_S", 0.0)
    rs = breachrules.bundled("gdpr")
    found = relevance(rs.program, rs.validate(OUTAGE))
    assert not found.exact and found.needless == () and found.matters == ()
    assert "restoration" in found.undecided and set(found.required.values()) == {None}
    words = rs.ranked_questions(OUTAGE, NOW, exact=True).render("sv")
    assert "Lösaren hann inte avgöra allt inom sin tidsgräns" in words and "har bevisat" not in words


def test_a_duty_settled_by_the_answers_that_time_out_is_not_decided(monkeypatch: pytest.MonkeyPatch) -> None:
    """Required only if no completion leaves it out, not required only if
    none requires it: an answer the solver does not give settles neither."""
    from breachrules.verify import relevance as module

    rs = breachrules.loads(SAME_EITHER_WAY)
    reading = module._Reading(rs.program, rs.validate({}), None)
    for answers, expected in (((None, False), True), ((False, None), False), ((None, None), None),
                              ((True, None), None), ((None, True), None), ((True, True), None)):
        given = iter(answers)
        monkeypatch.setattr(reading, "_can", lambda *goal, given=given: next(given))
        assert reading._required(z3.BoolVal(True)) is expected, answers


def test_instants_after_now_are_not_among_the_answers() -> None:
    """A report at ``now`` refuses an instant later than it: so does the
    exact reading (with 2 hours since awareness, 72 hours cannot have passed)."""
    rs = breachrules.loads("""ruleset t
scale risk: none < risk < high
fact aware: datetime
fact found: datetime
rule r1 when found - aware > 72h then risk >= risk because "r" cite "c"
obligation o when risk >= risk says "s" cite "c"
""")
    incident = {"aware": "2026-11-20T10:00:00+02:00"}
    found = relevance(rs.program, rs.validate(incident), NOW)
    assert found.exact and found.needless == ("found",) and found.levels["risk"] == ("none",)
    assert found.required["o"] is False
    later = relevance(rs.program, rs.validate(incident))  # with no moment: any instant
    assert [m.fact for m in later.matters] == ["found"] and later.levels["risk"] == ("none", "risk")


def test_a_question_that_moves_only_a_deadline_says_so() -> None:
    rs = breachrules.loads("""ruleset t
scale risk: none < risk < high
fact a: bool
fact aware: datetime
rule r1 when a then risk >= risk because "r" cite "c"
obligation o when risk >= risk
  due aware + 72h
  says "s" cite "c"
""")
    ranking = rs.ranked_questions({"a": True}, NOW, exact=True)
    (matter,) = ranking.relevance.matters
    assert (matter.fact, matter.changes, matter.deadline) == ("aware", "o", True)
    words = ranking.render("en")
    assert "Its answer can change: the deadline of the obligation “o”" in words  # the only question: alone
    assert "other questions" not in words


def test_a_duty_the_solver_decides_is_no_longer_said_to_be_settled_by_a_question() -> None:
    rs = breachrules.loads("""ruleset t
scale risk: none < risk < high
fact a: bool
rule r1 when a then risk >= high because "r" cite "c"
rule r2 when not a then risk >= risk because "r" cite "c"
obligation o when risk >= risk says "s" cite "c"
""")
    plain, exact = rs.ranked_questions({}, NOW), rs.ranked_questions({}, NOW, exact=True)
    assert plain.question("a").confirms == ("o",) and [d.obligation for d in plain.duties] == ["o"]
    assert exact.question("a").confirms == () and exact.duties == () and exact.question("a").risk
    words = exact.render("en")
    assert "the obligation “o” is required (proved by the solver)" in words and "can confirm" not in words


def test_a_text_the_rules_do_not_read_is_not_held() -> None:
    """Free text beyond what the solver's strings hold, in a fact no rule reads."""
    rs = breachrules.bundled("gdpr")
    incident = {**OUTAGE, "breach_description": "palvelin \U000f0000 kaatui"}
    found = relevance(rs.program, rs.validate(incident))
    assert found.exact and "restoration" in found.needless


# ------------------------------------------------------------------ in the ranking, and on the command line


def test_an_exact_ranking_puts_the_needless_question_last_and_says_why() -> None:
    rs = breachrules.bundled("gdpr")
    plain, exact = rs.ranked_questions(OUTAGE, NOW), rs.ranked_questions(OUTAGE, NOW, exact=True)
    assert plain.relevance is None and plain.question("restoration").matters is None
    assert exact.question("restoration").matters is False
    assert exact.to_dict()["exact"]["needless"][-3:] == ["restoration", "wrong_data_use", "authority_notified_at"]
    words = exact.render("en")
    assert "No answer to it can change the risk level, an obligation or a deadline" in words
    assert "Its answer can confirm" not in words  # what it seemed to settle alone, the solver settles
    assert "Risk level: risk, whatever the answers to the open questions (proved by the solver)" in words
    assert "the obligation “notification to the supervisory authority” is required" in words
    assert "can still confirm" not in words  # the duty's line: decided, not open
    assert "can still confirm" in plain.render("en")


@pytest.mark.parametrize(("lang", "needless", "level"), [
    ("fi", "Mikään vastaus tähän kysymykseen ei voi muuttaa riskin tasoa", "Riskin taso: riski, vastattiinpa"),
    ("sv", "Inget svar på den här frågan kan ändra risknivån", "Risknivå: risk, oavsett hur"),
    ("en", "No answer to it can change the risk level", "Risk level: risk, whatever"),
])
def test_the_command_says_what_the_solver_proved(tmp_path: Path, lang: str, needless: str, level: str) -> None:
    path = tmp_path / "outage.json"
    path.write_text(json.dumps(OUTAGE), encoding="utf-8")
    result = run("assess", str(path), "--exact", "--now", NOW.isoformat(), "--lang", lang)
    assert result.returncode == 0, result.stderr
    assert needless in result.stdout and level in result.stdout


def test_a_question_that_matters_only_with_other_answers_says_so(tmp_path: Path) -> None:
    result = run("assess", "examples/partial-facts.json", "--exact", "--now", "2026-01-14T20:15:00+02:00")
    assert "Depending on the answers to the other questions, its answer can change: Risk level" in result.stdout
    document = json.loads(run("assess", "examples/partial-facts.json", "--exact", "--format", "json",
                              "--now", "2026-01-14T20:15:00+02:00").stdout)
    exact = document["ranking"]["exact"]
    assert exact["exact"] is True and {m["fact"] for m in exact["matters"]} == {
        "subjects", "vulnerable_subjects", "malicious", "detection_delay", "key_compromised", "possible_harms"}
    assert all(q["matters"] is True for q in document["ranking"]["questions"])


def test_exact_without_the_solver_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from breachrules import cli, verify

    monkeypatch.setattr(verify, "available", lambda: False)
    code = cli.main(["assess", "examples/partial-facts.json", "--exact", "--lang", "fi"])
    assert code == 6
    assert '--exact vaatii ratkaisijan: pip install "breachrules[verify]"' in capsys.readouterr().err


def test_exact_on_a_ruleset_it_cannot_read_warns_and_assesses(tmp_path: Path) -> None:
    rules = tmp_path / "k.rules"
    rules.write_text(SAME_EITHER_WAY.replace("rule r3 when", "rule r3 when c is known and"), encoding="utf-8")
    (tmp_path / "i.json").write_text('{"a": true}', encoding="utf-8")
    result = run("assess", str(tmp_path / "i.json"), "--ruleset", str(rules), "--exact", "--lang", "sv")
    assert result.returncode == 0
    assert "lösaren kan inte läsa den här regelsamlingen exakt ('is known', som läser" in result.stderr
