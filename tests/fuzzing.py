"""Untrusted inputs and the one promise checked on each of them.

Rulesets and incidents are untrusted data: whatever a stranger uploads, only
the library's own errors (subclasses of :class:`breachrules.BreachrulesError`)
may escape from loading, assessing, reporting and rendering, and each of
them says where the problem is: a ``RulesetError`` by the span (file, line,
column) of every diagnostic, an ``IncidentError`` by the ``$.path`` of every
problem. Anything else (an ``OverflowError`` from a date, a ``KeyError`` from
a catalog) is a crash an application cannot tell from a bug of its own.

This module holds what ``tests/test_fuzz.py`` (a short run on every test
run) and ``fuzz/fuzz.py`` (a long run with a time budget) share, so that both
exercise exactly the same inputs and the same checks:

- strategies for each kind of input;
- one *fuzz kind* per input kind, a function ``(draw, call) -> None`` that
  draws its inputs with ``draw`` and runs every library call through
  ``call``. The tests pass :func:`assert_library_error` (fail at the first
  escape, and let Hypothesis shrink); the script passes a :class:`Recorder`
  (note every escape and go on).

It imports nothing from ``fuzz/``, so the tests run without that directory.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import breachrules
from breachrules import record
from breachrules.errors import BreachrulesError
from breachrules.testing import values

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("fi", "sv", "en")
# Zones a reader may ask for: the default, UTC, and the two farthest from it.
TIMEZONES = ("Europe/Helsinki", "UTC", "Pacific/Kiritimati", "America/Adak")
BUNDLED = ("gdpr", "fi-health", "enisa")
CATALOGS = ROOT / "rulesets" / "locale"

T = TypeVar("T")


# ====================================================================== escapes


@dataclass(frozen=True)
class Escape:
    """One broken promise: a non-library exception, or a library error that
    does not say where the problem is.

    ``where`` is the innermost frame inside the library, which together with
    the type tells one bug from another (the same overflow reached from four
    renderers is one bug).
    """

    what: str
    type_name: str
    message: str
    where: str
    traceback: str = field(compare=False)
    error: BaseException | None = field(default=None, compare=False, repr=False)

    @property
    def signature(self) -> tuple[str, str]:
        return (self.type_name, self.where)

    def describe(self) -> str:
        return f"{self.what}: {self.type_name}: {self.message}\n  at {self.where}\n{self.traceback}"


def _innermost_library_frame(error: BaseException) -> str:
    """file:line in function, of the deepest frame in src/breachrules (or
    the deepest frame at all, for an error raised outside the library)."""
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if f"{os.sep}breachrules{os.sep}" in f.filename]
    frame = (inside or frames or [None])[-1]
    if frame is None:
        return "?"
    return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"


def escape_from(error: BaseException, what: str) -> Escape:
    lines = traceback.format_exception(error)
    return Escape(what, type(error).__name__, _shorten(str(error)), _innermost_library_frame(error),
                  "".join(lines[-8:]), error)


def _unpositioned(error: BreachrulesError, what: str, where: str, why: str) -> Escape:
    return Escape(what, f"unpositioned {type(error).__name__}", why, where,
                  "".join(traceback.format_exception(error)[-6:]), error)


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def _caller_errors() -> tuple[type[BreachrulesError], ...]:
    from breachrules.errors import ArgumentError
    from breachrules.i18n import UnsupportedLocale
    from breachrules.limits import LimitError

    return (ArgumentError, LimitError, UnsupportedLocale)


CALLER_ERRORS = _caller_errors()


def position_problem(error: BreachrulesError, what: str) -> Escape | None:
    """Why a library error breaks the promise, if it does: no position or
    path, or it cannot be rendered in one of the locales."""
    from breachrules.diagnostics import RulesetError
    from breachrules.errors import EvaluationError
    from breachrules.incident import IncidentError

    if isinstance(error, RulesetError):
        found = _ruleset_error_problem(error, what)
    elif isinstance(error, IncidentError):
        found = _incident_error_problem(error, what)
    elif isinstance(error, EvaluationError):
        found = None if _positioned(error.span) else _unpositioned(
            error, what, f"EvaluationError {error.reason}", f"span {error.span!r}")
    elif isinstance(error, CALLER_ERRORS):
        found = None  # about the caller's own argument (now, a locale, a limit): nothing to point into
    else:
        found = _unpositioned(error, what, type(error).__name__, "a library error with neither span nor $.path")
    return found or _render_problem(error, what)


def _positioned(span: Any) -> bool:
    line, column = getattr(span, "line", None), getattr(span, "column", None)
    return (isinstance(line, int) and isinstance(column, int) and line >= 1 and column >= 1
            and isinstance(getattr(span, "file", None), str))


def _ruleset_error_problem(error: Any, what: str) -> Escape | None:
    if not error.diagnostics:
        return _unpositioned(error, what, "no diagnostics", "a RulesetError without diagnostics")
    for d in error.diagnostics:
        if not _positioned(d.span):
            return _unpositioned(error, what, str(d.code), f"diagnostic {d.code} at {d.span!r}")
    return None


def _incident_error_problem(error: Any, what: str) -> Escape | None:
    if not error.problems:
        return _unpositioned(error, what, "no problems", "an IncidentError without problems")
    for p in error.problems:
        if not (isinstance(p.path, str) and p.path.startswith("$")):
            return _unpositioned(error, what, str(p.key), f"problem {p.key} at path {p.path!r}")
    return None


def _render_problem(error: BreachrulesError, what: str) -> Escape | None:
    """A library error is shown to people: it must render in every locale."""
    for locale in LOCALES:
        render = getattr(error, "render", None) or getattr(error, "message", None)
        try:
            str(error)
            if render is not None:
                render(locale)
        except Exception as inner:  # noqa: BLE001 - any exception here is the finding
            return escape_from(inner, f"{what} -> {type(error).__name__}.render({locale!r})")
    return None


def library_call(fn: Callable[[], T], what: str) -> tuple[T | None, Escape | None]:
    """Run ``fn``: its result, or the escape it broke the promise with.
    A well-behaved library error gives (None, None)."""
    try:
        return fn(), None
    except BreachrulesError as error:
        return None, position_problem(error, what)
    except Exception as error:  # noqa: BLE001 - any exception here is the finding
        return None, escape_from(error, what)


class Call(Protocol):
    def __call__(self, fn: Callable[[], T], what: str) -> T | None: ...


class Draw(Protocol):
    def __call__(self, strategy: st.SearchStrategy[T], label: str) -> T: ...


class LibraryPromiseBroken(AssertionError):
    """A test failure carrying the escape, so Hypothesis shrinks on it."""


def assert_library_error(fn: Callable[[], T], what: str = "call") -> T | None:
    """Run ``fn``; fail on any exception that is not a BreachrulesError, and
    on a BreachrulesError without position or path. Returns fn's result, or
    None when fn raised a well-behaved library error."""
    result, escape = library_call(fn, what)
    if escape is not None:
        raise LibraryPromiseBroken(escape.describe()) from escape.error
    return result


class Recorder:
    """A :class:`Call` that notes every escape and carries on, for the
    long fuzz run that must never stop at its first finding."""

    def __init__(self) -> None:
        self.escapes: list[Escape] = []

    def __call__(self, fn: Callable[[], T], what: str) -> T | None:
        result, escape = library_call(fn, what)
        if escape is not None:
            self.escapes.append(escape)
        return result


# ====================================================================== source material


@functools.cache
def bundled_text(name: str) -> str:
    return (ROOT / "rulesets" / f"{name}.rules").read_text(encoding="utf-8")


@functools.cache
def bundled_ruleset(name: str) -> Any:
    """Compiled once: bundled() reads and parses the file on every call."""
    return breachrules.bundled(name)


@functools.cache
def example_incidents() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.json")))


RESERVED = frozenset({
    "ruleset", "scale", "fact", "define", "score", "points", "rule", "exception", "exemption", "combine",
    "obligation", "checklist", "item", "for", "plan", "action", "invariant", "when", "always", "then",
    "because", "says", "cite", "instead", "due", "done", "late", "requires", "and", "or", "not", "in",
    "intersects", "subset", "is", "true", "false",
})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBERISH = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?(?:min|h|d|w)?(?![A-Za-z0-9_])")


@functools.cache
def bundled_words() -> tuple[str, ...]:
    """Every name the bundled rulesets use: names that resolve."""
    words = {w for name in BUNDLED for w in _WORD.findall(bundled_text(name))}
    return tuple(sorted(words - RESERVED))


# ====================================================================== scalar strategies

HUGE_INTS = (2**31, 2**63, -(2**63) - 1, 10**15, 10**15 + 1, 10**18, 10**100, -(10**400))
EDGE_FLOATS = (float("nan"), float("inf"), float("-inf"), -0.0, 1e308, -1e308, 5e-324, 1e15 + 0.5, 0.1)


def integers() -> st.SearchStrategy[int]:
    # past sys.get_int_max_str_digits(): built by a map, so that no strategy's repr holds one
    beyond_str = st.sampled_from([4300, 5000]).map(lambda digits: 10**digits)
    return st.one_of(st.integers(-1000, 1000), st.integers(), st.sampled_from(HUGE_INTS), beyond_str)


def floats() -> st.SearchStrategy[float]:
    return st.one_of(st.floats(), st.sampled_from(EDGE_FLOATS))


def all_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any str, lone surrogates and control characters included."""
    return st.text(st.characters(exclude_categories=()), max_size=max_size)


