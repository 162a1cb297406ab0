"""How long ``breachrules check`` takes to prove a ruleset, against compiling it.

    python benchmarks/check.py [--repeat 1] [--copies 10] [--budget 120] [--no-cli] [--keep DIR]

The issue asks for ``breachrules check`` on the bundled gdpr ruleset in
under 10 s on a 2-core machine, and for a measurement (figures, not a timed
test) on a ruleset ten times its size. Solver time depends on the machine
and on its load far more than compile time does, so, as in the other
benchmarks, the proof is reported as a ratio against a baseline measured in
the same run: compiling the same ruleset (``breachrules.load``: read, parse,
check, generate code, with the compile and parse caches cleared so nothing
is answered from them; the Lark parser stays built), plus the absolute
seconds of both.

For each ruleset, median of ``--repeat`` passes:

- rules (rules and exceptions) and facts, as the compiled program has them;
- compile seconds (median of at least ten, ``--repeat`` if more);
  ``breachrules.verify.analyse`` seconds on the compiled
  ruleset, in a child process (z3 imported before the clock starts) so
  that an analysis over ``--budget`` seconds can be stopped and reported as
  such instead of holding the run for an hour; their ratio;
- findings (errors, warnings), claims proved of claims asked (invariants
  and declared monotonicity), and message ids missing from every catalog;
- then, once each, the wall time of the whole command in a fresh
  interpreter, ``python -m breachrules check RULESET`` (import, compile,
  prove, print), with its exit status; skipped where the analysis alone
  was over budget.

The rulesets are the bundled ``gdpr`` and ``fi-health`` (which extends it),
and ``gdpr-xN`` for each N of ``--copies`` (10 by default; ``--copies 2,3,10``
shows the growth), generated from ``rulesets/gdpr.rules``: the header, the
scales (outcomes), the combine table and the plans once; every fact,
definition, rule, exception, exemption, obligation, checklist, action,
invariant and ``aggravating`` / ``mitigating`` declaration N times, copy
k >= 2 with every name those statements declare suffixed ``_k`` (comments
dropped, strings untouched). So N times the rules, facts, invariants and
monotonicity claims; the copies read only their own facts and definitions,
so they are independent inputs, and they raise the same shared outcomes
(severity, likelihood, risk), as the rules of a larger real ruleset would.
Message ids are reused across copies, which the language allows (two rules
may give the same reason); the ruleset is written into a temporary
directory with gdpr's catalogs copied under its own name and extended with
the implicit ids of the renamed declarations (``fact.<name>_k``,
``value.<name>_k.<member>``, ``checklist.<name>_k.<item>``), so every message
id resolves in every language (the table shows it). Invariants that pin the
shared risk (``risk == risk.none``, "never communicated") are replicated as
written, and with N >= 2 they are false: another copy can raise the risk.
The solver refutes them with counterexamples, which costs time of its own;
that is reported as findings, not hidden.

Dependency-free on purpose: the standard library and breachrules (with its
optional solver, ``pip install "breachrules[verify]"``) only.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import breachrules
from breachrules import loader, parser, verify

ROOT = Path(__file__).resolve().parent.parent
GDPR_RULES = ROOT / "rulesets" / "gdpr.rules"
LOCALE = ROOT / "rulesets" / "locale"
LANGUAGES = ("en", "fi", "sv")

MIN_COMPILES = 10
SHOWN = 6  # unsettled claims named per status

# The target for `breachrules check gdpr`, wall time of the command.
TARGET_CLI_GDPR_S = 10.0

# Statements copied once, and statements replicated with renamed names.
# a reference is cited by every copy, and a replaced fact's old name can be
# declared only once; a notice names its copy's obligations and facts
ONCE = frozenset({"ruleset", "scale", "combine", "plan", "reference", "replaced"})
COPIED = frozenset({"fact", "define", "score", "points", "rule", "exception", "exemption", "obligation",
                    "checklist", "action", "invariant", "aggravating", "mitigating", "notice"})
DECLARING = COPIED - {"aggravating", "mitigating"}  # the second word is a new name

# A string, a comment, a name, white space, anything else: enough of the
# lexer to rename names without touching message ids, citations or comments.
TOKEN = re.compile(r'"(?:\\.|[^"\\\n])*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|\s+|.')
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MSGID = re.compile(r'^msgid "((?:\\.|[^"\\])*)"$', re.M)


# ------------------------------------------------------------------ the generated ruleset

def statements(text: str) -> list[str]:
    """The statements of a ruleset, comments dropped: each starts on a line
    of its own at column 0 (the bundled rulesets' layout) and runs on its
    indented lines."""
    bare = "".join(t for t in TOKEN.findall(text) if not t.startswith("#"))
    found: list[list[str]] = []
    for line in bare.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            found[-1].append(line)
        else:
            found.append([line])
    return ["\n".join(lines) for lines in found]


def keyword(statement: str) -> str:
    return statement.split(None, 1)[0]


def declared(statement: str) -> str:
    return str(NAME.findall(statement)[1])


def renamed(statement: str, names: frozenset[str], suffix: str) -> str:
    """``statement`` with every declared name suffixed; strings untouched."""
    return "".join(t + suffix if t in names else t for t in TOKEN.findall(statement))


def replicate(text: str, copies: int, name: str) -> tuple[str, frozenset[str]]:
    """The text of ``copies`` independent copies of a ruleset sharing its
    outcomes, and the names that were suffixed in copies 2 and later."""
    parts = statements(text)
    kinds = {keyword(s) for s in parts}
    unknown = kinds - ONCE - COPIED
    if unknown:
        raise SystemExit(f"cannot replicate statements of kind {sorted(unknown)}")
    names = frozenset(declared(s) for s in parts if keyword(s) in DECLARING)
    header = re.sub(r"^ruleset\s+[A-Za-z0-9_-]+", f"ruleset {name}", parts[0])
    once = [s for s in parts[1:] if keyword(s) in ONCE]
    copied = [s for s in parts if keyword(s) in COPIED]
    out = [header, *once]
    for k in range(1, copies + 1):
        out += copied if k == 1 else [renamed(s, names, f"_{k}") for s in copied]
    return "\n\n".join(out) + "\n", names


def implicit_id_copies(msgid: str, names: frozenset[str], copies: int) -> Iterator[str]:
    """The ids a copy's renamed declaration gives the message ``msgid`` of
    the original: ``fact.x`` -> ``fact.x_2`` ...; empty for other ids."""
    parts = msgid.split(".")
    if len(parts) >= 2 and parts[0] in {"fact", "value", "checklist", "question"} and parts[1] in names:
        for k in range(2, copies + 1):
            # a checklist item named like a fact (``records: records``) is renamed with it
            yield ".".join([parts[0], *(f"{p}_{k}" if p in names else p for p in parts[1:])])


def write_catalogs(directory: Path, domain: str, names: frozenset[str], copies: int) -> None:
    """gdpr's catalogs under ``domain``, each entry whose id the copies
    rename repeated under each new id (a PO file is blank-line separated
    entries; every gdpr id is on one line)."""
    for language in LANGUAGES:
        text = (LOCALE / language / "LC_MESSAGES" / "gdpr.po").read_text(encoding="utf-8")
        extra = []
        for entry in text.split("\n\n"):
            found = MSGID.search(entry)
            if found is None:
                continue
            for new in implicit_id_copies(found.group(1), names, copies):
                extra.append(entry[:found.start()] + f'msgid "{new}"' + entry[found.end():])
        target = directory / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / f"{domain}.po").write_text(text.rstrip("\n") + "\n\n" + "\n\n".join(extra) + "\n",
                                             encoding="utf-8")


def generate(directory: Path, copies: int) -> Path:
    """Write ``gdpr-x<copies>.rules`` and its catalogs into ``directory``."""
    name = f"gdpr-x{copies}"
    text, names = replicate(GDPR_RULES.read_text(encoding="utf-8"), copies, name)
    path = directory / f"{name}.rules"
    path.write_text(text, encoding="utf-8")
    write_catalogs(directory / "locale", name, names, copies)
    return path


def unresolved(ruleset: Any) -> int:
    """How many message ids of the program some language's catalogs lack."""
    missing = set()
    for language in LANGUAGES:
        messages = ruleset.messages(language)
        missing |= {m for m in ruleset.program.message_ids if not messages.has(m)}
    return len(missing)


# ------------------------------------------------------------------ timing

def seconds(function: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def cold_load(path: Path) -> Any:
    """Compile from the file, past the compile and parse caches (the Lark
    parser itself stays built: that is import-time cost, not compiling)."""
    loader.clear_cache()
    parser.parse.cache_clear()
    return breachrules.load(path)


def compile_seconds(path: Path, repeat: int) -> tuple[float, Any]:
    """Median seconds of cold compiles, at least ten (the baseline is
    short, and one sample of it is noisy), and the ruleset."""
    ruleset = cold_load(path)  # warm-up: builds the parser
    samples = []
    for _ in range(max(MIN_COMPILES, repeat)):
        took, ruleset = seconds(lambda: cold_load(path))
        samples.append(took)
    return statistics.median(samples), ruleset


def analyse_child(path: str, repeat: int, answer: Any) -> None:
    """In a child process: ``repeat`` timed analyses of the ruleset at
    ``path``, sent back as plain data."""
    import breachrules.verify.prover  # noqa: F401  (z3 imported here, not timed)

    ruleset = breachrules.load(path)
    samples, analysis = [], None
    for _ in range(repeat):
        took, analysis = seconds(lambda: verify.analyse(ruleset))
        samples.append(took)
    assert analysis is not None
    codes: dict[str, int] = {}
    for finding in analysis.findings:
        codes[finding.code] = codes.get(finding.code, 0) + 1
    answer.send({
        "analyse": statistics.median(samples),
        "errors": len(analysis.errors),
        "warnings": len(analysis.warnings),
        "codes": codes,
        "claims": [(c.kind, c.name, c.status) for c in analysis.claims],
        "exact": analysis.exact,
    })
    answer.close()


def analyse_seconds(path: Path, repeat: int, budget: float) -> dict[str, Any] | None:
    """The child's figures, or None when it did not finish within ``budget``
    seconds (0: no limit); then it is stopped."""
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe(duplex=False)
    child = context.Process(target=analyse_child, args=(str(path), repeat, theirs), daemon=True)
    child.start()
    theirs.close()
    try:
        figures = mine.recv() if mine.poll(budget or None) else None
    except EOFError:  # the child died without an answer: its traceback is on stderr
        child.join()
        raise SystemExit(f"the analysis of {path} failed (exit {child.exitcode})") from None
    if figures is None:
        child.terminate()
    child.join()
    return figures


def cli(target: str, budget: float) -> tuple[float, int | None]:
    """Wall seconds and exit status of ``breachrules check target`` in a
    fresh interpreter; status None when stopped at ``budget`` seconds."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "breachrules", "check", target],
                              capture_output=True, text=True, timeout=budget or None,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, None
    return time.perf_counter() - started, done.returncode


def measure(label: str, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    compile_s, ruleset = compile_seconds(path, args.repeat)
    row = {"label": label, "path": path, "rules": len(ruleset.program.rules),
           "facts": len(ruleset.program.facts), "compile": compile_s, "unresolved": unresolved(ruleset)}
    row["figures"] = analyse_seconds(path, args.repeat, args.budget)
    return row


# ------------------------------------------------------------------ report

def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def copies_list(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("copies: whole numbers >= 1, comma-separated")
    return values


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--repeat", type=int, default=1, help="passes per timing (default 1)")
    options.add_argument("--copies", type=copies_list, default=[10],
                         help="copies of gdpr in each generated ruleset, comma-separated (default 10)")
    options.add_argument("--budget", type=float, default=120.0,
                         help="seconds an analysis (all its passes) or a command may take before it is "
                              "stopped and reported as over budget; 0: no limit (default 120)")
    options.add_argument("--no-cli", action="store_true", help="skip the command-line runs")
    options.add_argument("--keep", type=Path, default=None,
                         help="write the generated rulesets and catalogs here (a new directory) and keep them")
    args = options.parse_args(argv)
    if not verify.available():
        print('the solver is not installed: pip install "breachrules[verify]"', file=sys.stderr)
        return 2

    limit = f"{args.budget:g} s" if args.budget else "none"
    print(f"Python {sys.version.split()[0]} on {sys.platform}, breachrules {breachrules.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; median of {args.repeat} pass(es); "
          f"budget per analysis and command: {limit}")
    scratch = None
    if args.keep is not None:
        args.keep.mkdir(parents=True)
        directory = args.keep
    else:
        scratch = tempfile.mkdtemp(prefix="breachrules-check-")
        directory = Path(scratch)
    print()
    print(f"{'ruleset':<13}{'rules':>6}{'facts':>6}{'compile s':>10}{'analyse s':>10}{'x compile':>10}"
          f"{'errors':>7}{'warnings':>9}{'proved':>9}{'ids missing':>12}", flush=True)
    rows: list[dict[str, Any]] = []
    try:
        targets: list[tuple[str, Path]] = []
        for name in ("gdpr", "fi-health"):
            bundled = loader.bundled_path(name)
            assert bundled is not None, name
            targets.append((name, bundled))
        for copies in args.copies:
            where = directory / f"x{copies}"
            where.mkdir(exist_ok=True)
            generated = generate(where, copies)
            targets.append((generated.stem, generated))
        for label, path in targets:  # each row as soon as it is measured: the large ones take long
            rows.append(measure(label, path, args))
            print(table_row(rows[-1], args.budget), flush=True)
        if not args.no_cli:
            print()
            print("python -m breachrules check RULESET, fresh interpreter, once each (wall time)", flush=True)
            for row in rows:
                print(cli_row(row, args.budget), flush=True)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    base = rows[0]
    print()
    print("growth against gdpr: size of the ruleset, and time")
    for row in rows[1:]:
        figures = row["figures"]
        analysed = (f"{figures['analyse'] / base['figures']['analyse']:.1f}x"
                    if figures and base["figures"] else "-")
        print(f"  {row['label']:<13} rules {row['rules'] / base['rules']:>5.1f}x"
              f"  facts {row['facts'] / base['facts']:>5.1f}x"
              f"  compile {row['compile'] / base['compile']:>5.1f}x  analyse {analysed}")

    for row in rows:
        figures = row["figures"]
        unsettled = [(kind, name, status) for kind, name, status in figures["claims"] if status != "proved"] \
            if figures else []
        if figures and (figures["codes"] or unsettled):
            print()
            print(f"{row['label']}: findings by code: "
                  + (", ".join(f"{code} x {count}" for code, count in sorted(figures["codes"].items())) or "none"))
            for status in sorted({status for *_, status in unsettled}):
                names = [f"{kind} {name}".strip() for kind, name, st in unsettled if st == status]
                shown = ", ".join(names[:SHOWN]) + (f", ... ({len(names) - SHOWN} more)" if len(names) > SHOWN else "")
                print(f"  claims {status}: {len(names)}: {shown}")
    return 0


def table_row(row: dict[str, Any], budget: float) -> str:
    figures = row["figures"]
    head = f"{row['label']:<13}{row['rules']:>6}{row['facts']:>6}{row['compile']:>10.3f}"
    tail = f"{row['unresolved']:>12}"
    if figures is None:
        return (f"{head}{'> ' + format(budget, 'g'):>10}{'> ' + format(budget / row['compile'], '.0f'):>10}"
                f"{'-':>7}{'-':>9}{'-':>9}{tail}   stopped: over budget")
    claims = figures["claims"]
    proved = f"{sum(status == 'proved' for *_, status in claims)}/{len(claims)}"
    return (f"{head}{figures['analyse']:>10.2f}{figures['analyse'] / row['compile']:>10.0f}"
            f"{figures['errors']:>7}{figures['warnings']:>9}{proved:>9}{tail}"
            + ("" if figures["exact"] else "   (searched, not proved)"))


def cli_row(row: dict[str, Any], budget: float) -> str:
    label = row["label"]
    if row["figures"] is None:  # the command does the same and more
        return f"  {label:<13}{'-':>8}     not run: the analysis alone was over budget"
    wall, status = cli(str(row["path"]), budget)
    shown = f"exit {status}" if status is not None else "stopped: over budget"
    goal = (f"   target < {TARGET_CLI_GDPR_S:g} s  {verdict(wall < TARGET_CLI_GDPR_S and status == 0)}"
            if label == "gdpr" else "")
    return f"  {label:<13}{wall:>8.2f} s   {shown}{goal}"


if __name__ == "__main__":
    sys.exit(main())
