"""The interpreter reads only the statements that can apply, and that
changes nothing.

:mod:`breachrules.guards` indexes rules, obligations and actions by the
first tests of their conditions, so that an evaluation skips a statement
whose condition a known fact makes false (where reading it would stop
anyway). The interpreter is the reference semantics, so skipping must be
invisible: on generated rulesets and incidents, complete and partial, the
interpreter gives the result (levels, obligations, trace, conflicts, open
questions, actions, values) or the error (label, reason, span) it gives when
every statement is read. The open questions, whose search was made linear
(remembered per obligation, stopped once every unknown fact is asked), are
also held to a plain reading of their definition, kept here.

The rest pins the index's behaviour: which statements a known fact rules
out, and that values of unusual types are evaluated rather than looked up.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import breachrules
from breachrules import guards, interpreter, ir
from breachrules.program import Program, RuleDef
from breachrules.testing import incidents, rulesets
from tests.edges import complete_incidents

LARGE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


@contextmanager
def reading_everything(program: Program) -> Iterator[None]:
    """The interpreter as it was before the index: no statement has a gate,
    so every one is read."""
    with mock.patch.object(guards, "_clauses", lambda node: []):
        prepared = interpreter._Prepared(program)
    with mock.patch.object(interpreter, "_prepared", lambda _: prepared):
        yield


def outcome(program: Program, facts: Mapping[str, Any]) -> tuple[str, Any]:
    try:
        return "value", interpreter.evaluate(program, facts)
    except breachrules.EvaluationError as error:
        return "error", (error.label, error.reason, error.span)


def plain_questions(program: Program, facts: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The open questions as their definition reads, every statement read
    and nothing remembered but what keeps the work finite; None when the
    evaluation fails."""
    with reading_everything(program):
        run = interpreter._Run(program, facts)
        try:
            result = run.result()
        except breachrules.EvaluationError:
            return None
    return _Plain(run).questions(result.obligations)


class _Plain:
    """The search for open questions over a finished run, written plainly."""

    def __init__(self, run: interpreter._Run) -> None:
        self.run = run
        self.program = run.program
        self.outcomes: dict[str, set[str]] = {}

    def questions(self, obligations: Mapping[str, interpreter.ObligationStatus]) -> tuple[str, ...]:
        run, wanted = self.run, set()
        if run.outcomes["risk"].lo != run.outcomes["risk"].hi:
            wanted |= self.outcome("risk")
        for ob in self.program.obligations:
            status = obligations[ob.name]
            if status.required is None:
                wanted |= self.required(ob.name, set())
                for label in ob.exemptions:
                    wanted |= self.unknowns(self.program.exemptions[label].condition)
            if status.required is not False and status.due is None and isinstance(ob.due, ir.Node):
                wanted |= self.unknowns(ob.due)
        return tuple(sorted(wanted))

    def required(self, name: str, seen: set[str]) -> set[str]:
        if name in seen:
            return set()
        seen.add(name)
        ob = next(o for o in self.program.obligations if o.name == name)
        found = set() if ob.always else self.unknowns(ob.condition)
        for exemption in self.program.exemptions.values():
            if exemption.instead == name:
                found |= self.unknowns(exemption.condition)
                found |= self.required(exemption.obligation, seen)
        return found

    def outcome(self, name: str) -> set[str]:
        if name not in self.outcomes:
            run, found = self.run, set()
            outcome = self.program.outcome(name)
            floor = run.outcomes[name].lo
            for root in outcome.roots:
                iv = run.trees[root].get(name, interpreter.ZERO)
                if iv.lo != iv.hi and iv.hi > floor:
                    found |= self.tree(self.program.rules[root], name)
            table = outcome.table
            if table is not None:
                iv = run._table(table)
                if iv.lo != iv.hi and iv.hi > floor:
                    for source in (table.rows, table.columns):
                        if run.outcomes[source].lo != run.outcomes[source].hi:
                            found |= self.outcome(source)
            self.outcomes[name] = found
        return set(self.outcomes[name])

    def tree(self, rule: RuleDef, outcome: str) -> set[str]:
        found = set()
        if self.run.conditions.get(rule.label) is None:
            found |= self.unknowns(rule.condition)
        for name, node in rule.conclusions:
            if name == outcome:
                found |= self.unknowns(node)
        for label in rule.exceptions:
            if self.run.conditions.get(label) is not False and label in self.run.conditions:
                found |= self.tree(self.program.rules[label], outcome)
        return found

    def unknowns(self, node: ir.Node | None) -> set[str]:
        if node is None:
            return set()
        value = self.run.value(node)
        if value is not None and not isinstance(value, interpreter.Interval):
            return set()
        if isinstance(node, ir.FactRef):
            return {node.name}
        if isinstance(node, ir.DefineRef):
            define = next(d for d in self.program.defines if d.name == node.name)
            return self.unknowns(define.expr)
        if isinstance(node, ir.OutcomeRef):
            return self.outcome(node.name)
        if isinstance(node, ir.IsKnown):
            return set()
        found = set()
        for child in ir.children(node):
            found |= self.unknowns(child)
        return found


