"""From ruleset text to a :class:`~breachrules.nodes.Module`.

Lark does the parsing (LALR, contextual lexer, positions on); this module
turns its tree into our nodes and its exceptions into diagnostics written in
words. No Lark exception leaves this module.
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta
from typing import Any, NamedTuple

from breachrules import fastparse, resources, scanner
from breachrules import nodes as n
from breachrules.diagnostics import Diagnostic, RulesetError, quoted_list
from breachrules.i18n import Term
from breachrules.limits import DEFAULT, Limits
from breachrules.spans import Span

# What the parser expects, described as an author would say it. Each group
# replaces its terminals in "expected ..." when all of them are acceptable.
_EXPRESSION_START = frozenset(
    {"NAME", "NUMBER", "STRING", "DURATION", "LPAR", "MINUS", "NOT", "TRUE", "FALSE", "LBRACE"}
)
_OPERATORS = frozenset(
    {"__ANON_3", "__ANON_4", "__ANON_5", "__ANON_6", "LESSTHAN", "MORETHAN", "AND", "OR", "IN",
     "NOT", "INTERSECTS", "SUBSET", "IS", "PLUS", "MINUS", "STAR", "SLASH", "AMPERSAND", "VBAR"}
)
_STATEMENTS = frozenset(
    {"SCALE", "FACT", "DEFINE", "SCORE", "POINTS", "RULE", "EXCEPTION", "EXEMPTION", "COMBINE",
     "OBLIGATION", "CHECKLIST", "PLAN", "ACTION", "INVARIANT", "AGGRAVATING", "MITIGATING", "REPLACED",
     "REFERENCE", "NOTICE"}
)
_TYPES = frozenset(
    {"BOOL", "COUNT", "INTEGER", "__ANON_0", "__ANON_1", "DATETIME", "TEXT", "SET", "LBRACE"}
)
# (terminals that must all be acceptable, terminals the phrase stands for, its message key)
_GROUPS: tuple[tuple[frozenset[str], frozenset[str], str], ...] = (
    (_TYPES, _TYPES | {"NAME"}, "syntax.fact_type"),
    (_STATEMENTS, _STATEMENTS, "syntax.statement"),
    (frozenset({"NAME", "NUMBER", "LPAR"}), _EXPRESSION_START, "syntax.expression"),
    (frozenset({"__ANON_3", "__ANON_4", "AND", "OR"}), _OPERATORS, "syntax.operator"),
    (frozenset({"BECAUSE", "CITE"}),
     frozenset({"BECAUSE", "CITE", "SAYS", "INSTEAD", "DUE", "DONE", "LATE"}), "syntax.clause"),
)
# Keywords written as patterns in the grammar (a whole word, so that a member
# may start with one), named as the author writes them.
_KEYWORDS = {"OTHERWISE": "otherwise"}
_NAMED = {
    "NAME": "syntax.name",
    "STRING": "syntax.string",
    "NUMBER": "syntax.number",
    "DURATION": "syntax.duration",
    "ROW_LABEL": "syntax.row",
    "RULESET_NAME": "syntax.name",
    "$END": "syntax.end",
}


def lark_options(keep_all_tokens: bool = False) -> dict[str, Any]:
    return {"parser": "lalr", "lexer": "contextual", "propagate_positions": True, "maybe_placeholders": True,
            "keep_all_tokens": keep_all_tokens}


@functools.cache
def _lark(keep_all_tokens: bool = False) -> Any:
    """The grammar's parser; ``keep_all_tokens``, the one the formatter
    prints from, keeps keywords and punctuation in the tree too.

    Building Lark's tables from the grammar takes longer than anything
    else in a first use, so the tables saved at build time are used when
    they were made from this grammar (:mod:`breachrules.prepared`)."""
    from breachrules import prepared

    text = resources.grammar_file().read_text(encoding="utf-8")
    options = lark_options(keep_all_tokens)
    found = prepared.lark_parser(text, options)
    if found is not None:
        return found
    from lark import Lark

    return Lark(text, **options)


@functools.lru_cache(maxsize=16)
def parse(text: str, file: str, limits: Limits = DEFAULT) -> n.Module:
    """Parse one ruleset file; raise :class:`RulesetError` on any problem.

    Well-formed text is read by the hand-written parser (:mod:`fastparse`),
    which builds the module Lark would, several times sooner; anything it
    is not sure of, every error among them, is parsed by Lark. Remembered
    for the last few texts: a module is immutable."""
    module = fastparse.parse(text, file, limits)
    if module is not None:
        return module
    return parse_with_lark(text, file, limits)


def parse_with_lark(text: str, file: str, limits: Limits = DEFAULT) -> n.Module:
    """Parse with Lark, the reference: what :func:`parse` falls back on,
    and what the tests compare the hand-written parser with."""
    from lark.exceptions import UnexpectedInput, VisitError

    try:
        tree = _lark().parse(text)
    except UnexpectedInput as error:
        raise RulesetError([_syntax_diagnostic(error, text, file)], {file: text}) from None
    # Bounds first: the tree is walked recursively from here on.
    too_big = _bounds(tree, file, limits)
    if too_big:
        raise RulesetError(too_big, {file: text})
    builder = _Builder(file, limits)
    try:
        module = builder.transform(tree)
    except VisitError as error:  # a bug in the builder, never the author's fault
        raise error.orig_exc from None
    if builder.diagnostics:
        raise RulesetError(builder.diagnostics, {file: text})
    assert isinstance(module, n.Module)
    return module


# ------------------------------------------------------------------ bounds

# The rules of the grammar that nest one expression inside another.
_NESTING = frozenset({
    "or_", "and_", "not_", "compare", "member", "not_member", "intersects", "subset", "is_known",
    "is_unknown", "union_", "intersection_", "arith", "negate", "call",
})


def _bounds(tree: Any, file: str, limits: Limits) -> list[Diagnostic]:
    """The limits on statements and nesting, checked without recursion on
    the raw tree (Lark's own transformer recurses once per level)."""
    from lark import Tree

    found: list[Diagnostic] = []
    statements = tree.children[1:]
    if len(statements) > limits.max_statements:
        meta = statements[limits.max_statements].meta
        found.append(Diagnostic.make("BR603", _meta_span(file, meta), limit=limits.max_statements))
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in _NESTING:
            depth += 1
            if depth > limits.max_depth:
                found.append(Diagnostic.make("BR602", _meta_span(file, node.meta), limit=limits.max_depth))
                break
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))
    return found


