"""一元运算表: 每个运算给出函数值和局部导数 (在前向传播时就算好).

The table of one-input operations.  Each entry maps a float ``x`` to the pair
``(f(x), f'(x))``: the value and the local derivative that the node records in
the forward pass.  Inputs outside an operation's domain raise a bilingual
error here, where the user made the mistake.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

from .errors import fail

UnaryOp = Callable[[float], "tuple[float, float]"]

EXP_LIMIT = math.log(sys.float_info.max)
"""exp 的最大输入 ≈ 709.78; 再大就溢出. The largest input exp can take."""


def _exp(x: float) -> tuple[float, float]:
    """e^x, 局部导数 e^x."""
    if x > EXP_LIMIT:
        fail(OverflowError, f"exp 溢出: 输入 {x!r} 太大, 结果超出浮点数范围",
             f"exp overflows: input {x!r} is too large for a float")
    y = math.exp(x)
    return y, y


def _log(x: float) -> tuple[float, float]:
    """ln x, 局部导数 1/x; 要求 x > 0."""
    if x <= 0.0:
        fail(ValueError, f"log 的输入必须为正数, 收到 {x!r}", f"log needs a positive input, got {x!r}")
    return math.log(x), 1.0 / x


def _sqrt(x: float) -> tuple[float, float]:
    """√x, 局部导数 1/(2√x); 要求 x ≥ 0 (x = 0 处导数为无穷, 只能在 no_grad 下求值)."""
    if x < 0.0:
        fail(ValueError, f"sqrt 的输入不能为负数, 收到 {x!r}", f"sqrt needs a non-negative input, got {x!r}")
    y = math.sqrt(x)
    return y, (0.5 / y if y > 0.0 else math.inf)


def _tanh(x: float) -> tuple[float, float]:
    """tanh x, 局部导数 1 - tanh²x."""
    y = math.tanh(x)
    return y, 1.0 - y * y


def _sigmoid(x: float) -> tuple[float, float]:
    """σ(x) = 1/(1+e^{-x}), 局部导数 σ(x)(1-σ(x)); 两侧都不会溢出."""
    if x >= 0.0:
        y = 1.0 / (1.0 + math.exp(-x))
    else:
        z = math.exp(x)
        y = z / (1.0 + z)
    return y, y * (1.0 - y)


def _softplus(x: float) -> tuple[float, float]:
    """softplus(x) = ln(1+e^x), 局部导数 σ(x); 以 max(x,0) + ln(1+e^{-|x|}) 稳定计算."""
    y = max(x, 0.0) + math.log1p(math.exp(-abs(x)))
    return y, _sigmoid(x)[0]


def _relu(x: float) -> tuple[float, float]:
    """relu(x) = max(x, 0), 局部导数 x > 0 时为 1, 否则为 0 (与 PyTorch 相同)."""
    return (x, 1.0) if x > 0.0 else (0.0, 0.0)


def _abs(x: float) -> tuple[float, float]:
    """|x|, 局部导数 sign(x) (0 处取 0, 与 PyTorch 相同)."""
    return abs(x), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0)


def _sin(x: float) -> tuple[float, float]:
    """sin x, 局部导数 cos x."""
    return math.sin(x), math.cos(x)


def _cos(x: float) -> tuple[float, float]:
    """cos x, 局部导数 -sin x."""
    return math.cos(x), -math.sin(x)


def _neg(x: float) -> tuple[float, float]:
    """-x, 局部导数 -1."""
    return -x, -1.0


UNARY_OPS: dict[str, UnaryOp] = {
    "exp": _exp,
    "log": _log,
    "sqrt": _sqrt,
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "relu": _relu,
    "abs": _abs,
    "sin": _sin,
    "cos": _cos,
    "neg": _neg,
}
"""运算名 → (函数值, 局部导数). Operation name → (value, local derivative)."""


def leaky_relu_local(x: float, slope: float) -> tuple[float, float]:
    """leaky_relu(x) = x (x > 0) 或 slope·x, 局部导数 1 或 slope."""
    return (x, 1.0) if x > 0.0 else (slope * x, slope)


def power(base: float, exponent: float, op: str) -> tuple[float, float, float]:
    """base ** exponent 及其对底数与指数的局部导数, 先检查定义域.

    ``base ** exponent`` with both local derivatives ``(value, ∂/∂base,
    ∂/∂exponent)``.  The derivative toward the exponent, ``y·ln(base)``, is
    only real for a positive base; it is 0 for a zero base (as in PyTorch) and
    reported as nan for a negative one, which callers with a Value exponent
    refuse.
    """
    if base == 0.0 and exponent < 0.0:
        fail(ZeroDivisionError, f"{op}: 0 不能取负数次幂, 收到 0 ** {exponent!r}",
             f"{op}: zero cannot be raised to a negative power, got 0 ** {exponent!r}")
    if base < 0.0 and not float(exponent).is_integer():
        fail(ValueError, f"{op}: 负数的非整数次幂不是实数, 收到 {base!r} ** {exponent!r}",
             f"{op}: a negative base needs an integer exponent, got {base!r} ** {exponent!r}")
    try:
        y = base ** exponent
    except OverflowError:
        y = math.inf
    if y in (math.inf, -math.inf):
        fail(OverflowError, f"{op} 溢出: {base!r} ** {exponent!r} 超出浮点数范围",
             f"{op} overflows: {base!r} ** {exponent!r} is too large for a float")
    if exponent == 0.0:
        d_base = 0.0
    elif base == 0.0:
        d_base = math.inf if exponent < 1.0 else 1.0 if exponent == 1.0 else 0.0
    else:
        d_base = exponent * (y / base)  # = n·x^(n-1) without a second, possibly overflowing power
    if base > 0.0:
        d_exponent = y * math.log(base)
    elif base == 0.0:
        d_exponent = 0.0
    else:
        d_exponent = math.nan
    return y, d_base, d_exponent