def assert_reads_as_when_everything_is_read(program: Program, facts: Mapping[str, Any]) -> None:
    indexed = outcome(program, facts)
    with reading_everything(program):
        everything = outcome(program, facts)
    assert indexed == everything
    if indexed[0] == "value":
        assert indexed[1].open_questions == plain_questions(program, facts)


def compile_or_reject(text: str) -> breachrules.Ruleset:
    try:
        return breachrules.loads(text)
    except breachrules.RulesetError:
        reject()


@settings(max_examples=1000 if THOROUGH else 60, suppress_health_check=LARGE, deadline=None)
@given(text=rulesets(), data=st.data())
def test_skipping_what_cannot_apply_changes_nothing(text: str, data: st.DataObject) -> None:
    rs = compile_or_reject(text)
    names = sorted(rs.program.facts)
    for _ in range(3):
        partial = rs.validate(data.draw(incidents(rs))).known
        assert_reads_as_when_everything_is_read(rs.program, partial)
        complete = rs.validate(data.draw(complete_incidents(rs))).known
        assert_reads_as_when_everything_is_read(rs.program, complete)
        hidden = data.draw(st.sets(st.sampled_from(names))) if names else set()
        assert_reads_as_when_everything_is_read(
            rs.program, {name: value for name, value in complete.items() if name not in hidden})


# ------------------------------------------------------------------ what is read

SHAPES = """ruleset shapes version "1"
scale risk: none < risk < high
scale severity: low < high
fact flag: bool
fact other: bool
fact kind: {a, b, c}
fact many: count 0..
fact share: number 0..1
fact cats: set of {x, y, z}
fact wait: duration
fact start: datetime
fact end: datetime
fact level: severity
define flagged = flag and kind == a
rule on_flag when flag then risk >= risk because "m" cite "c"
rule on_not_flag when not flag then risk >= risk because "m" cite "c"
rule on_kind when kind == b and other then risk >= risk because "m" cite "c"
rule on_not_kind when kind != a then risk >= risk because "m" cite "c"
rule on_kinds when kind in {b, c} then risk >= risk because "m" cite "c"
rule on_many when many > 10 then risk >= risk because "m" cite "c"
rule on_few when 5 >= many then risk >= risk because "m" cite "c"
rule on_share when share <= 0.5 then risk >= risk because "m" cite "c"
rule on_member when y in cats then risk >= risk because "m" cite "c"
rule on_some when cats intersects {x, z} then risk >= risk because "m" cite "c"
rule on_wait when wait > 72h then risk >= risk because "m" cite "c"
rule on_gap when end - start > 24h then risk >= risk because "m" cite "c"
rule on_level when level >= high then risk >= risk because "m" cite "c"
rule on_define when flagged then risk >= risk because "m" cite "c"
rule on_either when flag or many > 10 then risk >= risk because "m" cite "c"
rule on_second when other and many > 10 then risk >= risk because "m" cite "c"
rule on_severity when flag then severity >= high because "m" cite "c"
rule on_outcome when severity >= high and other then risk >= high because "m" cite "c"
rule on_division when many / 2 > 1 and flag then risk >= risk because "m" cite "c"
obligation told when risk >= risk and other says "o" cite "c"
"""

