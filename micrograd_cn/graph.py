"""计算图的遍历: 拓扑排序 (迭代实现, 不用递归) 与按层分组.

Graph walks shared by the engine, the tracer and the renderer.  Every walk is
iterative, so a graph a million nodes deep is no problem.
"""

from __future__ import annotations

from typing import Protocol


class Value(Protocol):
    """图遍历需要的节点形状 (engine.Value 符合它). The node shape a walk needs; engine.Value has it.

    Naming the shape here, rather than importing ``engine.Value``, keeps the
    arrows one-way: the engine uses these walks, the walks know no engine.
    """

    grad: float
    parents: tuple[Value, ...]
    label: str
    op: str


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
    ``id(node)``: the layers of the seed's layer-by-layer picture (the
    snapshot's ``depth``).
    """
    graph = snapshot(root)
    return {id(node): depth for node, depth in zip(graph.order, graph.depth)}


def leaves(root: Value) -> list[Value]:
    """图中的叶子节点 (没有父节点的 Value), 按拓扑序.

    The leaves (Values without parents) of the graph, in topological order.
    """
    return [node for node in topological_order(root) if not node.parents]


def display_names(root: Value) -> dict[int, str]:
    """图中每个节点的显示名 (见 :func:`snapshot`), 以 id(node) 为键.

    The name shown for every node, keyed by ``id(node)``: its label, or for an
    unlabelled node a short name a reader can place (see :func:`snapshot`).
    Renderer, tracer and command line all use these names.
    """
    return snapshot(root).names_by_id()


# ---- 快照 the snapshot ---------------------------------------------------------------------

NAME_LENGTH = 12
"""自动生成的表达式名的最大长度, 更长的改用 "运算名+下标". Longest automatic expression name."""

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SYMBOLS = {"+": "+", "-": "−", "*": "·", "/": "/", "**": "^"}
_STEMS = {"+": "+", "-": "−", "*": "×", "/": "÷", "**": "pow"}


def subscript(number: int) -> str:
    """把整数写成下标: 12 → ₁₂. An integer as subscript digits."""
    return str(number).translate(_SUBSCRIPTS)


class GraphSnapshot:
    """一张计算图的快照: 只遍历一次, 给出顺序、名字、深度和边, 供画图、记录与播放器共用.

    One walk of the graph below ``root``, shared by the DOT builder, the
    recorded pass, the tables and the player:

    - ``order``: topological order (inputs first, in operand order; ``root`` last);
    - ``index``: ``id(node)`` → position in ``order``;
    - ``names``: the display name of each node (same positions as ``order``);
    - ``consumers``: for each node, the ``(consumer position, k)`` pairs of the
      edges that leave it (``k`` is its place among the consumer's parents);
    - ``depth``: longest distance from ``root`` (``root`` is 0).
    """

    def __init__(self, root: Value) -> None:
        self.root = root
        self.order = topological_order(root)
        self.index = {id(node): i for i, node in enumerate(self.order)}
        self.consumers: list[list[tuple[int, int]]] = [[] for _ in self.order]
        for i, node in enumerate(self.order):
            for k, parent in enumerate(node.parents):
                self.consumers[self.index[id(parent)]].append((i, k))
        self.names = _automatic_names(self.order, self.index)
        self.depth = [0] * len(self.order)
        for i in range(len(self.order) - 1, -1, -1):  # 从输出往回 from the output back
            below = self.depth[i] + 1
            for parent in self.order[i].parents:
                j = self.index[id(parent)]
                if self.depth[j] < below:
                    self.depth[j] = below

    def __len__(self) -> int:
        return len(self.order)

    def names_by_id(self) -> dict[int, str]:
        """名字, 以 id(node) 为键. The names keyed by ``id(node)``."""
        return {id(node): name for node, name in zip(self.order, self.names)}

    def name_of(self, node: Value) -> str:
        """一个节点的显示名. The display name of one node."""
        return self.names[self.index[id(node)]]

    def edges(self) -> list[tuple[int, int, int]]:
        """所有边 (使用者位置, k, 父节点位置), 按使用者的顺序. Every edge as (consumer, k, parent)."""
        return [(i, k, self.index[id(parent)]) for i, node in enumerate(self.order)
                for k, parent in enumerate(node.parents)]


def snapshot(root: Value) -> GraphSnapshot:
    """遍历一次 root 以下的图, 返回 :class:`GraphSnapshot`.

    Walk the graph below ``root`` once and return its :class:`GraphSnapshot`.

    Names: a node's ``label`` if it has one.  An unlabelled operation node is
    named after what it computes when that is short (``a+b``, ``b+1``,
    ``tanh(n)``, at most 12 characters), otherwise after its operation with a
    subscript (``dot₁``, ``tanh₂``, ``+₃``); an unlabelled leaf is ``x₁``,
    ``x₂``, …  Names stay unique: a repeat gets a subscript.
    """
    return GraphSnapshot(root)


def wrap_name(name: str) -> str:
    """名字在式子中需要时加括号: a+b → (a+b), −x → (−x); a, tanh(n), ×₁ 不加. Parenthesise a compound name."""
    level = 0
    for char in name:
        if char in "([":
            level += 1
        elif char in ")]":
            level -= 1
        elif level == 0 and char in "+−-·*/^ =":
            return f"({name})"
    return name


def superscript(exponent: str) -> str:
    """整数指数写成上标: "2" → ², "-1" → ⁻¹; 其他指数 (0.5) 写成 ^0.5. An integer exponent as superscript."""
    if exponent.lstrip("-").isdigit():
        return exponent.translate(_SUPERSCRIPTS)
    return f"^{exponent}"


def _expression(node: Value, parents: list[str]) -> str:
    """节点的表达式名, 如 a+b、b+1、2·x、x²、tanh(n); 无法简短表示时返回 "".

    The expression name of a node (``a+b``, ``b+1``, ``2·x``, ``x²``,
    ``(1−a)²``, ``tanh(n)``), or "" when there is no short one.
    """
    op = node.op
    if len(parents) == 2 and op in _SYMBOLS:
        return f"{wrap_name(parents[0])}{_SYMBOLS[op]}{wrap_name(parents[1])}"
    if len(parents) == 1:
        head, _, tail = op.partition(" ")
        if tail and head == "**":  # "** 2": x², (1−a)²
            return f"{wrap_name(parents[0])}{superscript(tail)}"
        if tail and head in _SYMBOLS:  # "+ 1": x+1
            return f"{wrap_name(parents[0])}{_SYMBOLS[head]}{tail}"
        if tail and tail in _SYMBOLS:  # "2 *": 2·x
            return f"{head}{_SYMBOLS[tail]}{wrap_name(parents[0])}"
        if op == "neg":
            return f"−{wrap_name(parents[0])}"
        if op.isidentifier():
            return f"{op}({parents[0]})"
    return ""


def expression(node: Value, parent_names: list[str]) -> str:
    """node 按父节点的名字写成的式子, 如 a+b、err²; 没有简短写法时写成 运算(父节点, …).

    What ``node`` computes, written with its parents' names (``a+b``,
    ``err²``, ``tanh(n)``, ``w1·x1 + w2·x2 + b`` for a ``dot``, ``p + q + b``
    for a ``sum``), or ``op(p1, p2, …)`` when there is no short form.
    """
    if node.op == "sum":
        return " + ".join(map(wrap_name, parent_names))
    if node.op == "dot":  # 父节点是 (*左, *右[, 偏置]). The parents are (*left, *right[, bias]).
        half = len(parent_names) // 2
        terms = [f"{wrap_name(w)}·{wrap_name(x)}" for w, x in zip(parent_names[:half], parent_names[half:2 * half])]
        return " + ".join(terms + [wrap_name(name) for name in parent_names[2 * half:]])
    return _expression(node, parent_names) or f"{node.op}({', '.join(parent_names)})"


def _automatic_names(order: list[Value], index: dict[int, int]) -> list[str]:
    """每个节点的显示名 (见 :func:`snapshot`). The display names, in ``order``'s positions."""
    names: list[str] = []
    taken = {node.label for node in order if node.label}
    counts: dict[str, int] = {}

    def fresh(stem: str) -> str:
        while True:
            counts[stem] = counts.get(stem, 0) + 1
            name = f"{stem}{subscript(counts[stem])}"
            if name not in taken:
                taken.add(name)
                return name

    for node in order:
        if node.label:
            names.append(node.label)
            continue
        if not node.parents:
            names.append(fresh("x"))
            continue
        name = _expression(node, [names[index[id(parent)]] for parent in node.parents])
        if name and len(name) <= NAME_LENGTH and name not in taken:
            taken.add(name)
            names.append(name)
        else:
            names.append(fresh(_STEMS.get(node.op.split(" ")[0], node.op.split(" ")[0])))
    return names
