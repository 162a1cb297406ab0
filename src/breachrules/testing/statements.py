"""The statements of a generated ruleset, each drawn well formed.

Statements are drawn in an order in which everything a statement reads is
declared before it (the ruleset may then be shuffled: the language lets a
name be used before its declaration). Outcomes are given an order, and a
rule concluding an outcome reads only the outcomes before it, so that
outcomes never depend on each other in a circle (BR404); ``instead`` only
points to a later obligation, so that exemptions never lead back to where
they started (BR420).
"""

from __future__ import annotations

from hypothesis import strategies as st

from breachrules.testing.citations import cite
from breachrules.testing.expressions import (
    BOOL,
    DT,
    DUR,
    LEVEL_POOL,
    MEMBER_POOL,
    NUM,
    SCALE_POOL,
    TEXT,
    Ctx,
    Ty,
    Var,
    any_type,
    condition,
    expr,
    leaf,
    set_literal,
)
from breachrules.testing.grammar import guided


def scales(ctx: Ctx) -> list[str]:
    draw = ctx.draw
    count = draw(st.integers(0, 3))
    names = ["risk"] + [ctx.fresh(SCALE_POOL, ctx.names, "s") for _ in range(count)]
    ctx.names.add("risk")
    order = draw(st.permutations(names))
    lines = []
    for name in order:
        levels = tuple(draw(st.lists(st.sampled_from(LEVEL_POOL), min_size=2, max_size=4, unique=True)))
        ctx.scales.append((name, levels))
        lines.append(f"scale {name}: {' < '.join(levels)}")
    return lines


def facts(ctx: Ctx) -> list[str]:
    draw = ctx.draw
    ctx.domains = [tuple(draw(st.lists(st.sampled_from(MEMBER_POOL), min_size=1, max_size=4, unique=True)))
                   for _ in range(draw(st.integers(1, 2)))]
    specs: list[tuple[str, Ty, str]] = [
        ("bool", BOOL, ""), ("count 0..", NUM, "3"), ("duration", DUR, "24h"), ("datetime", DT, ""),
    ]
    for domain in ctx.domains:
        members = ", ".join(domain)
        specs.append((f"{{{members}}}", ("enum", domain), domain[0]))
        specs.append((f"set of {{{members}}}", ("set", domain), "{}"))
    extras: list[tuple[str, Ty, str]] = [
        ("bool", BOOL, "false"), ("count", NUM, "0"), ("count 1..100", NUM, "1"),
        ("integer", NUM, "-5"), ("integer -5..5", NUM, "0"), ("number", NUM, "0.5"),
        ("number 0..1", NUM, "1"), ("number -1000.5..999999999999999", NUM, "0"),
        ("duration", DUR, "1.5h"), ("datetime", DT, ""), ("text", TEXT, '"t"'),
    ]
    extras += [(scale, ("level", scale), levels[0]) for scale, levels in ctx.scales]
    specs += draw(st.lists(st.sampled_from(extras), max_size=6))
    lines = []
    for type_text, ty, default in specs:
        name = ctx.name()
        ctx.vars.append(Var(name, ty, fact=True))
        line = f"fact {name}: {type_text}"
        if default and draw(st.integers(0, 4)) == 0:
            line += f" default {default}"
        lines.append(line)
    return lines


def needs_of(ctx: Ctx, text: str) -> int:
    """How far into the outcomes an expression reads (a safe over-estimate:
    any word that names a scale or a variable with needs counts)."""
    words = set(text.replace("(", " ").replace(")", " ").replace(",", " ").split())
    found = 0
    for i, (scale, _) in enumerate(ctx.scales):
        if scale in words:
            found = max(found, i + 1)
    for var in ctx.vars:
        if var.name in words:
            found = max(found, var.needs)
    return found


def defines(ctx: Ctx) -> list[str]:
    draw = ctx.draw
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        ty = any_type(ctx)
        rank = draw(st.integers(0, len(ctx.scales)))
        if ty[0] == "set":
            body = f"{leaf(ctx, ty, rank)} | {set_literal(ctx, ty)}"
        elif ctx.grammar and draw(st.integers(0, 3)) == 0:
            body = guided(ctx, ty, rank)
        else:
            body = expr(ctx, ty, draw(st.integers(0, 6)), rank)
        name = ctx.name()
        lines.append(f"define {name} = {body}")
        ctx.vars.append(Var(name, ty, min(rank, needs_of(ctx, body))))
    if ctx.extremes and draw(st.integers(0, 3)) == 0:
        lines += chain(ctx)
    return lines


