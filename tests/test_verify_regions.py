"""``breachrules diff`` keeps its promises on generated pairs of versions.

:func:`breachrules.verify.diff` lists the regions where two versions of a
ruleset decide differently (``src/breachrules/verify/regions.py``). Its
module docstring promises, for every pair it can encode and when it says
it is ``complete``:

1. every incident where the versions decide differently (a risk level or
   any other outcome, or whether an obligation is required) lies in a
   listed region: it satisfies every one of the region's conditions;
2. every change listed happens on its witness: the interpreter, given the
   witness restricted to each version's own facts, decides exactly the old
   and the new value, certainly;
3. a single-cause region's changes are produced in it, and a combined
   region's changes only where its causes meet: each witness lies in its
   region (no condition of it is false on the witness).

Here the first version is a generated ruleset (``breachrules.testing`` as
``tests/test_verify_semantics.py`` extends it) and the second a random
mutation of its text that still compiles: a number moved (a threshold, a
band's limit, a range's end, a default), a duration moved, a rule or an
exception dropped with the exceptions below it, ``and`` and ``or``
swapped, a comparison changed, a condition negated, a concluded level, a
band's or a table cell's level changed, a rule, an exception or an
exemption added, a fact's default dropped, given or turned over. Pairs
the encoding cannot express exactly (:class:`Unsupported`) are not cases.

Claim 1 is checked on complete incidents valid for both versions that
both evaluate (drawn, and each witness with the facts it leaves out
drawn), every region's conditions read in Python, form by form, exactly.
The module docstring promises that such an incident lies in *a* listed
region, and that is what is asserted first. A region does not list every
change that happens in it (the docstring's "with every change that
happens there" is not so): where causes meet, a region lists only the
changes none of its causes makes alone (``_Regions._cover``; BESIDES
below), so the incident's
change must be listed by a region it lies in or by a single-cause region
of one of the causes of a combined region it lies in. In a region whose
cause is a rule, an exception or an exemption, that part fires in one
version at least.

``--fail-on weaker`` fails exactly when some change listed lowers an
outcome or drops an obligation; every change there is is listed (so the
diff the other way round lists the same changes reversed, and an
incident that lowers an outcome makes the diff weaker); a version and
itself (or its text compiled again) have no regions.

The pinned cases at the end are minimal reproductions of what these tests
found; each asserts the correct behaviour.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import math
import os
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, event, given, note, reject, settings
from hypothesis import strategies as st

import breachrules
from breachrules import interpreter
from breachrules.errors import EvaluationError
from breachrules.incident import IncidentError, validate
from breachrules.program import Program

pytest.importorskip("z3")

from breachrules import compare, verify  # noqa: E402
from breachrules.verify import regions, witness  # noqa: E402
from breachrules.verify.encoding import Encoding, Space, Unsupported, micros  # noqa: E402
from tests.test_verify_semantics import complete_incidents, extended_rulesets  # noqa: E402

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
# Shrinking recompiles and re-diffs a generated pair thousands of times: the
# default run reports a failure as found (as the other generated-ruleset tests do).
PHASES = tuple(Phase) if THOROUGH else tuple(p for p in Phase if p is not Phase.shrink)
LARGE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
         HealthCheck.filter_too_much]
INCIDENTS_PER_PAIR = 12
WITNESSES = 12  # witnesses completed per pair
MUTANT = "zmut"  # a label and name no generated ruleset uses
CLAUSE = ' because "m" cite "c"'


# ------------------------------------------------------------------ mutations

NUMBER = re.compile(r"(?<!\w)(?<!\d\.)\d+(?:\.\d+)?(?!\w|\.\d)")
DURATION = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(min|h|d|w)\b")
COMPARISON = re.compile(r"(?<=[\s)])(<=|>=|<|>|==|!=)(?=\s)")
STATEMENTS = ("rule ", "exception ", "define ", "obligation ", "exemption ", "score ", "action ", "invariant ",
              "fact ", "  ")


def _spans(pattern: re.Pattern[str], text: str, where: tuple[str, ...]) -> list[re.Match[str]]:
    """The matches of ``pattern`` on lines that start with one of ``where``,
    outside string literals (messages, citations, text constants)."""
    found = []
    for m in pattern.finditer(text):
        line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        if line.startswith(where) and line.count('"') % 2 == 0:
            found.append(m)
    return found


def _replace(text: str, match: re.Match[str], new: str, group: int = 0) -> str:
    a, b = match.span(group)
    return text[:a] + new + text[b:]


def _scales(text: str) -> dict[str, list[str]]:
    return {m.group(1): [w.strip() for w in m.group(2).split("<")]
            for m in re.finditer(r"^scale (\w+): (.*)$", text, re.M)}


def _tree(text: str, label: str) -> set[str]:
    """A rule or an exception and every exception below it."""
    under = {label}
    while True:
        more = {m.group(1) for m in re.finditer(r"^exception (\w+) to (\w+) ", text, re.M) if m.group(2) in under}
        if more <= under:
            return under
        under |= more


def _labelled(line: str) -> str | None:
    """The label of a rule's or an exception's line."""
    m = re.match(r"(?:rule|exception) (\w+) ", line)
    return m.group(1) if m else None


def _condition_span(line: str) -> tuple[int, int] | None:
    """Where a rule's, exception's, obligation's or exemption's ``when``
    condition is on its line."""
    start = line.find(" when ")
    if start < 0:
        return None
    start += len(" when ")
    ends = [i for i in (line.find(" then ", start), line.find(" due ", start), line.find(" instead ", start),
                        line.find(' because "', start), line.find(' says "', start)) if i >= 0]
    return (start, min(ends)) if ends else None


def _one(draw: Any, found: list[re.Match[str]]) -> re.Match[str]:
    assume(found)
    return draw(st.sampled_from(found))  # type: ignore[no-any-return]


def _level_at(draw: Any, lines: list[str], found: list[tuple[int, int, int, str]], scales: dict[str, list[str]],
              what: str) -> tuple[str, str]:
    """One of the levels ``found`` (line, start, end, scale) replaced by another of its scale."""
    assume(found)
    i, a, b, scale = draw(st.sampled_from(found))
    level = draw(st.sampled_from(scales[scale]))
    assume(level != lines[i][a:b])
    lines[i] = lines[i][:a] + level + lines[i][b:]
    return "".join(lines), f"line {i}: {what} {lines[i][a:b]} -> {level}"


def threshold(draw: Any, text: str) -> tuple[str, str]:
    """A number moved: a threshold, a band's limit, a range's end, a default."""
    match = _one(draw, _spans(NUMBER, text, STATEMENTS))
    old = Fraction(match.group())
    new = draw(st.sampled_from([old + 1, old - 1, old * 2, old // 2, Fraction(0), old + 500])) \
        if draw(st.booleans()) else Fraction(draw(st.integers(0, 2000)))
    assume(new >= 0 and new != old)
    shown = str(new.numerator) if new.denominator == 1 else f"{float(new)}"
    return _replace(text, match, shown), f"{match.group()} -> {shown} at {match.start()}"


def duration(draw: Any, text: str) -> tuple[str, str]:
    match = _one(draw, _spans(DURATION, text, STATEMENTS))
    amount = draw(st.sampled_from(["0", "1", "2", "24", "72", "100", "1.5"]))
    unit = draw(st.sampled_from([match.group(2), "min", "h", "d", "w"]))
    assume(amount + unit != match.group())
    return _replace(text, match, amount + unit), f"{match.group()} -> {amount}{unit} at {match.start()}"


def dropped(word: str) -> Any:
    """A rule, or an exception, dropped with the exceptions below it."""
    def drop(draw: Any, text: str) -> tuple[str, str]:
        labels = re.findall(rf"^{word} (\w+) ", text, re.M)
        assume(labels)
        label = draw(st.sampled_from(labels))
        gone = _tree(text, label)
        kept = [line for line in text.splitlines(keepends=True) if _labelled(line) not in gone]
        return "".join(kept), f"without {word} {label}"
    return drop


def and_or(draw: Any, text: str) -> tuple[str, str]:
    match = _one(draw, _spans(re.compile(r" (and|or) "), text, STATEMENTS))
    other = "or" if match.group(1) == "and" else "and"
    return _replace(text, match, other, 1), f"{match.group(1)} -> {other} at {match.start()}"


def comparison(draw: Any, text: str) -> tuple[str, str]:
    found = [m for m in _spans(COMPARISON, text, ("rule ", "exception ", "define ", "obligation ", "exemption "))
             if " then " not in text[text.rfind("\n", 0, m.start()):m.start()]]  # not a conclusion's >=
    match = _one(draw, found)
    new = draw(st.sampled_from([op for op in ("<", "<=", ">", ">=", "==", "!=") if op != match.group()]))
    return _replace(text, match, new), f"{match.group()} -> {new} at {match.start()}"


def negated(draw: Any, text: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    spans = {i: span for i, line in enumerate(lines)
             if line.startswith(("rule ", "exception ", "obligation ", "exemption "))
             and (span := _condition_span(line)) is not None}
    assume(spans)
    i = draw(st.sampled_from(sorted(spans)))
    a, b = spans[i]
    lines[i] = lines[i][:a] + f"not ({lines[i][a:b]})" + lines[i][b:]
    return "".join(lines), f"line {i} negated"


def concluded(draw: Any, text: str) -> tuple[str, str]:
    """The level a rule or an exception concludes (written bare or qualified)."""
    lines, scales = text.splitlines(keepends=True), _scales(text)
    found = []
    for i, line in enumerate(lines):
        if line.startswith(("rule ", "exception ")) and " then " in line:
            head = line.index(" then ")
            for m in re.finditer(r"(\w+) >= (?:(\w+)\.)?(\w+)", line[head:]):
                if m.group(1) in scales and m.group(3) in scales[m.group(1)] and m.group(2) in (None, m.group(1)):
                    found.append((i, head + m.start(3), head + m.end(3), m.group(1)))
    return _level_at(draw, lines, found, scales, "concluded")


def cell(draw: Any, text: str) -> tuple[str, str]:
    """The level of a score's band or of a combine table's cell."""
    lines, scales = text.splitlines(keepends=True), _scales(text)
    found = []
    target, header = None, False
    for i, line in enumerate(lines):
        if line.startswith(("score ", "combine ")):
            head = re.match(r"(?:score \w+: (\w+)|combine (\w+)) =", line)
            target = (head.group(1) or head.group(2)) if head else None
            header = line.startswith("combine ")  # a table's first line names its columns
        elif not line.startswith("  "):
            target = None
        elif header:
            header = False
        elif target in scales:
            body = line.index(":") + 1
            found += [(i, body + m.start(), body + m.end(), target) for m in re.finditer(r"\w+", line[body:])
                      if m.group() in scales[target]]
    return _level_at(draw, lines, found, scales, "band or cell")


def default(draw: Any, text: str) -> tuple[str, str]:
    """A fact's default dropped, or a Boolean's given or turned over."""
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines)
             if line.startswith("fact ") and (" default " in line or ": bool" in line)]
    assume(found)
    i = draw(st.sampled_from(found))
    line = lines[i].rstrip("\n")
    if " default " in line and (": bool" not in line or draw(st.booleans())):
        changed = line[:line.index(" default ")]
    elif " default " in line:
        changed = line.replace("default true", "default false") if "default true" in line else \
            line.replace("default false", "default true")
    else:
        changed = f"{line} default {draw(st.sampled_from(['true', 'false']))}"
    lines[i] = changed + "\n"
    return "".join(lines), f"{line!r} -> {changed!r}"


def added(kind: str) -> Any:
    """A rule, an exception (without a conclusion: it sets its base aside)
    or an exemption, on a Boolean fact or a count's threshold."""
    def add(draw: Any, text: str) -> tuple[str, str]:
        bools = re.findall(r"^fact (\w+): bool", text, re.M)
        counts = re.findall(r"^fact (\w+): count", text, re.M)
        conditions = [*bools, *(f"not {b}" for b in bools), *(f"{n} > {k}" for n in counts for k in (0, 3, 100))]
        when = "always" if not conditions or draw(st.integers(0, 5)) == 0 else \
            f"when {draw(st.sampled_from(conditions))}"
        if kind == "rule":
            scales = _scales(text)
            scale = draw(st.sampled_from(sorted(scales)))
            line = f"rule {MUTANT} {when} then {scale} >= {draw(st.sampled_from(scales[scale]))}{CLAUSE}"
        else:
            pattern = r"^(?:rule|exception) (\w+) " if kind == "exception" else r"^obligation (\w+)"
            targets = re.findall(pattern, text, re.M)
            assume(targets)
            line = f"{kind} {MUTANT} to {draw(st.sampled_from(targets))} {when}{CLAUSE}"
        return text + line + "\n", line
    return add


