"""``breachrules fmt``: lay out ruleset files in the canonical form.

    breachrules fmt FILES... [--check] [--diff] [--format text|json] [--lang fi|sv|en]

Each file named, and each ``*.rules`` file under a directory named, is
rewritten in the layout of :mod:`breachrules.formatting`; ``-`` reads a
ruleset from standard input and writes it, formatted, to standard output
(for editors). ``--check`` and ``--diff`` change no file: ``--check`` names
the files that would change, ``--diff`` prints the changes as a unified
diff on standard output. What the command says about the files goes to
standard error, so that standard output holds only a diff or a ruleset.
``--format json`` prints instead one document on standard output: each
file changed, unchanged or failed, its problems as diagnostics, its diff
with ``--diff`` and, for ``-``, the formatted text.

Exit codes (:mod:`breachrules.exits`): 0 nothing to change, or every file
rewritten; 1 with ``--check``, some file would change; 4 a file could not
be read, does not parse (its error, positioned, on standard error) or
could not be written, or the formatter refused to change what a file says.
A file that fails is left as it was, and the other files are still
formatted.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from breachrules.cli_colour import paint
from breachrules.cli_problems import Failure, diagnostic, dumps, problem
from breachrules.exits import ExitCode
from breachrules.i18n import LOCALES, Messages

STDIN = "-"
SCHEMA = "breachrules.fmt/1"


def add_parser(commands: Any, _: Messages) -> None:
    """The ``fmt`` subcommand, on the subparsers of ``breachrules``."""
    fmt = commands.add_parser("fmt", help=_("cli.fmt.help"))
    fmt.add_argument("files", nargs="+", metavar=_("cli.metavar.files"), help=_("cli.fmt.files"))
    fmt.add_argument("--check", action="store_true", help=_("cli.fmt.check"))
    fmt.add_argument("--diff", action="store_true", help=_("cli.fmt.diff"))
    fmt.add_argument("--format", choices=("text", "json"), default="text", help=_("cli.fmt.format"))
    fmt.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))


def run(args: argparse.Namespace) -> int:
    """Run ``fmt`` with the parsed command line; the exit code."""
    return fmt(args.files, args.lang, check=args.check, diff=args.diff, form=args.format)


@attrs.frozen
class Outcome:
    """What became of one file: ``changed`` (or would be), ``unchanged`` or ``failed``."""

    file: str
    status: str
    problems: tuple[dict[str, Any], ...] = ()
    diff: str | None = None
    formatted: str | None = None  # the text written to standard output, for ``-``

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file": self.file, "status": self.status, "problems": list(self.problems)}
        if self.diff is not None:
            data["diff"] = self.diff
        if self.formatted is not None:
            data["formatted"] = self.formatted
        return data


def fmt(names: Sequence[str], locale: str, *, check: bool = False, diff: bool = False, form: str = "text") -> int:
    _ = Messages(locale)
    files = find_rules(names, stdin=True)
    if not files:
        raise Failure(ExitCode.RULESET, _("cli.fmt.no_files"), key="cli.fmt.no_files")
    write = not (check or diff)
    outcomes = [_one(file, _, write=write, diff=diff, form=form) for file in files]
    count = {status: sum(o.status == status for o in outcomes) for status in ("changed", "unchanged", "failed")}
    code = ExitCode.RULESET if count["failed"] else (
        ExitCode.FINDINGS if check and count["changed"] else ExitCode.OK)
    if form == "json":
        print(dumps({"schema": SCHEMA, "exit_code": int(code), "written": write,
                     "files": [o.to_dict() for o in outcomes], "summary": count}))
    elif files != [STDIN]:
        _summary(_, count["changed"], count["unchanged"], count["failed"], written=write)
    return int(code)


def find_rules(names: Iterable[str], *, stdin: bool = False) -> list[str]:
    """The files named, directories searched (with their subdirectories)
    for ``*.rules``, each once, in order; ``-`` stays as it is when
    ``stdin``. Shared with ``check``."""
    found: dict[str, None] = {}
    for name in names:
        path = Path(name)
        if not (stdin and name == STDIN) and path.is_dir():
            found.update((str(p), None) for p in sorted(path.rglob("*.rules")))
        else:
            found[name] = None
    return list(found)


def _one(file: str, _: Messages, *, write: bool, diff: bool, form: str) -> Outcome:
    """Format one file, saying what happens in the text form as it goes."""
    from breachrules.diagnostics import RulesetError
    from breachrules.failures import os_reason
    from breachrules.formatting import FormattingError, format_ruleset

    shown, text_form = _shown(file), form != "json"
    try:
        text = _read(file)
        formatted = format_ruleset(text, shown)
    except RulesetError as error:
        if text_form:
            print(paint(sys.stderr).findings(error.render(_.locale), _), file=sys.stderr)
        return Outcome(shown, "failed", tuple(diagnostic(d, _.locale) for d in error.diagnostics))
    except FormattingError as error:
        if text_form:
            print(error.message(_.locale), file=sys.stderr)
        return Outcome(shown, "failed", (problem("formatting.changed", error.message(_.locale), file=shown),))
    status = "unchanged" if formatted == text else "changed"
    if file == STDIN and write:
        if text_form:
            sys.stdout.write(formatted)
        return Outcome(shown, status, formatted=formatted)
    if status == "unchanged":
        return Outcome(shown, status, diff="" if diff else None)
    changes = unified_diff(text, formatted, shown) if diff else None
    if changes is not None and text_form:
        sys.stdout.write(changes)
    if not write:
        if text_form:
            print(_("cli.fmt.would_reformat", file=shown), file=sys.stderr)
        return Outcome(shown, status, diff=changes)
    try:
        with open(file, "w", encoding="utf-8", newline="") as handle:
            handle.write(formatted)
    except OSError as error:
        words = _("cli.fmt.cannot_write", path=file, reason=os_reason(error))
        if text_form:
            print(words, file=sys.stderr)
        return Outcome(shown, "failed", (problem(os_reason(error).key, words, file=shown),))
    if text_form:
        print(_("cli.fmt.reformatted", file=file), file=sys.stderr)
    return Outcome(shown, status)


def _read(file: str) -> str:
    """A ruleset's text, from a file as the library reads one (bounded,
    UTF-8, errors positioned) or from standard input."""
    from breachrules.loader import read_file

    if file != STDIN:
        return read_file(Path(file))
    from breachrules.diagnostics import Diagnostic, RulesetError
    from breachrules.limits import DEFAULT
    from breachrules.spans import Span

    data = sys.stdin.buffer.read(DEFAULT.max_bytes + 1)
    where = Span(_shown(file), 1, 1, 1, 2)
    if len(data) > DEFAULT.max_bytes:
        raise RulesetError([Diagnostic.make("BR601", where, limit=DEFAULT.max_bytes)], {})
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise RulesetError([Diagnostic.make("BR505", where)], {}) from None


def _shown(file: str) -> str:
    """How a file is named in messages and positions."""
    return "<stdin>" if file == STDIN else file


def unified_diff(before: str, after: str, name: str) -> str:
    """The change as ``diff -u`` and ``git diff`` show it, a last line
    without its line break marked as they mark it."""
    lines = []
    for line in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                     fromfile=name, tofile=name):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _summary(_: Messages, changed: int, unchanged: int, failed: int, *, written: bool) -> None:
    parts = []
    if changed:
        parts.append(_.plural("cli.fmt.summary.reformatted" if written else "cli.fmt.summary.would_reformat",
                              changed))
    if unchanged:
        parts.append(_.plural("cli.fmt.summary.unchanged", unchanged))
    if failed:
        parts.append(_.plural("cli.fmt.summary.failed", failed))
    print(", ".join(parts), file=sys.stderr)