def _meta_span(file: str, meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(file, 1, 1, 1, 1)
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


# ------------------------------------------------------------------ syntax errors


def _syntax_diagnostic(error: Any, text: str, file: str) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    expected = _describe_expected(_acceptable(error))
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        if token.type == "ROW_LABEL":  # "when:" seen where a name was due: point at the word
            token = token.update("NAME", str(token).rstrip(": \t"))
        width = max(1, len(str(token)))
        span = Span(file, token.line, token.column, token.line, token.column + width)
        return Diagnostic.make("BR101", span, found=_describe_token(token), expected=expected)
    if isinstance(error, UnexpectedCharacters):
        span = Span(file, error.line, error.column, error.line, error.column + 1)
        position: int = error.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        return Diagnostic.make("BR102", span, char=char, expected=expected)
    assert isinstance(error, (UnexpectedToken, UnexpectedEOF))
    lines = text.splitlines() or [""]
    span = Span(file, len(lines), len(lines[-1]) + 1, len(lines), len(lines[-1]) + 1)
    return Diagnostic.make("BR103", span, expected=expected)


def _acceptable(error: Any) -> set[str]:
    """The terminals that could really come next. Lark's own ``expected`` set
    is LALR's merged lookahead, which names tokens that would fail a step
    later; the interactive parser tries each one."""
    interactive = getattr(error, "interactive_parser", None)
    if interactive is not None:
        try:
            return set(interactive.accepts())
        except Exception:  # pragma: no cover - fall back to Lark's own set
            pass
    return set(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())


@functools.cache
def reserved_words() -> frozenset[str]:
    """The reserved words, read from the NAME terminal of the grammar so that
    the grammar stays their single source."""
    pattern = _lark().get_terminal("NAME").pattern.value
    return frozenset(re.search(r"\(\?!\(([a-z|]+)\)", pattern).group(1).split("|"))  # type: ignore[union-attr]


def _describe_token(token: Any) -> Term:
    if token.type == "NAME" and token not in reserved_words():
        return Term.of("syntax.found_name", name=str(token))
    if token.type in ("STRING", "NUMBER", "DURATION"):
        return Term.of(f"syntax.found_{token.type.lower()}", value=str(token))
    return Term.of("syntax.found_literal", value=str(token))


def _describe_expected(terminals: set[str]) -> Term:
    terminals = set(terminals)
    phrases: list[object] = []
    for required, covered, key in _GROUPS:
        if required <= terminals:
            phrases.append(Term.of(key))
            terminals -= covered
    literals = []
    patterns = {t.name: t.pattern for t in _lark().terminals}
    for name in sorted(terminals):
        if name in _NAMED:
            phrases.append(Term.of(_NAMED[name]))
        elif name in _KEYWORDS:
            literals.append(_KEYWORDS[name])
        elif name in patterns and patterns[name].type == "str":
            literals.append(patterns[name].value)
    if literals:
        phrases.append(quoted_list(sorted(literals)))
    if not phrases:
        return Term.of("syntax.something_else")
    return Term.any_of(*phrases)


# ------------------------------------------------------------------ tree -> nodes


def _shown(text: str) -> str:
    """A literal as a message shows it: a long one cut short."""
    return text if len(text) <= 40 else text[:20] + "…" + text[-10:]


_CLAUSES_ALLOWED = {
    "rule": ("because", "cite"),
    "exception": ("because", "cite"),
    "exemption": ("because", "cite", "instead"),
    "obligation": ("says", "cite", "due", "done", "late_requires"),
    "item": ("cite",),
    "action": ("says", "cite"),
    "invariant": ("because",),
}


class _Ordered(NamedTuple):
    fact: n.Ident
    chains: tuple[tuple[n.Ident, ...], ...]


# A literal's value, ``ValueError`` (or ``OverflowError`` for a duration) when
# it cannot stand for itself: the builder reports it as BR106.
parse_duration_literal = scanner.duration_value
_number = scanner.number_value


def _type_builder(kind: str) -> Any:
    """A builder method for a fact type without members, such as ``count 1..``."""

    def build(self: _Builder, span: Span, c: list[Any]) -> n.TypeExpr:
        low = high = None
        if c:
            low, high = c[0]
        return n.TypeExpr(kind, span, low=low, high=high)

    return build


def _clause_builder(name: str, convert: str) -> Any:
    """A builder method for one clause; clauses are checked per statement later."""

    def build(self: _Builder, span: Span, c: list[Any]) -> tuple[str, str, Any]:
        if convert == "text":
            value: Any = self.text(c[0])
        elif convert == "citations":
            value = tuple(c)
        elif convert == "ident":
            value = self.ident(c[0])
        else:
            value = c[0]
        return ("clause", name, (value, span))

    return build


def _cite_part_builder(kind: str) -> Any:
    """A builder method for a step into a reference that takes one number."""

    def build(self: _Builder, span: Span, c: list[Any]) -> n.CitePart:
        return n.CitePart(kind, (str(c[0]),), span)

    return build


class _Builder:
    """A Lark transformer, written as a plain class so that Lark is imported
    lazily; see :meth:`transform`."""

    def __init__(self, file: str, limits: Limits = DEFAULT) -> None:
        self.file = file
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []

    def transform(self, tree: Any) -> Any:
        from lark import Transformer, v_args

        builder = self

        @v_args(meta=True)
        class _T(Transformer):  # type: ignore[type-arg]
            def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
                method = getattr(builder, "t_" + data)
                return method(builder.span(meta), [c for c in children if c is not None])

            def __default_token__(self, token: Any) -> Any:
                return token

        return _T().transform(tree)

    # --- helpers

    def span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.file, 1, 1, 1, 1)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def tspan(self, token: Any) -> Span:
        return Span(self.file, token.line, token.column, token.end_line, token.end_column)

    def ident(self, token: Any) -> n.Ident:
        if len(token) > self.limits.max_name_length:
            self.diagnostics.append(Diagnostic.make("BR604", self.tspan(token), limit=self.limits.max_name_length))
        return n.Ident(str(token), self.tspan(token))

    def text(self, token: Any) -> n.Text:
        raw = str(token)[1:-1]
        if len(raw) > self.limits.max_string_length:
            self.diagnostics.append(Diagnostic.make("BR605", self.tspan(token), limit=self.limits.max_string_length))
            raw = raw[: self.limits.max_string_length]
        return n.Text(re.sub(r"\\(.)", r"\1", raw), self.tspan(token))

    def number(self, token: Any) -> int | float:
        try:
            return _number(str(token))
        except ValueError:
            self.diagnostics.append(Diagnostic.make("BR106", self.tspan(token), value=_shown(str(token))))
            return 0

    def members(self, names: tuple[n.Ident, ...], span: Span) -> tuple[n.Ident, ...]:
        if len(names) > self.limits.max_members:
            self.diagnostics.append(Diagnostic.make("BR606", span, limit=self.limits.max_members))
        return names

    def clauses(self, kind: str, items: list[Any], span: Span) -> n.Clauses:
        found: dict[str, Any] = {}
        for item in items:
            if not (isinstance(item, tuple) and len(item) == 3 and item[0] == "clause"):
                continue
            _, name, (value, where) = item
            if name not in _CLAUSES_ALLOWED[kind]:
                allowed = ", ".join(c.replace("_", " ") for c in _CLAUSES_ALLOWED[kind])
                self.diagnostics.append(
                    Diagnostic.make("BR104", where, clause=name.replace("_", " "),
                                    statement=Term.of(f"statement.{kind}"), allowed=allowed)
                )
            elif name in found:
                self.diagnostics.append(Diagnostic.make("BR105", where, clause=name.replace("_", " "),
                                                        statement=Term.of(f"statement.{kind}")))
            else:
                found[name] = value
        return n.Clauses(**found)

    # --- header and statements

    def t_start(self, span: Span, c: list[Any]) -> n.Module:
        return n.Module(header=c[0], statements=tuple(c[1:]), file=self.file)

    def t_header(self, span: Span, c: list[Any]) -> n.Header:
        fields: dict[str, Any] = {"extends": None, "version": None, "title": None, "source": None}
        for item in c[1:]:
            key, value = item
            fields[key] = value
        return n.Header(name=self.ident(c[0]), span=span, **fields)

    def t_extends(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        token = c[0]
        return ("extends", self.text(token) if token.type == "STRING" else self.ident(token))

    def t_version(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        return ("version", self.text(c[0]))

    def t_title(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        return ("title", self.text(c[0]))

    def t_source(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        return ("source", self.text(c[0]))

    def t_scale(self, span: Span, c: list[Any]) -> n.Scale:
        return n.Scale(self.ident(c[0]), self.members(tuple(self.ident(t) for t in c[1:]), span), span)

    def t_fact(self, span: Span, c: list[Any]) -> n.Fact:
        default = question = None
        for option in c[2:]:
            if option[0] == "default":
                default = option[1]
            else:
                question = option[1]
        return n.Fact(self.ident(c[0]), c[1], default, question, span)

    def t_default(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        value = c[0]
        if isinstance(value, (int, float)):  # a signed number, bare from its rule
            value = n.NumberLit(value, span)
        return ("default", value)

    def t_question(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        return ("question", self.text(c[0]))

    t_bool_type = _type_builder("bool")
    t_count_type = _type_builder("count")
    t_integer_type = _type_builder("integer")
    t_number_type = _type_builder("number")
    t_duration_type = _type_builder("duration")
    t_datetime_type = _type_builder("datetime")
    t_text_type = _type_builder("text")

    def t_enum_type(self, span: Span, c: list[Any]) -> n.TypeExpr:
        return n.TypeExpr("enum", span, members=c[0])

    def t_set_type(self, span: Span, c: list[Any]) -> n.TypeExpr:
        return n.TypeExpr("set", span, members=c[0])

    def t_scale_type(self, span: Span, c: list[Any]) -> n.TypeExpr:
        return n.TypeExpr("scale", span, scale=self.ident(c[0]))

    def t_range(self, span: Span, c: list[Any]) -> tuple[Any, Any]:
        return (c[0], c[1] if len(c) > 1 else None)

    def t_signed_number(self, span: Span, c: list[Any]) -> int | float:
        return self.number(c[0])

    def t_negative_number(self, span: Span, c: list[Any]) -> int | float:
        return -self.number(c[0])

    def t_names(self, span: Span, c: list[Any]) -> tuple[n.Ident, ...]:
        return self.members(tuple(self.ident(t) for t in c), span)

    def t_define(self, span: Span, c: list[Any]) -> n.Define:
        return n.Define(self.ident(c[0]), c[1], span)

    def t_score(self, span: Span, c: list[Any]) -> n.Score:
        return n.Score(self.ident(c[0]), self.ident(c[1]), c[2], tuple(c[3:]), span)

    def t_band_below(self, span: Span, c: list[Any]) -> n.Band:
        return n.Band(c[0], self.ident(c[1]), span)

    def t_band_otherwise(self, span: Span, c: list[Any]) -> n.Band:
        return n.Band(None, self.ident(c[-1]), span)  # (after the OTHERWISE keyword's token)

    def t_points(self, span: Span, c: list[Any]) -> n.Points:
        return n.Points(self.ident(c[0]), c[1], tuple(c[2:]), span)

    def t_point(self, span: Span, c: list[Any]) -> n.Point:
        return n.Point(self.row_label(c[0]), c[1], span)

    def _split(self, c: list[Any]) -> tuple[Any, bool, tuple[n.Conclusion, ...], list[Any]]:
        condition, always, conclusions, rest = None, False, (), []
        for item in c:
            if isinstance(item, tuple) and item and item[0] == "when":
                condition = item[1]
            elif isinstance(item, tuple) and item and item[0] == "always":
                always = True
            elif isinstance(item, tuple) and item and item[0] == "conclusions":
                conclusions = item[1]
            else:
                rest.append(item)
        return condition, always, conclusions, rest

    def t_rule(self, span: Span, c: list[Any]) -> n.Rule:
        condition, _, conclusions, rest = self._split(c[1:])
        return n.Rule("rule", self.ident(c[0]), None, condition, conclusions,
                      self.clauses("rule", rest, span), span)

    def t_exception(self, span: Span, c: list[Any]) -> n.Rule:
        condition, _, conclusions, rest = self._split(c[2:])
        return n.Rule("exception", self.ident(c[0]), self.ident(c[1]), condition, conclusions,
                      self.clauses("exception", rest, span), span)

    def t_exemption(self, span: Span, c: list[Any]) -> n.Rule:
        condition, _, _, rest = self._split(c[2:])
        return n.Rule("exemption", self.ident(c[0]), self.ident(c[1]), condition, (),
                      self.clauses("exemption", rest, span), span)

    def t_condition(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        return ("when", c[0])

    def t_always(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        return ("always", None)

    def t_conclusions(self, span: Span, c: list[Any]) -> tuple[str, Any]:
        return ("conclusions", tuple(c))

    def t_conclusion(self, span: Span, c: list[Any]) -> n.Conclusion:
        return n.Conclusion(self.ident(c[0]), c[1], span)

    t_because = _clause_builder("because", "text")
    t_says = _clause_builder("says", "text")
    t_cite = _clause_builder("cite", "citations")

    def t_cite_text(self, span: Span, c: list[Any]) -> n.Citation:
        return n.Citation(None, (), self.text(c[0]), span)

    def t_cite_reference(self, span: Span, c: list[Any]) -> n.Citation:
        return n.Citation(self.ident(c[0]), tuple(c[1:]), None, span)

    def t_cite_article(self, span: Span, c: list[Any]) -> n.CitePart:
        return n.CitePart("article", tuple(str(t) for t in c if t is not None), span)

    t_cite_recital = _cite_part_builder("recital")
    t_cite_annex = _cite_part_builder("annex")
    t_cite_page = _cite_part_builder("page")
    t_cite_case = _cite_part_builder("case")

    def t_cite_example(self, span: Span, c: list[Any]) -> n.CitePart:
        return n.CitePart("example", tuple(c), span)

    def t_cite_range(self, span: Span, c: list[Any]) -> str:
        return "-".join(str(t) for t in c if t is not None)

    def t_cite_section(self, span: Span, c: list[Any]) -> n.CitePart:
        return n.CitePart("section", (self.text(c[0]).value,), span)

    def t_reference(self, span: Span, c: list[Any]) -> n.Reference:
        return n.Reference(self.ident(c[0]), str(c[1]), self.text(c[2]), span)
    t_instead = _clause_builder("instead", "ident")
    t_due = _clause_builder("due", "node")
    t_done = _clause_builder("done", "ident")
    t_late_requires = _clause_builder("late_requires", "ident")

    def t_without_undue_delay(self, span: Span, c: list[Any]) -> n.WithoutUndueDelay:
        return n.WithoutUndueDelay(span)

    def t_combine(self, span: Span, c: list[Any]) -> n.Combine:
        return n.Combine(self.ident(c[0]), self.ident(c[1]), self.ident(c[2]), tuple(c[3:]), span)

    def t_table_row(self, span: Span, c: list[Any]) -> n.TableRow:
        return n.TableRow(self.row_label(c[0]), tuple(self.ident(t) for t in c[1:]), span)

    def row_label(self, label: Any) -> n.Ident:
        """The name of a ``name:`` token (a table row, a part of a notice), without its colon."""
        name = str(label).rstrip(": \t")
        return n.Ident(name, Span(self.file, label.line, label.column, label.line, label.column + len(name)))

    def t_obligation(self, span: Span, c: list[Any]) -> n.Obligation:
        condition, always, _, rest = self._split(c[1:])
        return n.Obligation(self.ident(c[0]), condition, always,
                            self.clauses("obligation", rest, span), span)

    def t_checklist(self, span: Span, c: list[Any]) -> n.Checklist:
        return n.Checklist(self.ident(c[0]), self.ident(c[1]), tuple(c[2:]), span)

    def t_checklist_item(self, span: Span, c: list[Any]) -> n.ChecklistItem:
        return n.ChecklistItem(self.ident(c[0]), c[1], self.clauses("item", c[2:], span), span)

    def t_plan(self, span: Span, c: list[Any]) -> n.Plan:
        return n.Plan(self.ident(c[0]), c[1], span)

    def t_notice(self, span: Span, c: list[Any]) -> n.Notice:
        return n.Notice(self.ident(c[0]), c[1], tuple(c[2:]), span)

    def t_notice_part(self, span: Span, c: list[Any]) -> n.NoticePart:
        return n.NoticePart(self.row_label(c[0]), c[1], span)

    def t_action(self, span: Span, c: list[Any]) -> n.Action:
        _, condition = c[2]
        return n.Action(self.ident(c[0]), self.ident(c[1]), condition,
                        self.clauses("action", c[3:], span), span)

    def t_invariant(self, span: Span, c: list[Any]) -> n.Invariant:
        return n.Invariant(self.ident(c[0]), c[1], self.clauses("invariant", c[2:], span), span)

    def t_aggravating(self, span: Span, c: list[Any]) -> n.Monotone:
        return self._monotone("aggravating", c[0], span)

    def t_mitigating(self, span: Span, c: list[Any]) -> n.Monotone:
        return self._monotone("mitigating", c[0], span)

    def t_replaced(self, span: Span, c: list[Any]) -> n.Replaced:
        return n.Replaced(self.ident(c[0]), self.ident(c[1]), span)

    def _monotone(self, direction: str, body: Any, span: Span) -> n.Monotone:
        if isinstance(body, _Ordered):  # one fact, its members in the order of the chains
            return n.Monotone(direction, (body.fact,), body.chains, span)
        return n.Monotone(direction, body, (), span)  # facts in the order of their values

    def t_ordered(self, span: Span, c: list[Any]) -> _Ordered:
        return _Ordered(self.ident(c[0]), tuple(c[1:]))

    def t_chain(self, span: Span, c: list[Any]) -> tuple[n.Ident, ...]:
        return self.members(tuple(self.ident(t) for t in c), span)

    # --- expressions

    def t_or_(self, span: Span, c: list[Any]) -> n.BoolOp:
        return self._boolop("or", c, span)

    def t_and_(self, span: Span, c: list[Any]) -> n.BoolOp:
        return self._boolop("and", c, span)

    def _boolop(self, op: str, c: list[Any], span: Span) -> n.BoolOp:
        operands: list[Any] = []
        for child in c:  # flatten the left-recursive chain: a or b or c
            if isinstance(child, n.BoolOp) and child.op == op and child.span.line == span.line \
                    and child.span.column == span.column:
                operands.extend(child.operands)
            else:
                operands.append(child)
        return n.BoolOp(op, tuple(operands), span)

    def t_not_(self, span: Span, c: list[Any]) -> n.Not:
        return n.Not(c[0], span)

    def t_compare(self, span: Span, c: list[Any]) -> n.Compare:
        return n.Compare(str(c[1]), c[0], c[2], span)

    def t_comp_op(self, span: Span, c: list[Any]) -> str:
        return str(c[0])

    t_add_op = t_comp_op
    t_mul_op = t_comp_op

    def t_member(self, span: Span, c: list[Any]) -> n.Member:
        return n.Member(c[0], c[1], False, span)

    def t_not_member(self, span: Span, c: list[Any]) -> n.Member:
        return n.Member(c[0], c[1], True, span)

    def t_intersects(self, span: Span, c: list[Any]) -> n.SetTest:
        return n.SetTest("intersects", c[0], c[1], span)

    def t_subset(self, span: Span, c: list[Any]) -> n.SetTest:
        return n.SetTest("subset", c[0], c[1], span)

    def t_is_known(self, span: Span, c: list[Any]) -> n.IsKnown:
        return n.IsKnown(c[0], False, span)

    def t_is_unknown(self, span: Span, c: list[Any]) -> n.IsKnown:
        return n.IsKnown(c[0], True, span)

    def t_union_(self, span: Span, c: list[Any]) -> n.BinOp:
        return n.BinOp("|", c[0], c[1], span)

    def t_intersection_(self, span: Span, c: list[Any]) -> n.BinOp:
        return n.BinOp("&", c[0], c[1], span)

    def t_arith(self, span: Span, c: list[Any]) -> n.BinOp:
        return n.BinOp(c[1], c[0], c[2], span)

    def t_negate(self, span: Span, c: list[Any]) -> n.Negate:
        return n.Negate(c[0], span)

    def t_name(self, span: Span, c: list[Any]) -> n.Name:
        return n.Name(str(c[0]), self.tspan(c[0]))

    t_default_name = t_name

    def t_qualified(self, span: Span, c: list[Any]) -> n.Qualified:
        return n.Qualified(str(c[0]), str(c[1]), span)

    def t_call(self, span: Span, c: list[Any]) -> n.Call:
        return n.Call(self.ident(c[0]), tuple(c[1:]), span)

    def t_number(self, span: Span, c: list[Any]) -> n.NumberLit:
        return n.NumberLit(self.number(c[0]), self.tspan(c[0]))

    def t_duration(self, span: Span, c: list[Any]) -> n.DurationLit:
        try:
            value = parse_duration_literal(str(c[0]))
        except (ValueError, OverflowError):
            self.diagnostics.append(Diagnostic.make("BR106", self.tspan(c[0]), value=_shown(str(c[0]))))
            value = timedelta(0)
        return n.DurationLit(value, str(c[0]), self.tspan(c[0]))

    def t_string(self, span: Span, c: list[Any]) -> n.StringLit:
        text = self.text(c[0])
        return n.StringLit(text.value, text.span)

    def t_true(self, span: Span, c: list[Any]) -> n.BoolLit:
        return n.BoolLit(True, span)

    def t_false(self, span: Span, c: list[Any]) -> n.BoolLit:
        return n.BoolLit(False, span)

    def t_set_literal(self, span: Span, c: list[Any]) -> n.SetLit:
        return n.SetLit(c[0] if c else (), span)