INSTANT_TEXTS = (
    "2026-11-20T09:30:00+02:00", "2026-11-20T09:30:00Z", "2026-11-20T09:30:00", "2026-11-20",
    "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00+00:00", "2026-03-29T03:30:00+02:00", "2026-13-01T00:00:00+00:00",
    "2026-11-20T09:30:00+24:00", "2026-11-20T24:00:00+00:00", "20261120T093000+0200", "2026-W47-5T09:30+02",
)
DURATION_TEXTS = (
    "PT30H", "P2DT4H", "P1W", "PT0S", "P", "PT", "P0D", "P999999999D", "P1000000000D", "P142857142W",
    "P142857143W", "PT99999999999999999999H", "PT0.0000001S", "P1Y", "P1M", "-PT1H", "P-1D", " pt1h ",
    "P1" + "0" * 400 + "D", "PT1.5H30M", "P1DT",
)


def instant_texts() -> st.SearchStrategy[str]:
    generated = st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)),
                                                        timezone(-timedelta(hours=23, minutes=59))]))
    return st.one_of(st.sampled_from(INSTANT_TEXTS), generated.map(datetime.isoformat))


def duration_texts() -> st.SearchStrategy[str]:
    pattern = r"P(\d{1,12}W)?(\d{1,12}D)?(T(\d{1,12}H)?(\d{1,12}M)?(\d{1,12}(\.\d{1,9})?S)?)?"
    return st.one_of(st.sampled_from(DURATION_TEXTS), st.from_regex(pattern, fullmatch=True))


