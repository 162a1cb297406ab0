"""Message catalogs: complete, consistent across fi, sv and en, nothing fuzzy."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import breachrules
from breachrules import resources

LANGS = ("fi", "sv", "en")
SRC = Path(breachrules.__file__).resolve().parent
LIBRARY_DIR = resources.library_locale_dir()


def library_po(lang: str) -> Path:
    return LIBRARY_DIR / lang / "LC_MESSAGES" / "breachrules.po"


def ruleset_pos() -> list[tuple[str, str, Path]]:
    """(ruleset name, language, catalog path) of every bundled ruleset's own catalogs."""
    out = []
    for name in breachrules.bundled_names():
        rs = breachrules.bundled(name)
        directory, domain = rs.catalogs[0]  # its own; then those of the rulesets it extends
        for lang in LANGS:
            out.append((name, lang, Path(directory) / lang / "LC_MESSAGES" / f"{domain}.po"))
    return out


def read(path: Path) -> dict[str, tuple[str, ...]]:
    """msgid -> its translations (one, or one per plural form), header left out."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    out = {}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        out[msgid] = tuple(strings)
    return out


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a template; ``{{`` and ``}}`` are literal braces."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


ALL_CATALOGS = [library_po(lang) for lang in LANGS] + [path for _, _, path in ruleset_pos()]


def test_bundled_rulesets_exist() -> None:
    assert "gdpr" in breachrules.bundled_names()


@pytest.mark.parametrize("path", ALL_CATALOGS, ids=lambda p: "/".join(p.parts[-4:]))
def test_catalog_exists(path: Path) -> None:
    assert path.is_file(), f"missing catalog {path}"


@pytest.mark.parametrize("name, lang, path", ruleset_pos(), ids=lambda v: str(v)[-30:])
def test_ruleset_catalog_has_every_message_the_ruleset_uses(name: str, lang: str, path: Path) -> None:
    rs = breachrules.bundled(name)
    assert rs.program.message_ids, "the ruleset uses no messages?"
    # a message comes from the ruleset's own catalog or, failing that, from
    # the catalogs of the rulesets it extends
    catalog: dict[str, tuple[str, ...]] = {}
    for directory, domain in reversed(rs.catalogs):
        catalog.update(read(Path(directory) / lang / "LC_MESSAGES" / f"{domain}.po"))
    assert path.is_file()
    missing = sorted(rs.program.message_ids - catalog.keys())
    empty = sorted(m for m in rs.program.message_ids & catalog.keys()
                   if not all(s.strip() for s in catalog[m]))
    assert missing == [], f"{path}: missing {missing}"
    assert empty == [], f"{path}: empty {empty}"


@pytest.mark.parametrize("name", breachrules.bundled_names())
def test_ruleset_catalogs_have_the_same_ids(name: str) -> None:
    paths = {lang: path for n, lang, path in ruleset_pos() if n == name}
    ids = {lang: set(read(path)) for lang, path in paths.items()}
    assert ids["fi"] == ids["en"], ids["fi"] ^ ids["en"]
    assert ids["sv"] == ids["en"], ids["sv"] ^ ids["en"]


def test_library_catalogs_have_the_same_ids() -> None:
    ids = {lang: set(read(library_po(lang))) for lang in LANGS}
    assert len(ids["en"]) > 50
    differences = {
        f"{what} in {lang}": sorted(diff)
        for lang in ("fi", "sv")
        for what, diff in (("missing", ids["en"] - ids[lang]), ("extra", ids[lang] - ids["en"]))
        if diff
    }
    assert differences == {}


@pytest.mark.parametrize("lang", LANGS)
def test_library_catalog_has_no_empty_messages(lang: str) -> None:
    catalog = read(library_po(lang))
    empty = sorted(m for m, strings in catalog.items() if not all(s.strip() for s in strings))
    assert empty == []


def _catalog_groups() -> list[tuple[str, dict[str, Path]]]:
    groups = [("library", {lang: library_po(lang) for lang in LANGS})]
    for name in breachrules.bundled_names():
        groups.append((name, {lang: p for n, lang, p in ruleset_pos() if n == name}))
    return groups


@pytest.mark.parametrize("group, paths", _catalog_groups(), ids=lambda v: v if isinstance(v, str) else "")
def test_placeholders_match_across_languages(group: str, paths: dict[str, Path]) -> None:
    catalogs = {lang: read(path) for lang, path in paths.items()}
    mismatches = []
    for msgid, en_strings in catalogs["en"].items():
        expected = set().union(*(placeholders(s) for s in en_strings))
        for lang in ("fi", "sv"):
            if msgid not in catalogs[lang]:
                continue  # reported by the completeness tests
            found = set().union(*(placeholders(s) for s in catalogs[lang][msgid]))
            if found != expected:
                mismatches.append((lang, msgid, sorted(expected), sorted(found)))
    assert mismatches == []


def test_placeholder_helper() -> None:
    assert placeholders("'{name}' is not one of {owner}: {members}") == {"name", "owner", "members"}
    assert placeholders("as in 'data intersects {{health}}'") == set()
    assert placeholders("{{a, b}} or {name}") == {"name"}


@pytest.mark.parametrize("path", ALL_CATALOGS, ids=lambda p: "/".join(p.parts[-4:]))
def test_no_fuzzy_entries(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fuzzy = [line for line in text.splitlines() if line.startswith("#,") and "fuzzy" in line]
    assert fuzzy == []
    with path.open("rb") as handle:
        catalog = read_po(handle)
    assert [m.id for m in catalog if m.id and m.fuzzy] == []


def _ids_used_by_the_library() -> set[str]:
    """Message ids the library's code names literally: explain.*, cli.*, case.*, record.*, notice.*, incident
    problem keys and diagnostic codes."""
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"(explain|cli|diagnostic|case|record|notice)\.[\w.]*\w", node.value):
                    used.add(node.value)
                elif re.fullmatch(r"BR\d{3}", node.value):
                    used.add(f"diagnostic.{node.value}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_problem", "_wrong", "Problem") and len(node.args) >= 2):
                key = node.args[1]
                keys = [key.body, key.orelse] if isinstance(key, ast.IfExp) else [key]
                used.update(f"incident.{k.value}" for k in keys if isinstance(k, ast.Constant))
    return used


def test_library_catalog_has_every_message_the_code_uses() -> None:
    used = _ids_used_by_the_library()
    assert "explain.due" in used and "incident.not_one_of" in used and "diagnostic.BR201" in used
    catalog = read(library_po("en"))
    assert sorted(used - catalog.keys()) == []
