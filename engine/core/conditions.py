"""The condition language of `if:`: tokenize, parse, type-check, compile.

Grammar, loosest first (comparisons do not chain):

    or   := and ('or' and)*
    and  := not ('and' not)*
    not  := 'not' not | cmp
    cmp  := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum)?
    sum  := unary (('+'|'-') unary)*
    unary:= '-' unary | atom
    atom := INT | 'true' | 'false' | STRING | NAME | 'visited' '(' STRING ')' | '(' or ')'

Expressions are parsed into the node classes below, type-checked against the
story's variables and scenes, and compiled into closures `f(vars, visits)`.
Nothing here ever calls eval.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from engine.core.diagnostics import (
    CAPITALISED_BOOLEAN,
    CHAIN_TOO_LONG,
    CHAINED_COMPARISON,
    COMPARES_TYPES,
    EMPTY_EXPRESSION,
    EXPECTED_TOKEN,
    EXPECTED_VALUE,
    EXPRESSION_TOO_LONG,
    NEEDS_A_VALUE_BEFORE,
    NESTED_TOO_DEEP,
    NUMBER_TOO_LARGE,
    OPERAND_TYPE,
    UNDECLARED_VARIABLE,
    UNEXPECTED_CHARACTER,
    UNEXPECTED_COMPARISON,
    UNEXPECTED_TOKEN,
    UNKNOWN_SCENE,
    UNKNOWN_VARIABLE,
    VISITED_WITHOUT_QUOTES,
    Message,
    did_you_mean,
    did_you_mean_scene,
)

MAX_LENGTH = 1000
MAX_DEPTH = 32  # nesting of parentheses, `not` and unary minus
MAX_TREE_DEPTH = 128  # a chain `a + b + …` is a tree this deep; checking it recurses
MAX_INT = 10**15

Value = int | bool | str
Evaluator = Callable[[tuple[Any, ...], Mapping[str, int]], Any]
TYPE_NAMES = {int: "a number", bool: "true or false", str: "text"}


class ExprError(Exception):
    """A problem with one expression: its diagnostic code and the words of its message."""

    def __init__(self, message: Message, **values: object) -> None:
        self.code = message.code.id
        self.message = message.text(**values)
        super().__init__(self.message)


# --- the tree ---------------------------------------------------------------

@attrs.frozen
class Literal:
    value: Value


@attrs.frozen
class Name:
    name: str


@attrs.frozen
class Visited:
    scene: str


@attrs.frozen
class Not:
    operand: Node


@attrs.frozen
class Negate:
    operand: Node


@attrs.frozen
class Binary:
    op: str  # one of: or and == != < <= > >= + -
    left: Node
    right: Node


Node = Literal | Name | Visited | Not | Negate | Binary

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, parents before children."""
    yield node
    if isinstance(node, (Not, Negate)):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)


# --- tokens -----------------------------------------------------------------

# Compiled when an expression is first read (re keeps it), not at every start.
_TOKEN = r"""
    (?P<space>\s+)
  | (?P<int>[0-9]+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>"[^"]*"|'[^']*')
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\(|\)|,)
"""

# What a writer may have meant by a character the language does not have: the end of
# the message that says where it is.
_MISTAKES = {
    "=": " — use '==' to compare",
    "&": " — use 'and'",
    "|": " — use 'or'",
    "!": " — use 'not'",
    '"': " — a string is missing its closing '\"'",
    "'": " — a string is missing its closing \"'\"",
}


