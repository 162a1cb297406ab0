"""The Art. 33(5) documentation record (Markdown) and the plain-text report.

Every test uses a small ruleset written here, with its own catalogs in
Finnish, Swedish and English, and an explicit ``now``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import breachrules
from breachrules.document import Document, Section
from breachrules.record import markdown, text, view
from breachrules.render import as_markdown, as_text
from breachrules.report import Report

RULES = """ruleset t version "3" title "ruleset.t.title"
scale risk: none < risk < high

fact breach_types: set of {confidentiality, availability}
fact data_categories: set of {contact, health}
fact exposed_to: {nobody, outsider}
fact malicious: bool
fact restore_time: duration
fact subjects: count 1..
fact unreachable: bool default false
fact became_aware_at: datetime
fact authority_notified_at: datetime
fact delay_reason: text
fact breach_description: text
fact possible_harms: set of {identity_theft, financial_loss} default {}
fact measures_taken: text
fact advice_to_subjects: text
fact contact_point: text

rule outsider when exposed_to == outsider
  then risk >= risk because "reason.outsider" cite "GDPR Art. 4(12)"
rule health_to_outsider when exposed_to == outsider and health in data_categories
  then risk >= high because "reason.health_to_outsider" cite "GDPR Art. 9(1)"

obligation document always says "obligation.document" cite "GDPR Art. 33(5)"
obligation notify when risk >= risk
  due became_aware_at + 72h
  done authority_notified_at
  late requires delay_reason
  says "obligation.notify" cite "GDPR Art. 33(1)"
obligation communicate_subjects when risk >= high
  due without undue delay
  says "obligation.communicate_subjects" cite "GDPR Art. 34(1)"
obligation public_communication
  due without undue delay
  says "obligation.public_communication" cite "GDPR Art. 34(3)(c)"
exemption unreachable_subjects to communicate_subjects when unreachable
  instead public_communication
  because "reason.unreachable" cite "GDPR Art. 34(3)(c)"

checklist authority_content for notify
  item description: breach_description cite "GDPR Art. 33(3)(a)"
  item contact: contact_point cite "GDPR Art. 33(3)(b)"
  item measures: measures_taken cite "GDPR Art. 33(3)(d)"

plan response: acute, after_crisis
plan advice: now
action secure_logs in acute when malicious says "action.secure_logs" cite "TSV guidance"
action review in after_crisis always says "action.review" cite "GDPR Art. 33(5)"
action change_passwords in now when risk >= high says "action.change_passwords" cite "GDPR Art. 34(2)"

notice letter for communicate_subjects, public_communication
  what_happened: breach_description, breach_types, data_categories
  discovered: became_aware_at
  consequences: possible_harms
  measures: measures_taken
  advice: advice, advice_to_subjects
  contact: contact_point
