"""A hand-written parser for well-formed ruleset text: Lark's answer, sooner.

Lark parses a ruleset of 10,000 rules in seconds: a pure-Python LALR loop
and a parse tree built and then transformed again. This module reads the
same text in one pass (a regular-expression scanner and recursive descent)
and builds the same :class:`~breachrules.nodes.Module`, node for node and
span for span, several times faster.

Lark stays the reference. This parser answers only when it is sure, and
gives up (``None``) on anything else: a syntax error, a limit reached, a
problem the builder would report, a word that Lark's contextual lexer
might read as a keyword, nesting deep enough to reach Python's recursion
limit. :func:`breachrules.parser.parse` then parses with Lark, which gives
the positioned diagnostics. So every error is exactly Lark's, and the
tests compare both parsers on generated and mutated rulesets.

It is pinned to the grammar it was written for: when
``grammar/breachrules.lark`` changes, it steps aside until it is checked
against the new grammar (``scanner.GRAMMAR_SHA256``).
"""

from __future__ import annotations

import re
from typing import Any

from breachrules import nodes as n
from breachrules.limits import DEFAULT, Limits
from breachrules.scanner import GiveUp, Token, duration_value, number_value, reserved, tokens
from breachrules.spans import Span

_RULESET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")
_ESCAPE = re.compile(r"\\(.)")

_TYPES_PLAIN = frozenset({"bool", "duration", "datetime", "text"})
_TYPES_RANGED = frozenset({"count", "integer", "number"})
_CITE_ONE_NUMBER = frozenset({"recital", "annex", "page", "case"})
_CITE_PARTS = _CITE_ONE_NUMBER | {"article", "example", "section"}
_CLAUSE_WORDS = frozenset({"because", "says", "cite", "instead", "due", "done", "late"})
_CLAUSES_ALLOWED = {
    "rule": frozenset({"because", "cite"}),
    "exception": frozenset({"because", "cite"}),
    "exemption": frozenset({"because", "cite", "instead"}),
    "obligation": frozenset({"says", "cite", "due", "done", "late_requires"}),
    "item": frozenset({"cite"}),
    "action": frozenset({"says", "cite"}),
    "invariant": frozenset({"because"}),
}
_COMPARE = frozenset({"==", "!=", "<=", ">=", "<", ">"})
_BINARY = {"|": 0, "&": 1, "+": 2, "-": 2, "*": 3, "/": 3}


def parse(text: str, file: str, limits: Limits = DEFAULT) -> n.Module | None:
    """The module Lark would build from ``text``, or None when this parser
    is not sure it would (Lark then parses, and reports any problem)."""
    words = reserved()
    if words is None:
        return None
    try:
        return _Parser(text, file, limits, words).module()
    except (GiveUp, RecursionError):
        return None


