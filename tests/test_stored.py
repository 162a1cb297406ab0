"""A stored result renders as it did before it was stored, in another process.

An organisation's own ruleset extends a bundled one with facts, rules and
catalogs of its own. Its records are kept as JSON (Art. 33(5)) and shown
again later, by a process that knows nothing of the first one: given the
ruleset, the record renders word for word as it did."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import breachrules
from breachrules.errors import ArgumentError
from breachrules.report import Report

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.fromisoformat("2026-11-23T12:00:00+02:00")

RULES = """ruleset palkka-oy extends gdpr version "2026.1" title "ruleset.palkka-oy.title"

fact tax_card_exposed: bool
  question "question.tax_card_exposed"
fact payroll_run: text

rule tax_card_exposed when tax_card_exposed then risk >= high
  because "reason.tax_card_exposed" cite "Palkka Oy:n tietosuojaohje"
"""

CATALOG = {  # msgid: (en, fi, sv)
    "ruleset.palkka-oy.title": ("Palkka Oy breach rules", "Palkka Oy:n loukkaussäännöt", "Palkka Oy:s incidentregler"),
    "fact.tax_card_exposed": ("Tax card exposed", "Verokortti paljastui", "Skattekortet röjdes"),
    "question.tax_card_exposed": ("Was a tax card exposed?", "Paljastuiko verokortti?", "Röjdes ett skattekort?"),
    "fact.payroll_run": ("Payroll run", "Palkka-ajo", "Lönekörning"),
    "reason.tax_card_exposed": ("A tax card was exposed.", "Verokortti paljastui.", "Ett skattekort röjdes."),
    "name.tax_card_exposed": ("tax card exposed", "verokortin paljastuminen", "röjt skattekort"),
}

INCIDENT = {
    "breach_types": ["confidentiality"], "data_categories": ["financial", "contact"],
    "exposed_to": "outsider", "subjects": 40, "malicious": False,
    "became_aware_at": "2026-11-20T09:30:00+02:00", "tax_card_exposed": True,
    "payroll_run": "P2D",  # free text that looks like a duration: shown as written
    "breach_description": "Palkkalaskelmat lähetettiin väärälle vastaanottajalle.",
    "measures_taken": "Pyysimme poistamaan viestin.", "contact_point": "tietosuoja@palkka.example",
}

RENDER = """
import json, sys
import breachrules
rs = breachrules.load(sys.argv[1])
data = json.loads(open(sys.argv[2], encoding="utf-8").read())
report = rs.read_report(data)
out = {}
for lang in ("fi", "sv", "en"):
    out[lang] = [report.to_markdown(lang), report.notice(lang), report.assessment.explain(lang)]
print(json.dumps(out))
"""


def _organisation(directory: Path, catalog: dict[str, tuple[str, str, str]] = CATALOG) -> Path:
    for i, lang in enumerate(("en", "fi", "sv")):
        po = directory / "locale" / lang / "LC_MESSAGES" / "palkka-oy.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_text(f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                      + "".join(f'msgid "{k}"\nmsgstr "{v[i]}"\n\n' for k, v in catalog.items()), encoding="utf-8")
    path = directory / "palkka-oy.rules"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, Path, dict[str, list[str]]]:
    path = _organisation(tmp_path / "rules")
    report = breachrules.load(path).report(INCIDENT, now=NOW)
    shown = {lang: [report.to_markdown(lang), report.notice(lang), report.assessment.explain(lang)]
             for lang in ("fi", "sv", "en")}
    record = tmp_path / "record.json"
    record.write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")
    return path, record, shown


def test_a_record_of_an_organisations_ruleset_renders_word_for_word_in_a_fresh_process(
        stored: tuple[Path, Path, dict[str, list[str]]]) -> None:
    path, record, shown = stored
    done = subprocess.run([sys.executable, "-c", RENDER, str(path), str(record)], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == shown
    fi = shown["fi"][0]
    # the organisation's own words, its facts by their labels, free text as written, no path
    assert "Palkka Oy:n loukkaussäännöt" in fi and "Verokortti paljastui." in fi and "| Palkka-ajo | P2D |" in fi
    assert str(path.parent) not in "".join(text for texts in shown.values() for text in texts)


def test_a_record_read_back_without_its_catalogs_shows_no_message_ids_as_words_but_is_not_the_same(
        stored: tuple[Path, Path, dict[str, list[str]]]) -> None:
    _, record, shown = stored
    alone = Report.from_dict(json.loads(record.read_text(encoding="utf-8")))
    assert alone.to_markdown("fi") != shown["fi"][0]  # the reason for rendering with the ruleset


def test_another_ruleset_or_other_words_are_refused(stored: tuple[Path, Path, dict[str, list[str]]],
                                                     tmp_path: Path) -> None:
    path, record, shown = stored
    data = json.loads(record.read_text(encoding="utf-8"))
    with pytest.raises(ArgumentError, match="palkka-oy, not gdpr"):
        breachrules.bundled("gdpr").read_report(data)
    reworded = dict(CATALOG, **{"reason.tax_card_exposed": ("Changed.", "Muutettu.", "Ändrad.")})
    changed = breachrules.load(_organisation(tmp_path / "changed", reworded))
    with pytest.raises(ArgumentError, match="changed"):
        changed.read_report(data)
    assert "Muutettu." in changed.read_report(data, reworded=True).to_markdown("fi")
    assert breachrules.load(path).read_report(data).to_markdown("fi") == shown["fi"][0]


def test_a_bundled_rulesets_record_renders_the_same_from_its_json_alone() -> None:
    incident = json.loads((ROOT / "examples" / "misdirected-health-email.json").read_text(encoding="utf-8"))
    report = breachrules.bundled("gdpr").report(incident, now=NOW)
    back = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    for lang in ("fi", "sv", "en"):
        assert back.to_markdown(lang) == report.to_markdown(lang)
        assert back.notice(lang) == report.notice(lang)


def test_a_version_2_record_read_with_its_ruleset_keeps_its_action_plan() -> None:
    rs = breachrules.bundled("gdpr")
    incident = json.loads((Path(__file__).resolve().parent.parent / "examples" / "misdirected-health-email.json")
                          .read_text(encoding="utf-8"))
    current = rs.report(incident, now=datetime.fromisoformat("2026-11-21T15:30:00+02:00")).to_dict()
    assessment = {k: v for k, v in current["assessment"].items() if k != "actions"}
    old = {**current, "schema": "breachrules.record/2", "assessment": assessment,
           "actions": current["assessment"]["actions"]}  # version 2 kept the actions beside the assessment
    read = rs.read_report(old)
    assert read.actions and len(read.actions) == len(current["assessment"]["actions"])
