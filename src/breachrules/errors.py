"""The library's error types. Nothing else escapes to a caller."""

from __future__ import annotations


class BreachrulesError(Exception):
    """Base of every error breachrules raises on purpose."""


class EvaluationError(BreachrulesError):
    """A rule could not be evaluated (say, a score divided by zero).

    Names the rule and the span of the expression that failed.
    """

    def __init__(self, label: str, span: object, reason: str) -> None:
        self.label = label
        self.span = span
        self.reason = reason
        super().__init__(f"{span}: cannot evaluate {label!r}: {reason}")
