"""``breachrules fmt``: rewriting files, ``--check``, ``--diff``, standard
input, files that cannot be formatted (left as they were, exit 4), and the
JSON form."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from breachrules.cli import main
from breachrules.exits import ExitCode

ROOT = Path(__file__).resolve().parent.parent
MESSY = 'ruleset demo   version "1"\nfact a:bool   # why\nrule r when a then risk>=high\n'
FORMATTED = 'ruleset demo version "1"\nfact a: bool  # why\nrule r\n  when a\n  then risk >= high\n'


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "demo.rules"
    path.write_text(MESSY, encoding="utf-8")
    return path


def fmt(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["fmt", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_fmt_rewrites_a_file_and_then_has_nothing_to_do(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = fmt(capsys, messy)
    assert (code, out) == (0, "")
    assert err == f"reformatted: {messy}\n1 file reformatted\n"
    assert messy.read_text(encoding="utf-8") == FORMATTED
    code, out, err = fmt(capsys, messy)
    assert (code, out, err) == (0, "", "1 file already formatted\n")
    assert messy.read_text(encoding="utf-8") == FORMATTED


def test_check_names_each_file_that_would_change_and_changes_none(
        messy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tidy = tmp_path / "tidy.rules"
    tidy.write_text(FORMATTED, encoding="utf-8")
    code, out, err = fmt(capsys, "--check", messy, tidy)
    assert (code, out) == (1, "")
    assert err == f"would reformat: {messy}\n1 file would be reformatted, 1 file already formatted\n"
    assert messy.read_text(encoding="utf-8") == MESSY
    assert fmt(capsys, "--check", tidy)[0] == 0


def test_diff_prints_a_unified_diff_and_changes_nothing(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = fmt(capsys, "--diff", messy)
    assert code == 0
    assert out.startswith(f"--- {messy}\n+++ {messy}\n@@ -1,3 +1,5 @@\n")
    assert "\n-fact a:bool   # why\n" in out and "\n+fact a: bool  # why\n" in out
    assert messy.read_text(encoding="utf-8") == MESSY
    assert fmt(capsys, "--diff", "--check", messy)[0] == 1


def test_diff_marks_a_last_line_without_its_line_break(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.rules"
    path.write_text("ruleset x\nfact a:bool", encoding="utf-8")
    out = fmt(capsys, "--diff", path)[1]
    assert out.endswith("-fact a:bool\n\\ No newline at end of file\n+fact a: bool\n")


def test_a_file_that_does_not_parse_is_left_alone_and_the_others_are_formatted(
        messy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.rules"
    broken.write_text("ruleset x\nrule r when\n", encoding="utf-8")
    code, out, err = fmt(capsys, broken, messy)
    assert code == ExitCode.RULESET
    assert "error[BR103]" in err and f"--> {broken}:2:12" in err  # the library's own error, positioned
    assert "1 file reformatted, 1 file could not be formatted" in err
    assert broken.read_text(encoding="utf-8") == "ruleset x\nrule r when\n"
    assert messy.read_text(encoding="utf-8") == FORMATTED
    assert fmt(capsys, "--check", broken)[0] == ExitCode.RULESET
    assert fmt(capsys, "--check", broken, messy)[0] == ExitCode.RULESET  # worse than a file to reformat


def test_a_file_the_formatter_would_change_the_meaning_of_is_left_alone(
        messy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from breachrules import formatting

    monkeypatch.setattr(formatting, "_print", lambda *a: MESSY.replace("risk>=high", "risk>=none"))
    code, out, err = fmt(capsys, "--lang", "fi", messy)
    assert code == ExitCode.RULESET
    assert err.startswith(f"muotoilu olisi muuttanut tiedoston {messy} sisältöä, joten tiedosto jätettiin ennalleen.")
    assert messy.read_text(encoding="utf-8") == MESSY


def test_a_missing_file_and_an_empty_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = fmt(capsys, tmp_path / "missing.rules")
    assert code == ExitCode.RULESET
    assert "error[BR501]" in err and "missing.rules" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert fmt(capsys, empty) == (ExitCode.RULESET, "", "no ruleset files (.rules) found\n")


def test_directories_are_searched_for_rules_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.rules", "a/b/two.rules"):
        (tmp_path / name).write_text(MESSY, encoding="utf-8")
    (tmp_path / "a" / "notes.txt").write_text("not a ruleset", encoding="utf-8")
    code, out, err = fmt(capsys, "--check", tmp_path / "a", tmp_path / "a" / "one.rules")
    assert code == 1
    assert err.splitlines() == [f"would reformat: {tmp_path / 'a' / 'b' / 'two.rules'}",
                                f"would reformat: {tmp_path / 'a' / 'one.rules'}",
                                "2 files would be reformatted"]


def test_messages_in_the_readers_language(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = fmt(capsys, "--check", "--lang", "fi", messy)
    assert err == f"muotoiltaisiin uudelleen: {messy}\n1 tiedosto muotoiltaisiin uudelleen\n"
    code, out, err = fmt(capsys, "--lang", "sv", messy)
    assert err == f"formaterades om: {messy}\n1 fil formaterades om\n"


def test_a_file_that_cannot_be_written_is_reported(
        messy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from breachrules import cli_fmt

    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli_fmt, "open", read_only, raising=False)
    code, out, err = fmt(capsys, messy)
    assert code == ExitCode.RULESET
    assert f"cannot write {messy}: permission denied" in err.lower()
    assert "1 file could not be formatted" in err


def test_the_bundled_rulesets_pass_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = fmt(capsys, "--check", ROOT / "rulesets")
    assert code == 0, err
    assert err.endswith(" files already formatted\n")


def test_standard_input_is_formatted_to_standard_output() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BREACHRULES_LANG", "LC_ALL", "LANG")}
    run = subprocess.run([sys.executable, "-m", "breachrules.cli", "fmt", "-"], input=MESSY, capture_output=True,
                         text=True, encoding="utf-8", env=env, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (0, FORMATTED, "")
    run = subprocess.run([sys.executable, "-m", "breachrules.cli", "fmt", "--check", "-"], input="ruleset\n",
                         capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)
    assert run.returncode == ExitCode.RULESET
    assert "--> <stdin>:1:8" in run.stderr


# ------------------------------------------------------------------ --format json


def fmt_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any], str]:
    code, out, err = fmt(capsys, "--format", "json", *args)
    return code, json.loads(out), err


def test_json_names_each_file_changed_unchanged_or_failed_with_its_diagnostics(
        messy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tidy = tmp_path / "tidy.rules"
    tidy.write_text(FORMATTED, encoding="utf-8")
    broken = tmp_path / "broken.rules"
    broken.write_text("ruleset x\nrule r when\n", encoding="utf-8")
    code, doc, err = fmt_json(capsys, "--check", "--lang", "sv", messy, tidy, broken)
    assert code == ExitCode.RULESET and err == ""  # everything is in the document, nothing on standard error
    assert doc["schema"] == "breachrules.fmt/1" and doc["exit_code"] == 4 and doc["written"] is False
    assert [(f["file"], f["status"]) for f in doc["files"]] == [
        (str(messy), "changed"), (str(tidy), "unchanged"), (str(broken), "failed")]
    assert doc["summary"] == {"changed": 1, "unchanged": 1, "failed": 1}
    (problem,) = doc["files"][2]["problems"]
    assert (problem["code"], problem["severity"], problem["file"], problem["line"], problem["column"]) == (
        "BR103", "error", str(broken), 2, 12)
    assert problem["end"] == {"line": 2, "column": 12} and problem["path"] is None  # at the end of the file
    assert problem["message"].startswith("filen tar slut för tidigt")  # in the language asked for
    assert messy.read_text(encoding="utf-8") == MESSY  # --check wrote nothing


def test_json_with_diff_carries_each_diff_and_writes_nothing(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, err = fmt_json(capsys, "--diff", messy)
    assert (code, err) == (ExitCode.OK, "")
    (entry,) = doc["files"]
    assert entry["status"] == "changed" and entry["diff"].startswith(f"--- {messy}\n+++ {messy}\n")
    assert messy.read_text(encoding="utf-8") == MESSY


def test_json_rewrites_and_says_so(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, err = fmt_json(capsys, messy)
    assert (code, err, doc["written"], doc["files"][0]["status"]) == (ExitCode.OK, "", True, "changed")
    assert messy.read_text(encoding="utf-8") == FORMATTED
    assert fmt_json(capsys, messy)[1]["files"][0]["status"] == "unchanged"


def test_json_for_standard_input_holds_the_formatted_text() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BREACHRULES_LANG", "LC_ALL", "LANG")}
    run = subprocess.run([sys.executable, "-m", "breachrules.cli", "fmt", "-", "--format", "json"], input=MESSY,
                         capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)
    assert (run.returncode, run.stderr) == (0, "")
    (entry,) = json.loads(run.stdout)["files"]
    assert (entry["file"], entry["status"], entry["formatted"]) == ("<stdin>", "changed", FORMATTED)


def test_json_when_there_is_nothing_to_format_is_an_error_document(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = fmt(capsys, "--format", "json", "--lang", "fi", tmp_path)
    assert (code, out) == (ExitCode.RULESET, "")
    doc = json.loads(err)
    assert (doc["schema"], doc["error"], doc["exit_code"]) == ("breachrules.error/1", "ruleset", 4)
    assert doc["problems"][0]["code"] == "cli.fmt.no_files"
    assert doc["message"] == "sääntökokoelmatiedostoja (.rules) ei löytynyt"
