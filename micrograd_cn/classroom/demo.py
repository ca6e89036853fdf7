"""演示: 种子文章中的 e = (a+b)(b+1), a=2, b=1 —— 梯度、堆放表、路径求和, 以及图和 HTML 播放器.

The demo run by ``python -m micrograd_cn`` (and ``micrograd-cn demo``): the
chain-rule example e = (a+b)(b+1) at a=2, b=1 with its gradients, the table
of accumulations (堆放), the path-sum view of ∂e/∂b and how path summing
repeats work on a wider graph; it writes ``micrograd_cn_demo/e.svg`` and
``micrograd_cn_demo/e.html`` in the current directory when the ``viz`` extra
is installed.
"""

from __future__ import annotations

from pathlib import Path

from ..backprop.trace import backward_multiplications, backward_steps, path_sum_multiplications, path_sums, text_table
from ..engine import Value

DEMO_DIR = Path("micrograd_cn_demo")
"""演示文件写入的目录 (相对当前目录). Where the demo writes its files."""


def chain_rule_example(a: float = 2.0, b: float = 1.0) -> dict[str, Value]:
    """建立 e = (a+b)(b+1) 的计算图 (中间变量 c = a+b, d = b+1). Build the seed's example graph."""
    va, vb = Value(a, "a"), Value(b, "b")
    c = va + vb
    c.label = "c"
    d = vb + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    return {"a": va, "b": vb, "c": c, "d": d, "e": e}


def diamond_ladder(layers: int, x: float = 1.0) -> tuple[Value, Value]:
    """菱形梯子: 每层 v ← 2v + 3v (两条支路再汇合), 从 x 到输出共 2^layers 条路径, ∂out/∂x = 5^layers.

    A ladder of diamonds: each layer splits ``v`` into ``2v`` and ``3v`` and
    joins them again, so the number of paths from ``x`` to the output doubles
    per layer while the graph grows by only three nodes.  Returns ``(x, out)``.
    """
    leaf = v = Value(x, "x")
    for _ in range(layers):
        v = v * 2 + v * 3
    v.label = "y"
    return leaf, v


def redundancy_table(layer_counts: tuple[int, ...] = (1, 2, 4, 8, 16)) -> str:
    """菱形梯子上路径求和与反向传播的乘法次数对比表. Multiplications of path sums vs backward on the ladder."""
    rows = []
    for n in layer_counts:
        x, out = diamond_ladder(n)
        rows.append([str(n), str(2**n), str(path_sum_multiplications(out, [x])), str(backward_multiplications(out))])
    headers = [["层数", "路径数", "路径求和乘法", "反向传播乘法"],
               ["layers", "paths", "path-sum mults", "backward mults"]]
    return text_table(headers, rows, (True,) * 4)


def write_pictures(directory: Path = DEMO_DIR) -> list[Path]:
    """用 viz 写出 e.svg 与 e.html; 缺少 graphviz 或渲染器时抛出 ImportError / RuntimeError.

    Write the example's graph (SVG) and step-through player (HTML) with viz.
    """
    from ..viz import draw_dot, export_html, render

    directory.mkdir(parents=True, exist_ok=True)
    e = chain_rule_example()["e"]
    e.backward()
    svg = render(draw_dot(e), directory / "e.svg")
    return [svg, export_html(chain_rule_example()["e"], directory / "e.html", lang="zh")]


def main() -> int:
    """打印例子的值、梯度、堆放表、等式和路径求和, 并写出图与播放器. Print the example and write its pictures."""
    nodes = chain_rule_example()
    e = nodes["e"]
    steps = backward_steps(e)
    print("e = (a+b)(b+1), c = a+b, d = b+1;  a = 2, b = 1")
    print(f"e = {e.data:g}")
    print("  ".join(f"∂e/∂{name} = {nodes[name].grad:g}" for name in "abcd"))
    print("\n反向传播, 逐步堆放 (backward pass, one accumulation at a time):")
    print(steps.table("zh"))
    print()
    print(steps.equations("zh"))
    print("\n路径求和 (the path-sum view):")
    print(path_sums(e, nodes["b"]))
    total, backward = path_sum_multiplications(e), backward_multiplications(e)
    print(f"求 a 与 b 两个梯度: 路径求和 {total} 次乘法, 反向传播 {backward} 次 "
          f"(both inputs: path sums {total} multiplications, backward {backward})")
    print("\n路径求和重复计算: 菱形梯子 v ← 2v + 3v (path summing repeats work on a ladder of diamonds):")
    print(redundancy_table())
    print()
    try:
        written = write_pictures()
    except (ImportError, RuntimeError, OSError) as error:
        print(f"没有画图 (no pictures): {error}")
        return 0
    for path in written:
        print(f"已写入 wrote: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
