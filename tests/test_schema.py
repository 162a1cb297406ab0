"""The intake-form schema and the questions of a ruleset (schema.py,
intake.py, ``breachrules schema``).

The schema accepts what ``Ruleset.validate`` accepts: every bundled example
and case validates against the schema of its ruleset, and over generated
values of every fact, of the bundled rulesets and of generated ones, the
schema and the library agree, but for the differences the module's
docstring lists, each tested here as it is stated there.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import breachrules
from breachrules import cases, cli, schema
from breachrules.durations import format_iso_duration
from breachrules.exceptions import UnsupportedLocale
from breachrules.exits import ExitCode
from breachrules.incident import IncidentError
from breachrules.intake import Member, Question
from breachrules.program import FactDef
from breachrules.ruleset import Ruleset
from breachrules.testing import incidents, rulesets, values
from tests.conftest import ROOT

# the command line in English whatever the machine's language (autouse), and a run's code and output
from tests.test_cli_exits import _english_unless_asked  # noqa: F401
from tests.test_cli_exits import main as run

BUNDLED = ("gdpr", "fi-health", "enisa")
LOCALES = ("fi", "sv", "en")
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
CASE_FILES = cases.find([ROOT / "rulesets" / "cases", ROOT / "examples" / "our-rules" / "cases"])

# A ruleset with every kind of fact the language has, ranges of every shape and defaults of every kind.
EVERY_KIND = '''ruleset kinds version "1 beta"
scale risk: none < risk < high
scale grade: low < mid < top
fact flag: bool
fact count_of: count 1..
fact whole: integer -5..5 default 0
fact ratio: number 0.5..2.5
fact any_number: number
fact span: duration
fact at: datetime
fact later: datetime
fact note: text
fact choice: {a, b, c} default b
fact several: set of {x, y, z} default {x, z}
fact graded: grade default mid
obligation tell when risk >= risk due at + 72h done later says "m" cite "c"
rule r when flag and count_of > 1 and whole > 0 and ratio > 1 and any_number > 0 and span > 1h
    and choice == a and several intersects {y} and graded >= top and note == "n"
  then risk >= high because "m" cite "c"
'''


@functools.cache
def bundled(name: str) -> Ruleset:
    return breachrules.bundled(name)


@functools.cache
def validator(ruleset: Ruleset, locale: str = "en", complete: bool = False) -> Draft202012Validator:
    return Draft202012Validator(ruleset.schema(locale, complete=complete))


def library_accepts(ruleset: Ruleset, incident: Any) -> bool:
    try:
        ruleset.validate(incident)
    except IncidentError:
        return False
    return True


def as_json(facts: Any) -> Any:
    """Facts as a JSON file holds them (a TOML case file gives instants as datetimes)."""
    if isinstance(facts, dict):
        return {key: as_json(value) for key, value in facts.items()}
    if isinstance(facts, list | tuple):
        return [as_json(value) for value in facts]
    if isinstance(facts, datetime | date):
        return facts.isoformat()
    if isinstance(facts, timedelta):
        return format_iso_duration(facts)
    return facts


# ---------------------------------------------------------------- the document


@pytest.mark.parametrize("complete", [False, True])
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", BUNDLED)
def test_the_schema_is_valid_draft_2020_12(name: str, locale: str, complete: bool) -> None:
    document = bundled(name).schema(locale, complete=complete)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"urn:breachrules:{name}:{bundled(name).version}" + (":complete" if complete else "")
    assert (document["type"], document["additionalProperties"]) == ("object", False)
    assert list(document["properties"]) == list(bundled(name).facts)
    assert json.loads(json.dumps(document)) == document  # JSON through and through


def test_the_schema_is_built_from_the_questions() -> None:
    rs = bundled("fi-health")
    document = rs.schema("sv")
    questions = rs.questions("sv")
    assert [q.fact for q in questions] == list(document["properties"])
    for q in questions:
        prop = document["properties"][q.fact]
        assert prop["title"] == q.label
        assert prop.get("description") == q.question
        choices = prop.get("oneOf") or prop.get("items", {}).get("oneOf") or []
        named = [c for c in choices if isinstance(c["const"], str)]
        assert [(c["const"], c["title"]) for c in named] == [(m.name, m.label) for m in q.members]
        if q.kind == "number":
            assert (prop["minimum"], prop["maximum"]) == (q.minimum, q.maximum)
    assert document["x-breachrules-complete"] == [q.fact for q in questions if q.needed]


def test_questions_of_the_gdpr_ruleset() -> None:
    rs = bundled("gdpr")
    by_fact = {q.fact: q for q in rs.questions("fi")}
    role = by_fact["role"]
    assert isinstance(role, Question)
    assert (role.kind, role.has_default, role.default, role.decides, role.needed) == (
        "enum", True, "controller", True, False)
    assert role.members[0] == Member("controller", rs.messages("fi")("value.role.controller"))
    assert role.label == rs.messages("fi")("fact.role") != rs.messages("en")("fact.role")
    subjects = by_fact["subjects"]
    assert (subjects.kind, subjects.integral, subjects.minimum, subjects.maximum) == ("number", True, 1, 10**15)
    assert subjects.needed and subjects.question == rs.messages("fi")("question.subjects")
    assert by_fact["data_categories"].kind == "set"
    assert by_fact["became_aware_at"].kind == "datetime" and by_fact["exposure_time"].kind == "duration"
    assert by_fact["delay_reason"].kind == "text" and not by_fact["delay_reason"].decides
    needed = {q.fact for q in rs.questions() if q.needed}
    assert needed == set(rs.schema()["x-breachrules-complete"]) and "became_aware_at" in needed
    with pytest.raises(UnsupportedLocale):
        rs.questions("de")


def test_every_kind_of_fact() -> None:
    rs = breachrules.loads(EVERY_KIND)
    props = rs.schema("en")["properties"]
    assert props["flag"]["type"] == ["boolean", "null"] and [c["const"] for c in props["flag"]["oneOf"]] == [
        True, False, None]
    assert (props["count_of"]["type"], props["count_of"]["minimum"], props["count_of"]["maximum"]) == (
        ["integer", "null"], 1, 10**15)
    assert (props["whole"]["minimum"], props["whole"]["maximum"], props["whole"]["default"]) == (-5, 5, 0)
    assert (props["ratio"]["type"], props["ratio"]["minimum"], props["ratio"]["maximum"]) == (
        ["number", "null"], 0.5, 2.5)
    assert (props["any_number"]["minimum"], props["any_number"]["maximum"]) == (-(10**15), 10**15)
    assert props["span"]["pattern"] == schema.DURATION
    assert (props["at"]["format"], props["at"]["pattern"]) == ("date-time", schema.INSTANT)
    assert props["note"]["type"] == ["string", "null"]
    assert [c["const"] for c in props["choice"]["oneOf"]] == ["a", "b", "c", None]
    assert props["choice"]["default"] == "b"
    assert [c["const"] for c in props["several"]["items"]["oneOf"]] == ["x", "y", "z"]
    assert props["several"]["default"] == ["x", "z"]
    assert [c["const"] for c in props["graded"]["oneOf"]] == ["low", "mid", "top", None]
    assert props["graded"]["default"] == "mid"
    document = rs.schema()
    assert document["$id"] == "urn:breachrules:kinds:1%20beta"
    assert document["title"] == "kinds"  # no title, no catalog: its name
    assert document["x-breachrules-precedes"] == [["at", "later"]]
    assert document["x-breachrules-complete"] == ["flag", "count_of", "ratio", "any_number", "span", "at", "note"]


# ---------------------------------------------------------------- words


def _titles(document: Any) -> list[str]:
    """Every title and description in a schema."""
    found: list[str] = []
    if isinstance(document, dict):
        found += [v for k, v in document.items() if k in ("title", "description") and isinstance(v, str)]
        for value in document.values():
            found += _titles(value)
    elif isinstance(document, list):
        for value in document:
            found += _titles(value)
    return found


@pytest.mark.parametrize("locale", ["fi", "sv"])
@pytest.mark.parametrize("name", BUNDLED)
def test_the_words_are_in_the_language_asked_for(name: str, locale: str) -> None:
    rs = bundled(name)
    _ = rs.messages(locale)
    document = rs.schema(locale)
    english = set(_titles(rs.schema("en")))
    theirs = _titles(document)
    # every word from the catalogs of that language: none of the English ones
    # ("Yes" is "Ja" in Swedish, and so on), and no message id
    assert not [t for t in theirs if t in english]
    assert not [t for t in theirs if re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)+", t)]
    for name_, prop in document["properties"].items():
        assert prop["title"] == _(f"fact.{name_}")
        assert prop["description"] == _(f"question.{name_}")
        for choice in prop.get("oneOf", []) + prop.get("items", {}).get("oneOf", []):
            if choice["const"] is None:
                assert choice["title"] == _("schema.unknown")
            elif isinstance(choice["const"], str):
                assert choice["title"] == _(f"value.{name_}.{choice['const']}")
    assert document["title"] == _(rs.program.title)


def test_a_ruleset_without_catalogs_shows_names_never_message_ids() -> None:
    rs = breachrules.loads(EVERY_KIND)
    q = {q.fact: q for q in rs.questions("fi")}["choice"]
    assert (q.label, q.question, q.members[0].label) == ("choice", None, "a")
    assert "description" not in rs.schema("fi")["properties"]["choice"]


# ---------------------------------------------------------------- what validates


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_validates_against_the_schema_of_the_rulesets_that_take_it(path: Path) -> None:
    incident = json.loads(path.read_text(encoding="utf-8"))
    taken = 0
    for name in BUNDLED:
        accepted = library_accepts(bundled(name), incident)
        assert validator(bundled(name)).is_valid(incident) == accepted, name
        taken += accepted
    assert taken


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_case_validates_against_the_schema_of_its_ruleset(path: Path) -> None:
    ruleset, found = cases.load(path)
    check = Draft202012Validator(ruleset.schema("fi"))
    complete = Draft202012Validator(ruleset.schema("fi", complete=True))
    for case in found:
        incident = as_json(dict(case.facts))
        assert list(check.iter_errors(incident)) == [], case.name
        assert complete.is_valid(incident) == ruleset.validate(incident).complete, case.name


@pytest.mark.parametrize("incident", [
    {"subjects": "12"},                       # a string is not a number
    {"subjects": 0},                          # out of range
    {"subjects": 10**16},                     # too large
    {"subjects": 1.5},                        # not whole
    {"subjects": True},                       # a truth value is not a count
    {"malicious": 1},                         # 1 is not true
    {"exposed_to": "outsiders"},              # not a member
    {"exposed_to": ["outsider"]},
    {"data_categories": ["helth"]},           # a bad member of a set
    {"data_categories": "health"},            # a member is not a set
    {"data_categories": [None]},
    {"became_aware_at": "2026-11-20T09:30:00"},  # no time zone
    {"became_aware_at": "2026-11-20"},
    {"became_aware_at": "2026-02-30T09:30:00+02:00"},  # no such day
    {"became_aware_at": "1899-12-31T23:59:59Z"},      # out of the window
    {"became_aware_at": "1900-01-01T00:30:00+01:00"},
    {"became_aware_at": "2999-12-31T23:30:00-01:00"},
    {"became_aware_at": "2026-11-20T09:30:00+02:00\n"},
    {"exposure_time": "P1Y"},                 # years are refused
    {"exposure_time": "-PT1H"},               # negative
    {"exposure_time": "PT"},
    {"exposure_time": "pt1h"},
    {"exposure_time": "PT1H\n"},
    {"exposure_time": 3600},
    {"delay_reason": 12},                     # not text
    {"case_id": "42"},                        # not a fact
    {"helth": True},
])
def test_what_the_library_refuses_the_schema_refuses(incident: dict[str, Any]) -> None:
    rs = bundled("gdpr")
    assert not library_accepts(rs, incident)
    assert not validator(rs).is_valid(incident)


@pytest.mark.parametrize("incident", [
    "not an object", None, [], 12,
])
def test_an_incident_is_an_object(incident: Any) -> None:
    assert not library_accepts(bundled("gdpr"), incident)
    assert not validator(bundled("gdpr")).is_valid(incident)


@pytest.mark.parametrize("value", [
    "2026-11-20T09:30:00+02:00", "2026-11-20T09:30+02:00", "2026-11-20T07:30:00Z", "2026-11-20 09:30:00+02:00",
    "2026-11-20t09:30:00,5+02:00", "2026-11-20T09:30:00.123456+05:30:15.5", "2024-02-29T00:00:00Z",
    "1900-01-01T00:00:00Z", "1900-01-01T00:00:00-05:00", "1900-01-01T05:00:00+00:00",
    "2999-12-31T23:59:59.999999Z", "2999-12-31T23:00:00+05:00", "2999-12-31T23:00:00-00:00",
])
def test_instants_both_accept(value: str) -> None:
    rs = bundled("gdpr")
    assert library_accepts(rs, {"became_aware_at": value})
    assert validator(rs).is_valid({"became_aware_at": value})


# ---------------------------------------------------------------- the same answers, over generated values


def _instant_forms(moment: datetime, form: int) -> str:
    """An aware instant as ``isoformat`` writes it, or in another form of
    the schema's (``Z``, a space or ``t`` for the ``T``, no seconds, a comma)."""
    text = moment.isoformat()
    head, rest = text[:19], text[19:]
    fraction, offset = (rest[:7], rest[7:]) if rest.startswith(".") else ("", rest)
    if form == 1 and offset == "+00:00":
        offset = "Z"
    elif form == 2:
        head = head[:10] + " " + head[11:]
    elif form == 3:
        head = head[:10] + "t" + head[11:]
    elif form == 4 and not fraction and head.endswith(":00"):
        head = head[:16]
    elif form == 5 and fraction:
        fraction = "," + fraction[1:]
    return head + fraction + offset


