"""The bundled ``enisa`` ruleset computes ENISA's severity as the methodology says.

The oracle here is ENISA's arithmetic written out by hand from
``shared/domain/enisa-2013.md``, in exact fractions: SE = DPC x EI + CB, the
DPC basic score moved by whole steps and kept within 1 to 4, the bands at 2,
3 and 4. Every case file and random complete incidents are held to it, on
both evaluation paths, and the explanation shows the same arithmetic in
each language.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import breachrules
from breachrules import cases, interpreter
from tests.conftest import ROOT

ENISA = breachrules.bundled("enisa")
CASES = sorted((ROOT / "rulesets" / "cases" / "enisa").glob("*.toml"))

# enisa-2013.md §2, §3, §4
BASIC = {"simple": 1, "behavioural": 2, "financial": 3, "sensitive": 4}
EI = {"negligible": Fraction(1, 4), "limited": Fraction(1, 2), "significant": Fraction(3, 4), "maximum": Fraction(1)}
CB = {
    "loss_of_confidentiality": {"none": 0, "known_recipients": Fraction(1, 4), "unknown_recipients": Fraction(1, 2)},
    "loss_of_integrity": {"none": 0, "recoverable": Fraction(1, 4), "irrecoverable": Fraction(1, 2)},
    "loss_of_availability": {"none": 0, "temporary": Fraction(1, 4), "full": Fraction(1, 2)},
    "malicious_intent": {"not_malicious": 0, "malicious": Fraction(1, 2)},
}
UP = ("volume_of_data", "controller_characteristics", "individual_characteristics")
DOWN = ("invalid_or_inaccurate", "publicly_available", "reveals_less")


def severity(facts: dict[str, Any]) -> tuple[Fraction, str]:
    """SE and its band, by hand."""
    dpc = BASIC[facts["data_category"]] + sum(facts.get(f, 0) for f in UP) - sum(facts.get(f, 0) for f in DOWN)
    dpc = max(1, min(4, dpc))
    se = dpc * EI[facts["ease_of_identification"]] + sum(CB[f][facts[f]] for f in CB)
    band = "low" if se < 2 else "medium" if se < 3 else "high" if se < 4 else "very_high"
    return se, band


def incidents() -> st.SearchStrategy[dict[str, Any]]:
    steps = st.integers(0, 3)
    return st.fixed_dictionaries({
        "data_category": st.sampled_from(sorted(BASIC)),
        "ease_of_identification": st.sampled_from(sorted(EI)),
        **{fact: st.sampled_from(sorted(levels)) for fact, levels in CB.items()},
        **{fact: steps for fact in (*UP, *DOWN)},
    })


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_case_is_enisa_s_arithmetic(path: Any) -> None:
    ruleset, found = cases.load(path)
    assert ruleset.name == "enisa"
    for case in found:
        se, band = severity(dict(case.facts))
        assert case.expect.levels["risk"] == band, case.name  # the file says what the method says
        assessed = ENISA.assess(dict(case.facts))
        assert Fraction(assessed.values["se"]) == se and assessed.risk == band, case.name


@settings(max_examples=300, deadline=None)
@given(incident=incidents())
def test_any_incident_is_scored_as_the_method_says_on_both_paths(incident: dict[str, Any]) -> None:
    se, band = severity(incident)
    fast = ENISA.assess(incident)
    known = ENISA.validate(incident).known
    slow = ENISA._static.assessment(interpreter.evaluate(ENISA.program, known), ENISA._static.facts_json(known))
    assert fast == slow
    assert Fraction(fast.values["se"]) == se
    assert fast.risk == band and not fast.provisional


def test_the_explanation_shows_the_arithmetic_in_each_language() -> None:
    incident = {"data_category": "sensitive", "ease_of_identification": "significant",
                "loss_of_confidentiality": "none", "loss_of_integrity": "none",
                "loss_of_availability": "temporary", "malicious_intent": "malicious"}
    a = ENISA.assess(incident)
    assert a.values == {"dpc_basic": 4, "dpc_raised": 0, "dpc_lowered": 0, "dpc": 4, "ei": 0.75,
                        "initial_severity": 3.0, "cb_confidentiality": 0, "cb_integrity": 0,
                        "cb_availability": 0.25, "cb_malicious": 0.5, "cb": 0.75, "se": 3.75,
                        "severity_band": 3.75}
    assert "SE = DPC × EI + CB = 4 × 0.75 + 0.75 = 3.75." in a.explain("en")
    assert "- Severity (ENISA): high" in a.explain("en")
    assert "SE = DPC × EI + CB = 4 × 0,75 + 0,75 = 3,75." in a.explain("fi")
    assert "- Vakavuus (ENISA): korkea" in a.explain("fi")
    assert "SE = DPC × EI + CB = 4 × 0,75 + 0,75 = 3,75." in a.explain("sv")
    assert "- Allvarlighetsgrad (ENISA): hög" in a.explain("sv")
    # what is not in the formula is said, and no duty is made of the band
    assert "The number of individuals affected and whether the data were unintelligible" in a.explain("en")
    assert a.obligations == () and "The ruleset sets no obligations" in a.explain("en")


def test_an_unknown_element_leaves_the_severity_open_and_is_asked() -> None:
    a = ENISA.assess({"data_category": "financial", "ease_of_identification": "maximum",
                      "loss_of_confidentiality": "unknown_recipients"})
    assert a.provisional and (a.certain_levels["risk"], a.risk) == ("low", "very_high")
    assert [q.fact for q in a.open_questions] == ["loss_of_availability", "loss_of_integrity", "malicious_intent"]
    assert a.values["cb"] is None and a.values["dpc"] == 3
    assert "= 3 × 1 + unknown = unknown." in a.explain("en")


def test_a_stored_record_shows_the_same_numbers_again() -> None:
    from datetime import datetime

    from breachrules.report import Report

    incident = {"data_category": "behavioural", "volume_of_data": 1, "ease_of_identification": "limited",
                "loss_of_confidentiality": "known_recipients", "loss_of_integrity": "none",
                "loss_of_availability": "none", "malicious_intent": "not_malicious"}
    report = ENISA.report(incident, now=datetime.fromisoformat("2026-11-22T12:00:00+02:00"))
    stored = report.to_dict()
    assert stored["assessment"]["values"]["se"] == 1.75
    again = ENISA.read_report(stored)
    for lang in ("fi", "sv", "en"):
        assert again.to_markdown(lang) == report.to_markdown(lang)
    assert "3 × 0,5 + 0,25 = 1,75" in Report.from_dict(stored).to_markdown("fi")
