"""Finding, reading and compiling rulesets, including ``extends`` chains.

``extends gdpr`` names a bundled ruleset; ``extends "base.rules"`` names a
file relative to the extending one. The chain is compiled as one program,
base first, so an organisation's ruleset adds rules and exceptions to the
labels of the bundled one without copying it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from breachrules import nodes as n
from breachrules import resources
from breachrules.diagnostics import Diagnostic, RulesetError
from breachrules.spans import Span

SUFFIX = ".rules"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in resources.rulesets_dir().glob(f"*{SUFFIX}"))


def bundled_path(name: str) -> Path | None:
    path = resources.rulesets_dir() / f"{name}{SUFFIX}"
    return path if path.is_file() else None


def read_source(source: str | os.PathLike[str]) -> tuple[str, str]:
    """(file name, text) of a path or of ruleset text given directly."""
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("ruleset ")):
        return "<string>", source
    path = Path(source)
    try:
        return resources.display_name(path), path.read_text(encoding="utf-8")
    except OSError as error:
        where = Span(str(path), 1, 1, 1, 1)
        diagnostic = Diagnostic.make("BR501", where, path=path, reason=error.strerror or error)
        raise RulesetError([diagnostic], {}) from None


def load_chain(file: str, text: str) -> tuple[tuple[str, str], ...]:
    """The sources of a ruleset and of everything it extends, base first."""
    from breachrules.parser import parse

    chain = [(file, text)]
    seen = [file]
    real = [_identity(file)]
    module = parse(text, file)
    while module.header.extends is not None:
        extends = module.header.extends
        parent = _resolve(extends, module.file)
        if _identity(parent) in real:
            cycle = " → ".join([*seen, parent])
            raise RulesetError([Diagnostic.make("BR503", extends.span, cycle=cycle)], dict(chain))
        seen.append(parent)
        real.append(_identity(parent))
        try:
            parent_file, parent_text = read_source(resources.real_path(parent))
        except RulesetError as error:  # say so where the extends is written
            moved = [Diagnostic(d.code, extends.span, d.values) for d in error.diagnostics]
            raise RulesetError(moved, dict(chain)) from None
        chain.insert(0, (parent_file, parent_text))
        module = parse(parent_text, parent_file)
    return tuple(chain)


def _identity(file: str) -> str:
    """A file's identity for cycle detection: its resolved real path."""
    return file if file.startswith("<") else str(resources.real_path(file).resolve())


def _resolve(extends: n.Ident | n.Text, file: str) -> str:
    if isinstance(extends, n.Text):
        base = resources.real_path(file).parent if not file.startswith("<") else Path.cwd()
        return resources.display_name(base / extends.value)
    path = bundled_path(extends.name)
    if path is None:
        diagnostic = Diagnostic.make("BR502", extends.span, name=extends.name,
                                     available=", ".join(bundled_names()))
        raise RulesetError([diagnostic], {file: _text_of(file)})
    return resources.display_name(path)


@functools.lru_cache(maxsize=32)
def compile_chain(chain: tuple[tuple[str, str], ...]) -> object:
    """Compile a chain of sources into a :class:`~breachrules.ruleset.Ruleset`.

    Cached on the source text: a compiled ruleset is immutable, so handing
    the same one out twice is safe, and ``bundled("gdpr")`` is free after
    the first call.
    """
    from breachrules.checker import check
    from breachrules.parser import parse
    from breachrules.ruleset import Ruleset

    modules = [parse(text, file) for file, text in chain]
    program, diagnostics = check(modules)
    if diagnostics or program is None:
        raise RulesetError(diagnostics, dict(chain))
    catalogs = tuple(
        (_locale_dir(file), module.header.name.name) for (file, _), module in zip(chain, modules, strict=True)
    )
    return Ruleset(program, chain, tuple(reversed(catalogs)))


def _text_of(file: str) -> str:
    try:
        return resources.real_path(file).read_text(encoding="utf-8")
    except OSError:
        return ""


def _locale_dir(file: str) -> Path:
    base = resources.real_path(file).parent if not file.startswith("<") else Path.cwd()
    return base / "locale"
