"""Rulesets and incidents are untrusted: only library errors may escape.

An application compiles rulesets a stranger uploaded and assesses incidents
typed into a form. Whatever they contain, loading, assessing, reporting and
rendering either succeed or raise a :class:`breachrules.BreachrulesError`
that says where the problem is (a span for a ruleset, a ``$.path`` for an
incident). Any other exception is a crash the application cannot explain to
its user, so each test here fails on the first one, and Hypothesis shrinks
the input to a small reproducer.

The budget is small (the file runs in well under a minute on two cores);
``python fuzz/fuzz.py --minutes 30`` runs the same kinds of input for long.
The strategies and checks live in ``tests/fuzzing.py``, shared with it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzzing import (
    BUNDLED,
    assert_library_error,
    bundled_incidents,
    bundled_ruleset,
    data_draw,
    exercise_incident,
    fuzz_bytes,
    fuzz_file,
    fuzz_grammar,
    fuzz_mutant,
    fuzz_now,
    fuzz_text,
)


# Generated rulesets are big inputs and some of them are slow to compile:
# that is the point, not a health problem.
def fuzz_settings(max_examples: int) -> settings:
    """No shrinking: shrinking a generated ruleset through ``st.data()``
    replays the compiler hundreds of times and takes minutes, past this
    file's budget. The failure still shows every draw and the traceback;
    ``fuzz/fuzz.py`` minimises its findings with a budget of its own."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                               HealthCheck.filter_too_much],
    )


@fuzz_settings(60)
@given(st.data())
def test_grammar_rulesets_raise_only_positioned_ruleset_errors(data: Any) -> None:
    """Text the grammar accepts reaches the checker and the compiler; a
    ruleset that compiles is then assessed and rendered."""
    fuzz_grammar(data_draw(data), assert_library_error)


@fuzz_settings(60)
@given(st.data())
def test_mutated_bundled_rulesets_raise_only_library_errors(data: Any) -> None:
    """A few edits to a real ruleset: nearly right text, the likeliest to
    reach code paths a hand-written test forgets. A mutant that compiles
    must assess the example incidents and render them too."""
    fuzz_mutant(data_draw(data), assert_library_error)


@fuzz_settings(150)
@given(st.data())
def test_arbitrary_text_raises_only_ruleset_errors(data: Any) -> None:
    fuzz_text(data_draw(data), assert_library_error)


@fuzz_settings(150)
@given(st.data())
def test_arbitrary_bytes_decoded_leniently_raise_only_ruleset_errors(data: Any) -> None:
    """What an upload handler gets after decoding with errors='replace' and friends."""
    fuzz_bytes(data_draw(data), assert_library_error)


@fuzz_settings(100)
@given(st.data())
def test_arbitrary_files_raise_only_ruleset_errors_and_never_echo_a_non_ruleset(data: Any) -> None:
    """``load(path)`` on any file: a file that is not a ruleset is refused
    without showing its content (it may be a secret the path was tricked
    into naming)."""
    fuzz_file(data_draw(data), assert_library_error)


@fuzz_settings(150)
@pytest.mark.parametrize("name", BUNDLED)
@given(data=st.data())
def test_arbitrary_incidents_raise_only_incident_errors(name: str, data: Any) -> None:
    """Any JSON-like incident, and incidents that use the ruleset's own fact
    names with values of every kind, through assess, decide, report and
    every renderer in every locale."""
    draw = data_draw(data)
    ruleset = bundled_ruleset(name)
    incident = draw(bundled_incidents(name), "incident")
    exercise_incident(draw, assert_library_error, ruleset, incident)


@fuzz_settings(40)
@given(st.data())
def test_reports_at_any_instant_raise_only_library_errors(data: Any) -> None:
    """``report(now=...)`` with any aware datetime, up to the calendar's
    ends, and every renderer of that report."""
    fuzz_now(data_draw(data), assert_library_error)


def test_assert_library_error_fails_on_a_foreign_exception() -> None:
    """The checker itself: a ZeroDivisionError is not a library error."""

    def crash() -> None:
        raise ZeroDivisionError("boom")

    with pytest.raises(AssertionError, match="ZeroDivisionError: boom"):
        assert_library_error(crash, "crash")


def test_assert_library_error_accepts_a_positioned_ruleset_error() -> None:
    import breachrules

    assert assert_library_error(lambda: breachrules.loads("ruleset"), "loads") is None