OFFSETS = st.builds(timezone, st.timedeltas(-timedelta(hours=24) + timedelta(microseconds=1),
                                            timedelta(hours=24) - timedelta(microseconds=1)))
EDGES = st.one_of(st.datetimes(datetime(1899, 12, 30), datetime(1900, 1, 3)),
                  st.datetimes(datetime(2999, 12, 29), datetime(3000, 1, 2)))
INSTANT_TEXTS = st.one_of(
    st.builds(_instant_forms, st.datetimes(timezones=OFFSETS), st.integers(0, 5)),
    st.builds(_instant_forms, st.builds(datetime.replace, EDGES, tzinfo=OFFSETS), st.integers(0, 5)),
    st.datetimes().map(datetime.isoformat),  # no time zone
    st.dates().map(date.isoformat),
)
DURATION_TEXTS = st.one_of(
    st.timedeltas(timedelta(days=-(10**8) + 1), timedelta(days=10**8 - 1)).map(format_iso_duration),
    st.sampled_from(["P", "PT", "P1Y", "P1M", "P1W2D", "PT1.5H", "P0D", "P1DT", "p1d", "P1D ", "PT1H1H", "P1.D"]),
)
JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=2)),
    max_leaves=5,
)


def near(fact: FactDef) -> st.SearchStrategy[Any]:
    """Values a fact takes and values near them that it does not, in the
    forms where the schema and the library agree exactly."""
    t = fact.type
    if t.kind == "number":
        edges = [b + d for b in (t.low, t.high, 10**15, -(10**15)) if b is not None for d in (-1, 0, 1, -0.5, 0.5)]
        numbers = st.one_of(st.sampled_from(edges), st.integers(), st.floats(allow_nan=False))
        # (a whole-number fact takes no float; one that is a whole number is the documented difference)
        return numbers.filter(lambda n: not (t.integral and isinstance(n, float) and n.is_integer()))
    if t.kind in ("enum", "level", "set"):
        names = st.sampled_from([*t.members, *(m + "x" for m in t.members), *(m.upper() for m in t.members), ""])
        return st.one_of(names, st.lists(st.one_of(names, JUNK), max_size=4))
    if t.kind == "datetime":
        return INSTANT_TEXTS
    if t.kind == "duration":
        return DURATION_TEXTS
    return st.text(max_size=5)


