"""A generated validator for the common case: a well-formed incident.

:func:`breachrules.incident.validate` checks each fact generically and
explains every problem; that is what people need when an incident is wrong,
and it is slow when an incident is right. This module writes, per ruleset,
a straight-line function of exact type checks (``v is True or v is False``,
``frozenset(v) <= MEMBERS``) that accepts only what the full validator
accepts, gives the same values, and returns ``None`` for anything else,
so that the full validator runs and reports the problems.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from breachrules.durations import parse_iso_duration
from breachrules.incident import Facts, fixed_offset, in_window, out_of_order
from breachrules.instants import parse_instant
from breachrules.limits import MAX_MAGNITUDE
from breachrules.program import Program


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


def build(program: Program, read: frozenset[str]) -> Callable[[Any], Facts | None]:
    constants: dict[str, Any] = {
        "_NAMES": frozenset(program.facts), "_MAX": MAX_MAGNITUDE, "Facts": Facts,
        "_duration": _duration, "_datetime": _datetime,
    }
    lines = [
        "def run(d):",
        "    if d.__class__ is not dict or not d.keys() <= _NAMES:",
        "        return None",
        "    known = dict(d)",
        "    complete = True",
        "    try:",
        "        pass",
    ]
    for i, (name, fact) in enumerate(program.facts.items()):
        check, value = _check(fact.type, i, constants)
        lines.append(f"        v = known.get({name!r})")
        if fact.has_default:  # absent: the default; null: don't know
            constants[f"_D{i}"] = fact.default
            lines.append(f"        if {name!r} not in known:")
            lines.append(f"            known[{name!r}] = _D{i}")
            lines.append("        elif v is None:")
            lines.append(f"            del known[{name!r}]")
            if name in read:
                lines.append("            complete = False")
        else:  # absent or null: unknown
            lines.append("        if v is None:")
            lines.append(f"            known.pop({name!r}, None)")
            if name in read:
                lines.append("            complete = False")
        lines.append(f"        elif not ({check}):")
        lines.append("            return None")
        if value != "v":
            lines.append("        else:")
            lines.append(f"            known[{name!r}] = {value}")
    lines += [
        "    except TypeError:  # unhashable set members and the like: the full validator says so",
        "        return None",
    ]
    if program.precedes:  # instants in an impossible order: the full validator says which
        constants["_out_of_order"] = lambda known: out_of_order(program, known)
        lines += ["    if _out_of_order(known):", "        return None"]
    lines.append("    return Facts(known, complete)")
    namespace = dict(constants)
    exec(compile("\n".join(lines) + "\n", f"<breachrules {program.name} validate>", "exec"), namespace)  # noqa: S102
    validate_fast: Callable[[Any], Facts | None] = namespace["run"]
    return validate_fast


def _check(t: Any, i: int, constants: dict[str, Any]) -> tuple[str, str]:
    """(a condition on ``v`` that holds only for a valid value, the value to keep)."""
    if t.kind == "bool":
        return "v is True or v is False", "v"
    if t.kind == "number":
        kind = "v.__class__ is int" if t.integral else "(v.__class__ is int or v.__class__ is float)"
        bounds = [kind, "-_MAX <= v <= _MAX"]  # also false for nan
        if t.low is not None:
            constants[f"_LO{i}"] = t.low
            bounds.append(f"v >= _LO{i}")
        if t.high is not None:
            constants[f"_HI{i}"] = t.high
            bounds.append(f"v <= _HI{i}")
        return " and ".join(bounds), "v"
    if t.kind == "enum":
        constants[f"_M{i}"] = frozenset(t.members)
        return f"v.__class__ is str and v in _M{i}", "v"
    if t.kind == "level":
        constants[f"_L{i}"] = {name: index for index, name in enumerate(t.members)}
        return f"v.__class__ is str and v in _L{i}", f"_L{i}[v]"
    if t.kind == "set":
        constants[f"_M{i}"] = frozenset(t.members)
        return f"v.__class__ is list and (s := frozenset(v)) <= _M{i}", "s"
    if t.kind == "duration":
        return "(s := _duration(v)) is not None", "s"
    if t.kind == "datetime":
        return "(s := _datetime(v)) is not None", "s"
    return "v.__class__ is str", "v"
