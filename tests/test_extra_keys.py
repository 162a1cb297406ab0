"""Keys that are not facts, for form payloads: ``extra_keys="warn"`` and
``breachrules assess --ignore-extra-keys``.

Refused by default; with the option, left out and warned of, one
:class:`ExtraKeyWarning` each, in fi, sv and en; the generated fast path
(every fact known) and the interpreter (some unknown) give what the
incident without those keys gives, before and after the ruleset's
functions are compiled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import breachrules
from breachrules.exits import ExitCode
from breachrules.extra_keys import ExtraKeyWarning
from breachrules.incident import Facts

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.fromisoformat("2026-11-21T12:00:00+02:00")

COMPLETE = """ruleset small
scale risk: none < risk < high
fact a: bool
fact n: count 0..
rule r when a and n > 3 then risk >= high because "r" cite "c"
obligation o when risk >= risk says "s" cite "c"
"""

PAYLOAD_EXTRAS = {"case_id": 17, "submitted_by": "form", "nn": 2}


def caught(call: Any) -> tuple[Any, list[ExtraKeyWarning]]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = call()
    return result, [w.message for w in seen if isinstance(w.message, ExtraKeyWarning)]


def partial_example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "examples" / "partial-facts.json").read_text(encoding="utf-8"))
    return data


def test_keys_that_are_not_facts_are_refused_by_default() -> None:
    rs = breachrules.bundled("gdpr")
    for method in (rs.validate, rs.decide, rs.assess):
        with pytest.raises(breachrules.IncidentError,
                           match=r"\$\.case_id: 'case_id' is not a fact of the ruleset gdpr"):
            method({**partial_example(), "case_id": 1})


@pytest.mark.parametrize("complete", [True, False], ids=["fast path", "interpreter"])
@pytest.mark.parametrize("compiled", [False, True], ids=["first call", "compiled"])
def test_with_warn_they_are_left_out_and_warned_of(complete: bool, compiled: bool) -> None:
    rs = breachrules.loads(COMPLETE)  # a fresh one: its functions not yet compiled
    if compiled:
        rs.compile()
    incident = {"a": True, "n": 5} if complete else {"a": True}
    given = {**incident, **PAYLOAD_EXTRAS}
    assert rs.validate(incident).complete is complete
    for name in ("decide", "assess", "validate"):
        result, said = caught(lambda name=name: getattr(rs, name)(given, extra_keys="warn"))
        expected = getattr(rs, name)(incident)
        if name == "validate":
            assert (result.known, result.complete) == (expected.known, expected.complete)
        else:
            assert result == expected
        assert [(w.path, w.key) for w in said] == [("$.case_id", "case_id"), ("$.submitted_by", "submitted_by"),
                                                    ("$.nn", "nn")]
        assert said[2].suggestion == "n"
    report, said = caught(lambda: rs.report(given, NOW, extra_keys="warn"))
    assert report.assessment == rs.assess(incident) and len(said) == 3
    ranking, said = caught(lambda: rs.ranked_questions(given, NOW, extra_keys="warn"))
    assert ranking == rs.ranked_questions(incident, NOW) and len(said) == 3


def test_the_warning_names_the_callers_line() -> None:
    rs = breachrules.bundled("gdpr")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        rs.assess({**partial_example(), "case_id": 1}, extra_keys="warn")
    (warning,) = seen
    assert warning.category is ExtraKeyWarning and warning.filename == __file__


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "$.case_id: 'case_id' is not a fact of the ruleset gdpr, so it was ignored"),
    ("fi", "$.case_id: 'case_id' ei ole sääntökokoelman gdpr lähtötieto, joten se jätettiin huomiotta"),
    ("sv", "$.case_id: 'case_id' är ingen utgångsuppgift i regelsamlingen gdpr, så den lämnades utan avseende"),
])
def test_the_warning_in_words(lang: str, words: str) -> None:
    warning = ExtraKeyWarning("case_id", "gdpr")
    assert warning.message(lang) == warning.render(lang) == words
    assert str(warning) == warning.message("en")
    typo = ExtraKeyWarning("subjectz", "gdpr", "subjects")
    assert typo.message(lang).endswith({"en": "; did you mean 'subjects'?", "fi": "; pitäisikö olla 'subjects'?",
                                        "sv": "; ska det vara 'subjects'?"}[lang])


def test_the_warning_pickles_as_itself() -> None:
    import pickle

    warning = pickle.loads(pickle.dumps(ExtraKeyWarning("case_id", "gdpr", "")))
    assert (warning.key, warning.ruleset, warning.path) == ("case_id", "gdpr", "$.case_id")


def test_what_else_is_wrong_is_still_refused() -> None:
    """A replaced fact names a fact of an earlier version: refused, with its
    replacement; and a wrong value of a fact is refused, the extra key warned of."""
    rs = breachrules.bundled("gdpr")
    with pytest.raises(breachrules.IncidentError, match="data_retrieved"):
        caught(lambda: rs.assess({**partial_example(), "data_retrieved": True}, extra_keys="warn"))
    with pytest.raises(breachrules.IncidentError, match=r"\$\.subjects") as error:
        caught(lambda: rs.assess({**partial_example(), "subjects": "many", "case_id": 1}, extra_keys="warn"))
    assert "case_id" not in str(error.value)


def test_an_unknown_choice_is_an_argument_error() -> None:
    rs = breachrules.bundled("gdpr")
    for call in (lambda: rs.assess(partial_example(), extra_keys="ignore"),  # type: ignore[arg-type]
                 lambda: rs.decide(partial_example(), extra_keys="ignore"),  # type: ignore[arg-type]
                 lambda: rs.validate(partial_example(), extra_keys=True)):  # type: ignore[arg-type]
        with pytest.raises(breachrules.ArgumentError, match='extra_keys must be "error" or "warn", not'):
            call()


def test_validated_facts_pass_through() -> None:
    rs = breachrules.bundled("gdpr")
    facts = rs.validate(partial_example())
    assert isinstance(facts, Facts) and rs.validate(facts, extra_keys="warn") is facts


def test_the_record_keeps_the_incident_as_taken() -> None:
    rs = breachrules.bundled("gdpr")
    report, _said = caught(lambda: rs.report({**partial_example(), "case_id": 1}, NOW, extra_keys="warn"))
    assert "case_id" not in json.dumps(report.to_dict())


# ------------------------------------------------------------------ the command


def run(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BREACHRULES_LANG", "LC_ALL", "LANG")}
    return subprocess.run([sys.executable, "-m", "breachrules.cli", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60, input=stdin)


PAYLOAD = json.dumps({**partial_example(), "case_id": 42, "subjectz": 5})


def test_the_command_refuses_them_without_the_option() -> None:
    result = run("assess", "-", "--now", NOW.isoformat(), stdin=PAYLOAD)
    assert result.returncode == ExitCode.INPUT and "'case_id' is not a fact" in result.stderr


def test_the_command_ignores_them_with_a_warning_each() -> None:
    result = run("assess", "-", "--now", NOW.isoformat(), "--ignore-extra-keys", "--lang", "fi", stdin=PAYLOAD)
    assert result.returncode == ExitCode.OK
    assert result.stderr.splitlines() == [
        "<stdin>: varoitus: $.case_id: 'case_id' ei ole sääntökokoelman gdpr lähtötieto, joten se jätettiin "
        "huomiotta",
        "<stdin>: varoitus: $.subjectz: 'subjectz' ei ole sääntökokoelman gdpr lähtötieto, joten se jätettiin "
        "huomiotta; pitäisikö olla 'subjects'?",
    ]
    plain = run("assess", "examples/partial-facts.json", "--now", NOW.isoformat(), "--lang", "fi")
    assert result.stdout == plain.stdout


def test_in_json_they_are_warnings_beside_the_record() -> None:
    result = run("assess", "-", "--now", NOW.isoformat(), "--ignore-extra-keys", "--format", "json", stdin=PAYLOAD)
    assert result.returncode == ExitCode.OK and result.stderr == ""
    document = json.loads(result.stdout)
    assert [w["path"] for w in document["warnings"]] == ["$.case_id", "$.subjectz"]
    first, second = document["warnings"]
    assert first == {"code": "incident.extra_key", "severity": "warning", "file": "<stdin>", "line": None,
                     "column": None, "end": None, "path": "$.case_id",
                     "message": "'case_id' is not a fact of the ruleset gdpr, so it was ignored", "suggestion": None}
    assert second["suggestion"] == "subjects"
    assert "case_id" not in json.dumps(document["assessment"])


def test_in_json_an_incident_that_still_does_not_fit_lists_the_warnings_too() -> None:
    payload = json.dumps({**partial_example(), "case_id": 42, "subjects": "many"})
    result = run("assess", "-", "--now", NOW.isoformat(), "--ignore-extra-keys", "--format", "json", stdin=payload)
    assert result.returncode == ExitCode.INPUT
    error = json.loads(result.stderr)
    assert [(p["severity"], p["path"]) for p in error["problems"]] == [("error", "$.subjects"),
                                                                      ("warning", "$.case_id")]
