"""When a ruleset cannot be encoded exactly: search, and say it is a search.

Floating-point arithmetic, for one, has no exact encoding here. Then the
properties that can be *refuted* by one incident (an invariant, a declared
monotonicity, a conflict, an evaluation error) are searched for with
Hypothesis over valid complete incidents, which also shrinks what it finds,
and every answer says how many incidents were searched: a property not
refuted is reported as "searched N incidents, not a proof"; one refuted is
refuted, found by the search. What needs a proof that nothing exists (a rule
that never applies) is not claimed at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from breachrules import interpreter
from breachrules.errors import EvaluationError
from breachrules.i18n import Term
from breachrules.program import FactDef, InvariantDef, Program
from breachrules.spans import Span
from breachrules.verify import witness
from breachrules.verify.encoding import Unsupported
from breachrules.verify.findings import Analysis, Claim, Finding
from breachrules.verify.witness import change, evaluate, trace

EXAMPLES = 400


def analyse(program: Program, unsupported: Unsupported, examples: int = EXAMPLES) -> Analysis:
    findings = [Finding.make("BR820", unsupported.span, construct=unsupported.construct)]
    claims = []
    strategy = _incidents(program)
    for inv in program.invariants:
        claim, finding = invariant(program, inv, examples, strategy)
        claims.append(claim)
        findings.extend([finding] if finding is not None else [])
    for declared in program.monotone:
        pairs = _pairs(strategy, program.facts[declared.fact], declared.order)

        def worse(pair: tuple[dict[str, Any], dict[str, Any]], direction: str = declared.direction) -> bool:
            return change(program, direction, *pair)[0] != ""
        found_pair = _find(pairs, worse, examples)
        status = "searched" if found_pair is None else "refuted"
        claims.append(Claim(declared.direction, declared.fact, declared.span, status, examples))
        if found_pair is not None:
            what, old, new = change(program, declared.direction, *found_pair)
            findings.append(Finding.make(
                "BR811", declared.span, fact=declared.fact, direction=Term.of(f"verify.kind.{declared.direction}"),
                low=_shown(_json(found_pair[0]), declared.fact), high=_shown(_json(found_pair[1]), declared.fact),
                what=what, before=old, after=new, incident=_json(found_pair[0]), other=_json(found_pair[1]),
                trace=trace(program, found_pair[1]), searched=examples))
    for rule in program.rules.values():
        for i, one in enumerate(rule.exceptions):
            for other in rule.exceptions[i + 1:]:
                def conflicting(data: dict[str, Any], pair: tuple[str, str] = (one, other),
                                base: str = rule.label) -> bool:
                    result = evaluate(program, data)
                    return result is not None and any(set(pair) <= set(c) for c in result.conflicts) \
                        and any(f.label == base and f.certain for f in result.fired)
                both = _find(strategy, conflicting, examples)
                if both is not None:
                    findings.append(Finding.make(
                        "BR805", program.rules[other].span, base=rule.label, first=one, second=other,
                        incident=_json(both), trace=trace(program, both), searched=examples))

    failing = _find(strategy, lambda data: witness.fails(program, data), examples)
    if failing is not None:
        findings.append(_failure(program, failing, examples))
    return Analysis(tuple(findings), tuple(claims), exact=False)


def invariant(program: Program, inv: InvariantDef, examples: int = EXAMPLES,
              strategy: Any = None) -> tuple[Claim, Finding | None]:
    """One invariant searched: how it stands, and the finding that breaks it."""
    def broken(data: dict[str, Any]) -> bool:
        facts = witness.checked(program, data)
        if facts is None:
            return False
        try:
            return interpreter.conditions_after_decision(program, facts, [inv.expr])[0] is False
        except EvaluationError:
            return False
    found = _find(strategy if strategy is not None else _incidents(program), broken, examples)
    if found is None:
        return Claim("invariant", inv.name, inv.span, "searched", examples), None
    return Claim("invariant", inv.name, inv.span, "refuted", examples), Finding.make(
        "BR810", inv.span, name=inv.name, incident=_json(found), promise=inv.message, trace=trace(program, found),
        searched=examples)


def _failure(program: Program, data: dict[str, Any], examples: int) -> Finding:
    facts = witness.checked(program, data)
    try:
        interpreter.evaluate(program, facts)
        interpreter.conditions_after_decision(program, facts, [a.condition for a in program.actions])
    except EvaluationError as error:
        assert isinstance(error.span, Span)
        return Finding.make("BR809", error.span, label=error.label, reason=Term.of(f"evaluation.{error.reason}"),
                            incident=_json(data), searched=examples)
    raise AssertionError("the incident no longer fails")  # pragma: no cover


def _find(strategy: Any, condition: Callable[[Any], bool], examples: int) -> Any:
    from hypothesis import HealthCheck, find, settings
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    try:
        return find(strategy, condition, settings=settings(
            max_examples=examples, database=None, derandomize=True, suppress_health_check=list(HealthCheck)))
    except (NoSuchExample, Unsatisfiable):  # none found, or none to try (a fact that cannot rise)
        return None


def _incidents(program: Program) -> Any:
    from hypothesis import strategies as st

    read = sorted(witness.read_facts(program), key=list(program.facts).index)
    parts = {name: _values(program.facts[name]) for name in read}
    return st.fixed_dictionaries(parts).filter(lambda data: witness.checked(program, data) is not None)


def _pairs(incidents: Any, fact: FactDef, order: tuple[tuple[str, str], ...]) -> Any:
    from hypothesis import strategies as st

    return st.tuples(incidents, _values(fact)).map(lambda pair: (pair[0], {**pair[0], fact.name: pair[1]})) \
        .filter(lambda pair: _below(fact, order, pair[0].get(fact.name), pair[1].get(fact.name)))


def _below(fact: FactDef, order: tuple[tuple[str, str], ...], a: Any, b: Any) -> bool:
    """``a`` strictly below ``b`` in the declared order: the chains' when
    there are chains (members in no common chain are not compared)."""
    kind = fact.type.kind
    if a is None or b is None:
        return False
    if order:
        return (a, b) in order
    if kind == "set":
        return set(a) < set(b)
    if kind in ("enum", "level"):
        return fact.type.members.index(a) < fact.type.members.index(b)
    return bool(a < b)


def _values(fact: FactDef) -> Any:
    from hypothesis import strategies as st

    type_ = fact.type
    kind = type_.kind
    if kind == "bool":
        return st.booleans()
    if kind == "number":
        low = type_.low if type_.low is not None else -10**6
        high = type_.high if type_.high is not None else 10**6
        whole = st.integers(int(low), int(high))
        return whole if type_.integral else st.one_of(whole, st.floats(low, high, allow_nan=False))
    if kind == "duration":
        return st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))
    if kind == "datetime":
        return st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))
    if kind == "text":
        return st.text(max_size=8)
    if kind in ("enum", "level"):
        return st.sampled_from(type_.members)
    return st.lists(st.sampled_from(type_.members), unique=True).map(sorted)


def _json(data: Mapping[str, Any]) -> dict[str, Any]:
    from breachrules.durations import format_iso_duration

    out: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, timedelta):
            value = format_iso_duration(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        out[name] = value
    return out


def _shown(data: Mapping[str, Any], fact: str) -> str:
    """A fact's value as the incident writes it."""
    return json.dumps(data.get(fact), ensure_ascii=False)
