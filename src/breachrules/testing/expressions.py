"""Typed expressions for generated rulesets, and the context they are drawn in.

The grammar alone cannot make a ruleset well formed: a name must be
declared, an operand must have the type its operator takes (a duration
plus a datetime, never a set plus a number), a bare member needs a side
that gives it its type, and an outcome must not read itself through
another one. So every expression here is drawn for the type its place
needs, reading only what has been declared with that type, and nothing
the checker would refuse is ever written: every ruleset drawn compiles.

What makes the expressions worth drawing at random is what hand-written
rulesets rarely hold: names that collide once the code generator glues
them together (``x`` + ``y__z`` and ``x__y`` + ``z``), nesting up to the
depth limit, ``points`` over members and levels, and arithmetic that
divides by zero or runs past the calendar (which evaluation must report
as an ``EvaluationError``, the same on both of its paths).

:class:`Ctx` holds what the ruleset has declared so far; the statements
that declare it are drawn in :mod:`breachrules.testing.statements`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

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
    # whether to draw the shapes at the language's limits (60-deep
    # nesting, chains of 150 definitions): robustness, at a cost in time
    extremes: bool = True
    # whether the grammar draws the shape of some conditions and
    # definitions (see breachrules.testing.grammar)
    grammar: bool = False
    # the references citations may name, with their kinds (law, document)
    references: list[tuple[str, str]] = field(default_factory=list)

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
    of the deep shapes, or one the grammar drew."""
    draw = ctx.draw
    roll = draw(st.integers(0, 19)) if ctx.extremes or ctx.grammar else 19
    if ctx.extremes and roll == 0:
        return deep(ctx, BOOL, rank)
    if ctx.extremes and roll == 1:
        return f"({deep(ctx, NUM, rank)}) > {number_literal(draw)}"
    if ctx.grammar and roll >= 16:
        from breachrules.testing.grammar import guided  # (it fits what it draws with this module)

        return guided(ctx, BOOL, rank)
    return expr(ctx, BOOL, draw(st.integers(0, 6)), rank)
