"""A ruleset's message catalogs: untrusted files, read with care.

The library's own catalog is part of the package (:mod:`breachrules.i18n`
reads it). A ruleset's catalogs come with the ruleset, from whoever wrote
it, so they are read only from inside the ruleset's own tree, as regular
files of bounded size, and refused, with a positioned diagnostic, when
they are not catalogs or give a message a placeholder it cannot take.
:func:`messages` is how the rest of the library gets the words of a
ruleset: the library's messages first, then the ruleset's.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from breachrules import prepared, resources
from breachrules.i18n import (
    MAX_CATALOG_BYTES,
    RULESET_PLACEHOLDERS,
    Messages,
    catalog_path,
    compiled,
    placeholders,
    plain_template,
)
from breachrules.spans import Span


def messages(locale: str, sources: Iterable[tuple[Path, str]] = (),
             numbers: frozenset[str] = frozenset()) -> Messages:
    """The messages for ``locale``: the library's, then those of the
    ruleset catalogs ``sources`` (directory and domain, the ruleset's own
    first, then those of the rulesets it extends), whose entries may name
    the ruleset's ``numbers`` (``Program.value_names``) in braces."""
    return Messages(locale, _layers(locale, tuple(sources), numbers))


@functools.cache
def _layers(locale: str, sources: tuple[tuple[Path, str], ...], numbers: frozenset[str]) -> tuple[Any, ...]:
    found = []
    for directory, domain in sources:
        path = catalog_path(directory, locale, domain)
        if path.is_file():
            found.append(_load_catalog(path, locale, Path(directory).parent, numbers))
    return tuple(found)


@functools.cache
def _load_catalog(path: Path, locale: str, root: Path, numbers: frozenset[str] = frozenset()) -> Any:
    """One of a ruleset's PO files as gettext translations, for a ruleset
    whose numbers are ``numbers``.

    A ruleset's catalog (``root``: its ruleset's tree) is untrusted data,
    read by :func:`_ruleset_catalog`; an entry whose text has a placeholder
    other than ``{matched}`` and the ruleset's ``numbers`` is refused. The
    check depends on the numbers, the compiled translations do not: they are
    made once per file (:func:`_translations`), however many rulesets with
    numbers of their own extend it.

    A catalog compiled when the package was built (a bundled ruleset's,
    or any with the same bytes) is taken as it is when its placeholders
    pass the same check; otherwise the file is parsed, and refused or
    compiled, here."""
    quick = _prepared(path, locale, root)
    if quick is not None and quick[1] is not None and quick[1] <= RULESET_PLACEHOLDERS | numbers:
        return quick[0]
    from breachrules.diagnostics import Diagnostic, RulesetError

    catalog = _ruleset_catalog(path, root, locale)
    bad = [
        Diagnostic.make("BR422", Span(str(path), message.lineno or 1, 1, message.lineno or 1, 2),
                        text=text[:80])
        for message, text in _texts(catalog) if not plain_template(text, numbers)
    ]
    if bad:
        raise RulesetError(bad, {})
    return _translations(path, locale, root)


@functools.cache
def _prepared(path: Path, locale: str, root: Path) -> tuple[Any, frozenset[str] | None] | None:
    """The catalog compiled at build time from exactly this file's bytes (read
    with the guards of :func:`_ruleset_catalog`), as :func:`_translations`
    makes it, with the placeholder names of its texts; None without one."""
    _inside(path, root)
    found = prepared.catalog(path.stem, locale, _read_catalog(path, MAX_CATALOG_BYTES))
    if found is None:
        return None
    translations = found.translations()
    for msgid, text in found.obsolete:
        translations._catalog.setdefault(msgid, text)
    return translations, found.names


def _texts(catalog: Any) -> Iterable[tuple[Any, str]]:
    """Every text of a catalog's entries, obsolete ones included, with its entry."""
    for message in (*catalog, *catalog.obsolete.values()):
        if message.id:
            for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
                if text:
                    yield message, str(text)


def placeholder_names(catalog: Any) -> frozenset[str] | None:
    """The placeholder names a parsed catalog's texts use; None when a text
    has a brace that is not one (see :func:`breachrules.i18n.placeholders`).
    A catalog passes :func:`_load_catalog`'s check exactly when these are
    all a ruleset may fill."""
    names: set[str] = set()
    for _, text in _texts(catalog):
        found = placeholders(text)
        if found is None:
            return None
        names |= found
    return frozenset(names)


