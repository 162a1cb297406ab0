"""The canonical layout of each statement, as a document for
:mod:`breachrules.pretty`.

The layout is the one the bundled rulesets were written in, made exact:

- A statement starts at the left margin; its clauses (``when``, ``then``,
  ``because``, ``says``, ``cite``, ``due`` ...), a fact's ``question``, the
  header's ``title`` and ``source``, a score's bands, a table's rows and a
  checklist's items each take a line of their own, two spaces in (an
  item's clauses four).
- A rule's, an exception's and an exemption's ``when`` always has a line of
  its own; an obligation's and an action's stays on the first line when
  the whole condition fits there. ``always`` stays on the first line.
- A definition, a score, ``points`` and an invariant keep their expression
  on the first line when it fits, and otherwise start it on the next line,
  two spaces in.
- An ``and`` or ``or`` that does not fit on one line is broken before every
  operator of that chain, one operand to a line: after ``when`` the
  operator hangs to the left so that the operands line up; elsewhere (after
  a line break, inside parentheses) it starts the line at the column where
  the chain began.
- Lists (set members, names, citations, arithmetic) are filled: each line
  takes as many items as fit, continuation lines aligned under the first
  item. The arguments of a function and the conclusions of ``then`` go one
  to a line when they do not all fit.
- One space around operators, after commas and colons; none inside
  parentheses and braces, around ``.``, ``..``, or after a unary minus.
- The ``title`` and ``source`` of the header, consecutive ``reference``
  statements and the columns of a ``combine`` table are aligned.

Tokens are printed as written (strings and numbers byte for byte), except a
row label's colon, which is glued to its name. The builders never drop,
add or reorder a token, and put exactly one :class:`~breachrules.pretty.Sep`
between every two, so that the formatter can put each comment back in its
gap (:mod:`breachrules.comments`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lark import Tree

from breachrules.pretty import Align, Concat, Doc, Fill, Group, Indent, Sep, Text

INDENT = 2  # clauses, options, bands, rows and items, under their statement
TABLE_GUTTER = 2  # spaces between the columns of a combine table, at the least

# The tokens before the condition: "rule NAME", "exception NAME to NAME",
# "action NAME in PHASE"...
_HEAD_TOKENS = {"rule": 2, "exception": 4, "exemption": 4, "obligation": 2, "action": 4}

# Expressions: the rules of the grammar that make one.
_EXPRESSIONS = frozenset({
    "or_", "and_", "not_", "compare", "member", "not_member", "intersects", "subset", "is_known",
    "is_unknown", "union_", "intersection_", "arith", "negate", "name", "qualified", "call", "number",
    "duration", "string", "true", "false", "set_literal", "atom", "default_name",
})


def kids(tree: Any) -> list[Any]:
    """A tree's children, without the placeholders of absent optional parts."""
    return [c for c in tree.children if c is not None]


def is_tree(node: Any, *names: str) -> bool:
    return isinstance(node, Tree) and (not names or node.data in names)


def label_text(token: Any) -> str:
    """A token as the canonical layout writes it: a row label glued to its colon."""
    if token.type == "ROW_LABEL":
        return str(token).rstrip(": \t") + ":"
    return str(token)


# ------------------------------------------------------------------ joining


def space(pad: int = 1) -> Sep:
    return Sep("space", pad)


def glue() -> Sep:
    return Sep("none")


def line() -> Sep:
    return Sep("line")


def hard() -> Sep:
    return Sep("hard")


def joined(docs: Sequence[Doc], gap: Callable[[], Sep]) -> Doc:
    """The documents one after another, a fresh separator between each two."""
    parts: list[Doc] = []
    for doc in docs:
        if parts:
            parts.append(gap())
        parts.append(doc)
    return parts[0] if len(parts) == 1 else Concat(parts)


def spaced(*docs: Doc) -> Doc:
    return joined(docs, space)


def glued(*docs: Doc) -> Doc:
    return joined(docs, glue)


def block(head: Doc, lines: Sequence[Doc], by: int = INDENT) -> Doc:
    """A first line and lines of its own under it, ``by`` columns in."""
    if not lines:
        return head
    body: list[Doc] = []
    for doc in lines:
        body += [hard(), doc]
    return Concat([head, Indent(by, Concat(body))])


def fill(items: Sequence[Doc]) -> Doc:
    """Items filled into lines, continuation lines under the first item."""
    parts: list[Doc] = []
    for item in items:
        if parts:
            parts.append(line())
        parts.append(item)
    return Align(0, Fill(parts))


