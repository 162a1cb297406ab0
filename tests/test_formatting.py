"""``breachrules fmt``'s layout (``breachrules.formatting``): examples of the
canonical layout, and its promises held over generated rulesets.

The promises: formatting is idempotent; it does not depend on the layout it
is given (scrambling the white space between tokens formats to the same
text); every comment stays in the gap between the same two tokens, a
trailing one on its token's line; and the formatted ruleset is the same
program (the same syntax tree, positions aside, and the same decisions).
The bundled rulesets are formatted, so that ``python -m pytest`` catches a
change that is not.
"""

from __future__ import annotations

import os
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import breachrules
from breachrules import parser
from breachrules.comments import placed, tokens_of
from breachrules.diagnostics import RulesetError
from breachrules.formatting import FormattingError, format_ruleset, same_tree
from breachrules.i18n import Messages

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "rulesets").glob("*.rules"))


def fmt(text: str, width: int = 80) -> str:
    return format_ruleset(textwrap.dedent(text).lstrip("\n"), width=width)


def expect(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def tokens(text: str) -> list[Any]:
    from breachrules.formatting import _concrete

    return tokens_of(_concrete().parse(text))


# ------------------------------------------------------------------ the bundled rulesets


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_rulesets_are_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_ruleset(text, str(path)) == text, f"run: breachrules fmt {path.relative_to(ROOT)}"


# ------------------------------------------------------------------ examples


def test_messy_input_takes_the_canonical_layout() -> None:
    messy = """
        ruleset   demo   version "1"   title "t"  source   "s"
        scale risk : none<risk <high
        fact a:bool default   false question "q"
        fact  b : count 0..
        fact c: {x,y,
           z}
        define d = a and(b>3 or c==x)
        rule r1 when a then risk>=high because "m" cite "c" , gdpr article 33 ( 3 )( a )
        exception e1 to r1
          always because "m2"
        obligation o when risk >= risk due  became + 72h says "o"
        combine risk2 = risk x risk
          none   :  none risk high
          risk: risk risk high
        """
    assert fmt(messy) == expect("""
        ruleset demo version "1"
          title  "t"
          source "s"
        scale risk: none < risk < high
        fact a: bool default false
          question "q"
        fact b: count 0..
        fact c: {x, y, z}
        define d = a and (b > 3 or c == x)
        rule r1
          when a
          then risk >= high
          because "m"
          cite "c", gdpr article 33(3)(a)
        exception e1 to r1 always
          because "m2"
        obligation o when risk >= risk
          due became + 72h
          says "o"
        combine risk2 = risk x risk
          none:  none  risk  high
          risk:  risk  risk  high
        """)


def test_a_long_condition_hangs_its_operators_so_that_the_operands_line_up() -> None:
    text = """
        ruleset x
        rule special_categories_exposed when confidentiality_affected and data_categories
          intersects {health, special_category, criminal} and significance == significant then severity >= very_high
        action lock in prevent when malicious or data_categories intersects {credentials_plain, credentials_hashed}
          says "a"
        """
    assert fmt(text) == expect("""
        ruleset x
        rule special_categories_exposed
          when confidentiality_affected
           and data_categories intersects {health, special_category, criminal}
           and significance == significant
          then severity >= very_high
        action lock in prevent
          when malicious
            or data_categories intersects {credentials_plain, credentials_hashed}
          says "a"
        """)


def test_a_condition_that_fits_stays_on_an_obligations_first_line() -> None:
    text = """
        ruleset x
        obligation notify when risk >= risk and role == controller says "o"
        action a in p when m says "a"
        action b in p always says "b"
        """
    assert fmt(text) == expect("""
        ruleset x
        obligation notify when risk >= risk and role == controller
          says "o"
        action a in p when m
          says "a"
        action b in p always
          says "b"
        """)


def test_a_long_definition_starts_on_the_next_line_and_breaks_before_each_operator() -> None:
    text = """
        ruleset x
        define confidentiality_affected = confidentiality in breach_types and data_categories != {}
            and not (exposed_to == colleague and not malicious)
        define short = a + b
        define sum = volume_of_data + controller_characteristics + individual_characteristics
        invariant i: not (confidentiality_affected and health in data_categories
          and significance == significant) or risk >= high
        """
    assert fmt(text) == expect("""
        ruleset x
        define confidentiality_affected =
          confidentiality in breach_types
          and data_categories != {}
          and not (exposed_to == colleague and not malicious)
        define short = a + b
        define sum =
          volume_of_data + controller_characteristics + individual_characteristics
        invariant i:
          not (confidentiality_affected
               and health in data_categories
               and significance == significant)
          or risk >= high
        """)


def test_lists_are_filled_under_their_first_item() -> None:
    text = """
        ruleset x
        fact data_categories: set of {contact, identity_number, identity_attributes, financial, health,
          special_category, criminal}
        aggravating breach_types, subjects, recipients, vulnerable_subjects, malicious, data_categories
        aggravating exposed_to: nobody < probably_nobody < unknown_party < public,
          nobody < colleague < outsider < public
        """
    assert fmt(text) == expect("""
        ruleset x
        fact data_categories: set of {contact, identity_number, identity_attributes,
                                      financial, health, special_category, criminal}
        aggravating breach_types, subjects, recipients, vulnerable_subjects, malicious,
                    data_categories
        aggravating exposed_to: nobody < probably_nobody < unknown_party < public,
                                nobody < colleague < outsider < public
        """)


def test_references_and_table_columns_are_aligned_in_runs() -> None:
    text = """
        ruleset x reference gdpr : law "reference.gdpr"
        reference   tsv_notification_form:document "reference.form"

        reference other:law "reference.other" combine risk = impact x likelihood likelihood: remote possible
          likely low: none none risk very_high: risk high high
        """
    assert fmt(text) == expect("""
        ruleset x
        reference gdpr:                  law      "reference.gdpr"
        reference tsv_notification_form: document "reference.form"

        reference other: law "reference.other"
        combine risk = impact x likelihood
          likelihood:  remote  possible  likely
          low:         none    none      risk
          very_high:   risk    high      high
        """)


def test_scores_points_checklists_plans_and_notices() -> None:
    text = """
        ruleset x
        score band: risk = se below 2: low below -3 : medium otherwise : high
        points ei = ease negligible: 0.25 limited:0.50 maximum :1
        checklist c for o item nature: a, b cite gdpr article 33(3)(a) item people: p
        plan response: acute, prevent
        notice n for o, p what_happened: a, b contact: c
        replaced a by b
        mitigating restoration: impossible < partial < complete
        """
    assert fmt(text) == expect("""
        ruleset x
        score band: risk = se
          below 2: low
          below -3: medium
          otherwise: high
        points ei = ease
          negligible: 0.25
          limited: 0.50
          maximum: 1
        checklist c for o
          item nature: a, b
            cite gdpr article 33(3)(a)
          item people: p
        plan response: acute, prevent
        notice n for o, p
          what_happened: a, b
          contact: c
        replaced a by b
        mitigating restoration: impossible < partial < complete
        """)


def test_strings_numbers_and_durations_are_kept_as_written() -> None:
    text = (
        'ruleset x version "1.0"\n'
        'fact f: number -1000.50..007 default 0.10\n'
        'define d = "tab\there \\"quoted\\" # not a comment ÅÄÖ" == "x"  # a comment\n'
        'define t = 1.50h + 007d - 2w * 0.5\n'
    )
    assert format_ruleset(text) == text


def test_blank_lines_between_statements_are_kept_once_and_dropped_inside_them() -> None:
    text = "ruleset x\n\n\n\nfact a: bool\nfact b: bool\n\n\n# about c\n\nfact c: bool\n\n  question \"q\"\n\n\n"
    expected = 'ruleset x\n\nfact a: bool\nfact b: bool\n\n# about c\n\nfact c: bool\n  question "q"\n'
    assert format_ruleset(text) == expected


def test_comments_stay_where_they_were() -> None:
    text = """
        # A file comment.

        # Another, after a blank line.
        ruleset demo version "1"  # the version
        # Above a fact.
        fact c: {x, y,  # after y
           z}
          # Indented after a statement: it stays with it.
        define d = a and (b > 3 or
           # inside the parentheses
           c == x)
        rule r when a  # why a
          then risk >= high
        # At the end.
        """
    assert fmt(text) == expect("""
        # A file comment.

        # Another, after a blank line.
        ruleset demo version "1"  # the version
        # Above a fact.
        fact c: {x, y,  # after y
                 z}
          # Indented after a statement: it stays with it.
        define d =
          a
          and (b > 3
               or
               # inside the parentheses
               c == x)
        rule r
          when a  # why a
          then risk >= high
        # At the end.
        """)


def test_windows_line_endings_and_tabs_become_plain_lines() -> None:
    text = "ruleset x\r\n# a comment\r\nfact a:\tbool\r\n\tquestion \"q\"\r\n"
    assert format_ruleset(text) == 'ruleset x\n# a comment\nfact a: bool\n  question "q"\n'


def test_deep_nesting_is_formatted_without_recursion_trouble() -> None:
    deep_not = "ruleset x\ndefine a = " + "not " * 60 + "b\n"
    assert format_ruleset(deep_not) == "ruleset x\ndefine a =\n  " + "not " * 60 + "b\n"
    parens = "(" * 3000 + "b" + ")" * 3000
    assert format_ruleset(f"ruleset x\ndefine a = {parens}\n") == f"ruleset x\ndefine a =\n  {parens}\n"


def test_the_width_is_a_parameter() -> None:
    text = "ruleset x\ndefine a = b and c\n"
    assert format_ruleset(text, width=12) == "ruleset x\ndefine a =\n  b and c\n"
    assert format_ruleset(text, width=8) == "ruleset x\ndefine a =\n  b\n  and c\n"


# ------------------------------------------------------------------ refusing


def test_text_that_does_not_parse_raises_the_librarys_positioned_error() -> None:
    with pytest.raises(RulesetError) as caught:
        format_ruleset("ruleset x\nrule r when\n", "bad.rules")
    assert str(caught.value.diagnostics[0].span) == "bad.rules:2:12"
    assert "bad.rules:2:12" in caught.value.render()


def test_a_layout_that_would_change_the_ruleset_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from breachrules import formatting

    text = "ruleset x\n# c\ndefine a = b or c\n"
    for broken, what in (
        (lambda *a: "ruleset x\n# c\ndefine a = b and c\n", "tree"),
        (lambda *a: "ruleset x\ndefine a = b or c  # c\n", "comments"),
        (lambda *a: "ruleset x\n# c\ndefine a = (b or c)\n", "tokens"),
        (lambda *a: "ruleset x\n# c\ndefine a = \n", "parse"),
    ):
        monkeypatch.setattr(formatting, "_print", broken)
        with pytest.raises(FormattingError) as caught:
            format_ruleset(text, "x.rules")
        assert caught.value.what == what


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_refusal_is_said_in_every_language(lang: str) -> None:
    assert Messages(lang).has("formatting.changed")
    assert "x.rules" in FormattingError("x.rules", "tree").message(lang)


def test_same_tree_ignores_positions_only() -> None:
    a = parser.parse("ruleset x\ndefine a = b or c\n", "a")
    b = parser.parse("ruleset   x\n\n define a =\n b or c\n", "b")
    c = parser.parse("ruleset x\ndefine a = b or d\n", "a")
    assert same_tree(a, b)
    assert not same_tree(a, c)


# ------------------------------------------------------------------ properties


@st.composite
def scrambled(draw: Any, text: str) -> str:
    """The same tokens and comments with other white space between them:
    any spaces, tabs and line breaks inside a statement; between statements
    a blank line where there was one and none where there was none. Gaps
    holding comments are left alone (a comment's line decides its place).
    The choices come from one drawn seed: a draw for each gap would make
    Hypothesis slow on rulesets of thousands of tokens."""
    from breachrules.comments import gaps_of

    chance = random.Random(draw(st.integers(0, 2**32)))
    found = tokens(text)
    gaps = gaps_of(text, found)
    starts = _statement_starts(text)
    out = [text[:found[0].end_pos]]
    for i in range(1, len(found)):
        original = text[found[i - 1].end_pos:found[i].start_pos]
        if gaps[i].comments:
            out.append(original)
        elif i in starts:
            blank = gaps[i].blank_line_after
            out.append(chance.choice(["\n\n", " \n\t\n  ", "\n \n\n"] if blank else ["\n", " ", "\t \n  "]))
        else:
            choices = [" ", "  ", "\n", "\n    ", "\t", " \n\n ", "\n\t\t"] + ([""] if original == "" else [])
            out.append(chance.choice(choices))
        out.append(str(found[i]))
    out.append(text[found[-1].end_pos:])
    return "".join(out)


def _statement_starts(text: str) -> set[int]:
    """The indexes of the tokens that start a statement (the header's is 0)."""
    from breachrules.formatting import _concrete, _statements

    return {s.first for s in _statements(_concrete().parse(text))}


@st.composite
def commented(draw: Any, text: str) -> str:
    """The text with comments put into some of its gaps: at the end of a
    token's line, or on lines of their own, indented or not."""
    chance = random.Random(draw(st.integers(0, 2**32)))
    found = tokens(text)
    out = [text[:found[0].end_pos]]
    for i in range(1, len(found) + 1):
        end = found[i].start_pos if i < len(found) else len(text)
        gap = text[found[i - 1].end_pos:end]
        roll = chance.randrange(10)
        if roll == 0 and "#" not in gap:
            gap = f"  # t{i}\n" + gap.lstrip(" \t")
        elif roll == 1:
            gap = gap + f"\n{chance.choice(['', '  ', chr(9)])}# o{i}\n"
        out.append(gap)
        if i < len(found):
            out.append(text[found[i].start_pos:found[i].end_pos])
    return "".join(out)


def generated(extremes: bool = True) -> st.SearchStrategy[str]:
    """Random well-formed rulesets; ``extremes=False`` leaves out the shapes
    at the language's limits (slow to compile, and met by the first property)."""
    from breachrules.testing import rulesets

    return rulesets(extremes=extremes)


# Twenty rulesets of hundreds of tokens each, scrambled and commented, in
# the default run (about 40 seconds); the thorough profile takes its own count.
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
PROPERTIES = settings(max_examples=settings.default.max_examples if THOROUGH else 20, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                             HealthCheck.filter_too_much])