EDGE_INSTANTS = (
    datetime.max.replace(tzinfo=UTC),
    datetime.min.replace(tzinfo=UTC),
    datetime.max.replace(tzinfo=timezone(-timedelta(hours=23, minutes=59))),
    datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59))),
    datetime(9999, 12, 29, tzinfo=UTC),
    datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Helsinki")),  # not on the wall clock
    datetime(2026, 10, 25, 3, 30, fold=1, tzinfo=ZoneInfo("Europe/Helsinki")),  # twice on it
)


def python_instants() -> st.SearchStrategy[datetime]:
    """Aware datetimes as an application passes them, the calendar's ends included."""
    zones = st.sampled_from([UTC, timezone(timedelta(hours=14)), ZoneInfo("Europe/Helsinki"),
                             ZoneInfo("America/Adak")])
    return st.one_of(st.sampled_from(EDGE_INSTANTS), st.datetimes(timezones=zones))


def recent_nows() -> st.SearchStrategy[datetime]:
    """The moment a report is made, as an application passes it: this century.
    The calendar's ends are a kind of their own (``fuzz_now``), so that they
    do not hide what the incident data find."""
    return st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1),
                        timezones=st.sampled_from([UTC, ZoneInfo("Europe/Helsinki")]))


def timedeltas() -> st.SearchStrategy[timedelta]:
    return st.one_of(st.sampled_from((timedelta.max, timedelta.min, timedelta(0), -timedelta(microseconds=1))),
                     st.timedeltas())


