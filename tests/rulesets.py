"""Hypothesis strategies for the *text* of random, well-formed rulesets.

The differential test (``tests/test_differential.py``) holds the generated
fast path to the reference interpreter. Hand-written rulesets only reach the
shapes their authors thought of; these strategies reach the others: names
that collide once the code generator glues them together (``x`` + ``y__z``
and ``x__y`` + ``z``), expressions nested up to the depth limit, chains of
single-use definitions that the fast path writes in place, ``points`` over
members and levels (outcomes among them), arithmetic that
divides by zero or runs past the calendar, exceptions five deep and in
conflict, and ``instead`` chains.

The generator is typed: every expression is drawn for the type its place
needs, so almost every ruleset compiles. Outcomes are given an order, and a
rule concluding an outcome reads only outcomes before it, so that outcomes
never depend on each other in a circle (BR404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from breachrules.program import FactDef
from tests.strategies import value_of

# A type as the generator sees it: ("bool",), ("num",), ("dur",), ("dt",),
# ("text",), ("enum", members), ("set", members), ("level", scale).
Ty = tuple[Any, ...]
BOOL: Ty = ("bool",)
NUM: Ty = ("num",)
DUR: Ty = ("dur",)
DT: Ty = ("dt",)
TEXT: Ty = ("text",)

# Global names (facts, definitions, scales) and labels are drawn first from
# these pools: prefixes of each other and double underscores, so that names
# the code generator builds by concatenation can collide. Some are keywords
# that are reserved only where the grammar expects them.
GLOBAL_POOL = ("x", "y", "z", "x__y", "y__z", "x__y__z", "x_y", "xy", "xx", "x1", "_x", "x__",
               "count", "source", "delay")
SCALE_POOL = ("y", "z", "y__z", "x__y", "x__y__z", "sev", "lik", "z__")
LABEL_POOL = ("x", "y", "z", "x__y", "y__z", "x__y__z", "x_y", "xy", "r", "r__", "_r")
# Levels and members may spell a global name: they are only written where
# the context gives them their type (or qualified).
LEVEL_POOL = ("none", "low", "risk", "high", "a", "b", "a__b", "x", "y__z", "lo", "hi")
MEMBER_POOL = ("a", "b", "c", "a__b", "b__c", "x", "y", "health", "contact", "m_1")

ORDERED = ("<", "<=", ">", ">=", "==", "!=")


@dataclass(frozen=True)
class Var:
    """A fact, definition or score an expression may read. ``needs`` is one
    more than the index of the last outcome it reads (0: it reads none)."""

    name: str
    ty: Ty
    needs: int = 0
    fact: bool = False


@dataclass
class Ctx:
    """What the ruleset declared so far, and the names already taken."""

    draw: Any
    scales: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    domains: list[tuple[str, ...]] = field(default_factory=list)
    vars: list[Var] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    counter: int = 0

    def fresh(self, pool: tuple[str, ...], taken: set[str], prefix: str) -> str:
        """A name from ``pool`` when one is free (usually), else a new one."""
        free = [p for p in pool if p not in taken]
        if free and self.draw(st.integers(0, 3)) > 0:
            name: str = self.draw(st.sampled_from(free))
        else:
            self.counter += 1
            name = f"{prefix}{self.counter}"
        taken.add(name)
        return name

    def name(self) -> str:
        return self.fresh(GLOBAL_POOL, self.names, "n")

    def label(self) -> str:
        return self.fresh(LABEL_POOL, self.labels, "l")

    def scale_index(self, name: str) -> int:
        return next(i for i, (s, _) in enumerate(self.scales) if s == name)

    def levels(self, scale: str) -> tuple[str, ...]:
        return self.scales[self.scale_index(scale)][1]

    def readable(self, ty: Ty, rank: int) -> list[Var]:
        """The variables of type ``ty`` an expression limited to ``rank`` may read."""
        found = [v for v in self.vars if v.ty == ty and v.needs <= rank]
        if ty[0] == "level" and self.scale_index(ty[1]) < rank:
            found.append(Var(ty[1], ty, self.scale_index(ty[1]) + 1))
        return found


# ------------------------------------------------------------------ literals


def number_literal(draw: Any) -> str:
    """Numbers from tiny to the 15-digit limit (never negative: that is ``-``)."""
    return str(draw(st.one_of(
        st.integers(0, 10),
        st.integers(0, 10**6),
        st.sampled_from([999999999999999, 100000000000000, 0, 1, 2, 72]),
        st.sampled_from(["0.5", "1.5", "0.000000000001", "999999999999.999", "0.1", "2.0",
                         "123456789012345", "0.333333333333333"]),
    )))


# Largest amount per unit that still fits a timedelta (999999999 days).
_UNIT_MAX = {"min": 10**12, "h": 2 * 10**10, "d": 9 * 10**8, "w": 10**8}


def duration_literal(draw: Any) -> str:
    unit = draw(st.sampled_from(sorted(_UNIT_MAX)))
    amount = draw(st.one_of(
        st.integers(0, 100).map(str),
        st.sampled_from(["1.5", "0.5", "99999", "30", "72", "0.000000000001"]),
        st.integers(0, _UNIT_MAX[unit]).map(str),
    ))
    return f"{amount}{unit}"


# ------------------------------------------------------------------ expressions


def expr(ctx: Ctx, ty: Ty, budget: int, rank: int) -> str:
    """An expression of type ``ty`` nested at most ``budget`` operators deep
    (as the parser counts depth: parentheses are free), reading outcomes
    before ``rank`` only."""
    draw = ctx.draw
    if budget <= 0 or draw(st.integers(0, 9)) < 4:
        return leaf(ctx, ty, rank, budget)
    maker = COMPOUND.get(ty[0])
    if maker is None:
        return leaf(ctx, ty, rank, budget)
    return str(maker(ctx, ty, budget - 1, rank))


def leaf(ctx: Ctx, ty: Ty, rank: int, budget: int = 0) -> str:
    draw = ctx.draw
    options = [v.name for v in ctx.readable(ty, rank)]
    kind = ty[0]
    if kind == "bool":
        options += ["true", "false"]
    elif kind == "num":
        options.append(number_literal(draw))
    elif kind == "dur":
        options.append(duration_literal(draw))
    elif kind == "text":
        options.append('"t"')
    elif kind == "enum":
        options += [f"{v.name}.{m}" for v in ctx.vars  # qualified: the owner is a fact
                    if v.fact and v.ty[0] in ("enum", "set") and v.ty[1] == ty[1] for m in ty[1]]
    elif kind == "level":
        options += [f"{ty[1]}.{level}" for level in ctx.levels(ty[1])]
    elif kind == "set" and budget > 0:
        # a set from a literal needs a context: give it one
        return f"({leaf(ctx, ty, rank)} | {set_literal(ctx, ty)})"
    assert options, ty
    return str(draw(st.sampled_from(options)))


def set_literal(ctx: Ctx, ty: Ty) -> str:
    members = ctx.draw(st.lists(st.sampled_from(ty[1]), unique=True))
    return "{" + ", ".join(members) + "}"


def paren(text: str) -> str:
    return f"({text})"


def any_type(ctx: Ctx) -> Ty:
    """A type some expression can have here."""
    choices: list[Ty] = [BOOL, NUM, DUR, DT]
    choices += [("enum", d) for d in ctx.domains] + [("set", d) for d in ctx.domains]
    choices += [("level", s) for s, _ in ctx.scales]
    return ctx.draw(st.sampled_from(choices))  # type: ignore[no-any-return]


def bool_expr(ctx: Ctx, ty: Ty, budget: int, rank: int) -> str:
    draw = ctx.draw
    shape = draw(st.sampled_from([
        "not", "and", "or", "order", "equal", "level", "in", "intersects", "subset", "known",
    ]))
    sub = budget
    if shape == "not":
        return f"not {paren(expr(ctx, BOOL, sub, rank))}"
    if shape in ("and", "or"):
        n = draw(st.integers(2, 4))
        return f" {shape} ".join(paren(expr(ctx, BOOL, sub, rank)) for _ in range(n))
    if shape == "order":
        ty2 = draw(st.sampled_from([NUM, DUR, DT]))
        op = draw(st.sampled_from(ORDERED))
        return f"{paren(expr(ctx, ty2, sub, rank))} {op} {paren(expr(ctx, ty2, sub, rank))}"
    if shape == "equal":
        ty2 = any_type(ctx)
        op = draw(st.sampled_from(["==", "!="]))
        left = paren(expr(ctx, ty2, sub, rank))
        right = set_literal(ctx, ty2) if ty2[0] == "set" and draw(st.booleans()) else paren(
            expr(ctx, ty2, sub, rank))
        return f"{left} {op} {right}"
    if shape == "level":
        scale, levels = draw(st.sampled_from(ctx.scales))
        level_ty: Ty = ("level", scale)
        op = draw(st.sampled_from(ORDERED))
        left = paren(expr(ctx, level_ty, sub, rank))
        # a bare level on the right is read in the light of the left side
        right = draw(st.sampled_from(levels)) if draw(st.booleans()) else paren(expr(ctx, level_ty, sub, rank))
        return f"{left} {op} {right}"
    if not ctx.domains:
        return leaf(ctx, BOOL, rank)
    domain = draw(st.sampled_from(ctx.domains))
    set_ty: Ty = ("set", domain)
    if shape == "in":
        negated = " not" if draw(st.booleans()) else ""
        if draw(st.booleans()):
            element = draw(st.sampled_from(domain))  # bare member: the set gives the context
            return f"{element}{negated} in {paren(expr(ctx, set_ty, sub, rank))}"
        element = paren(expr(ctx, ("enum", domain), sub, rank))
        collection = set_literal(ctx, set_ty) if draw(st.booleans()) else paren(expr(ctx, set_ty, sub, rank))
        return f"{element}{negated} in {collection}"
    if shape in ("intersects", "subset"):
        op = "intersects" if shape == "intersects" else "subset of"
        right = set_literal(ctx, set_ty) if draw(st.booleans()) else paren(expr(ctx, set_ty, sub, rank))
        return f"{paren(expr(ctx, set_ty, sub, rank))} {op} {right}"
    # is known / is unknown, mostly on arithmetic that can fail
    which = draw(st.sampled_from(["known", "unknown"]))
    inner_ty = draw(st.sampled_from([NUM, DUR, DT, any_type(ctx)]))
    return f"{paren(expr(ctx, inner_ty, sub, rank))} is {which}"


def num_expr(ctx: Ctx, ty: Ty, budget: int, rank: int) -> str:
    draw = ctx.draw
    shape = draw(st.sampled_from(["arith", "arith", "neg", "minmax", "size", "durdiv", "divzero"]))
    if shape == "arith":
        op = draw(st.sampled_from(["+", "-", "*", "/"]))
        return f"{paren(expr(ctx, NUM, budget, rank))} {op} {paren(expr(ctx, NUM, budget, rank))}"
    if shape == "neg":
        return f"-{paren(expr(ctx, NUM, budget, rank))}"
    if shape == "minmax":
        return minmax(ctx, NUM, budget, rank)
    if shape == "size" and ctx.domains:
        domain = draw(st.sampled_from(ctx.domains))
        return f"size({expr(ctx, ('set', domain), budget, rank)})"
    if shape == "durdiv":
        return f"{paren(expr(ctx, DUR, budget, rank))} / {paren(expr(ctx, DUR, budget, rank))}"
    # a divisor that is zero: a difference of one value with itself
    if budget < 1:
        return leaf(ctx, NUM, rank)
    same = leaf(ctx, NUM, rank)
    return f"{paren(expr(ctx, NUM, budget - 1, rank))} / ({same} - {same})"


def minmax(ctx: Ctx, ty: Ty, budget: int, rank: int) -> str:
    draw = ctx.draw
    function = draw(st.sampled_from(["min", "max"]))
    n = draw(st.integers(2, 3))
    return f"{function}({', '.join(expr(ctx, ty, budget, rank) for _ in range(n))})"


def dur_expr(ctx: Ctx, ty: Ty, budget: int, rank: int) -> str:
    draw = ctx.draw
    shape = draw(st.sampled_from(["add", "mul", "rmul", "div", "dtdiff", "neg", "minmax"]))
    if shape == "add":
        op = draw(st.sampled_from(["+", "-"]))
        return f"{paren(expr(ctx, DUR, budget, rank))} {op} {paren(expr(ctx, DUR, budget, rank))}"
    if shape == "mul":
        return f"{paren(expr(ctx, DUR, budget, rank))} * {paren(expr(ctx, NUM, budget, rank))}"
    if shape == "rmul":
        return f"{paren(expr(ctx, NUM, budget, rank))} * {paren(expr(ctx, DUR, budget, rank))}"
    if shape == "div":
        return f"{paren(expr(ctx, DUR, budget, rank))} / {paren(expr(ctx, NUM, budget, rank))}"
    if shape == "dtdiff":
        return f"{paren(expr(ctx, DT, budget, rank))} - {paren(expr(ctx, DT, budget, rank))}"
    if shape == "neg":
        return f"-{paren(expr(ctx, DUR, budget, rank))}"
    return minmax(ctx, DUR, budget, rank)


def dt_expr(ctx: Ctx, ty: Ty, budget: int, rank: int) -> str:
    draw = ctx.draw
    shape = draw(st.sampled_from(["plus", "rplus", "minus", "minmax", "huge"]))
    if shape == "plus":
        return f"{paren(expr(ctx, DT, budget, rank))} + {paren(expr(ctx, DUR, budget, rank))}"
    if shape == "rplus":
        return f"{paren(expr(ctx, DUR, budget, rank))} + {paren(expr(ctx, DT, budget, rank))}"
    if shape == "minus":
        return f"{paren(expr(ctx, DT, budget, rank))} - {paren(expr(ctx, DUR, budget, rank))}"
    if shape == "minmax":
        return minmax(ctx, DT, budget, rank)
    # past the end (or before the start) of the calendar
    sign = draw(st.sampled_from(["+", "-"]))
    return f"{paren(expr(ctx, DT, budget, rank))} {sign} {draw(st.sampled_from(['999999w', '99999999d']))}"


def set_expr(ctx: Ctx, ty: Ty, budget: int, rank: int) -> str:
    draw = ctx.draw
    op = draw(st.sampled_from(["|", "&", "-"]))
    right = set_literal(ctx, ty) if draw(st.booleans()) else paren(expr(ctx, ty, budget, rank))
    return f"{paren(expr(ctx, ty, budget, rank))} {op} {right}"


def level_expr(ctx: Ctx, ty: Ty, budget: int, rank: int) -> str:
    return minmax(ctx, ty, budget, rank)


COMPOUND: dict[str, Any] = {
    "bool": bool_expr, "num": num_expr, "dur": dur_expr, "dt": dt_expr,
    "set": set_expr, "level": level_expr,
}


# ------------------------------------------------------------------ extreme shapes


def deep(ctx: Ctx, ty: Ty, rank: int) -> str:
    """One of the shapes that nest to the limit: ~60 ``not`` or unary
    minus, a 60-term ``+`` chain, or plain deep nesting in parentheses."""
    draw = ctx.draw
    n: int = draw(st.integers(40, 60))
    if ty == BOOL:
        spaced = draw(st.booleans())
        inner = leaf(ctx, BOOL, rank)
        if spaced:
            return "not " * n + inner
        text = inner
        for _ in range(n):
            text = f"not ({text})"
        return text
    if ty == NUM:
        shape = draw(st.sampled_from(["neg", "chain", "parens"]))
        if shape == "neg":
            return "- " * n + leaf(ctx, NUM, rank)
        if shape == "chain":
            return " + ".join(leaf(ctx, NUM, rank) for _ in range(n))
        return "(" * n + leaf(ctx, NUM, rank) + ")" * n
    return expr(ctx, ty, 8, rank)


def condition(ctx: Ctx, rank: int) -> str:
    """A rule's condition: usually an ordinary expression, now and then one
    of the deep shapes."""
    draw = ctx.draw
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return deep(ctx, BOOL, rank)
    if roll == 1:
        return f"({deep(ctx, NUM, rank)}) > {number_literal(draw)}"
    return expr(ctx, BOOL, draw(st.integers(0, 6)), rank)


# ------------------------------------------------------------------ statements


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
        else:
            body = expr(ctx, ty, draw(st.integers(0, 6)), rank)
        name = ctx.name()
        lines.append(f"define {name} = {body}")
        ctx.vars.append(Var(name, ty, min(rank, needs_of(ctx, body))))
    if draw(st.integers(0, 3)) == 0:
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


def clauses(kind: str) -> str:
    return ' says "o" cite "c"' if kind == "obligation" else ' because "m" cite "c"'


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
    lines = [f"rule {label} when {condition(ctx, rank)} then {then}{clauses('rule')}"
             if draw(st.integers(0, 5)) else f"rule {label} always then {then}{clauses('rule')}"]
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
        lines.append(f"exception {label} to {base} {when}{then}{clauses('exception')}")
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


def obligations(ctx: Ctx) -> list[str]:
    """Obligations with and without conditions and deadlines, exemptions
    with and without ``instead``; ``instead`` only points to a later
    obligation, so it chains (a → b → c) and never comes back."""
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
            lines.append(f"exemption {label} to {ob} {when}{instead}{clauses('exemption')}")
    for ob in names:
        mode = draw(st.sampled_from(["when", "when", "always", "none"]))
        if mode == "none" and ob not in targets:
            mode = "always"
        head = {"when": f" when {condition(ctx, everything)}", "always": " always", "none": ""}[mode]
        due = draw(st.sampled_from(["expr", "expr", "undue", "none"]))
        tail = {"expr": f" due {expr(ctx, DT, draw(st.integers(0, 4)), everything)}",
                "undue": " due without undue delay", "none": ""}[due]
        lines.append(f"obligation {ob}{head}{tail}{clauses('obligation')}")
    return lines


@st.composite
def rulesets(draw: Any) -> str:
    """The text of a random, well-formed ruleset."""
    ctx = Ctx(draw)
    statements = scales(ctx) + facts(ctx) + defines(ctx) + scores(ctx) + points(ctx)
    for _ in range(draw(st.integers(1, 5))):
        statements += rule_tree(ctx)
    statements += combine(ctx) + obligations(ctx)
    order = draw(st.permutations(statements)) if draw(st.booleans()) else statements
    return 'ruleset gen version "1"\n' + "\n".join(order) + "\n"


# ------------------------------------------------------------------ incidents

ZONES = [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), ZoneInfo("Europe/Helsinki")]


def instants() -> st.SearchStrategy[datetime]:
    """Instants of today, and near the edges of the window incidents may
    speak of (1900 to 2999, in UTC), where arithmetic soon leaves the calendar.
    Drawn in UTC and shown in some time zone, so that the instant is in the window."""
    utc = st.one_of(
        st.datetimes(datetime(2000, 1, 1), datetime(2030, 12, 31)),
        st.datetimes(datetime(1900, 1, 1), datetime(1900, 1, 3)),
        st.datetimes(datetime(2999, 12, 29), datetime(2999, 12, 31, 23, 59, 59, 999999)),
        st.sampled_from([datetime(1900, 1, 1), datetime(2999, 12, 31, 23, 59, 59, 999999)]),
    )
    return st.builds(lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone), utc, st.sampled_from(ZONES))


def durations() -> st.SearchStrategy[timedelta]:
    """Short durations, and long ones that carry an instant off the calendar."""
    return st.one_of(
        st.timedeltas(timedelta(0), timedelta(days=10)),
        st.timedeltas(timedelta(0), timedelta(days=10**6)),
        st.sampled_from([timedelta(0), timedelta(days=999999999), timedelta.max, timedelta(microseconds=1)]),
    )


def fact_value(fact: FactDef) -> st.SearchStrategy[Any]:
    kind = fact.type.kind
    if kind == "datetime":
        return instants()
    if kind == "duration":
        return durations()
    if kind == "number" and fact.type.low is None and fact.type.high is None and not fact.type.integral:
        return st.one_of(value_of(fact), st.sampled_from([0, 0.0, 1e15, -1e15, 1e-12]))
    return value_of(fact)


def complete_incidents(ruleset: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Incidents that give every fact of ``ruleset``: the generated fast path runs."""
    return st.fixed_dictionaries({name: fact_value(fact) for name, fact in ruleset.facts.items()})
