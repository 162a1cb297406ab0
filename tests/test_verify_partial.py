"""The solver reads a partial incident exactly as the interpreter does.

``breachrules check`` proves that every provisional result brackets every
way of answering its open questions (``prover._Prover._unknowns``): it asks
Z3 for a pair of a partial incident and one of its completions where the
complete decision falls outside the partial one. The partial side is
:class:`breachrules.verify.partial.Partial`, the program read over the
complete encoding's fact variables and one *known* flag per fact. The proof
means something only if that reading is the interpreter's
(:func:`breachrules.interpreter.evaluate` on the partial incident).

So, on generated rulesets (``tests.test_verify_semantics``), for a drawn
complete incident and a drawn set of facts made unknown (given as null when
the fact has a default, left out otherwise), with the known flags and a
completion's values put in for the variables:

- every outcome's ``(lo, hi)`` is the interpreter's interval;
- every obligation is certainly required, certainly not, or neither exactly
  when the interpreter says True, False or None (never both);
- the reading is the same for a second, different completion (it does not
  depend on the answers it does not know);
- and the bracketing itself holds of the pair: each completion's decision
  lies within the partial one.

Most generated rulesets are arithmetic the encoding does not hold exactly;
a second generator (``focused_rulesets``) makes only what the partial
reading is about, and there the solver also checks every completion at
once (the unknown facts' variables left free). Hand-written cases at the
end pin exceptions that may apply beside ones that certainly do, a
``combine`` table read over an uncertain row, an exemption that may apply
with ``instead``, and ``max``/``min`` of uncertain outcomes.

No disagreement between Partial and the interpreter was found (the
``thorough`` profile: 400 rulesets of each generator). Two places where
the interpreter is sound but wider than every completion are pinned as
they are (Partial reads them the same way): an exception that may apply
takes the floor of its rule's interval to nothing, and Kleene's logic does
not see that ``b`` and ``not b`` cover every answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import event, given, reject, settings
from hypothesis import strategies as st

from breachrules import interpreter
from breachrules.program import Program

z3 = pytest.importorskip("z3")

from breachrules.verify.encoding import Encoding, Space, Unsupported  # noqa: E402  (these need the solver)
from breachrules.verify.partial import Partial, Truth  # noqa: E402
from tests.test_verify_semantics import (  # noqa: E402
    LARGE,
    PHASES,
    RULE,
    THOROUGH,
    Reader,
    _program,
    brackets,
    checked,
    compiled,
    complete_incidents,
    decide,
    encoded,
    extended_rulesets,
    substitution,
)

INCIDENTS_PER_RULESET = 4


# ------------------------------------------------------------------ reading Partial's terms


def status(read: Reader, truth: Truth, name: str) -> bool | None:
    """An obligation's reading as the interpreter writes it: True, False or None."""
    certainly, certainly_not = read(truth.true), read(truth.false)
    assert not (certainly and certainly_not), f"{name} is read as both certainly required and certainly not"
    return True if certainly else (False if certainly_not else None)


def partial_reading(program: Program, space: Space, reading: Partial, unknown: frozenset[str],
                    completion: Mapping[str, Any]) -> tuple[dict[str, tuple[int, int]], dict[str, bool | None]]:
    """Partial's outcomes and obligations with the known flags set (the
    facts ``unknown`` not known) and a completion's values in the variables."""
    pairs = substitution(space, program, completion)
    pairs += [(flag, z3.BoolVal(name not in unknown)) for name, flag in reading.known.items()]
    read = Reader(pairs)
    levels = {}
    for name, level in reading.outcomes.items():
        assert read(level.known) is True, name  # an outcome always has a value, if an interval
        levels[name] = (read(level.lo), read(level.hi))
    required = {name: status(read, truth, name) for name, truth in reading.required.items()}
    return levels, required


