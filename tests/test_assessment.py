"""Assessments: the JSON round trip, completeness, and deadlines as instants."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import breachrules
from breachrules import Assessment
from breachrules.durations import parse_iso_duration
from breachrules.testing import incidents

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = sorted((ROOT / "examples").glob("*.json"))
GDPR = breachrules.bundled("gdpr")

UTC = UTC


def json_round_trip(a: Assessment) -> Assessment:
    return Assessment.from_dict(json.loads(json.dumps(a.to_dict())))


# ---------------------------------------------------------------- strategies

ZONES = [ZoneInfo("Europe/Helsinki"), ZoneInfo("America/New_York"), UTC, timezone(-timedelta(hours=9, minutes=30))]


def python_forms(incident: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The same incident, some of its instants and durations as the Python
    objects an application may pass instead (an aware ``datetime``, in a
    zone or at an offset; a ``timedelta``): both forms must assess, and
    round-trip, alike."""
    forms: dict[str, st.SearchStrategy[Any]] = {}
    for name, value in incident.items():
        kind = GDPR.facts[name].type.kind
        if kind == "datetime" and isinstance(value, str):
            moment = datetime.fromisoformat(value)
            forms[name] = st.one_of(st.just(value), st.sampled_from(ZONES).map(moment.astimezone))
        elif kind == "duration" and isinstance(value, str):
            forms[name] = st.sampled_from([value, parse_iso_duration(value)])
        else:
            forms[name] = st.just(value)
    return st.fixed_dictionaries(forms)


def gdpr_incidents(*, complete: bool) -> st.SearchStrategy[dict[str, Any]]:
    return incidents(GDPR, complete=complete).flatmap(python_forms)


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_round_trip_of_every_example(example: Path) -> None:
    a = GDPR.assess(json.loads(example.read_text(encoding="utf-8")))
    b = json_round_trip(a)
    assert b == a
    assert b.to_dict() == a.to_dict()


@given(gdpr_incidents(complete=False))
def test_round_trip_of_generated_incidents(incident: dict[str, Any]) -> None:
    a = GDPR.assess(incident)
    assert json_round_trip(a) == a


def test_round_trip_changes_are_noticed() -> None:
    # The round-trip property is only worth something if equality looks at the content.
    a = GDPR.assess(json.loads((ROOT / "examples" / "contact-list-leak.json").read_text()))
    doc = json.loads(json.dumps(a.to_dict()))
    doc["obligations"][1]["due"] = "2026-06-05T13:00:01+03:00"
    assert Assessment.from_dict(doc) != a
    doc = json.loads(json.dumps(a.to_dict()))
    doc["trace"][0]["span"]["line"] += 1
    assert Assessment.from_dict(doc) != a


@pytest.mark.parametrize("schema", [
    "breachrules.assessment/4", "breachrules.record/3", "", None, "breachrules.assessment"])
def test_from_dict_refuses_a_wrong_schema(schema: Any) -> None:
    a = GDPR.assess(json.loads((ROOT / "examples" / "partial-facts.json").read_text()))
    doc = a.to_dict()
    doc["schema"] = schema
    with pytest.raises(ValueError, match="schema"):
        Assessment.from_dict(doc)
    del doc["schema"]
    with pytest.raises(ValueError, match="schema"):
        Assessment.from_dict(doc)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_explain_after_round_trip(example: Path, lang: str) -> None:
    a = GDPR.assess(json.loads(example.read_text(encoding="utf-8")))
    b = json_round_trip(a)
    assert b.explain(lang) == a.explain(lang)
    titles = {
        "fi": "Henkilötietojen tietoturvaloukkaukset",
        "sv": "Personuppgiftsincidenter",
        "en": "GDPR personal data breaches: baseline risk assessment",
    }
    assert b.explain(lang).startswith(titles[lang])


def test_explain_after_round_trip_of_a_ruleset_loaded_by_path() -> None:
    rs = breachrules.load(ROOT / "rulesets" / "gdpr.rules")
    a = rs.assess(json.loads((ROOT / "examples" / "misdirected-health-email.json").read_text()))
    assert json_round_trip(a).explain("sv") == a.explain("sv")


def test_facts_are_the_json_form_of_the_incident() -> None:
    a = GDPR.assess({
        "became_aware_at": datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=2))),
        "breach_types": ["integrity", "availability"],
        "restore_time": timedelta(hours=30),
        "subjects": 12,
    })
    assert a.facts == {
        "became_aware_at": "2026-11-20T09:30:00+02:00",
        "breach_types": ["availability", "integrity"],
        "restore_time": "P1DT6H",
        "subjects": 12,
        "encryption": "none",
        "identifiability": "direct",
        "significance": "significant",
        "high_risk_averted": False,
        "contact_disproportionate": False,
        "role": "controller",
    }


@pytest.mark.parametrize("restore_time", [
    "PT24H0.000001S", "PT25H0.1234567S", "PT30H", "P1000000DT0.000007S"])
