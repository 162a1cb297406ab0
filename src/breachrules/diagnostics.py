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


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def quoted_list(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)
