"""``breachrules replay``: decide stored decision records again.

    breachrules replay RECORDS... [--ruleset NEW] [--made-with RULESET]... [--format text|json]
                                  [--timezone ZONE] [--lang fi|sv|en]

Each record (a file ``assess --format json`` wrote, each ``*.json`` file
under a directory named, or ``-`` for one on standard input) is decided
again under the ruleset it names, found by name and digest among the
``--made-with`` rulesets and the bundled ones (:mod:`breachrules.replay`):
it reproduces, or it does not and the command says what differs, or the
ruleset of its name has changed since (another digest) and it is not
decided again. With ``--ruleset NEW``, each decision is also decided by
NEW, and those it would decide otherwise are listed, with the old and
new outcome and the rules responsible on each side. ``--format json``
prints one ``breachrules.replay/1`` document.

Exit codes (:mod:`breachrules.exits`): 0 every record reproduces and NEW
changes nothing; 1 a record does not reproduce, names a ruleset that has
changed since, or NEW decides it otherwise; 3 a record cannot be read or
is not a record, or its facts do not fit a ruleset; 4 a ruleset cannot be
found, read or compiled (NEW, a ``--made-with`` ruleset, or the one a
record names); 5 a ruleset cannot evaluate a record's facts. The highest
wins; every record is replayed whatever the others give.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from breachrules.cli_colour import Paint, for_terminal, paint
from breachrules.cli_input import STDIN, STDIN_NAME
from breachrules.cli_problems import Failure, dumps, evaluation_problem, file_problem, incident_problem, problem
from breachrules.exits import ExitCode, worst
from breachrules.i18n import LOCALES, Messages

if TYPE_CHECKING:
    from breachrules.assessment import Assessment
    from breachrules.replay import Change, Difference, Replayed, Rule
    from breachrules.ruleset import Ruleset

SCHEMA = "breachrules.replay/1"


def add_parser(commands: Any, _: Messages) -> None:
    """The ``replay`` subcommand, on the subparsers of ``breachrules``."""
    replay = commands.add_parser("replay", help=_("cli.replay.help"))
    replay.add_argument("files", nargs="+", metavar=_("cli.metavar.records"), help=_("cli.replay.records"))
    replay.add_argument("--ruleset", default=None, metavar=_("cli.metavar.new"), help=_("cli.replay.ruleset_help"))
    replay.add_argument("--made-with", action="append", default=[], metavar=_("cli.metavar.ruleset"),
                        help=_("cli.replay.made_with_help"))
    replay.add_argument("--format", choices=("text", "json"), default="text", help=_("cli.check.format"))
    replay.add_argument("--timezone", default="Europe/Helsinki", metavar=_("cli.metavar.timezone"),
                        help=_("cli.assess.timezone"))
    replay.add_argument("--lang", choices=LOCALES, default=argparse.SUPPRESS, help=_("cli.lang"))


def run(args: argparse.Namespace) -> int:
    """Run ``replay`` with the parsed command line; the exit code."""
    return replay(args.files, args.lang, new=args.ruleset, made_with=args.made_with, form=args.format,
                  timezone=args.timezone)


def replay(names: Sequence[str], locale: str, *, new: str | None = None, made_with: Sequence[str] = (),
           form: str = "text", timezone: str = "Europe/Helsinki") -> int:
    from breachrules import replay as replaying
    from breachrules.cli import load_rulesets
    from breachrules.errors import ArgumentError
    from breachrules.explain import time_zone

    _ = Messages(locale)
    try:
        time_zone(timezone)
    except ArgumentError:
        raise Failure(ExitCode.USAGE, _("cli.unknown_timezone", zone=timezone), key="cli.unknown_timezone") from None
    files = find_records(names)
    if not files:
        raise Failure(ExitCode.INPUT, _("cli.replay.no_records"), key="cli.replay.no_records")
    loaded = load_rulesets([*made_with, *([new] if new is not None else [])], locale)
    newer: Ruleset | None = loaded.pop() if new is not None else None
    entries: list[Entry] = []
    for file in files:
        shown = STDIN_NAME if file == STDIN else file
        try:
            data = _read(file, _)
            result = replaying.replay(data, made_with=loaded, new=newer)
        except Failure as failure:
            entries.append(Entry(shown, None, failure.problems))
        except replaying.RecordError as error:
            words = _("cli.replay.not_a_record", path=shown, reason=error.message(locale))
            found = [problem(p.key, _("cli.replay.not_a_record", path=shown, reason=_(
                "argument.not_a_record.shape", path=p.path, what=p.text(locale))), file=shown, path=p.path)
                     for p in error.problems]  # (every one, with its $.path)
            entries.append(Entry(shown, None, found or (problem(error.key, words, file=shown),)))
        else:
            entries.append(Entry(shown, result, _problems(result, shown, locale)))
    code = worst(entry.exit_code for entry in entries)
    if form == "json":
        print(dumps(document(entries, newer, code, locale, timezone)))
    else:
        out = paint(sys.stdout)
        for entry in entries:  # (a record is untrusted: what it says reaches the terminal as text only)
            print(for_terminal("\n".join(text(entry, locale, timezone, out))))
        print(_summary(entries, newer, _))
    return int(code)


class Entry:
    """One record named on the command line: what became of it, or why it could not be read."""

    def __init__(self, file: str, result: Replayed | None, problems: Iterable[Mapping[str, Any]]) -> None:
        self.file = file
        self.result = result
        self.problems = tuple(problems)

    @property
    def exit_code(self) -> ExitCode:
        return self.result.exit_code if self.result is not None else ExitCode.INPUT


def find_records(names: Iterable[str]) -> list[str]:
    """The files named, directories searched (with their subdirectories)
    for ``*.json``, each once, in order; ``-`` as it is."""
    found: dict[str, None] = {}
    for name in names:
        path = Path(name)
        if name != STDIN and path.is_dir():
            found.update((str(p), None) for p in sorted(path.rglob("*.json")))
        else:
            found[name] = None
    return list(found)


def _read(file: str, _: Messages) -> Any:
    """A record's JSON, or a :class:`Failure` (exit 3) saying why it cannot be read."""
    from breachrules.cli_input import DuplicateKey, read_document
    from breachrules.failures import os_reason, parse_reason

    shown = STDIN_NAME if file == STDIN else file
    try:
        return read_document(file)
    except OSError as error:
        reason = os_reason(error)
        raise Failure(ExitCode.INPUT, _("cli.cannot_read", path=shown, reason=reason),
                      [file_problem("cli.cannot_read", reason, shown, _)]) from None
    except DuplicateKey as error:
        words = _("cli.replay.duplicate_key", path=shown, key=error.key)
        raise Failure(ExitCode.INPUT, words, [problem("cli.replay.duplicate_key", words, file=shown,
                                                      path=f"$.{error.key}")]) from None
    except RecursionError:
        words = _("cli.too_deep", path=shown)
        raise Failure(ExitCode.INPUT, words, [problem("cli.too_deep", words, file=shown)]) from None
    except ValueError as error:  # not UTF-8, not JSON, or a key given twice
        reason = parse_reason(error)
        raise Failure(ExitCode.INPUT, _("cli.replay.not_json", path=shown, reason=reason),
                      [file_problem("cli.replay.not_json", reason, shown, _)]) from None


