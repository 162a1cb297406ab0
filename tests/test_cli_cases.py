"""``breachrules test``: its text and exit codes (as a separate process,
as a user runs it), JSON output, bundled case sets by name, cases run
against an extension, and ``--update``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from breachrules import cli
from breachrules.exits import ExitCode
from tests.test_cases import GOOD, RULES, WRONG, write


@pytest.fixture
def casedir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, "t.rules", RULES)
    monkeypatch.chdir(tmp_path)
    for name in ("BREACHRULES_LANG", "LC_ALL", "LANG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["test", *args])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, *args, "--format", "json")
    return code, json.loads(out)


# ------------------------------------------------------------------ as a process


def _command() -> list[str]:
    """``python -m breachrules`` when the package runs as a module, else the console script."""
    probe = subprocess.run([sys.executable, "-m", "breachrules", "--help"], capture_output=True, timeout=60)
    if probe.returncode == 0:
        return [sys.executable, "-m", "breachrules"]
    script = shutil.which("breachrules") or shutil.which("breachrules", path=str(Path(sys.executable).parent))
    assert script is not None, "neither python -m breachrules nor the breachrules script is available"
    return [script]


@pytest.fixture(scope="module")
def command() -> list[str]:
    return _command()


def process(command: list[str], *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BREACHRULES_LANG", "LC_ALL", "LANG")}
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd, env=env, timeout=120)


def test_cli_all_cases_pass(command: list[str], casedir: Path) -> None:
    write(casedir, "good.toml", GOOD)
    done = process(command, "test", "good.toml", cwd=casedir)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "3 cases: 3 passed, 0 failed"
    assert lines[0].startswith("ok") and lines[0].endswith("health data to a stranger")
    assert done.stderr == ""


def test_cli_a_failing_case_exits_1_and_names_the_mismatches(command: list[str], casedir: Path) -> None:
    write(casedir, "cases/good.toml", GOOD.replace('"t.rules"', '"../t.rules"'))
    write(casedir, "cases/wrong.toml", WRONG.replace('"t.rules"', '"../t.rules"'))
    done = process(command, "test", "cases", cwd=casedir)
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "FAILED  wrong expectations" in out
    assert "risk: expected high, got none" in out
    assert "notify: expected true, got false" in out
    assert "provisional: expected true, got false" in out
    assert out.splitlines()[-1] == "4 cases: 3 passed, 1 failed"


def test_cli_a_broken_file_exits_3_and_still_runs_the_others(command: list[str], casedir: Path) -> None:
    write(casedir, "good.toml", GOOD)
    write(casedir, "wrong.toml", WRONG)
    write(casedir, "bad.toml", 'ruleset = "t.rules"\n[facts]\na = true\n[expect]\nrsk = "high"\n')
    done = process(command, "test", "bad.toml", "good.toml", "wrong.toml", cwd=casedir)
    assert done.returncode == ExitCode.INPUT  # a file that cannot run outweighs a failed case
    assert "bad.toml:5:1: $.expect.rsk: not an outcome of the ruleset" in done.stderr
    assert done.stdout.splitlines()[-1] == "4 cases: 3 passed, 1 failed"


def test_cli_a_missing_file_exits_3(command: list[str], casedir: Path) -> None:
    done = process(command, "test", "nothing-here.toml", cwd=casedir)
    assert done.returncode == ExitCode.INPUT
    assert "nothing-here.toml" in done.stderr


def test_cli_a_ruleset_that_does_not_compile_exits_4(command: list[str], casedir: Path) -> None:
    write(casedir, "bad.rules", "ruleset bad\nscale risk: none < high\nfact done: bool\n")
    write(casedir, "c.toml", 'ruleset = "bad.rules"\n[expect]\nrisk = "high"\n')
    write(casedir, "bad.toml", 'ruleset = "t.rules"\n[facts]\na = true\n[expect]\nrsk = "high"\n')
    done = process(command, "test", "c.toml", cwd=casedir)
    assert done.returncode == ExitCode.RULESET
    assert process(command, "test", "c.toml", "bad.toml", cwd=casedir).returncode == ExitCode.RULESET  # 4 > 3
    assert "BR101" in done.stderr


@pytest.mark.parametrize("args", [("--lang", "fi", "test", "good.toml"), ("test", "good.toml", "--lang", "fi")])
def test_cli_summary_in_finnish(command: list[str], casedir: Path, args: tuple[str, ...]) -> None:
    write(casedir, "good.toml", GOOD)
    done = process(command, *args, cwd=casedir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "3 testitapausta: 3 onnistui, 0 epäonnistui"


def test_cli_failure_in_finnish(command: list[str], casedir: Path) -> None:
    write(casedir, "wrong.toml", WRONG)
    done = process(command, "test", "wrong.toml", "--lang", "fi", cwd=casedir)
    assert done.returncode == 1
    assert "VIRHE   wrong expectations" in done.stdout
    assert "risk: odotettiin high, saatiin none" in done.stdout
    assert done.stdout.splitlines()[-1] == "1 testitapaus: 0 onnistui, 1 epäonnistui"


def test_cli_one_case_singular_in_english(command: list[str], casedir: Path) -> None:
    write(casedir, "wrong.toml", WRONG)
    done = process(command, "test", "wrong.toml", cwd=casedir)
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1] == "1 case: 0 passed, 1 failed"



def test_cli_a_missing_ruleset_exits_4(command: list[str], casedir: Path) -> None:
    write(casedir, "c.toml", 'ruleset = "missing.rules"\n[expect]\nrisk = "high"\n')
    done = process(command, "test", "c.toml", cwd=casedir)
    assert done.returncode == ExitCode.RULESET
    assert "BR501" in done.stderr


def test_cli_a_directory_without_case_files_exits_3(command: list[str], casedir: Path) -> None:
    (casedir / "empty").mkdir()
    done = process(command, "test", "empty", cwd=casedir)
    assert done.returncode == ExitCode.INPUT
    assert done.stderr.strip() == "no case files found"


# ------------------------------------------------------------------ json


def test_json_lists_every_case_with_its_mismatches_lines_and_trace(casedir: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    write(casedir, "good.toml", GOOD)
    write(casedir, "wrong.toml", WRONG)
    code, data = as_json(capsys, "good.toml", "wrong.toml")
    assert code == 1
    assert data["schema"] == "breachrules.test/1"
    assert data["summary"] == {"passed": 3, "failed": 1, "not_run": 0}
    first, *_, wrong = data["cases"]
    assert (first["file"], first["line"], first["name"], first["variant"], first["passed"]) == \
        ("good.toml", 1, "health data to a stranger", None, True)
    assert {"kind": "rule", "name": "r", "certain": True, "effects": {"risk": "high"}, "overrides": None,
            "message": "rule r: risk high"} in first["trace"]
    assert wrong["passed"] is False
    assert [(m["what"], m["expected"], m["actual"], m["line"]) for m in wrong["mismatches"]] == [
        ("risk", "high", "none", 9), ("notify", True, False, 12), ("provisional", True, False, 10)]
    assert wrong["mismatches"][0]["message"] == "risk: expected high, got none"


def test_json_names_a_file_that_cannot_run_with_positioned_problems(casedir: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    write(casedir, "bad.toml", 'ruleset = "t.rules"\n[facts]\na = true\n[expect]\nrsk = "high"\n')
    write(casedir, "broken.toml", 'ruleset = "broken.rules"\n[expect]\nrisk = "high"\n')
    write(casedir, "broken.rules", "ruleset broken\nscale risk: none < high\nfact done: bool\nrule r when nope\n")
    code, data = as_json(capsys, "bad.toml", "broken.toml", "--lang", "fi")
    assert code == data["exit_code"] == ExitCode.RULESET  # a case file with problems is 3, a broken ruleset 4
    bad, broken = data["not_run"]
    (problem,) = bad["problems"]
    assert {k: problem[k] for k in ("code", "file", "line", "column", "path", "end")} == \
        {"code": "case.unknown_outcome", "file": "bad.toml", "line": 5, "column": 1, "path": "$.expect.rsk",
         "end": None}
    assert "rsk" not in problem["message"] and problem["message"].startswith("ei ")  # in the reader's language
    assert problem["suggestion"] == "risk" and problem["severity"] == "error"
    assert broken["file"] == "broken.toml"
    assert broken["problems"] and all(p["file"].endswith("broken.rules") and p["line"] for p in broken["problems"])
    assert all(set(p) >= {"code", "end", "path", "suggestion"} for p in broken["problems"])
    assert data["summary"] == {"passed": 0, "failed": 0, "not_run": 2}


def test_json_coverage_is_exact_and_never_rounded_up(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(casedir, "base.toml", GOOD.split("[[variants]]")[0])  # the base case alone: rule rb is never reached
    code, data = as_json(capsys, "base.toml", "--threshold", "83.34")
    assert code == 1 and data["summary"]["failed"] == 0
    (coverage,) = data["coverage"]
    assert coverage["ruleset"] == "t"
    assert (coverage["covered"], coverage["total"], coverage["percent"]) == (5, 6, "83.33")
    assert coverage["meets_threshold"] is False and coverage["threshold"] == "4167/50"
    assert coverage["missed"] == [{"kind": "rule", "name": "rb", "file": "t.rules", "line": 10}]
    assert coverage["files"] == [{"file": "t.rules", "covered": 5, "total": 6}]


# ------------------------------------------------------------------ bundled case sets, extensions


def test_a_bundled_case_set_runs_by_name_from_anywhere(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = as_json(capsys, "enisa", "-k", "just below 2")
    assert code == 0
    (case,) = data["cases"]
    # the same name on every machine, not this one's directories
    assert case["file"] == "rulesets/cases/enisa/bands.toml"


def test_the_bundled_cases_run_against_an_extension(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # an organisation that never asks the people once a breach is high risk: every bundled case expecting
    # the duty to inform them now fails, which is what running them against the extension is for
    write(casedir, "ours.rules", 'ruleset ours extends gdpr version "1"\n'
                                 'exemption never_tell to communicate_subjects when true because "m" cite "c"\n')
    code, data = as_json(capsys, "gdpr", "--ruleset", "ours.rules")
    assert data["not_run"] == []
    failing = [c for c in data["cases"] if not c["passed"]]
    assert code == 1 and failing
    assert all(m["what"] == "communicate_subjects" and m["expected"] is True
               for c in failing for m in c["mismatches"])
    assert all(c["file"].startswith("rulesets/cases/gdpr/") for c in data["cases"])


def test_an_unrelated_ruleset_is_refused_for_every_file(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "enisa", "--ruleset", "t.rules")
    assert code == ExitCode.INPUT  # the case files do not fit the ruleset given
    assert "these cases are written for the ruleset 'enisa', and the ruleset 't' does not extend it" in err


def test_an_unknown_name_is_no_such_file(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "gdrp")
    assert code == ExitCode.INPUT and "gdrp" in err and out == ""


# ------------------------------------------------------------------ --update

COMMENTED = """ruleset = "t.rules"   # the test ruleset
description = "wrong expectations"

