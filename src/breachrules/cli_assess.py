"""What ``breachrules assess`` adds to the record: the ranked open questions
and, with ``--ignore-extra-keys``, the warnings of the keys it ignored.

The record itself (``Report.to_dict``, :mod:`breachrules.record`) is the
library's; the command puts beside it, in ``--format json``, two keys of
its own (see docs/json-output.md, "What the command adds"):

- ``ranking``: :meth:`Ranking.to_dict <breachrules.ranking.Ranking.to_dict>`,
  the open questions ranked for an intake form;
- ``warnings``: each key of the incident that is not a fact and was
  ignored, as a problem of the shape every JSON form shares
  (:mod:`breachrules.cli_problems`), ``severity`` "warning"; and with
  ``--exact``, a ruleset the solver cannot read exactly
  (``cli.assess.not_exact``, placed at what it cannot hold).

In ``--format text`` and ``markdown`` the ranked questions stand in the
record in place of its unranked list (``record.text``/``record.markdown``
with ``ranked``); the warnings go to standard error in every text form.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from breachrules.cli_colour import for_terminal
from breachrules.cli_problems import Failure, problem
from breachrules.extra_keys import ExtraKeyWarning, without_extra_keys
from breachrules.i18n import Messages


def ignoring_extra_keys(ruleset: Any, incident: Any, ignore: bool, file: str,
                        locale: str) -> tuple[Any, list[dict[str, Any]]]:
    """The incident without the keys that are not facts, when ``ignore``,
    and a warning (a problem) for each; as it is, with none, otherwise."""
    if not ignore:
        return incident, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExtraKeyWarning)
        taken = without_extra_keys(ruleset.program, incident, "warn")
    found = [w.message for w in caught if isinstance(w.message, ExtraKeyWarning)]
    return taken, [problem("incident.extra_key", w.text(locale), file=file, path=w.path,
                           suggestion=w.suggestion or None, severity="warning") for w in found]


def say_warnings(warned: Sequence[Mapping[str, Any]], locale: str) -> None:
    """The warnings, one a line, on standard error."""
    if not warned:
        return
    word = Messages(locale)("diagnostic.severity.warning")
    for w in warned:
        where = w["path"] if w["path"] is not None else f"{w['line']}:{w['column']}"
        print(for_terminal(f"{w['file']}: {word}: {where}: {w['message']}"), file=sys.stderr)


def with_warnings(failure: Failure, warned: Sequence[Mapping[str, Any]]) -> Failure:
    """A failure whose JSON form lists the warnings too, after its problems."""
    if not warned:
        return failure
    return Failure(failure.code, failure.text, [*failure.problems, *warned], message=failure.message)


def exactly(ruleset: Any, facts: Any, now: Any, locale: str) -> tuple[Any, list[dict[str, Any]]]:
    """The solver's exact reading of the incident (``--exact``); for a
    ruleset it cannot hold exactly, None and a warning (a problem, placed
    at what it cannot hold)."""
    from breachrules import ranking
    from breachrules.verify.encoding import Unsupported

    try:
        return ranking.exactly(ruleset, facts, now), []
    except Unsupported as unsupported:
        _ = Messages(locale)
        span = unsupported.span
        words = _("cli.assess.not_exact", construct=_.term(unsupported.construct))
        return None, [problem("cli.assess.not_exact", words, file=span.file, line=span.line, column=span.column,
                              severity="warning")]


def document(record: Mapping[str, Any], ranking: Any, warned: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The record as ``--format json`` prints it: the record's keys, then ``ranking`` and ``warnings``."""
    return {**record, "ranking": ranking.to_dict(), "warnings": list(warned)}


__all__ = ["document", "ignoring_extra_keys", "say_warnings", "with_warnings"]
