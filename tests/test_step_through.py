"""逐帧动画与笔记本播放器: 帧数 = 堆放次数 + 1, 当前边高亮, 累计梯度逐步出现; 没有内核时退回静态播放器.

Frames of the recorded backward pass, and the notebook players.
"""

from __future__ import annotations

import re

import pytest
from conftest import require_module
from test_viz_dot import e_graph

import micrograd_cn as mg
from micrograd_cn.graph import topological_order
from micrograd_cn.trace import backward_steps
from micrograd_cn.viz import frames, step_through
from micrograd_cn.viz.notebook import StaticPlayer
from micrograd_cn.viz.style import ACTIVE, SENDER

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
    assert f'color="{ACTIVE}"' in active and "penwidth=3" in active and "3 × 1 = 3" in active
    assert f'color="{ACTIVE}"' in edge_attrs(source, f"out-{d}")
    assert source.count("penwidth=3") == 2
    assert re.search(rf'n{b} \[label=<<table border="3"[^>]*color="{ACTIVE}"', source)
    assert re.search(rf'n{d} \[label=<<table border="3"[^>]*color="{SENDER}"', source)
    assert "梯度 grad = 5" in source and "梯度 grad = ?" not in source


def test_a_repeated_operand_highlights_each_of_its_edges():
    x = mg.Value(3.0, "x")
    y = x * x
    y.label = "y"
    frame_list = frames(y)
    assert [dict(f.totals)["x"] for f in frame_list] == [None, 3.0, 6.0]
    assert "penwidth=3" in edge_attrs(frame_list[1].graph.source, "d-1-0")
    assert "penwidth=3" not in edge_attrs(frame_list[1].graph.source, "d-1-1")
    assert "penwidth=3" in edge_attrs(frame_list[2].graph.source, "d-1-1")


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


def test_without_a_kernel_step_through_is_the_static_player(e, monkeypatch):
    monkeypatch.setattr("micrograd_cn.viz.notebook.kernel_available", lambda: False)
    player = step_through(e)
    assert isinstance(player, StaticPlayer)
    page = player._repr_html_()
    assert page.count('<section class="mgcn-frame"') == 6 and page.count("<svg") == 6
    assert 'data-act="next"' in page and "root.addEventListener" in page


def test_without_a_renderer_the_player_shows_dot_source(e, monkeypatch):
    monkeypatch.setattr("micrograd_cn.viz.renderer.find_renderer", lambda: None)
    monkeypatch.setattr("micrograd_cn.viz.notebook.kernel_available", lambda: False)
    page = step_through(e).html
    assert page.count("<pre>") == 6 and "micrograd_cn[viz]" in page and "<svg" not in page


def test_with_a_kernel_step_through_is_a_slider(e, monkeypatch):
    require_module("ipywidgets")
    monkeypatch.setattr("micrograd_cn.viz.notebook.kernel_available", lambda: True)
    box = step_through(e)
    controls, view = box.children
    previous, slider, following = controls.children
    assert (slider.min, slider.max, slider.value) == (0, 5, 0)
    assert "第 0 步" in view.value
    for _ in range(6):
        following.click()
    assert slider.value == 5 and "（累计 5）" in view.value
    assert 'data-name="b"' in view.value and 'class="mgcn-total">5<' in view.value
    previous.click()
    assert slider.value == 4 and "第 4/5 步" in view.value
    bundle = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "mgcn-frame" in bundle["text/html"]
