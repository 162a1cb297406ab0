"""Declarations nothing uses: warnings of ``breachrules check``.

A fact no rule reads is a question an intake form asks for nothing; a
definition or a scale nobody reads is usually a rule that was meant to and
does not; a message in the ruleset's catalogs that nothing names is a text
a translator keeps up for nobody, or a ``because`` id misspelt on one side.
None of it changes an answer, so these are warnings (severity
``warning``), reported for the file being checked only: an organisation's
ruleset is not warned about what the bundled ruleset it extends leaves
unread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from breachrules import ir
from breachrules.catalogs import catalog_entries, catalog_lines
from breachrules.diagnostics import Diagnostic
from breachrules.i18n import LOCALES, Term, catalog_path
from breachrules.program import Program
from breachrules.spans import Span


def unused(program: Program, file: str) -> tuple[Diagnostic, ...]:
    """The facts, definitions and scales declared in ``file`` that nothing reads."""
    facts: set[str] = set()
    defines: set[str] = set()
    scales: set[str] = {"risk"}  # what an assessment is for
    nodes = [*program.expressions(), *(a.condition for a in program.actions if a.condition is not None),
             *(i.expr for i in program.invariants)]
    for node in nodes:
        read_facts, read_defines, read_outcomes = ir.references(node)
        facts |= read_facts
        defines |= read_defines
        scales |= read_outcomes
        scales |= _scales_named(node)
    for checklist in program.checklists:
        for item in checklist.items:
            facts.update(item.facts)
    for ob in program.obligations:
        facts.update(name for name in (ob.done, ob.late_requires) if name is not None)
    for notice in program.notices:  # what the letter to the data subjects tells
        facts.update(name for part in notice.parts for kind, name in part.sources if kind == "fact")
    for outcome in program.outcomes:
        if outcome.table is not None:
            scales |= {outcome.table.rows, outcome.table.columns}
    for fact in program.facts.values():
        if fact.type.kind == "level":
            scales.add(fact.type.scale)
    found = [
        *(Diagnostic(code="BR701", span=f.span, values=(("name", f.name),), severity="warning")
          for f in program.facts.values() if f.name not in facts and f.span.file == file),
        *(Diagnostic(code="BR702", span=d.span, values=(("name", d.name),), severity="warning")
          for d in program.defines if d.name not in defines and d.span.file == file),
        *(Diagnostic(code="BR703", span=s.span, values=(("name", s.name),), severity="warning")
          for s in program.scales.values() if s.name not in scales and s.span.file == file
          and not _concluded(program, s.name)),
    ]
    found += verbatim(program, file)
    return tuple(sorted(found, key=lambda d: (d.span.line, d.span.column)))


def verbatim(program: Program, file: str) -> list[Diagnostic]:
    """Citations written as quoted text in ``file``: shown as written in
    every language, where a citation of a declared reference reads as
    each language cites (see citations.py). Only in a chain that cites
    declared references (an extension of a bundled ruleset): there a
    quoted citation is a straggler; a small ruleset of its own may cite
    as it likes."""
    cited = program.citations()
    if not any(cite.reference for _, cites in cited for cite in cites):
        return []
    return [Diagnostic(code="BR705", span=span, values=(("text", cite.text),), severity="warning")
            for span, cites in cited if span.file == file for cite in cites if not cite.reference]


def _scales_named(node: ir.Node) -> set[str]:
    """Scales an expression names through a level's type (``severity >= high``)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type.kind == "level" and current.type.scale:
            found.add(current.type.scale)
        stack.extend(ir.children(current))
    return found


def _concluded(program: Program, scale: str) -> bool:
    """A scale some rule raises or a table fills is an outcome: read by the
    assessment (every level is reported), so it is used."""
    return any(o.name == scale and (o.roots or o.table is not None) for o in program.outcomes)


def unused_messages(texts: Iterable[tuple[str, str]], catalogs: str | None, domain: str) -> tuple[Diagnostic, ...]:
    """The messages of the checked file's catalogs (``catalogs``, a
    directory of ``LANG/LC_MESSAGES/DOMAIN.po``) that no file of the chain
    (``(file, text)`` pairs) names, explicitly or implicitly: what the
    Babel extractor yields is exactly what the library looks up. Each is
    reported once, where the first catalog that has it holds it."""
    from breachrules.extract import messages
    from breachrules.parser import parse

    if catalogs is None:
        return ()
    used = {msgid for file, text in texts for _, _, msgid, _ in messages(parse(text, file))}
    found: dict[str, Diagnostic] = {}
    for locale in LOCALES:
        path = catalog_path(Path(catalogs), locale, domain)
        for msgid, line in catalog_lines(Path(catalogs), locale, domain):
            if msgid not in used and msgid not in found:
                span = Span(str(path), line, 1, line, 6)
                found[msgid] = Diagnostic(code="BR704", span=span, values=(("name", msgid),), severity="warning")
    return tuple(found.values())


def untranslated(sources: Sequence[tuple[str, str, str | None, str]]) -> tuple[Diagnostic, ...]:
    """The messages the checked file (the last of ``sources``: file, text,
    catalog directory, domain) uses that a reader would see as their ids: no
    translation in a language, in its own catalog or a base's (BR706), or
    only a fuzzy one, which gettext does not use (BR707). A language with
    no catalog at all is one warning (BR708), not one per message."""
    from breachrules.extract import messages
    from breachrules.parser import parse

    file, text, _, _ = sources[-1]
    used: dict[str, int] = {}
    for line, _, msgid, _ in messages(parse(text, file)):
        used.setdefault(msgid, line)
    found: list[Diagnostic] = []
    for locale in LOCALES:
        chain = [catalog_entries(Path(d), locale, domain) if d else None for _, _, d, domain in reversed(sources)]
        unseen: list[Diagnostic] = []
        for msgid, line in used.items():
            entry = next((entries[msgid] for entries in chain if entries is not None and msgid in entries), None)
            if entry is not None and entry[0] and not entry[1]:
                continue  # translated here or in a base
            code = "BR707" if entry is not None and entry[1] else "BR706"
            unseen.append(Diagnostic(code=code, span=Span(file, line, 1, line, 2), severity="warning",
                                     values=(("name", msgid), ("language", Term.of(f"language.{locale}")))))
        if chain[0] is None and unseen:  # no catalog of its own: one warning, not one per message
            found.append(Diagnostic(code="BR708", span=Span(file, 1, 1, 1, 2), severity="warning", values=(
                ("language", Term.of(f"language.{locale}")), ("count", len(unseen)))))
        else:
            found.extend(unseen)
    return tuple(sorted(found, key=lambda d: (d.span.line, d.code)))


def notes(ruleset: Any) -> tuple[Diagnostic, ...]:
    """Every warning of the compile checks about a ruleset, as ``breachrules
    check`` and the pytest plugin report them: the compiler's, catalog
    entries nothing uses, texts a language lacks."""
    last = ruleset.sources[-1]
    chain = [(s.file, s.text, s.catalogs, ruleset.program.files.get(s.file, ruleset.name)) for s in ruleset.sources]
    return (*ruleset.warnings,
            *unused_messages(((s.file, s.text) for s in ruleset.sources), last.catalogs, ruleset.name),
            *untranslated(chain))
