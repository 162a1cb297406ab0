"""What was prepared at build time, used only when it is exactly what
compiling now would give.

The first use of the library would otherwise spend most of its time on
work whose result is the same on every machine: Lark building the parse
tables of the grammar, parsing and checking the bundled rulesets (and,
for a first assessment, creating the classes of their programs: a kit,
:mod:`breachrules.kit`, holds what it needs without them), and Babel
reading and compiling the ``.po`` catalogs. :mod:`breachrules.prepare`
does that work once, when the package is built, and leaves the results in
the package's ``artefacts`` directory: never a cache a user (or a third
party) can write to, so nothing here ever reads a file whose name a caller
or a ruleset chose.

Each artefact records a hash of exactly what it was made from: the source
texts (every file of a ruleset's ``extends`` chain, the grammar, the
catalog), and the library's own modules that made it and whose classes it
holds (the Python files imported while it was made, by path and content).
Before one is used, the sources the library reads anyway are hashed and
compared, and any difference (a ruleset or catalog edited in place, a
library module changed, another format, a file missing or unreadable)
means the artefact is not used: the caller compiles from source, silently,
and gets the same answer, only later. A stale artefact is never worse than
none.

The pickled forms are read with an unpickler that refuses everything but
the library's own classes (and ``datetime``'s), or every class at all for
the grammar's tables, which are plain data.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import marshal
import pickle
from collections.abc import Iterable
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

from breachrules import resources
from breachrules.sha import sha256

if TYPE_CHECKING:
    from breachrules.limits import Limits
    from breachrules.ruleset import Ruleset, Source

# The layout of the artefacts; raised whenever what they hold changes shape.
FORMAT = 2
ARTEFACTS = resources.PACKAGE / "artefacts"  # inside the package, never a user's path
RULESET_SUFFIX = ".ruleset"
KIT_SUFFIX = ".kit"
CATALOG_SUFFIX = ".catalog.json"
GRAMMAR = "grammar"
GRAMMAR_SUFFIX = ".tables"
GENERATED = "generated.code"  # the bundled rulesets' generated functions, compiled
# The largest artefact read: ten times the largest bundled one leaves room to grow.
MAX_ARTEFACT_BYTES = 16_000_000
# What the compiled form of a ruleset may hold besides the library's own classes.
_STDLIB_CLASSES = frozenset({("datetime", "timedelta"), ("datetime", "datetime"), ("datetime", "timezone"),
                             ("datetime", "date")})


def sha(data: bytes) -> str:
    return "sha256:" + sha256(data).hexdigest()


def text_sha(text: str) -> str:
    return sha(text.encode("utf-8", "surrogatepass"))


def plain_name(name: str) -> bool:
    """Whether ``name`` can name an artefact: one plain file name, so that no
    name a caller passes reaches outside the artefacts directory."""
    return bool(name) and name[0].isalnum() and all(c.isalnum() or c in "-_." for c in name) and ".." not in name


def library_stamp() -> str:
    """The library's version: artefacts of another release are not read."""
    from breachrules import __version__

    return __version__


# ------------------------------------------------------------------ reading artefacts


def _artefact(file: str) -> tuple[dict[str, Any], bytes] | None:
    return _read(ARTEFACTS / file)


@functools.cache
def _read(path: Path) -> tuple[dict[str, Any], bytes] | None:
    """An artefact's header and payload, when it is one of this format and
    release and its payload is whole; None otherwise (or when there is none).

    The header is the first line, JSON; the payload follows it."""
    try:
        data = resources.read_regular(path, MAX_ARTEFACT_BYTES)
        line, _, payload = data.partition(b"\n")
        header = json.loads(line)
    except (OSError, ValueError):
        return None
    if (not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != library_stamp()
            or header.get("payload") != sha(payload)):
        return None
    return header, payload


