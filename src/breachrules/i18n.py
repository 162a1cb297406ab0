"""Message catalogs: every word a user reads comes from here.

Messages are identified by keys (``scale.risk.high``, ``diagnostic.BR201``),
not by English text, so that Finnish and Swedish are written natively rather
than translated from English. Catalogs are plain gettext PO files, the
source of truth; the package ships them compiled as well (see
:mod:`breachrules.prepared`, checked against the PO file's hash), so that
the first message shown needs neither Babel nor a PO parser. A catalog
that differs from what was compiled is compiled in memory on first use.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs

from breachrules import resources
from breachrules.exceptions import UnsupportedLocale

LOCALES = ("fi", "sv", "en")
# Texts a catalog chain remembers having said, then forgets all at once (Messages.remember).
MOST_REMEMBERED = 20_000
MOST_RECENT = 64  # the parts of this many incidents' texts (see Messages.remember)
# Values a remembered message may take, by type (a Term is said afresh: its words may be another's)
_PLAIN = (str, int, float, bool)
_T = TypeVar("_T")
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


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise UnsupportedLocale(locale)
    return locale


def catalog_path(directory: Path, locale: str, domain: str) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def _library(locale: str) -> Any:
    """The library's own catalog for ``locale``, compiled once (or nothing,
    for a locale without one): as compiled when the package was built, when
    the ``.po`` file is still what it was compiled from."""
    from gettext import NullTranslations

    from breachrules import prepared

    path = catalog_path(resources.library_locale_dir(), locale, LIBRARY_DOMAIN)
    if not path.is_file():
        return NullTranslations()
    data = path.read_bytes()
    found = prepared.catalog(LIBRARY_DOMAIN, locale, data)
    if found is not None:
        return found.translations()
    from babel.messages.pofile import read_po

    return compiled(read_po(io.BytesIO(data), locale=locale))


def compiled(catalog: Any) -> Any:
    """A parsed catalog as gettext translations."""
    from babel.support import Translations

    return Translations(fp=io.BytesIO(mo_bytes(catalog)))


def mo_bytes(catalog: Any) -> bytes:
    """A parsed catalog compiled, as a ``.mo`` file's bytes: what gettext reads."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


@functools.cache
def _chain(locale: str, layers: tuple[Any, ...]) -> tuple[Any, dict[Any, Any], dict[Any, Any]]:
    """The translations for ``locale``: the library's own catalog first, then
    the given layers (a ruleset's catalogs, compiled by
    :mod:`breachrules.catalogs`), each falling back to the next.

    The library comes first so that a ruleset's catalog can add its own
    messages but never replace one of the library's (an uploaded ruleset
    must not be able to reword "must notify" as "no need to notify")."""
    from gettext import NullTranslations

    chain: Any = NullTranslations()
    for translations in reversed((_library(locale), *layers)):
        # add_fallback mutates, so wrap a copy rather than the cached object
        layer = type(translations)(fp=None)
        layer._catalog = dict(getattr(translations, "_catalog", {}))
        layer.plural = getattr(translations, "plural", lambda n: int(n != 1))
        layer.add_fallback(chain)
        chain = layer
    return chain, {}, {}  # and what its messages said, and said of recent incidents (see Messages.remember)


class Messages:
    """Looks up and fills in messages for one locale.

    ``layers`` are a ruleset's own catalogs, compiled (its own, then those of
    the rulesets it extends: :func:`breachrules.catalogs.messages` reads
    them); the library's catalog comes before them all.
    """

    def __init__(self, locale: str, layers: Iterable[Any] = ()) -> None:
        self.locale = check_locale(locale)
        self._translations, self._said, self._recent = _chain(locale, tuple(layers))

    def remember(self, key: Any, make: Callable[[], _T], *, recent: bool = False) -> _T:
        """What ``make()`` says, said once for ``key`` (a key naming all the
        text depends on but these catalogs) while the catalogs are read as
        they are: a record says the same few hundred things every time, and
        each message is looked up down a chain of catalogs. Shared by every
        ``Messages`` of the same catalogs; forgotten all at once when it
        holds :data:`MOST_REMEMBERED` texts. What one incident alone says
        (its facts, its letter) is ``recent``: kept for the last
        :data:`MOST_RECENT` keys only, so that a stream of incidents does
        not fill memory with their words."""
        said, most = (self._recent, MOST_RECENT) if recent else (self._said, MOST_REMEMBERED)
        try:
            return said[key]  # type: ignore[no-any-return]
        except KeyError:
            if len(said) >= most:
                said.clear()
            made = said[key] = make()
            return made
        except TypeError:  # a value that cannot be a key: said afresh
            return make()

    def has(self, msgid: str) -> bool:
        return self.remember(("has", msgid), lambda: bool(self._translations.gettext(msgid) != msgid))

    def names(self, msgid: str) -> set[str]:
        """The names a message's text puts in braces (none for a text that
        is not a template), so that a caller fills only those."""
        return set(self.remember(("names", msgid),
                                 lambda: frozenset(placeholders(self._translations.gettext(msgid)) or ())))

    def label(self, msgid: str, fallback: str) -> str:
        """The message, or ``fallback`` when no catalog has it (``check``
        reports the gap; the reader sees a name rather than a message id)."""
        text = self.remember(("label", msgid), lambda: self._translations.gettext(msgid))
        return fallback if text == msgid else _fill(text, {})

    def __call__(self, msgid: str, /, **values: object) -> str:
        if not values:
            return self.remember(msgid, lambda: _fill(self._translations.gettext(msgid), {}))
        if not all(type(value) in _PLAIN for value in values.values()):  # (a term: said afresh)
            return _fill(self._translations.gettext(msgid), self._render(values))
        # typed: 1, 1.0 and True are equal keys, but are written "1", "1.0" and "True"
        key = (msgid, *((name, type(value), value) for name, value in values.items()))
        return self.remember(key, lambda: _fill(self._translations.gettext(msgid), values))

    def plural(self, msgid: str, count: int, /, **values: object) -> str:
        def say() -> str:
            text = self._translations.ngettext(msgid, msgid + ".plural", count)
            return _fill(text, {"count": count, **self._render(values)})

        if type(count) is not int or not all(type(value) in _PLAIN for value in values.values()):
            return say()
        return self.remember(("plural", msgid, count, *((name, type(value), value) for name, value in values.items())),
                             say)

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


# The one value every ruleset's message may take: what a rule's condition
# matched, filled in by the library (see explain.matched).
RULESET_PLACEHOLDERS = frozenset({"matched"})


def plain_template(template: str, numbers: frozenset[str] = frozenset()) -> bool:
    """Whether a ruleset's text is fit to show: its messages take no values
    but ``{matched}`` and the ruleset's ``numbers`` (``Program.value_names``:
    the library fills them, see explain.because), so other braces must be
    escaped. A placeholder is a bare name: a format or a conversion is
    refused whatever it names."""
    names = placeholders(template)
    return names is not None and names <= RULESET_PLACEHOLDERS | numbers


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