def _problems(result: Replayed, file: str, locale: str) -> list[dict[str, Any]]:
    """What stopped a decision, as problems: the ``$.path`` of a fact in the record."""
    where = "$.facts_given" if result.facts_given else "$.assessment.facts"
    return [p for error in (result.error, result.new_error) if error is not None
            for p in _error_problems(error, file, where, locale)]


def _error_problems(error: Exception, file: str, where: str, locale: str) -> list[dict[str, Any]]:
    from breachrules.errors import ArgumentError
    from breachrules.incident import IncidentError

    if isinstance(error, IncidentError):
        found = []
        for p in error.problems:
            shown = incident_problem(p, file, locale)
            shown["path"] = where + p.path[1:] if p.path.startswith("$") else p.path
            found.append(shown)
        return found
    if isinstance(error, ArgumentError):
        return [problem(error.key, error.message(locale), file=file)]
    return [evaluation_problem(error, locale)]


# ------------------------------------------------------------------ words


def _messages(assessment: Assessment | None, locale: str) -> Messages:
    """The words of a result's ruleset (its catalogs, found as the record's are), or the library's."""
    from breachrules.explain import messages_for

    return messages_for(assessment, locale) if assessment is not None else Messages(locale)


def text(entry: Entry, locale: str, timezone: str, out: Paint | None = None) -> list[str]:
    """One record in words: what it is, whether it reproduces, and what a new ruleset would change."""
    out = out or Paint(False)
    r = entry.result
    if r is None:
        base = Messages(locale)
        return [out(p["message"], "red") for p in entry.problems] or [base("cli.internal_error")]
    _ = _messages(r.stored, locale)
    lines = [_("cli.replay.record", file=entry.file, id=r.record_id, ruleset=r.ruleset, version=r.ruleset_version)
             if r.record_id else
             _("cli.replay.record_without_id", file=entry.file, ruleset=r.ruleset, version=r.ruleset_version)]
    lines += ["  " + line for line in status(r, locale, timezone, out)]
    if r.error is not None or r.new_error is not None:
        lines += ["    " + out(p["message"], "red") for p in entry.problems]
    return lines


