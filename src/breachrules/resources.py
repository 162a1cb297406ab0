"""Where the grammar, the bundled rulesets and the catalogs live.

In a wheel they sit inside the package; in a source checkout they sit at the
top of the repository, where authors edit them. Both layouts are supported so
that tests run against the files being edited.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent  # the installed package's directory
_PACKAGE = PACKAGE
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


SUFFIX = ".rules"
CASE_SETS = "cases"  # the bundled case files: rulesets/cases/<ruleset>/


def bundled_case_sets() -> dict[str, Path]:
    """The bundled case files by the name they run under (``test gdpr``):
    they ship inside the package, so they are found wherever it is installed."""
    root = rulesets_dir() / CASE_SETS
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir()} if root.is_dir() else {}


def bundled_names() -> list[str]:
    return sorted(p.stem for p in rulesets_dir().glob(f"*{SUFFIX}"))


def bundled_path(name: str) -> Path | None:
    """The file of the bundled ruleset of that name, if there is one: a
    name, never a path (``bundled("../x")`` names nothing)."""
    if not name or name.startswith(".") or any(c in name for c in "/\\\0"):
        return None
    path = rulesets_dir() / f"{name}{SUFFIX}"
    try:
        return path if path.is_file() else None
    except OSError:  # a name too long for a file name names no file either
        return None


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


class NotRegularFile(OSError):
    """A device, a FIFO or a directory where a file was expected."""


class TooLarge(OSError):
    """A file longer than its reader's limit."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, read a chunk
    at a time: never a FIFO (which would wait for ever) or a device (which
    would never end), and never a buffer of ``limit`` allocated up front.
    Every file breachrules reads on a ruleset's or a case's say goes through here."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise TooLarge(errno.EFBIG, f"larger than {limit} bytes")
    return b"".join(chunks)
