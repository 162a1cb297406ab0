"""The pytest plugin (``breachrules.pytest_plugin``), run by pytest itself.

Each test writes a small organisation's repository (a ruleset, its
catalogs, case files) into a pytester directory and runs pytest there. The
inner runs find the plugin through its ``pytest11`` entry point, as a user's
pytest does; this repository's own run turns it off (``-p no:breachrules``
in pyproject.toml), since tests/verify/planted.rules is defective on purpose.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

RULES = """ruleset t version "1"

reference policy: document "reference.policy"

scale risk: none < risk < high

fact leaked: bool
fact retrieved: bool default false

rule leak when leaked then risk >= high
  because "reason.leak" cite policy section "1"
exception retrieved_at_once to leak when retrieved then risk >= risk
  because "reason.retrieved" cite policy section "2"

obligation notify when risk >= risk says "obligation.notify" cite policy section "3"

invariant nothing_without_a_leak: leaked or risk == none
"""

# every message t.rules uses, in English, Finnish and Swedish: check finds nothing to say
TEXTS = {
    "reference.policy": ("the security policy", "tietoturvapolitiikka", "säkerhetspolicyn"),
    "scale.risk": ("Risk", "Riski", "Risk"),
    "scale.risk.none": ("no risk", "ei riskiä", "ingen risk"),
    "scale.risk.risk": ("a risk", "riski", "en risk"),
    "scale.risk.high": ("a high risk", "korkea riski", "hög risk"),
    "fact.leaked": ("Data leaked", "Tietoja vuoti", "Uppgifter läckte"),
    "question.leaked": ("Did data leak?", "Vuotiko tietoja?", "Läckte uppgifter?"),
    "fact.retrieved": ("Retrieved at once", "Saatiin heti takaisin", "Återfick genast"),
    "question.retrieved": ("Were the data retrieved at once?", "Saatiinko tiedot heti takaisin?",
                           "Fick man genast tillbaka uppgifterna?"),
    "name.leak": ("Leak", "Vuoto", "Läcka"),
    "reason.leak": ("Data leaked.", "Tietoja vuoti.", "Uppgifter läckte."),
    "name.retrieved_at_once": ("Retrieved at once", "Saatiin heti takaisin", "Återfick genast"),
    "reason.retrieved": ("The data were retrieved at once.", "Tiedot saatiin heti takaisin.",
                         "Man fick genast tillbaka uppgifterna."),
    "name.notify": ("Notify", "Ilmoita", "Anmäl"),
    "obligation.notify": ("Notify the authority.", "Ilmoita valvontaviranomaiselle.",
                          "Anmäl till tillsynsmyndigheten."),
}

LEAK = """ruleset = "../t.rules"
description = "a leak"

[facts]
leaked = true

[expect]
risk = "high"
[expect.obligations]
notify = true

[[variants]]
name = "retrieved at once"
[variants.facts]
retrieved = true
[variants.expect]
risk = "risk"

[[variants]]
name = "no leak after all"
[variants.facts]
leaked = false
[variants.expect]
risk = "none"
[variants.expect.obligations]
notify = false
"""

# line 9 expects the wrong level and line 11 the wrong obligation
WRONG = """ruleset = "../t.rules"
description = "wrong expectations"

[facts]
leaked = true
retrieved = true

[expect]
risk = "high"
[expect.obligations]
notify = false
"""

BROKEN = """ruleset = "../t.rules"
description = "a broken case file"

[facts]
leaked = "yes"