EDGE_DAYS = ("1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01")


def _agree(ruleset: Ruleset, fact: str, value: Any, check: Draft202012Validator) -> None:
    incident = {fact: value}
    valid, accepted = check.is_valid(incident), library_accepts(ruleset, incident)
    if ruleset.facts[fact].type.kind == "datetime" and str(value)[:10] in EDGE_DAYS:
        assert accepted or not valid, value  # around the window's first and last day: the schema takes less
    else:
        assert valid == accepted, (fact, value)


@pytest.mark.parametrize("name", BUNDLED)
@given(data=st.data())
def test_the_schema_and_the_library_agree_on_every_value(name: str, data: st.DataObject) -> None:
    rs = bundled(name)
    fact = data.draw(st.sampled_from(list(rs.facts.values())))
    value = data.draw(st.one_of(values(fact), near(fact), JUNK), label=fact.name)
    _agree(rs, fact.name, value, validator(rs))


@pytest.mark.parametrize("name", BUNDLED)
@given(data=st.data())
def test_the_schema_and_the_library_agree_on_incidents(name: str, data: st.DataObject) -> None:
    """Whole incidents: valid ones, with a fact changed, dropped or added."""
    rs = bundled(name)
    incident = data.draw(incidents(rs))
    if data.draw(st.booleans()):
        fact = data.draw(st.sampled_from(list(rs.facts.values())))
        incident[fact.name] = data.draw(st.one_of(near(fact), JUNK))
    if data.draw(st.booleans()):
        incident[data.draw(st.sampled_from(["case_id", "subject", "notes", ""]))] = data.draw(JUNK)
    try:
        complete = rs.validate(incident).complete
        problems: list[str] = []
    except IncidentError as error:
        problems = [p.key for p in error.problems]
    valid = validator(rs).is_valid(incident)
    if problems and set(problems) == {"earlier_than"}:
        assert valid  # instants in an impossible order: x-breachrules-precedes names them
    elif any(str(v)[:10] in EDGE_DAYS for v in incident.values()):
        assert not problems or not valid
    else:
        assert valid == (not problems)
    if not problems:
        assert validator(rs, "en", True).is_valid(incident) == complete


