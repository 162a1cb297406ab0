"""The ``breachrules`` command.

    breachrules assess INCIDENT [--ruleset NAME|PATH] [--lang fi|sv|en]
                                [--format text|json|markdown] [--timezone ZONE] [--now INSTANT]
                                [--ignore-extra-keys]
    breachrules check RULESET... [--strict] [--format text|json] [--no-prove] [--lang fi|sv|en]
    breachrules diff OLD NEW [--fail-on weaker|any] [--format text|json] [--lang fi|sv|en]
    breachrules test CASES... [--ruleset NAME|PATH] [-k PATTERN] [-v] [--coverage] [--threshold N]
                              [--own] [--update] [--format text|json] [--lang fi|sv|en]   (see cli_cases)
    breachrules fmt FILES... [--check] [--diff] [--format text|json] [--lang fi|sv|en]   (see cli_fmt)
    breachrules list [--format text|json] [--lang fi|sv|en]
    breachrules schema RULESET [--complete] [--format json] [--lang fi|sv|en]   (see cli_schema)
    breachrules replay RECORDS... [--ruleset NEW] [--made-with RULESET]... [--format text|json]
                                  [--timezone ZONE] [--lang fi|sv|en]   (see cli_replay)

``assess`` prints the full report: the assessment, deadlines at ``--now``
(default: the current time), the checklists of each notice, the action plan
and, when the data subjects must be told, a draft of the communication.
``--format json`` is the Art. 33(5) documentation record as JSON,
``--format markdown`` the same record as Markdown. When questions are open,
the text and Markdown forms show them ranked, and ``--format json`` puts
the ranking beside the record; ``--ignore-extra-keys`` leaves out the keys of the
incident that are not facts, with a warning each (see :mod:`cli_assess`).
``-`` for INCIDENT reads it, as JSON, from standard input. ``check`` takes files, directories (their
``*.rules`` files) and bundled names (see cli_check).

Exit codes (:mod:`breachrules.exits`, documented in docs/cli.md):

    0  done
    1  findings: check found problems (or warnings, with --strict), a case
       failed or coverage is below --threshold, diff --fail-on found a
       change, fmt --check would change a file, replay found a record that
       does not reproduce or a decision the new ruleset takes otherwise
    2  bad usage: the command line, --timezone, --now, options that cannot
       go together, -k that selects nothing
    3  an incident or case file that cannot be read or does not fit
    4  a ruleset that cannot be found, read or compiled (check: only one it
       cannot find or read; a compile error is a finding)
    5  the ruleset cannot evaluate the incident
    6  an optional extra is not installed (diff without the solver)

When a run meets several, the highest code wins. Under ``--format json``,
every error is one JSON document on standard error (:mod:`cli_problems`),
never text; colour (:mod:`cli_colour`) only on a terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tomllib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any, NoReturn

from breachrules.cli_input import STDIN, STDIN_NAME, DuplicateKey, read_document
from breachrules.cli_problems import (
    Failure,
    dumps,
    evaluation_problem,
    file_problem,
    incident_problem,
    problem,
    report,
    ruleset_failure,
)
from breachrules.exits import ExitCode
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


def _requested_format(argv: Sequence[str]) -> str:
    """``json`` when the command line asks for it, read before argparse does:
    an error in the command line itself is then JSON too."""
    for i, arg in enumerate(argv):
        if (arg == "--format" and argv[i + 1:i + 2] == ["json"]) or arg == "--format=json":
            return "json"
    return "text"


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



class _UsageError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse, but an error in the command line is raised rather than
    printed, so that it can be printed as JSON when JSON was asked for."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self, message)


def _usage(error: _UsageError, form: str, _: Messages) -> int:
    """A command line that cannot be read: as argparse says it, or as JSON."""
    if form == "json":
        return report(Failure(ExitCode.USAGE, error.message, key="cli.argparse.error"), form, _)
    error.parser.print_usage(sys.stderr)
    words = argparse._("%(prog)s: error: %(message)s\n")  # type: ignore[attr-defined]
    sys.stderr.write(words % {"prog": error.parser.prog, "message": error.message})
    return int(ExitCode.USAGE)


def _parser(_: Messages) -> argparse.ArgumentParser:
    parser = _Parser(prog="breachrules", description=_("cli.description"), epilog=_("cli.exit_codes"))
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
    assess.add_argument("--ignore-extra-keys", action="store_true", help=_("cli.assess.ignore_extra_keys"))
    assess.add_argument("--exact", action="store_true", help=_("cli.assess.exact"))

    check = commands.add_parser("check", help=_("cli.check.help"))
    check.add_argument("rulesets", nargs="+", metavar=_("cli.metavar.ruleset"), help=_("cli.check.ruleset"))
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
    listing.add_argument("--format", choices=("text", "json"), default="text", help=_("cli.check.format"))

    from breachrules import cli_fmt, cli_replay, cli_schema

    cli_fmt.add_parser(commands, _)
    cli_schema.add_parser(commands, _)
    cli_replay.add_parser(commands, _)
    return parser


def _version() -> str:
    from breachrules import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; its exit code (:class:`~breachrules.exits.ExitCode`)."""
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
        try:
            args = _parser(_).parse_args(argv)
        except _UsageError as error:
            return _usage(error, _requested_format(argv), _)
    if args.lang is None:
        args.lang = _.locale
    try:
        return _run(args)
    except Failure as failure:
        return report(failure, getattr(args, "format", "text"), Messages(args.lang))