MUTATIONS = {"threshold": threshold, "duration": duration, "drop rule": dropped("rule"),
             "drop exception": dropped("exception"), "and/or": and_or, "comparison": comparison,
             "negate": negated, "concluded level": concluded, "band or cell": cell, "default": default,
             "add rule": added("rule"), "add exception": added("exception"), "add exemption": added("exemption")}


@st.composite
def mutations(draw: Any, text: str) -> tuple[str, str]:
    """A changed version of a ruleset's text, and what changed; not always
    one that compiles."""
    kind = draw(st.sampled_from(sorted(MUTATIONS)))
    return MUTATIONS[kind](draw, text)  # type: ignore[no-any-return]


def loaded(text: str) -> breachrules.Ruleset:
    """The compiled ruleset; a text the checker refuses is not a case."""
    try:
        return breachrules.loads(text)
    except breachrules.RulesetError:
        reject()


def pair(data: st.DataObject) -> tuple[breachrules.Ruleset, breachrules.Ruleset, str, str]:
    """A generated ruleset the encoding can express, a mutation of it that
    compiles, what the mutation changed, and the first version's text."""
    text = data.draw(extended_rulesets(), label="old")
    if "/" in text:  # division: floating point, which the encoding does not express (and compiling is slow)
        reject()
    old = loaded(text)
    try:
        Encoding(old.program, Space())  # cheaper than compiling a mutation of a ruleset never diffed
    except Unsupported:
        reject()
    new_text, what = data.draw(mutations(text), label="mutation")
    assume(new_text != text)
    note(f"new version:\n{new_text}")
    return old, loaded(new_text), what, text