[facts]
a = false
aware = 2026-03-27T10:00:00+02:00

[expect]
risk = "high"        # what we believed before
provisional = true
[expect.obligations]
notify = true        # keep this comment
document = true

[[variants]]
name = "right already"
[variants.facts]
a = true
[variants.expect]
risk = "high"
"""


def test_update_rewrites_only_the_failing_values_and_keeps_everything_else(
        casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(casedir, "wrong.toml", COMMENTED)
    os.chmod(path, 0o640)
    code, out, err = run(capsys, "wrong.toml", "--update")
    assert code == 0, err
    assert "wrong.toml: 3 expectations updated" in out
    assert path.read_text(encoding="utf-8") == COMMENTED.replace(
        'risk = "high"        #', 'risk = "none"        #').replace(
        "provisional = true", "provisional = false").replace("notify = true", "notify = false")
    assert path.stat().st_mode & 0o777 == 0o640
    code, out, err = run(capsys, "wrong.toml")
    assert code == 0 and out.splitlines()[-1] == "2 cases: 2 passed, 0 failed"


def test_update_leaves_a_broken_invariant_to_the_author(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(casedir, "inv.rules", RULES.replace("ruleset t", "ruleset inv") + "invariant never_high: risk < high\n")
    text = GOOD.replace('"t.rules"', '"inv.rules"').replace('[expect]\nrisk = "high"', '[expect]\nrisk = "none"')
    path = write(casedir, "inv.toml", text)
    code, out, err = run(capsys, "inv.toml", "--update", "-k", "stranger")
    assert code == 1
    assert "inv.toml: 1 expectation updated" in out
    assert "not updated: the invariant 'never_high' does not hold for this case" in err
    assert 'risk = "high"' in path.read_text(encoding="utf-8").split("[[variants]]")[0]


def test_update_with_json_reports_what_it_rewrote(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(casedir, "wrong.toml", WRONG)
    code, data = as_json(capsys, "wrong.toml", "--update")
    assert code == 0
    (updated,) = data["updated"]
    assert updated["file"] == "wrong.toml" and updated["kept"] == []
    assert {(r["what"], r["from"], r["to"], r["line"]) for r in updated["rewritten"]} == {
        ("risk", "high", "none", 9), ("notify", True, False, 12), ("provisional", True, False, 10)}


def test_own_counts_only_the_extension_s_file(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(casedir, "ours.rules", 'ruleset ours extends "t.rules"\n'
                                 'exception calm to r when b then risk >= risk because "m" cite "c"\n')
    write(casedir, "good.toml", GOOD.split("[[variants]]")[0].replace('"t.rules"', '"ours.rules"'))
    code, data = as_json(capsys, "good.toml", "--own", "--threshold", "100")
    assert code == 1
    (coverage,) = data["coverage"]
    assert (coverage["covered"], coverage["total"]) == (0, 1)
    assert coverage["missed"] == [{"kind": "exception", "name": "calm", "file": "ours.rules", "line": 2}]
    code, out, err = run(capsys, "good.toml", "--coverage")  # the whole chain: t.rules counts too
    assert "ours.rules: 0 of 1" in out and "t.rules: 5 of 6" in out


# ------------------------------------------------------------------ --update, what it must not do


def test_update_keeps_crlf_line_ends_and_follows_a_link(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = casedir / "real.toml"
    real.write_bytes(COMMENTED.replace("\n", "\r\n").encode("utf-8"))
    (casedir / "link.toml").symlink_to(real)
    code, out, err = run(capsys, "link.toml", "--update")
    assert code == 0, err
    assert (casedir / "link.toml").is_symlink()
    after = real.read_bytes().decode("utf-8")
    assert after.count("\r\n") == COMMENTED.count("\n") and "\n" not in after.replace("\r\n", "")
    assert 'risk = "none"        # what we believed before\r\n' in after


def test_update_with_another_ruleset_is_refused(casedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(casedir, "wrong.toml", WRONG)
    code, out, err = run(capsys, "wrong.toml", "--update", "--ruleset", "t.rules")
    assert code == ExitCode.USAGE and "--update cannot be used with --ruleset" in err
    assert path.read_text(encoding="utf-8") == WRONG


def test_update_tells_a_level_from_an_obligation_of_the_same_name(casedir: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write(casedir, "c.rules", 'ruleset c version "1"\nscale risk: none < high\nscale notify: no < yes\n'
                              'fact x: bool\nrule r when x then risk >= high because "a" cite "b"\n'
                              'obligation notify when risk >= high says "n" cite "c"\n')
    path = write(casedir, "c.toml", 'ruleset = "c.rules"\n[facts]\nx = true\n[expect]\nnotify = "yes"\n'
                                    '[expect.obligations]\nnotify = false\n')
    code, data = as_json(capsys, "c.toml")
    assert [(m["what"], m["line"]) for m in data["cases"][0]["mismatches"]] == [("notify", 5), ("notify", 7)]
    code, out, err = run(capsys, "c.toml", "--update")
    assert code == 0, err
    assert path.read_text(encoding="utf-8").endswith('[expect]\nnotify = "no"\n[expect.obligations]\nnotify = true\n')


def test_an_update_that_would_change_anything_else_is_not_written(casedir: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from breachrules import case_update, toml_positions

    path = write(casedir, "wrong.toml", WRONG)

    def off_by_one(text: str) -> dict[Any, Any]:  # a scanner that places every value one character late
        return {k: attrs.evolve(v, value_start=v.value_start + 1, value_end=v.value_end + 1)
                for k, v in toml_positions.positions(text).items()}

    monkeypatch.setattr(case_update, "positions", off_by_one)
    code, out, err = run(capsys, "wrong.toml", "--update")
    assert code == 1
    assert "wrong.toml: not updated: the expectations could not be rewritten without changing something else" in err
    assert path.read_text(encoding="utf-8") == WRONG
