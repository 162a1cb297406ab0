"""Benchmark breachrules against hand-written Python on the benchmark
decision (shared/design/benchmark-decision.md), in one run.

    python benchmarks/run.py [--n 10000] [--repeat 5] [--seed 2026]

1. Builds ``n`` seeded random incidents.
2. Checks that the ruleset (``benchmarks/decision.rules``) and the
   hand-written function agree on every one (risk and the three
   obligations), through ``decide`` on facts, ``decide`` on the dict and
   ``assess``; exits with status 1 on any disagreement.
3. Times, as medians over ``repeat`` passes over all incidents: the
   hand-written function, ``rs.decide(facts)`` (decision alone),
   ``rs.decide(dict)`` (validation + decision) and ``rs.assess(dict)`` (full
   assessment with trace); the warm compile time of ``rulesets/gdpr.rules``
   (median of 20); and the time of ``import breachrules`` in a fresh
   interpreter (median of 10).

Dependency-free on purpose: the standard library and breachrules only.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from handwritten import decide as handwritten  # noqa: E402
from incidents import random_incidents  # noqa: E402

import breachrules  # noqa: E402

DECISION_RULES = HERE / "decision.rules"
GDPR_RULES = ROOT / "rulesets" / "gdpr.rules"
OBLIGATIONS = ("notify_authority", "communicate_subjects", "document")

# Targets, as multiples of the hand-written function or absolute times.
TARGET_DECIDE_X = 3.0
TARGET_ASSESS_X = 30.0
TARGET_COMPILE_MS = 50.0
TARGET_IMPORT_MS = 150.0


# ------------------------------------------------------------------ agreement

def as_tuple(risk: str, required: Sequence[str]) -> tuple[str, bool, bool, bool]:
    """A breachrules answer in the hand-written function's shape."""
    return (risk, *(name in required for name in OBLIGATIONS))  # type: ignore[return-value]


def check_agreement(rs: Any, incidents: list[dict[str, Any]],
                    facts: list[Any]) -> list[str]:
    problems = []
    for i, (incident, validated) in enumerate(zip(incidents, facts, strict=True)):
        expected = handwritten(incident)
        on_facts, on_dict = rs.decide(validated), rs.decide(incident)
        assessment = rs.assess(incident)
        answers = {
            "decide(facts)": as_tuple(on_facts.risk, on_facts.required),
            "decide(dict)": as_tuple(on_dict.risk, on_dict.required),
            "assess(dict)": as_tuple(assessment.risk, assessment.required),
        }
        for path, got in answers.items():
            if got != expected:
                problems.append(f"incident {i}: {path} gives {got}, hand-written gives {expected}\n"
                                f"  {incident}")
    return problems


# ------------------------------------------------------------------ timing

def time_per_item(function: Callable[[Any], Any], items: list[Any], repeat: int) -> float:
    """Median over ``repeat`` passes of the time per item, in microseconds."""
    samples = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter_ns()
        for item in items:
            function(item)
        samples.append((time.perf_counter_ns() - start) / len(items) / 1000)
    return statistics.median(samples)


def loop_overhead(items: list[Any], repeat: int) -> float:
    """The cost of the timing loop itself with a trivial call, in us per item."""
    return time_per_item(id, items, repeat)


def compile_times(path: Path, runs: int = 20) -> dict[str, float]:
    """Median warm times (parser built) in ms: parse, check, code generation
    (``Ruleset``), and the three together, bypassing ``compile_chain``'s cache."""
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
        Ruleset(program, (loader.Source(name, text, None),), ())
        t3 = time.perf_counter_ns()
        for stage, ns in (("parse", t1 - t0), ("check", t2 - t1), ("codegen", t3 - t2),
                          ("total", t3 - t0)):
            stages[stage].append(ns / 1e6)
    return {stage: statistics.median(values) for stage, values in stages.items()}


