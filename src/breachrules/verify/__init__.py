"""Proving rulesets consistent: solver-backed analysis and semantic diffs.

Needs the optional Z3 solver (``pip install "breachrules[verify]"``);
:func:`available` says whether it is installed, and nothing here imports
it until it is asked to prove something.

- :func:`analyse` proves what ``breachrules check`` reports beyond the
  compile checks: rules, exceptions, exemptions, obligations and actions
  that can never apply or never change anything, reachable conflicts,
  evaluations that can fail, and every invariant and declared
  monotonicity, each refutation with a small, valid incident.
- :func:`diff` finds every region of the input space where two rulesets
  decide differently (``breachrules diff OLD NEW``).

Proofs range over every *complete* incident the ruleset's validation
accepts (every fact known), exactly: integers as integers, durations and
instants to the microsecond. What cannot be encoded exactly is reported,
never approximated.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from breachrules.verify.findings import Analysis
    from breachrules.verify.regions import Diff


def available() -> bool:
    """Whether the solver is installed."""
    return importlib.util.find_spec("z3") is not None


def analyse(ruleset: Any) -> Analysis:
    """Prove a compiled ruleset (``breachrules.load(...)``) consistent, or
    refute it with counterexamples. Raises :class:`ImportError` without the solver."""
    from breachrules.verify import prover

    return prover.analyse(ruleset.program)


def diff(old: Any, new: Any) -> Diff:
    """Where two compiled rulesets decide differently, region by region."""
    from breachrules.verify import regions

    return regions.diff(old.program, new.program)


__all__ = ["analyse", "available", "diff"]
