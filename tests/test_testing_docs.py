"""The examples of docs/testing.md run, and do what the page says: each
``python`` block runs, in order and in one namespace, as a reader would
paste them; each test it defines passes, but the one the page shows
failing, which fails with the very example the page shows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "testing.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
# The test the page shows failing, and the failing example it shows.
FAILS = {"test_safely_encrypted_data_are_not_told_to_the_people":
         "incident={'encryption': 'state_of_the_art', 'key_compromised': False},"}


def blocks() -> list[tuple[int, str]]:
    """Each block's code, with the line of the page it starts on."""
    text = PAGE.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)), m.group(1)) for m in BLOCK.finditer(text)]


TESTS = [name for _, code in blocks() for name in re.findall(r"^def (test_\w+)", code, re.M)]


@pytest.fixture(scope="module")
def page() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "docs_testing"}
    for line, code in blocks():  # (padded, so that a traceback names the page's line)
        exec(compile("\n" * line + code, str(PAGE), "exec"), namespace)  # noqa: S102
    return namespace


def test_the_page_has_its_examples() -> None:
    assert len(blocks()) >= 6 and len(TESTS) >= 6
    for name, example in FAILS.items():
        assert name in TESTS and example in PAGE.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", TESTS)
def test_an_example_does_what_the_page_says(page: dict[str, Any], name: str) -> None:
    if name not in FAILS:
        page[name]()
        return
    with pytest.raises(AssertionError) as failure:
        page[name]()
    assert FAILS[name] in "\n".join(getattr(failure.value, "__notes__", []))