@settings(max_examples=20)
@given(text=rulesets(max_rules=2, extremes=False), data=st.data())
def test_the_schema_and_the_library_agree_on_generated_rulesets(text: str, data: st.DataObject) -> None:
    rs = breachrules.loads(text)
    check = Draft202012Validator(rs.schema("sv"))
    Draft202012Validator.check_schema(check.schema)
    for fact in rs.facts.values():
        _agree(rs, fact.name, data.draw(st.one_of(values(fact), near(fact), JUNK), label=fact.name), check)
    incident = data.draw(incidents(rs))
    assert check.is_valid(incident)
    assert Draft202012Validator(rs.schema("sv", complete=True)).is_valid(incident) == rs.validate(incident).complete


@given(data=st.data())
def test_every_kind_of_fact_agrees(data: st.DataObject) -> None:
    rs = breachrules.loads(EVERY_KIND)
    fact = data.draw(st.sampled_from(list(rs.facts.values())))
    _agree(rs, fact.name, data.draw(st.one_of(values(fact), near(fact), JUNK), label=fact.name), validator(rs))


# ---------------------------------------------------------------- the differences, as documented


@given(st.from_regex(schema.INSTANT))
def test_every_instant_the_schema_accepts_the_library_accepts(text: str) -> None:
    assert library_accepts(bundled("gdpr"), {"became_aware_at": text}), text


