"""Reports: deadlines at a given moment, notice checklists and action plans.

Every expected instant below is worked out by hand from the ruleset text:
``due aware + 72h`` is 72 *real* hours after the instant of ``aware``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import breachrules
from breachrules.citations import Citation
from breachrules.errors import ArgumentError
from breachrules.incident import IncidentError
from breachrules.report import (
    DONE_LATE,
    DONE_ON_TIME,
    OVERDUE,
    PENDING,
    UNDATED,
    Report,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
EET = timezone(timedelta(hours=2))
EEST = timezone(timedelta(hours=3))

# The small ruleset of the feature's description.
SMALL = """ruleset t
scale risk: none < risk < high
fact a: bool
fact aware: datetime
fact notified: datetime
fact why: text
fact who: text
rule r when a then risk >= high because "m" cite "c"
obligation notify when risk >= risk due aware + 72h done notified late requires why says "o" cite "c"
checklist content for notify
  item contact: who cite "Art. 33(3)(b)"
  item what: a, why
plan response: acute, later
action call_police in acute when a says "p" cite "guide"
action tidy in later always says "q" cite "guide"
"""

# More of everything: two plans (declared in the opposite order of their
# names), actions written out of phase order, an action that reads an
# outcome, an undated obligation with its own checklist.
BIGGER = """ruleset big
scale risk: none < risk < high
fact a: bool
fact b: bool
fact aware: datetime
fact notified: datetime
fact why: text
fact who: text
rule r when a then risk >= high because "m" cite "c"
rule rb when b then risk >= risk because "m" cite "c"
obligation notify when risk >= risk due aware + 72h done notified late requires why says "o" cite "c"
obligation tell when risk >= high due without undue delay says "t" cite "c"
checklist content for notify
  item contact: who cite "Art. 33(3)(b)"
  item what: a, why
checklist letter for tell
  item addressee: who
