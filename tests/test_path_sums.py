"""路径求和: 每条路径的局部导数之积相加等于梯度; 路径求和比反向传播多做的乘法.

Path sums: the sum over paths of the products of local derivatives equals
the gradient, and path summing repeats multiplications that backward does once.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from micrograd_cn.demo import chain_rule_example, diamond_ladder, redundancy_table
from micrograd_cn.trace import backward_multiplications, path_sum_multiplications, path_sums
from test_trace import build, programs

import micrograd_cn as mg


def test_e_example_paths(worked_examples):
    ref = worked_examples["chain_rule_e"]
    nodes = chain_rule_example()
    e = nodes["e"]
    sums = path_sums(e, nodes["b"])
    assert [str(p) for p in sums.paths] == ["b → c → e: 1 × 2 = 2", "b → d → e: 1 × 3 = 3"]
    assert sums.total == ref["grads"]["b"] and len(sums) == 2
    assert sums.paths[0].nodes == (nodes["b"], nodes["c"], e)
    a_sums = path_sums(e, nodes["a"])
    assert [str(p) for p in a_sums.paths] == ["a → c → e: 1 × 2 = 2"] and a_sums.total == ref["grads"]["a"]
    # 乘法次数: 每条路径每条边一次; 反向传播每条边一次 multiplications
    assert (sums.multiplications, a_sums.multiplications) == (4, 2)
    assert backward_multiplications(e) == 5 == sums.backward_multiplications
    assert path_sum_multiplications(e) == 6 > backward_multiplications(e)
    text = str(sums)
    assert "b → c → e: 1 × 2 = 2" in text and "∂e/∂b = 5" in text and "路径求和 4 次" in text and "backward: 5" in text


def test_diamond_ladder_shows_the_redundancy():
    for layers in (1, 3, 6):
        x, out = diamond_ladder(layers)
        sums = path_sums(out, x)
        assert len(sums) == 2**layers
        assert sums.total == pytest.approx(5.0**layers)
        assert sums.multiplications == path_sum_multiplications(out, [x]) == 2 * layers * 2**layers
        assert backward_multiplications(out) == 4 * layers
        out.backward()
        assert x.grad == pytest.approx(sums.total)
    x, out = diamond_ladder(20)  # 一百万条路径, 只数不列 a million paths, counted not listed
    assert path_sum_multiplications(out, [x]) == 40 * 2**20 and backward_multiplications(out) == 80
    assert "65536" in redundancy_table()


def test_too_many_paths_is_refused():
    x, out = diamond_ladder(14)  # 16384 条路径 paths
    with pytest.raises(ValueError, match="16384 条路径.*16384 paths"):
        path_sums(out, x)
    assert len(path_sums(out, x, limit=20_000)) == 16384


def test_unrelated_input_and_output_itself():
    a, b = mg.Value(1.0, "a"), mg.Value(2.0, "b")
    out = a * 3
    assert path_sums(out, b).total == 0.0 and len(path_sums(out, b)) == 0
    itself = path_sums(out, out)
    assert itself.total == 1.0 and str(itself.paths[0]) == "a·3: 1 = 1"


def test_repeated_operand_gives_two_paths():
    x = mg.Value(3.0, "x")
    y = x * x
    sums = path_sums(y, x)
    assert [p.product for p in sums.paths] == [3.0, 3.0] and sums.total == 6.0


@settings(max_examples=200)  # 路径可能很多, 控制用时 paths can be many; keep the time down
@given(programs())
def test_path_sum_equals_backward_on_random_graphs(program):
    leaves, out = build(program)
    out.backward()
    for x in leaves:
        sums = path_sums(out, x)
        assert sums.total == pytest.approx(x.grad, rel=1e-9, abs=1e-9)
        assert sums.multiplications == path_sum_multiplications(out, [x])
