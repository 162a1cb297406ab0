"""Expressions whose shape the grammar draws, fitted to the types their
places need.

:mod:`breachrules.testing.expressions` draws the shapes someone thought of
for each type. Here the grammar (``grammar/breachrules.lark``) draws
them, through ``hypothesis.extra.lark.from_lark``: any nesting of the
operators the grammar has, ``is known`` on anything, calls with any number
of arguments, sets built from sets. The grammar knows nothing of types, so
its expression is then *fitted*, top down: each node keeps its operator
where the operator can give the type its place needs, with its operands
fitted to the types the operator takes in turn; a node that cannot (a
set where a number is needed, a name) becomes a value of the needed type:
a name the ruleset declares with it, or a literal. What comes out has the
grammar's shape where types allow it and type-checks everywhere: nothing
is filtered.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from hypothesis import strategies as st

from breachrules.testing.expressions import (
    BOOL,
    DT,
    DUR,
    NUM,
    Ctx,
    Ty,
    any_type,
    duration_literal,
    leaf,
    paren,
    set_literal,
)

# How many operators deep a fitted expression may nest (the parser's limit
# is far above; the deep shapes of ``expressions.deep`` go there).
DEPTH = 6
ORDERED: tuple[Ty, ...] = (NUM, DUR, DT)


def guided(ctx: Ctx, ty: Ty, rank: int) -> str:
    """An expression of type ``ty``, reading outcomes before ``rank`` only,
    in a shape the grammar drew."""
    tree = _parser().parse(ctx.draw(_shapes()))
    return fit(ctx, tree, ty, rank, DEPTH)


@functools.cache
def _parser() -> Any:
    """The grammar's parser, from its expressions down."""
    import lark

    return lark.Lark(_grammar_text(), parser="lalr", lexer="contextual", start="expr", maybe_placeholders=True)


def _grammar_text() -> str:
    from breachrules import resources

    return resources.grammar_file().read_text(encoding="utf-8")


# The grammar's expression rules, loosest first: each reads the next, and
# the last (an atom) reads the first again inside parentheses and calls.
CHAIN = ("expr", "or_expr", "and_expr", "not_expr", "comparison", "union", "intersection", "sum", "product",
         "unary", "atom")
# How many times drawing may come back up the chain (a parenthesis, a
# call's argument, a ``not`` of a ``not``, a second ``|``).
LEVELS = 2
_RULE = re.compile(r"^([?!]?)([a-z_]+):(.*)$")
_WORD = re.compile(r"\b[a-z_]+\b")


def drawing_grammar(text: str, levels: int = LEVELS) -> str:
    """The grammar, for drawing: without its layout (``%ignore`` of white
    space and comments, which from_lark would draw between any two tokens
    only for the fitting to drop them), and with its expression rules
    unrolled ``levels`` deep, from ``expr_0``.

    Hypothesis refuses a draw nested more than 100 deep, and the
    expression rules nest eleven deep for each parenthesis: drawn from
    ``expr``, most expressions would be refused. In the unrolled copy, a
    rule that reads a rule before it in :data:`CHAIN` (or itself) reads the
    copy one level down instead, and the last level is a name. Every text
    it draws is one the grammar accepts, as it is."""
    lines = [line for line in text.splitlines() if not line.startswith("%ignore")]
    start = next(i for i, line in enumerate(lines) if line.startswith("?expr:"))
    end = next(i for i, line in enumerate(lines) if line.startswith("signed_number:"))
    section = lines[start:end]
    unrolled: list[str] = []
    for level in range(levels):
        rule = ""
        for line in section:
            match = _RULE.match(line)
            if match is not None:
                rule = match.group(2)
            if rule not in CHAIN or line.lstrip().startswith("//"):
                continue
            if match is not None:
                prefix, _, body = match.groups()
                unrolled.append(f"{prefix}{rule}_{level}:{_leveled(body, rule, level)}")
            else:
                unrolled.append(_leveled(line, rule, level))
    unrolled += [f"?{rule}_{levels}: NAME" for rule in CHAIN]
    return "\n".join(lines + unrolled) + "\n"


