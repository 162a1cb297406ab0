"""The shape of a stored decision record, checked before it is read.

A record (``Report.to_dict()``, see ``docs/json-output.md``) is untrusted
input: ``breachrules replay`` reads records that anyone may have written.
``Report.from_dict`` takes every field on trust, so a label that is a list,
a fact that is ``1e300`` or a list nested a thousand deep would get through
it and fail later, as a plain Python exception, in replaying or rendering.
:func:`problems` walks the document against a declarative spec of every
field that reading, replaying and rendering a record use (of every version
``from_dict`` reads: a field a version did not have may be missing; a field
that is there must have its type) and gives every problem at once, each
with its ``$.path`` and a message in the reader's language.

The walk goes as deep as the spec and no deeper, whatever the document
holds, and everything it meets is bounded: a text by ``MAX_TEXT``
characters, a list or an object by ``MAX_ENTRIES`` entries, a number by
its magnitude, an instant by the calendar's years (with a day to spare, so
that it can be written in any time zone).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from breachrules import arithmetic, assessment, report
from breachrules.i18n import DEFAULT_LOCALE, Messages, Term, frozen_values
from breachrules.instants import parse_instant
from breachrules.limits import DEFAULT, MAX_MAGNITUDE

MAX_TEXT = 100_000  # characters of one text: a description of a breach runs to a few pages
MAX_ENTRIES = DEFAULT.max_statements  # of a list or an object: a ruleset within the default limits writes no more
MAX_NAME = 200  # characters of a ruleset's name: its file's name, with ".rules", fits in a file system's 255 bytes
EARLIEST, LATEST = datetime(2, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)  # instants, in UTC
_RULESET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")  # as the grammar's RULESET_NAME
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_K = "argument.record_shape."

Check = Callable[[Any, str, list["ShapeProblem"]], None]


@attrs.frozen
class ShapeProblem:
    """One part of a document that is not as a record has it: where
    (``$.assessment.trace[1].label``), and the message id and values saying what."""

    path: str
    key: str
    values: tuple[tuple[str, object], ...] = ()

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return f"{self.path}: {self.text(locale)}"

    def text(self, locale: str = DEFAULT_LOCALE) -> str:
        """The problem in words, without its path."""
        return Messages(locale)(self.key, **dict(self.values))


def problems(data: Any) -> tuple[ShapeProblem, ...]:
    """Every problem of the shape of ``data`` as a decision record, in document order; none for a record."""
    out: list[ShapeProblem] = []
    _RECORD(data, "$", out)
    return tuple(out)


# ------------------------------------------------------------------ the parts a spec is made of


def _problem(out: list[ShapeProblem], path: str, key: str, **values: object) -> None:
    out.append(ShapeProblem(path, _K + key, frozen_values(values)))


def _found(value: Any) -> Term:
    """What a value is, in words, as a JSON user would call it, cut short."""
    if value is None or isinstance(value, bool):
        return Term.of("found.null" if value is None else "found.true" if value else "found.false")
    if isinstance(value, int) and abs(value) >= 10**40:  # (Python writes no integer of over 4,300 digits)
        return Term.of("found.number", value=f"{'-' if value < 0 else ''}10^{int(value.bit_length() * 0.30103)}")
    if isinstance(value, int | float):
        return Term.of("found.number", value=repr(value))
    if isinstance(value, str):
        return Term.of("found.text", value=value if len(value) <= 80 else value[:80] + "…")
    if isinstance(value, Mapping | list | tuple):
        return Term.of("found.object" if isinstance(value, Mapping) else "found.list")
    return Term.of("found.other", type=type(value).__name__)


def _kind(name: str, **values: object) -> Term:
    return Term.of(_K + "kind." + name, **values)


def _member(path: str, name: object) -> str:
    """The path of an object's member: ``$.facts.role``, ``$.facts["a b"]``."""
    if isinstance(name, str) and _PLAIN_KEY.fullmatch(name):
        return f"{path}.{name}"
    shown = name if isinstance(name, str) else "?"
    return f"{path}[{json.dumps(shown if len(shown) <= 80 else shown[:80] + '…', ensure_ascii=False)}]"


def _is(expected: Term, accepts: Callable[[Any], bool], nullable: bool = False) -> Check:
    """A value that ``accepts`` takes (or null, when ``nullable``); a text no longer than ``MAX_TEXT``."""
    if nullable:
        expected = Term.any_of(expected, Term.of("found.null"))

    def check(value: Any, path: str, out: list[ShapeProblem]) -> None:
        if isinstance(value, str) and len(value) > MAX_TEXT:
            _problem(out, path, "too_long", length=len(value), limit=MAX_TEXT)
        elif not (accepts(value) or (nullable and value is None)):
            _problem(out, path, "expected", expected=expected, found=_found(value))

    return check


def _number(bound: int, value: Any) -> bool:
    return (type(value) is int or (type(value) is float and math.isfinite(value))) and abs(value) <= bound


def _instant(value: Any) -> bool:
    try:
        return bool(EARLIEST <= parse_instant(value) < LATEST)  # (naive: a TypeError)
    except (TypeError, ValueError, OverflowError):
        return False