def _run(args: argparse.Namespace) -> int:
    if args.command == "list":
        return _list(args.lang, args.format)
    if args.command == "fmt":
        from breachrules import cli_fmt

        return cli_fmt.run(args)
    if args.command == "schema":
        from breachrules import cli_schema

        return cli_schema.run(args)
    if args.command == "replay":
        from breachrules import cli_replay

        return cli_replay.run(args)
    if args.command == "check":
        from breachrules import cli_check

        return cli_check.run(args.rulesets, args.lang, strict=args.strict, form=args.format,
                             prove=not args.no_prove)
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


def load_rulesets(names: Sequence[str], locale: str) -> list[Any]:
    """The rulesets named, compiled; a :class:`Failure` (exit 4) naming
    every one that could not be, with all their diagnostics."""
    from breachrules.diagnostics import RulesetError

    loaded, failed = [], []
    for name in names:
        try:
            loaded.append(_load(name))
        except RulesetError as error:
            failed.append((name, error))
    if failed:
        raise ruleset_failure(failed, locale)
    return loaded


def _diff(old_name: str, new_name: str, locale: str, form: str, fail_on: str | None) -> int:
    from breachrules import verify
    from breachrules.compare import run

    if not verify.available():
        words = Messages(locale)("cli.diff.no_solver")
        raise Failure(ExitCode.UNAVAILABLE, words, key="cli.diff.no_solver")
    old, new = load_rulesets([old_name, new_name], locale)
    return run(old, new, locale, form, fail_on)


def _incident(name: str, _: Messages) -> Any:
    """The incident the command line names, or a :class:`Failure` (exit 3) saying why not."""
    from breachrules.incident import IncidentError, Problem

    shown = STDIN_NAME if name == STDIN else name
    try:
        return read_document(name, toml=True)
    except OSError as error:
        reason = os_reason(error)
        raise Failure(ExitCode.INPUT, _("cli.cannot_read", path=shown, reason=reason),
                      [file_problem("cli.cannot_read", reason, shown, _)]) from None
    except DuplicateKey as error:
        raise incident_failure(IncidentError([Problem(f"$.{error.key}", "duplicate_key", (("key", error.key),))]),
                               shown, _) from None
    except RecursionError:
        words = _("cli.too_deep", path=shown)
        raise Failure(ExitCode.INPUT, words, [problem("cli.too_deep", words, file=shown)]) from None
    except (ValueError, tomllib.TOMLDecodeError) as error:  # bad JSON, TOML or UTF-8
        reason = parse_reason(error)
        raise Failure(ExitCode.INPUT, _("cli.not_json", path=shown, reason=reason),
                      [file_problem("cli.not_json", reason, shown, _)]) from None