@PROPERTIES
@given(st.data())
def test_formatting_is_idempotent_and_ignores_the_layout_it_is_given(data: st.DataObject) -> None:
    text = data.draw(generated())
    once = format_ruleset(text)
    assert format_ruleset(once) == once
    assert format_ruleset(data.draw(scrambled(text))) == once
    assert format_ruleset(data.draw(scrambled(once))) == once


@PROPERTIES
@given(st.data())
def test_every_comment_stays_in_its_place(data: st.DataObject) -> None:
    text = data.draw(commented(data.draw(generated(extremes=False))))
    once = format_ruleset(text)
    assert placed(once, tokens(once)) == placed(text, tokens(text))
    assert format_ruleset(once) == once
    assert format_ruleset(data.draw(scrambled(once))) == once


@PROPERTIES
@given(st.data())
def test_a_formatted_ruleset_is_the_same_program(data: st.DataObject) -> None:
    text = data.draw(generated(extremes=False))
    formatted = format_ruleset(data.draw(scrambled(text)))
    assert same_tree(parser.parse(text, "a"), parser.parse(formatted, "b"))
    before, after = _compiled(text), _compiled(formatted)
    if isinstance(before, RulesetError):
        assert isinstance(after, RulesetError)
        assert [d.code for d in before.diagnostics] == [d.code for d in after.diagnostics]
        return
    assert not isinstance(after, RulesetError)
    assert list(before.facts) == list(after.facts)
    for incident in data.draw(st.lists(_complete_incidents(before), min_size=1, max_size=3)):
        assert _decided(before, incident) == _decided(after, incident)


