"""Module: 所有网络的基类 —— 参数的收集、清零、保存与加载 (与 PyTorch 同名).

The base class of every network: collecting, zeroing, saving and loading
parameters, with PyTorch's names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..collector import collector_paused
from ..engine import Value, zero_grad
from ..errors import fail

STATE_FORMAT = "micrograd_cn.state_dict"
STATE_VERSION = 1


class Module:
    """网络的基类: 子类实现 forward(); 参数是属性中的 Value、子 Module 及它们的列表.

    Base class of networks.  Subclasses implement ``forward``; parameters are
    found in attributes that are Values, Modules, or lists/tuples of them, in
    the order the attributes were assigned (weights before bias, as in
    micrograd).
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """调用 forward(), 期间暂停循环垃圾回收 (见 collector.py). Run ``forward``."""
        with collector_paused():
            return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """前向传播, 由子类实现. The forward pass; subclasses define it."""
        fail(TypeError, f"{type(self).__name__} 没有定义 forward()", f"{type(self).__name__} defines no forward()")

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """按顺序给出 (名字, 参数), 名字如 ``layers.0.neurons.1.w.0``. Yield (name, parameter) pairs."""
        for name, attribute in vars(self).items():
            if not name.startswith("_"):
                yield from _walk(attribute, f"{prefix}{name}")

    def parameters(self) -> list[Value]:
        """全部参数的列表 (顺序固定). All parameters, in a fixed order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """把所有参数的梯度清零. Set every parameter's gradient to 0."""
        zero_grad(self.parameters())

    def state_dict(self) -> dict[str, float]:
        """参数名 → 数值 (有序字典). Parameter name → value, in order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, float]) -> None:
        """从 state_dict 载入参数; 名字必须完全一致. Load parameters; the names must match exactly."""
        own = dict(self.named_parameters())
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        if missing or unexpected:
            fail(KeyError, f"参数名不匹配: 缺少 {missing}, 多出 {unexpected}",
                 f"parameter names do not match: missing {missing}, unexpected {unexpected}")
        for name, p in own.items():
            value = state[name]
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value - value != 0:
                fail(ValueError, f"参数 {name} 的值必须是有限数, 收到 {value!r}",
                     f"parameter {name} must be a finite number, got {value!r}")
            p.data = float(value)

    def save(self, path: str | Path) -> None:
        """把参数存为 JSON 文件 (float 精确往返). Save the parameters as JSON (exact round trip)."""
        document = {"format": STATE_FORMAT, "version": STATE_VERSION,
                    "model": type(self).__name__, "parameters": self.state_dict()}
        Path(path).write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")

    def load(self, path: str | Path) -> None:
        """从 save() 写的 JSON 文件载入参数. Load parameters written by :meth:`save`."""
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            fail(ValueError, f"无法读取参数文件 {path}: {error}", f"cannot read parameter file {path}: {error}")
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT \
                or not isinstance(document.get("parameters"), dict):
            fail(ValueError, f"{path} 不是 micrograd_cn 的参数文件", f"{path} is not a micrograd_cn parameter file")
        self.load_state_dict(document["parameters"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(参数 parameters={len(self.parameters())})"


def _walk(attribute: object, name: str) -> Iterator[tuple[str, Value]]:
    """在一个属性里找参数. Find parameters inside one attribute."""
    if isinstance(attribute, Value):
        yield name, attribute
    elif isinstance(attribute, Module):
        yield from attribute.named_parameters(prefix=f"{name}.")
    elif isinstance(attribute, (list, tuple)):
        for i, item in enumerate(attribute):
            yield from _walk(item, f"{name}.{i}")
