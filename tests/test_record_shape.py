"""The shape of a stored decision record (``breachrules.record_shape``).

Every record the library writes, of every version ``Report.from_dict``
reads, has the shape; a crafted record that would crash reading, replaying
or rendering it with a plain Python exception does not, and the checker
says where. The fuzz takes a real record, changes one value anywhere in it
(or takes a field away), and asks: either the checker reports the change,
at its ``$.path`` or below it, or the record reads, replays and renders
with nothing but the library's own errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import breachrules
from breachrules import cli_replay, record_shape
from breachrules.exceptions import BreachrulesError
from breachrules.i18n import LOCALES
from breachrules.replay import replay
from breachrules.report import Report
from breachrules.testing import incidents
from tests.test_replay import _example, _record

ROOT = Path(__file__).resolve().parent.parent
GDPR = breachrules.bundled("gdpr")
LATER = datetime(2999, 1, 1, tzinfo=UTC)  # after every instant an incident may hold


def _cites_as_text(value: Any) -> Any:
    """Version 1 wrote citations as strings."""
    if isinstance(value, dict):
        return {k: [c.get("text") or f"{c.get('reference')} {c.get('article', '')}" for c in v] if k == "cites"
                else _cites_as_text(v) for k, v in value.items()}
    return [_cites_as_text(v) for v in value] if isinstance(value, list) else value


def _older(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record as versions 3, 2 and 1 wrote it (see test_replay and test_stored)."""
    v3 = {k: v for k, v in record.items() if k not in ("decision_id", "library_version", "ruleset", "facts_given")}
    v3["schema"] = "breachrules.record/3"
    assessment = {k: v for k, v in v3["assessment"].items() if k not in ("actions", "vocabulary", "values")}
    v2 = {**v3, "schema": "breachrules.record/2", "assessment": {**assessment, "schema": "breachrules.assessment/2"},
          "actions": v3["assessment"]["actions"]}
    v1 = _cites_as_text({**v2, "schema": "breachrules.record/1"})
    v1["assessment"]["schema"] = "breachrules.assessment/1"
    return [v3, v2, v1]


def _documented() -> dict[str, Any]:
    """The whole record docs/json-output.md shows (with the two keys the command adds)."""
    text = (ROOT / "docs" / "json-output.md").read_text(encoding="utf-8")
    block = text.split("<summary>The whole document</summary>", 1)[1].split("```console\n", 1)[1].split("\n```", 1)[0]
    data: dict[str, Any] = json.loads(block.split("\n", 1)[1])  # after the command line
    return data


PARTIAL = _record(GDPR, _example("partial-facts"))
BASES = [PARTIAL, _record(GDPR, _example("ransomware-hospital-30h")), *_older(PARTIAL)]


def _paths(found: tuple[record_shape.ShapeProblem, ...]) -> list[str]:
    return [p.path for p in found]


# ------------------------------------------------------------------ what the library writes passes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incident=incidents(GDPR))
def test_every_record_the_library_writes_has_the_shape_in_every_version(incident: dict[str, Any]) -> None:
    record = _record(GDPR, incident, LATER)
    for version in (record, *_older(record)):
        assert record_shape.problems(version) == (), version["schema"]


@pytest.mark.parametrize("name", [n for n in breachrules.bundled_names() if n != "gdpr"])
def test_records_of_the_other_bundled_rulesets_have_the_shape(name: str) -> None:
    ruleset = breachrules.bundled(name)

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(incident=incidents(ruleset))
    def check(incident: dict[str, Any]) -> None:
        assert record_shape.problems(_record(ruleset, incident, LATER)) == ()

    check()


