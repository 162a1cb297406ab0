"""What a result carries of its ruleset, and what the library does not know of any ruleset."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import breachrules
from breachrules.vocabulary import FactShape, Notice, NoticePart, Vocabulary

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "breachrules"
# Words that are the language's, not a bundled ruleset's: every ruleset has
# a `risk` scale (an assessment is for it), `severity` is a field of a
# diagnostic, and `document` a kind of reference (`reference x: document "..."`).
LANGUAGE_WORDS = {"risk", "severity", "document"}


def _declared_names() -> set[str]:
    names: set[str] = set()
    statement = re.compile(r"^\s*(?:fact|obligation|plan|rule|exception|exemption|action|checklist|define|scale"
                           r"|combine|score|points|notice)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
    for path in (ROOT / "rulesets").glob("*.rules"):
        names |= set(statement.findall(path.read_text(encoding="utf-8")))
    return names - LANGUAGE_WORDS


def test_the_library_source_names_no_fact_obligation_or_plan_of_a_bundled_ruleset() -> None:
    declared = _declared_names()
    assert {"contact_point", "communicate_subjects", "self_protection", "data_categories"} <= declared  # the scan works
    found = []
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and node.value in declared:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert found == []


def test_a_vocabulary_reads_back_as_itself() -> None:
    vocabulary = Vocabulary(
        facts=(FactShape("kinds", "set", ("a", "b")), FactShape("level", "level", ("low", "high"), "severity"),
               FactShape("note", "text")),
        notices=(Notice("letter", ("tell",), (NoticePart("what_happened", (("fact", "kinds"), ("plan", "p"))),)),),
        digest="sha256:00",
    )
    assert Vocabulary.from_dict(vocabulary.to_dict()) == vocabulary


def test_an_assessment_carries_the_facts_in_order_with_their_types_and_the_notices() -> None:
    rs = breachrules.bundled("gdpr")
    a = rs.assess({"breach_types": ["confidentiality"]})
    names = [f.name for f in a.vocabulary.facts]
    assert names == list(rs.facts)
    assert a.vocabulary.fact("restore_time") == FactShape("restore_time", "duration")
    assert a.vocabulary.fact("breach_description") == FactShape("breach_description", "text")
    [notice] = a.vocabulary.notices
    assert notice.obligations == ("communicate_subjects", "public_communication")
    assert a.vocabulary.digest.startswith("sha256:")


def test_the_digest_changes_with_a_catalog_and_with_a_source(tmp_path: Path) -> None:
    from tests.test_record import CATALOG, RULES, write_ruleset

    first = write_ruleset(tmp_path / "a").assess({}).vocabulary.digest
    assert write_ruleset(tmp_path / "b").assess({}).vocabulary.digest == first  # same words, same digest
    reworded = {**CATALOG, "reason.outsider": ("Reworded.", "Toisin.", "Annorlunda.")}
    assert write_ruleset(tmp_path / "c", catalog=reworded).assess({}).vocabulary.digest != first
    assert write_ruleset(tmp_path / "d", RULES + "\n# a comment\n").assess({}).vocabulary.digest != first


@pytest.mark.parametrize("kind", ["facts", "notices"])
def test_a_version_2_assessment_without_a_vocabulary_still_reads(kind: str) -> None:
    a = breachrules.bundled("gdpr").assess({"breach_types": ["confidentiality"]})
    data = a.to_dict()
    data["schema"] = "breachrules.assessment/2"
    del data["vocabulary"]
    old = breachrules.Assessment.from_dict(data)
    assert getattr(old.vocabulary, kind) == ()
    assert old.explain("fi")
