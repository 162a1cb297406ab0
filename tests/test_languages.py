"""What a Finnish or a Swedish reader sees is in their language.

Every output of either bundled ruleset and of an organisation's extension,
in fi and sv: records, text views and draft letters (rendered from the
golden examples), the command line's help of every command, its errors,
and a ruleset's diagnostics. None may hold an English word, a message id,
an identifier of a ruleset or a path of the machine."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import breachrules
from tests.test_golden import RENDERINGS
from tests.test_record import UNTRANSLATED
from tests.test_stored import INCIDENT, NOW, _organisation

ROOT = Path(__file__).resolve().parent.parent
# English words a Finnish or Swedish text would not hold (none is a Finnish or Swedish word)
ENGLISH = re.compile(r"\b(the|and|of|is|not|required|usage|options|arguments|error|warning|line|must|should|"
                     r"without|delay|notify|breach|show|help|message|exit|found|expected|file|no such)\b",
                     re.IGNORECASE)
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a snake_case name: a fact, rule or obligation id
COMMANDS = ("assess", "check", "diff", "test", "list")


def _foreign(text: str, root: Path = ROOT) -> list[str]:
    found = [m.group() for m in ENGLISH.finditer(text)]
    found += [m.group() for m in IDENTIFIER.finditer(text) if "@" not in m.group()]
    found += [m.group() for m in UNTRANSLATED.finditer(text)]
    if str(root) in text or "/home/" in text or "/tmp/" in text:
        found.append("a path")
    return found


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "breachrules", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, check=False)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_rendered_example_is_in_the_readers_language(lang: str) -> None:
    for file, make, rendering_lang, kind in RENDERINGS:
        if rendering_lang != lang:
            continue
        report = make()
        from breachrules.record import text

        for rendered in (report.to_markdown(lang) if kind == "md" else text(report, lang), report.notice(lang)):
            assert _foreign(rendered) == [], file


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_an_organisations_extension_speaks_the_readers_language(lang: str, tmp_path: Path) -> None:
    report = breachrules.load(_organisation(tmp_path)).report(INCIDENT, now=NOW)
    for rendered in (report.to_markdown(lang), report.notice(lang), report.assessment.explain(lang)):
        assert _foreign(rendered.replace("P2D", ""), tmp_path) == []


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_command_lines_help_and_errors_are_in_the_readers_language(lang: str, tmp_path: Path) -> None:
    outputs = [_cli("--lang", lang, "--help").stdout]
    outputs += [_cli("--lang", lang, command, "--help").stdout for command in COMMANDS]
    outputs.append(_cli("--lang", lang).stderr)  # no command
    outputs.append(_cli("--lang", lang, "assess", str(tmp_path / "missing.json")).stderr)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"subjects": -1, "breach_types": ["lost"]}), encoding="utf-8")
    outputs.append(_cli("--lang", lang, "assess", str(bad)).stderr)
    broken = tmp_path / "broken.rules"
    broken.write_text("ruleset broken\nscale risk: none < high\nrule r when x then risk >= high\n", encoding="utf-8")
    checked = _cli("--lang", lang, "check", str(broken))
    outputs.append(checked.stdout + checked.stderr)
    for output in outputs:
        assert output.strip()
        # what the reader types is left as written: command names, options, choices in braces, the
        # $.path of a key of their incident and the values they may give, quoted
        output = re.sub(r"\$\.[\w\[\].]+|'[^']*'", "", output)
        words = re.sub(r"--?[a-z-]+|\{[a-z,]+\}|\b(assess|check|diff|test|list|breachrules|gdpr|json|toml|text"
                       r"|markdown|fi|sv|en)\b", "", output.replace(str(tmp_path), "§"))
        assert _foreign(words, ROOT) == [], output