class _Parser:
    def __init__(self, text: str, file: str, limits: Limits, reserved: frozenset[str]) -> None:
        self.text = text
        self.file = file
        self.reserved = reserved
        self.max_name = limits.max_name_length
        self.max_string = limits.max_string_length
        self.max_members = limits.max_members
        self.max_depth = limits.max_depth
        self.max_statements = limits.max_statements
        self.t = tokens(text)
        self.i = 0
        self.statement = {
            "scale": self._scale, "fact": self._fact, "define": self._define, "score": self._score,
            "points": self._points, "rule": self._rule, "exception": self._exception,
            "exemption": self._exemption, "combine": self._combine, "obligation": self._obligation,
            "checklist": self._checklist, "plan": self._plan, "action": self._action,
            "invariant": self._invariant, "aggravating": self._monotone, "mitigating": self._monotone,
            "replaced": self._replaced, "reference": self._reference, "notice": self._notice,
        }

    # ------------------------------------------------------------ tokens and spans

    def span(self, first: int, last: int) -> Span:
        a, b = self.t[first], self.t[last]
        return Span(self.file, a[2], a[3], b[2], b[3] + len(b[1]))

    def since(self, first: int) -> Span:
        """From token ``first`` to the last token read."""
        return self.span(first, self.i - 1)

    def tspan(self, token: Token) -> Span:
        return Span(self.file, token[2], token[3], token[2], token[3] + len(token[1]))

    def is_word(self, word: str) -> bool:
        token = self.t[self.i]
        return token[0] == "w" and token[1] == word

    def word(self, word: str) -> None:
        token = self.t[self.i]
        if token[0] != "w" or token[1] != word:
            raise GiveUp
        self.i += 1

    def op(self, op: str) -> None:
        if self.t[self.i][0] != op:
            raise GiveUp
        self.i += 1

    def name_token(self) -> Token:
        token = self.t[self.i]
        if token[0] != "w" or token[1] in self.reserved:
            raise GiveUp
        self.i += 1
        return token

    def ident(self) -> n.Ident:
        token = self.name_token()
        if len(token[1]) > self.max_name:
            raise GiveUp  # BR604, said by the builder
        return n.Ident(token[1], self.tspan(token))

    def text_node(self) -> n.Text:
        token = self.t[self.i]
        if token[0] != "s":
            raise GiveUp
        self.i += 1
        raw = token[1][1:-1]
        if len(raw) > self.max_string:
            raise GiveUp  # BR605
        return n.Text(_ESCAPE.sub(r"\1", raw) if "\\" in raw else raw, self.tspan(token))

    def number_token(self) -> Token:
        token = self.t[self.i]
        if token[0] != "n":
            raise GiveUp
        self.i += 1
        return token

    def number(self) -> int | float:
        try:
            return number_value(self.number_token()[1])
        except ValueError:
            raise GiveUp from None  # BR106

    def signed_number(self) -> int | float:
        if self.t[self.i][0] == "-":
            self.i += 1
            return -self.number()
        return self.number()

    def names(self) -> tuple[n.Ident, ...]:
        found = [self.ident()]
        while self.t[self.i][0] == ",":
            self.i += 1
            found.append(self.ident())
        if len(found) > self.max_members:
            raise GiveUp  # BR606
        return tuple(found)

    def at_row_label(self) -> bool:
        """A name glued to its colon (``low:``, ``low :``): Lark's ROW_LABEL,
        which outranks a name and a keyword wherever it may come."""
        token = self.t[self.i]
        if token[0] != "w":
            return False  # (so not the last token: that one is the end)
        after = self.t[self.i + 1]
        if after[0] != ":":
            return False
        gap = self.text[token[4] + len(token[1]):after[4]]
        return not gap.strip(" \t")

    def row_label(self) -> n.Ident:
        if not self.at_row_label():
            raise GiveUp
        token = self.t[self.i]
        if token[1] == "otherwise":
            raise GiveUp  # OTHERWISE outranks ROW_LABEL where Lark accepts both
        self.i += 2
        return n.Ident(token[1], self.tspan(token))

    # ------------------------------------------------------------ the file

    def module(self) -> n.Module:
        header = self.header()
        statements: list[Any] = []
        while True:
            token = self.t[self.i]
            if token[0] == "e":
                break
            method = self.statement.get(token[1]) if token[0] == "w" else None
            if method is None:
                raise GiveUp
            statements.append(method())
            if len(statements) > self.max_statements:
                raise GiveUp  # BR603
        return n.Module(header=header, statements=tuple(statements), file=self.file)

    def ruleset_name(self) -> n.Ident:
        """RULESET_NAME, which Lark reads by its own pattern here (hyphens
        between words), never as a keyword."""
        token = self.t[self.i]
        if token[0] != "w":
            raise GiveUp
        match = _RULESET_NAME.match(self.text, token[4])
        assert match is not None
        end = match.end()
        while self.t[self.i][4] < end:
            self.i += 1
        last = self.t[self.i - 1]
        if last[4] + len(last[1]) != end or len(match.group()) > self.max_name:
            raise GiveUp  # a token across its end; or BR604
        return n.Ident(match.group(), Span(self.file, token[2], token[3], token[2], token[3] + end - token[4]))

    def header(self) -> n.Header:
        start = self.i
        self.word("ruleset")
        name = self.ruleset_name()
        fields: dict[str, Any] = {"extends": None, "version": None, "title": None, "source": None}
        if self.is_word("extends"):
            self.i += 1
            fields["extends"] = self.text_node() if self.t[self.i][0] == "s" else self.ruleset_name()
        if self.is_word("version"):
            self.i += 1
            fields["version"] = self.text_node()
        while self.is_word("title") or self.is_word("source"):
            key = self.t[self.i][1]
            self.i += 1
            fields[key] = self.text_node()
        return n.Header(name=name, span=self.since(start), **fields)

    # ------------------------------------------------------------ declarations

    def opening(self) -> tuple[int, n.Ident]:
        """Where a statement starts, past its keyword, and its name."""
        start = self.i
        self.i += 1
        return start, self.ident()

    def _scale(self) -> n.Scale:
        start, name = self.opening()
        self.op(":")
        levels = [self.ident()]
        self.op("<")
        levels.append(self.ident())
        while self.t[self.i][0] == "<":
            self.i += 1
            levels.append(self.ident())
        if len(levels) > self.max_members:
            raise GiveUp
        return n.Scale(name, tuple(levels), self.since(start))

    def _fact(self) -> n.Fact:
        start, name = self.opening()
        self.op(":")
        type_ = self.fact_type()
        default: Any = None
        question = None
        while True:
            if self.is_word("default"):
                at = self.i
                self.i += 1
                default = self.default_value(at)
            elif self.is_word("question"):
                self.i += 1
                question = self.text_node()
            else:
                break
        return n.Fact(name, type_, default, question, self.since(start))

    def fact_type(self) -> n.TypeExpr:
        start = self.i
        token = self.t[start]
        if token[0] == "{":
            self.i += 1
            members = self.names()
            self.op("}")
            return n.TypeExpr("enum", self.since(start), members=members)
        if token[0] != "w":
            raise GiveUp
        word = token[1]
        if word in _TYPES_PLAIN:
            self.i += 1
            return n.TypeExpr(word, self.since(start))
        if word in _TYPES_RANGED:
            self.i += 1
            low = high = None
            kind = self.t[self.i][0]
            if kind in ("n", "-"):
                low = self.signed_number()
                self.op("..")
                if self.t[self.i][0] in ("n", "-"):
                    high = self.signed_number()
            return n.TypeExpr(word, self.since(start), low=low, high=high)
        if word == "set":
            self.i += 1
            self.word("of")
            self.op("{")
            members = self.names()
            self.op("}")
            return n.TypeExpr("set", self.since(start), members=members)
        return n.TypeExpr("scale", self.tspan(token), scale=self.ident())

    def default_value(self, keyword: int) -> Any:
        start = self.i
        token = self.t[start]
        kind = token[0]
        if kind == "w":
            if token[1] in ("true", "false"):
                self.i += 1
                return n.BoolLit(token[1] == "true", self.tspan(token))
            self.name_token()
            return n.Name(token[1], self.tspan(token))
        if kind in ("n", "-"):
            value = self.signed_number()
            return n.NumberLit(value, self.since(keyword))  # the span of the whole "default" clause
        if kind == "d":
            return self.duration()
        if kind == "s":
            text = self.text_node()
            return n.StringLit(text.value, text.span)
        if kind == "{":
            return self.set_literal()
        raise GiveUp

    def _define(self) -> n.Define:
        start, name = self.opening()
        self.op("=")
        return n.Define(name, self.expression(), self.since(start))

    def _score(self) -> n.Score:
        start, name = self.opening()
        self.op(":")
        scale = self.ident()
        self.op("=")
        expr = self.expression()
        bands = []
        while True:
            at = self.i
            if self.is_word("below"):
                self.i += 1
                below: int | float | None = self.signed_number()
            elif self.is_word("otherwise"):
                self.i += 1
                below = None
            else:
                break
            self.op(":")
            bands.append(n.Band(below, self.ident(), self.since(at)))
        if not bands:
            raise GiveUp
        return n.Score(name, scale, expr, tuple(bands), self.since(start))

    def _points(self) -> n.Points:
        start, name = self.opening()
        self.op("=")
        expr = self.expression()
        points = []
        while self.at_row_label():
            at = self.i
            member = self.row_label()
            points.append(n.Point(member, self.signed_number(), self.since(at)))
        if not points:
            raise GiveUp
        return n.Points(name, expr, tuple(points), self.since(start))

    # ------------------------------------------------------------ rules

    def condition(self) -> tuple[Any, bool]:
        if self.is_word("when"):
            self.i += 1
            return self.expression(), False
        if self.is_word("always"):
            self.i += 1
            return None, True
        raise GiveUp

    def conclusions(self) -> tuple[n.Conclusion, ...]:
        self.word("then")
        found = []
        while True:
            at = self.i
            outcome = self.ident()
            self.op(">=")
            found.append(n.Conclusion(outcome, self.expression(), self.since(at)))
            if self.t[self.i][0] != ",":
                return tuple(found)
            self.i += 1

    def clauses(self, kind: str) -> n.Clauses:
        found: dict[str, Any] = {}
        allowed = _CLAUSES_ALLOWED[kind]
        while True:
            token = self.t[self.i]
            if token[0] != "w" or token[1] not in _CLAUSE_WORDS:
                return n.Clauses(**found)
            self.i += 1
            word = token[1]
            value: Any
            if word in ("because", "says"):
                value = self.text_node()
            elif word == "cite":
                value = self.citations()
            elif word in ("instead", "done"):
                value = self.ident()
            elif word == "late":
                self.word("requires")
                word, value = "late_requires", self.ident()
            elif self.is_word("without"):  # due without undue delay
                at = self.i
                self.i += 1
                self.word("undue")
                self.word("delay")
                value = n.WithoutUndueDelay(self.since(at))
            else:
                value = self.expression()
            if word not in allowed or word in found:
                raise GiveUp  # BR104, BR105
            found[word] = value

    def _rule(self) -> n.Rule:
        start, label = self.opening()
        condition, _ = self.condition()
        conclusions = self.conclusions()
        return n.Rule("rule", label, None, condition, conclusions, self.clauses("rule"), self.since(start))

    def _exception(self) -> n.Rule:
        start, label = self.opening()
        self.word("to")
        base = self.ident()
        condition, _ = self.condition()
        conclusions = self.conclusions() if self.is_word("then") else ()
        return n.Rule("exception", label, base, condition, conclusions, self.clauses("exception"),
                      self.since(start))

    def _exemption(self) -> n.Rule:
        start, label = self.opening()
        self.word("to")
        base = self.ident()
        condition, _ = self.condition()
        return n.Rule("exemption", label, base, condition, (), self.clauses("exemption"), self.since(start))

    def citations(self) -> tuple[n.Citation, ...]:
        found = [self.citation()]
        while self.t[self.i][0] == ",":
            self.i += 1
            found.append(self.citation())
        return tuple(found)

    def citation(self) -> n.Citation:
        start = self.i
        if self.t[start][0] == "s":
            return n.Citation(None, (), self.text_node(), self.since(start))
        reference = self.ident()
        parts = []
        while True:
            token = self.t[self.i]
            if token[0] != "w" or token[1] not in _CITE_PARTS:
                break
            parts.append(self.cite_part(token[1]))
        return n.Citation(reference, tuple(parts), None, self.since(start))

    def cite_part(self, kind: str) -> n.CitePart:
        start = self.i
        self.i += 1
        values: tuple[str, ...]
        if kind in _CITE_ONE_NUMBER:
            values = (self.number_token()[1],)
        elif kind == "section":
            values = (self.text_node().value,)
        elif kind == "article":
            found = [self.number_token()[1]]
            if self.t[self.i][0] == "(":
                self.i += 1
                found.append(self.number_token()[1])
                self.op(")")
                if self.t[self.i][0] == "(":
                    self.i += 1
                    found.append(self.name_token()[1])
                    self.op(")")
            values = tuple(found)
        else:  # example: ranges joined by "and"
            ranges = [self.cite_range()]
            while self.is_word("and"):
                self.i += 1
                ranges.append(self.cite_range())
            values = tuple(ranges)
        return n.CitePart(kind, values, self.since(start))

    def cite_range(self) -> str:
        first = self.number_token()[1]
        if self.is_word("to"):
            self.i += 1
            return f"{first}-{self.number_token()[1]}"
        return first

    def _reference(self) -> n.Reference:
        start, name = self.opening()
        self.op(":")
        token = self.t[self.i]
        if token[0] != "w" or token[1] not in ("law", "document"):
            raise GiveUp
        self.i += 1
        return n.Reference(name, token[1], self.text_node(), self.since(start))

    # ------------------------------------------------------------ tables, obligations, plans

    def _combine(self) -> n.Combine:
        start, outcome = self.opening()
        self.op("=")
        rows_scale = self.ident()
        self.word("x")
        columns_scale = self.ident()
        rows = []
        while self.at_row_label():
            at = self.i
            label = self.row_label()
            cells = [self.ident()]
            while True:
                token = self.t[self.i]
                # after a cell: another row, a statement (``reference`` too,
                # the one statement keyword a name may spell), or a cell
                if (token[0] != "w" or token[1] in self.reserved or token[1] == "reference"
                        or self.at_row_label()):
                    break
                cells.append(self.ident())
            rows.append(n.TableRow(label, tuple(cells), self.since(at)))
        if not rows:
            raise GiveUp
        return n.Combine(outcome, rows_scale, columns_scale, tuple(rows), self.since(start))

    def _obligation(self) -> n.Obligation:
        start, name = self.opening()
        condition, always = None, False
        if self.is_word("when") or self.is_word("always"):
            condition, always = self.condition()
        return n.Obligation(name, condition, always, self.clauses("obligation"), self.since(start))

    def _checklist(self) -> n.Checklist:
        start, name = self.opening()
        self.word("for")
        obligation = self.ident()
        items = []
        while self.is_word("item"):
            at = self.i
            self.i += 1
            item = self.ident()
            self.op(":")
            facts = self.names()
            items.append(n.ChecklistItem(item, facts, self.clauses("item"), self.since(at)))
        if not items:
            raise GiveUp
        return n.Checklist(name, obligation, tuple(items), self.since(start))

    def _plan(self) -> n.Plan:
        start, name = self.opening()
        self.op(":")
        return n.Plan(name, self.names(), self.since(start))

    def _action(self) -> n.Action:
        start, name = self.opening()
        self.word("in")
        phase = self.ident()
        condition, _ = self.condition()
        return n.Action(name, phase, condition, self.clauses("action"), self.since(start))

    def _notice(self) -> n.Notice:
        start, name = self.opening()
        self.word("for")
        obligations = self.names()
        parts = []
        while self.at_row_label():
            at = self.i
            part = self.row_label()
            parts.append(n.NoticePart(part, self.names(), self.since(at)))
        if not parts:
            raise GiveUp
        return n.Notice(name, obligations, tuple(parts), self.since(start))

    def _invariant(self) -> n.Invariant:
        start, name = self.opening()
        self.op(":")
        expr = self.expression()
        return n.Invariant(name, expr, self.clauses("invariant"), self.since(start))

    def _replaced(self) -> n.Replaced:
        start, old = self.opening()
        self.word("by")
        return n.Replaced(old, self.ident(), self.since(start))

    def _monotone(self) -> n.Monotone:
        start = self.i
        direction = self.t[start][1]
        self.i += 1
        first = self.ident()
        if self.t[self.i][0] != ":":
            facts = [first]
            while self.t[self.i][0] == ",":
                self.i += 1
                facts.append(self.ident())
            if len(facts) > self.max_members:
                raise GiveUp
            return n.Monotone(direction, tuple(facts), (), self.since(start))
        self.i += 1
        chains = [self.chain()]
        while self.t[self.i][0] == ",":
            self.i += 1
            chains.append(self.chain())
        return n.Monotone(direction, (first,), tuple(chains), self.since(start))

    def chain(self) -> tuple[n.Ident, ...]:
        found = [self.ident()]
        self.op("<")
        found.append(self.ident())
        while self.t[self.i][0] == "<":
            self.i += 1
            found.append(self.ident())
        if len(found) > self.max_members:
            raise GiveUp
        return tuple(found)

    # ------------------------------------------------------------ expressions
    # Each level returns its node and its nesting: how many operators deep it
    # is, counted as the parser's bounds count them on Lark's tree (a flat
    # "a or b or c" is one; brackets add none).

    def expression(self) -> Any:
        node, depth = self.or_()
        if depth > self.max_depth:
            raise GiveUp  # BR602
        return node

    def or_(self) -> tuple[Any, int]:
        start = self.i
        node, depth = self.and_()
        if not self.is_word("or"):
            return node, depth
        operands = [node]
        while self.is_word("or"):
            self.i += 1
            operand, d = self.and_()
            operands.append(operand)
            depth = max(depth, d)
        return n.BoolOp("or", tuple(operands), self.since(start)), depth + 1

    def and_(self) -> tuple[Any, int]:
        start = self.i
        node, depth = self.not_()
        if not self.is_word("and"):
            return node, depth
        operands = [node]
        while self.is_word("and"):
            self.i += 1
            operand, d = self.not_()
            operands.append(operand)
            depth = max(depth, d)
        return n.BoolOp("and", tuple(operands), self.since(start)), depth + 1

    def not_(self) -> tuple[Any, int]:
        start = self.i
        if self.is_word("not"):
            self.i += 1
            node, depth = self.not_()
            return n.Not(node, self.since(start)), depth + 1
        return self.comparison()

    def comparison(self) -> tuple[Any, int]:
        start = self.i
        left, depth = self.binary()
        token = self.t[self.i]
        kind = token[0]
        if kind in _COMPARE:
            self.i += 1
            right, d = self.binary()
            return n.Compare(kind, left, right, self.since(start)), max(depth, d) + 1
        if kind != "w":
            return left, depth
        word = token[1]
        if word == "in" or word == "not":
            self.i += 1
            if word == "not":
                self.word("in")
            right, d = self.binary()
            return n.Member(left, right, word == "not", self.since(start)), max(depth, d) + 1
        if word == "intersects" or word == "subset":
            self.i += 1
            if word == "subset":
                self.word("of")
            right, d = self.binary()
            return n.SetTest(word, left, right, self.since(start)), max(depth, d) + 1
        if word == "is":
            self.i += 1
            after = self.t[self.i]
            if after[0] != "w" or after[1] not in ("known", "unknown"):
                raise GiveUp
            self.i += 1
            return n.IsKnown(left, after[1] == "unknown", self.since(start)), depth + 1
        return left, depth

    def binary(self, loosest: int = 0) -> tuple[Any, int]:
        """``|``, ``&``, ``+ -``, ``* /``, loosest first, each
        left-associative: precedence climbing, one call per operand."""
        start = self.i
        node, depth = self.unary()
        while True:
            op = self.t[self.i][0]
            level = _BINARY.get(op)
            if level is None or level < loosest:
                return node, depth
            self.i += 1
            right, d = self.binary(level + 1)
            node, depth = n.BinOp(op, node, right, self.since(start)), max(depth, d) + 1

    def unary(self) -> tuple[Any, int]:
        start = self.i
        if self.t[start][0] == "-":
            self.i += 1
            node, depth = self.unary()
            return n.Negate(node, self.since(start)), depth + 1
        return self.atom()

    def atom(self) -> tuple[Any, int]:
        start = self.i
        token = self.t[start]
        kind = token[0]
        if kind == "w":
            word = token[1]
            if word == "true" or word == "false":
                self.i += 1
                return n.BoolLit(word == "true", self.tspan(token)), 0
            self.name_token()
            after = self.t[self.i][0]
            if after == ".":
                self.i += 1
                member = self.name_token()[1]
                return n.Qualified(word, member, self.since(start)), 0
            if after == "(":
                if len(word) > self.max_name:
                    raise GiveUp
                function = n.Ident(word, self.tspan(token))
                self.i += 1
                args = []
                depth = 0
                if self.t[self.i][0] != ")":
                    while True:
                        arg, d = self.or_()
                        args.append(arg)
                        depth = max(depth, d)
                        if self.t[self.i][0] != ",":
                            break
                        self.i += 1
                self.op(")")
                return n.Call(function, tuple(args), self.since(start)), depth + 1
            return n.Name(word, self.tspan(token)), 0
        if kind == "n":
            return n.NumberLit(self.number(), self.tspan(token)), 0
        if kind == "d":
            return self.duration(), 0
        if kind == "s":
            text = self.text_node()
            return n.StringLit(text.value, text.span), 0
        if kind == "{":
            return self.set_literal(), 0
        if kind == "(":
            self.i += 1
            node, depth = self.or_()
            self.op(")")
            return node, depth
        raise GiveUp

    def duration(self) -> n.DurationLit:
        token = self.t[self.i]
        self.i += 1
        try:
            value = duration_value(token[1])
        except (ValueError, OverflowError):
            raise GiveUp from None  # BR106
        return n.DurationLit(value, token[1], self.tspan(token))

    def set_literal(self) -> n.SetLit:
        start = self.i
        self.op("{")
        members: tuple[n.Ident, ...] = ()
        if self.t[self.i][0] != "}":
            members = self.names()
        self.op("}")
        return n.SetLit(members, self.since(start))
