"""``breachrules test --update``: write what a ruleset now decides into the
expectations of the cases that fail.

For reviewed golden updates: after a deliberate change to a ruleset, the
author lets the tool rewrite the expectations and reads the diff, instead of
editing dozens of values by hand. Only the value of an expectation the case
already states is rewritten, in place: comments, layout and every other
byte of the file stay as they are. What is not an expectation (a broken
invariant, a conflict between exceptions) is a defect of the ruleset, and
no edit of a case file can make it pass; it is left for the author.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from breachrules.cases import CaseResult, Mismatch
from breachrules.toml_positions import parse_path, positions


@attrs.frozen
class Update:
    """What updating one case file did: the new text (None: unchanged), the
    expectations rewritten, and the mismatches no edit can fix."""

    text: str | None
    rewritten: tuple[Mismatch, ...]
    kept: tuple[Mismatch, ...]
    refused: str | None = None  # why the file was left alone: a message id


def update(text: str, results: Sequence[CaseResult]) -> Update:
    """The case file ``text`` with each failing expectation of ``results``
    (cases of this file) replaced by what the ruleset decided.

    The new text is read back before it is offered: it must hold exactly
    the old document with those values changed, or :class:`UnsafeUpdate` is
    raised and nothing should be written (the position scanner is checked,
    not trusted)."""
    found = positions(text)
    edits: list[tuple[int, int, str]] = []
    changes: list[tuple[tuple[str | int, ...], object]] = []
    rewritten: list[Mismatch] = []
    kept: list[Mismatch] = []
    for result in results:
        expect = (*parse_path(result.case.where), "expect")
        for m in result.mismatches:
            path = {"level": (*expect, m.what), "provisional": (*expect, "provisional"),
                    "obligation": (*expect, "obligations", m.what)}.get(m.kind)
            at = found.get(path) if path is not None and m.key in result.case.lines else None
            if path is None or at is None:
                kept.append(m)
                continue
            edits.append((at.value_start, at.value_end, _literal(m.actual)))
            changes.append((path, m.actual))
            rewritten.append(m)
    if not edits:
        return Update(None, (), tuple(kept))
    new = text
    for start, end, literal in sorted(edits, reverse=True):
        new = new[:start] + literal + new[end:]
    _check(text, new, changes)
    return Update(new, tuple(rewritten), tuple(kept))


class UnsafeUpdate(Exception):
    """The rewritten text would not be the old document with only the
    expectations changed."""


def _check(old: str, new: str, changes: Sequence[tuple[tuple[str | int, ...], object]]) -> None:
    expected: Any = tomllib.loads(old)
    for path, value in changes:
        table = expected
        for step in path[:-1]:
            table = table[step]
        table[path[-1]] = value
    try:
        if tomllib.loads(new) == expected:
            return
    except tomllib.TOMLDecodeError:
        pass
    raise UnsafeUpdate


def _literal(value: object) -> str:
    """A level or a yes/no as TOML writes it."""
    return json.dumps(value, ensure_ascii=False)


def write(path: Path, text: str) -> None:
    """Replace the file at once: a reader (or a crash) never sees half of it.
    A symbolic link is followed: the file it names is the one replaced."""
    path = path.resolve()
    mode = stat.S_IMODE(path.stat().st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
