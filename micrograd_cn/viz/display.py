"""在 Jupyter 中内联显示: 用我们找到的渲染器画 SVG; 没有渲染器时显示 DOT 源码和安装提示.

Inline display in Jupyter.  :func:`graph_class` is a ``graphviz.Digraph``
whose rich display goes through our renderer discovery; with no renderer it
shows the DOT source and a one-line install hint instead of failing.
"""

from __future__ import annotations

import html
import os
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import fail
from .renderer import INSTALL_HINT, RendererNotFoundError, require_renderer, to_svg


def import_graphviz() -> Any:
    """惰性导入 graphviz 包, 缺失时给出双语提示. Import the graphviz package lazily."""
    try:
        import graphviz
    except ImportError:
        fail(ImportError, '画图需要 graphviz 包: pip install "micrograd_cn[viz]"',
             'drawing needs the graphviz package: pip install "micrograd_cn[viz]"')
    return graphviz


def inline_html(source: str) -> str:
    """DOT 文本在网页中的样子: 内联 SVG, 或 (没有渲染器时) 提示加源码.

    HTML for a graph: the inline SVG, or with no renderer the install hint
    and the DOT source in a ``<pre>``.  Never raises for a missing renderer.
    """
    try:
        return to_svg(source)
    except RendererNotFoundError as error:
        return (f'<div class="mgcn-dot"><p>{html.escape(str(error))}</p>'
                f"<pre>{html.escape(source)}</pre></div>")


PICTURE_MAX_HEIGHT = 560
"""图片框的最大高度 (px); 更大的图在框里滚动. The tallest picture box in px; bigger pictures scroll in it."""


def svg_data_url(svg: str) -> str:
    """SVG 的 data: URL, 原文写入 (只转义 %、# 与 <): 比 base64 小三分之一, 中文不变.

    A ``data:`` URL holding the SVG as text, only ``%``, ``#`` and ``<`` escaped and
    line breaks turned into spaces (a URL drops them): a third smaller than
    base64, and Chinese stays as it is.
    """
    escaped = svg.replace("%", "%25").replace("#", "%23").replace("<", "%3C").replace("\n", " ")
    return "data:image/svg+xml;charset=utf-8," + escaped


def picture_html(svg: str, alt: str, box_class: str = "mgcn-picture", image_class: str = "") -> str:
    """SVG 写成 <img> (data: URL), 按原大小放在可滚动的框里: 不受信任的笔记本也照样显示.

    An SVG as an ``<img>`` with a ``data:`` URL (:func:`svg_data_url`), at
    its own size, in a box that scrolls when the picture is bigger than the
    cell (at most :data:`PICTURE_MAX_HEIGHT` px tall).  JupyterLab's
    sanitiser, which works on every output of an untrusted notebook, keeps
    exactly this: the image, and the box's ``overflow`` and ``max-height`` in
    px (it drops ``<svg>``, ``<style>`` and lengths in ``vh``).
    """
    image = f' class="{image_class}"' if image_class else ""
    return (f'<div class="{box_class}" style="overflow:auto;max-height:{PICTURE_MAX_HEIGHT}px;'
            f'border:1px solid #d1d5db"><img{image} alt="{html.escape(alt)}" '
            f"src='{_single_quoted(svg_data_url(svg))}' style=\"max-width:none\"></div>")


def _single_quoted(text: str) -> str:
    """放进单引号属性的文字: 只需转义 & 与 ' (SVG 里满是双引号). Text for a single-quoted attribute."""
    return text.replace("&", "&amp;").replace("'", "&#39;")


def mimebundle(source: str) -> dict[str, str]:
    """Jupyter 的富显示数据: 图片 (image/svg+xml) 与装着它的 <img> 的 HTML, 从不把 <svg> 放进 HTML.

    The rich display bundle of a graph.  With a renderer: ``image/svg+xml``
    and a ``text/html`` that shows the same SVG as an ``<img>``
    (:func:`picture_html`).  JupyterLab prefers HTML when both exist, and in
    an untrusted notebook (any notebook opened on another machine) it shows
    no ``image/svg+xml`` at all (it counts SVG as unsafe) and sanitises HTML,
    turning an inline ``<svg>`` into loose text; the ``<img>`` survives both.
    Without a renderer: the install hint and the DOT source as HTML.
    """
    page = inline_html(source)
    if page.lstrip().startswith(("<?xml", "<svg")):
        return {"text/html": picture_html(page, "计算图 (computation graph)"), "image/svg+xml": page,
                "text/plain": source}
    return {"text/html": page, "text/plain": source}


@cache
def graph_class() -> type:
    """带内联显示的 graphviz.Digraph 子类 (首次使用时才导入 graphviz).

    A ``graphviz.Digraph`` subclass whose Jupyter display uses our renderer
    (:func:`mimebundle`: a picture, never SVG inside HTML).
    """
    graphviz = import_graphviz()

    class Graph(graphviz.Digraph):
        """计算图: 默认 svg 格式的 Digraph; 显示、render() 与 pipe() 都用我们找到的渲染器.

        A Digraph whose format defaults to svg and whose Jupyter display,
        ``render()`` and ``pipe()`` go through our renderer discovery, so the
        notebook idiom ``draw_dot(v).render("gout")`` works with the embedded
        renderer and no system Graphviz.
        """

        _format = "svg"

        def _render(self, engine: str, format: str, filepath: Any, *args: Any,  # noqa: A002
                    outfile: Any = None, **kwargs: Any) -> str:
            """graphviz 的 render() 的最后一步: 把保存好的 DOT 文件画成 outfile (默认 filepath.format).

            The last step of graphviz's ``render()``: draw the saved DOT file
            into ``outfile`` (by default ``filepath.format``) with our renderer.
            """
            target = Path(outfile if outfile is not None else f"{os.fspath(filepath)}.{format}")
            source = Path(filepath).read_text(encoding=self.encoding)
            target.write_bytes(require_renderer().run(source, format))
            return os.fspath(target)

        def _pipe_lines(self, engine: str, format: str, input_lines: Any, *args: Any,  # noqa: A002
                        **kwargs: Any) -> bytes:
            """graphviz 的 pipe() 的最后一步, 用我们的渲染器. The last step of graphviz's ``pipe()``."""
            return require_renderer().run("".join(input_lines), format)

        def _pipe_lines_string(self, engine: str, format: str, input_lines: Any, *args: Any,  # noqa: A002
                               encoding: str, **kwargs: Any) -> str:
            """pipe(encoding=...) 的最后一步. The last step of ``pipe(encoding=...)``."""
            return self._pipe_lines(engine, format, input_lines).decode(encoding)

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
            return mimebundle(self.source)

    Graph.__module__ = __name__
    return Graph


__all__ = ["INSTALL_HINT", "PICTURE_MAX_HEIGHT", "graph_class", "import_graphviz", "inline_html", "mimebundle",
           "picture_html"]
