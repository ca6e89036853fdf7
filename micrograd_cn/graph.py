"""计算图的遍历: 拓扑排序 (迭代实现, 不用递归) 与按层分组.

Graph walks shared by the engine, the tracer and the renderer.  Every walk is
iterative, so a graph a million nodes deep is no problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Value


def consumer_counts(root: Value) -> dict[int, int]:
    """统计每个节点被多少个 (从 root 可达的) 运算用到, 以 id(node) 为键.

    For every node reachable from ``root``: how many edges lead out of it
    towards ``root`` (its number of consumers).  Keys are ``id(node)``.
    """
    counts = {id(root): 0}
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        for parent in pop().parents:
            key = id(parent)
            if key in counts:
                counts[key] += 1
            else:
                counts[key] = 1
                push(parent)
    return counts


def backward_order(root: Value) -> list[Value]:
    """反向传播的顺序: 从输出开始, 一个节点只在它的所有使用者之后出现.

    The order of the backward pass, output first (Kahn's algorithm on the
    reversed graph).  A node appears only after every node that uses it, so its
    gradient is complete ("piled up") when its turn comes.  Nodes at the same
    distance are visited in operand order, which is the seed's "layer by layer".
    """
    waiting = consumer_counts(root)
    order = [root]
    append = order.append
    position = 0
    while position < len(order):
        for parent in order[position].parents:
            key = id(parent)
            left = waiting[key] - 1
            waiting[key] = left
            if left == 0:
                append(parent)
        position += 1
    return order


def topological_order(root: Value) -> list[Value]:
    """拓扑序: 输入在前, 输出 root 在最后; 每个节点都排在它的所有父节点之后.

    Topological order of the graph below ``root``: inputs first, ``root`` last.
    Iterative, deterministic (operand order), linear in the graph's size.
    """
    order = backward_order(root)
    order.reverse()
    return order


def depths(root: Value) -> dict[int, int]:
    """每个节点到输出的最长距离 (输出为 0), 以 id(node) 为键; 用于按层排布.

    Longest distance of every node from ``root`` (``root`` is 0), keyed by
    ``id(node)``: the layers of the seed's layer-by-layer picture.
    """
    depth = {id(root): 0}
    for node in backward_order(root):
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
