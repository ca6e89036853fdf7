"""把计算图画成 Graphviz DOT: 每个 Value 一个方框 (名字、数据、梯度), 每个运算一个小节点, 边上写局部导数.

Build the Graphviz picture of a computation graph: a box per Value (name,
data, grad), a small node per operation, and on every edge into an
operation its local derivative, e.g. ``∂c/∂a = 1``.
"""

from __future__ import annotations

import html
import warnings
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..engine import Value
from ..errors import bilingual, fail
from ..graph import depths, display_names, topological_order
from ..trace import partial
from .display import graph_class
from .style import (
    ACTIVE,
    EDGE_FONT_SIZE,
    FONT,
    FONT_SIZE,
    ROLES,
    SIGNS,
    fmt,
    looks_like_parameter,
    sign_of,
    text_width,
)

RANKDIRS = ("LR", "TB", "RL", "BT")
COLOR_BY = ("role", "sign")
LANGS = ("zh", "en")
SUMMARY_BANDS = 24  # 概要图最多几层. At most this many bands in a summary graph.


@dataclass(frozen=True)
class Look:
    """画法选项 (draw_dot 的关键字参数). The drawing options of :func:`draw_dot`."""

    rankdir: str = "LR"
    show_grad: bool = True
    quiz: bool = False
    color_by: str = "role"
    show_index: bool = False
    layered: bool = False
    lang: str = "zh"
    params: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        for name, value, allowed in (("rankdir", self.rankdir, RANKDIRS), ("color_by", self.color_by, COLOR_BY),
                                     ("lang", self.lang, LANGS)):
            if value not in allowed:
                fail(ValueError, f"draw_dot: {name} 必须是 {'/'.join(allowed)} 之一, 收到 {value!r}",
                     f"draw_dot: {name} must be one of {'/'.join(allowed)}, got {value!r}")


@dataclass
class Scene:
    """一帧画面的状态: 显示哪些梯度、强调哪些节点和哪条边、标题.

    What one picture shows: the gradients to print (None prints ``?``), the
    emphasised nodes (id → colour), the active edge (consumer id, parent
    position) with its extra label, and a caption.
    """

    grads: Mapping[int, float | None] | None = None
    emphasis: dict[int, str] = field(default_factory=dict)
    active_edge: tuple[int, int] | None = None
    active_note: str = ""
    caption: str = ""


def role_of(node: Value, out: Value, params: Collection[int]) -> str:
    """节点的角色: output, parameter, input, constant 或 hidden.

    The role of a node: the ``output``; a leaf that is a ``parameter`` (in
    ``params`` or labelled like ``w1``/``L0.N1.b``), an ``input`` (other
    labelled leaf) or a ``constant`` (unlabelled leaf); else ``hidden``.
    """
    if node is out:
        return "output"
    if node.parents:
        return "hidden"
    if id(node) in params or looks_like_parameter(node.label):
        return "parameter"
    return "input" if node.label else "constant"


def _ids(values: Value | Iterable[Value] | None) -> set[int]:
    if values is None:
        return set()
    if isinstance(values, Value):
        return {id(values)}
    return {id(v) for v in values}


def _cell_rows(rows: list[tuple[str, float]], fill: str, border: str, thick: bool) -> str:
    """HTML 表格标签: 每行 (标记, 估计宽度) 左对齐, 单元格宽度取最宽的一行.

    An HTML-like table label from ``(markup, estimated width)`` rows.  Cells
    are left-aligned and as wide as our own text-width estimate, so full-width
    Chinese fits whatever the renderer measures.
    """
    width = round(max(w for _, w in rows) + 8)
    cells = "".join(f'<tr><td align="left" width="{width}">{markup}</td></tr>' for markup, _ in rows)
    return (f'<<table border="{3 if thick else 1}" cellborder="0" cellspacing="0" cellpadding="3" '
            f'bgcolor="{fill}" color="{border}">{cells}</table>>')


def _field_names(lang: str) -> tuple[str, str]:
    return ("数据 data", "梯度 grad") if lang == "zh" else ("data", "grad")


def _value_label(node: Value, name: str, index: int, grad: float | None, fill: str, border: str,
                 look: Look, thick: bool) -> str:
    """一个 Value 方框的标签. The label of one Value box."""
    title, width = f"<b>{html.escape(name)}</b>", text_width(name, bold=True)
    if look.show_index:  # 序号在前: 渲染器低估中文宽度, 写在中文后面会与之重叠. Index first: it would overlap Chinese.
        title, width = f'<font point-size="10">#{index}</font> {title}', width + text_width(f"#{index} ", 10)
    rows = [(title, width)]
    data_name, grad_name = _field_names(look.lang)
    data_text = f"{data_name} = {fmt(node.data)}"
    rows.append((html.escape(data_text), text_width(data_text)))
    if look.show_grad:
        grad_text = f"{grad_name} = {'?' if grad is None else fmt(grad)}"
        rows.append((html.escape(grad_text), text_width(grad_text)))
    return _cell_rows(rows, fill, border, thick)


