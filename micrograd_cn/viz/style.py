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
    "hidden": ("#ffffff", "#111827", "中间值", "intermediate"),
    "output": ("#fef3c7", "#b45309", "输出", "output"),
    "op": ("#ede9fe", "#6d28d9", "运算", "operation"),
}

# 梯度符号 → 填充色. Gradient sign → fill colour.
SIGNS: dict[str, str] = {"positive": "#fed7aa", "negative": "#bfdbfe", "zero": "#e5e7eb", "unknown": "#ffffff"}

# 反向传播一步中的两个角色与当前的边. 颜色取自 Okabe–Ito 一系: 正常视觉、红/绿/蓝色盲模拟 (Machado 2009) 下
# 两两 ΔE ≥ 41, 投影褪色 (对比度减半) 后仍 ≥ 23 (tests/test_roles.py 从页面实际用的颜色算). 颜色之外还有记号:
# 接收者粗实线框并标 "接收 ←", 发送者虚线框并标 "发送 →", 当前的边加粗、虚线, 中点的箭头指向接收者.
# The two roles of a step and the active edge.  Pairwise ΔE ≥ 41 in normal vision and simulated protanopia,
# deuteranopia and tritanopia, ≥ 23 after a projector washout; besides colour each has a marker that reads
# in greyscale: the receiver a thick solid border tagged "接收 ←", the sender a dashed border tagged "发送 →".
RECEIVER = "#d55e00"  # 接收并堆放梯度的节点 (朱红). The node receiving and piling up the gradient (vermillion).
SENDER = "#9717cf"  # 发送梯度的节点 (紫). The node sending its gradient (purple).
ACTIVE = "#29a37e"  # 当前这一步的边 (绿). The active edge (green).
ACTIVE_TEXT = "#1b6e55"  # 当前边上的文字: 同色相更深, 对白底 6.2:1. Text on the active edge: darker, 6.2:1 on white.
ORDINARY = "#111827"  # 普通中间节点的边框. The border of an ordinary intermediate node.
ROLE_FILLS: dict[str, str] = {"receiver": "#fbe4d5", "sender": "#f2e2fb"}
"""角色的填充色 (浅色, 与各自的边框同色相). Light fills of the two roles, in their border's hue."""
ROLE_TAGS: dict[str, dict[str, str]] = {
    "zh": {"receiver": "接收 ← receive", "sender": "发送 → send"},
    "en": {"receiver": "receive ←", "sender": "send →"},
}
"""方框上的角色标签 (不靠颜色也能读). The role tag on a box, readable without colour."""
ROLE_COLOURS: dict[str, str] = {"receiver": RECEIVER, "sender": SENDER, "highlight": RECEIVER}
"""角色 → 边框色; highlight 是 draw_dot(highlight=...) 指出的节点. Role → border colour."""

# 像参数的标签: w, w3, b1, b_h1, w⁽¹⁾₁₂, L0.N1.w0, L0.N1.b, weight, bias (单独的 b 视为输入, 如 e=(a+b)(b+1)).
_PARAMETER_LABEL = re.compile(r"^(?:.*\.)?(?:w\d*|b\d+|weight\d*|bias\d*|θ\d*)$|^.+\.b$|^b_\w+$|^[wb]⁽")


def looks_like_parameter(label: str) -> bool:
    """标签像权重或偏置吗 (w1, L0.N1.b, bias ...). Does the label name a weight or bias?"""
    return bool(_PARAMETER_LABEL.match(label))


def luminance(colour: str) -> float:
    """WCAG 的相对亮度. The WCAG relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink_on(background: str) -> str:
    """在这个底色上对比度更高的字色 (黑或白). Black or white, whichever contrasts more with the background."""
    light = luminance(background)
    return "#000000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#ffffff"


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
