"""The draft communication to the data subjects (GDPR Art. 34(2))."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import breachrules
from breachrules.notice import draft
from tests.test_record import NOW, UNTRANSLATED, incident, write_ruleset


@pytest.fixture
def rs(tmp_path: Path) -> breachrules.Ruleset:
    return write_ruleset(tmp_path)


def letter(rs: breachrules.Ruleset, lang: str = "en", timezone: str = "Europe/Helsinki", **changes: Any) -> str:
    return draft(rs.report(incident(**changes), now=NOW), lang, timezone)


def test_the_notice_tells_what_happened_when_what_it_means_and_whom_to_contact(rs: breachrules.Ruleset) -> None:
    text = letter(rs, possible_harms=["identity_theft", "financial_loss"],
                  advice_to_subjects="Watch your bank account for payments you do not recognise.")
    assert text.startswith("Subject: Personal data breach concerning your personal data\n")
    # the lists in the letter's own words (plain.*), or, for a fact the catalog has none for, its labels
    assert ("What happened\nA letter with test results was sent to the wrong address.\n"
            "Type of breach:\n- loss of confidentiality\n"
            "These data about you were involved:\n- your contact details\n- information about your health\n"
            "We became aware of the breach on Friday, March 27, 2026 at 10:00 AM Finnish time.\n"
            ) in text
    assert "What this may mean for you\nThis may happen to you:\n- financial loss\n- identity theft\n" in text
    assert "What we have done\nWe asked the recipient to destroy the letter.\n" in text
    assert ("What we advise you to do\n- Change your passwords.\n"
            "Watch your bank account for payments you do not recognise.\n") in text
    assert ("Whom to contact\nIf you have questions, please contact:\n"
            "Data protection officer Maija Meikäläinen, tietosuoja@example.fi\n") in text
    assert "[to be completed" not in text


def test_free_text_is_inserted_as_written(rs: breachrules.Ruleset) -> None:
    words = "Ota yhteyttä: tietosuoja@example.fi {ei muotoilua} 100 % varmasti"
    assert words in letter(rs, "sv", contact_point=words)


def test_a_missing_contact_point_leaves_a_visible_placeholder(rs: breachrules.Ruleset) -> None:
    assert ("[to be completed: name and contact details of the data protection officer or other contact point]"
            in letter(rs, contact_point=...))
    assert ("[täydennettävä: tietosuojavastaavan tai muun yhteyspisteen nimi ja yhteystiedot]"
            in letter(rs, "fi", contact_point=...))
    assert ("[ska kompletteras: namn och kontaktuppgifter för dataskyddsombudet eller en annan kontaktpunkt]"
            in letter(rs, "sv", contact_point=...))


def test_blank_text_counts_as_missing(rs: breachrules.Ruleset) -> None:
    assert "[to be completed: name and contact details" in letter(rs, contact_point="   ")


def test_every_missing_part_has_its_placeholder(rs: breachrules.Ruleset) -> None:
    text = letter(rs, breach_description=..., measures_taken=..., became_aware_at=..., data_categories=...,
                  contact_point=...)
    # an unknown text, list or moment is a placeholder where it would stand, named by the fact's label
    assert ("What happened\n[to be completed: description]\nType of breach:\n- loss of confidentiality\n"
            "[to be completed: data concerned]\n") in text
    assert "[to be completed: became aware at]\n\nWhat this may mean" in text
    assert "[täydennettävä: tiedot]" in letter(rs, "fi", data_categories=...)
    assert "What we have done\n[to be completed: the measures taken or proposed to address the breach" in text
    assert "[to be completed: name and contact details of the data protection officer" in text


def test_without_known_harms_the_consequences_are_a_neutral_sentence(rs: breachrules.Ruleset) -> None:
    text = letter(rs)
    assert "What this may mean for you\nWe are still assessing what consequences the breach may have for you.\n" \
        in text
    assert "Selvitämme vielä, mitä seurauksia loukkauksella voi olla sinulle." in letter(rs, "fi")
    assert "Vi utreder ännu vilka konsekvenser incidenten kan få för dig." in letter(rs, "sv")


def test_advice_needs_an_action_or_a_text(rs: breachrules.Ruleset) -> None:
    # risk only: change_passwords does not apply, and no advice is given
    text = letter(rs, data_categories=["contact"])
    assert "What we advise you to do\n[to be completed: advice on how you can protect yourself]" in text
    assert "Mitä voit itse tehdä\n[täydennettävä: ohjeet siitä, miten voit suojautua]" in letter(
        rs, "fi", data_categories=["contact"])


def test_an_uncertain_advice_action_is_marked_for_checking(rs: breachrules.Ruleset) -> None:
    text = letter(rs, data_categories=..., advice_to_subjects="Be careful.")
    assert ("- Change your passwords. [to be checked: applies only if the answers to the open questions"
            " confirm it]") in text


def test_the_discovery_time_is_in_the_readers_zone_and_language(rs: breachrules.Ruleset) -> None:
    aware = "2026-03-30T08:30:00+00:00"
    assert ("Saimme tiedon loukkauksesta maanantaina 30.3.2026 klo 11.30."
            in letter(rs, "fi", became_aware_at=aware))
    assert ("Vi fick kännedom om incidenten måndagen den 30 mars 2026 kl. 11.30."
            in letter(rs, "sv", became_aware_at=aware))
    assert ("We became aware of the breach on Monday, March 30, 2026 at 10:30 AM"
            " (Central European Summer Time)." in letter(rs, "en", "Europe/Stockholm", became_aware_at=aware))


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_every_language_renders_without_an_untranslated_id(rs: breachrules.Ruleset, lang: str) -> None:
    variants: list[dict[str, Any]] = [{}, {"contact_point": ..., "measures_taken": ..., "data_categories": ...,
                                           "possible_harms": ["identity_theft"], "advice_to_subjects": "Be careful."}]
    for changes in variants:
        text = letter(rs, lang, **changes)
        assert UNTRANSLATED.findall(text) == [], text


def test_finnish_and_swedish_notices_use_the_official_terms(rs: breachrules.Ruleset) -> None:
    fi, sv = letter(rs, "fi"), letter(rs, "sv")
    assert "henkilötietojen tietoturvaloukkauksesta" in fi and "tietosuojavaltuutetun toimistolle" in fi
    assert "personuppgiftsincident" in sv and "dataombudsmannens byrå" in sv


MINIMAL = """ruleset t version "1"
scale risk: none < risk < high
fact exposed_to: {nobody, outsider}
rule outsider when exposed_to == outsider then risk >= high because "reason.outsider" cite "c"
obligation tell_them when risk >= high due without undue delay
  says "obligation.tell_them" cite "GDPR Art. 34(1)"
