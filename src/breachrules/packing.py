"""The result of a generated function, packed into one integer.

The generated functions (:mod:`breachrules.codegen`) do not build their
result per incident: they set bits, and the ruleset keeps one shared,
read-only result per distinct integer (:mod:`breachrules.ruleset`). An
integer costs one hash to look up, where a tuple of tuples of levels,
obligations and fired rules costs a hash of each part. This module says
where each part sits, for the code that writes the bits and the code that
reads them back, so that the two cannot disagree.

- A decision (``decide``): each outcome's level, then a bit per obligation
  that is required.
- A trace (``assess``): a bit per rule and exception, in the order the
  trace lists them; a bit per exemption of an obligation, in the order the
  interpreter reads them; each outcome's level; per obligation, whether it
  is required, which of its exemptions lifted it first and which obligation
  it is required instead of; a bit per action whose condition holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from breachrules.program import Program


def width(count: int) -> int:
    """Bits for an index of ``count`` values (at least one)."""
    return max(1, (count - 1).bit_length())


def level_key(program: Program, levels: tuple[int, ...]) -> int:
    """The levels of a decision key (the obligations' bits all clear)."""
    return level_key_of(tuple(len(o.levels) for o in program.outcomes), levels)


def level_key_of(counts: tuple[int, ...], levels: tuple[int, ...]) -> int:
    """:func:`level_key` of outcomes of ``counts`` levels each."""
    key, shift = 0, 0
    for count, level in zip(counts, levels, strict=True):
        key |= level << shift
        shift += width(count)
    return key


def unpack(program: Program, key: int) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """The levels and obligation flags packed into a decision key."""
    levels = []
    for outcome in program.outcomes:
        bits = width(len(outcome.levels))
        levels.append(key & ((1 << bits) - 1))
        key >>= bits
    flags = []
    for _ in program.obligations:
        flags.append(bool(key & 1))
        key >>= 1
    return tuple(levels), tuple(flags)


def trace_order(program: Program) -> list[str]:
    """Rules and exceptions in the order a trace lists them: declaration
    order, each base rule before its exceptions (as the interpreter records)."""
    order: list[str] = []
    stack = [r.label for r in reversed(list(program.rules.values())) if r.kind == "rule"]
    while stack:
        label = stack.pop()
        order.append(label)
        stack.extend(reversed(program.rules[label].exceptions))
    return order


class TraceLayout:
    """Where each part of a trace sits in its key. An exemption and an
    ``instead`` are written as a code: 0 for none, else one more than the
    index of the exemption among its obligation's, or of the obligation
    among those that can be required instead of this one."""

    def __init__(self, program: Program) -> None:
        # what reading a key back needs of the program, and nothing more (a
        # bundled ruleset's layout is prepared with it: see ruleset.Kit)
        self.outcomes = tuple((o.name, width(len(o.levels))) for o in program.outcomes)
        self.obligations = tuple((ob.name, ob.exemptions) for ob in program.obligations)
        self.actions = len(program.actions)
        self.rules = trace_order(program)
        self.rule_bit = {label: bit for bit, label in enumerate(self.rules)}
        self.exemptions = [(label, ob.name) for ob in program.instead_order() for label in ob.exemptions]
        self.exemption_bit = {pair: len(self.rules) + i for i, pair in enumerate(self.exemptions)}
        shift = len(self.rules) + len(self.exemptions)
        self.level_shift: dict[str, int] = {}
        for outcome in program.outcomes:
            self.level_shift[outcome.name] = shift
            shift += width(len(outcome.levels))
        # the obligations each may be required instead of, in the order they are read
        self.sources: dict[str, list[str]] = {}
        for ob in program.instead_order():
            for label in ob.exemptions:
                target = program.exemptions[label].instead
                if target and ob.name not in self.sources.setdefault(target, []):
                    self.sources[target].append(ob.name)
        self.required_shift: dict[str, int] = {}
        self.exempted_shift: dict[str, int] = {}
        self.instead_shift: dict[str, int] = {}
        for ob in program.obligations:
            self.required_shift[ob.name] = shift
            self.exempted_shift[ob.name] = shift + 1
            shift += 1 + len(ob.exemptions).bit_length()
            self.instead_shift[ob.name] = shift
            shift += len(self.sources.get(ob.name, ())).bit_length()
        self.action_shift = shift

    def unpack(self, key: int) -> tuple[tuple[int, ...], tuple[Any, ...], list[Any], tuple[bool, ...]]:
        """The levels, the obligations' (required, exempted by, instead of),
        what fired (rule labels, then (exemption, obligation) pairs) and the
        actions' flags of a trace key."""
        def field(shift: int, bits: int) -> int:
            return (key >> shift) & ((1 << bits) - 1)

        fired: list[Any] = [label for bit, label in enumerate(self.rules) if key >> bit & 1]
        fired += [pair for pair in self.exemptions if key >> self.exemption_bit[pair] & 1]
        levels = tuple(field(self.level_shift[name], bits) for name, bits in self.outcomes)
        statuses = []
        for name, exemptions in self.obligations:
            exempted = field(self.exempted_shift[name], len(exemptions).bit_length())
            sources = self.sources.get(name, [])
            instead = field(self.instead_shift[name], len(sources).bit_length())
            statuses.append((bool(key >> self.required_shift[name] & 1),
                             exemptions[exempted - 1] if exempted else None,
                             sources[instead - 1] if instead else None))
        acts = tuple(bool(key >> (self.action_shift + i) & 1) for i in range(self.actions))
        return levels, tuple(statuses), fired, acts
