"""逐步播放器: 一次排版 + 一串记录下的堆放 + 同一份前端 (assets/player.js).

The step-through player.  A step-through is data, not pictures:

- **one layout** of the graph (Graphviz, once, with room in every box for the
  widest gradient it will ever show), kept as one SVG whose nodes and edges
  have stable ids (``node-<i>``, ``op-<i>``, ``d-<i>-<k>``);
- **a compact list of recorded steps** from :func:`trace.backward_steps`: who
  sends to whom along which edge, the receiver's running total and the
  chain-rule equation;
- **one front-end** (``assets/player.js`` and ``player.css``, plain JS/CSS, no
  CDN) that applies step k's state to the SVG: text, classes, highlights,
  pan / zoom / follow.

The exported file, the notebook output, the docs site and the browser
playground all load that front-end with data made by :func:`player_data`.
Nothing moves between steps, the size grows with graph + steps, and a saved
notebook replays without a kernel.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..backprop.diagnose import quiz_data
from ..backprop.trace import BackwardSteps, partial
from ..engine import Value
from ..errors import fail
from .compact import compact_css, compact_js
from .display import picture_html
from .dot import Look, Scene, build_graph, build_neuron_graph, field_names
from .frames import recorded
from .groups import find_layers
from .renderer import RendererNotFoundError, to_svg
from .style import FONT, ROLE_TAGS, fmt

ASSETS = Path(__file__).with_name("assets")
MAX_NODES = 1200
"""播放器最多画的节点数; 更大的图请用 draw_dot 的按层概要. The most Values a player draws."""
STEPS_MAX_HEIGHT = 240
"""静态视图中步骤列表的最大高度 (px), 更长时滚动. The static step list's tallest height in px; it scrolls beyond."""
FOCUS_ABOVE = 30
"""节点多于此数时默认打开 "聚焦" (只突出当前节点的邻居). Above this many nodes focus starts on."""

