"""练习生成器: 每个难度在 200 个种子上都给出它承诺的结构, 数字好算, 答案与引擎一致, 同一种子同一组题.

The exercise generator: on 200 seeds per level every exercise has the
structure its level promises, classroom-friendly numbers and the engine's
answers; the same seed gives the same exercises.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

import micrograd_cn as mg
from micrograd_cn.classroom import LEVELS, exercises
from micrograd_cn.graph import topological_order

SEEDS = range(200)
SQUASH = {"exp", "tanh", "sigmoid"}


def consumers(out: mg.Value) -> Counter:
    """每个节点有几个不同的使用者 (以 id 计). How many distinct consumers every node has."""
    count: Counter = Counter()
    for node in topological_order(out):
        for parent in {id(p): p for p in node.parents}.values():
            count[id(parent)] += 1
    return count


def arithmetic_only(op: str, allowed: str) -> bool:
    """"+", "* 2", "3 -" 这类运算只用 allowed 中的符号. An op like "* 2" built only from allowed signs."""
    return all(part in allowed or part.replace(".", "").lstrip("-").isdigit() for part in op.split())


def check_common(ex, level: int) -> list:
    nodes = topological_order(ex.out)
    assert ex.level == level and all(node.label for node in nodes)
    names = [node.label for node in nodes]
    assert len(names) == len(set(names)), ex.text
    steps = ex.backward_steps()
    for q in ex.questions:
        assert q.node.grad == q.answer == steps.explain(q.node).value != 0.0
        assert q.symbol == f"∂{ex.out.label}/∂{q.name}"
    if level == 3:
        assert ex.decimals == 3 and all(len(q.answer_text().split(".")[1]) == 3 for q in ex.questions)
    else:
        assert ex.decimals is None
        assert all(abs(x * 1000 - round(x * 1000)) < 1e-6 for x in [*(n.data for n in nodes),
                                                                     *(q.answer for q in ex.questions)])
    return nodes


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_levels_promise_their_structure_on_200_seeds(level):
    for seed in SEEDS:
        (ex,) = exercises(n=1, level=level, seed=seed)
        nodes = check_common(ex, level)
        ops = [node.op for node in nodes if node.parents]
        uses = consumers(ex.out)
        leaves = [node for node in nodes if not node.parents]
        if level == 1:
            assert set(ops) == {"+", "*"}, ex.text
            assert all(uses[id(leaf)] == 1 for leaf in leaves), ex.text
        elif level == 2:
            assert all(arithmetic_only(op, "+-*") for op in ops), ex.text
            assert any(uses[id(leaf)] == 2 for leaf in leaves), ex.text  # 两个不同的使用者. Two consumers.
            assert {q.name for q in ex.questions} >= {leaf.label for leaf in leaves}
        elif level == 3:
            unary = [op for op in ops if op in {"exp", "tanh", "sigmoid", "relu"}]
            assert len(unary) == 1 and all(arithmetic_only(op, "+*") for op in ops if op not in unary), ex.text
            inner = next(node for node in nodes if node.op in unary).parents[0]
            assert unary[0] not in SQUASH or abs(inner.data) <= 2
        elif level == 4:
            assert sorted(ops) == sorted(["*", "*", "sum", ex.out.parents[0].parents[0].op, ex.out.parents[0].op,
                                          "** 2"])
            act = ex.out.parents[0].parents[0]
            assert act.op in {"relu", "sigmoid", "tanh"} and act.parents[0].label == "net"
            assert act.op == "relu" or act.parents[0].data == 0.0  # σ、tanh 在 0 处好算. Nice at 0.
            assert {q.name for q in ex.questions} >= {"w1", "w2", "b", "net", "o"}
            assert not {"x1", "x2"} & {q.name for q in ex.questions}
        else:
            assert Counter(ops)["relu"] == 2 and Counter(ops)["dot"] == 3 and ex.out.op == "** 2"
            o = ex.out.parents[0].parents[0]
            assert o.label == "o" and [p.label for p in o.parents] == ["w5", "w6", "h1", "h2", "b3"]
            assert all(node.parents[0].data > 0 for node in nodes if node.op == "relu")
            assert len(ex.questions) == 15


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_same_seed_same_exercises_and_no_repeats(level):
    first = [ex.to_dict() for ex in exercises(n=10, level=level, seed=7)]
    assert first == [ex.to_dict() for ex in mg.exercises(n=10, level=level, seed=7)]
    assert first != [ex.to_dict() for ex in exercises(n=10, level=level, seed=8)]
    assert [ex["number"] for ex in first] == list(range(1, 11))
    assert len({(ex["text"], json.dumps(ex["values"])) for ex in first}) == 10
    json.dumps(first)


def test_backward_steps_can_be_recorded_again_and_feed_the_quiz():
    (ex,) = exercises(n=1, level=2, seed=3)
    answers = [q.answer for q in ex.questions]
    for _ in range(2):  # 叶子不会越堆越多. Leaves do not pile up across calls.
        steps = ex.backward_steps()
        assert [steps.explain(q.node).value for q in ex.questions] == answers == [q.node.grad for q in ex.questions]
    data = ex.quiz_data()
    index = {q["name"]: q["index"] for q in ex.to_dict()["questions"]}
    for q in ex.questions:
        assert data["nodes"][index[q.name]]["answer"] == q.answer
        assert data["nodes"][index[q.name]]["name"] == q.name


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="level 必须是 1 到 5 之间的整数.*got 6"):
        exercises(level=6)
    with pytest.raises(ValueError, match="n must be an integer from 1 to 200, got 0"):
        exercises(n=0)
    with pytest.raises(ValueError, match="got True"):
        exercises(n=True)
    with pytest.raises(TypeError, match="seed must be an integer, got '7'"):
        exercises(seed="7")


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_every_asked_node_is_named_in_the_text(level):
    """每一问的节点都在题目里: 是已知的输入, 或是某个等式的左边 (c = b + 3; d = c + b; e = a · d), 200 个种子.

    Every node a question asks about is in the exercise's text: a given input,
    or the left side of one of its equations; over 200 seeds per level."""
    for seed in range(200):
        (ex,) = exercises(n=1, level=level, seed=seed)
        defined = [equation.split(" = ")[0] for equation in ex.text.split("; ")]
        assert defined[-1] == ex.out.label, ex.text  # 最后一式求输出. The last equation gives the output.
        for q in ex.questions:
            assert q.name in ex.values or q.name in defined, (seed, ex.text, q.name)
            assert re.search(rf"(?<!\w){re.escape(q.name)}(?!\w)", ex.text), (seed, ex.text, q.name)


def test_a_set_of_exercises_reads_as_a_numbered_list_with_the_answers_hidden():
    sheet = mg.exercises(3, level=2, seed=7)
    assert isinstance(sheet, list) and len(sheet) == 3 and sheet[0].number == 1  # 仍是 list. Still a list.
    text, page = repr(sheet), sheet._repr_html_()
    assert str(sheet) == text and text.splitlines()[0] == "3 道练习, 难度 2: 一个输入用了两次: 两条路径 " \
        "(3 exercises, level 2: a shared input: two paths):"
    for exercise in sheet:
        assert f"{exercise.number}. {exercise.text}" in text and exercise.asked() in text
        assert repr(exercise) == str(exercise) and "求 find: ∂" in repr(exercise)
        assert exercise.answer_key() not in text and exercise.answer_key() not in page
        assert exercise.answer_key() not in repr(exercise) + exercise._repr_html_()
    for shown in (text, page, repr(sheet[0]), sheet[0]._repr_html_()):
        assert not any(bad in shown for bad in ("Value(", "Question(", "answer=", "答案")), shown
    assert page.count("<li ") == 3 and '<li value="2">' in page and "<small>" not in page

    revealed = sheet.with_answers()
    assert isinstance(revealed, type(sheet)) and revealed == sheet  # 同样的题. The same exercises.
    for shown in (repr(revealed), revealed._repr_html_()):
        assert all(exercise.answer_key() in shown.replace("&amp;", "&") for exercise in sheet)
    asked = mg.exercises(3, level=2, seed=7, show_answers=True)
    assert repr(asked) == repr(revealed) and [e.to_dict() for e in asked] == [e.to_dict() for e in sheet]
    assert sheet.answer_key().splitlines()[0] == f"1. {sheet[0].answer_key()}"
    first = sheet[0].questions[0]
    assert f"{first.symbol} = {first.answer_text()}" in sheet[0].answer_key()


def test_answers_stay_behind_a_click():
    from micrograd_cn.classroom import Answers

    hidden = Answers({"∂e/∂a": 4.0, "∂e/∂b": 6.0})
    assert hidden.text == "∂e/∂a = 4\n∂e/∂b = 6"
    assert "4" not in repr(hidden) and "6" not in repr(hidden)
    page = hidden._repr_html_()
    assert page.startswith('<details class="micrograd-cn-answers"><summary>点开看答案') and " open" not in page
    assert "∂e/∂a = 4<br>∂e/∂b = 6" in page
    sheet = mg.exercises(2, level=1, seed=3)
    assert sheet.answers().text == sheet.answer_key() and sheet[1].answer_key() in sheet.answers()._repr_html_()
