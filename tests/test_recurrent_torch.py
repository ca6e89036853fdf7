"""循环网络与 PyTorch 对照: 输出与所有参数梯度在 float64 下相差不超过 1e-10.

RNN/GRU/LSTM against torch.nn.RNN/GRU/LSTM: outputs, final states, and the
gradients of every parameter, input and initial state agree within 1e-10.
"""

from __future__ import annotations

import random

import pytest
from conftest import require_module

import micrograd_cn as mg
from micrograd_cn.nn.recurrent import RNN
from micrograd_cn.nn.recurrent_torch import parameter_pairs, rnn_from_torch, rnn_to_torch

TOLERANCE = 1e-10


def _flat(states: list) -> list[mg.Value]:
    return [v for vector in states for v in vector]


def _compare(model: RNN, steps: int, seed: int) -> None:
    """同一序列、同一损失在两边各算一遍, 比较一切. Run both sides on one loss and compare everything."""
    torch = require_module("torch")
    module = rnn_to_torch(model)
    rng = random.Random(seed)
    lstm = model.cell == "lstm"
    count, nh = len(model.cells), model.nh

    def numbers(rows: int, cols: int) -> list[list[float]]:
        return [[rng.uniform(-1, 1) for _ in range(cols)] for _ in range(rows)]

    xs_data = numbers(steps, model.nin)
    h0_data = numbers(count, nh)
    c0_data = numbers(count, nh)
    out_weights = numbers(steps, nh * model.directions)
    final_weights = numbers(count, nh)

    xs = [[mg.Value(v) for v in row] for row in xs_data]
    h0 = [[mg.Value(v) for v in row] for row in h0_data]
    c0 = [[mg.Value(v) for v in row] for row in c0_data]
    outputs, final = model(xs, (h0, c0) if lstm else h0)
    h_n = final[0] if lstm else final
    terms = [w * o for wr, orow in zip(out_weights, outputs) for w, o in zip(wr, orow)]
    terms += [w * h for wr, hrow in zip(final_weights, h_n) for w, h in zip(wr, hrow)]
    if lstm:
        terms += [w * c * c for wr, crow in zip(final_weights, final[1]) for w, c in zip(wr, crow)]
    loss = mg.sum(terms)
    loss.backward()

    txs = torch.tensor(xs_data, dtype=torch.float64, requires_grad=True)
    th0 = torch.tensor(h0_data, dtype=torch.float64, requires_grad=True)
    tc0 = torch.tensor(c0_data, dtype=torch.float64, requires_grad=True)
    tout, tfinal = module(txs, (th0, tc0) if lstm else th0)
    th_n = tfinal[0] if lstm else tfinal
    tw_final = torch.tensor(final_weights, dtype=torch.float64)
    tloss = (torch.tensor(out_weights, dtype=torch.float64) * tout).sum() + (tw_final * th_n).sum()
    if lstm:
        tloss = tloss + (tw_final * tfinal[1] ** 2).sum()
    tloss.backward()

    assert loss.data == pytest.approx(tloss.item(), abs=TOLERANCE)
    _close([v.data for v in _flat(outputs)], tout.flatten().tolist())
    _close([v.data for v in _flat(h_n)], th_n.flatten().tolist())
    if lstm:
        _close([v.data for v in _flat(final[1])], tfinal[1].flatten().tolist())
        _close([v.grad for v in _flat(c0)], tc0.grad.flatten().tolist())
    _close([v.grad for v in _flat(xs)], txs.grad.flatten().tolist())
    _close([v.grad for v in _flat(h0)], th0.grad.flatten().tolist())
    checked = 0
    for rows, parameter in parameter_pairs(model, module):
        _close([v.grad for v in _flat(rows)], parameter.grad.flatten().tolist())
        checked += 1
    assert checked == 4 * count


def _close(ours: list[float], theirs: list[float]) -> None:
    assert len(ours) == len(theirs)
    worst = max(abs(a - b) for a, b in zip(ours, theirs))
    assert worst <= TOLERANCE, worst


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_long_sequence_matches_torch(cell: str) -> None:
    _compare(RNN(2, 3, cell=cell, seed=11), steps=20, seed=1)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_stacked_bidirectional_matches_torch(cell: str) -> None:
    _compare(RNN(2, 3, cell=cell, num_layers=2, bidirectional=True, seed=12), steps=5, seed=2)


@pytest.mark.parametrize(("layers", "bidirectional"), [(2, False), (1, True)])
def test_stacked_or_bidirectional_lstm_matches_torch(layers: int, bidirectional: bool) -> None:
    _compare(RNN(3, 2, cell="lstm", num_layers=layers, bidirectional=bidirectional, seed=13), steps=6, seed=3)


def test_relu_rnn_matches_torch() -> None:
    _compare(RNN(2, 3, cell="rnn", activation="relu", num_layers=2, seed=14), steps=8, seed=4)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_from_torch_copies_every_weight(kind: str) -> None:
    torch = require_module("torch")
    torch.manual_seed(0)
    module = getattr(torch.nn, kind)(3, 4, num_layers=2, bidirectional=True, dtype=torch.float64)
    model = rnn_from_torch(module)
    assert (model.cell, model.num_layers, model.bidirectional) == (kind.lower(), 2, True)
    for rows, parameter in parameter_pairs(model, module):
        assert [v.data for v in _flat(rows)] == parameter.detach().flatten().tolist()
    _compare(model, steps=4, seed=5)


def test_to_torch_keeps_nonlinearity_and_forget_bias() -> None:
    require_module("torch")
    module = rnn_to_torch(RNN(2, 3, activation="relu", seed=0))
    assert module.nonlinearity == "relu"
    lstm = RNN(2, 3, cell="lstm", forget_bias=2.0, seed=0)
    torch_lstm = rnn_to_torch(lstm)
    forget = slice(3, 6)
    effective = (torch_lstm.bias_ih_l0[forget] + torch_lstm.bias_hh_l0[forget]).tolist()
    assert effective == [2.0, 2.0, 2.0]
    back = rnn_from_torch(torch_lstm)
    assert back.state_dict() == lstm.state_dict()


def test_bridge_rejects_what_it_cannot_map() -> None:
    torch = require_module("torch")
    with pytest.raises(TypeError, match="rnn_to_torch"):
        rnn_to_torch(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="proj_size"):
        rnn_from_torch(torch.nn.LSTM(2, 3, proj_size=1))
    with pytest.raises(TypeError, match="rnn_from_torch"):
        rnn_from_torch(torch.nn.Linear(2, 3))
