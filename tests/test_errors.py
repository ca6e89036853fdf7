"""错误的输入得到清楚的双语错误: 说出是哪个运算, 收到了什么值; 绝不悄悄产生 nan.

Bad input gets a clear bilingual error, raised by the operation where the
mistake happens (not later in ``backward()``), naming the operation and the
offending value.  No nan or inf ever slips through silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import micrograd_cn as mg
from micrograd_cn import Value

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+")  # 至少三个英文单词 at least three English words


def assert_bilingual(error: BaseException, *names: str) -> None:
    """信息里既有中文又有英文, 并提到每个给出的名字 (运算与数值). Both languages, and every name."""
    text = str(error)
    assert CHINESE.search(text), f"no Chinese in: {text}"
    assert ENGLISH.search(text), f"no English in: {text}"
    for name in names:
        assert name in text, f"{name!r} not named in: {text}"


# (说明, 出错的表达式, 异常类型, 信息中必须出现的名字)
# (case, the failing expression, exception type, names the message must contain)
ERRORS: list[tuple[str, Callable[[], object], type[Exception], tuple[str, ...]]] = [
    ("Value('abc')", lambda: Value("abc"), TypeError, ("Value", "'abc'", "str")),
    ("Value(None)", lambda: Value(None), TypeError, ("Value", "None")),
    ("Value([1])", lambda: Value([1]), TypeError, ("Value", "[1]", "list")),
    ("Value(Value)", lambda: Value(Value(1.0)), TypeError, ("Value", "1.0")),
    ("Value(nan)", lambda: Value(math.nan), ValueError, ("Value", "nan")),
    ("Value(inf)", lambda: Value(math.inf), ValueError, ("Value", "inf")),
    ("Value(-inf)", lambda: Value(-math.inf), ValueError, ("Value", "-inf")),
    ("x + nan", lambda: Value(1.0) + math.nan, ValueError, ("+", "nan")),
    ("inf * x", lambda: math.inf * Value(1.0), ValueError, ("*", "inf")),
    ("x * '2'", lambda: Value(1.0) * "2", TypeError, ("*", "'2'")),
    ("log(0)", lambda: Value(0.0).log(), ValueError, ("log", "0.0")),
    ("log(-1)", lambda: Value(-1.0).log(), ValueError, ("log", "-1.0")),
    ("mg.log(-1)", lambda: mg.log(-1), ValueError, ("log", "-1.0")),
    ("sqrt(-2)", lambda: Value(-2.0).sqrt(), ValueError, ("sqrt", "-2.0")),
    ("(-8) ** 0.5", lambda: Value(-8.0) ** 0.5, ValueError, ("**", "-8.0", "0.5")),
    ("Value(-8) ** Value(0.5)", lambda: Value(-8.0) ** Value(0.5), ValueError, ("**", "-8.0", "0.5")),
    ("(-8) ** Value(0.5)", lambda: (-8) ** Value(0.5), ValueError, ("**", "-8.0", "0.5")),
    ("0 ** -1", lambda: Value(0.0) ** -1, ZeroDivisionError, ("**", "0", "-1")),
    ("0 ** Value(-2)", lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, ("**", "0", "-2.0")),
    ("0 ** Value(-1.5)", lambda: 0 ** Value(-1.5), ZeroDivisionError, ("**", "0", "-1.5")),
    ("x / 0", lambda: Value(1.0) / 0, ZeroDivisionError, ("/", "1.0", "0")),
    ("x / Value(0)", lambda: Value(2.0) / Value(0.0), ZeroDivisionError, ("/", "2.0", "0")),
    ("1 / Value(0)", lambda: 1 / Value(0.0), ZeroDivisionError, ("/", "1.0", "0")),
    ("exp(1000)", lambda: Value(1000.0).exp(), OverflowError, ("exp", "1000.0")),
    ("exp(710)", lambda: Value(710.0).exp(), OverflowError, ("exp", "710.0")),
    ("1e200 * 1e200", lambda: Value(1e200) * Value(1e200), OverflowError, ("*", "1e+200")),
    ("1e200 * const", lambda: Value(1e200) * 1e200, OverflowError, ("*", "1e+200")),
    ("1e308 + 1e308", lambda: Value(1e308) + Value(1e308), OverflowError, ("+", "1e+308")),
    ("10 ** 400", lambda: Value(10.0) ** 400, OverflowError, ("**", "10.0", "400")),
    ("2 ** Value(5000)", lambda: 2 ** Value(5000.0), OverflowError, ("**", "2.0", "5000.0")),
    ("mg.sum overflow", lambda: mg.sum([Value(1e308), Value(1e308)]), OverflowError, ("sum", "1e+308")),
    ("backward(nan)", lambda: Value(1.0).backward(math.nan), ValueError, ("backward", "nan")),
    ("mg.mean([])", lambda: mg.mean([]), ValueError, ("mean",)),
    ("mg.dot lengths", lambda: mg.dot([Value(1.0)], [1.0, 2.0]), ValueError, ("dot", "1", "2")),
    ("x < 'a'", lambda: Value(1.0) < "a", TypeError, ("<", "'a'")),
    ("leaky_relu('a')", lambda: Value(1.0).leaky_relu("a"), TypeError, ("leaky_relu", "'a'")),
    # 函数值存在, 但导数不存在或为无穷: 无法反向传播. A value exists but no finite derivative.
    ("sqrt(0)", lambda: Value(0.0).sqrt(), ValueError, ("sqrt", "0.0")),
    ("Value(0) ** 0.5", lambda: Value(0.0) ** 0.5, ValueError, ("**", "0.0", "0.5")),
    ("(-2) ** Value(3)", lambda: (-2.0) ** Value(3.0), ValueError, ("**", "-2.0", "3.0")),
    ("1 / Value(1e-200)", lambda: Value(1.0) / Value(1e-200), ValueError, ("/", "1e-200")),
    ("Value(0) / 5e-324", lambda: Value(0.0) / 5e-324, ValueError, ("/", "5e-324")),  # 1/5e-324 = inf
    # 结果溢出就是溢出, 不论运算. An overflowing result is an OverflowError, whatever the op.
    ("1e300 / Value(1e-300)", lambda: Value(1e300) / Value(1e-300), OverflowError, ("/", "1e+300", "1e-300")),
    ("1 / Value(1e-320)", lambda: 1 / Value(1e-320), OverflowError, ("/", "1e-320")),
]


@pytest.mark.parametrize(("case", "expression", "error", "names"), ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input_raises_a_bilingual_error_naming_op_and_value(
        case: str, expression: Callable[[], object], error: type[Exception], names: tuple[str, ...]) -> None:
    with pytest.raises(error) as caught:
        expression()
    assert_bilingual(caught.value, *names)


def test_zero_division_is_also_an_arithmetic_error() -> None:
    """与 Python 的 1/0 一样可以用 except ZeroDivisionError 或 ArithmeticError 捕获. Like Python's 1/0."""
    with pytest.raises(ArithmeticError):
        Value(1.0) / 0


