"""Hypothesis strategies for property tests of rulesets and of tools built
on breachrules.

    import breachrules
    from hypothesis import given
    from breachrules.testing import incidents

    rs = breachrules.bundled("gdpr")
    SAFE_AND_ONLY_SEEN = {"encryption": "state_of_the_art", "key_compromised": False,
                          "breach_types": ["confidentiality"]}

    @given(incidents(rs, fixed=SAFE_AND_ONLY_SEEN))
    def test_safely_encrypted_data_only_seen_are_not_told_to_the_people(incident):
        assert "communicate_subjects" not in rs.decide(incident).required

- :func:`incidents` draws incidents that a given ruleset accepts: any fact
  may be unknown, instants come in an order the ruleset allows, and some
  facts can be fixed. Failing examples shrink towards a few facts with
  plain values, in the JSON form an incident file holds.
- :func:`values` draws the values of one fact.
- :func:`rulesets` draws the text of random, well-formed rulesets, for
  people who build tools on the language (a formatter, an editor, an
  exporter) and for the library's own tests.

docs/testing.md shows them at work. Hypothesis is not a dependency of
breachrules, only of this subpackage: install it with
``pip install "breachrules[testing]"``. ``import breachrules`` never
imports this subpackage, or Hypothesis.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as error:  # pragma: no cover - tested in a subprocess
    raise ImportError(
        'breachrules.testing needs Hypothesis, which breachrules itself does not: '
        'pip install "breachrules[testing]"', name=error.name, path=error.path,
    ) from error

from breachrules.testing.facts import values
from breachrules.testing.incident import incidents
from breachrules.testing.ruleset import rulesets

__all__ = ["incidents", "rulesets", "values"]
