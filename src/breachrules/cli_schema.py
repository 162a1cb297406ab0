"""``breachrules schema``: the JSON Schema of a ruleset's incident.

    breachrules schema RULESET [--complete] [--format json] [--lang fi|sv|en]

Prints :meth:`Ruleset.schema <breachrules.ruleset.Ruleset.schema>` on
standard output, as JSON (a schema is JSON by nature: ``--format json`` is
accepted, as every command accepts it, and is the only form), with the
labels, questions and answers in the language of ``--lang``. RULESET is a
bundled ruleset's name or a ``.rules`` file, as for ``assess --ruleset``.
``--complete``: the schema of a complete incident (see
:mod:`breachrules.schema`).

Exit codes (:mod:`breachrules.exits`): 0 printed; 2 a wrong command line;
4 a ruleset that cannot be found, read or compiled, its diagnostics on
standard error (as JSON under ``--format json``).
"""

from __future__ import annotations

import argparse
from typing import Any

from breachrules.cli_problems import dumps
from breachrules.exits import ExitCode
from breachrules.i18n import LOCALES, Messages


def add_parser(commands: Any, _: Messages) -> None:
    """The ``schema`` subcommand, on the subparsers of ``breachrules``."""
    schema = commands.add_parser("schema", help=_("cli.schema.help"), description=_("cli.schema.help"))
    schema.add_argument("ruleset", metavar=_("cli.metavar.ruleset"), help=_("cli.schema.ruleset"))
    schema.add_argument("--complete", action="store_true", help=_("cli.schema.complete"))
    # (no default: an error is text unless JSON was asked for, as for every command)
    schema.add_argument("--format", choices=("json",), default=None, help=_("cli.schema.format"))
    schema.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))


def run(args: argparse.Namespace) -> int:
    """Run ``schema`` with the parsed command line; the exit code."""
    return schema(args.ruleset, args.lang, complete=args.complete)


def schema(name: str, locale: str, *, complete: bool = False) -> int:
    from breachrules.cli import load_rulesets  # (the command line's own loader: its errors, its exit code)

    (ruleset,) = load_rulesets([name], locale)
    print(dumps(ruleset.schema(locale, complete=complete)))
    return int(ExitCode.OK)
