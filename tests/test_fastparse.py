"""The hand-written parser gives Lark's module, or steps aside.

:mod:`breachrules.fastparse` reads well-formed rulesets without Lark. Its
one promise: for any text, it returns either None (Lark then parses, and
reports any problem) or exactly the module Lark builds, node for node and
span for span. Every test here checks that promise, on the bundled and
example rulesets, on hand-picked corners of the grammar (keywords that are
names elsewhere, labels glued to their colons, brackets), on text generated
from the grammar and on mutated bundled rulesets.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachrules import fastparse, parser, resources, scanner
from breachrules.diagnostics import RulesetError
from breachrules.limits import DEFAULT, Limits
from tests.fuzzing import BUNDLED, bundled_text, grammar_rulesets, mutants

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import ruleset_text  # noqa: E402

HEAD = "ruleset t\nscale risk: none < risk < high\n"


def lark(text: str, limits: Limits = DEFAULT) -> Any:
    """Lark's answer: the module, or the codes of its diagnostics."""
    try:
        return parser.parse_with_lark(text, "t.rules", limits)
    except RulesetError as error:
        return [d.code for d in error.diagnostics]


def agree(text: str, limits: Limits = DEFAULT) -> bool:
    """Check the promise on one text; True when the hand-written parser answered."""
    fast = fastparse.parse(text, "t.rules", limits)
    reference = lark(text, limits)
    if fast is None:
        return False
    assert not isinstance(reference, list), f"Lark refuses ({reference}) what the fast parser read:\n{text}"
    assert repr(fast) == repr(reference)  # repr: 1 and 1.0 differ, as they must
    return True


def test_the_grammar_is_the_one_the_parser_was_written_for() -> None:
    # When this fails, grammar/breachrules.lark changed and the fast parser
    # stands aside (every ruleset is parsed by Lark, correct but slow). Make
    # fastparse.py read the new grammar, then set scanner.GRAMMAR_SHA256 to the new hash.
    assert hashlib.sha256(resources.grammar_file().read_bytes()).hexdigest() == scanner.GRAMMAR_SHA256


