"""Message catalogs: every word a user reads comes from here.

Messages are identified by keys (``scale.risk.high``, ``diagnostic.BR201``),
not by English text, so that Finnish and Swedish are written natively rather
than translated from English. Catalogs are plain gettext PO files; they are
compiled in memory on first use, which keeps ``import breachrules`` free of
Babel and keeps compiled ``.mo`` files out of the repository.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from breachrules import resources
from breachrules.errors import BreachrulesError

LOCALES = ("fi", "sv", "en")
DEFAULT_LOCALE = "en"
LIBRARY_DOMAIN = "breachrules"
# The largest catalog of a ruleset that is read (see docs/security.md).
MAX_CATALOG_BYTES = 4_000_000


@attrs.frozen
class Term:
    """A word or phrase to be put into a message in the reader's language:
    a catalog key with its own values. ``Term.any_of(a, b, c)`` renders as
    "a, b or c" with the reader's word for "or"."""

    key: str
    values: tuple[tuple[str, object], ...] = ()
    items: tuple[object, ...] = ()

    @classmethod
    def of(cls, key: str, /, **values: object) -> Term:
        return cls(key, tuple(sorted(values.items())))

    @classmethod
    def any_of(cls, *items: object) -> Term:
        return cls("@any_of", items=tuple(items))


class UnsupportedLocale(BreachrulesError, ValueError):
    """Raised for a locale with no catalogs (fi, sv and en have them)."""


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise UnsupportedLocale(locale)
    return locale


@functools.cache
def _load_catalog(path: Path, locale: str, root: Path | None = None) -> Any:
    """Compile one PO file into a gettext translations object, once.

    ``root`` is None for the library's own catalog. A ruleset's catalog
    (``root``: its ruleset's tree) is untrusted data, read by
    :func:`_ruleset_catalog`; an entry whose text has a placeholder is
    refused (a ruleset's messages take no values; see :func:`_fill`)."""
    from babel.messages.pofile import read_po

    from breachrules.diagnostics import Diagnostic, RulesetError
    from breachrules.spans import Span

    if root is None:
        return _compiled(read_po(io.BytesIO(path.read_bytes()), locale=locale))
    catalog = _ruleset_catalog(path, root, locale)
    bad = [
        Diagnostic.make("BR422", Span(str(path), message.lineno or 1, 1, message.lineno or 1, 2),
                        text=str(text)[:80])
        for message in catalog if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        if text and not plain_template(str(text))
    ]
    if bad:
        raise RulesetError(bad, {})
    try:
        return _compiled(catalog)
    except Exception:  # a header gettext refuses (Plural-Forms, charset): not a catalog we read
        raise RulesetError([Diagnostic.make("BR509", Span(str(path), 1, 1, 1, 2), path=path)], {}) from None


@functools.cache
def _ruleset_catalog(path: Path, root: Path, locale: str) -> Any:
    """A ruleset's PO file, parsed once: only inside its ruleset's tree, a
    regular file of bounded size, and with Babel kept from printing the
    lines it cannot read (``abort_invalid``)."""
    from babel.messages.pofile import read_po

    from breachrules.diagnostics import Diagnostic, RulesetError
    from breachrules.spans import Span

    _inside(path, root)
    data = _read_catalog(path, MAX_CATALOG_BYTES)
    try:
        return read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except Exception as error:  # Babel's own parse errors: the file is not a catalog
        where = Span(str(path), getattr(error, "lineno", 1) or 1, 1, 1, 2)
        raise RulesetError([Diagnostic.make("BR509", where, path=path)], {}) from None


def _compiled(catalog: Any) -> Any:
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def _read_catalog(path: Path, limit: int) -> bytes:
    from breachrules.diagnostics import Diagnostic, RulesetError
    from breachrules.spans import Span

    where = Span(str(path), 1, 1, 1, 2)
    try:
        return resources.read_regular(path, limit)
    except resources.NotRegularFile:
        raise RulesetError([Diagnostic.make("BR507", where, path=path)], {}) from None
    except resources.TooLarge:
        raise RulesetError([Diagnostic.make("BR601", where, limit=limit)], {}) from None


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
    from breachrules.diagnostics import RulesetError

    path = catalog_path(directory, locale, domain)
    if not path.is_file():
        return None
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
    from breachrules.diagnostics import Diagnostic, RulesetError
    from breachrules.spans import Span

    if not path.resolve().is_relative_to(root.resolve()):
        where = Span(str(path), 1, 1, 1, 2)
        raise RulesetError([Diagnostic.make("BR508", where, path=path, root=root.resolve())], {})


