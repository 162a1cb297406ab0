"""A JSON Schema (draft 2020-12) of a ruleset's incident, for intake forms.

:meth:`Ruleset.schema <breachrules.ruleset.Ruleset.schema>` and
``breachrules schema RULESET`` give it, in the reader's language; it is
built from the ruleset's questions (:mod:`breachrules.intake`), so that a
form built from the schema and one built from the questions ask the same.
docs/schema.md shows it at work.

The document::

    {"$schema": "https://json-schema.org/draft/2020-12/schema",
     "$id": "urn:breachrules:gdpr:2027.1",
     "title": <the ruleset's title>, "description": <what an incident is>,
     "type": "object", "additionalProperties": false,
     "properties": {<fact>: {"title": <label>, "description": <question>,
                             "type": [..., "null"], ...}, ...},
     "x-breachrules-complete": [<the facts a complete assessment needs>],
     "x-breachrules-precedes": [[<earlier instant>, <later instant>], ...]}

Each fact is one property, in the order the ruleset declares them, with its
label as ``title``, its question as ``description`` (left out when no
catalog has one), its ``default`` when it has one, and ``null`` among its
types: "don't know", which any fact may be. A choice (``enum``, a level of
a scale, and ``true``/``false``) lists its answers as ``oneOf`` of
``{"const": <value>, "title": <label>}``, ``null`` ("Don't know") among
them, where form builders read the labels of values; a ``set of`` fact is an
array whose ``items`` are such a choice. A number has its ``minimum`` and
``maximum`` (within ±10^15, as validation takes it), an instant ``format:
date-time`` and a ``pattern``, a duration a ``pattern``.

What a complete assessment needs. JSON Schema's ``required`` would refuse
a partial incident, which the library accepts and assesses (provisionally),
so the schema of an incident says what a complete assessment needs in an
annotation, ``x-breachrules-complete``: the facts the rules read that have
no default (:attr:`Question.needed <breachrules.intake.Question.needed>`).
With each of them known, and no fact the rules read given as ``null``, the
assessment is never provisional. ``schema(locale, complete=True)`` (and
``breachrules schema --complete``) is the schema of such a *complete*
incident, for a form that must not be sent before it is: the same facts
are ``required``, and a fact the rules read does not take ``null``; an
incident is valid against it exactly when the library accepts it and
:attr:`Facts.complete <breachrules.incident.Facts.complete>` is true.

What the schema accepts is what :meth:`Ruleset.validate` accepts, checked
by tests/test_schema.py over generated incidents, with these differences,
which JSON Schema cannot express or which are kept out on purpose:

- JSON does not tell ``1.0`` from ``1``, so a whole-number fact's
  ``integer`` takes ``1.0``, which the library, reading Python's ``float``,
  refuses. ``NaN``, which is not JSON but which Python's ``json`` reads,
  passes a number's ``minimum`` and ``maximum``.
- Two instants in an impossible order (the authority notified before the
  controller became aware) are one error of the library's that compares
  two facts; the schema names such pairs in ``x-breachrules-precedes``,
  ``[earlier, later]``, for a form to check.
- An instant is accepted in the extended ISO 8601 form that
  ``datetime.isoformat`` and RFC 3339 write (``2026-11-20T09:30:00+02:00``,
  ``...T09:30Z``; a space or ``t`` for the ``T``; minutes or seconds with
  up to six decimals; an offset of up to ±23:59:59.999999), dated from
  1 January 1900 to 31 December 2999 as written, and within the library's
  window (1900 to 2999 in UTC): on its first day only at or west of UTC,
  on its last only at or east of it. The library also takes an instant
  that the window holds in UTC but that is written with an offset of the
  other side on those days, or dated the day before or after them
  (``1899-12-31T23:00:00-02:00``), and other forms Python reads
  (``20261120T0930+0200``, week dates, an hour without minutes), which the
  schema does not.
- A duration's numbers have at most eight digits before a decimal point
  (``PT99999999H`` is over eleven thousand years), so that no duration the
  schema accepts is too long for the library; the library takes longer
  ones, up to 999,999,999 days.

``uniqueItems`` is not set: the library takes a member given twice in a
``set of`` fact. A form builder that shows a set as checkboxes may add
``"uniqueItems": true``, which refuses only what no form sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from breachrules.i18n import Messages
from breachrules.intake import Member, Question
from breachrules.program import Program

DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMPLETE = "x-breachrules-complete"  # the facts a complete assessment needs
PRECEDES = "x-breachrules-precedes"  # [earlier, later] instants that cannot come in the other order

# The end of the text: JSON Schema reads a pattern as ECMA-262 does, where
# ``$`` is the end; Python's ``re.search`` (which jsonschema uses) also
# matches ``$`` before a last line break, which the library refuses.
_END = r"$(?!\n)"

# An instant: a calendar date from 1900 to 2999 (29 February in leap years
# only), a time, a UTC offset; on the first and the last day of that window
# only the offsets that keep the instant in it (see the module's docstring).
_YEAR = r"(?:19[0-9]{2}|2[0-9]{3})"
_LEAP = r"(?:(?:19|2[0-9])(?:0[48]|[2468][048]|[13579][26])|2[048]00)"
_DATE = (rf"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
         rf"|02-(?:0[1-9]|1[0-9]|2[0-8]))|{_LEAP}-02-29)")
_TIME = r"[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,6})?)?"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_ZERO = r"00:00(?::00(?:\.0{1,6})?)?"
INSTANT = (rf"^(?:(?!1900-01-01|2999-12-31){_DATE}{_TIME}(?:Z|[+-]{_CLOCK})"
           rf"|1900-01-01{_TIME}(?:Z|-{_CLOCK}|\+{_ZERO})"
           rf"|2999-12-31{_TIME}(?:Z|\+{_CLOCK}|-{_ZERO})){_END}")

# A duration: weeks, days, hours, minutes, seconds (durations.py), each
# number of at most eight digits before its decimal point.
_AMOUNT = r"0*[0-9]{1,8}(?:\.[0-9]+)?"
DURATION = (rf"^P(?!$)(?:{_AMOUNT}W)?(?:{_AMOUNT}D)?"
            rf"(?:T(?=[0-9])(?:{_AMOUNT}H)?(?:{_AMOUNT}M)?(?:{_AMOUNT}S)?)?{_END}")


def identifier(name: str, version: str, complete: bool = False) -> str:
    """The schema's ``$id``: a URN naming the ruleset and its version, never
    a network address (``urn:breachrules:gdpr:2027.1``;
    ``...:2027.1:complete`` for the schema of a complete incident)."""
    parts = [quote(name, safe=""), quote(version, safe="")] + (["complete"] if complete else [])
    return "urn:breachrules:" + ":".join(parts)


def build(program: Program, questions: Iterable[Question], messages: Messages, *,
          complete: bool = False) -> dict[str, Any]:
    """The JSON Schema of ``program``'s incident from its ``questions``, in
    ``messages``' language; with ``complete``, of a complete incident."""
    _ = messages
    asked = tuple(questions)
    needed = [q.fact for q in asked if q.needed]
    title = _.label(program.title, program.name) if program.title else program.name
    words = "schema.description.complete" if complete else "schema.description"
    document: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": identifier(program.name, program.version, complete),
        "title": title,
        "description": _(words, ruleset=program.name, version=program.version),
        "type": "object",
        "additionalProperties": False,
        "properties": {q.fact: fact_schema(q, _, nullable=not (complete and q.decides)) for q in asked},
    }
    if complete:
        document["required"] = needed
    document[COMPLETE] = needed
    if program.precedes:
        document[PRECEDES] = [[earlier, later] for earlier, later in program.precedes]
    return document


