"""Case files: worked examples that a ruleset must decide as expected.

A case file is TOML: the facts of one incident, the outcome levels and
obligations expected, and optional variants that change some facts and
expect another answer::

    ruleset = "fi-health"
    description = "Health data e-mailed to a wrong address"
    source = "TSV Dnro 7767/183/21, Annex 1, example 1"

    [facts]
    breach_types = ["confidentiality"]

    [expect]
    risk = "high"
    [expect.obligations]
    notify_authority = true

    [[variants]]
    name = "the recipient returned the letter unopened"
    [variants.facts]
    retrieval = "confirmed"
    [variants.expect]
    risk = "risk"

``ruleset`` is a bundled name or a ``.rules`` path relative to the case file.
Every problem in a file (a misspelt key, a level the outcome does not have,
facts that do not fit the ruleset) is reported at once with its path, as for
incidents, and with the line and column where it is written; nothing in a
case file is ignored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from breachrules.assessment import Assessment
from breachrules.diagnostics import did_you_mean
from breachrules.errors import BreachrulesError
from breachrules.failures import os_reason, parse_reason
from breachrules.i18n import DEFAULT_LOCALE, Messages, frozen_values, with_suggestion
from breachrules.incident import IncidentError
from breachrules.resources import read_regular
from breachrules.toml_positions import Position, locate, parse_path, positions

_TOP = ("ruleset", "description", "source", "facts", "expect", "variants")
_VARIANT = ("name", "remark", "facts", "expect")
_EXPECT_EXTRA = ("obligations", "provisional")

# A case file is a few screens of TOML; anything this large is not one.
MAX_CASE_BYTES = 4_000_000


@attrs.frozen
class CaseProblem:
    path: str  # "$.expect.risk"
    key: str  # message id: "case.<key>", or "incident.<key>" for facts that do not fit
    values: tuple[tuple[str, object], ...] = ()
    line: int | None = None  # where the path is written (a missing key: its table)
    column: int | None = None

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return f"{self.path}: {self.text(locale)}"

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        """The problem in words, as every library error says itself: ``render``."""
        return self.message(locale)

    def text(self, locale: str = DEFAULT_LOCALE) -> str:
        """The problem in words, without its path."""
        return with_suggestion(Messages(locale), self.key, self.values)


class CaseFileError(BreachrulesError):
    """A case file that cannot be run; ``problems`` lists every problem."""

    def __init__(self, file: str, problems: Sequence[CaseProblem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        super().__init__(self.render())

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.file, self.problems)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        return "\n".join(f"{self.file}{_at(p.line, p.column)}: {p.message(locale)}" for p in self.problems)


def _at(line: int | None, column: int | None) -> str:
    return "" if line is None else f":{line}:{column}"


@attrs.frozen
class Expectation:
    levels: Mapping[str, str]  # outcome -> level
    obligations: Mapping[str, bool]  # obligation -> required
    provisional: bool | None = None


@attrs.frozen
class Case:
    file: str
    name: str  # the description, or "description / variant name"
    variant: str | None
    remark: str
    facts: Mapping[str, Any]
    expect: Expectation
    where: str = "$"  # "$" for the base case, "$.variants[2]" for a variant
    line: int = 1  # where the case starts
    # where each expectation is written, by its key (see Mismatch.key):
    # "level risk", "obligation notify", "provisional"
    lines: Mapping[str, int] = attrs.field(factory=dict)


@attrs.frozen
class Mismatch:
    what: str  # an outcome, an obligation, "provisional", "invariant NAME" or "conflict"
    expected: object
    actual: object
    line: int | None = None  # of the expectation, or of the case for an invariant or a conflict
    kind: str = ""  # "level", "obligation", "provisional", "invariant" or "conflict"

    @property
    def key(self) -> str:
        """The expectation this mismatch is about, unambiguous even where an
        outcome and an obligation share a name: "level risk", "obligation notify"."""
        return f"{self.kind} {self.what}" if self.kind in ("level", "obligation") else self.kind


@attrs.frozen
class CaseResult:
    case: Case
    assessment: Assessment
    mismatches: tuple[Mismatch, ...]

    @property
    def passed(self) -> bool:
        return not self.mismatches


def find(paths: Iterable[str | Path]) -> list[Path]:
    """The case files named, directories searched for ``*.toml``, sorted."""
    found: list[Path] = []
    for path in map(Path, paths):
        found.extend(sorted(path.rglob("*.toml")) if path.is_dir() else [path])
    return found


def load(path: str | Path, ruleset: Any = None) -> tuple[Any, list[Case]]:
    """The ruleset a case file names and its cases (the base case first).

    ``ruleset``, when given, runs the cases against it instead: an
    organisation's extension of the ruleset the file names (the bundled
    cases are its regression tests). A ruleset that does not extend the one
    the file names is refused, with the other problems of the file.

    Raises :class:`CaseFileError` with every problem in the file, or the
    ruleset's own errors when it does not compile.
    """
    path = Path(path)
    file = display(path)
    try:
        text = read_regular(path, MAX_CASE_BYTES).decode("utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise CaseFileError(file, [CaseProblem("$", "case.unreadable", frozen_values(
            {"reason": os_reason(error)}))]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        reason = parse_reason(error)
        at = dict(reason.values)
        raise CaseFileError(file, [CaseProblem("$", "case.not_toml", frozen_values({"reason": reason}),
                                               _int(at.get("line")), _int(at.get("column")))]) from None
    except RecursionError:  # arrays nested thousands deep: not a case file
        raise CaseFileError(file, [CaseProblem("$", "case.too_deep")]) from None
    found = positions(text)
    problems: list[CaseProblem] = []

    def fail() -> CaseFileError:
        return CaseFileError(file, [_placed(p, found) for p in problems])

    _keys(data, "$", _TOP, problems)
    ruleset_name = data.get("ruleset")
    if not isinstance(ruleset_name, str):
        problems.append(CaseProblem("$.ruleset", "case.missing_ruleset"))
        raise fail()
    if not ruleset_name.endswith(".rules") and ruleset_name not in _bundled_names():
        available = _bundled_names()
        problems.append(CaseProblem("$.ruleset", "case.unknown_ruleset", frozen_values({
            "name": ruleset_name, "available": ", ".join(available),
            "suggestion": did_you_mean(ruleset_name, available) or ""})))
        raise fail()
    if ruleset is None:
        ruleset = _ruleset(ruleset_name, path)
    elif Path(ruleset_name).stem not in _chain_names(ruleset):
        problems.append(CaseProblem("$.ruleset", "case.not_extended", frozen_values({
            "name": Path(ruleset_name).stem, "ruleset": ruleset.name})))
        raise fail()
    description = _text(data, "description", "$", problems) or path.stem
    _text(data, "source", "$", problems)
    base_facts = _table(data, "facts", "$", problems)
    cases = [_case(file, description, None, "", base_facts,
                   _expectation(ruleset, data.get("expect"), "$.expect", problems), "$", found)]
    owned: list[set[str] | None] = [None]  # the facts each variant sets itself
    variants = data.get("variants", [])
    if not isinstance(variants, list):
        problems.append(CaseProblem("$.variants", "case.expected_table_list"))
        variants = []
    for i, variant in enumerate(variants):
        where = f"$.variants[{i}]"
        if not isinstance(variant, dict):
            problems.append(CaseProblem(where, "case.expected_table"))
            continue
        _keys(variant, where, _VARIANT, problems)
        name = _text(variant, "name", where, problems)
        if name is None:
            problems.append(CaseProblem(f"{where}.name", "case.missing_name"))
            name = str(i + 1)
        own_facts = _table(variant, "facts", where, problems)
        facts = {**base_facts, **own_facts}
        cases.append(_case(file, f"{description} / {name}", name, _text(variant, "remark", where, problems) or "",
                           facts, _expectation(ruleset, variant.get("expect"), f"{where}.expect", problems),
                           where, found))
        owned.append(set(own_facts))
    in_base: set[tuple[str, str]] = set()  # the base case's problems, reported once, in the base
    for case, own in zip(cases, owned, strict=True):
        try:
            ruleset.validate(case.facts)
        except IncidentError as error:
            # a variant answers for the facts it sets, and for what they break
            # together with the base's (a deadline's start moved after the duty
            # was done); the base case for the rest
            found_here = [p for p in error.problems if own is None or _fact_of(p.path) in own
                          or (p.path, p.key) not in in_base]
            if own is None:
                in_base = {(p.path, p.key) for p in error.problems}
            problems.extend(CaseProblem(f"{case.where}.facts{p.path[1:]}", f"incident.{p.key}", p.values)
                            for p in found_here)
    if problems:
        raise fail()
    return ruleset, cases


def _case(file: str, name: str, variant: str | None, remark: str, facts: Mapping[str, Any],
          expect: Expectation, where: str, found: Mapping[Any, Position]) -> Case:
    """A case, with the lines where it and each of its expectations are written."""
    steps = parse_path(where)
    start = locate(found, steps)
    lines: dict[str, int] = {}
    for key in expect.levels:
        if (at := found.get((*steps, "expect", key))) is not None:
            lines[f"level {key}"] = at.line
    if (at := found.get((*steps, "expect", "provisional"))) is not None:
        lines["provisional"] = at.line
    for key in expect.obligations:
        if (at := found.get((*steps, "expect", "obligations", key))) is not None:
            lines[f"obligation {key}"] = at.line
    return Case(file, name, variant, remark, facts, expect, where, start.line if start else 1, lines)


def _placed(problem: CaseProblem, found: Mapping[Any, Position]) -> CaseProblem:
    if problem.line is not None:
        return problem
    at = locate(found, parse_path(problem.path))
    return problem if at is None else attrs.evolve(problem, line=at.line, column=at.column)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _chain_names(ruleset: Any) -> set[str]:
    """The names of a ruleset and of every ruleset it extends."""
    return {ruleset.name, *(Path(source.file).stem for source in ruleset.sources)}


def run(ruleset: Any, case: Case) -> CaseResult:
    """Assess a case through the public API and compare with what it expects."""
    assessment = ruleset.assess(case.facts)
    lines = case.lines
    mismatches = [
        Mismatch(outcome, level, assessment.levels[outcome], lines.get(f"level {outcome}"), "level")
        for outcome, level in case.expect.levels.items() if assessment.levels[outcome] != level
    ]
    for obligation, required in case.expect.obligations.items():
        actual = assessment.obligation(obligation).required
        if actual != required:
            mismatches.append(Mismatch(obligation, required, actual, lines.get(f"obligation {obligation}"),
                                       "obligation"))
    if case.expect.provisional is not None and assessment.provisional != case.expect.provisional:
        mismatches.append(Mismatch("provisional", case.expect.provisional, assessment.provisional,
                                   lines.get("provisional"), "provisional"))
    mismatches.extend(attrs.evolve(m, line=case.line) for m in broken_invariants(ruleset, case.facts))
    # Exceptions to one rule that apply together and disagree are a defect of
    # the ruleset, whatever the expectations say.
    mismatches.extend(Mismatch("conflict", "", " / ".join(labels), case.line, "conflict")
                      for labels in assessment.conflicts)
    return CaseResult(case, assessment, tuple(mismatches))


def broken_invariants(ruleset: Any, facts: Mapping[str, Any]) -> list[Mismatch]:
    """The invariants a case breaks: every case is also a test of what the
    ruleset promises always holds. An invariant that the missing facts leave
    undecided is not broken by this case (a proof over every completion is
    ``breachrules check``'s job)."""
    from breachrules import interpreter

    program = ruleset.program
    if not program.invariants:
        return []
    known = ruleset.validate(facts).known
    truths = interpreter.conditions_after_decision(program, known, [inv.expr for inv in program.invariants])
    return [Mismatch(f"invariant {inv.name}", True, False, kind="invariant")
            for inv, truth in zip(program.invariants, truths, strict=True) if truth is False]


# ------------------------------------------------------------------ reading


def _bundled_names() -> list[str]:
    from breachrules.loader import bundled_names

    return bundled_names()


def _fact_of(path: str) -> str:
    """The fact a problem path starts with: "$.data_categories[1]" -> "data_categories"."""
    return path[2:].split(".")[0].split("[")[0]


def _ruleset(name: str, path: Path) -> Any:
    import breachrules

    if name.endswith(".rules"):
        return breachrules.load(path.parent / name)
    return breachrules.bundled(name)


def ruleset_named(name_or_path: str) -> Any:
    """A ruleset given on a command line: a ``.rules`` file (or any path),
    else a bundled ruleset's name."""
    import os

    import breachrules

    if Path(name_or_path).suffix == ".rules" or os.sep in name_or_path:
        return breachrules.load(Path(name_or_path))
    return breachrules.bundled(name_or_path)


def display(path: Path) -> str:
    """A case file's name as shown: the bundled ones as
    ``rulesets/cases/gdpr/x.toml`` (the same on every machine), others as given."""
    from breachrules.resources import display_name

    return display_name(path)


def _keys(data: Mapping[str, Any], where: str, allowed: tuple[str, ...], problems: list[CaseProblem]) -> None:
    for key in data:
        if key not in allowed:
            problems.append(CaseProblem(f"{where}.{key}", "case.unknown_key", frozen_values(
                {"allowed": ", ".join(allowed), "suggestion": did_you_mean(key, allowed) or ""})))


def _text(data: Mapping[str, Any], key: str, where: str, problems: list[CaseProblem]) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        problems.append(CaseProblem(f"{where}.{key}", "case.expected_text"))
        return None
    return value


def _table(data: Mapping[str, Any], key: str, where: str, problems: list[CaseProblem]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(CaseProblem(f"{where}.{key}", "case.expected_table"))
        return {}
    return value


def _expectation(ruleset: Any, data: Any, where: str, problems: list[CaseProblem]) -> Expectation:
    if not isinstance(data, dict):
        problems.append(CaseProblem(where, "case.missing_expect"))
        return Expectation({}, {})
    program = ruleset.program
    outcomes = {o.name: o.levels for o in program.outcomes}
    obligation_names = [ob.name for ob in program.obligations]
    levels: dict[str, str] = {}
    for key, value in data.items():
        if key in _EXPECT_EXTRA:
            continue
        if key not in outcomes:
            problems.append(CaseProblem(f"{where}.{key}", "case.unknown_outcome", frozen_values({
                "allowed": ", ".join([*outcomes, *_EXPECT_EXTRA]),
                "suggestion": did_you_mean(key, [*outcomes, *_EXPECT_EXTRA]) or ""})))
        elif value not in outcomes[key]:
            problems.append(CaseProblem(f"{where}.{key}", "case.unknown_level", frozen_values({
                "found": value, "allowed": ", ".join(outcomes[key]),
                "suggestion": did_you_mean(str(value), outcomes[key]) or ""})))
        else:
            levels[key] = value
    obligations: dict[str, bool] = {}
    raw = data.get("obligations", {})
    if not isinstance(raw, dict):
        problems.append(CaseProblem(f"{where}.obligations", "case.expected_table"))
        raw = {}
    for key, value in raw.items():
        if key not in obligation_names:
            problems.append(CaseProblem(f"{where}.obligations.{key}", "case.unknown_obligation", frozen_values({
                "allowed": ", ".join(obligation_names),
                "suggestion": did_you_mean(key, obligation_names) or ""})))
        elif not isinstance(value, bool):
            problems.append(CaseProblem(f"{where}.obligations.{key}", "case.expected_bool"))
        else:
            obligations[key] = value
    provisional = data.get("provisional")
    if provisional is not None and not isinstance(provisional, bool):
        problems.append(CaseProblem(f"{where}.provisional", "case.expected_bool"))
        provisional = None
    if not data:  # (a table whose entries are all wrong has its problems reported already)
        problems.append(CaseProblem(where, "case.empty_expect"))
    return Expectation(levels, obligations, provisional)
