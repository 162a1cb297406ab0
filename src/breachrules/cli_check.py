"""``breachrules check``: compile rulesets, prove them consistent, report.

    breachrules check RULESET... [--strict] [--format text|json] [--no-prove] [--lang fi|sv|en]

Each RULESET is a ``.rules`` file, a directory (its ``*.rules`` files and
those of its subdirectories, sorted) or a bundled ruleset's name. Each is
checked in turn and reported on its own: the diagnostics and counts on
standard error, the claims and ``<file>: no problems found`` on standard
output; with ``--format json``, one document per ruleset on standard
output, or, for several, one document holding them all.

A ruleset that does not compile is what ``check`` looks for, so it is a
finding (exit 1), like an error of the analysis or, with ``--strict``, a
warning. A ruleset it cannot find or read at all is exit 4: the check
did not happen. Without the solver, only the compile checks run, the
command says so on standard error and exits as they decide (0 when they
pass): proving is an addition a CI job asks for by checking ``proved``.
The run exits with the highest code of its rulesets.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from breachrules.cli_colour import paint
from breachrules.cli_problems import Failure, diagnostic, dumps, finding
from breachrules.exits import ExitCode, worst
from breachrules.i18n import Messages

SCHEMA = "breachrules.check/1"
SEVERAL = "breachrules.checks/1"
# diagnostics that say a ruleset named on the command line could not be
# read at all (no such file or bundled name, not a regular file, not a
# ruleset, too large to read), rather than what is wrong in it
_UNREADABLE = frozenset({"BR501", "BR502", "BR504", "BR507", "BR601"})


def run(names: Sequence[str], locale: str, *, strict: bool = False, form: str = "text", prove: bool = True) -> int:
    """Check every ruleset named; the worst exit code."""
    from breachrules.cli_fmt import find_rules

    _ = Messages(locale)
    targets = find_rules(names)
    if not targets:
        raise Failure(ExitCode.RULESET, _("cli.fmt.no_files"), key="cli.fmt.no_files")
    results = [check(target, locale, strict=strict, form=form, prove=prove) for target in targets]
    code = worst(c for c, _doc in results)
    if form == "json":
        one = len(names) == 1 and not Path(names[0]).is_dir()
        documents = [doc for _c, doc in results]
        print(dumps(documents[0] if one else {"schema": SEVERAL, "exit_code": int(code), "files": documents}))
    return int(code)


def unreadable(error: Any) -> bool:
    """Whether a ruleset's error says it could not be read at all (exit 4),
    not what is wrong in its text (a finding): only diagnostics of reading,
    about a file whose text was never read."""
    return all(d.code in _UNREADABLE and d.span.file not in error.sources for d in error.diagnostics)


def check(target: str, locale: str, *, strict: bool = False, form: str = "text",
          prove: bool = True) -> tuple[ExitCode, dict[str, Any]]:
    """Check one ruleset: its exit code and its JSON document. In the text
    form, what it finds is printed as it goes."""
    from breachrules.cases import ruleset_named
    from breachrules.diagnostics import RulesetError

    _ = Messages(locale)
    colour = paint(sys.stderr, form != "json")
    try:
        ruleset = ruleset_named(target)
    except RulesetError as error:
        code = ExitCode.RULESET if unreadable(error) else ExitCode.FINDINGS
        if form != "json":
            print(colour.findings(error.render(locale), _), file=sys.stderr)
            print(_.plural("cli.errors_found", len(error.diagnostics)), file=sys.stderr)
        return code, {"schema": SCHEMA, "file": target, "exit_code": int(code),
                      "diagnostics": [diagnostic(d, locale) for d in error.diagnostics],
                      "claims": [], "solver": False, "proved": False}
    from breachrules import verify
    from breachrules.usage import notes as compile_notes

    notes = compile_notes(ruleset)
    analysis = verify.analyse(ruleset) if prove and verify.available() else None
    sources = {s.file: s.text for s in ruleset.sources}
    findings = list(analysis.findings) if analysis is not None else []
    errors = [f for f in findings if f.severity == "error"]
    warnings = len(notes) + len(findings) - len(errors)
    code = ExitCode.FINDINGS if errors or (strict and warnings > 0) else ExitCode.OK
    messages = ruleset.messages(locale)
    document = {
        "schema": SCHEMA,
        "file": target,
        "exit_code": int(code),
        "diagnostics": [*(diagnostic(w, locale) for w in notes), *(finding(f, locale, messages) for f in findings)],
        "claims": [c.to_dict() for c in analysis.claims] if analysis is not None else [],
        "solver": analysis is not None,
        # everything asked was proved: exactly, every claim, nothing left undecided
        "proved": analysis is not None and analysis.exact and not errors
        and all(c.status == "proved" for c in analysis.claims)
        and not any(f.code == "BR821" for f in findings),
    }
    if form == "json":
        return code, document
    shown = [w.render(sources.get(w.span.file), locale) for w in notes]
    shown += [f.render(sources.get(f.span.file), locale, messages) for f in findings]
    if shown:
        print(colour.findings("\n\n".join(shown), _), file=sys.stderr)
    if errors:
        print(_.plural("cli.errors_found", len(errors)), file=sys.stderr)
    if warnings:
        print(_.plural("cli.warnings_found", warnings), file=sys.stderr)
    if analysis is None and prove:
        print(_("cli.check.no_solver"), file=sys.stderr)
    for claim in analysis.claims if analysis is not None else ():
        print(claim.render(locale))
    if code == ExitCode.OK:
        print(_("cli.checked", file=target))
    return code, document


__all__ = ["SCHEMA", "SEVERAL", "check", "run", "unreadable"]
