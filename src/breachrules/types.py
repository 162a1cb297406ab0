"""The types of facts, definitions and outcomes.

Values at run time: ``bool``; ``int``/``float`` for numbers; ``timedelta``
for durations; aware ``datetime``; ``str`` for text and enum members;
``frozenset[str]`` for sets; ``int`` (the index in its scale) for levels.
``None`` is *unknown*, never a value of any type.
"""

from __future__ import annotations

import attrs

from breachrules.i18n import Term


@attrs.frozen
class Type:
    kind: str  # bool number duration datetime text enum set level
    members: tuple[str, ...] = ()  # enum, set and level: the allowed names, in order
    scale: str = ""  # level: the scale's name
    integral: bool = False  # number: whole numbers only
    low: int | float | None = None  # number: inclusive bounds
    high: int | float | None = None

    def describe(self) -> Term:
        """What a value of this type is, in words (rendered in the reader's language)."""
        if self.kind == "level":
            return Term.of("type.level", scale=self.scale)
        if self.kind in ("enum", "set"):
            return Term.of(f"type.{self.kind}", members=", ".join(self.members))
        if self.kind == "number" and self.integral:
            return Term.of("type.whole_number")
        return Term.of(f"type.{self.kind}")

    def same(self, other: Type) -> bool:
        """Whether values of the two types can be compared with each other."""
        if self.kind != other.kind:
            return False
        if self.kind == "level":
            return self.scale == other.scale
        if self.kind in ("enum", "set"):
            return set(self.members) == set(other.members) or not self.members or not other.members
        return True

    @property
    def element(self) -> Type:
        """The type of a member of a set."""
        return Type("enum", self.members)

    @property
    def ordered(self) -> bool:
        return self.kind in ("level", "number", "duration", "datetime")


BOOL = Type("bool")
NUMBER = Type("number")
DURATION = Type("duration")
DATETIME = Type("datetime")
TEXT = Type("text")


def level(scale: str, levels: tuple[str, ...]) -> Type:
    return Type("level", levels, scale=scale)
