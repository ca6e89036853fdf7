"""可打印的练习卷: 一个独立的 HTML 文件, 每题一张计算图 (梯度待填) 和填空, 答案另起一页.

The printable worksheet: one self-contained HTML file (inline SVG, no CDN, no
web fonts).  Every exercise shows its expression, the given values, its graph
with the gradients left as ``?`` and a blank per question; the answer key, with
each gradient's chain-rule expansion, starts on a page of its own.  Print CSS
keeps an exercise on one page (a level-5 graph is printed in parts, the
output layer and each hidden neuron, each on a landscape page at 9 pt or
more); on screen (a 1366×768 projector) the text is
at least 16 px.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..backprop.trace import format_number
from ..engine import Value, custom_op
from ..errors import fail
from ..graph import topological_order
from ..viz import draw_dot, to_svg
from .exercises import LEVELS, ROUNDED_LEVELS, Exercise, Question

PAGE_WIDTH_PT = 527.0
"""A4 纸去掉 12 mm 页边距后的宽度 (pt). The printable width of A4 with 12 mm margins."""
GRAPH_HEIGHT_PT = {1: 250.0, 2: 250.0, 3: 250.0, 4: 520.0, 5: 520.0}
"""选方向时每个难度的图可占的高度 (pt): 难度 1–3 一页两题, 4–5 一页一题 (图填满一页中余下的地方).

The height a graph may take per level when choosing its direction: two
exercises a page for levels 1–3; one for levels 4–5, whose graph then fills
what the page leaves."""
ALONE_LEVELS = {4}
"""一页一题的难度. Levels printed one exercise a page."""
SPLIT_LEVELS = {5}
"""图按层分开印的难度: 输出层一张, 每个隐藏神经元一张, 各占一页横向的纸, 字不小于 9 磅.

Levels whose graph is printed layer by layer: the output layer, then each
hidden neuron, each on a landscape page with its text at 9 pt or more."""
SPLIT_SCALE = 0.75
"""分开印的图按这个比例印出: 图中最小的 12 磅文字 (边上的局部导数) 印成 9 磅. The print scale of split graphs."""
LANDSCAPE_WIDTH_PT = 770.0
"""横向 A4 纸去掉 12 mm 页边距后的宽度 (pt). The printable width of landscape A4."""

STYLE = """
:root { color-scheme: light; }
body { font-family: sans-serif; font-size: 18px; line-height: 1.45; color: #111827; margin: 1.5em auto;
       max-width: 1200px; padding: 0 1em; }
