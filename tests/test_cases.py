"""Case files (``breachrules.cases``) and ``breachrules test``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from breachrules import cases
from breachrules.diagnostics import RulesetError

RULES = """ruleset t
scale risk: none < risk < high
fact a: bool
fact b: bool default false
fact aware: datetime
fact notified: datetime
fact why: text
fact who: text
rule r when a then risk >= high because "m" cite "c"
rule rb when b then risk >= risk because "m" cite "c"
obligation notify when risk >= risk due aware + 72h done notified late requires why says "o" cite "c"
obligation document always says "d" cite "c"
checklist content for notify
  item contact: who cite "Art. 33(3)(b)"
  item what: a, why
plan response: acute, later
action call_police in acute when a says "p" cite "guide"
action tidy in later always says "q" cite "guide"
"""

GOOD = """ruleset = "t.rules"
description = "health data to a stranger"
source = "made up for the test"

[facts]
a = true
aware = 2026-03-27T10:00:00+02:00

[expect]
risk = "high"
provisional = false
[expect.obligations]
notify = true
document = true

[[variants]]
name = "a is false"
remark = "only the base's a changes; aware is kept"
[variants.facts]
a = false
[variants.expect]
risk = "none"
[variants.expect.obligations]
notify = false

[[variants]]
name = "b instead"
[variants.facts]
a = false
b = true
[variants.expect]
risk = "risk"
provisional = false
[variants.expect.obligations]
notify = true
"""

# Expects the wrong answers: risk, notify and provisional all differ.
WRONG = """ruleset = "t.rules"
description = "wrong expectations"

[facts]
a = false
aware = 2026-03-27T10:00:00+02:00

[expect]
risk = "high"
provisional = true
[expect.obligations]
notify = true
document = true
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def casedir(tmp_path: Path) -> Path:
    write(tmp_path, "t.rules", RULES)
    return tmp_path


def paths_and_keys(error: cases.CaseFileError) -> list[tuple[str, str]]:
    return [(p.path, p.key) for p in error.problems]


# ------------------------------------------------------------------ loading and running


def test_a_valid_case_file_with_variants_passes(casedir: Path) -> None:
    ruleset, found = cases.load(write(casedir, "good.toml", GOOD))
    assert ruleset.name == "t"
    assert [c.name for c in found] == [
        "health data to a stranger",
        "health data to a stranger / a is false",
        "health data to a stranger / b instead",
    ]
    assert [c.variant for c in found] == [None, "a is false", "b instead"]
    assert found[1].remark == "only the base's a changes; aware is kept"
    results = [cases.run(ruleset, c) for c in found]
    assert [r.passed for r in results] == [True, True, True]
    assert [r.mismatches for r in results] == [(), (), ()]
    assert [r.assessment.risk for r in results] == ["high", "none", "risk"]


def test_a_variant_overrides_the_base_facts_and_keeps_the_rest(casedir: Path) -> None:
    _, found = cases.load(write(casedir, "good.toml", GOOD))
    base, not_a, b_instead = found
    assert base.facts["a"] is True
    assert not_a.facts["a"] is False
    assert b_instead.facts["a"] is False and b_instead.facts["b"] is True
    # the base's aware is inherited by every variant
    assert [str(c.facts["aware"]) for c in found] == ["2026-03-27 10:00:00+02:00"] * 3
    assert "b" not in base.facts and "b" not in not_a.facts
    assert base.expect.levels == {"risk": "high"}
    assert base.expect.obligations == {"notify": True, "document": True}
    assert base.expect.provisional is False
    assert not_a.expect.provisional is None
    assert not_a.expect.obligations == {"notify": False}


def test_mismatches_name_what_was_expected_and_what_came(casedir: Path) -> None:
    ruleset, found = cases.load(write(casedir, "wrong.toml", WRONG))
    (case,) = found
    result = cases.run(ruleset, case)
    assert not result.passed
    assert [(m.what, m.expected, m.actual) for m in result.mismatches] == [
        ("risk", "high", "none"),
        ("notify", True, False),
        ("provisional", True, False),
    ]


def test_an_uncertain_obligation_counts_as_required(casedir: Path) -> None:
    text = """ruleset = "t.rules"
[facts]
aware = 2026-03-27T10:00:00+02:00
[expect]
risk = "high"
provisional = true
[expect.obligations]
notify = true
"""
    ruleset, (case,) = cases.load(write(casedir, "unknown-a.toml", text))
    assert case.name == "unknown-a"  # no description: the file's stem
    assert cases.run(ruleset, case).passed