def _uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _walks(value: Any, path: str, out: list[ShapeProblem], kind: str, nullable: bool) -> bool:
    """Whether ``value`` is an object (``kind``), or a list, of at most ``MAX_ENTRIES`` entries, to walk."""
    if isinstance(value, Mapping if kind == "object" else list | tuple):
        if len(value) <= MAX_ENTRIES:
            return True
        _problem(out, path, "too_many", count=len(value), limit=MAX_ENTRIES)
    elif not (nullable and value is None):
        expected = Term.any_of(_kind(kind), Term.of("found.null")) if nullable else _kind(kind)
        _problem(out, path, "expected", expected=expected, found=_found(value))
    return False


def _list(item: Check) -> Check:
    def check(value: Any, path: str, out: list[ShapeProblem]) -> None:
        if _walks(value, path, out, "list", False):
            for i, entry in enumerate(value):
                item(entry, f"{path}[{i}]", out)

    return check


def _map(item: Check, needs: tuple[str, ...] = (), nullable: bool = False) -> Check:
    """An object of any names (texts), each to a value ``item`` takes, with those ``needs`` names among them."""

    def check(value: Any, path: str, out: list[ShapeProblem]) -> None:
        if _walks(value, path, out, "object", nullable):
            for name, entry in value.items():
                if isinstance(name, str) and len(name) <= MAX_TEXT:
                    item(entry, _member(path, name), out)
                else:  # (a name that is not a text comes from Python, never from JSON)
                    _TEXT(name, _member(path, name), out)
            for name in needs:
                if name not in value:
                    _problem(out, _member(path, name), "missing")

    return check


def _object(fields: Mapping[str, Check], optional: Mapping[str, Check] | None = None,
            then: Check | None = None, nullable: bool = False) -> Check:
    """An object with these fields (and perhaps the ``optional`` ones, and others, which are not read);
    ``then`` checks it further."""

    def check(value: Any, path: str, out: list[ShapeProblem]) -> None:
        if not _walks(value, path, out, "object", nullable):
            return
        for name, field in {**fields, **(optional or {})}.items():
            if name in value:
                field(value[name], _member(path, name), out)
            elif name in fields:
                _problem(out, _member(path, name), "missing")
        if then is not None:
            then(value, path, out)

    return check


def _fact_value(value: Any, path: str, out: list[ShapeProblem]) -> None:
    """A fact's value in JSON form: null, true, false, a number, a text, or a flat list of texts."""
    (_TEXTS if isinstance(value, list | tuple) else _FACT_SCALAR)(value, path, out)


def _risk_floors(value: Any, path: str, out: list[ShapeProblem]) -> None:
    """Each risk floor is a level of the risk scale, or "" (see Vocabulary.risk_is_a_reason)."""
    floors, levels = value.get("risk_floors"), value.get("risk_levels")
    if isinstance(floors, Mapping) and isinstance(levels, list | tuple) and levels and len(floors) <= MAX_ENTRIES:
        for name, floor in floors.items():
            if isinstance(floor, str) and floor and floor not in levels:
                _problem(out, _member(_member(path, "risk_floors"), name), "not_a_risk_level",
                         value=_found(floor), levels=_member(path, "risk_levels"))


def _deadlines(value: Any, path: str, out: list[ShapeProblem]) -> None:
    """Each deadline is of an obligation of the assessment (see record.py, which looks it up)."""
    deadlines, assessed = value.get("deadlines"), value.get("assessment")
    obligations = assessed.get("obligations") if isinstance(assessed, Mapping) else None
    if isinstance(deadlines, list | tuple) and isinstance(obligations, list | tuple) \
            and max(len(deadlines), len(obligations)) <= MAX_ENTRIES:
        ids = {ob.get("id") for ob in obligations if isinstance(ob, Mapping) and isinstance(ob.get("id"), str)}
        for i, deadline in enumerate(deadlines):
            name = deadline.get("obligation") if isinstance(deadline, Mapping) else None
            if isinstance(name, str) and name not in ids:
                _problem(out, f"{path}.deadlines[{i}].obligation", "not_an_obligation", value=_found(name),
                         obligations=f"{path}.assessment.obligations")


# ------------------------------------------------------------------ the record

_TEXT = _is(_kind("text"), lambda v: isinstance(v, str))
_TEXT_OR_NULL = _is(_kind("text"), lambda v: isinstance(v, str), nullable=True)
_BOOL = _is(_kind("bool"), lambda v: isinstance(v, bool))
_WHOLE = _is(_kind("whole_number", limit=MAX_MAGNITUDE), lambda v: type(v) is int and 0 <= v <= MAX_MAGNITUDE)
_INSTANT_OR_NULL = _is(_kind("instant"), _instant, nullable=True)
_TEXTS = _list(_TEXT)
_FACT_SCALAR = _is(_kind("fact_value", limit=MAX_MAGNITUDE),
                   lambda v: v is None or isinstance(v, bool | str) or _number(MAX_MAGNITUDE, v))
