"""投影仪上的图: 图例在数据之外, 刻度字号 ≥ 12 磅, 整数时间步, 光滑的决策边界, 没有中文字体也能读.

Plots made for a projector: the legend lies outside the data, tick labels
are at least 12 pt, time steps are whole numbers, decision boundaries are
smooth curves, and without a Chinese font the text is English (no missing
glyphs).
"""

from __future__ import annotations

import io
import re
import warnings

import pytest
from conftest import require_module
from micrograd_cn.dynamics import plot_gradient_norms

import micrograd_cn as mg
from micrograd_cn import plots
from micrograd_cn.nn import MLP

CELL_PX = 930
"""1366×768 下 JupyterLab 4 (文件浏览器打开) 单元输出区的宽度 (量得 934 px).

A JupyterLab cell's output width at 1366×768 with the file browser open (934 px measured)."""


@pytest.fixture(autouse=True)
def agg():
    matplotlib = require_module("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def history(accuracy: bool):
    X, y = mg.datasets.moons(24, noise=0.1, seed=0)
    model = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    return mg.fit(model, X, y, loss="mse", lr=0.5, epochs=7, seed=0, validation_split=0.25,
                  metrics="accuracy" if accuracy else None)


def drawn(ax):
    """按 JupyterLab 的方式排版并画出 (tight_layout, 100 dpi). Lay out and draw as the notebook does."""
    figure = ax.figure
    figure.set_dpi(100)
    figure.tight_layout()
    figure.canvas.draw()
    return figure.canvas.get_renderer()


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def all_axes(ax):
    return [other for other in ax.figure.axes if other.bbox.bounds == ax.bbox.bounds]


def check_projector_axes(ax, renderer):
    """图例在所有坐标系 (含右侧的 twinx 及其刻度) 之外; 每个刻度文字 ≥ 12 磅."""
    legend = ax.get_legend()
    assert legend is not None
    box = legend.get_window_extent(renderer)
    for each in all_axes(ax):
        assert not overlaps(box, each.bbox), "the legend lies on the data"
        for label in (*each.get_xticklabels(), *each.get_yticklabels(), each.yaxis.label):
            if label.get_visible() and label.get_text():
                assert not overlaps(box, label.get_window_extent(renderer)), label.get_text()
        for label in (*each.get_xticklabels(), *each.get_yticklabels()):
            if label.get_text():
                assert label.get_fontsize() >= 12, (label.get_text(), label.get_fontsize())
        assert each.xaxis.label.get_fontsize() >= 12 and each.yaxis.label.get_fontsize() >= 12


def shown_width_px(figure) -> float:
    """JupyterLab 显示的宽度 (px): 内联后端用 bbox_inches="tight" 与 100 dpi 存 PNG. The inline PNG's width."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    from PIL import Image

    buffer.seek(0)
    return Image.open(buffer).size[0]


@pytest.mark.parametrize("accuracy", [False, True])
def test_history_legend_outside_and_ticks_readable(accuracy):
    ax = plots.plot_history(history(accuracy))
    renderer = drawn(ax)
    check_projector_axes(ax, renderer)
    assert len(all_axes(ax)) == (2 if accuracy else 1)
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks  # 轮次是整数. Epochs are whole numbers.
    assert shown_width_px(ax.figure) <= CELL_PX  # 以原大小显示, 不被单元压缩. Shown unscaled.


def test_gradient_norms_integer_steps_math_label_and_legend_outside():
    curves = {"RNN (tanh)": [10.0 ** -k for k in range(10, 0, -1)], "GRU": [0.1 * k for k in range(1, 11)]}
    ax = plot_gradient_norms(curves)
    renderer = drawn(ax)
    check_projector_axes(ax, renderer)
    low, high = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if low <= t <= high]
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks  # 不是 2.5, 7.5
    label = ax.get_ylabel()
    assert label.startswith("$") and r"h_t" in label and "partial" in label  # mathtext, 不是字面的 _t
    assert shown_width_px(ax.figure) <= CELL_PX


class Line:
    """线性的 "模型": 输出 x₁ + 2x₂ − 0.3, 边界是一条直线. A linear score; its boundary is a straight line."""

    def __call__(self, point):
        x1, x2 = point
        return mg.Value(x1 + 2.0 * x2 - 0.3)


def test_decision_boundary_is_a_smooth_line_not_a_staircase():
    X = [[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5], [0.5, -1.0]]
    y = [-1.0, 1.0, 1.0, -1.0]
    ax = plots.plot_decision_boundary(Line(), X, y, resolution=12)
    drawn(ax)
    vertices = [vertex for collection in ax.collections if hasattr(collection, "get_paths")
                for path in collection.get_paths() for vertex in path.vertices]
    lines = [c for c in ax.collections if c.get_linewidth() is not None and len(c.get_paths())
             and type(c).__name__ in ("ContourSet", "QuadContourSet", "LineCollection")]
    assert lines, "no boundary line"
    boundary = [vertex for path in lines[-1].get_paths() for vertex in path.vertices]
    assert len(boundary) >= 10 and vertices
    # 在格点之间插值: 每个顶点都正好落在 x₁ + 2x₂ = 0.3 上 (台阶形的边界会偏离半个格子).
    # Interpolated between grid points: every vertex lies on x₁ + 2x₂ = 0.3 (a staircase would be off by a cell).
    assert max(abs(x1 + 2 * x2 - 0.3) for x1, x2 in boundary) < 1e-9
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        assert label.get_fontsize() >= 12


def test_decision_boundary_of_several_outputs():
    model = MLP(2, [3], activation="linear", seed=1)
    X, y = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [0, 1, 2]
    ax = plots.plot_decision_boundary(model, X, y, resolution=10)
    drawn(ax)
    assert len(ax.collections) >= 3


def test_english_only_without_a_chinese_font(monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    axes = [plots.plot_history(history(True)), plot_gradient_norms({"RNN": [1e-3, 1e-2, 1.0]})]
    for ax in axes:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # 缺字形会警告. A missing glyph warns.
            drawn(ax)
            ax.figure.savefig(io.BytesIO(), format="png", dpi=50)
        texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                 *(t.get_text() for t in ax.get_legend().get_texts())]
        assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts), texts


def is_chinese(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def check_words(text: str) -> None:
    """标题或轴名: 中英双语 (各有字母), 或只是公式 ($...$). A title or label: bilingual, or a formula only."""
    plain = re.sub(r"\$[^$]*\$", "", text).strip()
    if not plain:
        return
    assert any(map(is_chinese, plain)), f"no Chinese in {text!r}"
    assert re.search(r"[A-Za-z]{2,}", plain), f"no English term in {text!r}"


def every_label(ax) -> list[str]:
    texts = []
    for each in all_axes(ax):
        texts += [each.get_title(), each.get_xlabel(), each.get_ylabel()]
    return [text for text in texts if text]


def some_plots():
    """课程用到的每一种图, 标题与轴名按课程的写法给出. Every kind of plot the lessons draw."""
    norms = {"RNN": [1e-3, 1e-2, 1.0]}
    X = [[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5], [0.5, -1.0]]
    relabelled = plots.label_axes(plots.plot_history(history(True)), title=("标准: 30 次更新", "30 updates"))
    return [plots.plot_history(history(True)), plots.plot_history(history(False)), relabelled,
            plot_gradient_norms(norms), plot_gradient_norms(norms, title=("梯度爆炸", "exploding gradient")),
            plots.plot_decision_boundary(Line(), X, [-1.0, 1.0, 1.0, -1.0], resolution=8),
            plots.plot_curve([1.0, 0.5, 0.25], ylabel="$E$", title=("误差", "error"), log=True),
            plots.plot_curve([0.5, 0.8], xlabel=("步", "step"), ylabel=("准确率", "accuracy"))]


def test_every_title_and_label_is_bilingual():
    if plots.cjk_font() is None:
        pytest.skip("no Chinese font installed (fonts-wqy-microhei): labels are English only by design")
    for ax in some_plots():
        drawn(ax)
        labels = every_label(ax)
        assert ax.get_xlabel() and labels
        for text in labels:
            check_words(text)
        for each in all_axes(ax):
            for label in (each.title, each.xaxis.label, each.yaxis.label):
                if label.get_text():
                    assert label.get_fontsize() >= 12, (label.get_text(), label.get_fontsize())


def test_history_loss_and_accuracy_differ_in_colour_and_style():
    ax = plots.plot_history(history(True))
    lines = [line for each in all_axes(ax) for line in each.get_lines() if len(line.get_xdata()) > 2]
    assert len(lines) == 4  # 训练/验证 × 损失/准确率. Train/validation × loss/accuracy.
    colours = [matplotlib_colour(line.get_color()) for line in lines]
    assert len(set(colours)) == 4, colours  # 四条线四种颜色. Four lines, four colours.
    ax = ax.ax  # plot_history 返回 Plot; 比较它包着的 Axes. plot_history returns a Plot: compare its Axes.
    loss = {line.get_linestyle() for line in ax.get_lines() if len(line.get_xdata()) > 2}
    accuracy = {line.get_linestyle() for each in all_axes(ax) if each is not ax for line in each.get_lines()}
    assert loss and accuracy and not loss & accuracy, (loss, accuracy)  # 线型也不同. Line styles differ too.


def matplotlib_colour(colour) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour)


def test_curve_is_made_for_a_projector():
    ax = plots.plot_curve([3.0, 2.0, 1.5, 1.2, 1.1], ylabel=("损失", "loss"), marker="o")
    drawn(ax)
    low, high = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if low <= t <= high]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        if label.get_text():
            assert label.get_fontsize() >= 12
    assert ax.xaxis.label.get_fontsize() >= 12 and shown_width_px(ax.figure) <= CELL_PX
    with pytest.raises(ValueError, match="plot_curve"):
        plots.plot_curve([])


def test_a_plot_shows_as_its_figure_not_an_axes_line(monkeypatch):
    """笔记本单元的最后一行是画图函数时, 显示的是图 (一次), 没有 "<Axes: …>" 这一行.

    As a notebook cell's last line a plot helper shows its figure once and
    no ``<Axes: …>`` text: IPython calls ``_ipython_display_``, which shows
    the figure and closes it so the inline backend does not show it again.
    """
    formatters = require_module("IPython.core.formatters")
    plt = require_module("matplotlib.pyplot")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objects, **_: shown.extend(objects))
    for plot in (plots.plot_history(history(False)), plot_gradient_norms({"RNN": [1e-3, 1e-2, 1.0]}),
                 plots.plot_decision_boundary(MLP(2, [3, 1], seed=0), [[0.0, 1.0], [1.0, 0.0]], [0, 1],
                                              resolution=6)):
        data, _ = formatters.DisplayFormatter().format(plot)
        assert data == {} and shown[-1] is plot.figure  # 只有图, 没有文字结果. The figure, no text result.
        assert not plt.fignum_exists(plot.figure.number)  # 已关闭, 不会再显示一次. Closed: not shown twice.
        assert "<Axes" not in repr(plot) and repr(plot).startswith("<图 plot")
        assert plot.get_title() == plot.ax.get_title() and plot.figure is plot.ax.figure  # 用起来就是 Axes.
    given = plt.subplots()[1]
    again = plots.plot_history(history(False), ax=plots.plot_history(history(False), ax=given))
    assert again.ax is given  # 把 Plot 当 ax 传回去也行. A Plot passed back as ax draws on its Axes.
