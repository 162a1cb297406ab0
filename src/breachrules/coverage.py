"""What a ruleset's cases exercise, and what no case does.

A case passes when the outcomes and duties it names come out as expected;
it says nothing of the rules it never made apply. An exception that no case
reaches is untested, whatever the expectations say. So ``breachrules test
--coverage`` counts, per ruleset file, what can be exercised (rules,
exceptions, exemptions, obligations, actions, and each cell of a combine
table) and which of them some case reached for certain: a rule that only
*may* apply while facts are unknown has not been shown to work.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from breachrules.program import Program


@attrs.frozen
class Item:
    """One thing a case can exercise: ``kind`` is rule, exception,
    exemption, obligation, action or cell; a cell's ``name`` is
    ``outcome: row x column``."""

    kind: str
    name: str
    file: str
    line: int

    @property
    def where(self) -> str:
        """File name and line, never the directory of the machine that ran."""
        return f"{Path(self.file).name}:{self.line}"


@attrs.frozen
class Coverage:
    items: tuple[Item, ...]
    covered: frozenset[Item]

    @property
    def missed(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item not in self.covered)

    @property
    def share(self) -> Fraction:
        """Covered items as an exact fraction of all (1 when there are none)."""
        return Fraction(len(self.covered), len(self.items)) if self.items else Fraction(1)

    def by_file(self) -> list[tuple[str, int, int]]:
        """(file name, covered, total) per ruleset file, in the order of the items."""
        counts: dict[str, list[int]] = {}
        for item in self.items:
            count = counts.setdefault(Path(item.file).name, [0, 0])
            count[0] += item in self.covered
            count[1] += 1
        return [(name, covered, total) for name, (covered, total) in counts.items()]

    def of_file(self, file: str) -> Coverage:
        """The items of one file of the chain: an extension's own, whose
        coverage is its authors' to answer for (the bases have their cases)."""
        mine = tuple(item for item in self.items if item.file == file)
        return Coverage(mine, frozenset(item for item in self.covered if item.file == file))

    def meets(self, threshold: Fraction) -> bool:
        """Whether the share reaches ``threshold`` percent, compared exactly:
        99.99 % of the items is not 100 %."""
        return self.share * 100 >= threshold


def items(program: Program) -> tuple[Item, ...]:
    """Everything of ``program`` a case can exercise, in the order written."""
    found = [Item(rule.kind, rule.label, rule.span.file, rule.span.line) for rule in program.rules.values()]
    found += [Item("exemption", e.label, e.span.file, e.span.line) for e in program.exemptions.values()]
    found += [Item("obligation", ob.name, ob.span.file, ob.span.line) for ob in program.obligations]
    found += [Item("action", action.name, action.span.file, action.span.line) for action in program.actions]
    for outcome in program.outcomes:
        table = outcome.table
        if table is None:
            continue
        rows, columns = program.scales[table.rows].levels, program.scales[table.columns].levels
        found += [Item("cell", _cell(outcome.name, row, column), table.span.file, table.span.line)
                  for row in rows for column in columns]
    return tuple(sorted(found, key=lambda item: (item.file, item.line)))


def _reached(program: Program, assessment: Any) -> set[tuple[str, str]]:
    """What one assessment reached for certain, as (kind, name) of items."""
    keys = {(entry.kind, entry.label) for entry in assessment.trace if entry.certain}
    keys |= {("obligation", ob.id) for ob in assessment.obligations if ob.required and ob.certain}
    keys |= {("action", action.name) for action in assessment.actions if action.certain}
    certain = {name: level for name, level in assessment.levels.items()
               if assessment.certain_levels.get(name) == level}
    for outcome in program.outcomes:
        table = outcome.table
        if table is not None and table.rows in certain and table.columns in certain:
            keys.add(("cell", _cell(outcome.name, certain[table.rows], certain[table.columns])))
    return keys


def measure(program: Program, assessments: Iterable[Any]) -> Coverage:
    """What the assessments of a ruleset's cases exercise, among its items
    (listed once, however many cases there are)."""
    found = items(program)
    reached: set[tuple[str, str]] = set()
    for assessment in assessments:
        reached |= _reached(program, assessment)
    return Coverage(found, frozenset(item for item in found if (item.kind, item.name) in reached))


def _cell(outcome: str, row: str, column: str) -> str:
    return f"{outcome}: {row} x {column}"