def test_sqrt_and_power_at_zero_work_without_gradients() -> None:
    """√0 与 0 ** 0.5 本身有值; 只是不能反向传播, 在 no_grad 中可以求值. Values exist under no_grad."""
    with mg.no_grad():
        assert Value(0.0).sqrt().data == 0.0
        assert (Value(0.0) ** 0.5).data == 0.0
        assert ((-2.0) ** Value(3.0)).data == -8.0


# ---- 绝不悄悄产生 nan never a silent nan ------------------------------------------------

UNARY = ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "__neg__", "__abs__"]
BINARY: list[Callable[[Value, Value], Value]] = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a**b,
]
ARITHMETIC_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
any_float = st.floats(allow_nan=False, allow_infinity=False)


def _finite_or_error(make: Callable[[], Value], leaves: list[Value]) -> None:
    """要么抛出双语的算术错误, 要么函数值, 局部导数与反向传播的梯度全是有限数.

    Either a bilingual arithmetic error, or a finite value, finite local
    derivatives and finite gradients after ``backward()``.
    """
    try:
        out = make()
    except ARITHMETIC_ERRORS as error:
        assert_bilingual(error)
        return
    assert math.isfinite(out.data)
    assert all(math.isfinite(local) for local in out.local_grads)
    out.backward()
    assert all(math.isfinite(leaf.grad) for leaf in leaves)


@given(name=st.sampled_from(UNARY), x=any_float)
def test_unary_ops_never_return_nan_or_inf(name: str, x: float) -> None:
    v = Value(x)
    _finite_or_error(getattr(v, name), [v])


@given(op=st.sampled_from(BINARY), x=any_float, y=any_float, constant=st.sampled_from("xyn"))
def test_binary_ops_never_return_nan_or_inf(op: Callable, x: float, y: float, constant: str) -> None:
    a, b = Value(x), Value(y)
    left = x if constant == "x" else a
    right = y if constant == "y" else b
    _finite_or_error(lambda: op(left, right), [a, b])


def test_backward_does_not_hide_an_overflow_as_nan() -> None:
    """反向传播中梯度溢出时应报错, 而不是留下 inf 与 nan.

    An overflow *during backward* must raise, not leave inf and nan behind.
    Here every forward value and every local derivative is finite, but
    ``1e300 × 1e300`` overflows on the way back; the relu node then sends
    ``0 × inf = nan`` to p.
    """
    p = Value(-1.0, "p")
    q = p.relu()  # data 0, local 0
    t = (q + 1e-300).log() * 1e300  # d log / dx = 1e300 at 1e-300
    with pytest.raises(OverflowError) as caught:
        t.backward()
    assert_bilingual(caught.value)
    assert not math.isnan(p.grad)