@functools.cache
def library_fingerprint(modules: tuple[str, ...]) -> str | None:
    """A hash of the library modules ``modules`` (paths inside the package),
    as they are now; None when one is missing."""
    h = sha256()
    for module in modules:
        if not module.endswith(".py") or ".." in Path(module).parts or Path(module).is_absolute():
            return None
        try:
            content = (resources.PACKAGE / module).read_bytes()
        except OSError:
            return None
        h.update(module.encode() + b"\0" + content + b"\0")
    return "sha256:" + h.hexdigest()


def _made_by_this_library(header: dict[str, Any]) -> bool:
    modules = header.get("modules")
    if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
        return False
    return header.get("library") == library_fingerprint(tuple(modules))


class _LibraryUnpickler(pickle.Unpickler):
    """Builds only the library's own classes (and ``datetime``'s): never a
    function, whatever the bytes ask for."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("breachrules.") or (module, name) in _STDLIB_CLASSES:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} has no place in a prepared artefact")


class _DataUnpickler(pickle.Unpickler):
    """Builds plain data only: dicts, lists, tuples, strings, numbers."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} has no place in the grammar's tables")


# ------------------------------------------------------------------ rulesets


def ruleset_file(name: str) -> str:
    return name + RULESET_SUFFIX


def kit_file(name: str) -> str:
    return name + KIT_SUFFIX


def bundled(name: str) -> Ruleset | None:
    """The bundled ruleset ``name`` as compiled at build time, when every
    file of its chain reads now as it did then; None otherwise (the caller
    compiles it)."""
    from breachrules.limits import DEFAULT
    from breachrules.ruleset import Source

    if not plain_name(name):
        return None
    found = _artefact(ruleset_file(name))
    if found is None:
        return None
    chain = found[0].get("chain")
    path = resources.bundled_path(name)
    if not (isinstance(chain, list) and chain and path is not None
            and all(isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)
                    for entry in chain)
            and chain[-1][0] == resources.display_name(path)):
        return None
    sources = []
    for file, _ in chain:
        real = resources.real_path(file)
        if not file.startswith(resources.BUNDLED_PREFIX) or resources.display_name(real) != file:
            return None
        try:
            text = resources.read_regular(real, DEFAULT.max_bytes).decode("utf-8")
        except (OSError, ValueError):
            return None  # compiling says what is wrong, and where
        sources.append(Source(file, text, str(real.resolve().parent / "locale")))
    return ruleset(tuple(sources), DEFAULT)


def ruleset(chain: tuple[Source, ...], limits: Limits) -> Ruleset | None:
    """The ruleset compiled at build time from exactly ``chain`` (its files'
    names and texts) under the default limits; None when there is none."""
    from breachrules.limits import DEFAULT

    if limits != DEFAULT or not chain:
        return None
    return _ruleset(ARTEFACTS, chain)


@functools.lru_cache(maxsize=16)
def _ruleset(directory: Path, chain: tuple[Source, ...]) -> Ruleset | None:
    """Cached on the chain, as compiling is: the same sources give the same,
    immutable ruleset."""
    from breachrules.limits import DEFAULT
    from breachrules.ruleset import Ruleset

    last = chain[-1].file
    name = last[len(resources.BUNDLED_PREFIX):-len(resources.SUFFIX)]
    if not (last.startswith(resources.BUNDLED_PREFIX) and last.endswith(resources.SUFFIX) and plain_name(name)):
        return None
    kit = _made_for(directory / kit_file(name), chain)
    if isinstance(kit, tuple) and len(kit) == 2 and len(kit[1]) == len(chain):
        # the fast path alone, the program read when something asks for it
        return Ruleset.from_kit(kit[0], chain, _catalogs(chain, kit[1]), rebuild,
                                lambda: _program(directory, name, chain))
    found = _made_for(directory / ruleset_file(name), chain)
    if not (isinstance(found, tuple) and len(found) == 4 and len(found[2]) == len(chain)):
        return None
    program, warnings, domains, words = found
    compiled = Ruleset(program, chain, _catalogs(chain, domains), limits=DEFAULT, rebuild=rebuild, words=words)
    compiled.warnings = warnings
    return compiled