WORDS: dict[str, dict[str, str]] = {
    "zh": {"first": "开头", "prev": "上一步", "next": "下一步", "last": "末尾", "play": "播放", "pause": "暂停",
           "zoom_in": "放大 zoom in", "zoom_out": "缩小 zoom out", "fit": "适合 fit", "follow": "跟随 follow",
           "focus": "聚焦 focus", "present": "演示 present",
           "present_title": "全屏, 字更大 (键 F) full screen, larger text (key F)",
           "present_size": "演示字号 text", "speed": "速度 speed",
           "neuron_view": "神经元视图 neurons", "all_view": "全部节点 all nodes", "counter": "第 {k} / {n} 步",
           "step_head": "第 {k}/{n} 步: ", "totals": "累计梯度 running totals",
           "start": "第 0 步: 前向传播已算出数据, 梯度待求 (step 0: forward pass done, gradients unknown)",
           "help": "键: ← → 或空格 逐步 · Home End 开头 末尾 · P 播放 · [ ] 慢 快 · + − 缩放 · 0 全貌 · 1 可读大小 · "
                   "F 演示; 拖动平移, 点一个节点看它的讲解. (keys: ← → or space step, Home End first last, P play, "
                   "[ ] slower faster, + − zoom, 0 overview, 1 readable size, F present; drag to pan, click a node "
                   "for its explanation.)",
           "quiz_help": "测验: 点一个节点, 在下面写出它的梯度 (如 0.25、-3、1/4), 按回车检查; 答错有提示; "
                        "\"全部揭晓\" 之后可以逐步播放. 键: + − 缩放 · 0 全貌 · 1 可读大小 · F 演示. "
                        "(quiz: click a node, type its gradient, press Enter; after \"reveal all\" you can step.)",
           "static": "没有运行脚本 (笔记本还不受信任, 或这里不运行脚本): 下面是反向传播结束时的图 (可滚动) 和全部步骤. "
                     "要逐步播放, 请信任这个笔记本: JupyterLab 按 Ctrl+Shift+C 打开命令面板, 选 Trust Notebook "
                     "(信任笔记本); Notebook 7 选 文件 → 信任笔记本 (File → Trust Notebook); 或在终端运行 "
                     "jupyter trust 笔记本.ipynb; 然后重新打开. (Scripts are not running: the graph after the backward "
                     "pass and every step. To step through it, trust the notebook: in JupyterLab press Ctrl+Shift+C "
                     "and choose Trust Notebook; in Notebook 7 File → Trust Notebook; or run jupyter trust "
                     "NOTEBOOK.ipynb in a terminal; then open it again.)",
           "all_steps": "全部步骤 (every step)",
           "picture": "反向传播结束时的计算图 (the graph after the backward pass)",
           "totals_button": "累计 totals",
           "term_step": "第 {s} 步送来 (piled up at step {s})",
           "quiz_prompt": "测验: 点一个节点, 写出它的梯度; 建议顺序 {order} (quiz: click a node and type its gradient)",
           "quiz_score": "答对 {right} / {n}", "quiz_done": "测验结束: 答对 {right} / {n}, 其中 {first} 个一次答对 "
           "(done: {right} of {n} right, {first} at the first try)",
           "check": "检查 check", "reveal": "显示答案 reveal", "reveal_all": "全部揭晓 reveal all",
           "not_a_number": "请写一个数, 如 0.25、-3 或 1/4 (type a number such as 0.25, -3 or 1/4)",
           "not_yet": "还不对, 再想想 (not yet — try again)", "right": "✔ 对了 right:", "revealed": "答案 answer:",
           "next_question": "下一题 next: {name}", "hint": "提示 hint: ",
           "legend_receiver": "接收并堆放梯度的节点 (朱红, 粗实线框)",
           "legend_sender": "发送梯度的节点 (紫, 虚线框)",
           "legend_edge": "当前的边 (绿, 粗虚线; 箭头指向接收者)",
           "overview": "全貌 (字 {px} px); 点这里或按 1 回到可读大小 (overview at {px} px; click or press 1 to read)",
           "split_note": "另一端在图中较远处 (the other end, far away in the graph)",
           "zoomed_out": "两端相距远: 这一步缩小到字 {px} px; 点这里或按 1 放大 (both ends shown at {px} px; "
                         "click or press 1 to zoom in)"},
    "en": {"first": "first", "prev": "prev", "next": "next", "last": "last", "play": "play", "pause": "pause",
           "zoom_in": "zoom in", "zoom_out": "zoom out", "fit": "fit", "follow": "follow", "focus": "focus",
           "present": "present", "present_title": "full screen with larger text (key F)",
           "present_size": "text", "speed": "speed", "neuron_view": "neurons", "all_view": "all nodes",
           "counter": "step {k} of {n}", "step_head": "step {k}/{n}: ",
           "totals": "running totals", "start": "step 0: forward pass done, gradients unknown",
           "help": "keys: ← → or space step, Home End first last, P play, [ ] slower faster, + − zoom, 0 overview, "
                   "1 readable size, F present; drag to pan, click a node for its explanation.",
           "quiz_help": "Quiz: click a node, type its gradient below and press Enter; a wrong answer gets a hint. "
                        "Keys: + − zoom, 0 overview, 1 readable size, F present. After \"reveal all\" you can step.",
           "static": "Scripts are not running (the notebook is not trusted yet, or this viewer runs none): the graph "
                     "after the backward pass (it scrolls) and every step. To step through it, trust the notebook: "
                     "in JupyterLab press Ctrl+Shift+C and choose Trust Notebook; in Notebook 7 File → Trust Notebook; "
                     "or run jupyter trust NOTEBOOK.ipynb in a terminal; then open it again.",
           "all_steps": "every step", "term_step": "piled up at step {s}",
           "picture": "the graph after the backward pass", "totals_button": "totals",
           "quiz_prompt": "Quiz: click a node and type its gradient; suggested order {order}",
           "quiz_score": "right {right} / {n}",
           "quiz_done": "Done: {right} of {n} right, {first} at the first try",
           "check": "check", "reveal": "reveal", "reveal_all": "reveal all",
           "not_a_number": "type a number such as 0.25, -3 or 1/4", "not_yet": "not yet — try again",
           "right": "✔ right:", "revealed": "answer:", "next_question": "next: {name}", "hint": "hint: ",
           "legend_receiver": "the node receiving and piling up (vermillion, thick solid border)",
           "legend_sender": "the node sending its gradient (purple, dashed border)",
           "legend_edge": "the active edge (green, thick dashes; the arrowhead points at the receiver)",
           "overview": "overview, text {px} px: click or press 1 for the readable size",
           "split_note": "the other end, far away in the graph",
           "zoomed_out": "both ends of this step shown at {px} px text; click or press 1 to zoom back"},
}

