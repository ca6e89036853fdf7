"""只用浮点数的前向传播: 不建计算图, 一次求出许多输入上每个神经元的输出.

The forward pass of an :class:`~micrograd_cn.nn.layers.MLP` on plain floats.

Training needs Values (the graph is what ``backward()`` walks), but drawing
what each neuron computes over the whole plane, as TensorFlow Playground
does, only needs numbers: hundreds of grid points through every neuron, ten
times a second.  Building a Value per neuron and point for that costs more
than the training itself, so :func:`neuron_outputs` reads the parameters'
``data`` once and runs the engine's own sum ``b + w₀x₀ + w₁x₁ + …`` (as
:func:`micrograd_cn.engine.dot` adds, so the numbers are the same to the
last bit) and the engine's activation functions
(:data:`micrograd_cn.ops.UNARY_OPS`).  Nothing is recorded: it is what the
model gives under ``no_grad``, without the Value objects.

Where Python has :func:`math.sumprod` (3.12 and later, e.g. Pyodide in the
browser), the weighted sum is that one C call, 2–3 times faster for a
16-wide layer; it rounds once per sum instead of once per term, so its
numbers may differ from the engine's in the last bits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import mul

from ..ops import UNARY_OPS, leaky_relu_local
from .activations import LEAKY_SLOPE
from .layers import MLP

Column = list[float]

_sumprod = getattr(math, "sumprod", None)
"""math.sumprod (Python ≥ 3.12), 没有时为 None. ``math.sumprod`` where Python has it."""


def float_activation(name: str) -> Callable[[float], tuple[float, float]] | None:
    """激活函数名 → 引擎运算表里的函数 (给出函数值与局部导数); 线性为 None.

    The engine's activation ``name`` on one float, as its entry in the ops
    table: ``x ↦ (value, local derivative)``; None for the identity.
    """
    if name == "linear":
        return None
    if name == "leaky_relu":
        return lambda x: leaky_relu_local(x, LEAKY_SLOPE)
    return UNARY_OPS[name]


def neuron_outputs(model: MLP, points: Sequence[Sequence[float]]) -> list[list[Column]]:
    """每层每个神经元在每个点上的输出: 结果[层][神经元][点] (第 0 层是输入本身).

    Every neuron's output at every point: ``result[l][j][k]`` is neuron ``j``
    of layer ``l`` at ``points[k]``; layer 0 holds the inputs themselves and
    the last layer the network's outputs.
    """
    rows: list[list[float]] = [[float(v) for v in p] for p in points]
    layers = [[list(column) for column in zip(*rows)] if rows else [[] for _ in range(model.nin)]]
    for layer in model.layers:
        weights = [([w.data for w in neuron.w], neuron.b.data) for neuron in layer.neurons]
        if _sumprod is None:
            rows = [[sum(map(mul, w, x), b) for w, b in weights] for x in rows]
        else:
            rows = [[b + _sumprod(w, x) for w, b in weights] for x in rows]
        act = float_activation(layer.neurons[0].activation)
        if act is not None:
            rows = [[act(v)[0] for v in row] for row in rows]
        layers.append([list(column) for column in zip(*rows)] if rows else [[] for _ in weights])
    return layers
