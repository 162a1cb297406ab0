"""An assessment in words: reasons that name what matched."""

from __future__ import annotations

import pytest

import breachrules
from breachrules.diagnostics import RulesetError

RULES = """ruleset t version "1"
scale risk: none < risk < high
fact data: set of {contact, health, criminal, financial}
fact kind: {letter, email, phone}
rule sensitive when data intersects {health, criminal} or kind in {email, phone}
  then risk >= high because "{matched} left the building." cite "c"
rule plain when contact in data then risk >= risk because "Plain: {matched}." cite "c"
"""


@pytest.fixture(scope="module")
def rs() -> breachrules.Ruleset:
    return breachrules.loads(RULES)


def _reasons(rs: breachrules.Ruleset, incident: dict[str, object], lang: str = "en") -> list[str]:
    return [line.strip() for line in rs.assess(incident).explain(lang).splitlines() if "left the" in line
            or "Plain:" in line]


def test_a_reason_names_the_members_that_matched_not_every_alternative(rs: breachrules.Ruleset) -> None:
    [line] = _reasons(rs, {"data": ["health", "financial"], "kind": "letter"})
    assert line.startswith("- health left the building.")
    [line] = _reasons(rs, {"data": ["criminal", "health", "contact"], "kind": "phone"})[:1]
    # in the order the fact declares its members, each fact its own list, listed as the language lists
    assert line.startswith("- health and criminal; phone left the building.")
    assert _reasons(rs, {"data": ["criminal", "health"], "kind": "email"}, "fi")[0].startswith(
        "- health ja criminal; email left the building.")


def test_for_a_fact_still_unknown_the_reason_names_what_it_may_be(rs: breachrules.Ruleset) -> None:
    lines = _reasons(rs, {"kind": "letter"})
    assert lines[0].startswith("- health or criminal left the building.")
    assert _reasons(rs, {"kind": "letter"}, "sv")[0].startswith("- health eller criminal left")


def test_matched_is_kept_in_the_trace_and_read_back(rs: breachrules.Ruleset) -> None:
    a = rs.assess({"data": ["contact"], "kind": "letter"})
    [entry] = a.trace
    assert entry.tests == (("data", ("contact",)),)
    back = breachrules.Assessment.from_dict(a.to_dict())
    assert back == a and back.explain("en") == a.explain("en")


@pytest.mark.parametrize("text", ["{matches}", "{matched!r}", "{matched.__class__}", "{0}"])
def test_no_other_placeholder_is_accepted(text: str) -> None:
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(RULES.replace("{matched} left", text + " left"))
    assert caught.value.diagnostics[0].code == "BR421"


# ------------------------------------------------------------------ why an obligation is not required

ROLES = """ruleset roles version "1"
scale risk: none < risk < high
fact role: {controller, processor}
fact leaked: bool
fact outsiders: count 0..
rule leak when leaked then risk >= risk because "Leaked." cite "c"
rule many when outsiders > 100 then risk >= high because "Many." cite "c"
obligation notify when risk >= risk and role == controller says "Notify" cite "c"
obligation tell when risk >= high says "Tell" cite "c"
obligation never when risk >= high and risk < risk says "Never" cite "c"
obligation forward when role == processor says "Forward" cite "c"
"""


@pytest.fixture(scope="module")
def roles() -> breachrules.Ruleset:
    return breachrules.loads(ROLES)


def _decision(rs: breachrules.Ruleset, incident: dict[str, object], obligation: str) -> str:
    """The line of an obligation (headed by its text: this ruleset gives no short names)."""
    return next(line for line in rs.assess(incident).explain("en").splitlines()
                if f"] {obligation.capitalize()}:" in line).removesuffix(" [c]")


def test_the_risk_level_is_named_only_when_it_is_a_reason_the_obligation_is_not_required(
        roles: breachrules.Ruleset) -> None:
    below = "Not required: the conditions of this obligation are not met (risk level assessed: “risk”)."
    not_met = "Not required: the conditions of this obligation are not met."
    processor = {"role": "processor", "leaked": True, "outsiders": 5}
    # a processor's duty to notify the authority is not held back by the risk, which is high enough: by the role
    assert _decision(roles, processor, "notify").endswith(not_met)
    assert _decision(roles, processor, "tell").endswith(below)  # below "high", the level its condition needs
    assert _decision(roles, processor, "never").endswith(not_met)  # its condition holds at no level
    assert _decision(roles, {**processor, "role": "controller", "leaked": False}, "notify").endswith(
        "(risk level assessed: “none”).")


def test_the_lowest_level_each_condition_needs_is_kept_in_the_record(roles: breachrules.Ruleset) -> None:
    vocabulary = roles.assess({}).vocabulary
    assert dict(vocabulary.risk_floors) == {"notify": "risk", "tell": "high", "never": ""}
    assert vocabulary.risk_bound == ("notify", "tell", "never")
    assert type(vocabulary).from_dict(vocabulary.to_dict()) == vocabulary


# ------------------------------------------------------------------ reasons that show numbers

NUMBERS = """ruleset n version "1"
scale risk: low < medium < high
fact ease: {hard, easy}
fact steps: count 0..3
fact people: count
points ei = ease
  hard: 0.25
  easy: 0.75
define se = (1 + steps) * ei
score band: risk = se
  below 1: low
  below 2: medium
  otherwise: high
rule scored always then risk >= band
  because "SE = ({steps} + 1) × {ei} = {se} (band number {band}) for {people} people; {matched}." cite "c"
"""


