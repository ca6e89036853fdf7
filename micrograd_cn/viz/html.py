"""导出离线 HTML 播放器: 一个文件, 所有帧的 SVG 内联, 不需要网络.

Export the step-through player as one self-contained HTML file for the
projector: every frame's SVG inline, buttons and arrow keys, no CDN.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from ..engine import Value
from ..trace import BackwardSteps
from .frames import frames, recorded
from .player import player_html

PAGE = """<!DOCTYPE html>
<html lang="{html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font-family: sans-serif; margin: 1.5em; }} h1 {{ font-size: 1.4em; }}</style>
</head>
<body>
<h1>{title}</h1>
<p class="mgcn-help">{help}</p>
{player}
</body>
</html>
"""

HELP = {
    "zh": "用按钮或键盘 ← → 逐步观看梯度如何一层层堆放回去. (Use the buttons or the ← → keys to step through.)",
    "en": "Use the buttons or the ← → keys to step through the backward pass.",
}


def page_html(out: Value | BackwardSteps, lang: str = "zh", title: str | None = None, *, interval_ms: int = 1200,
              **options: Any) -> str:
    """完整的 HTML 页面文本. The whole page as text; ``options`` go to :func:`frames`."""
    steps = recorded(out)
    frame_list = frames(steps, lang, **options)
    if title is None:
        title = (f"反向传播逐步演示: {steps.out_name} (backward pass, step by step)" if lang == "zh"
                 else f"Backward pass of {steps.out_name}, step by step")
    return PAGE.format(html_lang="zh-CN" if lang == "zh" else "en", title=html.escape(title), help=HELP[lang],
                       player=player_html(frame_list, steps.out_name, lang, keys_on_document=True,
                                         interval_ms=interval_ms))


def export_html(out: Value | BackwardSteps, path: str | os.PathLike[str], lang: str = "zh",
                title: str | None = None, *, interval_ms: int = 1200, **options: Any) -> Path:
    """把逐步播放器写成一个独立的 HTML 文件 (离线可用), 返回路径.

    Write the step-through player to one self-contained HTML file (works
    offline: inline SVG, no CDN, no web fonts) and return its path.  ``out``
    is a Value or a recorded :class:`BackwardSteps` (pass the steps you
    already recorded, so leaf gradients are not recomputed); ``interval_ms``
    is the play speed; ``options`` (rankdir, layered, ...) go to :func:`frames`.
    """
    target = Path(path)
    target.write_text(page_html(out, lang, title, interval_ms=interval_ms, **options), encoding="utf-8")
    return target
