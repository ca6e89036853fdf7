"""训练的图: 损失曲线 (plot_history) 与二维分类器的决策边界 (plot_decision_boundary).

Plots for training, drawn with matplotlib (imported on first use).

Matplotlib's default font has no Chinese glyphs.  When a CJK font is
installed (e.g. WenQuanYi Micro Hei, Noto Sans CJK), titles and labels are
bilingual and use it; otherwise they are English only, so no "missing glyph"
warnings appear.  Both functions draw into ``ax`` if given (else a new figure)
and return the Axes; they never call ``show()``, so they work with the Agg
backend in scripts and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from .collector import collector_paused
from .engine import no_grad
from .errors import fail
from .train import (
    History,
    as_rows,
    as_targets,
    class_labels,
    decision_threshold,
    output_values,
    predicted_class,
    true_class,
)

CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
             "Source Han Sans CN", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")
"""按顺序尝试的中文字体. Chinese fonts tried, in order."""


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


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    return _pyplot().subplots(figsize=(6, 4))[1]


def plot_history(history: History, ax: Any = None) -> Any:
    """画训练历史: 训练/验证损失 (左轴), 有准确率时画在右轴; 标出最佳轮次.

    Plot the training and validation loss per epoch (left axis), the
    accuracies if recorded (right axis, dashed), and the best epoch.
    Returns the Axes.
    """
    if not isinstance(history, History) or not history.loss:
        fail(ValueError, "plot_history: 需要 fit() 返回的非空 History",
             "plot_history needs a non-empty History from fit()")
    ax = _axes(ax)
    epochs = list(range(1, history.epochs + 1))
    lines = []
    for values, zh, en, style in ((history.loss, "训练损失", "train loss", "-"),
                                  (history.val_loss, "验证损失", "validation loss", "-")):
        if values:
            label, font = _text(zh, en)
            lines += ax.plot(epochs[:len(values)], values, style, label=label)
    if history.best_epoch is not None:
        label, font = _text(f"最佳轮 {history.best_epoch}", f"best epoch {history.best_epoch}")
        lines.append(ax.axvline(history.best_epoch, color="gray", linestyle=":", label=label))
    if history.accuracy or history.val_accuracy:
        right = ax.twinx()
        for values, zh, en in ((history.accuracy, "训练准确率", "train accuracy"),
                               (history.val_accuracy, "验证准确率", "validation accuracy")):
            if values:
                label, font = _text(zh, en)
                lines += right.plot(epochs[:len(values)], values, "--", label=label)
        label, font = _text("准确率", "accuracy")
        right.set_ylabel(label, **font)
        right.set_ylim(-0.02, 1.02)
    label, font = _text("轮", "epoch")
    ax.set_xlabel(label, **font)
    label, font = _text("损失", "loss")
    ax.set_ylabel(label, **font)
    label, font = _text("训练历史", "training history")
    ax.set_title(label, **font)
    ax.legend(lines, [line.get_label() for line in lines], prop=_font())
    return ax


def plot_decision_boundary(model: Any, X: Any, y: Any, ax: Any = None, resolution: int = 50,
                           threshold: float | None = None, padding: float = 0.5) -> Any:
    """画二维分类器的决策区域与样本点. Plot a 2-D classifier's decision regions and the samples.

    The model is evaluated (without a graph) on a ``resolution × resolution``
    grid around the data.  A one-output model's class is its output compared
    with ``threshold`` — by default 0 for ±1 labels and 0.5 for 0/1 labels;
    pass ``threshold=0`` for a model that outputs logits.  A multi-output
    model's class is its argmax.  Returns the Axes.
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
        zs = [[predicted_class(output_values(model([x, y_])), cut, labels) for x in xs] for y_ in ys]
    classes = sorted({*labels, *(z for row in zs for z in row)})
    levels = [classes[0] - 1.0, *((a + b) / 2 for a, b in zip(classes, classes[1:])), classes[-1] + 1.0]
    ax = _axes(ax)
    ax.contourf(xs, ys, zs, levels=levels, cmap="coolwarm", alpha=0.35)
    ax.scatter([r[0] for r in rows], [r[1] for r in rows], c=[true_class(t) for t in targets], cmap="coolwarm",
               vmin=classes[0], vmax=classes[-1], edgecolors="k", s=20)
    label, font = _text("决策边界", "decision boundary")
    ax.set_title(label, **font)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    return ax


def _grid(values: Sequence[float], n: int, padding: float) -> list[float]:
    low, high = min(values) - padding, max(values) + padding
    return [low + (high - low) * i / (n - 1) for i in range(n)]
