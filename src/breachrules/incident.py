"""Checking an incident against a ruleset's fact declarations.

An incident is a mapping (from JSON, TOML or Python). Validation reports
every problem at once, each with a path into the data
(``$.data_categories[2]``), and coerces nothing: a string is not a number,
``1`` is not ``true``, a date and time without a time zone is refused. A fact
that is absent is *unknown* unless the ruleset gives a default; ``null`` is an
explicit "don't know" and is unknown even where a default exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import attrs

from breachrules.durations import format_iso_duration, parse_iso_duration
from breachrules.errors import ArgumentError, BreachrulesError
from breachrules.i18n import DEFAULT_LOCALE, Messages, Term, frozen_values, with_suggestion
from breachrules.instants import parse_instant
from breachrules.limits import MAX_MAGNITUDE
from breachrules.types import Type

if TYPE_CHECKING:
    from breachrules.program import FactDef, Program


@attrs.frozen
class Problem:
    """One thing wrong with an incident, at ``path``."""

    path: str
    key: str  # message id, "incident.<key>"
    values: tuple[tuple[str, object], ...] = ()

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return f"{self.path}: {with_suggestion(Messages(locale), f'incident.{self.key}', self.values)}"

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        """The problem in words, as every library error says itself: ``render``."""
        return self.message(locale)


class IncidentError(BreachrulesError):
    """The incident does not fit the ruleset; ``problems`` lists every problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.render())

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.problems,)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        return "\n".join(p.message(locale) for p in self.problems)


class Facts(Mapping[str, Any]):
    """A validated incident: the known facts (defaults filled in) as values
    of their declared types. ``complete`` is true when every fact the
    ruleset reads is known, which lets the generated fast path run."""

    __slots__ = ("known", "complete")

    def __init__(self, known: dict[str, Any], complete: bool) -> None:
        self.known = known
        self.complete = complete

    def __getitem__(self, key: str) -> Any:
        return self.known[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)

    def __repr__(self) -> str:
        return f"Facts({self.known!r}, complete={self.complete})"


def validate(program: Program, data: Any, read: frozenset[str]) -> Facts:
    """Validate ``data``; ``read`` are the facts the ruleset's rules read."""
    if not isinstance(data, Mapping):
        raise IncidentError([_problem("$", "not_a_mapping", found=_kind(data))])
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name in data:
        if isinstance(name, str) and name in program.replaced:
            replaced = program.replaced[name]
            problems.append(_problem(
                f"$.{name}", "replaced_fact", name=name, ruleset=replaced.ruleset,
                version=replaced.version, replacement=replaced.fact,
            ))
        elif not isinstance(name, str) or name not in program.facts:
            from breachrules.diagnostics import did_you_mean  # problems only: not on the way of a valid incident

            problems.append(_problem(
                f"$.{name}", "unknown_fact", name=name, ruleset=program.name,
                suggestion=did_you_mean(str(name), program.facts) or "",
            ))
    for name, fact in program.facts.items():
        raw = data.get(name)
        if raw is None:
            # absent: the default, if any; null: "don't know", whatever the default
            if fact.has_default and name not in data:
                values[name] = fact.default
            continue
        value = _convert(fact, raw, f"$.{name}", problems)
        if value is not None:
            values[name] = value
    problems.extend(out_of_order(program, values))
    if problems:
        raise IncidentError(problems)
    return Facts(values, complete=read <= values.keys())


def _problem(path: str, key: str, /, **values: object) -> Problem:
    return Problem(path, key, frozen_values(values))


def _kind(value: Any) -> Term:
    """What a value is, in words, as a JSON user would call it."""
    if value is None:
        return Term.of("found.null")
    if isinstance(value, bool):
        return Term.of("found.true" if value else "found.false")
    if isinstance(value, (int, float)):
        return Term.of("found.number", value=_short(value))
    if isinstance(value, str):
        return Term.of("found.text", value=value)
    if isinstance(value, Mapping):
        return Term.of("found.object")
    if isinstance(value, (list, tuple, set, frozenset)):
        return Term.of("found.list")
    return Term.of("found.other", type=type(value).__name__)


