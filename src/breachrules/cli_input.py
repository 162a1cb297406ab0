"""The documents a command reads from the files it is given: an incident,
a stored record.

The files are the caller's, but what a directory holds is not always what
the caller thinks (``breachrules replay`` reads every ``*.json`` under the
directories it is given): a document is read only from a regular file, or
standard input, and only up to :data:`MAX_DOCUMENT_BYTES`, so that a FIFO
or a device never makes a command wait or read for ever. A key given twice
is refused: JSON would keep the last value and hide the first.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

from breachrules.resources import TooLarge, read_regular

STDIN = "-"
STDIN_NAME = "<stdin>"
# The largest document read: an incident is some kilobytes and a record some
# hundred; a thousand times the largest is no document of ours.
MAX_DOCUMENT_BYTES = 64_000_000


class DuplicateKey(ValueError):
    """A key given twice in one JSON object."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def shown(name: str) -> str:
    """The name a message gives the document: ``<stdin>`` for ``-``."""
    return STDIN_NAME if name == STDIN else name


def read_document(name: str, *, toml: bool = False) -> Any:
    """The JSON document in the file ``name`` (or on standard input, ``-``);
    with ``toml``, a ``.toml`` file is read as TOML. Raises ``OSError`` for
    a file that cannot be read (not a regular file, larger than the bound,
    standard input closed), :class:`DuplicateKey`, ``RecursionError`` for
    nesting too deep, ``ValueError`` for text that is not UTF-8 or not JSON
    (``tomllib.TOMLDecodeError`` for TOML)."""
    if name == STDIN:
        if sys.stdin is None:  # started with standard input closed
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        raw = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise TooLarge(errno.EFBIG, os.strerror(errno.EFBIG))
    else:
        raw = read_regular(Path(name), MAX_DOCUMENT_BYTES)
    text = raw.decode("utf-8")
    if toml and name != STDIN and Path(name).suffix == ".toml":
        return tomllib.loads(text)  # TOML itself refuses a key given twice
    return json.loads(text, object_pairs_hook=_unique_keys)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise DuplicateKey(key)
        data[key] = value
    return data


__all__ = ["MAX_DOCUMENT_BYTES", "STDIN", "STDIN_NAME", "DuplicateKey", "read_document", "shown"]