plan second: cleanup
plan response: acute, later
action tidy in later always says "q" cite "guide"
action warn_people in acute when risk >= high says "w" cite "guide"
action call_police in acute when a says "p" cite "guide"
action archive in cleanup always says "z" cite "guide"
action maybe in later when b says "y" cite "guide"
"""

AWARE = "2026-03-27T10:00:00+02:00"  # the Friday before EU summer time starts (Sun 29 March 2026)
# 72 real hours later. Summer time started in between, so the wall clock in
# Helsinki reads 11:00 (+03:00), not 10:00.
DUE_UTC = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def _compile(directory: Path, name: str, text: str) -> breachrules.Ruleset:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return breachrules.load(path)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> breachrules.Ruleset:
    return _compile(tmp_path_factory.mktemp("small"), "t.rules", SMALL)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> breachrules.Ruleset:
    return _compile(tmp_path_factory.mktemp("big"), "big.rules", BIGGER)


def _same_instant(value: datetime | None, expected: datetime) -> None:
    """Aware datetimes compare by wall clock when they share a tzinfo; be explicit."""
    assert value is not None
    assert value.utcoffset() is not None
    assert value.astimezone(UTC) == expected.astimezone(UTC)
    assert value.astimezone(UTC).replace(tzinfo=None) == expected.astimezone(UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ deadlines


def test_the_deadline_runs_72_real_hours_across_the_summer_time_change(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    deadline = report.deadline("notify")
    _same_instant(deadline.due, DUE_UTC)
    assert deadline.due.astimezone(HELSINKI).isoformat() == "2026-03-30T11:00:00+03:00"
    assert deadline.due.astimezone(HELSINKI).hour == 11
    assert deadline.state == PENDING
    # 2026-03-28T00:00Z to 2026-03-30T08:00Z: 2 days and 8 hours
    assert deadline.remaining == timedelta(days=2, hours=8)
    assert not deadline.late and not deadline.reason_required


def test_a_zoneinfo_aware_datetime_gives_the_same_instant(small) -> None:  # type: ignore[no-untyped-def]
    aware = datetime(2026, 3, 27, 10, 0, tzinfo=HELSINKI)  # +02:00 on that day
    report = small.report({"a": True, "aware": aware}, now=datetime(2026, 3, 28, tzinfo=UTC))
    due = report.deadline("notify").due
    _same_instant(due, DUE_UTC)
    # Wall-clock arithmetic on the ZoneInfo value would give 10:00+03:00 = 07:00Z: one hour short.
    assert due.astimezone(UTC) != datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert due.astimezone(HELSINKI).isoformat() == "2026-03-30T11:00:00+03:00"


def test_now_exactly_at_the_due_instant_is_still_pending(small) -> None:  # type: ignore[no-untyped-def]
    # the same instant, written in summer time in Helsinki
    now = datetime(2026, 3, 30, 11, 0, tzinfo=EEST)
    deadline = small.report({"a": True, "aware": AWARE}, now=now).deadline("notify")
    assert deadline.state == PENDING
    assert deadline.remaining == timedelta(0)
    assert not deadline.late


def test_one_microsecond_after_the_due_instant_is_overdue(small) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 3, 30, 8, 0, 0, 1, tzinfo=UTC)
    deadline = small.report({"a": True, "aware": AWARE}, now=now).deadline("notify")
    assert deadline.state == OVERDUE
    assert deadline.remaining == timedelta(microseconds=-1)
    assert deadline.late
    assert deadline.reason_required and deadline.reason_missing and not deadline.reason_given


def test_overdue_by_a_day_with_a_reason_given(small) -> None:  # type: ignore[no-untyped-def]
    incident = {"a": True, "aware": AWARE, "why": "the processor told us late"}
    deadline = small.report(incident, now=datetime(2026, 3, 31, 8, 0, tzinfo=UTC)).deadline("notify")
    assert deadline.state == OVERDUE
    assert deadline.remaining == timedelta(days=-1)
    assert deadline.reason_required and deadline.reason_given and not deadline.reason_missing


def test_done_exactly_at_the_due_instant_is_on_time(small) -> None:  # type: ignore[no-untyped-def]
    incident = {"a": True, "aware": AWARE, "notified": datetime(2026, 3, 30, 11, 0, tzinfo=HELSINKI)}
    deadline = small.report(incident, now=datetime(2026, 4, 10, tzinfo=UTC)).deadline("notify")
    assert deadline.state == DONE_ON_TIME
    _same_instant(deadline.done_at, DUE_UTC)
    assert deadline.remaining is None
    assert not deadline.late
    assert deadline.reason_fact == "why"
    assert not deadline.reason_required and not deadline.reason_missing


def test_done_a_second_late_needs_the_reason(small) -> None:  # type: ignore[no-untyped-def]
    # 10:00:01 at +02:00 is one second after the due instant (the wall clock in
    # Helsinki already read 11:00:01)
    incident = {"a": True, "aware": AWARE, "notified": "2026-03-30T10:00:01+02:00"}
    deadline = small.report(incident, now=datetime(2026, 3, 30, 9, 0, tzinfo=UTC)).deadline("notify")
    assert deadline.state == DONE_LATE
    assert deadline.late and deadline.reason_required
    assert deadline.reason_missing and not deadline.reason_given
    assert deadline.remaining is None


def test_done_late_with_a_reason(small) -> None:  # type: ignore[no-untyped-def]
    incident = {"a": True, "aware": AWARE, "notified": "2026-04-02T12:00:00+03:00",
                "why": "the servers were down over the weekend"}
    deadline = small.report(incident, now=datetime(2026, 4, 3, tzinfo=UTC)).deadline("notify")
    assert deadline.state == DONE_LATE
    assert deadline.reason_required and deadline.reason_given and not deadline.reason_missing


def test_done_late_in_wall_clock_but_on_time_in_real_time(small) -> None:  # type: ignore[no-untyped-def]
    # 10:30 Helsinki on 30 March is 07:30Z: half an hour early, although
    # "10:00 + 72h" naively would say 10:00 Helsinki and call it late.
    incident = {"a": True, "aware": AWARE, "notified": datetime(2026, 3, 30, 10, 30, tzinfo=HELSINKI)}
    assert small.report(incident, now=datetime(2026, 4, 1, tzinfo=UTC)).deadline("notify").state == DONE_ON_TIME


@pytest.mark.parametrize("blank", ["", "   ", "\t\n "])
def test_blank_text_is_not_a_reason(small, blank: str) -> None:  # type: ignore[no-untyped-def]
    incident = {"a": True, "aware": AWARE, "notified": "2026-04-01T10:00:00+03:00", "why": blank}
    deadline = small.report(incident, now=datetime(2026, 4, 3, tzinfo=UTC)).deadline("notify")
    assert deadline.state == DONE_LATE
    assert deadline.reason_required
    assert not deadline.reason_given
    assert deadline.reason_missing
    data = deadline.to_dict()
    assert data["reason_required"] is True and data["reason_given"] is False
    assert data["late"] is True


def test_a_reason_given_on_time_is_not_required(small) -> None:  # type: ignore[no-untyped-def]
    incident = {"a": True, "aware": AWARE, "why": "just in case"}
    deadline = small.report(incident, now=datetime(2026, 3, 28, tzinfo=UTC)).deadline("notify")
    assert deadline.state == PENDING
    assert deadline.reason_given
    assert not deadline.reason_required and not deadline.reason_missing


def test_unknown_awareness_leaves_the_deadline_undated(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": True}, now=datetime(2026, 3, 28, tzinfo=UTC))
    deadline = report.deadline("notify")
    assert deadline.state == UNDATED
    assert deadline.due is None and deadline.remaining is None
    assert not deadline.without_undue_delay
    assert not deadline.late
    assert report.assessment.provisional  # "aware" is an open question
    assert [q.fact for q in report.assessment.open_questions] == ["aware"]


def test_without_undue_delay_is_undated(big) -> None:  # type: ignore[no-untyped-def]
    report = big.report({"a": True, "b": False, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    tell = report.deadline("tell")
    assert tell.state == UNDATED
    assert tell.without_undue_delay is True
    assert tell.due is None and tell.done_at is None and tell.reason_fact is None
    assert [d.obligation for d in report.deadlines] == ["notify", "tell"]


def test_only_required_obligations_have_deadlines(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": False, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert report.assessment.risk == "none"
    assert report.deadlines == ()
    with pytest.raises(KeyError):
        report.deadline("notify")


def test_now_without_a_time_zone_is_refused(small) -> None:  # type: ignore[no-untyped-def]
    for now in (datetime(2026, 3, 28, 12, 0), "2026-03-28T12:00:00+02:00", date(2026, 3, 28), 1774692000):
        with pytest.raises(ArgumentError, match="time zone") as caught:
            small.report({"a": True, "aware": AWARE}, now=now)  # type: ignore[arg-type]
        assert "aikavyöhykkeineen" in caught.value.message("fi")
    # what was given is said as what it is: a date and time without its zone is no text
    with pytest.raises(ArgumentError) as caught:
        small.report({"a": True, "aware": AWARE}, now=datetime(2026, 3, 28, 12, 0))
    assert caught.value.message("en").endswith("not 2026-03-28T12:00:00 without a time zone")
    assert caught.value.message("sv").endswith("inte tidpunkten 2026-03-28T12:00:00 utan tidszon")
    with pytest.raises(ArgumentError) as caught:
        small.report({"a": True, "aware": AWARE}, now=date(2026, 3, 28))  # type: ignore[arg-type]
    assert caught.value.message("fi").endswith("ei päivämäärä 2026-03-28 ilman kellonaikaa")


def test_now_at_the_edge_of_the_calendar_is_refused(small) -> None:  # type: ignore[no-untyped-def]
    for now in (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)):
        with pytest.raises(ArgumentError) as caught:
            small.report({"a": True, "aware": AWARE}, now=now)
        assert "1900" in caught.value.message("sv") and now.isoformat() in caught.value.message("fi")


def test_instants_after_the_moment_of_the_report_are_refused(small) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IncidentError) as caught:
        small.report({"a": True, "aware": "2026-03-28T12:00:00+02:00"}, now=datetime(2026, 3, 28, 9, 0, tzinfo=UTC))
    (problem,) = caught.value.problems
    assert problem.path == "$.aware" and problem.key == "after_now"


def test_now_defaults_to_the_current_time(small) -> None:  # type: ignore[no-untyped-def]
    before = datetime.now(UTC)
    report = small.report({"a": True, "aware": "2020-01-01T00:00:00+00:00"})
    after = datetime.now(UTC)
    assert before <= report.now <= after
    assert report.deadline("notify").state == OVERDUE


# ------------------------------------------------------------------ checklists


def test_checklist_items_present_and_missing(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": True, "aware": AWARE, "who": "DPO Ann Example"},
                          now=datetime(2026, 3, 28, tzinfo=UTC))
    content = report.checklist("content")
    assert content.obligation == "notify"
    assert content.required is True
    assert content.message == "checklist.content"
    contact, what = content.items
    assert (contact.name, contact.present, contact.missing) == ("contact", True, ())
    assert contact.message == "checklist.content.contact"
    assert contact.cites == (Citation(text="Art. 33(3)(b)"),)
    assert (what.name, what.present, what.facts, what.missing) == ("what", False, ("a", "why"), ("why",))
    assert what.cites == ()
    assert not content.complete
    assert [i.name for i in content.initial] == ["contact"]
    assert [i.name for i in content.supplementary] == ["what"]


def test_a_false_fact_is_present_and_blank_text_is_missing(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": False, "aware": AWARE, "why": "x", "who": "  "},
                          now=datetime(2026, 3, 28, tzinfo=UTC))
    content = report.checklist("content")
    assert content.required is False  # risk none: notify is not required
    assert [i.name for i in content.initial] == ["what"]
    assert [(i.name, i.missing) for i in content.supplementary] == [("contact", ("who",))]


def test_a_complete_checklist(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": True, "aware": AWARE, "why": "-", "who": "Ann"},
                          now=datetime(2026, 3, 28, tzinfo=UTC))
    content = report.checklist("content")
    assert content.complete
    assert [i.name for i in content.initial] == ["contact", "what"]
    assert content.supplementary == ()
    assert not report.assessment.provisional
    assert report.phased is False
    with pytest.raises(KeyError):
        report.checklist("nothing")


def test_phased_when_a_required_checklist_is_incomplete(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert report.assessment.provisional is False
    assert report.checklist("content").required
    assert report.phased is True
    assert report.to_dict()["phased"] is True


def test_not_phased_when_the_incomplete_checklist_is_not_required(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": False, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert not report.checklist("content").complete
    assert report.checklist("content").required is False
    assert report.assessment.provisional is False
    assert report.phased is False


def test_phased_when_provisional_even_with_complete_checklists(small) -> None:  # type: ignore[no-untyped-def]
    # everything a checklist names is known; only "aware" (the deadline) is open
    report = small.report({"a": True, "why": "w", "who": "x"}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert report.checklist("content").complete
    assert report.checklist("content").required
    assert report.assessment.provisional is True
    assert report.phased is True


def test_an_unknown_fact_named_by_an_item_is_missing(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"aware": AWARE, "why": "w", "who": "x"}, now=datetime(2026, 3, 28, tzinfo=UTC))
    content = report.checklist("content")
    assert content.required is True  # possibly required: a may be true
    assert [(i.name, i.missing) for i in content.supplementary] == [("what", ("a",))]
    assert [i.name for i in content.initial] == ["contact"]
    assert report.phased is True


def test_checklist_required_follows_the_obligation(big) -> None:  # type: ignore[no-untyped-def]
    # b alone: risk, so notify is required and tell is not
    report = big.report({"a": False, "b": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert report.checklist("content").required is True
    assert report.checklist("letter").required is False
    # a: high, both required
    report = big.report({"a": True, "b": False, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert report.checklist("content").required is True
    assert report.checklist("letter").required is True
    # neither
    report = big.report({"a": False, "b": False, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert [c.required for c in report.checklists] == [False, False]
    assert [c.name for c in report.checklists] == ["content", "letter"]


# ------------------------------------------------------------------ actions


def _actions(report: Report) -> list[tuple[str, bool]]:
    return [(a.name, a.certain) for a in report.actions]


def test_an_action_applies_when_its_condition_holds(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert _actions(report) == [("call_police", True), ("tidy", True)]
    police = report.actions[0]
    assert (police.plan, police.phase, police.message) == ("response", "acute", "p")
    assert police.cites == (Citation(text="guide"),)
    assert report.plans == (("response", ("acute", "later")),)


def test_an_action_whose_condition_is_false_is_absent(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"a": False, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert _actions(report) == [("tidy", True)]


def test_an_action_depending_on_an_unknown_fact_is_uncertain(small) -> None:  # type: ignore[no-untyped-def]
    report = small.report({"aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert _actions(report) == [("call_police", False), ("tidy", True)]
    assert report.to_dict()["assessment"]["actions"][0]["certain"] is False


def test_actions_follow_plan_order_then_phase_order_then_the_text(big) -> None:  # type: ignore[no-untyped-def]
    report = big.report({"a": True, "b": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert [(a.name, a.plan, a.phase) for a in report.actions] == [
        ("archive", "second", "cleanup"),
        ("warn_people", "response", "acute"),
        ("call_police", "response", "acute"),
        ("tidy", "response", "later"),
        ("maybe", "response", "later"),
    ]
    assert report.plans == (("second", ("cleanup",)), ("response", ("acute", "later")))
    assert [a.name for a in report.actions_in("response")] == ["warn_people", "call_police", "tidy", "maybe"]
    assert [a.name for a in report.actions_in("second")] == ["archive"]
    assert report.actions_in("nothing") == ()


def test_an_action_reading_an_outcome(big) -> None:  # type: ignore[no-untyped-def]
    # b only: risk is "risk", not high: warn_people does not apply
    report = big.report({"a": False, "b": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert _actions(report) == [("archive", True), ("tidy", True), ("maybe", True)]
    # a unknown, b true: risk certainly "risk", possibly high: uncertain
    report = big.report({"b": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert report.assessment.certain_levels["risk"] == "risk"
    assert report.assessment.levels["risk"] == "high"
    assert _actions(report) == [
        ("archive", True), ("warn_people", False), ("call_police", False), ("tidy", True), ("maybe", True),
    ]
    # a true: high for certain
    report = big.report({"a": True, "b": False, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert _actions(report) == [("archive", True), ("warn_people", True), ("call_police", True), ("tidy", True)]


# ------------------------------------------------------------------ JSON


def test_to_dict_of_a_late_fulfilment(small) -> None:  # type: ignore[no-untyped-def]
    incident = {"a": True, "aware": AWARE, "notified": "2026-03-31T09:00:00+03:00"}
    data = small.report(incident, now=datetime(2026, 4, 1, 12, 0, tzinfo=EEST)).to_dict()
    assert data["schema"] == "breachrules.record/4"
    assert data["generated_at"] == "2026-04-01T12:00:00+03:00"
    assert data["deadlines"] == [{
        "obligation": "notify",
        "due": "2026-03-30T10:00:00+02:00",
        "without_undue_delay": False,
        "done_at": "2026-03-31T09:00:00+03:00",
        "state": "done_late",
        "late": True,
        "remaining_seconds": None,
        "reason_fact": "why",
        "reason_required": True,
        "reason_given": False,
    }]
    assert data["plans"] == [{"name": "response", "phases": ["acute", "later"]}]
    assert data["checklists"][0]["items"][0] == {
        "name": "contact", "message": "checklist.content.contact", "present": False,
        "facts": ["who"], "missing": ["who"], "cites": [{"text": "Art. 33(3)(b)"}],
    }


def test_remaining_seconds_in_json(small) -> None:  # type: ignore[no-untyped-def]
    data = small.report({"a": True, "aware": AWARE}, now=datetime(2026, 3, 30, 7, 30, tzinfo=UTC)).to_dict()
    assert data["deadlines"][0]["remaining_seconds"] == 1800.0
    assert data["deadlines"][0]["state"] == "pending"


def _round_trip(report: Report) -> Report:
    return Report.from_dict(json.loads(json.dumps(report.to_dict())))


@pytest.mark.parametrize("incident, now", [
    ({"a": True, "aware": AWARE}, datetime(2026, 3, 28, tzinfo=UTC)),
    ({"aware": AWARE, "who": "x"}, datetime(2026, 3, 28, tzinfo=EET)),
    ({"a": True, "aware": AWARE, "notified": "2026-04-01T00:00:00+03:00", "why": "   "},
     datetime(2026, 4, 2, tzinfo=UTC)),
    ({"a": True}, datetime(2026, 4, 2, 12, 30, 15, 123456, tzinfo=UTC)),
    ({"a": False, "aware": AWARE, "who": "ö", "why": "\"quoted\""}, datetime(2026, 3, 28, tzinfo=UTC)),
])
def test_json_round_trip(small, incident: dict[str, Any], now: datetime) -> None:  # type: ignore[no-untyped-def]
    report = small.report(incident, now=now)
    assert _round_trip(report) == report


def test_json_round_trip_with_an_undated_obligation(big) -> None:  # type: ignore[no-untyped-def]
    report = big.report({"a": True, "b": True, "aware": AWARE, "who": "x"}, now=datetime(2026, 3, 28, tzinfo=UTC))
    assert _round_trip(report) == report


def test_from_dict_refuses_another_schema(small) -> None:  # type: ignore[no-untyped-def]
    data = small.report({"a": True}, now=datetime(2026, 3, 28, tzinfo=UTC)).to_dict()
    data["schema"] = "breachrules.assessment/1"
    with pytest.raises(ValueError, match="breachrules.record/4"):
        Report.from_dict(data)


def test_json_round_trip_with_now_a_zoneinfo_time_in_the_repeated_autumn_hour(small) -> None:  # type: ignore[no-untyped-def]
    # Europe/Helsinki, Sunday 25 October 2026: 03:00-04:00 happens twice. A
    # report made with datetime.now(ZoneInfo(...)) during that hour must
    # round-trip like any other.
    now = datetime(2026, 10, 25, 3, 30, tzinfo=HELSINKI)
    report = small.report({"a": True, "aware": AWARE}, now=now)
    assert _round_trip(report) == report


def test_json_round_trip_with_a_deadline_centuries_away(small) -> None:  # type: ignore[no-untyped-def]
    # remaining = due - now is about eleven centuries overdue, plus one microsecond
    report = small.report({"a": True, "aware": "1900-03-27T10:00:00.000001+02:00"},
                          now=datetime(2999, 1, 1, tzinfo=UTC))
    assert report.deadline("notify").remaining.microseconds == 1
    assert report.deadline("notify").remaining < timedelta(days=-365 * 1098)
    assert _round_trip(report) == report


# Realistic instants, in fixed offsets and UTC (see the two tests above for
# time-zone folds and very long spans).
_OFFSETS = st.sampled_from([UTC, EET, EEST, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))])
_INSTANTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=_OFFSETS)
_TEXTS = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["", "  ", "reason"]))


@st.composite
def _small_incidents(draw: st.DrawFn) -> dict[str, Any]:
    values = {
        "a": st.one_of(st.none(), st.booleans()),
        "aware": st.one_of(st.none(), _INSTANTS),
        "notified": st.one_of(st.none(), _INSTANTS),
        "why": _TEXTS,
        "who": _TEXTS,
    }
    incident = {}
    for name, strategy in values.items():
        if draw(st.booleans()):  # the key left out: unknown
            incident[name] = draw(strategy)
    if incident.get("aware") is not None and incident.get("notified") is not None \
            and incident["notified"] < incident["aware"]:  # notified before becoming aware: refused
        incident["aware"], incident["notified"] = incident["notified"], incident["aware"]
    return incident


@given(incident=_small_incidents(), now=_INSTANTS)
def test_json_round_trip_property(small, incident: dict[str, Any], now: datetime) -> None:  # type: ignore[no-untyped-def]
    instants = [v for v in (incident.get("aware"), incident.get("notified")) if v is not None]
    now = max([now, *instants])  # what the facts record has happened by the moment of the report
    report = small.report(incident, now=now)
    assert _round_trip(report) == report
    # and what the report says agrees with the facts
    assert [d.obligation for d in report.deadlines] == (["notify"] if report.assessment.required else [])
    for d in report.deadlines:
        if d.state in (DONE_ON_TIME, DONE_LATE):
            assert incident.get("notified") is not None and incident.get("aware") is not None
        if d.state == UNDATED:
            assert incident.get("aware") is None
        if d.state in (PENDING, OVERDUE):
            assert incident.get("notified") is None
            assert (d.state == OVERDUE) == (now > d.due)
    police = [a for a in report.actions if a.name == "call_police"]
    if incident.get("a") is True:
        assert [a.certain for a in police] == [True]
    elif incident.get("a") is None:
        assert [a.certain for a in police] == [False]
    else:
        assert police == []
    assert [a.name for a in report.actions][-1] == "tidy"


def test_an_extending_ruleset_adds_checklists_and_actions_to_the_base_plan(tmp_path: Path) -> None:
    (tmp_path / "base.rules").write_text(SMALL, encoding="utf-8")
    extension = _compile(tmp_path, "my-ext.rules", """ruleset my-ext extends "base.rules"
