"""micrograd 的演示代码只换 import 就能运行, 且同样的权重给出同样的损失与梯度 (相对误差 1e-12).

micrograd's demo loop (MLP(2, [16, 16, 1]), max-margin loss with 1e-4 L2,
accuracy, SGD with a decaying learning rate) runs unchanged against
micrograd 0.1.0 and against micrograd_cn; with the weights copied across,
losses and gradients agree to a relative 1e-12 step after step.
"""

from __future__ import annotations

import importlib
import random
from types import SimpleNamespace

import pytest
from conftest import require_module

from micrograd_cn import datasets
from micrograd_cn.collector import collector_paused

EXACT = {"rel": 1e-12, "abs": 1e-15}


def micrograd_demo_step(Value, model, X, y, k: int):  # noqa: N803  (micrograd 的写法 micrograd's spelling)
    """micrograd README / demo.ipynb 的一步, 原样照抄 (只有 Value 与 model 从外面传入).

    One step of micrograd's demo, verbatim; only ``Value`` and ``model`` come
    from outside.
    """
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))  # noqa: UP034
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    acc = sum(accuracy) / len(accuracy)

    model.zero_grad()
    total_loss.backward()
    grads = [p.grad for p in model.parameters()]

    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data, acc, grads


def load(package: str) -> SimpleNamespace:
    """`from <package>.engine import Value; from <package>.nn import MLP`."""
    return SimpleNamespace(Value=importlib.import_module(f"{package}.engine").Value,
                           MLP=importlib.import_module(f"{package}.nn").MLP)


@pytest.fixture(scope="module")
def packages() -> tuple[SimpleNamespace, SimpleNamespace]:
    require_module("micrograd")
    return load("micrograd"), load("micrograd_cn")


def test_demo_gives_the_same_losses_and_gradients(packages) -> None:
    theirs_pkg, ours_pkg = packages
    X, y = datasets.moons(100, noise=0.1, seed=0, labels="pm1")
    saved = random.getstate()
    try:
        random.seed(1337)
        theirs = theirs_pkg.MLP(2, [16, 16, 1])
    finally:
        random.setstate(saved)
    ours = ours_pkg.MLP(2, [16, 16, 1])
    for p, q in zip(ours.parameters(), theirs.parameters()):  # 把权重复制过来. Copy the weights across.
        p.data = q.data
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    for k in range(2):
        with collector_paused():  # 只为测试更快 (micrograd 的节点互相成环). Only to keep the test fast.
            loss_theirs, acc_theirs, grads_theirs = micrograd_demo_step(theirs_pkg.Value, theirs, X, y, k)
            loss_ours, acc_ours, grads_ours = micrograd_demo_step(ours_pkg.Value, ours, X, y, k)
        assert loss_ours == pytest.approx(loss_theirs, **EXACT)
        assert acc_ours == acc_theirs
        assert grads_ours == pytest.approx(grads_theirs, **EXACT)
    assert [p.data for p in ours.parameters()] == pytest.approx([q.data for q in theirs.parameters()], **EXACT)


def test_micrograd_style_values_work_with_builtin_sum(packages) -> None:
    _, ours = packages
    a, b = ours.Value(2.0), ours.Value(-3.0)
    total = sum([a * b, a, b])  # 0 + Value 走 __radd__. 0 + Value uses __radd__.
    total.backward()
    assert total.data == -7.0 and (a.grad, b.grad) == (-2.0, 3.0)
    out = ours.MLP(3, [4, 1])([ours.Value(1.0), ours.Value(0.5), ours.Value(-1.0)])
    assert isinstance(out, ours.Value) and out.relu().data >= 0.0
