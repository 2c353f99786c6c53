"""The small part of XLSForm's expression language a questionnaire may use, evaluated safely.

`relevant`, `constraint` and `choice_filter` are XPath in XLSForm. Rather than run XPath (or, worse,
`eval`), we parse the subset municipal questionnaires need and evaluate our own syntax tree:

    ${name}  '…' "…"  123  1.5  .  (…)
    selected(${name}, 'code')   not(…)
    =  !=  <  >  <=  >=   and   or

A bare word (`region`) names a column of the choices sheet and is allowed only in `choice_filter`;
`.` (the answer being checked) only in `constraint`. Anything else (other functions, arithmetic,
paths) is refused when the form is imported, with a message saying which part is not supported,
so that a form never behaves differently here than the coordinator expects.

Values follow XPath's rules where it matters: an unanswered question is the empty string; a
comparison with a number compares numbers, and is false when a side is not a number; a multiple
choice answer is its codes joined by spaces (so `selected()` is the way to test one of them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

__all__ = ["Expression", "ExpressionError", "compile_expression"]

Answer = str | int | float | list[str] | None

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<refname>[^}]*)\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>\d+(?:\.\d+)?)
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<punct>[(),])
      | (?P<dot>\.(?![\w.]))
      | (?P<word>[A-Za-z_][\w\-]*(?::[\w\-]+)?)
      | (?P<other>\S+?)
    )""",
    re.VERBOSE,
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.]*$")


class ExpressionError(ValueError):
    """An expression outside the supported subset, or written wrong; the message is for the coordinator."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the pattern matches any non-blank character
            raise ExpressionError(_("The expression could not be read."))
        position = match.end()
        kind = match.lastgroup or "other"
        if kind == "refname":
            kind = "ref"
        if kind == "ref":
            found.append(_Token("ref", match.group("refname").strip()))
        elif kind == "string":
            found.append(_Token("string", match.group("string")[1:-1]))
        else:
            found.append(_Token(kind, match.group(kind)))
    return found


# A node is a function of (answers, current value, choice columns) → value.
Node = Callable[[Mapping[str, Answer], Answer, Mapping[str, str]], Any]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None or isinstance(value, list):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    return _as_text(value) != ""


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _compare(op: str, left: Any, right: Any, numeric: bool) -> bool:
    if numeric or op in {"<", ">", "<=", ">="}:
        a, b = _as_number(left), _as_number(right)
        if a is None or b is None:
            # XPath: NaN compares false, except NaN != x.
            return op == "!=" and _as_text(left) != _as_text(right)
        return _COMPARE[op](a, b)
    return _COMPARE[op](_as_text(left), _as_text(right))


def _either(left: Node, right: Node) -> Node:
    return lambda a, c, k: _truthy(left(a, c, k)) or _truthy(right(a, c, k))


def _both(left: Node, right: Node) -> Node:
    return lambda a, c, k: _truthy(left(a, c, k)) and _truthy(right(a, c, k))


@dataclass
class _Parser:
    tokens: list[_Token]
    allow_current: bool
    allow_columns: bool
    position: int = 0
    references: set[str] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise ExpressionError(_("The expression ends too early: something is missing at the end."))
        self.position += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise ExpressionError(
                _("“%(expected)s” was expected before “%(found)s”.") % {"expected": text, "found": token.text}
            )

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError(_("The expression is empty."))
        node = self.or_()
        if self.peek() is not None:
            raise ExpressionError(_("“%(part)s” is not supported here.") % {"part": self.peek().text})  # type: ignore[union-attr]
        return node

    def or_(self) -> Node:
        node = self.and_()
        while (token := self.peek()) is not None and token.kind == "word" and token.text == "or":
            self.take()
            node = _either(node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.comparison()
        while (token := self.peek()) is not None and token.kind == "word" and token.text == "and":
            self.take()
            node = _both(node, self.comparison())
        return node

    def comparison(self) -> Node:
        left, left_is_number = self.atom()
        token = self.peek()
        if token is None or token.kind != "op":
            return left
        op = self.take().text
        right, right_is_number = self.atom()
        numeric = left_is_number or right_is_number
        return lambda a, c, k: _compare(op, left(a, c, k), right(a, c, k), numeric)

    def atom(self) -> tuple[Node, bool]:
        token = self.take()
        if token.kind == "ref":
            name = token.text
            if not _NAME.match(name):
                raise ExpressionError(_("“${%(name)s}” is not a question name.") % {"name": name})
            self.references.add(name)
            return (lambda a, c, k: a.get(name)), False
        if token.kind == "string":
            text = token.text
            return (lambda a, c, k: text), False
        if token.kind == "number":
            number = float(token.text)
            return (lambda a, c, k: number), True
        if token.kind == "dot":
            if not self.allow_current:
                raise ExpressionError(_("“.” (this question's answer) can only be used in a constraint."))
            return (lambda a, c, k: c), False
        if token.text == "(":
            node = self.or_()
            self.expect(")")
            return node, False
        if token.kind == "word" and (following := self.peek()) is not None and following.text == "(":
            return self.function(token.text), False
        if token.kind == "word" and token.text not in {"and", "or"}:
            if not self.allow_columns:
                raise ExpressionError(
                    _("“%(word)s” is not supported: refer to a question as ${%(word)s}.") % {"word": token.text}
                )
            column = token.text
            self.columns.add(column)
            return (lambda a, c, k: k.get(column, "")), False
        raise ExpressionError(_("“%(part)s” is not supported here.") % {"part": token.text})

    def function(self, name: str) -> Node:
        self.expect("(")
        if name == "selected":
            container, _number = self.atom()
            self.expect(",")
            code, _number = self.atom()
            self.expect(")")

            def selected(a: Mapping[str, Answer], c: Answer, k: Mapping[str, str]) -> bool:
                value = container(a, c, k)
                values = value if isinstance(value, list) else _as_text(value).split()
                return _as_text(code(a, c, k)) in values

            return selected
        if name == "not":
            inner = self.or_()
            self.expect(")")
            return lambda a, c, k: not _truthy(inner(a, c, k))
        raise ExpressionError(
            _("The function “%(name)s()” is not supported; only selected() and not() are.") % {"name": name}
        )


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its text, the questions and choice columns it reads, and how to evaluate it."""

    text: str
    references: frozenset[str]
    columns: frozenset[str]
    _node: Node

    def evaluate(
        self, answers: Mapping[str, Answer], *, current: Answer = None, columns: Mapping[str, str] | None = None
    ) -> bool:
        return _truthy(self._node(answers, current, columns or {}))


def compile_expression(
    text: str, *, known: set[str] | None = None, allow_current: bool = False, allow_columns: bool = False
) -> Expression:
    """Parse `text`, or raise ExpressionError saying (in the user's language) what is wrong.

    `known`, when given, are the question names the expression may refer to.
    """
    parser = _Parser(_tokens(text), allow_current=allow_current, allow_columns=allow_columns)
    node = parser.parse()
    if known is not None:
        unknown = sorted(parser.references - known)
        if unknown:
            raise ExpressionError(_("There is no question named “%(name)s”.") % {"name": unknown[0]})
    return Expression(text, frozenset(parser.references), frozenset(parser.columns), node)
