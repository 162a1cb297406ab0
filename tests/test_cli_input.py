"""What a command reads from the files it is given (breachrules.cli_input)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from breachrules import cli_input
from breachrules.cli_input import DuplicateKey, read_document
from breachrules.resources import NotRegularFile, TooLarge


def test_a_json_or_toml_document_is_read(tmp_path: Path) -> None:
    (tmp_path / "i.json").write_text('{"subjects": 3}', encoding="utf-8")
    (tmp_path / "i.toml").write_text("subjects = 3\n", encoding="utf-8")
    assert read_document(str(tmp_path / "i.json")) == {"subjects": 3}
    assert read_document(str(tmp_path / "i.toml"), toml=True) == {"subjects": 3}
    with pytest.raises(ValueError):  # a record is JSON, whatever its name
        read_document(str(tmp_path / "i.toml"))


def test_a_key_given_twice_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "i.json").write_text('{"a": {"b": 1, "b": 2}}', encoding="utf-8")
    with pytest.raises(DuplicateKey) as caught:
        read_document(str(tmp_path / "i.json"))
    assert caught.value.key == "b"


def test_only_a_regular_file_of_bounded_size_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(tmp_path / "waits.json")
    with pytest.raises(NotRegularFile):
        read_document(str(tmp_path / "waits.json"))  # (opened without waiting for a writer, and refused)
    (tmp_path / "big.json").write_text("[" + "1," * 100 + "1]", encoding="utf-8")
    monkeypatch.setattr(cli_input, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(TooLarge):
        read_document(str(tmp_path / "big.json"))


def test_assess_of_a_fifo_says_it_cannot_read_it_and_does_not_wait(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "incident.json")
    done = subprocess.run([sys.executable, "-m", "breachrules", "assess", str(tmp_path / "incident.json")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3 and "Traceback" not in done.stderr
