"""The generated fast path agrees with the reference interpreter, and the
interval reading of unknown facts is sound."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import breachrules
from breachrules import codegen, interpreter
from breachrules.testing import incidents
from tests.conftest import ROOT

# Rulesets that exercise every construct: the bundled baseline, plus a small
# one with nested exceptions, conflicts, a table, a score, points (of an
# outcome, too) and exemptions.
SMALL = breachrules.loads("""ruleset small version "1"
scale risk: none < risk < high
scale severity: low < medium < high
scale likelihood: remote < likely
fact health: bool
fact encrypted: bool
fact key_lost: bool
fact returned: bool
fact dpc: number 1..4
fact cb: number 0..2
fact lik: {r, k}
fact data: set of {contact, health, financial}
fact outage: duration
fact aware: datetime
fact unintelligible: bool
fact disproportionate: bool
fact retold: bool
score enisa: severity = dpc + cb
  below 2: low
  below 4: medium
  otherwise: high
rule scored when data intersects {health, financial} then severity >= enisa because "m" cite "c"
rule likely when lik == k then likelihood >= likely because "m" cite "c"
points weight = severity
  low: 0.25
  medium: 0.5
  high: 1
points odds = lik
  r: 1
  k: 3
rule weighty when weight * odds + cb >= 3 then likelihood >= likely because "m" cite "c"
rule health_exposed when health then risk >= high because "m" cite "c"
exception unintelligible_data to health_exposed when encrypted because "m" cite "c"
exception returned_unread to health_exposed when returned then risk >= risk because "m" cite "c"
exception key_really_lost to unintelligible_data when key_lost then risk >= high because "m" cite "c"
rule long_outage when outage > 24h then risk >= risk, risk >= none because "m" cite "c"
define severe = severity >= high and likelihood >= likely
rule severe_and_long when severe and outage > 48h then risk >= high because "m" cite "c"
combine risk = severity x likelihood
  likelihood: remote likely
  low:        none   none
  medium:     none   risk
  high:       risk   high
