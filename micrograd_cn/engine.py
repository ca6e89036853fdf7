"""标量自动微分引擎: Value 在前向传播时记下对每个父节点的局部导数, backward() 把梯度层层"堆放"回去.

The scalar reverse-mode autodiff engine.

A :class:`Value` stores its ``data``, its ``grad``, its ``parents`` and the
**local derivative** ``∂self/∂parent`` toward each of them, computed in the
forward pass.  ``backward()`` walks the graph from the output in reverse
topological order; every node sends ``its grad × local derivative`` to each
parent, and each parent piles up (堆放) what it receives.
"""

from __future__ import annotations

import builtins
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache, partial
from itertools import repeat
from operator import mul
from typing import Union

from .collector import collector_paused
from .errors import fail
from .graph import backward_pass_order
from .ops import UNARY_OPS, leaky_relu_local, power

Number = Union[int, float]
Operand = Union["Value", int, float]
EdgeListener = Callable[["Value", "Value", float, float], None]

_recording = True  # 是否记录计算图 (no_grad 时为 False). Whether ops record parents.


class Value:
    """计算图中的一个标量节点: 数值 data, 梯度 grad, 父节点 parents 及对它们的局部导数 local_grads.

    A scalar node of a computation graph.

    ``Value(data, label="")`` makes a leaf.  Operations on Values make new
    nodes that remember their ``parents`` (in operand order), the
    ``local_grads`` ``∂node/∂parent`` toward each, and the operation ``op``.
    Values hash and compare by identity; ``<``, ``>``, ``<=``, ``>=`` compare
    ``data``.  User code may set attributes of its own (``p.m = 0.0``).
    The lecture's names ``_prev``, ``_op`` and ``_backward()`` are aliases of
    ``parents``, ``op`` and the engine's own local step; a new operation is
    made with :func:`custom_op`.
    """

    # "__dict__": 用户可以给 Value 加自己的属性 (优化器状态、颜色), 字典只在用到时才建立;
    # CPython 3.11 上每个节点因此多 32 字节.
    # "__dict__" lets user code add attributes (optimizer state, colours); the dict exists only once used
    # (32 more bytes a node on CPython 3.11).
    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label", "__dict__")
    __array_ufunc__ = None  # NumPy 标量在左侧时交给 Value 处理. Let NumPy defer to us.

    data: float
    grad: float
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    op: str
    label: str

    def __init__(self, data: Number, label: str = "", *micrograd_args: object) -> None:
        if micrograd_args or isinstance(label, (tuple, list, set, frozenset)):
            _refuse_micrograd_node(data, label, micrograd_args)
        self.data = checked_float(data, "Value")
        self.grad = 0.0
        self.parents = ()
        self.local_grads = ()
        self.op = ""
        self.label = str(label)

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data!r}, grad={self.grad!r})"

    # ---- 二元运算 binary operations -------------------------------------------------

    def __add__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(self.data + other.data, (self, other), (1.0, 1.0), "+")
        c = _constant(other, "+")
        return _node(self.data + c, (self,), (1.0,), _op_name("+ {}", c))

    def __radd__(self, other: Number) -> Value:
        c = _constant(other, "+")
        return _node(c + self.data, (self,), (1.0,), _op_name("{} +", c))

    def __sub__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(self.data - other.data, (self, other), (1.0, -1.0), "-")
        c = _constant(other, "-")
        return _node(self.data - c, (self,), (1.0,), _op_name("- {}", c))

    def __rsub__(self, other: Number) -> Value:
        c = _constant(other, "-")
        return _node(c - self.data, (self,), (-1.0,), _op_name("{} -", c))

    def __mul__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(self.data * other.data, (self, other), (other.data, self.data), "*")
        c = _constant(other, "*")
        return _node(self.data * c, (self,), _shared_local(c), _op_name("* {}", c))

    def __rmul__(self, other: Number) -> Value:
        c = _constant(other, "*")
        return _node(c * self.data, (self,), _shared_local(c), _op_name("{} *", c))

    def __truediv__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            y = _divide(self.data, other.data)
            locals_ = _finite(1.0 / other.data, -y / other.data, op="/", inputs=(self.data, other.data))
            return _node(y, (self, other), locals_, "/")
        c = _constant(other, "/")
        return _node(_divide(self.data, c), (self,), _finite(1.0 / c, op="/", inputs=(self.data, c)),
                     _op_name("/ {}", c))

    def __rtruediv__(self, other: Number) -> Value:
        c = _constant(other, "/")
        y = _divide(c, self.data)
        return _node(y, (self,), _finite(-y / self.data, op="/", inputs=(c, self.data)), _op_name("{} /", c))

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            y, d_base, d_exponent = power(self.data, other.data, "**")
            return _node(y, (self, other), _finite(d_base, d_exponent, op="**", inputs=(self.data, other.data)), "**")
        c = _constant(other, "**")
        y, d_base, _ = power(self.data, c, "**")
        return _node(y, (self,), _finite(d_base, op="**", inputs=(self.data, c)), _op_name("** {}", c))

    def __rpow__(self, other: Number) -> Value:
        c = _constant(other, "**")
        y, _, d_exponent = power(c, self.data, "**")
        return _node(y, (self,), _finite(d_exponent, op="**", inputs=(c, self.data)), _op_name("{} **", c))

    # ---- 一元运算 one-input operations (局部导数见 ops.py) -----------------------------

    def _unary(self, name: str) -> Value:
        y, local = UNARY_OPS[name](self.data)
        return _node(y, (self,), _finite(local, op=name, inputs=(self.data,)), name)

    def __neg__(self) -> Value:
        """取负 -x, 局部导数 -1. Negation."""
        return self._unary("neg")

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        """绝对值 |x|, 局部导数 sign(x). Absolute value."""
        return self._unary("abs")

    def exp(self) -> Value:
        """指数 e^x, 局部导数 e^x. Exponential."""
        return self._unary("exp")

    def log(self) -> Value:
        """自然对数 ln x (x > 0), 局部导数 1/x. Natural logarithm."""
        return self._unary("log")

    def sqrt(self) -> Value:
        """平方根 √x (x ≥ 0), 局部导数 1/(2√x). Square root."""
        return self._unary("sqrt")

    def tanh(self) -> Value:
        """双曲正切 tanh x, 局部导数 1 - tanh²x. Hyperbolic tangent."""
        return self._unary("tanh")

    def sigmoid(self) -> Value:
        """Sigmoid 激活: σ(x) = 1/(1+e^{-x}), 局部导数 σ(x)(1-σ(x)). Sigmoid activation."""
        return self._unary("sigmoid")

    def relu(self) -> Value:
        """ReLU 激活: max(x, 0), 局部导数 1 (x > 0) 或 0. Rectified linear unit."""
        return self._unary("relu")

    def softplus(self) -> Value:
        """Softplus: ln(1+e^x), 局部导数 σ(x). Smooth ReLU."""
        return self._unary("softplus")

    def sin(self) -> Value:
        """正弦 sin x, 局部导数 cos x. Sine."""
        return self._unary("sin")

    def cos(self) -> Value:
        """余弦 cos x, 局部导数 -sin x. Cosine."""
        return self._unary("cos")

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """Leaky ReLU: x (x > 0) 或 slope·x, 局部导数 1 或 slope. Leaky rectified linear unit."""
        y, local = leaky_relu_local(self.data, _constant(slope, "leaky_relu"))
        return _node(y, (self,), (local,), "leaky_relu")

    # ---- 比较 comparisons (比较 data, 返回 bool) ---------------------------------------

    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other, ">=")

    __hash__ = object.__hash__

    def __float__(self) -> float:
        return self.data

    # ---- 反向传播 backward pass ---------------------------------------------------------

    # ---- micrograd 与讲座中的名字 micrograd's and the lecture's names ----------------------

    @property
    def _prev(self) -> set[Value]:
        """父节点的集合 (micrograd 的 _prev), 即 set(self.parents). The set of parents, as in micrograd."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """运算名 (micrograd 的 _op), 即 self.op; 叶子为 "". The operation's name, as in micrograd."""
        return self.op

    @property
    def _backward(self) -> Callable[[], None]:
        """本节点的局部一步 (讲座中手动调用的 _backward()): 把 局部导数 × grad 加到每个父节点上.

        This node's local step, the lecture's ``_backward()``: add
        ``local × self.grad`` into each parent's grad.  It is the very function
        ``backward()`` calls for every node (:func:`send_gradient`), so
        ``o.grad = 1.0; o._backward(); n._backward(); …`` by hand gives what
        ``o.backward()`` gives.  Assigning it is refused: see :func:`custom_op`.
        """
        return partial(send_gradient, self)

    @_prev.setter
    def _prev(self, value: object) -> None:
        _refuse_assignment(self, "_prev")

    @_op.setter
    def _op(self, value: object) -> None:
        _refuse_assignment(self, "_op")

    @_backward.setter
    def _backward(self, value: object) -> None:
        _refuse_assignment(self, "_backward")

    def backward(self, gradient: float = 1.0) -> None:
        """反向传播: 令本节点梯度为 gradient (默认 1), 把梯度堆放到图中每个节点.

        Backpropagate from this node.  Leaves *accumulate* across calls, like
        PyTorch's ``.grad``; intermediate nodes hold the latest call's
        gradient.  Iterative: graphs of any depth work.
        """
        propagate(self, gradient)


