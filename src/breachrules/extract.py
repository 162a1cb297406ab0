"""A Babel extraction method for ruleset files, like Jinja2's for templates.

Registered as the ``breachrules`` extractor (entry point
``babel.extractors``), so a ruleset's messages are collected with::

    # babel.cfg
    [breachrules: **.rules]

    pybabel extract -F babel.cfg -o messages.pot rulesets/

It yields the explicit message ids (``title``, ``question``, ``because``,
``says``, a ``reference``'s name) and the implicit ones that scales, facts,
rules, obligations, checklists and plans bring (``scale.<s>``,
``scale.<s>.<level>``, ``fact.<f>``, ``question.<f>``,
``value.<f>.<member>``, ``name.<label>`` for the short name of a rule,
exception, exemption or obligation, ``checklist.<c>``,
``checklist.<c>.<item>``, ``plan.<p>``, ``plan.<p>.<phase>``, and for an
enum or set fact a ``notice`` tells, ``plain.<f>`` and
``plain.<f>.<member>``), each with
the line it comes from and, as a comment for translators, the statement it
belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from breachrules import nodes as n
from breachrules.parser import parse

Extracted = tuple[int, str | None, str, list[str]]


def extract_breachrules(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    module = parse(text, getattr(fileobj, "name", "<ruleset>"))
    yield from messages(module)


def messages(module: n.Module) -> Iterator[Extracted]:
    header = module.header
    if header.title:
        yield header.title.span.line, None, header.title.value, [f"ruleset {header.name.name}"]
    for s in module.statements:
        if isinstance(s, n.Scale):
            line = s.name.span.line
            yield line, None, f"scale.{s.name.name}", [f"scale {s.name.name}"]
            for level in s.levels:
                yield level.span.line, None, f"scale.{s.name.name}.{level.name}", [f"scale {s.name.name}"]
        elif isinstance(s, n.Fact):
            name = s.name.name
            yield s.name.span.line, None, f"fact.{name}", [f"fact {name}"]
            question = s.question.value if s.question else f"question.{name}"
            where = s.question.span.line if s.question else s.name.span.line
            yield where, None, question, [f"question for fact {name}"]
            for member in s.type.members:
                yield member.span.line, None, f"value.{name}.{member.name}", [f"fact {name}"]
        elif isinstance(s, n.Rule):
            yield s.label.span.line, None, f"name.{s.label.name}", [f"{s.kind} {s.label.name}: short name"]
            if s.clauses.because:
                yield s.clauses.because.span.line, None, s.clauses.because.value, [f"{s.kind} {s.label.name}"]
        elif isinstance(s, n.Obligation):
            yield s.name.span.line, None, f"name.{s.name.name}", [f"obligation {s.name.name}: short name"]
            if s.clauses.says:
                yield s.clauses.says.span.line, None, s.clauses.says.value, [f"obligation {s.name.name}"]
        elif isinstance(s, n.Checklist):
            name = s.name.name
            yield s.name.span.line, None, f"checklist.{name}", [f"checklist {name}"]
            for item in s.items:
                yield item.name.span.line, None, f"checklist.{name}.{item.name.name}", [f"checklist {name}"]
        elif isinstance(s, n.Plan):
            name = s.name.name
            yield s.name.span.line, None, f"plan.{name}", [f"plan {name}"]
            for phase in s.phases:
                yield phase.span.line, None, f"plan.{name}.{phase.name}", [f"plan {name}"]
        elif isinstance(s, n.Action):
            if s.clauses.says:
                yield s.clauses.says.span.line, None, s.clauses.says.value, [f"action {s.name.name}"]
        elif isinstance(s, n.Reference):
            # the form a citation uses: Finnish genitive for a law ("tietosuoja-asetuksen")
            form = "the name as cited (fi: genitive)" if s.kind == "law" else "the name as cited"
            yield s.message.span.line, None, s.message.value, [f"{s.kind} {s.name.name}: {form}"]
        elif isinstance(s, n.Notice):
            yield from _plain_words(module, s)
        elif isinstance(s, n.Invariant) and s.clauses.because:
            yield s.clauses.because.span.line, None, s.clauses.because.value, [f"invariant {s.name.name}"]


def _plain_words(module: n.Module, notice: n.Notice) -> Iterator[Extracted]:
    """The letter's words for the enum and set facts a notice tells, when the
    same file declares them: ``plain.<fact>`` leads the list,
    ``plain.<fact>.<member>`` is one item."""
    facts = {s.name.name: s for s in module.statements if isinstance(s, n.Fact)}
    told = [source for part in notice.parts for source in part.sources]
    for source in told:
        fact = facts.get(source.name)
        if fact is None or not fact.type.members:
            continue
        comment = [f"notice {notice.name.name}: {source.name} in the words of a letter to the data subjects"]
        yield source.span.line, None, f"plain.{source.name}", comment
        for member in fact.type.members:
            yield source.span.line, None, f"plain.{source.name}.{member.name}", comment
