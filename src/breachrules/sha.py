"""SHA-256 from the interpreter's own implementation.

The library hashes a few files and texts, to check that what it prepared
at build time still fits them (:mod:`breachrules.prepared`) and to name the
words a result was made with (:mod:`breachrules.vocabulary`). ``hashlib``
loads OpenSSL as it is imported, 2 ms of a first assessment's 35; CPython's
built-in module gives the same digests without it. Another Python has
``hashlib``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        from _sha2 import sha256  # CPython 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256  # CPython 3.11
        except ImportError:  # not CPython
            from hashlib import sha256

__all__ = ["sha256"]
