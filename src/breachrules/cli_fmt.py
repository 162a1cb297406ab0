"""``breachrules fmt``: lay out ruleset files in the canonical form.

    breachrules fmt FILES... [--check] [--diff] [--lang fi|sv|en]

Each file named, and each ``*.rules`` file under a directory named, is
rewritten in the layout of :mod:`breachrules.formatting`; ``-`` reads a
ruleset from standard input and writes it, formatted, to standard output
(for editors). ``--check`` and ``--diff`` change no file: ``--check`` names
the files that would change, ``--diff`` prints the changes as a unified
diff on standard output. What the command says about the files goes to
standard error, so that standard output holds only a diff or a ruleset.

Exit codes: 0 nothing to change, or every file rewritten; 1 with
``--check``, some file would change; 2 a file could not be read, does not
parse (its error, positioned, on standard error) or could not be written,
or the formatter refused to change what a file says. A file that fails is
left as it was, and the other files are still formatted.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from breachrules.i18n import LOCALES, Messages

STDIN = "-"


def add_parser(commands: Any, _: Messages) -> None:
    """The ``fmt`` subcommand, on the subparsers of ``breachrules``."""
    fmt = commands.add_parser("fmt", help=_("cli.fmt.help"))
    fmt.add_argument("files", nargs="+", metavar=_("cli.metavar.files"), help=_("cli.fmt.files"))
    fmt.add_argument("--check", action="store_true", help=_("cli.fmt.check"))
    fmt.add_argument("--diff", action="store_true", help=_("cli.fmt.diff"))
    fmt.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))


def run(args: argparse.Namespace) -> int:
    """Run ``fmt`` with the parsed command line; the exit code."""
    return fmt(args.files, args.lang, check=args.check, diff=args.diff)


def fmt(names: Sequence[str], locale: str, *, check: bool = False, diff: bool = False) -> int:
    _ = Messages(locale)
    files = _find(names)
    if not files:
        print(_("cli.fmt.no_files"), file=sys.stderr)
        return 2
    changed = unchanged = failed = 0
    for file in files:
        outcome = _one(file, _, write=not (check or diff), diff=diff)
        if outcome is None:
            failed += 1
        elif outcome:
            changed += 1
        else:
            unchanged += 1
    if files != [STDIN]:
        _summary(_, changed, unchanged, failed, written=not (check or diff))
    if failed:
        return 2
    return 1 if check and changed else 0


def _find(names: Iterable[str]) -> list[str]:
    """The files named, directories searched for ``*.rules``, each once, in order."""
    found: dict[str, None] = {}
    for name in names:
        path = Path(name)
        if name != STDIN and path.is_dir():
            found.update((str(p), None) for p in sorted(path.rglob("*.rules")))
        else:
            found[name] = None
    return list(found)


def _one(file: str, _: Messages, *, write: bool, diff: bool) -> bool | None:
    """Format one file: whether it changes (or would); None when it cannot be formatted."""
    from breachrules.diagnostics import RulesetError
    from breachrules.failures import os_reason
    from breachrules.formatting import FormattingError, format_ruleset

    try:
        text = _read(file)
        formatted = format_ruleset(text, _shown(file))
    except RulesetError as error:
        print(error.render(_.locale), file=sys.stderr)
        return None
    except FormattingError as error:
        print(error.message(_.locale), file=sys.stderr)
        return None
    if file == STDIN and write:
        sys.stdout.write(formatted)
        return formatted != text
    if formatted == text:
        return False
    if diff:
        sys.stdout.write(unified_diff(text, formatted, _shown(file)))
    if not write:
        print(_("cli.fmt.would_reformat", file=_shown(file)), file=sys.stderr)
        return True
    try:
        with open(file, "w", encoding="utf-8", newline="") as handle:
            handle.write(formatted)
    except OSError as error:
        print(_("cli.fmt.cannot_write", path=file, reason=os_reason(error)), file=sys.stderr)
        return None
    print(_("cli.fmt.reformatted", file=file), file=sys.stderr)
    return True


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
