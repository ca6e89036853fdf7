"""随时间的梯度: 小权重使梯度按几何级数消失, 大权重使其爆炸, LSTM 的遗忘门让梯度传得更远, 裁剪驯服爆炸.

Gradients through time: geometric vanishing with small recurrent weights,
geometric explosion with large ones, an LSTM with a forget bias keeps far
more gradient far back, and clipping tames the exploding update.
"""

from __future__ import annotations

import io
import math
import warnings

import pytest
from conftest import require_module
from micrograd_cn.dynamics import (
    compare_cells,
    explode_and_clip_demo,
    gradient_norms_through_time,
    plot_gradient_norms,
    random_orthogonal,
    random_sequence,
    set_recurrent_scale,
)

import micrograd_cn as mg
from micrograd_cn.nn import RNN

XS = random_sequence(30, 2, seed=0)


def test_norms_are_the_gradients_reaching_each_step() -> None:
    """一个单元的 tanh RNN: ∂L/∂h_t = Π_{k>t} u·(1 − h_k²), 对 L = h_T. The one-unit chain rule."""
    model = RNN(1, 1, seed=3)
    xs = [[0.5], [-1.0], [0.25], [2.0], [-0.5]]
    norms = gradient_norms_through_time(model, xs)
    u = model.cells[0].weight_hh[0][0].data
    with mg.no_grad():
        hs = [h[0].data for h in model(xs)[0]]
    expected = [1.0]
    for h in reversed(hs[1:]):
        expected.insert(0, expected[0] * abs(u * (1 - h * h)))
    assert norms == pytest.approx(expected, rel=1e-12)


def test_custom_loss_and_last_step_norm() -> None:
    model = RNN(2, 4, cell="gru", seed=0)
    assert gradient_norms_through_time(model, XS[:5])[-1] == pytest.approx(2.0)  # ‖(1, 1, 1, 1)‖
    everywhere = gradient_norms_through_time(model, XS[:5], loss_fn=lambda outs: mg.sum(h for o in outs for h in o))
    assert all(n > 0 for n in everywhere)
    assert any(p.grad != 0 for p in model.parameters())


def test_small_recurrent_weights_vanish_geometrically() -> None:
    norms = gradient_norms_through_time(set_recurrent_scale(RNN(2, 8, seed=0), 0.1), XS)
    ratios = [later / earlier for earlier, later in zip(norms, norms[1:])]
    assert all(r > 5 for r in ratios)  # 每往回一步至少缩小 5 倍. At least 5× smaller per step back.
    assert norms[0] < 1e-20 * norms[-1]


def test_large_recurrent_weights_explode_geometrically() -> None:
    xs = random_sequence(20, 2, seed=0)
    norms = gradient_norms_through_time(set_recurrent_scale(RNN(2, 8, activation="relu", seed=0), 3.0), xs)
    assert all(norms[t] > 1.5 * norms[t + 3] for t in range(len(norms) - 3))
    assert norms[0] > 1e4 * norms[-1]


def test_lstm_forget_bias_carries_gradient_far_back() -> None:
    rnn = gradient_norms_through_time(set_recurrent_scale(RNN(2, 8, seed=0), 0.1), XS)
    far = {}
    for bias in (0.0, 1.0, 2.0):
        lstm = set_recurrent_scale(RNN(2, 8, cell="lstm", forget_bias=bias, seed=0), 0.1)
        far[bias] = gradient_norms_through_time(lstm, XS)[0]
    assert far[1.0] > 1e15 * rnn[0]
    assert far[0.0] < far[1.0] < far[2.0]


def test_compare_cells_orders_rnn_below_gated_cells() -> None:
    curves = compare_cells(scale=0.5, steps=20)
    assert list(curves) == ["RNN (tanh)", "GRU", "LSTM (forget_bias=1)"]
    rnn, gru, lstm = curves.values()
    assert rnn[0] < gru[0] < lstm[0]
    assert all(len(c) == 20 for c in curves.values())


def test_clipping_tames_an_exploding_update() -> None:
    demo = explode_and_clip_demo(scale=3.0, steps=20, max_norm=1.0, lr=0.1)
    assert demo.norms[0] > 1e4 * demo.norms[-1]
    assert demo.total_norm > 1e6
    assert demo.clipped_norm == pytest.approx(1.0, rel=1e-5)
    assert demo.step_unclipped == pytest.approx(0.1 * demo.total_norm)
    assert demo.step_clipped <= 0.1 * 1.0 + 1e-12
    assert demo.loss_unclipped > 1e10 * demo.loss_before  # 一步就把损失推上天. One step wrecks the loss.
    assert demo.loss_clipped < demo.loss_before           # 裁剪后损失下降. Clipped, the loss goes down.


def test_random_orthogonal_is_orthogonal() -> None:
    import random

    q = random_orthogonal(5, random.Random(0))
    for i in range(5):
        for j in range(5):
            assert math.fsum(a * b for a, b in zip(q[i], q[j])) == pytest.approx(float(i == j), abs=1e-12)


def test_plot_gradient_norms() -> None:
    require_module("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = {"RNN": [1e-8, 1e-4, 1.0], "LSTM": [0.1, 0.3, 1.0], "zero": [0.0, 0.5, 1.0]}
    ax = plot_gradient_norms(curves)
    try:
        assert ax.get_yscale() == "log"
        assert [line.get_label() for line in ax.get_lines()] == ["RNN", "LSTM", "zero"]
        assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 3]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # 中文字形缺失会报警告. A missing Chinese glyph warns.
            ax.figure.savefig(io.BytesIO(), format="png", dpi=50)
    finally:
        plt.close(ax.figure)


def test_errors() -> None:
    with pytest.raises(TypeError, match="RNN"):
        gradient_norms_through_time(object(), XS)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="loss_fn"):
        gradient_norms_through_time(RNN(2, 2, seed=0), XS[:3], loss_fn=lambda outs: 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scale"):
        set_recurrent_scale(RNN(2, 2, seed=0), float("inf"))
    with pytest.raises(ValueError, match="plot_gradient_norms"):
        plot_gradient_norms({})
