"""The open questions ranked for an intake form (breachrules.ranking).

Exact both ways, shown by re-assessing: every duty a question is said to
remove or confirm is removed or confirmed by the answer given for it, and a
question not said to do so has no answer that does (every answer of a
finite fact tried, and a dense grid of numbers, durations and instants),
on a small ruleset written for it and on generated ones. Then the time
left, the order and the words in fi, sv and en.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import breachrules
from breachrules.durations import format_iso_duration
from breachrules.program import FactDef
from breachrules.ranking import RankedQuestion, Ranking
from breachrules.testing import incidents, rulesets, values

ROOT = Path(__file__).resolve().parent.parent

SMALL = """ruleset t
scale risk: none < risk < high
fact a: bool
fact b: bool
fact who: {nobody, colleague, outsider}
fact cats: set of {health, money, contact, other}
fact n: count 0..
fact m: count 0..
fact x: number
fact t: duration
fact aware: datetime
fact done_at: datetime
fact note: text
rule r1 when a and n > 3 then risk >= high because "r" cite "c"
rule r2 when b or who == outsider then risk >= risk because "r" cite "c"
rule r3 when cats intersects {health, money} and not a then risk >= high because "r" cite "c"
rule r4 when cats subset of {contact, other} and t > 24h then risk >= risk because "r" cite "c"
rule r5 when n + m >= 10 then risk >= risk because "r" cite "c"
rule r6 when x * 2 > 5 and x < 100.5 then risk >= risk because "r" cite "c"
rule r7 when note is known and b then risk >= high because "r" cite "c"
obligation o when risk >= risk
  due aware + 72h
  done done_at
  says "s" cite "c"
