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


BUNDLED_PREFIX = "rulesets/"


def display_name(path: Path) -> str:
    """How a ruleset file is named in spans: bundled ones as
    ``rulesets/gdpr.rules`` (the same on every machine), others as given."""
    try:
        relative = path.resolve().relative_to(rulesets_dir().resolve())
    except ValueError:
        return str(path)
    return BUNDLED_PREFIX + relative.as_posix()


def real_path(name: str) -> Path:
    """The file behind a name from :func:`display_name`."""
    if name.startswith(BUNDLED_PREFIX):
        candidate = rulesets_dir() / name[len(BUNDLED_PREFIX):]
        if candidate.is_file():
            return candidate
    return Path(name)
