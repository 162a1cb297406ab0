"""An assessment in words, in Finnish, Swedish or English.

Every word comes from a catalog: the library's own (``explain.*``) for the
frame, the ruleset's for levels, reasons, obligations and questions.
Deadlines are exact instants, shown in the reader's time zone and
language through Babel.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from breachrules import catalogs
from breachrules.citations import Citation, render_all
from breachrules.document import Block, Bullets, Document, Item, Mark, Note, Paragraph, Section
from breachrules.i18n import Messages
from breachrules.render import as_text
from breachrules.results import ObligationResult, TraceEntry
from breachrules.views import AssessmentView

if TYPE_CHECKING:
    from decimal import Decimal


def catalog_sources(assessment: AssessmentView) -> tuple[tuple[Path, str], ...]:
    """The (directory, domain) of the ruleset's catalogs, its own first. An
    assessment read back with ``from_dict`` knows its catalogs by name only
    (no directory): a bundled ruleset's are found again by that name."""
    return _sources(assessment.catalogs or (("", assessment.ruleset),))


@functools.lru_cache(maxsize=64)
def _sources(named: tuple[tuple[str, str], ...]) -> tuple[tuple[Path, str], ...]:
    """(Remembered: a bundled ruleset is looked for on disk once, not at
    every message a renderer asks for.)"""
    from breachrules import resources

    found = []
    for directory, domain in named:
        if directory:
            found.append((Path(directory), domain))
        elif resources.bundled_path(domain) is not None:
            found.append((resources.rulesets_dir() / "locale", domain))
    return tuple(found)


def messages_for(assessment: AssessmentView, locale: str) -> Messages:
    """The messages of the assessment's ruleset in ``locale`` (each filled in
    once for every rendering in this process: see :meth:`Messages.remember`)."""
    return catalogs.messages(locale, catalog_sources(assessment), value_names(assessment))


def cited(_: Messages, cites: tuple[Citation, ...]) -> str:
    """Citations in one line (:func:`~breachrules.citations.render_all`),
    written once for each set of citations: a ruleset's are the same in
    every record."""
    # by identity (the same tuple is held while remembered, so its id names
    # no other), which spares hashing every citation in it
    kept, said = _.remember(("cited", id(cites)), lambda: (cites, render_all(_, cites)))
    return said if kept is cites else render_all(_, cites)


def member(_: Messages, fact: str, name: str) -> str:
    """A member of a fact's choices in words, or its name when the catalog has none."""
    key = f"value.{fact}.{name}"
    return _(key) if _.has(key) else name


def scale_name(_: Messages, scale: str, fallback: str) -> str:
    """A scale's name as its ruleset's catalog says it ("Riskin taso"), or ``fallback``."""
    return _.label(f"scale.{scale}", fallback)


def level_of(_: Messages, scale: str, level: str) -> str:
    """A level of a scale in words (``scale.SCALE.LEVEL``), or its name when the catalog has none."""
    return _.label(f"scale.{scale}.{level}", level)


def name_of(_: Messages, label: str) -> str:
    """A rule's, exemption's or obligation's short name (``name.LABEL``, a
    noun phrase in the ruleset's catalog), for prose; its label when the
    catalog has none (``check`` reports the gap)."""
    key = f"name.{label}"
    return _(key) if _.has(key) else label


def heading(_: Messages, ob: ObligationResult) -> str:
    """An obligation as a heading or in a list: its short name, never its
    long imperative text (which says what to do, under it); the long text
    when the catalog has no short name."""
    key = f"name.{ob.id}"
    if not _.has(key):
        return _(ob.message)
    name = _(key)
    return name[:1].upper() + name[1:]  # a noun phrase for prose ("ilmoitus rekisteröidyille"), begun as a heading


def in_sentence(label: str) -> str:
    """A form's label ("Henkilötietoryhmät") inside a sentence: begun in lower case."""
    return label[:1].lower() + label[1:]


def joined(parts: Iterable[str]) -> str:
    """Parts that each can stand alone ("Pakollinen", "Tehtävä viimeistään
    ..."), as one line: after the first, each begins in lower case."""
    out: list[str] = []
    for part in parts:
        out.append(part[:1].lower() + part[1:] if out else part[:1].upper() + part[1:])
    return "; ".join(out)


