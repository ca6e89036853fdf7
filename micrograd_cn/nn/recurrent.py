"""循环神经网络: RNNCell, GRUCell, LSTMCell 与按时间展开的 RNN (门的顺序与公式同 PyTorch).

Recurrent networks on scalar Values.

A cell maps one input vector ``x`` and the previous hidden state ``h`` to
the new hidden state.  ``RNN`` applies a cell along a sequence, so the graph
it builds is the network *unrolled in time*; calling ``backward()`` on a loss
of that graph is back-propagation through time (BPTT, 随时间反向传播).

Parameters use PyTorch's layout so that weights map one to one onto
``torch.nn.RNN`` / ``GRU`` / ``LSTM``: ``weight_ih`` is a ``(gates·nh) × nin``
nested list of Values, ``weight_hh`` ``(gates·nh) × nh``, and ``bias_ih``,
``bias_hh`` lists of ``gates·nh`` Values, with the gate blocks stacked in
PyTorch's order (GRU: r, z, n; LSTM: i, f, g, o).  Every gate
pre-activation ``W_i·x + b_i + W_h·h + b_h`` is **one** ``dot`` node whose
parents are the weights, the inputs, the previous state and both biases.

Nodes are labelled by time step so that a drawn graph reads like the
textbook picture: ``h1, h2, h3`` (``h2[0]``, ``h2[1]`` when ``nh > 1``), the
gates ``r2, z2, n2`` or ``i2, f2, g2, o2`` and the LSTM cell state ``c2``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Union

from ..engine import Value, dot
from ..errors import fail
from .activations import get_activation
from .init import make_rng
from .layers import _check_size, _inputs
from .module import Module

Input = Union[Value, float, int]
Vector = list[Value]
State = Union[Vector, tuple[Vector, Vector]]

CELL_GATES = {"rnn": 1, "gru": 3, "lstm": 4}
"""每种单元的门数 (权重矩阵的行数 = 门数 × nh). Gates per cell type (rows = gates × nh)."""


class RecurrentCell(Module):
    """循环单元的公共部分: PyTorch 布局的参数、均匀初始化与门的预激活.

    Shared machinery of the recurrent cells: parameters in PyTorch's layout
    (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``), PyTorch's
    initialisation U(-1/√nh, 1/√nh), and the gate pre-activation as one node.
    """

    gates = 1
    gate_names = ("h",)

    def __init__(self, nin: int, nh: int, *, seed: int | None = None, rng: random.Random | None = None,
                 label: str = "") -> None:
        where = type(self).__name__
        _check_size(nin, "nin", where)
        _check_size(nh, "nh", where)
        rng = make_rng(seed, rng, where)
        bound = 1.0 / math.sqrt(nh)
        rows = self.gates * nh

        def matrix(name: str, ncols: int) -> list[Vector]:
            return [[Value(rng.uniform(-bound, bound), f"{label}{name}[{j},{k}]") for k in range(ncols)]
                    for j in range(rows)]

        def vector(name: str) -> Vector:
            return [Value(rng.uniform(-bound, bound), f"{label}{name}[{j}]") for j in range(rows)]

        self.weight_ih = matrix("W_ih", nin)
        self.weight_hh = matrix("W_hh", nh)
        self.bias_ih = vector("b_ih")
        self.bias_hh = vector("b_hh")
        self.nin = nin
        self.nh = nh

    def initial_state(self) -> State:
        """全零初始状态 (普通数 0.0, 不是图中的节点). The zero initial state (plain zeros)."""
        return [0.0] * self.nh

    def pre_activation(self, row: int, x: Sequence[Input], h: Sequence[Input]) -> Value:
        """第 row 行的预激活 W_ih[row]·x + b_ih[row] + W_hh[row]·h + b_hh[row], 一个 dot 节点.

        The pre-activation of one row as one ``dot`` node with both biases
        among its parents (``b_hh`` enters as a weight on the constant 1).
        """
        return dot([*self.weight_ih[row], *self.weight_hh[row], self.bias_hh[row]], [*x, *h, 1.0],
                   self.bias_ih[row])

    def input_part(self, row: int, x: Sequence[Input]) -> Value:
        """只含输入的部分 W_ih[row]·x + b_ih[row]. The input half of a row."""
        return dot(self.weight_ih[row], x, self.bias_ih[row])

    def hidden_part(self, row: int, h: Sequence[Input]) -> Value:
        """只含隐状态的部分 W_hh[row]·h + b_hh[row]. The hidden half of a row."""
        return dot(self.weight_hh[row], h, self.bias_hh[row])

    def _vector(self, h: object, what: str) -> Sequence[Input]:
        """检查状态向量的长度为 nh. Check that a state vector has nh entries."""
        return _inputs(h, self.nh, f"{type(self).__name__} ({what})")

    def _labels(self, name: str, step: str | int | None) -> list[str]:
        """时间步 step 的一组节点名, 如 h2 或 h2[0], h2[1]. Labels of one vector at a time step."""
        if step is None:
            return [""] * self.nh
        if self.nh == 1:
            return [f"{name}{step}"]
        return [f"{name}{step}[{j}]" for j in range(self.nh)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.nin}, {self.nh})"


def _labelled(values: list[Value], labels: list[str]) -> list[Value]:
    """给一组节点起名 (空名不改). Name a vector of nodes."""
    for value, label in zip(values, labels):
        if label:
            value.label = label
    return values


class RNNCell(RecurrentCell):
    """简单循环单元 (Elman RNN): h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh).

    The plain (Elman) recurrent cell, as ``torch.nn.RNNCell``::

        h' = act(W_ih x + b_ih + W_hh h + b_hh),   act = tanh (default) or relu

    ``weight_ih`` is ``nh × nin``, ``weight_hh`` ``nh × nh``.  ``cell(x, h)``
    returns the new hidden state (a list of ``nh`` Values); ``h`` defaults to
    zeros.  ``step`` (optional) labels the pre-activation ``a{step}`` and the
    new state ``h{step}``.
    """

    def __init__(self, nin: int, nh: int, activation: str = "tanh", *, seed: int | None = None,
                 rng: random.Random | None = None, label: str = "") -> None:
        if activation not in ("tanh", "relu"):
            fail(ValueError, f"RNNCell: activation 只能是 'tanh' 或 'relu', 收到 {activation!r}",
                 f"RNNCell: activation must be 'tanh' or 'relu', got {activation!r}")
        super().__init__(nin, nh, seed=seed, rng=rng, label=label)
        self._act = get_activation(activation)
        self.activation = activation

    def forward(self, x: Sequence[Input] | Input, h: Sequence[Input] | None = None,
                step: str | int | None = None) -> Vector:
        """一个时间步: 返回新的隐状态 h'. One time step: the new hidden state."""
        x = _inputs(x, self.nin, "RNNCell")
        h = self.initial_state() if h is None else self._vector(h, "h")
        net = _labelled([self.pre_activation(j, x, h) for j in range(self.nh)], self._labels("a", step))
        return _labelled([self._act(a) for a in net], self._labels("h", step))

    def __repr__(self) -> str:
        return f"RNNCell({self.nin}, {self.nh}, activation={self.activation!r})"


