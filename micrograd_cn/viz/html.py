"""导出离线 HTML 播放器: 一个文件, 图只排版一次, 不需要网络.

Export the step-through player as one self-contained HTML file for the
projector: the one layout, the recorded steps and the front-end inline; no
CDN, no web fonts.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from ..backprop.trace import BackwardSteps
from ..engine import Value
from .player import player_data, player_html

PAGE = """<!DOCTYPE html>
<html lang="{html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 12px 16px; }}
h1 {{ font-size: 22px; margin: 0 0 6px; }}</style>
</head>
<body>
<h1>{title}</h1>
{player}
</body>
</html>
"""


def page_html(out: Value | BackwardSteps, lang: str = "zh", title: str | None = None, *, interval_ms: int = 1200,
              **options: Any) -> str:
    """完整的 HTML 页面文本. The whole page as text; ``options`` go to :func:`player_data`."""
    prepared = player_data(out, lang, interval_ms=interval_ms, **options)
    out_name = prepared.data["nodes"][prepared.data["out"]]["name"]
    if title is None:
        title = (f"反向传播逐步演示: {out_name} (backward pass, step by step)" if lang == "zh"
                 else f"Backward pass of {out_name}, step by step")
    return PAGE.format(html_lang="zh-CN" if lang == "zh" else "en", title=html.escape(title),
                       player=player_html(prepared, keys_on_document=True))


def export_html(out: Value | BackwardSteps, path: str | os.PathLike[str], lang: str = "zh",
                title: str | None = None, *, interval_ms: int = 1200, **options: Any) -> Path:
    """把逐步播放器写成一个独立的 HTML 文件 (离线可用), 返回路径.

    Write the step-through player to one self-contained HTML file (works
    offline: inline SVG, no CDN, no web fonts) and return its path.  ``out``
    is a Value (recorded from zero gradients) or a recorded
    :class:`BackwardSteps`; ``path`` the file to write; ``lang`` ``"zh"`` or
    ``"en"``; ``title`` the page title (default: names the output);
    ``interval_ms`` the time between steps when playing.  In the file the
    keys work anywhere on the page.

    Options (选项, passed on to :func:`~micrograd_cn.viz.player.player_data`,
    which describes each): ``rankdir``, ``layered``, ``group``, ``color_by``,
    ``show_index``, ``params``, ``max_nodes``, ``quiz``, ``ask``.
    """
    target = Path(path)
    target.write_text(page_html(out, lang, title, interval_ms=interval_ms, **options), encoding="utf-8")
    return target
