"""数据集: 形状、标签、按种子确定、不碰全局随机状态、几何形状正确.

Datasets: shapes, labels, determinism per seed, no global random state
changes, and the geometry of the noise-free versions.
"""

from __future__ import annotations

import math
import random

import pytest

from micrograd_cn import datasets

GENERATORS = [datasets.moons, datasets.circles, datasets.spiral,
              lambda n, **kw: datasets.xor(n, **kw)]


@pytest.mark.parametrize("make", GENERATORS)
def test_shape_determinism_and_global_state(make) -> None:
    state = random.getstate()
    X, y = make(60, seed=3)
    assert random.getstate() == state
    assert len(X) == len(y) == 60 and all(len(row) == 2 and all(isinstance(v, float) for v in row) for row in X)
    assert make(60, seed=3) == (X, y)
    assert make(60, seed=4)[0] != X
    assert set(y) <= {0, 1, 2}


def test_moons_match_the_half_circles_without_noise() -> None:
    X, y = datasets.moons(101, noise=0.0)
    assert y.count(0) == 50 and y.count(1) == 51
    for (a, b), label in zip(X, y):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_circles_radii() -> None:
    X, y = datasets.circles(40, noise=0.0, factor=0.3)
    for (a, b), label in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3)


def test_xor_corners_and_noisy_samples() -> None:
    assert datasets.xor() == ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    assert datasets.xor(labels="pm1")[1] == [-1, 1, 1, -1]
    X, y = datasets.xor(200, noise=0.05, seed=1)
    for (a, b), label in zip(X, y):
        assert label == (round(a) != round(b))


def test_spiral_classes_and_radius() -> None:
    X, y = datasets.spiral(301, classes=3, noise=0.0)
    assert [y.count(k) for k in range(3)] == [101, 100, 100]
    assert all(math.hypot(a, b) <= 1.0 + 1e-12 for a, b in X)


def test_pm1_labels() -> None:
    X, y = datasets.moons(30, labels="pm1", seed=2)
    assert set(y) == {-1, 1} and (X, [(k + 1) // 2 for k in y]) == datasets.moons(30, seed=2)


@pytest.mark.parametrize("call", [
    lambda: datasets.moons(0), lambda: datasets.moons(10, noise=-1.0), lambda: datasets.circles(10, factor=1.5),
    lambda: datasets.spiral(10, classes=1), lambda: datasets.spiral(10, labels="pm1"),
    lambda: datasets.moons(10, labels="binary"),
])
def test_bad_arguments(call) -> None:
    with pytest.raises(ValueError) as error:
        call()
    text = str(error.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and "(" in text
