"""表达式的限制在解析之前检查: 长度、项数、名字长度、嵌套; 出错时说出位置, 中文输入法的字符与省略的乘号给出改法.

Limits checked before parsing (length, terms, name length, nesting counted as
brackets, signs in a row and chained ``**``, so a flat sum of 500 terms is
fine), with the position of the problem, and suggested fixes for characters
a Chinese input method produces and for a left-out ``*``.  The same parser
serves the command line, Python and the browser site (``expression_state``
returns the position and the fix as data).
"""

from __future__ import annotations

import pytest
from conftest import require_module

from micrograd_cn.app import cli
from micrograd_cn.app.browser import expression_state
from micrograd_cn.app.expr import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NODES,
    MAX_TERMS,
    ExpressionError,
    check_text,
    evaluate,
    parse_expression,
)

BIG = "+".join(["exp(-exp(-a))"] * (MAX_NODES // 5 + 1))
"""每项 5 个节点, 共超过 MAX_NODES, 长度与项数都在限制之内. Five nodes a term: over MAX_NODES, within other limits."""


def refused(text: str, variables: dict[str, float] | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text, variables if variables is not None else {"a": 2.0, "b": 1.0})
    return caught.value


def value(text: str, **variables: float) -> float:
    return evaluate(parse_expression(text, variables), variables).data


def test_a_flat_sum_of_500_terms_is_not_nested():
    assert value("+".join(["a"] * 500), a=0.5) == 250.0
    assert value("*".join(["a"] * 500), a=1.0) == 1.0
    assert value("-".join(["a"] * MAX_TERMS), a=1.0) == 2 - MAX_TERMS
    assert value("+".join(f"{i}*a" for i in range(300)), a=1.0) == sum(range(300))


@pytest.mark.parametrize("text", [
    "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH,
    "sin(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH,
    "-" * MAX_DEPTH + "a",
    "+".join(["a**2"] * 300),
    "-(" * (MAX_DEPTH // 2) + "a" + ")" * (MAX_DEPTH // 2),
])
def test_nesting_up_to_the_limit_is_evaluated_without_recursion_errors(text):
    assert isinstance(value(text, a=1.0), float)


@pytest.mark.parametrize("text, position", [
    ("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), MAX_DEPTH),
    ("exp(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), 4 * MAX_DEPTH + 3),
    ("-" * (MAX_DEPTH + 1) + "a", MAX_DEPTH),
    ("a" + "**1" * (MAX_DEPTH + 1), 1 + 3 * MAX_DEPTH),
])
def test_too_deep_says_nested_and_where(text, position):
    error = refused(text)
    assert "嵌套太深" in str(error) and "nested too deeply" in str(error) and str(MAX_DEPTH) in str(error)
    assert error.position == position and f"第 {position + 1} 个字符" in str(error)


def test_length_terms_and_name_length_are_limited_before_parsing():
    error = refused("a+" * (MAX_LENGTH // 2) + "a")
    assert "太长" in str(error) and "too long" in str(error) and str(MAX_LENGTH) in str(error)
    error = refused("+".join(["a"] * (MAX_TERMS + 1)))
    assert "项数太多" in str(error) and "too many terms" in str(error) and error.position == 2 * MAX_TERMS
    name = "x" * (MAX_NAME_LENGTH + 1)
    error = refused(f"a + {name}", {"a": 1.0, name: 1.0})
    assert "太长" in str(error) and "too long" in str(error) and error.position == 4
    assert value("x" * MAX_NAME_LENGTH, **{"x" * MAX_NAME_LENGTH: 3.0}) == 3.0


@pytest.mark.parametrize("text, position, words", [
    ("a+", 1, ("+ 后面缺少操作数", "+ has nothing after it")),
    ("(a+b", 0, ("没有闭合", "never closed")),
    ("a+b)", 3, ("右括号", "closing bracket")),
    ("a+*b", 2, ("语法错误", "syntax error")),
    ("  a.b", 2, ("属性", "attribute")),
    ("a+c", 2, ("变量 c", "variable c")),
])
def test_errors_name_the_position(text, position, words):
    error = refused(text)
    assert error.position == position, str(error)
    assert all(word in str(error) for word in words)


@pytest.mark.parametrize("text, suggestion, position", [
    ("2a", "2*a", 1),
    ("2 a", "2*a", 2),
    ("(a+b)(b+1)", "(a+b)*(b+1)", 5),
    ("2(a+b)", "2*(a+b)", 1),
    ("a b", "a*b", 2),
    ("2×a", "2*a", 1),
    ("a÷b", "a/b", 1),
    ("（a+b）*（b+1）", "(a+b)*(b+1)", 0),
    ("(a＋b)－１", "(a+b)-1", 2),
    ("a·b", "a*b", 1),
    ("a−b", "a-b", 1),
    ("leaky_relu(a，0.1)", "leaky_relu(a,0.1)", 12),
    ("ａ*ｂ", "a*b", 0),
    ("a^2", "a**2", 1),
    ("a²+b", "a**2+b", 1),
    ("2.5e-3a", "2.5e-3*a", 6),
])
def test_input_method_characters_and_a_left_out_star_get_a_fix(text, suggestion, position):
    error = refused(text)
    assert error.suggestion == suggestion and error.position == position
    assert "是不是想写" in str(error) and "did you mean" in str(error)
    assert value(suggestion, a=2.0, b=1.0) == value(suggestion, a=2.0, b=1.0)  # 建议本身可以求值. The fix evaluates.


@pytest.mark.parametrize("text", ["__import__('os').system('ls')", "f(a)", "a(b+1)", "a if b else 1", "not a"])
def test_calls_and_keywords_are_left_to_the_whitelist(text):
    error = refused(text, {"a": 1.0, "b": 1.0, "f": 1.0})
    assert error.suggestion is None and "did you mean" not in str(error)


def test_numbers_and_calls_are_not_mistaken_for_a_left_out_star():
    assert value("1e3*a + 2.5E-1 + 0x10 + 1_000", a=1.0) == 1000 + 0.25 + 16 + 1000
    assert value("exp(a) + leaky_relu(a, 0.1)", a=0.0) == 1.0
    assert value("a2*b1", a2=2.0, b1=3.0) == 6.0


def test_the_node_limit_is_counted_while_evaluating():
    text = BIG
    assert len(text) <= MAX_LENGTH and text.count("a") <= MAX_TERMS
    error = refused_evaluation(text)
    assert str(MAX_NODES) in str(error) and "太大" in str(error) and "too large" in str(error)
    assert "max_nodes" not in str(error) and "fewer terms" in str(error)


def refused_evaluation(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        evaluate(parse_expression(text, {"a": 1.0}), {"a": 1.0})
    return caught.value


def test_check_text_alone_refuses_before_any_parsing(monkeypatch):
    import ast

    monkeypatch.setattr(ast, "parse", lambda *args, **kwargs: pytest.fail("parsed"))
    for text in ("2a", "a" * 5000, "(" * 200, "a+", "1×2"):
        with pytest.raises(ExpressionError):
            check_text(text)


def test_the_command_line_prints_the_position_and_the_fix(capsys):
    assert cli.main(["graph", "2a+b", "a=1", "b=2"]) == 2
    err = capsys.readouterr().err
    assert "2*a+b" in err and "第 2 个字符" in err and "at character 2" in err and len(err.splitlines()) == 1
    assert cli.main(["graph", "+".join(["a"] * 500), "a=1"]) == 0


def test_the_site_gets_the_message_position_and_fix_as_data():
    require_module("graphviz")
    state = expression_state("（a+b）×（b+1）", {"a": 2, "b": 1})
    assert state["ok"] is False and state["position"] == 0 and state["suggestion"] == "(a+b)*(b+1)"
    assert "是不是想写" in state["error"] and "did you mean" in state["error"]
    state = expression_state("a+", {})
    assert state["ok"] is False and state["position"] == 1 and state["suggestion"] is None
    fixed = expression_state(expression_state("2a", {"a": 3})["suggestion"], {"a": 3})
    assert fixed["ok"] and fixed["value"] == 6.0


def test_the_site_names_a_big_graph_without_python_hints():
    require_module("graphviz")
    state = expression_state("+".join(f"a*b{i}" for i in range(200)), {})
    assert state["ok"] and state["notes"]
    assert not any("max_nodes" in note for note in state["notes"])
    assert any("概要" in note and "summary" in note for note in state["notes"])
    state = expression_state(BIG, {})
    assert not state["ok"] and "max_nodes" not in state["error"] and str(MAX_NODES) in state["error"]


def test_a_graph_too_slow_to_lay_out_in_the_page_becomes_a_summary_without_the_player():
    """同一个变量用在很多项里: 长边多, viz-js 排版要几分钟; 页面得到概要与一句能照做的话.

    One variable in many chained terms makes many long edges, which viz-js
    takes minutes to lay out: the page gets the summary and a note it can act on.
    """
    require_module("graphviz")
    from micrograd_cn.app.browser import LAYOUT_BUDGET, layout_cost
    from micrograd_cn.graph import snapshot

    def cost(text: str, **variables: float) -> int:
        return layout_cost(snapshot(evaluate(parse_expression(text, variables), variables)))

    assert cost("+".join(f"x{i}" for i in range(500)), **{f"x{i}": 1.0 for i in range(500)}) == 0
    assert cost("(a+b)*(b+1)", a=2.0, b=1.0) == 0
    assert cost("a*b + b", a=2.0, b=1.0) == 1  # b 直接进入加法, 跳过乘法那一层. b skips the rank of a*b.
    assert cost("+".join(["a"] * 30), a=1.0) == sum(range(29)) > LAYOUT_BUDGET
    for text in ("+".join(["a"] * 500), "+".join(f"a*b{i}" for i in range(160))):
        state = expression_state(text, {})
        assert state["ok"] and state["player"] is None and state["dot"].count("->") < 50  # 按层的概要. The summary.
        assert any("减少项数" in note and "fewer terms" in note for note in state["notes"])
        assert not any("max_nodes" in note for note in state["notes"])
    state = expression_state("+".join(["a"] * 10), {})
    assert state["player"] is not None and state["notes"] == []