QUIZ_WORDS = frozenset({"quiz_prompt", "quiz_score", "quiz_done", "check", "reveal", "reveal_all", "not_a_number",
                        "not_yet", "right", "revealed", "next_question", "hint", "quiz_help"})
"""只有测验用到的词; 不测验的播放器不带它们. Words only the quiz uses; other players leave them out."""


@cache
def asset(name: str) -> str:
    """前端文件的文本 (player.js, player-quiz.js, player.css), 写紧凑后嵌入页面. A front-end file, compacted.

    See :mod:`micrograd_cn.viz.compact`; the source files stay readable.
    """
    text = (ASSETS / name).read_text(encoding="utf-8")
    return compact_js(text) if name.endswith(".js") else compact_css(text)


@dataclass(frozen=True)
class PlayerData:
    """播放器需要的一切: ``data`` (可写成 JSON), 排好版的 ``svg`` 和它的 DOT 源码 ``dot``.

    Everything a player needs: ``data`` (JSON-ready: nodes, steps, words),
    the laid-out ``svg`` (None when it is to be laid out elsewhere, e.g. by
    viz-js in the browser) and the ``dot`` source it came from.
    """

    data: dict[str, Any]
    svg: str | None
    dot: str
    neuron_svg: str | None = None
    """神经元视图 (每个神经元一个方框) 的 SVG; 图中没有神经元时为 None. The neuron view, if any."""
    neuron_dot: str | None = None

    def to_json(self) -> str:
        """data 与 svg 合成一个 JSON 文本 (浏览器中的 mount 直接可用). Data and SVG as one JSON text."""
        return json.dumps({**self.data, "svg": self.svg, "neuron_svg": self.neuron_svg}, ensure_ascii=False)