def provisional(_: Messages, assessment: AssessmentView) -> str:
    """The warning of a provisional result, with the risk level the answers
    cannot lower, unless that is the lowest there is (nothing to say)."""
    certain = assessment.certain_levels["risk"]
    levels = assessment.vocabulary.risk_levels
    if levels and certain == levels[0]:
        return _("explain.provisional.open")
    return _("explain.provisional", certain=level_of(_, "risk", certain))


def names_of(_: Messages, labels: Iterable[str]) -> str:
    """Several short names, quoted and listed as the reader's language lists them."""
    from babel.lists import format_list

    return format_list([_("explain.quoted", text=name_of(_, label)) for label in labels], locale=_.locale)


def where(_: Messages, entry: TraceEntry) -> str:
    """Where a rule is written, for a reader: its ruleset's name and the line
    (never the file's path on the machine that assessed it)."""
    return _("explain.where", ruleset=entry.ruleset, line=entry.span.line)


def time_zone(name: object) -> ZoneInfo:
    """The IANA time zone of that name; ArgumentError for anything else."""
    found = _ZONES.get(name) if isinstance(name, str) else None
    if found is not None:  # (every renderer asks, at every call)
        return found
    from zoneinfo import ZoneInfoNotFoundError

    from breachrules.errors import ArgumentError

    try:
        if not isinstance(name, str):
            raise TypeError(name)
        zone = ZoneInfo(name)
        if len(_ZONES) < 64:
            _ZONES[name] = zone
        return zone
    except (ValueError, TypeError, OSError, ZoneInfoNotFoundError):  # OSError: a directory, a name too long
        raise ArgumentError("argument.timezone", zone=str(name)[:80]) from None


_ZONES: dict[str, ZoneInfo] = {}  # the zones found, by name

HOME_ZONE = "Europe/Helsinki"  # Finnish authorities write Finnish time without naming it
# a weekday as a sentence says it: "perjantaina", "fredagen den", "Friday"
_ON_WEEKDAY = ("explain.on_monday", "explain.on_tuesday", "explain.on_wednesday", "explain.on_thursday",
               "explain.on_friday", "explain.on_saturday", "explain.on_sunday")


def format_instant(instant: datetime, locale: str, timezone: str, *, sentence: bool = False) -> str:
    """An instant for a reader, in their zone and language (see
    :func:`_format_instant`); the same instant, in the same offset (and,
    in a zone, the same fold: 03:30 twice on the night summer time ends),
    is written once (Babel reads its patterns afresh on every call)."""
    return _format_instant(instant, instant.tzinfo, instant.fold, locale, timezone, sentence)


@functools.lru_cache(maxsize=1024)
def _format_instant(instant: datetime, zone_given: tzinfo | None, fold: int, locale: str, timezone: str,
                    sentence: bool) -> str:
    """An instant for a reader, in their zone and language. The default form
    stands alone, after a label ("perjantai 20. marraskuuta 2026 klo 9.30
    (Itä-Euroopan normaaliaika)"); ``sentence=True`` is the form that goes
    inside a sentence ("viimeistään perjantaina 20.11.2026 klo 9.30", "senast
    fredagen den 20 november 2026 kl. 9.30"), with the zone named only
    when it is not Finnish time."""
    from babel.dates import format_date, format_time, get_timezone_name

    zone: tzinfo = time_zone(timezone)
    try:
        local = instant.astimezone(zone)
    except OverflowError:  # a deadline at the very end of the calendar: shown in UTC
        zone = UTC
        try:
            local = instant.astimezone(zone)
        except OverflowError:  # not even UTC can hold it: as written
            return instant.isoformat()
    _ = Messages(locale)
    # the clock as the reader's authorities write it: 9.30 in Finland, in both languages
    clock = format_time(local, _("explain.time_format"), tzinfo=zone, locale=locale)
    name = get_timezone_name(local, "long", locale=locale)
    if not sentence:
        return _("explain.instant", date=format_date(local, "full", locale=locale), time=clock, zone=name)
    at_home = zone is not UTC and timezone == HOME_ZONE
    return _("explain.instant.sentence" if at_home else "explain.instant.sentence_zone",
             weekday=_(_ON_WEEKDAY[local.weekday()]),
             date=format_date(local, _("explain.sentence_date_format"), locale=locale), time=clock, zone=name)


