"""损失函数与正则项: 每个函数返回一个 Value, 可以直接 .backward().

Loss functions and regularisers.  Each returns one Value built from engine
operations (``sum``/``mean``/``dot`` keep the graph shallow), so
``loss.backward()`` gives every gradient.  Predictions may be a single Value
(a one-output model) or a list; targets are numbers (or Values).

Reductions: ``"mean"`` (PyTorch's default), ``"sum"``, and for :func:`mse`
also ``"half_sum"`` = ½Σ(t−o)², the textbook form whose derivative is
simply ``o − t``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Union

from .. import engine as mg
from ..engine import Value
from ..errors import fail
from .module import Module

Scalar = Union[Value, float, int]
Scalars = Union[Scalar, Sequence[Scalar]]


# ---- 回归 regression ---------------------------------------------------------------------


def mse(pred: Scalars, target: Scalars, reduction: str = "half_sum") -> Value:
    """均方误差: 默认 ½Σ(t−o)² (教材形式); reduction="mean" 为 (1/n)Σ(t−o)² (PyTorch MSELoss), "sum" 为 Σ(t−o)².

    Squared error.  The default ``"half_sum"`` is the textbook
    ``E = ½Σ_k (t_k − o_k)²`` (so ``∂E/∂o_k = o_k − t_k``); ``"mean"`` matches
    PyTorch's ``MSELoss()``, ``"sum"`` its ``reduction="sum"``.

    With ``"half_sum"`` the graph has the textbook's terms: each
    ``E_o1 = ½(t₁ − out_o1)²`` is a node named after its prediction
    (``out_o1`` → ``E_o1``, otherwise ``E_1``, ``E_2``, …) and the total is
    ``E_total``, as in seed 000.
    """
    pred_, target_ = _paired(pred, target, "mse")
    if reduction == "half_sum":
        terms = [0.5 * (t - o) ** 2 for o, t in zip(pred_, target_)]
        for k, (term, o) in enumerate(zip(terms, pred_)):
            if isinstance(term, Value):
                term.label = _term_label(o, k)
        total = mg.sum(terms)
        total.label = "E_total"
        return total
    squares = [(t - o) ** 2 for o, t in zip(pred_, target_)]
    return _reduce(squares, reduction, "mse", ("mean", "sum"))


def _term_label(prediction: Scalar, k: int) -> str:
    """误差项的名字: out_o1 → E_o1, 其余 E_1, E_2, …. The name of one error term."""
    label = prediction.label if isinstance(prediction, Value) else ""
    return f"E_{label[4:]}" if label.startswith("out_") else f"E_{k + 1}"


def l1(pred: Scalars, target: Scalars, reduction: str = "mean") -> Value:
    """绝对值误差 |t−o| 的平均 (默认) 或总和, 同 PyTorch L1Loss. Absolute error, as PyTorch's ``L1Loss``."""
    pred_, target_ = _paired(pred, target, "l1")
    return _reduce([abs(t - o) for o, t in zip(pred_, target_)], reduction, "l1", ("mean", "sum"))


# ---- 二分类 binary classification ----------------------------------------------------------


def binary_cross_entropy(p: Scalars, y: Scalars, reduction: str = "mean") -> Value:
    """二元交叉熵 −[y ln p + (1−y) ln(1−p)]; p 必须在 (0, 1) 内 (否则报错, 不做截断).

    Binary cross-entropy of probabilities ``p`` against labels ``y`` ∈ [0, 1].
    A probability of exactly 0 or 1 is refused with an error instead of being
    clamped; for raw scores use :func:`binary_cross_entropy_with_logits`.
    """
    p_, y_ = _paired(p, y, "binary_cross_entropy")
    for k, pk in enumerate(p_):
        if not 0.0 < _data(pk) < 1.0:
            fail(ValueError, f"binary_cross_entropy: 概率 p[{k}] 必须在 (0, 1) 内, 收到 {_data(pk)!r}; "
                 "对未经 sigmoid 的分数请用 binary_cross_entropy_with_logits",
                 f"binary_cross_entropy: probability p[{k}] must lie in (0, 1), got {_data(pk)!r}; "
                 "for raw scores use binary_cross_entropy_with_logits")
    terms = [-(yk * mg.log(pk) + (1 - yk) * mg.log(1 - pk)) for pk, yk in zip(p_, y_)]
    return _reduce(terms, reduction, "binary_cross_entropy", ("mean", "sum"))