@pytest.mark.parametrize("path", sorted(
    [*ROOT.glob("rulesets/*.rules"), *ROOT.glob("examples/**/*.rules"), *ROOT.glob("benchmarks/*.rules"),
     *ROOT.glob("tests/**/*.rules")]), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_ruleset_of_the_repository_is_read_as_lark_reads_it(path: Path) -> None:
    assert agree(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("n", [10, 100, 1000])
def test_generated_rulesets_are_read_as_lark_reads_them(n: int) -> None:
    assert agree(ruleset_text(n))


def test_parse_uses_the_fast_parser_and_falls_back_to_lark_for_errors() -> None:
    text = HEAD + "fact a: bool\nrule r when a then risk >= high because \"m\" cite \"c\"\n"
    assert parser.parse(text, "t.rules") == lark(text)
    with pytest.raises(RulesetError) as caught:
        parser.parse(text + "rule\n", "t.rules")
    assert [d.code for d in caught.value.diagnostics] == lark(text + "rule\n") == ["BR103"]  # Lark's, positioned


CORNERS = [
    # keywords that are names where Lark's lexer cannot take them as keywords
    "fact count: count\nfact source: text\nfact x: bool\nobligation document always says \"d\" cite \"c\"\n",
    "fact of: {set, of, text}\nfact case: set of {page, section, law, document}\n",
    "fact known: bool\ndefine d = known is known and (known is unknown)\n",
    "fact without: datetime\nobligation o always due without + 1h says \"m\" cite \"c\"\n",
    "fact t: datetime\nobligation o always due without undue delay says \"m\" cite \"c\"\n",
    # a type keyword, not a scale named "count"
    "scale count: a < b\nfact c: count\n",
    # table cells and labels, glued or not to their colons
    "scale s: a < b\ncombine risk = s x s\n  s: none risk\n  a :none risk\n  b\t: high high\n",
    "scale s: a < b\ncombine risk = s x s\n s: none risk\n a: none x\n b: high x\nreference r: law \"r\"\n",
    "scale s: a < b\ncombine risk = s x s\n s: none risk\n a: none rule: high high\n",
    # points and scores, and the keyword "otherwise" that outranks a label
    "fact k: {a, b}\npoints p = k a: 1 b: -2.5\n",
    "fact k: {a, otherwise}\npoints p = k a: 1 otherwise: 2\n",
    "fact k: {otherwise, a}\npoints p = k otherwise: 1 a: 2\n",
    "fact n: number\nscore s: risk = n below 1: none below 2.5: risk otherwise: high\n",
    # expressions: precedence, brackets (which the parent's span includes), flat and/or
    "fact a: bool\nfact b: bool\nfact c: bool\ndefine d = (a or b) or c and not not (a)\n",
    "fact n: number\ndefine d = -n * 2 + 3 / (4 - n) - -n\ndefine e = ((n)) >= max(n, 1, (2))\n",
    "fact s: set of {x, y}\ndefine d = s | {x} & {} - s\ndefine e = x not in s and s subset of {x}\n",
    "fact s: set of {x, y}\ndefine d = s intersects {y} or size(s) == 0 or f() != s.x\n",
    "define d = 1.5h + 30min - 2d * 1w / 3\ndefine e = \"a \\\"q\\\" \\\\ b\" == \"\"\n",
    "fact t: datetime\ndefine d = t + 72h > t\ndefine e = true or false\n",
    # facts with every kind of default and range
    "fact a: count 1.. default 3 question \"q\"\nfact b: integer -5..-1 default -2\nfact c: number 0..1\n"
    "fact d: duration default 24h\nfact e: text default \"x\"\nfact f: set of {p} default {}\n"
    "fact g: risk default none\nfact h: bool default true\nfact i: {u, v} default u\n",
    # clauses, citations, checklists, notices, plans, invariants, monotone, replaced
    "reference g: law \"g\"\nreference e: document\"e\"\nfact a: bool\n"
    "rule r when a then risk >= high, risk >= risk because \"m\" cite g article 33(3)(a), g recital 75,"
    " e example 1 to 2 and 4, e section \"II.A\", e page 3, e annex 1, e case 06, \"free text\"\n"
    "exception x to r when not a then risk >= risk because \"m\" cite g\nexception y to x always because \"m\""
    " cite g article 9\nobligation o when risk >= high due now + 1h done t late requires a says \"s\" cite g\n"
    "exemption z to o when a instead p because \"m\" cite g\nobligation p says \"s\" cite g\n"
    "checklist c for o item i: a, b cite g item j: a\nplan pl: p1, p2\naction ac in p1 always says \"s\" cite g\n"
    "notice no for o, p what_happened: a, b\n advice: pl\ninvariant inv: a or not a because \"m\"\n"
    "aggravating a, b\nmitigating e: u < v < w, u < x\nreplaced old by a\n",
    # the header
    "",
]
HEADERS = ["ruleset t\n", "ruleset fi-health-2 extends gdpr version \"1\" title \"t\" source \"s\" title \"u\"\n",
           "# a comment\n\n  ruleset t extends \"../b.rules\"\n", "ruleset t-1x\n", "ruleset rule extends x-1.5\n"]


@pytest.mark.parametrize("body", CORNERS)
@pytest.mark.parametrize("head", HEADERS)
def test_corners_of_the_grammar(head: str, body: str) -> None:
    text = head + "scale risk: none < risk < high\n" + body
    agree(text)
    agree(text.replace("\n", "\r\n"))
    agree(text.replace(" ", "\t").replace("\n", " # c\n\x0c"))


def test_what_the_fast_parser_must_read_it_reads() -> None:
    for body in CORNERS:
        if "points p = k otherwise" in body or "a: 1 otherwise" in body or "rule: high" in body or "without +" in body:
            continue  # errors (Lark's lexer takes these for keywords), and where it steps aside on purpose
        assert agree(HEADERS[1] + "scale risk: none < risk < high\n" + body), body


@pytest.mark.parametrize("text", [
    HEAD + "rule r when a then\n",                     # a syntax error
    HEAD + "fact a: bool\nrule r when a < b < c then risk >= high because \"m\" cite \"c\"\n",
    HEAD + "fact é: bool\n", "\ufeff" + HEAD, HEAD + "fact a: bool!\n", HEAD + "define d = \"open\n",
    HEAD + "fact a: count 1..2h\n", HEAD + "define d = 99999999999999999999999999999999999\n",
    HEAD + "define d = 1e5\n", HEAD + "rule r always then risk >= high because \"a\" because \"b\" cite \"c\"\n",
    HEAD + "rule r always then risk >= high says \"a\" cite \"c\"\n",
    HEAD + "define d = " + "n" * 101 + "(1)\n", HEAD + "fact " + "n" * 101 + ": bool\n",
    HEAD + "define d = \"" + "s" * 2001 + "\"\n", HEAD + "fact f: {" + ", ".join(f"m{i}" for i in range(1001)) + "}\n",
    HEAD + "define d = " + "not " * 65 + "true\n", HEAD + "define d = " + "(" * 400 + "1" + ")" * 400 + "\n",
    HEAD + "reference r: lawyer \"x\"\n", HEAD + "plan p: a, b: c\n", "ruleset x-\n", "ruleset -x\n",
])
def test_errors_and_limits_are_left_to_lark(text: str) -> None:
    agree(text)


def test_limits_are_the_callers() -> None:
    text = HEAD + "define d = not not true\nfact a: bool\n"
    assert agree(text)
    assert fastparse.parse(text, "t.rules", Limits(max_depth=1)) is None
    assert fastparse.parse(text, "t.rules", Limits(max_statements=2)) is None
    assert lark(text, Limits(max_statements=2)) == ["BR603"]


def test_scanning_is_linear_on_hostile_text() -> None:
    # Many comment lines ending in spaces, then a character no token starts
    # with: a scanner that backtracked would try every way to split them.
    text = HEAD + "# c   \n" * 20_000 + " " * 200_000 + "!"
    assert fastparse.parse(text, "t.rules") is None


fuzz = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example, HealthCheck.filter_too_much])


@fuzz
@given(st.data())
def test_text_from_the_grammar(data: Any) -> None:
    agree(data.draw(grammar_rulesets()))


@fuzz
@given(st.data())
def test_mutated_bundled_rulesets(data: Any) -> None:
    mutant = data.draw(mutants(data.draw(st.sampled_from(BUNDLED))))
    agree(mutant.text)


def test_the_bundled_rulesets_are_read_without_lark() -> None:
    for name in BUNDLED:
        assert fastparse.parse(bundled_text(name), f"{name}.rules") is not None