def obsolete_entries(catalog: Any) -> list[tuple[str, str]]:
    """A parsed catalog's obsolete entries that :func:`_translations` keeps."""
    return [(message.id, message.string) for message in catalog.obsolete.values()
            if isinstance(message.id, str) and isinstance(message.string, str) and message.string]


@functools.cache
def _translations(path: Path, locale: str, root: Path) -> Any:
    """A ruleset's PO file compiled, its obsolete (``#~``) entries included.

    A rule, fact or message that a new version of a ruleset drops is still
    named by the decision records made under the old one; its words stay in
    the catalog as an obsolete entry, so that a stored record renders as it
    did, while ``check`` (which reads only the live entries) does not count
    them as messages the ruleset forgot to use. A live entry always wins."""
    catalog = _ruleset_catalog(path, root, locale)
    try:
        translations = compiled(catalog)
    except Exception:  # a header gettext refuses (Plural-Forms, charset): not a catalog we read
        raise _refused("BR509", Span(str(path), 1, 1, 1, 2), path=path) from None
    for msgid, text in obsolete_entries(catalog):
        translations._catalog.setdefault(msgid, text)
    return translations


@functools.cache
def _ruleset_catalog(path: Path, root: Path, locale: str) -> Any:
    """A ruleset's PO file, parsed once: only inside its ruleset's tree, a
    regular file of bounded size, and with Babel kept from printing the
    lines it cannot read (``abort_invalid``)."""
    from babel.messages.pofile import read_po

    _inside(path, root)
    data = _read_catalog(path, MAX_CATALOG_BYTES)
    try:
        return read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except Exception as error:  # Babel's own parse errors: the file is not a catalog
        where = Span(str(path), getattr(error, "lineno", 1) or 1, 1, 1, 2)
        raise _refused("BR509", where, path=path) from None


def _read_catalog(path: Path, limit: int) -> bytes:
    where = Span(str(path), 1, 1, 1, 2)
    try:
        return resources.read_regular(path, limit)
    except resources.NotRegularFile:
        raise _refused("BR507", where, path=path) from None
    except resources.TooLarge:
        raise _refused("BR601", where, limit=limit) from None


def catalog_ids(directory: Path, locale: str, domain: str) -> tuple[str, ...]:
    """The message ids of a ruleset's catalog, in the order written, read
    with the same guards as its messages; none when there is no such
    catalog or it cannot be read (its messages then raise the positioned
    error)."""
    return tuple(msgid for msgid, _ in catalog_lines(directory, locale, domain))


def catalog_lines(directory: Path, locale: str, domain: str) -> tuple[tuple[str, int], ...]:
    """The message ids of a ruleset's catalog with the line each starts on,
    read with the guards of its messages (see :func:`catalog_ids`)."""
    return tuple((_msgid(m), m.lineno or 1) for m in _messages_of(directory, locale, domain) or ())


def catalog_entries(directory: Path, locale: str, domain: str) -> dict[str, tuple[bool, bool]] | None:
    """Each message id of a ruleset's catalog: (translated, fuzzy). None
    when the ruleset has no catalog in that language; read with the guards
    of its messages (see :func:`catalog_ids`)."""
    found = _messages_of(directory, locale, domain)
    if found is None:
        return None
    return {_msgid(m): (all(bool(t) for t in (m.string if isinstance(m.string, tuple) else (m.string,))),
                        bool(m.fuzzy)) for m in found}


def _messages_of(directory: Path, locale: str, domain: str) -> list[Any] | None:
    """The messages of a ruleset's catalog (none when it cannot be read: its
    messages then raise the positioned error); None without a catalog."""
    path = catalog_path(directory, locale, domain)
    if not path.is_file():
        return None
    from breachrules.diagnostics import RulesetError

    try:
        catalog = _ruleset_catalog(path, Path(directory).parent, locale)
    except RulesetError:
        return []
    return [m for m in catalog if m.id]


def _msgid(message: Any) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _inside(path: Path, root: Path) -> None:
    """A ruleset's catalog stays inside the tree of its ruleset: a symbolic
    link out of it (to ``/etc/passwd``) is refused, as ``extends`` is."""
    if not path.resolve().is_relative_to(root.resolve()):
        where = Span(str(path), 1, 1, 1, 2)
        raise _refused("BR508", where, path=path, root=root.resolve())


def _refused(code: str, where: Span, /, **values: object) -> Exception:
    """The error refusing a catalog (diagnostics load only when one is refused)."""
    from breachrules.diagnostics import Diagnostic, RulesetError

    return RulesetError([Diagnostic.make(code, where, **values)], {})