@given(st.from_regex(schema.DURATION))
def test_every_duration_the_schema_accepts_the_library_accepts(text: str) -> None:
    assert library_accepts(bundled("gdpr"), {"exposure_time": text}), text


ISO_LIKE = st.from_regex(r"[0-9]{4}-?(W[0-9]{2}-?[0-9]?|[0-9]{2}-?[0-9]{2})([Tt ]?[0-9]{2}(:?[0-9]{2}(:?[0-9]{2}"
                         r"([.,][0-9]{0,8})?)?)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2}(:?[0-9]{2}([.,][0-9]{1,8})?)?)?)?\n?",
                         fullmatch=True)
DURATION_LIKE = st.from_regex(r"-?[Pp]([0-9]{1,11}([.,][0-9]{0,3})?[YMWDHS])*([Tt]([0-9]{1,11}([.,][0-9]{0,3})?"
                              r"[YMWDHS])*)?\n?", fullmatch=True)


@given(st.one_of(ISO_LIKE, st.text(max_size=30)))
def test_other_forms_of_instants_the_schema_refuses_or_the_library_accepts(text: str) -> None:
    """Forms of ISO 8601 outside the schema's (basic format, week dates, an
    hour alone) are the library's to accept: the schema never takes more."""
    rs = bundled("gdpr")
    if validator(rs).is_valid({"became_aware_at": text}):
        assert library_accepts(rs, {"became_aware_at": text}), text


