"""浏览器站点的 Python 一侧 (在 CPython 里直接调用): 表达式与 worker 的 JSON 接口 (训练页见 test_trainer.py).

The Python side of the browser site, called directly under CPython: the
same functions the Web Worker calls under Pyodide.
"""

from __future__ import annotations

import json

import pytest
from conftest import require_module
from micrograd_cn.browser import Session, expression_state

require_module("graphviz")


def test_expression_state_gives_the_seed_numbers_and_five_steps():
    state = expression_state("(a+b)*(b+1)", {"a": 2, "b": 1})
    assert state["ok"] and state["out"] == "e" and state["value"] == 6
    assert state["grads"] == {"a": 2.0, "b": 5.0}
    events = state["steps"]["events"]
    assert len(events) == 5 and events[-1]["to"] == "b" and events[-1]["after"] == 5
    assert "digraph" in state["dot"] and "梯度 grad = 5" in state["dot"]
    player = state["player"]  # 播放器的数据: 一份 DOT (页面排版) 和五行步骤. One DOT for the page, five rows.
    assert "digraph" in player["dot"] and 'id="d-' in player["dot"] and len(player["data"]["steps"]) == 5
    assert player["data"]["steps"][4][4] == events[4]["equation_zh"]
    json.dumps(state, allow_nan=False)


def test_new_variables_start_at_one_and_keep_their_order():
    state = expression_state("x*y + tanh(z)", {"y": 3})
    assert list(state["variables"]) == ["x", "y", "z"]
    assert state["variables"] == {"x": 1.0, "y": 3.0, "z": 1.0}
    assert state["grads"]["x"] == 3.0


def balanced_sum(terms: list[str]) -> str:
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return f"({balanced_sum(terms[:middle])}+{balanced_sum(terms[middle:])})"


def test_a_graph_too_slow_to_lay_out_still_gives_values_and_the_list():
    state = expression_state("+".join(f"x*{k}" for k in range(300)), {"x": 1})
    assert state["ok"] and state["player"] is None and state["grads"]["x"] == sum(range(300))
    assert "只画按层的概要" in state["notes"][0] and len(state["steps"]["events"]) == 2 * 299 + 300


def test_a_big_graph_is_drawn_as_a_summary_and_still_stepped_through():
    state = expression_state(balanced_sum([f"x{k}" for k in range(400)]), {})
    assert state["ok"] and state["player"] is not None and state["grads"]["x7"] == 1
    assert "799 个节点" in state["notes"][0] and "shorten the expression" in state["notes"][0]


def test_a_variable_called_e_renames_the_output_as_the_command_line_does():
    assert expression_state("e*2", {"e": 1})["out"] == "out"


def test_quiz_hides_gradients_in_the_graph_and_english_labels():
    quiz = expression_state("(a+b)*(b+1)", {"a": 2, "b": 1}, lang="en", quiz=True)
    assert "grad = ?" in quiz["dot"] and "grad = 5" not in quiz["dot"] and "梯度" not in quiz["dot"]
    data = quiz["player"]["data"]  # 播放器的测验: 答案与诊断都在数据里. The player's quiz, answers and diagnoses.
    assert data["quiz_mode"] and data["quiz"]["nodes"][1]["answer"] == 5.0
    assert {d["kind"] for d in data["quiz"]["nodes"][1]["diagnoses"]} >= {"missing_path", "sign"}
    assert "quiz" not in expression_state("(a+b)*(b+1)", {"a": 2, "b": 1})["player"]["data"]


@pytest.mark.parametrize("text, words", [
    ("__import__('os')", "不能调用"),
    ("a.b", "属性访问"),
    ("2**x", "指数"),
    ("log(a-5)", "log"),
    ("", "空"),
])
def test_refused_expressions_give_a_bilingual_error_and_no_result(text, words):
    state = expression_state(text, {"a": 1, "x": 1000})
    assert state["ok"] is False and words in state["error"] and "(" in state["error"]


def test_session_speaks_json_and_reports_errors_as_messages():
    session = Session()
    reply = json.loads(session.handle_json(json.dumps({"cmd": "expression", "text": "a*b", "values": {"a": 3}})))
    assert reply["ok"] and reply["result"]["grads"] == {"a": 1.0, "b": 3.0}
    refused = json.loads(session.handle_json(json.dumps({"cmd": "train.step"})))
    assert refused["ok"] is False and "train.new" in refused["error"]
    made = json.loads(session.handle_json(json.dumps({"cmd": "train.new", "config": {"layers": 1, "width": 2}})))
    assert made["ok"] and made["result"]["sizes"] == [2, 2, 1]
    stepped = json.loads(session.handle_json(json.dumps({"cmd": "train.step", "count": 5, "seconds": 30})))
    assert stepped["result"]["steps"] == 5
    bad = json.loads(session.handle_json(json.dumps({"cmd": "train.new", "config": {"activation": "swish"}})))
    assert bad["ok"] is False and "activation" in bad["error"]
    unknown = json.loads(session.handle_json(json.dumps({"cmd": "rm -rf"})))
    assert unknown["ok"] is False and "未知的请求" in unknown["error"]