def test_the_ruleset_path_is_relative_to_the_case_file(tmp_path: Path) -> None:
    write(tmp_path, "rules/t.rules", RULES)
    case_file = write(tmp_path, "cases/deep/good.toml", GOOD.replace('"t.rules"', '"../../rules/t.rules"'))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    old = os.getcwd()
    os.chdir(elsewhere)
    try:
        ruleset, found = cases.load(Path("..") / case_file.relative_to(tmp_path))
    finally:
        os.chdir(old)
    assert ruleset.name == "t"
    assert len(found) == 3


def test_a_ruleset_next_to_the_case_file_not_in_the_working_directory(tmp_path: Path) -> None:
    case_file = write(tmp_path / "sub", "good.toml", GOOD)
    write(tmp_path / "sub", "t.rules", RULES)
    # a decoy in the working directory that would fail the cases
    write(tmp_path, "t.rules", RULES.replace("then risk >= high", "then risk >= risk"))
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        ruleset, found = cases.load(case_file)
    finally:
        os.chdir(old)
    assert all(cases.run(ruleset, c).passed for c in found)


def test_a_bundled_ruleset_by_name(tmp_path: Path) -> None:
    text = """ruleset = "gdpr"
[facts]
breach_types = ["availability"]
data_categories = ["contact"]
subjects = 3
[expect]
[expect.obligations]
document = true
"""
    ruleset, (case,) = cases.load(write(tmp_path, "gdpr-case.toml", text))
    assert ruleset.name == "gdpr"
    assert case.expect.obligations == {"document": True}


def test_every_problem_is_reported_with_its_path(casedir: Path) -> None:
    text = """ruleset = "t.rules"
descripton = "typo"

[facts]
a = true

[expect]
rsk = "high"
[expect.obligations]
notfy = true

[[variants]]
name = "v"
[variants.facts]
x = 1
[variants.expect]
risk = "hihg"
[variants.expect.obligations]
notify = "yes"

[[variants]]
name = "without expect"
"""
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "bad.toml", text))
    error = caught.value
    found = [(p.path, p.key, p.line, p.column) for p in error.problems]
    for expected in [
        ("$.descripton", "case.unknown_key", 2, 1),
        ("$.expect.rsk", "case.unknown_outcome", 8, 1),
        ("$.expect.obligations.notfy", "case.unknown_obligation", 10, 1),
        ("$.variants[0].expect.risk", "case.unknown_level", 17, 1),
        ("$.variants[0].expect.obligations.notify", "case.expected_bool", 19, 1),
        ("$.variants[0].facts.x", "incident.unknown_fact", 15, 1),
        # a table that is missing is placed where its case begins
        ("$.variants[1].expect", "case.missing_expect", 21, 1),
    ]:
        assert expected in found, (expected, found)
    lines = error.render().splitlines()
    file = str(casedir / "bad.toml")
    assert f"{file}:2:1: $.descripton: unknown key; the keys here are ruleset, description, source, facts, " \
           "expect, variants; did you mean 'description'?" in lines
    assert f"{file}:8:1: $.expect.rsk: not an outcome of the ruleset; expected one of risk, obligations, " \
           "provisional; did you mean 'risk'?" in lines
    assert f"{file}:10:1: $.expect.obligations.notfy: not an obligation of the ruleset; the obligations are " \
           "notify, document; did you mean 'notify'?" in lines
    assert f"{file}:17:1: $.variants[0].expect.risk: 'hihg' is not a level of this outcome; the levels are " \
           "none, risk, high; did you mean 'high'?" in lines
    assert f"{file}:19:1: $.variants[0].expect.obligations.notify: expected true or false" in lines
    assert f"{file}:21:1: $.variants[1].expect: the case has no [expect] table: " \
           "say what the ruleset must decide" in lines
    assert any(line.startswith(f"{file}:15:1: $.variants[0].facts.x: 'x' is not a fact") for line in lines)
    assert str(error) == error.render()


def test_facts_that_do_not_fit_in_the_base_and_in_a_variant(casedir: Path) -> None:
    text = """ruleset = "t.rules"
[facts]
a = "yes"
aware = 2026-03-27T10:00:00
[expect]
risk = "high"
[[variants]]
name = "v"
[variants.facts]
whoo = "x"
[variants.expect]
risk = "none"
"""
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "facts.toml", text))
    found = paths_and_keys(caught.value)
    paths = [p for p, _ in found]
    assert "$.facts.a" in paths
    assert "$.facts.aware" in paths  # a local date-time has no offset
    assert ("$.variants[0].facts.whoo", "incident.unknown_fact") in found
    # the variant inherits the base's bad facts; they are reported once, where they are written
    assert "$.variants[0].facts.a" not in paths
    rendered = caught.value.render()
    assert "did you mean 'who'?" in rendered


