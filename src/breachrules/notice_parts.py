"""The ``notice`` statement, checked.

A mixin of the checker (:mod:`breachrules.checker`). A notice names the
obligations it serves and, part by part, the facts and plans that fill the
letter to the data subjects. The library knows the parts (the frame of the
letter is its own) and nothing of a ruleset's facts: what the checker
refuses is a part the library cannot write, a part given twice, a name that
is neither a fact nor a plan, and a fact the part cannot tell in words (a
number in "what happened", a text as the moment of discovery).

An enum or set fact a notice tells brings two messages of its own to the
ruleset's catalogs, in the plain words of a letter rather than the labels
of a form: ``plain.<fact>``, the sentence that leads its list ("These
data of yours were involved:"), and ``plain.<fact>.<member>`` for each
member ("your address").
"""

from __future__ import annotations

from collections.abc import Mapping

from breachrules import nodes as n
from breachrules.diagnostics import did_you_mean, quoted_list
from breachrules.expressions import suggest
from breachrules.i18n import Term
from breachrules.program import FactDef, PlanDef
from breachrules.spans import Span
from breachrules.vocabulary import NOTICE_PARTS, Notice, NoticePart


def plain_messages(fact: FactDef) -> list[str]:
    """The letter's own words for a fact it tells: a lead and one per member."""
    if fact.type.kind not in ("enum", "set"):
        return []
    return [f"plain.{fact.name}", *(f"plain.{fact.name}.{member}" for member in fact.type.members)]


class NoticeChecker:
    facts: dict[str, FactDef]
    labels: dict[str, tuple[str, Span]]
    message_ids: set[str]

    def error(self, code: str, span: Span, /, **values: object) -> None:
        raise NotImplementedError

    def _declared_here(self, ident: n.Ident) -> bool:
        raise NotImplementedError

    def _not_an_obligation(self, ident: n.Ident) -> None:
        raise NotImplementedError

    def _notices(self, nodes: list[n.Notice], plans: tuple[PlanDef, ...]) -> tuple[Notice, ...]:
        by_name = {plan.name: plan for plan in plans}
        notices = []
        for s in nodes:
            if not self._declared_here(s.name):
                continue
            for ob in s.obligations:
                if self.labels.get(ob.name, ("", None))[0] != "obligation":
                    self._not_an_obligation(ob)
            parts: dict[str, NoticePart] = {}
            for part in s.parts:
                name = part.part.name
                if name not in NOTICE_PARTS:
                    self.error("BR427", part.part.span, name=name, parts=quoted_list(NOTICE_PARTS),
                               suggestion=suggest(did_you_mean(name, NOTICE_PARTS)))
                elif name in parts:
                    self.error("BR428", part.part.span, part=name, notice=s.name.name)
                else:
                    sources = tuple(filter(None, (self._source(name, source, by_name) for source in part.sources)))
                    parts[name] = NoticePart(name, sources)
            ordered = tuple(parts[name] for name in NOTICE_PARTS if name in parts)
            notices.append(Notice(s.name.name, tuple(ob.name for ob in s.obligations), ordered))
        return tuple(notices)

    def _source(self, part: str, ident: n.Ident, plans: Mapping[str, PlanDef]) -> tuple[str, str] | None:
        """A fact or a plan that fills ``part``, checked to be one it can tell."""
        fact = self.facts.get(ident.name)
        if fact is not None:
            if fact.type.kind not in NOTICE_PARTS[part]:
                self.error("BR429", ident.span, name=ident.name, part=part, found=fact.type.describe())
                return None
            self.message_ids.update(plain_messages(fact))
            return "fact", fact.name
        if ident.name in plans and part != "discovered":
            return "plan", ident.name
        if ident.name in plans:
            self.error("BR429", ident.span, name=ident.name, part=part, found=Term.of("type.plan"))
            return None
        self.error("BR430", ident.span, name=ident.name,
                   suggestion=suggest(did_you_mean(ident.name, [*self.facts, *plans])))
        return None
