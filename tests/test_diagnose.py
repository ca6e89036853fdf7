"""一个节点的链式法则展开与典型错误的诊断: 种子例子 e = (a+b)(b+1), 以及每种错误在手搭的图上.

Explaining one node and diagnosing typical mistakes: the seed's e example and
every kind of mistake on a hand-built graph, the answer check's tolerance,
the JSON data for the player and ``micrograd-cn graph --explain``.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from conftest import require_module
from micrograd_cn.diagnose import ATOL, MISTAKES, RTOL, Verdict, check_answer, close, diagnose, quiz_data
from micrograd_cn.trace import backward_steps
from test_viz_dot import e_graph

import micrograd_cn as mg
from micrograd_cn import cli


def labelled(**values: mg.Value) -> None:
    for name, value in values.items():
        value.label = name


def kinds(steps, node) -> dict[float, str]:
    return {d.value: d.kind for d in diagnose(steps, node)}


def edges(diagnosis) -> list[tuple[str, int]]:
    return [(consumer.label, k) for consumer, k in diagnosis.edges]


# ---- 展开 explain ---------------------------------------------------------------------------


def test_explain_e_example_both_languages():
    g = e_graph()
    steps = backward_steps(g["e"])
    b = steps.explain(g["b"])
    assert b.formula() == "∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2×1 + 3×1 = 5"
    assert b.text("zh") == b.formula() + " （2 个使用者 c, d 送来的梯度堆放相加）"
    assert b.text("en") == b.formula() + " (what the 2 consumers c, d send, piled up)"
    assert [(t.consumer, t.k, t.step, t.consumer_grad, t.local, t.product) for t in b.terms] == [
        (g["c"], 1, 3, 2.0, 1.0, 2.0), (g["d"], 0, 4, 3.0, 1.0, 3.0)]
    assert all(steps[t.step].parent is g["b"] and steps[t.step].node is t.consumer for t in b.terms)
    assert b.value == 5.0 and b.name == "b" and b.out_name == "e"
    assert str(steps.explain(g["a"])) == "∂e/∂a = ∂e/∂c·∂c/∂a = 2×1 = 2 （只有一个使用者 c）"
    assert steps.explain(g["e"]).text("en") == "∂e/∂e = 1 (the output itself: the backward pass starts here)"
    assert steps.explain(g["e"]).terms == ()
    assert steps.explain(g["b"]).to_dict(steps.graph.index)["terms"] == [
        {"edge": [2, 1], "step": 3, "symbol": "∂e/∂c·∂c/∂b", "numbers": "2×1", "consumer_grad": 2.0, "local": 1.0,
         "product": 2.0},
        {"edge": [3, 0], "step": 4, "symbol": "∂e/∂d·∂d/∂b", "numbers": "3×1", "consumer_grad": 3.0, "local": 1.0,
         "product": 3.0}]
    with pytest.raises(ValueError, match="不在 e 的计算图中.*not in the graph of e"):
        steps.explain(mg.Value(1.0))
    with pytest.raises(ValueError, match="lang"):
        b.text("fr")


def test_explain_negative_factors_and_a_node_used_twice():
    x, y = mg.Value(3.0, "x"), mg.Value(-2.0, "y")
    s = x * x
    f = s - y * x
    labelled(s=s, f=f)
    steps = backward_steps(f)
    ex = steps.explain(x)
    assert [(t.consumer_name, t.k) for t in ex.terms] == [("s", 0), ("s", 1), ("y·x", 1)]
    assert ex.value == x.grad == 2 * 3.0 - (-2.0)
    assert ex.formula().endswith("= 1×3 + 1×3 + (-1)×(-2) = 8")
    one_use = check_answer(steps, x, 5.0).diagnosis  # 只算了 s 的一个输入与 y·x. One of s's two edges left out.
    assert one_use.kind == "missing_path" and edges(one_use) == [("s", 1)] and "s→x (k=1)" in one_use.hint_en


# ---- 种子例子 the seed's example -----------------------------------------------------------------


def test_e_example_missing_path_right_answer_and_sign():
    g = e_graph()
    steps = backward_steps(g["e"])
    missing = check_answer(steps, g["b"], 2)
    assert not missing.correct and missing.answer == 5.0
    assert missing.diagnosis.kind == "missing_path" and edges(missing.diagnosis) == [("d", 0)]
    assert "d→b" in missing.diagnosis.hint_zh and "d→b" in missing.diagnosis.hint_en
    assert "经过 d" in missing.diagnosis.zh and "through d" in missing.diagnosis.en
    assert check_answer(steps, g["b"], 5) == Verdict(True, 5.0, None)
    assert check_answer(steps, g["b"], -5).diagnosis.kind == "sign"
    assert edges(check_answer(steps, g["b"], 3).diagnosis) == [("c", 1)]
    assert check_answer(steps, g["b"], 11).diagnosis is None  # 解释不了: 只说 "还不对". Unexplained.


def test_a_verdict_reads_as_a_sentence_and_keeps_the_answer_back():
    g = e_graph()
    steps = backward_steps(g["e"])
    right = check_answer(steps, g["b"], 5)
    assert str(right) == repr(right) == "✔ 对了: ∂e/∂b = 5 (right: ∂e/∂b = 5)"
    missing = check_answer(steps, g["b"], 2)
    text = repr(missing)
    assert text.startswith("✘ 还不对: ∂e/∂b ≠ 2. 漏了经过 d 的路径") and "提示: 看边 d→b" in text
    assert "(not yet: ∂e/∂b ≠ 2. a path is missing" in text and "hint: look at edge d→b" in text
    unexplained = check_answer(steps, g["b"], 11)
    for verdict in (missing, unexplained):  # 错的答案不泄露正确答案. A wrong answer's verdict does not give it away.
        assert "5" not in str(verdict) and "5" not in re.sub(r'style="[^"]*"', "", verdict._repr_html_())
    for verdict in (right, missing, unexplained):
        page = verdict._repr_html_()
        assert "Value(" not in str(verdict) + page and "None" not in str(verdict) + page
        assert page.startswith('<p class="micrograd-cn-verdict">') and "<small>" not in page
    assert "Value(" not in repr(missing.diagnosis) and "missing_path" in repr(missing.diagnosis)


def test_a_quiz_can_ask_only_some_nodes():
    g = e_graph()
    steps = backward_steps(g["e"])
    every = quiz_data(steps)
    assert [every["nodes"][i]["name"] for i in every["order"]] == ["e", "c", "a", "d", "b"]
    some = quiz_data(steps, ask=[g["b"], g["c"], g["a"]])
    assert [some["nodes"][i]["name"] for i in some["order"]] == ["c", "a", "b"]  # 反向传播的顺序. Backward order.
    assert len(some["nodes"]) == 5  # 其余节点仍可点开看. The others are still there to look at.
    stranger = mg.Value(7.5, "z")
    for wrong in ([stranger], []):
        with pytest.raises(ValueError, match=r"quiz ask: 要问的节点.*\(quiz ask: the nodes asked must be in the graph"):
            quiz_data(steps, ask=wrong)


def test_e_example_quiz_data_is_json_with_topological_indices():
    g = e_graph()
    data = json.loads(json.dumps(quiz_data(backward_steps(g["e"]))))
    assert [n["name"] for n in data["nodes"]] == ["a", "b", "c", "d", "e"]
    assert data["out"] == 4 and data["order"] == [4, 2, 0, 3, 1] and (data["rtol"], data["atol"]) == (RTOL, ATOL)
    b = data["nodes"][1]
    assert b["index"] == 1 and b["answer"] == 5.0
    assert b["explain"]["text_en"].startswith("∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2×1 + 3×1 = 5")
    first = b["diagnoses"][0]
    assert {k: first[k] for k in ("value", "kind", "edges")} == {"value": 2.0, "kind": "missing_path",
                                                                 "edges": [[3, 0]]}
    assert set(first) == {"value", "kind", "zh", "en", "hint_zh", "hint_en", "edges", "also"}
    assert data["nodes"][4]["diagnoses"] == [] and data["nodes"][4]["answer"] == 1.0
    for node in data["nodes"]:  # 每条边都是图中真实存在的边 d-<i>-<k>. Every edge exists in the drawing.
        for d in node["diagnoses"]:
            for i, k in d["edges"]:
                assert i > node["index"] and k < len(g["abcde"[i]].parents)


def test_quiz_nodes_and_edges_are_ids_of_the_drawn_graph():
    require_module("graphviz")
    from micrograd_cn.viz import draw_dot

    graphs = [backward_steps(e_graph()["e"]), *(ex.backward_steps() for ex in mg.exercises(n=3, level=5, seed=2))]
    for steps in graphs:
        ids = set(re.findall(r'id="?((?:node|d)-[\d-]+)', draw_dot(steps.out, quiz=True).source))
        data = quiz_data(steps)
        edges_used = set()
        for node in data["nodes"]:
            assert f"node-{node['index']}" in ids
            edges_used |= {tuple(term["edge"]) for term in node["explain"]["terms"]}
            edges_used |= {tuple(edge) for d in node["diagnoses"] for edge in d["edges"]}
        assert {f"d-{i}-{k}" for i, k in edges_used} == {x for x in ids if x.startswith("d-")}


# ---- 每种错误 every kind of mistake -----------------------------------------------------------------


def test_missing_paths_name_every_proper_subset():
    x = mg.Value(1.0, "x")
    p, q, r = x * 2, x * 3, x * 5
    f = p + q + r
    labelled(p=p, q=q, r=r, f=f)
    steps = backward_steps(f)
    found = [d for d in diagnose(steps, x) if d.kind == "missing_path"]
    assert sorted(d.value for d in found) == [2, 3, 5, 7, 8]
    by_value = {d.value: d for d in found}
    assert edges(by_value[8.0]) == [("p", 0)] and edges(by_value[2.0]) == [("q", 0), ("r", 0)]
    assert "q, r" in by_value[2.0].zh and "edges q→x, r→x" in by_value[2.0].hint_en
    assert by_value[5.0].also == ()  # 5 = q 与 r 之和 = 只剩 r: 同种错误, 只留一个. Same kind: kept once.


def test_sign_of_the_answer_and_of_one_term():
    x, y = mg.Value(3.0, "x"), mg.Value(4.0, "y")
    p = x * y
    f = p - x
    labelled(p=p, f=f)
    steps = backward_steps(f)  # ∂f/∂x = 4 − 1 = 3
    found = {d.value: d for d in diagnose(steps, x)}
    assert found[-3.0].kind == "sign" and edges(found[-3.0]) == [("f", 1)]  # 指向有负号的边. The minus edge.
    assert found[5.0].kind == "sign_term" and edges(found[5.0]) == [("f", 1)]
    assert found[-5.0].kind == "sign_term" and edges(found[-5.0]) == [("p", 0)]
    assert found[4.0].kind == found[-1.0].kind == "missing_path"
    steps = backward_steps(x * 2.0 - x)  # ∂/∂x = 2 − 1 = 1: 只剩 f 的一项 (−1) 与 −1 相同. Keeping f's term only is −1.
    minus_one = check_answer(steps, x, -1.0).diagnosis
    assert minus_one.kind == "missing_path" and minus_one.also == ("sign",)


def test_own_value_in_a_product_and_in_a_dot():
    a, b = mg.Value(3.0, "a"), mg.Value(4.0, "b")
    c = a * b
    labelled(c=c)
    steps = backward_steps(c)
    own = check_answer(steps, a, 3.0).diagnosis
    assert own.kind == "own_value" and edges(own) == [("c", 0)] and "另一个因子 b" in own.zh
    w1, w2, x1, x2, bias = (mg.Value(v, n) for v, n in ((2.0, "w1"), (-1.0, "w2"), (3.0, "x1"), (5.0, "x2"),
                                                          (0.5, "b")))
    net = mg.dot([w1, w2], [x1, x2], bias)
    labelled(net=net)
    steps = backward_steps(net)
    assert check_answer(steps, w2, -1.0).diagnosis.kind == "own_value"
    assert check_answer(steps, x1, 3.0).diagnosis.kind == "own_value"
    assert edges(check_answer(steps, x2, 5.0).diagnosis) == [("net", 3)]
    assert "own_value" not in kinds(steps, bias).values()  # 偏置不是因子. A bias is no factor.


def test_added_locals_step_and_path_and_no_local():
    a, b, c, d = (mg.Value(v, n) for v, n in ((2.0, "a"), (3.0, "b"), (4.0, "c"), (5.0, "d")))
    p = a * b
    q = p * c
    f = q * d
    labelled(p=p, q=q, f=f)
    steps = backward_steps(f)  # ∂f/∂a = 3·4·5 = 60, ∂f/∂p = 20
    found = kinds(steps, a)
    assert found[23.0] == "added_locals"  # ∂f/∂p + ∂p/∂a = 20 + 3
    assert found[12.0] == "added_along_path"  # 3 + 4 + 5
    assert found[20.0] == "no_local"
    assert found[40.0] == "own_value" and found[-60.0] == "sign"
    assert 60.0 not in found


def test_tanh_derivative_for_sigmoid_and_back():
    x, w = mg.Value(0.0, "x"), mg.Value(2.0, "w")
    s = x.sigmoid()
    f = s * w
    labelled(s=s, f=f)
    steps = backward_steps(f)  # ∂f/∂x = 2·σ'(0) = 0.5; 1−σ² 给出 2·0.75
    swapped = check_answer(steps, x, 1.5).diagnosis
    assert swapped.kind == "tanh_derivative_for_sigmoid" and edges(swapped) == [("s", 0)]
    assert "1−σ²" in swapped.zh and "σ(1−σ)" in swapped.en
    t = mg.Value(0.5, "u").tanh()
    t.label = "t"
    steps = backward_steps(t)
    y = t.data
    assert check_answer(steps, t.parents[0], y * (1 - y)).diagnosis.kind == "sigmoid_derivative_for_tanh"


def test_collisions_drop_the_right_answer_and_merge_equal_values():
    g = e_graph()
    steps = backward_steps(g["e"])
    found = diagnose(steps, g["a"])
    assert all(not close(d.value, 2.0) for d in found)  # no_local 给出 2 = 正确答案, 被丢掉. Dropped.
    values = [d.value for d in diagnose(steps, g["b"])]
    assert len(values) == len(set(values))
    seven = next(d for d in diagnose(steps, g["b"]) if d.value == 7.0)
    assert seven.kind == "added_locals" and seven.also == ("added_along_path",)
    assert all(d.kind in MISTAKES and set(d.also) <= set(MISTAKES) for d in found)


def test_answer_tolerance_for_typed_numbers():
    x = mg.Value(1.0, "x")
    s = x.sigmoid()
    s.label = "s"
    steps = backward_steps(s)  # σ'(1) = 0.19661193...
    for typed, right in ((0.197, True), (0.1966, True), (0.19661, True), (0.196, True), (0.195, False), (0.2, False)):
        assert check_answer(steps, x, typed).correct is right, typed
    assert close(1000.4, 1000.0) and not close(1002.0, 1000.0)
    with pytest.raises(TypeError, match="check_answer.*needs a real number"):
        check_answer(steps, x, "0.2")


def test_every_diagnosis_of_generated_exercises_is_found_by_check_answer():
    checked = 0
    for level in range(1, 6):
        for ex in mg.exercises(n=4, level=level, seed=11):
            steps = ex.backward_steps()
            for q in ex.questions:
                assert check_answer(steps, q.node, q.answer).correct
                for d in diagnose(steps, q.node):
                    verdict = check_answer(steps, q.node, d.value)
                    assert not verdict.correct and verdict.diagnosis == d
                    checked += 1
    assert checked > 200


# ---- 命令行 the command line ---------------------------------------------------------------------


def test_cli_explain(capsys):
    assert cli.main(["graph", "(a+b)*(b+1)", "a=2", "b=1", "--explain", "b", "--explain", "a"]) == 0
    out = capsys.readouterr().out
    assert "链式法则展开 chain rule, term by term:" in out
    assert "  ∂e/∂b = ∂e/∂(a+b)·∂(a+b)/∂b + ∂e/∂(b+1)·∂(b+1)/∂b = 2×1 + 3×1 = 5 （2 个使用者" in out
    assert "  ∂e/∂a = ∂e/∂(a+b)·∂(a+b)/∂a = 2×1 = 2" in out
    assert cli.main(["graph", "x*y", "x=3", "y=4", "--explain", "x", "--lang", "en"]) == 0
    assert "∂e/∂x = ∂e/∂e·∂e/∂x = 1×4 = 4 (one consumer, e)" in capsys.readouterr().out
    assert cli.main(["graph", "(a+b)*(b+1)", "a=2", "b=1", "--explain", "z"]) == 2
    err = capsys.readouterr().err
    assert "图中没有节点 z" in err and "no node called z" in err and "a+b" in err


def test_diagnoses_stay_in_the_core():
    """diagnose 只依赖核心 (engine, graph, trace, errors), 网页与命令行都能用. Core imports only."""
    import micrograd_cn.diagnose as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1}
    assert imported <= {"engine", "graph", "trace", "errors"}, imported
    assert {"check_answer", "quiz_data", "exercises"} <= set(dir(mg))