def test_a_missing_expect_table(casedir: Path) -> None:
    text = 'ruleset = "t.rules"\n[facts]\na = true\n'
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "noexpect.toml", text))
    assert paths_and_keys(caught.value) == [("$.expect", "case.missing_expect")]


def test_an_empty_expect_table(casedir: Path) -> None:
    text = 'ruleset = "t.rules"\n[facts]\na = true\n[expect]\n'
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "empty.toml", text))
    assert paths_and_keys(caught.value) == [("$.expect", "case.empty_expect")]


def test_wrong_shapes(casedir: Path) -> None:
    text = """ruleset = "t.rules"
description = 3
facts = 1
variants = "no"
[expect]
risk = "high"
provisional = "no"
"""
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "shapes.toml", text))
    assert paths_and_keys(caught.value) == [
        ("$.description", "case.expected_text"),
        ("$.facts", "case.expected_table"),
        ("$.expect.provisional", "case.expected_bool"),
        ("$.variants", "case.expected_table_list"),
    ]


def test_a_variant_without_a_name(casedir: Path) -> None:
    text = """ruleset = "t.rules"
[facts]
a = true
[expect]
risk = "high"
[[variants]]
colour = "red"
[variants.expect]
risk = "high"
"""
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "noname.toml", text))
    found = paths_and_keys(caught.value)
    assert ("$.variants[0].colour", "case.unknown_key") in found
    assert ("$.variants[0].name", "case.missing_name") in found


def test_a_file_without_a_ruleset(casedir: Path) -> None:
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "norules.toml", "[expect]\nrisk = 'high'\n"))
    assert paths_and_keys(caught.value) == [("$.ruleset", "case.missing_ruleset")]


def test_not_toml_and_unreadable(casedir: Path) -> None:
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "broken.toml", "ruleset = \n"))
    assert paths_and_keys(caught.value) == [("$", "case.not_toml")]
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(casedir / "absent.toml")
    assert paths_and_keys(caught.value) == [("$", "case.unreadable")]


def test_a_ruleset_that_does_not_compile_raises_its_own_error(casedir: Path) -> None:
    write(casedir, "bad.rules", "ruleset bad\nscale risk: none < high\nrule r when nope then risk >= high\n")
    with pytest.raises(RulesetError):
        cases.load(write(casedir, "c.toml", 'ruleset = "bad.rules"\n[expect]\nrisk = "high"\n'))


def test_find_searches_directories_for_toml(tmp_path: Path) -> None:
    write(tmp_path, "b/two.toml", "")
    write(tmp_path, "a/one.toml", "")
    write(tmp_path, "a/ignored.json", "")
    single = write(tmp_path, "single.toml", "")
    assert cases.find([tmp_path / "a", tmp_path / "b", single]) == [
        tmp_path / "a" / "one.toml", tmp_path / "b" / "two.toml", single,
    ]


def test_paths_of_variants_after_a_variant_that_is_not_a_table(casedir: Path) -> None:
    # TOML arrays may mix types: the second variant is variants[1] even when
    # the first is not a table, and its facts are reported under that index.
    text = """ruleset = "t.rules"
variants = ["oops", {name = "v", facts = {x = 1}, expect = {risk = "high"}}]
[facts]
a = true
[expect]
risk = "high"
"""
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "mixed.toml", text))
    assert paths_and_keys(caught.value) == [
        ("$.variants[0]", "case.expected_table"),
        ("$.variants[1].facts.x", "incident.unknown_fact"),
    ]


