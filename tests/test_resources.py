"""Where the library finds its own files (breachrules.resources)."""

from __future__ import annotations

import pytest

from breachrules import resources


@pytest.mark.parametrize("name", ["", ".hidden", "../gdpr", "gdpr/..", "a\0b", "x" * 300, "no-such-ruleset"])
def test_a_name_that_names_no_bundled_ruleset_is_none(name: str) -> None:
    assert resources.bundled_path(name) is None  # (a name too long for a file name too, never an OSError)


def test_a_bundled_ruleset_is_found_by_its_name() -> None:
    path = resources.bundled_path("gdpr")
    assert path is not None and path.name == "gdpr.rules" and path.is_file()
