"""A small intake application for personal data breaches, built on breachrules.

Usage: python intake.py PAYLOAD.json RECORD.json [--lang fi|sv|en] [--now ISO]

1. Builds the form from the ruleset's JSON Schema (docs/schema.md): prints
   each field a complete assessment needs, or the payload answers, by its
   label in the reader's language. (A form builder would take the whole
   schema: `breachrules schema gdpr --lang fi > gdpr.fi.schema.json`.)
2. Validates the form payload. Keys of the form's own ("case_id") are left
   out with a warning (extra_keys="warn", docs/ranking.md), never silently.
3. Prints the open questions ranked, most urgent duty first.
4. Stores the Art. 33(5) decision record as JSON (docs/records.md), which
   `breachrules replay RECORD.json` decides again.

`--now` fixes the moment the deadlines are measured at, so runs reproduce
the same record to the byte, decision id included.
"""

import argparse
import json
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

import breachrules

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("payload")
parser.add_argument("record")
parser.add_argument("--lang", choices=["fi", "sv", "en"], default="en")
parser.add_argument("--now", type=datetime.fromisoformat, default=datetime.now(UTC))
args = parser.parse_args()

ruleset = breachrules.bundled("gdpr")
payload = json.loads(Path(args.payload).read_text(encoding="utf-8"))

# The form: the schema's fields in declared order, with their localised labels.
schema = ruleset.schema(args.lang)
print(schema["title"])
for fact, field in schema["properties"].items():
    if fact in payload or fact in schema["x-breachrules-complete"]:
        print(f"  [{'x' if payload.get(fact) is not None else ' '}] {field['title']}")

# Validate and decide. Form fields that are not facts are left out, each with a warning.
try:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", breachrules.ExtraKeyWarning)
        report = ruleset.report(payload, now=args.now, extra_keys="warn")
except breachrules.IncidentError as error:
    for problem in error.problems:  # each with its $.path, in the reader's language
        print(f"{args.payload}: {problem.render(args.lang)}", file=sys.stderr)
    sys.exit(3)  # as `breachrules assess` exits for an incident that does not fit
except breachrules.ArgumentError as error:  # --now without its UTC offset
    parser.error(str(error))
finally:  # the warnings after the errors, as `breachrules assess` lists them
    for w in caught:
        print(f"{args.payload}: warning: {w.message.message(args.lang)}", file=sys.stderr)

record = report.to_dict()
print()
print(ruleset.ranked_questions(record["facts_given"], now=args.now).render(args.lang))
Path(args.record).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
print(f"-> {args.record} ({record['decision_id']})")