# ====================================================================== JSON-like values


def json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), integers(), floats(), all_text(),
                     instant_texts(), duration_texts())


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Anything json.loads can give (and nan, inf and huge ints besides)."""
    return st.recursive(
        json_scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=5),
                                st.dictionaries(all_text(max_size=12), inner, max_size=5)),
        max_leaves=max_leaves,
    )


def _edge_values(fact: Any) -> st.SearchStrategy[Any]:
    """Values of (nearly) the right kind for a fact, at and past its edges."""
    t = fact.type
    kind = t.kind
    if kind == "number":
        bounds = [b for b in (t.low, t.high) if b is not None]
        near = [v for b in bounds for v in (b - 1, b, b + 1, b + 0.5, float(b))]
        return st.one_of(st.sampled_from(near or [0]), integers(), floats(), st.booleans())
    if kind in ("enum", "level"):
        members = list(t.members)
        return st.one_of(st.sampled_from(members).map(str.upper), st.sampled_from(members).map(lambda m: m + " "),
                         st.sampled_from(list(bundled_words())), st.sampled_from(members).map(lambda m: [m]))
    if kind == "set":
        members = list(t.members)
        return st.one_of(st.lists(st.sampled_from(members), max_size=8),
                         st.frozensets(st.sampled_from(members)), st.tuples(st.sampled_from(members)),
                         st.lists(st.one_of(st.sampled_from(members), json_scalars()), max_size=4),
                         st.sampled_from(members))
    if kind == "duration":
        return st.one_of(duration_texts(), timedeltas())
    if kind == "datetime":
        return st.one_of(instant_texts(), python_instants(),
                         st.dates(), st.datetimes())  # dates and naive datetimes: refused with a path
    if kind == "bool":
        return st.sampled_from([0, 1, "true", "false", None])
    return st.one_of(all_text(200), st.sampled_from(["{name}", "{0}", "{ruleset!r}", "%s", "}{", "|", "\\"]),
                     st.text(max_size=3000).map(lambda s: "*_`#|<>[]()" + s))


def fact_value(fact: Any) -> st.SearchStrategy[Any]:
    """A value for one fact, of a random kind: valid, at the edge, or any."""
    return st.one_of(values(fact), values(fact), _edge_values(fact), json_values(6))


def fact_incidents(facts: Mapping[str, Any]) -> st.SearchStrategy[dict[Any, Any]]:
    """Incidents that use the ruleset's real fact names, with random values,
    and now and then a key that is not a fact."""
    base = st.fixed_dictionaries({}, optional={name: fact_value(fact) for name, fact in facts.items()})
    misspelt = [name + "s" for name in facts] or ["s"]  # a ruleset may declare no facts at all
    strays = st.dictionaries(st.one_of(all_text(12), st.sampled_from(misspelt), st.integers(), st.none()),
                             json_values(4), max_size=2)
    return st.one_of(base, base, base, st.tuples(base, strays).map(lambda pair: {**pair[1], **pair[0]}))


def incidents(facts: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Any incident at all: fact-shaped mostly, arbitrary JSON sometimes."""
    arbitrary = st.one_of(json_values(), st.dictionaries(all_text(12), json_values(6), max_size=6))
    return st.one_of(fact_incidents(facts), fact_incidents(facts), fact_incidents(facts), arbitrary,
                     st.sampled_from(example_incidents()))


# ====================================================================== rulesets from the grammar


@functools.cache
def grammar() -> Any:
    import lark

    text = (ROOT / "grammar" / "breachrules.lark").read_text(encoding="utf-8")
    return lark.Lark(text, parser="lalr", lexer="contextual")


_SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\t", "  \n  ", ""])