def _leveled(line: str, rule: str, level: int) -> str:
    """A line of ``rule``'s alternatives at ``level``: a name of the chain
    read at the same level when it comes after ``rule``, one level down
    when it does not (an alias, after ``->``, is left as it is)."""
    alternatives, arrow, alias = line.partition("->")

    def leveled(match: re.Match[str]) -> str:
        name = match.group(0)
        if name not in CHAIN:
            return name
        return f"{name}_{level if CHAIN.index(name) > CHAIN.index(rule) else level + 1}"

    return _WORD.sub(leveled, alternatives) + arrow + alias


@functools.cache
def _shapes() -> st.SearchStrategy[str]:
    """Expression text the grammar accepts. Its names and literals are
    placeholders (fitting replaces them), each token followed by a space so
    that the text reads back as it was drawn."""
    import lark
    from hypothesis.extra.lark import from_lark
    from lark.lexer import PatternStr

    # (never used to parse, and not LALR: Earley only reads it)
    drawing = lark.Lark(drawing_grammar(_grammar_text()), parser="earley", start="expr_0")
    explicit = {t.name: st.just(t.pattern.value + " ") for t in drawing.terminals
                if isinstance(t.pattern, PatternStr)}
    explicit.update({
        "NAME": st.just("v "), "NUMBER": st.sampled_from(["0 ", "1 ", "2.5 ", "72 "]),
        "DURATION": st.just("1h "), "STRING": st.just('"t" '),
    })
    return from_lark(drawing, start="expr_0", explicit=explicit)


def fit(ctx: Ctx, node: Any, ty: Ty, rank: int, budget: int) -> str:
    """The text of ``node`` (a parse tree, or a token) made an expression of
    type ``ty``."""
    kind = getattr(node, "data", None)
    if budget <= 0 or kind is None:
        return leaf(ctx, ty, rank)
    fitter = _FITTERS.get(ty[0])
    fitted = fitter(ctx, node, str(kind), ty, rank, budget - 1) if fitter is not None else None
    return fitted if fitted is not None else _literal(ctx, node, str(kind), ty, rank)


def _literal(ctx: Ctx, node: Any, kind: str, ty: Ty, rank: int) -> str:
    """A literal of the grammar kept where it has the type (the placeholder
    numbers and durations are valid ones), else a value of ``ty``."""
    if (kind, ty) in (("true", BOOL), ("false", BOOL)):
        return kind
    if kind == "number" and ty == NUM:
        return str(node.children[0])
    if kind == "duration" and ty == DUR:
        return duration_literal(ctx.draw)
    return leaf(ctx, ty, rank)


def _operands(node: Any) -> list[Any]:
    """The children that are expressions (not operator tokens or the
    placeholder of an empty argument list)."""
    return [child for child in node.children if child is not None and hasattr(child, "data")
            and child.data not in ("comp_op", "add_op", "mul_op")]


def _operator(node: Any) -> str:
    return next(str(child.children[0]) for child in node.children if getattr(child, "data", None) in (
        "comp_op", "add_op", "mul_op"))


