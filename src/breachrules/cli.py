"""The ``breachrules`` command.

    breachrules assess INCIDENT [--ruleset NAME|PATH] [--lang fi|sv|en]
                                [--format text|json|markdown] [--timezone ZONE] [--now INSTANT]
    breachrules check RULESET [--lang fi|sv|en] [--strict]
    breachrules test CASES... [--lang fi|sv|en] [--ruleset NAME|PATH] [-k PATTERN] [-v]
                              [--coverage] [--threshold N] [--own] [--update] [--format text|json]
    breachrules list
    breachrules fmt FILES... [--check] [--diff] [--lang fi|sv|en]   (see cli_fmt)

``assess`` prints the full report: the assessment, deadlines at ``--now``
(default: the current time), the checklists of each notice, the action plan
and, when the data subjects must be told, a draft of the communication.
``--format json`` is the Art. 33(5) documentation record as JSON,
``--format markdown`` the same record as Markdown.

Exit codes: 0 done; 1 ``check`` found problems (or, with ``--strict``,
warnings), a case of ``test`` failed or its coverage is below
``--threshold``; 2 bad input (an incident or case file that does not fit, a
ruleset that does not compile, a file that cannot be read), with the error
on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tomllib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from breachrules.failures import os_reason, parse_reason
from breachrules.i18n import LOCALES, Messages
from breachrules.instants import parse_instant


def _ui_locale(argv: Sequence[str]) -> str:
    """The language for the command's own words: --lang, else the environment."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LOCALES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg[7:] in LOCALES:
            return arg[7:]
    for variable in ("BREACHRULES_LANG", "LC_ALL", "LANG"):
        value = os.environ.get(variable, "")[:2]
        if value in LOCALES:
            return value
    return "en"


# argparse's own words, by the English text it asks gettext for, and the
# catalog key that says them in the reader's language (keeping argparse's
# %-placeholders, which it fills in after translation)
_ARGPARSE = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positional",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "show program's version number and exit": "cli.argparse.version",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "the following arguments are required: %s": "cli.argparse.required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "expected one argument": "cli.argparse.expected_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "ignored explicit argument %r": "cli.argparse.ignored",
    "not allowed with argument %s": "cli.argparse.not_allowed",
    "one of the arguments %s is required": "cli.argparse.one_required",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "cli.argparse.unknown_parser",
}