def document(assessment: AssessmentView, locale: str = "en", timezone: str = "Europe/Helsinki",
             ranked: Block | None = None) -> Document:
    """The explanation of an assessment: the risk, the decision on every
    obligation, the reasons, any conflict and the open questions (``ranked``,
    when the caller ranked them: see :meth:`breachrules.ranking.Ranking.section`)."""
    time_zone(timezone)  # a zone that does not exist is the caller's error, whether or not a deadline shows
    _ = messages_for(assessment, locale)
    title = _("explain.title", title=_(assessment.title) if assessment.title else assessment.ruleset,
              version=assessment.ruleset_version)
    blocks: list[Block] = [*summary(_, assessment),
                           decisions(_, assessment, locale, timezone, _("explain.obligations")),
                           reasons(_, assessment)]
    blocks += [s for s in (conflicts(_, assessment), ranked or questions(_, assessment)) if s is not None]
    return Document(title, tuple(blocks))


def explain(assessment: AssessmentView, locale: str = "en", timezone: str = "Europe/Helsinki") -> str:
    return as_text(document(assessment, locale, timezone))


# ------------------------------------------------------------------ sections


def summary(_: Messages, a: AssessmentView) -> tuple[Block, ...]:
    """The risk level and the levels it was drawn from, and the warning of a provisional result.
    The headline is named as the ruleset names its risk scale, when its
    catalog does ("Severity (ENISA)" for a ruleset whose risk is a severity),
    and "Risk level" when it does not."""
    scale = scale_name(_, "risk", "")
    level = level_of(_, "risk", a.risk)
    levels = [Item(_("explain.level", name=scale, level=level) if scale else _("explain.risk", level=level))]
    levels += [Item(_("explain.level", name=scale_name(_, name, name), level=level_of(_, name, level)))
               for name, level in a.levels.items() if name != "risk"]
    return (Bullets(tuple(levels)), Note(provisional(_, a))) if a.provisional else (Bullets(tuple(levels)),)


def decisions(_: Messages, a: AssessmentView, locale: str, timezone: str, title: str) -> Section:
    """Every obligation, ticked when required, with what was decided and,
    under it, what it asks and its sources."""
    items = []
    for ob in a.obligations:
        mark: Mark = "no" if not ob.required else ("yes" if ob.certain else "maybe")
        name, what, cites = heading(_, ob), _(ob.message), cited(_, ob.cites)
        said = decision(_, a, ob, locale, timezone)
        if name == what:  # no short name: the text heads the entry, with its sources
            items.append(Item(said, name=name, mark=mark, sources=cites))
        else:
            items.append(Item(said, name=name, mark=mark, items=(Item(what, sources=cites),)))
    if not items:  # a ruleset that only assesses (ENISA's severity, say) sets no duties: say so
        return Section(title, (Paragraph(_("explain.no_obligations")),))
    return Section(title, (Bullets(tuple(items)),))


def reasons(_: Messages, a: AssessmentView) -> Section:
    """The rules, exceptions and exemptions that applied, each with its
    sources and where it is written."""
    if not a.trace:
        return Section(_("explain.why"), (Paragraph(_("explain.nothing_fired")),))
    return Section(_("explain.why"), (Bullets(tuple(
        Item(reason(_, entry, a), aside="" if entry.certain else _("explain.if_confirmed"),
             sources=f"{cited(_, entry.cites)}; {where(_, entry)}")
        for entry in a.trace)),))


def conflicts(_: Messages, a: AssessmentView) -> Section | None:
    if not a.conflicts:
        return None
    return Section(_("explain.conflicts"), (Bullets(tuple(
        Item(_("explain.conflict", labels=names_of(_, labels))) for labels in a.conflicts)),))


def questions(_: Messages, a: AssessmentView) -> Section | None:
    """The questions still open, each with the fact it asks about."""
    if not a.open_questions:
        return None
    return Section(_.plural("explain.open_questions", len(a.open_questions)), (Bullets(tuple(
        Item(_(q.question), aside=f"({fact_label(_, q.fact)})") for q in a.open_questions)),))


def fact_label(_: Messages, fact: str) -> str:
    """A fact's label (``fact.NAME``), or its name when the catalog has none."""
    return _.label(f"fact.{fact}", fact)