def propagate(root: Value, gradient: float = 1.0, on_edge: EdgeListener | None = None) -> list[Value]:
    """反向传播的循环本身: 每个节点把 grad × 局部导数 堆放到各父节点上.

    The backward loop itself, shared by ``Value.backward()`` and the tracer.

    Operation nodes are visited output first (:func:`graph.backward_pass_order`);
    by the time a node's turn comes, every consumer has already piled its
    contribution onto it.  Leaves only receive, so they are not visited.
    ``on_edge(node, parent, local, before)``, if given, is called after each
    accumulation with the parent's running total ``before`` it.
    Returns the visiting order (operation nodes only).
    """
    gradient = checked_float(gradient, "backward")
    with collector_paused():
        if root.parents:
            order = backward_pass_order(root)
            root.grad = gradient
        else:
            order = []
            root.grad += gradient
        send = send_gradient  # 局部名字: 每个节点省一次全局查找. A local name: no global lookup per node.
        for node in order:
            send(node, on_edge)
    return order


def send_gradient(node: Value, on_edge: EdgeListener | None = None) -> None:
    """一个节点的局部一步: 把 局部导数 × node.grad 堆放到每个父节点上.

    One node's local step: add ``local × node.grad`` into each parent's
    ``grad``.  :func:`propagate` calls it for every operation node, and
    ``node._backward()`` is this same call, so there is one implementation of
    the step.  A leaf has no parents: nothing happens.
    """
    grad = node.grad
    if grad == 0.0 and on_edge is None:
        return  # 传出的全是 0. Nothing to send.
    for parent, local in zip(node.parents, node.local_grads):
        before = parent.grad
        after = parent.grad = before + local * grad
        if on_edge is not None or after - after != 0.0:
            _check_gradient(after, node, parent)
            if on_edge is not None:
                on_edge(node, parent, local, before)