h1 { font-size: 1.5em; margin: .2em 0; }
h2 { font-size: 1.2em; margin: .2em 0 .3em; }
.en { color: #4b5563; font-weight: normal; }
.meta, .howto { margin: .3em 0; }
.name-line { margin: .6em 0 1em; }
.name-line .line { display: inline-block; min-width: 9em; border-bottom: 1px solid #111827; margin-right: 1.5em; }
.exercise { border-top: 2px solid #d1d5db; padding: .6em 0 .8em; }
main > .exercise:first-child { border-top: none; padding-top: 0; }
header { border-bottom: 2px solid #d1d5db; padding-bottom: .3em; margin-bottom: .6em; }
.expr { font-size: 1.15em; margin: .2em 0; }
.expr span { display: block; }
.given { margin: .2em 0 .4em; }
.given .pair { white-space: nowrap; }
.graph { text-align: center; }
.graph svg { width: auto; height: auto; max-width: 100%; max-height: 65vh; }
.part h3 { font-size: 1.05em; margin: .6em 0 .2em; }
.part .graph svg { max-height: none; }
.blanks { list-style: none; padding: 0; margin: .5em 0 0; display: flex; flex-wrap: wrap; gap: .5em 2.5em; }
.blanks li { white-space: nowrap; }
.blank { display: inline-block; min-width: 6em; border-bottom: 1px solid #111827; height: 1.1em; }
.key { border-top: 3px double #111827; margin-top: 2em; padding-top: .5em; }
.key-item { margin: .6em 0; break-inside: avoid; }
.key-item h2 { font-size: 1.05em; }
.key-item ol { margin: .2em 0; padding-left: 1.5em; }
.key-item li { margin: .1em 0; }
.key-item .answer { font-weight: bold; }
.key-item .why { color: #374151; font-size: .9em; }
@page { size: A4; margin: 12mm; }
@page wide { size: A4 landscape; margin: 12mm; }
@media print {
  body { font-size: 11pt; margin: 0; max-width: none; padding: 0; }
  .exercise { break-inside: avoid; page-break-inside: avoid; padding: 4pt 0 10pt; }
  .graph svg { max-height: 250pt; }
  .exercise.alone { break-after: page; page-break-after: always; display: flex; flex-direction: column;
                    height: 268mm; box-sizing: border-box; }
  .exercise.alone .graph { flex: 1 1 0; min-height: 0; }
  .exercise.alone .graph svg { max-height: 100%; }
  .exercise.split { page: wide; break-after: page; page-break-after: always; }
  .exercise.split .expr span { display: inline-block; margin-right: 2.5em; }
  .part { break-inside: avoid; page-break-inside: avoid; }
  .part + .part { break-before: page; page-break-before: always; }
  .part .graph svg { max-width: none; max-height: none; }
  .key { break-before: page; page-break-before: always; border-top: none; margin-top: 0; padding-top: 0; }
}
"""


def _svg(exercise: Exercise) -> str:
    """这道题的图 (梯度显示为 ?), 选 LR 或 TB 中在纸上显得更大的那个方向. The graph, in the direction printed larger."""
    best, best_scale = "", -1.0
    for rankdir in ("LR", "TB"):
        svg = to_svg(draw_dot(exercise.out, quiz=True, rankdir=rankdir, lang="zh"))
        size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
        width, height = (float(size.group(1)), float(size.group(2))) if size else (1.0, 1.0)
        scale = min(PAGE_WIDTH_PT / width, GRAPH_HEIGHT_PT[exercise.level] / height, 1.0)
        if scale > best_scale:
            best, best_scale = svg[svg.find("<svg"):], scale
    return best


def _cut(out: Value, stops: set[int]) -> Value:
    """out 以上的图的一份拷贝, stops 中的节点变成叶子 (数据与名字不变). A copy of the graph cut at ``stops``."""
    made: dict[int, Value] = {}
    for node in topological_order(out):
        if id(node) in stops or not node.parents:
            copy = Value(node.data, node.label)
        else:
            copy = custom_op(node.data, [made[id(p)] for p in node.parents], node.local_grads, node.op)
            copy.label = node.label
        made[id(node)] = copy
    return made[id(out)]


def _parts(exercise: Exercise) -> list[tuple[str, Value, list[Question]]]:
    """分开印的题: (说明, 图的输出, 这张图上的小题); 输出层的图在隐藏神经元处切开, 每个隐藏神经元一张图.

    A split exercise as (caption, graph output, its questions): the output
    layer cut at the hidden neurons, then one graph per hidden neuron, whose
    box takes the gradient found on the first graph (its upstream gradient).
    """
    nodes = {node.label: node for node in topological_order(exercise.out)}
    hidden = [nodes[name] for name in ("h1", "h2")]
    top = _cut(exercise.out, {id(h) for h in hidden})
    on_top = {node.label for node in topological_order(top)}
    parts = [("第 1 部分: 输出层 <span class=\"en\">Part 1: the output layer</span>", top,
              [q for q in exercise.questions if q.name in on_top])]
    for k, h in enumerate(hidden, start=2):
        below = {node.label for node in topological_order(h)} - {h.label}
        parts.append((f"第 {k} 部分: 隐藏神经元 {h.label}, 从第 1 部分得到的 ∂L/∂{h.label} (上游梯度) 开始 "
                      f"<span class=\"en\">Part {k}: hidden neuron {h.label}, starting from ∂L/∂{h.label} "
                      f"of part 1</span>", h, [q for q in exercise.questions if q.name in below]))
    return parts


def _scaled_svg(out: Value) -> str:
    """按 SPLIT_SCALE 印的图: 选放得进横向纸宽的方向 (优先 LR), 宽高写成磅. A graph printed at SPLIT_SCALE."""
    for rankdir in ("LR", "TB"):
        svg = to_svg(draw_dot(out, quiz=True, rankdir=rankdir, lang="zh"))
        size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
        assert size is not None
        width, height = float(size.group(1)), float(size.group(2))
        if width * SPLIT_SCALE <= LANDSCAPE_WIDTH_PT:
            break
    svg = svg[svg.find("<svg"):]
    return svg.replace(size.group(0), f'<svg width="{width * SPLIT_SCALE:.1f}pt" height="{height * SPLIT_SCALE:.1f}pt"',
                       1)


def _blanks(questions: Sequence[Question]) -> str:
    items = "".join(f'<li>{html.escape(q.symbol)} = <span class="blank"></span></li>' for q in questions)
    return f'<ol class="blanks">{items}</ol>'


def _given(exercise: Exercise) -> str:
    values = ", ".join(f'<span class="pair">{html.escape(name)} = {format_number(value)}</span>'
                       for name, value in exercise.values.items())
    return f'<p class="given">已知 <span class="en">given</span>: {values}</p>'


def _rounding(level: int) -> str:
    decimals = ROUNDED_LEVELS.get(level)
    if decimals is None:
        return "答案是精确的整数或小数. <span class=\"en\">The answers are exact.</span>"
    return (f"答案保留 {decimals} 位小数. <span class=\"en\">Round the answers to {decimals} decimal places.</span>")


def _exercise(exercise: Exercise, header: str = "") -> str:
    """一道题的 HTML; 第一题带上卷头, 这样打印时卷头和第一题在同一页. One exercise; the first carries the header."""
    lines = "".join(f"<span>{html.escape(line)}</span>" for line in exercise.text.split("; "))
    if exercise.level in SPLIT_LEVELS:
        kind = " split"
        graphs = "\n".join(f'<div class="part"><h3>{caption}</h3>\n<div class="graph">{_scaled_svg(out)}</div>\n'
                           f'{_blanks(questions)}</div>' for caption, out, questions in _parts(exercise))
    else:
        kind = " alone" if exercise.level in ALONE_LEVELS else ""
        graphs = f'<div class="graph">{_svg(exercise)}</div>\n{_blanks(exercise.questions)}'
    return (f'<section class="exercise{kind}" id="exercise-{exercise.number}">\n{header}'
            f'<h2>第 {exercise.number} 题 <span class="en">Exercise {exercise.number}</span></h2>\n'
            f'<p class="expr">{lines}</p>\n{_given(exercise)}\n{graphs}\n</section>')


def _key_item(exercise: Exercise) -> str:
    steps = exercise.backward_steps()
    rows = []
    for q in exercise.questions:
        formula = steps.explain(q.node).formula()
        rounded = f" ≈ {q.answer_text()}" if exercise.decimals is not None else ""
        rows.append(f'<li><span class="answer">{html.escape(q.symbol)} = {html.escape(q.answer_text())}</span> '
                    f'<span class="why">{html.escape(formula + rounded)}</span></li>')
    return (f'<div class="key-item"><h2>第 {exercise.number} 题 <span class="en">Exercise {exercise.number}</span>: '
            f'{html.escape(exercise.text)}</h2>\n<ol>{"".join(rows)}</ol></div>')


def _header(title: str, about: str, count: int, rounding: str) -> str:
    """卷头: 标题, 姓名栏, 做法说明. The sheet's header: title, name line, instructions."""
    return f"""<header>
<h1>{html.escape(title)}</h1>
<p class="meta">{about} · {count} 题 <span class="en">exercises</span></p>
<p class="name-line">姓名 <span class="en">Name</span> <span class="line"></span>
班级 <span class="en">Class</span> <span class="line"></span>
日期 <span class="en">Date</span> <span class="line"></span></p>
<p class="howto">从输出开始在图上反向传播, 把每个梯度写在横线上; 图中的 “梯度 grad = ?” 就是要求的数, 边上写着局部导数.
<span class="en">Backpropagate on the graph from the output and write each gradient on its line; “grad = ?” marks
the numbers to find, and every edge carries its local derivative.</span> {rounding}</p>
</header>
"""


def worksheet_html(exercises: Sequence[Exercise], title: str | None = None) -> str:
    """练习卷的完整 HTML 文本 (中文为主, 附英文). The whole worksheet as HTML text, Chinese with English."""
    if not exercises:
        fail(ValueError, "worksheet_html: 至少需要一道练习", "worksheet_html needs at least one exercise")
    levels = sorted({ex.level for ex in exercises})
    level_text = "、".join(map(str, levels))
    if title is None:
        title = f"反向传播练习 · 难度 {level_text} (Backpropagation exercises · level {level_text})"
    about = "; ".join(f"{LEVELS[lv][0]} <span class=\"en\">({LEVELS[lv][1]})</span>" for lv in levels)
    rounding = " ".join(_rounding(lv) for lv in levels)
    header = _header(title, about, len(exercises), rounding)
    body = "\n".join(_exercise(ex, header if i == 0 else "") for i, ex in enumerate(exercises))
    key = "\n".join(map(_key_item, exercises))
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
{body}
</main>
<section class="key">
<h1>答案 <span class="en">Answer key</span></h1>
<p class="howto">每个梯度后面是它的链式法则展开 (各使用者送来的梯度堆放相加).
<span class="en">Each gradient is followed by its chain-rule expansion: what every consumer sends, piled up.</span></p>
{key}
</section>
</body>
</html>
"""


def write_worksheet(exercises: Sequence[Exercise], path: str | os.PathLike[str], title: str | None = None) -> Path:
    """把练习卷写成一个独立的 HTML 文件 (可直接打印或另存为 PDF), 返回路径.

    Write the worksheet to one self-contained HTML file, ready to print or to
    save as PDF from the browser, and return its path.
    """
    target = Path(path)
    target.write_text(worksheet_html(exercises, title), encoding="utf-8")
    return target