def _convert(fact: FactDef, raw: Any, path: str, problems: list[Problem]) -> Any:
    type_ = fact.type
    kind = type_.kind
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        return _wrong(path, "expected_bool", raw, problems)
    if kind == "number":
        return _number(type_, raw, path, problems)
    if kind in ("enum", "level"):
        return _member(type_, raw, path, problems)
    if kind == "set":
        if not isinstance(raw, (list, tuple, set, frozenset)):
            from breachrules.diagnostics import quoted_list

            return _wrong(path, "expected_set", raw, problems, allowed=quoted_list(type_.members))
        members = [_member(type_.element, item, f"{path}[{i}]", problems) for i, item in enumerate(raw)]
        return None if any(m is None for m in members) else frozenset(members)
    if kind == "duration":
        if isinstance(raw, timedelta):
            value: timedelta | None = raw
        elif isinstance(raw, str):
            value = parse_iso_duration(raw)
        else:
            return _wrong(path, "expected_duration", raw, problems)
        if value is None:
            return _wrong(path, "expected_duration", raw, problems)
        if value < timedelta(0):
            problems.append(_problem(path, "negative_duration", value=raw))
            return None
        return value
    if kind == "datetime":
        return _datetime(raw, path, problems)
    if isinstance(raw, str):
        return raw
    return _wrong(path, "expected_text", raw, problems)


def _wrong(path: str, key: str, raw: Any, problems: list[Problem], **extra: object) -> Any:
    """Record a value of the wrong kind; returns None, the value of a fact not taken."""
    problems.append(_problem(path, key, found=_kind(raw), **extra))
    return None


def _number(type_: Type, raw: Any, path: str, problems: list[Problem]) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return _wrong(path, "expected_whole_number" if type_.integral else "expected_number", raw, problems)
    if type_.integral and not isinstance(raw, int):
        return _wrong(path, "expected_whole_number", raw, problems)
    if raw != raw or raw in (float("inf"), float("-inf")):
        return _wrong(path, "expected_number", raw, problems)
    if not -MAX_MAGNITUDE <= raw <= MAX_MAGNITUDE:  # no count of people or records is this large
        problems.append(_problem(path, "number_too_large", value=_short(raw)))
        return None
    low, high = type_.low, type_.high
    if (low is not None and raw < low) or (high is not None and raw > high):
        problems.append(_problem(
            path, "out_of_range", value=raw,
            low="" if low is None else low, high="" if high is None else high,
        ))
        return None
    return raw


def _member(type_: Type, raw: Any, path: str, problems: list[Problem]) -> Any:
    if not isinstance(raw, str):
        from breachrules.diagnostics import quoted_list

        return _wrong(path, "expected_member", raw, problems, allowed=quoted_list(type_.members))
    if raw not in type_.members:
        from breachrules.diagnostics import did_you_mean, quoted_list

        problems.append(_problem(
            path, "not_one_of", value=raw, allowed=quoted_list(type_.members),
            suggestion=did_you_mean(raw, type_.members) or "",
        ))
        return None
    return type_.members.index(raw) if type_.kind == "level" else raw


def _datetime(raw: Any, path: str, problems: list[Problem]) -> datetime | None:
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        problems.append(_problem(path, "date_without_time", value=raw.isoformat()))
        return None
    elif isinstance(raw, str):
        try:
            value = parse_instant(raw)
        except ValueError:
            _wrong(path, "expected_datetime", raw, problems)
            return None
    else:
        _wrong(path, "expected_datetime", raw, problems)
        return None
    try:
        offset = value.utcoffset()
    except (ValueError, TypeError, OverflowError):  # a tzinfo of the caller's that gives no offset Python takes
        offset = None
    if value.tzinfo is None or offset is None:
        shown = str(raw) if isinstance(raw, str) else value.replace(tzinfo=None).isoformat()
        problems.append(_problem(path, "naive_datetime", value=shown))
        return None
    if not in_window(value):
        problems.append(_problem(path, "instant_out_of_range", value=str(raw)))
        return None
    return fixed_offset(value)


