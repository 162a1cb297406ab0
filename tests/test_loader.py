"""Loading rulesets: files, bundled names, extends chains, pickling, threads."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
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
    assert "the bundled rulesets are enisa, fi-health, gdpr" in caught.value.diagnostics[0].message()


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


# ------------------------------------------------------------------ untrusted rulesets

TEXT_HEAD = 'ruleset up version "1"\nscale risk: none < risk < high\n'


def test_text_and_files_are_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a one-line string is text for loads, a path for load, whatever it looks like
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "x.rules", TEXT_HEAD)
    assert breachrules.load("x.rules").name == "up"
    with pytest.raises(RulesetError) as caught:
        breachrules.loads("x.rules")
    assert caught.value.diagnostics[0].code == "BR101"


def test_text_extends_only_bundled_rulesets_unless_given_a_base(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.txt", "root:x:0:0:root:/root:/bin/bash\n")
    for target in (str(secret), "/etc/passwd", "../../etc/passwd", "secret.txt"):
        with pytest.raises(RulesetError) as caught:
            breachrules.loads(f'ruleset up extends "{target}"\n')
        (diagnostic,) = caught.value.diagnostics
        assert (diagnostic.code, diagnostic.span.line) == ("BR506", 1)
        assert "root:" not in caught.value.render()
    assert breachrules.loads("ruleset up extends gdpr\n").facts == breachrules.bundled("gdpr").facts
    write(tmp_path, "base.rules", TEXT_HEAD + "fact f: bool\n")
    assert set(breachrules.loads('ruleset up2 extends "base.rules"\n', base=tmp_path).facts) == {"f"}


def test_a_file_ruleset_extends_only_inside_its_own_directory_tree(tmp_path: Path) -> None:
    (tmp_path / "org" / "sub").mkdir(parents=True)
    write(tmp_path, "outside.rules", TEXT_HEAD)
    write(tmp_path / "org" / "sub", "base.rules", TEXT_HEAD.replace("up", "base"))
    inside = write(tmp_path / "org", "ok.rules", 'ruleset ok extends "sub/base.rules"\n')
    assert breachrules.load(inside).name == "ok"
    escape = write(tmp_path / "org", "escape.rules", 'ruleset escape extends "../outside.rules"\n')
    with pytest.raises(RulesetError) as caught:
        breachrules.load(escape)
    assert caught.value.diagnostics[0].code == "BR508"
    (tmp_path / "org" / "link.rules").symlink_to(tmp_path / "outside.rules")
    linked = write(tmp_path / "org", "linked.rules", 'ruleset linked extends "link.rules"\n')
    with pytest.raises(RulesetError) as caught:
        breachrules.load(linked)
    assert caught.value.diagnostics[0].code == "BR508"


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.rules"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero"), tmp_path):
        with pytest.raises(RulesetError) as caught:
            breachrules.load(path)  # a FIFO hung, /dev/zero ran out of memory
        assert caught.value.diagnostics[0].code == "BR507"
    child = write(tmp_path, "child.rules", 'ruleset child extends "pipe.rules"\n')
    with pytest.raises(RulesetError) as caught:
        breachrules.load(child)
    assert (caught.value.diagnostics[0].code, caught.value.diagnostics[0].span.line) == ("BR507", 1)


def test_a_file_that_is_not_a_ruleset_is_never_echoed(tmp_path: Path) -> None:
    secret = write(tmp_path, "passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1\n")
    child = write(tmp_path, "child.rules", 'ruleset child extends "passwd"\n')
    for attempt in (lambda: breachrules.load(secret), lambda: breachrules.load(child)):
        with pytest.raises(RulesetError) as caught:
            attempt()
        assert caught.value.diagnostics[0].code == "BR504"
        for locale in ("en", "fi", "sv"):
            assert "/bin/bash" not in caught.value.render(locale) and "daemon" not in caught.value.render(locale)


def test_invalid_utf8_is_a_positioned_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.rules"
    path.write_bytes(TEXT_HEAD.encode() + b"fact caf\xe9: bool\n")
    with pytest.raises(RulesetError) as caught:
        breachrules.load(path)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("BR505", 3, 9)


def test_catalogs_come_only_from_beside_the_file_or_from_the_caller(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "up.po").write_text(_po({"scale.risk.high": "from the working directory"}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    text = TEXT_HEAD + 'fact a: bool\nrule r when a then risk >= high because "why" cite "c"\n'
    assert breachrules.loads(text).messages("en")("scale.risk.high") == "scale.risk.high"
    given = breachrules.loads(text, catalogs=tmp_path / "locale")
    assert given.messages("en")("scale.risk.high") == "from the working directory"


def test_a_ruleset_catalog_cannot_replace_the_library_s_messages(tmp_path: Path) -> None:
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "acme.po").write_text(_po({
        "explain.must": "No need to notify anyone", "record.title": "Nothing happened",
        "scale.risk.high": "HIGH",
    }), encoding="utf-8")
    acme = breachrules.load(write(tmp_path, "acme.rules", "ruleset acme extends gdpr\n"))
    report = acme.report(HEALTH_EMAIL, now=datetime(2026, 11, 21, tzinfo=UTC))
    assert "No need" not in report.to_markdown("en") and "Nothing happened" not in report.to_markdown("en")
    assert acme.messages("en")("scale.risk.high") == "HIGH"  # its own messages it may word as it likes


def test_placeholders_in_a_ruleset_s_texts_and_catalogs_are_refused(tmp_path: Path) -> None:
    for text in ("{x:>200000000}", "{x.__class__.__mro__}", "{0}", "{x!r}", "a } b", "{x}"):
        with pytest.raises(RulesetError) as caught:
            breachrules.loads(TEXT_HEAD + f'fact a: bool\nrule r when a then risk >= high because "{text}" cite "c"\n')
        assert caught.value.diagnostics[0].code == "BR421", text
    escaped = breachrules.loads(TEXT_HEAD + 'fact a: bool\nrule r when a then risk >= high '
                                'because "set {{a, b}}" cite "c"\n')
    assert "set {a, b}" in escaped.assess({"a": True}).explain("en")
    locale = tmp_path / "locale" / "fi" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "acme.po").write_text(_po({"scale.risk.high": "{x:>200000000}"}), encoding="utf-8")
    acme = breachrules.load(write(tmp_path, "acme.rules", "ruleset acme extends gdpr\n"))
    with pytest.raises(RulesetError) as caught:
        acme.assess(HEALTH_EMAIL).explain("fi")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "BR422" and diagnostic.span.file.endswith("acme.po") and diagnostic.span.line == 5


def test_a_catalog_may_name_the_ruleset_s_numbers_and_nothing_else(tmp_path: Path) -> None:
    rules = ('ruleset acme\nscale risk: none < risk < high\nfact subjects: count\nfact kind: {a, b}\n'
             'define twice = subjects * 2\n'
             'rule r when twice > 10 then risk >= high because "reason.r" cite "c"\n')
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "acme.po").write_text(_po({"reason.r": "{subjects} people, counted twice {twice}."}), encoding="utf-8")
    acme = breachrules.load(write(tmp_path, "acme.rules", rules))
    assert "6 people, counted twice 12." in acme.assess({"subjects": 6, "kind": "a"}).explain("en")
    from breachrules import catalogs

    for text in ("{kind} people.", "{twice:>9} people.", "{thrice} people."):
        (locale / "acme.po").write_text(_po({"reason.r": text}), encoding="utf-8")
        for cached in (catalogs._layers, catalogs._load_catalog, catalogs._translations, catalogs._ruleset_catalog):
            cached.cache_clear()  # the catalog is read again
        with pytest.raises(RulesetError) as caught:
            acme.assess({"subjects": 6, "kind": "a"}).explain("en")
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.code == "BR422" and diagnostic.span.line == 5, text


def test_retired_messages_still_render_and_are_not_counted_as_unused(tmp_path: Path) -> None:
    # gdpr 2027.1 dropped the rule large_scale_exposure; a record made under
    # 2026.1 names it, so its words stay in the catalogs as obsolete entries
    for lang, words in (("fi", "suuren henkilömäärän"), ("sv", "ett stort antal personer"),
                        ("en", "data of a large number of people exposed")):
        assert words in breachrules.bundled("gdpr").messages(lang)("name.large_scale_exposure")
    from breachrules import catalogs, resources

    gdpr_rules = resources.bundled_path("gdpr")
    assert gdpr_rules is not None
    ids = catalogs.catalog_ids(gdpr_rules.parent / "locale", "en", "gdpr")
    assert "name.large_scale_exposure" not in ids
    assert "name.large_number_of_people" in ids
    # an obsolete entry is a stranger's text like any other: a format in it is refused
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "acme.po").write_text(_po({"scale.risk.high": "HIGH"}) + '\n#~ msgid "old"\n#~ msgstr "{x:>9}"\n',
                                    encoding="utf-8")
    acme = breachrules.load(write(tmp_path, "acme.rules", "ruleset acme extends gdpr\n"))
    with pytest.raises(RulesetError) as caught:
        acme.assess(HEALTH_EMAIL).explain("en")
    assert [d.code for d in caught.value.diagnostics] == ["BR422"]


def test_a_catalog_is_compiled_once_whatever_numbers_its_extensions_name(tmp_path: Path) -> None:
    # every uploaded extension of gdpr with numbers of its own checks gdpr's
    # catalogs against its names, but shares one compiled copy of them
    from breachrules import catalogs

    layers = []
    for i in range(3):
        rules = write(tmp_path, f"ext{i}.rules", f"ruleset ext{i} extends gdpr\nfact n{i}: count\n")
        layers.append(catalogs._layers("en", tuple(breachrules.load(rules).catalogs), frozenset({f"n{i}"})))
    assert layers[0][-1] is layers[1][-1] is layers[2][-1]


def test_errors_pickle() -> None:
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(TEXT_HEAD + "fact a: nonsense\n")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.diagnostics == caught.value.diagnostics and copy.render("fi") == caught.value.render("fi")


def _po(entries: dict[str, str]) -> str:
    head = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    return head + "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in entries.items())


def test_many_misspellings_against_many_names_are_all_answered() -> None:
    # difflib against 2,000 names took 27 s for 300 misspellings; one-edit typos are found directly
    facts = "".join(f"fact fact_number_{i}: bool\n" for i in range(2_000))
    condition = " or ".join(f"fact_numbr_{i}" for i in range(300))
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(TEXT_HEAD + facts + f'rule r when {condition} then risk >= high because "m" cite "c"\n')
    suggestions = [dict(d.values)["suggestion"] for d in caught.value.diagnostics]
    assert suggestions == [f"fact_number_{i}" for i in range(300)]


def test_a_catalog_gettext_would_refuse_is_a_positioned_error(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    acme = breachrules.load(write(tmp_path, "acme.rules", "ruleset acme extends gdpr\n"))
    for header in ('"Plural-Forms: nplurals=2; plural=n +;\\n"', '"Content-Type: text/plain; charset=utf-16\\n"'):
        (locale / "acme.po").write_text(f'msgid ""\nmsgstr ""\n{header}\n\nmsgid "x"\nmsgstr "y"\n',
                                        encoding="utf-8")
        from breachrules import catalogs

        catalogs._layers.cache_clear()
        catalogs._load_catalog.cache_clear()
        catalogs._translations.cache_clear()
        catalogs._ruleset_catalog.cache_clear()
        with pytest.raises(RulesetError) as caught:
            acme.assess(HEALTH_EMAIL).explain("en")
        assert caught.value.diagnostics[0].code == "BR509"
    (locale / "acme.po").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    catalogs._layers.cache_clear()
    catalogs._load_catalog.cache_clear()
    catalogs._translations.cache_clear()
    catalogs._ruleset_catalog.cache_clear()
    with pytest.raises(RulesetError):
        acme.assess(HEALTH_EMAIL).explain("en")
    printed = capsys.readouterr()
    assert "/bin/bash" not in printed.out + printed.err  # Babel is not let to print the lines it cannot read


def test_a_catalog_that_links_out_of_the_ruleset_s_tree_is_refused(tmp_path: Path) -> None:
    (tmp_path / "org" / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    outside = write(tmp_path, "outside.po", _po({"scale.risk.high": "TOPSECRET"}))
    (tmp_path / "org" / "locale" / "en" / "LC_MESSAGES" / "acme.po").symlink_to(outside)
    acme = breachrules.load(write(tmp_path / "org", "acme.rules", "ruleset acme extends gdpr\n"))
    with pytest.raises(RulesetError) as caught:
        acme.assess(HEALTH_EMAIL).explain("en")
    assert caught.value.diagnostics[0].code == "BR508" and "TOPSECRET" not in caught.value.render()


def test_odd_arguments_are_the_library_s_own_errors(tmp_path: Path) -> None:
    with pytest.raises(breachrules.ArgumentError):
        breachrules.loads(b"ruleset x\n")  # type: ignore[arg-type]
    with pytest.raises(breachrules.ArgumentError):
        breachrules.load(123)  # type: ignore[arg-type]
    with pytest.raises(RulesetError) as caught:
        breachrules.loads('ruleset b extends "a\x00b.rules"\n', base=tmp_path)
    assert caught.value.diagnostics[0].code == "BR501"
    small = write(tmp_path, "small.rules", TEXT_HEAD)
    assert breachrules.load(small, limits=breachrules.Limits(max_bytes=2**62)).name == "up"  # read in chunks


def test_the_column_of_invalid_utf8_counts_characters(tmp_path: Path) -> None:
    path = tmp_path / "bad.rules"
    path.write_bytes(TEXT_HEAD.encode() + "# äö ".encode() + b"\xff\n")
    with pytest.raises(RulesetError) as caught:
        breachrules.load(path)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 6)


# ------------------------------------------------------------------ the compile cache

CACHED = 'ruleset cached version "1"\nscale risk: none < risk < high\nfact a: bool\n' \
         'rule r when a then risk >= high because "reason.r" cite "c"\n'


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text either parser reads, from now on."""
    from breachrules import fastparse, parser

    parsed: list[str] = []
    fast, lark = fastparse.parse, parser.parse_with_lark

    def fast_counted(text: str, *args: object) -> object:
        parsed.append(text)
        return fast(text, *args)  # type: ignore[arg-type]

    def lark_counted(text: str, *args: object) -> object:
        parsed.append(text)
        return lark(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(fastparse, "parse", fast_counted)
    monkeypatch.setattr(parser, "parse_with_lark", lark_counted)
    return parsed


def test_identical_text_gives_the_same_ruleset_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    first = breachrules.loads(CACHED)
    parsed = _count_parses(monkeypatch)
    again = breachrules.loads("".join(list(CACHED)))  # equal text, another string object
    assert again is first and parsed == []


def test_different_text_is_compiled_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    first = breachrules.loads(CACHED)
    parsed = _count_parses(monkeypatch)
    other = breachrules.loads(CACHED.replace('"1"', '"2"'))
    assert other is not first and other.version == "2" and first.version == "1"
    assert len(parsed) == 1  # parsed once, not once to find its extends and once more to compile


def test_other_limits_are_not_answered_from_the_cache() -> None:
    breachrules.loads(CACHED)
    with pytest.raises(RulesetError) as caught:
        breachrules.loads(CACHED, limits=breachrules.Limits(max_statements=2))
    assert [d.code for d in caught.value.diagnostics] == ["BR603"]


def test_an_edited_file_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    base = write(tmp_path, "base.rules", CACHED)
    child = write(tmp_path, "child.rules", 'ruleset child extends "base.rules"\n')
    before = breachrules.load(child)
    assert breachrules.load(child) is before
    base.write_text(CACHED.replace("fact a: bool", "fact a: bool\nfact b: bool"), encoding="utf-8")
    after = breachrules.load(child)
    assert after is not before and "b" in after.facts and "b" not in before.facts
    child.write_text('ruleset child extends "base.rules"\nfact c: bool\n', encoding="utf-8")
    assert "c" in breachrules.load(child).facts


def test_edited_catalogs_are_never_answered_from_the_cache(tmp_path: Path) -> None:
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    po = locale / "cached.po"
    po.write_text(_po({"reason.r": "Because."}), encoding="utf-8")
    path = write(tmp_path, "cached.rules", CACHED)
    before = breachrules.load(path)
    digest = before.digest
    assert breachrules.load(path) is before
    po.write_text(_po({"reason.r": "Because, as the catalog now says."}), encoding="utf-8")
    after = breachrules.load(path)
    assert after is not before and after.digest != digest  # the digest names the words it was made with
    po.unlink()
    assert breachrules.load(path) is not after


def test_a_ruleset_unpickles_through_the_cache() -> None:
    rs = breachrules.loads(CACHED)
    assert pickle.loads(pickle.dumps(rs)) is rs
    from breachrules import loader

    loader.clear_cache()
    copy = pickle.loads(pickle.dumps(rs))  # compiled again from its sources
    assert copy is not rs and copy.assess({"a": True}) == rs.assess({"a": True})


def test_compiling_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    from breachrules import loader

    assert gc.isenabled()
    loader.clear_cache()
    breachrules.loads(CACHED)
    assert gc.isenabled()
    gc.disable()
    try:
        loader.clear_cache()
        breachrules.loads(CACHED)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RulesetError):
        breachrules.loads(CACHED + "rule\n")
    assert gc.isenabled()