obligation p when risk >= high says "s" cite "c"
exemption e to p when who == colleague and not b because "e" cite "c"
"""

# A duty that only a test of whether something "is known" decides: the
# interpreter does not ask for the fact (it is certain either way), and
# the ranking still finds that an answer removes the duty.
KNOWN = """ruleset k
scale risk: none < risk < high
fact reason: text
fact delayed: bool
rule r when delayed then risk >= risk because "r" cite "c"
obligation record_reason when delayed and reason is unknown says "s" cite "c"
obligation notify when risk >= risk says "s" cite "c"
"""

NOW = datetime.fromisoformat("2026-01-05T12:00:00+02:00")
AWARE = "2026-01-03T00:00:00+02:00"  # 72 h from it is 2026-01-06T00:00, 12 hours after NOW


# ------------------------------------------------------------------ brute force


def status(assessment: Any, obligation: str) -> bool | None:
    """True: required for certain; False: not required; None: required until the answers show otherwise."""
    ob = assessment.obligation(obligation)
    return None if ob.required and not ob.certain else ob.required


def effects(rs: breachrules.Ruleset, incident: Mapping[str, Any], fact: str,
            values: Iterable[Any]) -> tuple[set[tuple[str, str]], bool]:
    """What answers to ``fact`` do, found by assessing each: the (effect,
    obligation) pairs and whether the risk level changes."""
    before = rs.assess(incident)
    found: set[tuple[str, str]] = set()
    risk = False
    for value in values:
        try:
            after = rs.assess({**incident, fact: value})
        except breachrules.BreachrulesError:
            continue  # not an answer an incident can give (or one the ruleset cannot evaluate)
        for ob in before.obligations:
            old, new = status(before, ob.id), status(after, ob.id)
            if old is not False and new is False:
                found.add(("remove", ob.id))
            if old is not True and new is True:
                found.add(("confirm", ob.id))
        if (after.levels["risk"], after.certain_levels["risk"]) != (before.levels["risk"],
                                                                   before.certain_levels["risk"]):
            risk = True
    return found, risk


def every_answer(fact: FactDef) -> list[Any] | None:
    """Every answer of a finite fact, in JSON form; None for the others."""
    kind, members = fact.type.kind, fact.type.members
    if kind == "bool":
        return [True, False]
    if kind in ("enum", "level"):
        return list(members)
    if kind == "set" and len(members) <= 6:
        return [list(chosen) for n in range(len(members) + 1) for chosen in itertools.combinations(members, n)]
    if kind == "number" and fact.type.integral and fact.type.low is not None and fact.type.high is not None \
            and fact.type.high - fact.type.low <= 64:
        return list(range(int(fact.type.low), int(fact.type.high) + 1))
    return None


def grid(fact: FactDef) -> list[Any]:
    """Many answers of a fact with infinitely many: around every threshold of SMALL, and far off."""
    kind = fact.type.kind
    if kind == "number" and fact.type.integral:
        return [*range(0, 80), 1000, 10**9]
    if kind == "number":
        values = [k / 8 for k in range(-80, 900)]
        for at in (2.5, 100.5):
            y = at
            for _ in range(3):
                y = math.nextafter(y, -math.inf)
                values.append(y)
            y = at
            for _ in range(3):
                y = math.nextafter(y, math.inf)
                values.append(y)
        return [*values, -1e12, 1e12]
    if kind == "duration":
        around = [timedelta(hours=24) + timedelta(microseconds=k) for k in (-1, 0, 1)]
        return [format_iso_duration(d) for d in (*[timedelta(hours=h) for h in range(0, 80)], *around,
                                                 timedelta(days=4000))]
    if kind == "datetime":
        start = datetime.fromisoformat("2025-12-20T00:00:00+02:00")
        return [(start + timedelta(hours=6 * k)).isoformat() for k in range(70)]
    return ["", "x", "answer", "r"]


def claimed(q: RankedQuestion) -> set[tuple[str, str]]:
    return {("remove", ob) for ob in q.removes} | {("confirm", ob) for ob in q.confirms}


def assert_witnessed(rs: breachrules.Ruleset, incident: Mapping[str, Any], ranking: Ranking) -> None:
    """Every claim of the ranking comes with an answer that does it, which assessing confirms."""
    for q in ranking.questions:
        for answer in q.answers:
            found, risk = effects(rs, incident, q.fact, [answer.value])
            if answer.effect == "risk":
                assert risk, (q.fact, answer)
            else:
                assert (answer.effect, answer.obligation) in found, (q.fact, answer)
        assert {(a.effect, a.obligation) for a in q.answers if a.effect != "risk"} == claimed(q)
        assert any(a.effect == "risk" for a in q.answers) == q.risk


def assert_exact(rs: breachrules.Ruleset, incident: Mapping[str, Any], ranking: Ranking,
                 dense: bool = True) -> None:
    """Witnessed, and nothing missed: for every unknown fact the rules
    read, the answers tried by brute force do exactly what the ranking
    says (for a finite fact: all of its answers; otherwise a dense grid,
    which can only miss a claim, never find one the ranking lacks)."""
    assert_witnessed(rs, incident, ranking)
    ranked = {q.fact: q for q in ranking.questions}
    open_questions = {q.fact for q in rs.assess(incident).open_questions}
    assert open_questions <= ranked.keys()
    known = rs.validate(incident).known  # (a fact left out with a default is known)
    for name, fact in rs.facts.items():
        if name in known:
            continue
        answers = every_answer(fact)
        finite = answers is not None
        if answers is None:
            if not dense:
                continue
            answers = grid(fact)
        found, risk = effects(rs, incident, name, answers)
        q = ranked.get(name)
        if q is None:
            assert not found and not risk, (name, found, risk)
            continue
        if finite or dense:
            assert found == claimed(q), (name, found, claimed(q))
            assert risk == q.risk, name


# ------------------------------------------------------------------ exactness


SMALL_INCIDENTS = [
    {"aware": AWARE},
    {"aware": AWARE, "a": False},
    {"aware": AWARE, "a": False, "who": "colleague"},
    {"aware": AWARE, "a": True, "b": False, "who": "nobody"},
    {"aware": AWARE, "m": 7, "b": False, "who": "nobody", "cats": ["contact"]},
    {"aware": AWARE, "b": False, "who": "nobody", "cats": ["other"], "x": 1.0, "n": 0, "m": 0},
    {"aware": AWARE, "b": True, "a": False},
    {"aware": AWARE, "b": False, "who": "colleague", "cats": ["health"]},
    {"aware": AWARE, "a": True, "n": 2, "m": 3, "b": False, "who": "nobody", "cats": [], "x": 0},
]


@pytest.mark.parametrize("incident", SMALL_INCIDENTS, ids=[str(i) for i in range(len(SMALL_INCIDENTS))])
def test_a_ranked_fact_changes_the_duty_and_an_unranked_one_cannot(incident: dict[str, Any]) -> None:
    rs = breachrules.loads(SMALL)
    ranking = rs.ranked_questions(incident, NOW)
    assert ranking.complete
    assert_exact(rs, incident, ranking)


def test_thresholds_follow_the_facts_the_incident_gives() -> None:
    """``n + m >= 10`` with ``m`` given is a threshold on ``n`` at 10 - m:
    an answer of 3 confirms the duty, and is the answer shown."""
    rs = breachrules.loads(SMALL)
    incident = {"aware": AWARE, "m": 7, "b": False, "who": "nobody", "cats": ["contact"]}
    q = rs.ranked_questions(incident, NOW).question("n")
    assert q.confirms == ("o",)
    (answer,) = [a for a in q.answers if a.effect == "confirm"]
    assert rs.assess({**incident, "n": answer.value}).obligation("o").certain
    assert status(rs.assess({**incident, "n": 2}), "o") is None  # one less, and nothing is settled
    assert answer.value in (3, 4)  # at the threshold, or just past it


def test_a_set_is_tried_group_by_group() -> None:
    """``cats intersects {health, money}``: an answer with either (and not a) confirms ``p``."""
    rs = breachrules.loads(SMALL)
    incident = {"aware": AWARE, "a": False, "b": False, "who": "nobody", "x": 0, "n": 0, "m": 0}
    ranking = rs.ranked_questions(incident, NOW)
    q = ranking.question("cats")
    assert q.confirms == ("o", "p")
    assert_exact(rs, incident, ranking)


def test_a_fact_only_tested_for_being_known_is_found_though_not_asked() -> None:
    rs = breachrules.loads(KNOWN)
    incident = {"delayed": True}
    assert [q.fact for q in rs.assess(incident).open_questions] == []
    ranking = rs.ranked_questions(incident, NOW)
    (q,) = ranking.questions
    assert (q.fact, q.removes, q.open_question) == ("reason", ("record_reason",), False)
    assert [d.obligation for d in ranking.duties] == ["record_reason"]
    assert_exact(rs, incident, ranking)


def test_the_bundled_examples_rank_exactly() -> None:
    """On gdpr's incident known only in part, every unknown fact of a
    finite type is tried in full, and every claim is witnessed."""
    rs = breachrules.bundled("gdpr")
    incident = json.loads((ROOT / "examples" / "partial-facts.json").read_text(encoding="utf-8"))
    ranking = rs.ranked_questions(incident, datetime.fromisoformat("2026-01-13T12:00:00+02:00"))
    assert ranking.complete
    assert [q.fact for q in ranking.settling] == ["key_compromised"]
    assert ranking.question("key_compromised").removes == ("notify_authority", "communicate_subjects")
    assert_exact(rs, incident, ranking, dense=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(st.data())
def test_generated_rulesets_rank_exactly(data: st.DataObject) -> None:
    """On generated rulesets and partial incidents: every claim witnessed,
    and no answer of a finite fact does anything the ranking does not say."""
    rs = breachrules.loads(data.draw(rulesets(max_rules=4)))
    incident = data.draw(incidents(rs))
    try:
        ranking = rs.ranked_questions(incident, NOW)
    except breachrules.BreachrulesError:
        return  # an incident the ruleset cannot evaluate, or with an instant after NOW
    assert_exact(rs, incident, ranking, dense=False)
    ranked = {q.fact: q for q in ranking.questions}
    known = rs.validate(incident).known
    for name, fact in rs.facts.items():  # the others: drawn answers do nothing the ranking does not say
        if name in known or every_answer(fact) is not None:
            continue
        drawn = data.draw(st.lists(values(fact), max_size=4))
        found, risk = effects(rs, incident, name, drawn)
        q = ranked.get(name)
        assert found <= (claimed(q) if q else set()), (name, drawn)
        assert not risk or (q is not None and q.risk), (name, drawn)


# ------------------------------------------------------------------ time left, order, words


def test_time_left_is_measured_from_now() -> None:
    rs = breachrules.loads(SMALL)
    incident = {"aware": AWARE}
    for now, left in ((NOW, timedelta(hours=12)), (NOW + timedelta(hours=11, minutes=30), timedelta(minutes=30)),
                      (NOW + timedelta(hours=15), timedelta(hours=-3))):
        ranking = rs.ranked_questions(incident, now)
        (o,) = [d for d in ranking.duties if d.obligation == "o"]
        assert o.due == datetime.fromisoformat("2026-01-06T00:00:00+02:00")
        assert o.time_left == left
        assert all(q.time_left == left for q in ranking.questions if "o" in q.settles)
        assert ranking.now == now
    assert rs.ranked_questions(incident, NOW).lines("en")[0] == (
        "12 hours left: the answer to any of 3 open questions can still confirm the obligation “o”")
    late = rs.ranked_questions(incident, NOW + timedelta(hours=15)).lines("en")[0]
    assert late.startswith("Overdue by 3 hours: ")
    done = rs.ranked_questions({**incident, "done_at": "2026-01-05T10:00:00+02:00"}, NOW)
    assert done.duties[0].time_left is None and done.lines("en")[0].startswith("The answer to any of 3")


def test_questions_come_in_order_of_what_they_can_do() -> None:
    rs = breachrules.loads(SMALL)
    ranking = rs.ranked_questions({"aware": AWARE}, NOW)
    kinds = [0 if q.settles else 1 if q.risk else 2 for q in ranking.questions]
    assert kinds == sorted(kinds)
    assert [q.fact for q in ranking.settling] == ["b", "who", "x"]  # all settle o: in declared order
    assert [d.obligation for d in ranking.duties] == ["o", "p"]  # o has 12 hours; p has no deadline
    assert ranking.duties[1].removed_by == ranking.duties[1].confirmed_by == ()
    assert ranking.lines("en")[1] == (
        "No single open question can settle the obligation “p”: it takes several answers")


def test_a_duty_with_a_deadline_comes_before_one_without_undue_delay() -> None:
    rs = breachrules.bundled("gdpr")
    incident = json.loads((ROOT / "examples" / "partial-facts.json").read_text(encoding="utf-8"))
    ranking = rs.ranked_questions(incident, datetime.fromisoformat("2026-01-14T20:15:00+02:00"))
    assert [d.obligation for d in ranking.duties] == ["notify_authority", "communicate_subjects"]
    assert ranking.questions[0].fact == "key_compromised"
    assert ranking.questions[0].time_left == timedelta(hours=12)


GDPR_LINES = {
    "en": ["12 hours left: the answer to 1 open question can still remove the obligation “notification to the "
           "supervisory authority”",
           "Without undue delay: the answer to 1 open question can still remove the obligation “communication "
           "to the data subjects”"],
    "fi": ["Aikaa jäljellä 12 tuntia: vastaus 1 avoimeen kysymykseen voi vielä poistaa velvoitteen ”ilmoitus "
           "valvontaviranomaiselle”",
           "Ilman aiheetonta viivytystä: vastaus 1 avoimeen kysymykseen voi vielä poistaa velvoitteen ”ilmoitus "
           "rekisteröidyille”"],
    "sv": ["12 timmar kvar: svaret på 1 öppen fråga kan ännu häva skyldigheten ”anmälan till "
           "tillsynsmyndigheten”",
           "Utan onödigt dröjsmål: svaret på 1 öppen fråga kan ännu häva skyldigheten ”information till de "
           "registrerade”"],
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_ranking_in_words(lang: str) -> None:
    rs = breachrules.bundled("gdpr")
    incident = json.loads((ROOT / "examples" / "partial-facts.json").read_text(encoding="utf-8"))
    ranking = rs.ranked_questions(incident, datetime.fromisoformat("2026-01-14T20:15:00+02:00"))
    assert list(ranking.lines(lang)) == GDPR_LINES[lang]
    text = ranking.render(lang)
    title = {"en": "Open questions (6), the most urgent first", "fi": "Avoimet kysymykset (6) kiireellisimmästä alkaen",
             "sv": "Öppna frågor (6), de mest brådskande först"}[lang]
    assert text.splitlines()[0] == title
    first_question = rs.messages(lang)("question.key_compromised")
    assert text.index(first_question) < text.index(rs.messages(lang)("question.subjects"))
    can = {"en": "Its answer can remove: “notification to the supervisory authority” and “communication to the "
                 "data subjects”",
           "fi": "Vastaus voi poistaa: ”ilmoitus valvontaviranomaiselle” ja ”ilmoitus rekisteröidyille”",
           "sv": "Svaret kan häva: ”anmälan till tillsynsmyndigheten” och ”information till de registrerade”"}[lang]
    assert can in text
    assert "question." not in text and "ranking." not in text and "name." not in text


def test_the_json_form() -> None:
    rs = breachrules.loads(SMALL)
    data = rs.ranked_questions({"aware": AWARE}, NOW).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["schema"] == "breachrules.ranking/1" and data["complete"] is True
    assert data["duties"][0] == {
        "obligation": "o", "due": "2026-01-06T00:00:00+02:00", "without_undue_delay": False, "state": "pending",
        "remaining_seconds": 43200.0, "removed_by": [], "confirmed_by": ["b", "who", "x"]}
    first = data["questions"][0]
    assert (first["fact"], first["confirms"], first["remaining_seconds"]) == ("b", ["o"], 43200.0)
    assert first["answers"][0] == {"effect": "confirm", "obligation": "o", "value": True}


def test_an_assessment_with_nothing_open_ranks_nothing() -> None:
    rs = breachrules.bundled("gdpr")
    incident = json.loads((ROOT / "examples" / "misdirected-health-email.json").read_text(encoding="utf-8"))
    ranking = rs.ranked_questions(incident, datetime.fromisoformat("2026-11-21T12:00:00+02:00"))
    assert ranking.questions == () and ranking.duties == () and ranking.lines("fi") == ()


def test_a_question_the_ranking_lacks_is_a_library_error() -> None:
    rs = breachrules.loads(SMALL)
    with pytest.raises(breachrules.ArgumentError, match="no question about the fact 'aware'") as caught:
        rs.ranked_questions({"aware": AWARE}, NOW).question("aware")
    assert isinstance(caught.value, KeyError)


# ------------------------------------------------------------------ the command


def run(*args: str) -> Any:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("BREACHRULES_LANG", "LC_ALL", "LANG")}
    return subprocess.run([sys.executable, "-m", "breachrules.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, env=env, timeout=60)


def test_the_command_shows_the_questions_ranked_in_place_of_the_list() -> None:
    result = run("assess", "examples/partial-facts.json", "--now", "2026-01-14T20:15:00+02:00", "--lang", "sv")
    assert result.returncode == 0
    assert result.stdout.count("Öppna frågor") == 1  # ranked, and not listed a second time unranked
    record, ranking = result.stdout.split("\nÖppna frågor (6), de mest brådskande först\n")
    assert ranking.splitlines()[0].strip() == GDPR_LINES["sv"][0]
    complete = run("assess", "examples/misdirected-health-email.json", "--now", "2026-11-21T12:00:00+02:00")
    assert "the most urgent first" not in complete.stdout  # nothing open, nothing ranked


def test_the_command_puts_the_ranking_beside_the_record_in_json() -> None:
    result = run("assess", "examples/partial-facts.json", "--now", "2026-01-14T20:15:00+02:00", "--format", "json")
    document = json.loads(result.stdout)
    rs = breachrules.bundled("gdpr")
    incident = json.loads((ROOT / "examples" / "partial-facts.json").read_text(encoding="utf-8"))
    expected = rs.ranked_questions(incident, datetime.fromisoformat("2026-01-14T20:15:00+02:00")).to_dict()
    assert document["ranking"] == expected and document["warnings"] == []
    assert list(document)[-2:] == ["ranking", "warnings"]
    markdown = run("assess", "examples/partial-facts.json", "--now", "2026-01-14T20:15:00+02:00", "--format",
                   "markdown")
    # the record, its open questions ranked in place of the assessment's list
    assert markdown.stdout.count("## Open questions (6), the most urgent first\n") == 1
    assert "## Open questions (6)\n" not in markdown.stdout


def test_a_set_tried_once_per_thing_its_tests_can_say_ranks_as_every_combination(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """gdpr's data categories, with nearly nothing known: thousands of
    combinations of its groups of members, a few hundred things its tests
    can say of them; trying one set of each gives the same ranking."""
    from breachrules import answers as answers_module

    rs = breachrules.bundled("gdpr")
    incident = {"became_aware_at": "2026-01-13T08:00:00+02:00"}
    now = datetime.fromisoformat("2026-01-13T20:00:00+02:00")
    fast = rs.ranked_questions(incident, now)
    tried: dict[str, int] = {}
    answers = answers_module.Probes.answers

    def counted(self: Any, fact: FactDef) -> list[Any]:
        found = answers(self, fact)
        tried[fact.name] = len(found)
        return found

    monkeypatch.setattr(answers_module.Probes, "answers", counted)
    monkeypatch.setattr(answers_module.Probes, "_set_key", lambda self, fact: None)
    assert rs.ranked_questions(incident, now) == fast
    assert tried["data_categories"] > 1000