def _token(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A token followed by a separator, so that generated text mostly lexes
    the way the generator meant (and sometimes glues, to test the lexer)."""
    return st.tuples(values, _SEPARATORS).map("".join)


_CORE_NAMES = ("risk", "none", "high", "low", "medium", "severity", "likelihood", "a", "b", "x",
               "subjects", "health", "became_aware_at", "notify_authority", "count", "source", "known")


def _names() -> st.SearchStrategy[str]:
    core = st.sampled_from(_CORE_NAMES)
    random = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True).filter(lambda s: s not in RESERVED)
    long = st.integers(95, 130).map(lambda n: "n" * n)
    return st.one_of(core, core, core, st.sampled_from(bundled_words()), random, long)


def _numbers() -> st.SearchStrategy[str]:
    edges = ("0", "00", "1", "72", "0.5", "1.0", "1" + "0" * 15, "1" + "0" * 16, "9" * 33,
             "0." + "0" * 30 + "1", "999999999999999.9")
    return st.one_of(st.sampled_from(edges), st.from_regex(r"\d{1,4}(\.\d{1,3})?", fullmatch=True))


def _durations() -> st.SearchStrategy[str]:
    edges = ("72h", "0h", "1d", "30min", "1.5h", "999999999w", "1" + "0" * 15 + "w", "0.0000001min",
             "99999999999999d")
    unit = st.sampled_from(["min", "h", "d", "w"])
    return st.one_of(st.sampled_from(edges), st.tuples(_numbers(), unit).map("".join))


def _strings() -> st.SearchStrategy[str]:
    ids = ('"a"', '"why.health_data_exposed"', '"obligation.notify_authority"', '"{name}"', '"{"', '"}"',
           '"{0}"', '"{name!r}"', '"{name.__class__}"', '"%s"', '"\\""', '"\\\\"', '"\\u0000"', '""',
           '"scale.risk.high"', '"question.subjects"', '"ruleset.a.title"', '"../../etc/passwd"',
           '"gdpr.rules"')
    body = st.text(st.characters(exclude_characters='"\\\n', exclude_categories=("Cs",)), max_size=30)
    long = st.integers(1990, 2010).map(lambda n: '"' + "s" * n + '"')
    return st.one_of(st.sampled_from(ids), st.sampled_from(ids), body.map(lambda s: f'"{s}"'), long)


def _grammar_explicit() -> dict[str, st.SearchStrategy[str]]:
    from lark.lexer import PatternStr

    explicit: dict[str, st.SearchStrategy[str]] = {
        t.name: _token(st.just(t.pattern.value)) for t in grammar().terminals if isinstance(t.pattern, PatternStr)
    }
    ruleset_names = st.one_of(st.sampled_from(["a", "gdpr", "fi-health", "my-org", "x_1-2", "GDPR"]),
                              st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}(-[A-Za-z0-9_]{1,5}){0,2}", fullmatch=True))
    explicit.update({
        "NAME": _token(_names()),
        "RULESET_NAME": _token(ruleset_names),
        "ROW_LABEL": _token(st.tuples(_names(), st.sampled_from(["", " ", "\t"]), st.just(":")).map("".join)),
        "NUMBER": _token(_numbers()),
        "DURATION": _token(_durations()),
        "STRING": _token(_strings()),
        "WS": st.sampled_from([" ", "\n", "\t", "\r\n", "\x0c", "\r"]),
        "COMMENT": all_text(20).map(lambda s: "#" + re.sub(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", " ", s) + "\n"),
    })
    return explicit


@functools.cache
def grammar_rulesets() -> st.SearchStrategy[str]:
    """Ruleset text the grammar accepts, with names that often resolve.
    Built once: building it compiles the grammar and every terminal's regex."""
    from hypothesis.extra.lark import from_lark

    return from_lark(grammar(), explicit=_grammar_explicit())


# ====================================================================== mutated bundled rulesets

SNIPPETS = (
    "\n", " ", '"', "#", "{", "}", ",", ":", "..", "-", "<", ">=", "(", ")", "\\", "0", "9" * 20, "x",
    "ruleset", "rule", "when", "then", "exception", "extends gdpr", "not", "is unknown", "is known", "72h",
    "0h", "\x00", "\ufeff", "é", "\u2028", "-1", "1.0", "999999999999999w", "always", " or ", " and ",
    "instead ", "due became_aware_at + 999999999w", "/ 0", " * ", "{}", "\r", "\ud800",
)
NUMBER_EDGES = ("0", "0h", "0.5", "1" + "0" * 15, "999999999w", "99999999999999d", "1000000000000000w",
                "0.0000001min", "-1", "100000000000000000")


def _pieces() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(SNIPPETS), st.characters(exclude_categories=()), all_text(5),
                     st.sampled_from(bundled_words()))


