"""The library's error types. Nothing else escapes to a caller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from breachrules.exceptions import BreachrulesError

if TYPE_CHECKING:
    from breachrules.i18n import Messages


def _messages(locale: str) -> Messages:
    # Read on first use: ``import breachrules`` (and the pytest plugin, which
    # pytest imports in every project) then stays free of the catalogs.
    from breachrules.i18n import Messages

    return Messages(locale)


def in_words(error: BaseException, locale: str) -> str:
    """A library error in the reader's language. Each kind says itself, by
    ``message`` or, for those that list many problems, ``render``; anything
    else is a fault of ours, and says only that."""
    say = getattr(error, "message", None) or getattr(error, "render", None)
    return str(say(locale)) if callable(say) else _messages(locale)("cli.internal_error")


class EvaluationError(BreachrulesError):
    """A rule could not be evaluated (say, a score divided by zero).

    Names the rule or definition and the span of the expression that failed;
    ``reason`` is a key (``division_by_zero``, ``out_of_range``) whose words
    are in the catalogs (``evaluation.<reason>``).
    """

    def __init__(self, label: str, span: object, reason: str) -> None:
        self.label = label
        self.span = span
        self.reason = reason
        super().__init__(self.message())

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.label, self.span, self.reason)

    def message(self, locale: str = "en") -> str:
        _ = _messages(locale)
        return _("evaluation.error", span=self.span, label=self.label, reason=_(f"evaluation.{self.reason}"))


class ArgumentError(BreachrulesError, TypeError):
    """An argument to the library that is not what it takes: not about a
    ruleset or an incident, so there is no position or path to give."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.key = key
        self.values = tuple(sorted(values.items()))
        super().__init__(self.message())

    def __reduce__(self) -> tuple[object, ...]:
        return _argument_error, (self.key, self.values)

    def message(self, locale: str = "en") -> str:
        _ = _messages(locale)
        return _(self.key, **{k: _.term(v) for k, v in self.values})


def _argument_error(key: str, values: tuple[tuple[str, object], ...]) -> ArgumentError:
    return ArgumentError(key, **dict(values))


class NameNotFound(ArgumentError, KeyError):
    """A name a result does not have: a deadline or a checklist asked for by
    name. Still a :class:`KeyError`, as a mapping's lookup is, so code that
    caught that keeps working; it now says what exists, in the language."""

    def __str__(self) -> str:  # KeyError's own quotes its argument
        return self.message()

    def __reduce__(self) -> tuple[object, ...]:
        return _name_not_found, (self.key, self.values)


def _name_not_found(key: str, values: tuple[tuple[str, object], ...]) -> NameNotFound:
    return NameNotFound(key, **dict(values))


__all__ = ["ArgumentError", "BreachrulesError", "EvaluationError", "NameNotFound"]
