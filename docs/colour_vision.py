"""色觉与对比度的计算: 色盲模拟 (Machado 等 2009, 严重度 1.0, 线性 RGB 上)、投影褪色、CIELAB ΔE、WCAG 对比度.

Colour arithmetic for the accessibility tests: colour-vision deficiency
simulation (Machado, Oliveira and Fernandes 2009, severity 1.0, applied in
linear RGB), a projector washout (contrast halved toward white), CIELAB ΔE
(CIE76) and the WCAG contrast ratio.  Used by ``tests/test_roles.py`` and by
``docs/make_images.py`` for the greyscale and deuteranopia pictures.
"""

from __future__ import annotations

import math
import re

MACHADO = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
"""视觉 → 线性 RGB 上的 3×3 矩阵. Vision → its 3×3 matrix on linear RGB."""

RGB = tuple[float, float, float]


def parse_css_colour(text: str) -> RGB:
    """'rgb(1, 2, 3)'、'rgba(...)' 或 '#rrggbb' → 0..1 的 sRGB. A CSS colour as sRGB in 0..1."""
    text = text.strip()
    if text.startswith("#"):
        return tuple(int(text[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)[:3]]
    return tuple(n / 255 for n in numbers)  # type: ignore[return-value]


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(colour: RGB, vision: str) -> RGB:
    """这种视觉看到的颜色. The colour as seen with that vision."""
    linear = [_linear(c) for c in colour]
    return tuple(_gamma(sum(m * c for m, c in zip(row, linear))) for row in MACHADO[vision])  # type: ignore[return-value]


def washout(colour: RGB) -> RGB:
    """投影褪色: 与白色的对比度减半. A washed-out projector: contrast to white halved."""
    return tuple(1 - (1 - c) / 2 for c in colour)  # type: ignore[return-value]


def lab(colour: RGB) -> RGB:
    """sRGB → CIELAB (D65). sRGB to CIELAB."""
    r, g, b = (_linear(c) for c in colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def delta_e(a: RGB, b: RGB) -> float:
    """CIE76 色差. The CIE76 colour difference."""
    return math.dist(lab(a), lab(b))


def luminance(colour: RGB) -> float:
    """WCAG 相对亮度. WCAG relative luminance."""
    r, g, b = (_linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG 对比度 (1 到 21). The WCAG contrast ratio."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def blend(top: RGB, alpha: float, bottom: RGB) -> RGB:
    """半透明的颜色叠在底色上. A translucent colour over a background."""
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top, bottom))  # type: ignore[return-value]


def simulate_image(pixels: object, vision: str) -> object:
    """整幅图 (numpy 的 H×W×3 uint8) 在这种视觉下的样子; "greyscale" 是只看亮度. A whole image as seen."""
    import numpy as np

    rgb = np.asarray(pixels, dtype=np.float64)[..., :3] / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if vision == "greyscale":
        seen = np.repeat((linear @ np.array([0.2126, 0.7152, 0.0722]))[..., None], 3, axis=2)
    else:
        seen = np.clip(linear @ np.array(MACHADO[vision], dtype=np.float64).T, 0, 1)
    out = np.where(seen <= 0.0031308, 12.92 * seen, 1.055 * seen ** (1 / 2.4) - 0.055)
    return (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)
