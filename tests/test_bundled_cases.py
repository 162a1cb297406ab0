"""The bundled rulesets decide the authorities' worked examples as the
authorities do: every case file under ``rulesets/cases`` passes, through the
Python API and through ``breachrules test``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from breachrules import cases
from tests.conftest import ROOT

CASES = ROOT / "rulesets" / "cases"
FILES = cases.find([CASES])
ANNEX = sorted(CASES.glob("fi-health/annex1-*.toml"))


def test_every_annex_1_example_has_a_case_file() -> None:
    numbers = sorted(int(re.match(r"annex1-(\d+)-", p.name).group(1)) for p in ANNEX)  # type: ignore[union-attr]
    assert numbers == list(range(1, 24))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_case_file_passes_through_the_api(path: Path) -> None:
    ruleset, found = cases.load(path)
    failures = []
    for case in found:
        result = cases.run(ruleset, case)
        failures += [(case.name, m.what, m.expected, m.actual) for m in result.mismatches]
    assert failures == []


def test_annex_cases_read_as_the_annex_table_says() -> None:
    """The expected answers themselves: the table of Annex 1 (risk level,
    notify the authority, notify the data subjects), written out by hand."""
    table = {
        **{n: ("high", True, True) for n in range(1, 13)},
        **{n: ("risk", True, False) for n in range(13, 17)},
        **{n: ("none", False, False) for n in range(17, 24)},
    }
    for path in ANNEX:
        number = int(path.name.split("-")[1])
        _, found = cases.load(path)
        base = found[0]
        risk, authority, subjects = table[number]
        assert base.expect.levels["risk"] == risk, path.name
        assert base.expect.obligations["notify_authority"] is authority, path.name
        assert base.expect.obligations["communicate_subjects"] is subjects, path.name


def test_remarks_that_change_the_outcome_are_variants() -> None:
    """Annex 1 ex. 13 and 23 name conditions that would raise the risk."""
    for number, expected in (("13", {"high"}), ("23", {"high"})):
        (path,) = CASES.glob(f"fi-health/annex1-{number}-*.toml")
        _, found = cases.load(path)
        variants = found[1:]
        assert variants, path.name
        assert {v.expect.levels.get("risk") for v in variants} >= expected


def test_breachrules_test_runs_every_case() -> None:
    expected = sum(len(cases.load(path)[1]) for path in FILES)
    result = subprocess.run(
        [sys.executable, "-m", "breachrules", "test", str(CASES)],
        capture_output=True, text=True, cwd=ROOT.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"{expected} cases: {expected} passed, 0 failed"