@given(st.one_of(DURATION_LIKE, st.text(max_size=20)))
def test_other_durations_the_schema_refuses_or_the_library_accepts(text: str) -> None:
    rs = bundled("gdpr")
    if validator(rs).is_valid({"exposure_time": text}):
        assert library_accepts(rs, {"exposure_time": text}), text


def test_the_documented_differences() -> None:
    rs = bundled("gdpr")
    check = validator(rs)
    # JSON does not tell 1.0 from 1; Python does, and so does the library
    assert check.is_valid({"subjects": 3.0}) and not library_accepts(rs, {"subjects": 3.0})
    # NaN is not JSON; Python's json reads it, and only the library refuses it where no range does
    nan = json.loads("NaN")
    kinds = breachrules.loads(EVERY_KIND)
    assert validator(kinds).is_valid({"any_number": nan}) and not library_accepts(kinds, {"any_number": nan})
    # two instants in an impossible order: named, for a form to check
    backwards = {"became_aware_at": "2026-11-20T09:30:00+02:00", "authority_notified_at": "2026-11-19T09:30:00+02:00"}
    assert check.is_valid(backwards) and not library_accepts(rs, backwards)
    assert check.schema["x-breachrules-precedes"] == [["became_aware_at", "authority_notified_at"]]
    # forms of ISO 8601 the schema leaves out
    for other in ("20261120T093000+0200", "2026-W47-5T09:30+02:00", "2026-11-20T09+02:00",
                  "1900-01-01T05:00:00+01:00", "2999-12-31T12:00:00-01:00", "1899-12-31T23:00:00-02:00",
                  "3000-01-01T01:00:00+02:00"):
        assert library_accepts(rs, {"became_aware_at": other}) and not check.is_valid({"became_aware_at": other})
    # a duration's number of more than eight digits
    assert library_accepts(rs, {"exposure_time": "PT100000000H"})
    assert not check.is_valid({"exposure_time": "PT100000000H"})
    assert check.is_valid({"exposure_time": "PT99999999.5H"}) and check.is_valid({"exposure_time": "PT000000001H"})
    # a member given twice: the library takes it, and so does the schema
    assert check.is_valid({"breach_types": ["integrity", "integrity"]})
    assert library_accepts(rs, {"breach_types": ["integrity", "integrity"]})


# ---------------------------------------------------------------- complete