class GRUCell(RecurrentCell):
    """门控循环单元 GRU, 门的顺序 r (重置), z (更新), n (候选), 同 torch.nn.GRUCell.

    The gated recurrent unit, as ``torch.nn.GRUCell`` (gate rows stacked
    r, z, n)::

        r  = σ(W_ir x + b_ir + W_hr h + b_hr)          重置门 reset gate
        z  = σ(W_iz x + b_iz + W_hz h + b_hz)          更新门 update gate
        n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))  候选状态 candidate
        h' = (1 − z) ⊙ n + z ⊙ h

    Note that ``r`` multiplies ``W_hn h + b_hn`` *including its bias*, so the
    n row is built from two ``dot`` nodes (input half and hidden half).
    ``cell(x, h)`` returns the new hidden state.
    """

    gates = 3
    gate_names = ("r", "z", "n")

    def forward(self, x: Sequence[Input] | Input, h: Sequence[Input] | None = None,
                step: str | int | None = None) -> Vector:
        """一个时间步: 返回新的隐状态 h'. One time step: the new hidden state."""
        x = _inputs(x, self.nin, "GRUCell")
        h = self.initial_state() if h is None else self._vector(h, "h")
        nh = self.nh
        r = _labelled([self.pre_activation(j, x, h).sigmoid() for j in range(nh)], self._labels("r", step))
        z = _labelled([self.pre_activation(nh + j, x, h).sigmoid() for j in range(nh)], self._labels("z", step))
        n = _labelled([(self.input_part(2 * nh + j, x) + r[j] * self.hidden_part(2 * nh + j, h)).tanh()
                       for j in range(nh)], self._labels("n", step))
        new_h = [(1.0 - z[j]) * n[j] + z[j] * h[j] for j in range(nh)]
        return _labelled(new_h, self._labels("h", step))


