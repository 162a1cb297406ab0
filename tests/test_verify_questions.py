"""The solver asks the interpreter's open questions, and proves them complete.

``breachrules check`` proves that a provisional result says what could
change it: no partial incident leaves a fact unknown and unasked while
another answer to it changes the risk, an obligation or a deadline of one
of its completions (``prover._Prover._questions``). The open questions on
the solver's side are :class:`breachrules.verify.questions.Questions`, a
reading of ``interpreter._Run._open_questions`` as formulas; the proof means
something only if it is the interpreter's. So, on generated rulesets, with
the known flags and a completion's values put in, ``asked`` holds of
exactly the facts the interpreter lists. The claim itself is checked
against the interpreter in ``tests.test_verify_semantics``
(``assert_unasked_changes_nothing`` for a proved claim, ``demonstrates``
for a BR814).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import breachrules
from breachrules import interpreter
from breachrules.program import Program

z3 = pytest.importorskip("z3")

from breachrules import verify  # noqa: E402  (these need the solver)
from breachrules.verify import questions as questions_module  # noqa: E402
from breachrules.verify.partial import Partial  # noqa: E402
from breachrules.verify.questions import Questions  # noqa: E402
from tests.test_verify_partial import draw_partial, focused_rulesets, read_partially  # noqa: E402
from tests.test_verify_semantics import (  # noqa: E402
    LARGE,
    PHASES,
    THOROUGH,
    Reader,
    compiled,
    decide,
    demonstrates,
    extended_rulesets,
    substitution,
)

INCIDENTS_PER_RULESET = 4


def asked(program: Program, questions: Questions, partial: Mapping[str, Any],
          completion: Mapping[str, Any]) -> set[str]:
    """The facts ``questions`` asks for, with the known flags of ``partial``
    and the values of ``completion`` in the variables."""
    space = questions.reading.complete.space
    pairs = substitution(space, program, completion)
    pairs += [(flag, z3.BoolVal(name in partial)) for name, flag in questions.reading.known.items()]
    read = Reader(pairs)
    return {name for name, when in questions.asked.items() if read(when)}


def assert_asks_as_the_interpreter(text: str, data: st.DataObject) -> None:
    program = compiled(text)
    _, reading = read_partially(program)
    questions = Questions(reading)
    for _ in range(INCIDENTS_PER_RULESET):
        drawn = draw_partial(program, data)
        if drawn is None:
            continue
        _, complete, hidden, partial = drawn
        result = decide(program, partial)
        if result is None:
            event("the interpreter fails on the partial incident")
            continue
        expected = set(result.open_questions)
        assert asked(program, questions, partial, complete) == expected, (dict(partial), sorted(hidden))
        event("questions asked" if expected else "no question asked")


@settings(max_examples=300 if THOROUGH else 20, phases=PHASES, suppress_health_check=LARGE, deadline=None)
@given(text=focused_rulesets(), data=st.data())
def test_the_solver_asks_what_the_interpreter_asks_on_focused_rulesets(text: str, data: st.DataObject) -> None:
    assert_asks_as_the_interpreter(text, data)


@settings(max_examples=300 if THOROUGH else 8, phases=PHASES, suppress_health_check=LARGE, deadline=None)
@given(text=extended_rulesets(), data=st.data())
def test_the_solver_asks_what_the_interpreter_asks(text: str, data: st.DataObject) -> None:
    assert_asks_as_the_interpreter(text, data)


# ------------------------------------------------------------------ the claim, refuted

FORGETFUL = """ruleset f
scale risk: none < risk < high
fact a: bool
fact b: bool
fact n: count 0..
rule r when a and n > 3 then risk >= high because "r" cite "c"
rule s when b then risk >= risk because "r" cite "c"
obligation o when risk >= risk says "s" cite "c"
"""


def forgetting(monkeypatch: pytest.MonkeyPatch, fact: str, interpreter_too: bool = True) -> None:
    """The interpreter and (or only) its reading on the solver's side never
    ask for ``fact``: a planted defect of the kind the claim is about."""
    ask = interpreter._Run._open_questions
    reading = Questions._open

    def open_questions(self: Any, obligations: Any) -> tuple[str, ...]:
        return tuple(q for q in ask(self, obligations) if q != fact)

    def read(self: Questions) -> dict[str, Any]:
        return {name: when for name, when in reading(self).items() if name != fact}

    if interpreter_too:
        monkeypatch.setattr(interpreter._Run, "_open_questions", open_questions)
    monkeypatch.setattr(questions_module.Questions, "_open", read)


def test_a_fact_that_can_change_the_decision_and_is_not_asked_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    forgetting(monkeypatch, "n")
    rs = breachrules.loads(FORGETFUL)
    analysis = verify.analyse(rs)
    assert [(c.kind, c.status) for c in analysis.claims] == [("unknowns", "proved"), ("questions", "refuted")]
    (finding,) = analysis.findings
    assert finding.code == "BR814" and finding.severity == "error"
    values = dict(finding.values)
    assert values["fact"] == "n" and values["what"] in ("risk", "o")
    assert finding.incident is not None and finding.other is not None
    assert finding.incident["a"] is True and "n" not in finding.incident  # a known, n left open
    assert demonstrates(rs.program, finding) is None
    assert {rs.assess(finding.other).risk, rs.assess({**finding.other, "n": int(values["value"])}).risk} == {
        "high", rs.assess({"a": False, **{k: v for k, v in finding.other.items() if k != "a"}}).risk}
    shown = finding.render(locale="fi")
    assert "'n'" in shown and "tiedossa:" in shown and "vastattuna:" in shown


def test_a_reading_that_disagrees_with_the_interpreter_proves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    forgetting(monkeypatch, "n", interpreter_too=False)  # only the solver's side forgets: nothing to show
    analysis = verify.analyse(breachrules.loads(FORGETFUL))
    assert ("questions", "undecided") in [(c.kind, c.status) for c in analysis.claims]
    assert [f.code for f in analysis.findings] == ["BR821"]


def test_the_claim_is_proved_of_a_plain_ruleset_and_rendered_in_every_language() -> None:
    analysis = verify.analyse(breachrules.loads(FORGETFUL))
    (claim,) = [c for c in analysis.claims if c.kind == "questions"]
    assert claim.status == "proved"
    assert claim.render("fi").startswith("todistettu: jokainen tieto")
    assert claim.render("sv").startswith("bevisat: varje uppgift")
    assert claim.render("en").startswith("proved: every fact whose answer")


def test_the_partial_reading_is_needed() -> None:
    """Questions reads the program through Partial: one reading, not two."""
    program = breachrules.loads(FORGETFUL).program
    _, reading = read_partially(program)
    assert isinstance(reading, Partial) and Questions(reading).program is program