_FACTS = _map(_fact_value)
_RULESET_NAME_TEXT = _is(_kind("ruleset_name", limit=MAX_NAME),
                         lambda v: isinstance(v, str) and len(v) <= MAX_NAME and bool(_RULESET_NAME.fullmatch(v)))
_CITATION = _object({}, {**{name: _TEXT for name in ("reference", "kind", "name", "article", "paragraph", "point",
                                                     "recital", "annex", "page", "section", "case", "text")},
                         "examples": _TEXTS})
_CITES = _list(lambda value, path, out: (_TEXT if isinstance(value, str) else _CITATION)(value, path, out))
_ACTION = _object({"name": _TEXT, "plan": _TEXT, "phase": _TEXT, "message": _TEXT, "cites": _CITES, "certain": _BOOL})
_ASSESSMENT = _object({
    "schema": _is(Term.any_of(*assessment.READABLE), lambda v: v in assessment.READABLE),
    "ruleset": _RULESET_NAME_TEXT, "ruleset_version": _TEXT, "title": _TEXT,
    "levels": _map(_TEXT, needs=("risk",)), "certain_levels": _map(_TEXT, needs=("risk",)), "provisional": _BOOL,
    "obligations": _list(_object({
        "id": _TEXT, "required": _BOOL, "certain": _BOOL, "due": _INSTANT_OR_NULL, "without_undue_delay": _BOOL,
        "exempted_by": _TEXT_OR_NULL, "instead_of": _TEXT_OR_NULL, "message": _TEXT, "cites": _CITES})),
    "open_questions": _list(_object({"fact": _TEXT, "question": _TEXT})),
    "trace": _list(_object({
        "kind": _TEXT, "label": _TEXT, "certain": _BOOL, "overrides": _TEXT_OR_NULL,
        "effects": _list(_object({"outcome": _TEXT, "level": _TEXT})), "instead": _TEXT_OR_NULL, "message": _TEXT,
        "cites": _CITES,
        "span": _object({"file": _TEXT, **{name: _WHOLE for name in ("line", "column", "end_line", "end_column")}}),
    }, {"ruleset": _TEXT, "tests": _list(_object({"fact": _TEXT, "members": _TEXTS}))})),
    "conflicts": _list(_TEXTS),
    "facts": _FACTS,
}, {
    "risk": _TEXT,
    "values": _map(_is(_kind("number", limit=f"{arithmetic.LIMIT:.0e}"),
                       lambda v: _number(arithmetic.LIMIT, v), nullable=True)),
    "actions": _list(_ACTION),
    "vocabulary": _object({
        "facts": _list(_object({"name": _TEXT, "kind": _TEXT}, {"members": _TEXTS, "scale": _TEXT})),
        "notices": _list(_object({"name": _TEXT, "obligations": _TEXTS, "parts": _list(_object({
            "part": _TEXT, "sources": _list(_object({"kind": _TEXT, "name": _TEXT}))}))})),
        "digest": _TEXT,
    }, {"risk_bound": _TEXTS, "risk_levels": _TEXTS, "risk_floors": _map(_TEXT)}, then=_risk_floors),
    "catalog_domains": _list(_RULESET_NAME_TEXT),
})
_RECORD = _object({
    "schema": _is(Term.any_of(*report.READABLE), lambda v: v in report.READABLE),
    "generated_at": _is(_kind("instant"), _instant),
    "assessment": _ASSESSMENT,
    "deadlines": _list(_object({
        "obligation": _TEXT, "due": _INSTANT_OR_NULL, "without_undue_delay": _BOOL, "done_at": _INSTANT_OR_NULL,
        "state": _TEXT, "reason_fact": _TEXT_OR_NULL, "reason_given": _BOOL,
        "remaining_seconds": _is(_kind("number", limit=MAX_MAGNITUDE), lambda v: _number(MAX_MAGNITUDE, v),
                                 nullable=True),
    }, {"late": _BOOL, "reason_required": _BOOL})),
    "checklists": _list(_object({
        "name": _TEXT, "obligation": _TEXT, "required": _BOOL, "message": _TEXT, "phased": _BOOL,
        "items": _list(_object({"name": _TEXT, "message": _TEXT, "facts": _TEXTS, "missing": _TEXTS,
                                "cites": _CITES}, {"present": _BOOL})),
    }, {"complete": _BOOL})),
    "plans": _list(_object({"name": _TEXT, "phases": _TEXTS})),
}, {
    "decision_id": _is(_kind("uuid"), _uuid, nullable=True),
    "library_version": _TEXT_OR_NULL,
    "ruleset": _object({}, {"name": _TEXT, "version": _TEXT, "digest": _TEXT_OR_NULL}, nullable=True),
    "facts_given": _map(_fact_value, nullable=True),
    "phased": _BOOL,
    "actions": _list(_ACTION),  # (version 2 and 1: beside the assessment)
}, then=_deadlines)


__all__ = ["EARLIEST", "LATEST", "MAX_ENTRIES", "MAX_NAME", "MAX_TEXT", "ShapeProblem", "problems"]