obligation public_again says "o" cite "c"
obligation document always says "o" cite "c"
obligation notify when risk >= risk due aware + 72h says "o" cite "c"
obligation tell when risk >= high due without undue delay says "o" cite "c"
obligation public says "o" cite "c"
exemption a to tell when unintelligible because "m" cite "c"
exemption c to tell when disproportionate instead public because "m" cite "c"
exemption again to public when retold instead public_again because "m" cite "c"
""")

RULESETS = {"small": SMALL, "gdpr": breachrules.bundled("gdpr"), "enisa": breachrules.bundled("enisa")}


def reference(rs: breachrules.Ruleset, incident: dict[str, Any]) -> breachrules.Assessment:
    """The assessment as the interpreter makes it, whether or not facts are missing."""
    known = rs.validate(incident).known
    return rs._static.assessment(interpreter.evaluate(rs.program, known), rs._static.facts_json(known))


def answered_in(incident: dict[str, Any]) -> dict[str, Any]:
    """The facts an incident answers (null is no answer)."""
    return {name: value for name, value in incident.items() if value is not None}


@pytest.mark.parametrize("name", sorted(RULESETS))
@given(data=st.data())
def test_generated_code_agrees_with_the_interpreter(name: str, data: st.DataObject) -> None:
    rs = RULESETS[name]
    incident = data.draw(incidents(rs, complete=True))
    assert rs.validate(incident).complete
    assessment = rs.assess(incident)  # the generated path
    assert assessment == reference(rs, incident)
    assert assessment.trace == reference(rs, incident).trace
    decision = rs.decide(incident)
    assert decision.levels == assessment.levels
    assert decision.required == assessment.required


@pytest.mark.parametrize("name", sorted(RULESETS))
@given(data=st.data())
@settings(max_examples=80)
def test_the_interval_holds_every_completion(name: str, data: st.DataObject) -> None:
    """Whatever the unknown facts turn out to be, the final level lies between
    what was certain and the cautious reading, and an obligation that was
    certainly required or certainly not stays so."""
    rs = RULESETS[name]
    partial = data.draw(incidents(rs))
    before = rs.assess(partial)
    unknown = [n for n in rs.facts if n not in rs.validate(partial).known]
    answers = data.draw(incidents(rs, complete=True, fixed=answered_in(partial)), label="answers")
    after = rs.assess({**partial, **{fact: answers[fact] for fact in unknown}})
    levels = rs.program.scales
    for outcome, level in after.levels.items():
        order = levels[outcome].levels
        assert order.index(before.certain_levels[outcome]) <= order.index(level) <= order.index(
            before.levels[outcome]
        )
    for ob in before.obligations:
        if ob.certain:
            assert after.obligation(ob.id).required == ob.required
        else:
            assert ob.required  # if in doubt, the cautious answer


@pytest.mark.parametrize("name", sorted(RULESETS))
@given(data=st.data())
@settings(max_examples=80)
def test_facts_outside_the_open_questions_cannot_change_the_outcome(name: str, data: st.DataObject) -> None:
    """Answering a fact that is not an open question leaves the risk interval
    and the obligations exactly as they were."""
    rs = RULESETS[name]
    partial = data.draw(incidents(rs))
    before = rs.assess(partial)
    asked = {q.fact for q in before.open_questions}
    known = rs.validate(partial).known
    others = [n for n in rs.facts if n not in known and n not in asked]
    if not others:
        return
    fact = data.draw(st.sampled_from(others))
    answers = data.draw(incidents(rs, complete=True, fixed=answered_in(partial)), label="answers")
    after = rs.assess({**partial, fact: answers[fact]})
    assert (after.certain_levels["risk"], after.risk) == (before.certain_levels["risk"], before.risk)
    assert [(o.id, o.required, o.certain) for o in after.obligations] == [
        (o.id, o.required, o.certain) for o in before.obligations
    ]


def test_the_generated_source_reads_like_hand_written_code() -> None:
    source = codegen.generate(breachrules.load(ROOT / "benchmarks" / "decision.rules").program, traced=False)
    levels, source = source.split("def run(d, extra_keys=None):\n")
    # an option given (extra_keys): the full path, which reads it; the incident itself, nothing more
    assert source.startswith("    if extra_keys is not None:\n        return _slow(d, False, extra_keys)\n    try:\n")
    assert levels.startswith("def _levels(o0_risk):\n    b0_document = True\n")
    on_facts, on_dict = source.split("        elif c is dict:\n")  # (validated facts first: the fewest steps)
    on_dict = on_dict.split("        else:\n            raise _Decline\n")[0]
    # a plain dict: each fact checked by its exact type, into a local
    assert "v3_vulnerable_subjects = d['vulnerable_subjects']\n" \
           "            if v3_vulnerable_subjects is not True and v3_vulnerable_subjects is not False:\n" \
           "                raise _Decline\n" in on_dict
    assert "            if len(d) != 12:  # a name that is not a fact\n" in on_dict
    # sets read only by membership stay as given: a list, tuple, set or frozenset answers alike
    assert "frozenset(" not in on_dict and "(not _K0.isdisjoint(v1_data_categories))" in on_dict
    # constant rules become one if/elif chain, highest level first, on either path
    for body, exposed in ((on_dict, "v10_recipient_trusted"), (on_facts, "f['recipient_trusted']")):
        assert "\n            o0_risk = 0\n            if (d3_confidentiality_exposed and " in body
        assert "\n                o0_risk = 2\n            elif d3_confidentiality_exposed or " in body
        assert f"(not ({exposed} and " in body
        # the obligations follow from the risk alone: each level's decision is made when it compiles
        assert body.endswith("                o0_risk = 1\n            return _by_levels[o0_risk]\n")
    # a fact read once is read where it is used; a definition used once is written in place
    assert "f['subjects'] > 100" in on_facts and not re.search(r"\bf\d+_subjects\b", on_facts)
    assert "_sensitive" not in source and "d0_mitigated = " in source
    assert source.endswith("    except _Decline:\n        return _slow(d)\n"
                           "    except (KeyError, TypeError, ArithmeticError, ValueError):\n"
                           "        return _slow(d, True)\n")


def test_decisions_are_shared_and_read_only() -> None:
    incident = {"health": True, **{f: False for f in ("encrypted", "key_lost", "returned",
                                                      "unintelligible", "disproportionate", "retold")},
                "dpc": 1, "cb": 0, "lik": "r", "data": [], "outage": "PT1H",
                "aware": "2026-01-01T00:00:00+00:00"}
    first = SMALL.decide(incident)
    assert SMALL.decide(incident) is first
    with pytest.raises(TypeError):
        first.levels["risk"] = "none"  # type: ignore[index]


# ------------------------------------------------------------------ one semantics, by construction
# Each ruleset below once made the two paths disagree.

HEAD = "ruleset t\nscale risk: none < risk < high\n"


def both(rs: breachrules.Ruleset, incident: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The answer of assess, decide and the interpreter: a result, or the error raised."""
    def run(f: Any) -> Any:
        try:
            return f()
        except breachrules.EvaluationError as error:
            return ("error", error.label, error.reason, error.span)

    known = rs.validate(incident).known
    reference = run(lambda: reference_assessment(rs, known))
    return run(lambda: rs.assess(incident)), run(lambda: rs.decide(incident)), reference