# The instants an incident can speak of. Far enough from the ends of the
# calendar that a deadline computed from one, and shown in any time zone,
# is still a date Python can write.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def moment(now: object) -> datetime:
    """``now`` of a report: an aware instant within the window of incidents."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        found = _kind(now) if not isinstance(now, date) else Term.of(
            "found.naive" if isinstance(now, datetime) else "found.date", value=now.isoformat())
        raise ArgumentError("argument.now", found=found)
    if not in_window(now):
        raise ArgumentError("argument.now_out_of_range", value=now.isoformat())
    return fixed_offset(now)


def in_window(value: datetime) -> bool:
    """Whether an aware instant lies in [EARLIEST, LATEST)."""
    try:
        return EARLIEST <= value < LATEST
    except OverflowError:  # an offset that pushes it past the calendar
        return False


def _short(value: object) -> str:
    """A value as a message shows it: a huge number by its size (Python will
    not even write an integer of more than 4,300 digits as text)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        size = abs(value)
        power = (size.bit_length() - 1) * 30103 // 100000  # log10, from below
        while 10 ** (power + 1) <= size:
            power += 1
        return f"{'-' if value < 0 else ''}10^{power}"
    return str(value)


def out_of_order(program: Program, known: Mapping[str, Any]) -> list[Problem]:
    """Instants in an impossible order: a duty done before the instant its
    deadline is counted from (notified before becoming aware)."""
    problems = []
    for earlier, later in program.precedes:
        if earlier in known and later in known and known[later] < known[earlier]:
            problems.append(_problem(
                f"$.{later}", "earlier_than", value=known[later].isoformat(), other=f"$.{earlier}",
                other_value=known[earlier].isoformat(),
            ))
    return problems


def after(known: Mapping[str, Any], program: Program, now: datetime) -> list[Problem]:
    """Instants later than ``now``: a datetime fact records when something
    happened, so it cannot lie in the future of the report."""
    return [
        _problem(f"$.{name}", "after_now", value=known[name].isoformat(), now=now.isoformat())
        for name, fact in program.facts.items()
        if fact.type.kind == "datetime" and name in known and known[name] > now
    ]


def fixed_offset(value: datetime) -> datetime:
    """The same instant with a fixed UTC offset.

    Python adds a timedelta to a ``ZoneInfo`` datetime on the wall clock:
    10:00 Helsinki on 27 March plus 72 h gives 10:00 on 30 March, one hour
    short across the change to summer time. Deadlines are exact instants, so
    instants are kept with the fixed offset they had when given.
    """
    offset = value.utcoffset()
    if value.tzinfo.__class__ is timezone:
        return value
    return value.astimezone(timezone(offset))  # type: ignore[arg-type]


# ------------------------------------------------------------------ the way back: values in JSON


def json_converter(fact: FactDef) -> Callable[[Any], Any]:
    """How a validated value of ``fact`` is written in an incident's JSON
    form: a set as the list of its members (sorted, a set having no order),
    a level by its name, instants and durations in ISO 8601, the rest as it
    is (:func:`as_is`, which a caller may test for)."""
    return converter(fact.type.kind, fact.type.members)


def converter(kind: str, members: tuple[str, ...]) -> Callable[[Any], Any]:
    """:func:`json_converter` of a fact of ``kind`` (and ``members``, its
    members or its scale's levels)."""
    if kind == "set":
        return _members
    if kind == "level":
        return members.__getitem__
    if kind == "datetime":
        return datetime.isoformat
    if kind == "duration":
        return format_iso_duration
    return as_is


def json_value(fact: FactDef, value: Any) -> Any:
    """A validated value of ``fact`` in an incident's JSON form (see :func:`json_converter`)."""
    return json_converter(fact)(value)


def as_is(value: Any) -> Any:
    return value


def json_key(facts: Mapping[str, Any]) -> tuple[tuple[str, Any, Any], ...] | None:
    """Facts in their JSON form as a key: what a text made from them is
    remembered by (a list is a tuple; types keep ``true`` and ``1`` apart,
    in a list too). None when they hold more text than is worth keeping
    (:data:`LONGEST_KEPT` characters): made afresh, such a text is not kept."""
    key, size = [], 0
    for name, value in facts.items():
        if isinstance(value, list):
            value = tuple((type(member), member) for member in value)
            size += sum(len(member) for _, member in value if isinstance(member, str))
        elif isinstance(value, str):
            size += len(value)
        key.append((name, type(value), value))
    return tuple(key) if size <= LONGEST_KEPT else None


LONGEST_KEPT = 4_000


def _members(value: Any) -> list[str]:
    return sorted(set(value))  # (each member once, whether kept as a list, tuple, set or frozenset)
