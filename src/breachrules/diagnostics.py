"""Compiler diagnostics: what went wrong, where, and in words.

A diagnostic is data (a stable code, a span, named values), rendered late in
the reader's language from the library catalog, key ``diagnostic.<code>``.
The compiler collects every diagnostic of a run and raises them together, so
an author fixes a ruleset in one pass rather than one error at a time.

Codes are stable and documented in ``docs/errors.md``:

- BR1xx syntax
- BR2xx names
- BR3xx types
- BR4xx structure (duplicates, exceptions, cycles, tables, messages)
- BR5xx loading (files, ``extends``)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs

from breachrules.errors import BreachrulesError
from breachrules.i18n import DEFAULT_LOCALE, Messages, frozen_values, with_suggestion
from breachrules.spans import Span


@attrs.frozen
class Diagnostic:
    code: str
    span: Span
    values: tuple[tuple[str, object], ...] = ()
    severity: str = "error"

    @classmethod
    def make(cls, code: str, span: Span, /, **values: object) -> Diagnostic:
        return cls(code, span, frozen_values(values))

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return with_suggestion(Messages(locale), f"diagnostic.{self.code}", self.values)

    def to_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, object]:
        """The diagnostic for a program (``--format json``): where, what, in words."""
        s = self.span
        return {"code": self.code, "severity": self.severity, "file": s.file, "line": s.line, "column": s.column,
                "end": {"line": s.end_line, "column": s.end_column}, "message": self.message(locale)}

    def render(self, source: str | None = None, locale: str = DEFAULT_LOCALE) -> str:
        """Rustc-style: the message, the position, the line and a caret."""
        severity = Messages(locale)(_SEVERITY[self.severity])
        head = f"{severity}[{self.code}]: {self.message(locale)}\n  --> {self.span}"
        if source is None:
            return head
        lines = source.splitlines()
        if not 1 <= self.span.line <= len(lines):
            return head
        text = lines[self.span.line - 1]
        width = (
            self.span.end_column - self.span.column
            if self.span.end_line == self.span.line
            else len(text) - self.span.column + 1
        )
        gutter = " " * len(str(self.span.line))
        caret = " " * (self.span.column - 1) + "^" * max(1, width)
        return f"{head}\n{gutter} |\n{self.span.line} | {text}\n{gutter} | {caret}"


_SEVERITY = {"error": "diagnostic.severity.error", "warning": "diagnostic.severity.warning"}


class RulesetError(BreachrulesError):
    """A ruleset failed to compile; ``diagnostics`` holds every problem found."""

    def __init__(self, diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> None:
        self.diagnostics = tuple(diagnostics)
        self.sources = sources
        super().__init__(self.render())

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.diagnostics, self.sources)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        return "\n\n".join(
            d.render(self.sources.get(d.span.file), locale) for d in self.diagnostics
        )


# Above this many candidates, difflib's pairwise comparison makes one
# suggestion cost milliseconds, and a ruleset or an incident with many
# misspellings costs minutes: only one-edit typos are looked for then.
_DIFFLIB_CANDIDATES = 200
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_ABCDEFGHIJKLMNOPQRSTUVWXYZ-"


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, or None; linear in the candidates however many."""
    pool = set(candidates)
    if len(pool) <= _DIFFLIB_CANDIDATES:
        matches = difflib.get_close_matches(name, sorted(pool), n=1, cutoff=0.6)
        return matches[0] if matches else None
    if len(name) > 100:
        return None
    found = sorted(typo for typo in _one_edit(name) if typo in pool)
    return found[0] if found else None


def _one_edit(name: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away."""
    splits = [(name[:i], name[i:]) for i in range(len(name) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    edits |= {a + c + b for a, b in splits for c in _ALPHABET}
    edits.discard(name)
    return edits


def quoted_list(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)
