"""The Babel extractor finds every message a ruleset uses."""

from __future__ import annotations

import io

from breachrules.extract import extract_breachrules
from tests.conftest import ROOT


def test_extracts_exactly_the_message_ids_the_compiler_knows(gdpr) -> None:  # type: ignore[no-untyped-def]
    path = ROOT / "rulesets" / "gdpr.rules"
    with path.open("rb") as handle:
        found = {message for _, _, message, _ in extract_breachrules(handle, [], [], {})}
    assert found == set(gdpr.program.message_ids)


def test_lines_and_comments_point_back_to_the_source() -> None:
    source = b'ruleset t\nscale risk: none < high\nrule r when true then risk >= high\n  because "why.r" cite "c"\n'
    extracted = list(extract_breachrules(io.BytesIO(source), [], [], {}))
    assert (4, None, "why.r", ["rule r"]) in extracted
    assert (2, None, "scale.risk.high", ["scale risk"]) in extracted


def test_registered_as_a_babel_extractor() -> None:
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="babel.extractors") if e.name == "breachrules"]
    assert entry.load() is extract_breachrules