@contextlib.contextmanager
def _argparse_speaks(_: Messages) -> Iterator[None]:
    """argparse in the reader's language while the command line is read.
    argparse looks its words up through its module's ``_`` and ``ngettext``
    each time it writes them, so they are swapped for the duration and put
    back (the library may run inside someone else's program)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]

    def gettext(text: str) -> str:
        key = _ARGPARSE.get(text)
        return _(key) if key is not None and _.has(key) else text

    def ngettext(singular: str, plural: str, count: int) -> str:
        if singular == "expected %s argument":
            return _.plural("cli.argparse.expected_n", count)
        return str(saved[1](singular, plural, count))

    argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def _parser(_: Messages) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="breachrules", description=_("cli.description"))
    # accepted before the command too, for the command's own words (see _ui_locale)
    parser.add_argument("--lang", choices=LOCALES, default=None, help=_("cli.lang"))
    parser.add_argument("--version", action="version", version=f"breachrules {_version()}",
                        help=_("cli.argparse.version"))
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("cli.metavar.command"))

    assess = commands.add_parser("assess", help=_("cli.assess.help"))
    assess.add_argument("incident", metavar=_("cli.metavar.incident"), help=_("cli.assess.incident"))
    assess.add_argument("--ruleset", default="gdpr", metavar=_("cli.metavar.ruleset"), help=_("cli.assess.ruleset"))
    assess.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))
    assess.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help=_("cli.assess.format"))
    assess.add_argument("--timezone", default="Europe/Helsinki", metavar=_("cli.metavar.timezone"),
                        help=_("cli.assess.timezone"))
    assess.add_argument("--now", default=None, metavar=_("cli.metavar.now"), help=_("cli.assess.now"))

    check = commands.add_parser("check", help=_("cli.check.help"))
    check.add_argument("ruleset", metavar=_("cli.metavar.ruleset"), help=_("cli.check.ruleset"))
    check.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))
    check.add_argument("--strict", action="store_true", help=_("cli.check.strict"))
    check.add_argument("--format", choices=("text", "json"), default="text", help=_("cli.check.format"))
    check.add_argument("--no-prove", action="store_true", help=_("cli.check.no_prove"))

    compare = commands.add_parser("diff", help=_("cli.diff.help"))
    compare.add_argument("old", metavar=_("cli.metavar.old"), help=_("cli.diff.old"))
    compare.add_argument("new", metavar=_("cli.metavar.new"), help=_("cli.diff.new"))
    compare.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))
    compare.add_argument("--format", choices=("text", "json"), default="text", help=_("cli.check.format"))
    compare.add_argument("--fail-on", choices=("weaker", "any"), default=None, help=_("cli.diff.fail_on"))

    test = commands.add_parser("test", help=_("cli.test.help"))
    test.add_argument("cases", nargs="+", metavar=_("cli.metavar.cases"), help=_("cli.test.cases"))
    test.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))
    test.add_argument("-k", dest="pattern", default=None, metavar=_("cli.metavar.pattern"), help=_("cli.test.k_help"))
    test.add_argument("-v", "--verbose", action="store_true", help=_("cli.test.verbose_help"))
    test.add_argument("--coverage", action="store_true", help=_("cli.test.coverage_help"))
    test.add_argument("--threshold", type=_percent, default=None, metavar="N", help=_("cli.test.threshold_help"))
    test.add_argument("--own", action="store_true", help=_("cli.test.own_help"))
    test.add_argument("--ruleset", default=None, metavar=_("cli.metavar.ruleset"), help=_("cli.test.ruleset_help"))
    test.add_argument("--update", action="store_true", help=_("cli.test.update_help"))
    test.add_argument("--format", choices=("text", "json"), default="text", help=_("cli.test.format_help"))

    listing = commands.add_parser("list", help=_("cli.list.help"))
    listing.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))

    from breachrules import cli_fmt

    cli_fmt.add_parser(commands, _)
    return parser


def _version() -> str:
    from breachrules import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader stopped early, as `| head` does: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _ = Messages(_ui_locale(argv))
    with _argparse_speaks(_):
        args = _parser(_).parse_args(argv)
    if args.lang is None:
        args.lang = _.locale
    if args.command == "list":
        return _list(args.lang)
    if args.command == "fmt":
        from breachrules import cli_fmt

        return cli_fmt.run(args)
    if args.command == "check":
        return _check(args.ruleset, args.lang, args.strict, args.format, not args.no_prove)
    if args.command == "diff":
        return _diff(args.old, args.new, args.lang, args.format, args.fail_on)
    if args.command == "test":
        from breachrules import cli_cases

        coverage = args.coverage or args.threshold is not None or args.own
        return cli_cases.run(args.cases, args.lang, form=args.format, ruleset=args.ruleset, coverage=coverage,
                             threshold=args.threshold, pattern=args.pattern, verbose=args.verbose,
                             update=args.update, own=args.own)
    return _assess(args)


def _load(name_or_path: str) -> Any:
    from breachrules.cases import ruleset_named

    return ruleset_named(name_or_path)


def _diff(old_name: str, new_name: str, locale: str, form: str, fail_on: str | None) -> int:
    from breachrules import verify
    from breachrules.compare import run
    from breachrules.diagnostics import RulesetError

    if not verify.available():
        return _fail(Messages(locale)("cli.check.no_solver"))
    try:
        old, new = _load(old_name), _load(new_name)
    except RulesetError as error:
        return _fail(error.render(locale))
    return run(old, new, locale, form, fail_on)


def _fail(message: str, code: int = 2) -> int:
    print(message, file=sys.stderr)
    return code


def _read_incident(path: Path, _: Messages) -> Any:
    """The incident in a JSON or TOML file. A key given twice is refused
    (JSON would keep the last value and hide the first)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return tomllib.loads(text)  # TOML itself refuses a key given twice
    return json.loads(text, object_pairs_hook=_unique_keys)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


