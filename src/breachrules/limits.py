"""How big a ruleset may be: every input the compiler reads is bounded.

Rulesets are untrusted data (an application may compile one a stranger
uploaded), so the size of everything the compiler and both evaluators walk
is bounded before it is walked, and going past a bound is a positioned
diagnostic (BR6xx), never a ``MemoryError``, a ``RecursionError`` or an
afternoon of CPU. The defaults are generous for hand-written rulesets (the
bundled ones use a small fraction of each) and are documented in
``docs/security.md``; a caller passes its own :class:`Limits` to
:func:`breachrules.load` or :func:`breachrules.loads`.

Two bounds have a ceiling the caller cannot raise: the generated fast path
is Python source, and Python refuses source nested more than 200 brackets
or 100 blocks deep, so expressions and exception chains stay below what
the code generator can always write.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from breachrules.errors import BreachrulesError

# What the code generator can always compile (see the module docstring).
MAX_DEPTH_CEILING = 64
MAX_EXCEPTION_DEPTH_CEILING = 32


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise LimitError(attribute.name, value)


def _ceiling(ceiling: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        _positive(instance, attribute, value)
        if value > ceiling:
            raise LimitError(attribute.name, value, ceiling)

    return check


class LimitError(BreachrulesError, ValueError):
    """A :class:`Limits` value that is not a positive whole number, or above its ceiling."""

    def __init__(self, name: str, value: object, ceiling: int | None = None) -> None:
        self.name, self.value, self.ceiling = name, value, ceiling
        super().__init__(self.message())

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.name, self.value, self.ceiling)

    def message(self, locale: str = "en") -> str:
        from breachrules.i18n import Messages

        _ = Messages(locale)
        if self.ceiling is None:
            return _("limits.not_positive", name=self.name, value=self.value)
        return _("limits.above_ceiling", name=self.name, value=self.value, ceiling=self.ceiling)


@attrs.frozen
class Limits:
    """Bounds on one ruleset file (and each file it extends)."""

    max_bytes: int = attrs.field(default=4_000_000, validator=_positive)
    max_statements: int = attrs.field(default=50_000, validator=_positive)
    # expression nesting: operators inside operators (a flat "a or b or c" is one level)
    max_depth: int = attrs.field(default=MAX_DEPTH_CEILING,
                                 validator=_ceiling(MAX_DEPTH_CEILING))
    # exceptions to exceptions to ... a rule
    max_exception_depth: int = attrs.field(default=16,
                                           validator=_ceiling(MAX_EXCEPTION_DEPTH_CEILING))
    max_name_length: int = attrs.field(default=100, validator=_positive)
    # a quoted string: message ids, citations, text literals
    max_string_length: int = attrs.field(default=2_000, validator=_positive)
    # levels of a scale, members of an enum or a set, names in a plan, facts of an item
    max_members: int = attrs.field(default=1_000, validator=_positive)
    max_scales: int = attrs.field(default=100, validator=_positive)


DEFAULT = Limits()

# Numbers, in a ruleset's literals and in an incident's values, lie within
# this magnitude (no count of people or records is larger), and a literal has
# at most this many characters: every one is an exact, finite Python value.
MAX_NUMBER_CHARS = 32
MAX_MAGNITUDE = 10**15
