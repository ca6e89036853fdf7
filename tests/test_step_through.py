"""逐帧动画与笔记本播放器: 帧数 = 堆放次数 + 1, 当前边高亮, 累计梯度逐步出现; 没有内核时退回静态播放器.

Frames of the recorded backward pass, and the notebook players.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import pictures_in, require_module
from micrograd_cn.trace import backward_steps
from test_viz_dot import e_graph, node_label

import micrograd_cn as mg
from micrograd_cn.graph import topological_order
from micrograd_cn.viz import frames, step_through
from micrograd_cn.viz.player import Player, player_data
from micrograd_cn.viz.style import ACTIVE, RECEIVER, SENDER, text_width

require_module("graphviz")


@pytest.fixture
def e():
    return e_graph()["e"]


def edge_attrs(source: str, edge_id: str) -> str:
    match = re.search(rf"\[([^\]]*id=\"?{edge_id}\"?[^\]]*)\]", source)
    assert match, edge_id
    return match.group(1)


def test_one_frame_per_event_plus_the_forward_frame(e, worked_examples):
    events = worked_examples["chain_rule_e"]["accumulation_events_in_order"]
    frame_list = frames(e)
    assert len(frame_list) == len(events) + 1 == len(backward_steps(e)) + 1
    first = frame_list[0]
    assert first.step is None and all(grad is None for _, grad in first.totals)
    assert first.graph.source.count("梯度 grad = ?") == 5 and "数据 data = 6" in first.graph.source
    last = dict(frame_list[-1].totals)
    assert last == worked_examples["chain_rule_e"]["grads"]


def test_running_totals_and_captions_follow_the_events(e, worked_examples):
    events = worked_examples["chain_rule_e"]["accumulation_events_in_order"]
    totals: dict[str, float] = {}
    for frame in frames(e)[1:]:
        step = frame.step
        assert [step.node_name, step.parent_name] in [event[:2] for event in events]
        totals[step.parent_name] = totals.get(step.parent_name, 0.0) + step.contribution
        shown = dict(frame.totals)
        assert shown[step.parent_name] == totals[step.parent_name] and frame.receiver == step.parent_name
        assert shown["e"] == 1.0
        assert all(shown[name] is None for name in "abcd" if name not in totals)
        assert step.equation("zh") in frame.caption and f"第 {frame.index}/5 步" in frame.caption
    assert "（累计 5）" in frames(e)[5].caption and "∂e/∂b += ∂e/∂d · ∂d/∂b = 3 × 1 = 3" in frames(e)[5].caption
    assert "(running total 5)" in frames(e, lang="en")[5].caption


def test_active_edge_and_its_nodes_are_highlighted(e):
    frame = frames(e)[5]  # d 把 3 送给 b. d sends 3 to b.
    order = topological_order(e)
    b, d = order.index(frame.step.parent), order.index(frame.step.node)
    source = frame.graph.source
    active = edge_attrs(source, f"d-{d}-0")
    assert f'color="{ACTIVE}"' in active and "penwidth=4" in active and "style=dashed" in active
    assert "3 × 1 = 3" in active
    assert f'color="{ACTIVE}"' in edge_attrs(source, f"out-{d}")
    assert source.count("penwidth=4") == 2
    assert re.search(rf'n{b} \[label=<<table border="3"[^>]*color="{RECEIVER}"', source)
    assert re.search(rf'n{d} \[label=<<table border="3"[^>]*color="{SENDER}"', source)
    # 不靠颜色的记号: 两个角色的标签. Markers besides colour: the two role tags.
    assert "<b>接收 ← receive</b>" in node_label(source, b) and "<b>发送 → send</b>" in node_label(source, d)
    assert "梯度 grad = 5" in source and "梯度 grad = ?" not in source


def test_a_repeated_operand_highlights_each_of_its_edges():
    x = mg.Value(3.0, "x")
    y = x * x
    y.label = "y"
    frame_list = frames(y)
    assert [dict(f.totals)["x"] for f in frame_list] == [None, 3.0, 6.0]
    assert "penwidth=4" in edge_attrs(frame_list[1].graph.source, "d-1-0")
    assert "penwidth=4" not in edge_attrs(frame_list[1].graph.source, "d-1-1")
    assert "penwidth=4" in edge_attrs(frame_list[2].graph.source, "d-1-1")


def test_frames_leave_the_gradients_of_one_fresh_backward(e):
    frames(e)
    frames(e)  # 叶子梯度不会越堆越多. Leaf gradients do not pile up across calls.
    nodes = {node.label: node.grad for node in topological_order(e)}
    assert nodes == {"a": 2.0, "b": 5.0, "c": 2.0, "d": 3.0, "e": 1.0}
    steps = backward_steps(e)
    assert [f.step for f in frames(steps)[1:]] == list(steps)


def test_big_backward_passes_are_refused_clearly():
    x = mg.Value(1.0, "x")
    y = mg.sum([x * i for i in range(1, 30)])
    with pytest.raises(ValueError, match=r"58 次堆放.*max_steps=20.*58 accumulations"):
        frames(y, max_steps=20)
    with pytest.raises(ValueError, match=r"max_nodes=10.*use draw_dot"):
        frames(y, max_nodes=10)


def player_json(page: str) -> dict:
    match = re.search(r'<script type="application/json" class="mgcn-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1).replace("<\\/", "</"))


def static_svg(page: str) -> str:
    """静态视图中的图片还原成 SVG 文本. The static view's picture as SVG text."""
    (picture,) = pictures_in(page)
    return picture