def player_data(out: Value | BackwardSteps, lang: str = "zh", *, rankdir: str = "LR", layered: bool = False,
                group: bool | None = None, color_by: str = "role", show_index: bool = False,
                params: Iterable[Value] | None = None, interval_ms: int = 1200, max_nodes: int | None = MAX_NODES,
                quiz: bool = False, ask: Iterable[Value] | None = None, layout: bool = True) -> PlayerData:
    """为播放器准备数据: 图只遍历一次、只排版一次; 每一步是一小行数据.

    Prepare a player: the graph is walked once (:class:`graph.GraphSnapshot`)
    and laid out once; each recorded accumulation becomes one short row
    ``[sender, k, receiver, receiver's running total, equation]``.  Every
    node carries its chain-rule expansion (:meth:`BackwardSteps.explain`,
    shown when a node is clicked).  A network also gets the neuron view (each
    neuron one box, as in the textbook's figure; a click on a neuron opens it
    in the full view).  :func:`step_through` and :func:`export_html` take the
    same options.

    Options (选项):

    - ``out``: a Value (its backward pass is recorded now, from zero
      gradients) or a recorded :class:`BackwardSteps` (e.g. with
      ``accumulate=True``).
    - ``lang``: ``"zh"`` (Chinese with English, default) or ``"en"``.
    - ``rankdir``: direction of the layout, ``"LR"`` (default), ``"TB"``,
      ``"RL"`` or ``"BT"``.
    - ``layered``: put the nodes at the same distance from the output in the
      same column (the seed's layer-by-layer picture).
    - ``group``: box each neuron (weights, bias, Σ, activation) and name its
      layer; default: when the graph has neurons (``dot`` nodes).
    - ``color_by``: ``"role"`` (input, parameter, constant, intermediate,
      output; default) or ``"sign"`` (the sign of each gradient).
    - ``show_index``: add each node's topological index to its box.
    - ``params``: the Values to colour as parameters (e.g.
      ``model.parameters()``); otherwise guessed from their names.
    - ``interval_ms``: the time between steps when playing (default 1200).
    - ``max_nodes``: refuse graphs with more Values (default
      :data:`MAX_NODES`; None: no limit); use ``draw_dot`` for a summary.
    - ``quiz``: start the answering quiz: gradients hidden, the student types
      them, wrong answers get the diagnoses of :mod:`micrograd_cn.diagnose`.
    - ``ask``: with ``quiz``, ask only about these Values (default: every
      node), e.g. the ones with textbook names.
    - ``layout``: ``False`` leaves ``svg`` None, for a page that lays out
      ``dot`` itself (the browser site).
    """
    steps = recorded(out)
    graph = steps.graph
    if max_nodes is not None and len(graph) > max_nodes:
        fail(ValueError, f"播放器: 图有 {len(graph)} 个节点, 超过 max_nodes={max_nodes}; 请用 draw_dot 看按层的概要, "
             "或传 max_nodes=None",
             f"player: the graph has {len(graph)} nodes, more than max_nodes={max_nodes}; use draw_dot for a "
             "summary by depth, or pass max_nodes=None")
    if group is None:
        group = any(node.op == "dot" for node in graph.order)
    look = Look(rankdir=rankdir, color_by=color_by, show_index=show_index, layered=layered, lang=lang,
                params=frozenset(id(p) for p in params or ()), group=group)
    seed = fmt(steps[0].node_grad) if len(steps) else fmt(steps.out.grad)
    shown: dict[int, set[str]] = {id(steps.out): {seed}}
    final: dict[int, float] = {id(steps.out): steps[0].node_grad if len(steps) else steps.out.grad}
    rows = []
    index = graph.index
    for step in steps:
        text = fmt(step.after)
        shown.setdefault(id(step.parent), set()).add(text)
        final[id(step.parent)] = step.after
        rows.append([index[id(step.node)], step.position, index[id(step.parent)], text, step.equation(lang)])
    prefix = f"{field_names(lang)[1]} = "
    reserve = {key: tuple(prefix + text for text in (*texts, "?")) for key, texts in shown.items()}
    scene = Scene(grads=final, reserve=reserve)
    picture = build_graph(steps.out, look, scene, graph=graph)
    out_name = graph.names[index[id(steps.out)]]
    data = {
        "version": 1,
        "lang": lang,
        "words": {**{key: text for key, text in WORDS[lang].items() if quiz or key not in QUIZ_WORDS},
                  "receiver_tag": ROLE_TAGS[lang]["receiver"], "sender_tag": ROLE_TAGS[lang]["sender"]},
        "out": index[id(steps.out)],
        "seed": seed,
        "grad_prefix": prefix,
        "nodes": [{"name": name, "parents": [index[id(p)] for p in node.parents]}
                  for node, name in zip(graph.order, graph.names)],
        "partials": [partial(out_name, name) for name in graph.names],
        "table_order": list(range(len(graph) - 1, -1, -1)),
        "steps": rows,
        "interval_ms": int(interval_ms),
        "focus_above": FOCUS_ABOVE,
        "explain": [_explanation(steps.explain(node).to_dict(index), lang) for node in graph.order],
    }
    if quiz:
        data["quiz_mode"] = True
        data["quiz"] = quiz_data(steps, with_explanations=False, ask=ask)
    layers = find_layers(graph) if group else []
    neuron_picture = None
    if layers:
        neuron_scene = Scene(grads=final, reserve=_neuron_reserve(reserve, shown, graph, layers, prefix))
        neuron_picture, data["neuron_edges"] = build_neuron_graph(steps.out, look, neuron_scene, graph, layers)
        data["neurons"] = [{"id": f"neuron-{n.net}", "net": n.net, "out": n.out, "members": list(n.members)}
                           for layer in layers for n in layer.neurons]
    svg = neuron_svg = None
    if layout:
        try:
            svg = _inline_svg(to_svg(picture))
            neuron_svg = _inline_svg(to_svg(neuron_picture)) if neuron_picture is not None else None
        except RendererNotFoundError as error:  # 没有渲染器: 页面显示提示与 DOT 源码. Hint and DOT source instead.
            data["missing_renderer"] = str(error)
    return PlayerData(data, svg, picture.source, neuron_svg,
                      neuron_picture.source if neuron_picture is not None else None)


