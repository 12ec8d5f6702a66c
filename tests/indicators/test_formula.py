"""The formula language: only + - * / over numbers and names; never Python's eval."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treem.indicators.formula import FormulaError, evaluate, names, parse

NAMES = ["a", "b", "c", "TT13_0101"]


def test_arithmetic_and_precedence():
    assert evaluate("a + b * 2", {"a": 1, "b": 3}).value == 7
    assert evaluate("(a + b) * 2", {"a": 1, "b": 3}).value == 8
    assert evaluate("-a / 4", {"a": 2}).value == Decimal("-0.5")
    assert evaluate(
        "TT13_0101 / child_population * 100", {"TT13_0101": 3, "child_population": 200}
    ).value == Decimal("1.5")


def test_division_by_zero_is_an_empty_value_with_a_reason():
    result = evaluate("a / (b - b)", {"a": 1, "b": 5})
    assert result.value is None
    assert result.reason == "Division by zero: the denominator is 0."


def test_a_name_without_a_value_is_an_empty_value():
    result = evaluate("a + b", {"a": 1})
    assert result.value is None
    assert "b" in result.reason


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('id')",
        "a.b",
        "a ** 2",
        "a % 2",
        "f(a)",
        "a if b else c",
        "[a]",
        "'text'",
        "True + 1",
        "a < b",
        "lambda: 1",
        "",
        "a +",
        "1e999",
        "a // b",
    ],
)
def test_anything_else_is_refused(text):
    with pytest.raises(FormulaError):
        parse(text)


def test_names():
    assert names("PAC_X / child_population * 100") == {"PAC_X", "child_population"}


# --- generated formulas: evaluate agrees with exact fractions, and never raises ------------------


def expressions():
    leaf = st.one_of(st.integers(min_value=0, max_value=10_000).map(str), st.sampled_from(NAMES))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda e: f"-{e}"),
        ),
        max_leaves=12,
    )


def reference(text, values):
    """The exact value with fractions, or None when a division by zero happens."""
    import ast

    def walk(node):
        if isinstance(node, ast.Constant):
            return Fraction(node.value)
        if isinstance(node, ast.Name):
            return Fraction(values[node.id])
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand)
        left, right = walk(node.left), walk(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise ZeroDivisionError
        return left / right

    try:
        return walk(ast.parse(text, mode="eval").body)
    except ZeroDivisionError:
        return None


@settings(max_examples=300, deadline=None)
@given(expressions(), st.fixed_dictionaries({n: st.integers(min_value=0, max_value=1000) for n in NAMES}))
def test_generated_formulas_match_exact_arithmetic(text, values):
    result = evaluate(text, values)
    expected = reference(text, values)
    if expected is None:
        assert result.value is None and "zero" in result.reason
    else:
        assert result.value is not None
        assert abs(Fraction(result.value) - expected) <= abs(expected) * Fraction(1, 10**20) + Fraction(
            1, 10**20
        )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_cleanly(text):
    try:
        tree_names = names(text)
    except FormulaError:
        return
    values = {n: 1 for n in tree_names}
    result = evaluate(text, values)
    assert result.value is not None or result.reason