def binary_cross_entropy_with_logits(z: Scalars, y: Scalars, reduction: str = "mean") -> Value:
    """由分数 z 计算的二元交叉熵: softplus(z) − y·z (数值稳定, 梯度 σ(z) − y).

    Binary cross-entropy of ``σ(z)``, computed stably as
    ``softplus(z) − y·z``; its gradient toward ``z`` is ``σ(z) − y``.  Same as
    PyTorch's ``BCEWithLogitsLoss``.
    """
    z_, y_ = _paired(z, y, "binary_cross_entropy_with_logits")
    terms = [mg.softplus(zk) - yk * zk for zk, yk in zip(z_, y_)]
    return _reduce(terms, reduction, "binary_cross_entropy_with_logits", ("mean", "sum"))


def hinge(scores: Scalars, labels: Scalars, reduction: str = "mean") -> Value:
    """最大间隔 (hinge) 损失 max(0, 1 − y·s), 标签 y ∈ {−1, +1}; micrograd 演示所用的损失.

    Max-margin (hinge) loss ``relu(1 − y·s)`` averaged over the samples (as
    in micrograd's demo); labels must be −1 or +1.
    """
    scores_, labels_ = _paired(scores, labels, "hinge")
    for k, y in enumerate(labels_):
        if _data(y) not in (-1.0, 1.0):
            fail(ValueError, f"hinge: 标签必须是 −1 或 +1, labels[{k}] = {_data(y)!r} (0/1 标签请先换成 2y−1)",
                 f"hinge: labels must be -1 or +1, labels[{k}] = {_data(y)!r} (map 0/1 labels with 2y-1)")
    terms = [mg.relu(1 - y * s) for s, y in zip(scores_, labels_)]
    return _reduce(terms, reduction, "hinge", ("mean", "sum"))


max_margin = hinge
"""hinge 的别名 (micrograd 演示中的叫法). Alias of :func:`hinge`."""


# ---- 多分类 multi-class classification ------------------------------------------------------


def softmax(values: Sequence[Scalar]) -> list[Value]:
    """softmax: e^{v_i − m} / Σ_j e^{v_j − m}, m = max v 作为常数减去以免溢出.

    Softmax.  The maximum is subtracted as a constant first (it cancels in the
    ratio), so large scores cannot overflow.
    """
    exps = _shifted_exps(values, "softmax")[0]
    total = mg.sum(exps)
    return [e / total for e in exps]


def log_softmax(values: Sequence[Scalar]) -> list[Value]:
    """log softmax: v_i − logsumexp(v), logsumexp(v) = m + ln Σ_j e^{v_j − m} (数值稳定).

    Log-softmax via the stable log-sum-exp.
    """
    lse = logsumexp(values)
    return [v - lse for v in values]


def logsumexp(values: Sequence[Scalar]) -> Value:
    """ln Σ e^{v_i}, 以 m + ln Σ e^{v_i − m} 稳定计算 (m 是常数). Stable log-sum-exp."""
    exps, m = _shifted_exps(values, "logsumexp")
    return mg.log(mg.sum(exps)) + m


def cross_entropy(logits: Sequence[Scalar] | Sequence[Sequence[Scalar]],
                  target: int | Sequence[int], reduction: str = "mean") -> Value:
    """交叉熵 −ln softmax(logits)[target] = logsumexp(logits) − logits[target].

    Cross-entropy of raw scores against a class index, as PyTorch's
    ``F.cross_entropy``.  ``logits`` is one sample's list of scores with an
    int ``target``, or a list of such lists with a list of targets (then
    ``reduction`` averages or sums over the samples).
    """
    if logits and isinstance(logits[0], Sequence):
        if isinstance(target, int) or len(target) != len(logits):
            fail(ValueError, f"cross_entropy: {len(logits)} 个样本需要同样多的类别标签, 收到 {target!r}",
                 f"cross_entropy: {len(logits)} samples need as many target classes, got {target!r}")
        terms = [cross_entropy(row, t) for row, t in zip(logits, target)]
        return _reduce(terms, reduction, "cross_entropy", ("mean", "sum"))
    if not isinstance(target, int) or isinstance(target, bool) or not 0 <= target < len(logits):
        fail(ValueError, f"cross_entropy: 类别 target 应为 0 到 {len(logits) - 1} 的整数, 收到 {target!r}",
             f"cross_entropy: target must be an int class index in 0..{len(logits) - 1}, got {target!r}")
    return logsumexp(logits) - logits[target]