def assert_partial_agrees(program: Program, space: Space, reading: Partial, partial: Mapping[str, Any],
                          completions: Iterable[Mapping[str, Any]]) -> interpreter.Result | None:
    """Partial reads ``partial`` (validated) as the interpreter does, with the
    values of each completion (validated, complete) in its variables; and
    each completion's decision lies within the partial one. The
    interpreter's result, or None when it fails on the partial incident."""
    result = decide(program, partial)
    if result is None:
        return None  # the proof excludes programs whose arithmetic can fail anywhere
    unknown = frozenset(program.facts) - frozenset(partial)
    expected_levels = {name: (iv.lo, iv.hi) for name, iv in result.levels.items()}
    expected_required = {name: s.required for name, s in result.obligations.items()}
    for completion in completions:
        assert completion.keys() == program.facts.keys()
        assert all(completion[name] == value for name, value in partial.items()), "not a completion"
        shown = (dict(partial), sorted(unknown), dict(completion))
        levels, required = partial_reading(program, space, reading, unknown, completion)
        assert levels == expected_levels, (levels, expected_levels, shown)
        assert required == expected_required, (required, expected_required, shown)
        answered = decide(program, completion)
        if answered is not None:
            for name in [*answered.levels, *answered.obligations]:
                assert brackets(program, name, result, answered), (name, result, answered, shown)
    return result


def assert_every_completion_agrees(program: Program, space: Space, encoding: Encoding, reading: Partial,
                                   partial: Mapping[str, Any], result: interpreter.Result) -> None:
    """What the substitutions above check for two completions, for every
    completion at once: with the known facts' values in and the unknown
    facts' variables free (over what validation accepts), the solver finds
    no answer for which Partial reads otherwise than the interpreter, nor
    one whose complete decision falls outside the partial one."""
    known = SimpleNamespace(facts={name: fact for name, fact in program.facts.items() if name in partial})
    pairs = substitution(space, known, partial)  # type: ignore[arg-type]  # only .facts is read
    pairs += [(flag, z3.BoolVal(name in partial)) for name, flag in reading.known.items()]
    complete = encoding.outputs()
    differs, outside = [], []
    for name, level in reading.outcomes.items():
        iv = result.levels[name]
        differs.append(z3.Or(level.lo != iv.lo, level.hi != iv.hi))
        outside.append(z3.Or(complete[f"outcome:{name}"] < iv.lo, complete[f"outcome:{name}"] > iv.hi))
    for name, truth in reading.required.items():
        required = result.obligations[name].required
        differs.append(z3.Or(truth.true != z3.BoolVal(required is True), truth.false != z3.BoolVal(required is False)))
        if required is not None:
            outside.append(complete[f"obligation:{name}"] != z3.BoolVal(required))
    for what, goal in (("reads otherwise", differs), ("decides outside the partial result", outside)):
        solver = z3.Solver()
        solver.set("timeout", 10_000)
        solver.add(z3.substitute(z3.And(encoding.valid(), z3.Or(goal or [z3.BoolVal(False)])), *pairs))
        answer = solver.check()
        assert answer != z3.sat, f"a completion of {dict(partial)} {what}: {solver.model()}"


def read_partially(program: Program) -> tuple[Space, Partial]:
    """The program's partial reading; one it cannot express is not a case here."""
    space, encoding = encoded(program)
    try:
        return space, Partial(encoding)
    except Unsupported:  # `is known`, or arithmetic the encoding does not hold exactly
        reject()


# ------------------------------------------------------------------ generated rulesets


def partial_data(program: Program, raw: Mapping[str, Any], hidden: Iterable[str]) -> dict[str, Any]:
    """``raw`` with the facts ``hidden`` unknown: null for a fact with a
    default (left out, it would be the default), left out otherwise."""
    hidden = set(hidden)
    return {name: (None if name in hidden else value) for name, value in raw.items()
            if name not in hidden or program.facts[name].has_default}


def draw_partial(program: Program, data: st.DataObject) -> tuple[Any, Any, set[str], Any] | None:
    """A valid complete incident (raw and validated), facts drawn to hide,
    and the partial incident without them (validated); None when the drawn
    incident is not valid."""
    names = sorted(program.facts)
    raw = data.draw(complete_incidents(program))
    complete = checked(program, raw)
    if complete is None:
        return None
    hidden = data.draw(st.sets(st.sampled_from(names)) if names else st.just(set()))
    partial = checked(program, partial_data(program, raw, hidden))
    assert partial is not None, "validation refuses a part of an incident it accepts"
    assert set(partial) == set(names) - hidden
    return raw, complete, hidden, partial