@pytest.fixture(scope="module")
def numbers() -> breachrules.Ruleset:
    return breachrules.loads(NUMBERS)


def _reason(rs: breachrules.Ruleset, incident: dict[str, object], lang: str) -> str:
    return next(line.strip() for line in rs.assess(incident).explain(lang).splitlines() if "SE =" in line)


def test_a_reason_shows_the_numbers_it_names_as_the_reader_writes_them(numbers: breachrules.Ruleset) -> None:
    incident = {"ease": "easy", "steps": 4 - 1, "people": 12000}
    assert _reason(numbers, incident, "en").startswith("- SE = (3 + 1) × 0.75 = 3 (band number 3) for 12,000 people")
    assert _reason(numbers, incident, "fi").startswith("- SE = (3 + 1) × 0,75 = 3 (band number 3) for 12\xa0000 people")
    assert _reason(numbers, {**incident, "steps": 0}, "sv").startswith("- SE = (0 + 1) × 0,75 = 0,75")


def test_a_number_not_known_is_shown_as_unknown(numbers: breachrules.Ruleset) -> None:
    assert _reason(numbers, {"steps": 1}, "en").startswith("- SE = (1 + 1) × unknown = unknown (band number unknown) "
                                                           "for unknown people")
    assert "× ei tiedossa =" in _reason(numbers, {"steps": 1}, "fi")


def test_the_numbers_are_kept_with_the_result_and_shown_again(numbers: breachrules.Ruleset) -> None:
    a = numbers.assess({"ease": "hard", "steps": 1, "people": 3})
    assert a.values == {"ei": 0.25, "se": 0.5, "band": 0.5}
    assert a.to_dict()["values"] == {"ei": 0.25, "se": 0.5, "band": 0.5}
    back = breachrules.Assessment.from_dict(a.to_dict())
    assert back == a and back.explain("sv") == a.explain("sv")
    assert "values" not in breachrules.loads(RULES).assess({}).to_dict()  # a ruleset without numbers has none


def test_both_paths_keep_the_same_numbers(numbers: breachrules.Ruleset) -> None:
    from breachrules import interpreter

    incident = {"ease": "easy", "steps": 2, "people": 7}
    known = numbers.validate(incident).known
    slow = numbers._static.assessment(interpreter.evaluate(numbers.program, known), numbers._static.facts_json(known))
    fast = numbers.assess(incident)
    assert fast.values == slow.values == {"ei": 0.75, "se": 2.25, "band": 2.25}
    assert [type(v) for v in fast.values.values()] == [type(v) for v in slow.values.values()]


@pytest.mark.parametrize(("text", "why"), [
    ("{ease}", "a fact that is not a number"), ("{severity}", "not a name of the ruleset"),
    ("{se:>20}", "a format"), ("{se!r}", "a conversion"), ("{se.real}", "an attribute"), ("{risk}", "a scale"),
])
def test_a_placeholder_must_name_a_number_of_the_ruleset(text: str, why: str) -> None:
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(NUMBERS.replace("{se} (band", text + " (band"))
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "BR421", why
    assert (diagnostic.span.line, diagnostic.span.column) == (15, 11), why


@pytest.mark.parametrize(("lang", "value", "written"), [
    ("fi", 3.75, "3,75"), ("sv", 0.25, "0,25"), ("en", 3.75, "3.75"), ("en", 12, "12"),
    ("fi", -0.0, "0"),  # a product with a negative point and zero: nobody writes "-0"
])
def test_a_number_is_written_as_the_reader_s_language_writes_it(lang: str, value: float, written: str) -> None:
    from breachrules.explain import number
    from breachrules.i18n import Messages

    assert number(Messages(lang), value) == written


def test_a_number_of_any_size_a_ruleset_computes_is_written_out_in_full() -> None:
    """Babel's decimal context holds 28 digits; a ruleset's numbers may
    have up to a hundred (arithmetic.LIMIT), and a reason shows every one."""
    from datetime import UTC, datetime

    big = breachrules.loads('ruleset big version "1"\nscale risk: none < high\nfact n: count\n'
                            'define big = n * n\nrule many when big > 1 then risk >= high'
                            ' because "reason.big {big}" cite "x"\n')
    text = big.report({"n": 10**13}, now=datetime(2026, 1, 1, tzinfo=UTC)).assessment.explain("fi")
    assert "reason.big 100 000 000 000 000 000 000 000 000" in text.replace("\u00a0", " ")


def test_an_instant_of_the_hour_summer_time_ends_is_written_as_itself() -> None:
    """03:30 comes twice in Helsinki on 25 October 2026 (fold 0: summer
    time, fold 1: an hour later); equal as Python compares them, each is
    written as the instant it is, whichever is written first."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from breachrules.explain import format_instant

    first = datetime(2026, 10, 25, 3, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
    second = first.replace(fold=1)
    assert first == second  # (the same wall time in the same zone)
    assert format_instant(first, "en", "UTC") != format_instant(second, "en", "UTC")
    assert "12:30" in format_instant(first, "en", "UTC") and "1:30" in format_instant(second, "en", "UTC")
