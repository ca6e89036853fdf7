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

from ..backprop.trace import partial
from ..engine import Value
from ..errors import bilingual, fail
from ..graph import GraphSnapshot, snapshot
from .display import graph_class
from .groups import Layer, find_layers
from .style import (
    ACTIVE,
    ACTIVE_TEXT,
    EDGE_FONT_SIZE,
    FONT,
    FONT_SIZE,
    ROLE_COLOURS,
    ROLE_FILLS,
    ROLE_TAGS,
    ROLES,
    SIGNS,
    fmt,
    ink_on,
    looks_like_parameter,
    sign_of,
    text_width,
)

RANKDIRS = ("LR", "TB", "RL", "BT")
ACTIVE_EDGE_STYLE = {"color": ACTIVE, "penwidth": "4", "style": "dashed"}
"""静态图中当前的边: 绿色、加粗、虚线 (灰度下也与普通的边不同). The active edge in a static picture."""
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
    group: bool = False

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
    emphasised nodes (id → role: "sender", "receiver" or "highlight"), the active edge (consumer id, parent
    position) with its extra label, and a caption.
    """

    grads: Mapping[int, float | None] | None = None
    emphasis: dict[int, str] = field(default_factory=dict)
    active_edge: tuple[int, int] | None = None
    active_note: str = ""
    caption: str = ""
    reserve: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """id → 这个方框的梯度行将来要显示的文字, 排版时为它们留出宽度. Grad texts to leave room for."""


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


def _cell_rows(rows: list[tuple[str, float]], fill: str, border: str, thick: bool, min_width: float = 0.0,
               tag: str = "") -> str:
    """HTML 表格标签: 每行 (标记, 估计宽度) 左对齐, 单元格宽度取最宽的一行.

    An HTML-like table label from ``(markup, estimated width)`` rows.  Cells
    are left-aligned and as wide as our own text-width estimate (at least
    ``min_width``), so full-width Chinese fits whatever the renderer measures.
    """
    width = round(max(min_width, text_width(tag, EDGE_FONT_SIZE, bold=True), *(w for _, w in rows)) + 8)
    cells = "".join(f'<tr><td align="left" width="{width}">{markup}</td></tr>' for markup, _ in rows)
    if tag:  # 角色标签: 一行反白的小字, 灰度下也认得出. The role tag: a reversed row that reads in greyscale.
        cells = (f'<tr><td align="left" bgcolor="{border}"><font color="{ink_on(border)}" '
                 f'point-size="{EDGE_FONT_SIZE}"><b>{html.escape(tag)}</b></font></td></tr>{cells}')
    return (f'<<table border="{3 if thick else 1}" cellborder="0" cellspacing="0" cellpadding="3" '
            f'bgcolor="{fill}" color="{border}">{cells}</table>>')


def field_names(lang: str) -> tuple[str, str]:
    """方框中数据行与梯度行的名字. The names of the data and grad rows of a box."""
    return ("数据 data", "梯度 grad") if lang == "zh" else ("data", "grad")


def grad_text(lang: str, grad: float | None) -> str:
    """方框中梯度行的文字, 未知时为 ?. The grad row of a box (``?`` while unknown)."""
    return f"{field_names(lang)[1]} = {'?' if grad is None else fmt(grad)}"


def _value_label(node: Value, name: str, index: int, grad: float | None, fill: str, border: str,
                 look: Look, thick: bool, reserve: Iterable[str] = (), tag: str = "") -> str:
    """一个 Value 方框的标签; reserve 中的梯度文字也要放得下. The label of one Value box."""
    title, width = f"<b>{html.escape(name)}</b>", text_width(name, bold=True)
    if look.show_index:  # 序号在前: 渲染器低估中文宽度, 写在中文后面会与之重叠. Index first: it would overlap Chinese.
        title = f'<font point-size="{EDGE_FONT_SIZE}">#{index}</font> {title}'
        width += text_width(f"#{index} ", EDGE_FONT_SIZE)
    rows = [(title, width)]
    data_text = f"{field_names(look.lang)[0]} = {fmt(node.data)}"
    rows.append((html.escape(data_text), text_width(data_text)))
    room = 0.0
    if look.show_grad:
        text = grad_text(look.lang, grad)
        rows.append((html.escape(text), text_width(text)))
        room = max((text_width(t) for t in reserve), default=0.0)
    return _cell_rows(rows, fill, border, thick, room, tag)


def _caption_label(text: str) -> str:
    """图的标题 (可含中文), 同样按估计宽度留足空间. A graph caption sized by our width estimate."""
    width = round(text_width(text) + 8)
    cell = f'<td align="left" width="{width}">{html.escape(text)}</td>'
    return f'<<table border="0" cellpadding="4"><tr>{cell}</tr></table>>'


def derivative_label(consumer: str, parent: str, local: float) -> str:
    """边上的局部导数, 分两行写 (∂c/∂a 与 = 1), 让图窄一些. The local derivative on an edge, on two lines."""
    return f"{partial(consumer, parent)}\n= {fmt(local)}"


def _new_graph(look: Look, name: str) -> Any:
    graph = graph_class()(name=name)
    graph.attr(rankdir=look.rankdir, fontname=FONT, fontsize=str(FONT_SIZE), labelloc="t", nodesep="0.3",
               ranksep="0.3")
    graph.attr("node", fontname=FONT, fontsize=str(FONT_SIZE), shape="plain")
    graph.attr("edge", fontname=FONT, fontsize=str(EDGE_FONT_SIZE), color="#4b5563", fontcolor="#1f2937")
    return graph


def build_graph(out: Value, look: Look, scene: Scene | None = None, highlight: set[int] | frozenset[int] = frozenset(),
                graph: GraphSnapshot | None = None) -> Any:
    """按选项与画面状态画出整张图 (draw_dot、逐帧动画与播放器共用).

    Draw the whole graph for the given options and scene; shared by
    :func:`draw_dot`, the step-through frames and the player.  ``graph`` is
    the snapshot to draw (walked now if not given).  Every Value box has the
    id ``node-<i>``, its operation ``op-<i>``, the edge from the operation to
    it ``out-<i>`` and the edge from its ``k``-th parent ``d-<i>-<k>``, with
    ``i`` the position in the topological order; neuron groups are
    ``group-<i>`` (``i`` the position of the neuron's Σ node).
    """
    scene = scene or Scene()
    graph = graph if graph is not None else snapshot(out)
    names = graph.names
    picture = _new_graph(look, "micrograd_cn")
    if scene.caption:
        picture.attr(label=_caption_label(scene.caption))
    containers = _group_containers(picture, graph, look)
    for i, node in enumerate(graph.order):
        key = id(node)
        box = containers.get(i, picture)
        _value_box(box, graph, i, out, look, scene, highlight)
        if node.parents:
            op_fill, op_border = ROLES["op"][:2]
            box.node(f"op{i}", label=node.op, shape="box", style="rounded,filled", fillcolor=op_fill,
                     color=op_border, fontsize=str(EDGE_FONT_SIZE), margin="0.08,0.03", width="0", height="0",
                     id=f"op-{i}")
            active_here = scene.active_edge is not None and scene.active_edge[0] == key
            picture.edge(f"op{i}", f"n{i}", id=f"out-{i}",
                         **(ACTIVE_EDGE_STYLE if active_here else {}))
            for k, parent in enumerate(node.parents):
                text = derivative_label(names[i], names[graph.index[id(parent)]], node.local_grads[k])
                attrs = {"label": text, "id": f"d-{i}-{k}"}
                if scene.active_edge == (key, k):
                    attrs.update(ACTIVE_EDGE_STYLE, fontcolor=ACTIVE_TEXT,
                                 label=f"{text}\n{scene.active_note}" if scene.active_note else text)
                picture.edge(f"n{graph.index[id(parent)]}", f"op{i}", **attrs)
    for box in {id(b): b for b in containers.values()}.values():
        picture.subgraph(box)
    if look.layered:
        _add_ranks(picture, graph)
    return picture


def _shown_grad(node: Value, look: Look, scene: Scene) -> float | None:
    """方框里显示的梯度: 测验模式为 None (?), 否则取画面状态或节点本身. The grad a box shows."""
    if look.quiz:
        return None
    return scene.grads.get(id(node)) if scene.grads is not None else node.grad


def _value_box(target: Any, graph: GraphSnapshot, i: int, out: Value, look: Look, scene: Scene,
               highlight: set[int] | frozenset[int] = frozenset(), node_id: str | None = None,
               title: str | None = None) -> None:
    """画第 i 个 Value 的方框 (名字、数据、梯度). Draw the box of Value ``i`` into ``target``."""
    node = graph.order[i]
    key = id(node)
    grad = _shown_grad(node, look, scene)
    role = role_of(node, out, look.params)
    fill, border = ROLES[role][:2]
    if look.color_by == "sign":
        fill = SIGNS[sign_of(grad)]
    emphasis = scene.emphasis.get(key) or ("highlight" if key in highlight else None)
    if emphasis is not None:
        fill, border = ROLE_FILLS.get(emphasis, fill), ROLE_COLOURS[emphasis]
    tag = ROLE_TAGS[look.lang].get(emphasis or "", "")
    label = _value_label(node, title or graph.names[i], i, grad, fill, border, look,
                         emphasis is not None, scene.reserve.get(key, ()), tag)
    target.node(f"n{i}", label=label, id=node_id or f"node-{i}", tooltip=f"{ROLES[role][2]} {ROLES[role][3]}")


def build_neuron_graph(out: Value, look: Look, scene: Scene, graph: GraphSnapshot,
                       layers: list[Layer]) -> tuple[Any, dict[str, str]]:
    """神经元视图: 每个神经元收成一个方框 (名字、输出的数据与梯度), 像课本里的网络图.

    The neuron view: each neuron of ``layers`` is one box showing its output
    (data and grad, with the id ``neuron-<i>``, ``i`` the position of its Σ
    node); every other Value is drawn as in :func:`build_graph`, and edges
    inside a neuron disappear.  Returns the picture and a map from each
    original edge id ``d-<i>-<k>`` to the id of the edge that shows it.
    """
    picture = _new_graph(look, "micrograd_cn_neurons")
    owner: dict[int, str] = {}
    for layer in layers:
        for neuron in layer.neurons:
            for member in neuron.members:
                owner[member] = f"neuron-{neuron.net}"
            title = (f"{neuron.name} (第 {layer.number} 层)" if look.lang == "zh"
                     else f"{neuron.name} (layer {layer.number})")
            _value_box(picture, graph, neuron.out, out, look, scene, node_id=f"neuron-{neuron.net}", title=title)
    anchors = {i: f"n{i}" for i in range(len(graph))}
    for layer in layers:
        for neuron in layer.neurons:
            for member in neuron.members:
                anchors[member] = f"n{neuron.out}"
    shown: dict[tuple[str, str], str] = {}
    edge_ids: dict[str, str] = {}
    for i, node in enumerate(graph.order):
        if i not in owner:
            _value_box(picture, graph, i, out, look, scene)
            if node.parents:
                op_fill, op_border = ROLES["op"][:2]
                picture.node(f"op{i}", label=node.op, shape="box", style="rounded,filled", fillcolor=op_fill,
                             color=op_border, fontsize=str(EDGE_FONT_SIZE), margin="0.08,0.03", width="0",
                             height="0", id=f"op-{i}")
                picture.edge(f"op{i}", f"n{i}", id=f"out-{i}")
        for k, parent in enumerate(node.parents):
            j = graph.index[id(parent)]
            if owner.get(i) is not None and owner.get(i) == owner.get(j):
                continue  # 神经元内部的边 an edge inside a neuron
            head = anchors[i] if i in owner else f"op{i}"
            pair = (anchors[j], head)
            if pair not in shown:
                shown[pair] = f"d-{i}-{k}"
                text = derivative_label(graph.names[i], graph.names[j], node.local_grads[k])
                picture.edge(anchors[j], head, label=text, id=f"d-{i}-{k}")
            edge_ids[f"d-{i}-{k}"] = shown[pair]
    return picture, edge_ids


def _group_containers(picture: Any, graph: GraphSnapshot, look: Look) -> dict[int, Any]:
    """look.group 时为每个神经元建一个框 (cluster), 返回 节点位置 → 它所在的框.

    With ``look.group``, one cluster per neuron found by :func:`groups.find_layers`
    (weights, bias, Σ and activation), labelled with the neuron and its layer;
    returns node position → the cluster that holds it.
    """
    if not look.group:
        return {}
    containers: dict[int, Any] = {}
    for layer in find_layers(graph):
        for neuron in layer.neurons:
            box = graph_class()(name=f"cluster_{neuron.net}")
            title = (f"神经元 {neuron.name} (第 {layer.number} 层 layer {layer.number})" if look.lang == "zh"
                     else f"neuron {neuron.name} (layer {layer.number})")
            box.attr(label=_caption_label(title), id=f"group-{neuron.net}", style="rounded,dashed",
                     color="#9ca3af", labeljust="l")
            for member in neuron.members:
                containers[member] = box
    return containers


def _add_ranks(picture: Any, graph: GraphSnapshot) -> None:
    """按到输出的距离分层 (rank=same): 同一层的 Value 并排, 它们的运算节点另成一层.

    Layer the picture by distance from the output: Values at equal depth share
    a rank, and the operations that make them share the rank beside it.
    """
    values: dict[int, list[str]] = {}
    ops: dict[int, list[str]] = {}
    for i, node in enumerate(graph.order):
        values.setdefault(graph.depth[i], []).append(f"n{i}")
        if node.parents:
            ops.setdefault(graph.depth[i], []).append(f"op{i}")
    for group in (*values.values(), *ops.values()):
        with picture.subgraph() as rank:
            rank.attr(rank="same")
            for name in group:
                rank.node(name)


def summary_graph(graph: GraphSnapshot, look: Look) -> Any:
    """大图的概要: 按到输出的距离分段, 每段一个方框写节点数和主要运算.

    A summary of a big graph, drawn top to bottom: the depths from the output
    grouped into at most 24 bands, each a box with its node count and
    commonest operations.
    """
    order = graph.order
    deepest = max(graph.depth)
    per_band = deepest // SUMMARY_BANDS + 1
    counts: Counter[int] = Counter()
    ops: dict[int, Counter[str]] = {}
    for node, depth in zip(order, graph.depth):
        band = depth // per_band
        counts[band] += 1
        ops.setdefault(band, Counter())[node.op.split(" ")[0] if node.parents else "leaf"] += 1
    picture = _new_graph(replace(look, rankdir="TB"), "micrograd_cn_summary")  # 一列方框, 自上而下. One column.
    caption = (f"共 {len(order)} 个节点, 只画概要 ({len(order)} nodes: summary)" if look.lang == "zh"
               else f"{len(order)} nodes: summary")
    picture.attr(label=_caption_label(caption))
    fill, border = ROLES["hidden"][:2]
    for band in sorted(counts, reverse=True):
        low, high = band * per_band, min(deepest, band * per_band + per_band - 1)
        span = f"{low}" if low == high else f"{low}–{high}"
        common = ", ".join(f"{op} ×{n}" for op, n in ops[band].most_common(4))
        lines = ([f"距输出 {span} 层 (depth {span})", f"{counts[band]} 个节点 (nodes)", common] if look.lang == "zh"
                 else [f"depth {span}", f"{counts[band]} nodes", common])
        rows = [(html.escape(line), text_width(line)) for line in lines]
        picture.node(f"band{band}", label=_cell_rows(rows, ROLES["output"][0] if band == 0 else fill, border, False))
        if band + 1 in counts:
            picture.edge(f"band{band + 1}", f"band{band}")
    return picture


def draw_dot(out: Value, format: str = "svg", rankdir: str = "LR", *,  # noqa: A002
             show_grad: bool = True, quiz: bool = False,
             color_by: str = "role", show_index: bool = False, layered: bool = False, lang: str = "zh",
             highlight: Value | Iterable[Value] | None = None, params: Iterable[Value] | None = None,
             group: bool = False, max_nodes: int | None = 300) -> Any:
    """画出以 out 为输出的计算图, 返回 graphviz.Digraph (在 Jupyter 中直接显示为 SVG).

    Draw the computation graph below ``out`` as a ``graphviz.Digraph``.
    The signature starts like micrograd's ``draw_dot(root, format='svg',
    rankdir='LR')``; ``format`` is the graph's output format, so
    ``draw_dot(v).render("gout")`` writes ``gout.svg`` with the embedded
    renderer.

    Each Value is a box with its name (see :func:`graph.snapshot`), 数据 data and
    梯度 grad; each operation a small node; every edge into an operation
    carries the local derivative (``∂c/∂a = 1``).  ``rankdir`` LR/TB/RL/BT;
    ``show_grad=False`` drops the grad row, ``quiz=True`` prints it as ``?``;
    ``color_by="role"`` (input, parameter, constant, intermediate, output;
    ``params`` marks parameters explicitly) or ``"sign"`` (sign of the grad);
    ``show_index`` adds each node's topological index; ``layered`` puts nodes
    at equal distance from the output in the same rank; ``group`` boxes each
    neuron (weights, bias, Σ, activation) and names its layer; ``highlight``
    outlines some Values.  Graphs over ``max_nodes`` nodes (None: no limit) are drawn
    as a summary, with a warning.
    """
    if not isinstance(out, Value):
        fail(TypeError, f"draw_dot: 需要一个 Value, 收到 {type(out).__name__}",
             f"draw_dot needs a Value, got {type(out).__name__}")
    look = Look(rankdir=rankdir, show_grad=show_grad, quiz=quiz, color_by=color_by, show_index=show_index,
                layered=layered, lang=lang, params=frozenset(_ids(params)), group=group)
    graph = snapshot(out)
    if max_nodes is not None and len(graph) > max_nodes:
        warnings.warn(bilingual(f"draw_dot: 图有 {len(graph)} 个节点, 超过 max_nodes={max_nodes}, 只画概要; "
                                "需要全图请传 max_nodes=None",
                                f"draw_dot: the graph has {len(graph)} nodes, more than max_nodes={max_nodes}; "
                                "drawing a summary (pass max_nodes=None for every node)"),
                      stacklevel=2)
        picture = summary_graph(graph, look)
    else:
        picture = build_graph(out, look, highlight=_ids(highlight), graph=graph)
    picture.format = format
    return picture
