"""References, and citations of places in them, for generated rulesets.

Every rule, exception, exemption, obligation and action cites its
sources, and a citation is data: a declared reference and a place in it,
which each language writes its own way ("GDPR Art. 33(3)(a)"). A citation
is well formed only as its reference's kind allows (BR426): a law at one
article, recital or annex, never as a whole; a document as a whole or at
an annex, examples, a page, a section and a case, each at most once, in
any order, a range of examples rising. These are drawn that way. A
ruleset that declares no reference cites quoted text, as the examples of
docs/errors.md do.
"""

from __future__ import annotations

from hypothesis import strategies as st

from breachrules.testing.expressions import Ctx

# A reference has a namespace of its own: its name may be a fact's.
REFERENCE_POOL = ("gdpr", "edpb", "policy", "x", "x__y", "guide")


def references(ctx: Ctx) -> list[str]:
    """Up to three ``reference`` statements, laws and documents."""
    draw = ctx.draw
    lines = []
    for name in draw(st.lists(st.sampled_from(REFERENCE_POOL), max_size=3, unique=True)):
        kind = draw(st.sampled_from(["law", "document"]))
        ctx.references.append((name, kind))
        lines.append(f'reference {name}: {kind} "reference.{name}"')
    return lines


def cite(ctx: Ctx) -> str:
    """A ``cite`` clause: one or two citations."""
    if not ctx.references:
        return 'cite "c"'
    return "cite " + ", ".join(citation(ctx) for _ in range(ctx.draw(st.integers(1, 2))))


def citation(ctx: Ctx) -> str:
    """A place in one of the declared references."""
    draw = ctx.draw
    name, kind = draw(st.sampled_from(ctx.references))
    number = draw(st.integers(1, 99))
    if kind == "law":
        place = draw(st.sampled_from(["article", "article", "recital", "annex"]))
        if place != "article":
            return f"{name} {place} {number}"
        depth = draw(st.integers(0, 2))
        paragraph = f"({draw(st.integers(1, 9))})" if depth else ""
        point = f"({draw(st.sampled_from('abc'))})" if depth == 2 else ""
        return f"{name} article {number}{paragraph}{point}"
    low = draw(st.integers(1, 30))
    high = low + draw(st.integers(1, 5))  # a range rises
    parts = {
        "annex": f"annex {number}",
        "example": draw(st.sampled_from([f"example {low}", f"example {low} to {high}", f"example {low} and {high}"])),
        "page": f"page {number}",
        "section": f'section "{draw(st.sampled_from(["II", "IV.B", "4.2"]))}"',
        "case": f"case {draw(st.sampled_from(['03', '1', '12']))}",
    }
    chosen = draw(st.lists(st.sampled_from(sorted(parts)), unique=True, max_size=3))
    return " ".join([name] + [parts[part] for part in chosen])