class LSTMCell(RecurrentCell):
    """长短时记忆单元 LSTM, 门的顺序 i, f, g, o, 同 torch.nn.LSTMCell; 遗忘门偏置默认为 1.

    The long short-term memory cell, as ``torch.nn.LSTMCell`` (gate rows
    stacked i, f, g, o)::

        i  = σ(W_ii x + b_ii + W_hi h + b_hi)      输入门 input gate
        f  = σ(W_if x + b_if + W_hf h + b_hf)      遗忘门 forget gate
        g  = tanh(W_ig x + b_ig + W_hg h + b_hg)   候选记忆 cell candidate
        o  = σ(W_io x + b_io + W_ho h + b_ho)      输出门 output gate
        c' = f ⊙ c + i ⊙ g                          内部状态 (长时记忆) cell state
        h' = o ⊙ tanh(c')                           外部状态 (隐状态) hidden state

    ``forget_bias``: the forget gate's effective bias ``b_if + b_hf`` starts
    at this value (default 1.0; 2.0 is also common) so that ``f ≈ σ(1) ≈ 0.73``
    at first and the cell state — and its gradient — survives many steps.
    In PyTorch's two-bias layout this is ``b_if = forget_bias`` and
    ``b_hf = 0``.  ``forget_bias=None`` keeps PyTorch's plain uniform
    initialisation for those biases too.

    ``cell(x, (h, c))`` returns ``(h', c')``; the state defaults to zeros.
    """

    gates = 4
    gate_names = ("i", "f", "g", "o")

    def __init__(self, nin: int, nh: int, forget_bias: float | None = 1.0, *, seed: int | None = None,
                 rng: random.Random | None = None, label: str = "") -> None:
        super().__init__(nin, nh, seed=seed, rng=rng, label=label)
        if forget_bias is not None:
            if not isinstance(forget_bias, (int, float)) or isinstance(forget_bias, bool) \
                    or forget_bias - forget_bias != 0:
                fail(ValueError, f"LSTMCell: forget_bias 必须是有限数或 None, 收到 {forget_bias!r}",
                     f"LSTMCell: forget_bias must be a finite number or None, got {forget_bias!r}")
            for j in range(nh, 2 * nh):
                self.bias_ih[j].data = float(forget_bias)
                self.bias_hh[j].data = 0.0
        self.forget_bias = forget_bias

    def initial_state(self) -> tuple[list[float], list[float]]:
        """全零的 (h, c). The zero state (h, c)."""
        return [0.0] * self.nh, [0.0] * self.nh

    def forward(self, x: Sequence[Input] | Input, state: tuple[Sequence[Input], Sequence[Input]] | None = None,
                step: str | int | None = None) -> tuple[Vector, Vector]:
        """一个时间步: 返回 (h', c'). One time step: the new (hidden state, cell state)."""
        x = _inputs(x, self.nin, "LSTMCell")
        if state is None:
            h, c = self.initial_state()
        else:
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                fail(TypeError, f"LSTMCell: 状态应为 (h, c) 两个向量, 收到 {state!r}",
                     f"LSTMCell: the state must be a pair (h, c), got {state!r}")
            h, c = self._vector(state[0], "h"), self._vector(state[1], "c")
        nh = self.nh
        gates = []
        for k, (name, act) in enumerate(zip(self.gate_names, (Value.sigmoid, Value.sigmoid, Value.tanh,
                                                              Value.sigmoid))):
            gates.append(_labelled([act(self.pre_activation(k * nh + j, x, h)) for j in range(nh)],
                                   self._labels(name, step)))
        i, f, g, o = gates
        new_c = _labelled([f[j] * c[j] + i[j] * g[j] for j in range(nh)], self._labels("c", step))
        new_h = _labelled([o[j] * new_c[j].tanh() for j in range(nh)], self._labels("h", step))
        return new_h, new_c

    def __repr__(self) -> str:
        return f"LSTMCell({self.nin}, {self.nh}, forget_bias={self.forget_bias!r})"