def diffed(old: breachrules.Ruleset, new: breachrules.Ruleset) -> regions.Diff:
    try:
        return verify.diff(old, new)
    except Unsupported:
        reject()


# ------------------------------------------------------------------ reading a version


def facts_of(program: Program, data: Mapping[str, Any]) -> Any:
    """Incident data of both versions as one version validates it (its own
    facts; None when it refuses them)."""
    try:
        return validate(program, {k: v for k, v in data.items() if k in program.facts}, frozenset(program.facts))
    except IncidentError:
        return None


def decided(program: Program, facts: Mapping[str, Any]) -> dict[str, Any] | None:
    """Every output the interpreter decides (outcome:NAME a level's index,
    obligation:NAME whether required; None where not certain), or None
    when the evaluation fails."""
    try:
        result = interpreter.evaluate(program, facts)
    except EvaluationError:
        return None
    found: dict[str, Any] = {}
    for name, level in result.levels.items():
        found[f"outcome:{name}"] = level.hi if level.lo == level.hi else None
    for name, status in result.obligations.items():
        found[f"obligation:{name}"] = status.required
    return found


Triple = tuple[str, Any, Any]  # (output, old value, new value)


def differences(old: Program, new: Program, before: dict[str, Any], after: dict[str, Any]) -> set[Triple]:
    """(output, old, new) for every output the two versions decide
    differently: the outcomes both have, every obligation (one a version
    does not have it never requires)."""
    keys = [f"outcome:{o.name}" for o in old.outcomes if any(p.name == o.name for p in new.outcomes)]
    keys += sorted({f"obligation:{ob.name}" for ob in (*old.obligations, *new.obligations)})
    found = set()
    for key in keys:
        a, b = before.get(key, False), after.get(key, False)
        assert a is not None and b is not None, f"{key} is not certain on a complete incident"
        if a != b:
            found.add((key, a, b))
    return found


