"""手推梯度检查器: 找出并说出典型错误 (符号、常数因子、sigmoid 用了 tanh 的导数、转置)."""

from __future__ import annotations

import math

import pytest
from conftest import require_module

from micrograd_cn import Value, check_manual_gradients
from micrograd_cn.nn import MLP


def seed_004_model(ref):
    W = [list(col) for col in zip(*ref["W"])]  # 种子的 2×3 (输入×隐藏) → nout×nin
    return MLP.from_weights([W, [ref["V"]]], [ref["B1"], [ref["B2"]]], activation="sigmoid",
                            output_activation="sigmoid")


def seed_004_student(np, ref, *, output_sign=-1.0, hidden_derivative="tanh", factor=1.0):
    """学生用 NumPy 手写的反向传播 (按种子 004 的思路, 用自己的话重写).

    output_sign=-1 重现 "delta_Y = label − Y" 的符号错误; hidden_derivative="tanh" 重现
    隐藏层用 1 − sigmoid(net_1)² 的错误.
    """
    W, B1, V, B2 = np.array(ref["W"]), np.array(ref["B1"]), np.array(ref["V"]), ref["B2"]

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def backward(x, label):
        x = np.array(x)
        net1 = x @ W + B1
        h = sigmoid(net1)
        net2 = h @ V + B2
        out = sigmoid(net2)
        error = output_sign * (out - label) * factor
        delta_out = error * out * (1.0 - out)
        slope = 1.0 - h ** 2 if hidden_derivative == "tanh" else h * (1.0 - h)
        delta_hidden = delta_out * V * slope
        grad_W = np.outer(x, delta_hidden)  # 种子的布局: 输入×隐藏
        return {"W2": delta_out * h, "b2": delta_out, "W1": grad_W.T, "b1": delta_hidden}

    return backward


def test_seed_004_backward_names_exactly_its_two_mistakes(worked_examples):
    np = require_module("numpy")
    ref = worked_examples["net_2_3_1"]
    report = check_manual_gradients(seed_004_model(ref), ref["x"], ref["label"],
                                    manual=seed_004_student(np, ref))
    assert not report.ok
    assert [m.kind for m in report.mistakes] == ["sign", "tanh_derivative_for_sigmoid"]
    sign, derivative = report.mistakes
    assert set(sign.groups) == {"W2", "b2", "W1", "b1"}
    assert derivative.groups == ("W1", "b1") and derivative.where == "layer 1"
    assert report.diagnoses["W2"] == report.diagnoses["b2"] == ("sign",)
    assert set(report.diagnoses["W1"]) == set(report.diagnoses["b1"]) == {"sign", "tanh_derivative_for_sigmoid"}
    assert all(not row.ok and row.hint for row in report.rows)
    text = repr(report)
    assert "符号" in text and "sign flipped" in text and "1−σ²" in text and "2 mistake(s)" in text
    # 引擎的数就是参考答案
    engine = {row.name: row.engine for row in report.rows}
    assert engine["b2"] == pytest.approx(ref["grads"]["B2"], abs=1e-12)
    assert engine["W1[2][1]"] == pytest.approx(ref["grads"]["W"][1][2], abs=1e-12)


def test_each_mistake_alone_is_named_alone(worked_examples):
    np = require_module("numpy")
    ref = worked_examples["net_2_3_1"]
    model = seed_004_model(ref)
    only_sign = check_manual_gradients(model, ref["x"], ref["label"],
                                       manual=seed_004_student(np, ref, hidden_derivative="sigmoid"))
    assert [m.kind for m in only_sign.mistakes] == ["sign"]
    only_derivative = check_manual_gradients(model, ref["x"], ref["label"],
                                             manual=seed_004_student(np, ref, output_sign=1.0))
    assert [m.kind for m in only_derivative.mistakes] == ["tanh_derivative_for_sigmoid"]
    assert only_derivative.diagnoses["W2"] == () and only_derivative.diagnoses["W1"] == (
        "tanh_derivative_for_sigmoid",)


def test_correct_gradients_pass_in_either_matrix_layout(worked_examples):
    np = require_module("numpy")
    ref = worked_examples["net_2_3_1"]
    model = seed_004_model(ref)
    right = seed_004_student(np, ref, output_sign=1.0, hidden_derivative="sigmoid")
    report = check_manual_gradients(model, ref["x"], ref["label"], manual=right)
    assert report.ok and bool(report) and report.mistakes == ()
    assert "全部正确" in repr(report)
    # 种子的 2×3 布局 (输入×隐藏) 也接受, 转置回来后比较, 不算错误
    grads = right(ref["x"], ref["label"])
    report = check_manual_gradients(model, ref["x"], ref["label"], manual={"W1": ref["grads"]["W"],
                                                                            "b2": grads["b2"]})
    assert report.ok and len(report.rows) == 7
    assert "nin×nout" in report.rows[0].hint
    # 参数的全名也可以用
    name = "layers.1.neurons.0.w.2"
    report = check_manual_gradients(model, ref["x"], ref["label"], manual={name: -ref["grads"]["V"][2]})
    assert report.diagnoses == {name: ("sign",)}