@settings(max_examples=400 if THOROUGH else 10, phases=PHASES, suppress_health_check=LARGE, deadline=None)
@given(text=extended_rulesets(), data=st.data())
def test_partial_reads_as_the_interpreter(text: str, data: st.DataObject) -> None:
    program = compiled(text)
    space, reading = read_partially(program)
    for _ in range(INCIDENTS_PER_RULESET):
        drawn = draw_partial(program, data)
        if drawn is None:
            continue
        raw, complete, hidden, partial = drawn
        completions = [complete]
        # a second way of answering the open questions: the reading must not depend on it
        other = data.draw(complete_incidents(program))
        second = checked(program, {**raw, **{name: other[name] for name in hidden}})
        if second is not None:
            completions.append(second)
        result = assert_partial_agrees(program, space, reading, partial, completions)
        if result is None:
            event("the interpreter fails on the partial incident")
        elif any(iv.lo != iv.hi for iv in result.levels.values()) or None in (
                s.required for s in result.obligations.values()):
            event("a provisional result, compared")
        else:
            event("a decided result, compared")


# The generated rulesets above are mostly arithmetic: two in three cannot be
# encoded, and few leave an outcome uncertain. These are only what the
# partial reading is about: three-valued conditions over bool, enum and
# level facts (some with defaults), exceptions nested and side by side,
# outcomes read by later ones (in comparisons, max and min, definitions,
# points and a combine table), points of a few values and the exact
# arithmetic on them, obligations with exemptions and instead chains.

SCALES = (("sev", ("s0", "s1", "s2")), ("lik", ("l0", "l1")), ("risk", ("none", "low", "medium", "high")))
FOCUSED_FACTS = """fact a: bool
fact b: bool
fact c: bool default false
fact d: bool default true
fact l: sev
fact m: sev default s1
fact e: {p, q, r}
fact f: {p, q, r} default q
fact n: count 0..10
fact s: set of {p, q, r}
fact t: set of {p, q, r} default {}
define twice = n + n
score band: lik = n
  below 5: l0
  otherwise: l1
points worth = e
  p: 0.25
  q: 0.5
  r: 1
"""