def _neuron_reserve(reserve: dict[int, tuple[str, ...]], shown: dict[int, set[str]], graph: Any,
                    layers: list[Any], prefix: str) -> dict[int, tuple[str, ...]]:
    """神经元视图的方框也要放得下 "梯度 grad = 0.1385 (net_o1)": 当前一步的发送者或接收者是神经元里
    输出之外的成员时, 方框显示那个成员的梯度并写出它的名字.

    Room in each neuron box for "grad = 0.1385 (net_o1)": when the step's
    sender or receiver is a member other than the output, the box shows that
    member's gradient and names it (the front-end's ``member_grad``).
    """
    result = dict(reserve)
    for layer in layers:
        for neuron in layer.neurons:
            out_key = id(graph.order[neuron.out])
            extra = [f"{prefix}{text} ({graph.names[m]})" for m in neuron.members if m != neuron.out
                     for text in shown.get(id(graph.order[m]), ())]
            result[out_key] = (*result.get(out_key, ()), *extra)
    return result


def _explanation(full: dict[str, Any], lang: str) -> dict[str, Any]:
    """播放器需要的那部分展开式 (记号、数与一句说明). The part of an explanation the player shows."""
    note = f"{full['note_zh']} {full['note_en']}" if lang == "zh" else full["note_en"]
    terms = [{key: term[key] for key in ("edge", "step", "symbol", "numbers")} for term in full["terms"]]
    return {"head": full["head"], "total": full["total"], "note": note, "terms": terms}


_SVG_CLUTTER = re.compile(r"<!--.*?-->\n?|<title>[^<]*</title>\n?", re.S)
_SVG_INHERITED = (f' font-family="{FONT}"', ' xml:space="preserve"')
"""每个 <text> 都重复的属性: 只在 <svg> 上写一次 (子元素继承). Attributes every text repeats, set once on the root."""


def _inline_svg(svg: str) -> str:
    """只留 <svg> 元素 (去掉声明、注释与 title), 宽高改用 viewBox 的单位 (1 单位 = 1 px), 并写得紧凑.

    Keep the ``<svg>`` element alone (no declaration, comments or titles),
    size it in viewBox units, so that 1 unit is 1 px at scale 1, and write it
    compactly: the font family and ``xml:space`` every text repeats are set
    once on the root, which they inherit from, ``&#45;`` is a plain ``-`` and
    font sizes lose their ``.00``.
    """
    svg = _SVG_CLUTTER.sub("", svg[svg.find("<svg"):])
    if all(attribute in svg for attribute in _SVG_INHERITED):
        for attribute in _SVG_INHERITED:
            svg = svg.replace(attribute, "")
        svg = svg.replace("<svg ", "<svg" + "".join(_SVG_INHERITED) + " ", 1)
    svg = re.sub(r'font-size="(\d+)\.00"', r'font-size="\1"', svg.replace("&#45;", "-"))
    head_end = svg.find(">")
    head = svg[:head_end]
    for unit in ("width", "height"):
        start = head.find(f'{unit}="')
        if start >= 0:
            stop = head.find('"', start + len(unit) + 2)
            value = head[start + len(unit) + 2:stop].removesuffix("pt")
            head = f'{head[:start]}{unit}="{value}"{head[stop + 1:]}'
    return head + svg[head_end:]


