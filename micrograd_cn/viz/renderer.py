"""找渲染器并把图画成文件: 环境变量 MICROGRAD_CN_DOT > 系统 dot > 内置的 graphviz-pure.

Renderer discovery and rendering.  The environment variable
``MICROGRAD_CN_DOT`` (a dot-compatible executable) wins; otherwise a system
``dot`` on PATH; otherwise ``graphviz-pure`` (a pure-Rust Graphviz that the
``viz`` extra installs), looked up on PATH and in this Python's scripts
folder, since a Jupyter kernel may run without the venv on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import bilingual, fail

ENV_VAR = "MICROGRAD_CN_DOT"
TIMEOUT = 60.0  # 秒; 渲染器卡住时不让程序挂起. Seconds before a renderer is stopped.
FORMATS = ("svg", "png", "pdf", "dot")
"""mg.render 按后缀接受的格式 (pdf 需要系统的 Graphviz). The formats mg.render takes (pdf needs a system Graphviz)."""
EMBEDDED_FORMATS = ("canon", "dot", "dot_json", "gv", "jpe", "jpeg", "jpg", "json", "json0", "plain", "plain-ext",
                    "png", "svg", "xdot", "xdot1.2", "xdot1.4", "xdot_json")
"""内置的 graphviz-pure 0.2.2 能输出的格式 (没有 pdf). What the embedded graphviz-pure 0.2.2 can write (no pdf)."""
INSTALL_HINT = bilingual('没有找到 Graphviz 渲染器; 请运行 pip install "micrograd_cn[viz]"',
                         'no Graphviz renderer found; run pip install "micrograd_cn[viz]"')
SYSTEM_GRAPHVIZ = "apt install graphviz fonts-wqy-microhei"
"""安装系统 Graphviz (含中文字体) 的命令 (Debian/Ubuntu). Installing a system Graphviz with a CJK font."""


class RendererNotFoundError(RuntimeError):
    """找不到可用的渲染器 (dot 或 graphviz-pure). No dot-compatible renderer is available."""


@dataclass(frozen=True)
class Renderer:
    """一个 dot 兼容的可执行文件: 来源 (env, dot, graphviz-pure) 与路径.

    A dot-compatible executable: where it was found and its path.
    """

    source: str
    path: str

    @property
    def embedded(self) -> bool:
        """是不是内置的 graphviz-pure (无论怎样找到的). Whether this is the embedded graphviz-pure, however found."""
        return Path(self.path).stem == "graphviz-pure"

    def run(self, source: str, format: str = "svg", timeout: float = TIMEOUT) -> bytes:  # noqa: A002
        """把 DOT 文本交给渲染器 (stdin), 返回输出字节; 内置渲染器不支持的格式先说清楚要装什么.

        Render DOT text given on stdin.  A format the embedded graphviz-pure
        cannot write (pdf, …) raises :class:`RendererNotFoundError` naming what
        to install, before anything runs.
        """
        if self.embedded and format not in EMBEDDED_FORMATS:
            fail(RendererNotFoundError,
                 f"内置渲染器 graphviz-pure 不能输出 {format}; 可用 {', '.join(EMBEDDED_FORMATS)}. "
                 f"需要 {format} 请安装系统 Graphviz (Debian/Ubuntu: {SYSTEM_GRAPHVIZ}), "
                 f"或用环境变量 {ENV_VAR} 指定一个 dot",
                 f"the embedded renderer graphviz-pure cannot write {format}; it writes {', '.join(EMBEDDED_FORMATS)}. "
                 f"For {format} install a system Graphviz (Debian/Ubuntu: {SYSTEM_GRAPHVIZ}) or point {ENV_VAR} "
                 "at a dot executable")
        try:
            done = subprocess.run([self.path, f"-T{format}", "-q"], input=source.encode("utf-8"),
                                  capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            fail(TimeoutError, f"渲染器 {self.path} 超过 {timeout:g} 秒仍未完成 ({format})",
                 f"renderer {self.path} did not finish within {timeout:g} s ({format})")
        except OSError as error:
            fail(RendererNotFoundError, f"无法运行渲染器 {self.path}: {error}",
                 f"cannot run renderer {self.path}: {error}")
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[:500]
            fail(RuntimeError, f"渲染器 {self.path} 出错 (退出码 {done.returncode}): {message}",
                 f"renderer {self.path} failed (exit code {done.returncode}): {message}")
        return done.stdout


def find_renderer() -> Renderer | None:
    """按优先级寻找渲染器; 都没有则返回 None.

    Find a renderer: ``$MICROGRAD_CN_DOT``, then ``dot`` on PATH, then
    ``graphviz-pure`` on PATH or next to this Python.  None if there is none.
    A ``MICROGRAD_CN_DOT`` that names no executable is an error, not a fallback.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        path = shutil.which(override)
        if path is None:
            fail(RendererNotFoundError, f"环境变量 {ENV_VAR}={override!r} 不是可执行文件",
                 f"environment variable {ENV_VAR}={override!r} is not an executable")
        return Renderer("env", path)
    path = shutil.which("dot")
    if path is not None:
        return Renderer("dot", path)
    path = shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=sysconfig.get_path("scripts"))
    if path is not None:
        return Renderer("graphviz-pure", path)
    return None


def require_renderer() -> Renderer:
    """找到的渲染器, 找不到就抛出 RendererNotFoundError. The renderer, or RendererNotFoundError."""
    renderer = find_renderer()
    if renderer is None:
        raise RendererNotFoundError(INSTALL_HINT)
    return renderer


def dot_source(graph: Any) -> str:
    """取得 DOT 文本: 接受 graphviz 图或 DOT 字符串 (Value 先经 viz.pictures 画成图).

    DOT text of a graphviz graph or a DOT string.  A Value is drawn first by
    :mod:`micrograd_cn.viz.pictures`, which sits above this module.
    """
    if isinstance(graph, str):
        return graph
    source = getattr(graph, "source", None)
    if not isinstance(source, str):
        fail(TypeError, f"无法渲染 {type(graph).__name__}: 需要 Value、graphviz 图或 DOT 文本",
             f"cannot render a {type(graph).__name__}: need a Value, a graphviz graph or DOT text")
    return source


def to_svg(graph: Any) -> str:
    """渲染成 SVG 文本. Render a graphviz graph or DOT text to SVG text."""
    return require_renderer().run(dot_source(graph), "svg").decode("utf-8")


def render(graph: Any, path: str | os.PathLike[str], format: str | None = None) -> Path:  # noqa: A002
    """渲染到文件, 格式取自后缀: svg, png, dot (内置渲染器即可), pdf (需要系统的 Graphviz).

    Render to a file; the format comes from the suffix unless given.  svg and
    png work with the embedded graphviz-pure, ``.dot`` needs no renderer at
    all, pdf needs a system Graphviz (otherwise a bilingual error says what
    to install).  graphviz-pure's PNG has no Chinese font, so Chinese text
    shows only in SVG (or with a system dot and a CJK font such as
    fonts-wqy-microhei).
    """
    target = Path(path)
    format = (format or target.suffix.lstrip(".")).lower()  # noqa: A001
    if format not in FORMATS:
        fail(ValueError, f"render: 不支持的格式 {format!r}, 可选 {', '.join(FORMATS)}",
             f"render: unsupported format {format!r}; choose one of {', '.join(FORMATS)}")
    source = dot_source(graph)
    if format == "dot":
        target.write_text(source, encoding="utf-8")
    else:
        target.write_bytes(require_renderer().run(source, format))
    return target
