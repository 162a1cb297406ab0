"""The tokens of ruleset text, as Lark's lexer reads them, for the
hand-written parser (:mod:`breachrules.fastparse`); and the values of
number and duration literals, for both parsers.

The scanner reads the terminals of ``grammar/breachrules.lark`` with the
same regular expressions, so a token is what Lark would read wherever Lark
could read it; the parser decides the rest. It is pinned to that grammar
(``GRAMMAR_SHA256``): when the grammar changes, the hand-written parser
steps aside (every text goes to Lark) until it is checked against it.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import timedelta

from breachrules import resources
from breachrules.limits import MAX_MAGNITUDE, MAX_NUMBER_CHARS

# The grammar this parser reproduces; tests/test_fastparse.py says what to
# do when it changes.
GRAMMAR_SHA256 = "5e796ca81f8a3f8b7144ecf280eb509e04449c66035aaf84eb619dd508a9d8bb"

# One token per match, after what Lark ignores (whitespace, comments), in
# two groups: the ignored text and the token. Every quantifier that could give
# back is possessive, and the last alternatives take any one character or
# the end, so a match never fails and never backtracks: linear time on any
# text. A one-character token that no token pattern took is one that Lark
# refuses.
_TOKEN = re.compile(
    r'((?:[ \t\f\r\n]++|#[^\n]*+)*+)'
    r'([A-Za-z_][A-Za-z0-9_]*+'
    r'|\d++(?:\.\d++)?(?:(?:min|h|d|w)(?![A-Za-z0-9_]))?'
    r'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
    r'|==|!=|<=|>=|\.\.|[-<>=+*/|&(){},.:]'
    r'|[\s\S]|\Z)'
)
_OPERATORS = frozenset(("==", "!=", "<=", ">=", "..", "-", "<", ">", "=", "+", "*", "/", "|", "&", "(", ")",
                        "{", "}", ",", ".", ":"))
_WORD_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_DIGITS = frozenset("0123456789")
_UNITS = {"min": "minutes", "h": "hours", "d": "days", "w": "weeks"}

Token = tuple[str, str, int, int, int]  # kind, text, line, column, offset


class GiveUp(Exception):
    """Not sure: let Lark parse it."""


@functools.cache
def reserved() -> frozenset[str] | None:
    """The reserved words, read from the grammar's NAME terminal; None
    (this parser stands aside) when the grammar is not the one it reads."""
    try:
        grammar = resources.grammar_file().read_bytes()
    except OSError:
        return None
    if hashlib.sha256(grammar).hexdigest() != GRAMMAR_SHA256:
        return None
    found = re.search(r"^NAME: /\(\?!\(([a-z|]+)\)", grammar.decode("utf-8"), re.M)
    return frozenset(found.group(1).split("|")) if found else None


def number_value(text: str) -> int | float:
    """A number literal's exact value; ``ValueError`` for one that is too
    long, too large or too small to stand for itself (see :mod:`limits`)."""
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(text)
    value: int | float = float(text) if "." in text else int(text)
    if abs(value) > MAX_MAGNITUDE or (value == 0 and text.strip("0.") != ""):
        raise ValueError(text)  # too large, or so small that it reads as zero
    return value


def duration_value(text: str) -> timedelta:
    """A duration literal's value; ``OverflowError`` or ``ValueError`` when
    it is too long to be a duration."""
    for suffix in ("min", "h", "d", "w"):
        if text.endswith(suffix):
            return timedelta(**{_UNITS[suffix]: number_value(text[: -len(suffix)])})
    raise ValueError(text)


def tokens(text: str) -> list[Token]:
    """The tokens of ``text``, one line at a time: no token but an ignored
    one spans lines, so a line gives the line number and the column. The
    kind of a token is ``w`` (a word), ``n`` (a number), ``d`` (a
    duration), ``s`` (a string), ``e`` (the end), or the operator itself."""
    found: list[Token] = []
    append = found.append
    findall = _TOKEN.findall
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        column = 1
        for ignored, token in findall(line):
            if not token:
                break
            column += len(ignored)
            first = token[0]
            if first in _WORD_START:
                kind = "w"
            elif first in _DIGITS or first.isdecimal():  # \d: any decimal digit, as Lark's NUMBER
                kind = "d" if token[-1] in "hdwn" else "n"  # a duration ends with its unit
            elif first == '"' and len(token) > 1:
                kind = "s"
            elif token in _OPERATORS:
                kind = token
            else:
                raise GiveUp  # a character Lark does not read here
            append((kind, token, number, column, offset + column - 1))
            column += len(token)
        offset += len(line) + 1
    append(("e", "", text.count("\n") + 1, len(text) - text.rfind("\n"), len(text)))
    return found
