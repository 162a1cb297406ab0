"""Where each key and value of a TOML document is written.

:mod:`tomllib` gives values without positions, and a case file's problems
are found in those values, as ``$.paths``. A person fixing the file wants the
line and column too, and ``breachrules test --update`` must rewrite one value
in place without disturbing the comments and layout around it. So the text is
scanned once more, here, for positions only: it has already been parsed by
:mod:`tomllib`, which is the judge of what it means. The scanner never raises;
on text it does not follow it simply knows fewer positions, and a path is then
placed at the nearest enclosing key it knows.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Mapping

import attrs

Path = tuple[str | int, ...]  # ("variants", 0, "expect", "risk")


@attrs.frozen
class Position:
    """A key (or an array element) and its value: 1-based line and column
    of where it starts, and the character offsets of the value."""

    line: int
    column: int
    value_start: int
    value_end: int


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = " \t"


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.found: dict[Path, Position] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    # ----------------------------------------------------------- positions

    def position(self, offset: int, value_start: int, value_end: int) -> Position:
        line = _bisect(self._line_starts, offset)
        return Position(line + 1, offset - self._line_starts[line] + 1, value_start, value_end)

    def peek(self, n: int = 1) -> str:
        return self.text[self.i:self.i + n]

    def at_end(self) -> bool:
        return self.i >= len(self.text)

    def skip_space(self, newlines: bool = False) -> None:
        """Blanks, and with ``newlines`` line ends and comments too."""
        while not self.at_end():
            c = self.text[self.i]
            if c in _SPACE or (newlines and c in "\r\n"):
                self.i += 1
            elif newlines and c == "#":
                self.skip_line()
            else:
                return

    def skip_line(self) -> None:
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end + 1

    # ----------------------------------------------------------- document

    def document(self) -> None:
        table: Path = ()
        arrays: dict[Path, int] = {}  # arrays of tables: how many seen so far
        while True:
            self.skip_space(newlines=True)
            if self.at_end():
                return
            start = self.i
            if self.peek() == "[":
                double = self.peek(2) == "[["
                self.i += 2 if double else 1
                keys = self.keys()
                table = _resolve(keys, arrays)
                if double and keys:
                    unindexed = _resolve(keys[:-1], arrays) + (keys[-1],)
                    arrays[unindexed] = arrays.get(unindexed, 0) + 1
                    table = unindexed + (arrays[unindexed] - 1,)
                    self.found.setdefault(unindexed, self.position(start, start, start))
                self.skip_line()
                # a header also writes the tables it implies: [variants.expect.obligations]
                for n in range(1, len(table) + 1):
                    self.found.setdefault(table[:n], self.position(start, start, self.i))
            else:
                self.key_value(table)
                self.skip_line()

    def keys(self) -> list[str]:
        """A dotted key, its parts unquoted."""
        parts: list[str] = []
        while True:
            self.skip_space()
            c = self.peek()
            if c in ('"', "'"):
                start = self.i
                self.string()
                parts.append(_unquote(self.text[start:self.i]))
            else:
                match = _BARE_KEY.match(self.text, self.i)
                if not match:
                    return parts
                parts.append(match.group())
                self.i = match.end()
            self.skip_space()
            if self.peek() != ".":
                return parts
            self.i += 1

    def key_value(self, table: Path) -> None:
        start = self.i
        keys = self.keys()
        self.skip_space()
        if not keys or self.peek() != "=":
            return
        self.i += 1
        self.skip_space()
        path = table + tuple(keys)
        # the dotted key's parents are written here too
        for n in range(1, len(keys)):
            self.found.setdefault(table + tuple(keys[:n]), self.position(start, start, start))
        self.value(path, start)

    def value(self, path: Path, key_start: int) -> None:
        start = self.i
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:
            while not self.at_end() and self.text[self.i] not in ",]}\r\n#":
                self.i += 1
            while self.i > start and self.text[self.i - 1] in _SPACE:
                self.i -= 1
        self.found[path] = self.position(key_start, start, self.i)

    def array(self, path: Path) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_space(newlines=True)
            if self.at_end() or self.peek() == "]":
                self.i += 1
                return
            before = self.i
            self.value(path + (index,), self.i)
            index += 1
            self.skip_space(newlines=True)
            if self.peek() == "," or self.i == before:
                self.i += 1

    def inline_table(self, path: Path) -> None:
        self.i += 1
        while True:
            self.skip_space()
            if self.at_end() or self.peek() in "}\r\n":
                self.i += 1
                return
            before = self.i
            self.key_value(path)
            self.skip_space()
            if self.peek() == "," or self.i == before:
                self.i += 1

    def string(self) -> None:
        quote = self.peek()
        triple = quote * 3
        if self.peek(3) == triple:
            self.i += 3
            while not self.at_end() and self.peek(3) != triple:
                # an escaped quote does not close a basic string: """a \""" b"""
                self.i += 2 if self.text[self.i] == "\\" and quote == '"' else 1
            self.i = min(self.i + 3, len(self.text))
            # a closing run may hold up to two quotes of the content: """a""""
            while self.text[self.i:self.i + 1] == quote:
                self.i += 1
            return
        self.i += 1
        while not self.at_end():
            c = self.text[self.i]
            if c == "\\" and quote == '"':
                self.i += 2
            elif c == quote:
                self.i += 1
                return
            elif c == "\n":
                return
            else:
                self.i += 1


def _resolve(keys: list[str], arrays: Mapping[Path, int]) -> Path:
    """A table header's keys as a path: a key naming an array of tables
    stands for its latest element, as in ``[variants.expect]``."""
    path: Path = ()
    for key in keys:
        path += (key,)
        if path in arrays:
            path += (arrays[path] - 1,)
    return path


def _unquote(token: str) -> str:
    try:
        return str(tomllib.loads(f"k = {token}")["k"])
    except tomllib.TOMLDecodeError:
        return token.strip("\"'")


def _bisect(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def positions(text: str) -> dict[Path, Position]:
    """Every key path of the document (table headers, keys, array elements)
    and where it is written."""
    scanner = _Scanner(text)
    scanner.document()
    return scanner.found


_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def parse_path(dollar: str) -> Path:
    """``$.variants[0].expect.risk`` as ``("variants", 0, "expect", "risk")``."""
    return tuple(key if key else int(index) for key, index in _STEP.findall(dollar.removeprefix("$")))


def locate(found: Mapping[Path, Position], path: Path) -> Position | None:
    """Where ``path`` is written, or else its nearest enclosing key that is
    (a missing key is reported at the table that lacks it); None for a
    path of which nothing is written (the top of the document)."""
    for n in range(len(path), 0, -1):
        position = found.get(path[:n])
        if position is not None:
            return position
    return None
