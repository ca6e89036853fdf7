"""小型二维数据集: moons, circles, xor, spiral —— 纯 Python 生成, 给定种子结果完全确定.

Small 2-D classification datasets generated in pure Python (no NumPy, no
scikit-learn).  Each function returns ``(X, y)``: ``X`` a list of ``[x1, x2]``
float pairs, ``y`` a list of int labels.  The same ``seed`` always gives the
same data; the global ``random`` state is never touched.

Labels are ``0, 1, …`` by default (scikit-learn's convention).  The two-class
sets take ``labels="pm1"`` for ``−1/+1`` labels, as the hinge (max-margin)
loss expects — micrograd's demo makes them with ``y*2 - 1``.
"""

from __future__ import annotations

import math
import numbers
import random

from ..errors import fail
from .init import make_rng

Dataset = tuple[list[list[float]], list[int]]


def moons(n: int = 100, noise: float = 0.1, seed: int | None = 0, labels: str = "01") -> Dataset:
    """两个交错的半月 (同 sklearn.datasets.make_moons): 上半月类别 0, 下半月类别 1.

    Two interleaving half circles, as scikit-learn's ``make_moons``: the
    upper moon (class 0) has ``n // 2`` points, the lower one (class 1) the
    rest; Gaussian noise of standard deviation ``noise`` is added, then the
    points are shuffled.
    """
    rng = _start("moons", n, noise, seed)
    outer, inner = n // 2, n - n // 2
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, outer)]
    points += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, inner)]
    return _finish(rng, points, [0] * outer + [1] * inner, noise, labels, "moons")


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0,
            labels: str = "01") -> Dataset:
    """两个同心圆 (同 sklearn 的 make_circles): 外圆类别 0, 半径为 factor 的内圆类别 1.

    Two concentric circles, as scikit-learn's ``make_circles``: the outer
    circle (radius 1, class 0) and the inner one (radius ``factor``, class 1).
    """
    rng = _start("circles", n, noise, seed)
    if not isinstance(factor, numbers.Real) or not 0.0 < factor < 1.0:
        fail(ValueError, f"circles: factor 必须在 (0, 1) 内, 收到 {factor!r}",
             f"circles: factor must lie in (0, 1), got {factor!r}")
    outer, inner = n // 2, n - n // 2
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, 2 * math.pi, outer, endpoint=False)]
    points += [[factor * math.cos(t), factor * math.sin(t)]
               for t in _linspace(0.0, 2 * math.pi, inner, endpoint=False)]
    return _finish(rng, points, [0] * outer + [1] * inner, noise, labels, "circles")


def xor(n: int | None = None, noise: float = 0.1, seed: int | None = 0, labels: str = "01") -> Dataset:
    """异或 (XOR): n=None 时是 4 个角点 (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0; 否则是加了噪声的 n 个角点样本.

    XOR.  With ``n=None`` the four corner points in order (no noise, no
    shuffling); otherwise ``n`` samples, each a random corner with Gaussian
    noise of standard deviation ``noise``, labelled by its corner.
    """
    corners = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    truth = [0, 1, 1, 0]
    if n is None:
        return corners, _relabel(truth, labels, "xor")
    rng = _start("xor", n, noise, seed)
    picks = [rng.randrange(4) for _ in range(n)]
    return _finish(rng, [list(corners[k]) for k in picks], [truth[k] for k in picks], noise, labels, "xor")


def spiral(n: int = 300, classes: int = 3, noise: float = 0.2, seed: int | None = 0, labels: str = "01") -> Dataset:
    """螺旋: classes 条旋臂, 共 n 个点, 第 k 条臂为类别 k (半径 0→1, 角度带噪声).

    Spirals: ``classes`` arms with ``n`` points in all (as evenly split as
    possible); arm ``k`` is class ``k``.  Along an arm the radius grows from
    0 to 1 while the angle sweeps 4 radians, plus Gaussian angle noise of
    standard deviation ``noise``.
    """
    rng = _start("spiral", n, noise, seed)
    if not isinstance(classes, int) or isinstance(classes, bool) or not 2 <= classes <= n:
        fail(ValueError, f"spiral: classes 必须是 2 到 n 之间的整数, 收到 {classes!r}",
             f"spiral: classes must be an int between 2 and n, got {classes!r}")
    points: list[list[float]] = []
    y: list[int] = []
    for k in range(classes):
        size = n // classes + (1 if k < n % classes else 0)
        for r, t in zip(_linspace(0.0, 1.0, size), _linspace(4.0 * k, 4.0 * (k + 1), size)):
            t += rng.gauss(0.0, noise) if noise else 0.0
            points.append([r * math.sin(t), r * math.cos(t)])
            y.append(k)
    return _finish(rng, points, y, 0.0, labels, "spiral")


# ---- 内部工具 helpers -------------------------------------------------------------------------


def _start(name: str, n: object, noise: object, seed: int | None) -> random.Random:
    """检查参数并创建随机数发生器. Check the arguments and make the generator."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        fail(ValueError, f"{name}: 样本数 n 必须是正整数, 收到 {n!r}", f"{name}: n must be a positive int, got {n!r}")
    if not isinstance(noise, numbers.Real) or not noise >= 0.0 or noise == math.inf:
        fail(ValueError, f"{name}: noise 必须是非负有限数, 收到 {noise!r}",
             f"{name}: noise must be a finite non-negative number, got {noise!r}")
    return make_rng(seed, where=name)


def _linspace(start: float, stop: float, count: int, endpoint: bool = True) -> list[float]:
    """count 个等间距的数 (同 numpy.linspace). Evenly spaced numbers."""
    if count == 1:
        return [start]
    step = (stop - start) / (count - 1 if endpoint else count)
    return [start + i * step for i in range(count)]


def _finish(rng: random.Random, points: list[list[float]], y: list[int], noise: float,
            labels: str, name: str) -> Dataset:
    """加噪声、打乱顺序、换标签. Add noise, shuffle, relabel."""
    if noise:
        points = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in points]
    order = list(range(len(points)))
    rng.shuffle(order)
    return [points[i] for i in order], _relabel([y[i] for i in order], labels, name)


def _relabel(y: list[int], labels: str, name: str) -> list[int]:
    """labels="01" 原样返回; "pm1" 把两类 0/1 换成 −1/+1. Map 0/1 to −1/+1 on request."""
    if labels == "01":
        return y
    if labels == "pm1":
        if max(y) > 1:
            fail(ValueError, f"{name}: labels='pm1' 只适用于两类数据",
                 f"{name}: labels='pm1' needs exactly two classes")
        return [2 * k - 1 for k in y]
    fail(ValueError, f"{name}: labels 必须是 '01' 或 'pm1', 收到 {labels!r}",
         f"{name}: labels must be '01' or 'pm1', got {labels!r}")