def status(r: Replayed, locale: str, timezone: str, out: Paint | None = None) -> list[str]:
    """Whether a record reproduces, and what the new ruleset changes, in lines."""
    out = out or Paint(False)
    _ = _messages(r.stored, locale)
    lines: list[str] = []
    if not r.found:
        lines.append(out(_("cli.replay.not_found", ruleset=r.ruleset), "yellow"))
    elif r.digest_matches is False:
        lines.append(out(_("cli.replay.digest_differs", ruleset=r.ruleset, version=r.ruleset_version,
                           stored=r.digest or "-", found=r.found_digest or "-"), "yellow"))
    elif r.reproduced and r.digest is None:
        lines.append(_("cli.replay.reproduced_unchecked", ruleset=r.ruleset))
    elif r.reproduced:
        lines.append(out(_("cli.replay.reproduced"), "green"))
    elif r.error is not None:
        lines.append(out(_("cli.replay.failed"), "red"))
    else:
        lines.append(out(_("cli.replay.not_reproduced"), "red"))
        lines += ["  - " + difference(d, r, locale, timezone) for d in r.differences]
    if r.reproduced is not None and not r.facts_given:
        lines.append(_("cli.replay.validated_facts"))
    if r.other_library:
        from breachrules import __version__

        lines.append(_("cli.replay.other_library", made=r.library_version, now=__version__))
    if r.against is not None:
        name, version, _digest = r.against
        if r.new_error is not None:
            lines.append(out(_("cli.replay.new_failed", ruleset=name, version=version), "red"))
        elif not r.changes:
            lines.append(_("cli.replay.unchanged", ruleset=name, version=version))
        else:
            lines.append(out(_("cli.replay.changed", ruleset=name, version=version), "yellow"))
            lines += ["  - " + change(c, r, locale, timezone) for c in r.changes]
            lines += ["  " + line for line in responsible(r, locale)]
    return lines