def triples(region: regions.Region) -> set[Triple]:
    return {(c.output, c.old, c.new) for c in region.changes}


# ------------------------------------------------------------------ reading a region's conditions

ISO = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def iso_micros(text: str) -> int:
    """An ISO 8601 duration as ``format_iso_duration`` writes it, in microseconds, exactly."""
    match = ISO.fullmatch(text)
    assert match is not None, f"not a duration as conditions write them: {text!r}"
    sign, days, hours, minutes, seconds = match.groups()
    total = (int(days or 0) * 86_400 + int(hours or 0) * 3600 + int(minutes or 0) * 60) * 10**6
    total += int(Fraction(seconds or 0) * 10**6)
    return -total if sign else total


INSTANT = re.compile(r"(.+)([+-])(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{6}))?)?")


def iso_instant(text: str) -> datetime:
    """An instant as ``witness.instant`` writes it, exactly: the C
    ``datetime.fromisoformat`` reads an offset of under a second
    ("+00:00:00.000001") as UTC (see the pinned cases)."""
    match = INSTANT.fullmatch(text)
    assert match is not None, f"not an instant as conditions write them: {text!r}"
    local, sign, hours, minutes, seconds, fraction = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0),
                       microseconds=int(fraction or 0))
    return datetime.fromisoformat(local).replace(tzinfo=timezone(-offset if sign == "-" else offset))


def _ordered(op: str, value: Any, limit: Any) -> bool:
    return bool({">=": value >= limit, "<=": value <= limit, "==": value == limit, ">": value > limit,
                 "<": value < limit}[op])


def _literal(text: str) -> Fraction:
    """A number in a condition, as the ruleset language reads it (and JSON,
    and so the incident): a whole number exactly, any other as a float.
    ``0.000000000001`` is the float nearest it, as in the ruleset that
    wrote it, not the fraction 1/10**12 (which no incident can give)."""
    return Fraction(int(text)) if re.fullmatch(r"-?\d+", text) else Fraction(float(text))


def holds(condition: regions.Condition, old: Program, new: Program, before: Mapping[str, Any],
          after: Mapping[str, Any]) -> bool | None:
    """Whether a condition holds of validated incident facts (``before``
    as the old version takes them, ``after`` as the new one does); None
    when it reads a fact not known. Only the forms the docstring of
    :class:`regions.Condition` and the module describe are read."""
    name, text = condition.fact, condition.text
    fact = old.facts.get(name) or new.facts.get(name)
    q = re.escape(name)
    if fact is None:  # a definition both versions define alike, read in each
        assert text in (name, f"not {name}"), f"a definition's condition: {text!r}"
        values = []
        for program, facts in ((old, before), (new, after)):
            define = next(d for d in program.defines if d.name == name)
            try:
                values.append(interpreter.conditions_after_decision(program, facts, [define.expr])[0])
            except EvaluationError:
                values.append(None)
        known = [v for v in values if v is not None]
        assert len(set(known)) <= 1, f"the versions define {name} differently here: {values}"
        return None if not known else known[0] is (text == name)
    facts = before if name in old.facts else after
    if name not in facts:
        return None
    value, kind = facts[name], fact.type.kind
    if kind == "bool":
        assert text in (name, f"not {name}"), text
        return bool(value is (text == name))
    if kind == "enum":
        if m := re.fullmatch(rf"{q} == (\w+)", text):
            return bool(value == m.group(1))
        m = re.fullmatch(rf"{q} in \{{(\w+(?:, \w+)+)\}}", text)
        assert m is not None, text
        return value in m.group(1).split(", ")
    if kind == "level":
        m = re.fullmatch(rf"{q} == (\w+)", text)
        assert m is not None, text
        return bool(value == fact.type.members.index(m.group(1)))
    if kind == "set":
        m = re.fullmatch(rf"(\w+) (in|not in) {q}", text)
        assert m is not None, text
        return (m.group(1) in value) is (m.group(2) == "in")
    if kind in ("number", "duration"):
        exact = (lambda v: Fraction(v)) if kind == "number" else micros
        written = _literal if kind == "number" else iso_micros
        # two facts compared with each other: "a <= b", "a >= -b + 2", "d < e - PT1H"
        m = re.fullmatch(rf"{q} (>=|<=|==|>|<) (-?)([A-Za-z_]\w*)(?: ([+-]) (\S+))?", text)
        if m is not None and (m.group(3) in old.facts or m.group(3) in new.facts):  # (not "P2D")
            other = m.group(3)
            given = before if other in old.facts else after
            if other not in given:
                return None
            offset = Fraction(0) if m.group(4) is None else written(m.group(5)) * (1 if m.group(4) == "+" else -1)
            side = exact(given[other]) * (-1 if m.group(2) else 1) + offset
            return _ordered(m.group(1), exact(value), side)
        if kind == "number":
            m = re.fullmatch(rf"{q} (>=|<=|==|>|<) (-?\d+(?:\.\d+)?)", text)
            assert m is not None, text
            return _ordered(m.group(1), Fraction(value), _literal(m.group(2)))
        m = re.fullmatch(rf"{q} (>=|<=|==|>|<) (\S+)", text)
        assert m is not None, text
        return _ordered(m.group(1), micros(value), iso_micros(m.group(2)))
    if kind == "datetime":
        m = re.fullmatch(rf"{q} == (\S+)", text)
        assert m is not None, text
        moment = iso_instant(m.group(1))
        return bool(value == moment and value.utcoffset() == moment.utcoffset())
    m = re.fullmatch(rf"{q} == (.+)", text, re.S)
    assert m is not None, text
    return bool(value == ast.literal_eval(m.group(1)))


