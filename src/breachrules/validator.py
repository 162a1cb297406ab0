"""A generated validator for the common case: a well-formed incident.

:func:`breachrules.incident.validate` checks each fact generically and
explains every problem; that is what people need when an incident is wrong,
and it is slow when an incident is right. This module writes, per ruleset,
straight-line checks of exact types (``v is True or v is False``,
``v.__class__ is str and v in MEMBERS``) that accept only what the full validator
accepts and give the same values; on anything else they take a fallback,
and the full validator runs and reports the problems.

The same checks are the first half of the generated ``decide`` and
``assess`` (:mod:`breachrules.codegen`): a plain dict is validated and
decided in one function, without building :class:`Facts` in between.

What the checks accept, and why it is exactly what the full validator
accepts: every value is tested by its exact class (``bool`` is not a
count, a subclass of ``str`` or ``dict`` goes to the full validator), a
set may be a ``list``, ``tuple``, ``set`` or ``frozenset`` whose members are
each a ``str`` (tested before a member is hashed or compared, so no code of
the caller's runs), and an incident may name only declared facts: counted,
not looked up, since every fact read is counted once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from breachrules import prepared
from breachrules.durations import parse_iso_duration
from breachrules.incident import Facts, fixed_offset, in_window
from breachrules.instants import parse_instant
from breachrules.limits import MAX_MAGNITUDE

if TYPE_CHECKING:
    from breachrules.program import FactDef, Program

# What the generated code catches around the checks: an absent fact read
# with d[...], a level that is not one (and, for safety, a TypeError: the
# checks test each class before they use a value). The full validator then runs.
CAUGHT = "KeyError, TypeError"


class Decline(Exception):  # noqa: N818 - not an error: the incident is for the full path
    """Raised by the generated checks on an incident they do not vouch for."""


class _Absent:
    """The value of a fact the incident leaves out (``None`` is "don't know")."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()
SET_TYPES = frozenset({list, tuple, set, frozenset})  # what a set fact may be given as


def _duration(value: Any) -> timedelta | None:
    result = value if value.__class__ is timedelta else (
        parse_iso_duration(value) if value.__class__ is str else None
    )
    return result if result is not None and result >= timedelta(0) else None


def _datetime(value: Any) -> datetime | None:
    if value.__class__ is str:
        try:
            value = parse_instant(value)
        except ValueError:
            return None
    try:
        if not isinstance(value, datetime) or value.utcoffset() is None or not in_window(value):
            return None
    except (ValueError, TypeError, OverflowError):  # an odd tzinfo: the full validator says so
        return None
    return fixed_offset(value)