def subprocess_ms(code: str, runs: int) -> float:
    """Median wall time in ms of ``python -c code`` in a fresh interpreter."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(samples)


def importtime_ms(module: str, runs: int) -> float:
    """Median of ``-X importtime``'s cumulative figure for ``module``, in ms."""
    samples = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                              check=True, capture_output=True, text=True)
        for line in done.stderr.splitlines():
            parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[2] == module:
                samples.append(int(parts[1]) / 1000)
    return statistics.median(samples) if samples else float("nan")


# ------------------------------------------------------------------ report

def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--n", type=int, default=10_000, help="incidents (default 10000)")
    options.add_argument("--repeat", type=int, default=5, help="passes per timing (default 5)")
    options.add_argument("--seed", type=int, default=2026, help="incident seed (default 2026)")
    options.add_argument("--import-runs", type=int, default=10,
                         help="fresh interpreters (default 10)")
    args = options.parse_args(argv)

    print(f"Python {sys.version.split()[0]} on {sys.platform}, "
          f"breachrules {breachrules.__version__}, {os.cpu_count()} CPUs")
    incidents = random_incidents(args.n, args.seed)
    rs = breachrules.load(DECISION_RULES)
    facts = [rs.validate(incident) for incident in incidents]

    problems = check_agreement(rs, incidents, facts)
    if problems:
        print(f"DISAGREEMENT on {len(problems)} answers of {args.n} incidents:", file=sys.stderr)
        for problem in problems[:20]:
            print(problem, file=sys.stderr)
        return 1
    print(f"agreement: the ruleset and the hand-written function agree on all {args.n} incidents "
          f"(risk and {', '.join(OBLIGATIONS)}; decide(facts), decide(dict) and assess(dict))")

    decide, assess = rs.decide, rs.assess
    overhead = loop_overhead(incidents, args.repeat)
    timings = [
        ("hand-written Python", time_per_item(handwritten, incidents, args.repeat), None),
        ("rs.decide(facts): decision alone", time_per_item(decide, facts, args.repeat),
         TARGET_DECIDE_X),
        ("rs.decide(dict): validation + decision", time_per_item(decide, incidents, args.repeat),
         None),
        ("rs.assess(dict): full assessment", time_per_item(assess, incidents, args.repeat),
         TARGET_ASSESS_X),
    ]
    base = timings[0][1]
    print()
    print(f"per incident, median of {args.repeat} passes over {args.n} incidents "
          f"(loop + call overhead {overhead:.3f} us, included)")
    print(f"{'path':<42}{'us':>9}{'x hand':>9}   target")
    for label, us, target in timings:
        goal = f"<= {target:g}x  {verdict(us / base <= target)}" if target else ""
        print(f"{label:<42}{us:>9.3f}{us / base:>9.2f}   {goal}")

    stages = compile_times(GDPR_RULES)
    print()
    print("compile rulesets/gdpr.rules, warm (parser built), median of 20, ms")
    print(f"  parse {stages['parse']:.2f} + check {stages['check']:.2f} + "
          f"codegen {stages['codegen']:.2f} = {stages['total']:.2f} ms   "
          f"target < {TARGET_COMPILE_MS:g} ms  {verdict(stages['total'] < TARGET_COMPILE_MS)}")

    runs = args.import_runs
    empty = subprocess_ms("pass", runs)
    imported = subprocess_ms("import breachrules", runs)
    first_use = subprocess_ms(f"import breachrules; breachrules.load({str(GDPR_RULES)!r})", runs)
    self_reported = importtime_ms("breachrules", runs)
    import_ms = imported - empty
    print()
    print(f"import breachrules in a fresh interpreter, median of {runs}, ms")
    print(f"  python -c 'import breachrules' minus python -c 'pass': {import_ms:.1f} ms   "
          f"target < {TARGET_IMPORT_MS:g} ms  {verdict(import_ms < TARGET_IMPORT_MS)}")
    print(f"  -X importtime, cumulative for breachrules: {self_reported:.1f} ms")
    print(f"  (first use, not a target: import + load gdpr.rules cold: {first_use - empty:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