[expect]
rsik = "high"
"""

# a conflict (an error of check), a broken invariant, and no catalogs (warnings)
DEFECTIVE = """ruleset d
scale risk: none < risk < high
fact leaked: bool
fact encrypted: bool
fact malicious: bool
rule leak when leaked then risk >= risk because "r" cite "c"
exception encrypted_leak to leak when encrypted because "r" cite "c"
exception malicious_leak to leak when malicious then risk >= high because "r" cite "c"
invariant encrypted_is_never_high: not encrypted or risk < high
"""


def catalogs(domain: str, **extra: tuple[str, str, str]) -> dict[str, str]:
    files = {}
    for i, lang in enumerate(("en", "fi", "sv")):
        body = f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        body += "".join(f'msgid "{key}"\nmsgstr "{texts[i]}"\n\n' for key, texts in {**TEXTS, **extra}.items())
        files[f"locale/{lang}/LC_MESSAGES/{domain}.po"] = body
    return files


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(pytester: pytest.Pytester) -> pytest.Pytester:
    """An organisation's repository: a ruleset, its catalogs, case files, and
    TOML and .rules files of other tools."""
    write(pytester.path, {
        "t.rules": RULES, **catalogs("t"),
        "cases/leak.toml": LEAK,
        "pyproject.toml": '[project]\nname = "acme"\n[tool.other]\nruleset = "strict"\n',
        "other.toml": '[thing]\nruleset = 1\n',
        "notes.toml": "[thing\nruleset = 'not toml, not a case file'\n",
        "udev/99-usb.rules": 'SUBSYSTEM=="usb", ATTR{idVendor}=="1234", MODE="0666"\n',
    })
    return pytester


def ids(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "::" in line]


def shows(result: pytest.RunResult, lines: list[str]) -> None:
    """The lines are in the output in this order; ``*`` matches anything,
    brackets are themselves (error[BR805])."""
    result.stdout.fnmatch_lines([line.replace("[", "[[]") for line in lines])


# ------------------------------------------------------------------ collecting


def test_a_bare_pytest_collects_the_ruleset_and_cases_by_name_through_the_entry_point(repo: pytest.Pytester) -> None:
    collected = repo.runpytest_subprocess("--collect-only", "-q")
    assert ids(collected) == [
        "cases/leak.toml::a leak",
        "cases/leak.toml::a leak / retrieved at once",
        "cases/leak.toml::a leak / no leak after all",
        "t.rules::check",
        "t.rules::invariant nothing_without_a_leak",
    ]
    result = repo.runpytest_subprocess("-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines([
        "cases/leak.toml::a leak PASSED*",
        "cases/leak.toml::a leak / retrieved at once PASSED*",
        "t.rules::check PASSED*",
        "t.rules::invariant nothing_without_a_leak PASSED*",
    ])
    assert "warnings summary" not in result.stdout.str()


def test_it_can_be_turned_off(repo: pytest.Pytester) -> None:
    for off in ("-p", "no:breachrules"), ("--no-breachrules",):
        result = repo.runpytest_inprocess("--collect-only", "-q", *off)
        assert ids(result) == []
        assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_two_cases_of_one_name_are_two_items(repo: pytest.Pytester) -> None:
    twice = LEAK.replace('name = "no leak after all"', 'name = "retrieved at once"')
    write(repo.path, {"cases/leak.toml": twice})
    assert ids(repo.runpytest_inprocess("--collect-only", "-q", "cases")) == [
        "cases/leak.toml::a leak",
        "cases/leak.toml::a leak / retrieved at once",
        "cases/leak.toml::a leak / retrieved at once (2)",
    ]


def test_k_selects_cases_by_words_of_their_name(repo: pytest.Pytester) -> None:
    only = repo.runpytest_inprocess("--collect-only", "-q", "-k", "retrieved")
    assert ids(only) == ["cases/leak.toml::a leak / retrieved at once"]
    others = repo.runpytest_inprocess("--collect-only", "-q", "-k", "not retrieved and not after and not t.rules")
    assert ids(others) == ["cases/leak.toml::a leak"]


def test_marks_select_the_cases_the_check_or_the_invariants(repo: pytest.Pytester) -> None:
    def marked(expression: str) -> list[str]:
        return ids(repo.runpytest_inprocess("--collect-only", "-q", "--strict-markers", "-m", expression))

    assert marked("breachrules_case") == ["cases/leak.toml::a leak", "cases/leak.toml::a leak / retrieved at once",
                                          "cases/leak.toml::a leak / no leak after all"]
    assert marked("breachrules_check or breachrules_invariant") == [
        "t.rules::check", "t.rules::invariant nothing_without_a_leak"]


# ------------------------------------------------------------------ failures


def test_a_wrong_expectation_shows_expected_and_actual_where_it_is_written_and_what_fired(
        repo: pytest.Pytester) -> None:
    write(repo.path, {"cases/wrong.toml": WRONG})
    result = repo.runpytest_inprocess("cases")
    result.assert_outcomes(passed=3, failed=1)
    shows(result, [
        "*_ wrong expectations (cases/wrong.toml:1) _*",
        "cases/wrong.toml:9: risk: expected high, got risk",
        "cases/wrong.toml:11: notify: expected false, got true",
        "",
        "Rules, exceptions and exemptions that applied:",
        "    rule leak: risk high",
        "    exception retrieved_at_once: risk risk instead of what leak concludes",
        "*short test summary*",
        "FAILED cases/wrong.toml::wrong expectations - cases/wrong.toml:9: risk: expec*",
    ])
    assert "Traceback" not in result.stdout.str() and "def runtest" not in result.stdout.str()


def test_failures_read_in_the_language_asked_for(repo: pytest.Pytester) -> None:
    write(repo.path, {"cases/wrong.toml": WRONG})
    finnish = repo.runpytest_inprocess("cases/wrong.toml", "--breachrules-lang", "fi")
    finnish.stdout.fnmatch_lines([
        "cases/wrong.toml:9: risk: odotettiin high, saatiin risk",
        "Säännöt, poikkeukset ja vapautukset, jotka soveltuivat:",
        "    sääntö leak: risk high",
    ])
    repo.makeini("[pytest]\nbreachrules_lang = sv\n")
    swedish = repo.runpytest_inprocess("cases/wrong.toml")
    swedish.stdout.fnmatch_lines(["Regler, undantag och befrielser som var tillämpliga:", "    regel leak: risk high"])


def test_a_case_file_that_cannot_run_fails_with_its_problems_where_they_are_written(repo: pytest.Pytester) -> None:
    write(repo.path, {"cases/broken.toml": BROKEN, "cases/lost.toml": LEAK.replace("../t.rules", "../lost.rules")})
    result = repo.runpytest_inprocess("cases")
    result.assert_outcomes(passed=3, failed=2)
    shows(result, [
        "*_ a broken case file (cases/broken.toml) _*",
        "cases/broken.toml:8:1: $.expect.rsik: not an outcome of the ruleset; *did you mean 'risk'?",
        "cases/broken.toml:5:1: $.facts.leaked: expected true or false, found the text 'yes'",
        "*_ a leak (cases/lost.toml) _*",
        "cases/lost.toml could not be run:",
        "error[BR501]: cannot read the ruleset 'lost.rules': no such file or directory",
        "  --> lost.rules:1:1",
    ])


def test_toml_that_is_not_a_case_file_is_left_alone_unless_it_is_in_a_case_directory(repo: pytest.Pytester) -> None:
    write(repo.path, {"half.toml": 'ruleset = "t.rules"\ndescription = "half a case\n',
                      "cases/typo.toml": "[expect\n"})
    result = repo.runpytest_inprocess("--collect-only", "-q")
    # notes.toml, other.toml and pyproject.toml stay out; half.toml sets ruleset, so it is a case file
    assert [i for i in ids(result) if not i.startswith(("cases/leak.toml", "t.rules"))] == ["half.toml::half"]
    configured = repo.runpytest_inprocess("--breachrules-cases", "cases", "-k", "typo or half")
    configured.assert_outcomes(failed=2)
    shows(configured, [
        "cases/typo.toml:1:8: $: not a valid TOML file: error at line 1, column 8",
        "half.toml:2:27: $: not a valid TOML file: error at line 2, column 27",
    ])


def test_an_invariant_the_solver_refutes_fails_named_after_it_and_check_fails_on_findings(
        pytester: pytest.Pytester) -> None:
    write(pytester.path, {"d.rules": DEFECTIVE, "cases/encrypted.toml": """ruleset = "../d.rules"
