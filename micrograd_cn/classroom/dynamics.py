"""随时间反向传播中的梯度: 每个时间步收到多大的梯度 (消失/爆炸), 以及梯度裁剪.

Gradients through time: how large ∂L/∂h_t is at every time step of an
unrolled recurrent network, why it vanishes or explodes, and how gradient
clipping tames an exploding update.

The chain rule through time gives, for a loss on the last step,

    ∂L/∂h_t = (∂h_{t+1}/∂h_t)ᵀ ⋯ (∂h_T/∂h_{T-1})ᵀ ∂L/∂h_T,
    ∂h_{t+1}/∂h_t = diag(act'(a_{t+1})) · W_hh          (plain RNN)

a product of ``T − t`` Jacobians.  If every factor shrinks vectors (small
``W_hh``, or saturated tanh units with act' ≈ 0) the gradient vanishes
geometrically (梯度消失); if every factor stretches them (large ``W_hh`` with
units in their linear range) it explodes geometrically (梯度爆炸).  An LSTM's
cell state adds the path ``c_t = f ⊙ c_{t-1} + …`` whose factor is the
forget gate itself, close to 1 when its bias starts at 1 or 2, so gradient
reaches far back.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Value, no_grad
from ..engine import sum as value_sum
from ..errors import fail
from ..nn.optim import SGD, clip_grad_norm
from ..nn.recurrent import RNN

LossFn = Callable[[list[list[Value]]], Value]


def last_step_loss(outputs: list[list[Value]]) -> Value:
    """默认损失: 只看最后一步, L = Σ_j h_T[j]. The default loss: the sum of the last output."""
    return value_sum(outputs[-1])


def vector_norm(values: Sequence[float]) -> float:
    """欧几里得范数 ‖v‖ = √(Σ v_i²). The Euclidean norm."""
    return math.sqrt(math.fsum(v * v for v in values))


def gradient_norms_through_time(model: RNN, xs: Sequence[Sequence[float]], loss_fn: LossFn = last_step_loss,
                                h0: object = None) -> list[float]:
    """每个时间步 t 收到的梯度大小 ‖∂L/∂h_t‖ (h_t 为最上层的输出), 按时间顺序.

    Run ``model`` on ``xs``, backpropagate ``loss_fn(outputs)`` (by default
    the sum of the last output, so all gradient starts at step ``T``) and
    return ``‖∂L/∂h_t‖`` for ``t = 1 … T``, where ``h_t`` is the top layer's
    output at step ``t``.  The model's gradients are zeroed first and hold
    this loss's gradients afterwards.
    """
    if not isinstance(model, RNN):
        fail(TypeError, f"gradient_norms_through_time: 需要 micrograd_cn.nn.RNN, 收到 {type(model).__name__}",
             f"gradient_norms_through_time needs a micrograd_cn.nn.RNN, got {type(model).__name__}")
    model.zero_grad()
    outputs, _ = model(xs, h0)
    loss = loss_fn(outputs)
    if not isinstance(loss, Value):
        fail(TypeError, f"gradient_norms_through_time: loss_fn 必须返回 Value, 收到 {type(loss).__name__}",
             f"gradient_norms_through_time: loss_fn must return a Value, got {type(loss).__name__}")
    loss.backward()
    return [vector_norm([h.grad for h in output]) for output in outputs]


def random_orthogonal(n: int, rng: random.Random) -> list[list[float]]:
    """n×n 随机正交矩阵 (对高斯随机向量做 Gram–Schmidt 正交化). A random orthogonal matrix.

    Its singular values are all 1, so ``scale · Q`` stretches every vector
    by exactly ``scale``.
    """
    rows: list[list[float]] = []
    while len(rows) < n:
        v = [rng.gauss(0.0, 1.0) for _ in range(n)]
        for row in rows:
            along = math.fsum(a * b for a, b in zip(v, row))
            v = [a - along * b for a, b in zip(v, row)]
        length = vector_norm(v)
        if length > 1e-8:
            rows.append([a / length for a in v])
    return rows


def set_recurrent_scale(model: RNN, scale: float, seed: int = 0) -> RNN:
    """把每个单元每个门的 W_hh 块设为 scale·Q (Q 随机正交), 返回 model.

    Set every gate block of every cell's ``weight_hh`` to ``scale · Q`` with
    ``Q`` a random orthogonal matrix: the recurrent weights then stretch the
    hidden state by exactly ``scale`` per step, which makes vanishing
    (``scale < 1``) and exploding (``scale > 1``) easy to see.
    """
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or scale - scale != 0:
        fail(ValueError, f"set_recurrent_scale: scale 必须是有限数, 收到 {scale!r}",
             f"set_recurrent_scale: scale must be a finite number, got {scale!r}")
    rng = random.Random(seed)
    nh = model.nh
    for cell in model.cells:
        for block in range(len(cell.weight_hh) // nh):
            q = random_orthogonal(nh, rng)
            for j in range(nh):
                for k in range(nh):
                    cell.weight_hh[block * nh + j][k].data = scale * q[j][k]
    return model


def random_sequence(steps: int, nin: int, seed: int = 0, amplitude: float = 1.0) -> list[list[float]]:
    """长度为 steps 的随机输入序列, 每个分量取自 U(-amplitude, amplitude). A random input sequence."""
    rng = random.Random(seed)
    return [[rng.uniform(-amplitude, amplitude) for _ in range(nin)] for _ in range(steps)]


def compare_cells(scale: float = 0.5, steps: int = 30, nh: int = 8, nin: int = 2, seed: int = 0,
                  forget_bias: float = 1.0) -> dict[str, list[float]]:
    """同样的输入与 W_hh 尺度下, RNN (tanh)、GRU、LSTM 各时间步的 ‖∂L/∂h_t‖.

    ``‖∂L/∂h_t‖`` for ``t = 1 … steps`` for a tanh RNN, a GRU and an LSTM
    (forget-gate bias ``forget_bias``) with the same inputs, hidden size,
    seed and recurrent scale (:func:`set_recurrent_scale`).  The result is
    what :func:`plot_gradient_norms` draws.
    """
    xs = random_sequence(steps, nin, seed)
    curves = {}
    for name, cell in (("RNN (tanh)", "rnn"), ("GRU", "gru"), (f"LSTM (forget_bias={forget_bias:g})", "lstm")):
        model = set_recurrent_scale(RNN(nin, nh, cell=cell, seed=seed, forget_bias=forget_bias), scale, seed)
        curves[name] = gradient_norms_through_time(model, xs)
    return curves


@dataclass(frozen=True)
class ClipDemo:
    """梯度爆炸与裁剪的演示结果. The result of :func:`explode_and_clip_demo`.

    - ``norms``: ‖∂L/∂h_t‖ for t = 1 … T (grows geometrically backwards in time);
    - ``total_norm``: ‖∂L/∂θ‖ over all parameters, before clipping;
    - ``clipped_norm``: the same after ``clip_grad_norm(params, max_norm)``;
    - ``step_unclipped`` / ``step_clipped``: size of the SGD update ‖Δθ‖ = lr·‖g‖;
    - ``loss_before``, ``loss_unclipped``, ``loss_clipped``: the loss before and after
      one SGD step (``math.inf`` when the step overflows the forward pass).
    """

    norms: list[float]
    total_norm: float
    clipped_norm: float
    max_norm: float
    lr: float
    step_unclipped: float
    step_clipped: float
    loss_before: float
    loss_unclipped: float
    loss_clipped: float


def explode_and_clip_demo(scale: float = 3.0, steps: int = 20, nh: int = 8, nin: int = 2, max_norm: float = 1.0,
                          lr: float = 0.1, activation: str = "relu", seed: int = 0) -> ClipDemo:
    """演示: 循环权重很大时梯度爆炸, 一步 SGD 把损失推上天; 先用 clip_grad_norm 裁剪则稳步下降.

    A recurrent net whose ``W_hh`` stretches by ``scale`` per step
    (:func:`set_recurrent_scale`) is run on a random sequence with the loss
    ``L = ½ Σ_j h_T[j]²``.  The gradient reaching step ``t`` grows
    geometrically with ``T − t``; the total parameter gradient is huge, and
    one plain SGD step of size ``lr·‖g‖`` wrecks the loss.  Clipping the
    total norm to ``max_norm`` (``optim.clip_grad_norm``) first bounds the
    step by ``lr·max_norm``, and the loss goes down.

    The default ``activation="relu"`` has no saturation, so the explosion is
    clean; with ``"tanh"`` saturated units (tanh' ≈ 0) partly hide it.
    """
    model = set_recurrent_scale(RNN(nin, nh, activation=activation, seed=seed), scale, seed)
    xs = random_sequence(steps, nin, seed)
    params = model.parameters()

    def half_square(outputs: list[list[Value]]) -> Value:
        return 0.5 * value_sum(h * h for h in outputs[-1])

    def loss_now() -> float:
        with no_grad():
            try:
                return half_square(model(xs)[0]).data
            except OverflowError:
                return math.inf

    norms = gradient_norms_through_time(model, xs, half_square)
    loss_before = loss_now()
    start = [p.data for p in params]
    grads = [p.grad for p in params]

    def loss_after_step() -> float:
        SGD(params, lr=lr).step()
        loss = loss_now()
        for p, data in zip(params, start):
            p.data = data
        return loss

    loss_unclipped = loss_after_step()
    total = clip_grad_norm(params, max_norm)  # 返回裁剪前的总范数. Returns the norm before clipping.
    clipped = vector_norm([p.grad for p in params])
    loss_clipped = loss_after_step()
    for p, grad in zip(params, grads):
        p.grad = grad
    return ClipDemo(norms=norms, total_norm=total, clipped_norm=clipped, max_norm=max_norm, lr=lr,
                    step_unclipped=lr * total, step_clipped=lr * clipped, loss_before=loss_before,
                    loss_unclipped=loss_unclipped, loss_clipped=loss_clipped)


def plot_gradient_norms(curves: dict[str, Sequence[float]] | None = None, ax: Any = None,
                        title: str | tuple[str, str] | None = None) -> Any:
    """画 ‖∂L/∂h_t‖ 对时间步 t 的曲线 (对数纵轴, 整数时间步, 图例在外), 默认比较 RNN / GRU / LSTM.

    Plot ``‖∂L/∂h_t‖`` against the time step ``t`` on a log scale, one curve
    per entry of ``curves`` (name → norms); by default the curves of
    :func:`compare_cells`.  Draws on ``ax`` if given, else on a new figure.
    ``title`` is a ``(Chinese, English)`` pair or a string used as is.
    Labels are bilingual when a Chinese font is installed, English otherwise
    (see :mod:`micrograd_cn.plots`).  Returns a :class:`~micrograd_cn.classroom.plots.Plot`,
    used like its Axes and shown as the figure in a notebook.  Needs matplotlib
    (``pip install 'micrograd_cn[train]'``).
    """
    from .plots import Plot, _axes, for_projector, label_axes, legend_outside

    if curves is None:
        curves = compare_cells()
    if not curves:
        fail(ValueError, "plot_gradient_norms: 没有曲线可画", "plot_gradient_norms: no curves to plot")
    ax = _axes(ax)
    for name, norms in curves.items():
        floor = [max(n, 1e-300) for n in norms]  # 对数轴上画不出 0. Zero has no place on a log axis.
        ax.plot(range(1, len(norms) + 1), floor, marker="o", markersize=4, label=name)
    ax.set_yscale("log")
    label_axes(ax, title=("梯度随时间的传递", "gradient norm through time") if title is None else title,
               xlabel=("时间步 $t$", "time step"), ylabel=r"$\|\partial L/\partial h_t\|$")
    ax.grid(True, which="both", alpha=0.3)
    for_projector(ax, integer_x=True)
    legend_outside(ax)
    return Plot(ax)