def reference_assessment(rs: breachrules.Ruleset, known: dict[str, Any]) -> breachrules.Assessment:
    return rs._static.assessment(interpreter.evaluate(rs.program, known), rs._static.facts_json(known))


def test_names_that_join_to_the_same_variable_stay_apart() -> None:
    rs = breachrules.loads(HEAD + """scale z: lo < hi
scale y__z: lo < hi
fact a: bool
fact b: bool
fact never: bool
rule x when a then z >= hi, y__z >= hi because "m" cite "c"
exception e1 to x when never because "m" cite "c"
rule x__y when b then z >= hi because "m" cite "c"
exception e2 to x__y when never because "m" cite "c"
rule r when y__z >= hi then risk >= high because "m" cite "c"
""")
    incident = {"a": True, "b": False, "never": False}
    assessment, decision, reference = both(rs, incident)
    assert assessment == reference and assessment.risk == "high"  # was "none" on the fast path
    assert decision.risk == "high"


def test_is_known_evaluates_an_operand_that_can_fail() -> None:
    rs = breachrules.loads(HEAD + 'fact n: number\nfact m: number\n'
                           'rule q when (n / m) is known then risk >= high because "m" cite "c"\n')
    assessment, decision, reference = both(rs, {"n": 1, "m": 0})
    assert assessment == decision == reference and reference[2] == "division_by_zero"
    assert rs.assess({"n": 1, "m": 2}).risk == "high"


def test_a_rule_chain_does_not_skip_an_instant_out_of_range() -> None:
    rs = breachrules.loads(HEAD + 'fact a: bool\nfact at: datetime\nfact gap: duration\n'
                           'rule first when a then risk >= high because "m" cite "c"\n'
                           'rule second when at + gap > at then risk >= risk because "m" cite "c"\n')
    incident = {"a": True, "at": "2999-12-01T00:00:00+00:00", "gap": "P3000000D"}
    assessment, decision, reference = both(rs, incident)
    assert assessment == decision == reference and reference[:3] == ("error", "second", "out_of_range")


def test_every_arithmetic_error_is_positioned_and_the_same_on_both_paths() -> None:
    rs = breachrules.loads(HEAD + 'fact n: number\nfact m: number\nfact d: duration\n'
                           'rule q when n * n * n * n * n * n * n * n * n * n * n * n * n * n * n * n * n '
                           '* n * n * n * n * n / m > 1 or d / m > d then risk >= high because "m" cite "c"\n')
    for incident in ({"n": 10**15, "m": 3, "d": "PT1H"}, {"n": 0, "m": 1e-300, "d": "P9999D"}):
        assessment, decision, reference = both(rs, incident)
        assert assessment == decision == reference and reference[:3] == ("error", "q", "out_of_range")


def test_a_failing_deadline_fails_decide_too() -> None:
    rs = breachrules.loads(HEAD + 'fact at: datetime\nfact gap: duration\n'
                           'obligation notify always due at + gap says "o" cite "c"\n')
    assessment, decision, reference = both(rs, {"at": "2999-12-01T00:00:00+00:00", "gap": "P9999999D"})
    assert assessment == decision == reference and reference[:3] == ("error", "notify", "out_of_range")


def test_a_cycle_of_instead_is_refused_where_it_closes() -> None:
    with pytest.raises(breachrules.RulesetError) as caught:
        breachrules.loads(HEAD + 'fact c: bool\n'
                          'obligation a when c says "o" cite "c"\nobligation b when c says "o" cite "c"\n'
                          'exemption ea to a when c instead b because "m" cite "c"\n'
                          'exemption eb to b when c instead a because "m" cite "c"\n')
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("BR420", 7, 34)
    assert "a → b → a" in diagnostic.message() or "b → a → b" in diagnostic.message()