# ---- 正则化 regularisation ------------------------------------------------------------------


def l2_penalty(params: Iterable[Value] | Module, alpha: float) -> Value:
    """L2 正则项 α·Σw² (params 可以是参数列表或一个 Module). The L2 penalty ``α·Σw²``."""
    params_ = _params(params)
    return alpha * mg.dot(params_, params_)


def regularized_error(errors: Sequence[Scalar], weights: Iterable[Value] | Module, lam: float) -> Value:
    """带正则的总误差 E = λ·(1/m)·ΣE_k + (1−λ)·Σw², λ ∈ [0, 1] 在经验误差与网络复杂度间折中.

    The regularised error ``E = λ·(1/m)·Σ_k E_k + (1−λ)·Σ_i w_i²``: ``errors``
    holds the per-sample errors ``E_k``, ``weights`` the connection weights
    and thresholds (or a Module), ``lam`` trades data fit against complexity.
    """
    if not isinstance(lam, numbers.Real) or not 0.0 <= lam <= 1.0:
        fail(ValueError, f"regularized_error: λ 必须在 [0, 1] 内, 收到 {lam!r}",
             f"regularized_error: lambda must lie in [0, 1], got {lam!r}")
    weights_ = _params(weights)
    return lam * mg.mean(_as_list(errors)) + (1 - lam) * mg.dot(weights_, weights_)


# ---- 内部工具 helpers ---------------------------------------------------------------------


def _as_list(x: Scalars) -> list[Scalar]:
    """单个 Value 或数 → 长度为 1 的列表. A single Value or number becomes a one-item list."""
    return [x] if isinstance(x, (Value, numbers.Real)) else list(x)


def _paired(pred: Scalars, target: Scalars, where: str) -> tuple[list[Scalar], list[Scalar]]:
    """预测与目标配对, 长度必须一致. Pair predictions with targets of the same length."""
    pred_, target_ = _as_list(pred), _as_list(target)
    if len(pred_) != len(target_) or not pred_:
        fail(ValueError, f"{where}: 预测 {len(pred_)} 个, 目标 {len(target_)} 个, 数量必须相同且不为 0",
             f"{where}: got {len(pred_)} predictions and {len(target_)} targets; they must match and be non-empty")
    return pred_, target_


def _reduce(terms: list[Value], reduction: str, where: str, allowed: tuple[str, ...]) -> Value:
    """按 reduction 合并各项: mean / sum / half_sum. Combine per-item terms."""
    if reduction == "mean" and "mean" in allowed:
        return mg.mean(terms)
    if reduction == "sum" and "sum" in allowed:
        return mg.sum(terms)
    if reduction == "half_sum" and "half_sum" in allowed:
        return 0.5 * mg.sum(terms)
    fail(ValueError, f"{where}: 未知的 reduction {reduction!r}; 可选: {', '.join(allowed)}",
         f"{where}: unknown reduction {reduction!r}; valid: {', '.join(allowed)}")


def _shifted_exps(values: Sequence[Scalar], where: str) -> tuple[list[Value], float]:
    """e^{v_i − m} 与 m = max v (常数). The shifted exponentials and the shift."""
    if not values:
        fail(ValueError, f"{where}: 输入不能为空", f"{where} needs at least one value")
    m = max(_data(v) for v in values)
    return [mg.exp(v - m) for v in values], m


def _data(x: Scalar) -> float:
    """Value 的数值或数本身. The number inside a Value, or the number."""
    return x.data if isinstance(x, Value) else float(x)


def _params(params: Iterable[Value] | Module) -> list[Value]:
    """Module 取其 parameters(), 否则转成列表. A Module's parameters, or the given ones."""
    return params.parameters() if isinstance(params, Module) else list(params)