def test_a_case_file_nested_thousands_deep_is_a_case_problem(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text('ruleset = "gdpr"\nfacts = ' + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(path)
    assert [p.key for p in caught.value.problems] == ["case.too_deep"]
    assert "syvä" in caught.value.render("fi")


def test_every_case_also_tests_the_ruleset_s_invariants(tmp_path: Path) -> None:
    """An invariant was parsed and type-checked but never evaluated: a ruleset
    promising ``risk < high`` passed with a case whose risk was high."""
    write(tmp_path, "p.rules", 'ruleset p\nscale risk: none < risk < high\nfact a: bool\nfact b: bool\n'
          'rule r when a then risk >= high because "m" cite "c"\n'
          'invariant never_high: risk < high\ninvariant b_is_calm: b or risk < high\n')
    text = 'ruleset = "p.rules"\ndescription = "c"\n[facts]\na = true\nb = true\n[expect]\nrisk = "high"\n'
    ruleset, (case,) = cases.load(write(tmp_path, "c.toml", text))
    result = cases.run(ruleset, case)
    assert [(m.what, m.expected, m.actual) for m in result.mismatches] == [("invariant never_high", True, False)]
    undecided = text.replace("a = true\nb = true\n", "b = false\n")
    undecided = undecided.replace('risk = "high"', 'risk = "high"\nprovisional = true')
    ruleset, (case,) = cases.load(write(tmp_path, "u.toml", undecided))
    assert cases.run(ruleset, case).mismatches == ()  # a unknown: not broken by this case
    result = subprocess.run([sys.executable, "-m", "breachrules.cli", "test", str(tmp_path / "c.toml")],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "the invariant 'never_high' does not hold" in result.stdout


def test_a_case_where_exceptions_disagree_fails(tmp_path: Path) -> None:
    write(tmp_path, "k.rules", 'ruleset k\nscale risk: none < risk < high\nfact a: bool\n'
          'rule r when a then risk >= high because "m" cite "c"\n'
          'exception e1 to r when a then risk >= risk because "m" cite "c"\n'
          'exception e2 to r when a because "m" cite "c"\n')
    ruleset, (case,) = cases.load(write(tmp_path, "c.toml", 'ruleset = "k.rules"\n[facts]\na = true\n'
                                                              '[expect]\nrisk = "risk"\n'))
    result = cases.run(ruleset, case)
    assert [(m.what, m.actual) for m in result.mismatches] == [("conflict", "e1 / e2")]


# ------------------------------------------------------------------ positions and other rulesets


def test_each_case_and_expectation_knows_its_line(casedir: Path) -> None:
    _, found = cases.load(write(casedir, "good.toml", GOOD))
    base, first, second = found
    assert (base.where, base.line) == ("$", 1)
    assert base.lines == {"level risk": 10, "provisional": 11, "obligation notify": 13, "obligation document": 14}
    assert (first.where, first.line, first.lines) == ("$.variants[0]", 16, {"level risk": 22, "obligation notify": 24})
    assert (second.where, second.line) == ("$.variants[1]", 26)


def test_a_mismatch_points_at_its_expectation_and_an_invariant_at_its_case(casedir: Path) -> None:
    ruleset, found = cases.load(write(casedir, "wrong.toml", WRONG))
    lines = {m.what: m.line for m in cases.run(ruleset, found[0]).mismatches}
    assert lines == {"risk": 9, "notify": 12, "provisional": 10}
    write(casedir, "inv.rules", RULES + "invariant never_high: risk < high\n")
    ruleset, found = cases.load(write(casedir, "sub/inv.toml", GOOD.replace('"t.rules"', '"../inv.rules"')))
    broken = [m for m in cases.run(ruleset, found[0]).mismatches if m.what.startswith("invariant")]
    assert [(m.what, m.line) for m in broken] == [("invariant never_high", 1)]


def test_text_that_is_not_toml_is_placed_where_the_parser_stopped(casedir: Path) -> None:
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "bad.toml", 'ruleset = "t.rules"\n\n[facts]\na = = true\n'))
    (problem,) = caught.value.problems
    assert (problem.key, problem.line, problem.column) == ("case.not_toml", 4, 5)
    assert caught.value.render().startswith(f"{casedir / 'bad.toml'}:4:5: $: ")


def test_cases_run_against_an_extension_of_the_ruleset_they_name(casedir: Path) -> None:
    import breachrules

    # the extension lowers what a alone means: the base's case now fails, as a regression test should
    write(casedir, "ours.rules", 'ruleset ours extends "t.rules"\n'
                                 'exception calm to r when not b then risk >= risk because "m" cite "c"\n')
    ours = breachrules.load(casedir / "ours.rules")
    ruleset, found = cases.load(write(casedir, "good.toml", GOOD), ours)
    assert ruleset is ours
    assert [m.what for m in cases.run(ours, found[0]).mismatches] == ["risk"]


def test_a_ruleset_that_does_not_extend_the_named_one_is_refused(casedir: Path) -> None:
    import breachrules

    other = breachrules.bundled("enisa")
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "good.toml", GOOD), other)
    (problem,) = caught.value.problems
    assert (problem.path, problem.key, problem.line) == ("$.ruleset", "case.not_extended", 1)
    assert "written for the ruleset 't', and the ruleset 'enisa' does not extend it" in caught.value.render()


def test_a_variant_answers_for_what_its_facts_break_together_with_the_base_s(casedir: Path) -> None:
    aware = "aware = 2026-03-27T10:00:00+02:00"
    text = GOOD.split("[[variants]]")[0].replace(aware, aware + "\nnotified = 2026-03-27T11:00:00+02:00")
    text += '\n[[variants]]\nname = "aware later"\n[variants.facts]\naware = 2026-03-28T10:00:00+02:00\n' \
            '[variants.expect]\nrisk = "high"\n'
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(write(casedir, "order.toml", text))
    (problem,) = caught.value.problems
    assert problem.path.startswith("$.variants[0].facts") and problem.line == 20
