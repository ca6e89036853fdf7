"""与 PyTorch 互转: MLP ↔ torch.nn.Sequential (Linear + 激活), 权重完全相同, float64.

The bridge to PyTorch, for when a class outgrows a scalar engine.

``to_torch(model)`` builds a ``torch.nn.Sequential`` of ``nn.Linear`` layers
(float64) followed by the matching activation modules, with identical
weights: ``Linear.weight[j][i]`` is ``model.layers[l].neurons[j].w[i]`` (our
``nout × nin`` layout is ``nn.Linear``'s).  ``from_torch(sequential)`` goes
back to an :class:`~micrograd_cn.nn.MLP`.  In float64 both sides compute the
same outputs and gradients up to rounding (≤ 1e-12).

Other kinds of network plug in through two small tables keyed by the module
that defines the class (``type(obj).__module__``) — a value ``"package.module:function"``
names the converter, imported on first use:

- :data:`TO_TORCH`: our model class's module → converter to a torch module;
- :data:`FROM_TORCH`: a torch class's module → converter back.

Recurrent networks are registered this way (``micrograd_cn.nn.recurrent_torch``).
torch is imported only when a conversion runs.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ..errors import fail
from .activations import LEAKY_SLOPE
from .layers import MLP
from .module import Module

TO_TORCH: dict[str, str] = {
    "micrograd_cn.nn.recurrent": "micrograd_cn.nn.recurrent_torch:rnn_to_torch",
}
"""我们的模型类所在模块 → 转成 torch 的函数. Our model's module → its converter to torch."""

FROM_TORCH: dict[str, str] = {
    "torch.nn.modules.rnn": "micrograd_cn.nn.recurrent_torch:rnn_from_torch",
}
"""torch 模块类所在模块 → 转回来的函数. A torch class's module → its converter back."""

TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU"}
"""激活函数名 → torch.nn 中的类名 ("linear" 不需要模块). Activation name → torch.nn class name."""

Spec = tuple[list[list[float]], list[float], str]


def torch_module() -> Any:
    """导入 torch; 没有安装时给出双语提示. Import torch, or explain how to install it."""
    try:
        import torch
    except ImportError:
        fail(ImportError, '需要 PyTorch: pip install "micrograd_cn[torch]" (即 torch==2.13.0)',
             'PyTorch is needed: pip install "micrograd_cn[torch]" (that is, torch==2.13.0)')
    return torch


def _registered(table: dict[str, str], obj: Any) -> Any:
    """按 type(obj).__module__ 在表中找转换函数 (找不到为 None). The registered converter for obj, if any."""
    target = table.get(type(obj).__module__)
    if target is None:
        return None
    module, _, function = target.partition(":")
    return getattr(import_module(module), function)


def _specs(model: Any) -> list[Spec]:
    """每层的 (权重 nout×nin, 偏置, 激活名): MLP, Layer 或单个 Neuron. Every layer's (weights, biases, activation)."""
    if hasattr(model, "layers"):
        return [spec for layer in model.layers for spec in _specs(layer)]
    if hasattr(model, "neurons"):
        weights, biases = model.get_weights()
        return [(weights, biases, model.activation)]
    if hasattr(model, "w") and hasattr(model, "b") and hasattr(model, "activation"):
        return [([[w.data for w in model.w]], [model.b.data], model.activation)]
    fail(TypeError, f"to_torch: 不知道如何转换 {type(model).__name__} (支持 MLP, Layer, Neuron 及 TO_TORCH 登记的网络)",
         f"to_torch: cannot convert {type(model).__name__} (supported: MLP, Layer, Neuron and the networks "
         "registered in TO_TORCH)")


