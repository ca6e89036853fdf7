"""包的分层: 从源码读出 (用 ast, 不执行任何导入) 谁导入谁, 检查箭头只向下, 画出分层图.

The package's layers, read from the source with :mod:`ast` (nothing is
imported or run): who imports whom, whether every arrow points down a layer,
and the picture of it for the docs' architecture page.  The test
``tests/test_layers.py`` and the docs hook both use this one module, so the
rules the test enforces are the rules the page shows.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "micrograd_cn"

LAYERS: dict[str, str] = {
    "core": "根目录: 引擎、算子、图的遍历、梯度检查、错误. The engine a student reads.",
    "nn": "nn/: 网络、损失、优化器、训练、数据集、PyTorch 桥接. Networks and training.",
    "backprop": "backprop/: 记录的反向传播、解释、错误诊断、手推检查、误差项. The recorded pass and its analyses.",
    "viz": "viz/: 把记录画出来: DOT、图片、逐步播放器. Drawing the record.",
    "classroom": "classroom/: 例题、练习、练习单、动态、序列任务、演示、作图. Lesson aids.",
    "app": "app/: 命令行、表达式解析、站点服务器、浏览器桥. The faces a user runs.",
}
"""每一层与它的一句话说明, 从下到上. Each layer and its one-line description, bottom up."""

MAY_IMPORT: dict[str, frozenset[str]] = {
    "core": frozenset({"core"}),
    "nn": frozenset({"core", "nn"}),
    "backprop": frozenset({"core", "nn", "backprop"}),
    "viz": frozenset({"core", "backprop", "viz"}),
    "classroom": frozenset({"core", "nn", "backprop", "viz", "classroom"}),
    "app": frozenset(LAYERS),
}
"""每一层可以导入哪些层: 箭头只向下; nn 与 backprop 不画图; 只有 app 导入 app.

Which layers each layer may import: arrows point down only; neither nn nor
the recorded pass draws; nothing but app imports app."""

ENTRY_POINTS = {"micrograd_cn.__main__": "app"}
"""根目录里属于上层的入口 (python -m micrograd_cn 即命令行). Root files that are a face: ``python -m``."""


def module_name(path: Path) -> str:
    """文件对应的模块名. The dotted module name of a file of the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """包里的全部模块 → 文件. Every module of the package and its file."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in path.parts}


def layer_of(module: str) -> str:
    """模块所在的层: 根目录是 core, 子包是同名的层. The layer of a module: its subpackage, or core at the root."""
    if module in ENTRY_POINTS:
        return ENTRY_POINTS[module]
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "core"


def _resolve(node: ast.ImportFrom | ast.Import, module: str, is_package: bool, known: set[str]) -> list[str]:
    """一条 import 语句指向的包内模块. The package modules one import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in known]
    if node.level == 0:
        base = node.module or ""
    else:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    targets = []
    for alias in node.names:  # from . import datasets: 名字本身是子模块. The name is a submodule.
        if f"{base}.{alias.name}" in known:
            targets.append(f"{base}.{alias.name}")
        elif base in known:
            targets.append(base)
    return targets


def imports() -> dict[str, set[str]]:
    """每个模块导入的包内模块 (函数里的惰性导入也算). Each module's imports inside the package, lazy ones too."""
    found = modules()
    known = set(found)
    graph: dict[str, set[str]] = {}
    for module, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets.update(_resolve(node, module, path.name == "__init__.py", known))
        graph[module] = targets - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """导入环 (强连通分量, 多于一个模块的). Import cycles: strongly connected groups of two or more modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:  # 迭代式 Tarjan. Iterative Tarjan.
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """违反分层的导入 (导入者, 被导入者). Imports that run up a layer or sideways where not allowed."""
    return sorted((module, target) for module, targets in graph.items() for target in targets
                  if layer_of(target) not in MAY_IMPORT[layer_of(module)])


def layer_edges(graph: dict[str, set[str]]) -> Counter[tuple[str, str]]:
    """层与层之间的导入数. How many module imports run from one layer to another."""
    return Counter((layer_of(module), layer_of(target)) for module, targets in graph.items() for target in targets
                   if layer_of(module) != layer_of(target))


def layer_dot(graph: dict[str, set[str]]) -> str:
    """分层图的 DOT 文本: 每层一个框, 框里是它的模块, 箭头上是导入数. The layer picture as DOT."""
    members = {layer: _members(graph, layer) for layer in LAYERS}
    lines = ['digraph layers {', '  rankdir=BT; node [shape=box, style="rounded,filled", fillcolor="#eef2ff",'
             ' fontname="Helvetica", fontsize=14]; edge [color="#475569", fontsize=12];']
    for layer, names in members.items():
        folder = "micrograd_cn/" if layer == "core" else f"{layer}/"
        shown = ", ".join(names)
        label = f"{folder}\\n{_wrap(shown)}"
        lines.append(f'  {layer} [label="{label}"];')
    for (source, target), count in sorted(layer_edges(graph).items()):
        lines.append(f'  {source} -> {target} [label="{count}"];')
    lines.append("}")
    return "\n".join(lines)


def _members(graph: dict[str, set[str]], layer: str) -> list[str]:
    """一层的模块短名, 不含包自己的 __init__. The short names of a layer's modules, without the package itself."""
    own = {"micrograd_cn", f"micrograd_cn.{layer}"}
    return sorted(m.rpartition(".")[2] for m in graph if layer_of(m) == layer and m not in own)


def _wrap(text: str, width: int = 48) -> str:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + len(word) > width:
            lines.append(line.rstrip())
            line = ""
        line += word + " "
    lines.append(line.rstrip())
    return "\\n".join(lines)


def folder_table(graph: dict[str, set[str]]) -> str:
    """每个文件夹一行的 Markdown 表: 模块、可以导入的层. One Markdown row per folder."""
    rows = ["| 层 layer | 模块 modules | 可以导入 may import | 说明 what lives there |", "|---|---|---|---|"]
    for layer, description in LAYERS.items():
        names = ", ".join(f"`{name}`" for name in _members(graph, layer))
        allowed = ", ".join(name for name in LAYERS if name in MAY_IMPORT[layer])
        rows.append(f"| {layer} | {names} | {allowed} | {description} |")
    return "\n".join(rows)
