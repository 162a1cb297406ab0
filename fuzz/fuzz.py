#!/usr/bin/env python
"""Fuzz breachrules for a while, and list every non-library error it finds.

    python fuzz/fuzz.py --minutes 30 [--seed N]
    python fuzz/fuzz.py --replay fuzz/findings/03-incident-OverflowError.pickle

Runs the same kinds of input as ``tests/test_fuzz.py`` (the strategies and
checks live in ``tests/fuzzing.py``), round-robin, each round a Hypothesis
``@given(st.data())`` run of a few seconds. Unlike the tests it never stops
at a failure: every escape is recorded and the run goes on, because the
point of a long run is the whole list, not the first entry.

At the end it minimises one input per distinct failure (an exception type
at a place in the library) by replaying the recorded draws with parts
removed, saves each to ``fuzz/findings/`` (a readable ``.txt`` and a
``.pickle`` that ``--replay`` runs again), and prints, per kind, how many
inputs it tried and how many escaped.

Not collected by pytest: it lives outside ``tests/`` and is not named
``test_*``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import pickle
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, Verbosity, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from tests import fuzzing  # noqa: E402

FINDINGS = ROOT / "fuzz" / "findings"
PER_INPUT_SECONDS = 20.0  # longer than this is a finding of its own (a hang)
ROUND_SECONDS = 12.0
FUZZ_SHARE = 0.85
# Draws worth simplifying; the others (which bundled ruleset, which zone) are choices.
SHRINKABLE = frozenset({"ruleset", "text", "bytes", "incident"})  # of the budget; the rest minimises the findings

Kind = Callable[[fuzzing.Draw, fuzzing.Call], None]
Log = list[tuple[str, Any]]


# ---------------------------------------------------------------- bookkeeping


@dataclass
class Stats:
    tried: int = 0
    escaped: int = 0


@dataclass
class Finding:
    """One distinct failure, with the smallest input seen to cause it."""

    kind: str
    escape: fuzzing.Escape
    log: Log
    seen: Counter[str] = field(default_factory=Counter)

    def offer(self, kind: str, escape: fuzzing.Escape, log: Log) -> None:
        self.seen[kind] += 1
        if size(log) < size(self.log):
            self.kind, self.escape, self.log = kind, escape, log


def size(log: Log) -> int:
    """How big an input is, to keep the smallest of those that fail alike."""
    total = 0
    for _, value in log:
        try:
            total += len(repr(value))
        except ValueError:  # an int past sys.get_int_max_str_digits()
            total += 10_000
    return total


class RoundOver(BaseException):
    """Ends a Hypothesis run when its time slice is over (not a failure)."""


class Hang(BaseException):
    """One input ran for longer than PER_INPUT_SECONDS."""


class Diverged(BaseException):
    """A replayed input asked for more draws than were recorded."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise Hang()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def hang_escape(what: str) -> fuzzing.Escape:
    return fuzzing.Escape(what, "Timeout", f"one input ran for more than {PER_INPUT_SECONDS:.0f} s", what, "")


def run_once(kind: Kind, draw: fuzzing.Draw) -> list[fuzzing.Escape]:
    """One input of a kind: every escape it causes, a hang included."""
    recorder = fuzzing.Recorder()
    try:
        with time_limit(PER_INPUT_SECONDS):
            kind(draw, recorder)
    except Hang:
        recorder.escapes.append(hang_escape(getattr(kind, "__name__", "?")))
    return recorder.escapes


# ---------------------------------------------------------------- the fuzz loop


