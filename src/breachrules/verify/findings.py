"""What the analysis found, as data: positioned, coded, with its incidents.

A finding is a diagnostic (rendered like a compile error, from the library
catalog, ``diagnostic.<code>``) plus what shows it: one incident, or two
that differ in a single fact, and the trace of the rules that fired. A
claim is what was asked of an invariant or a declared monotonicity, and
how it was settled: proved, refuted, searched (not a proof) or undecided.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from breachrules.diagnostics import Diagnostic
from breachrules.i18n import DEFAULT_LOCALE, Messages, frozen_values
from breachrules.spans import Span

# code -> severity; errors are promises broken, warnings are rules that do nothing
SEVERITY = {
    "BR801": "warning",  # a rule that can never apply
    "BR802": "warning",  # an exception that never applies when its base does
    "BR803": "warning",  # an exception that never changes anything
    "BR804": "warning",  # a rule other rules always cover
    "BR805": "error",  # a reachable conflict
    "BR806": "warning",  # an exemption that never applies when its obligation is required
    "BR807": "warning",  # an obligation that can never be required
    "BR808": "warning",  # an action that can never apply
    "BR809": "error",  # an evaluation that can fail
    "BR810": "error",  # a broken invariant
    "BR811": "error",  # a broken monotonicity
    "BR812": "warning",  # a checklist whose obligation can never be required
    "BR813": "error",  # a provisional result that does not bracket every answer to its open questions
    "BR814": "error",  # a fact whose answer can change the decision, not among the open questions
    "BR820": "warning",  # not encodable exactly: searched instead
    "BR821": "warning",  # the solver could not decide
}


@attrs.frozen
class Finding:
    code: str
    span: Span
    values: tuple[tuple[str, object], ...] = ()
    incident: Mapping[str, Any] | None = None  # what shows it
    other: Mapping[str, Any] | None = None  # monotonicity: the incident after the fact rose
    trace: tuple[str, ...] = ()  # rules, exceptions and exemptions that fired on ``incident``
    searched: int = 0  # found by a search of this many incidents, not by the solver
    promise: str = ""  # a broken invariant's own words: a message id of the ruleset's catalog

    @classmethod
    def make(cls, code: str, span: Span, /, *, incident: Mapping[str, Any] | None = None,
             other: Mapping[str, Any] | None = None, trace: tuple[str, ...] = (), searched: int = 0,
             promise: str = "", **values: object) -> Finding:
        return cls(code, span, frozen_values(values), incident, other, trace, searched, promise)

    @property
    def severity(self) -> str:
        return SEVERITY[self.code]

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.code, self.span, self.values, self.severity)

    def render(self, source: str | None = None, locale: str = DEFAULT_LOCALE,
               ruleset: Messages | None = None) -> str:
        """``ruleset``: the ruleset's messages, for the words of a broken promise."""
        _ = Messages(locale)
        lines = [self.diagnostic.render(source, locale)]
        promise = self._promise(ruleset)
        if promise:
            lines.append("  = " + _("verify.promise", text=promise))
        first, second = _SHOWN.get(self.code, ("verify.before", "verify.after"))
        if self.incident is not None:
            key = first if self.other is not None else "verify.incident"
            lines.append("  = " + _(key, incident=_json(self.incident)))
        if self.other is not None:
            lines.append("  = " + _(second, incident=_json(self.other)))
        if self.trace:
            lines.append("  = " + _("verify.trace", trace=", ".join(self.trace)))
        if self.searched and self.code != "BR820":  # a counterexample found by searching
            lines.append("  = " + _.plural("verify.found", self.searched))
        elif self.searched:
            lines.append("  = " + _.plural("verify.searched", self.searched))
        return "\n".join(lines)

    def _promise(self, ruleset: Messages | None) -> str | None:
        if not self.promise or ruleset is None or not ruleset.has(self.promise):
            return None
        return ruleset(self.promise)

    def to_dict(self, locale: str = DEFAULT_LOCALE, ruleset: Messages | None = None) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end": {"line": self.span.end_line, "column": self.span.end_column},
            "message": self.diagnostic.message(locale),
            "promise": self._promise(ruleset),
            "incident": self.incident,
            "other": self.other,
            "trace": list(self.trace),
            "solver": self.searched == 0,  # found by the solver, not by a search of this many incidents
            "searched": self.searched,
        }


@attrs.frozen
class Claim:
    """An invariant or a declared monotonicity, and how it stands."""

    # invariant | aggravating | mitigating | unknowns (provisional results bracket every answer)
    # | questions (every fact that can change the decision is asked)
    kind: str
    name: str  # the invariant's name or the fact's ("" for unknowns and questions)
    span: Span
    status: str  # proved | refuted | searched | undecided | unsupported
    searched: int = 0

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        _ = Messages(locale)
        if self.kind in ("unknowns", "questions"):  # claims of the whole ruleset
            return _(f"verify.{self.kind}.{self.status}")
        kind = _(f"verify.claim.kind.{self.kind}")
        if self.status == "searched":
            return _.plural("verify.claim.searched", self.searched, kind=kind, name=self.name)
        return _(f"verify.claim.{self.status}", kind=kind, name=self.name)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "file": self.span.file, "line": self.span.line,
                "status": self.status, "searched": self.searched}


# how the two incidents of a finding are introduced: a fact raised, or a
# partial incident and one way of answering its open questions
_SHOWN = {"BR811": ("verify.before", "verify.after"), "BR813": ("verify.partial", "verify.completion"),
          "BR814": ("verify.partial", "verify.completion")}


def _json(data: Mapping[str, Any]) -> str:
    return json.dumps(dict(data), ensure_ascii=False, sort_keys=False)


@attrs.frozen
class Analysis:
    """Everything ``breachrules check`` proved or refuted of one program."""

    findings: tuple[Finding, ...]
    claims: tuple[Claim, ...]
    exact: bool = True  # False: something could not be encoded, and was searched instead

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")
