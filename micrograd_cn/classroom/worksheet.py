"""可打印的练习卷: 一个独立的 HTML 文件, 每题一张计算图 (梯度待填) 和填空, 答案另起一页.

The printable worksheet: one self-contained HTML file (inline SVG, no CDN, no
web fonts).  Every exercise shows its expression, the given values, its graph
with the gradients left as ``?`` and a blank per question; the answer key, with
each gradient's chain-rule expansion, starts on a page of its own.  Print CSS
keeps an exercise on one page; on screen (a 1366×768 projector) the text is
at least 16 px.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..backprop.trace import format_number
from ..errors import fail
from ..viz import draw_dot, to_svg
from .exercises import LEVELS, ROUNDED_LEVELS, Exercise

PAGE_WIDTH_PT = 527.0
"""A4 纸去掉 12 mm 页边距后的宽度 (pt). The printable width of A4 with 12 mm margins."""
GRAPH_HEIGHT_PT = {1: 250.0, 2: 250.0, 3: 250.0, 4: 520.0, 5: 520.0}
"""选方向时每个难度的图可占的高度 (pt): 难度 1–3 一页两题, 4–5 一页一题 (图填满一页中余下的地方).

The height a graph may take per level when choosing its direction: two
exercises a page for levels 1–3; one for levels 4–5, whose graph then fills
what the page leaves."""
ALONE_LEVELS = {4, 5}
"""一页一题的难度. Levels printed one exercise a page."""

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
@media print {
  body { font-size: 11pt; margin: 0; max-width: none; padding: 0; }
  .exercise { break-inside: avoid; page-break-inside: avoid; padding: 4pt 0 10pt; }
  .graph svg { max-height: 250pt; }
  .exercise.alone { break-after: page; page-break-after: always; display: flex; flex-direction: column;
                    height: 268mm; box-sizing: border-box; }
  .exercise.alone .graph { flex: 1 1 0; min-height: 0; }
  .exercise.alone .graph svg { max-height: 100%; }
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
    blanks = "".join(f'<li>{html.escape(q.symbol)} = <span class="blank"></span></li>' for q in exercise.questions)
    alone = " alone" if exercise.level in ALONE_LEVELS else ""
    return (f'<section class="exercise{alone}" id="exercise-{exercise.number}">\n{header}'
            f'<h2>第 {exercise.number} 题 <span class="en">Exercise {exercise.number}</span></h2>\n'
            f'<p class="expr">{lines}</p>\n{_given(exercise)}\n'
            f'<div class="graph">{_svg(exercise)}</div>\n<ol class="blanks">{blanks}</ol>\n</section>')


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
