"""How long a report takes to render, in each language, against a baseline.

    python benchmarks/render.py [--example NAME] [--repeat 7] [--budget 0.2]

Builds the report of a bundled example (``examples/NAME.json`` under the
bundled ``gdpr`` ruleset, at a fixed moment) and prints, for fi, sv and en,
the median time per call of:

- ``report.to_markdown(locale)``: the Art. 33(5) record, the target of
  issue 12 (a warm call: catalogs and Babel loaded by a first call);
- ``report.notice(locale)``: the draft communication to the data subjects;
- ``assessment.explain(locale)``: the explanation as plain text;

and of two baselines measured in the same run: ``json.dumps`` of the
report's dict (``report.to_dict()``, the record as data), and an f-string
template filled with the same number of values as the record has lines.
Each figure is also given as a ratio against the first baseline, which is
what to compare between machines. The same figures are given for a report
not rendered before (a new report object each call, of the same incident),
and for another incident each call (the example with another number of
data subjects: its facts table and letter are new, its plans and
checklists were written before). The sections of a record are remembered
by what they are made of (record.py, notice.py, render.py), so the first
two columns find them; the last is what a stream of different incidents
costs.

Dependency-free: the standard library and breachrules only. Timings are
process time (CPU), so that other work on the machine disturbs them less.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TARGET_MARKDOWN_MS = 0.3  # issue 12: report.to_markdown("fi"), warm
LOCALES = ("fi", "sv", "en")
NOW = datetime(2027, 1, 1, 12, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def per_call_ms(function: Callable[[], Any], repeat: int, budget: float) -> float:
    """Median over ``repeat`` batches of the CPU time per call, in ms; a
    batch runs about ``budget`` seconds."""
    start = time.process_time()
    function()
    once = max(time.process_time() - start, 1e-6)
    calls = max(1, min(20_000, int(budget / once)))
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(calls):
            function()
        samples.append((time.process_time() - start) / calls * 1000)
    return statistics.median(samples)


def template_baseline(lines: int) -> Callable[[], str]:
    """An f-string per line of the record, each with two values: the least a
    renderer that builds its text line by line does."""
    values = [(f"label {i}", i * 7) for i in range(lines)]

    def fill() -> str:
        return "\n".join([f"- **{label}**: {value} ({value + 1})" for label, value in values])

    return fill


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    options.add_argument("--example", default="ransomware-hospital-30h", help="examples/NAME.json")
    options.add_argument("--repeat", type=int, default=7, help="batches per figure, median taken (default 7)")
    options.add_argument("--budget", type=float, default=0.2, help="seconds per batch (default 0.2)")
    args = options.parse_args(argv)

    import breachrules

    ruleset = breachrules.bundled("gdpr")
    incident = json.loads((EXAMPLES / f"{args.example}.json").read_text(encoding="utf-8"))
    facts = ruleset.validate(incident)
    report = ruleset.report(facts, now=NOW)
    for locale in LOCALES:  # the first call of each language loads its catalogs and Babel's data
        report.to_markdown(locale)
        report.notice(locale)
        report.assessment.explain(locale)

    def fresh() -> Any:
        return ruleset.report(facts, now=NOW)

    fresh_report = per_call_ms(fresh, args.repeat, args.budget)
    others = itertools.count(1_000)

    def another() -> Any:  # a number of data subjects not seen before: an incident not rendered before
        return ruleset.report({**incident, "subjects": next(others)}, now=NOW)

    another_report = per_call_ms(another, args.repeat, args.budget)
    lines = report.to_markdown("fi").count("\n")
    baseline = per_call_ms(lambda: json.dumps(report.to_dict()), args.repeat, args.budget)
    template = per_call_ms(template_baseline(lines), args.repeat, args.budget)

    print(f"Python {sys.version.split()[0]}, breachrules {breachrules.__version__}; "
          f"examples/{args.example}.json, median of {args.repeat}, CPU time")
    print(f"baselines: json.dumps(report.to_dict()) {baseline:.3f} ms; "
          f"f-string template of {lines} lines {template:.3f} ms")
    print(f"(building a report, for the figures of a new report below: {fresh_report:.3f} ms; "
          f"of another incident: {another_report:.3f} ms)")
    print()
    print(f"{'call':<32}{'locale':>7}{'ms':>9}{'x json':>8}{'new report ms':>15}{'x json':>8}"
          f"{'other incident ms':>19}{'x json':>8}")
    figures: dict[str, float] = {}
    for name, call in (("report.to_markdown", lambda r, loc: r.to_markdown(loc)),
                       ("report.notice", lambda r, loc: r.notice(loc)),
                       ("assessment.explain", lambda r, loc: r.assessment.explain(loc))):
        for locale in LOCALES:
            warm = per_call_ms(lambda call=call, locale=locale: call(report, locale), args.repeat, args.budget)
            new = per_call_ms(lambda call=call, locale=locale: call(fresh(), locale), args.repeat, args.budget)
            new -= fresh_report
            other = per_call_ms(lambda call=call, locale=locale: call(another(), locale), args.repeat, args.budget)
            other -= another_report
            figures[f"{name} {locale}"] = warm
            print(f"{name:<32}{locale:>7}{warm:>9.3f}{warm / baseline:>7.2f}x{new:>15.3f}{new / baseline:>7.2f}x"
                  f"{other:>19.3f}{other / baseline:>7.2f}x")
    markdown = figures["report.to_markdown fi"]
    print()
    print(f"target (issue 12): report.to_markdown(\"fi\") <= {TARGET_MARKDOWN_MS} ms: {markdown:.3f} ms  "
          f"{'ok' if markdown <= TARGET_MARKDOWN_MS else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