def _compiled(text: str) -> Any:
    try:
        return breachrules.loads(text)
    except RulesetError as error:
        return error


def _complete_incidents(ruleset: Any) -> st.SearchStrategy[dict[str, Any]]:
    from breachrules.testing import incidents

    return incidents(ruleset, complete=True)


def _decided(ruleset: Any, incident: dict[str, Any]) -> Any:
    """What a ruleset decides, or the error it raises, without positions."""
    try:
        decision = ruleset.decide(incident)
    except breachrules.EvaluationError as error:
        return ("error", error.label, error.reason)
    return (dict(decision.levels), decision.required)


@settings(max_examples=settings.default.max_examples if THOROUGH else 10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(BUNDLED), st.data())
def test_the_bundled_rulesets_come_back_from_any_layout(path: Path, data: st.DataObject) -> None:
    """The statements the generator does not write (references, checklists,
    plans, actions, notices, invariants, aggravating and mitigating facts,
    the header's title and source) are all in the bundled rulesets."""
    text = path.read_text(encoding="utf-8")
    assert format_ruleset(data.draw(scrambled(text))) == text
    with_comments = data.draw(commented(text))
    once = format_ruleset(with_comments)
    assert placed(once, tokens(once)) == placed(with_comments, tokens(with_comments))
    assert format_ruleset(once) == once
