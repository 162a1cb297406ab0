"""Seeded random incidents for the benchmark decision, in JSON form (sets
as lists, enums as strings), respecting the fact table of
shared/design/benchmark-decision.md."""

from __future__ import annotations

import random
from typing import Any

BREACH_TYPES = ("confidentiality", "integrity", "availability")
DATA_CATEGORIES = (
    "contact", "identity_number", "financial", "health", "special_category",
    "credentials_hashed", "credentials_plain", "children", "criminal",
)
ENCRYPTION = ("none", "weak", "state_of_the_art")
BOOLS = (
    "vulnerable_subjects", "malicious", "exfiltration", "key_compromised",
    "backup_available", "recipient_trusted", "data_retrieved",
)


def _subset(rng: random.Random, members: tuple[str, ...], p: float) -> list[str]:
    """A non-empty subset, each member in with probability ``p``."""
    chosen = [m for m in members if rng.random() < p]
    return chosen or [rng.choice(members)]


def _restored_hours(rng: random.Random) -> float:
    roll = rng.random()
    if roll < 0.15:
        return 0.0
    if roll < 0.20:
        return rng.choice((4.0, 24.0))  # the thresholds themselves: "> 4", "> 24"
    if roll < 0.90:
        return rng.uniform(0.0, 48.0)
    return 48.0 + rng.expovariate(1 / 120)  # a long tail: days, weeks


def random_incident(rng: random.Random) -> dict[str, Any]:
    incident: dict[str, Any] = {
        "breach_types": _subset(rng, BREACH_TYPES, 0.45),
        "data_categories": _subset(rng, DATA_CATEGORIES, 0.15),
        # Log-uniform from 1 to 100,000 people: most breaches are small.
        "subjects": max(1, int(10 ** rng.uniform(0.0, 5.0))),
        "encrypted": rng.choice(ENCRYPTION),
        "restored_hours": _restored_hours(rng),
    }
    for name in BOOLS:
        incident[name] = rng.random() < 0.5
    return incident


def random_incidents(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` incidents; the same ``seed`` always gives the same list."""
    rng = random.Random(seed)
    return [random_incident(rng) for _ in range(n)]
