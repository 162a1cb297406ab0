"""The exit codes of the ``breachrules`` command, one meaning each.

A CI job or a script branches on the exit code before it reads a word of
the output, so each code says one thing, the same for every command:

====  ===============  =========================================================
Code  Name             Meaning
====  ===============  =========================================================
0     ``OK``           done: nothing to report
1     ``FINDINGS``     the command did its work and found what it looks for:
                       ``check`` problems in a ruleset (warnings, with
                       ``--strict``), ``test`` a failed case or coverage below
                       ``--threshold``, ``diff --fail-on`` a change of that
                       kind, ``fmt --check`` a file that would change
2     ``USAGE``        the command line is wrong: an unknown option or value,
                       a bad ``--timezone`` or ``--now``, options that cannot
                       go together, ``-k`` that selects no case
3     ``INPUT``        an incident or case file cannot be read or does not
                       fit (not JSON or TOML, not UTF-8, an invalid incident,
                       a case file with problems, none found)
4     ``RULESET``      a ruleset cannot be found, read or compiled (for
                       ``fmt``: parsed, or written back); for ``diff``, two
                       versions that cannot be compared exactly
5     ``EVALUATION``   the ruleset compiles but cannot evaluate this incident
                       (a division by zero, a value out of its range)
6     ``UNAVAILABLE``  the command needs an optional extra that is not
                       installed (``diff``, ``assess --exact``, without the solver)
====  ===============  =========================================================

``check`` reports a ruleset that does not compile as a finding (1): that
is what it is for. A file it cannot find or read at all is 4.

When one run meets several problems (``test`` over many files, ``check``
or ``fmt`` over many), the highest code wins, so 1 means "findings and
nothing worse": :func:`worst`. A usage error (2) stops the command before
it reads anything, so it never meets another.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    """What the ``breachrules`` command exits with; see the module docstring."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INPUT = 3
    RULESET = 4
    EVALUATION = 5
    UNAVAILABLE = 6

    @property
    def kind(self) -> str:
        """The name a JSON error document gives the code: ``input``, ``ruleset``..."""
        return self.name.lower()


def worst(codes: Iterable[int]) -> ExitCode:
    """The code of a run that met all of ``codes``: the highest, or OK for none."""
    return ExitCode(max(codes, default=ExitCode.OK))


__all__ = ["ExitCode", "worst"]
