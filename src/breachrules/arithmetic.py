"""The one arithmetic operation that needs a bound of its own.

Floats overflow to ``inf`` or raise, durations and instants raise past the
calendar, but Python's integers never overflow: ``d1 = d0 * d0`` repeated
thirty times builds a number with billions of digits, and the assessment
never ends. A product of whole numbers beyond ``LIMIT`` is therefore an
``OverflowError``, which both evaluation paths report as the positioned
``out_of_range`` error. Both call this one function, so they cannot differ.
"""

from __future__ import annotations

from typing import Any

LIMIT = 10**100


def times(a: Any, b: Any) -> Any:
    """``a * b``, refusing a whole-number product beyond ``LIMIT``. Checked on
    the value, not the declared type: a ``number`` fact given as a JSON
    integer is a Python ``int`` too."""
    product = a * b
    if product.__class__ is int and not -LIMIT <= product <= LIMIT:
        raise OverflowError("a whole number too large")
    return product
