"""Stored decisions decided again: ``breachrules.replay`` and ``breachrules replay``.

A record reproduces under the ruleset it names (found by name, with the
same digest); a record whose facts or outcome were changed after the fact
does not, and says what differs; a record whose ruleset has changed since
is flagged and not decided again; and a new version of a ruleset lists the
decisions it would take otherwise, old and new, with the rules responsible."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import breachrules
from breachrules.cli import main
from breachrules.exits import ExitCode
from breachrules.replay import (
    NOT_REQUIRED,
    REQUIRED,
    Change,
    RecordError,
    Replayed,
    replay,
)
from breachrules.testing import incidents
from tests.test_languages import _foreign
from tests.test_stored import CATALOG, INCIDENT, NOW, _organisation

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
GDPR = breachrules.bundled("gdpr")
AT = datetime.fromisoformat("2026-11-21T12:00:00+02:00")

# A small ruleset of an organisation's own on top of gdpr, and its next
# version, in which one threshold has moved.
OURS = """ruleset ours extends gdpr version "1"
rule many_people when subjects > 100 then risk >= high because "reason.many" cite "Our policy"
"""
OURS_2 = OURS.replace("subjects > 100", "subjects > 1000").replace('version "1"', 'version "2"')
SOME_PEOPLE = {"breach_types": ["confidentiality"], "data_categories": ["contact"], "exposed_to": "colleague",
               "subjects": 500, "became_aware_at": "2026-11-20T09:30:00+02:00", "malicious": False}


def _record(ruleset: breachrules.Ruleset, incident: dict[str, Any], now: datetime = AT) -> dict[str, Any]:
    """A record as it is stored: its JSON, read back."""
    data: dict[str, Any] = json.loads(json.dumps(ruleset.report(incident, now=now).to_dict()))
    return data


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    return data


# ------------------------------------------------------------------ the API


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_record_reproduces_under_the_ruleset_it_names(example: Path) -> None:
    record = _record(GDPR, json.loads(example.read_text(encoding="utf-8")))
    replayed = replay(record)
    assert replayed == Replayed(
        record_id=record["decision_id"], schema="breachrules.record/4", generated_at=AT, ruleset="gdpr",
        ruleset_version=GDPR.version, digest=GDPR.digest, facts_given=True, found=True, digest_matches=True,
        reproduced=True, found_digest=GDPR.digest, library_version=breachrules.__version__,
    )
    assert replayed.exit_code == ExitCode.OK and replayed.changed is None


def test_changed_facts_do_not_reproduce_and_say_what_differs() -> None:
    record = _record(GDPR, _example("misdirected-health-email"))
    record["facts_given"]["subjects"] = 5000  # the facts changed after the decision
    replayed = replay(record)
    assert replayed.reproduced is False and replayed.digest_matches is True
    found = {(d.what, d.name): (d.stored, d.replayed) for d in replayed.differences}
    assert found[("fact", "subjects")] == (1, 5000)
    assert found[("level", "volume")] == ("limited", "large")
    assert found[("rule", "large_number_of_people")] == (None, "applied")
    assert replayed.exit_code == ExitCode.FINDINGS


def test_a_changed_outcome_does_not_reproduce() -> None:
    record = _record(GDPR, _example("misdirected-health-email"))
    record["assessment"]["levels"]["risk"] = record["assessment"]["risk"] = "none"
    for ob in record["assessment"]["obligations"]:
        if ob["id"] == "communicate_subjects":
            ob["required"] = False
    replayed = replay(record)
    assert replayed.reproduced is False
    found = {(d.what, d.name): (d.stored, d.replayed) for d in replayed.differences}
    assert found == {("level", "risk"): ("none", "high"),
                     ("obligation", "communicate_subjects"): (NOT_REQUIRED, REQUIRED)}


def test_a_changed_deadline_or_a_ruleset_that_contradicts_the_assessment_does_not_reproduce() -> None:
    record = _record(GDPR, _example("misdirected-health-email"))
    record["deadlines"][0]["state"] = "done_on_time"
    record["ruleset"]["version"] = "2020.1"
    whats = {d.what for d in replay(record).differences}
    assert whats == {"deadline", "ruleset"}


def test_a_record_whose_ruleset_has_changed_since_is_flagged_not_decided_again(tmp_path: Path) -> None:
    made = breachrules.load(_organisation(tmp_path / "v1"))
    record = _record(made, INCIDENT, NOW)
    reworded = dict(CATALOG, **{"reason.tax_card_exposed": ("Changed.", "Muutettu.", "Ändrad.")})
    changed = breachrules.load(_organisation(tmp_path / "v2", reworded))  # the same rules, other words
    replayed = replay(record, made_with=[changed])
    assert replayed.found and replayed.digest_matches is False and replayed.reproduced is None
    assert replayed.found_digest == changed.digest != record["ruleset"]["digest"]
    assert replayed.exit_code == ExitCode.FINDINGS
    # given the ruleset it was made with as well, it is found by its digest
    assert replay(record, made_with=[changed, made]).reproduced is True
    # not bundled, not given: not found
    alone = replay(record)
    assert not alone.found and alone.digest_matches is None and alone.exit_code == ExitCode.RULESET


def test_a_new_ruleset_lists_the_decisions_it_would_change_with_the_rules_responsible() -> None:
    old, new = breachrules.loads(OURS), breachrules.loads(OURS_2)
    record = _record(old, SOME_PEOPLE)
    replayed = replay(record, made_with=[old], new=new)
    assert replayed.reproduced is True and replayed.changed is True
    assert replayed.against == ("ours", "2", new.digest)
    assert replayed.changes == (
        Change("risk", "risk", "high", "none"),
        Change("obligation", "notify_authority", REQUIRED, NOT_REQUIRED),
        Change("obligation", "communicate_subjects", REQUIRED, NOT_REQUIRED),
    )
    assert replayed.old is not None and replayed.new is not None
    assert [(r.label, r.ruleset, r.line) for r in replayed.old.rules] == [("many_people", "ours", 2)]
    assert replayed.new.rules == ()  # nothing raises the risk under the new threshold
    assert (replayed.old.risk, replayed.new.risk, replayed.new.ruleset_version) == ("high", "none", "2")
    assert replayed.exit_code == ExitCode.FINDINGS
    # a decision the threshold does not touch is not listed as changed
    few = replay(_record(old, {**SOME_PEOPLE, "subjects": 5000}), made_with=[old], new=new)
    assert few.changed is False and few.changes == () and few.exit_code == ExitCode.OK


def test_the_rules_responsible_on_the_new_side(tmp_path: Path) -> None:
    # the new version adds a rule: it is named on the new side
    new = breachrules.loads(OURS_2 + 'rule colleagues when exposed_to == colleague then risk >= risk '
                                     'because "reason.colleagues" cite "Our policy"\n')
    replayed = replay(_record(breachrules.loads(OURS), SOME_PEOPLE), made_with=[breachrules.loads(OURS)], new=new)
    assert replayed.new is not None and [r.label for r in replayed.new.rules] == ["colleagues"]
    assert Change("risk", "risk", "high", "risk") in replayed.changes


def test_facts_a_new_ruleset_does_not_take_are_a_change() -> None:
    new = breachrules.loads('ruleset other version "1"\nscale risk: none < high\nfact x: bool\n')
    replayed = replay(_record(GDPR, _example("partial-facts")), new=new)
    assert replayed.reproduced is True and replayed.changed is True and replayed.new_error is not None
    assert replayed.exit_code == ExitCode.INPUT  # the facts do not fit the new ruleset


def test_records_of_earlier_versions_replay_what_they_can() -> None:
    current = _record(GDPR, _example("misdirected-health-email"))
    v3 = {k: v for k, v in current.items() if k not in ("decision_id", "library_version", "ruleset", "facts_given")}
    v3["schema"] = "breachrules.record/3"
    replayed = replay(v3)
    assert replayed.reproduced is True and replayed.digest_matches is True
    assert replayed.record_id is None and replayed.facts_given is False  # its validated facts were decided
    assessment = {k: v for k, v in v3["assessment"].items() if k not in ("actions", "vocabulary")}
    v2 = {**v3, "schema": "breachrules.record/2", "assessment": {**assessment, "schema": "breachrules.assessment/2"},
          "actions": v3["assessment"]["actions"]}
    replayed = replay(v2)
    assert replayed.digest is None and replayed.digest_matches is None  # nothing to check it against
    assert replayed.reproduced is True and replayed.exit_code == ExitCode.OK


@pytest.mark.parametrize("document", [
    [], {"schema": "breachrules.assessment/3"}, {"schema": "breachrules.record/4"},
    {"schema": "breachrules.record/4", "generated_at": 5, "assessment": {}, "deadlines": [], "checklists": [],
     "plans": []},
])
def test_a_document_that_is_not_a_record_is_the_librarys_error(document: Any) -> None:
    with pytest.raises(RecordError) as caught:
        replay(document)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, breachrules.BreachrulesError)
    assert caught.value.message("fi").startswith("ei tallennettu päätös")
    assert caught.value.message("sv").startswith("inte ett lagrat beslut")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incident=incidents(GDPR))
def test_every_record_reproduces(incident: dict[str, Any]) -> None:
    record = _record(GDPR, incident, datetime(2999, 1, 1, tzinfo=UTC))
    replayed = replay(record)
    assert replayed.reproduced is True, replayed.differences


# ------------------------------------------------------------------ the command


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str | Path) -> tuple[int, str]:
    for variable in ("BREACHRULES_LANG", "LC_ALL", "LANG", "NO_COLOR"):
        monkeypatch.delenv(variable, raising=False)
    code = main(["replay", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out + err


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """A directory of records: two that reproduce, one changed after the fact."""
    _write(tmp_path / "records" / "a.json", _record(GDPR, _example("partial-facts")))
    _write(tmp_path / "records" / "b.json", _record(GDPR, _example("stolen-encrypted-laptop")))
    changed = _record(GDPR, _example("misdirected-health-email"))
    changed["facts_given"]["subjects"] = 5000
    _write(tmp_path / "changed" / "c.json", changed)
    return tmp_path


def test_the_command_confirms_records_that_reproduce(records: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _run(capsys, monkeypatch, records / "records")
    assert code == 0
    assert out.count("reproduces: its facts, decided again with the ruleset it was made with") == 2
    assert "records: 2; reproduced: 2; not reproduced: 0; not checked: 0; unreadable: 0" in out


def test_the_command_reports_a_record_that_does_not_reproduce(records: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _run(capsys, monkeypatch, records / "changed" / "c.json", records / "records" / "a.json")
    assert code == 1
    assert "DOES NOT REPRODUCE" in out
    assert "- Number of data subjects: in the record 1; decided again 5,000" in out
    assert "- “large number of people” (gdpr, line " in out


def test_the_command_exits_with_the_worst_it_met(records: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assessment = _write(tmp_path / "assessment.json", GDPR.assess(_example("partial-facts")).to_dict())
    code, out = _run(capsys, monkeypatch, records / "changed", broken, assessment, tmp_path / "missing.json")
    assert code == 3
    assert f"{broken} is not valid JSON: error at line 1, column 2" in out
    assert "its schema is \"breachrules.assessment/3\", not breachrules.record/4" in out
    assert "unreadable: 3" in out
    made = breachrules.load(_organisation(tmp_path / "org"))
    code, out = _run(capsys, monkeypatch, _write(tmp_path / "org.json", _record(made, INCIDENT, NOW)))
    assert code == 4 and "no ruleset named palkka-oy was found; give its file by --made-with" in out
    code, out = _run(capsys, monkeypatch, tmp_path / "org.json", "--made-with", tmp_path / "org" / "palkka-oy.rules")
    assert code == 0


def test_the_command_lists_what_a_new_ruleset_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    (tmp_path / "v1" / "ours.rules").write_text(OURS, encoding="utf-8")
    (tmp_path / "v2" / "ours.rules").write_text(OURS_2, encoding="utf-8")
    record = _write(tmp_path / "r.json", _record(breachrules.load(tmp_path / "v1" / "ours.rules"), SOME_PEOPLE))
    code, out = _run(capsys, monkeypatch, record, "--made-with", tmp_path / "v1" / "ours.rules",
                     "--ruleset", tmp_path / "v2" / "ours.rules")
    assert code == 1
    assert "with the ruleset ours (version 2): DECIDED OTHERWISE:" in out
    assert "- Risk level: high risk → no risk" in out
    assert "- Notification to the supervisory authority: required → not required" in out
    assert "rules behind the decision recorded: “many_people” (ours, line 2)" in out
    assert "decided otherwise with the ruleset ours: 1" in out
    # the version it was made with, given as the new one, changes nothing
    code, out = _run(capsys, monkeypatch, record, "--ruleset", tmp_path / "v1" / "ours.rules")
    assert code == 0 and "with the ruleset ours (version 1): decided the same" in out
    # a new ruleset that cannot be loaded stops the command
    (tmp_path / "bad.rules").write_text("ruleset bad\nrule r when x then risk >= high\n", encoding="utf-8")
    code, out = _run(capsys, monkeypatch, record, "--ruleset", tmp_path / "bad.rules")
    assert code == 4


def test_the_json_form(tmp_path: Path, records: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    old = breachrules.load(_write_rules(tmp_path / "v1", OURS))
    _write_rules(tmp_path / "v2", OURS_2)
    record = _write(tmp_path / "r.json", _record(old, SOME_PEOPLE))
    broken = tmp_path / "broken.json"
    broken.write_text("[]", encoding="utf-8")
    code, out = _run(capsys, monkeypatch, record, records / "changed" / "c.json", broken, "--made-with",
                     tmp_path / "v1" / "ours.rules", "--ruleset", tmp_path / "v2" / "ours.rules", "--format", "json",
                     "--lang", "sv")
    document = json.loads(out)
    assert code == 3 and document["exit_code"] == 3 and document["schema"] == "breachrules.replay/1"
    assert document["ruleset"]["name"] == "ours" and document["ruleset"]["version"] == "2"
    first, second, third = document["replayed"]
    assert first["readable"] and first["reproduced"] and first["changed"] and first["exit_code"] == 1
    assert first["decision_id"] == json.loads(record.read_text(encoding="utf-8"))["decision_id"]
    assert first["changes"][0] == {"what": "risk", "name": "risk", "old": "high", "new": "none",
                                   "message": "Risknivå: hög risk → ingen risk"}
    assert first["old"]["rules"] == [{"kind": "rule", "label": "many_people", "certain": True, "ruleset": "ours",
                                      "file": "ours.rules", "line": 2}]
    assert [ob["status"] for ob in first["new"]["obligations"]][:2] == ["required", "not_required"]
    assert second["reproduced"] is False and {"what": "fact", "name": "subjects", "stored": 1,
                                              "replayed": 5000} in [
        {k: v for k, v in d.items() if k != "message"} for d in second["differences"]]
    assert second["new"]["ruleset"]["name"] == "ours"  # a gdpr record, decided by ours too
    assert not third["readable"] and third["exit_code"] == 3
    assert third["problems"][0]["code"] == "argument.not_a_record.not_object"
    assert "inte ett lagrat beslut" in third["problems"][0]["message"]
    assert document["summary"] == {"total": 3, "reproduced": 1, "not_reproduced": 1, "unchecked": 0,
                                   "unreadable": 1, "changed": 1}


def _write_rules(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ours.rules").write_text(text, encoding="utf-8")
    return directory / "ours.rules"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_command_speaks_the_readers_language(lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    made = breachrules.load(_organisation(tmp_path / "v1"))
    data = _record(made, INCIDENT, NOW)
    record = _write(tmp_path / "r.json", data)
    tampered = json.loads(json.dumps(data))
    tampered["facts_given"]["tax_card_exposed"] = False
    tampered["assessment"]["provisional"] = not tampered["assessment"]["provisional"]
    tampered["deadlines"][0]["state"] = "done_on_time"
    _write(tmp_path / "t.json", tampered)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    changed = _organisation(tmp_path / "v2")  # the rule of its own no longer raises the risk to high
    changed.write_text(changed.read_text(encoding="utf-8").replace("then risk >= high", "then risk >= risk"),
                       encoding="utf-8")
    outputs = []
    made_with, broken = tmp_path / "v1" / "palkka-oy.rules", tmp_path / "broken.json"
    for args in ([record, tmp_path / "t.json", broken, "--made-with", made_with, "--ruleset", changed],
                 [record, "--made-with", changed],
                 [record]):
        code, out = _run(capsys, monkeypatch, *args, "--lang", lang)
        assert code in (1, 3, 4)
        outputs.append(out)
    assert "→" in outputs[0]
    for out in outputs:
        words = out.replace(str(tmp_path), "§").replace("--made-with", "")
        assert _foreign(words) == [], out


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_commands_help_is_in_the_readers_language(lang: str, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    with pytest.raises(SystemExit):
        _run(capsys, monkeypatch, "--help", "--lang", lang)
    out = capsys.readouterr().out
    assert "--made-with" in out
    words = re.sub(r"--?[a-z-]+|\{[a-z,]+\}|\b(assess|replay|breachrules|json|text|fi|sv|en)\b|Europe/Helsinki", "",
                   out)
    assert _foreign(words) == [], out


# ------------------------------------------------------------------ untrusted records, new obligations


def test_an_obligation_only_the_new_ruleset_has_is_no_change_where_it_is_not_required() -> None:
    board = breachrules.loads('ruleset board extends gdpr version "1"\n'
                              'obligation tell_the_board when risk >= high says "obligation.tell_the_board"'
                              ' cite "Our policy"\n')
    low = _record(GDPR, _example("stolen-encrypted-laptop"))
    assert GDPR.assess(low["facts_given"]).risk != "high"
    assert replay(low, new=board).changes == ()
    high = _record(GDPR, _example("misdirected-health-email"))
    assert [(c.what, c.name, c.old, c.new) for c in replay(high, new=board).changes] == [
        ("obligation", "tell_the_board", None, REQUIRED)]


def test_a_record_of_version_3_or_4_that_names_no_digest_is_not_vouched_for(tmp_path: Path) -> None:
    record = _record(GDPR, _example("misdirected-health-email"))
    record["ruleset"]["digest"] = None
    record["assessment"]["vocabulary"]["digest"] = ""
    replayed = replay(record)
    assert replayed.digest_matches is False and replayed.reproduced is None  # not decided again
    assert replayed.exit_code == ExitCode.FINDINGS


def test_what_a_record_says_reaches_the_terminal_as_text_only(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from breachrules import cli_colour

    record = _record(GDPR, _example("misdirected-health-email"))
    record["facts_given"]["breach_description"] = "sent \x1b[2J\x1b]0;owned\x07 by mistake"
    (tmp_path / "r.json").write_text(json.dumps(record), encoding="utf-8")
    monkeypatch.setattr(cli_colour, "wanted", lambda stream: True)  # colours on, as on a terminal
    assert main(["replay", str(tmp_path / "r.json")]) == ExitCode.FINDINGS
    out = capsys.readouterr().out
    assert "sent [2J]0;owned by mistake" in out  # what it says is kept, its control characters are not
    assert "\x1b[2J" not in out and "\x07" not in out and "\x1b[31m" in out  # (our own colours stay)


def test_durations_and_instants_that_differ_are_said_in_words(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    record = _record(GDPR, {**SOME_PEOPLE, "detection_delay": "P1D"})
    record["facts_given"]["detection_delay"] = "P2D"
    (tmp_path / "r.json").write_text(json.dumps(record), encoding="utf-8")
    main(["replay", str(tmp_path / "r.json"), "--lang", "fi"])
    out = capsys.readouterr().out
    assert "päätöksessä 1 vuorokausi; uudelleen ratkaistuna 2 vuorokautta" in out and "P2D" not in out


def test_a_directory_of_records_is_read_file_by_file_never_from_a_fifo(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "good.json").write_text(json.dumps(_record(GDPR, SOME_PEOPLE)), encoding="utf-8")
    os.mkfifo(tmp_path / "records" / "waits.json")
    (tmp_path / "records" / "twice.json").write_text('{"schema": "breachrules.record/4", "schema": "x"}',
                                                      encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "breachrules", "replay", str(tmp_path / "records"), "--format",
                           "json"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    document = json.loads(done.stdout)
    assert done.returncode == ExitCode.INPUT
    by_file = {Path(entry["file"]).name: entry for entry in document["replayed"]}
    assert by_file["good.json"]["reproduced"] is True
    assert list(by_file["waits.json"]) == list(by_file["good.json"])  # every entry has the same keys
    assert by_file["waits.json"]["problems"][0]["code"] == "failure.os.EINVAL"  # not a regular file
    assert by_file["twice.json"]["problems"][0]["path"] == "$.schema"
    closed = subprocess.run(["sh", "-c", f'"{sys.executable}" -m breachrules replay - <&-'], capture_output=True,
                            text=True, timeout=60)  # started with standard input closed
    assert closed.returncode == ExitCode.INPUT and "Traceback" not in closed.stderr


def test_a_record_of_another_library_version_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = _record(GDPR, SOME_PEOPLE)
    assert replay(record).library_version == breachrules.__version__ and not replay(record).other_library
    record["library_version"] = "0.0.1"
    assert replay(record).other_library and replay(record).reproduced is True
    (tmp_path / "r.json").write_text(json.dumps(record), encoding="utf-8")
    main(["replay", str(tmp_path / "r.json"), "--lang", "sv"])
    assert f"fattat med breachrules version 0.0.1, avgjort på nytt med version {breachrules.__version__}" in (
        capsys.readouterr().out)
