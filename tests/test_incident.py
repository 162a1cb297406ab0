"""Validating incidents against the bundled gdpr ruleset."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import breachrules
from breachrules.errors import BreachrulesError

ALLOWED_CATEGORIES = (
    "'contact', 'identity_number', 'identity_attributes', 'financial', 'health', 'special_category', "
    "'criminal', 'credentials_hashed', 'credentials_plain', 'children', 'location', 'employment', 'other'"
)

BASE: dict[str, Any] = {
    "became_aware_at": "2026-11-20T09:30:00+02:00",
    "breach_types": ["confidentiality"],
    "data_categories": ["health"],
    "subjects": 1,
    "vulnerable_subjects": False,
    "malicious": False,
    "exposed_to": "outsider",
}


def problems(rs: Any, incident: Any) -> list[Any]:
    with pytest.raises(breachrules.IncidentError) as caught:
        rs.validate(incident)
    return list(caught.value.problems)


def only_problem(rs: Any, incident: Any) -> Any:
    found = problems(rs, incident)
    assert len(found) == 1, [p.message() for p in found]
    return found[0]


def test_the_base_incident_is_valid(gdpr: Any) -> None:
    facts = gdpr.validate(BASE)
    assert facts["data_categories"] == frozenset({"health"})
    assert facts["subjects"] == 1
    assert facts["became_aware_at"] == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)


def test_every_problem_is_reported_at_once(gdpr: Any) -> None:
    incident = {**BASE, "data_categories": ["health", "helth"], "subjects": "12", "malicous": True}
    found = problems(gdpr, incident)
    assert len(found) == 3
    assert sorted(p.path for p in found) == ["$.data_categories[1]", "$.malicous", "$.subjects"]
    messages = {p.path: p.message("en") for p in found}
    assert messages["$.data_categories[1]"] == (
        f"$.data_categories[1]: 'helth' is not one of {ALLOWED_CATEGORIES}; did you mean 'health'?"
    )
    assert messages["$.malicous"] == (
        "$.malicous: 'malicous' is not a fact of the ruleset gdpr; did you mean 'malicious'?"
    )
    assert messages["$.subjects"] == "$.subjects: expected a whole number, found the text '12'"


def test_incident_error_lists_every_problem_in_its_text(gdpr: Any) -> None:
    with pytest.raises(breachrules.IncidentError) as caught:
        gdpr.validate({**BASE, "malicious": 1, "subjects": 0})
    text = str(caught.value)
    assert "$.malicious: expected true or false, found the number 1" in text.splitlines()
    assert "$.subjects: 0 is outside the allowed range 1.." in text.splitlines()


def test_did_you_mean_a_value(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "data_categories": ["helth"]})
    assert problem.path == "$.data_categories[0]"
    assert problem.message().endswith("; did you mean 'health'?")
    assert dict(problem.values)["suggestion"] == "health"


def test_did_you_mean_an_enum_value(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "exposed_to": "outsidr"})
    assert problem.path == "$.exposed_to"
    assert problem.message() == (
        "$.exposed_to: 'outsidr' is not one of 'nobody', 'probably_nobody', 'colleague', "
        "'trusted_recipient', 'outsider', 'unknown_party', 'public'; did you mean 'outsider'?"
    )


def test_no_suggestion_when_nothing_is_close(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "data_categories": ["zzzzzz"]})
    assert problem.message() == (
        f"$.data_categories[0]: 'zzzzzz' is not one of {ALLOWED_CATEGORIES}"
    )


def test_unknown_fact_with_suggestion(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "breach_type": ["confidentiality"]})
    assert problem.path == "$.breach_type"
    assert problem.message() == (
        "$.breach_type: 'breach_type' is not a fact of the ruleset gdpr; "
        "did you mean 'breach_types'?"
    )


def test_messages_in_other_languages_keep_the_path(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "malicious": 1})
    texts = {lang: problem.message(lang) for lang in ("fi", "sv", "en")}
    for text in texts.values():
        assert text.startswith("$.malicious: ")
        assert "incident." not in text
    assert len(set(texts.values())) == 3


@pytest.mark.parametrize("value", [1, 0, 1.0, "true", "yes", [True]])
def test_bool_is_not_coerced(gdpr: Any, value: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "malicious": value})
    assert problem.path == "$.malicious"
    assert problem.key == "expected_bool"


def test_bool_given_as_1_message(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "vulnerable_subjects": 1})
    assert problem.message() == "$.vulnerable_subjects: expected true or false, found the number 1"


@pytest.mark.parametrize("value, found", [
    ("12", "the text '12'"),
    (True, "true"),
    (12.5, "the number 12.5"),
    (12.0, "the number 12.0"),
    ([12], "a list"),
])
def test_count_must_be_a_whole_number(gdpr: Any, value: Any, found: str) -> None:
    problem = only_problem(gdpr, {**BASE, "subjects": value})
    assert problem.message() == f"$.subjects: expected a whole number, found {found}"


@pytest.mark.parametrize("value", [0, -1, -1000])
def test_count_below_its_lower_bound(gdpr: Any, value: int) -> None:
    problem = only_problem(gdpr, {**BASE, "subjects": value})
    assert problem.key == "out_of_range"
    assert problem.message() == f"$.subjects: {value} is outside the allowed range 1.."


def test_count_has_no_upper_bound(gdpr: Any) -> None:
    assert gdpr.validate({**BASE, "subjects": 10**9})["subjects"] == 10**9


def test_naive_datetime_refused(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "became_aware_at": "2026-11-20T09:30:00"})
    assert problem.message() == (
        "$.became_aware_at: '2026-11-20T09:30:00' has no time zone; deadlines run from an exact "
        "instant, so write it as in \"2026-11-20T09:30:00+02:00\""
    )


def test_naive_python_datetime_refused(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "became_aware_at": datetime(2026, 11, 20, 9, 30)})
    assert problem.path == "$.became_aware_at"
    assert problem.key == "naive_datetime"


def test_date_only_text_refused(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "became_aware_at": "2026-11-20"})
    assert problem.path == "$.became_aware_at"
    assert problem.key in ("date_without_time", "naive_datetime")


def test_date_only_toml_refused(gdpr: Any) -> None:
    incident = tomllib.loads("became_aware_at = 2026-11-20\n")
    problem = only_problem(gdpr, {**BASE, **incident})
    assert problem.message() == (
        "$.became_aware_at: '2026-11-20' is a date without a time; the 72-hour clock needs the "
        "time and time zone too"
    )


def test_local_toml_datetime_refused(gdpr: Any) -> None:
    incident = tomllib.loads("became_aware_at = 2026-11-20T09:30:00\n")
    problem = only_problem(gdpr, {**BASE, **incident})
    assert problem.key == "naive_datetime"


def test_toml_datetime_with_offset_accepted(gdpr: Any) -> None:
    incident = tomllib.loads(
        "became_aware_at = 2026-11-20T09:30:00+02:00\n"
        'breach_types = ["confidentiality"]\n'
        "subjects = 3\n"
    )
    assert isinstance(incident["became_aware_at"], datetime)
    facts = gdpr.validate(incident)
    assert facts["became_aware_at"] == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    a = gdpr.assess(incident)
    assert a.facts["became_aware_at"] == "2026-11-20T09:30:00+02:00"


@pytest.mark.parametrize("value", ["yesterday", "20.11.2026 9:30", "", 1763631000, True])
def test_not_a_datetime(gdpr: Any, value: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "became_aware_at": value})
    assert problem.path == "$.became_aware_at"
    assert problem.key == "expected_datetime"


@pytest.mark.parametrize("text, expected", [
    ("PT30H", timedelta(hours=30)),
    ("P2DT4H", timedelta(days=2, hours=4)),
    ("PT90M", timedelta(minutes=90)),
    ("P1W", timedelta(weeks=1)),
    ("PT0S", timedelta(0)),
    ("PT1.5H", timedelta(hours=1, minutes=30)),
])
def test_iso_durations_accepted(gdpr: Any, text: str, expected: timedelta) -> None:
    assert gdpr.validate({**BASE, "restore_time": text})["restore_time"] == expected


def test_python_timedelta_accepted(gdpr: Any) -> None:
    value = timedelta(hours=30)
    assert gdpr.validate({**BASE, "restore_time": value})["restore_time"] == value


@pytest.mark.parametrize("text", ["P1Y", "P1M", "P1Y2D", "30h", "PT", "P", "30", "PT30", "1 day"])
def test_iso_durations_refused(gdpr: Any, text: str) -> None:
    problem = only_problem(gdpr, {**BASE, "restore_time": text})
    assert problem.path == "$.restore_time"
    assert problem.key == "expected_duration"


def test_year_duration_message(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "restore_time": "P1Y"})
    assert problem.message() == (
        "$.restore_time: expected an ISO 8601 duration such as \"PT30H\" or \"P2DT4H\" (days, "
        "hours, minutes; no years or months), found the text 'P1Y'"
    )


def test_number_is_not_a_duration(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "restore_time": 30})
    assert problem.key == "expected_duration"
    assert problem.message().endswith("found the number 30")


def test_negative_timedelta_refused(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "restore_time": timedelta(hours=-1)})
    assert problem.path == "$.restore_time"
    assert problem.key == "negative_duration"


def test_enormous_duration_is_a_problem_not_a_crash(gdpr: Any) -> None:
    # Too long for a timedelta: the incident is wrong, and must be told so
    # with its path, not with an OverflowError from deep inside.
    problem = only_problem(gdpr, {**BASE, "restore_time": "P9999999999D"})
    assert problem.path == "$.restore_time"


def test_deadline_out_of_calendar_range_is_a_breachrules_error(gdpr: Any) -> None:
    # 72 h after this instant is past year 9999: nothing but a BreachrulesError
    # may escape to a caller (errors.py).
    with pytest.raises(BreachrulesError):
        gdpr.assess({**BASE, "became_aware_at": "9999-12-31T23:00:00+00:00"})


def test_set_must_be_a_list(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "data_categories": "health"})
    assert problem.message() == (
        f"$.data_categories: expected a list of values from {ALLOWED_CATEGORIES}, "
        "found the text 'health'"
    )


def test_several_bad_members_each_reported(gdpr: Any) -> None:
    found = problems(gdpr, {**BASE, "data_categories": ["helth", "contact", 3, "finance"]})
    assert [p.path for p in found] == [
        "$.data_categories[0]", "$.data_categories[2]", "$.data_categories[3]"]


def test_null_inside_a_list_is_described_as_null(gdpr: Any) -> None:
    # JSON users write null; the message must not show Python's "NoneType".
    problem = only_problem(gdpr, {**BASE, "data_categories": ["health", None]})
    assert problem.path == "$.data_categories[1]"
    assert "NoneType" not in problem.message()
    assert problem.message().endswith("found null")


def test_null_means_unknown(gdpr: Any) -> None:
    facts = gdpr.validate({**BASE, "malicious": None, "subjects": None})
    assert "malicious" not in facts
    assert "subjects" not in facts
    absent = {k: v for k, v in BASE.items() if k not in ("malicious", "subjects")}
    assert gdpr.assess({**BASE, "malicious": None, "subjects": None}) == gdpr.assess(absent)


def test_null_for_a_relevant_fact_is_an_open_question(gdpr: Any) -> None:
    a = gdpr.assess({**BASE, "data_categories": ["contact"], "exposed_to": "unknown_party",
                     "malicious": None})
    assert a.provisional
    assert "malicious" in [q.fact for q in a.open_questions]
    assert a.obligation("notify_authority").certain is False


def test_absent_fact_with_default_takes_the_default(gdpr: Any) -> None:
    facts = gdpr.validate({})
    assert dict(facts) == {
        "encryption": "none",
        "identifiability": "direct",
        "significance": "significant",
        "high_risk_averted": False,
        "contact_disproportionate": False,
        "role": "controller",
    }
    assert not facts.complete


def test_null_is_dont_know_even_where_a_default_exists(gdpr: Any) -> None:
    # an intake form must be able to say "don't know" for a fact with a default
    facts = gdpr.validate({**BASE, "encryption": None, "significance": None})
    assert "encryption" not in facts and "significance" not in facts
    absent = gdpr.validate({k: v for k, v in BASE.items() if k not in ("encryption", "significance")})
    assert absent["encryption"] == "none"
    assert absent["significance"] == "significant"


def test_defaults_appear_in_the_assessment_facts(gdpr: Any) -> None:
    a = gdpr.assess(BASE)
    assert a.facts["encryption"] == "none"
    assert a.facts["identifiability"] == "direct"
    assert "key_compromised" not in a.facts


@pytest.mark.parametrize("value, found", [
    ([], "a list"),
    (["breach_types"], "a list"),
    ("breach_types", "the text 'breach_types'"),
    (5, "the number 5"),
])
def test_non_mapping_input(gdpr: Any, value: Any, found: str) -> None:
    problem = only_problem(gdpr, value)
    assert problem.path == "$"
    assert problem.message() == (
        f"$: an incident is an object mapping fact names to values, but this is {found}"
    )


def test_null_incident(gdpr: Any) -> None:
    problem = only_problem(gdpr, None)
    assert problem.path == "$"
    assert "NoneType" not in problem.message()
    assert problem.message().endswith("but this is null")


def test_assess_refuses_the_same_way(gdpr: Any) -> None:
    with pytest.raises(breachrules.IncidentError) as caught:
        gdpr.assess({**BASE, "subjects": 0})
    assert [p.path for p in caught.value.problems] == ["$.subjects"]
    with pytest.raises(breachrules.IncidentError):
        gdpr.decide({**BASE, "subjects": 0})


# ------------------------------------------------------------------ what people type, at the edges


@pytest.fixture(scope="module")
def gdpr() -> Any:
    return breachrules.bundled("gdpr")


def test_numbers_past_any_count_are_refused_not_rendered(gdpr: Any) -> None:
    for fact, value in (("subjects", 10**5000), ("subjects", 10**16), ("records", 10**20)):
        problem = only_problem(gdpr, {**BASE, fact: value})
        assert (problem.path, problem.key) == (f"$.{fact}", "number_too_large")
        assert len(problem.message()) < 200  # a 5,000-digit number is not echoed in full
    problem = only_problem(gdpr, {**BASE, "malicious": 10**5000})
    assert problem.key == "expected_bool" and "10^5000" in problem.message("fi")
    assert gdpr.assess({**BASE, "subjects": 10**15}).risk == "high"


@pytest.mark.parametrize("instant", ["0001-01-01T00:00+05:00", "9999-12-31T23:59:59+00:00", "1899-12-31T23:00:00+00:00",
                                     "3000-01-01T00:00:00+00:00"])
def test_instants_at_the_edges_of_the_calendar_are_refused(gdpr: Any, instant: str) -> None:
    for fact in ("became_aware_at", "authority_notified_at"):
        problem = only_problem(gdpr, {**BASE, fact: instant} if fact == "became_aware_at" else
                               {**BASE, "became_aware_at": "1900-01-01T00:00:00+00:00", fact: instant})
        assert (problem.path, problem.key) == (f"$.{fact}", "instant_out_of_range")


def test_the_last_instant_of_the_window_renders_in_every_locale(gdpr: Any) -> None:
    incident = {**BASE, "became_aware_at": "2999-12-31T23:59:59+00:00"}
    report = gdpr.report(incident, now=datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC))
    for locale in ("fi", "sv", "en"):
        assert "3000" in report.to_markdown(locale) and report.notice(locale)


def test_a_duty_done_before_its_deadline_starts_is_refused(gdpr: Any) -> None:
    problem = only_problem(gdpr, {**BASE, "authority_notified_at": "2026-11-19T09:30:00+02:00"})
    assert (problem.path, problem.key) == ("$.authority_notified_at", "earlier_than")
    assert "$.became_aware_at" in problem.message("fi")
    assert gdpr.validate({**BASE, "authority_notified_at": "2026-11-20T09:30:00+02:00"})  # at once is fine


@pytest.mark.parametrize("written", ["p1d", " PT1H ", "PT1h", "P1D ", "P1Y", "PT"])
def test_durations_are_read_exactly_as_iso_8601_writes_them(written: str) -> None:
    rs = breachrules.bundled("gdpr")
    problem = only_problem(rs, {**BASE, "breach_types": ["availability"], "restore_time": written})
    assert (problem.path, problem.key) == ("$.restore_time", "expected_duration")


def test_incident_errors_pickle(gdpr: Any) -> None:
    import pickle

    with pytest.raises(breachrules.IncidentError) as caught:
        gdpr.validate({**BASE, "subjects": -1, "helth": True})
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.problems == caught.value.problems and copy.render("sv") == caught.value.render("sv")


def test_a_time_zone_that_gives_no_offset_python_takes_is_a_problem(gdpr: Any) -> None:
    from datetime import tzinfo

    class Odd(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta:
            return timedelta(hours=30)

        def dst(self, dt: datetime | None) -> timedelta:
            return timedelta(0)

    problem = only_problem(gdpr, {**BASE, "became_aware_at": datetime(2026, 1, 1, tzinfo=Odd())})
    assert (problem.path, problem.key) == ("$.became_aware_at", "naive_datetime")


# ---------------------------------------------------------------- replaced facts

def test_a_replaced_fact_is_refused_with_its_replacement_named(gdpr: Any) -> None:
    # an intake form of gdpr 2026.1 still sends the two facts that 2027.1 replaced
    with pytest.raises(breachrules.IncidentError) as caught:
        gdpr.assess({**BASE, "data_retrieved": True, "backup_available": False})
    assert [(p.path, p.key) for p in caught.value.problems] == [
        ("$.data_retrieved", "replaced_fact"), ("$.backup_available", "replaced_fact")]
    assert caught.value.render("en").splitlines() == [
        "$.data_retrieved: 'data_retrieved' was replaced by 'retrieval' in version 2027.1 of the ruleset gdpr: "
        "give 'retrieval' instead",
        "$.backup_available: 'backup_available' was replaced by 'restoration' in version 2027.1 of the ruleset "
        "gdpr: give 'restoration' instead",
    ]
    assert "on korvattu lähtötiedolla 'retrieval'" in caught.value.render("fi")
    assert "har ersatts med 'retrieval'" in caught.value.render("sv")


def test_the_fast_path_refuses_a_replaced_fact_alike(gdpr: Any) -> None:
    with pytest.raises(breachrules.IncidentError) as caught:
        gdpr.decide({**BASE, "backup_available": None})  # even as "don't know"
    assert [(p.path, p.key, dict(p.values)["replacement"]) for p in caught.value.problems] == [
        ("$.backup_available", "replaced_fact", "restoration")]


def test_an_extension_inherits_the_replacements() -> None:
    with pytest.raises(breachrules.IncidentError) as caught:
        breachrules.bundled("fi-health").validate({"data_retrieved": False})
    assert [(p.path, p.key) for p in caught.value.problems] == [("$.data_retrieved", "replaced_fact")]
    # the ruleset that replaced the fact is named, not the extension
    assert "in version 2027.1 of the ruleset gdpr" in caught.value.render("en")


def test_an_extension_names_the_version_that_replaced_the_fact(tmp_path: Any) -> None:
    rules = tmp_path / "ours.rules"
    rules.write_text('ruleset ours extends gdpr version "7"\n', encoding="utf-8")
    with pytest.raises(breachrules.IncidentError) as caught:
        breachrules.load(rules).validate({"backup_available": True})
    assert "in version 2027.1 of the ruleset gdpr" in caught.value.render("en")


REPLACING = """ruleset demo version "2"
scale risk: none < risk < high
fact restoration: {complete, partial, impossible}
"""


def test_replaced_names_its_replacement_among_the_facts() -> None:
    from breachrules.diagnostics import RulesetError

    with pytest.raises(RulesetError) as caught:
        breachrules.loads(REPLACING + "replaced backup_available by restored\n")
    assert [(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics] == [("BR208", 4, 30)]
    assert "restoration" in caught.value.render("en")  # did you mean


@pytest.mark.parametrize("statement, column", [
    ("replaced restoration by restoration", 10),   # the old name is still a fact
    ("replaced backup by restoration\nreplaced backup by restoration", 10),  # twice
])
def test_a_replaced_name_must_be_free(statement: str, column: int) -> None:
    from breachrules.diagnostics import RulesetError

    with pytest.raises(RulesetError) as caught:
        breachrules.loads(REPLACING + statement + "\n")
    codes = [(d.code, d.span.column) for d in caught.value.diagnostics]
    assert codes == [("BR401", column)]


def test_replaced_is_kept_in_the_program() -> None:
    rs = breachrules.loads(REPLACING + "replaced backup_available by restoration\n")
    assert {old: (r.fact, r.ruleset, r.version) for old, r in rs.program.replaced.items()} == {
        "backup_available": ("restoration", "demo", "2")}
    assert "backup_available" not in rs.facts


def test_an_extension_reusing_a_retired_name_is_told_in_its_own_file(tmp_path: Any) -> None:
    from breachrules.diagnostics import RulesetError

    rules = tmp_path / "ours.rules"
    rules.write_text('ruleset ours extends gdpr version "1"\nfact data_retrieved: bool\n', encoding="utf-8")
    with pytest.raises(RulesetError) as caught:
        breachrules.load(rules)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.file, diagnostic.span.line) == ("BR401", str(rules), 2)
    assert "gdpr.rules" in diagnostic.message()  # where gdpr retired it


def test_a_problem_renders_itself_as_the_docs_promise(gdpr: Any) -> None:
    from breachrules.incident import IncidentError

    with pytest.raises(IncidentError) as caught:
        gdpr.validate({"subjects": -1})
    problem = caught.value.problems[0]
    assert problem.render("fi") == problem.message("fi")
    assert problem.render("fi").startswith("$.subjects: ")
    assert problem.render("fi") != problem.render("en")
