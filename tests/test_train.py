"""fit: 标准 BP 与累积 BP 的更新方式, 小批量, 早停恢复最佳权重, 训练历史, 进度条, 画图."""

from __future__ import annotations

import sys
import types
import warnings

import pytest
from conftest import require_module
from micrograd_cn.optim import SGD
from micrograd_cn.train import History, fit

import micrograd_cn as mg
from micrograd_cn.nn import MLP, Module
from micrograd_cn.nn.losses import mse

X = [[0.0, 1.0], [1.0, 0.5], [-0.5, -1.0], [0.3, 0.2]]
Y = [1, 0, 0, 1]


class Line(Module):
    """y = w·x + b: 一个自己写的小模型. A tiny model of our own."""

    def __init__(self) -> None:
        self.w = mg.Value(0.5)
        self.b = mg.Value(-0.2)

    def forward(self, x):
        return self.w * x[0] + self.b


def net(seed=0):
    return MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=seed)


def by_hand(model, batches, lr):
    """照教材一步步更新: 每批求 (1/m)ΣE_k, E_k = ½(t−o)², 反向传播, w ← w − lr·∂E/∂w."""
    for batch in batches:
        model.zero_grad()
        mg.mean([mse(model(X[k]), Y[k]) for k in batch]).backward()
        for p in model.parameters():
            p.data -= lr * p.grad


def test_standard_bp_updates_after_every_sample():
    model, reference = net(), net()
    history = fit(model, X, Y, epochs=3, lr=0.5, mode="standard", shuffle=False)
    by_hand(reference, [[k] for _ in range(3) for k in range(4)], 0.5)
    assert history.steps == 12 and history.batch_size == 1
    assert model.state_dict() == reference.state_dict()


def test_accumulated_bp_updates_once_per_epoch():
    model, reference = net(), net()
    history = fit(model, X, Y, epochs=3, lr=0.5, mode="accumulated", shuffle=False)
    by_hand(reference, [[0, 1, 2, 3]] * 3, 0.5)
    assert history.steps == 3 and history.batch_size == 4
    assert model.state_dict() == pytest.approx(reference.state_dict(), rel=1e-12)
    standard = net()
    fit(standard, X, Y, epochs=3, lr=0.5, mode="standard", shuffle=False)
    assert standard.state_dict() != pytest.approx(model.state_dict(), rel=1e-6)


def test_minibatches_and_shuffling_are_seeded():
    histories = [fit(net(), X + X[:1], Y + Y[:1], epochs=2, lr=0.3, mode="minibatch", batch_size=2, seed=7)
                 for _ in range(2)]
    assert histories[0].steps == 6  # ⌈5/2⌉ = 3 步每轮
    assert histories[0].loss == histories[1].loss
    other = fit(net(), X + X[:1], Y + Y[:1], epochs=2, lr=0.3, mode="minibatch", batch_size=2, seed=8)
    assert other.loss != histories[0].loss


def test_l2_and_tradeoff_change_the_objective():
    model, reference = net(), net()
    fit(model, X, Y, epochs=1, lr=0.5, mode="accumulated", l2=0.01)
    reference.zero_grad()
    params = reference.parameters()
    (mg.mean([mse(reference(x), y) for x, y in zip(X, Y)]) + 0.01 * mg.dot(params, params)).backward()
    assert [p.data for p in model.parameters()] == pytest.approx([p.data - 0.5 * p.grad for p in params], rel=1e-12)
    weighed = net()
    fit(weighed, X, Y, epochs=1, lr=0.5, mode="accumulated", tradeoff=1.0)
    plain = net()
    fit(plain, X, Y, epochs=1, lr=0.5, mode="accumulated")
    assert weighed.state_dict() == pytest.approx(plain.state_dict(), rel=1e-12)  # λ = 1: 没有正则项


