"""Neuron, Layer, MLP: 与 micrograd 相同的默认值与参数顺序, 激活函数, 初始化, 显式权重, 与 PyTorch 对照.

Neurons, layers and MLPs: micrograd's defaults and parameter order, the
activation table, seeded initialisation, explicit weights, and every
activation's values and gradients against PyTorch in float64.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest
from conftest import require_module
from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd_cn as mg
from micrograd_cn.nn import ACTIVATIONS, MLP, SCHEMES, Layer, Module, Neuron, get_activation

EXACT = {"rel": 1e-12, "abs": 1e-300}


def bilingual(error: pytest.ExceptionInfo[BaseException]) -> str:
    """异常信息必须中英双语. The message has a Chinese part and an English part in parentheses."""
    text = str(error.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and "(" in text, text
    return text


# ---- 与 micrograd 的一致性 agreement with micrograd ------------------------------------------


def test_same_seed_gives_micrograds_weights_in_micrograds_order() -> None:
    require_module("micrograd")
    from micrograd.nn import MLP as MicrogradMLP

    saved = random.getstate()
    try:
        random.seed(1337)
        theirs = MicrogradMLP(2, [16, 16, 1])
    finally:
        random.setstate(saved)
    ours = MLP(2, [16, 16, 1], seed=1337)
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    assert [p.data for p in ours.parameters()] == [float(p.data) for p in theirs.parameters()]


def test_parameter_order_is_per_layer_per_neuron_weights_then_bias() -> None:
    model = MLP(3, [2, 1], seed=0)
    expected = [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]
    assert model.parameters() == expected
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.w.2",
                         "layers.0.neurons.0.b"]
    assert [p.label for p in model.parameters()] == ["w1", "w2", "w3", "b_h1", "w4", "w5", "w6", "b_h2",
                                                     "w7", "w8", "b_o1"]  # 种子 000 的编号 seed 000's numbering


def test_naming_conventions_name_parameters_and_nodes() -> None:
    model = MLP(2, [2, 1], activation="sigmoid", seed=0, naming="z/a")
    assert [p.label for p in model.parameters()][:4] == ["w⁽¹⁾₁₁", "w⁽¹⁾₁₂", "b⁽¹⁾₁", "w⁽¹⁾₂₁"]
    out = model([0.5, -1.0])
    assert out.label == "a⁽²⁾₁"  # 线性输出: 加权和就是输出. A linear output: the sum is the output.
    assert {"a⁽¹⁾₁", "a⁽¹⁾₂", "w⁽²⁾₁₁", "b⁽²⁾₁"} <= {p.label for p in out.parents}
    assert out.parents[-2].parents[0].label == "z⁽¹⁾₂"  # a⁽¹⁾₂ = σ(z⁽¹⁾₂)
    model.set_naming(None)
    assert [p.label for p in model.parameters()][:3] == ["L0.N0.w0", "L0.N0.w1", "L0.N0.b"]
    assert model([0.5, -1.0]).label == ""
    model.set_naming("net/out")
    assert model([0.5, -1.0]).label == "out_o1" and model.parameters()[-1].label == "b_o1"
    with pytest.raises(ValueError, match="naming.*'net/out'"):
        model.set_naming("textbook")


def test_defaults_relu_hidden_linear_output_and_zero_biases() -> None:
    model = MLP(2, [3, 3, 2], seed=1)
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)
    assert all(-1.0 <= w.data <= 1.0 for layer in model.layers for n in layer.neurons for w in n.w)
    out = model([0.5, -1.5])
    assert isinstance(out, list) and len(out) == 2 and all(v.op == "dot" for v in out)
    single = MLP(2, [4, 1], seed=1)([0.1, 0.2])
    assert isinstance(single, mg.Value)
    assert (model.nin, model.nouts) == (2, [3, 3, 2])


def test_neuron_is_one_dot_node_with_bias_then_the_activation() -> None:
    neuron = Neuron(3, "tanh", seed=4)
    x = [mg.Value(1.0), mg.Value(-2.0), mg.Value(0.5)]
    out = neuron(x)
    assert out.op == "tanh"
    net = out.parents[0]
    assert net.op == "dot" and net.parents == (*neuron.w, *x, neuron.b)
    assert net.data == pytest.approx(sum(w.data * xi.data for w, xi in zip(neuron.w, x)) + neuron.b.data, **EXACT)
    assert Neuron(3, "linear", seed=4)(x).op == "dot"
    assert [p.label for p in neuron.parameters()] == ["w0", "w1", "w2", "b"]
    assert len(neuron.w) == 3 and neuron.activation == "tanh"


def test_inputs_may_be_floats_and_a_single_number_for_one_input() -> None:
    layer = Layer(1, 2, "sigmoid", seed=3)
    assert [v.data for v in layer(0.7)] == [v.data for v in layer([mg.Value(0.7)])]
    with pytest.raises(ValueError) as error:
        layer([1.0, 2.0])
    assert "2" in bilingual(error)


def test_the_output_of_a_one_neuron_layer_feeds_the_next_layer() -> None:
    model = MLP(2, [1, 3, 1], seed=2)
    assert isinstance(model([0.3, 0.4]), mg.Value)


# ---- 激活函数 activations ----------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("relu", lambda z: max(z, 0.0)), ("tanh", math.tanh), ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
    ("linear", lambda z: z), ("leaky_relu", lambda z: z if z > 0 else 0.01 * z)])
@settings(max_examples=100)
@given(z=st.floats(-30, 30))
def test_activation_table(name: str, expected, z: float) -> None:
    assert get_activation(name)(mg.Value(z)).data == pytest.approx(expected(z), rel=1e-12, abs=1e-300)


def test_activation_names_and_unknown_name_error() -> None:
    assert set(ACTIVATIONS) == {"relu", "tanh", "sigmoid", "linear", "leaky_relu"}
    with pytest.raises(ValueError) as error:
        MLP(2, [2, 1], activation="softsign")
    text = bilingual(error)
    assert "softsign" in text and all(name in text for name in ACTIVATIONS)
    with pytest.raises(ValueError):
        Neuron(2, "Relu")


# ---- 初始化 initialisation ---------------------------------------------------------------


def test_without_a_seed_weights_come_from_the_global_random_module() -> None:
    saved = random.getstate()
    try:
        random.seed(7)
        seeded = random.getstate()
        first = [p.data for p in MLP(3, [5, 2]).parameters()]
        moved = random.getstate() != seeded  # 和 micrograd 一样推进了全局状态. It advanced the global state.
        random.seed(7)
        again = [p.data for p in MLP(3, [5, 2]).parameters()]
    finally:
        random.setstate(saved)
    assert first == again == [p.data for p in MLP(3, [5, 2], seed=7).parameters()]
    assert moved


def test_seeded_initialisation_is_reproducible_and_leaves_global_random_alone() -> None:
    state = random.getstate()
    first = [p.data for p in MLP(3, [5, 2], seed=7).parameters()]
    assert random.getstate() == state
    assert first == [p.data for p in MLP(3, [5, 2], seed=7).parameters()]
    assert first == [p.data for p in MLP(3, [5, 2], rng=random.Random(7)).parameters()]
    assert first != [p.data for p in MLP(3, [5, 2], seed=8).parameters()]
    with pytest.raises(ValueError) as error:
        MLP(2, [1], seed=1, rng=random.Random(1))
    bilingual(error)


def test_initialisation_schemes_have_their_documented_ranges() -> None:
    fan_in, fan_out = 50, 30

    def weights(scheme: str) -> list[float]:
        layer = Layer(fan_in, fan_out, init=scheme, seed=11)
        return [w.data for n in layer.neurons for w in n.w]

    assert set(SCHEMES) == {"uniform", "xavier", "xavier_normal", "he", "he_normal"}
    assert max(map(abs, weights("uniform"))) <= 1.0
    glorot = math.sqrt(6 / (fan_in + fan_out))
    assert glorot * 0.95 < max(map(abs, weights("xavier"))) <= glorot
    kaiming = math.sqrt(6 / fan_in)
    assert kaiming * 0.95 < max(map(abs, weights("he"))) <= kaiming
    assert statistics.pstdev(weights("he_normal")) == pytest.approx(math.sqrt(2 / fan_in), rel=0.1)
    assert statistics.pstdev(weights("xavier_normal")) == pytest.approx(math.sqrt(2 / (fan_in + fan_out)), rel=0.1)
    with pytest.raises(ValueError) as error:
        MLP(2, [2], init="glorot")
    assert "xavier" in bilingual(error)


# ---- 显式权重 explicit weights -------------------------------------------------------------


def test_from_weights_get_weights_round_trip_in_pytorch_layout() -> None:
    weights = [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7, 0.8]]]
    biases = [[0.01, 0.02], [0.03]]
    model = MLP.from_weights(weights, biases, activation="tanh", output_activation="sigmoid")
    assert (model.nin, model.nouts) == (3, [2, 1])
    assert model.get_weights() == (weights, biases)
    # 第 j 行是进入神经元 j 的权重. Row j feeds neuron j.
    assert [w.data for w in model.layers[0].neurons[1].w] == [0.4, 0.5, 0.6]
    x = [1.0, -1.0, 2.0]
    h = [math.tanh(sum(w * xi for w, xi in zip(row, x)) + b) for row, b in zip(weights[0], biases[0])]
    y = 1 / (1 + math.exp(-(0.7 * h[0] + 0.8 * h[1] + 0.03)))
    assert model(x).data == pytest.approx(y, **EXACT)
    assert model.predict(x) == model(x).data


def test_set_weights_shape_errors_change_nothing() -> None:
    model = MLP(2, [3, 1], seed=0)
    before = model.get_weights()
    bad = [
        ([[[1, 2]] * 3], [[0, 0, 0], [0]]),                       # 少一层 a layer missing
        ([[[1, 2, 3]] * 3, [[1, 2, 3]]], [[0, 0, 0], [0]]),       # nin 不对 wrong nin
        ([[[1, 2]] * 2, [[1, 2, 3]]], [[0, 0, 0], [0]]),          # nout 不对 wrong nout
        ([[[1, 2]] * 3, [[1, 2, 3]]], [[0, 0], [0]]),             # 偏置个数 bias count
        ([[[1, 2]] * 3, [[1, 2, float("nan")]]], [[0, 0, 0], [0]]),  # 非有限数 not finite
    ]
    for weights, biases in bad:
        with pytest.raises((ValueError, TypeError)) as error:
            model.set_weights(weights, biases)
        bilingual(error)
        assert model.get_weights() == before
    with pytest.raises(ValueError) as error:
        model.layers[0].set_weights([[1, 2]] * 2, [0, 0, 0])
    assert "3×2" in bilingual(error)


def test_one_neuron_layer_takes_a_flat_row_and_a_single_bias() -> None:
    layer = Layer(3, 1, "linear", seed=0)
    layer.set_weights([0.1, 0.2, 0.3], 0.5)
    assert layer.get_weights() == ([[0.1, 0.2, 0.3]], [0.5])
    assert layer([1.0, 1.0, 1.0]).data == pytest.approx(1.1, **EXACT)


def test_predict_builds_no_graph_and_keeps_grad_mode() -> None:
    model = MLP(2, [3, 2], seed=0)
    assert isinstance(model.predict([0.1, 0.2]), list)
    assert mg.is_grad_enabled()
    with mg.no_grad():
        out = model([0.1, 0.2])
    assert all(v.parents == () for v in out)


def test_state_dict_save_and_load_round_trip(tmp_path) -> None:
    model = MLP(2, [4, 1], activation="tanh", seed=5)
    copy = MLP(2, [4, 1], activation="tanh", seed=6)
    model.save(tmp_path / "model.json")
    copy.load(tmp_path / "model.json")
    assert copy.get_weights() == model.get_weights()
    assert isinstance(model, Module) and "MLP(2 → 4 → 1" in repr(model)


@pytest.mark.parametrize("nin", [0, -1, 1.5, True])
def test_bad_sizes(nin) -> None:
    with pytest.raises(ValueError) as error:
        MLP(nin, [2])
    bilingual(error)
    with pytest.raises(TypeError):
        MLP(2, 3)


# ---- 与 PyTorch 对照 against PyTorch -------------------------------------------------------


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("init", ["uniform", "he"])
def test_mlp_values_and_gradients_match_torch(activation: str, init: str) -> None:
    torch = require_module("torch")
    model = MLP(3, [4, 3, 2], activation=activation, output_activation="sigmoid", init=init, seed=21)
    weights, biases = model.get_weights()
    acts = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda t: t,
            "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01)}
    tw = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights]
    tb = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in biases]
    x_data = [0.3, -0.8, 1.7]
    tx = torch.tensor(x_data, dtype=torch.float64, requires_grad=True)
    h = tx
    for l, (w, b) in enumerate(zip(tw, tb)):
        h = (acts[activation] if l < 2 else torch.sigmoid)(w @ h + b)
    (h * torch.tensor([1.0, -2.0], dtype=torch.float64)).sum().backward()

    x = [mg.Value(v) for v in x_data]
    out = model(x)
    (out[0] - 2 * out[1]).backward()
    assert [v.data for v in out] == pytest.approx(h.tolist(), **EXACT)
    assert [v.grad for v in x] == pytest.approx(tx.grad.tolist(), **EXACT)
    grads = [p.grad for p in model.parameters()]
    expected = [g for w, b in zip(tw, tb) for row, bg in zip(w.grad.tolist(), b.grad.tolist()) for g in (*row, bg)]
    assert grads == pytest.approx(expected, **EXACT)
