"""课程算例: 2-2-2 网络与 2-3-1 网络的全部数值 (abs 1e-9), XOR 与 moons 演示的准确率.

The syllabus's worked examples reproduced from the reference file (absolute
tolerance 1e-9), and the XOR and moons training demos.
"""

from __future__ import annotations

import pytest

from micrograd_cn import examples
from micrograd_cn.nn import MLP

TOL = 1e-9


def close(ours, expected) -> None:
    """逐项比较数或嵌套列表/字典. Compare numbers, nested lists or dicts."""
    if isinstance(expected, dict):
        for key, value in expected.items():
            close(ours[key], value)
    elif isinstance(expected, list):
        assert len(ours) == len(expected)
        for a, b in zip(ours, expected):
            close(a, b)
    else:
        assert ours == pytest.approx(expected, abs=TOL)


@pytest.fixture(scope="module")
def mazur(worked_examples):
    return worked_examples["mazur_2_2_2"]


def test_mazur_network_is_an_mlp_with_the_textbook_weights(mazur) -> None:
    model = examples.mazur_network()
    assert isinstance(model, MLP) and (model.nin, model.nouts) == (2, [2, 2])
    assert [layer.activation for layer in model.layers] == ["sigmoid", "sigmoid"]
    assert {k: w.data for k, w in examples.mazur_weights(model).items()} == mazur["weights"]
    assert [p.label for p in model.parameters()] == ["w1", "w2", "b1(h1)", "w3", "w4", "b1(h2)",
                                                     "w5", "w6", "b2(o1)", "w7", "w8", "b2(o2)"]
    assert examples.MAZUR_INPUTS == [mazur["inputs"]["i1"], mazur["inputs"]["i2"]]
    assert examples.MAZUR_TARGETS == [mazur["targets"]["t1"], mazur["targets"]["t2"]]
    assert examples.MAZUR_LR == mazur["learning_rate"]


def test_mazur_one_step(mazur) -> None:
    result = examples.mazur_step()
    close(result["forward"], mazur["forward"])
    close(result["grads"], mazur["grads"])
    close(result["weights_after_one_step"], mazur["weights_after_one_step"])
    close(result["E_after_one_step"], mazur["E_after_one_step"])


def test_shared_bias_gradient_is_the_sum_of_the_two_per_neuron_gradients(mazur) -> None:
    model = examples.mazur_network()
    error, _ = examples.mazur_forward(model)
    error.backward()
    for layer, name in zip(model.layers, ("b1", "b2")):
        b_first, b_second = (n.b for n in layer.neurons)
        assert b_first.data == b_second.data == mazur["biases"][name]
        assert b_first.grad != b_second.grad  # 两条路径各不相同. Two different paths...
        assert b_first.grad + b_second.grad == pytest.approx(mazur["grads"][name], abs=TOL)  # ...piled up.
    assert mazur["grads"]["b1"] == 0.018725609394704128


def test_mazur_biases_stay_fixed_during_the_step() -> None:
    model = examples.mazur_network()
    biases = [n.b.data for layer in model.layers for n in layer.neurons]
    examples.mazur_step(model)
    assert [n.b.data for layer in model.layers for n in layer.neurons] == biases


def test_mazur_10000_weight_only_steps(mazur) -> None:
    expected = mazur["after_10000_steps_weights_only"]
    result = examples.mazur_train(10_000)
    for key in ("E", "o1", "o2"):
        assert result[key] == pytest.approx(expected[key], abs=expected["tol"])


def test_net_2_3_1(worked_examples) -> None:
    ref = worked_examples["net_2_3_1"]
    model = examples.net_2_3_1()
    weights, biases = model.get_weights()
    assert weights[0] == [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]  # 隐藏神经元 j ← W 的第 j 列. Column j.
    assert {k: examples.NET_2_3_1[k] for k in ("x", "W", "B1", "V", "B2", "label")} == \
        {k: ref[k] for k in ("x", "W", "B1", "V", "B2", "label")}
    result = examples.net_2_3_1_step()
    close(result["forward"], ref["forward"])
    close(result["grads"], ref["grads"])
    close(result["after_one_step"], ref["after_one_step"])
    lr = ref["learning_rate"]
    close(result["after_one_step"]["B1"], [b - lr * g for b, g in zip(ref["B1"], ref["grads"]["B1"])])
    close(result["after_one_step"]["B2"], ref["B2"] - lr * ref["grads"]["B2"])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_xor_is_learnt_to_full_accuracy(seed: int) -> None:
    result = examples.xor_demo(seed)
    assert result["accuracy"] == 1.0 and result["error"] < 0.01
    assert result["history"][-1] < result["history"][0]


def test_moons_demo_reaches_97_percent() -> None:
    result = examples.moons_demo(seed=0)
    assert result["accuracy"] >= 0.97
    assert result["losses"][-1] < result["losses"][0] / 5
    assert len(result["model"].parameters()) == 337