def chain(ctx: Ctx) -> list[str]:
    """A long chain of definitions, each read once, by the next: the fast
    path writes the whole chain in place, as one expression."""
    draw = ctx.draw
    length = draw(st.integers(50, 150))
    ty = draw(st.sampled_from([BOOL, NUM, DUR]))
    previous = leaf(ctx, ty, 0)
    lines = []
    for _ in range(length):
        name = ctx.name()
        if ty == BOOL:
            step = draw(st.sampled_from([f"not {previous}", f"{previous} and true", f"({previous}) or false"]))
        elif ty == NUM:
            step = draw(st.sampled_from([f"{previous} + 1", f"-{previous}", f"{previous} * 2",
                                         f"({previous} - 1) * 1"]))
        else:
            step = draw(st.sampled_from([f"{previous} + 1h", f"-{previous}", f"{previous} * 2"]))
        lines.append(f"define {name} = {step}")
        previous = name
    ctx.vars.append(Var(previous, ty, 0))
    return lines


def scores(ctx: Ctx) -> list[str]:
    draw = ctx.draw
    lines = []
    for _ in range(draw(st.integers(0, 2))):
        scale, levels = draw(st.sampled_from(ctx.scales))
        rank = draw(st.integers(0, len(ctx.scales)))
        body = expr(ctx, NUM, draw(st.integers(0, 5)), rank)
        limits = sorted(set(draw(st.lists(st.integers(-100, 10**6), min_size=0, max_size=3))))
        bands = [f"below {limit}: {draw(st.sampled_from(levels))}" for limit in limits]
        bands.append(f"otherwise: {draw(st.sampled_from(levels))}")
        name = ctx.name()
        lines.append(f"score {name}: {scale} = {body}\n  " + "\n  ".join(bands))
        ctx.vars.append(Var(name, ("level", scale), min(rank, needs_of(ctx, body))))
    return lines


# What a member may be worth: whole and not, exact in binary and not (0.1),
# negative, and large enough that sums round.
POINT_VALUES = ("0", "1", "2", "4", "-3", "0.25", "0.5", "0.75", "0.1", "0.2", "1.5", "999999999999999", "0.3")


def points(ctx: Ctx) -> list[str]:
    """``points`` over an enum (a fact or a member written qualified) or a
    scale's level (a fact, a score, an outcome, ``max(...)``), a number for
    each member: sometimes all whole, so that the result is whole too."""
    draw = ctx.draw
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        rank = draw(st.integers(0, len(ctx.scales)))
        kinds: list[Ty] = [("level", scale) for scale, _ in ctx.scales] + [("enum", d) for d in ctx.domains]
        ty = draw(st.sampled_from(kinds))
        members = ctx.levels(ty[1]) if ty[0] == "level" else ty[1]
        body = expr(ctx, ty, draw(st.integers(0, 3)), rank)
        pool = POINT_VALUES[:5] if draw(st.booleans()) else POINT_VALUES
        values = [draw(st.sampled_from(pool)) for _ in members]
        name = ctx.name()
        listed = "\n  ".join(f"{member}: {value}" for member, value in zip(members, values, strict=True))
        lines.append(f"points {name} = {body}\n  {listed}")
        ctx.vars.append(Var(name, NUM, min(rank, needs_of(ctx, body))))
    return lines


def clauses(ctx: Ctx, kind: str) -> str:
    """The message and the citations every rule, exception, exemption and
    obligation gives."""
    return f' says "o" {cite(ctx)}' if kind == "obligation" else f' because "m" {cite(ctx)}'


def conclusion(ctx: Ctx, scale: str, rank: int) -> str:
    draw = ctx.draw
    ty: Ty = ("level", scale)
    roll = draw(st.integers(0, 3))
    if roll == 0:
        return f"{scale} >= {draw(st.sampled_from(ctx.levels(scale)))}"  # bare: the scale gives the context
    return f"{scale} >= {expr(ctx, ty, draw(st.integers(0, 3)), rank)}"


def rule_tree(ctx: Ctx) -> list[str]:
    """A rule with exceptions, exceptions to those, up to five deep; several
    exceptions to one rule can apply at once and conflict."""
    draw = ctx.draw
    concluded = draw(st.lists(st.sampled_from([s for s, _ in ctx.scales]), min_size=1, max_size=2, unique=True))
    rank = min(ctx.scale_index(s) for s in concluded)
    label = ctx.label()
    then = ", ".join(conclusion(ctx, s, rank) for s in concluded)
    lines = [f"rule {label} when {condition(ctx, rank)} then {then}{clauses(ctx, 'rule')}"
             if draw(st.integers(0, 5)) else f"rule {label} always then {then}{clauses(ctx, 'rule')}"]
    # an exception may conclude any outcome its tree's conditions do not read
    later = [s for s, _ in ctx.scales if ctx.scale_index(s) >= rank]
    lines += exceptions(ctx, label, later, rank, draw(st.integers(0, 5)))
    return lines


