"""损失函数: 数值与梯度与 PyTorch (float64) 一致 (相对误差 1e-12), 数值稳定, 错误信息清楚.

Every loss against PyTorch in float64 (value and gradient, relative error
1e-12), numerical stability for extreme inputs, and the error messages.
"""

from __future__ import annotations

import math

import pytest
from conftest import require_module
from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd_cn as mg
from micrograd_cn.nn import (
    MLP,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    l1,
    l2_penalty,
    log_softmax,
    max_margin,
    mse,
    regularized_error,
    softmax,
)

EXACT = {"rel": 1e-12, "abs": 1e-15}
PRED = [0.3, -1.2, 2.5, 0.7]
TARGET = [0.5, -1.0, 1.0, 2.0]
PROBS = [0.2, 0.9, 0.55, 0.01]
LABELS01 = [0.0, 1.0, 1.0, 0.0]
SIGNS = [1.0, -1.0, -1.0, 1.0]


def run(loss_fn, data: list[float], *rest):
    """在 micrograd_cn 中求损失及对输入的梯度. The loss and its gradient toward ``data``."""
    xs = [mg.Value(v) for v in data]
    loss = loss_fn(xs, *rest)
    loss.backward()
    return loss.data, [x.grad for x in xs]


def run_torch(torch, loss_fn, data: list[float], *rest):
    """同样的量在 PyTorch 中. The same in PyTorch."""
    x = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    loss = loss_fn(x, *rest)
    loss.backward()
    return loss.item(), x.grad.tolist()


def agree(ours, theirs) -> None:
    assert ours[0] == pytest.approx(theirs[0], **EXACT)
    assert ours[1] == pytest.approx(theirs[1], **EXACT)


@pytest.fixture(scope="module")
def torch():
    return require_module("torch")


def t64(torch, values):
    return torch.tensor(values, dtype=torch.float64)


@pytest.mark.parametrize("reduction", ["half_sum", "mean", "sum"])
def test_mse_matches_torch(torch, reduction: str) -> None:
    F = torch.nn.functional

    def theirs(x, t):
        if reduction == "half_sum":
            return 0.5 * F.mse_loss(x, t, reduction="sum")
        return F.mse_loss(x, t, reduction=reduction)

    agree(run(mse, PRED, TARGET, reduction), run_torch(torch, theirs, PRED, t64(torch, TARGET)))


def test_mse_default_is_the_textbook_half_sum() -> None:
    o = [mg.Value(0.75), mg.Value(0.77)]
    error = mse(o, [0.01, 0.99])
    assert error.data == pytest.approx(0.5 * (0.74 ** 2 + 0.22 ** 2), rel=1e-12)
    error.backward()
    assert [v.grad for v in o] == pytest.approx([0.74, -0.22], rel=1e-12)  # ∂E/∂o = o − t
    single = mse(mg.Value(0.6), 1.0)
    assert single.data == pytest.approx(0.08, rel=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_l1_matches_torch(torch, reduction: str) -> None:
    agree(run(l1, PRED, TARGET, reduction),
          run_torch(torch, lambda x, t: torch.nn.functional.l1_loss(x, t, reduction=reduction), PRED,
                    t64(torch, TARGET)))
    assert l1(mg.Value(0.87), 1.0).data == pytest.approx(0.13, rel=1e-12)  # |1 − 0.87|


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_binary_cross_entropy_matches_torch(torch, reduction: str) -> None:
    F = torch.nn.functional
    agree(run(binary_cross_entropy, PROBS, LABELS01, reduction),
          run_torch(torch, lambda x, y: F.binary_cross_entropy(x, y, reduction=reduction), PROBS,
                    t64(torch, LABELS01)))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_binary_cross_entropy_with_logits_matches_torch(torch, reduction: str) -> None:
    F = torch.nn.functional
    logits = [0.3, -4.0, 12.0, -0.7]
    agree(run(binary_cross_entropy_with_logits, logits, LABELS01, reduction),
          run_torch(torch, lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction), logits,
                    t64(torch, LABELS01)))


def test_bce_refuses_probabilities_outside_the_open_interval() -> None:
    for p in (0.0, 1.0, 1.3, -0.1):
        with pytest.raises(ValueError) as error:
            binary_cross_entropy([mg.Value(p)], [1.0])
        assert "binary_cross_entropy_with_logits" in str(error.value) and "概率" in str(error.value)


def test_bce_with_logits_is_stable_for_huge_scores() -> None:
    z = [mg.Value(800.0), mg.Value(-800.0)]
    loss = binary_cross_entropy_with_logits(z, [0.0, 1.0], reduction="sum")
    assert loss.data == pytest.approx(1600.0, rel=1e-12)
    loss.backward()
    assert [v.grad for v in z] == [1.0, -1.0]