def one_per_line(items: Sequence[Doc]) -> Doc:
    """Items on one line if they fit, else each on a line of its own, aligned."""
    return Group(Align(0, joined(items, line)))


# ------------------------------------------------------------------ the builder


class Layout:
    """Builds the document of one statement (or the header) from its Lark
    tree. ``widths`` are the column widths a statement is aligned to with
    its neighbours: a ``reference``'s name and kind."""

    def __init__(self, widths: tuple[int, ...] = ()) -> None:
        self.widths = widths

    # --- tokens and small pieces

    def tok(self, token: Any) -> Text:
        return Text(label_text(token))

    def any(self, node: Any) -> Doc:
        """Any part of a statement: a token, an expression or a smaller rule."""
        if not is_tree(node):
            return self.tok(node)
        if node.data in _EXPRESSIONS:
            return self.expr(node)
        method = getattr(self, "p_" + node.data, None)
        if method is not None:
            doc: Doc = method(node)
            return doc
        return spaced(*(self.any(c) for c in kids(node)))

    def all_glued(self, node: Any) -> Doc:
        return glued(*(self.any(c) for c in kids(node)))

    def listed(self, node: Any) -> list[Doc]:
        """The items of ``a, b, c`` (a ``names`` tree or the like), each with its comma."""
        items: list[Doc] = []
        children = kids(node)
        for i, child in enumerate(children):
            if not is_tree(child) and child.type == "COMMA":
                continue
            doc = self.any(child)
            if i + 1 < len(children) and not is_tree(children[i + 1]) and children[i + 1].type == "COMMA":
                doc = glued(doc, self.tok(children[i + 1]))
            items.append(doc)
        return items

    def p_names(self, node: Any) -> Doc:
        return fill(self.listed(node))

    def braces(self, open_: Any, names: Any | None, close: Any) -> Doc:
        if names is None:
            return glued(self.tok(open_), self.tok(close))
        return glued(self.tok(open_), self.p_names(names), self.tok(close))

    def statement(self, node: Any) -> Doc:
        doc: Doc = getattr(self, "s_" + node.data)(node)
        return doc

    # --- header

    def s_header(self, node: Any) -> Doc:
        children = kids(node)
        first: list[Doc] = [self.tok(children[0]), self.tok(children[1])]
        fields = []
        for child in children[2:]:
            if child.data in ("extends", "version"):
                first.append(spaced(*(self.any(c) for c in kids(child))))
            else:
                fields.append(child)
        width = max((len(str(kids(f)[0])) for f in fields), default=0)
        lines = []
        for field in fields:
            keyword, value = kids(field)
            lines.append(Concat([self.tok(keyword), space(width - len(str(keyword)) + 1), self.tok(value)]))
        return block(spaced(*first), lines)

    # --- declarations

    def s_scale(self, node: Any) -> Doc:
        keyword, name, colon, *levels = kids(node)
        # "none <", "risk <", "high": each level with the "<" after it
        items = [spaced(self.tok(level), self.tok(levels[i + 1])) if i + 1 < len(levels) else self.tok(level)
                 for i, level in enumerate(levels) if i % 2 == 0]
        return spaced(self.tok(keyword), glued(self.tok(name), self.tok(colon)), fill(items))

    def s_fact(self, node: Any) -> Doc:
        keyword, name, colon, type_, *options = kids(node)
        parts: list[Doc] = [spaced(self.tok(keyword), glued(self.tok(name), self.tok(colon)), self.any(type_))]
        for option in options:
            if option.data == "question":
                parts.append(Indent(INDENT, Concat([hard(), self.any(option)])))
            else:
                parts += [space(), self.any(option)]
        return Concat(parts)

    def p_enum_type(self, node: Any) -> Doc:
        open_, names, close = kids(node)
        return self.braces(open_, names, close)

    def p_set_type(self, node: Any) -> Doc:
        set_, of, open_, names, close = kids(node)
        return spaced(self.tok(set_), self.tok(of), self.braces(open_, names, close))

    p_range = all_glued
    p_negative_number = all_glued

    def s_define(self, node: Any) -> Doc:
        keyword, name, equals, expr = kids(node)
        return self.headed(spaced(self.tok(keyword), self.tok(name), self.tok(equals)), expr)

    def headed(self, head: Doc, expr: Any) -> Doc:
        """``define x =`` and its expression: on the same line if it fits,
        else on the next, indented."""
        return Group(Concat([head, Indent(INDENT, Concat([line(), self.expr(expr)]))]))

    def s_score(self, node: Any) -> Doc:
        keyword, name, colon, scale, equals, expr, *bands = kids(node)
        head = spaced(self.tok(keyword), glued(self.tok(name), self.tok(colon)), self.tok(scale), self.tok(equals))
        return block(self.headed(head, expr), [self.any(b) for b in bands])

    def p_band_below(self, node: Any) -> Doc:
        below, number, colon, level = kids(node)
        return spaced(self.tok(below), glued(self.any(number), self.tok(colon)), self.tok(level))

    def p_band_otherwise(self, node: Any) -> Doc:
        otherwise, colon, level = kids(node)
        return spaced(glued(self.tok(otherwise), self.tok(colon)), self.tok(level))

    def s_points(self, node: Any) -> Doc:
        keyword, name, equals, expr, *points = kids(node)
        head = spaced(self.tok(keyword), self.tok(name), self.tok(equals))
        return block(self.headed(head, expr), [self.any(p) for p in points])

    def s_reference(self, node: Any) -> Doc:
        keyword, name, colon, kind, message = kids(node)
        label = str(name) + ":"
        name_width, kind_width = self.widths or (len(label), len(str(kind)))
        return Concat([self.tok(keyword), space(), glued(self.tok(name), self.tok(colon)),
                       space(name_width - len(label) + 1), self.tok(kind),
                       space(kind_width - len(str(kind)) + 1), self.tok(message)])

    def s_replaced(self, node: Any) -> Doc:
        return spaced(*(self.tok(t) for t in kids(node)))

    def s_plan(self, node: Any) -> Doc:
        keyword, name, colon, names = kids(node)
        return spaced(self.tok(keyword), glued(self.tok(name), self.tok(colon)), self.p_names(names))

    def s_aggravating(self, node: Any) -> Doc:
        keyword, body = kids(node)
        return spaced(self.tok(keyword), self.any(body))

    s_mitigating = s_aggravating

    def p_ordered(self, node: Any) -> Doc:
        name, colon, *chains = kids(node)
        return spaced(glued(self.tok(name), self.tok(colon)), fill(self.listed(_Children(chains))))

    # --- rules and obligations

    def when(self, node: Any) -> Doc:
        """``when`` and its condition, an ``and``/``or`` chain hanging to the left."""
        keyword, expr = kids(node)
        return spaced(self.tok(keyword), self.expr(expr, hang=True))

    def conditioned(self, node: Any) -> Doc:
        """A rule, exception, exemption, obligation or action: its name (and
        what it is an exception to, or the phase of an action), ``always``
        or ``when``, and its clauses. A rule's, exception's or exemption's
        ``when`` has a line of its own; an obligation's or action's stays on
        the first line if all of the condition fits there."""
        children = kids(node)
        count = _HEAD_TOKENS[node.data]
        head: Doc = spaced(*(self.tok(t) for t in children[:count]))
        lines: list[Doc] = []
        for part in children[count:]:
            if part.data == "always":
                head = spaced(head, self.tok(kids(part)[0]))
            elif part.data == "condition" and node.data in ("obligation", "action"):
                head = Group(Concat([head, Indent(INDENT, Concat([line(), self.when(part)]))]))
            elif part.data == "condition":
                lines.append(self.when(part))
            else:
                lines.append(self.any(part))
        return block(head, lines)

    s_rule = s_exception = s_exemption = s_obligation = s_action = conditioned

    def p_conclusions(self, node: Any) -> Doc:
        keyword, *rest = kids(node)
        return spaced(self.tok(keyword), one_per_line(self.listed(_Children(rest))))

    def p_conclusion(self, node: Any) -> Doc:
        outcome, at_least, level = kids(node)
        return spaced(self.tok(outcome), self.tok(at_least), self.expr(level))

    def p_cite(self, node: Any) -> Doc:
        keyword, *rest = kids(node)
        return spaced(self.tok(keyword), fill(self.listed(_Children(rest))))

    def p_cite_article(self, node: Any) -> Doc:
        keyword, *numbers = kids(node)
        return spaced(self.tok(keyword), glued(*(self.tok(t) for t in numbers)))

    def p_due(self, node: Any) -> Doc:
        keyword, value = kids(node)
        return spaced(self.tok(keyword), self.any(value))

    def s_invariant(self, node: Any) -> Doc:
        keyword, name, colon, expr, *clauses = kids(node)
        head = spaced(self.tok(keyword), glued(self.tok(name), self.tok(colon)))
        return block(self.headed(head, expr), [self.any(c) for c in clauses])

    # --- tables, checklists, notices

    def s_combine(self, node: Any) -> Doc:
        children = kids(node)
        head, rows = children[:6], children[6:]
        cells = [[label_text(t) for t in kids(row)] for row in rows]
        widths: list[int] = []
        for row in cells:
            for i, cell in enumerate(row):
                if i == len(widths):
                    widths.append(0)
                widths[i] = max(widths[i], len(cell))
        lines = []
        for row, texts in zip(rows, cells, strict=True):
            parts: list[Doc] = []
            for i, token in enumerate(kids(row)):
                if parts:
                    parts.append(space(widths[i - 1] - len(texts[i - 1]) + TABLE_GUTTER))
                parts.append(self.tok(token))
            lines.append(Concat(parts))
        return block(spaced(*(self.tok(t) for t in head)), lines)

    def s_checklist(self, node: Any) -> Doc:
        children = kids(node)
        return block(spaced(*(self.tok(t) for t in children[:4])), [self.any(i) for i in children[4:]])

    def p_checklist_item(self, node: Any) -> Doc:
        keyword, name, colon, names, *clauses = kids(node)
        head = spaced(self.tok(keyword), glued(self.tok(name), self.tok(colon)), self.p_names(names))
        return block(head, [self.any(c) for c in clauses])

    def s_notice(self, node: Any) -> Doc:
        keyword, name, for_, names, *parts = kids(node)
        head = spaced(self.tok(keyword), self.tok(name), self.tok(for_), self.p_names(names))
        return block(head, [self.any(p) for p in parts])

    def p_notice_part(self, node: Any) -> Doc:
        label, names = kids(node)
        return spaced(self.tok(label), self.p_names(names))

    # --- expressions

    def expr(self, node: Any, hang: bool = False) -> Doc:
        """An expression; ``hang``: a chain's operators hang left of its
        operands (the condition after ``when``)."""
        if not is_tree(node):
            return self.tok(node)
        data = node.data
        children = kids(node)
        if data in ("or_", "and_"):
            return self.chain(children, hang)
        if data == "arith":
            return self.arith(node)
        if data == "atom":
            return self.parens(node)
        if data == "call":
            return self.call(children)
        if data == "set_literal":
            return self.braces(children[0], children[1] if len(children) == 3 else None, children[-1])
        if data in ("negate", "qualified"):
            return glued(*(self.expr(c) for c in children))
        if data in ("comp_op", "add_op", "mul_op"):
            return self.tok(children[0])
        return spaced(*(self.expr(c) for c in children))

    def chain(self, children: Sequence[Any], hang: bool) -> Doc:
        operator = str(children[1])
        parts: list[Doc] = [self.expr(children[0])]
        for i in range(1, len(children), 2):
            parts += [line(), spaced(self.tok(children[i]), self.expr(children[i + 1]))]
        return Group(Align(-(len(operator) + 1) if hang else 0, Concat(parts)))

    def arith(self, node: Any) -> Doc:
        """``a + b - c``: a left-leaning tree of one precedence, filled as a list."""
        kind = kids(node)[1].data
        steps: list[tuple[Any, Any]] = []
        while is_tree(node, "arith") and kids(node)[1].data == kind:
            left, operator, right = kids(node)
            steps.append((operator, right))
            node = left
        parts: list[Doc] = [self.expr(node)]
        for operator, right in reversed(steps):
            parts += [line(), spaced(self.expr(operator), self.expr(right))]
        return Align(0, Fill(parts))

    def parens(self, node: Any) -> Doc:
        """Parentheses, any number around one expression, without recursion for each."""
        opens: list[Any] = []
        closes: list[Any] = []
        while is_tree(node, "atom"):
            open_, node, close = kids(node)
            opens.append(open_)
            closes.append(close)
        return glued(*(self.tok(t) for t in opens), self.expr(node), *(self.tok(t) for t in reversed(closes)))

    def call(self, children: Sequence[Any]) -> Doc:
        name, open_, *args, close = children
        if not args:
            return glued(self.tok(name), self.tok(open_), self.tok(close))
        return glued(self.tok(name), self.tok(open_), one_per_line(self.listed(_Children(args))), self.tok(close))


class _Children:
    """A stand-in tree for a run of children (``a, b, c``) that the grammar
    did not make a tree of its own."""

    def __init__(self, children: Sequence[Any]) -> None:
        self.children = list(children)
