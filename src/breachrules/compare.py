"""``breachrules diff OLD NEW``: what a new ruleset version decides differently.

Rendering only: the regions come from :func:`breachrules.verify.diff`,
the rulesets from the command line (:mod:`breachrules.cli`). Exit codes
(:mod:`breachrules.exits`): 0 done (or no change of the kind ``--fail-on``
names), 1 ``--fail-on`` found one, 4 versions that cannot be compared
exactly (raised as a :class:`~breachrules.cli_problems.Failure`, so that
``--format json`` gives it as JSON).
"""

from __future__ import annotations

import json
from typing import Any

from breachrules.cli_problems import Failure, dumps, problem
from breachrules.exits import ExitCode
from breachrules.i18n import Messages


def run(old: Any, new: Any, locale: str, form: str, fail_on: str | None) -> int:
    """Compare two compiled rulesets and print where they differ."""
    from breachrules import verify
    from breachrules.verify.encoding import Unsupported

    _ = Messages(locale)
    try:
        result = verify.diff(old, new)
    except Unsupported as unsupported:
        span = unsupported.span
        words = _("cli.diff.unsupported", span=span, construct=unsupported.construct)
        raise Failure(ExitCode.RULESET, words, [problem(
            unsupported.construct.key, words, file=span.file, line=span.line, column=span.column,
            end={"line": span.end_line, "column": span.end_column})]) from None
    if form == "json":
        print(dumps(result.to_dict()))
    else:
        print(_text(result, _), end="")
    if fail_on == "weaker" and result.weaker:
        return int(ExitCode.FINDINGS)
    if fail_on == "any" and result.regions:
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)


def _text(result: Any, _: Messages) -> str:
    lines = [_.plural("cli.diff.regions", len(result.regions)) if result.regions else _("cli.diff.same")]
    for number, region in enumerate(result.regions, 1):
        lines.append("")
        lines.append(_(_REGION[region.kind], number=number, cause=region.cause))
        for condition in region.conditions:
            lines.append(f"    {condition.text}")
        for change in region.changes:
            kind, name = change.output.split(":", 1)
            lines.append("  " + _(_CHANGE[kind], name=name,
                                  old=_value(_, result.old, change.output, change.old),
                                  new=_value(_, result.new, change.output, change.new)))
            lines.append("    " + _("verify.incident", incident=json.dumps(dict(change.incident), ensure_ascii=False)))
        if region.old_rules:
            lines.append("  " + _("cli.diff.old_rules", rules=", ".join(region.old_rules)))
        if region.new_rules:
            lines.append("  " + _("cli.diff.new_rules", rules=", ".join(region.new_rules)))
    if not result.complete:
        lines.append("")
        lines.append(_("cli.diff.incomplete"))
    return "\n".join(lines) + "\n"


_REGION = {
    "rule": "cli.diff.region.rule",
    "exception": "cli.diff.region.exception",
    "obligation": "cli.diff.region.obligation",
    "exemption": "cli.diff.region.exemption",
    "table": "cli.diff.region.table",
    "combined": "cli.diff.region.combined",
    "other": "cli.diff.region.other",
}
_CHANGE = {"outcome": "cli.diff.change.outcome", "obligation": "cli.diff.change.obligation"}


def _value(_: Messages, program: Any, output: str, value: Any) -> str:
    if output.startswith("outcome:"):
        name = output.split(":", 1)[1]
        return str(program.outcome(name).levels[value])
    return _(f"verify.required.{value}")
