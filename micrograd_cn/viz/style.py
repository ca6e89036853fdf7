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


# DejaVu Sans (Linux 上常见的、也是最宽的无衬线字体) 中 ASCII 字符的宽度 (em), 常规与粗体.
# Advance widths (em) of the printable ASCII characters in DejaVu Sans, the
# usual and widest default sans-serif (Arial, Segoe UI and Microsoft YaHei are
# narrower), regular and bold, from the font files.
ASCII_EMS = (  # (常规, 粗体) 按字符码 32–126. (regular, bold) by code 32–126.
    (0.318, 0.348), (0.401, 0.456), (0.46, 0.521), (0.838, 0.838), (0.636, 0.696), (0.95, 1.002),  #  !"#$%
    (0.78, 0.872), (0.275, 0.306), (0.39, 0.457), (0.39, 0.457), (0.5, 0.523), (0.838, 0.838),  # &'()*+
    (0.318, 0.38), (0.361, 0.415), (0.318, 0.38), (0.337, 0.365), (0.636, 0.696), (0.636, 0.696),  # ,-./01
    (0.636, 0.696), (0.636, 0.696), (0.636, 0.696), (0.636, 0.696), (0.636, 0.696), (0.636, 0.696),  # 234567
    (0.636, 0.696), (0.636, 0.696), (0.337, 0.4), (0.337, 0.4), (0.838, 0.838), (0.838, 0.838),  # 89:;<=
    (0.838, 0.838), (0.531, 0.58), (1, 1), (0.684, 0.774), (0.686, 0.762), (0.698, 0.734),  # >?@ABC
    (0.77, 0.83), (0.632, 0.683), (0.575, 0.683), (0.775, 0.821), (0.752, 0.837), (0.295, 0.372),  # DEFGHI
    (0.295, 0.372), (0.656, 0.775), (0.557, 0.637), (0.863, 0.995), (0.748, 0.837), (0.787, 0.85),  # JKLMNO
    (0.603, 0.733), (0.787, 0.85), (0.695, 0.77), (0.635, 0.72), (0.611, 0.682), (0.732, 0.812),  # PQRSTU
    (0.684, 0.774), (0.989, 1.103), (0.685, 0.771), (0.611, 0.724), (0.685, 0.725), (0.39, 0.457),  # VWXYZ[
    (0.337, 0.365), (0.39, 0.457), (0.838, 0.838), (0.5, 0.5), (0.5, 0.5), (0.613, 0.675),  # \]^_`a
    (0.635, 0.716), (0.55, 0.593), (0.635, 0.716), (0.615, 0.678), (0.352, 0.435), (0.635, 0.716),  # bcdefg
    (0.634, 0.712), (0.278, 0.343), (0.278, 0.343), (0.579, 0.665), (0.278, 0.343), (0.974, 1.042),  # hijklm
    (0.634, 0.712), (0.612, 0.687), (0.635, 0.716), (0.635, 0.716), (0.411, 0.493), (0.521, 0.595),  # nopqrs
    (0.392, 0.478), (0.634, 0.712), (0.592, 0.652), (0.818, 0.924), (0.592, 0.645), (0.592, 0.652),  # tuvwxy
    (0.525, 0.582), (0.636, 0.712), (0.337, 0.365), (0.636, 0.712), (0.838, 0.838),  # z{|}~
)
MATH_SIGNS = "×÷−±·≈≠≤≥←→"  # 数学符号与箭头与 = 一样宽. As wide as =.
SPARE = 1.04  # 再留 4%: 渲染器的字距与取整. 4 % more for kerning and rounding.


def char_em(char: str, bold: bool = False) -> float:
    """一个字符的宽度 (em), 宁宽勿窄. The width of one character in em, erring wide."""
    if is_wide(char):
        return 1.0
    return SPARE * _narrow_em(char, bold)


def _narrow_em(char: str, bold: bool) -> float:
    code = ord(char)
    if 32 <= code < 127:
        return ASCII_EMS[code - 32][bold]
    if char in MATH_SIGNS:
        return 0.838
    return 0.7 if bold else 0.66  # ∂、σ、上下标等. Greek letters, ∂, super- and subscripts.


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """估计文字在浏览器中的宽度 (pt), 宁宽勿窄.

    Estimate the rendered width of ``text`` in points, erring wide: a
    full-width (Chinese) character is 1 em, ASCII as wide as in DejaVu Sans
    (the widest usual sans-serif) with 4 % to spare.
    """
    return sum(char_em(char, bold) for char in text) * size
