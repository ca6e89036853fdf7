"""神经元、全连接层与多层感知机 (MLP), 用法与 micrograd 相同.

Neurons, fully connected layers and multi-layer perceptrons, with
micrograd's interface: ``MLP(nin, nouts)`` has ReLU hidden layers and a
linear output, ``parameters()`` lists per layer, per neuron, the weights then
the bias, and a one-output model returns a Value instead of a list.

A neuron computes ``act(Σ w_i x_i + b)``: the weighted sum is **one** ``dot``
node (bias included), followed by one activation node (none for "linear").

Explicit weights use PyTorch's ``nn.Linear`` layout: for a layer, ``weights``
is an ``nout × nin`` nested list whose row ``j`` holds the weights *into*
neuron ``j``, and ``biases`` a list of ``nout`` numbers.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence
from typing import Any, Union

from ..engine import Value, checked_float, dot, no_grad
from ..errors import fail
from .activations import get_activation
from .init import init_weights, make_rng
from .module import Module
from .naming import check_naming, neuron_labels, parameter_labels

Input = Union[Value, float, int]
Matrix = list[list[float]]


class Neuron(Module):
    """一个神经元: act(w·x + b); 权重 .w (Value 列表), 偏置 .b, 激活函数名 .activation.

    One neuron ``act(w·x + b)``.  ``activation`` defaults to ReLU;
    micrograd's ``nonlin=True/False`` (also ``Neuron(nin, False)``) means
    ReLU/linear.  ``init`` names the weight scheme (see
    :mod:`micrograd_cn.nn.init`); ``fan_out`` is only used by the Xavier
    schemes.  Without ``seed``/``rng`` the weights come from the global
    ``random`` module, in micrograd's order.  The bias starts at 0.
    Parameters are labelled ``w0, w1, …, b`` (after ``label``, a prefix such
    as ``"L0.N1."``) so graphs read well.
    """

    def __init__(self, nin: int, activation: str | bool | None = None, *, nonlin: bool | None = None,
                 init: str = "uniform", rng: random.Random | None = None, seed: int | None = None,
                 fan_out: int = 1, label: str = "") -> None:
        _check_size(nin, "nin", "Neuron")
        activation = _activation_name(activation, nonlin)
        self._act = get_activation(activation)
        weights = init_weights(init, nin, fan_out, make_rng(seed, rng, "Neuron"))
        self.w = [Value(w, f"{label}w{i}") for i, w in enumerate(weights)]
        self.b = Value(0.0, f"{label}b")
        self.activation = activation
        self.nin = nin
        self.net_label, self.out_label = "net", "out"
        """前向传播时给加权和与输出的名字 (见 nn.naming). Labels given to the sum and output in forward."""

    def forward(self, x: Sequence[Input] | Input) -> Value:
        """act(Σ w_i x_i + b); x 是 nin 个 Value 或数 (nin = 1 时也可以是单个数). The neuron's output."""
        return self._output(_inputs(x, self.nin, "Neuron"))

    def _output(self, x: Sequence[Input]) -> Value:
        """对已检查过长度的输入求输出, 并按课本命名. The output for an input already checked, labelled."""
        net = dot(self.w, x, self.b)
        net.label = self.net_label
        out = self._act(net)
        if out is not net:
            out.label = self.out_label
        elif self.out_label:  # 线性神经元: 加权和就是输出. A linear neuron: the sum is the output.
            net.label = self.out_label
        return out

    @property
    def nonlin(self) -> bool:
        """micrograd 的 nonlin: 有非线性激活时为 True. micrograd's flag: True unless the neuron is linear."""
        return self.activation != "linear"

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """一层全连接神经元 (.neurons); 输出是 Value 列表, 只有一个神经元时是单个 Value.

    A fully connected layer of ``nout`` neurons, each seeing all ``nin``
    inputs.  Returns a list of Values, or a single Value when ``nout == 1``.
    Other keywords go to every :class:`Neuron`, as in micrograd
    (``Layer(2, 3, nonlin=False)``).
    """

    def __init__(self, nin: int, nout: int, activation: str | bool | None = None, *, init: str = "uniform",
                 rng: random.Random | None = None, seed: int | None = None, label: str = "",
                 **neuron_kwargs: Any) -> None:
        _check_size(nin, "nin", "Layer")
        _check_size(nout, "nout", "Layer")
        rng = make_rng(seed, rng, "Layer")
        self.neurons = [Neuron(nin, activation, init=init, rng=rng, fan_out=nout, label=f"{label}N{j}.",
                               **neuron_kwargs)
                        for j in range(nout)]
        self.set_naming("net/out", 0, 1)
        self.nin = nin
        self.nout = nout
        self.activation = self.neurons[0].activation

    def forward(self, x: Sequence[Input] | Input) -> Value | list[Value]:
        """每个神经元作用在同一输入上. Every neuron applied to the same input."""
        x = _inputs(x, self.nin, "Layer")
        out = [neuron._output(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out

    def set_naming(self, naming: str | None, layer: int = 0, layers: int = 1) -> None:
        """按约定给本层神经元命名 (见 :mod:`nn.naming`); layer/layers 是本层在网络中的位置.

        Name this layer's neurons by a convention of :mod:`micrograd_cn.nn.naming`;
        ``layer`` (from 0) of ``layers`` is the layer's place in its network.
        """
        check_naming(naming, "Layer.set_naming")
        for j, neuron in enumerate(self.neurons):
            neuron.net_label, neuron.out_label = neuron_labels(naming, layer, layers, j)

    def get_weights(self) -> tuple[Matrix, list[float]]:
        """(权重矩阵 nout×nin, 偏置列表); 第 j 行是进入神经元 j 的权重. The layer's (weights, biases)."""
        return ([[w.data for w in neuron.w] for neuron in self.neurons],
                [neuron.b.data for neuron in self.neurons])

    def set_weights(self, weights: Sequence[Sequence[float]], biases: Sequence[float] | float) -> None:
        """设置权重 (nout×nin, 第 j 行进入神经元 j) 与偏置 (nout 个); 形状不符时报错.

        Set the weights (``nout × nin``, row ``j`` into neuron ``j``) and the
        biases (``nout`` numbers).  A one-neuron layer also takes a flat
        weight list and a single bias.  Nothing changes if a shape is wrong.
        """
        self._assign(*self._checked(weights, biases, "Layer.set_weights"))

    def _checked(self, weights: object, biases: object, where: str) -> tuple[Matrix, list[float]]:
        """检查形状并转成 float. Check the shapes and convert to floats."""
        if self.nout == 1 and isinstance(weights, Sequence) and weights \
                and all(isinstance(w, numbers.Real) for w in weights):
            weights = [weights]
        if self.nout == 1 and isinstance(biases, numbers.Real):
            biases = [biases]
        rows = _matrix(weights, where)
        if len(rows) != self.nout or any(len(row) != self.nin for row in rows):
            shape = f"{len(rows)} 行, 每行长度 row lengths {[len(row) for row in rows]}"
            fail(ValueError, f"{where}: 权重应为 {self.nout}×{self.nin} (nout×nin, 第 j 行进入神经元 j), 收到 {shape}",
                 f"{where}: weights must be {self.nout}×{self.nin} (nout×nin, row j feeds neuron j), got {shape}")
        if not isinstance(biases, Sequence) or isinstance(biases, str) or len(biases) != self.nout:
            size = len(biases) if isinstance(biases, Sequence) else type(biases).__name__
            fail(ValueError, f"{where}: 偏置应为 {self.nout} 个数, 收到 {size}",
                 f"{where}: biases must be {self.nout} numbers, got {size}")
        return ([[checked_float(w, where) for w in row] for row in rows],
                [checked_float(b, where) for b in biases])

    def _assign(self, weights: Matrix, biases: list[float]) -> None:
        """写入已检查过的权重与偏置. Write checked weights and biases."""
        for neuron, row, bias in zip(self.neurons, weights, biases):
            for w, value in zip(neuron.w, row):
                w.data = value
            neuron.b.data = bias

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """多层感知机: 隐藏层用 activation, 最后一层用 output_activation (默认同 micrograd: relu + 线性输出).

    A multi-layer perceptron ``nin → nouts[0] → … → nouts[-1]``.  Hidden
    layers use ``activation``, the last layer ``output_activation``.  ``seed``
    (or ``rng``) makes the initial weights reproducible; with the default
    ``init="uniform"``, ``MLP(nin, nouts, seed=s)`` draws the same weights as
    micrograd's ``MLP(nin, nouts)`` after ``random.seed(s)``.  Parameters are
    named by ``naming`` (see :mod:`micrograd_cn.nn.naming`): ``w1, w2, …`` and
    ``b_h1, …, b_o1`` by default, as seed 000 numbers its weights.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 output_activation: str = "linear", *, init: str = "uniform", seed: int | None = None,
                 rng: random.Random | None = None, naming: str | None = "net/out") -> None:
        _check_size(nin, "nin", "MLP")
        if isinstance(nouts, (int, str)) or not isinstance(nouts, Sequence) or not nouts:
            fail(TypeError, f"MLP: nouts 应为各层大小的非空列表, 如 [16, 16, 1], 收到 {nouts!r}",
                 f"MLP: nouts must be a non-empty list of layer sizes such as [16, 16, 1], got {nouts!r}")
        get_activation(activation)
        get_activation(output_activation)
        rng = make_rng(seed, rng, "MLP")
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation,
                             init=init, rng=rng, label=f"L{i}.")
                       for i in range(len(nouts))]
        self.set_naming(naming)
        self.nin = nin
        self.nouts = list(nouts)
        self.activation = activation
        self.output_activation = output_activation

    @classmethod
    def from_weights(cls, weights: Sequence[Sequence[Sequence[float]]], biases: Sequence[Sequence[float]],
                     activation: str = "relu", output_activation: str = "linear") -> MLP:
        """由给定的权重建网络: weights[l] 是 nout×nin 矩阵, biases[l] 是 nout 个偏置.

        Build a network with explicit weights (textbook examples):
        ``weights[l]`` is layer ``l``'s ``nout × nin`` matrix (PyTorch
        ``nn.Linear`` layout), ``biases[l]`` its ``nout`` biases.  The sizes
        are read from the matrices.
        """
        if not isinstance(weights, Sequence) or not weights:
            fail(ValueError, f"MLP.from_weights: weights 应为非空的矩阵列表, 收到 {weights!r}",
                 f"MLP.from_weights: weights must be a non-empty list of matrices, got {weights!r}")
        matrices = [_matrix(w, f"MLP.from_weights (第 {l} 层 layer {l})") for l, w in enumerate(weights)]
        model = cls(len(matrices[0][0]), [len(m) for m in matrices], activation, output_activation, seed=0)
        model.set_weights(matrices, biases)
        return model

    def set_naming(self, naming: str | None) -> None:
        """按约定命名参数 (w1…, b_h1 或 w⁽¹⁾₁₂, b⁽¹⁾₁) 与各神经元的加权和与输出 (net_h1/out_o1 或 z⁽¹⁾₁/a⁽²⁾₁).

        Name the parameters and, in the forward pass, every neuron's weighted
        sum and output by a convention of :mod:`micrograd_cn.nn.naming`:
        ``"net/out"`` (default), ``"z/a"`` or None (structural parameter
        labels ``L0.N1.w0``, no node labels).
        """
        check_naming(naming, "MLP.set_naming")
        sizes = [self.layers[0].nin, *(layer.nout for layer in self.layers)]
        for l, (layer, names) in enumerate(zip(self.layers, parameter_labels(naming, sizes))):
            layer.set_naming(naming, l, len(self.layers))
            for neuron, (weights, bias) in zip(layer.neurons, names):
                for w, label in zip(neuron.w, weights):
                    w.label = label
                neuron.b.label = bias

    def forward(self, x: Sequence[Input] | Input) -> Value | list[Value]:
        """逐层前向传播. The layers applied in turn."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def predict(self, x: Sequence[Input] | Input) -> float | list[float]:
        """推理: 在 no_grad 下前向传播, 返回普通 float (或 float 列表). Inference without a graph."""
        with no_grad():
            out = self(x)
        return out.data if isinstance(out, Value) else [v.data for v in out]

    def get_weights(self) -> tuple[list[Matrix], list[list[float]]]:
        """(每层的权重矩阵, 每层的偏置), 布局同 from_weights. Every layer's (weights, biases)."""
        pairs = [layer.get_weights() for layer in self.layers]
        return [w for w, _ in pairs], [b for _, b in pairs]

    def set_weights(self, weights: Sequence[Sequence[Sequence[float]]], biases: Sequence[Sequence[float]]) -> None:
        """设置所有层的权重与偏置 (布局同 from_weights); 任一形状不符则什么都不改.

        Set every layer's weights and biases (layout as in :meth:`from_weights`);
        if any shape is wrong nothing changes.
        """
        n = len(self.layers)
        for name, given in (("weights", weights), ("biases", biases)):
            if not isinstance(given, Sequence) or len(given) != n:
                size = len(given) if isinstance(given, Sequence) else type(given).__name__
                fail(ValueError, f"MLP.set_weights: {name} 应有 {n} 层, 收到 {size}",
                     f"MLP.set_weights: {name} must have {n} layers, got {size}")
        checked = [layer._checked(w, b, f"MLP.set_weights (第 {l} 层 layer {l})")
                   for l, (layer, w, b) in enumerate(zip(self.layers, weights, biases))]
        for layer, (w, b) in zip(self.layers, checked):
            layer._assign(w, b)

    def __repr__(self) -> str:
        sizes = " → ".join(str(n) for n in [self.nin, *self.nouts])
        return (f"MLP({sizes}, activation={self.activation!r}, output_activation={self.output_activation!r}, "
                f"参数 parameters={len(self.parameters())})")


def _activation_name(activation: str | bool | None, nonlin: bool | None) -> str:
    """激活函数名: 给出的名字, 或 micrograd 的 nonlin (True → relu, False → linear); 默认 relu.

    The activation's name: the one given, or micrograd's ``nonlin`` flag
    (True → "relu", False → "linear"; a bool in the activation's place is
    read as nonlin, as in micrograd's ``Neuron(nin, False)``); "relu" by default.
    """
    if isinstance(activation, bool):
        activation, nonlin = None, activation if nonlin is None else nonlin
    if nonlin is None:
        return "relu" if activation is None else activation
    implied = "relu" if nonlin else "linear"
    if activation is not None and activation != implied:
        fail(ValueError, f"Neuron: activation={activation!r} 与 nonlin={nonlin!r} 矛盾 (后者即 {implied!r})",
             f"Neuron: activation={activation!r} contradicts nonlin={nonlin!r} (which means {implied!r})")
    return implied


def _check_size(n: object, name: str, where: str) -> None:
    """层的大小必须是正整数. A layer size must be a positive int."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        fail(ValueError, f"{where}: {name} 必须是正整数, 收到 {n!r}",
             f"{where}: {name} must be a positive int, got {n!r}")


def _inputs(x: object, nin: int, where: str) -> Sequence[Input]:
    """把输入整理成长度为 nin 的序列 (单个数或 Value 视为长度 1). The input as a sequence of length nin."""
    if isinstance(x, (Value, numbers.Real)):
        x = (x,)
    elif not isinstance(x, (list, tuple)):
        x = list(x)  # type: ignore[call-overload]
    if len(x) != nin:
        fail(ValueError, f"{where}: 需要 {nin} 个输入, 收到 {len(x)} 个", f"{where} expects {nin} inputs, got {len(x)}")
    return x


def _matrix(rows: object, where: str) -> list[Sequence[float]]:
    """检查是一个非空的 "列表的列表". Check for a non-empty list of non-empty lists."""
    if not isinstance(rows, Sequence) or isinstance(rows, str) or not rows \
            or not all(isinstance(row, Sequence) and not isinstance(row, str) and row for row in rows):
        fail(ValueError, f"{where}: 权重应为非空的嵌套列表 (nout×nin), 收到 {rows!r}",
             f"{where}: weights must be a non-empty nested list (nout×nin), got {rows!r}")
    return list(rows)
