"""Finding, reading and compiling rulesets, including ``extends`` chains.

A ruleset is untrusted data, so what it may make the library read is
decided by whoever loads it, never by the ruleset:

- ``extends gdpr`` names a bundled ruleset; always allowed.
- ``extends "base.rules"`` names a file. For a ruleset loaded from a file,
  it must lie inside that file's own directory tree (symbolic links
  resolved); for a ruleset given as text, inside the ``base`` directory the
  caller passes, and without one it is refused.
- Only regular files are read (never a device, a FIFO or a directory), at
  most ``Limits.max_bytes`` of them, and a file that is not a ruleset is
  refused without echoing a line of it.
- Catalogs come from the ``locale`` directory beside a ruleset file, or
  from the directory the caller passes for a text ruleset; never from the
  working directory.

The chain is compiled as one program, base first, so an organisation's
ruleset adds rules and exceptions to the labels of the bundled one without
copying it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from breachrules import nodes as n
from breachrules import resources
from breachrules.collector import paused_gc
from breachrules.diagnostics import Diagnostic, RulesetError
from breachrules.errors import ArgumentError
from breachrules.failures import os_reason
from breachrules.limits import DEFAULT, Limits
from breachrules.ruleset import Source  # re-exported: one file of a chain
from breachrules.spans import Span

TEXT = "<string>"
SUFFIX, bundled_names, bundled_path = resources.SUFFIX, resources.bundled_names, resources.bundled_path


# ------------------------------------------------------------------ reading files


def _at(file: str, line: int = 1, column: int = 1) -> Span:
    return Span(file, line, column, line, column + 1)


def read_file(path: Path, limits: Limits = DEFAULT) -> str:
    """The text of a ruleset file; only a regular UTF-8 file that starts as
    a ruleset does, and only so much of it."""
    name = str(path)
    try:
        data = resources.read_regular(path, limits.max_bytes)
    except resources.NotRegularFile:
        raise _error("BR507", _at(name), path=path) from None
    except resources.TooLarge:
        raise _error("BR601", _at(name), limit=limits.max_bytes) from None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the name
        raise _error("BR501", _at(name), path=path, reason=os_reason(error)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        start = data.rfind(b"\n", 0, error.start) + 1
        column = len(data[start:error.start].decode("utf-8", "replace")) + 1  # in characters, as editors count
        raise _error("BR505", _at(name, line, column)) from None
    if not looks_like_a_ruleset(text):
        raise _error("BR504", _at(name), path=path)
    return text


def looks_like_a_ruleset(text: str) -> bool:
    """Whether the first word, past blank lines and comments, is ``ruleset``."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word = stripped.split(None, 1)[0]
        return word == "ruleset" and "\x00" not in text
    return False


def _error(code: str, span: Span, /, **values: object) -> RulesetError:
    """An error about a file, shown without any of its lines."""
    return RulesetError([Diagnostic.make(code, span, **values)], {})


# ------------------------------------------------------------------ loading


def load_file(path: str | os.PathLike[str], limits: Limits = DEFAULT) -> object:
    """Compile the ruleset in a file; its ``extends`` stay in its directory tree."""
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentError("argument.path", found=type(path).__name__)
    path = Path(path)
    text = read_file(path, limits)
    root = path.resolve().parent
    first = Source(resources.display_name(path), text, str(root / "locale"))
    with paused_gc():
        return _compile(*load_chain(first, root, limits), limits)


def load_text(text: str, *, base: str | os.PathLike[str] | None = None,
              catalogs: str | os.PathLike[str] | None = None, limits: Limits = DEFAULT) -> object:
    """Compile ruleset text. ``base`` is the directory its ``extends "file"``
    may read from (none by default); ``catalogs`` the directory of its
    ``<locale>/LC_MESSAGES/<name>.po`` files (none by default)."""
    if not isinstance(text, str):
        raise ArgumentError("argument.text", found=type(text).__name__)
    if len(text) > limits.max_bytes or len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise _error("BR601", _at(TEXT), limit=limits.max_bytes)
    first = Source(TEXT, text, str(Path(catalogs).resolve()) if catalogs is not None else None)
    root = Path(base).resolve() if base is not None else None
    with paused_gc():
        return _compile(*load_chain(first, root, limits), limits)


def load_chain(first: Source, root: Path | None,
               limits: Limits = DEFAULT) -> tuple[tuple[Source, ...], tuple[n.Module, ...]]:
    """The sources of a ruleset and of everything it extends, base first,
    with each one's module. ``root`` is the directory tree files may be
    read from (None: none). Every file is parsed once, here (finding what a
    file extends is parsing it), and the compiler takes the modules along."""
    from breachrules.parser import parse

    chain = [first]
    seen = [first.file]
    real = [_identity(first.file)]
    module = parse(first.text, first.file, limits)
    modules = [module]
    while module.header.extends is not None:
        extends = module.header.extends
        parent, parent_root = _resolve(extends, chain[0], root, _texts(chain))
        if _identity(parent) in real:
            cycle = " → ".join([*seen, parent])
            raise RulesetError([Diagnostic.make("BR503", extends.span, cycle=cycle)], _texts(chain))
        seen.append(parent)
        real.append(_identity(parent))
        try:
            text = read_file(resources.real_path(parent), limits)
        except RulesetError as error:  # say so where the extends is written
            moved = [Diagnostic(d.code, extends.span, d.values) for d in error.diagnostics]
            raise RulesetError(moved, _texts(chain)) from None
        source = Source(parent, text, str(resources.real_path(parent).resolve().parent / "locale"))
        chain.insert(0, source)
        root = parent_root
        module = parse(text, parent, limits)
        modules.insert(0, module)
    return tuple(chain), tuple(modules)


