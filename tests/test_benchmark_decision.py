"""The benchmark decision in the language (benchmarks/decision.rules) agrees
with the hand-written function (benchmarks/handwritten.py) on seeded random
incidents. No timing here: benchmarks/run.py does that."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import breachrules

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
OBLIGATIONS = ("notify_authority", "communicate_subjects", "document")


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


handwritten = _module("handwritten")
incidents = _module("incidents")


@pytest.fixture(scope="module")
def ruleset() -> breachrules.Ruleset:
    return breachrules.load(BENCHMARKS / "decision.rules")


def _shape(risk: str, required: tuple[str, ...]) -> tuple[str, bool, bool, bool]:
    return (risk, *(name in required for name in OBLIGATIONS))  # type: ignore[return-value]


def test_ruleset_identity(ruleset: breachrules.Ruleset) -> None:
    assert ruleset.name == "benchmark_decision"
    assert set(ruleset.facts) == {
        "breach_types", "data_categories", "subjects", "vulnerable_subjects", "malicious",
        "exfiltration", "encrypted", "key_compromised", "backup_available", "restored_hours",
        "recipient_trusted", "data_retrieved",
    }


def test_incidents_are_seeded_and_valid(ruleset: breachrules.Ruleset) -> None:
    first = incidents.random_incidents(200, seed=7)
    assert first == incidents.random_incidents(200, seed=7)
    assert first != incidents.random_incidents(200, seed=8)
    for incident in first:
        assert incident["breach_types"] and incident["data_categories"]
        assert incident["subjects"] >= 1
        assert isinstance(incident["restored_hours"], float) and incident["restored_hours"] >= 0
        assert ruleset.validate(incident).complete


def test_agrees_with_handwritten(ruleset: breachrules.Ruleset) -> None:
    seen = set()
    for incident in incidents.random_incidents(500, seed=2026):
        expected = handwritten.decide(incident)
        seen.add(expected[0])
        decision = ruleset.decide(incident)
        assert _shape(decision.risk, decision.required) == expected, incident
        on_facts = ruleset.decide(ruleset.validate(incident))
        assert _shape(on_facts.risk, on_facts.required) == expected, incident
        assessment = ruleset.assess(incident)
        assert _shape(assessment.risk, assessment.required) == expected, incident
        for kind in (set, tuple, frozenset):  # sets as benchmarks/run.py gives them too
            given = {name: kind(value) if isinstance(value, list) else value for name, value in incident.items()}
            decision = ruleset.decide(given)
            assert _shape(decision.risk, decision.required) == expected, given
    assert seen == {"none", "risk", "high"}  # the sample exercises every level


@pytest.mark.parametrize(("changes", "risk"), [
    ({}, "none"),
    ({"breach_types": ["integrity"]}, "risk"),  # R2
    ({"breach_types": ["confidentiality"]}, "risk"),  # R1
    ({"breach_types": ["confidentiality"], "data_categories": ["health"]}, "high"),  # H1
    ({"breach_types": ["confidentiality"], "vulnerable_subjects": True}, "high"),  # H4
    ({"breach_types": ["confidentiality"], "data_categories": ["health"],
      "encrypted": "state_of_the_art"}, "none"),  # D1
    ({"breach_types": ["confidentiality"], "data_categories": ["health"],
      "encrypted": "state_of_the_art", "key_compromised": True}, "high"),
    ({"breach_types": ["confidentiality"], "data_categories": ["health"],
      "recipient_trusted": True, "data_retrieved": True}, "none"),  # D3
    ({"breach_types": ["availability"], "data_categories": ["health"],
      "restored_hours": 24.0}, "risk"),  # R3, not H2: "> 24"
    ({"breach_types": ["availability"], "data_categories": ["health"],
      "restored_hours": 24.5}, "high"),  # H2
    ({"breach_types": ["availability"], "restored_hours": 4.0}, "none"),  # "> 4"
    ({"breach_types": ["availability"], "backup_available": False}, "risk"),  # R3
    ({"malicious": True, "exfiltration": True, "subjects": 101}, "high"),  # H3
    ({"malicious": True, "exfiltration": True, "subjects": 100}, "none"),
])
def test_worked_cases(ruleset: breachrules.Ruleset, changes: dict[str, object], risk: str) -> None:
    incident: dict[str, object] = {
        "breach_types": ["availability"], "data_categories": ["contact"], "subjects": 10,
        "vulnerable_subjects": False, "malicious": False, "exfiltration": False,
        "encrypted": "none", "key_compromised": False, "backup_available": True,
        "restored_hours": 1.0, "recipient_trusted": False, "data_retrieved": False,
        **changes,
    }
    assert handwritten.decide(incident)[0] == risk
    assert ruleset.decide(incident).risk == risk


def test_the_first_use_benchmark_times_the_paths_it_names() -> None:
    """benchmarks/first_use.py times the generated path with its complete
    incident and the interpreter with its partial one: a fact added to gdpr
    would otherwise turn the first into a second timing of the interpreter."""
    import ast

    first_use = _module("first_use")
    gdpr = breachrules.bundled("gdpr")
    assert gdpr.validate(ast.literal_eval(first_use.COMPLETE)).complete
    assert not gdpr.validate(ast.literal_eval(first_use.PARTIAL)).complete
