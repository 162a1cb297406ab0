"""What rendering a result needs to know of its ruleset, kept with the result.

A stored assessment is rendered later, perhaps years later, in a process
that may not have the ruleset at hand. Its words come from catalogs, found
by the ruleset's name; everything else rendering needs travels with it as
data: the facts in their declared order with their types (so that a text
fact reading "P2D" stays text, and a duration is a duration), the notices
the ruleset declares (which facts and plans fill which part of the letter
to the data subjects), and a digest of the ruleset's sources and catalogs,
so that a renderer can tell whether the catalogs it was given are the
ones the result was made with.

This module is a leaf: the checker builds :class:`Notice` values, the
assessment carries a :class:`Vocabulary`, and the renderers read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from breachrules.sha import sha256

# The parts of a communication to the data subjects, in the order the letter
# tells them (what Art. 34(2), with Art. 33(3)(b) to (d), asks it to say),
# and the kinds of fact each can tell. Any part but the discovery can also
# tell the actions of a plan that apply.
NOTICE_PARTS: Mapping[str, frozenset[str]] = {
    "what_happened": frozenset({"text", "enum", "set"}),
    "discovered": frozenset({"datetime"}),
    "consequences": frozenset({"text", "enum", "set"}),
    "measures": frozenset({"text", "enum", "set"}),
    "advice": frozenset({"text", "enum", "set"}),
    "contact": frozenset({"text"}),
}
# The parts a notice cannot do without (Art. 34(2)): when nothing fills one,
# the draft shows a visible placeholder rather than leave it out.
REQUIRED_PARTS = ("what_happened", "consequences", "measures", "contact")


@attrs.frozen
class NoticePart:
    part: str  # one of NOTICE_PARTS
    sources: tuple[tuple[str, str], ...]  # (fact | plan, name), in the order the letter tells them


@attrs.frozen
class Notice:
    """What a communication to the data subjects tells, and when: it is
    drafted when one of ``obligations`` is required."""

    name: str
    obligations: tuple[str, ...]
    parts: tuple[NoticePart, ...]  # in the order of NOTICE_PARTS

    def part(self, name: str) -> NoticePart | None:
        return next((p for p in self.parts if p.part == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "obligations": list(self.obligations),
                "parts": [{"part": p.part, "sources": [{"kind": k, "name": n} for k, n in p.sources]}
                          for p in self.parts]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        return cls(data["name"], tuple(data["obligations"]), tuple(
            NoticePart(p["part"], tuple((s["kind"], s["name"]) for s in p["sources"])) for p in data["parts"]))


@attrs.frozen
class FactShape:
    """A fact as rendering sees it: its kind (``bool``, ``number``,
    ``duration``, ``datetime``, ``text``, ``enum``, ``set``, ``level``), its
    members in order, and a level's scale."""

    name: str
    kind: str
    members: tuple[str, ...] = ()
    scale: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.members:
            data["members"] = list(self.members)
        if self.scale:
            data["scale"] = self.scale
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FactShape:
        return cls(data["name"], data["kind"], tuple(data.get("members", ())), data.get("scale", ""))


@attrs.frozen(cache_hash=True)  # a key of the texts made from an assessment (record.py, notice.py)
class Vocabulary:
    facts: tuple[FactShape, ...] = ()  # in declaration order, bases first
    notices: tuple[Notice, ...] = ()
    digest: str = ""  # of the ruleset's sources and catalogs: see digest()
    # the obligations whose own condition reads the risk: one not required says the level it was assessed at
    risk_bound: tuple[str, ...] = ()
    risk_levels: tuple[str, ...] = ()  # the risk scale, lowest first
    # of each risk-bound obligation, the lowest risk level at which its condition can hold ("" at none): below
    # it the risk level is a reason why the obligation is not required, at or above it the level is not
    risk_floors: tuple[tuple[str, str], ...] = ()

    def risk_is_a_reason(self, obligation: str, level: str) -> bool:
        """Whether ``level`` alone keeps the obligation's condition from holding
        (a record written before floors were kept: whether the condition reads the risk)."""
        if obligation not in self.risk_bound:
            return False
        if not self.risk_floors:
            return True
        floor = dict(self.risk_floors).get(obligation, "")
        if not floor or level not in self.risk_levels:
            return False
        return self.risk_levels.index(level) < self.risk_levels.index(floor)

    def fact(self, name: str) -> FactShape | None:
        return next((f for f in self.facts if f.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"facts": [f.to_dict() for f in self.facts], "notices": [n.to_dict() for n in self.notices],
                "digest": self.digest, "risk_bound": list(self.risk_bound), "risk_levels": list(self.risk_levels),
                "risk_floors": dict(self.risk_floors)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Vocabulary:
        return cls(tuple(FactShape.from_dict(f) for f in data["facts"]),
                   tuple(Notice.from_dict(n) for n in data["notices"]), data["digest"],
                   tuple(data.get("risk_bound", ())), tuple(data.get("risk_levels", ())),
                   tuple(data.get("risk_floors", {}).items()))


def digest(texts: Iterable[str], catalogs: Iterable[tuple[Path, str]]) -> str:
    """A content hash over a ruleset's sources (every file of its ``extends``
    chain) and its catalogs (every ``.po`` of every domain): equal digests,
    equal rulesets and equal words."""
    from breachrules.i18n import LOCALES, catalog_path

    h = sha256()
    for text in texts:
        h.update(b"source\0" + text.encode("utf-8") + b"\0")
    for directory, domain in catalogs:
        for locale in LOCALES:
            path = catalog_path(directory, locale, domain)
            try:
                content = path.read_bytes()
            except OSError:
                content = b""
            h.update(f"catalog\0{domain}\0{locale}\0".encode() + content + b"\0")
    return "sha256:" + h.hexdigest()