def _check_gradient(total: float, node: Value, parent: Value) -> None:
    """反向传播中梯度溢出时报错, 不留下 inf/nan. Refuse a gradient that overflowed during backward."""
    if total - total != 0.0:
        fail(OverflowError, f"反向传播时梯度溢出: 运算 {node.op!r} 传给输入 (data={parent.data!r}) 的梯度为 {total!r}",
             f"gradient overflowed during backward: the {node.op!r} node sent its input "
             f"(data={parent.data!r}) a total of {total!r}")


CUSTOM_OP_HINT = ("请用 mg.custom_op(data, parents, local_grads, op) 定义新运算, "
                  "例如 mg.custom_op(math.exp(x.data), (x,), (math.exp(x.data),), 'exp')",
                  "define a new operation with mg.custom_op(data, parents, local_grads, op), "
                  "e.g. mg.custom_op(math.exp(x.data), (x,), (math.exp(x.data),), 'exp')")
"""指向自定义运算的提示 (中文, 英文). The pointer to custom_op, in Chinese and English."""


def _refuse_micrograd_node(data: object, children: object, rest: tuple[object, ...]) -> None:
    """拒绝 micrograd 的 Value(data, (self,), 'exp'): 那样的节点没有局部导数, 反向传播会悄悄丢掉梯度.

    Refuse micrograd's ``Value(data, children, op)``: such a node would have
    no local derivatives, and backward would silently send nothing through it.
    """
    op = rest[0] if rest else ""
    call = ", ".join(map(repr, (data, children, *rest)))
    fail(TypeError, f"Value({call}) 是 micrograd 新建运算节点 {op!r} 的写法; 这里的节点在前向传播时记下局部导数, "
         f"不用 _backward 闭包. {CUSTOM_OP_HINT[0]}",
         f"Value({call}) is micrograd's way to make the operation node {op!r}; here a node records its local "
         f"derivatives in the forward pass instead of a _backward closure: {CUSTOM_OP_HINT[1]}")


