"""优化器: 用梯度更新参数 (SGD、Adam) 与梯度裁剪, 名字和更新规则与 torch.optim 相同.

Optimizers and gradient clipping, with the names and update rules of
``torch.optim``.  An update reads each parameter's ``.grad`` and changes its
``.data`` only, with plain float arithmetic: it builds no graph nodes.

Typical loop::

    opt = SGD(model.parameters(), lr=0.1)
    for x, y in data:
        opt.zero_grad()
        loss = mse(model(x), y)
        loss.backward()
        opt.step()
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from ..engine import Value, zero_grad
from ..errors import fail
from .module import Module

Params = Iterable[Value] | Module
POSITIVE = ("正数", "a positive number")
NON_NEGATIVE = ("非负数", "a non-negative number")


class Optimizer:
    """优化器基类: 保存参数列表, 提供 zero_grad() 与 state_dict(). Base class of optimizers."""

    hyperparameters: tuple[str, ...] = ("lr",)

    def __init__(self, params: Params, lr: float) -> None:
        name = type(self).__name__
        self.params = _param_list(params, name)
        _check(lr, name, "lr", lambda v: v > 0.0, POSITIVE)
        self.lr = lr
        self.state: dict[str, list[float]] = {}

    def zero_grad(self) -> None:
        """把所有参数的梯度清零 (每次 backward 前调用). Set every parameter's gradient to 0."""
        zero_grad(self.params)

    def step(self) -> None:
        """按梯度更新一次参数. One update; subclasses define it."""
        fail(TypeError, f"{type(self).__name__} 没有定义 step()", f"{type(self).__name__} defines no step()")

    def state_dict(self) -> dict[str, Any]:
        """超参数与内部状态 (如动量) 的副本, 可存为 JSON. Hyperparameters and internal state (JSON-ready)."""
        return {"type": type(self).__name__,
                "hyperparameters": {name: getattr(self, name) for name in self.hyperparameters},
                "state": {key: list(values) for key, values in self.state.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """载入 state_dict() 的结果 (参数个数必须一致). Restore what :meth:`state_dict` returned."""
        name = type(self).__name__
        if not isinstance(state, dict) or state.get("type") != name:
            fail(ValueError, f"{name}.load_state_dict: 这不是 {name} 的状态",
                 f"{name}.load_state_dict: not a {name} state")
        for key, values in state["state"].items():
            if values is not None and len(values) != len(self.params):
                fail(ValueError, f"{name}.load_state_dict: {key} 有 {len(values)} 项, 但参数有 {len(self.params)} 个",
                     f"{name}.load_state_dict: {key} has {len(values)} entries for {len(self.params)} parameters")
        for key, value in state["hyperparameters"].items():
            setattr(self, key, tuple(value) if isinstance(value, list) else value)
        self.state = {key: list(values) for key, values in state["state"].items()}

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameters)
        return f"{type(self).__name__}({len(self.params)} 个参数 parameters, {settings})"


class SGD(Optimizer):
    """随机梯度下降 w ← w − lr·g, 可加动量与权重衰减 (规则同 torch.optim.SGD).

    Stochastic gradient descent.  With ``weight_decay`` the gradient becomes
    ``g + wd·w``; with ``momentum`` μ a velocity ``v ← μ·v + (1−dampening)·g``
    (``v = g`` on the first step) replaces ``g``, or ``g + μ·v`` if
    ``nesterov``.  Then ``w ← w − lr·g``.
    """

    hyperparameters = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    def __init__(self, params: Params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, lr)
        for name, value in (("momentum", momentum), ("weight_decay", weight_decay), ("dampening", dampening)):
            _check(value, "SGD", name, lambda v: v >= 0.0, NON_NEGATIVE)
        if nesterov and (momentum == 0.0 or dampening != 0.0):
            fail(ValueError, "SGD: nesterov 需要 momentum > 0 且 dampening = 0",
                 "SGD: nesterov needs momentum > 0 and dampening = 0")
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.dampening = dampening
        self.nesterov = nesterov

    def step(self) -> None:
        """w ← w − lr·g (g 含权重衰减与动量). One SGD update."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if mu == 0.0:
            for p in self.params:
                g = p.grad + wd * p.data if wd else p.grad
                p.data -= lr * g
            return
        velocity = self.state.get("momentum_buffer")
        first = velocity is None
        if first:
            velocity = self.state["momentum_buffer"] = [0.0] * len(self.params)
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            v = g if first else mu * velocity[i] + (1.0 - self.dampening) * g
            velocity[i] = v
            p.data -= lr * (g + mu * v if self.nesterov else v)


class Adam(Optimizer):
    """Adam: 一阶矩 m 与二阶矩 v 的指数平均, 经偏差修正后 w ← w − lr·m̂/(√v̂ + eps) (同 torch.optim.Adam).

    Adam with PyTorch's update: ``m ← m + (1−β1)(g − m)``,
    ``v ← β2·v + (1−β2)·g²``, then
    ``w ← w − lr/(1−β1^t) · m / (√v/√(1−β2^t) + eps)``.  ``weight_decay``
    adds ``wd·w`` to the gradient (L2, not AdamW).
    """

    hyperparameters = ("lr", "betas", "eps", "weight_decay")

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            fail(ValueError, f"Adam: betas 应为两个数 (β1, β2), 收到 {betas!r}",
                 f"Adam: betas must be two numbers (beta1, beta2), got {betas!r}")
        for name, value in zip(("betas[0]", "betas[1]"), betas):
            _check(value, "Adam", name, lambda v: 0.0 <= v < 1.0, ("[0, 1) 内的数", "a number in [0, 1)"))
        _check(eps, "Adam", "eps", lambda v: v >= 0.0, NON_NEGATIVE)
        _check(weight_decay, "Adam", "weight_decay", lambda v: v >= 0.0, NON_NEGATIVE)
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = eps
        self.weight_decay = weight_decay
        n = len(self.params)
        self.state = {"step": [0.0] * n, "exp_avg": [0.0] * n, "exp_avg_sq": [0.0] * n}

    def step(self) -> None:
        """一次 Adam 更新. One Adam update."""
        beta1, beta2 = self.betas
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        steps, m, v = self.state["step"], self.state["exp_avg"], self.state["exp_avg_sq"]
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            steps[i] += 1.0
            m[i] += (1.0 - beta1) * (g - m[i])
            v[i] = v[i] * beta2 + (1.0 - beta2) * g * g
            step_size = lr / (1.0 - beta1 ** steps[i])
            denom = math.sqrt(v[i]) / math.sqrt(1.0 - beta2 ** steps[i]) + eps
            p.data -= step_size * m[i] / denom


# ---- 梯度裁剪 gradient clipping ---------------------------------------------------------------


def clip_grad_norm(params: Params, max_norm: float, norm_type: float = 2.0) -> float:
    """按总范数裁剪梯度: 若 ‖g‖ > max_norm, 所有梯度乘以 max_norm/(‖g‖ + 1e-6); 返回裁剪前的 ‖g‖.

    Clip gradients by their total norm, as ``torch.nn.utils.clip_grad_norm_``:
    every gradient is scaled by ``max_norm / (total + 1e-6)`` when that is
    below 1.  ``norm_type`` is p of the p-norm (``math.inf`` for the largest
    absolute gradient).  Returns the total norm *before* clipping.
    """
    params_ = _param_list(params, "clip_grad_norm")
    _check(max_norm, "clip_grad_norm", "max_norm", lambda v: v >= 0.0, NON_NEGATIVE)
    _check(norm_type, "clip_grad_norm", "norm_type", lambda v: v > 0.0, POSITIVE, finite=False)
    grads = [abs(p.grad) for p in params_]
    if norm_type == math.inf:
        total = max(grads)
    else:
        total = math.fsum(g ** norm_type for g in grads) ** (1.0 / norm_type)
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for p in params_:
            p.grad *= scale
    return total


def clip_grad_value(params: Params, clip: float) -> None:
    """把每个梯度按值裁剪到 [−clip, clip] 内 (同 torch.nn.utils.clip_grad_value_). Clamp every gradient."""
    params_ = _param_list(params, "clip_grad_value")
    _check(clip, "clip_grad_value", "clip", lambda v: v >= 0.0, NON_NEGATIVE)
    for p in params_:
        p.grad = min(max(p.grad, -clip), clip)


# ---- 内部工具 helpers -------------------------------------------------------------------------


def _param_list(params: Params, where: str) -> list[Value]:
    """参数列表: 非空、都是 Value、没有重复. A non-empty list of distinct Values."""
    params_ = params.parameters() if isinstance(params, Module) else list(params)
    if not params_:
        fail(ValueError, f"{where}: 参数列表为空", f"{where}: the parameter list is empty")
    for p in params_:
        if not isinstance(p, Value):
            fail(TypeError, f"{where}: 参数必须是 Value, 收到 {type(p).__name__} {p!r}",
                 f"{where}: parameters must be Values, got {type(p).__name__} {p!r}")
    if len({id(p) for p in params_}) != len(params_):
        fail(ValueError, f"{where}: 同一个参数出现了多次", f"{where}: a parameter appears more than once")
    return params_


def _check(value: object, where: str, name: str, ok: Callable[[float], bool], expected: tuple[str, str],
           finite: bool = True) -> None:
    """检查一个超参数: 是实数、(默认) 有限且满足条件 ok. Check one hyperparameter."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) \
            or (finite and value - value != 0) or value != value or not ok(value):
        fail(ValueError, f"{where}: {name} 必须是{expected[0]}, 收到 {value!r}",
             f"{where}: {name} must be {expected[1]}, got {value!r}")