def decision(_: Messages, a: AssessmentView, ob: ObligationResult, locale: str, timezone: str) -> str:
    """What was decided about one obligation, and for one not required, why not."""
    if not ob.required:
        if ob.exempted_by:
            entry = next((e for e in a.trace if e.kind == "exemption" and e.label == ob.exempted_by), None)
            if entry is None:
                return _("explain.exempted", label=name_of(_, ob.exempted_by))
            why = because(_, entry, a)
            return _("record.decision.exempted", reason=why, cites=cited(_, entry.cites),
                     label=_("explain.quoted", text=name_of(_, entry.label)))
        if a.vocabulary.risk_is_a_reason(ob.id, a.risk) or not a.vocabulary.facts:  # (version 2 cannot tell)
            return _("record.decision.not_required", level=level_of(_, "risk", a.risk))
        return _("record.decision.not_applicable")
    # "required unless the answers show otherwise" says "required" once
    parts = [_("explain.required") if ob.certain else _("explain.possibly_required")]
    if ob.due is not None:
        parts.append(_("explain.due", when=format_instant(ob.due, locale, timezone, sentence=True)))
    elif ob.without_undue_delay:
        parts.append(_("explain.without_undue_delay"))
    if ob.instead_of:
        parts.append(_("explain.instead_of", other=name_of(_, ob.instead_of)))
    return joined(parts)


def matched(_: Messages, entry: TraceEntry, facts: Mapping[str, Any]) -> str:
    """The members of the facts a rule tests that the incident has ("terveystiedot
    ja rikostiedot"); for a fact still unknown, the ones it may have ("... tai ...")."""
    from babel.lists import format_list

    parts = []
    for fact, members in entry.tests:
        value = facts.get(fact)
        if value is None:
            words = [member(_, fact, m) for m in members]
            parts.append(format_list(words, style="or", locale=_.locale))
            continue
        given = set(value) if isinstance(value, list | tuple | set | frozenset) else {value}
        words = [member(_, fact, m) for m in members if m in given]
        if words:
            parts.append(format_list(words, locale=_.locale))
    return "; ".join(parts)


def because(_: Messages, entry: TraceEntry, a: AssessmentView) -> str:
    """The reason of a rule, exception or exemption, with what it names
    filled in: what matched (``{matched}``), and the numbers of the ruleset
    it shows (``{se}``, a number fact or one of ``a.values``), each as the
    reader's language writes numbers, or "unknown". Filled by name, never
    formatted: a catalog is data."""
    values: dict[str, object] = {}
    named = _.names(entry.message)
    if "matched" in named:
        values["matched"] = matched(_, entry, a.facts)
    others = named - {"matched"}
    for name in others & value_names(a) if others else ():
        values[name] = number(_, a.values[name] if name in a.values else a.facts.get(name))
    return _(entry.message, **values)


def value_names(a: AssessmentView) -> frozenset[str]:
    """The names a reason of this result may show as numbers: its values,
    and its number facts (read from the facts themselves in a record that
    does not describe them)."""
    if a.vocabulary.facts:
        facts = {f.name for f in a.vocabulary.facts if f.kind == "number"}
    else:
        facts = {name for name, value in a.facts.items()
                 if isinstance(value, int | float) and not isinstance(value, bool)}
    return frozenset(facts | set(a.values))


def number(_: Messages, value: int | float | Decimal | None) -> str:
    """A number as the reader's language writes it ("3,75", "3.75"), every
    digit it has; the library's "unknown" for None."""
    if value is None:
        return _("record.unknown")
    if type(value) in (int, float):  # (Babel reads its data afresh at every call)
        return _.remember(("number", type(value), value), lambda: _number(_, value))
    return _number(_, value)


def _number(_: Messages, value: int | float | Decimal) -> str:
    import decimal

    from babel.numbers import format_decimal

    with decimal.localcontext() as context:  # every digit: Babel's 28 refuse a number of 10**25 and more
        context.prec, context.Emax, context.Emin = 1000, decimal.MAX_EMAX, decimal.MIN_EMIN
        # + 0 turns a negative zero (-0.25 * 0) into zero: no reader writes "-0"
        return str(format_decimal(value + 0, locale=_.locale, decimal_quantization=False))


def reason(_: Messages, entry: TraceEntry, a: AssessmentView) -> str:
    """A rule, exception or exemption that applied, and why, in one line
    (whether it is certain to apply is told beside it).
    Its reason names what matched (``{matched}``) rather than every
    alternative its condition allows, and shows the numbers it names."""
    why = because(_, entry, a)
    if entry.kind == "exception":
        line = _("explain.exception", label=name_of(_, entry.label), base=name_of(_, entry.overrides or ""),
                 reason=why)
    elif entry.kind == "exemption":
        line = _("explain.exemption", label=name_of(_, entry.label), obligation=name_of(_, entry.overrides or ""),
                 reason=why)
    else:
        line = _("explain.rule", label=name_of(_, entry.label), reason=why)
    return line