@dataclass(frozen=True)
class Edit:
    """``deleted`` (its length) at ``position`` replaced by ``inserted``."""

    position: int
    deleted: int
    inserted: str


@dataclass(frozen=True)
class Mutant:
    """A bundled ruleset with edits applied in order. Its repr lists the
    edits, not the 35 kB text, so that a failure report stays readable."""

    name: str
    edits: tuple[Edit, ...]

    @property
    def text(self) -> str:
        return apply_edits(bundled_text(self.name), self.edits)

    def __repr__(self) -> str:
        return f"Mutant({self.name!r}, edits={list(self.edits)!r})"


def apply_edits(text: str, edits: tuple[Edit, ...]) -> str:
    for e in edits:
        text = text[:e.position] + e.inserted + text[e.position + e.deleted:]
    return text


@st.composite
def _edit(draw: Any, text: str) -> Edit:
    """One edit: characters inserted, deleted or replaced; a word swapped
    for another the rulesets use; a number pushed to an edge; a line
    dropped or doubled."""
    op = draw(st.sampled_from(["insert", "delete", "replace", "word", "number", "line"]))
    if op == "word" and (words := list(_WORD.finditer(text))):
        m = words[draw(st.integers(0, len(words) - 1))]
        word = draw(st.sampled_from(bundled_words() + tuple(sorted(RESERVED))))
        return Edit(m.start(), m.end() - m.start(), word)
    if op == "number" and (numbers := list(_NUMBERISH.finditer(text))):
        m = numbers[draw(st.integers(0, len(numbers) - 1))]
        return Edit(m.start(), m.end() - m.start(), draw(st.one_of(st.sampled_from(NUMBER_EDGES), _durations())))
    if op == "line":
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        start = starts[draw(st.integers(0, len(starts) - 1))]
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        return Edit(start, 0, text[start:end]) if draw(st.booleans()) else Edit(start, end - start, "")
    position = draw(st.integers(0, len(text)))
    length = 0 if op == "insert" else draw(st.one_of(st.integers(1, 8), st.integers(1, 300)))
    piece = "" if op == "delete" else draw(_pieces())
    return Edit(position, min(length, len(text) - position), piece)


@st.composite
def mutants(draw: Any, name: str) -> Mutant:
    """A bundled ruleset with a few random edits."""
    text = bundled_text(name)
    edits: list[Edit] = []
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(_edit(text))
        edits.append(edit)
        text = apply_edits(text, (edit,))
    return Mutant(name, tuple(edits))


# ====================================================================== arbitrary text, bytes and files

RULESET_PREFIXES = ("", "", "ruleset x\n", "ruleset a\nscale risk: none < risk < high\n", "# c\nruleset ")


def texts() -> st.SearchStrategy[str]:
    """Any str, sometimes behind a header so that it reaches the parser's depths."""
    return st.tuples(st.sampled_from(RULESET_PREFIXES), all_text(300)).map("".join)


def byte_strings() -> st.SearchStrategy[bytes]:
    prefixes = st.sampled_from([p.encode() for p in RULESET_PREFIXES] + [b"\xef\xbb\xbfruleset x\n"])
    return st.tuples(prefixes, st.binary(max_size=300)).map(b"".join)


DECODINGS = ("utf-8/replace", "utf-8/surrogateescape", "utf-8/ignore", "latin-1/strict", "utf-16/replace")


def decode(data: bytes, how: str) -> str:
    encoding, errors = how.split("/")
    return data.decode(encoding, errors)


