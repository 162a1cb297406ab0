"""The command line for programs: one exit code per kind of failure, the
same for every command; every error and finding as JSON under
``--format json``, in the language asked for; an incident on standard
input; ``check`` over several files and directories.

Most run in-process (``cli.main``), as the tests of ``test`` and ``fmt``
do; standard input and the console script run as a process."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from breachrules import cli, verify
from breachrules.exits import ExitCode, worst

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "misdirected-health-email.json"
NOW = "2026-11-21T12:00:00+02:00"
GOOD_RULES = 'ruleset mini version "1"\nscale risk: none < high\nfact leaked: bool\n' \
             'rule leak when leaked then risk >= high because "m" cite "c"\n'
BROKEN_RULES = GOOD_RULES.replace("when leaked", "when leakd")
DIVIDES_BY_ZERO = ('ruleset z\nscale risk: none < risk < high\nfact x: integer\ndefine q = 1 / (x - x)\n'
                   'rule r when q > 0 then risk >= high because "m" cite "c"\n')
PROBLEM_FIELDS = {"code", "severity", "file", "line", "column", "end", "path", "message", "suggestion"}


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BREACHRULES_LANG", "LC_ALL", "LANG", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


def main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def error_document(err: str, code: ExitCode) -> dict[str, Any]:
    """The JSON form of a failure on standard error, checked for its shape."""
    doc: dict[str, Any] = json.loads(err)
    assert (doc["schema"], doc["exit_code"], doc["error"]) == ("breachrules.error/1", code, code.name.lower())
    assert doc["problems"] and all(set(p) == PROBLEM_FIELDS for p in doc["problems"])
    return doc


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the codes


def test_the_codes_are_those_docs_cli_md_documents() -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d) \| `(\w+)` \|", page, re.M))
    assert {int(k): v for k, v in table.items()} == {c.value: c.name for c in ExitCode}
    assert worst([]) == ExitCode.OK
    assert worst([ExitCode.FINDINGS, ExitCode.INPUT, ExitCode.RULESET]) == ExitCode.RULESET


@pytest.mark.parametrize(("args", "expected"), [
    (["assess", EXAMPLE, "--timezone", "Nowhere/Atlantis"], ExitCode.USAGE),
    (["assess", EXAMPLE, "--now", "tomorrow"], ExitCode.USAGE),
    (["assess", EXAMPLE, "--format", "pdf"], ExitCode.USAGE),
    (["assess", "{missing}"], ExitCode.INPUT),
    (["assess", "{not_json}"], ExitCode.INPUT),
    (["assess", "{invalid}"], ExitCode.INPUT),
    (["assess", EXAMPLE, "--ruleset", "nosuch"], ExitCode.RULESET),
    (["assess", EXAMPLE, "--ruleset", "{broken}"], ExitCode.RULESET),
    (["assess", "{zero}", "--ruleset", "{z}"], ExitCode.EVALUATION),
    (["assess", EXAMPLE, "--now", NOW], ExitCode.OK),
    (["check", "{broken}", "--no-prove"], ExitCode.FINDINGS),
    (["check", "{missing_rules}", "--no-prove"], ExitCode.RULESET),
    (["check", "gdprr", "--no-prove"], ExitCode.RULESET),
    (["check", "{good}", "--no-prove"], ExitCode.OK),
    (["diff", "{good}", "{broken}"], ExitCode.RULESET),
    (["test", "{missing}"], ExitCode.INPUT),
    (["list"], ExitCode.OK),
])
def test_each_failure_has_its_own_code(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[Any],
                                       expected: ExitCode) -> None:
    files = {
        "missing": tmp_path / "missing.json", "missing_rules": tmp_path / "missing.rules",
        "not_json": write(tmp_path / "bad.json", '{"subjects": }'),
        "invalid": write(tmp_path / "invalid.json", '{"subjects": 0}'),
        "broken": write(tmp_path / "broken.rules", BROKEN_RULES), "good": write(tmp_path / "good.rules", GOOD_RULES),
        "z": write(tmp_path / "z.rules", DIVIDES_BY_ZERO), "zero": write(tmp_path / "zero.json", '{"x": 1}'),
    }
    filled = [files[a[1:-1]] if isinstance(a, str) and a.startswith("{") else a for a in args]
    code, out, err = main(capsys, *filled)
    assert code == expected, err
    assert "Traceback" not in err


# ------------------------------------------------------------------ assess: errors as JSON, in the language asked


INCIDENT_WORDS = {
    "en": ("does not fit the ruleset", "did you mean 'outsider'?"),
    "fi": ("ei vastaa sääntökokoelmaa", "pitäisikö olla 'outsider'?"),
    "sv": ("stämmer inte med regelsamlingen", "ska det vara 'outsider'?"),
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_an_incident_that_does_not_fit_is_json_on_standard_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str) -> None:
    path = write(tmp_path / "incident.json", json.dumps({"exposed_to": "outsiders", "subjects": "12"}))
    code, out, err = main(capsys, "assess", path, "--format", "json", "--lang", lang)
    assert (code, out) == (ExitCode.INPUT, "")
    doc = error_document(err, ExitCode.INPUT)
    headline, suggestion = INCIDENT_WORDS[lang]
    assert headline in doc["message"] and str(path) in doc["message"]
    by_path = {p["path"]: p for p in doc["problems"]}
    assert set(by_path) == {"$.exposed_to", "$.subjects"}
    exposed = by_path["$.exposed_to"]
    assert (exposed["code"], exposed["severity"], exposed["file"], exposed["suggestion"]) == (
        "incident.not_one_of", "error", str(path), "outsider")
    assert exposed["message"].endswith(suggestion) and not exposed["message"].startswith("$.")
    assert (exposed["line"], exposed["column"], exposed["end"]) == (None, None, None)
    assert by_path["$.subjects"]["code"] == "incident.expected_whole_number"


def test_an_incident_error_in_the_text_form_is_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "incident.json", json.dumps({"exposed_to": "outsiders"}))
    code, out, err = main(capsys, "assess", path, "--format", "markdown")
    assert code == ExitCode.INPUT
    assert err.splitlines()[0] == f"{path} does not fit the ruleset:"
    with pytest.raises(json.JSONDecodeError):
        json.loads(err)


def test_a_json_syntax_error_is_positioned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "bad.json", '{\n  "subjects": \n}')
    code, out, err = main(capsys, "assess", path, "--format", "json", "--lang", "fi")
    (problem,) = error_document(err, ExitCode.INPUT)["problems"]
    assert (problem["code"], problem["file"], problem["line"], problem["column"]) == ("failure.json", str(path), 3, 1)
    assert problem["message"].startswith(f"{path} ei ole kelvollinen JSON- tai TOML-tiedosto")


def test_a_missing_incident_names_the_operating_system_s_reason(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(capsys, "assess", tmp_path / "nowhere.json", "--format", "json", "--lang", "sv")
    (problem,) = error_document(err, ExitCode.INPUT)["problems"]
    assert problem["code"] == "failure.os.ENOENT" and problem["message"].startswith("det går inte att läsa")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_ruleset_that_does_not_compile_is_json_with_its_diagnostics(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str) -> None:
    rules = write(tmp_path / "broken.rules", BROKEN_RULES)
    code, out, err = main(capsys, "assess", EXAMPLE, "--ruleset", rules, "--format", "json", "--lang", lang)
    assert (code, out) == (ExitCode.RULESET, "")
    doc = error_document(err, ExitCode.RULESET)
    assert str(rules) in doc["message"]
    (problem,) = doc["problems"]
    assert {k: problem[k] for k in ("code", "severity", "file", "line", "column", "end", "suggestion")} == {
        "code": "BR201", "severity": "error", "file": str(rules), "line": 4, "column": 16,
        "end": {"line": 4, "column": 21}, "suggestion": "leaked"}
    assert problem["message"] == {"en": "undefined name 'leakd'; did you mean 'leaked'?",
                                  "fi": "nimeä 'leakd' ei ole määritelty; pitäisikö olla 'leaked'?",
                                  "sv": "namnet 'leakd' är inte definierat; ska det vara 'leaked'?"}[lang]


def test_an_evaluation_error_is_json_at_the_expression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules, incident = write(tmp_path / "z.rules", DIVIDES_BY_ZERO), write(tmp_path / "i.json", '{"x": 1}')
    code, out, err = main(capsys, "assess", incident, "--ruleset", rules, "--format", "json", "--lang", "fi")
    (problem,) = error_document(err, ExitCode.EVALUATION)["problems"]
    assert (problem["code"], problem["file"], problem["line"]) == ("evaluation.division_by_zero", str(rules), 4)
    assert "nollalla" in problem["message"]


@pytest.mark.parametrize(("lang", "words"), [("en", "the following arguments are required"),
                                             ("fi", "seuraavat argumentit puuttuvat"),
                                             ("sv", "följande argument krävs")])
def test_a_bad_command_line_under_json_is_json(capsys: pytest.CaptureFixture[str], lang: str, words: str) -> None:
    code, out, err = main(capsys, "--lang", lang, "assess", "--format", "json")
    assert (code, out) == (ExitCode.USAGE, "")
    doc = error_document(err, ExitCode.USAGE)
    assert doc["message"].startswith(words) and doc["problems"][0]["code"] == "cli.argparse.error"
    code, out, err = main(capsys, "--lang", lang, "assess")  # without --format json: as argparse says it
    assert code == ExitCode.USAGE and words in err.splitlines()[-1]


def test_a_bad_timezone_under_json_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(capsys, "assess", EXAMPLE, "--timezone", "Mars/Olympus", "--format", "json")
    (problem,) = error_document(err, ExitCode.USAGE)["problems"]
    assert problem["code"] == "cli.unknown_timezone" and "Mars/Olympus" in problem["message"]


# ------------------------------------------------------------------ assess: the incident on standard input


def _process(*args: str | Path, stdin: str | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("BREACHRULES_LANG", "LC_ALL", "LANG", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "breachrules", *map(str, args)], input=stdin,
                          capture_output=True, text=True, encoding="utf-8", env={**clean, **(env or {})},
                          timeout=120, cwd=ROOT)


def test_a_dash_reads_the_incident_from_standard_input() -> None:
    piped = _process("assess", "-", "--format", "json", "--now", NOW, stdin=EXAMPLE.read_text(encoding="utf-8"))
    named = _process("assess", EXAMPLE, "--format", "json", "--now", NOW)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout) == json.loads(named.stdout)


def test_standard_input_that_does_not_fit_is_named_stdin(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"subjects": 1, "subjects": 2}')))
    code, out, err = main(capsys, "assess", "-", "--format", "json", "--lang", "sv")
    (problem,) = error_document(err, ExitCode.INPUT)["problems"]
    assert (problem["file"], problem["path"], problem["code"]) == ("<stdin>", "$.subjects", "incident.duplicate_key")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"subjects = 1\n")))  # TOML is not read from stdin
    code, out, err = main(capsys, "assess", "-")
    assert code == ExitCode.INPUT and err.startswith("<stdin> is not valid JSON or TOML: error at line 1")


# ------------------------------------------------------------------ check: several files, directories, JSON


def test_check_takes_files_and_directories_and_exits_with_the_worst(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "rules" / "a-good.rules", GOOD_RULES)
    broken = write(tmp_path / "rules" / "sub" / "broken.rules", BROKEN_RULES)
    write(tmp_path / "rules" / "notes.txt", "not a ruleset")
    code, out, err = main(capsys, "check", tmp_path / "rules", "--no-prove")
    assert code == ExitCode.FINDINGS
    assert out.splitlines() == [f"{good}: no problems found"]
    assert f"--> {broken}:4:16" in err
    code, out, err = main(capsys, "check", good, tmp_path / "missing.rules", broken, "--no-prove")
    assert code == ExitCode.RULESET  # one it cannot read outweighs one with problems
    assert err.index("missing.rules") < err.index(f"{broken}:4:16")  # in the order given


def test_check_json_of_one_file_keeps_its_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path / "broken.rules", BROKEN_RULES)
    code, out, err = main(capsys, "check", broken, "--format", "json", "--lang", "sv")
    assert (code, err) == (ExitCode.FINDINGS, "")
    doc = json.loads(out)
    assert {"file", "diagnostics", "claims", "proved"} <= set(doc)  # the fields it always had
    assert (doc["schema"], doc["exit_code"], doc["file"], doc["proved"]) == ("breachrules.check/1", 1, str(broken),
                                                                            False)
    (diagnostic,) = doc["diagnostics"]
    assert set(diagnostic) == PROBLEM_FIELDS and diagnostic["suggestion"] == "leaked"
    assert diagnostic["message"] == "namnet 'leakd' är inte definierat; ska det vara 'leaked'?"


def test_check_json_of_several_files_holds_one_document_each(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    good, missing = write(tmp_path / "good.rules", GOOD_RULES), tmp_path / "missing.rules"
    code, out, err = main(capsys, "check", good, missing, "--format", "json", "--no-prove", "--lang", "fi")
    assert (code, err) == (ExitCode.RULESET, "")
    doc = json.loads(out)
    assert (doc["schema"], doc["exit_code"]) == ("breachrules.checks/1", 4)
    assert [(f["file"], f["exit_code"]) for f in doc["files"]] == [(str(good), 0), (str(missing), 4)]
    (unreadable,) = doc["files"][1]["diagnostics"]
    assert unreadable["code"] == "BR501" and "tiedostoa tai hakemistoa ei ole" in unreadable["message"]
    assert all(d["severity"] == "warning" for d in doc["files"][0]["diagnostics"])  # no catalogs: BR708


def test_a_directory_is_always_the_document_of_several(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "only.rules", GOOD_RULES)
    code, out, err = main(capsys, "check", tmp_path, "--format", "json", "--no-prove")
    assert code == ExitCode.OK and [f["file"] for f in json.loads(out)["files"]] == [str(tmp_path / "only.rules")]


def test_check_without_the_solver_still_passes_and_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(verify, "available", lambda: False)
    good = write(tmp_path / "good.rules", GOOD_RULES)
    code, out, err = main(capsys, "check", good, "--lang", "fi")
    assert code == ExitCode.OK and "vain käännöstarkistukset tehtiin" in err
    code, out, err = main(capsys, "check", good, "--format", "json")
    assert code == ExitCode.OK and (json.loads(out)["solver"], json.loads(out)["proved"]) == (False, False)


# ------------------------------------------------------------------ diff


def test_diff_without_the_solver_is_unavailable(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(verify, "available", lambda: False)
    code, out, err = main(capsys, "diff", "gdpr", "gdpr", "--format", "json", "--lang", "sv")
    (problem,) = error_document(err, ExitCode.UNAVAILABLE)["problems"]
    assert problem["code"] == "cli.diff.no_solver" and problem["message"].startswith("för att jämföra två")
    assert main(capsys, "diff", "gdpr", "gdpr")[0] == ExitCode.UNAVAILABLE


def test_diff_names_every_ruleset_that_does_not_compile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path / "broken.rules", BROKEN_RULES)
    code, out, err = main(capsys, "diff", broken, tmp_path / "gone.rules", "--format", "json")
    doc = error_document(err, ExitCode.RULESET)
    assert [p["code"] for p in doc["problems"]] == ["BR201", "BR501"]
    assert doc["message"].splitlines() == [f"the ruleset {broken} could not be loaded",
                                           f"the ruleset {tmp_path / 'gone.rules'} could not be loaded"]


# ------------------------------------------------------------------ test


def test_test_errors_before_the_run_are_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(capsys, "test", tmp_path / "none.toml", "--format", "json", "--lang", "fi")
    assert out == ""
    (problem,) = error_document(err, ExitCode.INPUT)["problems"]
    assert problem["file"] == str(tmp_path / "none.toml") and "tiedostoa tai hakemistoa ei ole" in problem["message"]
    code, out, err = main(capsys, "test", "enisa", "-k", "no such case", "--format", "json")
    assert error_document(err, ExitCode.USAGE)["problems"][0]["code"] == "cli.test.no_match"
    code, out, err = main(capsys, "test", "enisa", "--ruleset", tmp_path / "gone.rules", "--format", "json")
    assert error_document(err, ExitCode.RULESET)["problems"][0]["code"] == "BR501"


def test_a_case_the_ruleset_cannot_evaluate_is_exit_5_with_the_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "z.rules", DIVIDES_BY_ZERO)
    case = write(tmp_path / "c.toml", 'ruleset = "z.rules"\n[facts]\nx = 1\n[expect]\nrisk = "high"\n')
    code, out, err = main(capsys, "test", case, "--format", "json", "--lang", "sv")
    doc = json.loads(out)
    assert code == doc["exit_code"] == ExitCode.EVALUATION
    (entry,) = doc["cases"]
    (problem,) = entry["problems"]
    assert entry["passed"] is False and problem["code"] == "evaluation.division_by_zero" and problem["line"] == 4
    assert entry["error"] == problem["message"]


# ------------------------------------------------------------------ list


@pytest.mark.parametrize(("lang", "title"), [
    ("fi", "Henkilötietojen tietoturvaloukkaukset"), ("sv", "Personuppgiftsincidenter"), ("en", "GDPR personal")])
def test_list_as_json(capsys: pytest.CaptureFixture[str], lang: str, title: str) -> None:
    code, out, err = main(capsys, "list", "--format", "json", "--lang", lang)
    doc = json.loads(out)
    assert (code, doc["schema"]) == (ExitCode.OK, "breachrules.list/1")
    assert [r["name"] for r in doc["rulesets"]] == ["enisa", "fi-health", "gdpr"]
    gdpr = doc["rulesets"][2]
    assert gdpr["version"] == "2027.1" and gdpr["title"].startswith(title)


def test_the_help_lists_the_exit_codes_in_the_reader_s_language(capsys: pytest.CaptureFixture[str]) -> None:
    for lang, words in (("en", "exit codes: 0 done"), ("fi", "paluuarvot: 0 valmis"), ("sv", "returkoder: 0 klart")):
        with pytest.raises(SystemExit):
            cli.main(["--lang", lang, "--help"])
        assert words in " ".join(capsys.readouterr().out.split())
