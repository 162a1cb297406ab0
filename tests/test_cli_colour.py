"""Colour on a terminal, and only there: the command runs on a real
pseudo-terminal, then with ``NO_COLOR``, piped and as JSON."""

from __future__ import annotations

import errno
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from breachrules.cli_colour import Paint, paint, wanted
from breachrules.i18n import Messages
from tests.test_cases import GOOD, RULES, WRONG, write

RED, GREEN, YELLOW, RESET = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m"
BROKEN = 'ruleset b version "1"\nscale risk: none < high\nfact leaked: bool\n' \
         'rule leak when leakd then risk >= high because "m" cite "c"\n'
UNUSED = 'ruleset u version "1"\nscale risk: none < high\nfact unused: bool\n'


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BREACHRULES_LANG", "LC_ALL", "LANG", "NO_COLOR", "TERM")}
    return {**env, "TERM": "xterm", **extra}


def on_a_terminal(cwd: Path, *args: str, **env: str) -> str:
    """What the command writes to a terminal (standard output and error both)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "breachrules", *args], stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower, cwd=cwd, env=_environment(**env))
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError as error:  # the terminal closes when the command ends
            if error.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    process.wait(timeout=120)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def piped(cwd: Path, *args: str, **env: str) -> str:
    done = subprocess.run([sys.executable, "-m", "breachrules", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=_environment(**env), timeout=120)
    return done.stdout + done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "t.rules", RULES)
    write(tmp_path, "good.toml", GOOD)
    write(tmp_path, "wrong.toml", WRONG)
    write(tmp_path, "broken.rules", BROKEN)
    write(tmp_path, "unused.rules", UNUSED)
    return tmp_path


def test_failed_cases_are_red_and_passed_ones_green_on_a_terminal(project: Path) -> None:
    shown = on_a_terminal(project, "test", "good.toml", "wrong.toml")
    assert f"{RED}FAILED  wrong expectations" in shown
    assert f"{GREEN}ok      health data to a stranger" in shown
    finnish = on_a_terminal(project, "test", "wrong.toml", "--lang", "fi")
    assert f"{RED}VIRHE   wrong expectations" in finnish


def test_errors_are_red_and_warnings_yellow_in_the_reader_s_words(project: Path) -> None:
    assert f"{RED}error{RESET}[BR201]" in on_a_terminal(project, "check", "broken.rules", "--no-prove")
    assert f"{RED}virhe{RESET}[BR201]" in on_a_terminal(project, "check", "broken.rules", "--no-prove", "--lang", "fi")
    assert f"{YELLOW}varning{RESET}[BR70" in on_a_terminal(project, "check", "unused.rules", "--no-prove",
                                                           "--lang", "sv")


@pytest.mark.parametrize("args", [("test", "good.toml", "wrong.toml"), ("check", "broken.rules", "--no-prove")])
def test_no_colour_when_no_color_is_set_or_the_output_is_not_a_terminal(project: Path, args: tuple[str, ...]) -> None:
    assert "\x1b[" not in on_a_terminal(project, *args, NO_COLOR="1")
    assert "\x1b[" not in on_a_terminal(project, *args, TERM="dumb")
    assert "\x1b[" not in piped(project, *args)
    assert "\x1b[" in on_a_terminal(project, *args, NO_COLOR="")  # set but empty: no-color.org says colour


@pytest.mark.parametrize("args", [("test", "wrong.toml"), ("check", "broken.rules", "--no-prove"),
                                  ("assess", "missing.json"), ("fmt", "--check", "broken.rules")])
def test_never_in_json_even_on_a_terminal(project: Path, args: tuple[str, ...]) -> None:
    shown = on_a_terminal(project, *args, "--format", "json")
    assert shown.strip() and "\x1b[" not in shown


def test_the_paint_itself() -> None:
    _ = Messages("sv")
    text = "fel[BR201]: x\n  --> a.rules:1:1\n\nvarning[BR701]: y\n1 | fel[BR1] stays as written\n"
    assert Paint(True).findings(text, _) == (f"{RED}fel{RESET}[BR201]: x\n  --> a.rules:1:1\n\n"
                                             f"{YELLOW}varning{RESET}[BR701]: y\n1 | fel[BR1] stays as written\n")
    assert Paint(False).findings(text, _) == text and Paint(False)("ok", "green") == "ok"
    assert not wanted(io.StringIO()) and paint(io.StringIO()) == Paint(False)


def test_wanted_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert wanted(Terminal()) and not paint(Terminal(), allowed=False).on
    monkeypatch.setenv("NO_COLOR", "0")  # any value that is not empty
    assert not wanted(Terminal())
