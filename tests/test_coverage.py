"""What a ruleset's cases exercise: counted exactly, per file, from certain results only."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

import breachrules
from breachrules.coverage import Coverage, Item, items, measure

RULES = """ruleset demo version "1"
scale risk: none < risk < high
scale harm: low < high
scale chance: remote < likely
fact leaked: bool
fact returned: bool
fact sensitive: bool
rule leak when leaked then chance >= likely because "leak" cite "c"
exception back to leak when returned because "back" cite "c"
rule sensitive_data when sensitive then harm >= high because "sensitive" cite "c"
combine risk = harm x chance
  chance: remote likely
  low:    none   risk
  high:   risk   high
obligation notify when risk >= risk says "notify" cite "c"
obligation tell when risk >= high says "tell" cite "c"
plan p: now
action ask_back in now when leaked says "ask" cite "c"
"""
DEMO = breachrules.loads(RULES)


def test_everything_a_case_can_exercise_is_counted_in_the_order_written() -> None:
    kinds = [(item.kind, item.name) for item in items(DEMO.program)]
    assert kinds[:3] == [("rule", "leak"), ("exception", "back"), ("rule", "sensitive_data")]
    assert [name for kind, name in kinds if kind == "cell"] == [
        "risk: low x remote", "risk: low x likely", "risk: high x remote", "risk: high x likely"]
    assert ("obligation", "tell") in kinds and ("action", "ask_back") in kinds
    assert len(kinds) == 3 + 4 + 2 + 1


def test_what_no_case_reaches_is_missed() -> None:
    leak = DEMO.assess({"leaked": True, "returned": False, "sensitive": False})
    found = measure(DEMO.program, [leak])
    assert {(i.kind, i.name) for i in found.missed} == {
        ("exception", "back"), ("rule", "sensitive_data"), ("obligation", "tell"),
        ("cell", "risk: low x remote"), ("cell", "risk: high x remote"), ("cell", "risk: high x likely")}
    assert found.share == Fraction(4, 10)
    assert [counts for _, *counts in found.by_file()] == [[4, 10]]


def test_only_what_certainly_applies_counts() -> None:
    # with the leak unknown, the rule may apply: that is not a test of it
    unsure = DEMO.assess({"returned": False, "sensitive": False})
    assert "leak" in [entry.label for entry in unsure.trace]
    assert ("rule", "leak") not in {(i.kind, i.name) for i in measure(DEMO.program, [unsure]).covered}


def test_a_threshold_is_compared_exactly() -> None:
    many = tuple(Item("rule", f"r{i}", "x.rules", i) for i in range(10_000))
    almost = Coverage(many, frozenset(many[1:]))
    assert almost.meets(Fraction("99.99")) and not almost.meets(Fraction(100))
    assert Coverage(many, frozenset(many)).meets(Fraction(100))


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "demo.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "leak.toml").write_text(
        'ruleset = "demo.rules"\ndescription = "a leak"\n[facts]\nleaked = true\nreturned = false\n'
        'sensitive = true\n[expect]\nrisk = "high"\n', encoding="utf-8")
    return tmp_path


def breachrules_test(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "breachrules", "test", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_the_runner_names_what_is_missed_and_fails_below_the_threshold(project: Path) -> None:
    result = breachrules_test("leak.toml", "--coverage", "--threshold", "100", cwd=project)
    assert result.returncode == 1
    assert "no case exercises the exception back (demo.rules:9)" in result.stdout
    assert "below the threshold of 100%" in result.stderr
    assert breachrules_test("leak.toml", "--coverage", cwd=project).returncode == 0  # no threshold, no failure
    finnish = breachrules_test("leak.toml", "--threshold", "50", "--lang", "fi", cwd=project)
    assert finnish.returncode == 0 and "yksikään tapaus ei käy läpi kohdetta: poikkeus back" in finnish.stdout


def test_cases_add_up(project: Path) -> None:
    # a leak of sensitive data: both rules, both duties, the action, the cell high x likely
    assert "exercise 6 of 10 (60%)" in breachrules_test("leak.toml", "--coverage", cwd=project).stdout
    # returned at once: the exception, and the cell low x remote
    (project / "back.toml").write_text(
        'ruleset = "demo.rules"\n[facts]\nleaked = true\nreturned = true\nsensitive = false\n'
        '[expect]\nrisk = "none"\n', encoding="utf-8")
    assert "exercise 8 of 10 (80%)" in breachrules_test("leak.toml", "back.toml", "--coverage", cwd=project).stdout
    # ordinary data leaked: the cell low x likely; only high x remote is left
    (project / "plain.toml").write_text(
        'ruleset = "demo.rules"\n[facts]\nleaked = true\nreturned = false\nsensitive = false\n'
        '[expect]\nrisk = "risk"\n', encoding="utf-8")
    three = breachrules_test("leak.toml", "back.toml", "plain.toml", "--coverage", cwd=project)
    assert "exercise 9 of 10 (90%)" in three.stdout
    assert "no case exercises the table cell risk: high x remote (demo.rules:11)" in three.stdout


@pytest.mark.parametrize(("lang", "share", "written"), [
    ("en", Fraction(2, 3), "66.66"), ("fi", Fraction(2, 3), "66,66"),
    ("en", Fraction(99_996, 100_000), "99.99"), ("sv", Fraction(1), "100"),
])
def test_the_percentage_is_rounded_down(lang: str, share: Fraction, written: str) -> None:
    from breachrules.cli_cases import TextReport

    assert TextReport(lang).percent(share) == written


def test_a_threshold_must_be_a_percentage(project: Path) -> None:
    for bad in ("abc", "101", "-1"):
        assert breachrules_test("leak.toml", "--threshold", bad, cwd=project).returncode == 2