def is_ruleset_file(data: bytes) -> bool:
    """Whether a file presents itself as a ruleset (docs/language.md: UTF-8,
    first word past blank lines and comments is ``ruleset``). Only then may
    an error show its lines."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.split(None, 1)[0] == "ruleset"
    return False


class ContentLeak(AssertionError):
    """A file that is not a ruleset had its content shown in an error."""


def _leaked_lines(data: bytes, rendered: str) -> list[str]:
    lines = data.decode("utf-8", "replace").splitlines()
    return [line.strip() for line in lines if len(line.strip()) >= 10 and line.strip() in rendered]


def load_file_without_leak(path: Path, data: bytes) -> Any:
    """``load(path)``, raising ContentLeak when the error for a file that is
    not a ruleset shows any of its lines."""
    from breachrules.diagnostics import RulesetError

    try:
        return breachrules.load(path)
    except RulesetError as error:
        if not is_ruleset_file(data):
            rendered = "\n".join([str(error)] + [error.render(locale) for locale in LOCALES])
            leaked = _leaked_lines(data, rendered)
            if leaked:
                raise ContentLeak(f"error for a non-ruleset file shows its line {leaked[0]!r}") from error
        raise


# ====================================================================== exercising


def exercise_incident(draw: Draw, call: Call, ruleset: Any, incident: Any,
                      instants: st.SearchStrategy[datetime] | None = None) -> None:
    """Every way an incident reaches the library: assess, decide, report at
    a moment drawn from ``instants`` (default: this century), and each
    renderer in each locale."""
    now = draw(instants if instants is not None else recent_nows(), "now")
    zone = draw(st.sampled_from(TIMEZONES), "timezone")
    assessment = call(lambda: ruleset.assess(incident), "assess")
    call(lambda: ruleset.decide(incident), "decide")
    report = call(lambda: ruleset.report(incident, now=now), "report")
    if assessment is not None:
        _render_assessment(call, assessment, zone)
    if report is not None:
        _render_report(call, report, zone)


def _render_assessment(call: Call, a: Any, zone: str) -> None:
    from breachrules.assessment import Assessment

    data = call(lambda: json.dumps(a.to_dict(), allow_nan=False), "json.dumps(assessment.to_dict())")
    if data is not None:
        call(lambda: Assessment.from_dict(json.loads(data)), "Assessment.from_dict")
    for locale in LOCALES:
        call(lambda loc=locale: a.explain(loc, zone), f"assessment.explain({locale!r}, {zone!r})")


def _render_report(call: Call, r: Any, zone: str) -> None:
    from breachrules.report import Report

    data = call(lambda: json.dumps(r.to_dict(), allow_nan=False), "json.dumps(report.to_dict())")
    if data is not None:
        call(lambda: Report.from_dict(json.loads(data)), "Report.from_dict")
    for locale in LOCALES:
        call(lambda loc=locale: r.to_markdown(loc, zone), f"report.to_markdown({locale!r}, {zone!r})")
        call(lambda loc=locale: r.notice(loc, zone), f"report.notice({locale!r}, {zone!r})")
        call(lambda loc=locale: record.text(r, loc, zone), f"record.text(report, {locale!r}, {zone!r})")


def exercise_ruleset(draw: Draw, call: Call, ruleset: Any) -> None:
    """A ruleset that compiled must also assess without crashing: the
    example incidents and random ones written against its own facts."""
    incident = draw(st.one_of(st.sampled_from(example_incidents()), fact_incidents(ruleset.facts)), "incident")
    exercise_incident(draw, call, ruleset, incident)


# ====================================================================== the fuzz kinds


def fuzz_grammar(draw: Draw, call: Call) -> None:
    text = draw(grammar_rulesets(), "ruleset")
    ruleset = call(lambda: breachrules.loads(text), "loads(text)")
    if ruleset is not None:
        exercise_ruleset(draw, call, ruleset)


def fuzz_mutant(draw: Draw, call: Call) -> None:
    name = draw(st.sampled_from(BUNDLED), "bundled")
    text = draw(mutants(name), "ruleset").text
    catalogs = CATALOGS if draw(st.booleans(), "with_catalogs") else None
    ruleset = call(lambda: breachrules.loads(text, catalogs=catalogs), "loads(text, catalogs=...)")
    if ruleset is not None:
        exercise_ruleset(draw, call, ruleset)


def fuzz_text(draw: Draw, call: Call) -> None:
    text = draw(texts(), "text")
    call(lambda: breachrules.loads(text), "loads(text)")


def fuzz_bytes(draw: Draw, call: Call) -> None:
    data = draw(byte_strings(), "bytes")
    how = draw(st.sampled_from(DECODINGS), "decoding")
    text = decode(data, how)
    call(lambda: breachrules.loads(text), f"loads(bytes.decode({how!r}))")


def fuzz_file(draw: Draw, call: Call) -> None:
    data = draw(byte_strings(), "bytes")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "uploaded.rules"
        path.write_bytes(data)
        call(lambda: load_file_without_leak(path, data), "load(path)")


@functools.cache
def bundled_incidents(name: str) -> st.SearchStrategy[Any]:
    """Incidents for a bundled ruleset; built once per ruleset."""
    return incidents(bundled_ruleset(name).facts)


def fuzz_incident(draw: Draw, call: Call) -> None:
    name = draw(st.sampled_from(BUNDLED), "bundled")
    ruleset = bundled_ruleset(name)
    incident = draw(bundled_incidents(name), "incident")
    exercise_incident(draw, call, ruleset, incident)


def fuzz_now(draw: Draw, call: Call) -> None:
    """``report(now=...)`` with any aware datetime, the calendar's ends too:
    an application's clock or a --now typed by hand."""
    name = draw(st.sampled_from(BUNDLED), "bundled")
    incident = draw(st.sampled_from(example_incidents()), "incident")
    exercise_incident(draw, call, bundled_ruleset(name), incident, python_instants())


