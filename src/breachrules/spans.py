"""Where a piece of a ruleset came from.

Every node of the syntax tree, every compiled rule and every trace entry
carries a span, so that an error, an explanation or a test failure can point
at the exact text an author wrote.
"""

from __future__ import annotations

import attrs


@attrs.frozen(slots=True)
class Span:
    """A region of one source file; lines and columns count from 1."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Span:
        return cls(
            file=str(data["file"]),
            line=int(data["line"]),  # type: ignore[call-overload]
            column=int(data["column"]),  # type: ignore[call-overload]
            end_line=int(data["end_line"]),  # type: ignore[call-overload]
            end_column=int(data["end_column"]),  # type: ignore[call-overload]
        )
