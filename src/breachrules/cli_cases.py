"""``breachrules test``: run case files and say how they fared.

Each file is loaded and its cases run in turn; what happens is told to a
reporter, which prints it for a person as it happens (``--format text``) or
gathers it into one JSON document for a program (``--format json``).

Exit codes (:mod:`breachrules.exits`): a failed case, an uncovered
threshold or an expectation no update can fix is 1; a case file that
cannot be read or has problems, or a directory with none, 3; a ruleset
that does not compile (the one ``--ruleset`` or a case file names) 4; a
case the ruleset cannot evaluate 5. A file that cannot run is named with
its positioned problems and the other files still run; the highest code
wins. A command line that cannot work (``-k`` that selects nothing,
``--update`` with ``--ruleset``) is 2, and a named file that does not
exist stops the run before any file runs (3).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

from breachrules import case_update, case_words, cases
from breachrules.cli_colour import paint
from breachrules.cli_problems import (
    Failure,
    case_problem,
    diagnostic,
    dumps,
    evaluation_problem,
    problem,
    ruleset_failure,
)
from breachrules.coverage import Coverage, measure
from breachrules.diagnostics import RulesetError
from breachrules.errors import BreachrulesError, in_words
from breachrules.exits import ExitCode, worst
from breachrules.i18n import Messages
from breachrules.resources import PACKAGE, bundled_case_sets


def resolve(target: str) -> Path | None:
    """A case file or directory as given, or the bundled case set of that
    name; None when it is neither."""
    path = Path(target)
    if path.exists():
        return path
    return bundled_case_sets().get(target)


class Reporter(Protocol):
    def not_run(self, file: str, error: cases.CaseFileError | RulesetError) -> None: ...
    def case(self, result: cases.CaseResult, verbose: bool) -> None: ...
    def error(self, case: cases.Case, error: BreachrulesError) -> None: ...
    def updated(self, file: str, update: case_update.Update) -> None: ...
    def summary(self, passed: int, failed: int, unrunnable: Sequence[str]) -> None: ...
    def coverage(self, ruleset: Any, found: Coverage, threshold: Fraction | None) -> None: ...
    def finish(self, code: ExitCode) -> None: ...


def run(targets: Sequence[str], locale: str, *, form: str = "text", ruleset: str | None = None,
        coverage: bool = False, threshold: Fraction | None = None, pattern: str | None = None,
        verbose: bool = False, update: bool = False, own: bool = False) -> int:
    _ = Messages(locale)
    resolved = [(target, resolve(target)) for target in targets]
    if update and ruleset is not None:
        # the cases are written for the ruleset they name: what another decides is no expectation of theirs
        raise Failure(ExitCode.USAGE, _("cli.test.update_with_ruleset"), key="cli.test.update_with_ruleset")
    missing = [target for target, path in resolved if path is None]
    if missing:
        said = [_("cli.cannot_read", path=t, reason=_("cli.test.no_such_file")) for t in missing]
        raise Failure(ExitCode.INPUT, "\n".join(said), [
            problem("cli.test.no_such_file", words, file=t) for t, words in zip(missing, said, strict=True)])
    files = cases.find(path for _target, path in resolved if path is not None)
    if not files:
        raise Failure(ExitCode.INPUT, _("cli.test.no_cases"), key="cli.test.no_cases")
    against = None
    if ruleset is not None:
        try:
            against = cases.ruleset_named(ruleset)
        except RulesetError as error:
            raise ruleset_failure([(ruleset, error)], locale) from None
    reporter: Reporter = JsonReport(locale) if form == "json" else TextReport(locale)
    passed = failed = 0
    codes: list[ExitCode] = []  # of the files that could not run, and the cases that could not be evaluated
    unrunnable: list[str] = []
    assessed: dict[int, tuple[Any, list[Any]]] = {}  # per ruleset: the assessments of its cases
    for file in files:
        try:
            rules, found = cases.load(file, against)
        except (cases.CaseFileError, RulesetError) as error:
            shown = cases.display(file)
            reporter.not_run(shown, error)
            unrunnable.append(shown)
            codes.append(ExitCode.RULESET if isinstance(error, RulesetError) else ExitCode.INPUT)
            continue
        failing: list[cases.CaseResult] = []
        for case in found:
            if pattern is not None and pattern.casefold() not in case.name.casefold():
                continue
            try:
                result = cases.run(rules, case)
            except BreachrulesError as error:  # the ruleset cannot evaluate this case
                reporter.error(case, error)
                failed += 1
                codes.append(ExitCode.EVALUATION)
                continue
            assessed.setdefault(id(rules), (rules, []))[1].append(result.assessment)
            reporter.case(result, verbose)
            if result.passed:
                passed += 1
            else:
                failing.append(result)
        still = len(failing)
        if update and failing:
            done = _update(file, failing)
            reporter.updated(cases.display(file), done)
            still = _still_failing(failing, done)
            passed += len(failing) - still
        failed += still
    if pattern is not None and passed + failed == 0 and not codes:
        raise Failure(ExitCode.USAGE, _("cli.test.no_match", pattern=pattern), key="cli.test.no_match")
    reporter.summary(passed, failed, unrunnable)
    short = False
    if coverage:
        for rules, assessments in assessed.values():
            found_coverage = measure(rules.program, assessments)
            if own:
                found_coverage = found_coverage.of_file(rules.sources[-1].file)
            reporter.coverage(rules, found_coverage, threshold)
            short |= threshold is not None and not found_coverage.meets(threshold)
    code = worst([*codes, ExitCode.FINDINGS if failed or short else ExitCode.OK])
    reporter.finish(code)
    return int(code)


def _update(file: Path, failing: Sequence[cases.CaseResult]) -> case_update.Update:
    """Rewrite the failing expectations of one file. The new text is read
    back before it is written (:func:`case_update.update`): it holds the old
    document with only those values changed, the values the ruleset decided."""
    everything = tuple(m for result in failing for m in result.mismatches)
    if file.resolve().is_relative_to(PACKAGE):  # the bundled cases of an installed package
        return case_update.Update(None, (), everything, "cli.test.update_bundled")
    try:
        # bytes, not text: the file's line ends are kept as they are
        done = case_update.update(file.read_bytes().decode("utf-8"), failing)
    except case_update.UnsafeUpdate:
        return case_update.Update(None, (), everything, "cli.test.update_unsafe")
    if done.text is not None:
        case_update.write(file, done.text)
    return done


def _still_failing(failing: Sequence[cases.CaseResult], done: case_update.Update) -> int:
    kept = {id(m) for m in done.kept}
    return sum(any(id(m) in kept for m in result.mismatches) for result in failing)


def floor_percent(share: Fraction) -> Decimal:
    """A share in percent with two decimals, rounded down: a threshold of
    100 must not be met by 99.996 % shown as "100 %"."""
    return Decimal((share * 10000).__floor__()) / 100


# ------------------------------------------------------------------ for a person


class TextReport:
    def __init__(self, locale: str) -> None:
        self._ = Messages(locale)
        self.locale = locale

    def not_run(self, file: str, error: cases.CaseFileError | RulesetError) -> None:
        if isinstance(error, RulesetError):
            print(self._("cli.test.cannot_run", file=file), file=sys.stderr)
        print(paint(sys.stderr).findings(error.render(self.locale), self._), file=sys.stderr)

    def case(self, result: cases.CaseResult, verbose: bool) -> None:
        _ = self._
        case = result.case
        colour = paint(sys.stdout)
        if result.passed:
            print(colour(_("cli.test.passed", case=case.name, file=case.file), "green"))
        else:
            print(colour(_("cli.test.failed", case=case.name, file=f"{case.file}:{case.line}"), "red"))
            for m in result.mismatches:
                print(f"    {Path(case.file).name}:{m.line or case.line}: {case_words.mismatch(_, m)}")
        if verbose:
            for entry in result.assessment.trace:
                print("    " + case_words.fired(_, entry))

    def error(self, case: cases.Case, error: BreachrulesError) -> None:
        failed = self._("cli.test.failed", case=case.name, file=f"{case.file}:{case.line}")
        print(paint(sys.stderr)(failed, "red"), file=sys.stderr)
        print("    " + in_words(error, self.locale), file=sys.stderr)

    def updated(self, file: str, update: case_update.Update) -> None:
        _ = self._
        if update.refused is not None:
            print(_(update.refused, file=file), file=sys.stderr)
            return
        if update.rewritten:
            print(_.plural("cli.test.updated", len(update.rewritten), file=file))
        for m in update.kept:
            print("    " + _("cli.test.not_updated", what=case_words.mismatch(_, m)), file=sys.stderr)

    def summary(self, passed: int, failed: int, unrunnable: Sequence[str]) -> None:
        print(self._.plural("cli.test.summary", passed + failed, passed=passed, failed=failed))
        if unrunnable:
            print(self._("cli.test.not_run", files=", ".join(unrunnable)), file=sys.stderr)

    def coverage(self, ruleset: Any, found: Coverage, threshold: Fraction | None) -> None:
        _ = self._
        percent = self.percent(found.share)
        print()
        print(_("cli.test.coverage", ruleset=ruleset.name, covered=len(found.covered), total=len(found.items),
                percent=percent))
        for name, covered, total in found.by_file():
            print("  " + _("cli.test.coverage_file", file=name, covered=covered, total=total))
        for item in found.missed:
            print("    " + _("cli.test.not_exercised", kind=_(f"cli.test.item.{item.kind}"), name=item.name,
                             where=item.where))
        if threshold is not None and not found.meets(threshold):
            print(_("cli.test.below_threshold", ruleset=ruleset.name, percent=percent,
                    threshold=self.percent(threshold / 100)), file=sys.stderr)

    def percent(self, share: Fraction) -> str:
        from breachrules.explain import number

        return number(self._, floor_percent(share))

    def finish(self, code: ExitCode) -> None:
        pass


# ------------------------------------------------------------------ for a program


class JsonReport:
    """One JSON document on stdout at the end; documented in docs/json-output.md."""

    def __init__(self, locale: str) -> None:
        self._ = Messages(locale)
        self.locale = locale
        self.data: dict[str, Any] = {"schema": "breachrules.test/1", "cases": [], "not_run": [], "updated": []}

    def not_run(self, file: str, error: cases.CaseFileError | RulesetError) -> None:
        if isinstance(error, RulesetError):
            problems = [diagnostic(d, self.locale) for d in error.diagnostics]
        else:
            problems = [case_problem(p, file, self.locale) for p in error.problems]
        self.data["not_run"].append({"file": file, "problems": problems})

    def case(self, result: cases.CaseResult, verbose: bool) -> None:
        case = result.case
        entry = self._case(case)
        entry["passed"] = result.passed
        entry["mismatches"] = [{
            "what": m.what, "expected": m.expected, "actual": m.actual, "line": m.line or case.line,
            "message": case_words.mismatch(self._, m)} for m in result.mismatches]
        # the trace is cheap to carry and what a program shows next to a failure
        entry["trace"] = [{"kind": e.kind, "name": e.label, "certain": e.certain, "effects": dict(e.effects),
                           "overrides": e.overrides or None, "message": case_words.fired(self._, e)}
                          for e in result.assessment.trace]
        self.data["cases"].append(entry)

    def error(self, case: cases.Case, error: BreachrulesError) -> None:
        entry = self._case(case)
        entry.update(passed=False, mismatches=[], error=in_words(error, self.locale),
                     problems=[evaluation_problem(error, self.locale)])
        self.data["cases"].append(entry)

    @staticmethod
    def _case(case: cases.Case) -> dict[str, Any]:
        return {"file": case.file, "line": case.line, "name": case.name, "variant": case.variant}

    def updated(self, file: str, update: case_update.Update) -> None:
        self.data["updated"].append({
            "file": file,
            "refused": None if update.refused is None else self._(update.refused, file=file),
            "rewritten": [{"what": m.what, "from": m.expected, "to": m.actual, "line": m.line}
                          for m in update.rewritten],
            "kept": [{"what": m.what, "line": m.line, "message": case_words.mismatch(self._, m)}
                     for m in update.kept]})

    def summary(self, passed: int, failed: int, unrunnable: Sequence[str]) -> None:
        self.data["summary"] = {"passed": passed, "failed": failed, "not_run": len(unrunnable)}

    def coverage(self, ruleset: Any, found: Coverage, threshold: Fraction | None) -> None:
        self.data.setdefault("coverage", []).append({
            "ruleset": ruleset.name,
            "covered": len(found.covered),
            "total": len(found.items),
            "percent": str(floor_percent(found.share)),  # rounded down, as text: never 100 unless all
            "threshold": None if threshold is None else str(threshold),
            "meets_threshold": None if threshold is None else found.meets(threshold),
            "files": [{"file": name, "covered": covered, "total": total} for name, covered, total in found.by_file()],
            "missed": [{"kind": item.kind, "name": item.name, "file": item.file, "line": item.line}
                       for item in found.missed],
        })

    def finish(self, code: ExitCode) -> None:
        print(dumps({**self.data, "exit_code": int(code)}))
