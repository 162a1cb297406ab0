"""Citations: declared references, checked, and cited as each language cites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import breachrules
from breachrules.citations import Citation, from_list, render_all, to_list
from breachrules.extract import messages
from breachrules.parser import parse

EXAMPLE = Path(__file__).parent.parent / "examples" / "misdirected-health-email.json"
GDPR = breachrules.bundled("gdpr")
FI_HEALTH = breachrules.bundled("fi-health")


def cited(text: str, locale: str, ruleset: breachrules.Ruleset = GDPR) -> str:
    """``text`` (the citations of a rule) as the bundled catalogs render it."""
    rs = breachrules.loads(f'ruleset t extends {ruleset.program.name}\nfact zz: bool\n'
                           f'rule zz_rule when zz then risk >= high because "m" cite {text}\n')
    messages_ = rs.messages(locale)
    return render_all(messages_, rs.program.rules["zz_rule"].cites)


@pytest.mark.parametrize(("text", "en", "fi", "sv"), [
    ("gdpr article 33(3)(a)", "GDPR Art. 33(3)(a)", "tietosuoja-asetuksen 33 artiklan 3 kohdan a alakohta",
     "artikel 33.3 a i dataskyddsförordningen"),
    ("gdpr article 33(1)", "GDPR Art. 33(1)", "tietosuoja-asetuksen 33 artiklan 1 kohta",
     "artikel 33.1 i dataskyddsförordningen"),
    ("gdpr article 10", "GDPR Art. 10", "tietosuoja-asetuksen 10 artikla", "artikel 10 i dataskyddsförordningen"),
    ("gdpr recital 75", "GDPR recital 75", "tietosuoja-asetuksen johdanto-osan 75 kappale",
     "skäl 75 i dataskyddsförordningen"),
    ("tsv_2021 annex 1 example 22", "Office of the Data Protection Ombudsman, Dnro 7767/183/21, Annex 1, ex. 22",
     "Tietosuojavaltuutetun toimisto, Dnro 7767/183/21, liite 1, esimerkki 22",
     "Dataombudsmannens byrå, Dnr 7767/183/21, bilaga 1, exempel 22"),
    ("tsv_2021 annex 1 example 3 and 7", "Office of the Data Protection Ombudsman, Dnro 7767/183/21, Annex 1, "
     "ex. 3 and 7", "Tietosuojavaltuutetun toimisto, Dnro 7767/183/21, liite 1, esimerkit 3 ja 7",
     "Dataombudsmannens byrå, Dnr 7767/183/21, bilaga 1, exempel 3 och 7"),
    ("tsv_2021 annex 1 example 11 to 12", "Office of the Data Protection Ombudsman, Dnro 7767/183/21, Annex 1, "
     "ex. 11\N{EN DASH}12", "Tietosuojavaltuutetun toimisto, Dnro 7767/183/21, liite 1, esimerkit 11\N{EN DASH}12",
     "Dataombudsmannens byrå, Dnr 7767/183/21, bilaga 1, exempel 11\N{EN DASH}12"),
    ("tsv_2021 page 2", "Office of the Data Protection Ombudsman, Dnro 7767/183/21, p. 2",
     "Tietosuojavaltuutetun toimisto, Dnro 7767/183/21, s. 2", "Dataombudsmannens byrå, Dnr 7767/183/21, s. 2"),
    ('edpb_9_2022 section "II.A.4"', "EDPB Guidelines 9/2022, sect. II.A.4",
     "Euroopan tietosuojaneuvoston ohjeet 9/2022, kohta II.A.4",
     "Europeiska dataskyddsstyrelsens riktlinjer 9/2022, avsnitt II.A.4"),
    ("edpb_01_2021 case 03", "EDPB Guidelines 01/2021, case 03", "Euroopan tietosuojaneuvoston ohjeet 01/2021, "
     "tapaus 03", "Europeiska dataskyddsstyrelsens riktlinjer 01/2021, fall 03"),
    ("gdpr article 5(2), gdpr recital 85", "GDPR Art. 5(2); GDPR recital 85",
     "tietosuoja-asetuksen 5 artiklan 2 kohta; tietosuoja-asetuksen johdanto-osan 85 kappale",
     "artikel 5.2 i dataskyddsförordningen; skäl 85 i dataskyddsförordningen"),
])
def test_each_language_cites_as_it_cites_the_law(text: str, en: str, fi: str, sv: str) -> None:
    assert (cited(text, "en"), cited(text, "fi"), cited(text, "sv")) == (en, fi, sv)


def test_the_bundled_rulesets_cite_nothing_as_quoted_text_and_their_records_no_english() -> None:
    for rs in (GDPR, FI_HEALTH):
        cited = rs.program.citations()
        assert cited and all(c.reference for _, cites in cited for c in cites)
    incident = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for locale, english in (("fi", ("GDPR", "Art.", "recital", "Annex")), ("sv", ("GDPR", "Art.", "recital"))):
        text = FI_HEALTH.assess(incident).explain(locale)
        assert not [word for word in english if word in text], locale


def test_a_quoted_citation_is_shown_as_written_and_warned_about_beside_references() -> None:
    assert cited('"Kuntaliiton ohje 2024"', "fi") == "Kuntaliiton ohje 2024"
    ours = breachrules.loads('ruleset ours extends gdpr\nfact zz: bool\n'
                             'rule zz_rule when zz then risk >= high because "m" cite "our policy 4.2"\n')
    (warning,) = [w for w in ours.warnings if w.code == "BR705"]
    assert dict(warning.values) == {"text": "our policy 4.2"} and warning.span.line == 3
    assert "viittaus \"our policy 4.2\" on lainausmerkeissä" in warning.render(locale="fi")
    alone = breachrules.loads('ruleset alone\nscale risk: none < high\nfact a: bool\n'
                              'rule r when a then risk >= high because "m" cite "c"\n')
    assert alone.warnings == ()  # a ruleset that declares no references cites as it likes


def problems(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(breachrules.RulesetError) as raised:
        breachrules.loads('ruleset t extends gdpr\nfact zz: bool\n' + text)
    return [(d.code, d.span.line, d.span.column, d.render(locale="en").splitlines()[0])
            for d in raised.value.diagnostics]


def test_a_citation_of_an_undeclared_reference_is_an_error_with_a_suggestion() -> None:
    ((code, line, column, message),) = problems(
        'rule r when zz then risk >= high because "m" cite gdrp article 33(1)\n')
    assert (code, line, column) == ("BR210", 3, 51)
    assert "'gdrp' is not a declared reference" in message and "gdpr" in message


@pytest.mark.parametrize(("cite", "why"), [
    ("gdpr page 2", "a law is cited by 'article', 'recital' or 'annex', not 'page'"),
    ("tsv_2021 article 3", "a document is cited by 'annex', 'example', 'page', 'section' or 'case', not 'article'"),
    ("gdpr article 33 article 34", "'article' is given twice"),
    ("gdpr", "a law is cited at an 'article', a 'recital' or an 'annex', not as a whole"),
    ("gdpr article 1.5", "'1.5' in 'article' is not a whole number"),
    ("tsv_2021 example 12 to 11", "'12 to 11' in 'example' is not a whole number"),
    ("tsv_2021 example 3 example 4", "'example' is given twice"),
    ("gdpr article 33 recital 75", "a law is cited at one place: an 'article', a 'recital' or an 'annex',"
     " not 'recital' besides"),
    ("gdpr recital 0", "'0' in 'recital' is not a whole number"),
])
def test_a_citation_that_does_not_fit_its_reference_is_an_error(cite: str, why: str) -> None:
    ((code, line, _, message),) = problems(f'rule r when zz then risk >= high because "m" cite {cite}\n')
    assert (code, line) == ("BR426", 3)
    assert why in message


def test_a_reference_declared_twice_is_an_error() -> None:
    ((code, line, _, _),) = problems('reference gdpr: document "x"\n')
    assert (code, line) == ("BR401", 3)


def test_the_words_of_citations_are_not_reserved() -> None:
    rs = breachrules.loads('ruleset w\nscale risk: none < high\nfact article: bool\nfact law: bool\n'
                           'fact page: count 0..\nfact reference: bool\n'
                           'reference document: document "reference.document"\n'
                           'rule case when article and law and reference and page > 2 then risk >= high\n'
                           '  because "m" cite document page 2 section "4"\n')
    (cite,) = rs.program.rules["case"].cites
    assert (cite.reference, cite.kind, cite.page, cite.section) == ("document", "document", "2", "4")


def test_the_extractor_offers_each_reference_name_to_translators() -> None:
    module = parse('ruleset w\nreference gdpr: law "reference.gdpr"\nreference g: document "reference.g"\n', "w")
    found = [(msgid, comments) for _, _, msgid, comments in messages(module)]
    assert found == [("reference.gdpr", ["law gdpr: the name as cited (fi: genitive)"]),
                     ("reference.g", ["document g: the name as cited"])]


citations = st.builds(
    Citation,
    reference=st.sampled_from(["gdpr", "tsv"]), kind=st.sampled_from(["law", "document"]),
    name=st.just("reference.x"), article=st.sampled_from(["", "33"]), paragraph=st.sampled_from(["", "3"]),
    point=st.sampled_from(["", "a"]), examples=st.lists(st.sampled_from(["3", "7-9"]), max_size=2).map(tuple),
    section=st.text(max_size=5),
) | st.builds(Citation, text=st.text(min_size=1))


@given(st.lists(citations, max_size=3))
def test_citations_survive_a_round_trip_through_json(cites: list[Citation]) -> None:
    assert from_list(json.loads(json.dumps(to_list(cites)))) == tuple(cites)


def test_a_record_written_before_citations_had_structure_still_reads() -> None:
    assert from_list(["GDPR Art. 33(1)"]) == (Citation(text="GDPR Art. 33(1)"),)
    incident = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    stored = FI_HEALTH.assess(incident).to_dict()
    old = {**stored, "schema": "breachrules.assessment/1",  # as version 1 wrote it
           "obligations": [{**o, "cites": ["GDPR Art. 33(1)"]} for o in stored["obligations"]]}
    read = type(FI_HEALTH.assess(incident)).from_dict(old)
    assert "[GDPR Art. 33(1)]" in read.explain("en")


def test_a_stored_assessment_renders_its_citations_as_before() -> None:
    incident = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assessment = FI_HEALTH.assess(incident)
    stored = type(assessment).from_dict(json.loads(json.dumps(assessment.to_dict())))
    for locale in ("fi", "sv", "en"):
        assert stored.explain(locale) == assessment.explain(locale)
