"""激活函数表: 名字 → 作用在一个 Value 上的函数 (直接复用引擎的运算).

The activation table: name → function of one Value.  Each entry reuses an
engine operation, so its local derivative is the one recorded by the engine.
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine import Value
from ..errors import fail

Activation = Callable[[Value], Value]

LEAKY_SLOPE = 0.01
"""leaky_relu 在负半轴的斜率 (与 PyTorch 默认值相同). Negative slope of leaky_relu, as in PyTorch."""


def linear(x: Value) -> Value:
    """线性 (恒等) 激活: f(z) = z, 不增加节点. Identity: adds no node to the graph."""
    return x


def leaky_relu(x: Value) -> Value:
    """Leaky ReLU: z (z > 0) 或 0.01·z. Leaky ReLU with slope 0.01."""
    return x.leaky_relu(LEAKY_SLOPE)


ACTIVATIONS: dict[str, Activation] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": linear,
    "leaky_relu": leaky_relu,
}
"""激活函数名 → 函数. Activation name → function."""


def get_activation(name: str) -> Activation:
    """按名字取激活函数; 未知名字给出双语错误并列出可选项.

    Look up an activation by name; an unknown name raises a bilingual error
    listing the valid ones.
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        valid = ", ".join(ACTIVATIONS)
        fail(ValueError, f"未知的激活函数 {name!r}; 可选: {valid}",
             f"unknown activation {name!r}; valid names: {valid}")
    return ACTIVATIONS[name]
