"""Keys of an incident that are not facts: refused, or ignored with a warning.

A form posts its own fields beside the facts (``case_id``, ``submitted_by``).
By default an incident with a key that is not a fact of the ruleset is
refused (:class:`~breachrules.incident.IncidentError`, ``$.case_id: 'case_id'
is not a fact of the ruleset gdpr``). With ``extra_keys="warn"``,
:meth:`Ruleset.validate`, ``decide``, ``assess``, ``report`` and
``ranked_questions`` take the incident without those keys and warn of each
one: a :class:`ExtraKeyWarning`, through Python's :mod:`warnings`, never
dropped in silence. A key that names a fact an earlier version of the
ruleset replaced is still refused: its answer belongs to another fact.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from breachrules.i18n import DEFAULT_LOCALE, Messages, frozen_values, with_suggestion

if TYPE_CHECKING:
    from breachrules.program import Program

ExtraKeys: TypeAlias = Literal["error", "warn"]
CHOICES = ("error", "warn")


class ExtraKeyWarning(UserWarning):
    """A key of an incident that is not a fact of the ruleset, ignored.

    ``path`` is where it is (``$.case_id``), ``key`` the key itself,
    ``ruleset`` the ruleset's name; ``message(locale)`` (or ``render``)
    says it in fi, sv or en, with "did you mean" when the key is close to
    the name of a fact (a misspelt fact is ignored too: read the warnings)."""

    def __init__(self, key: object, ruleset: str, suggestion: str = "") -> None:
        self.key = key
        self.ruleset = ruleset
        self.path = f"$.{key}"
        self.suggestion = suggestion
        super().__init__(self.message())

    @property
    def values(self) -> tuple[tuple[str, object], ...]:
        """What the message is filled with (``suggestion`` among them)."""
        return frozen_values({"name": str(self.key), "ruleset": self.ruleset, "suggestion": self.suggestion})

    def text(self, locale: str = DEFAULT_LOCALE) -> str:
        """The message without its path, as a JSON problem holds it."""
        return with_suggestion(Messages(locale), "incident.extra_key", self.values)

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return f"{self.path}: {self.text(locale)}"

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        return self.message(locale)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.key, self.ruleset, self.suggestion)


def without_extra_keys(program: Program, incident: Any, extra_keys: object) -> Any:
    """``incident`` without the keys that are not facts, each warned of, for
    ``extra_keys="warn"``; as it is for ``"error"`` (the validator refuses
    them) and for anything that is not a mapping (the validator says so).
    Any other choice is an :class:`~breachrules.errors.ArgumentError`."""
    if extra_keys not in CHOICES:
        from breachrules.errors import ArgumentError

        raise ArgumentError("argument.extra_keys", value=repr(extra_keys)[:80])
    if extra_keys == "error" or not isinstance(incident, Mapping):
        return incident
    facts, replaced = program.facts, program.replaced
    extra = [key for key in incident if not (isinstance(key, str) and (key in facts or key in replaced))]
    if not extra:
        return incident
    from breachrules.diagnostics import did_you_mean

    level = _caller_level()
    for key in extra:
        warnings.warn(ExtraKeyWarning(key, program.name, did_you_mean(str(key), facts) or ""), stacklevel=level)
    left_out = set(extra)  # (a set: a payload may have as many keys of its own as it likes)
    return {key: value for key, value in incident.items() if key not in left_out}


def _caller_level() -> int:
    """The ``stacklevel`` that names the first frame outside the library:
    the caller's line, whichever method it called."""
    level = 2  # the caller of the function that calls this one
    frame = sys._getframe(2)
    while frame.f_back is not None and _ours(frame):
        frame = frame.f_back
        level += 1
    return level


def _ours(frame: Any) -> bool:
    """A frame of the library, or of the code it generates."""
    name = frame.f_globals.get("__name__") or ""
    return bool(name == "breachrules" or name.startswith("breachrules.")
                or frame.f_code.co_filename.startswith("<breachrules "))


__all__ = ["CHOICES", "ExtraKeyWarning", "ExtraKeys", "without_extra_keys"]