def catalog_path(directory: Path, locale: str, domain: str) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def _chain(locale: str, sources: tuple[tuple[Path, str], ...]) -> Any:
    """The translations for ``locale``: the library's own catalog first, then
    the given (directory, domain) pairs, each falling back to the next.

    The library comes first so that a ruleset's catalog can add its own
    messages but never replace one of the library's (an uploaded ruleset
    must not be able to reword "must notify" as "no need to notify")."""
    from babel.support import NullTranslations

    chain: Any = NullTranslations()
    library = (resources.library_locale_dir(), LIBRARY_DOMAIN)
    for directory, domain in reversed((library, *sources)):
        path = catalog_path(directory, locale, domain)
        if path.is_file():
            root = None if (directory, domain) == library else Path(directory).parent
            translations = _load_catalog(path, locale, root)
            # add_fallback mutates, so wrap a copy rather than the cached object
            layer = type(translations)(fp=None)
            layer._catalog = dict(translations._catalog)
            layer.plural = translations.plural
            layer.add_fallback(chain)
            chain = layer
    return chain


class Messages:
    """Looks up and fills in messages for one locale.

    ``sources`` are a ruleset's own catalogs (its directory and domain, then
    those of the rulesets it extends); the library's catalog is always last.
    """

    def __init__(self, locale: str, sources: Iterable[tuple[Path, str]] = ()) -> None:
        self.locale = check_locale(locale)
        self._translations = _chain(locale, tuple(sources))

    def has(self, msgid: str) -> bool:
        return bool(self._translations.gettext(msgid) != msgid)

    def label(self, msgid: str, fallback: str) -> str:
        """The message, or ``fallback`` when no catalog has it (``check``
        reports the gap; the reader sees a name rather than a message id)."""
        text = self._translations.gettext(msgid)
        return fallback if text == msgid else _fill(text, {})

    def __call__(self, msgid: str, /, **values: object) -> str:
        return _fill(self._translations.gettext(msgid), self._render(values))

    def plural(self, msgid: str, count: int, /, **values: object) -> str:
        text = self._translations.ngettext(msgid, msgid + ".plural", count)
        return _fill(text, {"count": count, **self._render(values)})

    def term(self, value: object) -> str:
        """A value as text: a :class:`Term` in this language, anything else as is."""
        if not isinstance(value, Term):
            return str(value)
        if value.key == "@any_of":
            parts = [self.term(item) for item in value.items]
            if len(parts) <= 1:
                return "".join(parts)
            return ", ".join(parts[:-1]) + self("word.or") + parts[-1]
        return self(value.key, **dict(value.values))

    def _render(self, values: Mapping[str, object]) -> dict[str, object]:
        return {k: self.term(v) if isinstance(v, Term) else v for k, v in values.items()}


def frozen_values(values: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    """Values for a message kept in a frozen record: terms as they are, the
    rest as text, in a stable order."""
    return tuple(sorted((k, v if isinstance(v, Term) else str(v)) for k, v in values.items()))


def with_suggestion(messages: Messages, msgid: str, values: tuple[tuple[str, object], ...]) -> str:
    """The message, and "did you mean ...?" when a value named ``suggestion`` is set."""
    named = dict(values)
    text = messages(msgid, **named)
    if named.get("suggestion"):
        text += messages("diagnostic.did_you_mean", suggestion=named["suggestion"])
    return text


# A placeholder is {name} and nothing else: no format spec (a "{x:>200000000}"
# builds 200 MB), no conversion, no attribute or index ("{x.__class__}").
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BRACE = re.compile(r"\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}|[{}]")


def placeholders(template: str) -> set[str] | None:
    """The names of a template's placeholders; None when it has a brace
    that is neither ``{name}`` nor an escaped ``{{`` or ``}}``."""
    names: set[str] = set()
    for match in _BRACE.finditer(template):
        text = match.group()
        if text in ("{", "}"):
            return None
        if text not in ("{{", "}}"):
            names.add(text[1:-1])
    return names


# The one value a ruleset's message may take: what a rule's condition
# matched, filled in by the library (see explain.matched).
RULESET_PLACEHOLDERS = frozenset({"matched"})


def plain_template(template: str) -> bool:
    """Whether a ruleset's text is fit to show: its messages take no values
    but ``{matched}``, so other braces must be escaped."""
    names = placeholders(template)
    return names is not None and names <= RULESET_PLACEHOLDERS


def _fill(template: str, values: Mapping[str, object]) -> str:
    """Put named values into ``{name}`` placeholders and unescape ``{{`` and
    ``}}``; anything else in braces stays as written. Never evaluates what a
    template asks for: a catalog is data, not code."""
    if "{" not in template and "}" not in template:
        return template

    def put(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group()[0]
        return str(values[name]) if name in values else match.group()

    return _PLACEHOLDER.sub(put, template)
