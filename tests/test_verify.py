"""breachrules.verify: the solver's proofs and counterexamples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import breachrules
from breachrules import verify
from breachrules.verify import prover

HERE = Path(__file__).parent
PLANTED = HERE / "verify" / "planted.rules"


def _codes(analysis: prover.Analysis) -> dict[str, list[dict[str, object]]]:
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
    assert rs.assess(after).levels["risk"] < rs.assess(before).levels["risk"] or \
        rs.decide(after).risk != rs.decide(before).risk
    claims = {c.name: c.status for c in analysis.claims}
    assert claims == {"encrypted_is_never_high": "refuted", "encrypted": "refuted"}


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
    for name in ("gdpr", "fi-health"):
        analysis = verify.analyse(breachrules.bundled(name))
        assert analysis.findings == ()
        assert analysis.claims and all(c.status == "proved" for c in analysis.claims)
        kinds = {c.kind for c in analysis.claims}
        assert kinds == {"invariant", "aggravating", "mitigating"}


def test_an_extension_that_breaks_a_base_invariant_is_refuted() -> None:
    rs = breachrules.loads('ruleset w extends gdpr\nfact read: bool\n'
                           'rule r when read then risk >= high because "m" cite "c"\n')
    broken = {dict(f.values)["name"] for f in verify.analyse(rs).findings if f.code == "BR810"}
    assert "unintelligible_confidentiality_no_risk" in broken


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
    assert sorted(d.code for d in error.value.diagnostics) == ["BR307", "BR423", "BR424"]


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
    conditions = {frozenset(c.text for c in r.conditions): r for r in result.regions}
    changes = {(c.output, c.old, c.new) for r in result.regions for c in r.changes}
    assert ("outcome:risk", 1, 2) in changes and ("outcome:risk", 0, 1) in changes
    assert ("obligation:notify", False, True) in changes
    threshold = next(r for r in result.regions if any(c.output == "outcome:risk" and c.old == 1 for c in r.changes))
    assert {"leaked", "people >= 501", "people <= 1000"} <= {c.text for c in threshold.conditions}
    assert "many" in threshold.new_rules
    assert len(conditions) <= 4
    assert not result.weaker
    # the other way round drops a duty: a CI gate refuses it
    gate = tmp_path / "old.rules"
    gate.write_text(new_text, encoding="utf-8")
    later = tmp_path / "new.rules"
    later.write_text(old_text, encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "breachrules.cli", "diff", str(gate), str(later),
                          "--fail-on", "weaker"], capture_output=True, text=True)
    assert cli.returncode == 1, cli.stderr
    assert "notify" in cli.stdout