def test_instead_chains_agree_on_what_replaced_what() -> None:
    rs = breachrules.loads(HEAD + 'fact c: bool\nfact d: bool\n'
                           'obligation a when c says "o" cite "c"\nobligation b says "o" cite "c"\n'
                           'obligation z says "o" cite "c"\n'
                           'exemption ea to a when c instead b because "m" cite "c"\n'
                           'exemption eb to b when d instead z because "m" cite "c"\n')
    for c in (True, False):
        for d in (True, False):
            assessment, _, reference = both(rs, {"c": c, "d": d})
            assert assessment == reference
            assert [o.instead_of for o in assessment.obligations] == [
                o.instead_of for o in reference.obligations]


def test_results_of_the_fast_path_pickle() -> None:
    import pickle
    from datetime import UTC, datetime

    rs = RULESETS["gdpr"]
    incident = {"breach_types": ["confidentiality"], "data_categories": ["health"], "subjects": 1,
                "exposed_to": "outsider", "became_aware_at": "2026-11-20T09:30:00+02:00"}
    for value in (rs.assess(incident), rs.decide({**incident, **{f: None for f in ()}}),
                  rs.report(incident, now=datetime(2026, 11, 21, tzinfo=UTC))):
        assert pickle.loads(pickle.dumps(value)) == value


def test_whole_numbers_cannot_grow_without_bound() -> None:
    """Squaring thirty times built a number of billions of digits: the
    assessment never ended. A product past 10^100 is out of range on both paths."""
    chain = "".join(f"define d{i} = d{i - 1} * d{i - 1}\n" for i in range(1, 31))
    rs = breachrules.loads(HEAD + "fact x: integer\ndefine d0 = x * x\n" + chain
                           + 'rule r when d30 > 0 then risk >= high because "m" cite "c"\n')
    assessment, decision, reference = both(rs, {"x": 10**15})
    assert assessment == decision == reference and reference[:3] == ("error", "d2", "out_of_range")
    assert rs.assess({"x": 1}).risk == "high"


def test_numbers_given_as_whole_json_numbers_cannot_grow_without_bound_either() -> None:
    chain = "".join(f"define d{i} = d{i - 1} * d{i - 1}\n" for i in range(1, 27))
    for fact, first in (("fact x: number", "x"), ("fact x: count", "max(0.5, x)")):
        rs = breachrules.loads(HEAD + f"{fact}\ndefine d0 = {first}\n" + chain
                               + 'rule r when d26 > 5 then risk >= high because "m" cite "c"\n')
        assessment, decision, reference = both(rs, {"x": 10**15})
        assert assessment == decision == reference and reference[2] == "out_of_range"


def test_min_and_max_are_whole_only_when_every_argument_is() -> None:
    rs = breachrules.loads(HEAD + "fact n: count\nfact x: number\ndefine a = max(n, x)\ndefine b = max(x, n)\n")
    types = {d.name: d.type.integral for d in rs.program.defines}
    assert types == {"a": False, "b": False}


def test_generated_code_grows_with_the_ruleset_not_with_its_square() -> None:
    condition = " or ".join(f"x == {i}" for i in range(1_000))
    conclusions = ", ".join(["risk >= high"] * 300)
    text = HEAD + f'fact x: count\ndefine d = {condition}\nrule r when d then {conclusions} because "m" cite "c"\n'
    rs = breachrules.loads(text)  # each conclusion once wrote the whole condition again: 5 MB from 16 KB
    assert len(codegen.generate(rs.program, traced=False)) < 3 * len(text)
    assert rs.decide({"x": 999}).risk == "high" and rs.decide({"x": 1000}).risk == "none"


def test_compiling_a_ruleset_prints_no_python_warnings() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rs = breachrules.loads(HEAD + 'rule q when (5 / 2) is known then risk >= high because "m" cite "c"\n')
    assert rs.decide({}).risk == "high"


# ------------------------------------------------------------------ the generated methods


def test_decide_and_assess_take_any_mapping_and_give_the_same() -> None:
    """A plain dict takes the generated checks; any other mapping (a dict of
    the caller's class, validated facts of another class) the full path."""
    from collections import OrderedDict

    from breachrules.incident import Facts

    class Known(Facts):
        """Validated facts of the caller's own class."""

    incident = {"health": True, **{f: False for f in ("encrypted", "key_lost", "returned", "unintelligible",
                                                      "disproportionate", "retold")},
                "dpc": 3, "cb": 1, "lik": "k", "data": ("health",), "outage": "PT1H",
                "aware": "2026-01-01T00:00:00+00:00"}
    rs = fresh(SMALL)
    facts = rs.validate(incident)
    expected = reference(rs, incident)
    for form in (incident, OrderedDict(incident), facts, Known(facts.known, facts.complete)):
        assert rs.assess(form) == expected
        assert rs.decide(form) == (expected.levels, expected.required)


