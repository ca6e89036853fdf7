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
    # 乘法次数: 一条 k 条边的路径乘 k − 1 次 ("1 × 2 = 2" 是一次); 反向传播每条边一次 multiplications
    assert (sums.multiplications, a_sums.multiplications) == (2, 1)
    assert backward_multiplications(e) == 5 == sums.backward_multiplications
    assert path_sum_multiplications(e) == 3 == sums.multiplications + a_sums.multiplications
    text = str(sums)
    assert text.startswith("从 b 到 e 的全部 2 条路径 (all 2 paths from b to e):")
    assert "b → c → e: 1 × 2 = 2" in text and "∂e/∂b = 5" in text and "路径求和 2 次" in text
    assert "path sums 2 for ∂e/∂b alone; backward 5 for every gradient" in text
    a_text = str(a_sums)  # 一条路径: 单数 one path: singular
    assert a_text.startswith("从 a 到 e 只有 1 条路径 (the only path from a to e):")
    assert "all 1 paths" not in a_text and "路径求和 1 次" in a_text


def test_path_sums_show_as_text_and_as_a_table(worked_examples):
    nodes = chain_rule_example()
    sums = path_sums(nodes["e"], nodes["b"])
    assert repr(sums) == str(sums) and "Value(" not in repr(sums)
    page = sums._repr_html_()
    assert page.count("<tr><td>") == 2 and "b → c → e" in page and "1 × 3" in page and "∂e/∂b = 5" in page
    assert "Value(" not in page and "path sums 2 for ∂e/∂b alone" in page and "<small>" not in page
    nothing = path_sums(nodes["c"], nodes["d"])
    assert str(nothing).startswith("从 d 到 c 没有路径 (no path from d to c):")


def test_diamond_ladder_shows_the_redundancy():
    for layers in (1, 3, 6):
        x, out = diamond_ladder(layers)
        sums = path_sums(out, x)
        assert len(sums) == 2**layers
        assert sums.total == pytest.approx(5.0**layers)
        assert sums.multiplications == path_sum_multiplications(out, [x]) == (2 * layers - 1) * 2**layers
        assert backward_multiplications(out) == 4 * layers
        out.backward()
        assert x.grad == pytest.approx(sums.total)
    x, out = diamond_ladder(20)  # 一百万条路径, 只数不列 a million paths, counted not listed
    assert path_sum_multiplications(out, [x]) == 39 * 2**20 and backward_multiplications(out) == 80
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
