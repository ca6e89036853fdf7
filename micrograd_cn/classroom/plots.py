"""训练的图: 损失曲线 (plot_history, plot_curve) 与二维分类器的决策边界 (plot_decision_boundary).

Plots for training, drawn with matplotlib (imported on first use).

Matplotlib's default font has no Chinese glyphs.  When a CJK font is
installed (e.g. WenQuanYi Micro Hei, Noto Sans CJK), titles and labels are
bilingual and use it; otherwise they are English only, so no "missing glyph"
warnings appear.  Both functions draw into ``ax`` if given (else a new figure)
and return a :class:`Plot`: it is used like the Axes it wraps, and as the
last line of a notebook cell it shows the figure, not an ``<Axes …>`` line.
They never call ``show()``, so they work with the Agg backend in scripts and
tests.

Made for a projector (:func:`for_projector`): tick labels of at least
:data:`TICK_PT` points, axis labels and titles larger, the legend outside
the data (right of the axes).  At the notebook's 100 dpi a point is 1.39
screen pixels, so a figure shown at its own size (not wider than the cell,
see :data:`PROJECTOR_FIGSIZE`) shows 12 pt ticks at about 16 px.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..collector import collector_paused
from ..engine import no_grad
from ..errors import fail
from ..nn.train import (
    History,
    as_rows,
    as_targets,
    class_labels,
    decision_threshold,
    output_values,
    true_class,
)

CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
             "Source Han Sans CN", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")
"""按顺序尝试的中文字体. Chinese fonts tried, in order."""


TICK_PT = 12.0
"""刻度文字的字号 (磅). Tick label size in points."""
LABEL_PT = 14.0
"""坐标轴名与标题的字号 (磅). Axis label and title size in points."""
LEGEND_PT = 12.0
"""图例的字号 (磅). Legend text size in points."""
LOSS_STYLES = ({"color": "#1f77b4", "linestyle": "-"}, {"color": "#ff7f0e", "linestyle": "-"})
"""训练/验证损失的线: 蓝与橙的实线. The train and validation loss lines: solid blue and orange."""
ACCURACY_STYLES = ({"color": "#2ca02c", "linestyle": "--", "marker": "^", "markevery": 0.1},
                   {"color": "#9467bd", "linestyle": "--", "marker": "v", "markevery": 0.1})
"""训练/验证准确率的线: 绿与紫的虚线带三角 —— 与损失的颜色、线型都不同, 投影仪上也分得开.

The train and validation accuracy lines: dashed green and purple with
triangles, so neither colour nor style is shared with the loss lines."""
PROJECTOR_FIGSIZE = (6.0, 4.0)
"""默认图的大小 (英寸): 100 dpi 下 600 px 宽, 加上外侧的图例仍放得进 1366×768 下 JupyterLab 的单元.

Default figure size in inches: 600 px wide at 100 dpi, so that with the
legend outside it still fits a JupyterLab cell at 1366×768 unscaled.
"""


def _pyplot() -> Any:
    """导入 matplotlib.pyplot; 缺失时给出双语提示. Import pyplot, or explain how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        fail(ImportError, '需要 matplotlib: pip install "micrograd_cn[train]"',
             'matplotlib is needed: pip install "micrograd_cn[train]"')
    return plt


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """已安装的中文字体名 (没有则为 None). The name of an installed CJK font, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _font() -> Any:
    """中文字体 (后备 DejaVu Sans) 的 FontProperties, 没有中文字体时为 None. CJK font properties, or None."""
    font = cjk_font()
    if font is None:
        return None
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=[font, "DejaVu Sans"])


def _font_options() -> dict[str, Any]:
    """给 set_title 等的字体参数: 有中文字体时指定它, 否则为空. Font keyword arguments for text calls."""
    font = _font()
    return {} if font is None else {"fontproperties": font}


def _text(zh: str, en: str) -> tuple[str, dict[str, Any]]:
    """(文字, 字体参数): 有中文字体时中英双语, 否则只用英文. A label and its font options."""
    options = _font_options()
    return (f"{zh} {en}" if options else en), options


Words = str | tuple[str, str]
"""图上的一段文字: 原样使用的字符串 (如公式 ``"$E$"``), 或 (中文, English) 一对.

