"""First use in a fresh process: what ``import breachrules``,
``bundled("gdpr")``, the first ``assess`` and the first ``explain("fi")``
cost beyond starting Python (issue 12).

    python benchmarks/first_use.py [--n 21] [--python PATH]

Every step runs in a fresh interpreter, the steps taken in turn so that the
machine's noise falls on all of them alike, and each is reported as the
median of ``n`` runs beyond the median of ``python -c pass`` measured in the
same run. ``import attrs`` is shown as the floor: the library's classes are
attrs classes, so no first use costs less.

The subprocesses run without ``PYTHONDONTWRITEBYTECODE`` (after a warm-up
run that writes the bytecode caches), as an installed wheel would: a fresh
interpreter that compiles every module from source measures the compiler,
not the library.

Dependency-free on purpose: the standard library only (breachrules runs in
the subprocesses).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

# Target (issue 12): bundled("gdpr").assess(...) in a fresh process, beyond `python -c pass`.
TARGET_ASSESS_MS = 40.0

# A complete incident (every fact the gdpr rules read is known, so the generated fast
# path answers it; a test in tests/test_benchmark_decision.py keeps it complete).
COMPLETE = (
    "{'became_aware_at': '2026-11-20T09:30:00+02:00', 'breach_types': ['confidentiality'],"
    " 'data_categories': ['health', 'identity_number', 'contact'], 'subjects': 1,"
    " 'vulnerable_subjects': False, 'malicious': False, 'exposed_to': 'outsider',"
    " 'retrieval': 'not_retrieved', 'encryption': 'none', 'identifiability': 'direct', 'possible_harms': [],"
    " 'role': 'controller', 'significance': 'significant', 'password_hashing': 'state_of_the_art',"
    " 'hash_secret_compromised': False, 'recipients': 1, 'exposure_time': 'P2D', 'detection_delay': 'PT6H',"
    " 'key_compromised': False, 'restoration': 'complete', 'restore_time': 'PT1H', 'wrong_data_use': 'unused',"
    " 'high_risk_averted': False, 'contact_disproportionate': False}"
)
# The README's incident: facts left out, so the interpreter finds the open questions.
PARTIAL = (
    "{'breach_types': ['confidentiality'], 'data_categories': ['health'], 'subjects': 1,"
    " 'exposed_to': 'outsider', 'became_aware_at': '2026-11-20T09:30:00+02:00'}"
)

_LOAD = "import breachrules; rs = breachrules.bundled('gdpr')"

# (label, code, target in ms beyond `python -c pass` or None)
STEPS: tuple[tuple[str, str, float | None], ...] = (
    ("python -c pass", "pass", None),
    ("import attrs (floor)", "import attrs", None),
    ("import breachrules", "import breachrules", None),
    ('bundled("gdpr")', _LOAD, None),
    ('bundled("gdpr").assess(complete)', f"{_LOAD}; a = rs.assess({COMPLETE})", TARGET_ASSESS_MS),
    ('bundled("gdpr").assess(partial)', f"{_LOAD}; a = rs.assess({PARTIAL})", None),
    ('... + first explain("fi")', f"{_LOAD}; a = rs.assess({COMPLETE}); a.explain('fi')", None),
    ('bundled("fi-health").assess(complete)',
     f"import breachrules; rs = breachrules.bundled('fi-health'); a = rs.assess({COMPLETE})", None),
)


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def _once(python: str, code: str, environment: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-c", code], check=True, env=environment, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


_PREPARED = "from breachrules import prepared; print(all(prepared.bundled(n) for n in ('gdpr', 'fi-health')))"


def artefacts_current(python: str) -> bool:
    """Whether the bundled rulesets come from the artefacts prepared at build
    time; when they are stale the figures are those of compiling from source."""
    result = subprocess.run([python, "-c", _PREPARED], env=_environment(), capture_output=True, text=True)
    return result.stdout.strip() == "True"


def measure(python: str, n: int) -> dict[str, float]:
    """Median wall time of each step, in ms, the steps taken in turn."""
    environment = _environment()
    for _, code, _ in STEPS:  # warm-up: writes the bytecode caches, checks every step runs
        _once(python, code, environment)
    times: dict[str, list[float]] = {label: [] for label, _, _ in STEPS}
    for _ in range(n):
        for label, code, _ in STEPS:
            times[label].append(_once(python, code, environment))
    return {label: statistics.median(values) for label, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=21, help="fresh processes per step (median)")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    if not artefacts_current(args.python):
        print("warning: the prepared artefacts are stale or missing (rebuild: python -m breachrules.prepare);"
              " these figures are those of compiling from source")
    medians = measure(args.python, args.n)
    baseline = medians["python -c pass"]
    floor = medians["import attrs (floor)"] - baseline
    print(f"fresh processes, median of {args.n}; `python -c pass` = {baseline:.1f} ms")
    print(f"{'step':40} {'total ms':>9} {'beyond pass':>12} {'x attrs':>8}  target")
    failed = False
    for label, _, target in STEPS:
        total = medians[label]
        beyond = total - baseline
        ratio = f"{beyond / floor:.1f}" if floor > 0 and label != "python -c pass" else ""
        verdict = ""
        if target is not None:
            met = beyond <= target
            failed |= not met
            verdict = f"<= {target:.0f} ms: {'met' if met else 'NOT MET'}"
        print(f"{label:40} {total:9.1f} {beyond:12.1f} {ratio:>8}  {verdict}")
    explain = medians['... + first explain("fi")'] - medians['bundled("gdpr").assess(complete)']
    print(f'first explain("fi") alone: {explain:.1f} ms')
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
