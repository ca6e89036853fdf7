"""PyTorch 桥: to_torch / from_torch 权重相同, 输出与梯度在 float64 下相差 ≤ 1e-12."""

from __future__ import annotations

import sys

import pytest
from conftest import require_module

from micrograd_cn import from_torch, to_torch
from micrograd_cn.nn import MLP, Layer, Neuron
from micrograd_cn.nn.losses import mse
from micrograd_cn.nn.recurrent import RNN

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]


def ours_forward_backward(model, x, target):
    model.zero_grad()
    out = model(x)
    outputs = out if isinstance(out, list) else [out]
    loss = mse(outputs, target, reduction="mean")
    loss.backward()
    return [o.data for o in outputs], loss.data


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_outputs_and_gradients_agree(activation, output):
    torch = require_module("torch")
    model = MLP(3, [5, 4, 2], activation=activation, output_activation=output, seed=11)
    seq = to_torch(model)
    assert isinstance(seq, torch.nn.Sequential)
    assert all(p.dtype == torch.float64 for p in seq.parameters())
    x, target = [0.7, -1.3, 0.4], [0.25, -0.5]
    outputs, loss = ours_forward_backward(model, x, target)
    theirs = seq(torch.tensor(x, dtype=torch.float64))
    their_loss = torch.nn.functional.mse_loss(theirs, torch.tensor(target, dtype=torch.float64))
    their_loss.backward()
    assert theirs.tolist() == pytest.approx(outputs, abs=1e-12, rel=1e-12)
    assert their_loss.item() == pytest.approx(loss, abs=1e-12, rel=1e-12)
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(model.layers, linears):
        for j, neuron in enumerate(layer.neurons):
            assert linear.weight.grad[j].tolist() == pytest.approx([w.grad for w in neuron.w], abs=1e-12, rel=1e-12)
            assert linear.bias.grad[j].item() == pytest.approx(neuron.b.grad, abs=1e-12, rel=1e-12)


def test_round_trip_and_a_network_made_in_torch():
    torch = require_module("torch")
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=2)
    back = from_torch(to_torch(model))
    assert isinstance(back, MLP) and back.get_weights() == model.get_weights()
    assert (back.activation, back.output_activation) == ("tanh", "sigmoid")

    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Identity(),
                              torch.nn.Linear(4, 3, bias=False), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    ours = from_torch(seq)
    assert ours.nouts == [4, 3, 1] and ours.output_activation == "linear"
    assert [n.b.data for n in ours.layers[1].neurons] == [0.0, 0.0, 0.0]
    x = [0.3, -0.9]
    assert ours.predict(x) == pytest.approx(seq(torch.tensor(x, dtype=torch.float64)).item(), abs=1e-12)
    single = from_torch(torch.nn.Linear(2, 2))
    assert single.nouts == [2]


def test_layer_and_neuron_convert():
    torch = require_module("torch")
    neuron = Neuron(3, activation="tanh", seed=1)
    seq = to_torch(neuron)
    x = [0.1, 0.2, -0.3]
    assert seq(torch.tensor(x, dtype=torch.float64)).item() == pytest.approx(neuron(x).data, abs=1e-12)
    layer = Layer(3, 2, activation="sigmoid", seed=2)
    theirs = to_torch(layer)(torch.tensor(x, dtype=torch.float64))
    assert theirs.tolist() == pytest.approx([v.data for v in layer(x)], abs=1e-12)


def test_unsupported_modules_are_refused():
    torch = require_module("torch")
    with pytest.raises(TypeError, match="Conv1d"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Conv1d(1, 1, 1)))
    with pytest.raises(ValueError, match="hidden"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 2),
                                       torch.nn.ReLU(), torch.nn.Linear(2, 1)))
    with pytest.raises(ValueError, match="negative_slope"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LeakyReLU(0.2)))
    with pytest.raises(ValueError, match="follow"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Tanh()))
    with pytest.raises(TypeError, match="to_torch"):
        to_torch(object())


def test_recurrent_networks_are_dispatched():
    torch = require_module("torch")
    model = RNN(2, 3, cell="gru", seed=0)
    module = to_torch(model)
    assert isinstance(module, torch.nn.GRU)
    back = from_torch(module)
    assert isinstance(back, RNN) and back.state_dict() == pytest.approx(model.state_dict(), abs=0)


def test_missing_torch_gives_a_clear_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r'pip install "micrograd_cn\[torch\]"'):
        to_torch(MLP(2, [1], seed=0))
