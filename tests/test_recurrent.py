"""循环单元与展开的 RNN: PyTorch 参数布局、初始化、手算的 BPTT、节点命名、画图与深展开.

Recurrent cells and the unrolled RNN: PyTorch's parameter layout, the
initialisation, BPTT against a hand derivation, finite differences, node
labels, drawing a T=3 unrolled graph, and a 1000-step unroll.
"""

from __future__ import annotations

import math
import re

import pytest
from conftest import require_module

import micrograd_cn as mg
from micrograd_cn.nn import RNN, GRUCell, LSTMCell, RNNCell
from micrograd_cn.nn.recurrent import CELL_GATES
from micrograd_cn.viz.player import player_data


@pytest.mark.parametrize(("make", "gates"), [(RNNCell, 1), (GRUCell, 3), (LSTMCell, 4)])
def test_parameters_use_pytorch_layout(make: type, gates: int) -> None:
    cell = make(3, 5, seed=0)
    assert len(cell.weight_ih) == gates * 5 and {len(row) for row in cell.weight_ih} == {3}
    assert len(cell.weight_hh) == gates * 5 and {len(row) for row in cell.weight_hh} == {5}
    assert len(cell.bias_ih) == len(cell.bias_hh) == gates * 5
    names = [name for name, _ in cell.named_parameters()]
    assert names[0] == "weight_ih.0.0" and names[-1] == f"bias_hh.{gates * 5 - 1}"
    assert len(names) == gates * 5 * (3 + 5 + 2)


def test_initialisation_is_pytorch_uniform_and_seeded() -> None:
    bound = 1 / math.sqrt(4)
    cell = GRUCell(2, 4, seed=3)
    values = [p.data for p in cell.parameters()]
    assert all(-bound <= v <= bound for v in values)
    assert max(values) > 0.8 * bound and min(values) < -0.8 * bound
    assert GRUCell(2, 4, seed=3).state_dict() == cell.state_dict()
    assert GRUCell(2, 4, seed=4).state_dict() != cell.state_dict()
    assert RNN(2, 4, cell="lstm", num_layers=2, seed=1).state_dict() == \
        RNN(2, 4, cell="lstm", num_layers=2, seed=1).state_dict()


def test_lstm_forget_bias_is_split_over_the_two_biases() -> None:
    cell = LSTMCell(2, 3, seed=0)
    forget = range(3, 6)
    assert [cell.bias_ih[j].data for j in forget] == [1.0, 1.0, 1.0]
    assert [cell.bias_hh[j].data for j in forget] == [0.0, 0.0, 0.0]
    two = LSTMCell(2, 3, forget_bias=2.0, seed=0)
    assert [two.bias_ih[j].data + two.bias_hh[j].data for j in forget] == [2.0, 2.0, 2.0]
    plain = LSTMCell(2, 3, forget_bias=None, seed=0)
    assert all(abs(plain.bias_ih[j].data) <= 1 / math.sqrt(3) for j in forget)
    assert plain.bias_ih[4].data != 1.0
    with pytest.raises(ValueError, match="forget_bias"):
        LSTMCell(2, 3, forget_bias=float("nan"))


def test_one_unit_rnn_bptt_matches_hand_derivation() -> None:
    """h1 = tanh(w·x1 + b), h2 = tanh(w·x2 + u·h1 + b), L = h2 (b = b_ih + b_hh)."""
    cell = RNNCell(1, 1, seed=0)
    w, u, b_ih, b_hh = cell.weight_ih[0][0], cell.weight_hh[0][0], cell.bias_ih[0], cell.bias_hh[0]
    w.data, u.data, b_ih.data, b_hh.data = 0.5, -1.5, 0.1, 0.2
    x1, x2 = 1.0, -2.0
    model = RNN(1, 1, seed=0)
    model.cells[0] = cell
    outputs, h_n = model([[x1], [x2]])
    h2 = outputs[-1][0]
    assert h_n[0][0] is h2
    h2.backward()
    a1 = 0.5 * x1 + 0.3
    h1 = math.tanh(a1)
    a2 = 0.5 * x2 - 1.5 * h1 + 0.3
    d2 = 1 - math.tanh(a2) ** 2            # ∂h2/∂a2
    d1 = d2 * -1.5 * (1 - h1 ** 2)         # ∂h2/∂a1: 随时间传回一步 one step back in time
    assert h2.data == pytest.approx(math.tanh(a2), abs=1e-15)
    assert u.grad == pytest.approx(d2 * h1, abs=1e-15)
    assert w.grad == pytest.approx(d2 * x2 + d1 * x1, abs=1e-15)
    assert b_ih.grad == pytest.approx(d2 + d1, abs=1e-15)
    assert b_hh.grad == b_ih.grad