def inside(region: regions.Region, old: Program, new: Program, before: Mapping[str, Any],
           after: Mapping[str, Any]) -> bool | None:
    """Whether incident facts satisfy every condition of a region (None: no
    condition is false, some read a fact not known)."""
    truths = [holds(c, old, new, before, after) for c in region.conditions]
    return False if False in truths else None if None in truths else True


def causes(region: regions.Region) -> list[str]:
    return region.cause.split(" + ") if region.cause else []


# ------------------------------------------------------------------ the claims


def assert_changes_shown(diff: regions.Diff, old: Program, new: Program) -> None:
    """Claims 2 and 3: every change happens on its witness, certainly, and
    the witness lies in its region."""
    for number, region in enumerate(diff.regions):
        assert region.changes, f"region {number} ({region.cause}) lists no change"
        for change in region.changes:
            where = f"region {number} ({region.kind} {region.cause}), {change.output}: {dict(change.incident)}"
            before, after = facts_of(old, change.incident), facts_of(new, change.incident)
            assert before is not None and after is not None, f"{where}: a version refuses the witness"
            a, b = decided(old, before), decided(new, after)
            assert a is not None and b is not None, f"{where}: a version fails to evaluate the witness"
            assert (a.get(change.output, False), b.get(change.output, False)) == (change.old, change.new), (
                f"{where}: listed {change.old} -> {change.new}, the interpreter decides "
                f"{a.get(change.output, False)} -> {b.get(change.output, False)} (None: not certain)")
            assert inside(region, old, new, before, after) is not False, (
                f"{where}: the witness is outside its region {[c.text for c in region.conditions]}")


def assert_covered(diff: regions.Diff, old: Program, new: Program, data: Mapping[str, Any]) -> bool:
    """Claim 1 on one complete incident: where the versions decide
    differently, it lies in a listed region, and its change is listed by a
    region it lies in (or, where causes meet, by a region of one of those
    causes alone). Whether the versions differ on it."""
    before, after = facts_of(old, data), facts_of(new, data)
    if before is None or after is None or not before.complete or not after.complete:
        return False
    a, b = decided(old, before), decided(new, after)
    if a is None or b is None:
        return False
    changed = differences(old, new, a, b)
    containing = [r for r in diff.regions if inside(r, old, new, before, after)]
    fired = {f.label for result in (interpreter.evaluate(old, before), interpreter.evaluate(new, after))
             for f in result.fired if f.certain}
    for region in containing:  # a rule, exception or exemption that decides differently applies on a side
        for label in causes(region):
            applies = (label in {*old.rules, *new.rules, *old.exemptions, *new.exemptions}
                       and label not in {o.name for o in (*old.outcomes, *new.outcomes)})
            if region.kind in ("rule", "exception", "exemption", "combined") and applies:
                assert label in fired, f"{label} decides differently in region {region.cause}, fires on neither side"
    if not changed:
        return False
    shown = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    assert containing, f"the versions decide {sorted(changed, key=str)} on {shown}: in no listed region"
    for triple in changed:
        listed = any(triple in triples(r) for r in containing)
        alone = any(triple in triples(s) for r in containing if r.kind == "combined"
                    for s in diff.regions if s.kind != "combined" and s.cause in causes(r))
        assert listed or alone, (
            f"{triple} on {shown}: no region it lies in lists it "
            f"(it lies in {[(r.kind, r.cause, sorted(triples(r), key=str)) for r in containing]})")
    return True


def completions(diff: regions.Diff, old: Program, data: st.DataObject) -> list[dict[str, Any]]:
    """Complete incidents: drawn, and each witness with the facts it leaves
    out drawn (the incidents near the regions)."""
    found = [data.draw(complete_incidents(old), label="incident") for _ in range(INCIDENTS_PER_PAIR)]
    witnesses = [c.incident for r in diff.regions for c in r.changes][:WITNESSES]
    for shown in witnesses:
        found.append({**data.draw(complete_incidents(old), label="completion"), **shown})
    return found


@settings(max_examples=200 if THOROUGH else 35, phases=PHASES, suppress_health_check=LARGE, deadline=None)
@given(data=st.data())
def test_regions_cover_every_difference_and_show_every_change(data: st.DataObject) -> None:
    old, new, what, _ = pair(data)
    diff = diffed(old, new)
    note(f"mutation: {what}; regions: {[(r.kind, r.cause, [c.text for c in r.conditions]) for r in diff.regions]}")
    differing = 0
    if diff.complete:  # claim 1 first: a difference no region shows is the worse failure
        for incident in completions(diff, old.program, data):
            differing += assert_covered(diff, old.program, new.program, incident)
    assert_changes_shown(diff, old.program, new.program)
    event(f"incidents where the versions differ: {min(differing, 3)}{'+' if differing >= 3 else ''}")
    event(f"regions: {min(len(diff.regions), 3)}{'+' if len(diff.regions) >= 3 else ''}")


