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
import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from breachrules import resources
from breachrules.errors import BreachrulesError

LOCALES = ("fi", "sv", "en")
DEFAULT_LOCALE = "en"
LIBRARY_DOMAIN = "breachrules"


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
def _load_catalog(path: Path, locale: str) -> Any:
    """Compile one PO file into a gettext translations object, once."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def catalog_path(directory: Path, locale: str, domain: str) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def _chain(locale: str, sources: tuple[tuple[Path, str], ...]) -> Any:
    """The translations for ``locale``: the given (directory, domain) pairs
    first, the library's own catalog last, each falling back to the next."""
    from babel.support import NullTranslations

    chain: Any = NullTranslations()
    everything = (*sources, (resources.library_locale_dir(), LIBRARY_DOMAIN))
    for directory, domain in reversed(everything):
        path = catalog_path(directory, locale, domain)
        if path.is_file():
            translations = _load_catalog(path, locale)
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


def _fill(template: str, values: Mapping[str, object]) -> str:
    """str.format with named values; always run, so that ``{{`` becomes ``{``
    whether or not the message has placeholders."""
    try:
        return string.Formatter().vformat(template, (), _Defaulting(values))
    except (ValueError, IndexError):  # a stray brace in a translation: show it as written
        return template


class _Defaulting(dict[str, object]):
    """Leaves a placeholder visible rather than failing when a value is missing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
