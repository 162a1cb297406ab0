"""Why a file could not be read or parsed, as terms in the reader's language.

The operating system and the JSON, TOML and UTF-8 decoders explain
themselves in English ("No such file or directory", "Expecting value: line
1 column 1 (char 0)"). A Finnish reader of ``breachrules`` gets those
reasons in Finnish: the error's number or position is kept, its words are
replaced by the catalog's (``failure.*``).
"""

from __future__ import annotations

import errno
import json
import re
import tomllib

from breachrules.i18n import Term

# the reasons a file the caller named usually cannot be read; anything else by its symbol
_KNOWN = frozenset({"ENOENT", "EACCES", "EPERM", "EISDIR", "ENOTDIR", "ELOOP", "ENAMETOOLONG", "EIO", "EMFILE",
                    "ENXIO", "EINVAL", "EFBIG"})
_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


def os_reason(error: BaseException) -> Term:
    """Why a file could not be opened or read."""
    code = getattr(error, "errno", None)
    symbol = errno.errorcode.get(code, "") if isinstance(code, int) else ""
    if symbol in _KNOWN:
        return Term.of(f"failure.os.{symbol}")
    if isinstance(error, ValueError):  # a NUL character in the name
        return Term.of("failure.os.bad_name")
    return Term.of("failure.os.other", code=symbol or "?")


def parse_reason(error: BaseException) -> Term:
    """Why a file's text is not JSON, TOML or UTF-8: where, not the
    decoder's English."""
    if isinstance(error, json.JSONDecodeError):
        return Term.of("failure.json", line=error.lineno, column=error.colno)
    if isinstance(error, tomllib.TOMLDecodeError):
        found = _TOML_WHERE.search(str(error))
        if found:
            return Term.of("failure.toml", line=int(found.group(1)), column=int(found.group(2)))
        return Term.of("failure.toml_end")
    if isinstance(error, UnicodeDecodeError):
        return Term.of("failure.utf8", byte=error.start + 1)
    return Term.of("failure.unreadable")


__all__ = ["os_reason", "parse_reason"]