"""
MINIMAL_CATALOG = {
    "scale.risk": ("Risk", "Riski", "Risk"), "scale.risk.high": ("high", "korkea", "hög"),
    "fact.exposed_to": ("Who", "Kuka", "Vem"),
    "value.exposed_to.outsider": ("outsider", "ulkopuolinen", "utomstående"),
    "reason.outsider": ("Outsider.", "Ulkopuolinen.", "Utomstående."),
    "obligation.tell_them": ("Inform", "Ilmoita", "Informera"),
}
NOW_2026 = datetime.fromisoformat("2026-01-01T12:00:00+02:00")


def test_a_notice_declared_with_parts_the_ruleset_cannot_fill_keeps_the_placeholders(tmp_path: Path) -> None:
    rs = write_ruleset(tmp_path, MINIMAL + "notice letter for tell_them\n  what_happened: exposed_to\n",
                       MINIMAL_CATALOG)
    r = rs.report({"exposed_to": "outsider"}, now=NOW_2026)
    text = r.notice()
    # what the ruleset fills is told; what Art. 34(2) needs and nothing fills stays a placeholder
    assert "What happened\nWho:\n- outsider\n" in text
    assert "We became aware" not in text and "What we advise you to do" not in text
    assert "[to be completed: the measures taken or proposed" in text
    assert "[to be completed: name and contact details" in text
    assert "## Appendix: draft communication to the data subjects" in r.to_markdown()


def test_the_notice_follows_the_obligations_the_ruleset_names(tmp_path: Path) -> None:
    """No obligation of a bundled ruleset is known to the library: the
    notice is appended when the obligation its ruleset names is required."""
    plain = write_ruleset(tmp_path, MINIMAL, MINIMAL_CATALOG)
    report = plain.report({"exposed_to": "outsider"}, now=NOW_2026)
    assert report.assessment.required == ("tell_them",)
    assert "Appendix" not in report.to_markdown()  # no notice declared: nothing to draft
    declared = write_ruleset(tmp_path, MINIMAL + "notice letter for tell_them\n  what_happened: exposed_to\n",
                             MINIMAL_CATALOG)
    assert "Appendix" in declared.report({"exposed_to": "outsider"}, now=NOW_2026).to_markdown()
    assert "Appendix" not in declared.report({"exposed_to": "nobody"}, now=NOW_2026).to_markdown()



@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_every_part_has_its_heading_and_every_required_part_its_placeholder(lang: str) -> None:
    from breachrules.i18n import Messages
    from breachrules.vocabulary import NOTICE_PARTS, REQUIRED_PARTS

    _ = Messages(lang)
    told = [part for part in NOTICE_PARTS if part != "discovered"]  # a sentence of "what happened"
    assert [part for part in told if not _.has(f"notice.{part}")] == []
    assert [part for part in REQUIRED_PARTS
            if not (_.has(f"notice.missing.{part}") or _.has(f"notice.none.{part}"))] == []


def test_an_unknown_text_is_asked_for_where_it_opens_a_part_not_where_it_adds_to_a_list(
        rs: breachrules.Ruleset) -> None:
    # advice: the plan's actions first, then the controller's own words
    text = letter(rs, advice_to_subjects=...)
    assert "What we advise you to do\n- Change your passwords.\n\nWhom to contact" in text
    # what happened: the controller's account first, then the lists
    assert "What happened\n[to be completed: description]\nType of breach:" in letter(rs, breach_description=...)
