"""Benchmark breachrules against hand-written Python on the benchmark
decision (shared/design/benchmark-decision.md), in one run.

    python benchmarks/run.py [--n 5000] [--rounds 7] [--seed 2026]

1. Builds ``n`` seeded random incidents, in JSON form (sets as lists), and
   the same incidents with their sets as Python sets, tuples and frozensets.
2. Checks that the ruleset (``benchmarks/decision.rules``) and the
   hand-written function agree on every one (risk and the three
   obligations), through every path timed; exits with status 1 on any
   disagreement.
3. Times each path, in ``rounds`` rounds: in each round, every path (the
   hand-written function among them) makes one pass over all incidents to
   warm up and one timed pass, and its time is divided by the hand-written
   function's in the same round. The figures are the medians over the
   rounds of the time per incident and of that ratio, against the targets
   of issue 12. Times are the CPU time of this thread: what other processes
   on the machine take is not counted, the rest of the noise is.

The paths: ``rs.decide(facts)`` on incidents validated beforehand (the
decision alone); ``rs.decide(incident)`` on the plain dict (validation and
decision in one call), with the sets given as lists, Python sets, tuples
and frozensets; ``rs.assess(incident)``, the full assessment with trace.

How the library scales with the size of a ruleset (``decide`` at 10,000
rules against 100) is ``benchmarks/scale.py``; first use in a fresh
process is ``benchmarks/first_use.py``.

Dependency-free on purpose: the standard library and breachrules only.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from handwritten import decide as handwritten  # noqa: E402
from incidents import random_incidents  # noqa: E402

import breachrules  # noqa: E402

DECISION_RULES = HERE / "decision.rules"
GDPR_RULES = ROOT / "rulesets" / "gdpr.rules"
OBLIGATIONS = ("notify_authority", "communicate_subjects", "document")

# Targets of issue 12, as multiples of the hand-written function in the same round.
TARGET_DECIDE_FACTS_X = 1.5
TARGET_DECIDE_DICT_X = 4.0
TARGET_ASSESS_X = 12.0


class Path_(NamedTuple):
    label: str
    function: Callable[[Any], Any]
    items: list[Any]
    target: float | None


# ------------------------------------------------------------------ incidents


def with_sets_as(kind: type, incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The incidents with every set (a list in JSON form) given as ``kind``."""
    return [{name: kind(value) if isinstance(value, list) else value for name, value in incident.items()}
            for incident in incidents]


# ------------------------------------------------------------------ agreement


def as_tuple(risk: str, required: Sequence[str]) -> tuple[str, bool, bool, bool]:
    """A breachrules answer in the hand-written function's shape."""
    return (risk, *(name in required for name in OBLIGATIONS))  # type: ignore[return-value]


def check_agreement(paths: list[Path_], incidents: list[dict[str, Any]]) -> list[str]:
    problems = []
    for path in paths[1:]:
        for i, (incident, item) in enumerate(zip(incidents, path.items, strict=True)):
            expected = handwritten(incident)
            answer = path.function(item)
            got = as_tuple(answer.risk, answer.required)
            if got != expected:
                problems.append(f"incident {i}: {path.label} gives {got}, hand-written gives {expected}\n"
                                f"  {incident}")
    return problems


# ------------------------------------------------------------------ timing


def one_pass(function: Callable[[Any], Any], items: list[Any]) -> float:
    """The CPU time per item of one pass, in microseconds, after one pass to warm up."""
    for item in items:
        function(item)
    start = time.thread_time_ns()
    for item in items:
        function(item)
    return (time.thread_time_ns() - start) / len(items) / 1000


def rounds(paths: list[Path_], count: int) -> dict[str, tuple[float, float]]:
    """Per path, the medians over ``count`` rounds of the time per item (us)
    and of its ratio to the first path's time in the same round."""
    times: dict[str, list[float]] = {path.label: [] for path in paths}
    ratios: dict[str, list[float]] = {path.label: [] for path in paths}
    for _ in range(count):
        gc.collect()
        base = None
        for path in paths:
            us = one_pass(path.function, path.items)
            base = base if base is not None else us
            times[path.label].append(us)
            ratios[path.label].append(us / base)
    return {label: (statistics.median(times[label]), statistics.median(ratios[label])) for label in times}