def _assess(args: argparse.Namespace) -> int:
    from breachrules.diagnostics import RulesetError
    from breachrules.errors import ArgumentError, BreachrulesError, in_words
    from breachrules.explain import time_zone
    from breachrules.incident import IncidentError, Problem, in_window

    _ = Messages(args.lang)
    try:
        time_zone(args.timezone)
    except ArgumentError:
        return _fail(_("cli.unknown_timezone", zone=args.timezone))
    now = _instant(args.now)
    if now is None or not in_window(now):
        return _fail(_("cli.bad_now", value=args.now))
    try:
        ruleset = _load(args.ruleset)
    except RulesetError as error:
        return _fail(error.render(args.lang))
    path = Path(args.incident)
    try:
        incident = _read_incident(path, _)
    except OSError as error:
        return _fail(_("cli.cannot_read", path=path, reason=os_reason(error)))
    except _DuplicateKey as error:
        problem = Problem(f"$.{error.key}", "duplicate_key", (("key", error.key),))
        return _fail(_("cli.bad_incident", path=path) + "\n" + IncidentError([problem]).render(args.lang))
    except RecursionError:
        return _fail(_("cli.too_deep", path=path))
    except (ValueError, tomllib.TOMLDecodeError) as error:  # bad JSON, TOML or UTF-8
        return _fail(_("cli.not_json", path=path, reason=parse_reason(error)))
    try:
        report = ruleset.report(incident, now=now)
    except IncidentError as error:
        return _fail(_("cli.bad_incident", path=path) + "\n" + error.render(args.lang))
    except BreachrulesError as error:
        return _fail(in_words(error, args.lang))
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        print(report.to_markdown(args.lang, args.timezone), end="")
    else:
        from breachrules.record import text

        print(text(report, args.lang, args.timezone), end="")
    return 0


def _instant(value: str | None) -> datetime | None:
    """--now: an ISO 8601 instant with a time zone; absent, the current time."""
    if value is None:
        return datetime.now(UTC)
    try:
        instant = parse_instant(value)
    except ValueError:
        return None
    return instant if instant.utcoffset() is not None else None


def _percent(text: str) -> Fraction:
    """A threshold in percent, read exactly ("99.99" is not rounded)."""
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(text) from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(text)
    return value


def _check(target: str, locale: str, strict: bool = False, form: str = "text", prove: bool = True) -> int:
    from breachrules.diagnostics import RulesetError

    _ = Messages(locale)
    try:
        ruleset = _load(target)
    except RulesetError as error:
        if form == "json":
            print(json.dumps({"file": target, "diagnostics": [d.to_dict(locale) for d in error.diagnostics],
                              "claims": [], "proved": False}, ensure_ascii=False, indent=2))
            return 1
        print(error.render(locale), file=sys.stderr)
        print(_.plural("cli.errors_found", len(error.diagnostics)), file=sys.stderr)
        return 1
    from breachrules import verify
    from breachrules.usage import notes as compile_notes

    notes = compile_notes(ruleset)
    analysis = verify.analyse(ruleset) if prove and verify.available() else None
    sources = {s.file: s.text for s in ruleset.sources}
    findings = list(analysis.findings) if analysis is not None else []
    errors = [f for f in findings if f.severity == "error"]
    warnings = len(notes) + len(findings) - len(errors)
    failed = bool(errors) or (strict and warnings > 0)
    if form == "json":
        print(json.dumps({
            "file": target,
            "diagnostics": [*(w.to_dict(locale) for w in notes),
                            *(f.to_dict(locale, ruleset.messages(locale)) for f in findings)],
            "claims": [c.to_dict() for c in analysis.claims] if analysis is not None else [],
            "solver": analysis is not None,
            # everything asked was proved: exactly, every claim, nothing left undecided
            "proved": analysis is not None and analysis.exact and not errors
            and all(c.status == "proved" for c in analysis.claims)
            and not any(f.code == "BR821" for f in findings),
        }, ensure_ascii=False, indent=2))
        return 1 if failed else 0
    shown = [w.render(sources.get(w.span.file), locale) for w in notes]
    shown += [f.render(sources.get(f.span.file), locale, ruleset.messages(locale)) for f in findings]
    if shown:
        print("\n\n".join(shown), file=sys.stderr)
    if errors:
        print(_.plural("cli.errors_found", len(errors)), file=sys.stderr)
    if warnings:
        print(_.plural("cli.warnings_found", warnings), file=sys.stderr)
    if analysis is None and prove:
        print(_("cli.check.no_solver"), file=sys.stderr)
    for claim in analysis.claims if analysis is not None else ():
        print(claim.render(locale))
    if failed:
        return 1
    print(_("cli.checked", file=target))
    return 0


def _list(locale: str) -> int:
    import breachrules

    for name in breachrules.bundled_names():
        ruleset = breachrules.bundled(name)
        print(f"{name}\t{ruleset.version}\t{ruleset.messages(locale)(ruleset.program.title)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