def difference(d: Difference, r: Replayed, locale: str, timezone: str) -> str:
    """One part of a record that deciding it again does not give back, in words."""
    from breachrules.explain import fact_label, in_sentence, level_of, name_of, scale_name, where

    _ = _messages(r.stored, locale)
    if d.what == "checklist":
        return _("cli.replay.checklist_differs", checklist=_.label(f"checklist.{d.name}", d.name))
    if d.what == "ruleset":
        return _("cli.replay.ruleset_differs", stored=_ruleset_words(d.stored), replayed=_ruleset_words(d.replayed))
    stored, replayed = d.stored, d.replayed
    if d.what in ("level", "certain_level"):
        label = scale_name(_, d.name, d.name)
        what = label if d.what == "level" else _("cli.replay.established", outcome=label)
        stored, replayed = (level_of(_, d.name, v) if v is not None else _("record.none") for v in (stored, replayed))
    elif d.what == "provisional":
        what = _("cli.replay.provisional")
        stored, replayed = (_("record.yes") if v else _("record.no") for v in (stored, replayed))
    elif d.what == "obligation":
        what = _obligation(_, r, d.name)
        stored, replayed = (_status(_, v) for v in (stored, replayed))
    elif d.what == "due":
        what = _("cli.replay.deadline_of", obligation=_obligation(_, r, d.name))
        stored, replayed = (_deadline(_, v, locale, timezone) for v in (stored, replayed))
    elif d.what == "exempted_by":
        what = _("cli.replay.exemption_of", obligation=_obligation(_, r, d.name))
        stored, replayed = (name_of(_, v) if v else _("record.none") for v in (stored, replayed))
    elif d.what == "rule":
        entry = _entry(d.name, r.stored, r.again)
        what = _("cli.replay.rule", name=_("explain.quoted", text=name_of(_, d.name)),
                 where=where(_, entry) if entry is not None else "-")
        words = {"applied": _("cli.replay.applied"), "may_apply": _("cli.replay.may_apply")}
        stored, replayed = (words.get(v, _("cli.replay.not_applied")) for v in (stored, replayed))
    elif d.what == "open_questions":
        what = _("cli.replay.open_questions")
        stored, replayed = (", ".join(in_sentence(fact_label(_, f)) for f in v) or _("record.none")
                            for v in (stored, replayed))
    elif d.what == "fact":
        what = fact_label(_, d.name)
        stored, replayed = (_value(_, r, d.name, v, locale, timezone) for v in (stored, replayed))
    elif d.what == "deadline":
        what = _("cli.replay.deadline_state", obligation=_obligation(_, r, d.name))
        stored, replayed = (_deadline_state(_, v, locale, timezone) for v in (stored, replayed))
    else:
        what = d.what
    return _("cli.replay.difference", what=what, stored=stored, replayed=replayed)


def change(c: Change, r: Replayed, locale: str, timezone: str) -> str:
    """One part of a decision the new ruleset decides otherwise, in words."""
    from breachrules.explain import level_of, scale_name

    _ = _messages(r.stored, locale)
    new_words = _messages(r.decided, locale)
    if c.what == "risk":
        what = scale_name(_, "risk", "risk")
        old, new = level_of(_, "risk", c.old or ""), level_of(new_words, "risk", c.new or "")
    elif c.what == "obligation":
        what = _obligation(_, r, c.name)
        old, new = _status(_, c.old), _status(_, c.new)
    else:
        what = _("cli.replay.deadline_of", obligation=_obligation(_, r, c.name))
        old, new = _deadline(_, c.old, locale, timezone), _deadline(_, c.new, locale, timezone)
    return _("cli.replay.change", what=what, old=old, new=new)


def responsible(r: Replayed, locale: str) -> list[str]:
    """The rules behind the change, on each side, with where each is written."""
    _ = _messages(r.stored, locale)
    new_words = _messages(r.decided, locale)
    old_rules = r.old.rules if r.old is not None else ()
    new_rules = r.new.rules if r.new is not None else ()
    if not old_rules and not new_rules:
        return [_("cli.replay.same_rules")]
    name = r.against[0] if r.against is not None else ""
    return [_("cli.replay.rules_old", rules=_rules(_, old_rules)),
            _("cli.replay.rules_new", ruleset=name, rules=_rules(new_words, new_rules))]


def _rules(_: Messages, rules: Sequence[Rule]) -> str:
    from breachrules.explain import name_of

    if not rules:
        return _("record.none")
    return "; ".join(
        _("cli.replay.rule", name=_("explain.quoted", text=name_of(_, rule.label)),
          where=_("explain.where", ruleset=rule.ruleset, line=rule.line))
        + ("" if rule.certain else " " + _("explain.if_confirmed"))
        for rule in rules)


def _entry(label: str, *assessments: Assessment | None) -> Any:
    """The trace entry of that label, in the first assessment that has one."""
    for assessment in assessments:
        for entry in assessment.trace if assessment is not None else ():
            if entry.label == label:
                return entry
    return None


def _obligation(_: Messages, r: Replayed, id: str) -> str:
    """An obligation's short name (or its text), from the record's ruleset or the new one."""
    from breachrules.explain import heading, name_of

    for assessment in (r.stored, r.again, r.decided):
        for ob in assessment.obligations if assessment is not None else ():
            if ob.id == id:
                words = _ if assessment is not r.decided else _messages(r.decided, _.locale)
                return heading(words, ob)
    return name_of(_, id)