class RNN(Module):
    """按时间展开的循环网络 (可堆叠、可双向), 对应 torch.nn.RNN / GRU / LSTM (单个样本, 无 batch 维).

    A recurrent network over a whole sequence, like ``torch.nn.RNN``,
    ``nn.GRU`` and ``nn.LSTM`` for one unbatched sequence.

    - ``cell``: ``"rnn"`` (with ``activation`` ``"tanh"`` or ``"relu"``),
      ``"gru"`` or ``"lstm"`` (with ``forget_bias``).
    - ``num_layers`` (堆叠): layer ``l+1`` reads the outputs of layer ``l``.
    - ``bidirectional`` (双向): each layer has a second cell that reads the
      sequence backwards; the output at step ``t`` is the forward state
      followed by the backward state (``2·nh`` numbers).

    ``forward(xs, h0=None)`` takes a list of ``T`` input vectors and returns
    ``(outputs, h_n)``: ``outputs[t]`` is the top layer's output at step
    ``t``; ``h_n`` lists the final hidden state of every layer and direction
    in PyTorch's order (layer 0 forward, layer 0 backward, layer 1 forward,
    …).  For an LSTM, ``h0`` and the returned final state are pairs
    ``(h, c)`` of such lists.  The cells are in ``.cells`` in the same order.

    Node labels: ``h{t}`` (time steps count from 1); for stacked layers
    ``h{t}^{layer}`` (layers from 1), and ``←`` marks the backward direction,
    e.g. ``h3^2←``.
    """

    def __init__(self, nin: int, nh: int, cell: str = "rnn", num_layers: int = 1, bidirectional: bool = False,
                 seed: int | None = None, *, activation: str = "tanh", forget_bias: float | None = 1.0,
                 rng: random.Random | None = None) -> None:
        if cell not in CELL_GATES:
            fail(ValueError, f"RNN: cell 只能是 'rnn', 'gru' 或 'lstm', 收到 {cell!r}",
                 f"RNN: cell must be 'rnn', 'gru' or 'lstm', got {cell!r}")
        _check_size(num_layers, "num_layers", "RNN")
        rng = make_rng(seed, rng, "RNN")
        self.bidirectional = bool(bidirectional)
        self.cells: list[RecurrentCell] = []
        for layer in range(num_layers):
            layer_in = nin if layer == 0 else nh * self.directions
            for direction in range(self.directions):
                label = f"l{layer}{'_reverse' if direction else ''}."
                if cell == "rnn":
                    made: RecurrentCell = RNNCell(layer_in, nh, activation, rng=rng, label=label)
                elif cell == "gru":
                    made = GRUCell(layer_in, nh, rng=rng, label=label)
                else:
                    made = LSTMCell(layer_in, nh, forget_bias, rng=rng, label=label)
                self.cells.append(made)
        self.nin = nin
        self.nh = nh
        self.cell = cell
        self.num_layers = num_layers
        self.activation = activation
        self.forget_bias = forget_bias

    @property
    def directions(self) -> int:
        """方向数: 单向 1, 双向 2. Number of directions."""
        return 2 if self.bidirectional else 1

    def forward(self, xs: Sequence[Sequence[Input] | Input], h0: object = None) -> tuple[list[Vector], object]:
        """沿序列展开: 返回 (每个时间步的输出, 最终状态). Unroll over the sequence: (outputs, final state)."""
        if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence) or len(xs) == 0:
            fail(ValueError, f"RNN: xs 应为非空的输入向量列表, 收到 {xs!r}",
                 f"RNN: xs must be a non-empty list of input vectors, got {xs!r}")
        lstm = self.cell == "lstm"
        initial = self._initial_states(h0)
        layer_input: list[Sequence[Input]] = [_inputs(x, self.nin, "RNN") for x in xs]
        steps = len(layer_input)
        finals: list[State] = []
        for layer in range(self.num_layers):
            per_direction = []
            for direction in range(self.directions):
                index = layer * self.directions + direction
                cell = self.cells[index]
                state = initial[index]
                outputs: list[Vector] = [[] for _ in range(steps)]
                order = range(steps - 1, -1, -1) if direction else range(steps)
                for t in order:
                    state = cell.forward(layer_input[t], state, step=self._step_name(t, layer, direction))
                    outputs[t] = state[0] if lstm else state
                finals.append(state)
                per_direction.append(outputs)
            layer_input = [[v for outputs in per_direction for v in outputs[t]] for t in range(steps)]
        if lstm:
            return layer_input, ([h for h, _ in finals], [c for _, c in finals])
        return layer_input, finals

    def _step_name(self, t: int, layer: int, direction: int) -> str:
        """时间步的标签后缀, 如 3, 3^2, 3←. The label suffix of a time step."""
        name = str(t + 1)
        if self.num_layers > 1:
            name += f"^{layer + 1}"
        return name + ("←" if direction else "")

    def _initial_states(self, h0: object) -> list[State | None]:
        """整理初始状态: 每层每个方向一个 (None 表示零). One initial state per layer and direction."""
        count = len(self.cells)
        if h0 is None:
            return [None] * count
        if self.cell == "lstm":
            if not isinstance(h0, (tuple, list)) or len(h0) != 2:
                fail(TypeError, "RNN(lstm): h0 应为 (h0, c0), 各含每层每个方向一个向量",
                     "RNN(lstm): h0 must be a pair (h0, c0) of per-layer-and-direction vectors")
            hs, cs = (self._state_list(part, name) for part, name in zip(h0, ("h0", "c0")))
            return list(zip(hs, cs))
        return list(self._state_list(h0, "h0"))

    def _state_list(self, states: object, name: str) -> list[Sequence[Input]]:
        """检查有 num_layers·directions 个长度为 nh 的向量. Check the number and size of the state vectors."""
        count = len(self.cells)
        if not isinstance(states, Sequence) or len(states) != count:
            fail(ValueError, f"RNN: {name} 应含 {count} 个向量 (num_layers × 方向数), 收到 {states!r}",
                 f"RNN: {name} must hold {count} vectors (num_layers × directions), got {states!r}")
        return [_inputs(s, self.nh, f"RNN ({name})") for s in states]

    def __repr__(self) -> str:
        extra = f", activation={self.activation!r}" if self.cell == "rnn" else ""
        extra += f", forget_bias={self.forget_bias!r}" if self.cell == "lstm" else ""
        return (f"RNN({self.nin}, {self.nh}, cell={self.cell!r}, num_layers={self.num_layers}, "
                f"bidirectional={self.bidirectional}{extra})")
