"""计算图的遍历: 拓扑排序 (迭代实现, 不用递归) 与按层分组.

Graph walks shared by the engine, the tracer and the renderer.  Every walk is
iterative, so a graph a million nodes deep is no problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Value


_VISITED = object()
"""遍历时放进 grad 槽的标记. The mark a walk puts in a node's grad slot while it runs."""


def _post_order(root: Value, leaves: bool, keep_grads: bool, forward: bool) -> list[Value]:
    """迭代式深度优先后序遍历: 父节点总在子节点之前; 用 grad 槽标记已访问的节点.

    Iterative depth-first post-order: every node after all of its parents.

    A node is marked as visited by putting :data:`_VISITED` into its ``grad``
    slot, so the walk needs no dictionary or set and stays linear (and cache
    friendly) even for millions of nodes.  With ``keep_grads`` the grads are
    put back afterwards; the backward pass passes False because it resets them
    anyway.  ``forward=True`` explores parents left to right, so inputs come in
    operand order (a, b, c, d, e for e = (a+b)(b+1)); ``forward=False``
    explores them right to left, so that in the *reversed* order the first
    operand comes first (e, c, d, ...): the order the backward pass wants.
    """
    explore = iter if forward else reversed
    replaced: list[tuple[Value, float]] = []
    order: list[Value] = []
    stack = [(root, explore(root.parents))]
    if keep_grads:
        replaced.append((root, root.grad))
    root.grad = _VISITED  # type: ignore[assignment]
    try:
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if (leaves or parent.parents) and parent.grad is not _VISITED:
                    if keep_grads:
                        replaced.append((parent, parent.grad))
                    parent.grad = _VISITED  # type: ignore[assignment]
                    stack.append((parent, explore(parent.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    finally:
        if keep_grads:
            for node, grad in replaced:
                node.grad = grad
        elif stack:  # 被中断 (如 Ctrl-C): 不留下标记. Interrupted: leave no marks behind.
            for node in [*order, *(node for node, _ in stack)]:
                node.grad = 0.0
    return order


def topological_order(root: Value) -> list[Value]:
    """拓扑序: 输入在前, 输出 root 在最后; 每个节点都排在它的所有父节点之后.

    Topological order of the graph below ``root``: inputs first (in operand
    order), ``root`` last.  Iterative, deterministic, linear in the graph's size.
    """
    return _post_order(root, leaves=True, keep_grads=True, forward=True)


def backward_order(root: Value, leaves: bool = True) -> list[Value]:
    """反向传播的顺序: 从输出开始, 一个节点只在它的所有使用者之后出现.

    The order in which ``backward()`` visits the graph: output first, and a node
    only after every node that uses it, so its gradient is complete ("piled
    up") when its turn comes; among equals the first operand first.
    ``leaves=False`` leaves out the leaves, which only receive gradients.
    """
    order = _post_order(root, leaves, keep_grads=True, forward=False)
    order.reverse()
    return order


def backward_pass_order(root: Value) -> list[Value]:
    """反向传播实际使用的顺序 (只含运算节点), 顺便把它们的 grad 清零.

    The order ``backward()`` uses: operation nodes only, output first, with
    their grads reset to 0 (the walk used the grad slots as marks).
    """
    order = _post_order(root, leaves=False, keep_grads=False, forward=False)
    order.reverse()
    for node in order:
        node.grad = 0.0
    return order


def depths(root: Value) -> dict[int, int]:
    """每个节点到输出的最长距离 (输出为 0), 以 id(node) 为键; 用于按层排布.

    Longest distance of every node from ``root`` (``root`` is 0), keyed by
    ``id(node)``: the layers of the seed's layer-by-layer picture.
    """
    depth = {id(root): 0}
    for node in backward_order(root, leaves=False):
        below = depth[id(node)] + 1
        for parent in node.parents:
            if depth.get(id(parent), -1) < below:
                depth[id(parent)] = below
    return depth


def leaves(root: Value) -> list[Value]:
    """图中的叶子节点 (没有父节点的 Value), 按拓扑序.

    The leaves (Values without parents) of the graph, in topological order.
    """
    return [node for node in topological_order(root) if not node.parents]


def display_names(root: Value) -> dict[int, str]:
    """图中每个节点的显示名: 有 label 用 label, 否则用拓扑序号 ``v{i}``, 以 id(node) 为键.

    The name shown for every node, keyed by ``id(node)``: its label if it has
    one, otherwise ``v{i}`` with ``i`` its index in :func:`topological_order`.
    Renderer, tracer and command line all use these names.
    """
    return {id(node): node.label or f"v{i}" for i, node in enumerate(topological_order(root))}
