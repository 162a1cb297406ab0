"""Bounded time: how the cost of loading and of open questions grows with size.

    python benchmarks/bounds.py [--repeat 3]

Every hostile shape from the "never a wrong or unsafe answer" issue, at a
small and a large size, compiled from text in this process (a fresh text
each time, so the compile cache never answers). Reported as the ratio of the
large time to the small one, next to the ratio of the sizes: linear growth
gives a time ratio near the size ratio, quadratic its square. Also the
exponential case of open questions: ``assess({})`` on
``define d_i = d_(i-1) and (d_(i-1) or a)`` at 20 and at 200 definitions,
in milliseconds (it took 10 s at 20 before open questions were memoised).

Dependency-free on purpose: the standard library and breachrules only.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import breachrules  # noqa: E402

HEAD = 'ruleset bound{n} version "1"\nscale risk: none < risk < high\nfact a: bool\nfact n: number\n'
RULE = 'because "m" cite "c"\n'


def flat_rules(size: int) -> str:
    return "".join(f"rule r{i} when a and n > {i} then risk >= risk {RULE}" for i in range(size))


def exceptions_to_one_rule(size: int) -> str:
    return f"rule base when a then risk >= high {RULE}" + "".join(
        f"exception e{i} to base when n == {i} {RULE}" for i in range(size))


def definition_chain(size: int) -> str:
    return "define d0 = a\n" + "".join(f"define d{i} = d{i - 1} and n > {i}\n" for i in range(1, size)) + (
        f"rule last when d{size - 1} then risk >= high {RULE}")


def backward_definition_chain(size: int) -> str:
    return "".join(f"define d{i} = d{i + 1} or n > {i}\n" for i in range(size)) + (
        f"define d{size} = a\nrule first when d0 then risk >= high {RULE}")


def big_enum(size: int) -> str:
    return "fact e: {" + ", ".join(f"m{i}" for i in range(size)) + "}\n"


def obligations_and_exemptions(size: int) -> str:
    return "".join(f'obligation o{i} when a says "o" cite "c"\nexemption x{i} to o{i} when n > {i} {RULE}'
                   for i in range(size))


SHAPES: dict[str, tuple[Callable[[int], str], int, int]] = {
    "flat rules": (flat_rules, 500, 4_000),
    "exceptions to one rule": (exceptions_to_one_rule, 500, 4_000),
    "definition chain": (definition_chain, 500, 4_000),
    "backward definition chain": (backward_definition_chain, 500, 4_000),
    "enum members": (big_enum, 1_000, 8_000),
    "obligations and exemptions": (obligations_and_exemptions, 250, 2_000),
}


def load_seconds(text: str, limits: breachrules.Limits) -> float:
    gc.collect()
    started = time.perf_counter()
    breachrules.loads(text, limits=limits)
    return time.perf_counter() - started


def open_question_chain(size: int) -> breachrules.Ruleset:
    chain = "".join(f"define d{i} = d{i - 1} and (d{i - 1} or a)\n" for i in range(1, size + 1))
    text = HEAD.format(n=f"q{size}") + "fact b: bool\ndefine d0 = b\n" + chain + (
        f"rule q when d{size} then risk >= high {RULE}")
    return breachrules.loads(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    limits = breachrules.Limits(max_members=10_000)
    print(f"{'shape':<28} {'sizes':>13} {'small ms':>9} {'large ms':>9} {'time x':>7} {'size x':>7}")
    for name, (make, small, large) in SHAPES.items():
        times = {}
        for size in (small, large):
            runs = [load_seconds(HEAD.format(n=f"{size}_{run}") + make(size), limits) for run in range(args.repeat)]
            times[size] = statistics.median(runs)
        print(f"{name:<28} {small:>6}/{large:<6} {times[small] * 1e3:>9.1f} {times[large] * 1e3:>9.1f} "
              f"{times[large] / times[small]:>7.1f} {large / small:>7.1f}")
    print()
    for size in (20, 200):
        rs = open_question_chain(size)
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            rs.assess({})
            runs.append(time.perf_counter() - started)
        print(f"assess({{}}) with {size} chained definitions: {statistics.median(runs) * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