def to_torch(model: Module) -> Any:
    """建一个权重相同的 torch 模块 (float64): MLP/Layer/Neuron → nn.Sequential(Linear, 激活, …).

    A float64 PyTorch copy of ``model``.  An MLP, Layer or Neuron becomes
    ``nn.Sequential(Linear, activation, Linear, activation, …)`` ("linear"
    adds no module; leaky_relu is ``nn.LeakyReLU(0.01)``).  Networks
    registered in :data:`TO_TORCH` (recurrent ones) use their converter.
    """
    convert = _registered(TO_TORCH, model)
    if convert is not None:
        return convert(model)
    specs = _specs(model)
    torch = torch_module()
    modules = []
    with torch.no_grad():
        for weights, biases, activation in specs:
            linear = torch.nn.Linear(len(weights[0]), len(weights), dtype=torch.float64)
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
            modules.append(linear)
            if activation == "leaky_relu":
                modules.append(torch.nn.LeakyReLU(LEAKY_SLOPE))
            elif activation != "linear":
                modules.append(getattr(torch.nn, TORCH_ACTIVATIONS[activation])())
    return torch.nn.Sequential(*modules)


def _activation_name(torch: Any, module: Any) -> str:
    """torch 激活模块 → 我们的激活名; 不支持时报错. A torch activation module → our activation name."""
    for name, class_name in TORCH_ACTIVATIONS.items():
        if type(module) is getattr(torch.nn, class_name):
            if name == "leaky_relu" and module.negative_slope != LEAKY_SLOPE:
                fail(ValueError, f"from_torch: LeakyReLU 的斜率必须是 {LEAKY_SLOPE}, 收到 {module.negative_slope}",
                     f"from_torch: LeakyReLU needs negative_slope {LEAKY_SLOPE}, got {module.negative_slope}")
            return name
    supported = "Linear, Identity, " + ", ".join(TORCH_ACTIVATIONS.values())
    fail(TypeError, f"from_torch: 不支持的模块 {type(module).__name__}; 支持: {supported}",
         f"from_torch: unsupported module {type(module).__name__}; supported: {supported}")


def from_torch(module: Any) -> Module:
    """由 torch 模块建一个权重相同的网络: nn.Sequential(Linear, 激活, …) 或单个 nn.Linear → MLP.

    An MLP with the weights of ``nn.Sequential(Linear, activation, …)`` (or
    of a single ``nn.Linear``).  Each Linear may be followed by one of ReLU,
    Tanh, Sigmoid, LeakyReLU(0.01) (``nn.Identity`` is skipped); as in
    :class:`MLP`, every hidden layer must use the same activation.  A Linear
    without bias gets zero biases.  Modules registered in :data:`FROM_TORCH`
    (``nn.RNN``, ``nn.GRU``, ``nn.LSTM``) use their converter.
    """
    convert = _registered(FROM_TORCH, module)
    if convert is not None:
        return convert(module)
    torch = torch_module()
    children = [module] if isinstance(module, torch.nn.Linear) else list(module) \
        if isinstance(module, torch.nn.Sequential) else None
    if children is None:
        fail(TypeError, f"from_torch: 需要 nn.Sequential 或 nn.Linear, 收到 {type(module).__name__}",
             f"from_torch needs an nn.Sequential or nn.Linear, got {type(module).__name__}")
    weights: list[list[list[float]]] = []
    biases: list[list[float]] = []
    activations: list[str] = []
    for child in children:
        if isinstance(child, torch.nn.Identity):
            continue
        if isinstance(child, torch.nn.Linear):
            weights.append(child.weight.detach().to(torch.float64).tolist())
            biases.append(child.bias.detach().to(torch.float64).tolist() if child.bias is not None
                          else [0.0] * child.out_features)
            activations.append("linear")
            continue
        name = _activation_name(torch, child)
        if not activations or activations[-1] != "linear":
            fail(ValueError, f"from_torch: 激活 {type(child).__name__} 前面必须紧跟一个 Linear",
                 f"from_torch: activation {type(child).__name__} must directly follow a Linear")
        activations[-1] = name
    if not weights:
        fail(ValueError, "from_torch: 模块里没有 Linear 层", "from_torch: the module has no Linear layer")
    hidden = set(activations[:-1])
    if len(hidden) > 1:
        fail(ValueError, f"from_torch: MLP 的隐藏层必须用同一种激活, 收到 {activations[:-1]}",
             f"from_torch: an MLP's hidden layers share one activation, got {activations[:-1]}")
    return MLP.from_weights(weights, biases, activation=hidden.pop() if hidden else "relu",
                            output_activation=activations[-1])
