"""backward() 的语义: 堆放的顺序, 多条路径求和, 多次调用, 深图, no_grad 与 zero_grad.

What ``backward()`` means: the seed's example e = (a+b)(b+1) step by step,
gradients summed over paths, repeated calls (leaves accumulate like PyTorch's
``.grad``, intermediate nodes hold the latest call), a million-deep chain, and
the ``no_grad`` / ``zero_grad`` helpers.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest
from conftest import require_module

import micrograd_cn as mg
from micrograd_cn.engine import propagate

# ---- 种子中的例子 e = (a + b)(b + 1) the seed's example ----------------------------------


def chain_rule_graph(ref: dict[str, Any]) -> dict[str, mg.Value]:
    """按参考文件建图 c = a + b, d = b + 1, e = c * d, 节点都带名字. The labelled example graph."""
    a = mg.Value(ref["inputs"]["a"], "a")
    b = mg.Value(ref["inputs"]["b"], "b")
    c = a + b
    d = b + 1
    e = c * d
    c.label, d.label, e.label = "c", "d", "e"
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_example_values_and_local_derivatives(worked_examples: dict) -> None:
    ref = worked_examples["chain_rule_e"]
    g = chain_rule_graph(ref)
    for name, value in ref["values"].items():
        assert g[name].data == pytest.approx(value, abs=1e-9), name
    local = ref["local_derivatives"]
    # 局部导数在前向传播时就记下了, 顺序与操作数一致. Recorded in the forward pass, in operand order.
    assert g["e"].parents == (g["c"], g["d"])
    assert g["e"].local_grads == pytest.approx((local["de/dc"], local["de/dd"]), abs=1e-9)
    assert g["c"].parents == (g["a"], g["b"])
    assert g["c"].local_grads == pytest.approx((local["dc/da"], local["dc/db"]), abs=1e-9)
    assert g["d"].parents == (g["b"],)
    assert g["d"].local_grads == pytest.approx((local["dd/db"],), abs=1e-9)


def test_example_gradients(worked_examples: dict) -> None:
    ref = worked_examples["chain_rule_e"]
    g = chain_rule_graph(ref)
    g["e"].backward()
    for name, grad in ref["grads"].items():
        assert g[name].grad == pytest.approx(grad, abs=1e-9), name


def test_example_piles_up_in_the_reference_order(worked_examples: dict) -> None:
    """每条边的一次 "堆放": (从哪个节点, 到哪个父节点, 梯度*局部导数, 送出的量). One event per edge."""
    ref = worked_examples["chain_rule_e"]
    g = chain_rule_graph(ref)
    events: list[list[Any]] = []
    running: dict[str, list[float]] = {}

    def on_edge(node: mg.Value, parent: mg.Value, local: float, before: float) -> None:
        events.append([node.label, parent.label, f"{node.grad:g}*{local:g}", node.grad * local])
        running.setdefault(parent.label, []).append(before)

    order = propagate(g["e"], on_edge=on_edge)

    expected = [list(event) for event in ref["accumulation_events_in_order"]]
    c_then_d = expected[:2] + expected[2:4] + expected[4:]
    d_then_c = expected[:2] + expected[4:] + expected[2:4]  # c 与 d 可以交换. c and d may swap.
    assert events in (c_then_d, d_then_c)
    assert running["b"] in ([0.0, 2.0], [0.0, 3.0])  # b 先收到一份, 再堆上另一份. b piles up.
    assert g["b"].grad == ref["grads"]["b"]
    assert order[0] is g["e"]  # 从输出开始. Output first.
    assert {id(g[name]) for name in "ecd"} <= {id(v) for v in order}


# ---- 多条路径: 梯度相加 several paths: gradients add --------------------------------------


def test_a_plus_a_sums_both_edges() -> None:
    a = mg.Value(3.0)
    out = a + a
    assert out.parents == (a, a)
    out.backward()
    assert a.grad == 2.0


def test_x_times_x_times_x() -> None:
    x = mg.Value(2.0)
    (x * x * x).backward()
    assert x.grad == 3 * 2.0**2


def test_shared_bias_collects_from_every_neuron(worked_examples: dict) -> None:
    """Mazur 的 2-2-2 网络: b1 同时进入两个隐藏单元, dE/db1 把两份加起来. A shared bias."""
    ref = worked_examples["mazur_2_2_2"]
    p = {name: mg.Value(v, name) for name, v in {**ref["weights"], **ref["biases"]}.items()}
    i1, i2 = ref["inputs"]["i1"], ref["inputs"]["i2"]
    h1 = mg.dot([p["w1"], p["w2"]], [i1, i2], bias=p["b1"]).sigmoid()
    h2 = mg.dot([p["w3"], p["w4"]], [i1, i2], bias=p["b1"]).sigmoid()
    o1 = mg.dot([p["w5"], p["w6"]], [h1, h2], bias=p["b2"]).sigmoid()
    o2 = mg.dot([p["w7"], p["w8"]], [h1, h2], bias=p["b2"]).sigmoid()
    loss = 0.5 * (ref["targets"]["t1"] - o1) ** 2 + 0.5 * (ref["targets"]["t2"] - o2) ** 2
    loss.backward()
    assert loss.data == pytest.approx(ref["forward"]["E"], abs=1e-9)
    for name, grad in ref["grads"].items():
        assert p[name].grad == pytest.approx(grad, abs=1e-9), name


# ---- 多次调用 repeated calls ---------------------------------------------------------------


def test_second_call_doubles_leaves_but_not_intermediates(worked_examples: dict) -> None:
    g = chain_rule_graph(worked_examples["chain_rule_e"])
    g["e"].backward()
    g["e"].backward()
    assert (g["a"].grad, g["b"].grad) == (4.0, 10.0)  # 叶子累加. Leaves accumulate.
    assert (g["c"].grad, g["d"].grad, g["e"].grad) == (2.0, 3.0, 1.0)  # 最近一次. The latest call.


def test_leaves_accumulate_like_pytorch_with_retain_graph(worked_examples: dict) -> None:
    """叶子与 PyTorch 一致; PyTorch 保留的中间梯度 (retain_grad) 也会累加, 这里不会.

    Leaves agree with PyTorch.  PyTorch's retained intermediate gradients
    accumulate too; ours hold the latest call, so they stay meaningful.
    """
    torch = require_module("torch")
    ref = worked_examples["chain_rule_e"]
    g = chain_rule_graph(ref)
    a = torch.tensor(ref["inputs"]["a"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(ref["inputs"]["b"], dtype=torch.float64, requires_grad=True)
    c = a + b
    c.retain_grad()
    e = c * (b + 1)
    for _ in range(2):
        g["e"].backward()
        e.backward(retain_graph=True)
        assert (g["a"].grad, g["b"].grad) == (a.grad.item(), b.grad.item())
    assert c.grad.item() == 2 * g["c"].grad


def test_backward_with_a_seed_gradient(worked_examples: dict) -> None:
    torch = require_module("torch")
    g = chain_rule_graph(worked_examples["chain_rule_e"])
    g["e"].backward(gradient=0.5)
    a = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    ((a + b) * (b + 1)).backward(torch.tensor(0.5, dtype=torch.float64))
    assert g["e"].grad == 0.5
    assert (g["a"].grad, g["b"].grad) == (a.grad.item(), b.grad.item()) == (1.0, 2.5)


def test_backward_of_a_leaf_adds_one_each_time() -> None:
    torch = require_module("torch")
    x = mg.Value(3.0)
    t = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    for expected in (1.0, 2.0):
        x.backward()
        t.backward()
        assert x.grad == t.grad.item() == expected


def test_backward_from_an_intermediate_node_adds_to_leaves(worked_examples: dict) -> None:
    g = chain_rule_graph(worked_examples["chain_rule_e"])
    g["e"].backward()
    g["c"].backward()  # dc/da = dc/db = 1
    assert (g["a"].grad, g["b"].grad, g["c"].grad) == (3.0, 6.0, 1.0)


def test_zero_grad_then_backward_gives_the_first_result_again(worked_examples: dict) -> None:
    g = chain_rule_graph(worked_examples["chain_rule_e"])
    g["e"].backward()
    g["e"].backward()
    mg.zero_grad(v for v in (g["a"], g["b"]))  # 任何可迭代对象. Any iterable.
    assert (g["a"].grad, g["b"].grad) == (0.0, 0.0)
    g["e"].backward()
    assert (g["a"].grad, g["b"].grad) == (2.0, 5.0)


def test_micrograd_gets_a_second_call_wrong() -> None:
    """PyPI micrograd 0.1.0 在第二次 backward 时中间节点继续累加, 叶子因此得到错误的梯度.

    PyPI micrograd 0.1.0 keeps accumulating into intermediate nodes on a second
    call, so its leaves receive wrong gradients (6 and 15 instead of 4 and 10).
    """
    require_module("micrograd")
    from micrograd.engine import Value as MicrogradValue

    a, b = MicrogradValue(2.0), MicrogradValue(1.0)
    c = a + b
    e = c * (b + 1)
    e.backward()
    e.backward()
    assert (a.grad, b.grad, c.grad) == (6.0, 15.0, 4.0)

    ours = chain_rule_graph({"inputs": {"a": 2.0, "b": 1.0}})
    ours["e"].backward()
    ours["e"].backward()
    assert (ours["a"].grad, ours["b"].grad, ours["c"].grad) == (4.0, 10.0, 2.0)


# ---- 一百万层深的链 a million-deep chain -------------------------------------------------

DEPTH = 10**6


@pytest.fixture(scope="module")
def deep_chain() -> tuple[mg.Value, mg.Value]:
    """y = x + x + ... + x, 一百万个加法节点串成一条链. A chain of a million additions."""
    x = mg.Value(0.5, "x")
    y = x
    for _ in range(DEPTH):
        y = y + x
    return x, y


def test_million_deep_chain_backward(deep_chain: tuple[mg.Value, mg.Value]) -> None:
    x, y = deep_chain
    limit = sys.getrecursionlimit()
    start = time.perf_counter()
    y.backward()  # 递归实现会在这里抛出 RecursionError. A recursive sort dies here.
    elapsed = time.perf_counter() - start
    assert y.data == 0.5 * (DEPTH + 1)
    assert x.grad == DEPTH + 1
    assert sys.getrecursionlimit() == limit
    assert elapsed < 60, f"backward of {DEPTH} nodes took {elapsed:.1f} s"


def test_million_deep_chain_topological_order(deep_chain: tuple[mg.Value, mg.Value]) -> None:
    x, y = deep_chain
    order = mg.topological_order(y)
    assert len(order) == DEPTH + 1
    assert order[0] is x and order[-1] is y
    assert all(order[k].parents[0] is order[k - 1] for k in range(1, len(order)))


# ---- no_grad 与 is_grad_enabled ---------------------------------------------------------


def test_no_grad_records_no_parents() -> None:
    w, x = mg.Value(2.0), mg.Value(3.0)
    assert mg.is_grad_enabled()
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        results = [w * x, w + 1, w.tanh(), 2**w, mg.sum([w, x]), mg.dot([w], [x], bias=w)]
    assert mg.is_grad_enabled()
    assert [r.data for r in results] == pytest.approx([6.0, 3.0, 0.9640275800758169, 4.0, 5.0, 8.0])
    assert all(r.parents == () and r.local_grads == () for r in results)
    assert (w * x).parents == (w, x)  # 块外恢复记录. Recording again outside.


def test_no_grad_nests_and_restores_after_an_error() -> None:
    with mg.no_grad():
        with mg.no_grad():
            assert not mg.is_grad_enabled()
        assert not mg.is_grad_enabled()  # 内层退出后仍在 no_grad 中. Still off after the inner block.
    assert mg.is_grad_enabled()
    with pytest.raises(RuntimeError), mg.no_grad():
        raise RuntimeError("boom")
    assert mg.is_grad_enabled()


def test_parameter_update_under_no_grad_builds_nothing() -> None:
    w = mg.Value(1.0, "w")
    loss = (w - 3) ** 2
    loss.backward()
    with mg.no_grad():
        stepped = w - 0.1 * w.grad
    assert stepped.data == pytest.approx(1.4) and stepped.parents == ()
