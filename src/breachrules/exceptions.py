"""The root of every error the library raises, below every other module.

It sits lowest so that any module can raise a library error, the message
catalogs included (an unknown language is an error before any message can
be read). The errors that say what went wrong in the reader's language are
built on it in :mod:`breachrules.errors` and :mod:`breachrules.diagnostics`.
"""

from __future__ import annotations


class BreachrulesError(Exception):
    """Base of every error breachrules raises on purpose."""


class UnsupportedLocale(BreachrulesError, ValueError):
    """Raised for a locale with no catalogs (fi, sv and en have them)."""