def test_history_contents_and_a_model_of_our_own():
    history = fit(net(), X, Y, epochs=4, lr=0.5, validation=([[0.1, 0.9]], [1]))
    assert isinstance(history, History) and history.epochs == 4
    assert len(history.loss) == len(history.val_loss) == len(history.accuracy) == len(history.val_accuracy) == 4
    assert all(0.0 <= a <= 1.0 for a in history.accuracy + history.val_accuracy)
    assert history.best_epoch is None or 1 <= history.best_epoch <= 4
    assert not history.stopped_early
    text = repr(history)
    assert "轮数 epochs=4" in text and "val_loss=" in text and "accuracy=" in text
    # 回归目标: 没有准确率; 自定义的 Module 与自定义的优化器
    line = Line()
    history = fit(line, [[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0], epochs=200, mode="accumulated",
                  optimizer=SGD(line.parameters(), lr=0.1))
    assert history.accuracy == [] and history.loss[-1] < 1e-3 < history.loss[0]
    assert line.w.data == pytest.approx(2.0, abs=0.05)


def test_early_stopping_restores_the_best_weights():
    # 验证集的标签与训练集相反: 训练越好, 验证损失越大, 于是早停
    states = []
    model = MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=1)
    history = fit(model, [[0.0], [1.0]], [0, 1], epochs=50, lr=2.0, mode="accumulated",
                  validation=([[0.0], [1.0]], [1, 0]), patience=3,
                  callback=lambda epoch, h: states.append(model.state_dict()))
    assert history.stopped_early and history.epochs == history.best_epoch + 3 < 50
    best = history.best_epoch
    assert history.val_loss[best - 1] == min(history.val_loss)
    assert model.state_dict() == states[best - 1] != states[-1]
    # 不恢复时保留最后一轮的权重
    again = MLP(1, [1], activation="sigmoid", output_activation="sigmoid", seed=1)
    fit(again, [[0.0], [1.0]], [0, 1], epochs=50, lr=2.0, mode="accumulated",
        validation=([[0.0], [1.0]], [1, 0]), patience=3, restore_best=False)
    assert again.state_dict() == states[-1]


def test_validation_split_is_seeded_and_callback_can_stop():
    a = fit(net(), X * 3, Y * 3, epochs=3, lr=0.5, validation_split=0.25, seed=3)
    b = fit(net(), X * 3, Y * 3, epochs=3, lr=0.5, validation_split=0.25, seed=3)
    assert a.val_loss == b.val_loss and len(a.val_loss) == 3
    stopped = fit(net(), X, Y, epochs=10, callback=lambda epoch, h: epoch == 2)
    assert stopped.epochs == 2 and stopped.stopped_early


def test_progress_bar_on_off_and_without_tqdm(capsys, monkeypatch):
    require_module("tqdm")
    fit(net(), X, Y, epochs=2)
    assert capsys.readouterr() == ("", "")
    fit(net(), X, Y, epochs=2, progress=True)
    assert "epoch" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "tqdm", None)
    fit(net(), X, Y, epochs=2, progress=True)
    out = capsys.readouterr().out
    assert "tqdm" in out and "epoch 2/2 loss=" in out


def test_progress_bar_in_a_notebook_is_text_on_stdout(capsys, monkeypatch):
    """笔记本内核里进度条是 stdout 上原地更新的一行字 (不要 ipywidgets, 不算错误输出). A text bar on stdout."""
    require_module("tqdm")
    shell = types.SimpleNamespace(kernel=object())  # 有内核的 IPython. An IPython shell with a kernel.
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    fit(net(), X, Y, epochs=3, progress=True)
    out, err = capsys.readouterr()
    assert err == ""
    assert "训练 training" in out and "100%" in out and "3/3" in out and "\r" in out


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="mode"):
        fit(net(), X, Y, mode="online")
    with pytest.raises(ValueError, match="validation"):
        fit(net(), X, Y, patience=2)
    with pytest.raises(ValueError, match="batch_size"):
        fit(net(), X, Y, batch_size=2)
    with pytest.raises(ValueError, match="loss"):
        fit(net(), X, Y, loss="mae")
    with pytest.raises(ValueError, match="targets"):
        fit(net(), X, Y[:3])
    with pytest.raises(ValueError, match="accuracy"):
        fit(Line(), [[1.0]], [0.5], metrics="accuracy")


def test_plots_return_axes_without_warnings():
    matplotlib = require_module("matplotlib")
    matplotlib.use("Agg")
    from micrograd_cn.plots import plot_decision_boundary, plot_history

    model = net()
    history = fit(model, X, Y, epochs=3, lr=0.5, validation_split=0.25, seed=0, patience=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_history(history)
        assert ax.get_xlabel().endswith("epoch") and len(ax.get_lines()) >= 2
        ax.figure.canvas.draw()
        ax2 = plot_decision_boundary(model, X, Y, resolution=8)
        assert ax2.get_title().endswith("decision boundary")
        ax2.figure.canvas.draw()
    import matplotlib.pyplot as plt

    fig, given = plt.subplots()
    assert plot_history(history, ax=given).ax is given
    plt.close("all")
    with pytest.raises(ValueError, match="2-D"):
        plot_decision_boundary(model, [[1.0, 2.0, 3.0]], [1])
