"""Where the grammar, the bundled rulesets and the catalogs live.

In a wheel they sit inside the package; in a source checkout they sit at the
top of the repository, where authors edit them. Both layouts are supported so
that tests run against the files being edited.
"""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _locate(name: str) -> Path:
    for candidate in (_PACKAGE / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"breachrules is installed without its {name!r} directory")


@functools.cache
def grammar_file() -> Path:
    return _locate("grammar") / "breachrules.lark"


@functools.cache
def rulesets_dir() -> Path:
    return _locate("rulesets")


def library_locale_dir() -> Path:
    return _PACKAGE / "locale"
