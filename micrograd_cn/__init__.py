"""micrograd_cn: 为课堂而写的标量反向传播引擎.

A small, exact scalar reverse-mode autodiff engine for teaching
backpropagation (反向传播).  The engine is imported eagerly and has no
third-party dependencies; everything else (rendering, step-through players,
neural networks, training, the PyTorch bridge) loads on first use.

包的分层 (箭头只向下). The layers, arrows pointing down only::

    根目录 core    engine, ops, graph, errors, collector, gradcheck
    backprop/      记录的反向传播、解释、错误诊断 (用 core 与 nn)
    nn/            网络、损失、优化器、训练、数据集 (只用 core)
    viz/           把记录画出来: DOT、播放器 (用 core 与 backprop)
    classroom/     课堂材料: 例题、练习、动态、演示、绘图 (用 app 以外的一切)
    app/           命令行、表达式解析、站点服务器、浏览器桥 (只有 app 用 app)
"""

from __future__ import annotations

import importlib as _importlib
import importlib.util as _importlib_util
import sys as _sys

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
    "backward_steps": "backprop.trace",
    "path_sums": "backprop.trace",
    "BackwardSteps": "backprop.trace",
    "check_answer": "backprop.diagnose",
    "quiz_data": "backprop.diagnose",
    "check_manual_gradients": "backprop.manual",
    "layer_deltas": "backprop.deltas",
    # 神经网络与训练 networks and training (mg.MLP 即 mg.nn.MLP, 如 micrograd.nn)
    "Neuron": "nn",
    "Layer": "nn",
    "MLP": "nn",
    "fit": "nn.train",
    "binary_accuracy": "nn.train",
    "micrograd_repr": "nn.spelling",
    "to_torch": "nn.bridge",
    "from_torch": "nn.bridge",
    # 课堂 classroom
    "plot_history": "classroom.plots",
    "plot_decision_boundary": "classroom.plots",
    "plot_curve": "classroom.plots",
    "exercises": "classroom.exercises",
    "check_extras": "classroom.extras",
    # 全班作答的课堂 the live classroom (需要 web 依赖 needs the web extra)
    "live": "app.live",
}
_SUBPACKAGES = ("backprop", "nn", "viz", "classroom", "app")
_CORE_MODULES = ("engine", "ops", "graph", "errors", "collector", "gradcheck")

# 旧的模块路径 → 现在的位置 (旧代码与课程照常导入). Old module paths → where they live now.
MOVED_MODULES: dict[str, str] = {
    "trace": "backprop.trace",
    "diagnose": "backprop.diagnose",
    "manual": "backprop.manual",
    "deltas": "backprop.deltas",
    "optim": "nn.optim",
    "train": "nn.train",
    "datasets": "nn.datasets",
    "bridge": "nn.bridge",
    "examples": "classroom.examples",
    "dynamics": "classroom.dynamics",
    "sequence_tasks": "classroom.sequence_tasks",
    "demo": "classroom.demo",
    "plots": "classroom.plots",
    "cli": "app.cli",
    "expr": "app.expr",
    "serve": "app.serve",
    "browser": "app.browser",
}

__all__ = [
    "GradcheckReport", "Value", "as_value", "cos", "custom_op", "dot", "exp", "gradcheck", "is_grad_enabled",
    "leaky_relu", "log", "mean", "no_grad", "relu", "sigmoid", "sin", "softplus", "sqrt", "tanh",
    "topological_order", "zero_grad", *_LAZY,
]  # `sum` 不在其中, 以免 `import *` 遮住内置 sum. `sum` is left out so `import *` keeps the builtin.


class _MovedModuleFinder:
    """让旧路径 (如 micrograd_cn.trace) 导入到新位置的同一个模块对象.

    Makes an old path such as ``micrograd_cn.trace`` import the very module
    object that now lives at ``micrograd_cn.backprop.trace``: one module, two
    names, so ``monkeypatch`` and ``isinstance`` see no difference.
    """

    _real_specs: dict[str, object] = {}

    @staticmethod
    def find_spec(fullname: str, path: object = None, target: object = None) -> object:
        prefix, _, name = fullname.rpartition(".")
        if prefix != __name__ or name not in MOVED_MODULES:
            return None
        return _importlib_util.spec_from_loader(fullname, _MovedModuleFinder)

    @staticmethod
    def create_module(spec: object) -> object:
        module = _importlib.import_module(f"{__name__}.{MOVED_MODULES[spec.name.rpartition('.')[2]]}")
        _MovedModuleFinder._real_specs[module.__name__] = module.__spec__
        return module

    @staticmethod
    def exec_module(module: object) -> None:
        # 导入机制把 __spec__ 改成了旧名字的, 改回来. The import system set the old name's spec: put it back.
        module.__spec__ = _MovedModuleFinder._real_specs.pop(module.__name__)


if not any(isinstance(finder, type) and finder.__name__ == "_MovedModuleFinder" for finder in _sys.meta_path):
    _sys.meta_path.append(_MovedModuleFinder)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(_importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBPACKAGES or name in _CORE_MODULES:
        return _importlib.import_module(f".{name}", __name__)
    if name in MOVED_MODULES:
        return _importlib.import_module(f".{MOVED_MODULES[name]}", __name__)
    raise AttributeError(f"module 'micrograd_cn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, "sum", "__version__", *_SUBPACKAGES, *_CORE_MODULES, *MOVED_MODULES})
