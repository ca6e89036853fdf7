"""矩阵形式的反向传播: 从标量计算图里读出每层的误差项 δ^(l) = ∂L/∂z^(l).

Backpropagation in matrix form, read off the scalar graph.

For a layered network ``z^(l) = W^(l) a^(l-1) + b^(l)``, ``a^(l) = f_l(z^(l))``
the textbook recursion is::

    δ^(L) = f_L'(z^(L)) ⊙ ∂L/∂a^(L)
    δ^(l) = f_l'(z^(l)) ⊙ (W^(l+1))ᵀ δ^(l+1)
    ∂L/∂W^(l) = δ^(l) (a^(l-1))ᵀ,    ∂L/∂b^(l) = δ^(l)

The scalar engine never forms these matrices.  Every neuron's weighted sum
``z_j^(l)`` is one ``dot`` node, so after ``backward()`` its ``grad`` *is*
``δ_j^(l)``: :func:`layer_deltas` runs the network layer by layer, keeps those
nodes, and reports ``δ^(l)`` next to the weight gradients the engine piled up.
A test checks them against the matrix recursion computed with NumPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Value
from ..errors import fail
from ..nn.module import Module
from ..nn.train import LossSpec, as_outputs, resolve_loss


@dataclass(frozen=True)
class LayerRun:
    """一层的前向记录: 每个神经元的加权和节点 z 与输出节点 a. One layer's forward record."""

    layer: Any
    z: list[Value]
    a: list[Value]


@dataclass(frozen=True)
class LayerDeltas:
    """第 l 层 (从 1 数起) 的 z, a, 误差项 δ 与权重梯度 (nout×nin, 同 nn.Linear).

    Layer ``l`` (counted from 1, as in the formulas): its pre-activations
    ``z``, activations ``a``, error term ``delta = ∂L/∂z``, the input it saw
    ``a_prev`` (``a^(l-1)``; the sample ``x`` for ``l = 1``), and the gradients
    ``weight_grad[j][i] = ∂L/∂w_ji`` (``nout × nin``) and ``bias_grad``.
    """

    layer: int
    z: list[float]
    a: list[float]
    a_prev: list[float]
    delta: list[float]
    weight_grad: list[list[float]]
    bias_grad: list[float]


def is_network(model: Any) -> bool:
    """是否是分层的网络: 有 .layers (如 MLP) 或本身是一层 (有 .neurons). Whether model is a layered network."""
    return hasattr(model, "layers") or hasattr(model, "neurons")


def network_layers(model: Any) -> list[Any]:
    """网络的层列表: MLP 的 .layers, 或单独一层 (有 .neurons). The layers of an MLP, or a single layer."""
    if is_network(model):
        return list(model.layers) if hasattr(model, "layers") else [model]
    fail(TypeError, f"需要有 .layers 的网络 (如 MLP) 或有 .neurons 的层, 收到 {type(model).__name__}",
         f"need a network with .layers (such as MLP) or a layer with .neurons, got {type(model).__name__}")


def pre_activation(out: Value) -> Value:
    """神经元输出节点对应的加权和节点 z (线性激活时就是它自己). The weighted-sum node behind a neuron's output."""
    z = out if out.op == "dot" else (out.parents[0] if len(out.parents) == 1 else None)
    if z is None or z.op != "dot":
        fail(TypeError, f"找不到神经元的加权和 (dot) 节点; 输出节点的运算是 {out.op!r}",
             f"cannot find the neuron's weighted-sum (dot) node; its output node is {out.op!r}")
    return z


def run_layers(model: Any, x: Sequence[float] | float) -> list[LayerRun]:
    """逐层前向传播, 记下每层的 z 与 a 节点. Run the network layer by layer, keeping z and a nodes."""
    runs = []
    signal: Any = x
    for layer in network_layers(model):
        out = layer(signal)
        outputs = as_outputs(out)
        runs.append(LayerRun(layer, [pre_activation(a) for a in outputs], outputs))
        signal = out
    return runs


def run_with_loss(model: Any, x: Sequence[float] | float, y: Any,
                  loss: LossSpec = "mse") -> tuple[list[LayerRun], Value]:
    """逐层前向传播 (同 run_layers) 并求这个样本的损失. The layer-by-layer run and the sample's loss.

    ``loss`` is a loss name (as in :func:`train.fit`) or a function
    ``loss(prediction, target) -> Value``; it is resolved before the run.
    """
    sample_loss = resolve_loss(loss)
    runs = run_layers(model, x)
    last = runs[-1].a
    return runs, sample_loss(last[0] if len(last) == 1 else last, y)


def layer_deltas(model: Module, x: Sequence[float] | float, y: Sequence[float] | float,
                 loss: LossSpec = "mse") -> list[LayerDeltas]:
    """对一个样本 (x, y) 求每层的 δ^(l) = ∂L/∂z^(l) 与 ∂L/∂W^(l), 全部取自标量计算图.

    For one sample, every layer's error term ``δ^(l) = ∂L/∂z^(l)`` and the
    weight and bias gradients, all read from the scalar graph after one
    ``backward()``.  ``loss`` is a loss name (as in :func:`train.fit`) or a
    function ``loss(prediction, target) -> Value``.  Like a training step, it
    zeroes the parameters' gradients first and leaves this sample's gradients
    in ``.grad``.
    """
    runs, total = run_with_loss(model, x, y, loss)
    for run in runs:
        run.layer.zero_grad()
    total.backward()
    inputs = [float(v) for v in (x if isinstance(x, Sequence) else [x])]
    result = []
    for l, run in enumerate(runs, start=1):
        a_prev = inputs if l == 1 else [v.data for v in runs[l - 2].a]
        result.append(LayerDeltas(
            layer=l,
            z=[z.data for z in run.z],
            a=[a.data for a in run.a],
            a_prev=a_prev,
            delta=[z.grad for z in run.z],
            weight_grad=[[w.grad for w in neuron.w] for neuron in run.layer.neurons],
            bias_grad=[neuron.b.grad for neuron in run.layer.neurons],
        ))
    return result
