"""优化器: SGD 与 Adam 的多步更新与 torch.optim 一致 (相对误差 1e-12); 梯度裁剪同 torch.nn.utils.

SGD and Adam follow ``torch.optim`` step for step (relative error 1e-12);
gradient clipping matches ``torch.nn.utils``; updates touch ``.data`` only.
"""

from __future__ import annotations

import math

import pytest
from conftest import require_module
from micrograd_cn.optim import SGD, Adam, clip_grad_norm, clip_grad_value

import micrograd_cn as mg
from micrograd_cn.nn import MLP

EXACT = {"rel": 1e-12, "abs": 1e-15}
START = [0.5, -1.2, 2.0, 0.05, -0.3]
STEPS = 6


def gradient(p: float, step: int) -> float:
    """测试用的梯度: 随参数与步数变化. A gradient that depends on the parameter and the step."""
    return math.sin(3 * p) + 0.3 * p ** 3 - 0.1 * step


@pytest.fixture(scope="module")
def torch():
    return require_module("torch")


def trajectory_ours(make, **kwargs) -> list[list[float]]:
    params = [mg.Value(v) for v in START]
    optimizer = make(params, **kwargs)
    path = []
    for step in range(STEPS):
        optimizer.zero_grad()
        for p in params:
            p.grad = gradient(p.data, step)
        optimizer.step()
        path.append([p.data for p in params])
    return path


def trajectory_torch(torch, make, **kwargs) -> list[list[float]]:
    params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = make([params], **kwargs)
    path = []
    for step in range(STEPS):
        optimizer.zero_grad()
        params.grad = torch.sin(3 * params.detach()) + 0.3 * params.detach() ** 3 - 0.1 * step
        optimizer.step()
        path.append(params.detach().tolist())
    return path


SGD_SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.5, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.2, "weight_decay": 0.1},
]


@pytest.mark.parametrize("settings", SGD_SETTINGS)
def test_sgd_matches_torch(torch, settings) -> None:
    ours = trajectory_ours(SGD, **settings)
    theirs = trajectory_torch(torch, torch.optim.SGD, **settings)
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, **EXACT)


@pytest.mark.parametrize("settings", [{}, {"lr": 0.1}, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
                                      {"lr": 0.05, "weight_decay": 0.1}])
def test_adam_matches_torch(torch, settings) -> None:
    ours = trajectory_ours(Adam, **settings)
    theirs = trajectory_torch(torch, torch.optim.Adam, **settings)
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, **EXACT)


def test_update_touches_data_only_and_builds_no_graph() -> None:
    model = MLP(2, [3, 1], seed=0)
    loss = model([1.0, -1.0]) ** 2
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    before = [p.data for p in model.parameters()]
    SGD(model, lr=0.1).step()  # 也接受一个 Module. A Module works too.
    for p, g, b in zip(model.parameters(), grads, before):
        assert p.parents == () and p.grad == g and p.data == pytest.approx(b - 0.1 * g, rel=1e-15)
    SGD(model, lr=0.1).zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_sgd_training_reduces_a_loss() -> None:
    w = mg.Value(3.0)
    optimizer = SGD([w], lr=0.1, momentum=0.5)
    for _ in range(50):
        optimizer.zero_grad()
        loss = (w - 1.0) ** 2
        loss.backward()
        optimizer.step()
    assert w.data == pytest.approx(1.0, abs=1e-3)


def test_adam_state_dict_resumes_exactly() -> None:
    uninterrupted = trajectory_ours(Adam, lr=0.05)
    params = [mg.Value(v) for v in START]
    first = Adam(params, lr=0.05)
    for step in range(3):
        for p in params:
            p.grad = gradient(p.data, step)
        first.step()
    saved = first.state_dict()
    second = Adam(params, lr=0.5)
    second.load_state_dict(saved)
    assert second.lr == 0.05 and second.betas == (0.9, 0.999)
    for step in range(3, STEPS):
        for p in params:
            p.grad = gradient(p.data, step)
        second.step()
    assert [p.data for p in params] == uninterrupted[-1]
    with pytest.raises(ValueError):
        Adam(params[:2]).load_state_dict(saved)
    with pytest.raises(ValueError):
        SGD(params, lr=0.1).load_state_dict(saved)


@pytest.mark.parametrize("max_norm, norm_type", [(0.5, 2.0), (100.0, 2.0), (0.5, 1.0), (0.5, math.inf)])
def test_clip_grad_norm_matches_torch(torch, max_norm: float, norm_type: float) -> None:
    grads = [0.3, -1.7, 2.2, 0.0, -0.4]
    params = [mg.Value(1.0) for _ in grads]
    for p, g in zip(params, grads):
        p.grad = g
    total = clip_grad_norm(params, max_norm, norm_type)
    t = torch.ones(len(grads), dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor(grads, dtype=torch.float64)
    expected = torch.nn.utils.clip_grad_norm_([t], max_norm, norm_type).item()
    assert total == pytest.approx(expected, **EXACT)
    assert [p.grad for p in params] == pytest.approx(t.grad.tolist(), **EXACT)


def test_clip_grad_value_matches_torch(torch) -> None:
    grads = [0.3, -1.7, 2.2, 0.0, -0.4]
    params = [mg.Value(1.0) for _ in grads]
    for p, g in zip(params, grads):
        p.grad = g
    clip_grad_value(params, 0.5)
    t = torch.ones(len(grads), dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor(grads, dtype=torch.float64)
    torch.nn.utils.clip_grad_value_([t], 0.5)
    assert [p.grad for p in params] == t.grad.tolist()


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.0), lambda ps: SGD(ps, lr=-0.1), lambda ps: SGD(ps, lr=float("nan")),
    lambda ps: SGD(ps, lr=0.1, momentum=-0.5), lambda ps: SGD(ps, lr=0.1, nesterov=True),
    lambda ps: Adam(ps, lr=0.0), lambda ps: Adam(ps, betas=(0.9, 1.0)), lambda ps: Adam(ps, betas=(0.9,)),
    lambda ps: Adam(ps, eps=-1.0), lambda ps: SGD([], lr=0.1), lambda ps: SGD(ps + ps, lr=0.1),
    lambda ps: clip_grad_norm(ps, -1.0), lambda ps: clip_grad_value(ps, -0.1),
])
def test_bad_arguments_raise_bilingual_errors(make) -> None:
    with pytest.raises(ValueError) as error:
        make([mg.Value(1.0), mg.Value(2.0)])
    text = str(error.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and "(" in text, text


def test_non_value_parameters_are_refused() -> None:
    with pytest.raises(TypeError) as error:
        SGD([1.0, 2.0], lr=0.1)
    assert "Value" in str(error.value)
