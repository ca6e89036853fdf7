"""演示: 种子文章中的 e = (a+b)(b+1), a=2, b=1.

The demo run by ``python -m micrograd_cn``: the chain-rule example
e = (a+b)(b+1) at a=2, b=1, its gradients and the piling-up of each step.
"""

from __future__ import annotations

from .engine import Value, propagate


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


def main() -> None:
    """打印数值、梯度和每一步堆放. Print values, gradients and every accumulation."""
    nodes = chain_rule_example()
    e = nodes["e"]
    print("e = (a+b)(b+1), a = 2, b = 1")
    print(f"e = {e.data:g}")

    def show(node: Value, parent: Value, local: float, before: float) -> None:
        print(f"  ∂e/∂{parent.label} += ∂e/∂{node.label} · ∂{node.label}/∂{parent.label}"
              f" = {node.grad:g} × {local:g} = {node.grad * local:g}  （累计 {parent.grad:g}）")

    print("反向传播, 逐步堆放 (backward, one accumulation at a time):")
    propagate(e, on_edge=show)
    for name in "abcd":
        print(f"∂e/∂{name} = {nodes[name].grad:g}")


if __name__ == "__main__":
    main()
