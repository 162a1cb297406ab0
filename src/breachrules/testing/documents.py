"""What a generated ruleset says beyond its decision.

:mod:`breachrules.testing.statements` draws what decides: facts, rules,
outcomes, obligations. A ruleset also says what the report around the
decision holds (checklists of what each notice must contain, an action
plan, the letter to the data subjects), what it promises of itself
(invariants, aggravating and mitigating facts) and what an old intake form
should send instead (replaced facts). A tool that reads rulesets (a
formatter, an outline, an exporter) meets all of them, so they are drawn
here, each as the checker takes it: a checklist for an obligation, a
notice part naming only the kinds of fact it can tell (BR429), an
invariant reading only obligations no other name shadows, chains that
never put a member above itself (BR424).
"""

from __future__ import annotations

from hypothesis import strategies as st

from breachrules.testing.citations import cite
from breachrules.testing.expressions import BOOL, Ctx, condition, expr

# The parts of a notice, and the kinds of fact each can tell ("plan": a plan).
NOTICE_PARTS = {
    "what_happened": ("text", "enum", "set", "plan"), "discovered": ("dt",),
    "consequences": ("text", "enum", "set", "plan"), "measures": ("text", "enum", "set", "plan"),
    "advice": ("text", "enum", "set", "plan"), "contact": ("text", "plan"),
}
ITEM_POOL = ("nature", "people", "x", "contact", "timeline")


def obligation_names(lines: list[str]) -> list[str]:
    """The obligations that ``lines`` (from ``statements.obligations``) declare."""
    return [line.split()[1] for line in lines if line.startswith("obligation ")]


def header(ctx: Ctx, name: str) -> str:
    """The header: a version, and now and then a title and a source."""
    draw = ctx.draw
    fields = [f'title "ruleset.{name}.title"'] if draw(st.booleans()) else []
    fields += ['source "generated"'] if draw(st.booleans()) else []
    return " ".join([f'ruleset {name} version "1"', *draw(st.permutations(fields))])


def questions(ctx: Ctx, lines: list[str]) -> list[str]:
    """The fact statements of ``lines``, some with a ``question``."""
    draw = ctx.draw
    return [f'{line} question "question.{line.split()[1].rstrip(":")}"'
            if line.startswith("fact ") and draw(st.integers(0, 3)) == 0 else line for line in lines]


def checklists(ctx: Ctx, obligations: list[str]) -> list[str]:
    """Checklists of what an obligation's notice must contain, item by item."""
    draw = ctx.draw
    facts = [v.name for v in ctx.vars if v.fact]
    lines = []
    for ob in draw(st.lists(st.sampled_from(obligations), unique=True, max_size=2)):
        items = []
        for item in draw(st.lists(st.sampled_from(ITEM_POOL), unique=True, min_size=1, max_size=3)):
            named = ", ".join(draw(st.lists(st.sampled_from(facts), unique=True, min_size=1, max_size=3)))
            items.append(f"  item {item}: {named}" + (f" {cite(ctx)}" if draw(st.booleans()) else ""))
        lines.append(f"checklist {ctx.label()} for {ob}\n" + "\n".join(items))
    return lines


def plans(ctx: Ctx) -> tuple[list[str], list[str]]:
    """A plan of phases and actions in them, read after the decision (their
    conditions may read every outcome); and the plans' names."""
    draw = ctx.draw
    if draw(st.booleans()):
        return [], []
    plan, phases = ctx.label(), [ctx.label() for _ in range(draw(st.integers(1, 3)))]
    lines = [f"plan {plan}: {', '.join(phases)}"]
    for _ in range(draw(st.integers(1, 3))):
        when = "always" if draw(st.integers(0, 5)) == 0 else f"when {condition(ctx, len(ctx.scales))}"
        lines.append(f'action {ctx.label()} in {draw(st.sampled_from(phases))} {when} says "a" {cite(ctx)}')
    return lines, [plan]


def notices(ctx: Ctx, obligations: list[str], plan_names: list[str]) -> list[str]:
    """A letter to the data subjects, for one or two obligations: each part
    names facts of the kinds it can tell, and plans."""
    draw = ctx.draw
    if draw(st.booleans()):
        return []
    parts = []
    for part in draw(st.permutations(sorted(NOTICE_PARTS))):
        told = [v.name for v in ctx.vars if v.fact and v.ty[0] in NOTICE_PARTS[part]]
        # a plan by a name no fact has (a part reads a fact first)
        told += [plan for plan in plan_names if plan not in ctx.names] if "plan" in NOTICE_PARTS[part] else []
        if told and draw(st.integers(0, 2)):
            named = draw(st.lists(st.sampled_from(told), unique=True, min_size=1, max_size=3))
            parts.append(f"  {part}: {', '.join(named)}")
    if not parts:
        return []
    owners = ", ".join(draw(st.lists(st.sampled_from(obligations), unique=True, min_size=1, max_size=2)))
    return [f"notice {ctx.label()} for {owners}\n" + "\n".join(parts)]


def invariants(ctx: Ctx, obligations: list[str]) -> list[str]:
    """Promises about the decision, some reading whether an obligation is
    required (by a name no fact, definition or outcome shadows)."""
    draw = ctx.draw
    names = [name for name in obligations if name not in ctx.names]
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        body = expr(ctx, BOOL, draw(st.integers(0, 4)), len(ctx.scales))
        if names and draw(st.booleans()):
            duty = draw(st.sampled_from(names))
            body = draw(st.sampled_from([f"not {duty} or ({body})", f"{duty} or ({body})", f"({body}) == {duty}"]))
        because = ' because "m"' if draw(st.booleans()) else ""
        lines.append(f"invariant {ctx.label()}: {body}{because}")
    return lines


def monotone(ctx: Ctx) -> list[str]:
    """``aggravating``/``mitigating`` declarations of a few facts; enum and
    level facts now and then in an order of their own (a chain)."""
    draw = ctx.draw
    candidates = [v for v in ctx.vars if v.fact and v.ty[0] != "text"]
    if not candidates:
        return []
    lines = []
    for var in draw(st.lists(st.sampled_from(candidates), unique_by=lambda v: v.name, max_size=3)):
        direction = draw(st.sampled_from(["aggravating", "mitigating"]))
        members = var.ty[1] if var.ty[0] == "enum" else ctx.levels(var.ty[1]) if var.ty[0] == "level" else ()
        if len(members) >= 2 and draw(st.booleans()):
            order = draw(st.permutations(members))
            lines.append(f"{direction} {var.name}: {' < '.join(order[:draw(st.integers(2, len(order)))])}")
        else:
            lines.append(f"{direction} {var.name}")
    return lines


def replaced(ctx: Ctx) -> list[str]:
    """A fact of an earlier version, answered now by one of the facts."""
    draw = ctx.draw
    if draw(st.integers(0, 3)):
        return []
    facts = [v.name for v in ctx.vars if v.fact]
    return [f"replaced {ctx.name()} by {draw(st.sampled_from(facts))}"]
