"""Messages (breachrules.i18n): filled in once, said as the values are typed."""

from __future__ import annotations

import functools
import gettext

import pytest

from breachrules import i18n
from breachrules.i18n import Messages, Term


def test_a_message_is_filled_in_once_per_catalog_chain() -> None:
    first, second = Messages("fi"), Messages("fi")
    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        return "said"

    assert first.remember(("test", "key"), make) == "said"
    assert second.remember(("test", "key"), make) == "said"  # the same catalogs: the same memory
    assert Messages("sv").remember(("test", "key"), make) == "said"  # other catalogs: said afresh
    assert len(calls) == 2


def test_equal_values_of_other_types_are_written_as_their_type_writes_them() -> None:
    _ = Messages("en")
    texts = [_("record.decision_id", id=value) for value in (1, 1.0, True)]
    # never the first one remembered for all three, though 1 == 1.0 == True
    assert texts == ["Decision id: 1", "Decision id: 1.0", "Decision id: True"]
    assert [_("record.decision_id", id=value) for value in (True, 1.0, 1)] == texts[::-1]


def test_a_term_is_put_in_words_each_time() -> None:
    _ = Messages("fi")
    said = _("argument.now", found=Term.of("found.text", value="x"))
    assert "x" in said and said == _("argument.now", found=Term.of("found.text", value="x"))
    assert _("argument.now", found=Term.of("found.text", value="y")) != said


def test_what_is_remembered_is_forgotten_all_at_once_at_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "MOST_REMEMBERED", 3)
    _ = Messages("en", (gettext.NullTranslations(),))  # a chain of its own (a layer no other test has)
    calls: list[str] = []

    def saying(key: str) -> str:
        calls.append(key)
        return key

    for key in ("a", "b", "c", "a", "d", "a"):
        assert _.remember(key, functools.partial(saying, key)) == key
    assert calls == ["a", "b", "c", "d", "a"]  # "d" found three remembered, and forgot them


def test_a_key_that_cannot_be_one_is_said_afresh() -> None:
    _ = Messages("en")
    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        return "x"

    for _i in range(2):
        assert _.remember(["unhashable"], make) == "x"
    assert len(calls) == 2