def fact_schema(q: Question, _: Messages, *, nullable: bool = True) -> dict[str, Any]:
    """The schema of one fact's value; ``nullable``: ``null``, "don't know", is one."""
    data: dict[str, Any] = {"title": q.label}
    if q.question:
        data["description"] = q.question
    unknown = [{"const": None, "title": _("schema.unknown")}] if nullable else []

    def typed(name: str) -> str | list[str]:
        return [name, "null"] if nullable else name

    if q.kind == "bool":
        data["type"] = typed("boolean")
        data.update(_one_of([{"const": True, "title": _("schema.true")},
                             {"const": False, "title": _("schema.false")}, *unknown]))
    elif q.kind == "number":
        data["type"] = typed("integer" if q.integral else "number")
        data["minimum"], data["maximum"] = q.minimum, q.maximum
    elif q.kind in ("enum", "level"):
        data["type"] = typed("string")
        data.update(_one_of([*_choices(q.members), *unknown]))
    elif q.kind == "set":
        data["type"] = typed("array")
        data["items"] = {"type": "string", **_one_of(_choices(q.members))} if q.members else False
    elif q.kind == "duration":
        data["type"] = typed("string")
        data["pattern"] = DURATION
    elif q.kind == "datetime":
        data["type"] = typed("string")
        data["format"] = "date-time"
        data["pattern"] = INSTANT
    else:
        data["type"] = typed("string")
    if q.has_default:
        data["default"] = q.default
    return data


def _choices(members: Iterable[Member]) -> list[dict[str, Any]]:
    return [{"const": m.name, "title": m.label} for m in members]


def _one_of(options: list[dict[str, Any]]) -> dict[str, Any]:
    """``oneOf`` the options; none at all (a choice without members, and
    not ``null``): nothing is valid."""
    return {"oneOf": options} if options else {"not": {}}


__all__ = ["COMPLETE", "DIALECT", "DURATION", "INSTANT", "PRECEDES", "build", "fact_schema", "identifier"]