description = "an encrypted malicious leak"
[facts]
leaked = true
encrypted = true
malicious = true
[expect]
risk = "high"
"""})
    result = pytester.runpytest_inprocess("-v")
    result.assert_outcomes(failed=3)
    shows(result, [
        "*_ an encrypted malicious leak (cases/encrypted.toml:1) _*",
        "cases/encrypted.toml:1: the invariant 'encrypted_is_never_high' does not hold for this case",
        "cases/encrypted.toml:1: the exceptions encrypted_leak / malicious_leak apply together and conclude *",
        "*_ check (d.rules) _*",
        "1 problem found",
        "3 warnings",
        "",
        "warning[BR708]: the ruleset has no Finnish catalog*",
        "*",
        "error[BR805]: the exceptions 'encrypted_leak' and 'malicious_leak' to 'leak' can apply together*",
        "  --> d.rules:8:1",
        "*_ invariant encrypted_is_never_high (d.rules:9) _*",
        "refuted: invariant 'encrypted_is_never_high'",
        "",
        "error[BR810]: the invariant 'encrypted_is_never_high' does not hold*",
        "  --> d.rules:9:1",
        "  = incident: *",
        "*short test summary*",
        "FAILED cases/encrypted.toml::an encrypted malicious leak - *",
        "FAILED d.rules::check - 1 problem found",
        "FAILED d.rules::invariant encrypted_is_never_high - refuted: invariant *",
    ])
    # the broken invariant is told once, by its own item (the short summary
    # repeats whole messages when pytest runs on CI, so it is left out)
    report = result.stdout.str().split("short test summary info")[0]
    assert report.count("error[BR810]") == 1


def test_warnings_pass_the_check_with_a_pytest_warning_and_fail_it_when_strict(repo: pytest.Pytester) -> None:
    spare = ("Spare", "Vara", "Reserv")
    write(repo.path, {"t.rules": RULES + "fact spare: bool\n", **catalogs("t", **{"fact.spare": spare,
                                                                                "question.spare": spare})})
    result = repo.runpytest_inprocess("t.rules")
    result.assert_outcomes(passed=2, warnings=1)
    shows(result, [
        "*warnings summary*",
        "t.rules::check",
        "  t.rules:18: BreachrulesWarning: warning[BR701]: the fact 'spare' is declared but nothing reads it*",
        "    --> t.rules:18:1",
        "    fact spare: bool",
    ])
    strict = repo.runpytest_inprocess("t.rules", "--breachrules-strict")
    strict.assert_outcomes(passed=1, failed=1)
    shows(strict, [
        "1 warning",
        "Warnings fail this test because --breachrules-strict is on.",
        "",
        "warning[BR701]: the fact 'spare' is declared but nothing reads it*",
        "  --> t.rules:18:1",
        "   |",
        "18 | fact spare: bool",
    ])
    repo.makeini("[pytest]\nbreachrules_strict = true\n")
    repo.runpytest_inprocess("t.rules").assert_outcomes(passed=1, failed=1)
    errors = repo.runpytest_inprocess("t.rules", "-W", "error::breachrules.pytest_plugin.BreachrulesWarning")
    errors.assert_outcomes(passed=1, failed=1)
    assert "Traceback" not in errors.stdout.str()


def test_an_invariant_only_searched_is_no_proof_and_fails_when_strict(pytester: pytest.Pytester) -> None:
    write(pytester.path, {"demo.rules": """ruleset demo
