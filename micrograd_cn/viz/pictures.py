"""图片: 把 Value (先画成 DOT)、graphviz 图或 DOT 文本变成 SVG 文本或文件.

Pictures: a Value (drawn with :func:`~micrograd_cn.viz.dot.draw_dot` first),
a graphviz graph or DOT text, as SVG text or a file.  This is the public face
of :mod:`~micrograd_cn.viz.renderer`, which knows DOT but not Values.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..engine import Value
from . import renderer
from .dot import draw_dot


def _graph(graph_or_value: Any) -> Any:
    return draw_dot(graph_or_value) if isinstance(graph_or_value, Value) else graph_or_value


def to_svg(graph_or_value: Any) -> str:
    """渲染成 SVG 文本. Render a Value, graph or DOT text to SVG text."""
    return renderer.to_svg(_graph(graph_or_value))


def render(graph_or_value: Any, path: str | os.PathLike[str], format: str | None = None) -> Path:  # noqa: A002
    """渲染到文件, 格式取自后缀: svg, png, dot (内置渲染器即可), pdf (需要系统的 Graphviz).

    Render a Value, graph or DOT text to a file; the format comes from the
    suffix unless given.  svg and png work with the embedded graphviz-pure,
    ``.dot`` needs no renderer at all, pdf needs a system Graphviz (otherwise
    a bilingual error says what to install).  graphviz-pure's PNG has no
    Chinese font, so Chinese text shows only in SVG (or with a system dot and
    a CJK font such as fonts-wqy-microhei).
    """
    return renderer.render(_graph(graph_or_value), path, format)