def exceptions(ctx: Ctx, base: str, concluded: list[str], rank: int, depth: int) -> list[str]:
    draw = ctx.draw
    if depth <= 0:
        return []
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        label = ctx.label()
        when = "always" if draw(st.integers(0, 6)) == 0 else f"when {condition(ctx, rank)}"
        outcomes = draw(st.lists(st.sampled_from(concluded), unique=True))
        then = (" then " + ", ".join(conclusion(ctx, s, rank) for s in outcomes)) if outcomes else ""
        lines.append(f"exception {label} to {base} {when}{then}{clauses(ctx, 'exception')}")
        lines += exceptions(ctx, label, concluded, rank, depth - 1 - draw(st.integers(0, 1)))
    return lines


def combine(ctx: Ctx) -> list[str]:
    """A table for a later outcome from two earlier ones."""
    draw = ctx.draw
    if len(ctx.scales) < 3 or draw(st.booleans()):
        return []
    target = draw(st.integers(2, len(ctx.scales) - 1))
    rows, columns = draw(st.lists(st.integers(0, target - 1), min_size=2, max_size=2, unique=True))
    (name, levels), (row_name, row_levels), (col_name, col_levels) = (
        ctx.scales[target], ctx.scales[rows], ctx.scales[columns])
    lines = [f"combine {name} = {row_name} x {col_name}", f"  {col_name}: {' '.join(col_levels)}"]
    for level in row_levels:
        cells = " ".join(draw(st.sampled_from(levels)) for _ in col_levels)
        lines.append(f"  {level}: {cells}")
    return ["\n".join(lines)]


def obligations(ctx: Ctx, done: bool = False) -> list[str]:
    """Obligations with and without conditions and deadlines, exemptions
    with and without ``instead``; ``instead`` only points to a later
    obligation, so it chains (a → b → c) and never comes back. With
    ``done``, an obligation with a deadline may name the datetime fact that
    records when it was done (which validation then holds to come no
    earlier than the instants its deadline is counted from), and the fact
    a late one requires."""
    draw = ctx.draw
    count = draw(st.integers(1, 5))
    names = [ctx.label() for _ in range(count)]
    everything = len(ctx.scales)
    lines = []
    targets: set[str] = set()
    for i, ob in enumerate(names):
        for _ in range(draw(st.integers(0, 2))):
            label = ctx.label()
            instead = ""
            if i + 1 < count and draw(st.booleans()):
                target = names[draw(st.integers(i + 1, count - 1))]
                if draw(st.booleans()):
                    target = names[i + 1]  # the next one: chains a → b → c
                targets.add(target)
                instead = f" instead {target}"
            when = "always" if draw(st.integers(0, 5)) == 0 else f"when {condition(ctx, everything)}"
            lines.append(f"exemption {label} to {ob} {when}{instead}{clauses(ctx, 'exemption')}")
    for ob in names:
        mode = draw(st.sampled_from(["when", "when", "always", "none"]))
        if mode == "none" and ob not in targets:
            mode = "always"
        head = {"when": f" when {condition(ctx, everything)}", "always": " always", "none": ""}[mode]
        due = draw(st.sampled_from(["expr", "expr", "undue", "none"]))
        tail = {"expr": f" due {expr(ctx, DT, draw(st.integers(0, 4)), everything)}",
                "undue": " due without undue delay", "none": ""}[due]
        if done and due == "expr" and draw(st.booleans()):
            instants = [v.name for v in ctx.vars if v.fact and v.ty == DT]
            if draw(st.booleans()):  # a fact of its own, as notified_at records notifying
                instants = [ctx.name()]
                ctx.vars.append(Var(instants[0], DT, fact=True))
                lines.append(f"fact {instants[0]}: datetime")
            tail += f" done {draw(st.sampled_from(instants))}"
            if draw(st.booleans()):
                tail += f" late requires {draw(st.sampled_from([v.name for v in ctx.vars if v.fact]))}"
        lines.append(f"obligation {ob}{head}{tail}{clauses(ctx, 'obligation')}")
    return lines