# ------------------------------------------------------------------ --fail-on weaker, and no change


def exit_code(diff: regions.Diff, old: breachrules.Ruleset, new: breachrules.Ruleset, fail_on: str | None) -> int:
    """``breachrules diff --fail-on`` on a diff already made."""
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()):
        patch.setattr(verify, "diff", lambda a, b: diff)
        return compare.run(old, new, "en", "text", fail_on)


def lowers(triple: Triple) -> bool:
    output, a, b = triple
    return (a is True and b is False) if output.startswith("obligation:") else bool(b < a)


@settings(max_examples=100 if THOROUGH else 16, phases=PHASES, suppress_health_check=LARGE, deadline=None)
@given(data=st.data())
def test_fail_on_weaker_is_a_change_that_lowers_or_drops(data: st.DataObject) -> None:
    old, new, what, text = pair(data)
    diff, back = diffed(old, new), diffed(new, old)
    listed = {t for r in diff.regions for t in triples(r)}
    note(f"mutation: {what}; changes: {sorted(listed, key=str)}")
    assert diff.weaker is any(lowers(t) for t in listed)
    assert exit_code(diff, old, new, "weaker") == (1 if diff.weaker else 0)
    assert exit_code(diff, old, new, "any") == (1 if diff.regions else 0)
    assert exit_code(diff, old, new, None) == 0
    for other in (old, breachrules.loads(text)):  # a version and itself
        same = diffed(old, other)
        assert same.regions == () and same.complete and not same.weaker
        assert exit_code(same, old, other, "any") == 0
    if not (diff.complete and back.complete):
        return
    # every change there is is listed (where causes meet, by a cause alone):
    # the other way round, the same changes reversed
    assert {t for r in back.regions for t in triples(r)} == {(o, b, a) for o, a, b in listed}
    assert back.weaker is any(lowers((o, b, a)) for o, a, b in listed)
    for _ in range(INCIDENTS_PER_PAIR):  # a change the wrong way is never missed
        incident = data.draw(complete_incidents(old.program), label="incident")
        before, after = facts_of(old.program, incident), facts_of(new.program, incident)
        if before is None or after is None:
            continue
        a, b = decided(old.program, before), decided(new.program, after)
        if a is not None and b is not None:
            changed = differences(old.program, new.program, a, b)
            assert changed <= listed, f"{sorted(changed - listed, key=str)} on {incident} is not listed"
            if any(lowers(t) for t in changed):
                assert diff.weaker


# ------------------------------------------------------------------ minimal cases found


def _pair(old_text: str, new_text: str) -> tuple[Program, Program, regions.Diff]:
    old, new = breachrules.loads(old_text), breachrules.loads(new_text)
    return old.program, new.program, verify.diff(old, new)


# Every form a condition takes (a shared definition, an enum's members, a
# number's and a duration's bounds, a level, a set's members), read here
# as diff writes it: the property tests' reading of regions is not vacuous.
FORMS = """ruleset f
scale risk: none < low < high
fact kind: {a, b, c}
fact tags: set of {p, q}
fact seen: risk
fact wait: duration
fact n: count
fact leaked: bool
define urgent = leaked and wait > 72h
rule r when kind in {a, b} and p in tags and q not in tags and seen >= low and urgent and n > 100
  then risk >= high because "m" cite "c"
rule w when not leaked and wait > 24h then risk >= low because "m" cite "c"
"""
FORMS_CHANGED = FORMS.replace("n > 100", "n > 200").replace("seen >= low", "seen == high").replace(
    "wait > 24h", "wait > 48h")


@functools.cache
def _forms() -> tuple[Program, Program, regions.Diff]:
    return _pair(FORMS, FORMS_CHANGED)


def test_every_form_of_condition_is_read() -> None:
    old, new, diff = _forms()
    assert diff.complete and len(diff.regions) == 3
    texts = {c.text for r in diff.regions for c in r.conditions}
    assert {"urgent", "kind in {a, b}", "n >= 101", "n <= 200", "seen == low", "p in tags", "q not in tags",
            "not leaked", "wait >= P1DT0.000001S", "wait <= P2D"} <= texts
    assert_changes_shown(diff, old, new)
    # on the edges: inside, and a microsecond or one more outside
    (threshold,) = [r for r in diff.regions if any(c.text == "wait <= P2D" for c in r.conditions)]
    for wait, lies in (("P1DT0.000001S", True), ("P2D", True), ("P1D", False), ("P2DT0.000001S", False)):
        data = {"kind": "c", "tags": [], "seen": "none", "wait": wait, "n": 0, "leaked": False}
        assert inside(threshold, old, new, facts_of(old, data), facts_of(new, data)) is lies, wait
        assert assert_covered(diff, old, new, data) is lies


@settings(max_examples=100 if THOROUGH else 40, deadline=None)
@given(data=st.data())
def test_every_difference_between_two_hand_written_versions_lies_in_a_region(data: st.DataObject) -> None:
    old, new, diff = _forms()
    for incident in completions(diff, old, data):
        assert_covered(diff, old, new, incident)


# Where two causes meet, a region lists only the changes neither makes
# alone (_Regions._cover's `known`); when that left it with none, the
# region was not listed at all (`if changes:`), though its cube was counted
# as covered. Here the old version's rules a (x or y) and b (y) are both
# gone: a alone decides differently where x and not y, its region is "x";
# where y both do, and the risk falls just as it does where a is alone, so
# the region "y" was dropped: {x: false, y: true} went from high to none in
# no listed region, and the diff said it was complete (fixed in a3d659c).
MEET = """ruleset v
scale risk: none < high
fact x: bool
fact y: bool
rule a when x or y then risk >= high because "r" cite "c"
rule b when y then risk >= high because "r" cite "c"
"""