def fresh(rs: breachrules.Ruleset) -> breachrules.Ruleset:
    """The same ruleset compiled anew (``loads`` may answer from its cache)."""
    from breachrules.ruleset import Ruleset

    return Ruleset(rs.program, rs.sources, rs.catalogs, rs.limits)


def test_a_method_taken_before_the_first_call_is_compiled_once() -> None:
    rs = fresh(SMALL)
    incident = {"health": True, **{f: False for f in ("encrypted", "key_lost", "returned", "unintelligible",
                                                      "disproportionate", "retold")},
                "dpc": 1, "cb": 0, "lik": "r", "data": [], "outage": "PT1H", "aware": "2026-01-01T00:00:00+00:00"}
    decide = rs.decide  # the class's method, bound: it calls the generated function, once compiled
    first = decide(incident)
    function = rs.decide
    assert function is not decide and decide(incident) is first and rs.decide is function
    assert rs.compile() is rs and rs.decide is function  # (compile: now, for both)
    assert rs.assess.__code__.co_filename == "<breachrules small assess>"


def test_facts_of_an_assessment_are_written_in_json_form_on_first_use() -> None:
    import pickle

    rs = RULESETS["small"]
    incident = {"health": True, **{f: False for f in ("encrypted", "key_lost", "returned", "unintelligible",
                                                      "disproportionate", "retold")},
                "dpc": 3, "cb": 1, "lik": "k", "data": ["health", "contact", "health"], "outage": "PT1H",
                "aware": "2026-01-01T00:00:00+02:00"}
    assessment = rs.assess(incident)
    assert "facts" not in vars(assessment)
    incident["data"].append("financial")  # the caller's list changes after the call: the assessment does not
    copied = pickle.loads(pickle.dumps(assessment))
    assert assessment.facts == copied.facts == reference(rs, {**incident, "data": ["health", "contact"]}).facts
    assert assessment.facts["data"] == ["contact", "health"]
    assert assessment.facts["aware"] == "2026-01-01T00:00:00+02:00" and assessment.facts["outage"] == "PT1H"
    assert list(assessment.facts) == list(rs.facts)  # in the order of the declarations
    assert "facts" in vars(assessment) and isinstance(assessment.facts, dict)
    with pytest.raises(AttributeError):
        assessment.no_such_field  # type: ignore[attr-defined]  # noqa: B018


def test_a_large_program_reads_its_rules_through_an_index() -> None:
    """Rules grouped under the test they open with, each subject read once,
    thresholds under the loosest; definitions computed where read."""
    from unittest import mock

    text = HEAD + """fact n: count
fact b: bool
fact k: {p, q, r}
fact s: set of {x, y}
define big = n > 100 and b
rule r1 when n > 10 and b then risk >= risk because "m" cite "c"
rule r2 when n >= 50 then risk >= high because "m" cite "c"
rule r3 when k == q or x in s then risk >= risk because "m" cite "c"
rule r4 when big and k == p then risk >= high because "m" cite "c"
rule r5 when big and not b then risk >= high because "m" cite "c"
obligation o when risk >= high and b says "o" cite "c"
"""
    with mock.patch.object(codegen, "_DUAL_SIZE", -1):
        rs = fresh(breachrules.loads(text))
        source = codegen.generate(rs.program, traced=False)
        for n in (0, 11, 50, 101):
            for b in (False, True):
                for k in ("p", "q", "r"):
                    incident = {"n": n, "b": b, "k": k, "s": ["x"] if n % 2 else []}
                    expected = reference(rs, incident)
                    assert rs.decide(incident) == (expected.levels, expected.required)
    # r1, r2, r4 and r5 (through big) under n, each read once, under the loosest threshold
    assert "\n        g = f2_n\n        if g >= 10:\n            if g > 10:\n" in source
    assert "\n        g = f['s']\n        if g:\n            if 'x' in g:\n" in source  # x in s
    assert "def _d0_big(f, m):" in source and "\n        rq = 0\n        g = o0_risk\n" in source