def _refuse_assignment(node: Value, name: str) -> None:
    """拒绝给 _prev/_op/_backward 赋值 (引擎不会用它, 梯度会悄悄丢失). Refuse assigning a lecture alias."""
    fail(AttributeError, f"不能给运算 {node.op!r} 的节点 (data={node.data!r}) 设置 {name}: "
         f"反向传播用的是前向传播时记下的 parents 与 local_grads. {CUSTOM_OP_HINT[0]}",
         f"cannot set {name} of the {node.op!r} node (data={node.data!r}): backward uses the parents and "
         f"local_grads recorded in the forward pass; {CUSTOM_OP_HINT[1]}")


# ---- 构造节点 making nodes ---------------------------------------------------------------


@lru_cache(maxsize=4096)
def _op_name(template: str, constant: float) -> str:
    """带常数的运算名, 如 ``"* 2"``; 缓存后同名节点共用一个字符串. Op name with its constant, shared."""
    return template.format(f"{constant:.6g}")


@lru_cache(maxsize=4096)
def _shared_local(constant: float) -> tuple[float]:
    """乘以常数 c 的局部导数元组 (c,); 缓存后同一常数的节点共用一个元组. The local-derivative tuple (c,), shared."""
    return (constant,)


_new_value = object.__new__


def _node(data: float, parents: tuple[Value, ...], local_grads: tuple[float, ...], op: str) -> Value:
    """新建一个运算节点 (no_grad 时不记录父节点); 结果必须是有限数.

    Make an operation node.  Under ``no_grad`` it records no parents.
    """
    if data - data != 0.0:  # inf 或 nan
        operands = ", ".join(repr(p.data) for p in parents)
        fail(OverflowError if data == data else ValueError,
             f"运算 {op!r} 的结果不是有限数: {data!r} (输入 {operands})",
             f"operation {op!r} gave a non-finite result {data!r} (inputs {operands})")
    node = _new_value(Value)
    node.data = data
    node.grad = 0.0
    if _recording:
        node.parents = parents
        node.local_grads = local_grads
    else:
        node.parents = ()
        node.local_grads = ()
    node.op = op
    node.label = ""
    return node


def custom_op(data: Number, parents: Sequence[Value], local_grads: Sequence[Number], op: str) -> Value:
    """自定义运算: 由结果 data、父节点 parents 和对每个父节点的局部导数 local_grads 得到一个新节点.

    Define a new operation node from its value, its parents (Values) and the
    local derivatives ``∂out/∂parent`` toward each, in the same order; ``op``
    names it in graphs and errors.  ``backward()`` then sends
    ``local × grad`` to each parent, exactly as for the built-in operations.
    For example, a cube::

        def cube(x):
            return mg.custom_op(x.data ** 3, (x,), (3 * x.data ** 2,), "cube")
    """
    if not isinstance(op, str) or not op:
        fail(TypeError, f"custom_op: op 应为非空字符串 (运算名), 收到 {op!r}",
             f"custom_op: op must be a non-empty string (the operation's name), got {op!r}")
    parents = tuple(parents)
    for parent in parents:
        if not isinstance(parent, Value):
            fail(TypeError,
                 f"custom_op {op!r}: 父节点必须是 Value, 收到 {type(parent).__name__} {parent!r}; 常数不是节点",
                 f"custom_op {op!r}: parents must be Values, got {type(parent).__name__} {parent!r}; "
                 "a constant is not a node")
    locals_ = tuple(checked_float(local, f"custom_op {op!r}") for local in local_grads)
    if len(locals_) != len(parents):
        fail(ValueError, f"custom_op {op!r}: {len(parents)} 个父节点却有 {len(locals_)} 个局部导数",
             f"custom_op {op!r}: {len(parents)} parents but {len(locals_)} local derivatives")
    return _node(checked_float(data, f"custom_op {op!r}"), parents, locals_, op)