def test_facts_json_form_reassesses_the_same(restore_time: str) -> None:
    # ``facts`` is "the incident as validated, in its JSON form": feeding it back
    # must give the same assessment, also for fractional seconds.
    incident = {
        "became_aware_at": "2026-03-14T04:45:00+02:00",
        "breach_types": ["availability"],
        "data_categories": ["health"],
        "restoration": "complete",
        "restore_time": restore_time,
    }
    a = GDPR.assess(incident)
    assert GDPR.validate(a.facts)["restore_time"] == GDPR.validate(incident)["restore_time"]
    assert GDPR.assess(a.facts) == a


# ---------------------------------------------------------------- complete incidents

COMPLETE = {
    "became_aware_at": "2026-11-20T09:30:00+02:00",
    "breach_types": ["confidentiality"],
    "data_categories": ["identity_number"],
    "subjects": 40,
    "vulnerable_subjects": False,
    "malicious": False,
    "exposed_to": "outsider",
    "recipients": 1,
    "retrieval": "not_retrieved",
    "exposure_time": "PT2H",
    "detection_delay": "PT1H",
    "encryption": "weak",
    "key_compromised": False,
    "identifiability": "direct",
    "significance": "significant",
    "password_hashing": "state_of_the_art",
    "hash_secret_compromised": False,
    "restoration": "complete",
    "restore_time": "PT0S",
    "wrong_data_use": "unused",
    "high_risk_averted": False,
    "contact_disproportionate": False,
    "role": "controller",
    "possible_harms": [],
    "authority_notified_at": "2026-11-21T10:00:00+02:00",
    "delay_reason": "",
    "breach_description": "A list of identity codes was e-mailed to a wrong customer.",
    "records": 40,
    "subject_categories": "customers",
    "contact_point": "DPO, dpo@example.fi",
    "consequences_description": "Possible identity fraud.",
    "measures_taken": "The recipient was asked to delete the message.",
    "advice_to_subjects": "Watch your credit information.",
    "subjects_informed_at": "2026-11-22T10:00:00+02:00",
}


def test_complete_incident_covers_every_fact() -> None:
    assert set(COMPLETE) == set(GDPR.facts)


def test_all_facts_known_is_not_provisional() -> None:
    a = GDPR.assess(COMPLETE)
    assert a.provisional is False
    assert a.open_questions == ()
    assert dict(a.levels) == dict(a.certain_levels)
    assert all(ob.certain for ob in a.obligations)
    # identity_number + outsider: severity medium, likelihood likely -> risk
    assert a.risk == "risk"
    assert a.required == ("document", "notify_authority")


@given(gdpr_incidents(complete=True))
def test_generated_complete_incidents_are_never_provisional(incident: dict[str, Any]) -> None:
    a = GDPR.assess(incident)
    assert a.provisional is False
    assert a.open_questions == ()
    assert dict(a.levels) == dict(a.certain_levels)
    assert all(ob.certain for ob in a.obligations)
    assert all(entry.certain for entry in a.trace)
    decision = GDPR.decide(incident)
    assert dict(decision.levels) == dict(a.levels)
    assert decision.required == a.required


def test_missing_facts_are_provisional() -> None:
    # Contact data lost to an unknown party: low severity; whether it was
    # malicious decides between a remote-ish "possible" (no risk) and "likely" (risk).
    incident = {k: v for k, v in COMPLETE.items() if k != "malicious"}
    incident.update(exposed_to="unknown_party", data_categories=["contact"])
    a = GDPR.assess(incident)
    assert a.provisional is True
    assert [q.fact for q in a.open_questions] == ["malicious"]
    assert [q.question for q in a.open_questions] == ["question.malicious"]
    assert (a.certain_levels["risk"], a.risk) == ("none", "risk")
    assert a.obligation("notify_authority").required is True
    assert a.obligation("notify_authority").certain is False
    assert GDPR.assess({**incident, "malicious": False}).risk == "none"
    assert GDPR.assess({**incident, "malicious": True}).risk == "risk"


def test_facts_not_read_leave_no_open_question() -> None:
    # With identity numbers, the risk is "risk" whether or not the act was malicious.
    incident = {k: v for k, v in COMPLETE.items() if k != "malicious"}
    incident["exposed_to"] = "unknown_party"
    a = GDPR.assess(incident)
    assert a.risk == "risk"
    assert a.provisional is False
    assert a.open_questions == ()


# ---------------------------------------------------------------- deadlines

HEALTH_LEAK = {
    "breach_types": ["confidentiality"],
    "data_categories": ["health"],
    "subjects": 5,
    "vulnerable_subjects": False,
    "malicious": False,
    "exposed_to": "public",
}


def _due_line(text: str) -> str:
    lines = [line.strip().replace("\u202f", " ") for line in text.splitlines()]
    cited = ("Art. 33(1)", "33 artiklan 1 kohta", "artikel 33.1")  # as en, fi and sv cite it
    index = next(i for i, line in enumerate(lines) if any(c in line for c in cited) and line.startswith("- "))
    # "[x] Short name: status" over "- Long text [cites]": the status with the cites
    status = lines[index - 1].split(": ", 1)[1].split("; ", 1)[1]  # after "Required; "
    return f"{status[0].upper()}{status[1:]} [{lines[index].rsplit(' [', 1)[1]}"


