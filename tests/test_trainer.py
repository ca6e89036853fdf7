"""训练页的 Python 一侧 (worker 在 Pyodide 里调用的同一个 Trainer): 小批量、训练/测试集、L2、热图、精确暂停.

The training page's Python side, called directly under CPython: the same
:class:`~micrograd_cn.app.trainer.Trainer` the Web Worker runs under Pyodide.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import operator
import re

import pytest
from conftest import require_module

from micrograd_cn import no_grad
from micrograd_cn.app.browser import Session
from micrograd_cn.app.trainer import MAX_POINTS, Trainer, heatmap_bytes
from micrograd_cn.nn import MLP, floats
from micrograd_cn.nn.floats import neuron_outputs
from micrograd_cn.nn.train import LOSSES, fit
from micrograd_cn.viz.style import fmt


def decoded(view):
    return list(base64.b64decode(view["maps"]))


def signed(byte):
    return byte - 256 if byte > 127 else byte


def test_defaults_are_tensorflow_playgrounds_batch_of_10_and_half_the_points_for_testing():
    trainer = Trainer({})
    state = trainer.state()
    assert trainer.batch == 10 and len(state["points"]) == 200
    assert sum(p[3] for p in state["points"]) == 100  # 一半是测试点. Half are test points.
    assert state["steps"] == 0 and state["epochs"] == 0 and state["sizes"] == [2, 8, 8, 1]
    for k in range(1, 21):  # 100 个训练点, 每批 10 个: 10 步一轮. 100 training points, 10 a step.
        view = trainer.step(1)
        assert view["steps"] == k and view["epochs"] == k // 10
    json.dumps(trainer.state(), allow_nan=False)


def test_moons_train_to_90_percent_on_the_test_points_and_both_losses_fall():
    trainer = Trainer({"dataset": "moons"})
    first = trainer.view()
    last = trainer.step(150)
    assert last["test_accuracy"] >= 0.9 and last["train_accuracy"] >= 0.9
    assert last["train_loss"] < first["train_loss"] and last["test_loss"] < first["test_loss"]
    assert [entry[0] for entry in trainer.history] == [0, 150]


@pytest.mark.parametrize("dataset", ["circles", "xor", "spiral"])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_every_dataset_and_optimizer_trains(dataset, optimizer):
    trainer = Trainer({"dataset": dataset, "optimizer": optimizer, "lr": 0.05, "loss": "bce_with_logits",
                       "activation": "tanh", "layers": 1, "width": 4})
    first = trainer.view()["train_loss"]
    assert trainer.step(40)["train_loss"] < first


@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_a_step_on_all_training_points_is_one_update_of_fit_with_the_same_l2(l2):
    trainer = Trainer({"dataset": "moons", "batch": MAX_POINTS, "l2": l2, "lr": 0.3})
    train = [p for p in trainer.points if not p[3]]
    model = MLP(2, [8, 8, 1], seed=0)
    fit(model, [p[:2] for p in train], [2.0 * p[2] - 1.0 for p in train], loss="hinge", lr=0.3, epochs=1,
        mode="accumulated", shuffle=False, l2=l2, metrics=None)
    trainer.step(1)
    assert trainer.epochs == 1
    for ours, theirs in zip(trainer.model.parameters(), model.parameters()):
        assert ours.data == pytest.approx(theirs.data, rel=1e-12, abs=1e-15)


def test_l2_shrinks_the_weights():
    plain, shrunk = Trainer({"l2": 0.0}), Trainer({"l2": 0.05})
    plain.step(100)
    shrunk.step(100)
    norm = lambda trainer: sum(p.data ** 2 for p in trainer.model.parameters())  # noqa: E731
    assert norm(shrunk) < 0.8 * norm(plain)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
@pytest.mark.parametrize("sumprod", [False, True])
def test_the_float_forward_pass_gives_the_models_numbers(activation, sumprod, monkeypatch):
    """没有 math.sumprod 时逐位相同, 有时差在最后几位. Bit for bit without math.sumprod, to rounding with it."""
    # Python 3.11 没有 sumprod: 用同样只舍入一次的 fsum 代替. Before 3.12, fsum also rounds once per sum.
    once = getattr(math, "sumprod", lambda w, x: math.fsum(map(operator.mul, w, x)))
    monkeypatch.setattr(floats, "_sumprod", once if sumprod else None)
    same = (lambda a, b: a == pytest.approx(b, rel=1e-12, abs=1e-14)) if sumprod else (lambda a, b: a == b)
    model = MLP(2, [5, 3, 1], activation=activation, seed=3)
    points = [[0.3 * i - 1.1, 0.7 - 0.2 * i] for i in range(12)]
    layers = neuron_outputs(model, points)
    assert [len(layer) for layer in layers] == [2, 5, 3, 1]
    with no_grad():
        for k, x in enumerate(points):
            hidden = model.layers[0](x)
            assert same([column[k] for column in layers[1]], [v.data for v in hidden])
            assert same(layers[-1][0][k], model(x).data)
    assert neuron_outputs(model, []) == [[[], []], [[]] * 5, [[]] * 3, [[]]]


def test_every_neuron_has_a_heatmap_and_the_output_map_is_the_decision_boundary():
    trainer = Trainer({"layers": 2, "width": 3})
    view = trainer.step(30)
    grid, sizes = view["grid"], view["sizes"]
    cells = decoded(view)
    assert len(cells) == sum(sizes) * grid * grid
    output = [signed(b) for b in cells[-grid * grid:]]
    scores = trainer.scores(trainer.grid_points())
    assert all((v > 0) == (s > 0) for v, s in zip(output, scores) if v != 0)
    assert {v > 0 for v in output} == {True, False}  # 边界穿过画面. The boundary crosses the plane.
    hidden = neuron_outputs(trainer.model, trainer.grid_points())[1][0]
    first = [signed(b) for b in cells[2 * grid * grid:3 * grid * grid]]
    assert first == [round(127 * max(-1.0, min(1.0, v))) for v in hidden]
    assert list(heatmap_bytes([[0.5, -2.0, 1e300, -0.001]])) == [64, 256 - 127, 127, 0]


def test_bigger_networks_get_a_coarser_grid_so_a_view_costs_about_the_same():
    small, big = Trainer({"layers": 1, "width": 2}), Trainer({"layers": 4, "width": 16})
    assert 12 <= big.grid < small.grid <= 24
    assert len(decoded(big.view())) == (2 + 4 * 16 + 1) * big.grid ** 2


def test_pause_returns_to_the_step_on_screen_and_training_goes_on_as_if_never_run_ahead():
    shown = Trainer({"optimizer": "adam", "lr": 0.01})
    shown.step(3)
    weights = [p.data for p in shown.model.parameters()]
    moments = copy.deepcopy(shown.optimizer.state)
    ahead = shown.step(40, since=len(shown.history))
    assert ahead["steps"] == 43 and ahead["history_from"] == 1 and [e[0] for e in ahead["history"]] == [43]
    paused = shown.pause(3, since=2)  # 页面有 [3, 43] 两条; 43 被退回. The page drops the entry for step 43.
    assert paused["steps"] == 3 and paused["epochs"] == 0 and paused["history_from"] == 1
    assert [e[0] for e in shown.history] == [3]
    assert [p.data for p in shown.model.parameters()] == weights and shown.optimizer.state == moments
    never = Trainer({"optimizer": "adam", "lr": 0.01})
    never.step(3)
    assert shown.step(12)["train_loss"] == never.step(12)["train_loss"]
    assert [p.data for p in shown.model.parameters()] == [p.data for p in never.model.parameters()]
    assert shown.pause(15)["steps"] == 15  # 已在屏幕上: 不退. Already on screen: nothing taken back.


def test_the_loss_history_comes_incrementally():
    trainer = Trainer({})
    assert [e[0] for e in trainer.view()["history"]] == [0]
    history = list(trainer.history)
    for _ in range(4):
        view = trainer.step(5, since=len(history))
        assert view["history_from"] == len(history) and len(view["history"]) == 1
        history[view["history_from"]:] = view["history"]
    assert history == trainer.history and [e[0] for e in history] == [0, 5, 10, 15, 20]
    assert all(isinstance(e[1], float) and isinstance(e[2], float) for e in history)


def test_clicked_points_join_the_training_set_and_are_checked():
    trainer = Trainer({"dataset": "xor", "n": 8, "test": 0.0})
    state = trainer.add_point([0.5, 0.2, 1])
    assert state["points"][-1] == [0.5, 0.2, 1, 0] and len(state["points"]) == 9
    assert trainer.remove_point(0)["points"][0] == trainer.points[0] and len(trainer.points) == 8
    with pytest.raises(ValueError, match="点必须是"):
        trainer.add_point([0.0, 0.0, 2])
    with pytest.raises(ValueError, match="index"):
        trainer.remove_point(99)
    trainer.set_points([[0.0, 0.0, 0], [1.0, 1.0, 0, 0], [0.5, 0.5, 1, 1]])
    with pytest.raises(ValueError, match="两类点"):  # 类别 1 只有测试点. Class 1 is only in the test set.
        trainer.step()


@pytest.mark.parametrize("config, words", [
    ({"layers": 9}, "layers 必须是 1 到 4"),
    ({"width": 0}, "width"),
    ({"batch": 0}, "batch"),
    ({"l2": -1}, "l2"),
    ({"test": 0.95}, "test"),
    ({"activation": "swish"}, "activation"),
])
def test_bad_settings_are_refused_in_both_languages(config, words):
    with pytest.raises(ValueError, match=words) as refused:
        Trainer(config)
    assert "(" in str(refused.value)


def test_neuron_graph_shows_sigma_and_activation_with_the_sample_gradients():
    require_module("graphviz")
    trainer = Trainer({"dataset": "moons", "activation": "tanh", "layers": 1, "width": 3})
    trainer.step(6)
    graph = trainer.neuron_graph(1, 2, sample=5)
    assert "z⁽¹⁾₃" in graph["dot"] and "a⁽¹⁾₃" in graph["dot"] and "∂a⁽¹⁾₃/∂z⁽¹⁾₃" in graph["dot"]
    assert "x₁" in graph["dot"] and "w⁽¹⁾₃₂" in graph["dot"] and "样本 #5" in graph["caption"]
    # 权重的梯度与整个网络在同一个样本上反向传播的结果相同. Same weight gradient as the whole network's.
    model = trainer.model
    model.zero_grad()
    LOSSES["hinge"](model(trainer.points[5][:2]), trainer.targets()[5]).backward()
    weight = model.layers[0].neurons[2].w[1]
    label = graph["dot"].split("w⁽¹⁾₃₂")[1].split("</table>")[0]
    assert f"梯度 grad = {fmt(weight.grad)}<" in label and weight.grad != 0
    output = trainer.neuron_graph(2, 0, lang="en")  # 默认样本: 损失最大的训练点. Default: the worst training point.
    assert output["sample"] == trainer.hardest_sample() and f"sample #{output['sample']}" in output["caption"]
    assert trainer.points[output["sample"]][3] == 0 and "training point" in output["caption"]
    with pytest.raises(ValueError, match="layer"):
        trainer.neuron_graph(3, 0)
    with pytest.raises(ValueError, match="样本编号必须是 0 到 199 之间的整数, 收到 999"):
        trainer.neuron_graph(1, 0, sample=999)


def test_every_neuron_of_a_4x16_network_names_every_node():
    require_module("graphviz")
    trainer = Trainer({"layers": 4, "width": 16})
    for layer, width in enumerate([16, 16, 16, 16, 1], start=1):
        for index in range(width):
            text = " ".join(re.findall(r">([^<>]+)<", trainer.neuron_graph(layer, index, sample=0)["dot"]))
            # 没有自动起的名字 (如 +₃₃、dot₁). No automatic names such as +₃₃ or dot₁.
            assert not re.search(r"(?:[+×·*]|dot|relu|x)[₀-₉]{2}|[+×·*][₀-₉]", text), (layer, index)
            assert f"z⁽{'¹²³⁴⁵'[layer - 1]}⁾" in text


def test_the_session_speaks_the_pages_training_requests():
    session = Session()

    def ask(**request):
        reply = json.loads(session.handle_json(json.dumps(request)))
        return reply["result"] if reply["ok"] else reply["error"]

    assert "train.new" in ask(cmd="train.step")
    assert ask(cmd="train.new", config={"layers": 1, "width": 2})["sizes"] == [2, 2, 1]
    assert ask(cmd="train.step", count=1, since=0)["steps"] == 1
    assert ask(cmd="train.step", count=5, seconds=30, since=2)["steps"] == 6
    assert ask(cmd="train.pause", steps=1, since=2)["steps"] == 1
    assert len(ask(cmd="train.add", point=[0.1, 0.2, 1])["points"]) == 201
    assert len(ask(cmd="train.remove", index=0)["points"]) == 200
    assert "layer" in ask(cmd="train.neuron", layer=5, index=0)
    assert "未知的请求" in ask(cmd="train.nope")


@pytest.mark.parametrize("loss", ["hinge", "bce_with_logits", "mse"])
def test_the_shown_losses_are_the_means_of_fits_per_sample_losses(loss):
    trainer = Trainer({"loss": loss})
    view = trainer.step(5)
    with no_grad():
        per_sample = [LOSSES[loss](trainer.model(p[:2]), trainer._target(p[2])).data for p in trainer.points]
    for test, key in ((0, "train_loss"), (1, "test_loss")):
        losses = [v for v, p in zip(per_sample, trainer.points) if p[3] == test]
        assert view[key] == pytest.approx(sum(losses) / len(losses), rel=1e-12)
