"""examples/our-rules: the organisation's ruleset repository that
docs/extending.md builds and docs/ruleset-ci.md takes to a green CI. The
files are those the documentation shows, and they pass what its CI runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachrules import cases, cli

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = ROOT / "examples" / "our-rules"


def shown(doc: str, caption: str) -> str:
    """The code block a document shows under ``caption``."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    start = text.index("\n", text.index("```", text.index(caption))) + 1
    return text[start:text.index("\n```", start) + 1]


@pytest.mark.parametrize("name", ["our-org.rules", "locale/en/LC_MESSAGES/our-org.po", "cases/lost-laptop.toml"])
def test_the_files_are_those_the_guide_shows(name: str) -> None:
    assert (REPOSITORY / name).read_text(encoding="utf-8") == shown("extending.md", f"`our-rules/{name}`:")


def test_its_cases_pass() -> None:
    for file in cases.find([REPOSITORY / "cases"]):
        ruleset, found = cases.load(file)
        assert ruleset.name == "our-org"
        assert [cases.run(ruleset, case).mismatches for case in found] == [()] * len(found)


def test_it_checks_clean_in_every_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(REPOSITORY / "our-org.rules"), "--strict", "--no-prove"]) == 0
    assert "warning" not in capsys.readouterr().err
