"""笔记本中的逐步播放: 有内核和 ipywidgets 时是滑块加按钮, 否则是同一份静态 HTML 播放器.

Step-through in a notebook: an ipywidgets slider with previous/next buttons
when a kernel and ipywidgets are there; otherwise (and for static notebook
viewers, which cannot run widgets) the static HTML player of
:mod:`micrograd_cn.viz.player`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..engine import Value
from ..trace import BackwardSteps
from .frames import frames, recorded
from .player import STYLE, WORDS, frame_section, player_html


class StaticPlayer:
    """静态 HTML 播放器 (按钮与方向键由页面中的脚本处理). The static HTML player."""

    def __init__(self, page: str) -> None:
        self.html = page

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def kernel_available() -> bool:
    """是否运行在带内核的 IPython 中 (滑块需要内核才能响应). Whether an IPython kernel is running."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


@cache
def _player_box_class() -> type:
    """一个 VBox 子类: 除了小部件本身, 还附带静态 HTML, 供不能运行小部件的查看器显示.

    A VBox that also offers the static HTML player in its display bundle, so
    viewers that cannot run widgets still show the frames.
    """
    import ipywidgets

    class PlayerBox(ipywidgets.VBox):
        """滑块播放器. The slider player."""

        static_html = ""

        def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
            data = super()._repr_mimebundle_(**kwargs)
            if data is not None and self.static_html:
                data["text/html"] = self.static_html
            return data

    return PlayerBox


def step_through(out: Value | BackwardSteps, lang: str = "zh", **options: Any) -> Any:
    """在笔记本中逐步观看反向传播: 滑块 + 上一步/下一步按钮, 显示每帧的图、等式和累计梯度.

    Step through the backward pass in a notebook: a slider and previous/next
    buttons showing each frame's graph, chain-rule equation and running
    totals.  Without ipywidgets or a kernel this returns the static HTML
    player instead (it works in any page that runs its script, and lists all
    frames where scripts do not run).  ``options`` go to :func:`frames`.
    """
    steps = recorded(out)
    frame_list = frames(steps, lang, **options)
    sections = [frame_section(frame, steps.out_name, lang) for frame in frame_list]  # 每帧只渲染一次. Render once.
    static = player_html(frame_list, steps.out_name, lang, sections=sections)
    if not kernel_available():
        return StaticPlayer(static)
    try:
        import ipywidgets
    except ImportError:
        return StaticPlayer(static)
    pages = [f"<style>{STYLE}</style>{section}" for section in sections]
    words = WORDS[lang]
    slider = ipywidgets.IntSlider(value=0, min=0, max=len(frame_list) - 1, description="步骤 step" if lang == "zh"
                                  else "step", continuous_update=True)
    previous = ipywidgets.Button(description=f"◀ {words['prev']}")
    following = ipywidgets.Button(description=f"{words['next']} ▶")
    view = ipywidgets.HTML(value=pages[0])

    def show(change: dict[str, Any]) -> None:
        view.value = pages[change["new"]]

    def move(delta: int) -> None:
        slider.value = max(slider.min, min(slider.max, slider.value + delta))

    slider.observe(show, names="value")
    previous.on_click(lambda _button: move(-1))
    following.on_click(lambda _button: move(+1))
    box = _player_box_class()(children=[ipywidgets.HBox([previous, slider, following]), view])
    box.static_html = static
    return box
