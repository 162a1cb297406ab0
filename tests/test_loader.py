"""Loading rulesets: files, bundled names, extends chains, pickling, threads."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import breachrules
from breachrules.diagnostics import RulesetError

HEALTH_EMAIL = {
    "breach_types": ["confidentiality"],
    "data_categories": ["health"],
    "subjects": 1,
    "exposed_to": "outsider",
    "became_aware_at": "2026-11-20T09:30:00+02:00",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_and_list() -> None:
    assert "gdpr" in breachrules.bundled_names()
    rs = breachrules.bundled("gdpr")
    assert rs.name == "gdpr"
    assert rs.program.span.file == "rulesets/gdpr.rules"  # the same on every machine


def test_unknown_bundled_name() -> None:
    with pytest.raises(RulesetError) as caught:
        breachrules.bundled("gdrp")
    assert caught.value.diagnostics[0].code == "BR502"
    assert "the bundled rulesets are fi-health, gdpr" in caught.value.diagnostics[0].message()


def test_missing_file() -> None:
    with pytest.raises(RulesetError) as caught:
        breachrules.load(Path("/nonexistent/acme.rules"))
    assert caught.value.diagnostics[0].code == "BR501"


def test_an_organisation_extends_the_bundled_ruleset_without_copying_it(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.rules", """ruleset acme extends gdpr version "1"
fact laptop_policy_followed: bool default false
exception acme_laptop_policy to special_categories_exposed
  when laptop_policy_followed
  then severity >= medium
  because "why.acme_laptop_policy"
  cite "ACME information security policy 4.2"
""")
    acme = breachrules.load(path)
    assert acme.name == "acme" and "became_aware_at" in acme.facts
    base = acme.assess(HEALTH_EMAIL)
    assert base.risk == breachrules.bundled("gdpr").assess(HEALTH_EMAIL).risk
    followed = acme.assess({**HEALTH_EMAIL, "laptop_policy_followed": True})
    assert ("acme_laptop_policy", "special_categories_exposed") in [
        (e.label, e.overrides) for e in followed.trace
    ]


def test_extending_ruleset_catalogs_come_first_then_the_base(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.rules", 'ruleset acme extends gdpr version "1"\n')
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "acme.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "scale.risk.high"\nmsgstr "HIGH (ACME wording)"\n',
        encoding="utf-8",
    )
    messages = breachrules.load(path).messages("en")
    assert messages("scale.risk.high") == "HIGH (ACME wording)"
    assert messages("scale.risk.none") == breachrules.bundled("gdpr").messages("en")("scale.risk.none")


def test_extends_a_relative_file_and_reports_cycles(tmp_path: Path) -> None:
    write(tmp_path, "base.rules", 'ruleset base version "1"\nscale risk: none < risk < high\n')
    child = write(tmp_path, "child.rules", 'ruleset child extends "base.rules"\nfact f: bool\n')
    assert set(breachrules.load(child).facts) == {"f"}
    write(tmp_path, "a.rules", 'ruleset a extends "b.rules"\n')
    loop = write(tmp_path, "b.rules", 'ruleset b extends "a.rules"\n')
    with pytest.raises(RulesetError) as caught:
        breachrules.load(loop)
    assert caught.value.diagnostics[0].code == "BR503"


def test_a_label_of_the_base_cannot_be_declared_again(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.rules", """ruleset acme extends gdpr
rule special_categories_exposed when true then risk >= high because "x" cite "y"
""")
    with pytest.raises(RulesetError) as caught:
        breachrules.load(path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "BR402"
    assert diagnostic.span.file.endswith("acme.rules") and diagnostic.span.line == 2
    assert "rulesets/gdpr.rules:" in diagnostic.message()


def test_compiled_rulesets_pickle() -> None:
    rs = breachrules.bundled("gdpr")
    copy = pickle.loads(pickle.dumps(rs))
    assert copy.name == rs.name
    assert copy.assess(HEALTH_EMAIL) == rs.assess(HEALTH_EMAIL)


def test_compiled_rulesets_are_thread_safe() -> None:
    rs = breachrules.bundled("gdpr")
    incidents = [
        {**HEALTH_EMAIL, "subjects": n, "data_categories": cats}
        for n in (1, 50, 5000)
        for cats in (["health"], ["contact"], ["financial", "contact"])
    ] * 30
    expected = [rs.assess(i) for i in incidents]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(rs.assess, incidents))
    assert got == expected


def test_load_from_text() -> None:
    rs = breachrules.loads('ruleset inline version "0"\nscale risk: none < risk < high\n')
    assert rs.name == "inline" and rs.assess({}).risk == "none"


def test_extends_cycles_are_found_whatever_the_spelling_of_the_path(tmp_path: Path) -> None:
    (tmp_path / "ext").mkdir()
    loop = write(tmp_path / "ext", "c.rules", 'ruleset c extends "../ext/c.rules"\n')
    with pytest.raises(RulesetError) as caught:
        breachrules.load(loop)
    assert caught.value.diagnostics[0].code == "BR503"


def test_a_missing_parent_is_reported_at_the_extends(tmp_path: Path) -> None:
    child = write(tmp_path, "child.rules", 'ruleset child\n  extends "nowhere.rules"\n')
    with pytest.raises(RulesetError) as caught:
        breachrules.load(child)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "BR501"
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 11)
