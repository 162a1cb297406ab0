"""Shared test setup.

Hypothesis profiles: ``default`` keeps the whole run to a few minutes on two
cores; ``thorough`` is for long local fuzzing
(``HYPOTHESIS_PROFILE=thorough python -m pytest``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent

# tests/test_pytest_plugin.py runs pytest on small repositories of rulesets and cases
pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def gdpr():  # type: ignore[no-untyped-def]
    import breachrules

    return breachrules.bundled("gdpr")