def _bool(ctx: Ctx, node: Any, kind: str, ty: Ty, rank: int, budget: int) -> str | None:
    draw = ctx.draw
    parts = _operands(node)
    if kind in ("or_", "and_"):
        return f" {kind[:-1]} ".join(paren(fit(ctx, part, BOOL, rank, budget)) for part in parts)
    if kind == "not_":
        return f"not {paren(fit(ctx, parts[0], BOOL, rank, budget))}"
    if kind == "compare":
        op = _operator(node)
        levels: list[Ty] = [("level", scale) for scale, _ in ctx.scales]
        side = any_type(ctx) if op in ("==", "!=") else draw(st.sampled_from(ORDERED + tuple(levels)))
        return f"{paren(fit(ctx, parts[0], side, rank, budget))} {op} {paren(fit(ctx, parts[1], side, rank, budget))}"
    if kind in ("is_known", "is_unknown"):
        return f"{paren(fit(ctx, parts[0], any_type(ctx), rank, budget))} is {kind[3:]}"
    if kind in ("member", "not_member", "intersects", "subset") and ctx.domains:
        domain = draw(st.sampled_from(ctx.domains))
        left: Ty = ("enum", domain) if kind in ("member", "not_member") else ("set", domain)
        op = {"member": "in", "not_member": "not in", "intersects": "intersects", "subset": "subset of"}[kind]
        return (f"{paren(fit(ctx, parts[0], left, rank, budget))} {op} "
                f"{paren(fit(ctx, parts[1], ('set', domain), rank, budget))}")
    return None


def _arithmetic(ctx: Ctx, node: Any, kind: str, ty: Ty, rank: int, budget: int) -> str | None:
    """Numbers, durations and instants: ``+ - * /``, unary minus, min and max
    (and ``size`` of a set, for a number)."""
    parts = _operands(node)
    if kind == "call":
        if len(parts) >= 2:
            function = "min" if len(parts) % 2 else "max"
            return f"{function}({', '.join(fit(ctx, part, ty, rank, budget) for part in parts)})"
        if ty == NUM and len(parts) == 1 and ctx.domains:
            domain = ctx.draw(st.sampled_from(ctx.domains))
            return f"size({fit(ctx, parts[0], ('set', domain), rank, budget)})"
        return None
    if kind == "negate" and ty != DT:
        return f"-{paren(fit(ctx, parts[0], ty, rank, budget))}"
    if kind != "arith":
        return None
    op = _operator(node)
    # what each operator takes to give ``ty``: (left, right), or None
    takes: dict[tuple[Ty, str], tuple[Ty, Ty]] = {
        (NUM, "+"): (NUM, NUM), (NUM, "-"): (NUM, NUM), (NUM, "*"): (NUM, NUM), (NUM, "/"): (NUM, NUM),
        (DUR, "+"): (DUR, DUR), (DUR, "-"): (DUR, DUR), (DUR, "*"): (DUR, NUM), (DUR, "/"): (DUR, NUM),
        (DT, "+"): (DT, DUR), (DT, "-"): (DT, DUR),
    }
    sides = takes.get((ty, op))
    if sides is None:
        return None
    left, right = (paren(fit(ctx, part, side, rank, budget)) for part, side in zip(parts, sides, strict=True))
    return f"{left} {op} {right}"


def _set(ctx: Ctx, node: Any, kind: str, ty: Ty, rank: int, budget: int) -> str | None:
    """``|``, ``&`` and ``-`` of sets; a set literal, with a set beside it
    that gives its members their type."""
    parts = _operands(node)
    op = {"union_": "|", "intersection_": "&"}.get(kind) or ("-" if kind == "arith" and _operator(node) == "-"
                                                            else None)
    if op is not None:
        return f"{paren(fit(ctx, parts[0], ty, rank, budget))} {op} {paren(fit(ctx, parts[1], ty, rank, budget))}"
    if kind == "set_literal":
        return f"({leaf(ctx, ty, rank)} | {set_literal(ctx, ty)})"
    return None


def _level(ctx: Ctx, node: Any, kind: str, ty: Ty, rank: int, budget: int) -> str | None:
    parts = _operands(node)
    if kind == "call" and len(parts) >= 2:
        function = "min" if len(parts) % 2 else "max"
        return f"{function}({', '.join(fit(ctx, part, ty, rank, budget) for part in parts)})"
    return None


_FITTERS: dict[str, Any] = {
    "bool": _bool, "num": _arithmetic, "dur": _arithmetic, "dt": _arithmetic, "set": _set, "level": _level,
}
