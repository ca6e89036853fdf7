"""随机计算图上的性质测试: 共享子表达式, 与 PyTorch 和有限差分对照.

Property tests over random expression graphs.

hypothesis draws a small *recipe*: a few leaf values, then a list of steps,
each applying a random operation to one or two earlier nodes.  The same node
may be used twice in one step (``x * x``) and by several later steps, so the
graphs are DAGs with shared sub-expressions — exactly where a gradient must be
piled up (堆放) from several paths.  The recipe is replayed in micrograd_cn and
in PyTorch (float64), and every leaf's gradient is compared.

Operations are chosen to stay inside their domains (``log(softplus(x) + ε)``,
``sqrt(x*x + 1)``, ``x / (1 + y*y)``); a recipe that still overflows is
discarded with ``assume``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import require_module
from hypothesis import assume, given
from hypothesis import strategies as st

import micrograd_cn as mg

Step = tuple[str, int, int]


def _torch_softplus(t: Any) -> Any:
    # ln(e^t + e^0): 精确且在 0 处导数为 σ(0) = ½ (clamp + abs 在 0 处给 1). Exact, with σ(0) = ½ at the kink.
    return require_module("torch").logaddexp(t, t.new_zeros(()))


def _torch_leaky(t: Any) -> Any:
    return require_module("torch").nn.functional.leaky_relu(t, 0.1)


# 运算名 → (micrograd_cn 写法, PyTorch 写法); None 表示两边写法相同. 一元运算忽略第二个操作数.
# Operation name → (micrograd_cn spelling, PyTorch spelling or None if the same).
SMOOTH: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any] | None]] = {
    "+": (lambda a, b: a + b, None),
    "-": (lambda a, b: a - b, None),
    "*": (lambda a, b: a * b, None),
    "/": (lambda a, b: a / (1 + b * b), None),
    "**": (lambda a, b: (a * a + 1) ** b.tanh(), None),
    "c*": (lambda a, b: 0.5 * a + b * 2, None),
    "c-": (lambda a, b: 1 - a, None),
    "c/": (lambda a, b: 2 / (a * a + 1), None),
    "2**": (lambda a, b: 2 ** a.tanh(), None),
    "neg": (lambda a, b: -a, None),
    "exp": (lambda a, b: a.tanh().exp(), None),
    "log": (lambda a, b: (a.softplus() + 1e-3).log(), lambda a, b: (_torch_softplus(a) + 1e-3).log()),
    "sqrt": (lambda a, b: (a * a + 1).sqrt(), None),
    "tanh": (lambda a, b: a.tanh(), None),
    "sigmoid": (lambda a, b: a.sigmoid(), None),
    "softplus": (lambda a, b: a.softplus(), lambda a, b: _torch_softplus(a)),
    "sin": (lambda a, b: a.sin(), None),
    "cos": (lambda a, b: a.cos(), None),
    "sum": (lambda a, b: mg.sum([a, b, a]), lambda a, b: a + b + a),
    "mean": (lambda a, b: mg.mean([a, b]), lambda a, b: (a + b) / 2),
    "dot": (lambda a, b: mg.dot([a, b], [b, 0.5], bias=a), lambda a, b: a * b + b * 0.5 + a),
}
KINKED = {
    "relu": (lambda a, b: a.relu(), None),
    "abs": (lambda a, b: abs(a), None),
    "leaky_relu": (lambda a, b: a.leaky_relu(0.1), lambda a, b: _torch_leaky(a)),
}
ALL_OPS = {**SMOOTH, **KINKED}


@dataclass(frozen=True)
class Recipe:
    """叶子的数值与构图步骤 (运算名, 第一个操作数下标, 第二个操作数下标).

    Leaf values and the steps ``(op, i, j)`` that build the graph; node ``k``
    is leaf ``k`` for ``k < len(leaves)``, otherwise the result of a step.
    """

    leaves: tuple[float, ...]
    steps: tuple[Step, ...]

    def replay(self, inputs: list[Any], table: dict, torch: bool = False) -> Any:
        """在给定的叶子上按步骤重建计算图, 返回最后一个节点. Rebuild the graph, return its last node."""
        nodes = list(inputs)
        for name, i, j in self.steps:
            ours, theirs = table[name]
            nodes.append((theirs or ours)(nodes[i], nodes[j]) if torch else ours(nodes[i], nodes[j]))
        return nodes[-1]


@st.composite
def recipes(draw: st.DrawFn, ops: dict) -> Recipe:
    """随机配方: 1-4 个叶子, 1-12 步; 第一个操作数常取最新节点 (图更深), 第二个可以是任何节点 (含同一个).

    A random recipe.  The first operand is often the newest node (deeper
    graphs); the second is any node, possibly the same one (``x * x``).
    """
    leaves = tuple(draw(st.lists(st.floats(-3, 3), min_size=1, max_size=4)))
    steps = []
    for _ in range(draw(st.integers(1, 12))):
        newest = len(leaves) + len(steps) - 1
        i = newest if draw(st.booleans()) else draw(st.integers(0, newest))
        j = draw(st.integers(0, newest))
        steps.append((draw(st.sampled_from(sorted(ops))), i, j))
    return Recipe(leaves, tuple(steps))


def build(recipe: Recipe, table: dict) -> tuple[list[mg.Value], mg.Value]:
    """在 micrograd_cn 中建图; 超出定义域或溢出的配方被丢弃. Build the graph; discard recipes that fail."""
    leaves = [mg.Value(x, f"x{k}") for k, x in enumerate(recipe.leaves)]
    try:
        return leaves, recipe.replay(leaves, table)
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
        raise


def path_magnitude(root: mg.Value) -> dict[int, float]:
    """Σ 所有路径上 |局部导数| 之积, 以 id 为键: 舍入误差的尺度.

    For every node, the sum over paths to ``root`` of the product of
    ``|local derivative|``: the scale of the rounding error in its gradient.
    """
    magnitude = {id(root): 1.0}
    for node in reversed(mg.topological_order(root)):
        for parent, local in zip(node.parents, node.local_grads):
            magnitude[id(parent)] = magnitude.get(id(parent), 0.0) + abs(local) * magnitude[id(node)]
    return magnitude


@pytest.fixture(scope="module")
def torch() -> Any:
    """PyTorch 模块 (没有就跳过, CI 中失败). PyTorch, or skip (fail in CI)."""
    return require_module("torch")


@given(recipe=recipes(ALL_OPS))
def test_every_leaf_gradient_matches_pytorch_on_the_same_graph(torch: Any, recipe: Recipe) -> None:
    leaves, out = build(recipe, ALL_OPS)
    out.backward()

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in recipe.leaves]
    expected = recipe.replay(tensors, ALL_OPS, torch=True)
    expected.backward()

    magnitude = path_magnitude(out)
    forward_scale = sum(magnitude.get(id(n), 0.0) * abs(n.data) for n in mg.topological_order(out))
    assert out.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-13 * forward_scale)
    for leaf, tensor in zip(leaves, tensors):
        theirs = 0.0 if tensor.grad is None else tensor.grad.item()  # 没用到的叶子 unused leaf
        scale = 1.0 + magnitude.get(id(leaf), 0.0)
        assert leaf.grad == pytest.approx(theirs, rel=1e-9, abs=1e-12 * scale), (leaf.label, recipe)


@given(recipe=recipes(SMOOTH))
def test_every_leaf_gradient_matches_finite_differences(recipe: Recipe) -> None:
    _, out = build(recipe, SMOOTH)
    scale = 1.0 + abs(out.data)
    try:
        report = mg.gradcheck(lambda *xs: recipe.replay(list(xs), SMOOTH), recipe.leaves, eps=1e-6,
                              rtol=1e-4, atol=1e-6 * scale)
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)  # x ± ε 跨出了定义域. A shifted input left the domain.
        raise
    assert report.ok, report


@given(recipe=recipes(ALL_OPS))
def test_topological_order_lists_each_node_once_after_its_parents(recipe: Recipe) -> None:
    leaves, out = build(recipe, ALL_OPS)
    order = mg.topological_order(out)
    position = {id(node): k for k, node in enumerate(order)}
    assert len(position) == len(order), "每个节点只出现一次 each node once"
    assert order[-1] is out
    for node in order:
        assert all(position[id(parent)] < position[id(node)] for parent in node.parents)
    reachable = [leaf for leaf in leaves if id(leaf) in position]
    assert all(not leaf.parents for leaf in reachable)


@given(recipe=recipes(ALL_OPS))
def test_second_backward_doubles_leaves_and_repeats_intermediates(recipe: Recipe) -> None:
    leaves, out = build(recipe, ALL_OPS)
    out.backward()
    first = {id(node): node.grad for node in mg.topological_order(out)}
    magnitude = path_magnitude(out)
    out.backward()
    for node in mg.topological_order(out):
        if node.parents:  # 中间节点: 只保留最近一次的梯度. Intermediate: the latest call's gradient.
            assert node.grad == first[id(node)], node
        else:  # 叶子: 累加, 像 PyTorch 的 .grad. Leaf: accumulates like PyTorch's .grad.
            assert node.grad == pytest.approx(2 * first[id(node)], rel=1e-12, abs=1e-14 * magnitude[id(node)])
    assert all(leaf.grad == 0.0 for leaf in leaves if id(leaf) not in first)


@given(recipe=recipes(ALL_OPS))
def test_no_grad_computes_the_same_numbers_without_a_graph(recipe: Recipe) -> None:
    _, out = build(recipe, ALL_OPS)
    with mg.no_grad():
        _, again = build(recipe, ALL_OPS)
    assert again.data == out.data
    assert again.parents == () and again.local_grads == ()