def test_step_through_is_one_layout_and_a_list_of_steps(e, worked_examples):
    player = step_through(e)
    assert isinstance(player, Player)
    page = player._repr_html_()
    assert "<svg" not in page and page.count("data:image/svg+xml;") == 1  # 一张图, 以图片形式 one picture
    assert "梯度 grad = 5" in static_svg(page) and "MicrogradPlayer.mount" in page and "ipywidgets" not in page
    data = player_json(page)
    names = [node["name"] for node in data["nodes"]]
    assert names == ["a", "b", "c", "d", "e"] and data["out"] == 4 and data["seed"] == "1"
    events = worked_examples["chain_rule_e"]["accumulation_events_in_order"]
    assert [[names[row[0]], names[row[2]]] for row in data["steps"]] == [event[:2] for event in events]
    assert [row[3] for row in data["steps"]] == ["2", "3", "2", "2", "5"]  # 接收者的累计 running totals
    assert data["steps"][4][:2] == [3, 0] and data["steps"][4][4] == "∂e/∂b += ∂e/∂d · ∂d/∂b = 3 × 1 = 3 （累计 5）"
    assert data["partials"][1] == "∂e/∂b" and data["grad_prefix"] == "梯度 grad = "


def test_every_box_has_room_for_the_widest_gradient_it_will_show():
    x = mg.Value(0.1, "x")
    y = x * 0.1234567 + x * 0.8765433  # x 的累计: 0.1235, 然后 1. x's running total: 0.1235, then 1.
    y.label = "y"
    source = player_data(y, layout=False).dot
    width = int(re.search(r'n0 \[label=<<table[^>]*><tr><td align="left" width="(\d+)"', source).group(1))
    assert width >= round(text_width("梯度 grad = 0.1235") + 8) > round(text_width("梯度 grad = 1") + 8)
    assert "梯度 grad = 1<" in source  # 没有脚本时显示最终的梯度. Without scripts the final grads show.


def test_without_a_renderer_the_player_shows_dot_source(e, monkeypatch):
    monkeypatch.setattr("micrograd_cn.viz.renderer.find_renderer", lambda: None)
    page = step_through(e).html
    assert "<pre>" in page and "micrograd_cn[viz]" in page and "<svg" not in page
    assert player_json(page)["missing_renderer"]


def test_a_notebook_player_is_no_bigger_than_the_exported_file(e, tmp_path):
    steps = backward_steps(e)
    exported = mg.export_html(steps, tmp_path / "e.html").stat().st_size
    assert len(step_through(steps).html.encode("utf-8")) <= exported * 1.1


def test_big_graphs_are_refused_by_the_player_with_a_pointer_to_the_summary():
    x = mg.Value(1.0, "x")
    y = mg.sum([x * i for i in range(1, 30)])
    with pytest.raises(ValueError, match=r"max_nodes=10.*draw_dot"):
        player_data(y, max_nodes=10)


def test_networks_are_grouped_by_neuron_and_named_like_the_textbook():
    from micrograd_cn.nn import MLP, losses

    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=1)
    loss = losses.mse(model([mg.Value(0.05, "i1"), mg.Value(0.1, "i2")]), [0.01, 0.99])
    data = player_data(loss, layout=False)
    names = {node["name"] for node in data.data["nodes"]}
    assert {"net_h1", "out_h1", "net_o2", "out_o2", "E_o1", "E_o2", "E_total"} <= names
    assert data.dot.count("subgraph cluster_") == 4 and "神经元 h1 (第 1 层 layer 1)" in data.dot
    assert "神经元 o2 (第 2 层 layer 2)" in data.dot


def test_data_survives_script_endings_and_comments_in_names():
    x = mg.Value(2.0, "</script><!--x")
    y = x * x
    y.label = "y"
    page = step_through(y).html
    assert page.count("</script>") == 2  # 只有播放器自己的两个 script 结束标签. Only the player's own two.
    assert player_json(page)["nodes"][0]["name"] == "</script><!--x"


def test_every_option_of_the_player_is_documented_in_the_docstrings():
    """API 参考页由文档字符串生成: 每个选项都要在那里写明. The API page is built from these docstrings."""
    import inspect

    from micrograd_cn.viz.html import export_html
    from micrograd_cn.viz.notebook import step_through
    from micrograd_cn.viz.player import player_data

    options = [name for name in inspect.signature(player_data).parameters]
    assert {"params", "interval_ms", "quiz", "ask", "layered", "rankdir"} <= set(options)
    for name in options:
        assert f"- ``{name}``:" in player_data.__doc__, name
    for function in (step_through, export_html):
        own = [name for name in inspect.signature(function).parameters if name != "options"]
        passed_on = [name for name in options if name not in ("out", "lang", "layout")]
        for name in {*own, *passed_on}:
            assert f"``{name}``" in function.__doc__, (function.__name__, name)


def test_a_list_of_frames_reads_as_captions(e):
    shown = repr(frames(e))
    assert "Value(" not in shown and "BackwardStep(" not in shown
    assert shown.startswith("[<Frame 0: 第 0 步: 前向传播已算出数据") and "<Frame 5: 第 5/5 步: ∂e/∂b += " in shown
