"""What a case's result says, in the reader's language.

Shared by ``breachrules test`` and the pytest plugin, so that a failing case
reads the same wherever it is run.
"""

from __future__ import annotations

import json

from breachrules.cases import Mismatch
from breachrules.i18n import Messages
from breachrules.results import TraceEntry


def mismatch(_: Messages, m: Mismatch) -> str:
    """One way a case failed, in words: an expectation, an invariant, a conflict."""
    if m.what == "conflict":
        return _("cli.test.conflict", labels=m.actual)
    if m.what.startswith("invariant "):
        return _("cli.test.invariant", name=m.what.removeprefix("invariant "))
    return _("cli.test.mismatch", what=m.what, expected=value(m.expected), actual=value(m.actual))


def fired(_: Messages, entry: TraceEntry) -> str:
    """A rule, exception or exemption that applied in a case, with what it
    concluded: the trace of ``test -v`` and of a failing pytest item."""
    effects = ", ".join(f"{outcome} {level}" for outcome, level in entry.effects) or _("cli.test.no_level")
    if entry.kind == "exception" and entry.overrides:
        effects = _("cli.test.instead_of", base=entry.overrides, effects=effects)
    key = "cli.test.fired" if entry.certain else "cli.test.fired_maybe"
    return _(key, kind=_(f"cli.test.item.{entry.kind}"), name=entry.label, effects=effects)


def value(v: object) -> str:
    """An expected or actual value as the case file writes it."""
    return json.dumps(v, ensure_ascii=False) if isinstance(v, bool) else str(v)