def _caption_label(text: str) -> str:
    """图的标题 (可含中文), 同样按估计宽度留足空间. A graph caption sized by our width estimate."""
    width = round(text_width(text) + 8)
    cell = f'<td align="left" width="{width}">{html.escape(text)}</td>'
    return f'<<table border="0" cellpadding="4"><tr>{cell}</tr></table>>'


def _new_graph(look: Look, name: str) -> Any:
    graph = graph_class()(name=name)
    graph.attr(rankdir=look.rankdir, fontname=FONT, fontsize=str(FONT_SIZE), labelloc="t", nodesep="0.3")
    graph.attr("node", fontname=FONT, fontsize=str(FONT_SIZE), shape="plain")
    graph.attr("edge", fontname=FONT, fontsize=str(EDGE_FONT_SIZE), color="#4b5563", fontcolor="#1f2937")
    return graph


def build_graph(out: Value, look: Look, scene: Scene | None = None, highlight: set[int] | frozenset[int] = frozenset(),
                order: list[Value] | None = None) -> Any:
    """按选项与画面状态画出整张图 (draw_dot 与逐帧动画共用).

    Draw the whole graph for the given options and scene; shared by
    :func:`draw_dot` and the step-through frames.
    """
    scene = scene or Scene()
    order = order if order is not None else topological_order(out)
    names = display_names(out)
    index = {id(node): i for i, node in enumerate(order)}
    graph = _new_graph(look, "micrograd_cn")
    if scene.caption:
        graph.attr(label=_caption_label(scene.caption))
    for i, node in enumerate(order):
        key = id(node)
        if look.quiz:
            grad = None
        elif scene.grads is not None:
            grad = scene.grads.get(key)
        else:
            grad = node.grad
        role = role_of(node, out, look.params)
        fill, border = ROLES[role][:2]
        if look.color_by == "sign":
            fill = SIGNS[sign_of(grad)]
        emphasis = scene.emphasis.get(key) or (ACTIVE if key in highlight else None)
        label = _value_label(node, names[key], i, grad, fill, emphasis or border, look, emphasis is not None)
        graph.node(f"n{i}", label=label, id=f"node-{i}", tooltip=f"{ROLES[role][2]} {ROLES[role][3]}")
        if node.parents:
            op_fill, op_border = ROLES["op"][:2]
            graph.node(f"op{i}", label=node.op, shape="box", style="rounded,filled", fillcolor=op_fill,
                       color=op_border, fontsize="12", margin="0.08,0.03", width="0", height="0", id=f"op-{i}")
            active_here = scene.active_edge is not None and scene.active_edge[0] == key
            graph.edge(f"op{i}", f"n{i}", id=f"out-{i}",
                       **({"color": ACTIVE, "penwidth": "3"} if active_here else {}))
            for k, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
                text = f"{partial(names[key], names[id(parent)])} = {fmt(local)}"
                attrs = {"label": text, "id": f"d-{i}-{k}"}
                if scene.active_edge == (key, k):
                    attrs.update(color=ACTIVE, fontcolor=ACTIVE, penwidth="3",
                                 label=f"{text}\n{scene.active_note}" if scene.active_note else text)
                graph.edge(f"n{index[id(parent)]}", f"op{i}", **attrs)
    if look.layered:
        _add_ranks(graph, out, order)
    return graph


def _add_ranks(graph: Any, out: Value, order: list[Value]) -> None:
    """按到输出的距离分层 (rank=same): 同一层的 Value 并排, 它们的运算节点另成一层.

    Layer the picture by distance from the output: Values at equal depth share
    a rank, and the operations that make them share the rank beside it.
    """
    depth = depths(out)
    values: dict[int, list[str]] = {}
    ops: dict[int, list[str]] = {}
    for i, node in enumerate(order):
        values.setdefault(depth[id(node)], []).append(f"n{i}")
        if node.parents:
            ops.setdefault(depth[id(node)], []).append(f"op{i}")
    for group in (*values.values(), *ops.values()):
        with graph.subgraph() as rank:
            rank.attr(rank="same")
            for name in group:
                rank.node(name)


