"""The benchmark decision (shared/design/benchmark-decision.md) written by
hand in plain Python: the baseline every engine is compared with.

``incident`` is the JSON form an application receives: sets are lists (or
any container), enums are strings. No validation, as a hand-written check
would usually do it.
"""

from __future__ import annotations

from typing import Any

# D2: data whose exposure can harm people seriously.
SENSITIVE = frozenset({
    "health", "special_category", "criminal", "children",
    "identity_number", "financial", "credentials_plain",
})

# (risk, notify_authority, communicate_subjects, document)
HIGH = ("high", True, True, True)
RISK = ("risk", True, False, True)
NONE = ("none", False, False, True)


def decide(incident: dict[str, Any]) -> tuple[str, bool, bool, bool]:
    """(risk, notify, communicate, document) for one incident."""
    types = incident["breach_types"]
    categories = incident["data_categories"]
    # D1: encrypted with a strong algorithm whose key is safe.
    mitigated = incident["encrypted"] == "state_of_the_art" and not incident["key_compromised"]
    # D4 (with D3: a trusted recipient gave the data back).
    exposed = (
        "confidentiality" in types
        and not mitigated
        and not (incident["recipient_trusted"] and incident["data_retrieved"])
    )
    unavailable = "availability" in types

    if exposed and (incident["vulnerable_subjects"] or not SENSITIVE.isdisjoint(categories)):
        return HIGH  # H1, H4
    if unavailable and "health" in categories and incident["restored_hours"] > 24:
        return HIGH  # H2
    if (incident["malicious"] and incident["exfiltration"] and not mitigated
            and incident["subjects"] > 100):
        return HIGH  # H3

    if exposed or "integrity" in types:
        return RISK  # R1, R2
    if unavailable and (not incident["backup_available"] or incident["restored_hours"] > 4):
        return RISK  # R3
    return NONE
