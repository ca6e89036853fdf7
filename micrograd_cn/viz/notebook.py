"""笔记本中的逐步播放: 输出就是同一份 HTML 播放器, 不依赖小部件 (ipywidgets).

Step-through in a notebook.  The output is the same HTML player as the
exported file (plain HTML and JavaScript, no ipywidgets), because:

- a saved, executed notebook reopened later still plays it without a kernel
  (widget outputs show "model not found" there);
- it works alike in JupyterLab, Notebook 7, VS Code and static viewers, and
  where scripts do not run it shows the final graph and every step;
- the output is the exported file's player, so it is no bigger.
"""

from __future__ import annotations

from typing import Any

from ..backprop.trace import BackwardSteps
from ..engine import Value
from .player import Player, player_data


def step_through(out: Value | BackwardSteps, lang: str = "zh", **options: Any) -> Player:
    """在笔记本中逐步观看反向传播: 按钮、← → 键、平移缩放、跟随当前的边、累计梯度表.

    Step through the backward pass in a notebook: buttons and the arrow keys,
    pan and zoom, the view following the active edge, and the running totals
    beside the graph.  ``out`` is a Value (recorded from zero gradients) or a
    recorded :class:`BackwardSteps`; ``lang`` is ``"zh"`` or ``"en"``.

    Options (选项, passed on to :func:`~micrograd_cn.viz.player.player_data`,
    which describes each): ``rankdir``, ``layered``, ``group``, ``color_by``,
    ``show_index``, ``params``, ``interval_ms`` (play speed), ``max_nodes``,
    ``quiz`` (the answering quiz), ``ask`` (which nodes the quiz asks about).
    For example ``step_through(loss, layered=True, params=model.parameters())``
    or ``step_through(e, quiz=True, ask=[a, b])``.
    """
    return Player(player_data(out, lang, **options))
