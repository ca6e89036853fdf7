"""看见反向传播: 画计算图、找渲染器、逐帧画面, 以及笔记本和离线 HTML 共用的逐步播放器.

Seeing backprop: graph drawing, renderer discovery, step-through frames and
the one step-through player (notebook output and offline HTML file share its
front-end, ``assets/player.js``).  Nothing here imports graphviz until it is used.
May import the core and the recorded pass (``backprop``); not ``nn``, ``classroom`` or ``app``.
"""

from __future__ import annotations

from .dot import draw_dot
from .frames import Frame, frames
from .html import export_html
from .notebook import step_through
from .pictures import render, to_svg
from .player import Player, PlayerData, player_data
from .renderer import Renderer, RendererNotFoundError, find_renderer

__all__ = ["Frame", "Player", "PlayerData", "Renderer", "RendererNotFoundError", "draw_dot", "export_html",
           "find_renderer", "frames", "player_data", "render", "step_through", "to_svg"]