NOTHING = {"flag": False, "other": False, "kind": "a", "many": 7, "share": 0.75, "cats": [],
           "wait": "PT1H", "start": "2026-01-01T00:00:00Z", "end": "2026-01-01T01:00:00Z", "level": "low"}


def read_rules(rs: breachrules.Ruleset, incident: Mapping[str, Any]) -> set[str]:
    """The base rules whose conditions an assessment of ``incident`` reads."""
    run = interpreter._Run(rs.program, rs.validate(incident).known)
    run.result()
    return {label for label in run.conditions if rs.program.rules[label].kind == "rule"}


def test_a_rule_whose_first_test_is_false_is_not_read() -> None:
    rs = breachrules.loads(SHAPES)
    # only on_not_flag holds, and on_division has no gate: its first test could fail
    assert read_rules(rs, NOTHING) == {"on_not_flag", "on_division"}
    assert rs.assess(NOTHING).risk == "risk"


def test_each_shape_of_test_lets_its_rule_be_read_when_it_holds() -> None:
    rs = breachrules.loads(SHAPES)
    always = {"on_not_flag", "on_division"}
    cases = [
        ({"flag": True}, {"on_flag", "on_either", "on_severity", "on_define", "on_division"}),
        # on_second opens with other, but its second test (many > 10) is false too
        ({"kind": "b", "other": True}, {"on_kind", "on_not_kind", "on_kinds"} | always),
        ({"many": 11}, {"on_many", "on_either"} | always),
        ({"many": 5}, {"on_few"} | always),
        ({"share": 0.5}, {"on_share"} | always),
        ({"cats": ["y", "z"]}, {"on_member", "on_some"} | always),
        ({"wait": "P3DT1S"}, {"on_wait"} | always),
        ({"end": "2026-01-02T00:00:01Z"}, {"on_gap"} | always),
        ({"level": "high"}, {"on_level"} | always),
        # on_outcome reads severity, which on_severity raised: read on the risk's turn
        ({"flag": True, "other": True}, {"on_flag", "on_either", "on_severity", "on_define", "on_division",
                                          "on_outcome"}),
    ]
    for changes, expected in cases:
        assert read_rules(rs, {**NOTHING, **changes}) == expected, changes


def test_an_unknown_fact_lets_every_rule_testing_it_be_read() -> None:
    rs = breachrules.loads(SHAPES)
    incident = {name: value for name, value in NOTHING.items() if name != "many"}
    read = read_rules(rs, incident)
    assert read == {"on_many", "on_few", "on_either", "on_not_flag", "on_division"}  # not on_second: other is false


def test_obligations_and_actions_on_false_tests_are_not_read() -> None:
    rs = breachrules.loads(SHAPES + "plan p: now\naction act in now when other says \"a\" cite \"c\"\n")
    evaluated: list[str] = []
    truth = interpreter._Run.truth

    def counting(self: interpreter._Run, node: ir.Node | None) -> bool | None:
        evaluated.append(self.label)
        return truth(self, node)

    with mock.patch.object(interpreter._Run, "truth", counting):
        interpreter.evaluate(rs.program, rs.validate(NOTHING).known)
    assert "told" not in evaluated and "act" not in evaluated
    evaluated.clear()
    with mock.patch.object(interpreter._Run, "truth", counting):
        interpreter.evaluate(rs.program, rs.validate({**NOTHING, "other": True}).known)
    assert "told" in evaluated and "act" in evaluated


def test_values_of_unusual_types_are_evaluated_not_looked_up() -> None:
    """The interpreter also reads facts that validation did not make: the
    lookups are built for the validated types, anything else is evaluated."""
    program = breachrules.loads(SHAPES).program
    known = dict(breachrules.loads(SHAPES).validate(NOTHING).known)
    for changes in ({"flag": 0}, {"flag": 1}, {"kind": 3}, {"many": 11.0}, {"many": math.nan},
                    {"share": True}, {"cats": {"y"}}, {"level": 1.0}, {"level": True}):
        assert_reads_as_when_everything_is_read(program, {**known, **changes})