def test_a_difference_where_causes_meet_lies_in_a_listed_region() -> None:
    old, new, diff = _pair(MEET, "ruleset v\nscale risk: none < high\nfact x: bool\nfact y: bool\n")
    assert diff.complete
    for x in (False, True):
        for y in (False, True):
            assert assert_covered(diff, old, new, {"x": x, "y": y}) is (x or y)  # fails on {x: false, y: true}


# Why claim 1 is checked as it is: where a and b meet (y), the risk falls
# as it does where a is alone (x), so the combined region lists only what
# changes there besides; {x: false, y: true} lies in that region alone, and
# no region it lies in lists its fall of the risk (a's region, "x", does).
BESIDES = """ruleset v
scale risk: none < high
scale other: no < yes
fact x: bool
fact y: bool
obligation o when risk >= high and other >= yes says "s" cite "c"
"""


def test_where_causes_meet_a_change_one_makes_alone_is_listed_with_that_cause() -> None:
    old, new, diff = _pair(BESIDES + 'rule a when x or y then risk >= high because "r" cite "c"\n'
                           'rule b when y then other >= yes because "r" cite "c"\n', BESIDES)
    assert [(r.kind, r.cause, [c.text for c in r.conditions]) for r in diff.regions] == [
        ("rule", "a", ["x"]), ("combined", "a + b", ["y"])]
    assert ("outcome:risk", 1, 0) not in triples(diff.regions[1])
    for x in (False, True):
        for y in (False, True):
            assert assert_covered(diff, old, new, {"x": x, "y": y}) is (x or y)


# The regions' goal (`differ`) did not exclude incidents whose evaluation
# fails, and _Regions._example keeps the solver's model as the witness when
# the interpreter does not confirm it (`if holds(found) else found`). Here
# t + d fails past the year 9999: the model t = 1970, d = 3010000 days did,
# in both versions, though t = 1900, d = 2950000 days in the same region
# shows the change. And where every incident fails (t - 999999w is before
# the year 1 for every t), a change was listed that no incident shows
# (fixed in a3d659c).
OVERFLOW = """ruleset w
scale risk: lo < hi
fact t: datetime
fact d: duration
define far = t + d
obligation o always due far says "o" cite "c"
rule r when d > 420000w then risk >= hi because "m" cite "c"
"""
ALWAYS_FAILS = """ruleset w
scale risk: lo < hi
fact t: datetime
define far = t - 999999w
obligation o always due far says "o" cite "c"
rule r always then risk >= hi because "m" cite "c"
"""


def test_a_witness_is_an_incident_both_versions_evaluate() -> None:
    old, new, diff = _pair(OVERFLOW, OVERFLOW.replace("420000w", "430000w"))
    assert assert_covered(diff, old, new, {"t": "1900-01-01T00:00:00+00:00", "d": "P2950000D"})
    assert_changes_shown(diff, old, new)  # the witness fails to evaluate
    old, new, diff = _pair(ALWAYS_FAILS, ALWAYS_FAILS.replace("risk >= hi", "risk >= lo"))
    assert_changes_shown(diff, old, new)  # no incident evaluates: nothing can be shown to change


# witness.shrink left a fact out when its value was the old version's
# default (`_same(self.old, ...)`) without asking whether the change still
# happens: the new version reads its own default. Here b = false was left
# out of the witness of the rule's new condition; the new version read b =
# true, and decided lo, not the hi listed (fixed in a3d659c).
DEFAULT = """ruleset w
scale risk: lo < hi
fact b: bool default false
fact c: bool
rule r when b and c then risk >= hi because "m" cite "c"
"""


def test_a_witness_keeps_a_fact_whose_default_the_versions_do_not_share() -> None:
    old, new, diff = _pair(DEFAULT, DEFAULT.replace("default false", "default true").replace(
        "when b and c", "when not b and c"))
    assert_changes_shown(diff, old, new)  # {"c": true}: the new version decides lo


# witness.shrink left a fact out when the change still happened with its
# default, without asking whether the witness stays in its region: n = 4
# (the first region, 4 to 10) was left to the default 12, which lies in the
# second (11 to 14): the first region's witness {} was outside it (fixed in
# a3d659c).
OUTSIDE = """ruleset w
scale risk: lo < hi
scale other: no < yes
fact n: count default 12
rule r when n > 3 and n < 15 then risk >= hi because "m" cite "c"
rule s when n > 10 then other >= yes because "m" cite "c"
"""


def test_a_witness_lies_in_its_region() -> None:
    old, new, diff = _pair(OUTSIDE, OUTSIDE.replace("rule r when n > 3 and n < 15", "rule r when false"))
    assert [[c.text for c in r.conditions] for r in diff.regions] == [["n >= 4", "n <= 10"], ["n >= 11", "n <= 14"]]
    assert_changes_shown(diff, old, new)  # the first region's witness {} is n = 12