def summary_graph(out: Value, order: list[Value], look: Look) -> Any:
    """大图的概要: 按到输出的距离分段, 每段一个方框写节点数和主要运算.

    A summary of a big graph, drawn top to bottom: the depths from the output
    grouped into at most 24 bands, each a box with its node count and
    commonest operations.
    """
    depth = depths(out)
    deepest = max(depth.values())
    per_band = deepest // SUMMARY_BANDS + 1
    counts: Counter[int] = Counter()
    ops: dict[int, Counter[str]] = {}
    for node in order:
        band = depth[id(node)] // per_band
        counts[band] += 1
        ops.setdefault(band, Counter())[node.op.split(" ")[0] if node.parents else "leaf"] += 1
    graph = _new_graph(replace(look, rankdir="TB"), "micrograd_cn_summary")  # 一列方框, 自上而下. One column.
    caption = (f"共 {len(order)} 个节点, 只画概要 ({len(order)} nodes: summary)" if look.lang == "zh"
               else f"{len(order)} nodes: summary")
    graph.attr(label=_caption_label(caption))
    fill, border = ROLES["hidden"][:2]
    for band in sorted(counts, reverse=True):
        low, high = band * per_band, min(deepest, band * per_band + per_band - 1)
        span = f"{low}" if low == high else f"{low}–{high}"
        common = ", ".join(f"{op} ×{n}" for op, n in ops[band].most_common(4))
        lines = ([f"距输出 {span} 层 (depth {span})", f"{counts[band]} 个节点 (nodes)", common] if look.lang == "zh"
                 else [f"depth {span}", f"{counts[band]} nodes", common])
        rows = [(html.escape(line), text_width(line)) for line in lines]
        graph.node(f"band{band}", label=_cell_rows(rows, ROLES["output"][0] if band == 0 else fill, border, False))
        if band + 1 in counts:
            graph.edge(f"band{band + 1}", f"band{band}")
    return graph


def draw_dot(out: Value, format: str = "svg", rankdir: str = "LR", *,  # noqa: A002
             show_grad: bool = True, quiz: bool = False,
             color_by: str = "role", show_index: bool = False, layered: bool = False, lang: str = "zh",
             highlight: Value | Iterable[Value] | None = None, params: Iterable[Value] | None = None,
             max_nodes: int | None = 300) -> Any:
    """画出以 out 为输出的计算图, 返回 graphviz.Digraph (在 Jupyter 中直接显示为 SVG).

    Draw the computation graph below ``out`` as a ``graphviz.Digraph``.
    The signature starts like micrograd's ``draw_dot(root, format='svg',
    rankdir='LR')``; ``format`` is the graph's output format, so
    ``draw_dot(v).render("gout")`` writes ``gout.svg`` with the embedded
    renderer.

    Each Value is a box with its name (label or ``v{i}``), 数据 data and
    梯度 grad; each operation a small node; every edge into an operation
    carries the local derivative (``∂c/∂a = 1``).  ``rankdir`` LR/TB/RL/BT;
    ``show_grad=False`` drops the grad row, ``quiz=True`` prints it as ``?``;
    ``color_by="role"`` (input, parameter, constant, intermediate, output;
    ``params`` marks parameters explicitly) or ``"sign"`` (sign of the grad);
    ``show_index`` adds each node's topological index; ``layered`` puts nodes
    at equal distance from the output in the same rank; ``highlight`` outlines
    some Values.  Graphs over ``max_nodes`` nodes (None: no limit) are drawn
    as a summary, with a warning.
    """
    if not isinstance(out, Value):
        fail(TypeError, f"draw_dot: 需要一个 Value, 收到 {type(out).__name__}",
             f"draw_dot needs a Value, got {type(out).__name__}")
    look = Look(rankdir=rankdir, show_grad=show_grad, quiz=quiz, color_by=color_by, show_index=show_index,
                layered=layered, lang=lang, params=frozenset(_ids(params)))
    order = topological_order(out)
    if max_nodes is not None and len(order) > max_nodes:
        warnings.warn(bilingual(f"draw_dot: 图有 {len(order)} 个节点, 超过 max_nodes={max_nodes}, 只画概要; "
                                "需要全图请传 max_nodes=None",
                                f"draw_dot: the graph has {len(order)} nodes, more than max_nodes={max_nodes}; "
                                "drawing a summary (pass max_nodes=None for every node)"),
                      stacklevel=2)
        graph = summary_graph(out, order, look)
    else:
        graph = build_graph(out, look, highlight=_ids(highlight), order=order)
    graph.format = format
    return graph
