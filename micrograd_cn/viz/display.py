"""在 Jupyter 中内联显示: 用我们找到的渲染器画 SVG; 没有渲染器时显示 DOT 源码和安装提示.

Inline display in Jupyter.  :func:`graph_class` is a ``graphviz.Digraph``
whose rich display goes through our renderer discovery; with no renderer it
shows the DOT source and a one-line install hint instead of failing.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

from ..errors import fail
from .renderer import INSTALL_HINT, RendererNotFoundError, to_svg


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


def mimebundle(source: str) -> dict[str, str]:
    """Jupyter 的富显示数据. The rich display bundle of a graph."""
    page = inline_html(source)
    bundle = {"text/html": page, "text/plain": source}
    if page.lstrip().startswith(("<?xml", "<svg")):
        bundle["image/svg+xml"] = page
    return bundle


@cache
def graph_class() -> type:
    """带内联显示的 graphviz.Digraph 子类 (首次使用时才导入 graphviz).

    A ``graphviz.Digraph`` subclass whose Jupyter display uses our renderer.
    """
    graphviz = import_graphviz()

    class Graph(graphviz.Digraph):
        """计算图: 可在 Jupyter 中显示的 Digraph. A Digraph that shows itself in Jupyter."""

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
            return mimebundle(self.source)

        def _repr_html_(self) -> str:
            return inline_html(self.source)

    Graph.__module__ = __name__
    return Graph


__all__ = ["INSTALL_HINT", "graph_class", "import_graphviz", "inline_html", "mimebundle"]