@pytest.mark.parametrize("make", [RNNCell, GRUCell, LSTMCell])
def test_cells_pass_gradcheck_on_inputs_and_state(make: type) -> None:
    cell = make(2, 2, seed=5)

    def f(x0: mg.Value, x1: mg.Value, h0: mg.Value, h1: mg.Value) -> mg.Value:
        state = ([h0, h1], [h1, h0]) if make is LSTMCell else [h0, h1]
        out = cell([x0, x1], state)
        h = out[0] if make is LSTMCell else out
        return h[0] * 2.0 - h[1] * h[1]

    report = mg.gradcheck(f, [0.3, -0.7, 0.5, -0.2])
    assert report.ok, report


def test_gate_pre_activation_is_one_dot_node_with_both_biases() -> None:
    cell = RNNCell(2, 1, seed=0)
    h = cell([1.0, 2.0], [mg.Value(0.5)])[0]
    net = h.parents[0]
    assert h.op == "tanh" and net.op == "dot"
    parents = {id(p) for p in net.parents}
    assert {id(cell.bias_ih[0]), id(cell.bias_hh[0]), id(cell.weight_hh[0][0])} <= parents
    expected = cell.weight_ih[0][0].data + 2 * cell.weight_ih[0][1].data + 0.5 * cell.weight_hh[0][0].data \
        + cell.bias_ih[0].data + cell.bias_hh[0].data
    assert net.data == pytest.approx(expected, abs=1e-15)


def test_relu_rnn_and_bad_activation() -> None:
    cell = RNNCell(1, 3, activation="relu", seed=2)
    assert all(v.data >= 0 for v in cell([4.0]))
    with pytest.raises(ValueError, match="activation"):
        RNNCell(1, 3, activation="sigmoid")


def test_sequence_output_shapes_follow_pytorch() -> None:
    xs = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, 0.8]]
    outputs, h_n = RNN(2, 3, cell="gru", num_layers=2, bidirectional=True, seed=0)(xs)
    assert len(outputs) == 4 and {len(o) for o in outputs} == {6}
    assert len(h_n) == 4 and {len(h) for h in h_n} == {3}
    assert h_n[2] == outputs[-1][:3]  # 上层正向: 最后一步. Top forward: the last step.
    assert h_n[3] == outputs[0][3:]   # 上层反向: 第一步. Top backward: the first step.
    outputs, (h_n, c_n) = RNN(2, 3, cell="lstm", num_layers=3, seed=0)(xs)
    assert len(h_n) == len(c_n) == 3 and h_n[-1] == outputs[-1]


def test_initial_state_is_used_and_zero_by_default() -> None:
    model = RNN(1, 2, cell="lstm", seed=0)
    xs = [[0.5], [-0.5]]
    default, _ = model(xs)
    zeros, _ = model(xs, ([[0.0, 0.0]], [[0.0, 0.0]]))
    other, _ = model(xs, ([[0.9, -0.9]], [[1.0, 2.0]]))
    assert [v.data for v in default[-1]] == [v.data for v in zeros[-1]]
    assert [v.data for v in default[-1]] != [v.data for v in other[-1]]


def test_time_step_labels() -> None:
    outputs, _ = RNN(1, 1, seed=0)([[1.0], [2.0], [3.0]])
    assert [o[0].label for o in outputs] == ["h1", "h2", "h3"]
    assert outputs[0][0].parents[0].label == "a1"
    outputs, _ = RNN(1, 2, seed=0)([[1.0], [2.0]])
    assert [v.label for v in outputs[1]] == ["h2[0]", "h2[1]"]
    outputs, _ = RNN(1, 1, num_layers=2, bidirectional=True, seed=0)([[1.0], [2.0], [3.0]])
    assert [v.label for v in outputs[2]] == ["h3^2", "h3^2←"]
    (h, c) = LSTMCell(1, 1, seed=0)([1.0], step=4)
    assert (h[0].label, c[0].label) == ("h4", "c4")
    gates = {p.label for p in h[0].parents} | {p.label for p in c[0].parents}
    assert {"o4", "c4"} <= gates | {c[0].label}
    gru_h = GRUCell(1, 1, seed=0)([1.0], [mg.Value(0.2)], step=2)[0]
    labels = {node.label for node in mg.topological_order(gru_h)}
    assert {"r2", "z2", "n2", "h2"} <= labels