def _json_in_html(data: dict[str, Any]) -> str:
    """放进 <script> 的 JSON: 转义 "</" 与 HTML 注释. JSON safe inside a script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def player_html(prepared: PlayerData, *, keys_on_document: bool = False) -> str:
    """播放器的 HTML 片段: 一个 div, 内含样式、SVG、数据与脚本; 没有脚本时显示最终的图和全部步骤.

    The player as one self-contained ``<div>``: style, the laid-out SVG (as an
    image, which the front-end turns back into inline SVG), the data and the
    front-end script.  Where scripts do not run (an untrusted notebook, which
    also drops ``<style>`` and ``<svg>``, or a static viewer) it shows the graph
    after the backward pass at its natural size and the list of every step.
    The keys (← → space, ...) go to the player last clicked anywhere in it,
    else to the only player on screen; ``keys_on_document`` (the standalone
    file) makes this player take them also when others are on screen.
    """
    data = dict(prepared.data, keys_on_document=keys_on_document)
    words = data["words"]
    pid = f"mgcn-{uuid.uuid4().hex[:12]}"
    steps = "".join(f"<li>{html.escape(row[4])}</li>" for row in data["steps"])
    if prepared.svg:  # 图片形式: 不受信任的笔记本也照样显示 (它删掉 <svg> 与 <style>, 留下 <img>). Kept when untrusted.
        picture = picture_html(prepared.svg, words["picture"], "mgcn-static-only mgcn-static-view",
                               "mgcn-static-picture")
    else:
        picture = (f'<div class="mgcn-static-only mgcn-static-view"><p>{html.escape(data.get("missing_renderer", ""))}'
                   f"</p><pre>{html.escape(prepared.dot)}</pre></div>")
    data["neuron_svg"] = prepared.neuron_svg
    return (f'<div class="mgcn-player" id="{pid}" tabindex="0" data-step="0" data-lm-suppress-shortcuts="true" '
            f'lang="{"zh-CN" if data["lang"] == "zh" else "en"}">'
            f"<style>{asset('player.css')}</style>"
            f'<p class="mgcn-static-only">{html.escape(words["static"])}</p>{picture}'
            f'<details class="mgcn-static-only" open><summary>{html.escape(words["all_steps"])}</summary>'
            f'<ol style="overflow:auto;max-height:{STEPS_MAX_HEIGHT}px">{steps}</ol></details>'
            f'<script type="application/json" class="mgcn-data">{_json_in_html(data)}</script>'
            f"<script>{front_end(bool(data.get('quiz_mode')))}\n"
            f'MicrogradPlayer.mount(document.getElementById("{pid}"));</script></div>')


def front_end(quiz: bool) -> str:
    """嵌入页面的脚本: player.js, 测验的播放器再加上 player-quiz.js. The script a page embeds: player.js,
    and player-quiz.js after it for a player in quiz mode."""
    return asset("player.js") + (asset("player-quiz.js") if quiz else "")


class Player:
    """笔记本中的播放器: 显示为 HTML (同一份前端), 保存后重新打开无需内核即可播放.

    A player in a notebook: displayed as HTML with the one front-end, so a
    saved notebook replays it without a kernel.  ``data`` is the
    :class:`PlayerData`; ``html`` the fragment.
    """

    def __init__(self, prepared: PlayerData) -> None:
        self.data = prepared
        self.html = player_html(prepared)

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<Player: {len(self.data.data['nodes'])} 个节点 nodes, {len(self.data.data['steps'])} 步 steps>"