def test_due_instant_across_the_spring_dst_change() -> None:
    # Finland moves to summer time on 29 March 2026; 72 hours are 72 hours.
    a = GDPR.assess({**HEALTH_LEAK, "became_aware_at": "2026-03-27T10:00:00+02:00"})
    due = a.obligation("notify_authority").due
    assert due is not None
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert due - datetime(2026, 3, 27, 8, 0, tzinfo=UTC) == timedelta(hours=72)
    assert due.astimezone(ZoneInfo("Europe/Helsinki")).hour == 11


def test_due_instant_from_a_zoneinfo_datetime_across_dst() -> None:
    # The same moment given as a Python datetime in the Helsinki zone must give
    # the same deadline: 72 elapsed hours, not 72 hours of wall-clock time.
    aware = datetime(2026, 3, 27, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    a = GDPR.assess({**HEALTH_LEAK, "became_aware_at": aware})
    due = a.obligation("notify_authority").due
    assert due is not None
    # (subtract in UTC: Python subtracts wall-clock times when both share a tzinfo)
    assert due.astimezone(UTC) - aware.astimezone(UTC) == timedelta(hours=72)
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    doc = a.to_dict()
    assert doc["obligations"][1]["id"] == "notify_authority"
    assert datetime.fromisoformat(doc["obligations"][1]["due"]) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_explain_renders_the_dst_deadline_in_finnish() -> None:
    a = GDPR.assess({**HEALTH_LEAK, "became_aware_at": "2026-03-27T10:00:00+02:00"})
    line = _due_line(a.explain("fi"))
    assert "11.00" in line
    assert "30." in line and "2026" in line


def test_explain_renders_deadline_in_helsinki_by_default_and_other_zones_on_request() -> None:
    a = GDPR.assess({**HEALTH_LEAK, "became_aware_at": "2026-03-27T10:00:00+02:00"})
    assert _due_line(a.explain("en")) == (
        "Due on Monday, March 30, 2026 at 11:00 AM Finnish time "
        "[GDPR Art. 33(1); GDPR Art. 33(3); GDPR Art. 33(4)]"
    )
    assert a.explain("en") == a.explain("en", "Europe/Helsinki")
    assert _due_line(a.explain("en", "UTC")) == (
        "Due on Monday, March 30, 2026 at 8:00 AM (Coordinated Universal Time) "
        "[GDPR Art. 33(1); GDPR Art. 33(3); GDPR Art. 33(4)]"
    )
    # New York is already on daylight time (since 8 March): UTC-4.
    assert _due_line(a.explain("en", "America/New_York")) == (
        "Due on Monday, March 30, 2026 at 4:00 AM (Eastern Daylight Time) "
        "[GDPR Art. 33(1); GDPR Art. 33(3); GDPR Art. 33(4)]"
    )
    # Tokyo: UTC+9, no daylight saving.
    assert "5:00 PM" in _due_line(a.explain("en", "Asia/Tokyo"))


def test_explain_timezone_moves_the_date_too() -> None:
    # 23:30 UTC is already the next day in Helsinki.
    a = GDPR.assess({**HEALTH_LEAK, "became_aware_at": "2026-11-20T23:30:00+00:00"})
    assert "Tuesday, November 24, 2026 at 1:30 AM" in _due_line(a.explain("en"))
    assert "Monday, November 23, 2026 at 11:30 PM" in _due_line(a.explain("en", "UTC"))
    assert re.search(r"(?<![\d.])23\.30(?![\d.])", _due_line(a.explain("fi", "UTC")))
    assert re.search(r"(?<![\d.])1\.30(?![\d.])", _due_line(a.explain("fi")))


def test_prose_names_rules_and_duties_by_their_short_names_never_by_their_labels() -> None:
    incident = json.loads((ROOT / "examples" / "misdirected-health-email.json").read_text(encoding="utf-8"))
    incident = {**incident, "contact_disproportionate": True}
    a = GDPR.assess({k: v for k, v in incident.items() if k != "authority_notified_at"})
    assert a.obligation("communicate_subjects").exempted_by == "art34_3_c_disproportionate_effort"
    program = GDPR.program
    labels = {*program.rules, *program.exemptions, *(o.name for o in program.obligations)}
    expected = {
        "fi": ("Ei pakollinen, koska vapautus ”kohtuuton vaiva” soveltuu",
               "velvoitteen ”ilmoitus rekisteröidyille” sijaan",
               "Vapautus velvoitteesta ”ilmoitus rekisteröidyille”:", "gdpr, rivi "),
        "sv": ("Krävs inte, eftersom befrielsen ”oproportionell ansträngning” är tillämplig",
               "i stället för skyldigheten ”information till de registrerade”", "gdpr, rad "),
        "en": ("Not required because the exemption “disproportionate effort” applies",
               "instead of “communication to the data subjects”", "gdpr, line "),
    }
    for locale, phrases in expected.items():
        text = a.explain(locale)
        assert [p for p in phrases if p not in text] == [], locale
        assert [label for label in labels if re.search(rf"\b{label}\b", text)] == [], locale
        assert ".rules" not in text