def _finite(*locals_: float, op: str, inputs: tuple[float, ...]) -> tuple[float, ...]:
    """检查局部导数都是有限数 (只在记录计算图时需要), 否则说出运算和输入.

    Check that local derivatives are finite (only needed while recording);
    otherwise name the operation and its inputs.
    """
    if _recording:
        for local in locals_:
            if local - local != 0.0:
                at = ", ".join(map(repr, inputs))
                fail(ValueError, f"{op} 在输入 ({at}) 处的导数不存在或为无穷 ({local!r}), 无法反向传播",
                     f"{op} has no finite derivative at inputs ({at}) ({local!r}); cannot backpropagate")
    return locals_


def _divide(numerator: float, denominator: float) -> float:
    """带双语错误的除法. Division with a bilingual error for a zero denominator."""
    if denominator == 0.0:
        fail(ZeroDivisionError, f"除法 / 的除数为 0: {numerator!r} / 0",
             f"division by zero in /: {numerator!r} / 0")
    quotient = numerator / denominator
    if quotient - quotient != 0.0:
        fail(OverflowError, f"除法 / 溢出: {numerator!r} / {denominator!r} 超出浮点数范围",
             f"division overflows: {numerator!r} / {denominator!r} is too large for a float")
    return quotient


def checked_float(data: object, op: str) -> float:
    """把数转成 float; 拒绝非数、nan 与 inf, 并说出是哪个运算收到的.

    Convert a number to float; refuse non-numbers, nan and inf, naming the op.
    """
    if isinstance(data, Value):
        fail(TypeError, f"{op}: 需要普通数字, 收到 Value {data!r}; 直接使用这个 Value 即可",
             f"{op} needs a plain number, got the Value {data!r}; use that Value itself")
    if not isinstance(data, numbers.Real):
        fail(TypeError, f"{op}: 需要实数 (int/float), 收到 {type(data).__name__} {data!r}",
             f"{op} needs a real number (int/float), got {type(data).__name__} {data!r}")
    try:
        value = float(data)
    except OverflowError:
        value = float("inf")
    if value - value != 0.0:
        fail(ValueError, f"{op}: 数值必须是有限数, 收到 {value!r}",
             f"{op} needs a finite number, got {value!r}")
    return value


def _constant(other: object, op: str) -> float:
    """运算中的常数操作数 (不会成为图中的节点). A constant operand: not a graph node."""
    if type(other) is float and other - other == 0.0:
        return other
    if type(other) is int and -(2**53) <= other <= 2**53:
        return float(other)
    return checked_float(other, f"运算 {op} / operation {op}")


def _data(x: Operand, op: str) -> float:
    """Value 的 data, 或常数本身. The data of a Value, or the constant itself."""
    return x.data if isinstance(x, Value) else _constant(x, op)


def as_value(x: Operand, label: str = "") -> Value:
    """把数转成叶子 Value; 已经是 Value 就原样返回. A Value as is, a number as a new leaf."""
    return x if isinstance(x, Value) else Value(x, label)


# ---- 求和与点积: 一个节点, 多个父节点 sums and dot products: one node, many parents ----


def _split(items: Iterable[Operand], op: str) -> tuple[list[float], list[Value | None], bool]:
    """把一串操作数分成 data 列表和 Value 列表 (常数处为 None), 以及"全是 Value"与否.

    Split operands into their data, their Values (None for a constant) and
    whether every operand is a Value.
    """
    items = items if type(items) is list else list(items)
    if all(map(isinstance, items, repeat(Value))):
        return [v.data for v in items], items, True
    data = [x if type(x) is float else _data(x, op) for x in items]
    return data, [x if isinstance(x, Value) else None for x in items], False


def _gather(values: list[Value | None],
            locals_: Iterable[float]) -> tuple[tuple[Value, ...], tuple[float, ...]]:
    """只保留是 Value 的操作数及其局部导数. Keep the Value operands and their local derivatives."""
    pairs = [(v, d) for v, d in zip(values, locals_) if v is not None]
    return tuple(v for v, _ in pairs), tuple(d for _, d in pairs)