@st.composite
def focused_rulesets(draw: Any) -> str:
    labels = iter(f"n{i}" for i in itertools.count())

    def level_expr(rank: int, scale: int, depth: int) -> str:
        """A level of scale ``scale``, reading outcomes before ``rank``."""
        name, levels = SCALES[scale]
        options = [f"{name}.{level}" for level in levels]
        if scale < rank:
            options += [name] * 3
        if name == "sev":
            options += ["l", "m"]
        if name == "lik":
            options += ["band"]
        if depth > 0 and draw(st.booleans()):
            function = draw(st.sampled_from(["max", "min"]))
            return f"{function}({level_expr(rank, scale, depth - 1)}, {level_expr(rank, scale, depth - 1)})"
        return str(draw(st.sampled_from(options)))

    def condition(rank: int, depth: int = 2) -> str:
        shape = draw(st.integers(0, 9)) if depth > 0 else draw(st.integers(0, 3))
        if shape <= 1:
            read = ["open", "worst >= s1", "worst == l", "weight >= 2.5", "weight * worth > 1"] \
                if rank >= 1 and defined else []  # all wait for sev
            return str(draw(st.sampled_from(["a", "b", "c", "d", "true", "false", "a", "b", *read])))
        if shape == 2:
            return str(draw(st.sampled_from(["e == p", "e != q", "f == r", "e == f", "e in {p, r}", "f not in {q}",
                                             "e in s", "s intersects t", "t subset of s", "size(s | t) > 1",
                                             "twice >= 10", "n < 3", "s == t", "worth >= 0.5",
                                             "worth + worth > 1"])))
        if shape == 3:
            scale = draw(st.integers(0, len(SCALES) - 1))
            op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
            return f"{level_expr(rank, scale, 1)} {op} {level_expr(rank, scale, 1)}"
        if shape == 4:
            return f"not ({condition(rank, depth - 1)})"
        if shape == 5:
            op = draw(st.sampled_from(["==", "!="]))
            return f"({condition(rank, depth - 1)}) {op} ({condition(rank, depth - 1)})"
        op = draw(st.sampled_from([" and ", " or "]))
        return str(op).join(f"({condition(rank, depth - 1)})" for _ in range(draw(st.integers(2, 3))))

    def when(rank: int) -> str:
        return "always" if draw(st.integers(0, 6)) == 0 else f"when {condition(rank)}"

    def conclusions(scales: list[int], rank: int) -> str:
        return ", ".join(f"{SCALES[i][0]} >= {level_expr(rank, i, 1)}" for i in scales)

    def exceptions(base: str, scales: list[int], rank: int, depth: int) -> list[str]:
        lines = []
        for _ in range(draw(st.integers(0, 3)) if depth > 0 else 0):
            label = next(labels)
            chosen = draw(st.lists(st.sampled_from(scales), unique=True))
            then = f" then {conclusions(chosen, rank)}" if chosen else ""
            lines.append(f"exception {label} to {base} {when(rank)}{then} {RULE}")
            lines += exceptions(label, scales, rank, depth - 1)
        return lines

    lines = [f"scale {name}: {' < '.join(levels)}" for name, levels in SCALES]
    lines.append(FOCUSED_FACTS)
    lines.append("define worst = max(sev, l)")
    lines.append("points weight = sev\n  s0: 1\n  s1: 2.5\n  s2: 4")  # unknown while sev is not one level
    defined = False
    lines.append(f"define open = {condition(1)}")  # reads sev at most
    defined = True
    for _ in range(draw(st.integers(1, 5))):
        first = draw(st.integers(0, len(SCALES) - 1))
        scales = sorted(draw(st.lists(st.integers(first, len(SCALES) - 1), min_size=1, max_size=2, unique=True)))
        rank = scales[0]
        label = next(labels)
        lines.append(f"rule {label} {when(rank)} then {conclusions(scales, rank)} {RULE}")
        # an exception may conclude any outcome its tree does not read
        lines += exceptions(label, list(range(rank, len(SCALES))), rank, draw(st.integers(0, 3)))
    if draw(st.booleans()):
        cells = ["  " + level + ": " + " ".join(draw(st.sampled_from(SCALES[2][1])) for _ in SCALES[1][1])
                 for level in SCALES[0][1]]
        lines.append("combine risk = sev x lik\n  lik: l0 l1\n" + "\n".join(cells))
    names = [next(labels) for _ in range(draw(st.integers(1, 4)))]
    targets = set()
    for i, ob in enumerate(names):
        for _ in range(draw(st.integers(0, 2))):
            instead = ""
            if i + 1 < len(names) and draw(st.booleans()):
                target = names[draw(st.integers(i + 1, len(names) - 1))]
                targets.add(target)
                instead = f" instead {target}"
            lines.append(f"exemption {next(labels)} to {ob} {when(3)}{instead} {RULE}")
    for ob in names:
        head = draw(st.sampled_from(["when", "when", "always", "none"]))
        head = "always" if head == "none" and ob not in targets else head
        head = {"when": f"when {condition(3)}", "always": "always", "none": ""}[head]
        lines.append(f'obligation {ob} {head} says "s" cite "c"')
    return 'ruleset focused version "1"\n' + "\n".join(lines) + "\n"


@settings(max_examples=400 if THOROUGH else 20, phases=PHASES, suppress_health_check=LARGE, deadline=None)
@given(text=focused_rulesets(), data=st.data())
def test_partial_reads_focused_rulesets_as_the_interpreter(text: str, data: st.DataObject) -> None:
    program = compiled(text)
    space, reading = read_partially(program)
    names = sorted(program.facts)
    for _ in range(INCIDENTS_PER_RULESET):
        raw = data.draw(complete_incidents(program))
        complete = checked(program, raw)
        assert complete is not None
        hidden = data.draw(st.sets(st.sampled_from(names)))
        partial = checked(program, partial_data(program, raw, hidden))
        assert partial is not None
        other = data.draw(complete_incidents(program))
        second = checked(program, {**raw, **{name: other[name] for name in hidden}})
        assert second is not None
        result = assert_partial_agrees(program, space, reading, partial, [complete, second])
        assert result is not None  # nothing here can fail
        assert_every_completion_agrees(program, space, reading.complete, reading, partial, result)
        provisional = any(iv.lo != iv.hi for iv in result.levels.values()) or None in (
            s.required for s in result.obligations.values())
        event("a provisional result, compared" if provisional else "a decided result, compared")


