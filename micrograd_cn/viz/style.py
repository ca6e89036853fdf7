"""画图的样式: 角色与梯度符号的配色, 数字格式, 以及中文字宽的估计.

Drawing style: colours by role and by gradient sign, number formatting, and
our own estimate of text width (Chinese glyphs are a full em wide; some
renderers under-measure them, so boxes are sized from this estimate).
"""

from __future__ import annotations

import re

from ..backprop.trace import format_number, is_wide

FONT = "sans-serif"
FONT_SIZE = 14
EDGE_FONT_SIZE = 12  # 投影时也不小于 12 px. At least 12 px on a projector.

# 角色 → (填充色, 边框色, 中文名, 英文名). Role → (fill, border, Chinese, English).
ROLES: dict[str, tuple[str, str, str, str]] = {
    "input": ("#dbeafe", "#1d4ed8", "输入", "input"),
    "parameter": ("#dcfce7", "#15803d", "参数", "parameter"),
    "constant": ("#f3f4f6", "#6b7280", "常数", "constant"),
    "hidden": ("#ffffff", "#374151", "中间值", "intermediate"),
    "output": ("#fef3c7", "#b45309", "输出", "output"),
    "op": ("#ede9fe", "#6d28d9", "运算", "operation"),
}

# 梯度符号 → 填充色. Gradient sign → fill colour.
SIGNS: dict[str, str] = {"positive": "#fed7aa", "negative": "#bfdbfe", "zero": "#e5e7eb", "unknown": "#ffffff"}

ACTIVE = "#dc2626"  # 当前这一步的边与接收节点. The active edge and the receiving node.
SENDER = "#ea580c"  # 发送梯度的节点. The node sending its gradient.

# 像参数的标签: w, w3, b1, b_h1, w⁽¹⁾₁₂, L0.N1.w0, L0.N1.b, weight, bias (单独的 b 视为输入, 如 e=(a+b)(b+1)).
_PARAMETER_LABEL = re.compile(r"^(?:.*\.)?(?:w\d*|b\d+|weight\d*|bias\d*|θ\d*)$|^.+\.b$|^b_\w+$|^[wb]⁽")


def looks_like_parameter(label: str) -> bool:
    """标签像权重或偏置吗 (w1, L0.N1.b, bias ...). Does the label name a weight or bias?"""
    return bool(_PARAMETER_LABEL.match(label))


def sign_of(grad: float | None) -> str:
    """梯度的符号类别. The sign class of a gradient (None: not known yet)."""
    if grad is None:
        return "unknown"
    return "positive" if grad > 0 else "negative" if grad < 0 else "zero"


def fmt(x: float) -> str:
    """图中的数: 与其他地方同一种写法 (format_number). Numbers in pictures, written as everywhere else."""
    return format_number(x)


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """估计文字在浏览器中的宽度 (pt), 宁宽勿窄.

    Estimate the rendered width of ``text`` in points, erring wide: a
    full-width (Chinese) character is 1 em, a capital or ``m``/``w`` 0.9 em,
    anything else 0.66 em (DejaVu Sans, the usual sans-serif, is wide).
    """
    ems = 0.0
    for char in text:
        if is_wide(char):
            ems += 1.0
        elif char.isupper() or char in "mwMW@%":
            ems += 0.9
        else:
            ems += 0.66
    return ems * size * (1.1 if bold else 1.0)
