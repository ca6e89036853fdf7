"""逐帧动画: 第 0 帧只有前向数值, 之后每次堆放一帧, 高亮当前的边并显示累计梯度.

Step-through frames.  Frame 0 shows the forward values with every gradient
unknown; then one frame per accumulation of the recorded backward pass, with
the active edge and its two nodes highlighted, the running totals known so
far on the nodes (``?`` where nothing has arrived yet) and the chain-rule
equation as the caption.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..backprop.trace import BackwardStep, BackwardSteps, backward_steps
from ..engine import Value
from ..errors import fail
from .display import mimebundle
from .dot import Look, Scene, build_graph
from .renderer import to_svg
from .style import fmt

MAX_STEPS = 200  # 帧数上限 (每帧是一整张图). The most frames: each one is a whole graph.
MAX_NODES = 300


@dataclass(frozen=True)
class Frame:
    """一帧: 图、对应的堆放 (第 0 帧为 None)、标题和此刻每个节点的累计梯度.

    One frame: the graph, its accumulation (None for frame 0), the caption,
    and the running total of every node at this moment (name, grad or None),
    output first.  ``receiver`` names the node that just received.
    """

    index: int
    graph: Any
    step: BackwardStep | None
    caption: str
    totals: tuple[tuple[str, float | None], ...]
    receiver: str | None

    def svg(self) -> str:
        """这一帧的 SVG 文本. The SVG text of this frame."""
        return to_svg(self.graph)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
        return mimebundle(self.graph.source)

    def __repr__(self) -> str:
        return f"<Frame {self.index}: {self.caption}>"


def recorded(out_or_steps: Value | BackwardSteps) -> BackwardSteps:
    """取得记录好的反向传播; 传入 Value 时现在记录 (从零梯度开始, 见 backward_steps).

    The recorded backward pass: given as :class:`BackwardSteps`, or recorded
    now from a Value by :func:`backward_steps`, whose totals start at 0 (the
    graph is then left as one fresh ``backward()`` leaves it).
    """
    if isinstance(out_or_steps, BackwardSteps):
        return out_or_steps
    if not isinstance(out_or_steps, Value):
        fail(TypeError, f"需要 Value 或 backward_steps(...) 的结果, 收到 {type(out_or_steps).__name__}",
             f"need a Value or the result of backward_steps(...), got {type(out_or_steps).__name__}")
    return backward_steps(out_or_steps)


def _caption(step: BackwardStep | None, count: int, lang: str) -> str:
    if step is None:
        return ("第 0 步: 前向传播已算出数据, 梯度待求 (step 0: forward pass done, gradients unknown)"
                if lang == "zh" else "step 0: forward pass done, gradients unknown")
    head = f"第 {step.index + 1}/{count} 步" if lang == "zh" else f"step {step.index + 1}/{count}"
    return f"{head}: {step.equation(lang)}"


def frames(out: Value | BackwardSteps, lang: str = "zh", *, rankdir: str = "LR", layered: bool = False,
           color_by: str = "role", show_index: bool = False, params: Iterable[Value] | None = None,
           max_steps: int = MAX_STEPS, max_nodes: int = MAX_NODES) -> list[Frame]:
    """反向传播的逐帧画面: 1 + 堆放次数 帧.

    The frames of the backward pass: frame 0 (forward values only) and one
    frame per accumulation.  ``out`` is a Value (recorded now, see
    :func:`recorded`) or a :class:`BackwardSteps`.  More than ``max_steps``
    accumulations or ``max_nodes`` nodes is refused with a ValueError: each
    frame is a whole graph, so big graphs belong in :func:`draw_dot`.
    """
    steps = recorded(out)
    order = steps.graph.order
    if len(order) > max_nodes:
        fail(ValueError, f"frames: 图有 {len(order)} 个节点, 超过 max_nodes={max_nodes}; 逐帧动画只适合小图, "
             "大图请用 draw_dot",
             f"frames: the graph has {len(order)} nodes, more than max_nodes={max_nodes}; step-through is for "
             "small graphs, use draw_dot for big ones")
    look = Look(rankdir=rankdir, color_by=color_by, show_index=show_index, layered=layered, lang=lang,
                params=frozenset(id(p) for p in params or ()))
    if len(steps) > max_steps:
        fail(ValueError, f"frames: 反向传播有 {len(steps)} 次堆放, 超过 max_steps={max_steps}",
             f"frames: the backward pass has {len(steps)} accumulations, more than max_steps={max_steps}")
    known: dict[int, float | None] = {id(node): None for node in order}
    result = [_frame(None, look, steps, order, known)]
    if len(steps):
        known[id(steps.out)] = steps[0].node_grad
    for step in steps:
        known[id(step.parent)] = step.after
        result.append(_frame(step, look, steps, order, known, step.position))
    return result


def _frame(step: BackwardStep | None, look: Look, steps: BackwardSteps, order: list[Value],
           known: dict[int, float | None], position: int = 0) -> Frame:
    """画出一帧; step 为 None 时是第 0 帧. Draw one frame; no step means frame 0."""
    scene = Scene(grads=dict(known), caption=_caption(step, len(steps), look.lang))
    index, receiver = 0, None
    if step is not None:
        scene.emphasis = {id(step.node): "sender", id(step.parent): "receiver"}
        scene.active_edge = (id(step.node), position)
        scene.active_note = f"{fmt(step.node_grad)} × {fmt(step.local)} = {fmt(step.contribution)}"
        index, receiver = step.index + 1, step.parent_name
    graph = build_graph(steps.out, look, scene, graph=steps.graph)
    totals = tuple((steps.names[id(node)], known[id(node)]) for node in reversed(order))
    return Frame(index, graph, step, scene.caption, totals, receiver)