def fuzz_differential(draw: Draw, call: Call) -> None:
    """A generated ruleset and complete incidents through both evaluation
    paths: the same answer, or the same EvaluationError (breachrules.testing
    writes the rulesets; tests/test_differential.py is the same check in
    the default run)."""
    from breachrules.testing import rulesets
    from tests.edges import complete_incidents

    text = draw(rulesets(), "ruleset")
    try:
        rs = breachrules.loads(text)
    except breachrules.RulesetError:
        return  # the checker refused it: a ruleset the promise is not about
    for i in range(3):
        incident = draw(complete_incidents(rs), f"incident{i}")
        call(functools.partial(_agree, rs, incident), "differential")


def _agree(rs: Any, incident: dict[str, Any]) -> None:
    from breachrules import interpreter

    def outcome(fn: Callable[[], Any]) -> Any:
        try:
            return ("value", fn())
        except breachrules.EvaluationError as error:
            return ("error", error.label, error.reason, error.span)

    known = rs.validate(incident).known
    expected = outcome(lambda: rs._static.assessment(interpreter.evaluate(rs.program, known),
                                                     rs._static.facts_json(known)))
    fast = outcome(lambda: rs.assess(incident))
    decided = outcome(lambda: rs.decide(incident))
    if expected[0] == "value":
        a = expected[1]
        if not (fast[0] == "value" and (fast[1], fast[1].trace, fast[1].conflicts) == (a, a.trace, a.conflicts)
                and decided == ("value", (a.levels, a.required))):
            raise PathsDisagree(f"interpreter {expected!r}, assess {fast!r}, decide {decided!r}")
    elif not fast == decided == expected:
        raise PathsDisagree(f"interpreter {expected!r}, assess {fast!r}, decide {decided!r}")


class PathsDisagree(AssertionError):
    """The fast path and the interpreter gave different answers."""


KINDS: dict[str, Callable[[Draw, Call], None]] = {
    "grammar": fuzz_grammar,
    "mutant": fuzz_mutant,
    "text": fuzz_text,
    "bytes": fuzz_bytes,
    "file": fuzz_file,
    "incident": fuzz_incident,
    "now": fuzz_now,
    "differential": fuzz_differential,
}


def data_draw(data: Any) -> Draw:
    """A :class:`Draw` over Hypothesis' ``st.data()``, labels shown in failures."""

    def draw(strategy: st.SearchStrategy[T], label: str) -> T:
        return data.draw(strategy, label=label)  # type: ignore[no-any-return]

    return draw


def iter_kinds() -> Iterator[tuple[str, Callable[[Draw, Call], None]]]:
    return iter(KINDS.items())