# ------------------------------------------------------------------ hand-written cases


def every_completion(program: Program, data: Mapping[str, Any], answers: Mapping[str, list[Any]]) -> list[Any]:
    """Every valid completion of ``data`` with the facts of ``answers`` given
    each of their listed values (raw incident values)."""
    names = sorted(answers)
    found = []
    for values in itertools.product(*(answers[name] for name in names)):
        given = {name: value for name, value in data.items() if value is not None}
        completed = checked(program, {**given, **dict(zip(names, values, strict=True))})
        assert completed is not None and completed.complete
        found.append(completed)
    return found


def agrees(text: str, data: Mapping[str, Any], answers: Mapping[str, list[Any]]) -> interpreter.Result:
    """Partial agrees with the interpreter on ``data`` over every completion
    ``answers`` gives; the interpreter's result."""
    program = _program(text)
    space = Space()
    reading = Partial(Encoding(program, space))
    partial = checked(program, data)
    assert partial is not None
    completions = every_completion(program, data, answers)
    assert completions
    result = assert_partial_agrees(program, space, reading, partial, completions)
    assert result is not None
    assert_every_completion_agrees(program, space, reading.complete, reading, partial, result)
    return result


BOOLS = [True, False]

EXCEPTIONS = f"""ruleset e
scale risk: none < low < high
fact a: bool
fact b: bool
fact c: bool
rule r when a then risk >= high {RULE}
exception maybe to r when b then risk >= low {RULE}
exception sure to r when c {{then}} {RULE}
"""


# An exception that may apply gives nothing for certain (its floor is 0,
# as for any rule that may apply), and the hull with it takes that floor:
# with the base certain and one exception open the interpreter says
# [none, high], though every answer gives low or high. Wider than it could
# be, but sound: the cases pin the interpreter's reading and Partial's.
@pytest.mark.parametrize("then, sure", [("", 0), ("then risk >= low", 1), ("then risk >= high", 2)])
@pytest.mark.parametrize("data, expected", [
    # the base applies, one exception may: the hull of own (high) and the exception's [none, low]
    ({"a": True, "c": False}, lambda s: (0, 2)),
    # beside an exception that certainly applies: it alone, or both joined
    ({"a": True, "c": True}, lambda s: (s, max(s, 1))),
    # the base may apply too: nothing is certain
    ({"c": False}, lambda s: (0, 2)),
    ({"c": True}, lambda s: (0, max(s, 1))),
    # both exceptions may apply
    ({"a": True}, lambda s: (0, 2)),
])
def test_an_exception_that_may_apply(then: str, sure: int, data: dict[str, Any], expected: Any) -> None:
    answers = {name: BOOLS for name in ("a", "b", "c") if name not in data}
    result = agrees(EXCEPTIONS.replace("{then}", then), data, answers)
    assert tuple(result.levels["risk"]) == expected(sure)


TABLE = f"""ruleset t
scale sev: s_lo < s_mid < s_hi
scale lik: l_lo < l_hi
scale risk: none < low < medium < high
fact a: bool
fact b: bool
fact c: bool
fact floor: bool
rule rs when a then sev >= s_mid {RULE}
exception worse to rs when b then sev >= s_hi {RULE}
rule rl when c then lik >= l_hi {RULE}
rule rf when floor then risk >= low {RULE}
combine risk = sev x lik
  lik: l_lo l_hi
  s_lo: none low
  s_mid: medium low
  s_hi: low high
"""


@pytest.mark.parametrize("data, risk", [
    ({"b": False, "c": True, "floor": False}, (1, 1)),  # sev s_lo or s_mid, lik l_hi: low either way
    ({"b": False, "c": False, "floor": False}, (0, 2)),  # none or medium: the hull includes low
    # sev s_mid or s_hi, but the exception that may apply takes the floor to
    # s_lo (see above): the rectangle reaches low, though no answer gives it
    ({"a": True, "c": True, "floor": False}, (1, 3)),
    ({"a": True, "floor": True}, (1, 3)),  # a rectangle of cells, floored by rf
    ({"floor": False}, (0, 3)),
    ({"a": True, "b": False, "c": False}, (2, 2)),  # rf unknown below the table's certain level
])
def test_a_table_over_uncertain_outcomes(data: dict[str, Any], risk: tuple[int, int]) -> None:
    answers = {name: BOOLS for name in ("a", "b", "c", "floor") if name not in data}
    result = agrees(TABLE, data, answers)
    assert tuple(result.levels["risk"]) == risk


