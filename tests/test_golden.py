"""The rendered output of every example, pinned word for word in fi, sv and en.

Each bundled example incident (``examples/*.json``) and the first case of
each bundled case file is rendered as its Art. 33(5) record (Markdown, with
the draft communication when one is due) and, for the examples, as the
command line's text view. The files under ``tests/golden/`` are what a
reviewer reads: a change of wording shows there as a diff.

After a reviewed change of wording, rewrite them with::

    BREACHRULES_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import breachrules
from breachrules import cases
from breachrules.record import text
from breachrules.report import Report

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
LANGUAGES = ("fi", "sv", "en")
UPDATE = os.environ.get("BREACHRULES_UPDATE_GOLDEN") == "1"


def _report(ruleset: breachrules.Ruleset, incident: dict[str, object]) -> Report:
    """The report 30 hours after the breach came to light: the authority's
    deadline still open, the first day over."""
    aware = incident.get("became_aware_at")
    if isinstance(aware, datetime):
        now = aware + timedelta(hours=30)
    elif isinstance(aware, str):
        now = datetime.fromisoformat(aware) + timedelta(hours=30)
    else:
        now = datetime.fromisoformat("2026-11-22T12:00:00+02:00")
    return ruleset.report(incident, now=now)


def _examples() -> list[tuple[str, Callable[[], Report]]]:
    found: list[tuple[str, Callable[[], Report]]] = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        def make(path: Path = path) -> Report:
            return _report(breachrules.bundled("gdpr"), json.loads(path.read_text(encoding="utf-8")))
        found.append((f"examples/{path.stem}", make))
    for path in sorted((ROOT / "rulesets" / "cases").glob("*/*.toml")):
        def make_case(path: Path = path) -> Report:
            ruleset, loaded = cases.load(path)
            return _report(ruleset, dict(loaded[0].facts))
        found.append((f"cases/{path.parent.name}/{path.stem}", make_case))
    return found


RENDERINGS = [
    *((f"{name}.{lang}.md", make, lang, "md") for name, make in _examples() for lang in LANGUAGES),
    *((f"{name}.{lang}.txt", make, lang, "txt") for name, make in _examples() if name.startswith("examples/")
      for lang in LANGUAGES),
]


@pytest.mark.parametrize(("file", "make", "lang", "kind"), RENDERINGS, ids=[r[0] for r in RENDERINGS])
def test_the_rendering_is_the_golden_file(file: str, make: Callable[[], Report], lang: str, kind: str) -> None:
    report = make()
    rendered = report.to_markdown(lang) if kind == "md" else text(report, lang)
    path = GOLDEN / file
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.is_file(), f"no golden file {file}: write it with BREACHRULES_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), rendered.splitlines(True), file, "rendered"))
    assert rendered == expected, diff


def test_every_golden_file_is_rendered() -> None:
    """A golden file nobody renders any more is a stale review copy."""
    on_disk = {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file()}
    assert on_disk == {file for file, *_ in RENDERINGS}
