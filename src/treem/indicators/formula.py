"""A small, safe expression language for indicator formulas.

A formula is arithmetic over numbers and names: ``+ - * /``, unary minus, parentheses. Names are
indicator codes (``TT13_0101``) or named data elements computed from the system's records
(``children_under5``). The text is parsed with Python's ``ast`` and only those nodes are accepted;
nothing is ever evaluated by Python itself (no ``eval``), so a formula cannot call, import or read
anything. Arithmetic is exact (``Decimal``); a division by zero, or a name without a value, gives
an empty result with the reason, never an exception to the caller of :func:`evaluate`.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

from django.utils.translation import gettext as _

MAX_LENGTH = 500
MAX_DEPTH = 100


class FormulaError(ValueError):
    """The formula's text is not a valid expression of the language (said in the user's language)."""


@dataclass(frozen=True)
class Result:
    """The value of a formula, or None with the reason it has none."""

    value: Decimal | None
    reason: str = ""


_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def parse(text: str) -> ast.expr:
    """Parse ``text`` into an expression tree of the allowed nodes, or raise FormulaError."""
    text = (text or "").strip()
    if not text:
        raise FormulaError(_("The formula is empty."))
    if len(text) > MAX_LENGTH:
        raise FormulaError(_("The formula is too long."))
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise FormulaError(_("The formula is not a valid expression.")) from exc
    _check(tree.body, 0)
    return tree.body


def _check(node: ast.AST, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise FormulaError(_("The formula is nested too deeply."))
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BINARY):
        _check(node.left, depth + 1)
        _check(node.right, depth + 1)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, depth + 1)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(_("Only numbers and names may appear in a formula."))
        if isinstance(node.value, float) and not math.isfinite(node.value):
            raise FormulaError(_("The formula holds a number too large."))
    elif isinstance(node, ast.Name):
        pass
    else:
        raise FormulaError(_("Only + - * / , numbers, names and parentheses may appear in a formula."))


def names(text: str) -> set[str]:
    """The names a formula refers to (raises FormulaError for a bad formula)."""
    return {n.id for n in ast.walk(parse(text)) if isinstance(n, ast.Name)}


def evaluate(text: str, values: Mapping[str, Decimal | int | None]) -> Result:
    """The formula's value with ``values`` for its names (raises FormulaError only for bad text)."""
    tree = parse(text)
    try:
        with localcontext() as ctx:
            ctx.prec = 28
            ctx.traps[DivisionByZero] = True
            ctx.traps[InvalidOperation] = True
            return Result(_value(tree, values))
    except _Missing as exc:
        return Result(None, _("No value for %(name)s.") % {"name": exc.args[0]})
    except (DivisionByZero, ZeroDivisionError):
        return Result(None, _("Division by zero: the denominator is 0."))
    except (InvalidOperation, Overflow):
        return Result(None, _("The result is too large to compute."))


class _Missing(Exception):
    pass


def _value(node: ast.AST, values: Mapping[str, Decimal | int | None]) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise _Missing(node.id)
        return Decimal(value)
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    left = _value(node.left, values)
    right = _value(node.right, values)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if right == 0:
        raise ZeroDivisionError
    return left / right
