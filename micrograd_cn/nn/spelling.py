"""micrograd 的打印写法: 把 Value 和网络按 micrograd 0.1.0 的样子写出来, 方便与保存下来的讲座笔记本对照.

micrograd's printed spelling: a Value or a network written the way
micrograd 0.1.0 prints it, for comparing with a saved lecture notebook.
micrograd_cn's own ``repr`` says more (activations, parameter count, the
float ``grad=0.0``); :func:`micrograd_repr` gives the old text on request.
"""

from __future__ import annotations

from ..engine import Value
from .layers import MLP, Layer, Neuron

__all__ = ["micrograd_repr"]


def _number(x: float) -> str:
    """micrograd 的梯度从整数 0 开始: 零写成 0, 其余照 Python 的 float 写法. A zero gradient prints as 0."""
    return "0" if x == 0 else repr(x)


def _neuron(neuron: Neuron) -> str:
    kind = {"relu": "ReLU", "linear": "Linear"}.get(neuron.activation, neuron.activation.capitalize())
    return f"{kind}Neuron({neuron.nin})"


def _layer(layer: Layer) -> str:
    return f"Layer of [{', '.join(_neuron(n) for n in layer.neurons)}]"


def micrograd_repr(obj: Value | Neuron | Layer | MLP) -> str:
    """按 micrograd 0.1.0 的写法打印: ``Value(data=2.0, grad=0)``, ``MLP of [Layer of [ReLUNeuron(2), …]]``.

    The text micrograd 0.1.0 prints for the same object: a Value as
    ``Value(data=2.0, grad=0)`` (a zero gradient as micrograd's integer 0;
    micrograd itself prints ``0.0`` for a gradient that a backward pass
    left at zero, and ``1`` for the output it started from, which a Value
    here cannot tell apart from others),
    a neuron as ``ReLUNeuron(2)`` / ``LinearNeuron(16)`` (other activations
    by their name, ``TanhNeuron(2)``), a layer as ``Layer of [...]`` and a
    network as ``MLP of [...]``.
    """
    if isinstance(obj, Value):
        return f"Value(data={obj.data!r}, grad={_number(obj.grad)})"
    if isinstance(obj, Neuron):
        return _neuron(obj)
    if isinstance(obj, Layer):
        return _layer(obj)
    if isinstance(obj, MLP):
        return f"MLP of [{', '.join(_layer(layer) for layer in obj.layers)}]"
    from ..errors import fail

    fail(TypeError, f"micrograd_repr: 只能写 Value、Neuron、Layer 或 MLP, 收到 {type(obj).__name__}",
         f"micrograd_repr: takes a Value, Neuron, Layer or MLP, got {type(obj).__name__}")
