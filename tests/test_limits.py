"""Every input the compiler reads is bounded: past a bound, a positioned
diagnostic in the reader's language, never a crash, a hang or gigabytes.

Each case here is an attack that once got through (a file that hung, a
literal that broke the generated code, an expression that overflowed the
stack); the fixes are by limit and by construction, so the tests also try
the next size up.
"""

from __future__ import annotations

import pickle
import resource

import pytest

import breachrules
from breachrules import Limits, RulesetError
from breachrules.limits import LimitError

HEAD = 'ruleset t\nscale risk: none < risk < high\nfact a: bool\nfact n: number\n'


def rule(condition: str) -> str:
    return HEAD + f'rule q when {condition} then risk >= high because "m" cite "c"\n'


def codes(text: str, limits: Limits | None = None) -> list[tuple[str, int, int]]:
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(text, limits=limits)
    return [(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics]


# ------------------------------------------------------------------ literals


@pytest.mark.parametrize("literal", [
    "1" + "0" * 400 + ".0",  # a float that would be inf
    "1" * 5000,  # an int Python will not write back as text
    "0." + "0" * 400 + "1",  # so small it reads as zero
    "10000000000000001",  # just beyond 10**15
    "99999999999d",  # a duration timedelta cannot hold
    "1" * 400 + ".0h",
])
def test_a_literal_that_cannot_stand_for_itself_is_refused_where_it_is_written(literal: str) -> None:
    ((code, line, column),) = codes(rule(f"n > {literal}") if not literal.endswith(("d", "h")) else
                                    HEAD + "fact t: duration\n" + f'rule q when t > {literal} then risk >= high '
                                    'because "m" cite "c"\n')
    assert code == "BR106"
    assert line in (5, 6) and column > 10


def test_the_largest_literals_compile_and_both_paths_agree() -> None:
    rs = breachrules.loads(rule("n > 999999999999999 or n < 0.000000000001"))
    for n in (10**15, 0, 0.5):
        assert rs.assess({"a": True, "n": n}).risk == ("high" if n != 0.5 else "none")
        assert rs.decide({"a": True, "n": n}).risk == rs.assess({"a": True, "n": n}).risk


def test_literals_in_ranges_and_bands_are_checked_too() -> None:
    assert codes(HEAD + "fact big: number 0.." + "9" * 40 + "\n")[0][0] == "BR106"
    text = HEAD + "scale s: lo < hi\nscore sc: s = n\n  below " + "9" * 20 + ": lo\n  otherwise: hi\n"
    assert codes(text)[0][0] == "BR106"


# ------------------------------------------------------------------ nesting


@pytest.mark.parametrize("condition", [
    "not " * 65 + "a",
    "-" * 65 + "n > 0",
    " + ".join(["n"] * 66) + " > 0",
    "not " * 10_000 + "a",
    "(" * 5_000 + "not " * 100 + "a" + ")" * 5_000,
])
def test_an_expression_nested_too_deep_is_a_positioned_error(condition: str) -> None:
    ((code, line, column),) = codes(rule(condition))
    assert (code, line) == ("BR602", 5) and column > 1


@pytest.mark.parametrize("condition", [
    "not " * 64 + "a",
    "-" * 63 + "n > 0",
    " + ".join(["n"] * 63) + " > 0",
    "((((((((((((((((((((a))))))))))))))))))))",  # brackets alone nest nothing
    " and ".join(["a"] * 2_000),  # a flat chain is one level, however long
    " or ".join(["a"] * 2_000),
])
def test_anything_within_the_limit_compiles_and_agrees_on_both_paths(condition: str) -> None:
    rs = breachrules.loads(rule(condition))
    incident = {"a": True, "n": 1}
    assert rs.decide(incident) == (rs.assess(incident).levels, rs.assess(incident).required)


def test_long_chains_of_definitions_compile_in_either_order() -> None:
    forward = "".join(f"define d{i} = d{i - 1} and a\n" for i in range(1, 3_000))
    backward = "".join(f"define e{i} = e{i + 1} or a\n" for i in range(0, 3_000))
    text = HEAD + "define d0 = a\n" + forward + "define e3000 = a\n" + backward
    rs = breachrules.loads(text + 'rule q when d2999 and e0 then risk >= high because "m" cite "c"\n')
    assert rs.assess({"a": True, "n": 0}).risk == rs.decide({"a": True, "n": 0}).risk == "high"
    assert rs.assess({}).provisional


def test_exceptions_nested_deeper_than_the_limit_are_refused() -> None:
    chain = 'rule r0 when a then risk >= high because "m" cite "c"\n' + "".join(
        f'exception r{i} to r{i - 1} when a because "m" cite "c"\n' for i in range(1, 20))
    found = codes(HEAD + chain)
    assert found == [("BR607", 5 + 17, 11)]
    assert breachrules.loads(HEAD + chain, limits=Limits(max_exception_depth=19)).assess({"a": True}).risk == "none"


# ------------------------------------------------------------------ sizes


def test_statements_names_strings_and_members_are_bounded() -> None:
    assert codes(HEAD + "fact b: bool\n", Limits(max_statements=3))[0][:2] == ("BR603", 5)
    small = Limits(max_name_length=8, max_string_length=5, max_members=3)
    assert codes(rule("a"), Limits(max_name_length=3))[0][0] == "BR604"
    assert ("BR605", 5, 41) in codes(HEAD + 'rule q when a then risk >= high because "message" cite "c"\n', small)
    assert ("BR606", 5, 10) in codes(HEAD + "fact e: {p, q, r, s}\n", small)


def test_a_huge_enum_is_refused_and_a_large_one_allowed_compiles() -> None:
    # (the duplicate check was quadratic: 87 s at 100,000 members; see benchmarks/run.py for timings)
    members = ", ".join(f"m{i}" for i in range(30_000))
    assert codes(HEAD + f"fact e: {{{members}}}\n")[0][0] == "BR606"
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(HEAD + f"fact e: {{{members}, m7}}\n", limits=Limits(max_members=30_001))
    assert [d.code for d in caught.value.diagnostics] == ["BR411"]
    rs = breachrules.loads(HEAD + f"fact e: {{{members}}}\n", limits=Limits(max_members=30_000))
    assert rs.assess({"e": "m29999"}).risk == "none"


def test_a_long_string_literal_costs_little_memory() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    text = rule("a").replace('"m"', '"' + "x" * 3_000_000 + '"')
    assert codes(text)[0][0] == "BR605"
    unterminated = HEAD + 'rule q when a then risk >= high because "' + "x" * 3_000_000 + "\n"
    assert codes(unterminated)[0][0] == "BR102"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 400  # the backtracking pattern took 1.8 GB for 10 MB


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.rules"
    path.write_text(HEAD + "# " + "x" * 2_000 + "\n", encoding="utf-8")
    with pytest.raises(RulesetError) as caught:
        breachrules.load(path, limits=Limits(max_bytes=1_000))
    assert caught.value.diagnostics[0].code == "BR601"
    assert codes(HEAD * 1, Limits(max_bytes=10))[0][0] == "BR601"


def test_limits_are_checked_when_made() -> None:
    with pytest.raises(LimitError):
        Limits(max_depth=0)
    with pytest.raises(LimitError) as caught:
        Limits(max_depth=500)
    assert "500" in caught.value.message("fi")
    assert pickle.loads(pickle.dumps(caught.value)).message() == caught.value.message()


def test_a_ruleset_the_generator_could_not_compile_is_answered_by_the_interpreter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The backstop behind the limits: were the generated source ever too much
    for Python's compiler, the caller still gets the reference's answers, not
    Python's error."""
    from breachrules import codegen

    def refuse(*args: object, **kwargs: object) -> None:
        raise SyntaxError("too many nested parentheses")

    monkeypatch.setattr(codegen, "build", refuse)
    rs = breachrules.loads(rule("a and n > 54321"))
    for incident, risk in (({"a": True, "n": 60000}, "high"), ({"a": True, "n": 1}, "none"),
                           ({"a": False, "n": 60000}, "none")):
        assert rs.assess(incident).risk == risk
        assert rs.decide(incident).risk == risk
        assert [entry.label for entry in rs.assess(incident).trace] == (["q"] if risk == "high" else [])
    with pytest.raises(breachrules.IncidentError):
        rs.decide({"a": "yes", "n": 1})