def _made_for(path: Path, chain: tuple[Source, ...]) -> Any:
    """What the artefact at ``path`` holds, when it was made from exactly
    ``chain`` by this library; None otherwise."""
    found = _read(path)
    if found is None:
        return None
    header, payload = found
    if (header.get("chain") != [[s.file, text_sha(s.text)] for s in chain]
            or header.get("grammar") != grammar_sha() or not _made_by_this_library(header)):
        return None
    try:
        return _LibraryUnpickler(io.BytesIO(payload)).load()
    except Exception:  # a class that moved or changed shape: compile instead
        return None


def _catalogs(chain: tuple[Source, ...], domains: list[str]) -> tuple[tuple[Path, str], ...]:
    return tuple(reversed([(Path(s.catalogs), domain) for s, domain in zip(chain, domains, strict=True)
                           if s.catalogs is not None]))


def _program(directory: Path, name: str, chain: tuple[Source, ...]) -> tuple[Any, Any]:
    """The program (and warnings) of a ruleset read from its kit: prepared,
    or compiled from the sources when the prepared form is not whole."""
    found = _made_for(directory / ruleset_file(name), chain)
    if isinstance(found, tuple) and len(found) == 4:
        return found[0], found[1]
    from breachrules.limits import DEFAULT
    from breachrules.loader import compile_chain

    compiled: Any = compile_chain(chain, DEFAULT)
    return compiled.program, compiled.warnings


def rebuild(chain: tuple[Source, ...], limits: Limits) -> object:
    """What a bundled ruleset pickles as: compiled again on the other side
    (the prepared form, when it fits those sources, else from source)."""
    found = ruleset(chain, limits)
    if found is not None:
        return found
    from breachrules.loader import compile_chain

    return compile_chain(chain, limits)


# ------------------------------------------------------------------ the grammar


def grammar_text() -> str:
    return resources.grammar_file().read_text(encoding="utf-8")


@functools.cache
def grammar_sha() -> str:
    try:
        return text_sha(grammar_text())
    except OSError:
        return ""


def grammar_file(options: dict[str, Any]) -> str:
    return GRAMMAR + ("-tokens" if options.get("keep_all_tokens") else "") + GRAMMAR_SUFFIX


def lark_parser(text: str, options: dict[str, Any]) -> Any | None:
    """The grammar's parser from the tables Lark saved at build time, for
    exactly this grammar ``text``, these ``options`` and this Lark; None
    otherwise (the caller builds it)."""
    import lark

    found = _artefact(grammar_file(options))
    if found is None:
        return None
    header, payload = found
    if (header.get("grammar") != text_sha(text) or header.get("lark") != lark.__version__
            or header.get("options") != options):
        return None
    try:
        data = _DataUnpickler(io.BytesIO(payload)).load()
        return lark.Lark.load(data)
    except Exception:  # tables Lark no longer reads: build them
        return None


# ------------------------------------------------------------------ generated code


def code_key(name: str, source: str) -> str:
    """What names the code compiled from ``source`` under the file name ``name``."""
    return text_sha(name + "\0" + source)


def generated(name: str, source: str) -> CodeType:
    """The code of ``source``, a function the library wrote: as compiled
    when the package was built, for a bundled ruleset's, else compiled now."""
    return generated_code(name, source) or compile_source(source, name)


def compile_source(source: str, name: str) -> CodeType:
    """Generated ``source`` compiled, the one way both the library and
    :mod:`breachrules.prepare` compile it."""
    import warnings

    with warnings.catch_warnings():
        # Python warns of "(2 / 3) is not None" once it has folded the constants: our own
        # code, read by nobody, so no warning is printed on the caller's terminal
        warnings.simplefilter("ignore", SyntaxWarning)
        return compile(source, name, "exec", dont_inherit=True)


def generated_code(name: str, source: str) -> CodeType | None:
    """The code compiled at build time from exactly ``source`` (a bundled
    ruleset's generated function, :mod:`breachrules.codegen`) by this
    version of Python's compiler; None otherwise (the caller compiles it).
    Keyed by the source itself, it cannot be the code of another text."""
    return code_by_key(code_key(name, source))