def test_bptt_through_1000_steps_has_no_recursion_problem() -> None:
    model = RNN(1, 2, cell="lstm", seed=0)
    outputs, _ = model([[math.sin(t / 10)] for t in range(1000)])
    mg.sum(outputs[-1]).backward()
    grads = [p.grad for p in model.parameters()]
    assert all(math.isfinite(g) for g in grads) and any(g != 0 for g in grads)
    assert len(mg.topological_order(outputs[-1][0])) > 20_000


def test_module_services_work() -> None:
    model = RNN(2, 2, cell="gru", seed=0)
    outputs, _ = model([[1.0, 0.0], [0.0, 1.0]])
    mg.sum(outputs[-1]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert not any(p.grad for p in model.parameters())
    copy = RNN(2, 2, cell="gru", seed=1)
    copy.load_state_dict(model.state_dict())
    again, _ = copy([[1.0, 0.0], [0.0, 1.0]])
    assert [v.data for v in again[-1]] == [v.data for v in outputs[-1]]
    assert "cell='gru'" in repr(model)
    assert set(CELL_GATES) == {"rnn", "gru", "lstm"}


def test_errors_are_bilingual_and_name_the_problem() -> None:
    with pytest.raises(ValueError, match=r"cell 只能是.*cell must be"):
        RNN(1, 2, cell="transformer")
    with pytest.raises(ValueError, match="num_layers"):
        RNN(1, 2, num_layers=0)
    with pytest.raises(ValueError, match=r"需要 2 个输入.*expects 2 inputs"):
        RNN(2, 2, seed=0)([[1.0]])
    with pytest.raises(ValueError, match="xs"):
        RNN(1, 2, seed=0)([])
    with pytest.raises(ValueError, match="h0"):
        RNN(1, 2, num_layers=2, seed=0)([[1.0]], [[0.0, 0.0]])
    with pytest.raises(TypeError, match=r"\(h, c\)"):
        LSTMCell(1, 2, seed=0)([1.0], [0.0, 0.0, 0.0])
    with pytest.raises(TypeError, match="h0, c0"):
        RNN(1, 2, cell="lstm", seed=0)([[1.0]], [[0.0, 0.0]])
    with pytest.raises(ValueError, match="nh"):
        GRUCell(1, 0)


def _unrolled_t3() -> tuple[mg.Value, RNN]:
    model = RNN(1, 1, seed=0)
    outputs, _ = model([[1.0], [0.5], [-1.0]])
    loss = (outputs[-1][0] - 0.5) ** 2
    loss.label = "L"
    return loss, model


def test_draw_dot_shows_time_steps_as_layers() -> None:
    require_module("graphviz")
    loss, _ = _unrolled_t3()
    loss.backward()
    source = mg.draw_dot(loss, layered=True).source
    node_of = {label: re.search(rf'(n\d+) \[label=<<table[^\n]*<b>{re.escape(label)}</b>', source).group(1)
               for label in ("h1", "h2", "h3", "a1", "a2", "a3")}
    ranks = [set(block.split()) for block in re.findall(r"rank=same\s+([^}]*)}", source)]
    rank_of = {label: next(i for i, block in enumerate(ranks) if node in block) for label, node in node_of.items()}
    assert len({rank_of["h1"], rank_of["h2"], rank_of["h3"]}) == 3
    assert len({rank_of["a1"], rank_of["a2"], rank_of["a3"]}) == 3


def test_step_through_goes_back_in_time() -> None:
    loss, model = _unrolled_t3()
    steps = mg.backward_steps(loss)
    first_from = {}
    for step in steps:
        first_from.setdefault(step.node_name, step.index)
    assert first_from["h3"] < first_from["h2"] < first_from["h1"]
    recorded = [p.grad for p in model.parameters()]
    assert any(recorded)
    model.zero_grad()
    loss.backward()
    assert [p.grad for p in model.parameters()] == recorded  # 与 backward() 相同. Same as backward().


def test_step_through_player_of_an_unrolled_rnn(tmp_path) -> None:
    require_module("graphviz")
    loss, _ = _unrolled_t3()
    steps = mg.backward_steps(loss)
    page = mg.export_html(steps, tmp_path / "bptt.html", layered=True).read_text(encoding="utf-8")
    main = player_data(steps, layered=True).svg  # 全部节点视图 (另有神经元视图) the full view
    assert main.count('id="node-') == len(steps.graph) and "neuron_svg" in page
    assert all(f"∂L/∂{name}" in page for name in ("h1", "h2", "h3"))