def test_forgotten_half_is_a_factor_of_two(worked_examples):
    np = require_module("numpy")
    ref = worked_examples["net_2_3_1"]
    report = check_manual_gradients(seed_004_model(ref), ref["x"], ref["label"],
                                    manual=seed_004_student(np, ref, output_sign=1.0, hidden_derivative="sigmoid",
                                                            factor=2.0))
    (mistake,) = report.mistakes
    assert mistake.kind == "factor" and "2 ×" in mistake.zh and "½" in mistake.en
    assert len(mistake.groups) == 4


def test_other_constant_factor_across_a_group():
    model = MLP(2, [3, 1], activation="tanh", seed=4)
    report = check_manual_gradients(model, [0.5, -1.0], 2.0, manual={})
    assert report.rows == () and report.ok
    engine = check_manual_gradients(model, [0.5, -1.0], 2.0, manual={"W1": [[0.0] * 2] * 3})
    truth = [[engine.rows[2 * j + i].engine for i in range(2)] for j in range(3)]
    report = check_manual_gradients(model, [0.5, -1.0], 2.0,
                                    manual={"W1": [[3.7 * g for g in row] for row in truth]})
    assert report.diagnoses["W1"] == ("factor",)
    assert report.mistakes[0].zh.startswith("差一个常数因子: 你的梯度 = 3.7 ×")


def test_transposed_square_matrix_and_tanh_derivative():
    model = MLP(3, [3, 1], activation="tanh", output_activation="linear", seed=5)
    x, y = [0.2, -0.7, 1.1], 0.3
    report = check_manual_gradients(model, x, y, manual={"W1": [[0.0] * 3] * 3})
    truth = [[report.rows[3 * j + i].engine for i in range(3)] for j in range(3)]
    transposed = [[truth[j][i] for j in range(3)] for i in range(3)]
    report = check_manual_gradients(model, x, y, manual={"W1": transposed})
    assert report.diagnoses == {"W1": ("transposed",)}
    assert [row.ok for row in report.rows[::4]] == [True, True, True]  # 对角线恰好相同

    # tanh 单元用了 sigmoid 形式的导数 y(1−y)
    def student(x, target):
        weights, biases = model.get_weights()
        h = [math.tanh(sum(w * xi for w, xi in zip(row, x)) + b) for row, b in zip(weights[0], biases[0])]
        out = sum(v * hj for v, hj in zip(weights[1][0], h)) + biases[1][0]
        delta = [(out - target) * v * hj * (1 - hj) for v, hj in zip(weights[1][0], h)]
        return {"b1": delta, "b2": out - target}

    report = check_manual_gradients(model, x, y, manual=student)
    assert report.diagnoses == {"b1": ("sigmoid_derivative_for_tanh",), "b2": ()}


def test_function_mode_and_unexplained_numbers():
    def f(a, b):
        return (a * b).sigmoid()

    s = 1 / (1 + math.exp(-0.6))
    wrong = {"a": (1 - s * s) * 3.0, "b": (1 - s * s) * 0.2}
    report = check_manual_gradients(f, [Value(0.2, "a"), Value(3.0, "b")], manual=wrong)
    assert [m.kind for m in report.mistakes] == ["tanh_derivative_for_sigmoid"]
    assert report.mistakes[0].where == "depth 0"
    report = check_manual_gradients(f, [0.2, 3.0], names=["a", "b"], manual=lambda a, b: {"a": 1.234, "b": s})
    assert report.diagnoses == {"a": ("unexplained",), "b": ("unexplained",)}
    assert not report.ok


def test_bad_input_is_refused():
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(KeyError, match="V"):
        check_manual_gradients(model, [1.0, 2.0], 1.0, manual={"V": [1.0, 2.0]})
    with pytest.raises(ValueError, match="W1"):
        check_manual_gradients(model, [1.0, 2.0], 1.0, manual={"W1": [1.0, 2.0, 3.0]})
    with pytest.raises(TypeError, match="check_manual_gradients"):
        check_manual_gradients(42, [1.0], manual={})
