"""Declared references and the citations that point into them, checked.

A mixin of the checker (:mod:`breachrules.checker`). A ``reference``
statement declares a law or a document and the message id of its name; a
citation names one and the place in it. What the checker refuses is what
could not be cited properly in every language: a reference nobody
declared, a law cited as a whole (no Finnish reader cites "the GDPR" for
a rule), a place a law or a document does not have, the same step twice,
and numbers that are not whole.
"""

from __future__ import annotations

import re

from breachrules import nodes as n
from breachrules.citations import DOCUMENT_PARTS, LAW_PARTS, Citation
from breachrules.diagnostics import did_you_mean
from breachrules.expressions import suggest
from breachrules.i18n import Term
from breachrules.spans import Span

_WHOLE = re.compile(r"[1-9][0-9]*|0[0-9]+")  # "03" is how EDPB numbers its cases


class ReferenceChecker:
    references: dict[str, n.Reference]

    def error(self, code: str, span: Span, /, **values: object) -> None:
        raise NotImplementedError

    def _message(self, text: n.Text) -> str:
        raise NotImplementedError

    def _references(self, nodes: list[n.Reference]) -> None:
        for node in nodes:
            first = self.references.get(node.name.name)
            if first is not None:
                self.error("BR401", node.name.span, name=node.name.name, first=first.name.span)
                continue
            self.references[node.name.name] = node

    def _citations(self, cites: tuple[n.Citation, ...]) -> tuple[Citation, ...]:
        return tuple(filter(None, (self._citation(c) for c in cites)))

    def _citation(self, node: n.Citation) -> Citation | None:
        if node.text is not None:
            return Citation(text=node.text.value)
        assert node.reference is not None
        name = node.reference.name
        declared = self.references.get(name)
        if declared is None:
            self.error("BR210", node.reference.span, name=name,
                       suggestion=suggest(did_you_mean(name, self.references)))
            return None
        allowed = LAW_PARTS if declared.kind == "law" else DOCUMENT_PARTS
        fields: dict[str, object] = {}
        seen: set[str] = set()
        ok = True
        for part in node.parts:
            places = seen & set(LAW_PARTS) if declared.kind == "law" else set()
            if part.kind not in allowed or part.kind in seen or places:
                why = ("twice" if part.kind in seen else f"not_in_{declared.kind}" if part.kind not in allowed
                       else "one_place")
                self.error("BR426", part.span, reference=name, why=Term.of(f"cite.problem.{why}", part=part.kind))
                ok = False
                continue
            seen.add(part.kind)
            ok = self._part(name, part, fields) and ok
        if declared.kind == "law" and not fields and ok:
            self.error("BR426", node.span, reference=name, why=Term.of("cite.problem.whole_law"))
            ok = False
        if not ok:
            return None
        return Citation(reference=name, kind=declared.kind, name=self._message(declared.message),
                        **fields)  # type: ignore[arg-type]

    def _part(self, reference: str, part: n.CitePart, fields: dict[str, object]) -> bool:
        if part.kind == "section":
            fields["section"] = part.values[0]
            return True
        if part.kind == "article":
            numbers = part.values[:2] if len(part.values) == 3 else part.values
        elif part.kind == "example":
            numbers = tuple(number for value in part.values for number in value.split("-"))
        else:
            numbers = part.values
        bad = next((v for v in numbers if not _WHOLE.fullmatch(v)), None)
        if bad is None and part.kind == "example":
            bad = next((v for v in part.values if "-" in v and _rising(v) is False), None)
        if bad is not None:
            self.error("BR426", part.span, reference=reference,
                       why=Term.of("cite.problem.number", part=part.kind, value=bad.replace("-", " to ")))
            return False
        if part.kind == "article":
            fields.update(zip(("article", "paragraph", "point"), part.values, strict=False))
        elif part.kind == "example":
            fields["examples"] = part.values
        else:
            fields[part.kind] = part.values[0]
        return True


def _rising(span: str) -> bool:
    low, high = span.split("-")
    return int(low) < int(high)


__all__ = ["ReferenceChecker"]
