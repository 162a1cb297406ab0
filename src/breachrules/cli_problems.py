"""What the ``breachrules`` command says when it cannot do what it was asked.

Every command stops the same way: it raises :class:`Failure` with its exit
code (:mod:`breachrules.exits`), the words for a person and the problems as
data, and :func:`report` prints it, as text or, under ``--format json``, as
one JSON document on standard error. A program then never has to parse
the text of an error.

Every problem, of whatever kind, is one object of the same shape (see
docs/json-output.md, "Errors and diagnostics"): ``code``, ``severity``,
``file``, ``line``, ``column``, ``end``, ``path``, ``message`` in the
reader's language, ``suggestion``; what does not apply is ``null``. A
ruleset's diagnostics keep the fields :meth:`Diagnostic.to_dict` gives and
gain ``path`` and ``suggestion``; an incident's problems have a ``$.path``
and no position; a case file's have both.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from breachrules.cli_colour import paint
from breachrules.exits import ExitCode
from breachrules.i18n import Messages, Term, with_suggestion

ERROR_SCHEMA = "breachrules.error/1"


class Failure(Exception):
    """A command that cannot go on. ``text`` is what a person reads on
    standard error; ``message`` the headline of the JSON form (the text,
    when there is no other); ``problems`` the problems as data, or, for a
    failure of one thing, ``key``, its message id."""

    def __init__(self, code: ExitCode, text: str, problems: Sequence[Mapping[str, Any]] = (),
                 message: str | None = None, key: str | None = None) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.message = message if message is not None else text
        # a failure of one thing is one problem too, named by its message id, so that
        # a program always finds the problems in the same place
        self.problems = tuple(problems) or (problem(key or code.kind, self.message),)


def problem(code: str, message: str, *, file: str | None = None, line: int | None = None,
            column: int | None = None, end: Mapping[str, int] | None = None, path: str | None = None,
            suggestion: object = None, severity: str = "error") -> dict[str, Any]:
    """One problem in the shape every JSON form shares."""
    return {"code": code, "severity": severity, "file": file, "line": line, "column": column,
            "end": dict(end) if end is not None else None, "path": path, "message": message,
            "suggestion": str(suggestion) if suggestion else None}


_ORDER = ("code", "severity", "file", "line", "column", "end", "path", "message", "suggestion")


def _shaped(data: Mapping[str, Any]) -> dict[str, Any]:
    """The shared fields first, in the order of :func:`problem`, then any others."""
    return {**{k: data.get(k) for k in _ORDER}, **{k: v for k, v in data.items() if k not in _ORDER}}


def _suggestion(values: Iterable[tuple[str, object]]) -> object:
    return dict(values).get("suggestion") or None


def diagnostic(d: Any, locale: str) -> dict[str, Any]:
    """A compiler diagnostic: :meth:`Diagnostic.to_dict`, with ``path`` and ``suggestion`` added."""
    return _shaped({**d.to_dict(locale), "suggestion": _suggestion(d.values)})


def finding(f: Any, locale: str, messages: Messages) -> dict[str, Any]:
    """A finding of the solver's analysis, as ``check --format json`` gives it."""
    return _shaped({**f.to_dict(locale, messages), "suggestion": _suggestion(f.diagnostic.values)})


def incident_problem(p: Any, file: str, locale: str) -> dict[str, Any]:
    """A problem of an incident: its ``$.path``, no position (JSON keeps none)."""
    return problem(f"incident.{p.key}", with_suggestion(Messages(locale), f"incident.{p.key}", p.values),
                   file=file, path=p.path, suggestion=_suggestion(p.values))


def case_problem(p: Any, file: str, locale: str) -> dict[str, Any]:
    """A problem of a case file: its ``$.path`` and, where known, its line and column."""
    return problem(p.key, p.text(locale), file=file, line=p.line, column=p.column, path=p.path,
                   suggestion=_suggestion(p.values))


def evaluation_problem(error: Any, locale: str) -> dict[str, Any]:
    """An evaluation the ruleset could not do, at the expression that failed."""
    from breachrules.errors import EvaluationError, in_words

    if isinstance(error, EvaluationError):
        span = error.span
        return problem(f"evaluation.{error.reason}", error.message(locale), file=getattr(span, "file", None),
                       line=getattr(span, "line", None), column=getattr(span, "column", None),
                       end=_end(span))
    return problem("cli.internal_error", in_words(error, locale))


def _end(span: Any) -> dict[str, int] | None:
    if getattr(span, "end_line", None) is None:
        return None
    return {"line": span.end_line, "column": span.end_column}


def file_problem(key: str, reason: Term, file: str, _: Messages) -> dict[str, Any]:
    """A file that cannot be read or parsed: the reason's key is the code
    (``failure.os.ENOENT``, ``failure.json``), its position the line and column."""
    values = dict(reason.values)
    line, column = values.get("line"), values.get("column")
    return problem(reason.key, _(key, path=file, reason=reason), file=file,
                   line=line if isinstance(line, int) else None, column=column if isinstance(column, int) else None)


def ruleset_failure(failed: Sequence[tuple[str, Any]], locale: str, code: ExitCode = ExitCode.RULESET) -> Failure:
    """Rulesets that could not be used, by the name given and the
    :class:`RulesetError` each raised: their diagnostics as ``check`` shows
    them, headed in JSON by the rulesets' names."""
    _ = Messages(locale)
    shown = "\n\n".join(error.render(locale) for _name, error in failed)
    headline = "\n".join(_("cli.bad_ruleset", ruleset=name) for name, _error in failed)
    problems = [diagnostic(d, locale) for _name, error in failed for d in error.diagnostics]
    return Failure(code, shown, problems, message=headline)


def document(failure: Failure) -> dict[str, Any]:
    """The JSON form of a failure."""
    return {"schema": ERROR_SCHEMA, "exit_code": int(failure.code), "error": failure.code.kind,
            "message": failure.message, "problems": list(failure.problems)}


def report(failure: Failure, form: str, _: Messages) -> int:
    """Print a failure on standard error, as text or JSON; its exit code."""
    if form == "json":
        print(json.dumps(document(failure), ensure_ascii=False, indent=2), file=sys.stderr)
    else:
        print(paint(sys.stderr).findings(failure.text, _), file=sys.stderr)
    return int(failure.code)


def dumps(data: object) -> str:
    """A JSON document as every command prints it."""
    return json.dumps(data, ensure_ascii=False, indent=2)


__all__ = ["ERROR_SCHEMA", "Failure", "case_problem", "diagnostic", "document", "dumps", "evaluation_problem",
           "file_problem", "finding", "incident_problem", "problem", "report", "ruleset_failure"]