EXEMPTIONS = f"""ruleset x
scale risk: none < high
fact a: bool
fact b: bool
fact d: bool default false
obligation notify when a says "s" cite "c"
exemption ex to notify when b instead communicate {RULE}
exemption other to notify when d {RULE}
obligation communicate says "s" cite "c"
obligation record always says "s" cite "c"
exemption kept to record when not b instead communicate {RULE}
"""


@pytest.mark.parametrize("data, notify, communicate, record", [
    # b true: ex lifts notify and requires communicate; b false: kept does.
    # Either way communicate is required, but Kleene's logic does not see
    # that b and not b cover every answer: undecided (sound, not exact)
    ({"a": True, "d": False}, None, None, None),
    ({"a": False, "d": False}, False, None, None),  # only kept, over b, can require communicate
    ({"b": True, "d": False}, False, None, True),  # notify's own condition is open, but ex lifts it
    ({"b": False, "d": False}, None, True, False),  # kept certainly requires communicate
    ({"a": True, "b": True}, False, True, True),  # d left out: its default, false
    ({"a": True, "b": False, "d": None}, None, True, False),  # d given as null: unknown
    ({"d": None}, None, None, None),
    ({}, None, None, None),  # b unknown and d is false: communicate is unsettled
])
def test_an_exemption_that_may_apply_with_instead(data: dict[str, Any], notify: bool | None,
                                                  communicate: bool | None, record: bool | None) -> None:
    answers = {name: BOOLS for name in ("a", "b") if data.get(name) is None}
    if "d" in data and data["d"] is None:  # left out, d is its default
        answers["d"] = BOOLS
    result = agrees(EXEMPTIONS, data, answers)
    assert {name: s.required for name, s in result.obligations.items()} == {
        "notify": notify, "communicate": communicate, "record": record}


LEVELS = f"""ruleset l
scale risk: low < medium < high
scale alert: off < on < loud
fact a: bool
fact b: bool
fact severity: risk
rule r1 when a then risk >= medium {RULE}
rule r2 when b then risk >= high {RULE}
define worst = max(risk, severity)
define least = min(risk, severity)
rule on when worst >= high then alert >= on {RULE}
rule loud when least == medium then alert >= loud {RULE}
rule open always then alert >= {{level}} {RULE}
obligation tell when max(risk, severity) >= medium says "s" cite "c"
obligation quiet when min(risk, severity) < medium says "s" cite "c"
obligation escalate when max(severity, risk) > medium says "s" cite "c"
obligation calm when min(severity, risk) <= low says "s" cite "c"
"""


@pytest.mark.parametrize("level", ["off", "max(alert.off, alert.on)"])
@pytest.mark.parametrize("data", [
    {"severity": "medium"},  # risk [low, high]: max [medium, high], min [low, medium]
    {"severity": "high", "b": False},  # risk [low, medium]: max high
    {"severity": "low", "a": True},  # risk [medium, high]: min low
    {"a": True},  # severity unknown: max and min are unknown
    {"a": False, "b": False},  # risk low; severity unknown
    {"a": True, "b": True, "severity": "low"},  # nothing unknown
])
def test_max_and_min_of_uncertain_outcomes(level: str, data: dict[str, Any]) -> None:
    answers: dict[str, list[Any]] = {name: BOOLS for name in ("a", "b") if name not in data}
    if "severity" not in data:
        answers["severity"] = ["low", "medium", "high"]
    result = agrees(LEVELS.replace("{level}", level), data, answers)
    floor = 0 if level == "off" else 1  # max(alert.off, alert.on) is on
    if data == {"severity": "medium"}:
        assert tuple(result.levels["risk"]) == (0, 2)
        assert tuple(result.levels["alert"]) == (floor, 2)
        assert (result.obligations["tell"].required, result.obligations["quiet"].required) == (True, None)
    if data == {"a": True}:
        assert tuple(result.levels["alert"]) == (floor, 2)
        assert (result.obligations["tell"].required, result.obligations["quiet"].required) == (None, None)