def code_by_key(key: str) -> CodeType | None:
    """The code compiled at build time under ``key`` (:func:`code_key`), if any."""
    table = _generated_table()
    return None if table is None else table.get(key)


@functools.cache
def _generated_table() -> dict[str, CodeType] | None:
    found = _artefact(GENERATED)
    if found is None:
        return None
    header, payload = found
    if header.get("python") != importlib.util.MAGIC_NUMBER.hex():  # bytecode of another Python
        return None
    try:
        table = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not (isinstance(table, dict)
            and all(isinstance(key, str) and isinstance(code, CodeType) for key, code in table.items())):
        return None
    return table


# ------------------------------------------------------------------ catalogs


def catalog_file(domain: str, locale: str) -> str:
    return f"{domain}.{locale}{CATALOG_SUFFIX}"


class Catalog:
    """A catalog compiled at build time: its messages as gettext reads them
    from the ``.mo`` file Babel writes (plural forms keyed by ``(msgid,
    n)``), its ``Plural-Forms`` expression, its obsolete entries, and the
    placeholder names its texts use (None: one has a brace that is not a
    placeholder)."""

    def __init__(self, messages: dict[Any, str], plural: str | None, obsolete: Iterable[tuple[str, str]],
                 names: frozenset[str] | None) -> None:
        self.messages = messages
        self.plural = plural
        self.obsolete = tuple(obsolete)
        self.names = names

    def translations(self) -> Any:
        """Translations as gettext would make them from the ``.mo`` file."""
        import gettext

        translations: Any = gettext.GNUTranslations()
        translations._catalog = dict(self.messages)
        translations.plural = gettext.c2py(self.plural) if self.plural is not None else _germanic
        return translations

    def to_json(self) -> dict[str, Any]:
        return {"messages": [[list(k) if isinstance(k, tuple) else k, v] for k, v in self.messages.items()],
                "plural": self.plural, "obsolete": [list(pair) for pair in self.obsolete],
                "names": None if self.names is None else sorted(self.names)}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Catalog:
        messages: dict[Any, str] = {}
        for key, text in body["messages"]:
            if not isinstance(text, str) or not isinstance(key, (str, list)):
                raise TypeError("not a message")
            messages[tuple(key) if isinstance(key, list) else key] = text
        plural, names = body["plural"], body["names"]
        if not (plural is None or isinstance(plural, str)):
            raise TypeError("not a plural expression")
        return cls(messages, plural, [(str(a), str(b)) for a, b in body["obsolete"]],
                   None if names is None else frozenset(str(name) for name in names))


def _germanic(n: int) -> int:
    return int(n != 1)  # gettext's plural without a Plural-Forms header


def catalog(domain: str, locale: str, data: bytes) -> Catalog | None:
    """The catalog compiled at build time from exactly ``data`` (a ``.po``
    file's bytes) for ``locale``; None when there is none."""
    return _catalog(ARTEFACTS, domain, locale, data)


@functools.lru_cache(maxsize=64)
def _catalog(directory: Path, domain: str, locale: str, data: bytes) -> Catalog | None:
    if not (plain_name(domain) and plain_name(locale)):
        return None
    found = _read(directory / catalog_file(domain, locale))
    if found is None:
        return None
    header, payload = found
    if header.get("source") != sha(data) or header.get("locale") != locale or not _made_by_this_library(header):
        return None
    try:
        return Catalog.from_json(json.loads(payload))
    except (ValueError, KeyError, TypeError):
        return None


# ------------------------------------------------------------------ writing (for breachrules.prepare)


def header(**fields: Any) -> dict[str, Any]:
    return {"format": FORMAT, "version": library_stamp(), **fields}


def artefact_bytes(fields: dict[str, Any], payload: bytes) -> bytes:
    """An artefact as :func:`_read` reads it: a JSON header line, then the payload."""
    line = json.dumps(header(**fields, payload=sha(payload)), sort_keys=True, ensure_ascii=True)
    return line.encode("ascii") + b"\n" + payload
