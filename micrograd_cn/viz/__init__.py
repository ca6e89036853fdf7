"""看见反向传播: 画计算图、找渲染器、逐帧动画、笔记本滑块与离线 HTML 播放器.

Seeing backprop: graph drawing, renderer discovery, step-through frames, the
notebook slider and the offline HTML player.  Nothing here imports graphviz
or ipywidgets until it is used.
"""

from __future__ import annotations

from .dot import draw_dot
from .frames import Frame, frames
from .html import export_html
from .notebook import step_through
from .renderer import Renderer, RendererNotFoundError, find_renderer, render, to_svg

__all__ = ["Frame", "Renderer", "RendererNotFoundError", "draw_dot", "export_html", "find_renderer", "frames",
           "render", "step_through", "to_svg"]
