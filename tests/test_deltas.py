"""layer_deltas: 从标量图读出的 δ^(l) 与矩阵递推 δ^(l) = f'(z^(l)) ⊙ (W^(l+1))ᵀ δ^(l+1) 一致."""

from __future__ import annotations

import pytest
from conftest import require_module

from micrograd_cn import layer_deltas
from micrograd_cn.nn import MLP, Layer


def derivative(np, name, z):
    """f'(z) 的 NumPy 版本 (独立于引擎). The activation derivative, written out in NumPy."""
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def activate(np, name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def matrix_backprop(np, model, x, y):
    """教材的矩阵形式: 前向保存 z, a; δ^(L) = f'(z^(L)) ⊙ (a^(L) − y) (E = ½Σ(a−y)²), 再逐层递推."""
    weights, biases = model.get_weights()
    acts = [layer.activation for layer in model.layers]
    a = [np.array(x, dtype=float)]
    zs = []
    for W, b, f in zip(weights, biases, acts):
        z = np.array(W) @ a[-1] + np.array(b)
        zs.append(z)
        a.append(activate(np, f, z))
    deltas = [None] * len(zs)
    deltas[-1] = derivative(np, acts[-1], zs[-1]) * (a[-1] - np.array(y, dtype=float))
    for l in range(len(zs) - 2, -1, -1):
        deltas[l] = derivative(np, acts[l], zs[l]) * (np.array(weights[l + 1]).T @ deltas[l + 1])
    grads = [np.outer(d, a_prev) for d, a_prev in zip(deltas, a[:-1])]
    return zs, deltas, grads


@pytest.mark.parametrize("activation,output", [("sigmoid", "sigmoid"), ("tanh", "linear"), ("relu", "tanh"),
                                               ("relu", "linear")])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scalar_graph_deltas_equal_the_matrix_recursion(activation, output, seed):
    np = require_module("numpy")
    model = MLP(3, [5, 4, 2], activation=activation, output_activation=output, seed=seed)
    x, y = [0.3, -0.8, 0.5 + seed], [0.2, -0.4]
    result = layer_deltas(model, x, y)
    zs, deltas, grads = matrix_backprop(np, model, x, y)
    assert [r.layer for r in result] == [1, 2, 3]
    for r, z, delta, grad in zip(result, zs, deltas, grads):
        np.testing.assert_allclose(r.z, z, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(r.delta, delta, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(r.weight_grad, grad, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(r.bias_grad, delta, rtol=1e-12, atol=1e-15)
        # ∂L/∂W^(l) = δ^(l) a^(l−1)ᵀ, 也直接由报告的 δ 与 a_prev 得到
        np.testing.assert_allclose(np.outer(r.delta, r.a_prev), r.weight_grad, rtol=1e-12, atol=1e-15)
    # 梯度留在参数上, 与报告一致 (像一次训练步)
    assert model.layers[0].neurons[1].w[2].grad == result[0].weight_grad[1][2]


def test_seed_004_network(worked_examples):
    ref = worked_examples["net_2_3_1"]
    W = [list(col) for col in zip(*ref["W"])]  # 种子的 W 是 2×3 (输入×隐藏), 这里用 nout×nin
    model = MLP.from_weights([W, [ref["V"]]], [ref["B1"], [ref["B2"]]], activation="sigmoid",
                             output_activation="sigmoid")
    hidden, out = layer_deltas(model, ref["x"], ref["label"])
    assert hidden.z == pytest.approx(ref["forward"]["net1"], abs=1e-12)
    assert hidden.a == pytest.approx(ref["forward"]["H"], abs=1e-12)
    assert out.delta == pytest.approx([ref["grads"]["B2"]], abs=1e-12)
    assert out.weight_grad == [pytest.approx(ref["grads"]["V"], abs=1e-12)]
    assert hidden.delta == pytest.approx(ref["grads"]["B1"], abs=1e-12)
    for j in range(3):
        assert hidden.weight_grad[j] == pytest.approx([ref["grads"]["W"][i][j] for i in range(2)], abs=1e-12)


def test_single_layer_and_custom_loss():
    layer = Layer(2, 2, activation="tanh", seed=3)
    (only,) = layer_deltas(layer, [1.0, -2.0], [0.0, 0.0], loss=lambda out, t: sum(o * o for o in out))
    # L = Σ a², δ = 2a·(1 − a²)
    assert only.delta == pytest.approx([2 * a * (1 - a * a) for a in only.a], rel=1e-12)
    assert only.a_prev == [1.0, -2.0]


def test_not_a_network_is_refused():
    with pytest.raises(TypeError, match="layers"):
        layer_deltas(object(), [1.0], 1.0)
