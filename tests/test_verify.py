"""breachrules.verify: the solver's proofs and counterexamples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import breachrules
from breachrules import verify
from breachrules.verify import findings

HERE = Path(__file__).parent
PLANTED = HERE / "verify" / "planted.rules"


def _codes(analysis: findings.Analysis) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for f in analysis.findings:
        found.setdefault(f.code, []).append({**dict(f.values), "incident": f.incident, "other": f.other})
    return found


def test_every_planted_defect_is_caught_with_a_valid_counterexample() -> None:
    rs = breachrules.load(PLANTED)
    analysis = verify.analyse(rs)
    found = _codes(analysis)
    assert [f["name"] for f in found["BR801"]] == ["never"]
    assert [f["name"] for f in found["BR802"]] == ["unreachable_exception"]
    assert [f["name"] for f in found["BR804"]] == ["bigger_leak"]
    conflict = found["BR805"][0]
    assert {conflict["first"], conflict["second"]} == {"encrypted_leak", "malicious_leak"}
    assert [f["name"] for f in found["BR810"]] == ["encrypted_is_never_high"]
    assert [f["fact"] for f in found["BR811"]] == ["encrypted"]
    assert any(w.code == "BR701" and dict(w.values)["name"] == "spare" for w in rs.warnings)
    # every counterexample is an incident the ruleset accepts, and shows what it claims
    broken = found["BR810"][0]["incident"]
    assert broken == {"leaked": True, "malicious": True, "encrypted": True} or broken["encrypted"] is True
    assert rs.assess(broken).risk == "high"
    both = found["BR805"][0]["incident"]
    assert rs.assess(both).conflicts
    before, after = found["BR811"][0]["incident"], found["BR811"][0]["other"]
    assert before["encrypted"] is False and after["encrypted"] is True
    assert {k: v for k, v in before.items() if k != "encrypted"} == {k: v for k, v in after.items() if k != "encrypted"}
    levels = rs.program.outcome("risk").levels
    assert levels.index(rs.assess(after).risk) < levels.index(rs.assess(before).risk)
    claims = {(c.kind, c.name): c.status for c in analysis.claims}
    assert claims == {("invariant", "encrypted_is_never_high"): "refuted", ("aggravating", "encrypted"): "refuted",
                      ("unknowns", ""): "proved", ("questions", ""): "proved"}


def test_a_counterexample_is_minimal() -> None:
    rs = breachrules.loads('ruleset m\nscale risk: none < risk < high\nfact a: bool\nfact b: bool\n'
                           'fact n: count 0..\nfact x: set of {p, q, r}\n'
                           'rule r1 when a and n > 41 then risk >= high because "r" cite "c"\n'
                           'rule r2 when b and q in x then risk >= risk because "r" cite "c"\n'
                           'invariant low: risk < high\n')
    (finding,) = [f for f in verify.analyse(rs).findings if f.code == "BR810"]
    assert finding.incident == {"a": True, "n": 42}
    assert finding.trace == ("r1",)


def test_the_bundled_rulesets_are_proved_clean() -> None:
    for name in ("gdpr", "fi-health", "enisa"):
        analysis = verify.analyse(breachrules.bundled(name))
        assert analysis.exact, name  # proved, not searched: enisa's arithmetic on its points too
        assert analysis.findings == ()
        assert analysis.claims and all(c.status == "proved" for c in analysis.claims)
        kinds = {c.kind for c in analysis.claims}
        assert kinds == {"invariant", "aggravating", "mitigating", "unknowns", "questions"}


def test_provisional_results_are_proved_to_bracket_every_answer_or_said_not_to_be() -> None:
    plain = breachrules.loads('ruleset p\nscale risk: none < risk < high\nfact a: bool\nfact n: count 0..\n'
                              'rule r when a or n > 3 then risk >= high because "r" cite "c"\n'
                              'exception e to r when n > 10 then risk >= risk because "r" cite "c"\n'
                              'obligation o when risk >= risk says "s" cite "c"\n')
    assert [(c.kind, c.status) for c in verify.analyse(plain).claims] == [("unknowns", "proved"),
                                                                          ("questions", "proved")]
    # 'is known' reads the partial incident itself: its answers need not be bracketed, and nothing is claimed
    asks = breachrules.loads('ruleset k\nscale risk: none < risk < high\nfact a: bool\n'
                             'rule r when a is unknown then risk >= high because "r" cite "c"\n')
    assert [(c.kind, c.status) for c in verify.analyse(asks).claims] == [("unknowns", "unsupported"),
                                                                         ("questions", "unsupported")]
    assert "not proved: provisional results" in verify.analyse(asks).claims[0].render("en")


def test_an_extension_that_breaks_a_base_invariant_is_refuted() -> None:
    rs = breachrules.loads('ruleset w extends gdpr\nfact read: bool\n'
                           'rule r when read then risk >= high because "m" cite "c"\n')
    found = {dict(f.values)["name"]: f for f in verify.analyse(rs).findings if f.code == "BR810"}
    assert "unintelligible_confidentiality_no_risk" in found
    # the broken promise is quoted in the ruleset's own words, in the reader's language
    shown = found["every_breach_documented"] if "every_breach_documented" in found else \
        found["unintelligible_confidentiality_no_risk"]
    assert "invarianten säger: " in shown.render(locale="sv", ruleset=rs.messages("sv"))
    assert shown.to_dict("fi", rs.messages("fi"))["promise"]


def test_an_evaluation_that_can_fail_is_found() -> None:
    rs = breachrules.loads('ruleset e\nscale risk: none < risk < high\nfact t: datetime\nfact d: duration\n'
                           'obligation o always due t + d * 3000000 says "s" cite "c"\n')
    finding = [f for f in verify.analyse(rs).findings if f.code == "BR809"][0]
    with pytest.raises(breachrules.EvaluationError):
        rs.assess(finding.incident)


def test_floating_point_is_searched_not_proved() -> None:
    rs = breachrules.loads('ruleset f\nscale risk: none < risk < high\nfact n: number 0..\nfact a: bool\n'
                           'rule r when a and n / 2 > 3 then risk >= high because "r" cite "c"\n'
                           'invariant small: not a or n / 2 <= 3 or risk >= high\n')
    analysis = verify.analyse(rs)
    assert not analysis.exact
    assert analysis.findings[0].code == "BR820"
    assert [(c.status, c.searched) for c in analysis.claims] == [("searched", 400)]


def test_monotone_declarations_are_checked_when_compiling() -> None:
    with pytest.raises(breachrules.RulesetError) as error:
        breachrules.loads('ruleset c\nscale risk: none < risk < high\nfact e: {a, b}\nfact t: text\n'
                          'fact f: bool\naggravating e: a < b < a\naggravating t\naggravating f\nmitigating f\n')
    assert sorted(d.code for d in error.value.diagnostics) == ["BR423", "BR424", "BR425"]


def test_check_reports_findings_as_json_and_fails() -> None:
    result = subprocess.run([sys.executable, "-m", "breachrules.cli", "check", str(PLANTED), "--format", "json",
                             "--lang", "fi"], capture_output=True, text=True)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    codes = {d["code"] for d in data["diagnostics"]}
    assert {"BR801", "BR802", "BR804", "BR805", "BR810", "BR811", "BR701"} <= codes
    invariant = next(d for d in data["diagnostics"] if d["code"] == "BR810")
    assert invariant["line"] == 33 and invariant["message"].startswith("invariantti")
    assert invariant["incident"]["encrypted"] is True


def test_diff_finds_a_changed_threshold_and_a_removed_exception(tmp_path: Path) -> None:
    old_text = ('ruleset v version "1"\nscale risk: none < risk < high\nfact people: count 1..\n'
                'fact leaked: bool\nfact returned: bool\n'
                'rule many when leaked and people > 1000 then risk >= high because "r" cite "c"\n'
                'rule leak when leaked then risk >= risk because "r" cite "c"\n'
                'exception back to leak when returned because "r" cite "c"\n'
                'obligation notify when risk >= risk says "s" cite "c"\n')
    new_text = old_text.replace("people > 1000", "people > 500").replace(
        'exception back to leak when returned because "r" cite "c"\n', "")
    old, new = breachrules.loads(old_text), breachrules.loads(new_text)
    result = verify.diff(old, new)
    assert result.complete and not result.weaker
    regions = {(r.kind, r.cause): r for r in result.regions}
    threshold, back = regions[("rule", "many")], regions[("exception", "back")]
    assert [c.text for c in threshold.conditions] == ["leaked", "people >= 501", "people <= 1000"]
    assert [(c.output, c.old, c.new) for c in threshold.changes] == [("outcome:risk", 1, 2)]
    assert [c.text for c in back.conditions] == ["leaked", "returned"]
    assert {(c.output, c.old, c.new) for c in back.changes} == {
        ("outcome:risk", 0, 1), ("obligation:notify", False, True)}
    # only where both changes meet does the risk go from none to high: a region of its own
    both = regions[("combined", "many + back")]
    assert [c.text for c in both.conditions] == ["leaked", "people >= 501", "people <= 1000", "returned"]
    assert [(c.output, c.old, c.new) for c in both.changes] == [("outcome:risk", 0, 2)]
    assert len(regions) == 3
    for region in result.regions:
        for change in region.changes:
            assert _decides(old, change.incident, change.output) == change.old
            assert _decides(new, change.incident, change.output) == change.new
    # the other way round drops a duty: a CI gate refuses it
    gate = tmp_path / "old.rules"
    gate.write_text(new_text, encoding="utf-8")
    later = tmp_path / "new.rules"
    later.write_text(old_text, encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "breachrules.cli", "diff", str(gate), str(later),
                          "--fail-on", "weaker"], capture_output=True, text=True)
    assert cli.returncode == 1, cli.stderr
    assert "obligation 'notify': required → not required" in cli.stdout
    same = subprocess.run([sys.executable, "-m", "breachrules.cli", "diff", str(gate), str(gate),
                           "--fail-on", "any", "--lang", "sv"], capture_output=True, text=True)
    assert same.returncode == 0 and same.stdout.startswith("regelsamlingarna avgör")


def _decides(ruleset: breachrules.Ruleset, data: dict[str, object], output: str) -> object:
    """What a ruleset decides for a witness, certain (every fact it needs given)."""
    a = ruleset.assess({k: v for k, v in data.items() if k in ruleset.program.facts})
    kind, name = output.split(":")
    if kind == "outcome":
        assert a.levels[name] == a.certain_levels[name], (data, output)
        return ruleset.program.outcome(name).levels.index(a.levels[name])
    obligation = a.obligation(name)
    assert obligation.certain, (data, output)
    return obligation.required


GDPR_TEXT = (HERE.parent / "rulesets" / "gdpr.rules").read_text(encoding="utf-8")
RECOVERED = GDPR_TEXT[GDPR_TEXT.index("exception recovered_before_misuse"):GDPR_TEXT.index("# Ease of identification")]


def test_diff_of_gdpr_lists_exactly_a_changed_threshold_and_a_removed_exception() -> None:
    old = breachrules.bundled("gdpr")
    new = breachrules.loads(GDPR_TEXT.replace("subjects > 1000\n", "subjects > 500\n").replace(RECOVERED, ""))
    result = verify.diff(old, new)
    assert result.complete and not result.weaker
    assert [(r.kind, r.cause) for r in result.regions] == [("rule", "large_number_of_people"),
                                                           ("exception", "recovered_before_misuse")]
    threshold, recovered = result.regions
    assert [c.text for c in threshold.conditions] == ["harm_can_follow", "subjects >= 501", "subjects <= 1000"]
    assert [c.text for c in recovered.conditions] == ["confidentiality_affected", "recovered", "exposed_to == outsider"]
    levels = old.program.outcome("risk").levels
    # a low severity among more people is a medium one overall: with a possible
    # or likely misuse, a risk to notify
    assert {(c.output, c.old, c.new) for c in threshold.changes} == {
        ("outcome:volume", 0, 1), ("outcome:impact", 0, 1),
        ("outcome:risk", levels.index("none"), levels.index("risk")),
        ("obligation:notify_authority", False, True)}
    assert ("obligation:communicate_subjects", False, True) in {(c.output, c.old, c.new) for c in recovered.changes}
    assert threshold.new_rules == ("large_number_of_people",) and not threshold.old_rules
    assert "recovered_before_misuse" in recovered.old_rules
    for region in result.regions:
        for change in region.changes:
            assert _decides(old, change.incident, change.output) == change.old
            assert _decides(new, change.incident, change.output) == change.new
    back = verify.diff(new, old)
    assert back.weaker and [r.cause for r in back.regions] == ["large_number_of_people", "recovered_before_misuse"]


def test_check_says_when_the_solver_is_missing(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from breachrules import cli

    monkeypatch.setattr(verify, "available", lambda: False)
    assert cli.main(["check", "gdpr", "--lang", "sv"]) == 0
    out, err = capsys.readouterr()
    assert 'pip install "breachrules[verify]"' in err and "bevisad" not in out
    assert cli.main(["diff", "gdpr", "gdpr"]) == 6  # ExitCode.UNAVAILABLE
    assert 'pip install "breachrules[verify]"' in capsys.readouterr().err


def test_a_reading_of_unknowns_that_does_not_bracket_is_refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The proof is not vacuous: read a rule that may apply as one that does,
    and it finds the partial incident and the answer that fall outside."""
    import z3

    from breachrules.verify import partial

    rs = breachrules.loads('ruleset p\nscale risk: none < risk < high\nfact a: bool\nfact n: count 0..\n'
                           'rule r when a or n > 3 then risk >= high because "r" cite "c"\n'
                           'obligation o when risk >= risk says "s" cite "c"\n')
    careful = partial.Partial._condition

    def careless(self: partial.Partial, rule: object) -> partial.Truth:
        truth = careful(self, rule)  # type: ignore[arg-type]
        return partial.Truth(z3.Not(truth.false), truth.false)

    monkeypatch.setattr(partial.Partial, "_condition", careless)
    analysis = verify.analyse(rs)
    assert [(c.kind, c.status) for c in analysis.claims][0] == ("unknowns", "refuted")
    (finding,) = [f for f in analysis.findings if f.code == "BR813"]
    assert finding.incident is not None and finding.other is not None
    assert set(finding.incident) < {"a", "n"} and set(finding.other) == {"a", "n"}
    assert rs.assess(finding.incident).provisional and rs.assess(finding.other).risk != "high"
    assert "kända:" in finding.render(locale="sv") and "besvarade:" in finding.render(locale="sv")


def test_counterexamples_are_the_same_run_after_run() -> None:
    """Python's hash seed changes the order of sets; the solver's terms, and
    so its models, must not depend on it."""
    import os

    outputs = set()
    for seed in ("0", "7"):
        result = subprocess.run([sys.executable, "-m", "breachrules.cli", "check", str(PLANTED), "--format", "json"],
                                capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.add(result.stdout)
    assert len(outputs) == 1 and '"incident": {' in outputs.pop()
