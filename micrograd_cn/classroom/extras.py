"""每一课开头的检查: 这一课要的可选依赖 (extras) 装好了没有, 缺了会怎样, 怎么装.

The check at the top of each lesson: are the optional dependencies
("extras" of ``pip install "micrograd_cn[...]"``) that this lesson uses
installed?  One line per extra says what works, or what will not and the
command that installs it.  The engine itself needs none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from ..errors import fail

EXTRAS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "viz": (("graphviz",), "计算图与逐步播放器", "graphs and the step-through player"),
    "train": (("matplotlib", "numpy", "tqdm"), "曲线、决策边界与进度条",
              "plots, decision boundaries and progress bars"),
    "torch": (("torch",), "与 PyTorch 对照", "the comparison with PyTorch"),
}
"""extra 的名字 → (要导入的模块, 它提供什么 (中文, 英文)). Each extra: its modules and what it gives."""


def _importable(module: str) -> bool:
    try:
        import_module(module)
    except ImportError:
        return False
    return True


def _missing_parts(name: str) -> list[str]:
    """一个 extra 中缺少的部分 (模块名, 或 viz 的渲染器). What of one extra is missing."""
    missing = [module for module in EXTRAS[name][0] if not _importable(module)]
    if name == "viz" and not missing:
        from ..viz.renderer import find_renderer

        if find_renderer() is None:
            missing.append("graphviz-pure (renderer)")
    return missing


@dataclass(frozen=True)
class ExtrasReport:
    """检查的结果: 每个 extra 是否可用, 缺了什么. Which extras are ready and what is missing."""

    ready: dict[str, bool]
    missing: dict[str, list[str]]

    def __bool__(self) -> bool:
        return all(self.ready.values())

    def __getitem__(self, name: str) -> bool:
        return self.ready[name]

    def lines(self) -> list[str]:
        """每个 extra 一行 (中文, 英文). One bilingual line per extra."""
        out = []
        for name, ok in self.ready.items():
            _, zh, en = EXTRAS[name]
            if ok:
                out.append(f"✓ [{name}] 已安装: {zh} (installed: {en})")
            else:
                parts = ", ".join(self.missing[name])
                out.append(f'✗ [{name}] 缺少 {parts}: {zh}将无法显示; 请运行 pip install "micrograd_cn[{name}]" '
                           f'(missing {parts}: {en} will not work; run pip install "micrograd_cn[{name}]")')
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def check_extras(*names: str, required: bool = False) -> ExtrasReport:
    """检查这一课要用的 extras (viz、train、torch), 每个一行说明; required=True 时缺了就报错.

    Check the extras a lesson uses and describe each in one line (shown
    when the report is the cell's result).  With ``required=True`` a missing
    extra raises ImportError naming the ``pip install`` command, so that the
    lesson stops at its top with that message rather than later with a bare
    ``ModuleNotFoundError``.
    """
    unknown = [name for name in names if name not in EXTRAS]
    if unknown or not names:
        fail(ValueError, f"check_extras: 只认识 {', '.join(EXTRAS)}, 收到 {list(names)!r}",
             f"check_extras knows {', '.join(EXTRAS)}, got {list(names)!r}")
    missing = {name: _missing_parts(name) for name in names}
    report = ExtrasReport({name: not parts for name, parts in missing.items()}, missing)
    if required and not report:
        absent = [name for name, ok in report.ready.items() if not ok]
        command = f'pip install "micrograd_cn[{",".join(absent)}]"'
        fail(ImportError, f"这一课需要 {', '.join(absent)}: {command}",
             f"this lesson needs {', '.join(absent)}: {command}")
    return report