fact extra: bool
checklist more for notify
  item x: extra
define hi = risk >= high
action via_define in later when hi says "v" cite "g"
action extra_step in acute when extra and risk >= high says "e" cite "g"
""")
    assert extension.name == "my-ext"
    now = datetime(2026, 3, 28, tzinfo=UTC)
    report = extension.report({"a": True, "extra": True, "aware": AWARE}, now=now)
    assert [c.name for c in report.checklists] == ["content", "more"]
    assert report.checklist("more").complete
    # the base's actions and the extension's, merged by phase
    assert _actions(report) == [("call_police", True), ("extra_step", True), ("tidy", True), ("via_define", True)]
    report = extension.report({"extra": True, "aware": AWARE}, now=now)
    assert _actions(report) == [("call_police", False), ("extra_step", False), ("tidy", True), ("via_define", False)]
    report = extension.report({"a": False, "extra": True, "aware": AWARE}, now=now)
    assert _actions(report) == [("tidy", True)]


def test_a_deadline_or_checklist_the_report_lacks_is_the_library_s_error_in_words() -> None:
    import pickle
    from datetime import datetime

    import breachrules
    from breachrules.errors import NameNotFound

    rs = breachrules.bundled("gdpr")
    incident = {"breach_types": ["confidentiality"], "data_categories": ["health"], "subjects": 1,
                "exposed_to": "outsider", "became_aware_at": "2026-11-20T09:30:00+02:00"}
    report = rs.report(incident, now=datetime(2026, 11, 20, 12, tzinfo=UTC))
    assert report.deadline("notify_authority").obligation == "notify_authority"
    with pytest.raises(NameNotFound) as caught:
        report.deadline("notify_the_press")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, breachrules.BreachrulesError)
    assert caught.value.message("fi").startswith("tuloksessa ei ole määräaikaa velvoitteelle 'notify_the_press'")
    assert "notify_authority" in caught.value.message("sv")
    assert str(caught.value) == caught.value.message("en")
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is NameNotFound and again.message("fi") == caught.value.message("fi")
    with pytest.raises(KeyError) as lacking:
        report.checklist("press_release")
    assert "raportissa ei ole tarkistuslistaa 'press_release'" in lacking.value.message("fi")  # type: ignore[attr-defined]


# ------------------------------------------------------------------ what an audit needs (record/4)


def test_a_record_names_its_library_ruleset_digest_and_decision(small) -> None:  # type: ignore[no-untyped-def]
    import uuid

    data = small.report({"a": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC)).to_dict()
    assert list(data)[:6] == ["schema", "decision_id", "generated_at", "library_version", "ruleset", "facts_given"]
    assert data["library_version"] == breachrules.__version__
    assert data["ruleset"] == {"name": "t", "version": "", "digest": small.digest}
    assert data["ruleset"]["digest"] == data["assessment"]["vocabulary"]["digest"]
    assert str(uuid.UUID(data["decision_id"])) == data["decision_id"]


def test_a_decisions_id_is_derived_from_what_it_is_made_of_unless_the_caller_gives_one(small) -> None:  # type: ignore[no-untyped-def]
    import uuid

    now = datetime(2026, 3, 28, tzinfo=UTC)
    first, again = (small.report({"a": True, "aware": AWARE}, now=now).to_dict() for _ in range(2))
    assert first == again  # the same decision: the same record, to the byte
    assert uuid.UUID(first["decision_id"]).version == 5
    others = [small.report({"a": False, "aware": AWARE}, now=now),  # other facts
              small.report({"a": True, "aware": AWARE}, now=now + timedelta(microseconds=1)),  # another moment
              small.report({"a": True, "aware": AWARE, "why": None}, now=now),  # "don't know" said: as given
              small.report({"a": True}, now=now)]
    assert len({first["decision_id"], *(r.decision_id for r in others)}) == 5
    given = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    assert small.report({"a": True}, now=now, decision_id=given).decision_id == str(given)
    assert small.report({"a": True}, now=now, decision_id="1B4E28BA2FA111D2883F0016D3CCA427").decision_id == str(given)
    assert uuid.UUID(small.report({"a": True}, now=now, decision_id=uuid.uuid4()).decision_id).version == 4


@pytest.mark.parametrize("bad", ["", "case-42", 42, "1b4e28ba-2fa1-11d2-883f-0016d3cca42"])
def test_a_decision_id_that_is_not_a_uuid_is_refused_in_words(small, bad: object) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ArgumentError) as caught:
        small.report({"a": True}, now=datetime(2026, 3, 28, tzinfo=UTC), decision_id=bad)
    assert "UUID" in caught.value.message("fi") and "UUID" in caught.value.message("sv")
    assert caught.value.message("fi") != caught.value.message("en")


def test_the_facts_as_given_are_kept_before_validation_and_defaults(small) -> None:  # type: ignore[no-untyped-def]
    rs = breachrules.bundled("gdpr")
    incident: dict[str, Any] = {
        "breach_types": {"confidentiality", "availability"},  # a set: no order, written sorted
        "data_categories": ("health", "contact"),  # a tuple: in the order given
        "became_aware_at": datetime(2026, 10, 25, 3, 30, tzinfo=HELSINKI),  # the repeated autumn hour
        "exposure_time": timedelta(hours=30),
        "subjects": None,  # said "don't know": kept as null
        "breach_description": "PT30H",  # a text that looks like a duration stays as written
    }
    report = rs.report(incident, now=datetime(2026, 11, 1, tzinfo=UTC))
    assert report.facts_given == {
        "breach_types": ["availability", "confidentiality"],
        "data_categories": ["health", "contact"],
        "became_aware_at": "2026-10-25T03:30:00+03:00",
        "exposure_time": "P1DT6H",
        "subjects": None,
        "breach_description": "PT30H",
    }
    facts = report.to_dict()["assessment"]["facts"]
    assert "role" in facts and "role" not in report.facts_given  # a default: the assessment's, not the caller's
    assert facts["data_categories"] == ["contact", "health"]  # validated: sorted
    assert rs.assess(report.facts_given) == report.assessment  # the JSON form decides as the original did
    assert rs.report(rs.validate(incident), now=report.now).facts_given == facts  # pre-validated: as validated


def test_a_version_3_record_reads_without_the_new_fields_and_writes_as_version_4(small) -> None:  # type: ignore[no-untyped-def]
    current = small.report({"a": True, "aware": AWARE}, now=datetime(2026, 3, 28, tzinfo=UTC)).to_dict()
    old = {k: v for k, v in current.items() if k not in ("decision_id", "library_version", "ruleset", "facts_given")}
    old["schema"] = "breachrules.record/3"
    report = Report.from_dict(old)
    assert (report.decision_id, report.library_version, report.facts_given) == (None, None, None)
    assert report.ruleset_digest == small.digest  # a version 3 assessment has its digest
    again = report.to_dict()
    assert again["schema"] == "breachrules.record/4" and again["decision_id"] is None
    assert again["facts_given"] is None and again["ruleset"]["digest"] == small.digest
    assert _round_trip(report) == report