class Checks:
    """The checks of one ruleset's facts, as lines of source.

    Each fact ``name`` is bound to the local :meth:`var` (its value as
    validated, ``None`` when unknown). ``strict``: a fact the rules read
    must be known, else the fallback is taken (the fast path of ``decide``
    and ``assess`` has no use for an incomplete incident); otherwise an
    unknown fact the rules read sets ``complete = False``.
    """

    def __init__(self, program: Program, read: frozenset[str], *, strict: bool, fallback: str,
                 raw: frozenset[str] = frozenset(), snapshot: bool = False) -> None:
        """``raw``: set facts whose value is kept as given (a list, tuple, set
        or frozenset of valid members) rather than made a frozenset: the
        caller reads them only in ways that give the same answer for each;
        with ``snapshot``, a list or set is kept as a tuple (the value
        outlives the call)."""
        self.program = program
        self.read = read
        self.strict = strict
        self.fallback = fallback
        self.raw = raw
        self.snapshot = snapshot
        self.constants: dict[str, Any] = {
            "_ABSENT": ABSENT, "_duration": _duration, "_datetime": _datetime, "_SETS": SET_TYPES,
        }
        self.index = {name: i for i, name in enumerate(program.facts)}

    def var(self, name: str) -> str:
        return f"v{self.index[name]}_{name}"

    def known(self, name: str) -> bool:
        """Whether the fact is known whenever the checks pass."""
        return self.strict and name in self.read

    def lines(self) -> list[str]:
        """The checks, at depth 0; ``d`` is the incident. (A fact that must
        be there is read with ``d[...]``: an absent one raises KeyError, the
        fallback. The classes of the facts compared in one tuple cost more
        than the checks one by one, whose commonest case is one test.)"""
        out = [] if self.strict else ["complete = True"]
        present = 0  # facts read with d[...]: there whenever the checks pass
        counted = False
        for name, fact in self.program.facts.items():
            var = self.var(name)
            if self.known(name) and not fact.has_default:
                present += 1
                out.append(f"{var} = d[{name!r}]")
                out += self._check(fact, var, 0)
                continue
            counted = True
            unknown = (self.fallback if self.strict else "complete = False") if name in self.read else None
            out.append(f"{var} = d.get({name!r}, _ABSENT)")
            out.append(f"if {var} is _ABSENT:")
            if fact.has_default:  # absent: the default; null: don't know
                out.append(f"    {var} = {self._constant(f'_VD{self.index[name]}', fact.default)}")
            else:
                out.append(f"    {var} = None")
                if unknown:
                    out.append(f"    {unknown}")
            out.append("else:")
            out.append("    n += 1")
            out.append(f"    if {var} is None:")
            out.append(f"        {unknown or 'pass'}")
            out.append("    else:")
            out += self._check(fact, var, 2)
        if counted:
            out.insert(0, "n = 0")
            out.append(f"if len(d) != n + {present}:  # a name that is not a fact")
        else:
            out.append(f"if len(d) != {present}:  # a name that is not a fact")
        out.append(f"    {self.fallback}")
        for earlier, later in self.program.precedes:  # instants in an impossible order: the full validator says which
            first, then = self.var(earlier), self.var(later)
            out.append(f"if {first} is not None and {then} is not None and {then} < {first}:")
            out.append(f"    {self.fallback}")
        return out

    def _constant(self, name: str, value: Any) -> str:
        self.constants[name] = value
        return name

    def _members(self, name: str, members: tuple[str, ...]) -> str:
        """A frozenset of names, as a literal Python makes a constant of when
        each is an identifier (as the language's names are), else a constant."""
        if all(member.isidentifier() and member.isascii() for member in members) and members:
            return "{" + ", ".join(repr(member) for member in members) + "}"
        return self._constant(name, frozenset(members))

    def _literal(self, name: str, value: int | float) -> str:
        """A number as a literal where its ``repr`` reads back exactly, else a constant."""
        if value.__class__ is int or (value.__class__ is float and math.isfinite(value)):
            return repr(value)
        return self._constant(name, value)

    def _check(self, fact: FactDef, v: str, depth: int) -> list[str]:
        """Lines that take the fallback unless ``v`` is a valid value of the
        fact, and then put its validated value in ``v``. (Each value is read
        into ``v`` first: reading it where it is first tested, with ``:=``,
        takes one step more.)"""
        t, i, fallback = fact.type, self.index[fact.name], self.fallback
        lines: list[str]
        if t.kind == "bool":
            lines = [f"if {v} is not True and {v} is not False:", f"    {fallback}"]
        elif t.kind == "number":
            low = -MAX_MAGNITUDE if t.low is None else max(-MAX_MAGNITUDE, t.low)
            high = MAX_MAGNITUDE if t.high is None else min(MAX_MAGNITUDE, t.high)
            bounds = f"{self._literal(f'_VLO{i}', low)} <= {v} <= {self._literal(f'_VHI{i}', high)}"  # nan too
            kind = f"{v}.__class__ is int" if t.integral else f"({v}.__class__ is float or {v}.__class__ is int)"
            lines = [f"if not ({kind} and {bounds}):", f"    {fallback}"]
        elif t.kind == "enum":
            members = self._members(f"_VM{i}", t.members)
            lines = [f"if {v}.__class__ is not str or {v} not in {members}:", f"    {fallback}"]
        elif t.kind == "level":
            levels = self._constant(f"_VL{i}", {name: index for index, name in enumerate(t.members)})
            lines = [f"if {v}.__class__ is not str:", f"    {fallback}",
                     f"{v} = {levels}[{v}]"]  # not a level: a KeyError, the fallback
        elif t.kind == "set":
            members = self._members(f"_VM{i}", t.members)
            lines = [  # each member's class first: no code of the caller's runs (no __hash__, no __eq__)
                f"if {v}.__class__ not in _SETS:",
                f"    {fallback}",
                f"for x in {v}:",
                f"    if x.__class__ is not str or x not in {members}:",
                f"        {fallback}",
            ]
            if fact.name not in self.raw:
                lines.append(f"{v} = frozenset({v})")
            elif self.snapshot:  # kept after the call: not the caller's list or set, which may change
                lines.append(f"if {v}.__class__ is list or {v}.__class__ is set: {v} = tuple({v})")
        elif t.kind == "duration":
            lines = [f"{v} = _duration({v})", f"if {v} is None:", f"    {fallback}"]
        elif t.kind == "datetime":
            lines = [f"{v} = _datetime({v})", f"if {v} is None:", f"    {fallback}"]
        else:
            lines = [f"if {v}.__class__ is not str:", f"    {fallback}"]
        return ["    " * depth + line for line in lines]

    # -------------------------------------------------------------- what the checks give

    def known_dict(self, names: list[str] | None = None) -> list[str]:
        """Lines binding ``f``, the facts (of ``names``, default all) known, in
        the order of their declarations, as :class:`Facts` keeps them."""
        return self._dict("f", names, lambda name: self.var(name))

    def values(self) -> str:
        """A tuple display of every fact's local, in the order of their
        declarations: what :meth:`Ruleset.facts_of` takes."""
        return "(" + "".join(f"{self.var(name)}, " for name in self.program.facts) + ")"

    def _dict(self, target: str, names: list[str] | None, value: Callable[[str], str]) -> list[str]:
        """A dict display of the facts known for sure, then the others, each if known."""
        order = list(self.program.facts) if names is None else names
        sure = 0
        while sure < len(order) and self.known(order[sure]):
            sure += 1
        out = [f"{target} = {{" + ", ".join(f"{name!r}: {value(name)}" for name in order[:sure]) + "}"]
        for name in order[sure:]:
            if self.known(name):
                out.append(f"{target}[{name!r}] = {value(name)}")
            else:
                out.append(f"if {self.var(name)} is not None: {target}[{name!r}] = {value(name)}")
        return out


def build(program: Program, read: frozenset[str]) -> Callable[[Any], Facts | None]:
    """A function that validates an incident, or returns None: the full
    validator then runs and says what is wrong."""
    source, constants = generate(program, read)
    namespace: dict[str, Any] = {**constants, "Facts": Facts}
    exec(prepared.generated(filename(program), source), namespace)  # noqa: S102
    validate_fast: Callable[[Any], Facts | None] = namespace["run"]
    return validate_fast


def generate(program: Program, read: frozenset[str]) -> tuple[str, dict[str, Any]]:
    """The source of :func:`build`'s function, and the constants it reads."""
    checks = Checks(program, read, strict=False, fallback="return None")
    lines = ["def run(d):", "    if d.__class__ is not dict:", "        return None", "    try:"]
    lines += ["        " + line for line in checks.lines()]
    lines += [f"    except ({CAUGHT}):", "        return None"]
    lines += ["    " + line for line in checks.known_dict()]
    lines.append("    return Facts(f, complete)")
    return "\n".join(lines) + "\n", checks.constants


def filename(program: Program) -> str:
    return f"<breachrules {program.name} validate>"