"""

# msgid: (en, fi, sv)
CATALOG: dict[str, tuple[str, str, str]] = {
    "ruleset.t.title": ("Test rules", "Testisäännöt", "Testregler"),
    "scale.risk": ("Risk level", "Riskin taso", "Risknivå"),
    "scale.risk.none": ("no risk", "ei riskiä", "ingen risk"),
    "scale.risk.risk": ("risk", "riski", "risk"),
    "scale.risk.high": ("high risk", "korkea riski", "hög risk"),
    "fact.breach_types": ("Type of breach", "Loukkauksen tyyppi", "Typ av incident"),
    "value.breach_types.confidentiality": ("loss of confidentiality", "luottamuksellisuuden loukkaus",
                                           "brott mot konfidentialiteten"),
    "value.breach_types.availability": ("loss of availability", "saatavuuden loukkaus",
                                        "brott mot tillgängligheten"),
    "fact.data_categories": ("Data concerned", "Tiedot", "Uppgifter"),
    "value.data_categories.contact": ("contact details", "yhteystiedot", "kontaktuppgifter"),
    "value.data_categories.health": ("data concerning health", "terveystiedot", "uppgifter om hälsa"),
    "fact.exposed_to": ("Who got the data", "Kenelle tiedot päätyivät", "Vem som fick uppgifterna"),
    "value.exposed_to.nobody": ("nobody", "ei kenellekään", "ingen"),
    "value.exposed_to.outsider": ("an outsider", "ulkopuoliselle", "en utomstående"),
    "fact.malicious": ("Malicious", "Tahallinen", "Avsiktlig"),
    "fact.restore_time": ("Time to restore", "Palautusaika", "Återställningstid"),
    "fact.subjects": ("Number of data subjects", "Rekisteröityjen määrä", "Antal registrerade"),
    "fact.unreachable": ("Data subjects cannot be reached", "Rekisteröityjä ei tavoiteta",
                         "De registrerade kan inte nås"),
    "fact.became_aware_at": ("Became aware at", "Tieto loukkauksesta saatu", "Fick kännedom"),
    "fact.authority_notified_at": ("Authority notified at", "Ilmoitus tehty", "Anmälan gjord"),
    "fact.delay_reason": ("Reasons for the delay", "Viivästymisen syyt", "Motivering till förseningen"),
    "fact.breach_description": ("Description", "Kuvaus", "Beskrivning"),
    "fact.possible_harms": ("Possible harms", "Mahdolliset haitat", "Möjliga skador"),
    "value.possible_harms.identity_theft": ("identity theft", "identiteettivarkaus", "identitetsstöld"),
    "value.possible_harms.financial_loss": ("financial loss", "taloudellinen menetys", "ekonomisk förlust"),
    "fact.measures_taken": ("Measures taken", "Toteutetut toimenpiteet", "Vidtagna åtgärder"),
    "fact.advice_to_subjects": ("Advice to data subjects", "Ohjeet rekisteröidyille", "Råd till de registrerade"),
    "fact.contact_point": ("Contact point", "Yhteyspiste", "Kontaktpunkt"),
    **{f"question.{f}": (f"Q {f}?", f"K {f}?", f"F {f}?") for f in (
        "breach_types", "data_categories", "exposed_to", "malicious", "restore_time", "subjects",
        "unreachable", "became_aware_at", "authority_notified_at", "delay_reason", "breach_description",
        "possible_harms", "measures_taken", "advice_to_subjects", "contact_point")},
    "reason.outsider": ("The data reached an outsider.", "Tiedot päätyivät ulkopuoliselle.",
                        "Uppgifterna hamnade hos en utomstående."),
    "reason.health_to_outsider": ("Health data reached an outsider.", "Terveystietoja päätyi ulkopuoliselle.",
                                  "Uppgifter om hälsa hamnade hos en utomstående."),
    "reason.unreachable": ("The data subjects cannot be reached.", "Rekisteröityjä ei tavoiteta.",
                           "De registrerade kan inte nås."),
    "obligation.document": ("Document the breach", "Dokumentoi loukkaus", "Dokumentera incidenten"),
    "obligation.notify": ("Notify the supervisory authority", "Ilmoita valvontaviranomaiselle",
                          "Anmäl till tillsynsmyndigheten"),
    "obligation.communicate_subjects": ("Inform the data subjects", "Ilmoita rekisteröidyille",
                                        "Informera de registrerade"),
    "obligation.public_communication": ("Inform the public", "Tiedota julkisesti", "Informera allmänheten"),
    "checklist.authority_content": ("Notification to the authority", "Ilmoitus valvontaviranomaiselle",
                                    "Anmälan till tillsynsmyndigheten"),
    "checklist.authority_content.description": ("Nature of the breach", "Loukkauksen luonne",
                                                "Incidentens art"),
    "checklist.authority_content.contact": ("Contact point", "Yhteyspiste", "Kontaktpunkt"),
    "checklist.authority_content.measures": ("Measures taken or proposed", "Toteutetut tai ehdotetut toimenpiteet",
                                             "Vidtagna eller föreslagna åtgärder"),
    "name.communicate_subjects": ("communication to the data subjects", "ilmoitus rekisteröidyille",
                                  "information till de registrerade"),
    "name.public_communication": ("public communication", "julkinen tiedonanto", "offentligt meddelande"),
    "name.unreachable_subjects": ("data subjects out of reach", "rekisteröidyt eivät tavoitettavissa",
                                  "de registrerade kan inte nås"),
    "plan.response": ("Response", "Toimintasuunnitelma", "Insatser"),
    "plan.response.acute": ("Acute phase", "Akuutti vaihe", "Akut skede"),
    "plan.response.after_crisis": ("After the crisis", "Kriisin jälkeen", "Efter krisen"),
    "plan.advice": ("Advice to data subjects", "Ohjeet rekisteröidyille", "Råd till de registrerade"),
    "plan.advice.now": ("Now", "Heti", "Genast"),
    "action.secure_logs": ("Secure the logs.", "Turvaa lokitiedot.", "Säkra loggarna."),
    "action.review": ("Review what went wrong.", "Selvitä, mikä meni vikaan.", "Utred vad som gick fel."),
    "action.change_passwords": ("Change your passwords.", "Vaihda salasanasi.", "Byt dina lösenord."),
    # the letter's own words for two of the lists it tells; breach_types has none, and shows its labels
    "plain.data_categories": ("These data about you were involved:", "Loukkaus koski näitä tietojasi:",
                              "Incidenten gällde de här uppgifterna om dig:"),
    "plain.data_categories.contact": ("your contact details", "yhteystietosi", "dina kontaktuppgifter"),
    "plain.data_categories.health": ("information about your health", "terveyttäsi koskevat tiedot",
                                     "uppgifter om din hälsa"),
    "plain.possible_harms": ("This may happen to you:", "Sinulle voi seurata:", "Det här kan hända dig:"),
    "plain.possible_harms.identity_theft": ("identity theft", "identiteettivarkaus", "identitetsstöld"),
    "plain.possible_harms.financial_loss": ("financial loss", "rahanmenetys", "ekonomisk förlust"),
}

NOW = datetime.fromisoformat("2026-04-01T10:00:00+03:00")
AWARE = "2026-03-27T10:00:00+02:00"  # Friday before the EU DST change of Sunday 29 March 2026

# An id left untranslated shows as itself: no output may contain one.
UNTRANSLATED = re.compile(
    r"\b(record|notice|explain|ruleset|scale|fact|value|question|reason|obligation|checklist|plan|action|name|cite)"
    r"\.[a-z_]"
)


def _po(lang: str, entries: dict[str, str]) -> str:
    head = ('msgid ""\nmsgstr ""\n"Language: ' + lang + '\\n"\n'
            '"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
    return head + "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in entries.items())


def write_ruleset(directory: Path, rules: str = RULES,
                  catalog: dict[str, tuple[str, str, str]] | None = None) -> breachrules.Ruleset:
    """The ruleset saved as ``t.rules`` with its catalogs in ``locale/<lang>/LC_MESSAGES/t.po``."""
    for i, lang in enumerate(("en", "fi", "sv")):
        po = directory / "locale" / lang / "LC_MESSAGES" / "t.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_text(_po(lang, {k: v[i] for k, v in (CATALOG if catalog is None else catalog).items()}),
                      encoding="utf-8")
    path = directory / "t.rules"
    path.write_text(rules, encoding="utf-8")
    return breachrules.load(path)


def incident(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "breach_types": ["confidentiality"],
        "data_categories": ["health", "contact"],
        "exposed_to": "outsider",
        "malicious": False,
        "subjects": 1,
        "became_aware_at": AWARE,
        "breach_description": "A letter with test results was sent to the wrong address.",
        "measures_taken": "We asked the recipient to destroy the letter.",
        "contact_point": "Data protection officer Maija Meikäläinen, tietosuoja@example.fi",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


@pytest.fixture
def rs(tmp_path: Path) -> breachrules.Ruleset:
    return write_ruleset(tmp_path)


def report(rs: breachrules.Ruleset, now: datetime = NOW, **changes: Any) -> Report:
    return rs.report(incident(**changes), now=now)


# ------------------------------------------------------------------ structure


def test_the_record_has_its_sections_in_order(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs))
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Facts of the breach", "## Risk assessment", "## Decisions on the obligations", "## Deadlines",
        "## Contents of the notices", "## Action plan",
        "## Appendix: draft communication to the data subjects",
    ]
    assert md.startswith("# Documentation of a personal data breach\n")
    assert "- Ruleset: Test rules (version 3)" in md
    assert "- Generated: Wednesday, April 1, 2026 at 10:00 AM (Eastern European Summer Time)" in md


def test_report_to_markdown_is_the_record(rs: breachrules.Ruleset) -> None:
    r = report(rs)
    assert r.to_markdown("sv", "Europe/Helsinki") == markdown(r, "sv", "Europe/Helsinki")


def test_facts_are_shown_in_words_and_unknown_facts_are_listed(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, breach_types=["confidentiality", "availability"], restore_time="PT30H",
                         subjects=1200, malicious=...))
    assert "| Type of breach | loss of availability; loss of confidentiality |" in md
    assert "| Who got the data | an outsider |" in md
    assert "| Time to restore | 1 day and 6 hours |" in md
    assert "| Number of data subjects | 1,200 |" in md
    assert "| Data subjects cannot be reached | no |" in md
    assert "| Possible harms | none |" in md
    assert "| Became aware at | Friday, March 27, 2026 at 10:00 AM (Eastern European Standard Time) |" in md
    assert "| Malicious | unknown |" in md
    assert "| Reasons for the delay | unknown |" in md
    # declared order, as in the ruleset's catalog
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert table[1].startswith("| Type of breach ") and table[2].startswith("| Data concerned ")


def test_free_text_cannot_break_the_table(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, breach_description="Sent to A | B\nthen forwarded"))
    assert "| Description | Sent to A \\| B<br>then forwarded |" in md


def test_the_assessment_gives_the_level_and_every_reason_with_its_citations(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs))
    assert "- Risk level: high risk" in md
    assert "- The data reached an outsider. (GDPR Art. 4(12); t, line 20)" in md  # the ruleset and line, no path
    assert "- Health data reached an outsider. (GDPR Art. 9(1); t, line 22)" in md


# ------------------------------------------------------------------ why not notified


def test_a_no_risk_breach_records_why_nobody_was_notified(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, exposed_to="nobody"))
    assert "- Risk level: no risk" in md
    why = "Not required: the conditions of this obligation are not met (risk level assessed: “no risk”)."
    assert f"- [ ] **Notify the supervisory authority**: {why} (GDPR Art. 33(1))" in md
    assert f"- [ ] **Communication to the data subjects**: {why}\n  - Inform the data subjects (GDPR Art. 34(1))" \
        in md
    assert "- [x] **Document the breach**: Required (GDPR Art. 33(5))" in md
    assert "No rule applies" in md
    assert "## Appendix" not in md
    assert "## Contents of the notices" not in md  # no notice is required


def test_a_below_threshold_obligation_names_the_level_reached(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, data_categories=["contact"]))
    assert "**Notify the supervisory authority**: Required; due " in md
    assert ("**Communication to the data subjects**: Not required: the conditions of this obligation are not met"
            " (risk level assessed: “risk”).") in md


def test_an_exempted_obligation_records_the_exemption_and_its_reason(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, unreachable=True))
    assert ("- [ ] **Communication to the data subjects**: Not required because the exemption"
            " “data subjects out of reach” applies:"
            " The data subjects cannot be reached. (GDPR Art. 34(3)(c))\n"
            "  - Inform the data subjects (GDPR Art. 34(1))") in md
    # the exemption requires a public communication instead, which the draft serves too
    assert ("- [x] **Public communication**: Required; without undue delay;"
            " instead of “communication to the data subjects”\n  - Inform the public (GDPR Art. 34(3)(c))") in md
    assert "## Appendix: draft communication to the data subjects" in md


def test_an_obligation_required_only_instead_of_another_is_not_said_to_depend_on_the_risk(
        rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs))
    assert ("- [ ] **Public communication**: Not required: the conditions of this obligation are not met.\n"
            "  - Inform the public (GDPR Art. 34(3)(c))") in md


def test_the_reasons_read_natively_in_finnish_and_swedish(rs: breachrules.Ruleset) -> None:
    r = report(rs, exposed_to="nobody")
    assert ("Ei pakollinen: tämän velvoitteen edellytykset eivät täyty (arvioitu riskin taso:"
            " ”ei riskiä”).") in markdown(r, "fi")
    assert ("Krävs inte: villkoren för denna skyldighet är inte uppfyllda (bedömd risknivå:"
            " ”ingen risk”).") in markdown(r, "sv")
    assert ("Ei pakollinen, koska vapautus ”rekisteröidyt eivät tavoitettavissa” soveltuu: Rekisteröityjä ei"
            " tavoiteta.") in markdown(report(rs, unreachable=True), "fi")


# ------------------------------------------------------------------ deadlines


def test_a_late_notification_without_reasons_shows_the_missing_reasons(rs: breachrules.Ruleset) -> None:
    r = report(rs, authority_notified_at="2026-03-31T09:00:00+03:00")
    md = markdown(r)
    assert "  - Done late, on Tuesday, March 31, 2026 at 9:00 AM Finnish time: 22 hours after" \
        " the deadline" in md
    assert "  - **MISSING: the reasons for the delay are required but have not been given.**" in md
    assert "    - MISSING: the reasons for the delay" in text(r)
    assert "PUUTTUU: viivästymisen syyt on esitettävä" in markdown(r, "fi")
    assert "SAKNAS: en motivering till förseningen krävs" in markdown(r, "sv")


def test_a_late_notification_with_reasons_records_them(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, authority_notified_at="2026-03-31T09:00:00+03:00",
                         delay_reason="The breach came to light on a holiday weekend."))
    assert "  - Reasons for the delay: The breach came to light on a holiday weekend." in md
    assert "MISSING" not in md


def test_an_overdue_notification_says_by_how_much(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs))
    assert "  - OVERDUE: not done, the deadline passed 1 day and 23 hours ago" in md
    assert "**MISSING" in md  # a notification sent now needs the reasons too


def test_a_pending_notification_says_how_long_is_left(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, now=datetime.fromisoformat("2026-03-30T10:00:00+03:00")))
    assert "  - Not done yet; 1 hour left" in md
    md = markdown(report(rs, now=datetime.fromisoformat("2026-03-28T09:00:00+02:00")))
    assert "  - Not done yet; 2 days and 1 hour left" in md
    assert "MISSING" not in md


def test_a_notification_on_time_is_done_on_time(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, authority_notified_at="2026-03-28T12:00:00+02:00"))
    assert "  - Done on time, on Saturday, March 28, 2026 at 12:00 PM Finnish time" in md


def test_durations_take_plural_forms_in_every_language(rs: breachrules.Ruleset) -> None:
    one = report(rs, now=datetime.fromisoformat("2026-03-30T10:00:00+03:00"))
    two = report(rs, now=datetime.fromisoformat("2026-03-30T09:00:00+03:00"))
    assert "aikaa on jäljellä 1 tunti" in markdown(one, "fi")
    assert "aikaa on jäljellä 2 tuntia" in markdown(two, "fi")
    assert "1 timme återstår" in markdown(one, "sv")
    assert "2 timmar återstår" in markdown(two, "sv")


def test_the_deadline_across_the_dst_change_is_shown_in_local_summer_time(rs: breachrules.Ruleset) -> None:
    # 72 hours after Friday 10:00 EET is Monday 10:00 EET = 11:00 EEST, the clocks having moved on Sunday
    r = report(rs)
    assert r.deadline("notify").due == datetime.fromisoformat("2026-03-30T08:00:00+00:00")
    assert "Due on Monday, March 30, 2026 at 11:00 AM Finnish time" in markdown(r)
    assert "Tehtävä viimeistään maanantaina 30.3.2026 klo 11.00" in markdown(r, "fi")
    assert "Senast måndagen den 30 mars 2026 kl. 11.00" in markdown(r, "sv")
    assert "Due on Monday, March 30, 2026 at 10:00 AM (Central European Summer Time)" in markdown(
        r, "en", "Europe/Stockholm")


def test_finnish_and_swedish_dates_use_their_own_formats(rs: breachrules.Ruleset) -> None:
    r = report(rs)
    assert "| Tieto loukkauksesta saatu | perjantai 27. maaliskuuta 2026 klo 10.00 (Itä-Euroopan normaaliaika) |" \
        in markdown(r, "fi")
    assert "| Fick kännedom | fredag 27 mars 2026 kl. 10.00 (östeuropeisk normaltid) |" in markdown(r, "sv")
    assert "Laadittu: keskiviikko 1. huhtikuuta 2026 klo 10.00" in markdown(r, "fi")


# ------------------------------------------------------------------ checklists and phases


def test_a_phased_report_lists_initial_and_supplementary_items(rs: breachrules.Ruleset) -> None:
    r = report(rs, measures_taken=..., exposed_to=...)  # exposed_to unknown: an open question
    assert r.phased and r.assessment.provisional
    md = markdown(r)
    section = md.split("## Contents of the notices")[1].split("## Action plan")[0]
    assert "- [x] Nature of the breach (GDPR Art. 33(3)(a))" in section
    assert "- [ ] Measures taken or proposed (GDPR Art. 33(3)(d))\n  - Missing: measures taken" in section
    assert "**1 of 3 items is still missing**" in section
    initial = section.split("**Initial notification: what can be given now**")[1].split("**Supplementary")[0]
    supplementary = section.split("**Supplementary notification: what must be added once known**")[1]
    assert "- Nature of the breach" in initial and "- Contact point" in initial
    assert "Measures" not in initial
    assert "- Measures taken or proposed\n  - Missing: measures taken" in supplementary
    assert "- the answers to the open questions:\n  - Q exposed\\_to?" in supplementary
    assert "## Open questions (1)" not in md  # the plural heading with one question is singular
    assert "## Open question\n\n- Q exposed\\_to? *(Who got the data)*" in md


def test_a_complete_checklist_is_not_phased(rs: breachrules.Ruleset) -> None:
    r = report(rs)
    assert not r.phased
    md = markdown(r)
    assert "All items are present." in md
    assert "Initial notification" not in md


def test_missing_items_take_plural_forms(rs: breachrules.Ruleset) -> None:
    r = report(rs, measures_taken=..., contact_point=...)
    assert "**2 of 3 items are still missing**" in markdown(r)
    assert "Vielä puuttuu 2 kohtaa 3 kohdasta" in markdown(r, "fi")
    assert "Vielä puuttuu 1 kohta 3 kohdasta" in markdown(report(rs, measures_taken=...), "fi")


# ------------------------------------------------------------------ action plan


def test_the_action_plan_is_grouped_by_plan_and_phase_and_marks_uncertain_actions(
        rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, malicious=...))
    plan = md.split("## Action plan")[1].split("## Appendix")[0]
    assert [line for line in plan.splitlines() if line.startswith("#")] == [
        "### Response", "#### Acute phase", "#### After the crisis", "### Advice to data subjects", "#### Now"]
    assert "- [ ] Secure the logs. *(if the answers to the open questions confirm it)* (TSV guidance)" in plan
    assert "- [ ] Review what went wrong. (GDPR Art. 33(5))" in plan


def test_a_plan_with_no_applicable_actions_is_left_out(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs, exposed_to="nobody"))
    plan = md.split("## Action plan")[1]
    assert "### Response" in plan and "#### After the crisis" in plan
    assert "#### Acute phase" not in plan  # secure_logs does not apply: not malicious
    assert "Advice to data subjects" not in plan


# ------------------------------------------------------------------ the appendix and the plain text


def test_the_draft_notice_is_appended_when_the_data_subjects_must_be_told(rs: breachrules.Ruleset) -> None:
    md = markdown(report(rs))
    appendix = md.split("## Appendix: draft communication to the data subjects")[1]
    assert "> Subject: Personal data breach concerning your personal data" in appendix
    # each line of the letter stays a line: a paragraph of its own, the list items one list
    assert ("> ### What happened\n>\n> A letter with test results was sent to the wrong address.\n>\n"
            "> Type of breach:\n>\n> - loss of confidentiality\n>\n"
            "> These data about you were involved:\n>\n> - your contact details\n"
            "> - information about your health\n") in appendix
    assert "> Data protection officer Maija Meikäläinen, tietosuoja@example.fi" in appendix


def test_the_plain_text_view_follows_the_explanation(rs: breachrules.Ruleset) -> None:
    r = report(rs, measures_taken=...)
    out = text(r, "en")
    assert out.startswith(r.assessment.explain("en"))
    for heading in ("\nDeadlines\n", "\nContents of the notices\n  Notification to the authority\n",
                    "\nAction plan\n", "\nAppendix: draft communication to the data subjects\n"):
        assert heading in out
    assert "\n  - Notify the supervisory authority\n    - Due on Monday, March 30, 2026 at 11:00 AM" in out
    assert "\n    [ ] Measures taken or proposed [GDPR Art. 33(3)(d)]\n        - Missing: measures taken\n" in out
    assert "\n    Initial notification: what can be given now\n\n    - Nature of the breach\n" in out
    assert "\n  Response\n    Acute phase\n" not in out  # not malicious
    assert "\n  Response\n    After the crisis\n      [ ] Review what went wrong. [GDPR Art. 33(5)]\n" in out
    assert "## " not in out and "| " not in out and "**" not in out


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
@pytest.mark.parametrize("changes", [
    {},
    {"exposed_to": "nobody"},
    {"unreachable": True},
    {"measures_taken": ..., "exposed_to": ..., "malicious": ..., "authority_notified_at": "2026-04-01T08:00:00+03:00"},
    {"contact_point": ..., "possible_harms": ["identity_theft"], "advice_to_subjects": "Watch your bank account."},
], ids=["high", "none", "exempted", "phased", "notice"])
def test_every_language_renders_without_an_untranslated_id(
        rs: breachrules.Ruleset, lang: str, changes: dict[str, Any]) -> None:
    r = report(rs, **changes)
    for out in (markdown(r, lang), text(r, lang)):
        assert UNTRANSLATED.findall(out) == [], out
        assert "{" not in out and "}" not in out


def test_finnish_and_swedish_records_use_the_official_terms(rs: breachrules.Ruleset) -> None:
    r = report(rs, measures_taken=...)
    fi, sv = markdown(r, "fi"), markdown(r, "sv")
    assert fi.startswith("# Henkilötietojen tietoturvaloukkauksen dokumentointi\n")
    assert "alustava ilmoitus" in fi and "täydentävä ilmoitus" in fi.lower()
    assert "rekisteröidyille" in fi
    assert sv.startswith("# Dokumentation av en personuppgiftsincident\n")
    assert "Preliminär anmälan" in sv and "Komplettering" in sv
    assert "de registrerade" in sv


# ------------------------------------------------------------------ hostile text in the record

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_free_text_cannot_inject_markdown_html_or_control_characters() -> None:
    incident = json.loads((EXAMPLES / "ransomware-hospital-30h.json").read_text(encoding="utf-8"))
    incident["authority_notified_at"] = "2026-03-20T00:00:00+02:00"
    incident["delay_reason"] = "ok\n\n## Decisions\n- [ ] **Notify**: not required <script>x</script>\x1b[31m"
    incident["breach_description"] = "a\r| injected |\x07"
    report = breachrules.bundled("gdpr").report(incident, now=datetime(2026, 3, 21, tzinfo=UTC))
    record = markdown(report, "en")
    assert "\n## Decisions\n- [ ] **Notify**" not in record and "<script>" not in record
    assert "\x1b" not in record and "\x07" not in record and "\r" not in record
    assert "| a<br>\\| injected \\| |" in record  # one cell of the facts table, whatever the text says
    assert "\x1b" not in text(report, "fi")


def test_a_text_that_looks_like_an_instant_at_the_calendar_s_end_renders() -> None:
    rs = breachrules.loads('ruleset t\nscale risk: none < risk < high\nfact note: text\nfact a: bool\n'
                           'rule r when a then risk >= high because "m" cite "c"\n')
    report = rs.report({"a": True, "note": "9999-12-31T23:59:59-23:59"}, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert "9999-12-31T23:59:59-23:59" in markdown(report, "en")


@pytest.mark.parametrize("zone", ["Nowhere/Zone", "", "America", "x" * 300, None, 5])
def test_a_time_zone_that_does_not_exist_is_the_library_s_error(zone: Any) -> None:
    report = breachrules.bundled("gdpr").report(
        {"breach_types": ["confidentiality"], "became_aware_at": "2026-01-01T00:00:00+00:00"},
        now=datetime(2026, 1, 2, tzinfo=UTC))
    for render in (lambda: report.assessment.explain("en", zone), lambda: markdown(report, "en", zone),
                   lambda: report.notice("en", zone), lambda: text(report, "en", zone)):
        with pytest.raises(breachrules.ArgumentError):
            render()


@pytest.mark.parametrize(("locale", "due", "late"), [
    ("fi", "Tehtävä viimeistään maanantaina 30.3.2026 klo 11.00",
     "määräaika umpeutui 1 vuorokausi ja 23 tuntia sitten"),
    ("sv", "Senast måndagen den 30 mars 2026 kl. 11.00", "tidsfristen gick ut för 1 dygn och 23 timmar sedan"),
    ("en", "Due on Monday, March 30, 2026 at 11:00 AM Finnish time", "the deadline passed 1 day and 23 hours ago"),
])
def test_dates_and_durations_stand_in_a_sentence(rs: breachrules.Ruleset, locale: str, due: str, late: str) -> None:
    md = markdown(report(rs, now=datetime.fromisoformat("2026-04-01T10:00:00+03:00")), locale)
    assert due in md and late in md


# ------------------------------------------------------------------ one document, several renderings


def test_the_record_is_a_document_that_markdown_writes_and_json_keeps(rs: breachrules.Ruleset) -> None:
    r = report(rs, measures_taken=...)
    doc = r.to_document("fi")
    assert as_markdown(doc) == r.to_markdown("fi")
    assert Document.from_dict(json.loads(json.dumps(doc.to_dict()))) == doc
    assert [b.title for b in doc.blocks if isinstance(b, Section)] == [
        "Tietoturvaloukkaukseen liittyvät tosiseikat", "Riskinarviointi", "Velvoitteita koskevat ratkaisut",
        "Määräajat",
        "Ilmoitusten sisältö", "Toimintasuunnitelma", "Liite: luonnos ilmoitukseksi rekisteröidyille"]


def test_the_text_view_and_the_record_share_their_sections(rs: breachrules.Ruleset) -> None:
    r = report(rs, measures_taken=...)
    record, shown = r.to_document("sv"), view(r, "sv")
    assert as_text(shown) == text(r, "sv")
    shared = [b for b in shown.blocks if b in record.blocks]  # built once, by the same code
    assert [b.title for b in shared if isinstance(b, Section)] == [
        "Tidsfrister", "Meddelandenas innehåll", "Åtgärdsplan", "Bilaga: utkast till information till de registrerade"]
    reasons = next(b for b in shown.blocks if isinstance(b, Section) and b.title == "Motivering")
    assessed = next(b for b in record.blocks if isinstance(b, Section) and b.title == "Riskbedömning")
    assert reasons in assessed.blocks


def test_sections_remembered_from_other_records_are_the_sections_made_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record's facts table, checklists, plan and letter are remembered by
    what they are made of, across records: records of incidents that share
    some of them (the same plan, other facts; a fact left open), rendered in
    turn and again, read as records made with nothing remembered."""
    from breachrules import render
    from breachrules.i18n import Messages

    rs = breachrules.bundled("gdpr")
    base = json.loads((EXAMPLES / "ransomware-hospital-30h.json").read_text(encoding="utf-8"))
    incidents = [base, {**base, "subjects": 4_000}, {k: v for k, v in base.items() if k != "malicious"},
                 json.loads((EXAMPLES / "partial-facts.json").read_text(encoding="utf-8")), base]
    reports = [rs.report(incident, now=datetime(2027, 1, 1, 12, tzinfo=UTC)) for incident in incidents]
    reports.append(rs.report(base, now=datetime(2026, 11, 22, 12, tzinfo=UTC)))  # its deadlines still to come
    stored = reports[0].to_dict()  # read back, its facts edited by hand: equal values of other types
    for edited in ([1], [True], [1.0]):
        stored["assessment"]["facts"]["breach_types"] = edited
        reports.append(rs.read_report(stored))
    forms = [(r, lang, zone) for r in reports for lang in ("fi", "sv") for zone in ("Europe/Helsinki", "UTC")]

    def written() -> list[tuple[str, str, str]]:
        return [(markdown(r, lang, zone), text(r, lang, zone), r.notice(lang, zone)) for r, lang, zone in forms]

    remembered = written() + written()
    with monkeypatch.context() as patch:
        patch.setattr(Messages, "remember", lambda self, key, make, recent=False: make())
        patch.setattr(render, "_remembered", lambda key, write: write())
        afresh = written() + written()
    assert remembered == afresh
    assert remembered[0] != remembered[4] and remembered[0] == remembered[16]  # other facts; the same again
    assert len({r[0] for r in remembered[-12:]}) == 12  # [1], [True], [1.0]: three records in four forms each