def sum(values: Iterable[Operand], start: Number = 0.0) -> Value:  # noqa: A001
    """求和 Σx_i, 只建一个节点; 对每个 x_i 的局部导数都是 1.

    Sum as one node with every operand as a parent (local derivative 1), so a
    long sum makes a shallow graph instead of a chain.
    """
    data, values_, _ = _split(values, "sum")
    total = builtins.sum(data, _constant(start, "sum"))
    parents, locals_ = _gather(values_, repeat(1.0))
    return _node(total, parents, locals_, "sum")


def mean(values: Iterable[Operand]) -> Value:
    """平均值 (1/n)Σx_i, 一个节点; 局部导数都是 1/n. Mean as one node."""
    data, values_, _ = _split(values, "mean")
    if not data:
        fail(ValueError, "mean: 不能对空序列求平均", "mean of an empty sequence")
    n = len(data)
    parents, locals_ = _gather(values_, repeat(1.0 / n))
    return _node(builtins.sum(data) / n, parents, locals_, "mean")


def dot(left: Iterable[Operand], right: Iterable[Operand], bias: Operand = 0.0) -> Value:
    """点积 Σ a_i·b_i (+ bias), 一个节点; 对 a_i 的局部导数是 b_i, 对 b_i 的是 a_i.

    Dot product (plus an optional bias) as one node: the weighted sum
    ``net = Σ w_i x_i + b`` of a neuron, with ``∂net/∂w_i = x_i``,
    ``∂net/∂x_i = w_i`` and ``∂net/∂b = 1``.
    """
    left_data, left_values, left_all = _split(left, "dot")
    right_data, right_values, right_all = _split(right, "dot")
    if len(left_data) != len(right_data):
        fail(ValueError, f"dot: 两个序列长度不同 ({len(left_data)} 与 {len(right_data)})",
             f"dot needs sequences of equal length, got {len(left_data)} and {len(right_data)}")
    total = builtins.sum(map(mul, left_data, right_data), _data(bias, "dot"))  # b + w0·x0 + …, as micrograd adds
    if left_all and right_all:
        parents = (*left_values, *right_values)
        locals_ = (*right_data, *left_data)
    elif left_all and not any(right_values):
        parents, locals_ = tuple(left_values), tuple(right_data)
    else:
        parents, locals_ = _gather([*left_values, *right_values], [*right_data, *left_data])
    if isinstance(bias, Value):
        parents, locals_ = (*parents, bias), (*locals_, 1.0)
    return _node(total, parents, locals_, "dot")


# ---- 函数形式 function forms: mg.exp(x) 等同于 x.exp() ------------------------------------


def _function_form(method: Callable[..., Value]) -> Callable[..., Value]:
    """由 Value 的方法得到函数形式 f(x, ...), x 可以是 Value 或数. A method as a function of x."""

    def apply(x: Operand, *args: float) -> Value:
        return method(as_value(x), *args)

    apply.__name__ = apply.__qualname__ = method.__name__
    apply.__doc__ = method.__doc__
    return apply


exp = _function_form(Value.exp)
log = _function_form(Value.log)
sqrt = _function_form(Value.sqrt)
tanh = _function_form(Value.tanh)
sigmoid = _function_form(Value.sigmoid)
relu = _function_form(Value.relu)
leaky_relu = _function_form(Value.leaky_relu)
softplus = _function_form(Value.softplus)
sin = _function_form(Value.sin)
cos = _function_form(Value.cos)


# ---- 梯度开关 gradient recording --------------------------------------------------------


@contextmanager
def no_grad() -> Iterator[None]:
    """在此块内运算不记录父节点 (不建计算图), 用于推理与参数更新.

    Inside this block operations record no parents: for inference and for
    parameter updates.  Nestable; the previous mode is restored on exit.
    """
    global _recording
    previous = _recording
    _recording = False
    try:
        yield
    finally:
        _recording = previous


def is_grad_enabled() -> bool:
    """当前是否在记录计算图. Whether operations currently record the graph."""
    return _recording


def zero_grad(values: Iterable[Value]) -> None:
    """把这些 Value 的梯度清零. Set the gradient of each Value to 0."""
    for value in values:
        value.grad = 0.0