def test_the_schema_of_a_complete_incident() -> None:
    rs = bundled("gdpr")
    document = rs.schema("en", complete=True)
    needed = document["x-breachrules-complete"]
    assert document["required"] == needed and "required" not in rs.schema("en")
    props = document["properties"]
    assert props["subjects"]["type"] == "integer" and props["role"]["type"] == "string"  # read: not null
    assert None not in [c["const"] for c in props["role"]["oneOf"]]
    assert props["delay_reason"]["type"] == ["string", "null"]  # documentation: may stay unknown
    partial = json.loads((ROOT / "examples" / "partial-facts.json").read_text(encoding="utf-8"))
    assert validator(rs).is_valid(partial)
    assert not validator(rs, "en", True).is_valid(partial)
    assert not rs.validate(partial).complete
    missing = {e.message for e in validator(rs, "en", True).iter_errors(partial)}
    assert "'subjects' is a required property" in missing


# ---------------------------------------------------------------- the command line




@pytest.mark.parametrize("options", [[], ["--format", "json"], ["--lang", "sv"], ["--complete", "--lang", "fi"]])
def test_cli_prints_the_schema(capsys: pytest.CaptureFixture[str], options: list[str]) -> None:
    code, out, err = run(capsys, "schema", "fi-health", *options)
    assert (code, err) == (ExitCode.OK, "")
    locale = options[options.index("--lang") + 1] if "--lang" in options else "en"
    assert json.loads(out) == bundled("fi-health").schema(locale, complete="--complete" in options)


def test_cli_language_before_the_command_and_from_the_environment(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "--lang", "fi", "schema", "gdpr")
    assert code == 0 and json.loads(out)["properties"]["role"]["title"] == bundled("gdpr").messages("fi")("fact.role")
    monkeypatch.setenv("BREACHRULES_LANG", "sv")
    code, out, _ = run(capsys, "schema", "gdpr")
    assert json.loads(out)["title"] == bundled("gdpr").messages("sv")(bundled("gdpr").program.title)


def test_cli_reads_a_ruleset_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "kinds.rules"
    path.write_text(EVERY_KIND, encoding="utf-8")
    code, out, _ = run(capsys, "schema", path)
    assert code == 0 and json.loads(out)["$id"] == "urn:breachrules:kinds:1%20beta"


def test_cli_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "schema", "gdp")
    assert (code, out) == (ExitCode.RULESET, "") and "gdp" in err
    code, out, err = run(capsys, "schema", "gdp", "--format", "json", "--lang", "fi")
    doc = json.loads(err)
    assert (code, out, doc["exit_code"], doc["error"]) == (ExitCode.RULESET, "", 4, "ruleset")
    broken = tmp_path / "broken.rules"
    broken.write_text("ruleset broken\nfact x: boo\n", encoding="utf-8")
    code, out, err = run(capsys, "schema", broken, "--format", "json")
    assert (code, out) == (ExitCode.RULESET, "") and json.loads(err)["problems"][0]["code"].startswith("BR")
    code, out, err = run(capsys, "schema")
    assert code == ExitCode.USAGE and out == ""
    code, out, err = run(capsys, "schema", "gdpr", "--format", "text")
    assert code == ExitCode.USAGE
    code, out, err = run(capsys, "schema", "--format", "json")
    assert code == ExitCode.USAGE and json.loads(err)["error"] == "usage"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_cli_help_speaks_the_language(capsys: pytest.CaptureFixture[str], lang: str) -> None:
    from tests.test_languages import _foreign

    with pytest.raises(SystemExit):
        cli.main(["schema", "--help", "--lang", lang])
    out = capsys.readouterr().out
    assert ("tiedonkeruulomakkeita" if lang == "fi" else "inmatningsformulär") in out
    # what the reader types is left as written: the command, its options and choices
    words = re.sub(r"--?[a-z-]+|\{[a-z,]+\}|\b(schema|breachrules|json|fi|sv|en)\b", "", out)
    assert _foreign(words) == [], out



def test_the_examples_of_docs_schema_md_run(capsys: pytest.CaptureFixture[str]) -> None:
    page = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.DOTALL)
    assert len(blocks) == 2
    namespace: dict[str, Any] = {}  # (the page's examples follow on from each other)
    for block in blocks:
        exec(compile(block, "docs/schema.md", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert out.startswith("False\nTrue\nrole enum Rooli henkilötietojen käsittelyssä\n")
    assert "(a complete assessment needs this)" in out