def test_softmax_and_log_softmax_match_torch(torch) -> None:
    scores = [1.5, -0.3, 4.0, 0.0, 2.2]
    weights = [0.1, -2.0, 0.7, 1.3, -0.4]  # 用加权和把多个输出变成一个标量. Weighted sum → scalar.
    for ours_fn, theirs_fn in ((softmax, torch.softmax), (log_softmax, torch.log_softmax)):
        ours = run(lambda xs, f=ours_fn: mg.dot(f(xs), weights), scores)
        theirs = run_torch(torch, lambda x, f=theirs_fn: (f(x, 0) * t64(torch, weights)).sum(), scores)
        agree(ours, theirs)


@pytest.mark.parametrize("target", [0, 2, 3])
def test_cross_entropy_matches_torch(torch, target: int) -> None:
    logits = [1.5, -0.3, 4.0, 0.0]
    agree(run(cross_entropy, logits, target),
          run_torch(torch, lambda x: torch.nn.functional.cross_entropy(x[None, :], torch.tensor([target])), logits))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_batched_cross_entropy_matches_torch(torch, reduction: str) -> None:
    flat = [1.5, -0.3, 4.0, 0.2, 0.0, -1.0, 3.3, 2.2, -0.5]
    targets = [2, 0, 1]
    ours = run(lambda xs: cross_entropy([xs[0:3], xs[3:6], xs[6:9]], targets, reduction), flat)
    theirs = run_torch(torch, lambda x: torch.nn.functional.cross_entropy(
        x.view(3, 3), torch.tensor(targets), reduction=reduction), flat)
    agree(ours, theirs)


def test_log_sum_exp_is_stable_for_large_logits() -> None:
    logits = [mg.Value(1000.0), mg.Value(999.0), mg.Value(-1000.0)]
    loss = cross_entropy(logits, 1)
    assert loss.data == pytest.approx(1.0 + math.log1p(math.exp(-1.0)), rel=1e-12)
    assert sum(v.data for v in softmax(logits)) == pytest.approx(1.0, rel=1e-15)


@settings(max_examples=50)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=8))
def test_softmax_properties(scores: list[float]) -> None:
    probs = softmax(scores)
    assert sum(p.data for p in probs) == pytest.approx(1.0, rel=1e-12)
    assert [v.data for v in log_softmax(scores)] == pytest.approx([math.log(p.data) for p in probs], rel=1e-9,
                                                                  abs=1e-12)


def test_hinge_matches_torch_and_micrograds_formula(torch) -> None:
    scores = [0.3, 0.2, -1.5, 2.5]
    agree(run(hinge, scores, SIGNS),
          run_torch(torch, lambda x, y: torch.relu(1 - y * x).mean(), scores, t64(torch, SIGNS)))
    assert max_margin is hinge
    with pytest.raises(ValueError) as error:
        hinge([mg.Value(0.1)], [0])
    assert "2y-1" in str(error.value)


def test_l2_penalty_and_regularized_error_match_torch(torch) -> None:
    weights = [0.5, -1.5, 0.25, 2.0]
    agree(run(lambda w: l2_penalty(w, 1e-4), weights),
          run_torch(torch, lambda w: 1e-4 * (w * w).sum(), weights))
    errors = [0.3, 0.1, 0.05]
    lam = 0.8

    def ours(values):
        return regularized_error(values[:3], values[3:], lam)

    def theirs(values):
        return lam * values[:3].mean() + (1 - lam) * (values[3:] ** 2).sum()

    agree(run(ours, errors + weights), run_torch(torch, theirs, errors + weights))
    model = MLP(2, [3, 1], seed=0)
    assert l2_penalty(model, 1.0).data == pytest.approx(sum(p.data ** 2 for p in model.parameters()), rel=1e-12)


def test_argument_errors_are_bilingual() -> None:
    cases = [
        lambda: mse([mg.Value(1.0)], [1.0, 2.0]),
        lambda: mse([mg.Value(1.0)], [1.0], reduction="avg"),
        lambda: l1([mg.Value(1.0)], [1.0], reduction="half_sum"),
        lambda: cross_entropy([mg.Value(1.0), mg.Value(2.0)], 2),
        lambda: cross_entropy([[1.0, 2.0]], [0, 1]),
        lambda: regularized_error([1.0], [mg.Value(1.0)], 1.5),
        lambda: softmax([]),
    ]
    for case in cases:
        with pytest.raises(ValueError) as error:
            case()
        text = str(error.value)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and "(" in text, text
