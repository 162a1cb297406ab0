"""The questions of a ruleset, for intake forms: :func:`questions`.

Every fact of a ruleset is one question a form asks, and
:meth:`Ruleset.questions <breachrules.ruleset.Ruleset.questions>` gives
them, in the order the ruleset declares its facts, in the reader's
language::

    for q in breachrules.bundled("gdpr").questions("fi"):
        print(q.fact, q.kind, q.label, q.question, [m.label for m in q.members])

A :class:`Question` says what the incident gives for the fact (its
``kind``, the ``members`` of a choice, the range of a number), the words
to ask it with (``label`` and ``question``, from the ruleset's catalogs),
its ``default``, and whether the rules read it (``decides``) and so
whether a complete assessment ``needs`` it. Every word comes from the
catalogs: a label a catalog lacks is the fact's or member's name (``breachrules
check`` reports the gap), a question it lacks is ``None``, never a message id.

The JSON Schema of :mod:`breachrules.schema` is built from these questions,
so that a form built from either asks the same.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal, cast

import attrs

from breachrules.explain import fact_label, level_of, member
from breachrules.i18n import Messages
from breachrules.incident import json_value
from breachrules.limits import MAX_MAGNITUDE
from breachrules.program import FactDef, Program

Kind = Literal["bool", "number", "duration", "datetime", "text", "enum", "set", "level"]
"""What a fact's value is: ``bool`` (true or false); ``number`` (whole
numbers only when :attr:`Question.integral`); ``duration`` (ISO 8601 text
such as ``"PT30H"``); ``datetime`` (an instant, ISO 8601 text with a UTC
offset); ``text``; ``enum`` (one of the members); ``set`` (a list of
members); ``level`` (one level of a scale, given by its name)."""


@attrs.frozen
class Member:
    """One answer of a choice: a member of an ``enum`` or ``set`` fact, or a
    level of a ``level`` fact. ``name`` is what the incident gives,
    ``label`` what the reader sees."""

    name: str
    label: str


@attrs.frozen
class Question:
    """One fact of a ruleset, as an intake form asks it.

    ``fact``: the key of the incident. ``label``: a short label for the
    field (``fact.<fact>`` in the catalog, else the fact's name).
    ``question``: the question to ask (``question.<fact>``, or the id the
    ruleset names), ``None`` when no catalog has it. ``members``: the
    answers of an ``enum``, ``set`` or ``level`` fact, in the ruleset's
    order. ``minimum`` and ``maximum``: the range a ``number`` takes,
    inclusive, as validation takes it (within ±10^15 even where the ruleset
    leaves the range open). ``default``: the value a fact left out takes,
    in the JSON form an incident gives it, when ``has_default``.
    ``decides``: whether the ruleset's rules, obligations or actions read
    the fact (a documentation fact, only written down, does not).
    """

    fact: str
    kind: Kind
    label: str
    question: str | None
    members: tuple[Member, ...] = ()
    integral: bool = False
    minimum: int | float | None = None
    maximum: int | float | None = None
    has_default: bool = False
    default: Any = None
    decides: bool = False

    @property
    def needed(self) -> bool:
        """Whether a complete assessment needs the incident to give this fact:
        the rules read it and it has no default. (A fact with a default is
        answered when left out, but not when given as ``null``, "don't
        know".) With every needed fact known, an assessment is never
        provisional; one may be final with fewer, and its open questions
        then say which of them still matter."""
        return self.decides and not self.has_default


def questions(program: Program, messages: Messages, decides: Collection[str]) -> tuple[Question, ...]:
    """The questions of ``program``'s facts, in ``messages``' language;
    ``decides``: the facts the program reads (``codegen.read_facts``)."""
    return tuple(question(fact, messages, fact.name in decides) for fact in program.facts.values())


def question(fact: FactDef, _: Messages, decides: bool) -> Question:
    """The question of one fact."""
    type_ = fact.type
    kind = cast(Kind, type_.kind)  # (the checker makes no other kinds)
    members: tuple[Member, ...] = ()
    if kind in ("enum", "set", "level"):  # (a level without words of its own is said as its scale says it)
        members = tuple(Member(m, member(_, fact.name, m) if kind != "level" or _.has(f"value.{fact.name}.{m}")
                               else level_of(_, type_.scale, m)) for m in type_.members)
    minimum = maximum = None
    if kind == "number":
        minimum = -MAX_MAGNITUDE if type_.low is None else max(type_.low, -MAX_MAGNITUDE)
        maximum = MAX_MAGNITUDE if type_.high is None else min(type_.high, MAX_MAGNITUDE)
    return Question(
        fact=fact.name,
        kind=kind,
        label=fact_label(_, fact.name),
        question=_.label(fact.question, "") or None,
        members=members,
        integral=type_.integral,
        minimum=minimum,
        maximum=maximum,
        has_default=fact.has_default,
        default=json_value(fact, fact.default) if fact.has_default else None,
        decides=decides,
    )


__all__ = ["Kind", "Member", "Question", "question", "questions"]