class Fuzzer:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.stats: dict[str, Stats] = {name: Stats() for name in fuzzing.KINDS}
        self.findings: dict[tuple[str, str], Finding] = {}
        self.rounds = 0

    def run(self, seconds: float) -> None:
        """Round-robin over the kinds until ``seconds`` have passed."""
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            for index, (name, kind) in enumerate(fuzzing.KINDS.items()):
                left = stop - time.monotonic()
                if left <= 0:
                    break
                self.round(name, kind, min(ROUND_SECONDS, left), self.seed * 1_000_003 + self.rounds * 97 + index)
            self.rounds += 1

    def round(self, name: str, kind: Kind, seconds: float, round_seed: int) -> None:
        stop_at = time.monotonic() + seconds
        stats = self.stats[name]

        @settings(max_examples=2000, deadline=None, database=None, verbosity=Verbosity.quiet,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @hypothesis_seed(round_seed)
        @given(st.data())
        def body(data: Any) -> None:
            log: Log = []

            def draw(strategy: st.SearchStrategy[Any], label: str) -> Any:
                value = data.draw(strategy, label=label)
                log.append((label, value))
                return value

            escapes = run_once(kind, draw)
            stats.tried += 1
            if escapes:
                stats.escaped += 1
            for escape in {e.signature: e for e in escapes}.values():
                self.note(name, escape, list(log))
            # at the end, after the draws: Hypothesis takes a run that stops
            # before drawing for flaky data generation
            if time.monotonic() > stop_at:
                raise RoundOver()

        try:
            body()
        except RoundOver:
            pass
        except Exception as error:  # noqa: BLE001 - Hypothesis itself gave up; say so and go on
            print(f"  [{name}] round ended early: {type(error).__name__}: {str(error)[:200]}", file=sys.stderr)

    def note(self, kind: str, escape: fuzzing.Escape, log: Log) -> None:
        finding = self.findings.get(escape.signature)
        if finding is None:
            finding = self.findings[escape.signature] = Finding(kind, escape, log)
            print(f"  new: [{kind}] {escape.type_name} at {escape.where} ({escape.what})", flush=True)
        finding.offer(kind, escape, log)


# ---------------------------------------------------------------- minimising


def replay(kind: Kind, values: list[Any]) -> list[fuzzing.Escape]:
    """Run a kind again on recorded draws, in order."""
    pending = iter(values)

    def draw(strategy: st.SearchStrategy[Any], label: str) -> Any:
        try:
            return next(pending)
        except StopIteration:
            raise Diverged() from None

    try:
        return run_once(kind, draw)
    except (Diverged, Exception):  # a simplified draw the kind cannot take: not the same failure
        return []


def candidates(value: Any, depth: int = 0) -> Iterator[Any]:
    """Simpler versions of a value, simplest-first-ish."""
    if isinstance(value, fuzzing.Mutant):
        for i in range(len(value.edits)):
            yield fuzzing.Mutant(value.name, value.edits[:i] + value.edits[i + 1:])
    elif isinstance(value, (str, bytes, list, tuple)):
        yield from _shorter(value)
        if isinstance(value, (list, tuple)) and depth < 3:
            for i, item in enumerate(value):
                for simpler in candidates(item, depth + 1):
                    yield type(value)([*value[:i], simpler, *value[i + 1:]])
    elif isinstance(value, dict):
        for key in list(value):
            yield {k: v for k, v in value.items() if k != key}
        if depth < 3:
            for key, item in list(value.items()):
                for simpler in candidates(item, depth + 1):
                    yield {**value, key: simpler}
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and value not in (0, 1):
        yield 0
    elif isinstance(value, float) and value == value and value != 0:
        yield 0.0


def _shorter(value: Any) -> Iterator[Any]:
    """Delta debugging's chunks: halves, quarters, ... single elements."""
    length = len(value)
    if length and not isinstance(value, (list, tuple)):
        yield value[:0]
    chunk = length // 2
    while chunk >= 1:
        for start in range(0, length, chunk):
            yield value[:start] + value[start + chunk:]
        chunk //= 2


def minimise(finding: Finding, seconds: float) -> None:
    """Greedy: accept any simpler draw that still fails the same way."""
    kind = fuzzing.KINDS[finding.kind]
    labels = [label for label, _ in finding.log]
    values = [value for _, value in finding.log]
    stop = time.monotonic() + seconds
    wanted = finding.escape.signature
    progress = True
    while progress and time.monotonic() < stop:
        progress = False
        for position in range(len(values)):
            if labels[position] not in SHRINKABLE:
                continue
            for simpler in candidates(values[position]):
                if time.monotonic() > stop:
                    break
                trial = values[:position] + [simpler] + values[position + 1:]
                hit = next((e for e in replay(kind, trial) if e.signature == wanted), None)
                if hit is not None:
                    values, finding.escape, progress = trial, hit, True
                    break
    finding.log = list(zip(labels, values, strict=False))


# ---------------------------------------------------------------- saving and printing


def safe_repr(value: Any, limit: int = 4000) -> str:
    try:
        text = repr(value)
    except ValueError:
        text = f"<int of {value.bit_length()} bits>" if isinstance(value, int) else "<unrepresentable>"
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def describe_input(log: Log) -> list[str]:
    lines = []
    for label, value in log:
        lines.append(f"{label} = {safe_repr(value)}")
        if isinstance(value, fuzzing.Mutant):
            source = fuzzing.bundled_text(value.name).splitlines(keepends=True)
            diff = difflib.unified_diff(source, value.text.splitlines(keepends=True),
                                        f"rulesets/{value.name}.rules", "mutant", n=1)
            lines += ["  diff:"] + ["    " + line.rstrip("\n") for line in diff]
    return lines


def save(findings: list[Finding]) -> list[Path]:
    FINDINGS.mkdir(parents=True, exist_ok=True)
    for old in FINDINGS.glob("*"):
        if old.suffix in (".txt", ".pickle", ".rules"):
            old.unlink()
    paths = []
    for number, finding in enumerate(findings, 1):
        e = finding.escape
        stem = f"{number:02d}-{finding.kind}-{e.type_name.replace(' ', '_')}"
        text = [
            f"{e.type_name} at {e.where}",
            f"call: {e.what}",
            f"message: {e.message}",
            "inputs seen to fail, by kind: " + ", ".join(f"{k} {n}" for k, n in finding.seen.most_common()),
            "",
            f"minimal input (kind {finding.kind}; draws in order):",
            *("  " + line for line in describe_input(finding.log)),
            "",
            f"replay: python fuzz/fuzz.py --replay fuzz/findings/{stem}.pickle",
            "",
            "traceback (last lines):",
            e.traceback,
        ]
        (FINDINGS / f"{stem}.txt").write_text("\n".join(text), encoding="utf-8", errors="backslashreplace")
        try:
            (FINDINGS / f"{stem}.pickle").write_bytes(pickle.dumps((finding.kind, finding.log)))
        except Exception as error:  # noqa: BLE001 - the .txt still says it all
            print(f"  could not pickle {stem}: {error}", file=sys.stderr)
        for label, value in finding.log:
            ruleset = value.text if isinstance(value, fuzzing.Mutant) else value if label == "ruleset" else None
            if isinstance(ruleset, str):
                (FINDINGS / f"{stem}.rules").write_text(ruleset, encoding="utf-8", errors="surrogatepass")
        paths.append(FINDINGS / f"{stem}.txt")
    return paths


def print_table(fuzzer: Fuzzer, elapsed: float) -> None:
    distinct = Counter(f.kind for f in fuzzer.findings.values())
    print(f"\nfuzzed for {elapsed / 60:.1f} min, {fuzzer.rounds} rounds, seed {fuzzer.seed}\n")
    print(f"{'kind':<10} {'tried':>8} {'escaped':>8} {'distinct':>9}")
    for name, stats in fuzzer.stats.items():
        seen_in = sum(1 for f in fuzzer.findings.values() if name in f.seen)
        print(f"{name:<10} {stats.tried:>8} {stats.escaped:>8} {seen_in:>9}")
    tried = sum(s.tried for s in fuzzer.stats.values())
    escaped = sum(s.escaped for s in fuzzer.stats.values())
    print(f"{'total':<10} {tried:>8} {escaped:>8} {len(fuzzer.findings):>9}")
    del distinct


def print_findings(findings: list[Finding], paths: list[Path]) -> None:
    print(f"\n{len(findings)} distinct non-library error(s):")
    for number, (finding, path) in enumerate(zip(findings, paths, strict=True), 1):
        e = finding.escape
        print(f"\n{number}. {e.type_name} at {e.where}")
        print(f"   call: {e.what}")
        print(f"   message: {e.message}")
        print("   seen in: " + ", ".join(f"{k} ({n} inputs)" for k, n in finding.seen.most_common()))
        for line in describe_input(finding.log)[:40]:
            print("   " + line[:300])
        print(f"   saved: {path.relative_to(ROOT)}")


def replay_file(path: Path) -> int:
    kind, log = pickle.loads(path.read_bytes())  # noqa: S301 - our own findings file
    escapes = replay(fuzzing.KINDS[kind], [value for _, value in log])
    for escape in escapes:
        print(escape.describe())
    print(f"{len(escapes)} escape(s)")
    return 1 if escapes else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="time budget, minimising included")
    parser.add_argument("--seed", type=int, default=None, help="for a run that can be repeated")
    parser.add_argument("--replay", type=Path, default=None, help="run a saved finding again")
    args = parser.parse_args(argv)
    if args.replay is not None:
        return replay_file(args.replay)
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    fuzzer = Fuzzer(seed)
    budget = args.minutes * 60
    start = time.monotonic()
    print(f"fuzzing for {args.minutes:g} min, seed {seed}; kinds: {', '.join(fuzzing.KINDS)}", flush=True)
    fuzzer.run(budget * FUZZ_SHARE)
    findings = sorted(fuzzer.findings.values(), key=lambda f: (f.kind, f.escape.type_name, f.escape.where))
    share = max(3.0, (budget - (time.monotonic() - start)) / max(1, len(findings)))
    for finding in findings:
        minimise(finding, share)
    paths = save(findings)
    print_table(fuzzer, time.monotonic() - start)
    print_findings(findings, paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
