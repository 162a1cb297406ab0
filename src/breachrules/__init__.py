"""breachrules: executable, explainable, testable rules for GDPR personal
data breaches.

    >>> import breachrules
    >>> rs = breachrules.bundled("gdpr")
    >>> a = rs.assess({"breach_types": ["confidentiality"], ...})
    >>> a.risk, a.obligations, a.provisional, a.open_questions
    >>> print(a.explain("fi"))

The heavy parts (Lark, Babel, the compiler) load on first use, so importing
the package stays cheap for applications that only sometimes assess.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from breachrules.errors import ArgumentError, BreachrulesError, EvaluationError

if TYPE_CHECKING:
    from breachrules.assessment import Assessment
    from breachrules.diagnostics import RulesetError
    from breachrules.extra_keys import ExtraKeyWarning
    from breachrules.incident import IncidentError
    from breachrules.limits import Limits
    from breachrules.ruleset import Decision, Ruleset

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "Assessment",
    "BreachrulesError",
    "Decision",
    "EvaluationError",
    "ExtraKeyWarning",
    "IncidentError",
    "Limits",
    "Ruleset",
    "RulesetError",
    "bundled",
    "bundled_names",
    "load",
    "loads",
]


def load(path: str | os.PathLike[str], *, limits: Limits | None = None) -> Ruleset:
    """Compile the ruleset in the file at ``path``.

    Its ``extends "file"`` may only name files inside its own directory
    tree, its catalogs come from the ``locale`` directory beside it, and
    ``limits`` bound what is read (see ``docs/security.md``). Raises
    :class:`RulesetError` listing every problem found.
    """
    from breachrules import loader
    from breachrules.limits import DEFAULT

    return loader.load_file(path, limits or DEFAULT)  # type: ignore[return-value]


def loads(text: str, *, base: str | os.PathLike[str] | None = None,
          catalogs: str | os.PathLike[str] | None = None, limits: Limits | None = None) -> Ruleset:
    """Compile ruleset text, as :func:`json.loads` reads JSON text.

    Text reads nothing from disk unless the caller allows it: ``extends``
    may name bundled rulesets, and files only inside the ``base``
    directory; its catalogs come only from the ``catalogs`` directory.
    """
    from breachrules import loader
    from breachrules.limits import DEFAULT

    return loader.load_text(text, base=base, catalogs=catalogs, limits=limits or DEFAULT)  # type: ignore[return-value]


def bundled(name: str) -> Ruleset:
    """One of the rulesets that ship with the library, by name.

    The package holds each compiled at build time; that form is used when
    every file of its chain still reads as it did then (see
    :mod:`breachrules.prepared`), and the ruleset is compiled otherwise:
    the same ruleset either way, only sooner."""
    from breachrules import prepared, resources

    path = resources.bundled_path(name) if isinstance(name, str) else None
    if path is None:
        from breachrules.diagnostics import Diagnostic, RulesetError
        from breachrules.spans import Span

        where = Span("<bundled>", 1, 1, 1, 1)
        available = ", ".join(resources.bundled_names())
        raise RulesetError([Diagnostic.make("BR502", where, name=name, available=available)], {})
    return prepared.bundled(name) or load(path)


def bundled_names() -> list[str]:
    from breachrules import resources

    return resources.bundled_names()


def __getattr__(name: str) -> Any:
    # The public classes, imported on first use.
    homes = {
        "Assessment": "breachrules.assessment",
        "RulesetError": "breachrules.diagnostics",
        "IncidentError": "breachrules.incident",
        "Decision": "breachrules.ruleset",
        "ExtraKeyWarning": "breachrules.extra_keys",
        "Limits": "breachrules.limits",
        "Ruleset": "breachrules.ruleset",
    }
    if name in homes:
        import importlib

        return getattr(importlib.import_module(homes[name]), name)
    raise AttributeError(f"module 'breachrules' has no attribute {name!r}")
