"""backward_steps: 记录下来的堆放与种子文章的例子一致, 随机图上与 backward() 完全相同.

The recorded backward pass: the e example's events match the reference
exactly, and on random graphs the recording leaves the same gradients as
``backward()`` with running totals that add up.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from micrograd_cn.demo import chain_rule_example
from micrograd_cn.trace import BackwardStep, backward_steps, format_number

import micrograd_cn as mg


def _event(step: BackwardStep) -> list:
    """把一步写成参考文件中的形式 [发送者, 接收者, "grad*local", 贡献]. An event as in the reference."""
    return [step.node_name, step.parent_name, f"{step.node_grad:g}*{step.local:g}", step.contribution]


def test_e_example_events_match_reference(worked_examples):
    ref = worked_examples["chain_rule_e"]
    nodes = chain_rule_example(ref["inputs"]["a"], ref["inputs"]["b"])
    steps = backward_steps(nodes["e"])
    assert [_event(s) for s in steps] == ref["accumulation_events_in_order"]
    assert [s.index for s in steps] == list(range(5))
    assert {name: nodes[name].grad for name in "abcde"} == ref["grads"]
    assert steps.grads == ref["grads"]
    b_steps = [s for s in steps if s.parent_name == "b"]
    assert [(s.before, s.after) for s in b_steps] == [(0.0, 2.0), (2.0, 5.0)]
    assert all(s.contribution == s.node_grad * s.local for s in steps)
    assert steps.out is nodes["e"] and steps.out_name == "e"
    assert steps.order[0] is nodes["e"]
    assert steps[4].node is nodes["d"] and steps[4].parent is nodes["b"]
    assert steps[-2:] == list(steps)[3:]


def test_a_recorded_pass_starts_from_zero_after_an_earlier_backward(worked_examples):
    ref = worked_examples["chain_rule_e"]
    nodes = chain_rule_example(ref["inputs"]["a"], ref["inputs"]["b"])
    nodes["e"].backward()
    nodes["e"].backward()  # 叶子累加到 ∂e/∂b = 10. The leaves pile up to 10.
    steps = backward_steps(nodes["e"])
    assert steps.grads == ref["grads"] and nodes["b"].grad == ref["grads"]["b"]
    assert [(s.before, s.after) for s in steps if s.parent_name == "b"] == [(0.0, 2.0), (2.0, 5.0)]
    again = backward_steps(nodes["e"], accumulate=True)  # 像 PyTorch 一样累加. Accumulate, as in PyTorch.
    assert [(s.before, s.after) for s in again if s.parent_name == "b"] == [(5.0, 7.0), (7.0, 10.0)]
    assert again.grads["b"] == nodes["b"].grad == 2 * ref["grads"]["b"]
    assert again.grads["c"] == ref["grads"]["c"]  # 中间节点不累加. Intermediate nodes do not accumulate.


def test_equation_text_both_languages():
    steps = backward_steps(chain_rule_example()["e"])
    assert steps[4].equation() == "∂e/∂b += ∂e/∂d · ∂d/∂b = 3 × 1 = 3 （累计 5）"
    assert steps[4].equation("en") == "∂e/∂b += ∂e/∂d · ∂d/∂b = 3 × 1 = 3 (running total 5)"
    assert steps[0].equation("zh", out_name="L") == "∂L/∂c += ∂L/∂e · ∂e/∂c = 1 × 2 = 2 （累计 2）"
    assert steps.equations("en").splitlines()[2] == "∂e/∂a += ∂e/∂c · ∂c/∂a = 2 × 1 = 2 (running total 2)"
    with pytest.raises(ValueError, match="lang"):
        steps[0].equation("fr")


def test_compound_names_are_parenthesised_and_unlabelled_nodes_are_named_by_what_they_compute():
    a, b = mg.Value(2.0, "a"), mg.Value(1.0, "b")
    s = a + b
    s.label = "a+b"
    out = s * b
    steps = backward_steps(out)
    assert steps.out_name == "(a+b)·b"  # 没有 label: 按它算的式子命名. Named after what it computes.
    assert steps[0].equation() == ("∂((a+b)·b)/∂(a+b) += ∂((a+b)·b)/∂((a+b)·b) · ∂((a+b)·b)/∂(a+b) "
                                   "= 1 × 1 = 1 （累计 1）")


def test_automatic_names_are_short_unique_and_never_bare_counters():
    x = mg.Value(0.5)
    y = (x * x).tanh() * 2 + (x.exp() + 3).log()
    names = mg.graph.snapshot(y).names
    assert names == ["x₁", "x₁·x₁", "tanh(x₁·x₁)", "×₁", "exp(x₁)", "exp(x₁)+3", "log₁", "×₁+log₁"]
    assert not any(re.fullmatch(r"v\d+", name) for name in names)
    twins = [mg.Value(1.0, "t") + 1, mg.Value(2.0, "t") + 1]  # 同名的两个节点各得一个名字. Twins get their own.
    assert mg.graph.snapshot(twins[0] * twins[1]).names == ["t", "t+1", "t", "+₁", "(t+1)·(+₁)"]


def test_powers_are_named_with_superscripts_and_parenthesised_once():
    a = mg.Value(0.25, "a⁽²⁾₁")
    square = (1 - a) ** 2
    error = square * 0.5
    error.label = "E_1"
    steps = backward_steps(error)
    names = steps.graph.names
    assert names == ["a⁽²⁾₁", "1−a⁽²⁾₁", "(1−a⁽²⁾₁)²", "E_1"]
    assert steps[0].equation().startswith("∂E_1/∂(1−a⁽²⁾₁)² += ")  # 不是 ∂((1−a⁽²⁾₁)^2). Not ∂((…)^2).
    x = mg.Value(2.0, "x")
    assert mg.graph.snapshot(x ** -1).names[-1] == "x⁻¹" and mg.graph.snapshot(x ** 0.5).names[-1] == "x^0.5"
    assert mg.graph.snapshot((-x) ** 3).names[-1] == "(−x)³" and mg.graph.snapshot(x ** 2 * 3).names[-1] == "x²·3"
    assert all("^" not in name for name in names)


def test_table_text():
    table = backward_steps(chain_rule_example()["e"]).table()
    lines = table.splitlines()
    assert re.split(r"\s+", lines[0]) == ["步骤", "发送者", "接收者", "∂e/∂发送者", "局部导数", "贡献", "之前", "之后"]
    assert re.split(r"\s+", lines[1]) == ["step", "from", "to", "∂e/∂from", "local", "contribution", "before", "after"]
    assert set(lines[2]) == {"-", " "}
    assert [re.split(r"\s+", line.strip()) for line in lines[3:]] == [
        ["1", "e", "c", "1", "2", "2", "0", "2"],
        ["2", "e", "d", "1", "3", "3", "0", "3"],
        ["3", "c", "a", "2", "1", "2", "0", "2"],
        ["4", "c", "b", "2", "1", "2", "0", "2"],
        ["5", "d", "b", "3", "1", "3", "2", "5"],
    ]
    english = backward_steps(chain_rule_example()["e"]).table("en").splitlines()
    assert english[0].split()[0] == "step" and len(english) == 7
    # 每列右端对齐 (数字列) columns line up: every row has the same display width
    from micrograd_cn.trace import display_width

    assert len({display_width(line) for line in lines}) == 1


def test_str_html_and_dict():
    steps = backward_steps(chain_rule_example()["e"])
    text = str(steps)
    assert steps.table() in text and steps.equations() in text
    page = steps._repr_html_()
    assert page.count("<tr>") == 6 and "累计 5" in page
    assert '<th>步骤<br><span style="color:#4b5563">step</span></th>' in page
    assert "<small>" not in page
    data = json.loads(json.dumps(steps.to_dict()))
    assert data["out"] == "e" and data["value"] == 6.0
    assert [ev["to"] for ev in data["events"]] == ["c", "d", "a", "b", "b"]
    assert data["events"][4]["after"] == 5.0 and data["events"][4]["equation_en"].endswith("(running total 5)")
    assert data["grads"]["b"] == 5.0
    assert "5 步" in repr(steps)


def test_format_number():
    assert [format_number(x) for x in (2.0, -0.0, 0.5932699921071872, 1e20, -3.5)] == ["2", "0", "0.5933",
                                                                                     "1e+20", "-3.5"]


def test_leaf_output_and_gradient_argument():
    x = mg.Value(3.0, "x")
    steps = backward_steps(x, 2.0)
    assert len(steps) == 0 and x.grad == 2.0 and steps.grads == {"x": 2.0}
    y = x * x
    steps = backward_steps(y, 0.5)  # 从零开始, 不管 x.grad 原来是 2. From zero, whatever x.grad was.
    assert [s.local for s in steps] == [3.0, 3.0] and [s.after for s in steps] == [1.5, 3.0]
    steps = backward_steps(y, 0.5, accumulate=True)
    assert [s.after for s in steps] == [4.5, 6.0] and x.grad == 6.0


# ---- 随机图 random graphs ---------------------------------------------------------------------

_BINARY = ["+", "-", "*"]
_UNARY = ["tanh", "sigmoid", "sin", "exp_small", "neg"]


@st.composite
def programs(draw):
    """随机的计算: 若干叶子, 然后一串运算, 每个运算从已有节点中取操作数 (常有共享). A random program."""
    n_leaves = draw(st.integers(1, 4))
    leaves = draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=n_leaves, max_size=n_leaves))
    ops = draw(st.lists(st.tuples(st.sampled_from(_BINARY + _UNARY), st.integers(0, 10**6), st.integers(0, 10**6)),
                        min_size=1, max_size=12))
    return leaves, ops


def build(program):
    """按程序建图, 返回 (叶子, 输出). Build the graph of a program."""
    leaf_data, ops = program
    leaves = [mg.Value(x, f"x{i}") for i, x in enumerate(leaf_data)]
    nodes = list(leaves)
    for op, i, j in ops:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "+":
            v = a + b
        elif op == "-":
            v = a - b
        elif op == "*":
            v = a * b
        elif op == "exp_small":
            v = (a * 0.1).exp()
        elif op == "neg":
            v = -a
        else:
            v = getattr(a, op)()
        nodes.append(v)
    out = nodes[-1] + sum(nodes[:-1]) * 0.5 if len(nodes) > 1 else nodes[-1] * 1.0
    return leaves, out


@given(programs())
def test_random_graph_recording_equals_backward(program):
    leaves, out = build(program)
    steps = backward_steps(out)
    twins, twin_out = build(program)
    twin_out.backward()
    assert [x.grad for x in leaves] == [x.grad for x in twins]  # 完全相同, 不只是近似 bit for bit
    # 每个节点的累计: 之前 + 贡献 = 之后, 最后一次的"之后"就是最终梯度 running totals add up
    last_after = {}
    for step in steps:
        assert step.after == step.before + step.contribution
        assert step.before == last_after.get(id(step.parent), 0.0)
        last_after[id(step.parent)] = step.after
    for x in leaves:
        assert last_after.get(id(x), 0.0) == x.grad
    # 发送者的梯度在发送时已完整 a sender's gradient is complete when it sends
    for step in steps:
        assert step.node_grad == step.node.grad
    # 每条边恰好记录一次 every edge is recorded exactly once
    edges = sum(len(node.parents) for node in mg.topological_order(out))
    assert len(steps) == edges


def test_backward_steps_on_a_deep_chain_is_iterative():
    x = mg.Value(0.5, "x")
    v = x
    for _ in range(3000):
        v = v * 1.0
    steps = backward_steps(v)
    assert len(steps) == 3000 and x.grad == 1.0 and math.isclose(steps[-1].after, 1.0)