def tokenize(source: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; kind is int, name, str, op or end."""
    token = re.compile(_TOKEN, re.VERBOSE).match
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        m = token(source, pos)
        if m is None:
            ch = source[pos]
            hint = _MISTAKES.get(ch, "")
            if source.startswith(("&&", "||"), pos):
                hint = _MISTAKES[ch]
            raise ExprError(UNEXPECTED_CHARACTER, character=ch, column=pos + 1, hint=hint)
        kind = m.lastgroup or ""
        if kind != "space":
            tokens.append((kind, m.group()))
        pos = m.end()
    tokens.append(("end", ""))
    return tokens


# --- parser -----------------------------------------------------------------

class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at(self, text: str) -> bool:
        kind, value = self.tokens[self.pos]
        return kind in ("op", "name") and value == text

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise ExprError(EXPECTED_TOKEN, wanted=text, found=describe(self.peek()))
        self.pos += 1

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(NESTED_TOO_DEEP, depth=MAX_DEPTH)

    def parse(self) -> Node:
        node = self.or_()
        if self.peek()[0] != "end":
            token = self.peek()
            raise ExprError(UNEXPECTED_COMPARISON if token[1] in COMPARISONS
                            else UNEXPECTED_TOKEN, found=describe(token))
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.at("or"):
            self.take()
            node = Binary("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("and"):
            self.take()
            node = Binary("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.at("not"):
            self.take()
            self.nested()
            node: Node = Not(self.not_())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        kind, op = self.peek()
        if kind == "op" and op in COMPARISONS:
            self.take()
            node = Binary(op, node, self.sum())
            kind, op = self.peek()
            if kind == "op" and op in COMPARISONS:
                raise ExprError(CHAINED_COMPARISON, op=op)
        return node

    def sum(self) -> Node:
        node = self.unary()
        while self.at("+") or self.at("-"):
            op = self.take()[1]
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("-"):
            self.take()
            self.nested()
            operand = self.unary()
            self.depth -= 1
            if isinstance(operand, Literal) and type(operand.value) is int:
                return Literal(-operand.value)
            return Negate(operand)
        return self.atom()

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "int":
            if len(text.lstrip("0")) > len(str(MAX_INT)) or int(text) > MAX_INT:
                raise ExprError(NUMBER_TOO_LARGE, most=MAX_INT,
                                number=text[:20] + ("…" if len(text) > 20 else ""))
            return Literal(int(text))
        if kind == "str":
            return Literal(text[1:-1])
        if kind == "name":
            if text in ("true", "false"):
                return Literal(text == "true")
            if text in ("and", "or", "not"):
                raise ExprError(NEEDS_A_VALUE_BEFORE, word=text)
            if text == "visited":
                self.expect("(")
                kind, arg = self.take()
                if kind != "str":
                    raise ExprError(VISITED_WITHOUT_QUOTES)
                self.expect(")")
                return Visited(arg[1:-1])
            if text in ("True", "False"):
                raise ExprError(CAPITALISED_BOOLEAN, word=text, lower=text.lower())
            return Name(text)
        if kind == "op" and text == "(":
            self.nested()
            node = self.or_()
            self.expect(")")
            self.depth -= 1
            return node
        raise ExprError(EXPECTED_VALUE, found=describe((kind, text)))


def describe(token: tuple[str, str]) -> str:
    kind, text = token
    return "the end of the expression" if kind == "end" else f"'{text}'"


def parse(source: str) -> Node:
    """Parse an expression, or raise ExprError."""
    if len(source) > MAX_LENGTH:
        raise ExprError(EXPRESSION_TOO_LONG, length=MAX_LENGTH)
    if not source.strip():
        raise ExprError(EMPTY_EXPRESSION)
    tree = _Parser(source).parse()
    if depth(tree) > MAX_TREE_DEPTH:
        raise ExprError(CHAIN_TOO_LONG, depth=MAX_TREE_DEPTH)
    return tree


def depth(node: Node) -> int:
    """How deep a tree goes (without recursion: a long chain of `+` is a deep tree)."""
    deepest, todo = 0, [(node, 1)]
    while todo:
        current, d = todo.pop()
        deepest = max(deepest, d)
        if isinstance(current, (Not, Negate)):
            todo.append((current.operand, d + 1))
        elif isinstance(current, Binary):
            todo.extend(((current.left, d + 1), (current.right, d + 1)))
    return deepest


# --- types ------------------------------------------------------------------

def check(node: Node, variables: Mapping[str, type], scenes: Mapping[str, Any]) -> type:
    """The type of an expression, or raise ExprError for any mistake in it."""
    if isinstance(node, Literal):
        return type(node.value)
    if isinstance(node, Name):
        if node.name not in variables:
            hint = did_you_mean(node.name, variables)
            raise ExprError(UNKNOWN_VARIABLE if hint else UNDECLARED_VARIABLE, name=node.name,
                            hint=hint)
        return variables[node.name]
    if isinstance(node, Visited):
        if node.scene not in scenes:
            raise ExprError(UNKNOWN_SCENE, scene=node.scene, where="visited()",
                            hint=did_you_mean_scene(node.scene, scenes))
        return int
    if isinstance(node, Not):
        _want(node.operand, bool, "not", variables, scenes)
        return bool
    if isinstance(node, Negate):
        _want(node.operand, int, "-", variables, scenes)
        return int
    op = node.op
    if op in ("and", "or"):
        _want(node.left, bool, op, variables, scenes)
        _want(node.right, bool, op, variables, scenes)
        return bool
    if op in ("+", "-"):
        _want(node.left, int, op, variables, scenes)
        _want(node.right, int, op, variables, scenes)
        return int
    if op in ("==", "!="):
        left = check(node.left, variables, scenes)
        right = check(node.right, variables, scenes)
        if left is not right:
            raise ExprError(COMPARES_TYPES, op=op, left=TYPE_NAMES[left],
                            right=TYPE_NAMES[right])
        return bool
    _want(node.left, int, op, variables, scenes)
    _want(node.right, int, op, variables, scenes)
    return bool


def _want(node: Node, wanted: type, op: str, variables: Mapping[str, type],
          scenes: Mapping[str, Any]) -> None:
    got = check(node, variables, scenes)
    if got is not wanted:
        raise ExprError(OPERAND_TYPE, op=op, wanted=TYPE_NAMES[wanted],
                        operand=show(node), got=TYPE_NAMES[got])


def show(node: Node) -> str:
    """A short source-like rendering of a node, for messages."""
    if isinstance(node, Literal):
        v = node.value
        return ("true" if v else "false") if isinstance(v, bool) else (
            f'"{v}"' if isinstance(v, str) else str(v))
    if isinstance(node, Name):
        return f"'{node.name}'"
    if isinstance(node, Visited):
        return f'visited("{node.scene}")'
    if isinstance(node, Not):
        return f"not {show(node.operand)}"
    if isinstance(node, Negate):
        return f"-{show(node.operand)}"
    return f"{show(node.left)} {node.op} {show(node.right)}"


# --- compile ----------------------------------------------------------------

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "+": operator.add, "-": operator.sub,
}
NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}  # not (a op b)
FLIPPED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}  # b op a


def compile_node(node: Node, slots: Mapping[str, int]) -> Evaluator:
    """A closure `f(vars, visits)` computing the node; vars is indexed by slot."""
    if isinstance(node, Literal):
        value = node.value
        return lambda v, c: value
    if isinstance(node, Name):
        slot = slots[node.name]
        return lambda v, c: v[slot]
    if isinstance(node, Visited):
        scene = node.scene
        return lambda v, c: c.get(scene, 0)
    if isinstance(node, Not):
        inner = compile_node(node.operand, slots)
        return lambda v, c: not inner(v, c)
    if isinstance(node, Negate):
        inner = compile_node(node.operand, slots)
        return lambda v, c: -inner(v, c)
    left = compile_node(node.left, slots)
    right = compile_node(node.right, slots)
    if node.op == "and":
        return lambda v, c: left(v, c) and right(v, c)
    if node.op == "or":
        return lambda v, c: left(v, c) or right(v, c)
    op = OPERATORS[node.op]
    # The common `name OP constant` shape gets a closure with one call less.
    if isinstance(node.left, Name) and isinstance(node.right, Literal):
        slot, constant = slots[node.left.name], node.right.value
        return lambda v, c: op(v[slot], constant)
    return lambda v, c: op(left(v, c), right(v, c))
