"""micrograd_cn: 为课堂而写的标量反向传播引擎.

A small, exact scalar reverse-mode autodiff engine for teaching
backpropagation (反向传播).  The engine is imported eagerly and has no
third-party dependencies; everything else (rendering, step-through players,
neural networks, training, the PyTorch bridge) loads on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .engine import (
    Value,
    as_value,
    cos,
    custom_op,
    dot,
    exp,
    is_grad_enabled,
    leaky_relu,
    log,
    mean,
    no_grad,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    sum,  # noqa: F401  (公开为 mg.sum, 但不在 __all__ 中)
    tanh,
    zero_grad,
)
from .gradcheck import GradcheckReport, gradcheck
from .graph import topological_order

__version__ = "0.1.0"

# 按需加载的名字 → 所在模块. Names loaded on first use → their module.
_LAZY: dict[str, str] = {
    # 看见反向传播 seeing backprop
    "draw_dot": "viz",
    "render": "viz",
    "step_through": "viz",
    "export_html": "viz",
    "to_svg": "viz",
    "frames": "viz",
    "player_data": "viz",
    "backward_steps": "trace",
    "path_sums": "trace",
    "BackwardSteps": "trace",
    "check_answer": "diagnose",
    "quiz_data": "diagnose",
    # 神经网络与训练 networks and training
    "check_manual_gradients": "manual",
    "layer_deltas": "deltas",
    "fit": "train",
    "binary_accuracy": "train",
    "plot_history": "plots",
    "plot_decision_boundary": "plots",
    "to_torch": "bridge",
    "from_torch": "bridge",
    # 课堂 classroom
    "exercises": "classroom.exercises",
}
_SUBMODULES = {"nn", "optim", "train", "datasets", "examples", "bridge", "viz", "trace", "cli", "manual", "diagnose",
               "classroom", "deltas", "dynamics", "sequence_tasks", "plots", "expr", "graph", "engine"}

__all__ = [
    "GradcheckReport", "Value", "as_value", "cos", "custom_op", "dot", "exp", "gradcheck", "is_grad_enabled",
    "leaky_relu", "log", "mean", "no_grad", "relu", "sigmoid", "sin", "softplus", "sqrt", "tanh",
    "topological_order", "zero_grad", *_LAZY,
]  # `sum` 不在其中, 以免 `import *` 遮住内置 sum. `sum` is left out so `import *` keeps the builtin.


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'micrograd_cn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
