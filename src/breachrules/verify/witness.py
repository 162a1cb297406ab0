"""From a solver's model to an incident a person can read, and run.

A counterexample is only worth showing if it is a valid incident that the
interpreter, the reference, agrees breaks the property. So a model is read
back as incident data (JSON values, as a case file would hold them), made
small (the fewest facts set, the smallest values), and confirmed by the
interpreter before anyone sees it; facts that the property does not need
are then left out, one at a time, while it still demonstrably fails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta, timezone
from fractions import Fraction
from typing import Any

import z3

from breachrules import interpreter
from breachrules.durations import format_iso_duration
from breachrules.errors import EvaluationError
from breachrules.i18n import Term
from breachrules.incident import IncidentError, validate
from breachrules.program import FactDef, Program
from breachrules.verify.encoding import EPOCH, SECOND, Encoding, Instant, SetValue, Space, micros, read_text

# Where unconstrained instants land: a plain working morning, not the
# beginning of the calendar.
REFERENCE = micros(EPOCH.replace(year=2026, month=1, day=5, hour=9))
MINUTE = 60 * SECOND

Incident = dict[str, Any]


def read_facts(program: Program) -> frozenset[str]:
    """The facts anything of the program reads (the others need no answer)."""
    from breachrules import ir

    read: set[str] = set()
    nodes = [*program.expressions(), *(a.condition for a in program.actions if a.condition is not None),
             *(i.expr for i in program.invariants)]
    for node in nodes:
        read |= ir.references(node)[0]
    for earlier, later in program.precedes:
        read |= {earlier, later}
    return frozenset(read)


def incident(model: z3.ModelRef, space: Space, program: Program, prefix: str = "") -> Incident:
    """The facts of a model that the program reads, as incident data."""
    found: Incident = {}
    for name in sorted(read_facts(program), key=list(program.facts).index):
        fact = program.facts[name]
        found[name] = _value(model, space, fact, space.fact(fact, prefix))
    return found


def _value(model: z3.ModelRef, space: Space, fact: FactDef, variable: Any) -> Any:
    def ev(term: Any) -> Any:
        return model.eval(term, model_completion=True)

    kind = fact.type.kind
    if kind == "bool":
        return z3.is_true(ev(variable))
    if kind == "number":
        value = ev(variable)
        if fact.type.integral or value.is_int():
            return value.as_long()
        exact = Fraction(value.as_fraction())
        return int(exact) if exact.denominator == 1 else float(exact)
    if kind == "duration":
        return format_iso_duration(timedelta(microseconds=ev(variable).as_long()))
    if kind == "datetime":
        assert isinstance(variable, Instant)
        return instant(ev(variable.utc).as_long(), ev(variable.offset).as_long())
    if kind == "text":
        return read_text(ev(variable))
    if kind == "enum":
        return space.member_name(ev(variable).as_long())
    if kind == "level":
        return fact.type.members[ev(variable).as_long()]
    assert isinstance(variable, SetValue)
    return [m for m in fact.type.members if z3.is_true(ev(variable.members[m]))]


def instant(utc: int, offset: int) -> str:
    """An instant (microseconds from the epoch, and east of UTC) as ISO 8601 text."""
    zone = timezone(timedelta(microseconds=offset))
    return (EPOCH + timedelta(microseconds=utc)).astimezone(zone).isoformat()


# The optimiser's budget, in Z3's resource units rather than seconds: a
# wall-clock limit makes the counterexample depend on the machine's load
# (the rounded pass gives up on a busy machine and the plain one finds
# another model), and every run of one version must show the same
# incident. About 4 s on the 2-core machine the project is measured on.
OPTIMISER_RLIMIT = 10_000_000
OPTIMISER_TIMEOUT_MS = 120_000  # a backstop only: the resource limit comes first


def smallest(base: list[z3.BoolRef], goal: z3.BoolRef, encodings: list[Encoding],
             rlimit: int = OPTIMISER_RLIMIT) -> z3.ModelRef | None:
    """A model of ``goal`` with the fewest facts away from their defaults and
    the smallest values; round values (whole minutes, UTC) where they will
    do. None when the optimiser gives up (the caller keeps its first model)."""
    for rounded in (True, False):
        optimiser = z3.Optimize()
        optimiser.set("rlimit", rlimit)
        optimiser.set("timeout", OPTIMISER_TIMEOUT_MS)
        optimiser.add(*base, goal)
        deviations, sizes, magnitudes = [], [], []
        seen: set[str] = set()  # two versions of a ruleset share most facts
        for encoding in encodings:
            for fact in encoding.program.facts.values():
                if encoding.prefix + fact.name in seen:
                    continue
                seen.add(encoding.prefix + fact.name)
                variable = encoding.space.fact(fact, encoding.prefix)
                terms = _plainness(encoding, fact, variable, rounded)
                if terms is None:
                    continue
                constraints, deviation, size, magnitude = terms
                optimiser.add(*constraints)
                deviations.append(deviation)
                sizes.append(size)
                magnitudes.extend(magnitude)
        for objective in ([z3.Sum([z3.If(d, 1, 0) for d in deviations])] if deviations else []) + \
                ([z3.Sum(sizes)] if sizes else []) + magnitudes:
            optimiser.minimize(objective)
        if optimiser.check() == z3.sat:
            return optimiser.model()
    return None


def _plainness(encoding: Encoding, fact: FactDef, variable: Any, rounded: bool) -> Any:
    """(constraints, away from its default, size, magnitudes to minimise)."""
    kind = fact.type.kind
    default = encoding.constant(fact.default, fact.type, fact.span) if fact.has_default else None
    if kind == "datetime":
        assert isinstance(variable, Instant)
        constraints = [variable.offset == 0, (variable.utc - REFERENCE) % MINUTE == 0] if rounded else []
        distance = z3.If(variable.utc >= REFERENCE, variable.utc - REFERENCE, REFERENCE - variable.utc)
        return constraints, z3.BoolVal(False), z3.IntVal(0), [distance, z3.If(variable.offset >= 0, variable.offset,
                                                                                -variable.offset)]
    if kind == "set":
        assert isinstance(variable, SetValue)
        size = z3.Sum([z3.If(flag, 1, 0) for flag in variable.members.values()] or [z3.IntVal(0)])
        away = z3.Or([flag != default.members.get(m, z3.BoolVal(False)) for m, flag in variable.members.items()]) \
            if default is not None and variable.members else z3.BoolVal(False)
        return [], away, size, []
    if kind == "text":
        return [], (variable != default) if default is not None else z3.BoolVal(False), z3.IntVal(0), \
            [z3.Length(variable)]
    away = (variable != default) if default is not None else z3.BoolVal(False)
    if kind == "bool":
        return [], away, z3.If(variable, 1, 0), []
    if kind in ("enum", "level"):
        return [], away, z3.IntVal(0), []
    constraints = []
    if rounded and kind == "duration":
        constraints.append(variable % MINUTE == 0)
    if rounded and kind == "number" and not fact.type.integral:
        constraints.append(z3.IsInt(variable))
    low = fact.type.low if kind == "number" and fact.type.low is not None else 0
    magnitude = z3.If(variable >= low, variable - low, low - variable)
    return constraints, away, z3.IntVal(0), [magnitude]


def shrink(program: Program, found: Incident, holds: Callable[[Incident], bool],
           facts: Mapping[str, FactDef] | None = None, defaults: bool = True) -> Incident:
    """``found`` without the facts the property does not need: a fact equal
    to its default is left to the default, and a fact whose absence (an
    unknown) still shows the property is left out. ``facts``: the facts
    the incident may hold (two versions of a ruleset: both versions');
    ``defaults=False`` keeps every fact that has a default."""
    current = dict(found)
    for name in list(current):
        fact = (facts or program.facts)[name]
        if fact.has_default and not defaults:
            continue
        trial = {k: v for k, v in current.items() if k != name}
        if fact.has_default and _same(program, name, current[name], fact.default) or holds(trial):
            current = trial
    return current


def shrink_pair(program: Program, before: Incident, after: Incident, fact: str,
                holds: Callable[[Incident, Incident], bool]) -> tuple[Incident, Incident]:
    """Two incidents that differ in ``fact`` alone, without the other facts
    the property does not need: each is left out of both at once."""
    current = dict(before), dict(after)
    for name in list(current[0]):
        if name == fact:
            continue
        trial = ({k: v for k, v in current[0].items() if k != name}, {k: v for k, v in current[1].items() if k != name})
        if holds(*trial):
            current = trial
    return current


def _same(program: Program, name: str, given: Any, default: Any) -> bool:
    try:
        facts = validate(program, {name: given}, frozenset())
    except IncidentError:
        return False
    return bool(facts.get(name) == default)


def unasked(program: Program, complete: Incident, known: Mapping[str, Any], fact: str) -> Incident | None:
    """The partial incident of a missed question (BR814): ``complete``
    with only the facts in ``known`` given and the rest unknown, then with
    as many of those known again as keep ``fact`` out of the interpreter's
    open questions. None when the interpreter asks for ``fact`` even so."""

    def data(given: Mapping[str, Any]) -> Incident:
        # a fact left out takes its default: an unknown one with a default is null
        return {name: given.get(name) for name in complete
                if name in given or program.facts[name].has_default}

    def unasked_with(given: Mapping[str, Any]) -> bool:
        result = evaluate(program, data(given))
        return result is not None and fact not in result.open_questions

    current = dict(known)
    if not unasked_with(current):
        return None
    for name, value in complete.items():
        if name != fact and name not in current and unasked_with({**current, name: value}):
            current[name] = value
    return data(current)


def checked(program: Program, data: Mapping[str, Any]) -> Any:
    """The validated facts of incident data, or None when validation refuses them."""
    try:
        return validate(program, data, frozenset(program.facts))
    except IncidentError:
        return None


def evaluate(program: Program, data: Mapping[str, Any]) -> interpreter.Result | None:
    """The interpreter's result for incident data, or None when the data are
    not a valid incident or the evaluation stops with an error."""
    facts = checked(program, data)
    if facts is None:
        return None
    try:
        return interpreter.evaluate(program, facts)
    except EvaluationError:
        return None


def fails(program: Program, data: Mapping[str, Any]) -> bool:
    """Whether a valid incident stops with an error: its decision, or the
    conditions of its actions, read after it."""
    facts = checked(program, data)
    if facts is None:
        return False
    try:
        interpreter.evaluate(program, facts)
        interpreter.conditions_after_decision(program, facts, [a.condition for a in program.actions])
    except EvaluationError:
        return True
    return False


def trace(program: Program, data: Mapping[str, Any]) -> tuple[str, ...]:
    result = evaluate(program, data)
    return tuple(f.label for f in result.fired if f.certain) if result is not None else ()


def change(program: Program, direction: str, before: Mapping[str, Any],
           later: Mapping[str, Any]) -> tuple[str, object, object]:
    """What went the wrong way when a fact rose in its declared order: an
    outcome that fell (rose, for a mitigating fact) or an obligation
    dropped (added), with its value before and after; both certain, so an
    incident with facts left unknown shows it only if it really does."""
    old, new = evaluate(program, before), evaluate(program, later)
    if old is None or new is None:
        return "", "", ""
    for outcome in program.outcomes:
        x, y = old.levels[outcome.name], new.levels[outcome.name]
        if x.lo == x.hi and y.lo == y.hi and ((y.hi < x.hi) if direction == "aggravating" else (y.hi > x.hi)):
            return outcome.name, outcome.levels[x.hi], outcome.levels[y.hi]
    for ob in program.obligations:
        was, now = old.obligations[ob.name].required, new.obligations[ob.name].required
        if (was, now) == ((True, False) if direction == "aggravating" else (False, True)):
            return ob.name, Term.of(f"verify.required.{was}"), Term.of(f"verify.required.{now}")
    return "", "", ""
    for outcome in program.outcomes:
        a, b = old.levels[outcome.name].hi, new.levels[outcome.name].hi
        if (b < a) if direction == "aggravating" else (b > a):
            return outcome.name, outcome.levels[a], outcome.levels[b]
    for ob in program.obligations:
        was, now = old.obligations[ob.name].required, new.obligations[ob.name].required
        if was != now:
            return ob.name, Term.of(f"verify.required.{was}"), Term.of(f"verify.required.{now}")
    return "", "", ""
