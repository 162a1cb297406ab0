"""The ``breachrules`` command, run as a separate process, as a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from breachrules.exits import ExitCode

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))
GDPR_RULES = ROOT / "rulesets" / "gdpr.rules"

ALLOWED_CATEGORIES = (
    "'contact', 'identity_number', 'identity_attributes', 'financial', 'health', 'special_category', "
    "'criminal', 'credentials_hashed', 'credentials_plain', 'children', 'location', 'employment', 'other'"
)


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BREACHRULES_LANG", "LC_ALL", "LANG")}
    return subprocess.run(
        [sys.executable, "-m", "breachrules.cli", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd or ROOT, env=env, timeout=60,
    )


NOW = "2026-11-21T12:00:00+02:00"  # --now, for output that does not depend on the clock


def assessment_of(stdout: str) -> dict[str, Any]:
    """The assessment inside the documentation record that --format json prints."""
    record = json.loads(stdout)
    assert record["schema"] == "breachrules.record/4"
    assessment: dict[str, Any] = record["assessment"]
    return assessment


def test_examples_exist() -> None:
    assert len(EXAMPLE_FILES) == 5


# What each bundled example must come to, worked out by hand from rulesets/gdpr.rules.
EXPECTED = {
    "contact-list-leak": dict(
        risk="risk", provisional=False, required={"document", "notify_authority"},
        notify_due="2026-06-05T13:00:00+03:00",
    ),
    "misdirected-health-email": dict(
        risk="high", provisional=False,
        required={"document", "notify_authority", "communicate_subjects"},
        notify_due="2026-11-23T09:30:00+02:00",
    ),
    "partial-facts": dict(
        risk="high", provisional=True,
        required={"document", "notify_authority", "communicate_subjects"},
        notify_due="2026-01-15T08:15:00+02:00",
    ),
    "ransomware-hospital-30h": dict(
        risk="high", provisional=False,
        required={"document", "notify_authority", "communicate_subjects"},
        notify_due="2026-03-17T04:45:00+02:00",
    ),
    "stolen-encrypted-laptop": dict(
        risk="none", provisional=False, required={"document"}, notify_due=None,
    ),
}


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_assess_json(example: Path) -> None:
    result = run("assess", example, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    doc = assessment_of(result.stdout)
    expected = EXPECTED[example.stem]
    assert doc["schema"] == "breachrules.assessment/3"
    assert doc["ruleset"] == "gdpr"
    assert doc["risk"] == expected["risk"]
    assert doc["provisional"] is expected["provisional"]
    assert isinstance(doc["open_questions"], list)
    assert bool(doc["open_questions"]) is expected["provisional"]
    for question in doc["open_questions"]:
        assert set(question) >= {"fact", "question"}
    obligations = {ob["id"]: ob for ob in doc["obligations"]}
    assert set(obligations) == {"document", "notify_authority", "communicate_subjects",
                                "public_communication", "inform_controller"}
    for ob in doc["obligations"]:
        assert {"id", "required", "due"} <= set(ob)
        assert isinstance(ob["required"], bool)
    assert {i for i, ob in obligations.items() if ob["required"]} == expected["required"]
    due = obligations["notify_authority"]["due"]
    assert due == expected["notify_due"]
    assert isinstance(doc["trace"], list)
    for entry in doc["trace"]:
        assert entry["span"]["file"] == "gdpr.rules"  # its name: never a path on the machine that assessed
        assert entry["kind"] in ("rule", "exception", "exemption")
    # something raised the risk, so something is in the trace (a rule may also
    # raise a level that leaves the risk at "none", such as the number of people)
    if expected["risk"] != "none":
        assert doc["trace"]


def test_partial_facts_open_questions_in_json() -> None:
    result = run("assess", EXAMPLES / "partial-facts.json", "--format", "json")
    doc = assessment_of(result.stdout)
    assert sorted(q["fact"] for q in doc["open_questions"]) == [
        "detection_delay", "key_compromised", "malicious", "possible_harms", "subjects", "vulnerable_subjects"]
    assert doc["certain_levels"]["risk"] == "none"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_assess_text(example: Path) -> None:
    result = run("assess", example)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "GDPR personal data breaches: baseline risk assessment (version 2027.1)"
    risk_words = {"none": "no risk", "risk": "risk", "high": "high risk"}
    assert f"- Risk level: {risk_words[EXPECTED[example.stem]['risk']]}" in lines
    assert ("PROVISIONAL" in result.stdout) is EXPECTED[example.stem]["provisional"]
    assert "Obligations" in lines


def test_assess_text_shows_due_in_helsinki_time() -> None:
    result = run("assess", EXAMPLES / "contact-list-leak.json")
    due_lines = [line.strip().removeprefix("- ").replace("\u202f", " ") for line in result.stdout.splitlines()
                 if line.strip().startswith("- Due ")]
    assert due_lines[:1] == ["Due on Friday, June 5, 2026 at 1:00 PM Finnish time"]
    assert ("[x] Notification to the supervisory authority: Required; due on Friday, June 5, 2026"
            " at 1:00 PM Finnish time" in result.stdout.replace("\u202f", " "))


def test_assess_timezone_option() -> None:
    result = run("assess", EXAMPLES / "contact-list-leak.json", "--timezone", "UTC")
    assert result.returncode == 0, result.stderr
    text = result.stdout.replace("\u202f", " ")
    assert "Due on Friday, June 5, 2026 at 10:00 AM (Coordinated Universal Time)" in text


def test_languages_give_different_text() -> None:
    example = EXAMPLES / "misdirected-health-email.json"
    out = {lang: run("assess", example, "--lang", lang) for lang in ("fi", "sv", "en")}
    for lang, result in out.items():
        assert result.returncode == 0, (lang, result.stderr)
    assert len({r.stdout for r in out.values()}) == 3
    # The ruleset's own words, from its catalogs
    assert "Dokumentoikaa tietoturvaloukkaus" in out["fi"].stdout
    assert "Dokumentera personuppgiftsincidenten" in out["sv"].stdout
    assert "Document the breach" in out["en"].stdout
    assert "korkea riski" in out["fi"].stdout
    assert "hög risk" in out["sv"].stdout
    assert "high risk" in out["en"].stdout
    # The frame of the explanation must be in the language too: no bare message ids.
    assert out["fi"].stdout.splitlines()[0].startswith("Henkilötietojen tietoturvaloukkaukset")
    assert out["fi"].stdout.splitlines()[0].endswith("2027.1)")
    assert out["sv"].stdout.splitlines()[0].startswith("Personuppgiftsincidenter")
    assert out["sv"].stdout.splitlines()[0].endswith("2027.1)")
    for lang in ("fi", "sv"):
        leaked = [w for w in out[lang].stdout.split() if w.startswith(("explain.", "scale.", "reason."))]
        assert leaked == [], (lang, leaked)


def _bad(tmp_path: Path, content: str, name: str = "incident.json") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


BAD_INCIDENTS = {
    "wrong_value": (
        {"breach_types": ["confidentiality"], "data_categories": ["contact", "helth"]},
        f"$.data_categories[1]: 'helth' is not one of {ALLOWED_CATEGORIES}; did you mean 'health'?",
    ),
    "unknown_fact": (
        {"breach_types": ["confidentiality"], "subject": 3},
        "$.subject: 'subject' is not a fact of the ruleset gdpr; did you mean 'subjects'?",
    ),
    "naive_datetime": (
        {"became_aware_at": "2026-11-20T09:30:00"},
        "$.became_aware_at: '2026-11-20T09:30:00' has no time zone; deadlines run from an exact "
        "instant, so write it as in \"2026-11-20T09:30:00+02:00\"",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INCIDENTS))
def test_bad_incident_exits_3(tmp_path: Path, case: str) -> None:
    incident, message = BAD_INCIDENTS[case]
    path = _bad(tmp_path, json.dumps(incident))
    result = run("assess", path)
    assert result.returncode == ExitCode.INPUT
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"{path} does not fit the ruleset:", message]


def test_bad_incident_reports_every_problem(tmp_path: Path) -> None:
    path = _bad(tmp_path, json.dumps({"subjects": 0, "malicious": 1, "restore_time": "30h"}))
    result = run("assess", path)
    assert result.returncode == ExitCode.INPUT
    assert result.stdout == ""
    paths = [line.split(":")[0] for line in result.stderr.splitlines()[1:]]
    assert sorted(paths) == ["$.malicious", "$.restore_time", "$.subjects"]


def test_not_json_exits_3(tmp_path: Path) -> None:
    path = _bad(tmp_path, '{"breach_types": ["confidentiality"],')
    result = run("assess", path)
    assert result.returncode == ExitCode.INPUT
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path} is not valid JSON or TOML: ")
    assert "Traceback" not in result.stderr


def test_incident_that_is_not_an_object_exits_3(tmp_path: Path) -> None:
    path = _bad(tmp_path, '["confidentiality"]')
    result = run("assess", path)
    assert result.returncode == ExitCode.INPUT
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path} does not fit the ruleset:",
        "$: an incident is an object mapping fact names to values, but this is a list",
    ]


def test_incident_not_utf8_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "incident.json"
    path.write_bytes(b'{"subjects": "\xff\xfe"}')
    result = run("assess", path)
    assert "Traceback" not in result.stderr
    assert result.returncode == ExitCode.INPUT
    assert result.stdout == ""
    assert str(path) in result.stderr


def test_missing_file_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    result = run("assess", path)
    assert result.returncode == ExitCode.INPUT
    assert result.stdout == ""
    assert result.stderr.strip() == f"cannot read {path}: no such file or directory"
    finnish = run("assess", path, "--lang", "fi")
    assert finnish.stderr.strip() == f"tiedostoa {path} ei voi lukea: tiedostoa tai hakemistoa ei ole"


# argparse's, the operating system's and the JSON decoder's words are English;
# a Finnish or Swedish reader gets none of them
ENGLISH = re.compile(r"usage|positional arguments|options|show this help|required|error|invalid choice|"
                     r"No such file|Expecting|line \d+ column|COMMAND|RULESET|TIMEZONE")


@pytest.mark.parametrize("locale", ["fi", "sv"])
@pytest.mark.parametrize("args", [
    ["--help"], ["assess", "--help"], ["check", "--help"], ["test", "--help"], ["diff", "--help"],
    ["assess"], ["bogus"], ["assess", "x.json", "--format", "pdf"], ["assess", "x.json", "--unknown"],
    ["assess", "{missing}"], ["assess", "{directory}"], ["assess", "{bad_json}"], ["assess", "{bad_toml}"],
    ["assess", "{not_utf8}"], ["test", "{missing}"], ["list"],
])
def test_a_finnish_or_swedish_reader_sees_no_english(tmp_path: Path, locale: str, args: list[str]) -> None:
    files = {"missing": tmp_path / "nowhere.json", "directory": tmp_path, "bad_json": tmp_path / "bad.json",
             "bad_toml": tmp_path / "bad.toml", "not_utf8": tmp_path / "latin1.json"}
    files["bad_json"].write_text('{"subjects": }', encoding="utf-8")
    files["bad_toml"].write_text("subjects = = 3\n", encoding="utf-8")
    files["not_utf8"].write_bytes('{"breach_description": "pääsy"}'.encode("latin-1"))
    result = run("--lang", locale, *[a.format(**{k: str(v) for k, v in files.items()}) for a in args])
    shown = (result.stdout + result.stderr).replace(str(tmp_path), "")
    assert shown.strip(), args
    assert ENGLISH.findall(shown) == [], shown
    if args == ["list"]:
        assert ("Henkilötietojen tietoturvaloukkaukset" if locale == "fi" else "Personuppgiftsincidenter") in shown


def test_unknown_timezone_exits_2() -> None:
    result = run("assess", EXAMPLES / "contact-list-leak.json", "--timezone", "Nowhere/Atlantis")
    assert "Traceback" not in result.stderr
    assert result.returncode == ExitCode.USAGE
    assert "Nowhere/Atlantis" in result.stderr


def test_toml_incident(tmp_path: Path) -> None:
    path = _bad(tmp_path, (
        'became_aware_at = 2026-11-20T09:30:00+02:00\n'
        'breach_types = ["confidentiality"]\n'
        'data_categories = ["health", "identity_number", "contact"]\n'
        'subjects = 1\nvulnerable_subjects = false\nmalicious = false\n'
        'exposed_to = "outsider"\n'
    ), name="incident.toml")
    result = run("assess", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = assessment_of(result.stdout)
    assert doc["risk"] == "high"
    assert doc["facts"]["became_aware_at"] == "2026-11-20T09:30:00+02:00"


MINI_RULES = """\
ruleset mini version "0.3"
  title "ruleset.mini.title"
  source "test"