A label: a string used as is, or a (Chinese, English) pair."""


def label_axes(ax: Any, title: Words | None = None, xlabel: Words | None = None,
               ylabel: Words | None = None) -> Any:
    """设置标题与坐标轴名; (中文, English) 一对写成双语 (没有中文字体时只用英文), 字符串原样使用.

    Set the title and axis labels.  A ``(Chinese, English)`` pair becomes
    the bilingual text (English only without a Chinese font); a plain string
    (a formula such as ``"$E$"``) is used as is.  All at :data:`LABEL_PT`
    points, also when called after a plot helper.  Returns the Axes.
    """
    for setter, words in ((ax.set_title, title), (ax.set_xlabel, xlabel), (ax.set_ylabel, ylabel)):
        if words is None:
            continue
        text, options = (words, _font_options()) if isinstance(words, str) else _text(*words)
        if "fontproperties" in options:  # 字体对象自带字号, 要在它上面改. The font object carries the size.
            font = options["fontproperties"].copy()
            font.set_size(LABEL_PT)
            setter(text, fontproperties=font)
        else:
            setter(text, fontsize=LABEL_PT)
    return ax


def _legend_text(zh: str, en: str) -> str:
    """图例条目: 有中文字体时中文一行、英文一行 (图例窄一些), 否则只用英文. A legend entry, two lines if bilingual."""
    return f"{zh}\n{en}" if _font() is not None else en


class Plot:
    """画好的一张图: 用起来就是它的 Axes (``plot.set_title(...)``); 笔记本单元的最后一行显示为图, 不显示 ``<Axes …>``.

    A drawn plot.  ``ax`` is the Axes drawn on and ``figure`` its Figure;
    every other attribute is the Axes' own, so ``plot.set_xlim(0, 5)`` works.
    As a notebook cell's result it shows the figure once (and closes it, so
    the inline backend does not show it a second time) instead of the text
    ``<Axes: title=…>``.
    """

    def __init__(self, ax: Any) -> None:
        self.ax = ax

    @property
    def figure(self) -> Any:
        """这张图所在的 Figure. The Figure the plot is in."""
        return self.ax.figure

    def __getattr__(self, name: str) -> Any:
        if name == "ax":  # 还没有 ax (如复制时): 不递归. No ax yet (e.g. while copying): no recursion.
            raise AttributeError(name)
        return getattr(self.ax, name)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.figure)
        _pyplot().close(self.figure)

    def __repr__(self) -> str:
        title = self.ax.get_title()
        return f"<图 plot: {title}>" if title else "<图 plot>"


def _axes(ax: Any) -> Any:
    """要画的 Axes: 给了就用它 (Plot 则用它的 Axes), 否则新开一张投影仪大小的图. The Axes to draw on."""
    if isinstance(ax, Plot):
        return ax.ax
    if ax is not None:
        return ax
    return _pyplot().subplots(figsize=PROJECTOR_FIGSIZE)[1]


def for_projector(ax: Any, integer_x: bool = False) -> Any:
    """让一个坐标系在投影仪上看得清: 刻度 ≥ 12 磅, 轴名与标题更大; 可选 x 轴只用整数刻度.

    Make one Axes readable on a projector: tick labels of :data:`TICK_PT`
    points (on every twin axis too), axis labels and title of
    :data:`LABEL_PT`; ``integer_x=True`` keeps x ticks on whole numbers (time
    steps, epochs).  Returns the Axes.
    """
    from matplotlib.ticker import MaxNLocator

    axes = [ax, *(other for other in ax.figure.axes if other is not ax and other.bbox.bounds == ax.bbox.bounds)]
    for each in axes:
        each.tick_params(axis="both", which="both", labelsize=TICK_PT)
        each.xaxis.label.set_fontsize(LABEL_PT)
        each.yaxis.label.set_fontsize(LABEL_PT)
    ax.title.set_fontsize(LABEL_PT)
    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


def legend_outside(ax: Any, handles: Sequence[Any] | None = None, right: Any = None) -> Any:
    """把图例放在坐标系右侧之外 (不压在曲线上); ``right`` 是共用 x 轴的右侧坐标系 (twinx), 图例让开它的刻度.

    Put the legend outside the axes, to the right, so it never covers the
    data.  ``right`` is a twin axis on the right (``ax.twinx()``): the legend
    then starts past its tick labels and axis label.  Returns the Legend.
    """
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [handle.get_label() for handle in handles]
    from matplotlib.transforms import ScaledTranslation

    figure = ax.figure
    gap = 0.12  # 英寸 inches
    if right is not None:  # 右侧刻度与轴名的宽度 (英寸), 与之后的排版无关. Width right of the axes, in inches.
        extent = right.get_tightbbox(figure.canvas.get_renderer())
        gap += max(0.0, extent.x1 - ax.bbox.x1) / figure.dpi
    place = ax.transAxes + ScaledTranslation(gap, 0.0, figure.dpi_scale_trans)
    font = _font()
    if font is not None:
        font = font.copy()
        font.set_size(LEGEND_PT)
    options = {"prop": font} if font is not None else {"fontsize": LEGEND_PT}
    return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), bbox_transform=place,
                     borderaxespad=0.0, frameon=False, **options)


def plot_history(history: History, ax: Any = None) -> Any:
    """画训练历史: 训练/验证损失 (左轴, 实线), 有准确率时画在右轴 (另两种颜色的虚线); 标出最佳轮次.

    Plot the training and validation loss per epoch (left axis, solid lines),
    the accuracies if recorded (right axis, dashed lines in two other
    colours, see :data:`ACCURACY_STYLES`), and the best epoch.  Returns the
    :class:`Plot` (used like its Axes).
    """
    if not isinstance(history, History) or not history.loss:
        fail(ValueError, "plot_history: 需要 fit() 返回的非空 History",
             "plot_history needs a non-empty History from fit()")
    ax = _axes(ax)
    epochs = list(range(1, history.epochs + 1))
    lines = []
    for values, zh, en, style in ((history.loss, "训练损失", "train loss", LOSS_STYLES[0]),
                                  (history.val_loss, "验证损失", "validation loss", LOSS_STYLES[1])):
        if values:
            lines += ax.plot(epochs[:len(values)], values, label=_legend_text(zh, en), **style)
    if history.best_epoch is not None:
        label = _legend_text(f"最佳轮 {history.best_epoch}", f"best epoch {history.best_epoch}")
        lines.append(ax.axvline(history.best_epoch, color="gray", linestyle=":", label=label))
    if history.accuracy or history.val_accuracy:
        right = ax.twinx()
        for values, zh, en, style in ((history.accuracy, "训练准确率", "train accuracy", ACCURACY_STYLES[0]),
                                      (history.val_accuracy, "验证准确率", "validation accuracy", ACCURACY_STYLES[1])):
            if values:
                lines += right.plot(epochs[:len(values)], values, label=_legend_text(zh, en), **style)
        label_axes(right, ylabel=("准确率 (虚线)", "accuracy (dashed)"))
        right.set_ylim(-0.02, 1.02)
    else:
        right = None
    label_axes(ax, title=("训练历史", "training history"), xlabel=("轮", "epoch"), ylabel=("损失", "loss"))
    ax.grid(alpha=0.3)
    for_projector(ax, integer_x=True)
    legend_outside(ax, lines, right=right)
    return Plot(ax)


def plot_curve(values: Sequence[float], ax: Any = None, *, title: Words | None = None,
               xlabel: Words = ("轮", "epoch"), ylabel: Words | None = None, log: bool = False,
               marker: str | None = None) -> Any:
    """画一条随轮次 (或步数) 变化的曲线 (横轴从 1 起的整数), 标题与轴名可双语.

    Plot one quantity per epoch (or step), x from 1, with the title and
    labels of :func:`label_axes`; ``log=True`` uses a log y axis.  Draws on
    ``ax`` if given, else on a new figure.  Returns the :class:`Plot` (used
    like its Axes).
    """
    values = list(values)
    if not values:
        fail(ValueError, "plot_curve: 没有数可画", "plot_curve: no values to plot")
    ax = _axes(ax)
    ax.plot(range(1, len(values) + 1), values, marker=marker)
    if log:
        ax.set_yscale("log")
    label_axes(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    for_projector(ax, integer_x=True)
    return Plot(ax)


def plot_decision_boundary(model: Any, X: Any, y: Any, ax: Any = None, resolution: int = 60,
                           threshold: float | None = None, padding: float = 0.5) -> Any:
    """画二维分类器的决策区域与样本点; 边界由连续的输出插值得到, 是光滑的曲线而不是台阶.

    Plot a 2-D classifier's decision regions and the samples.  The model is
    evaluated (without a graph) on a ``resolution × resolution`` grid around
    the data.  The boundary is the level line of the model's *continuous*
    output, interpolated between grid points, so it is a smooth curve rather
    than a staircase of grid cells.  A one-output model's class is its
    output compared with ``threshold`` — by default 0 for ±1 labels and 0.5
    for 0/1 labels; pass ``threshold=0`` for a model that outputs logits.  A
    multi-output model's class is its argmax (its regions are where one
    output leads the others).  Returns the :class:`Plot` (used like its Axes).
    """
    rows = as_rows(X, "plot_decision_boundary")
    targets = as_targets(y, len(rows), "plot_decision_boundary")
    if any(len(row) != 2 for row in rows):
        fail(ValueError, "plot_decision_boundary: 只能画二维输入 (每个样本两个数)",
             "plot_decision_boundary: needs 2-D inputs (two numbers per sample)")
    if not isinstance(resolution, int) or resolution < 2:
        fail(ValueError, f"plot_decision_boundary: resolution 必须是 ≥ 2 的整数, 收到 {resolution!r}",
             f"plot_decision_boundary: resolution must be an int ≥ 2, got {resolution!r}")
    labels = class_labels(targets)
    if labels is None:
        fail(ValueError, "plot_decision_boundary: y 必须是类别标签 (0/1, ±1 或类别序号)",
             "plot_decision_boundary: y must be class labels (0/1, ±1 or class indices)")
    if len(labels) == 1:
        labels = [labels[0] - 1.0, labels[0]] if labels[0] > 0 else [labels[0], labels[0] + 1.0]
    cut = decision_threshold("mse", labels) if threshold is None else threshold
    xs = _grid([r[0] for r in rows], resolution, padding)
    ys = _grid([r[1] for r in rows], resolution, padding)
    with no_grad(), collector_paused():
        outputs = [[output_values(model([x, y_])) for x in xs] for y_ in ys]
    fields = _margins(outputs, cut, labels)  # 类别 → 领先多少 (> 0 即判为该类). Class → its lead.
    classes = sorted({*labels, *fields})
    plt = _pyplot()
    cmap = plt.get_cmap("coolwarm")
    low, high = classes[0], classes[-1]
    ax = _axes(ax)
    for cls, field in fields.items():
        color = cmap(0.5 if high == low else (cls - low) / (high - low))
        top = max(max(row) for row in field)
        if top > 0:
            ax.contourf(xs, ys, field, levels=[0.0, top + 1.0], colors=[color], alpha=0.3, antialiased=True)
    for field in fields.values():
        if min(min(row) for row in field) < 0 < max(max(row) for row in field):
            ax.contour(xs, ys, field, levels=[0.0], colors="k", linewidths=1.5)
    ax.scatter([r[0] for r in rows], [r[1] for r in rows], c=[true_class(t) for t in targets], cmap=cmap,
               vmin=low, vmax=high, edgecolors="k", s=36, zorder=3)
    label_axes(ax, title=("决策边界", "decision boundary"), xlabel="$x_1$", ylabel="$x_2$")
    for_projector(ax)
    return Plot(ax)


def _margins(outputs: list[list[Any]], cut: float, labels: Sequence[float]) -> dict[float, list[list[float]]]:
    """每个类别在网格上的领先量 (> 0 处判为该类), 连续变化, 供等值线插值.

    For each class, a continuous field on the grid that is positive exactly
    where the model predicts that class: ``output − cut`` (and its negative)
    for one output, ``score_k − max(other scores)`` for several.
    """
    first = outputs[0][0]
    if isinstance(first, list) and len(first) > 1:
        count = len(first)
        return {float(k): [[row_out[k] - max(v for j, v in enumerate(row_out) if j != k) for row_out in row]
                           for row in outputs] for k in range(count)}
    flat = [[(o[0] if isinstance(o, list) else o) - cut for o in row] for row in outputs]
    return {labels[-1]: flat, labels[0]: [[-v for v in row] for row in flat]}


def _grid(values: Sequence[float], n: int, padding: float) -> list[float]:
    low, high = min(values) - padding, max(values) + padding
    return [low + (high - low) * i / (n - 1) for i in range(n)]