def _texts(chain: list[Source] | tuple[Source, ...]) -> dict[str, str]:
    return {s.file: s.text for s in chain}


def _identity(file: str) -> str:
    """A file's identity for cycle detection: its resolved real path."""
    return file if file.startswith("<") else str(resources.real_path(file).resolve())


def _resolve(extends: n.Ident | n.Text, child: Source, root: Path | None,
             texts: dict[str, str]) -> tuple[str, Path | None]:
    """The display name of the file ``extends`` names, and the directory
    tree that file may in turn read from."""
    if isinstance(extends, n.Ident):
        path = bundled_path(extends.name)
        if path is None:
            diagnostic = Diagnostic.make("BR502", extends.span, name=extends.name,
                                         available=", ".join(bundled_names()))
            raise RulesetError([diagnostic], texts)
        return resources.display_name(path), resources.rulesets_dir().resolve()
    if root is None:
        raise RulesetError([Diagnostic.make("BR506", extends.span, path=extends.value)], texts)
    directory = resources.real_path(child.file).resolve().parent if not child.file.startswith("<") else root
    if "\x00" in extends.value:
        raise RulesetError([Diagnostic.make("BR501", extends.span, path=extends.value.replace("\x00", "\\0"),
                                            reason="NUL")], texts)
    target = (directory / extends.value).resolve()
    if not target.is_relative_to(root):
        raise RulesetError([Diagnostic.make("BR508", extends.span, path=extends.value, root=root)], texts)
    return resources.display_name(target), root


# ------------------------------------------------------------------ compiling




def compile_chain(chain: tuple[Source, ...], limits: Limits = DEFAULT) -> object:
    """Compile a chain of sources into a :class:`~breachrules.ruleset.Ruleset`.

    What a ruleset unpickles through (its sources compiled again), so it
    takes the same path as a load: the cache first, the collector paused.
    """
    from breachrules.parser import parse

    with paused_gc():
        try:
            modules = tuple(parse(s.text, s.file, limits) for s in chain)
        except (RecursionError, MemoryError):
            raise _backstop(chain) from None
        return _compile(chain, modules, limits)


# Compiled rulesets by everything that decides them: a compiled ruleset is
# immutable, so handing the same one out twice is safe, and ``bundled("gdpr")``
# is free after the first call.
_CACHE_SIZE = 32
_cache: OrderedDict[tuple[object, ...], object] = OrderedDict()
_cache_lock = threading.Lock()


def _compile(chain: tuple[Source, ...], modules: Sequence[n.Module], limits: Limits) -> object:
    """The compiled ruleset of a parsed chain, from the cache when the same
    texts, catalog directories, catalog files and limits were compiled
    before; else compiled and remembered."""
    domains = tuple(module.header.name.name for module in modules)
    key = (chain, limits, _catalog_state(chain, domains))
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    ruleset = _build(chain, modules, limits)
    with _cache_lock:
        _cache[key] = ruleset
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return ruleset


def clear_cache() -> None:
    """Forget every compiled ruleset (tests and benchmarks that time a compile)."""
    with _cache_lock:
        _cache.clear()


def _catalog_state(chain: tuple[Source, ...], domains: tuple[str, ...]) -> tuple[object, ...]:
    """What the chain's catalog files are now: a compiled ruleset carries a
    digest of its catalogs, so one whose catalogs were edited since it was
    compiled is not handed out again. The inode, size and both times
    (``ctime`` cannot be set back) of each ``.po`` file, None for none."""
    from breachrules.i18n import LOCALES, catalog_path

    state: list[object] = []
    for source, domain in zip(chain, domains, strict=True):
        if source.catalogs is None:
            continue
        for locale in LOCALES:
            try:
                found = os.stat(catalog_path(Path(source.catalogs), locale, domain))
            except (OSError, ValueError):
                state.append(None)
                continue
            state.append((found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns))
    return tuple(state)


def _build(chain: tuple[Source, ...], modules: Sequence[n.Module], limits: Limits) -> object:
    from breachrules.checker import check
    from breachrules.ruleset import Ruleset
    from breachrules.usage import unused

    texts = _texts(chain)
    try:
        program, diagnostics = check(modules, limits)
        if diagnostics or program is None:
            raise RulesetError(diagnostics, texts)
        catalogs = tuple(
            (Path(s.catalogs), module.header.name.name)
            for s, module in zip(chain, modules, strict=True) if s.catalogs is not None
        )
        ruleset = Ruleset(program, chain, tuple(reversed(catalogs)), limits, rebuild=compile_chain)
        ruleset.warnings = unused(program, chain[-1].file)
        return ruleset
    except (RecursionError, SyntaxError, MemoryError):
        raise _backstop(chain) from None


def _backstop(chain: tuple[Source, ...]) -> RulesetError:
    """A backstop, never reached by a ruleset the limits admit: every shape
    that recurses is bounded, and the generated code always compiles."""
    span = Span(chain[-1].file, 1, 1, 1, 1)
    return RulesetError([Diagnostic.make("BR609", span)], _texts(chain))