def compile_times(path: Path, runs: int = 20) -> dict[str, float]:
    """Median warm times (parser built) in ms: parse, check, code generation
    (both generated functions), and the three together, bypassing ``compile_chain``'s cache."""
    from breachrules import checker, loader, parser
    from breachrules.ruleset import Ruleset

    name, text = str(path), loader.read_file(path)
    parse = parser.parse.__wrapped__  # past parse's own cache of recent texts
    parse(text, name)  # build the Lark parser (warm-up)
    stages: dict[str, list[float]] = {"parse": [], "check": [], "codegen": [], "total": []}
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter_ns()
        module = parse(text, name)
        t1 = time.perf_counter_ns()
        program, diagnostics = checker.check([module])
        t2 = time.perf_counter_ns()
        assert program is not None and not diagnostics, diagnostics
        Ruleset(program, (loader.Source(name, text, None),), ()).compile()
        t3 = time.perf_counter_ns()
        for stage, ns in (("parse", t1 - t0), ("check", t2 - t1), ("codegen", t3 - t2),
                          ("total", t3 - t0)):
            stages[stage].append(ns / 1e6)
    return {stage: statistics.median(values) for stage, values in stages.items()}


# ------------------------------------------------------------------ report


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    options.add_argument("--n", type=int, default=5_000, help="incidents (default 5000)")
    options.add_argument("--rounds", type=int, default=7, help="rounds, median taken (default 7)")
    options.add_argument("--seed", type=int, default=2026, help="incident seed (default 2026)")
    args = options.parse_args(argv)

    print(f"Python {sys.version.split()[0]} on {sys.platform}, "
          f"breachrules {breachrules.__version__}, {os.cpu_count()} CPUs")
    incidents = random_incidents(args.n, args.seed)
    rs = breachrules.load(DECISION_RULES).compile()  # rs.decide is then the generated function itself
    paths = [
        Path_("hand-written Python", handwritten, incidents, None),
        Path_("rs.decide(facts), pre-validated", rs.decide, [rs.validate(i) for i in incidents],
              TARGET_DECIDE_FACTS_X),
        Path_("rs.decide(dict), sets as lists", rs.decide, incidents, TARGET_DECIDE_DICT_X),
        Path_("rs.decide(dict), sets as sets", rs.decide, with_sets_as(set, incidents), TARGET_DECIDE_DICT_X),
        Path_("rs.decide(dict), sets as tuples", rs.decide, with_sets_as(tuple, incidents), TARGET_DECIDE_DICT_X),
        Path_("rs.decide(dict), sets as frozensets", rs.decide, with_sets_as(frozenset, incidents),
              TARGET_DECIDE_DICT_X),
        Path_("rs.assess(dict), full, with trace", rs.assess, incidents, TARGET_ASSESS_X),
    ]

    problems = check_agreement(paths, incidents)
    if problems:
        print(f"DISAGREEMENT on {len(problems)} answers of {args.n} incidents:", file=sys.stderr)
        for problem in problems[:20]:
            print(problem, file=sys.stderr)
        return 1
    print(f"agreement: the ruleset and the hand-written function agree on all {args.n} incidents "
          f"(risk and {', '.join(OBLIGATIONS)}), on every path below")

    timed = rounds(paths, args.rounds)
    print()
    print(f"per incident, CPU time, median of {args.rounds} rounds over {args.n} incidents; "
          f"x hand: the ratio to the hand-written function in the same round (median)")
    print(f"{'path':<40}{'us':>8}{'x hand':>9}   target (issue 12)")
    missed = 0
    for path in paths:
        us, ratio = timed[path.label]
        goal = ""
        if path.target is not None:
            goal = f"<= {path.target:g}x  {verdict(ratio <= path.target)}"
            missed += ratio > path.target
        print(f"{path.label:<40}{us:>8.3f}{ratio:>9.2f}   {goal}")

    stages = compile_times(GDPR_RULES)
    print()
    print("compile rulesets/gdpr.rules, warm (parser built), median of 20, ms (no target)")
    print(f"  parse {stages['parse']:.2f} + check {stages['check']:.2f} + "
          f"code generation {stages['codegen']:.2f} = {stages['total']:.2f} ms")
    print()
    print("targets missed: none" if not missed else f"targets missed: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
