"""The intake example (examples/intake) runs as its README says.

The script fills a decision record from a form payload with a key of the
form's own (`case_id`), prints the ranked open questions in Finnish, and the
record replays: unchanged with the ruleset it was made with, decided
otherwise with the example's stricter calibration.
"""

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "intake"
NOW = "2026-03-03T20:00:00+02:00"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, encoding="utf-8", timeout=60
    )


def replay(record: Path, *options: str | Path) -> subprocess.CompletedProcess[str]:
    return run("-m", "breachrules", "replay", record, *options)


def test_intake_stores_a_record_that_replays(tmp_path: Path) -> None:
    payload = json.loads((EXAMPLE / "payload.json").read_text(encoding="utf-8"))
    record_file = tmp_path / "record.json"

    intake = run(EXAMPLE / "intake.py", EXAMPLE / "payload.json", record_file, "--lang", "fi", "--now", NOW)

    assert intake.returncode == 0, intake.stderr
    assert re.search(r"warning: \$\.case_id: 'case_id' .*gdpr", intake.stderr), intake.stderr

    # The record holds what docs/records.md says an audit needs.
    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert record["schema"] == "breachrules.record/4"
    assert uuid.UUID(record["decision_id"]).version == 5  # derived: reproducible
    assert record["generated_at"] == NOW
    assert record["ruleset"]["name"] == "gdpr"
    assert record["ruleset"]["digest"].startswith("sha256:")
    assert record["facts_given"] == {k: v for k, v in payload.items() if k != "case_id"}
    assert record["assessment"]["provisional"] is True

    # The ranked open questions, in Finnish: 36 hours before the 72-hour
    # deadline, the harms question can still remove the notification.
    out = intake.stdout
    assert "Aikaa jäljellä 1 vuorokausi ja 12 tuntia" in out, out
    assert "voi vielä poistaa velvoitteen ”ilmoitus valvontaviranomaiselle”" in out, out
    assert not re.search(r"\b(left|remove|confirm|open questions?|hours?|obligation)\b", out, re.I), out
    assert "Rekisteröityjen lukumäärä" in out  # the form's labels, from the Finnish schema

    # The same moment gives the same record, to the byte.
    again = tmp_path / "again.json"
    assert run(EXAMPLE / "intake.py", EXAMPLE / "payload.json", again, "--lang", "sv", "--now", NOW).returncode == 0
    assert again.read_bytes() == record_file.read_bytes()

    # Decided again with the ruleset it names: it reproduces.
    same = replay(record_file)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "reproduced: 1" in same.stdout

    # Decided with the stricter calibration: another decision, exit 1 (docs/cli.md).
    stricter = replay(record_file, "--ruleset", EXAMPLE / "stricter.rules", "--format", "json")
    assert stricter.returncode == 1, stricter.stderr
    document = json.loads(stricter.stdout)
    assert document["schema"] == "breachrules.replay/1"
    assert document["exit_code"] == 1
    assert document["ruleset"]["name"] == "stricter"
    (entry,) = document["replayed"]
    assert entry["decision_id"] == record["decision_id"]
    assert entry["reproduced"] is True and entry["changed"] is True
    changes = [(c["what"], c["name"], c["old"], c["new"]) for c in entry["changes"]]
    assert changes == [("obligation", "notify_authority", "possibly_required", "required")]
    assert entry["old"]["risk"] == entry["new"]["risk"] == "high"
    assert [rule["label"] for rule in entry["new"]["rules"]] == ["large_number_of_people_500"]