def test_the_examples_the_documented_record_and_the_old_versions_have_the_shape() -> None:
    examples = [_record(GDPR, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(ROOT.glob("examples/*.json"))]
    documented = _documented()
    assert documented["schema"] == "breachrules.record/4"
    for record in [*examples, documented, *_older(documented)]:
        assert record_shape.problems(record) == ()
        assert replay(record).found  # (the documented one may be of an earlier digest)


# ------------------------------------------------------------------ crafted records


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _set(*keys: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        where = record
        for key in keys[:-1]:
            where = where[key]
        where[keys[-1]] = value
    return change


def _drop(*keys: Any) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        where = record
        for key in keys[:-1]:
            where = where[key]
        del where[keys[-1]]
    return change


CRAFTED = [
    (_set("assessment", "trace", 1, "label", value=["a"]), "$.assessment.trace[1].label"),
    (_set("assessment", "open_questions", 0, "fact", value=1), "$.assessment.open_questions[0].fact"),
    (_set("assessment", "facts", "subjects", value=1e300), "$.assessment.facts.subjects"),
    (_set("assessment", "facts", "subjects", value=float("nan")), "$.assessment.facts.subjects"),
    (_set("facts_given", "subjects", value=10**20), "$.facts_given.subjects"),
    (_set("assessment", "facts", "deep", value=_nested(970)), "$.assessment.facts.deep[0]"),
    (_set("facts_given", "data_categories", value=[["contact"]]), "$.facts_given.data_categories[0]"),
    (_set("assessment", "catalog_domains", value=[[]]), "$.assessment.catalog_domains[0]"),
    (_set("assessment", "catalog_domains", value=["x" * 300]), "$.assessment.catalog_domains[0]"),
    (_set("assessment", "ruleset", value="../gdpr"), "$.assessment.ruleset"),
    (_drop("assessment", "levels", "risk"), "$.assessment.levels.risk"),
    (_drop("assessment", "certain_levels", "risk"), "$.assessment.certain_levels.risk"),
    (_set("assessment", "levels", "risk", value={"a": 1}), "$.assessment.levels.risk"),
    (_set("assessment", "schema", value="breachrules.assessment/9"), "$.assessment.schema"),
    (_set("decision_id", value="not a uuid"), "$.decision_id"),
    (_set("decision_id", value="04323E0A-7001-575A-AF4D-9D89D3F9FCDD"), "$.decision_id"),
    (_set("generated_at", value="2026-11-21T12:00:00"), "$.generated_at"),
    (_set("generated_at", value="9999-12-31T23:00:00-05:00"), "$.generated_at"),
    (_set("deadlines", 0, "due", value="0001-01-01T00:00:00+05:00"), "$.deadlines[0].due"),
    (_set("deadlines", 0, "remaining_seconds", value=float("inf")), "$.deadlines[0].remaining_seconds"),
    (_set("assessment", "obligations", 0, "due", value=20260115), "$.assessment.obligations[0].due"),
    (_set("assessment", "trace", 0, "span", "line", value="3"), "$.assessment.trace[0].span.line"),
    (_set("assessment", "trace", 0, "effects", 0, "level", value=[]), "$.assessment.trace[0].effects[0].level"),
    (_set("assessment", "obligations", 0, "cites", 0, value=5), "$.assessment.obligations[0].cites[0]"),
    (_set("assessment", "obligations", 0, "cites", 0, "examples", value="22"),
     "$.assessment.obligations[0].cites[0].examples"),
    (_set("assessment", "values", value={"x": "1"}), "$.assessment.values.x"),
    (_set("assessment", "vocabulary", "risk_floors", "notify_authority", value="severe"),
     "$.assessment.vocabulary.risk_floors.notify_authority"),
    (_set("assessment", "vocabulary", "facts", 0, "members", value="abc"),
     "$.assessment.vocabulary.facts[0].members"),
    (_set("plans", 0, "phases", value="acute"), "$.plans[0].phases"),
    (_set("ruleset", value=_nested(970)), "$.ruleset"),
    (_set("ruleset", "name", value={"a": []}), "$.ruleset.name"),
    (_set("checklists", 0, "items", 0, "missing", value=None), "$.checklists[0].items[0].missing"),
    (_set("assessment", "trace", 0, "message", value="x" * (record_shape.MAX_TEXT + 1)),
     "$.assessment.trace[0].message"),
    (_set("assessment", "conflicts", value=[[]] * (record_shape.MAX_ENTRIES + 1)), "$.assessment.conflicts"),
    (_set("assessment", "facts", value={"a b": object()}), '$.assessment.facts["a b"]'),
    (_drop("deadlines"), "$.deadlines"),
]


@pytest.mark.parametrize("change, path", CRAFTED, ids=[path for _, path in CRAFTED])
def test_a_crafted_record_is_reported_where_it_is_wrong(change: Callable[[dict[str, Any]], None], path: str) -> None:
    record = json.loads(json.dumps(PARTIAL))
    change(record)
    found = record_shape.problems(record)
    assert path in _paths(found)
    for problem in found:
        for locale in LOCALES:
            words = problem.message(locale)
            assert words.startswith(problem.path + ": ") and "record_shape" not in words and "{" not in words[-30:]


def test_every_problem_is_reported_at_once_and_a_non_record_is_one_problem() -> None:
    record = json.loads(json.dumps(PARTIAL))
    for change, _path in CRAFTED[:10]:
        change(record)
    assert set(_paths(record_shape.problems(record))) >= {path for _, path in CRAFTED[:10]}
    assert _paths(record_shape.problems([])) == ["$"]
    assert record_shape.problems([])[0].message("fi") == "$: arvon on oltava objekti, mutta se on luettelo"


# ------------------------------------------------------------------ the fuzz


def _locations(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The keys leading to every value of a document, but the document itself."""
    inner = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [place for key, item in inner for place in ((*at, key), *_locations(item, (*at, key)))]


def _path(keys: tuple[Any, ...]) -> str:
    path = "$"
    for key in keys:
        path = f"{path}[{key}]" if isinstance(key, int) else record_shape._member(path, key)
    return path


def _sort(value: Any) -> str:
    return "null" if value is None else type(value).__name__.replace("int", "float")


LOCATIONS = [_locations(base) for base in BASES]
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=6)
ODD = st.sampled_from([1e300, -(10**20), 10**15 + 1, 0.5, -1, "", "x" * 300, "2026-01-01T00:00", "risk",
                       "9999-12-31T23:59:59-05:00", "breachrules.record/4", _nested(970), {"risk": "high"}, [""]])


def _replays_with_the_librarys_errors_only(record: dict[str, Any]) -> None:
    try:
        Report.from_dict(record)
        result = replay(record, new=GDPR)
    except BreachrulesError:
        return
    entry = cli_replay.Entry("record.json", result, cli_replay._problems(result, "record.json", "en"))
    for locale in LOCALES:
        cli_replay.text(entry, locale, "Europe/Helsinki")
        cli_replay.document([entry], GDPR, entry.exit_code, locale, "Europe/Helsinki")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_value_changed_anywhere_is_reported_there_or_replays_with_the_librarys_errors(data: st.DataObject) -> None:
    which = data.draw(st.integers(0, len(BASES) - 1), label="base")
    keys = data.draw(st.sampled_from(LOCATIONS[which]), label="where")
    record = json.loads(json.dumps(BASES[which]))
    parent = record
    for key in keys[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and data.draw(st.integers(0, 5), label="drop") == 0:
        del parent[keys[-1]]
    else:
        before = _sort(parent[keys[-1]])
        parent[keys[-1]] = data.draw(ODD | JSON.filter(lambda v: _sort(v) != before), label="value")
    found = record_shape.problems(record)
    event("reported" if found else "read")
    if found:
        path = _path(keys)
        # the checks across fields: a risk floor is a level of the risk scale, a deadline one of an obligation
        related = (path, *(["$.assessment.vocabulary.risk_floors"] if "risk_levels" in path else []),
                   *(["$.deadlines"] if path.startswith("$.assessment.obligations") else []))
        assert any(p == q or p.startswith((q + ".", q + "[")) for p in _paths(found) for q in related), (path, found)
    else:
        _replays_with_the_librarys_errors_only(record)