def _status(_: Messages, status: str | None) -> str:
    from breachrules.replay import NOT_REQUIRED, POSSIBLY_REQUIRED, REQUIRED

    if status == REQUIRED:
        return _("cli.replay.status.required")
    if status == POSSIBLY_REQUIRED:
        return _("explain.possibly_required")
    if status == NOT_REQUIRED:
        return _("cli.replay.status.not_required")
    return _("cli.replay.status.absent")


def _deadline(_: Messages, value: str | None, locale: str, timezone: str) -> str:
    """A deadline as :attr:`ObligationStatus.deadline` gives it, in words."""
    from breachrules.explain import format_instant, in_sentence
    from breachrules.instants import parse_instant

    if value is None:
        return _("cli.replay.no_deadline")
    if value == "without_undue_delay":
        return in_sentence(_("explain.without_undue_delay"))
    return format_instant(parse_instant(value), locale, timezone)


def _deadline_state(_: Messages, value: Mapping[str, Any] | None, locale: str, timezone: str) -> str:
    """A deadline as a record writes it: its state and instant, in words."""
    if value is None:
        return _("record.none")
    state = _.label(f"cli.replay.state.{value.get('state')}", str(value.get("state")))
    due = value.get("due")
    return f"{state}, {_deadline(_, due, locale, timezone)}" if isinstance(due, str) else state


def _value(_: Messages, r: Replayed, fact: str, value: Any, locale: str, timezone: str) -> str:
    """A fact's value, as a record holds it, in words, as its type says."""
    from breachrules.record import in_words

    return in_words(_, r.stored, fact, value, locale, timezone) if r.stored is not None else str(value)


def _ruleset_words(value: Any) -> str:
    if not isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value.get(k) or "-") for k in ("name", "version", "digest"))


def _summary(entries: Sequence[Entry], new: Ruleset | None, _: Messages) -> str:
    count = _counts(entries)
    line = _("cli.replay.summary", total=count["total"], reproduced=count["reproduced"],
             not_reproduced=count["not_reproduced"], unchecked=count["unchecked"], unreadable=count["unreadable"])
    if new is not None:
        line += "\n" + _("cli.replay.summary_changed", ruleset=new.name, changed=count["changed"])
    return line


def _counts(entries: Sequence[Entry]) -> dict[str, Any]:
    results = [e.result for e in entries if e.result is not None]
    return {
        "total": len(entries),
        "reproduced": sum(r.reproduced is True for r in results),
        "not_reproduced": sum(r.reproduced is False for r in results),
        "unchecked": sum(r.reproduced is None for r in results),
        "unreadable": len(entries) - len(results),
        "changed": sum(r.changed is True for r in results) if any(r.against for r in results) else None,
    }


# ------------------------------------------------------------------ JSON


def document(entries: Sequence[Entry], new: Ruleset | None, code: ExitCode, locale: str,
             timezone: str) -> dict[str, Any]:
    """The ``breachrules.replay/1`` document of a run."""
    return {
        "schema": SCHEMA,
        "exit_code": int(code),
        "ruleset": {"name": new.name, "version": new.version, "digest": new.digest} if new is not None else None,
        "replayed": [_entry_dict(entry, locale, timezone) for entry in entries],
        "summary": _counts(entries),
    }


def _entry_dict(entry: Entry, locale: str, timezone: str) -> dict[str, Any]:
    r = entry.result
    if r is None:
        from breachrules.replay import Replayed

        return {"file": entry.file, "readable": False, **Replayed.unread(), "exit_code": int(entry.exit_code),
                "message": "\n".join(p["message"] for p in entry.problems), "problems": list(entry.problems)}
    data = r.to_dict()
    data["differences"] = [{**d.to_dict(), "message": difference(d, r, locale, timezone)} for d in r.differences]
    data["changes"] = [{**c.to_dict(), "message": change(c, r, locale, timezone)} for c in r.changes]
    return {"file": entry.file, "readable": True, **data,
            "message": "\n".join(status(r, locale, timezone)), "problems": list(entry.problems)}
