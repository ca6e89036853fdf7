"""梯度检查 mg.gradcheck: 报告的内容, 双语表格, 能抓住错误的局部导数, 不碰输入.

``mg.gradcheck`` compares backward() with central differences.  These tests
check its report (rows, ok, the bilingual table), that it catches a wrong
local derivative planted in a node, its tolerance rule, and that the caller's
inputs are left untouched.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import micrograd_cn as mg
from micrograd_cn import Value


def f_two_inputs(a: Value, b: Value) -> Value:
    """a·b + tanh(a): ∂/∂a = b + 1 - tanh²a, ∂/∂b = a."""
    return a * b + a.tanh()


def replace_local_grads(node: Value, change: Callable[[tuple[float, ...]], tuple[float, ...]]) -> Value:
    """在建好的节点上改写局部导数 (no_grad 下节点没有边, 不改). Tamper with a node's recorded derivatives."""
    if node.parents:
        node.local_grads = change(node.local_grads)
    return node


def square_missing_one_path(x: Value) -> Value:
    """x·x, 但第二条边的局部导数被改成 0: 反向传播只得到 x, 而不是 2x.

    ``x * x`` with the local derivative of its second edge replaced by 0, so
    backward() gives ``x`` instead of ``2x``: a classic forgotten 堆放.
    """
    return replace_local_grads(x * x, lambda local: (local[0], 0.0))


def sine_with_wrong_sign(x: Value) -> Value:
    """sin x, 但局部导数写成了 -cos x. sin with the sign of its derivative wrong."""
    return replace_local_grads(x.sin(), lambda local: (-local[0],))


def test_report_has_one_row_per_input_in_order() -> None:
    report = mg.gradcheck(f_two_inputs, [Value(2.0, "a"), 3.0])
    assert [row.name for row in report.rows] == ["a", "x1"]
    assert [row.value for row in report.rows] == [2.0, 3.0]

    a, b = Value(2.0), Value(3.0)
    f_two_inputs(a, b).backward()
    for row, leaf in zip(report.rows, (a, b)):
        assert row.analytic == leaf.grad  # 就是 backward() 的结果. Exactly what backward() gives.
        assert row.numeric == pytest.approx(leaf.grad, rel=1e-8)
        assert row.error == abs(row.analytic - row.numeric)
        assert row.ok is True
    assert report.ok is True and bool(report)


def test_names_can_be_given() -> None:
    report = mg.gradcheck(f_two_inputs, [1.0, 2.0], names=["w", "x"])
    assert [row.name for row in report.rows] == ["w", "x"]


def test_numeric_gradient_is_a_central_difference() -> None:
    """x³ 在 1 处: 中心差分 ((1+ε)³ - (1-ε)³)/2ε = 3 + ε²; 前向差分会是 3 + 3ε + ε².

    For x³ at 1 the central difference is exactly 3 + ε², a forward difference
    would give 3 + 3ε + ε².
    """
    eps = 1e-2
    report = mg.gradcheck(lambda x: x**3, [1.0], eps=eps)
    assert report.eps == eps
    assert report.rows[0].numeric == pytest.approx(3 + eps**2, rel=1e-12)
    assert report.rows[0].analytic == 3.0


def test_repr_is_a_bilingual_table() -> None:
    text = repr(mg.gradcheck(f_two_inputs, [Value(2.0, "a"), Value(3.0, "b")], rtol=1e-6, atol=1e-9))
    lines = text.splitlines()
    header = lines[0]
    for word in ("输入", "input", "反向传播", "analytic", "中心差分", "numeric", "误差", "error", "通过", "ok"):
        assert word in header, word
    rows = [line for line in lines if line.startswith(("a ", "b "))]
    assert len(rows) == 2 and all("✓" in row for row in rows)
    assert "3.070650825" in rows[0]  # ∂/∂a = 3 + 1 - tanh²2
    assert "全部通过" in text and "all passed" in text
    assert "rtol=1e-06" in text and "atol=1e-09" in text


def test_html_is_a_table_with_the_verdict() -> None:
    report = mg.gradcheck(f_two_inputs, [Value(2.0, "a"), Value(3.0, "b")], rtol=1e-6, atol=1e-9)
    page = report._repr_html_()
    assert page.count("<tr><td>") == 2 and page.count("✓") == 2 and "3.070650825" in page
    assert '<th>反向传播<br><span style="color:#4b5563">analytic</span></th>' in page
    assert "全部通过 (all passed)" in page
    assert "<small>" not in page  # 英文与中文一样大 (投影仪). English as large as the Chinese (projector).
    assert str(report) == repr(report) and "GradcheckRow(" not in repr(report) + page
    failing = mg.gradcheck(square_missing_one_path, [3.0])._repr_html_()
    assert "✗" in failing and "有梯度不一致 (some gradients disagree)" in failing


@pytest.mark.parametrize(("f", "x", "wrong", "right"), [
    (square_missing_one_path, 3.0, 3.0, 6.0),
    (sine_with_wrong_sign, 0.5, -0.8775825618903728, 0.8775825618903728),
], ids=["forgotten path", "wrong sign"])
def test_a_wrong_local_derivative_is_caught(f: Callable[[Value], Value], x: float, wrong: float, right: float) -> None:
    report = mg.gradcheck(f, [x])
    (row,) = report.rows
    assert row.analytic == pytest.approx(wrong, rel=1e-12)
    assert row.numeric == pytest.approx(right, rel=1e-8)
    assert not row.ok and not report.ok and not bool(report)
    text = repr(report)
    assert "✗" in text and "有梯度不一致" in text and "some gradients disagree" in text


def test_only_the_wrong_input_fails() -> None:
    report = mg.gradcheck(lambda x, y: square_missing_one_path(x) + 2 * y, [Value(3.0, "x"), Value(1.0, "y")])
    assert [row.ok for row in report.rows] == [False, True]
    assert not report.ok


def test_tolerance_rule_is_atol_plus_rtol_times_numeric() -> None:
    """|analytic - numeric| ≤ atol + rtol·|numeric|: 相对误差 1e-7 的梯度在 rtol=1e-5 下通过, 在 1e-9 下不通过."""
    def slightly_off(x: Value) -> Value:
        return replace_local_grads(x * 10, lambda local: (local[0] * (1 + 1e-7),))

    assert mg.gradcheck(slightly_off, [1.0], rtol=1e-5, atol=0.0).ok
    assert not mg.gradcheck(slightly_off, [1.0], rtol=1e-9, atol=0.0).ok
    assert mg.gradcheck(slightly_off, [1.0], rtol=0.0, atol=1e-5).ok


def test_inputs_are_left_untouched() -> None:
    a = Value(2.0, "a")
    a.grad = 0.125
    base = Value(1.0)
    b = base * 3  # 不是叶子的输入 a non-leaf input
    b.grad = -4.0
    before = [(v.data, v.grad, v.label, v.parents, v.local_grads) for v in (a, b)]
    mg.gradcheck(f_two_inputs, [a, b])
    assert [(v.data, v.grad, v.label, v.parents, v.local_grads) for v in (a, b)] == before
    assert base.grad == 0.0
    assert mg.is_grad_enabled()


def test_gradcheck_errors_are_bilingual() -> None:
    with pytest.raises(ValueError, match="gradcheck") as empty:
        mg.gradcheck(f_two_inputs, [])
    assert "至少" in str(empty.value) and "at least" in str(empty.value)
    with pytest.raises(TypeError, match="gradcheck") as not_value:
        mg.gradcheck(lambda x: 1.0, [1.0])
    assert "必须返回" in str(not_value.value) and "must return" in str(not_value.value)