# witness.instant writes an instant with its UTC offset as isoformat()
# does, to the microsecond, and the solver takes any offset within a day;
# incident validation reads it back with datetime.fromisoformat, whose C
# implementation (CPython 3.11 to 3.13) reads an offset of no whole second
# ("-00:00:00.000002") as UTC. A diff's witness with two such instants
# (found for "n2 + delay > x_y" turned to "<") compares other instants than
# the solver's, and the interpreter does not decide the change listed.
def test_an_instant_with_an_offset_under_a_second_is_read_as_written() -> None:
    program = breachrules.loads("ruleset i\nscale risk: none < high\nfact t: datetime\n").program
    for offset in (1, -2, 999_999):
        shown = witness.instant(0, offset)
        assert iso_instant(shown).utcoffset() == timedelta(microseconds=offset)
        read = facts_of(program, {"t": shown})["t"]
        assert (micros(read), read.utcoffset()) == (0, timedelta(microseconds=offset)), shown


# Encoding.evaluates() (a3d659c) says no failure guard holds, the actions'
# among them; the regions ask it of every incident, but an assessment
# never reads the actions' conditions (interpreter.evaluate does not; a
# report does, after the decision). An action whose condition fails on
# every incident (t + 99999999d is past the year 9999) leaves no incident
# to compare: the diff lists no region and says it is complete, though the
# risk goes from hi to lo wherever b holds.
ACTION = """ruleset w
scale risk: lo < hi
fact t: datetime
fact b: bool
plan p: first
action a in first when t + 99999999d > t says "a" cite "c"
rule r when b then risk >= hi because "m" cite "c"
"""


def test_an_action_whose_condition_fails_leaves_no_decision_to_differ() -> None:
    """An assessment decides the actions with everything else: where an
    action's condition cannot be evaluated, neither version has an answer
    (BR809 reports it), so there is no difference to list."""
    old, new, diff = _pair(ACTION, ACTION.replace("when b", "when not b"))
    assert diff.complete and diff.regions == ()
    for b in (False, True):
        data = {"t": "2026-01-05T09:00:00+00:00", "b": b}
        facts = facts_of(old, data)
        assert facts is not None and decided(old, facts) is None
    fine = ACTION.replace("t + 99999999d > t", "t + 1d > t")
    old, new, diff = _pair(fine, fine.replace("when b", "when not b"))
    assert diff.regions != ()
    for b in (False, True):
        assert assert_covered(diff, old, new, {"t": "2026-01-05T09:00:00+00:00", "b": b})


# A number that need not be whole, compared with a small threshold through
# a definition and negations (found for "exemption zmut to l13 always",
# where l13 asks `(- - ... - n6) > 0.000000000001` and n6 = min(n2, n2, y)).
# The thresholds were read only where a fact is compared directly with a
# whole number, so n had none: its conditions fell back to the solver's
# values, and each region was one point, halving towards the threshold
# (n == 0.5000000000005, n == 0.25000000000075, ...) until the limit cut
# the list short; and the witness, the float nearest each fraction, lay
# outside its own region.
REAL = """ruleset w
scale risk: none < high
fact n: number -1000.5..999999999999999
fact y: count 0.. default 3
define low = min(n, n, y)
obligation o when (- - - - - - low) > 0.000000000001 says "o" cite "c"
"""


def test_a_number_compared_through_a_definition_is_a_range_from_its_threshold() -> None:
    old, new, diff = _pair(REAL, REAL + 'exemption e to o always because "m" cite "c"\n')
    assert diff.complete
    assert [(r.kind, r.cause, [c.text for c in r.conditions]) for r in diff.regions] == [
        ("exemption", "e", ["n > 0.000000000001", "y >= 1"])]
    assert_changes_shown(diff, old, new)  # the witness is a float, inside
    (region,) = diff.regions
    assert isinstance(region.incident["n"], (int, float))
    # on the edge: the threshold the ruleset wrote (the float 0.000000000001)
    # is outside, the float after it inside
    threshold = 0.000000000001
    for n, lies in ((threshold, False), (math.nextafter(threshold, 1), True), (0.0, False), (1000.0, True)):
        data = {"n": n, "y": 1}
        assert inside(region, old, new, facts_of(old, data), facts_of(new, data)) is lies, n
        assert assert_covered(diff, old, new, data) is lies
    assert assert_covered(diff, old, new, {"n": 1.5, "y": 0}) is False


# Two numbers compared with each other bound no fact alone: the regions
# were points, found one at a time ("a == 1.5 and b == 1.5", "a == 1.25 and
# b == 1.25", ...), and the list was cut short.
PAIRED = """ruleset w
scale risk: none < high
fact a: number
fact b: number
obligation o when a > b says "o" cite "c"
"""


@pytest.mark.parametrize(("changed", "conditions"), [
    ("a > b or a > 0.5", ["a > 0.5", "a <= b"]),
    ("a >= b", ["a == b"]),
    ("- a < - b and b >= 0.1", ["b < 0.1", "a > b"]),
])
def test_two_numbers_compared_with_each_other_are_a_relation(changed: str, conditions: list[str]) -> None:
    old, new, diff = _pair(PAIRED, PAIRED.replace("when a > b", f"when {changed}"))
    assert diff.complete
    assert [[c.text for c in r.conditions] for r in diff.regions] == [conditions]
    assert_changes_shown(diff, old, new)
    for a, b in ((0.5, 0.5), (0.75, 0.75), (0.75, 1.0), (1.0, 0.75), (0.05, 0.0), (0.2, 0.0)):
        assert_covered(diff, old, new, {"a": a, "b": b})