scale risk: none < risk < high
fact subjects: count 1..
fact share_exposed: number 0..1
rule many_exposed when subjects * share_exposed > 1000 then risk >= high because "why" cite "c"
invariant few_people_no_high_risk: subjects > 1000 or risk < high
"""})
    result = pytester.runpytest_inprocess("--breachrules-strict", "-m", "breachrules_invariant")
    result.assert_outcomes(failed=1, deselected=1)
    shows(result, [
        "*_ invariant few_people_no_high_risk (demo.rules:6) _*",
        "not refuted in 400 incidents searched, not a proof: invariant 'few_people_no_high_risk'",
        "",
        "Warnings fail this test because --breachrules-strict is on.",
    ])


def test_a_ruleset_that_does_not_compile_fails_its_check_and_the_cases_that_use_it(repo: pytest.Pytester) -> None:
    write(repo.path, {"t.rules": RULES.replace("then risk >= high", "then risk >= hihg")})
    result = repo.runpytest_inprocess("-v")
    result.assert_outcomes(failed=2)
    shows(result, ["cases/leak.toml::a leak FAILED*", "t.rules::check FAILED*"])
    shows(result, [
        "cases/leak.toml could not be run:",
        "error[BR*]: *hihg*",
        "  --> t.rules:10:*",
        "*_ check (t.rules) _*",
        "error[BR*]: *hihg*",
        "1 problem found",
    ])


def test_without_the_solver_the_check_runs_its_compile_checks_and_says_what_it_could_not_prove(
        repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "z3", None)  # importlib.util.find_spec("z3") is then None
    result = repo.runpytest_inprocess("t.rules", "-rs", "--breachrules-lang", "sv")
    result.assert_outcomes(skipped=2)
    shows(result, [
        "SKIPPED [1] t.rules:1: endast kompileringskontrollerna kördes: *pip install \"breachrules[verify]\"",
        "SKIPPED [1] t.rules:17: invarianten 'nothing_without_a_leak' är inte bevisad: *",
    ])
    write(repo.path, {"t.rules": RULES + "fact spare: bool\n"})
    repo.runpytest_inprocess("t.rules", "--breachrules-strict").assert_outcomes(failed=1, skipped=1)


# ------------------------------------------------------------------ options


EXTENSION = """ruleset t2 extends "t.rules" version "1"
rule retrieved_still_high when leaked and retrieved then risk >= high because "reason.leak" cite "c"
"""


def test_cases_run_against_an_extension(repo: pytest.Pytester) -> None:
    write(repo.path, {"t2.rules": EXTENSION})
    result = repo.runpytest_inprocess("cases", "--breachrules-ruleset", "t2.rules")
    result.assert_outcomes(passed=2, failed=1)
    shows(result, [
        "cases/leak.toml:17: risk: expected risk, got high",
        "",
        "Rules, exceptions and exemptions that applied:",
        "    rule leak: risk high",
        "    exception retrieved_at_once: risk risk instead of what leak concludes",
        "    rule retrieved_still_high: risk high",
    ])
    repo.makeini("[pytest]\nbreachrules_ruleset = gdpr\n")
    refused = repo.runpytest_inprocess("cases")
    refused.assert_outcomes(failed=1)
    refused.stdout.fnmatch_lines(["cases/leak.toml:1:1: $.ruleset: * the ruleset 'gdpr' does not extend it"])


def test_bundled_case_sets_are_collected_by_name(pytester: pytest.Pytester) -> None:
    collected = ids(pytester.runpytest_inprocess("--collect-only", "-q", "--breachrules-cases", "enisa"))
    assert collected and all(i.startswith("rulesets/cases/enisa/") and i.count(".toml::") == 1 for i in collected)
    result = pytester.runpytest_inprocess("--breachrules-cases", "enisa", "-k", "bands and highest", "-v")
    result.assert_outcomes(passed=1, deselected=len(collected) - 1)
    shows(result, ["rulesets/cases/enisa/bands.toml::ENISA bands: * / the highest SE, 4 x 1 + 2 = 6 PASSED*"])
    # from the ini file, only when pytest is given no paths (as testpaths)
    pytester.makeini("[pytest]\nbreachrules_cases = enisa\n")
    assert ids(pytester.runpytest_inprocess("--collect-only", "-q")) == collected
    write(pytester.path, {"tests/test_x.py": "def test_x():\n    pass\n"})
    assert ids(pytester.runpytest_inprocess("--collect-only", "-q", "tests")) == ["tests/test_x.py::test_x"]


def test_options_that_name_nothing_are_usage_errors(repo: pytest.Pytester) -> None:
    missing = repo.runpytest_inprocess("--breachrules-cases", "nowhere")
    assert missing.ret == pytest.ExitCode.USAGE_ERROR
    missing.stderr.fnmatch_lines(["ERROR: --breachrules-cases: 'nowhere' is neither a directory nor a bundled case "
                                  "set (enisa, fi-health, gdpr)"])
    no_rules = repo.runpytest_inprocess("--breachrules-ruleset", "nowhere.rules", "--breachrules-lang", "fi")
    assert no_rules.ret == pytest.ExitCode.USAGE_ERROR
    no_rules.stderr.fnmatch_lines(["ERROR: --breachrules-ruleset: 'nowhere.rules' ei ole sääntökokoelmatiedosto eikä "
                                   "kirjaston mukana tuleva sääntökokoelma (enisa, fi-health, gdpr)"])
    repo.makeini("[pytest]\nbreachrules_lang = de\n")
    assert repo.runpytest_inprocess().ret == pytest.ExitCode.USAGE_ERROR
