"""Programs changed by one step, to ask what that step does.

Whether an exception changes anything is whether the program without it
decides differently somewhere: the same program with the exception taken
out of its base's list is encoded over the same facts and compared.
"""

from __future__ import annotations

import attrs

from breachrules.program import Program


def without(program: Program, label: str) -> Program:
    """``program`` with the rule or exception ``label`` (and so everything
    only it leads to) taken out."""
    rule = program.rules[label]
    rules = dict(program.rules)
    del rules[label]
    if rule.base is not None:
        base = rules[rule.base]
        rules[rule.base] = attrs.evolve(base, exceptions=tuple(e for e in base.exceptions if e != label))
        return attrs.evolve(program, rules=rules)
    outcomes = tuple(attrs.evolve(o, roots=tuple(r for r in o.roots if r != label)) for o in program.outcomes)
    return attrs.evolve(program, rules=rules, outcomes=outcomes)