scale risk: none < risk < high

fact leaked: bool
  question "question.leaked"

rule leak
  when leaked
  then risk >= high
  because "reason.leak"
  cite "Test Art. 1"

obligation tell when risk >= risk
  due without undue delay
  says "obligation.tell"
  cite "Test Art. 2"
"""

MINI_EN_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"

msgid "ruleset.mini.title"
msgstr "Mini rules"

msgid "scale.risk.high"
msgstr "very bad"

msgid "obligation.tell"
msgstr "Tell someone"

msgid "reason.leak"
msgstr "It leaked"
"""


def test_ruleset_option_with_a_path(tmp_path: Path) -> None:
    rules = tmp_path / "mini.rules"
    rules.write_text(MINI_RULES, encoding="utf-8")
    catalog = tmp_path / "locale" / "en" / "LC_MESSAGES" / "mini.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(MINI_EN_PO, encoding="utf-8")
    incident = _bad(tmp_path, '{"leaked": true}')

    result = run("assess", incident, "--ruleset", rules, "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = assessment_of(result.stdout)
    assert (doc["ruleset"], doc["ruleset_version"], doc["risk"]) == ("mini", "0.3", "high")
    assert [(ob["id"], ob["required"]) for ob in doc["obligations"]] == [("tell", True)]
    assert [entry["label"] for entry in doc["trace"]] == ["leak"]

    text = run("assess", incident, "--ruleset", rules)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "Mini rules (version 0.3)"
    assert "- Risk level: very bad" in lines
    assert "  [x] Tell someone: Required; without undue delay [Test Art. 2]" in lines


def test_ruleset_option_with_the_bundled_file_path() -> None:
    example = EXAMPLES / "misdirected-health-email.json"
    by_path = run("assess", example, "--ruleset", GDPR_RULES, "--format", "json", "--now", NOW)
    by_name = run("assess", example, "--format", "json", "--now", NOW)
    assert by_path.returncode == 0, by_path.stderr
    from_path, from_name = assessment_of(by_path.stdout), assessment_of(by_name.stdout)
    # a record names the file, never its path on the machine that assessed: read by
    # path or by name, the same ruleset gives the same document
    assert {entry["span"]["file"] for entry in from_path["trace"]} == {"gdpr.rules"}
    assert from_path == from_name


def test_assess_with_broken_ruleset_exits_4(tmp_path: Path) -> None:
    rules = tmp_path / "broken.rules"
    rules.write_text(MINI_RULES.replace("when leaked", "when leakd"), encoding="utf-8")
    result = run("assess", EXAMPLES / "contact-list-leak.json", "--ruleset", rules)
    assert result.returncode == ExitCode.RULESET
    assert result.stdout == ""
    assert f"{rules}:11:8" in result.stderr


def test_assess_does_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    example = EXAMPLES / "misdirected-health-email.json"
    elsewhere = run("assess", example, "--format", "json", "--now", NOW, cwd=tmp_path)
    here = run("assess", example, "--format", "json", "--now", NOW, cwd=ROOT)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert json.loads(elsewhere.stdout) == json.loads(here.stdout)
    text = run("assess", example, "--lang", "fi", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "Dokumentoikaa tietoturvaloukkaus" in text.stdout
    assert "gdpr, rivi " in text.stdout and "rulesets/" not in text.stdout  # where a rule is written, no path


def test_check_good_ruleset() -> None:
    result = run("check", GDPR_RULES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(f"{GDPR_RULES}: no problems found\n")
    assert "proved: invariant 'every_breach_documented'" in result.stdout
    assert "proved: aggravating fact 'exposed_to'" in result.stdout
    assert result.stderr == ""
    by_name = run("check", "gdpr")
    assert by_name.returncode == 0
    assert by_name.stdout.endswith("gdpr: no problems found\n")


def test_check_broken_ruleset(tmp_path: Path) -> None:
    rules = tmp_path / "broken.rules"
    rules.write_text(MINI_RULES.replace("when leaked", "when leakd"), encoding="utf-8")
    result = run("check", rules)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error[BR201]: undefined name 'leakd'; did you mean 'leaked'?\n"
        f"  --> {rules}:11:8\n"
        "   |\n"
        "11 |   when leakd\n"
        "   |        ^^^^^\n"
        "1 problem found\n"
    )


def test_check_counts_every_problem(tmp_path: Path) -> None:
    rules = tmp_path / "broken.rules"
    rules.write_text(
        MINI_RULES.replace("when leaked", "when leakd").replace("risk >= risk", "risk >= hihg"),
        encoding="utf-8")
    result = run("check", rules)
    assert result.returncode == 1
    assert f"{rules}:11:8" in result.stderr
    assert result.stderr.endswith("2 problems found\n")


def test_check_message_with_literal_braces(tmp_path: Path) -> None:
    # BR305's English text shows a set literal, written "{{health}}" in the catalog;
    # the reader must see single braces.
    rules = tmp_path / "sets.rules"
    rules.write_text(MINI_RULES.replace("when leaked", "when leaked and {} == {}"), encoding="utf-8")
    result = run("check", rules)
    assert result.returncode == 1
    assert "error[BR305]" in result.stderr
    assert "'data intersects {health}'" in result.stderr
    assert "{{" not in result.stderr


def test_list_names_the_bundled_rulesets() -> None:
    result = run("list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "enisa\t2026.1\tSeverity of a personal data breach by ENISA's 2013 methodology",
        "fi-health\t2027.1\tPersonal data breaches in Finnish social and health care",
        "gdpr\t2027.1\tGDPR personal data breaches: baseline risk assessment",
    ]


def test_console_script() -> None:
    script = Path(sys.executable).parent / "breachrules"
    result = subprocess.run([str(script), "list"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "\ngdpr\t2027.1\t" in result.stdout


def test_markdown_record_in_finnish() -> None:
    result = run("assess", EXAMPLES / "misdirected-health-email.json", "--ruleset", "fi-health",
                 "--format", "markdown", "--lang", "fi", "--now", "2026-11-24T12:00:00+02:00")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("# Henkilötietojen tietoturvaloukkauksen dokumentointi\n")
    # late: aware 20.11. 9.30, due 23.11. 9.30, still not notified on 24.11. at noon
    assert "MYÖHÄSSÄ" in out and "PUUTTUU: viivästymisen syyt" in out
    # the example gives every item of the notification, so nothing is phased
    assert "Alustava ilmoitus: tiedot, jotka voidaan antaa jo nyt" not in out
    # the draft communication is appended, with the organisation's own words
    assert "Tietosuojavastaava Maija Virtanen" in out


def test_json_record_marks_a_late_notification_without_reason(tmp_path: Path) -> None:
    incident = json.loads((EXAMPLES / "misdirected-health-email.json").read_text(encoding="utf-8"))
    incident["authority_notified_at"] = "2026-11-23T15:00:00+02:00"  # 5.5 hours late
    path = _bad(tmp_path, json.dumps(incident))
    result = run("assess", path, "--format", "json", "--now", "2026-11-24T12:00:00+02:00")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    (deadline,) = [d for d in record["deadlines"] if d["obligation"] == "notify_authority"]
    assert deadline["due"] == "2026-11-23T09:30:00+02:00"
    assert deadline["state"] == "done_late"
    assert (deadline["reason_required"], deadline["reason_given"]) == (True, False)
    incident["delay_reason"] = "The breach came to light on a Friday evening; the DPO was reached on Monday."
    path.write_text(json.dumps(incident), encoding="utf-8")
    record = json.loads(run("assess", path, "--format", "json", "--now", "2026-11-24T12:00:00+02:00").stdout)
    (deadline,) = [d for d in record["deadlines"] if d["obligation"] == "notify_authority"]
    assert deadline["reason_given"] is True


def test_processor_tells_the_controller_instead_of_notifying(tmp_path: Path) -> None:
    incident = json.loads((EXAMPLES / "misdirected-health-email.json").read_text(encoding="utf-8"))
    incident["role"] = "processor"
    path = _bad(tmp_path, json.dumps(incident))
    doc = assessment_of(run("assess", path, "--format", "json", "--now", NOW).stdout)
    required = {ob["id"] for ob in doc["obligations"] if ob["required"]}
    assert required == {"document", "inform_controller"}


@pytest.mark.parametrize("now", ["tomorrow", "2026-11-24T12:00:00"])
def test_bad_now_exits_2(now: str) -> None:
    result = run("assess", EXAMPLES / "contact-list-leak.json", "--now", now)
    assert result.returncode == ExitCode.USAGE
    assert result.stdout == ""
    assert f"found '{now}'" in result.stderr


# ------------------------------------------------------------------ hostile input files


def test_an_incident_nested_100000_deep_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    for name, text in (("deep.json", "[" * 100_000 + "]" * 100_000),
                       ("deep.toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n")):
        result = run("assess", _bad(tmp_path, text, name))
        assert result.returncode == ExitCode.INPUT and "Traceback" not in result.stderr, result.stderr
        assert name in result.stderr


def test_a_key_given_twice_in_a_json_incident_is_refused(tmp_path: Path) -> None:
    incident = (EXAMPLES / "misdirected-health-email.json").read_text(encoding="utf-8")
    doubled = incident.replace('"subjects": 1', '"subjects": -5, "subjects": 1')
    assert doubled != incident
    result = run("assess", _bad(tmp_path, doubled), "--lang", "fi")
    assert result.returncode == ExitCode.INPUT and "$.subjects" in result.stderr and "kahdesti" in result.stderr


def test_a_huge_number_in_an_incident_is_an_error_for_every_format(tmp_path: Path) -> None:
    incident = json.loads((EXAMPLES / "misdirected-health-email.json").read_text(encoding="utf-8"))
    text = json.dumps(incident).replace('"subjects": 1', '"subjects": 1' + "0" * 4000)
    for fmt in ("text", "json", "markdown"):
        result = run("assess", _bad(tmp_path, text), "--format", fmt)
        assert result.returncode == ExitCode.INPUT
        assert "Traceback" not in result.stderr and "$.subjects" in result.stderr


def test_now_at_the_edge_of_the_calendar_is_refused() -> None:
    for now in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00+05:00"):
        result = run("assess", EXAMPLES / "misdirected-health-email.json", "--now", now, "--format", "markdown")
        assert result.returncode == ExitCode.USAGE and "Traceback" not in result.stderr and now in result.stderr


def test_a_ruleset_that_is_not_utf8_is_a_positioned_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rules"
    bad.write_bytes(b"ruleset bad\nscale risk: none < risk < high\nfact \xff: bool\n")
    for args in (("check", bad), ("assess", EXAMPLES / "misdirected-health-email.json", "--ruleset", bad)):
        result = run(*args)
        # to check, a ruleset with a bad byte is a finding; to assess with, a ruleset it cannot use
        assert result.returncode == (ExitCode.FINDINGS if args[0] == "check" else ExitCode.RULESET)
        assert "Traceback" not in result.stderr
        assert "BR505" in result.stderr and "bad.rules:3:6" in result.stderr


def test_a_case_the_ruleset_cannot_evaluate_is_reported_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "z.rules").write_text('ruleset z\nscale risk: none < risk < high\nfact x: integer\n'
                                      'define q = 1 / (x - x)\n'
                                      'rule r when q > 0 then risk >= high because "m" cite "c"\n', encoding="utf-8")
    case = _bad(tmp_path, 'ruleset = "z.rules"\n[facts]\nx = 1\n[expect]\nrisk = "high"\n', "c.toml")
    result = run("test", case)
    assert result.returncode == ExitCode.EVALUATION and "Traceback" not in result.stderr
    assert "z.rules:4:" in result.stderr and "division by zero" in result.stderr


def test_a_time_zone_that_is_a_directory_is_refused_in_words() -> None:
    for zone in ("America", "x" * 300):
        result = run("assess", EXAMPLES / "contact-list-leak.json", "--timezone", zone)
        assert result.returncode == ExitCode.USAGE and "Traceback" not in result.stderr


def test_a_case_file_that_is_a_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a.toml")
    result = run("test", tmp_path)
    assert result.returncode == ExitCode.INPUT and "Traceback" not in result.stderr and "a.toml" in result.stderr


# ---------------------------------------------------------------- test: -k and -v

def test_k_selects_cases_by_name_and_v_shows_what_applied() -> None:
    case = ROOT / "rulesets" / "cases" / "fi-health" / "annex1-22-pharmacy-document-returned-at-once.toml"
    result = run("test", case, "-k", "KEPT THE DOCUMENT", "-v")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok") and lines[0].endswith("/ B kept the document")
    assert "    rule identifying_data_exposed: severity medium" in lines
    assert "    rule disclosed_to_outsider: likelihood likely" in lines
    assert lines[-1] == "1 case: 1 passed, 0 failed"
    base = run("test", case, "-k", "noticed at once", "-v", "--lang", "fi").stdout.splitlines()
    # the returned document: the exception, instead of the rule it overrides
    assert "    poikkeus recovered_before_misuse: ei tasoa säännön disclosed_to_outsider johtopäätösten sijaan" in base


def test_k_that_matches_nothing_is_an_error() -> None:
    case = ROOT / "rulesets" / "cases" / "fi-health" / "annex1-22-pharmacy-document-returned-at-once.toml"
    result = run("test", case, "-k", "no such case")
    assert result.returncode == ExitCode.USAGE
    assert "No case name contains 'no such case'." in result.stderr


def test_a_case_file_that_cannot_run_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('ruleset = "nope.rules"\n[expect]\nrisk = "high"\n', encoding="utf-8")
    case = ROOT / "rulesets" / "cases" / "gdpr" / "edpb-01-2021-case-01-ransomware-backup-no-exfiltration.toml"
    result = run("test", broken, case)
    assert result.returncode == ExitCode.RULESET
    assert result.stdout.splitlines()[-1] == "1 case: 1 passed, 0 failed"  # the other file still ran
    assert result.stderr.splitlines()[0] == f"{broken} could not be run:"
    assert result.stderr.splitlines()[-1] == f"Not run, because of the problems above: {broken}"
    finnish = run("test", broken, "--lang", "fi")
    assert f"Ajamatta edellä kerrottujen ongelmien vuoksi: {broken}" in finnish.stderr


def test_version_prints_the_library_version_and_exits_0() -> None:
    import breachrules

    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"breachrules {breachrules.__version__}\n"
    assert "näytä ohjelman versio" in run("--lang", "fi", "--help").stdout


def test_the_readme_s_first_command_runs_and_names_its_moment() -> None:
    """The README's first command is what a newcomer runs: it must work from
    the checkout, and say the same on any day (it fixes --now)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(line.strip() for line in readme.splitlines() if "breachrules assess" in line)
    install, assess = command.split(" && ")
    assert install == "pip install ."
    args = assess.split()[1:]
    assert "--now" in args
    first, again = run(*args), run(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout
    # the time left is counted from --now (2.5 h after awareness), not from the clock
    assert "aikaa on jäljellä 2 vuorokautta ja 21 tuntia" in first.stdout
