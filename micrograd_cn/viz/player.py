"""播放器的 HTML/JS 模板: 独立 HTML 文件与笔记本中的静态播放器共用这一份.

The one HTML/JS template of the step-through player, shared by the
self-contained file of :func:`export_html` and the static notebook player.
Every frame is inline SVG; without JavaScript all frames show one below the
other, with it one frame at a time with previous / next / play buttons and
the arrow keys.  No network, no CDN, no web fonts.
"""

from __future__ import annotations

import html
import json
import uuid
from string import Template

from ..trace import partial
from .display import inline_html
from .frames import Frame
from .style import fmt

STYLE = """
.mgcn-player { font-family: sans-serif; color: #111827; outline: none; }
.mgcn-controls { display: none; gap: .5em; align-items: center; flex-wrap: wrap; margin: .5em 0; }
.mgcn-js .mgcn-controls { display: flex; }
.mgcn-controls button { font-size: 1em; padding: .3em .8em; cursor: pointer; }
.mgcn-counter { font-weight: bold; margin-left: .5em; }
.mgcn-js .mgcn-frame { display: none; }
.mgcn-js .mgcn-frame.mgcn-current { display: block; }
.mgcn-frame { border-top: 1px solid #e5e7eb; padding: .5em 0; }
.mgcn-caption { font-size: 1.15em; margin: .3em 0; }
.mgcn-svg svg { max-width: 100%; height: auto; }
.mgcn-totals { border-collapse: collapse; margin: .5em 0; }
.mgcn-totals caption { text-align: left; color: #4b5563; white-space: nowrap; }
.mgcn-totals th, .mgcn-totals td { border: 1px solid #d1d5db; padding: .15em .6em; text-align: right; }
.mgcn-totals tr.mgcn-receiver { background: #fee2e2; font-weight: bold; }
"""

TEMPLATE = Template("""<div class="mgcn-player" id="$pid" tabindex="0">
<style>$style</style>
<div class="mgcn-controls">
<button type="button" data-act="first">⇤ $first</button>
<button type="button" data-act="prev">◀ $prev</button>
<button type="button" data-act="play">▶ $play</button>
<button type="button" data-act="next">$next ▶</button>
<span class="mgcn-counter"></span>
</div>
<div class="mgcn-frames">
$sections
</div>
<script>
(function () {
  var root = document.getElementById("$pid");
  var frames = root.querySelectorAll(".mgcn-frame");
  var counter = root.querySelector(".mgcn-counter");
  var playButton = root.querySelector('[data-act="play"]');
  var last = frames.length - 1, current = 0, timer = null;
  var counterText = $counter;
  function show(k) {
    current = Math.max(0, Math.min(last, k));
    for (var i = 0; i < frames.length; i++) {
      frames[i].classList.toggle("mgcn-current", i === current);
    }
    counter.textContent = counterText.split("{k}").join(current).split("{n}").join(last);
    root.setAttribute("data-step", current);
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "▶ $play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current === last) { show(0); }
    playButton.textContent = "⏸ $pause";
    timer = setInterval(function () {
      if (current >= last) { stop(); } else { show(current + 1); }
    }, $interval);
  }
  var actions = {
    first: function () { stop(); show(0); },
    prev: function () { stop(); show(current - 1); },
    next: function () { stop(); show(current + 1); },
    play: play
  };
  root.querySelectorAll("[data-act]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.getAttribute("data-act")](); });
  });
  $keyTarget.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { actions.next(); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { actions.prev(); event.preventDefault(); }
    else if (event.key === "Home") { actions.first(); event.preventDefault(); }
    else if (event.key === "End") { stop(); show(last); event.preventDefault(); }
  });
  root.classList.add("mgcn-js");
  show(0);
})();
</script>
</div>""")

WORDS = {
    "zh": {"first": "开头 first", "prev": "上一步 prev", "next": "下一步 next", "play": "播放 play",
           "pause": "暂停 pause", "counter": "第 {k} / {n} 步 (step {k} of {n})",
           "totals": "累计梯度 running totals"},
    "en": {"first": "first", "prev": "prev", "next": "next", "play": "play", "pause": "pause",
           "counter": "step {k} of {n}", "totals": "running totals"},
}


def svg_only(svg: str) -> str:
    """去掉 XML 声明与 DOCTYPE, 只留 <svg> 元素, 以便内联. Keep only the <svg> element for inlining."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def frame_section(frame: Frame, out_name: str, lang: str, picture: str | None = None) -> str:
    """一帧的 HTML: 标题 (链式法则等式)、SVG 图和累计梯度表.

    The HTML of one frame: the caption (chain-rule equation), the picture
    (inline SVG, or the DOT source and install hint without a renderer) and
    the table of running totals, the receiving node's row marked.
    """
    words = WORDS[lang]
    if picture is None:  # 等式已在图上方用大字显示, 图中不再重复. The caption is shown above, not in the picture.
        bare = frame.graph.copy()
        bare.attr(label="")
        picture = inline_html(bare.source)
    picture = svg_only(picture)
    marked = ' class="mgcn-receiver"'
    rows = "".join(
        f'<tr data-name="{html.escape(name)}"{marked if name == frame.receiver else ""}>'
        f'<th>{html.escape(partial(out_name, name))}</th>'
        f'<td class="mgcn-total">{"?" if grad is None else fmt(grad)}</td></tr>'
        for name, grad in frame.totals)
    return (f'<section class="mgcn-frame" data-step="{frame.index}">'
            f'<p class="mgcn-caption">{html.escape(frame.caption)}</p>'
            f'<div class="mgcn-svg">{picture}</div>'
            f'<table class="mgcn-totals"><caption>{words["totals"]}</caption>{rows}</table></section>')


def player_html(frame_list: list[Frame], out_name: str, lang: str = "zh", *, keys_on_document: bool = False,
                interval_ms: int = 1200, sections: list[str] | None = None) -> str:
    """播放器的 HTML 片段 (一个 div, 自带样式与脚本).

    The player as one self-contained ``<div>`` (its style and script inside).
    ``keys_on_document`` makes the arrow keys work anywhere on the page (the
    standalone file); otherwise only while the player has focus (a notebook).
    ``sections`` are the frames' HTML when already made by :func:`frame_section`.
    """
    words = WORDS[lang]
    pid = f"mgcn-{uuid.uuid4().hex[:12]}"
    if sections is None:
        sections = [frame_section(frame, out_name, lang) for frame in frame_list]
    return TEMPLATE.substitute(
        pid=pid, style=STYLE, sections="\n".join(sections), first=words["first"], prev=words["prev"],
        next=words["next"], play=words["play"], pause=words["pause"],
        counter=json.dumps(words["counter"], ensure_ascii=False),
        keyTarget="document" if keys_on_document else "root", interval=int(interval_ms))