def incident_failure(error: Any, shown: str, _: Messages) -> Failure:
    """An incident that does not fit its ruleset: every problem, with its ``$.path``."""
    headline = _("cli.bad_incident", path=shown)
    return Failure(ExitCode.INPUT, headline + "\n" + error.render(_.locale),
                   [incident_problem(p, shown, _.locale) for p in error.problems], message=headline)


def _assess(args: argparse.Namespace) -> int:
    from breachrules.errors import ArgumentError, BreachrulesError, in_words
    from breachrules.explain import time_zone
    from breachrules.incident import IncidentError, in_window

    _ = Messages(args.lang)
    try:
        time_zone(args.timezone)
    except ArgumentError:
        raise Failure(ExitCode.USAGE, _("cli.unknown_timezone", zone=args.timezone),
                      key="cli.unknown_timezone") from None
    now = _instant(args.now)
    if now is None or not in_window(now):
        raise Failure(ExitCode.USAGE, _("cli.bad_now", value=args.now), key="cli.bad_now")
    if args.exact:
        from breachrules import verify

        if not verify.available():
            raise Failure(ExitCode.UNAVAILABLE, _("cli.assess.no_solver"), key="cli.assess.no_solver")
    (ruleset,) = load_rulesets([args.ruleset], args.lang)
    incident = _incident(args.incident, _)
    shown = STDIN_NAME if args.incident == STDIN else args.incident
    from breachrules import cli_assess

    incident, warned = cli_assess.ignoring_extra_keys(ruleset, incident, args.ignore_extra_keys, shown, args.lang)
    if args.format != "json":
        cli_assess.say_warnings(warned, args.lang)
    try:
        report = ruleset.report(incident, now=now)
        # the ranking: in JSON always (its key is documented), in words only in place of open questions
        wanted = args.format == "json" or bool(report.assessment.open_questions)
        ranked = None
        if wanted:  # (the ranking's probes, and the interpreter they run, load only then)
            from breachrules import ranking

            facts = ruleset.validate(incident)
            exactly, unsure = cli_assess.exactly(ruleset, facts, report.now, args.lang) if args.exact else (None, [])
            ranked = ranking.ranked(ruleset, facts, report, exactly)
            warned = [*warned, *unsure]
            if args.format != "json":
                cli_assess.say_warnings(unsure, args.lang)
    except IncidentError as error:
        raise cli_assess.with_warnings(incident_failure(error, shown, _), warned) from None
    except BreachrulesError as error:  # the ruleset cannot evaluate this incident
        raise cli_assess.with_warnings(Failure(ExitCode.EVALUATION, in_words(error, args.lang),
                                               [evaluation_problem(error, args.lang)]), warned) from None
    if args.format == "json":
        print(dumps(cli_assess.document(report.to_dict(), ranked, warned)))
    else:  # the open questions, if any, ranked in place of the assessment's list
        from breachrules import record

        section = ranked.section(args.lang) if ranked is not None and ranked.questions else None
        write = record.markdown if args.format == "markdown" else record.text
        print(write(report, args.lang, args.timezone, section), end="")
    return int(ExitCode.OK)


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


def _list(locale: str, form: str = "text") -> int:
    """The bundled rulesets: name, version and title in the reader's language."""
    import breachrules

    found = []
    for name in breachrules.bundled_names():
        ruleset = breachrules.bundled(name)
        found.append({"name": name, "version": ruleset.version,
                      "title": ruleset.messages(locale)(ruleset.program.title)})
    if form == "json":
        print(dumps({"schema": "breachrules.list/1", "rulesets": found}))
    else:
        for entry in found:
            print(f"{entry['name']}\t{entry['version']}\t{entry['title']}")
    return int(ExitCode.OK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
