"""Positions of keys and values in TOML text: every leaf a document holds is
found, and its value span reads back as the value tomllib gives."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from breachrules.toml_positions import locate, parse_path, positions

TEXT = '''# a case
ruleset = "gdpr"   # trailing comment
"quoted key" = 'literal \\ string'
multi = """
two "quoted" lines"""

[facts]
data_categories = [
  "health",   # one
  "contact",
]
when = 2026-09-01 09:00:00Z
point = { x = 1, y = [2, 3], z = { deep = true } }
dotted.inner = -1.5e3

[[variants]]
name = "first"
[variants.expect]
risk = "high"

[[variants]]
name = "second"
[variants.expect.obligations]
notify = false
'''


def value_text(text: str, path: tuple[Any, ...]) -> str:
    at = positions(text)[path]
    return text[at.value_start:at.value_end]


def test_every_value_is_found_where_it_is_written() -> None:
    found = positions(TEXT)
    assert (found[("ruleset",)].line, found[("ruleset",)].column) == (2, 1)
    assert value_text(TEXT, ("ruleset",)) == '"gdpr"'
    assert value_text(TEXT, ("quoted key",)) == "'literal \\ string'"
    assert value_text(TEXT, ("multi",)) == '"""\ntwo "quoted" lines"""'
    assert value_text(TEXT, ("facts", "data_categories", 1)) == '"contact"'
    assert (found[("facts", "data_categories", 1)].line, found[("facts", "data_categories", 1)].column) == (10, 3)
    assert value_text(TEXT, ("facts", "when")) == "2026-09-01 09:00:00Z"
    assert value_text(TEXT, ("facts", "point", "y", 1)) == "3"
    assert value_text(TEXT, ("facts", "point", "z", "deep")) == "true"
    assert value_text(TEXT, ("facts", "dotted", "inner")) == "-1.5e3"
    assert value_text(TEXT, ("variants", 0, "expect", "risk")) == '"high"'
    assert value_text(TEXT, ("variants", 1, "expect", "obligations", "notify")) == "false"
    assert found[("variants", 1)].line == 21


def test_a_missing_key_is_placed_at_the_table_that_lacks_it() -> None:
    found = positions(TEXT)
    assert locate(found, parse_path("$.variants[1].expect.risk")).line == 23  # type: ignore[union-attr]
    assert locate(found, parse_path("$.variants")).line == 16  # type: ignore[union-attr]
    assert locate(found, parse_path("$")) is None
    assert locate(found, parse_path("$.nothing.here")) is None


def test_paths_read_as_the_library_writes_them() -> None:
    assert parse_path("$.variants[0].expect.risk") == ("variants", 0, "expect", "risk")
    assert parse_path("$.facts.data_categories[12]") == ("facts", "data_categories", 12)
    assert parse_path("$") == ()


def test_text_it_does_not_follow_gives_fewer_positions_and_no_error() -> None:
    for text in ["[", "a = [1, 2", "a = {", "= 1", 'a = "unclosed\nb = 2', "[[x]]\n[x.y", "\x00 = \x01"]:
        positions(text)  # never raises


# -------------------------------------------------------------- property

keys = st.sampled_from(["a", "b", "risk", "x-y", "with space", "ääkkönen", "1"])
scalars = st.one_of(
    st.booleans(), st.integers(-10**6, 10**6),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8),
    st.floats(allow_nan=False, allow_infinity=False, width=32))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
tables = st.recursive(st.dictionaries(keys, values, max_size=4),
                      lambda inner: st.dictionaries(keys, st.one_of(values, inner), max_size=3), max_leaves=8)


def key(k: str) -> str:
    return k if k.replace("-", "").replace("_", "").isascii() and k.replace("-", "").isalnum() else json.dumps(k)


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key(k)} = {literal(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def write(table: dict[str, Any], prefix: tuple[str, ...], inline: bool) -> str:
    """TOML for ``table``: nested tables as [headers], or inline."""
    plain = [f"{key(k)} = {literal(v)}  # c" for k, v in table.items() if inline or not isinstance(v, dict)]
    text = "\n".join(plain) + "\n"
    if not inline:
        for k, v in table.items():
            if isinstance(v, dict):
                header = ".".join(key(p) for p in (*prefix, k))
                text += f"\n[{header}]\n" + write(v, (*prefix, k), inline)
    return text


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in leaves(v, (*path, k))] or [(path, value)]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in leaves(v, (*path, i))] + [(path, value)]
    return [(path, value)]


@given(tables, st.booleans())
def test_every_leaf_reads_back_from_its_span(table: dict[str, Any], inline: bool) -> None:
    text = write(table, (), inline)
    assert tomllib.loads(text) == table  # (the writer itself is right)
    found = positions(text)
    for path, value in leaves(table):
        if not path or value == {}:
            continue
        at = found[path]
        if isinstance(value, dict):
            continue
        assert tomllib.loads("v = " + text[at.value_start:at.value_end])["v"] == value


def test_an_escaped_quote_does_not_close_a_multiline_string() -> None:
    text = 'remark = """a \\""" b\nrisk = "x"\n"""\nrisk = "high"\n'
    assert tomllib.loads(text)["risk"] == "high"
    at = positions(text)[("risk",)]
    assert (at.line, text[at.value_start:at.value_end]) == (4, '"high"')
