"""draw_dot 生成的 DOT: 名字、数据/梯度、边上的局部导数、测验模式、分层、配色、大图概要、无渲染器时的显示.

The DOT text of draw_dot for the seed's e = (a+b)(b+1) and friends.
"""

from __future__ import annotations

import re
import warnings

import pytest
from conftest import pictures_in, require_module

import micrograd_cn as mg
from micrograd_cn.graph import depths, topological_order
from micrograd_cn.viz import draw_dot, render
from micrograd_cn.viz.style import RECEIVER, ROLES, SIGNS, text_width

require_module("graphviz")


def e_graph(a: float = 2.0, b: float = 1.0) -> dict[str, mg.Value]:
    """种子文章的例子 c = a+b, d = b+1, e = c·d. The seed's example graph, labelled."""
    va, vb = mg.Value(a, "a"), mg.Value(b, "b")
    c = va + vb
    d = vb + 1
    e = c * d
    c.label, d.label, e.label = "c", "d", "e"
    return {"a": va, "b": vb, "c": c, "d": d, "e": e}


@pytest.fixture
def e_nodes(worked_examples):
    inputs = worked_examples["chain_rule_e"]["inputs"]
    nodes = e_graph(inputs["a"], inputs["b"])
    nodes["e"].backward()
    return nodes


def node_label(source: str, index: int) -> str:
    """DOT 中第 index 个 Value 节点的标签. The label of Value node n{index} in the DOT text."""
    match = re.search(rf"^\s*n{index} \[label=<(.*?)> id=", source, re.M)
    assert match, f"n{index} not in DOT"
    return match.group(1)


def test_names_fields_and_values(e_nodes, worked_examples):
    source = draw_dot(e_nodes["e"]).source
    reference = worked_examples["chain_rule_e"]
    order = topological_order(e_nodes["e"])
    for i, node in enumerate(order):
        label = node_label(source, i)
        assert f"<b>{node.label}</b>" in label
        values = {**reference["inputs"], **reference["values"]}
        assert f"数据 data = {values[node.label]:g}<" in label
        assert f"梯度 grad = {reference['grads'][node.label]:g}<" in label
    assert 'label="+"' in source and 'label="*"' in source and 'label="+ 1"' in source


def test_every_edge_carries_its_local_derivative(e_nodes, worked_examples):
    source = draw_dot(e_nodes["e"]).source
    for key, value in worked_examples["chain_rule_e"]["local_derivatives"].items():
        top, bottom = key.split("/")
        assert f'label="∂{top[1:]}/∂{bottom[1:]}\n= {value:g}"' in source
    assert source.count("label=\"∂") == 5


def test_unlabelled_nodes_are_named_by_what_they_compute():
    x = mg.Value(3.0, "x")
    y = (x * 2).tanh()
    source = draw_dot(y).source
    assert "<b>x·2</b>" in source and "<b>tanh(x·2)</b>" in source
    assert 'label="∂(x·2)/∂x\n= 2"' in source and "label=tanh" in source and 'label="* 2"' in source


def test_quiz_mode_hides_gradients_but_not_data(e_nodes):
    source = draw_dot(e_nodes["e"], quiz=True).source
    assert source.count("梯度 grad = ?") == 5
    assert "梯度 grad = 5" not in source and "数据 data = 6" in source
    assert "梯度" not in draw_dot(e_nodes["e"], show_grad=False).source


def test_english_labels_and_direction(e_nodes):
    source = draw_dot(e_nodes["e"], lang="en", rankdir="TB").source
    assert "data = 6" in source and "grad = 5" in source and "数据" not in source
    assert "rankdir=TB" in source
    with pytest.raises(ValueError, match="rankdir.*LR"):
        draw_dot(e_nodes["e"], rankdir="sideways")


def test_show_index_and_highlight(e_nodes):
    source = draw_dot(e_nodes["e"], show_index=True, highlight=e_nodes["b"]).source
    order = topological_order(e_nodes["e"])
    for i in range(5):
        assert f'<font point-size="12">#{i}</font>' in node_label(source, i)
    b_label = node_label(source, order.index(e_nodes["b"]))
    assert 'border="3"' in b_label and f'color="{RECEIVER}"' in b_label
    assert 'border="3"' not in node_label(source, order.index(e_nodes["a"]))


def test_layered_ranks_follow_distance_from_output(e_nodes):
    out = e_nodes["e"]
    source = draw_dot(out, layered=True).source
    order = topological_order(out)
    depth = depths(out)
    groups = [set(block.split()) - {"rank=same"} for block in re.findall(r"\{\s*(rank=same[^}]*)\}", source)]
    values = [g for g in groups if all(name.startswith("n") for name in g)]
    expected = {}
    for i, node in enumerate(order):
        expected.setdefault(depth[id(node)], set()).add(f"n{i}")
    assert sorted(map(sorted, values)) == sorted(map(sorted, expected.values()))
    assert [sorted(g) for g in values if len(g) == 2]  # a, b share a rank; c, d share one
    assert "rank=same" not in draw_dot(out).source


def test_colours_by_role():
    w, x, k = mg.Value(0.5, "w1"), mg.Value(2.0, "x"), mg.Value(1.5)
    free = mg.Value(-1.0, "theta")
    out = w * x + k * free
    out.label = "y"
    source = draw_dot(out, params=[free]).source
    order = topological_order(out)
    fill = {node.label or "k": re.search(r'bgcolor="([^"]+)"', node_label(source, order.index(node))).group(1)
            for node in (w, x, k, free, out)}
    assert fill == {"w1": ROLES["parameter"][0], "x": ROLES["input"][0], "k": ROLES["constant"][0],
                    "theta": ROLES["parameter"][0], "y": ROLES["output"][0]}
    assert f'fillcolor="{ROLES["op"][0]}"' in source


def test_colours_by_gradient_sign():
    x, y, z = mg.Value(2.0, "x"), mg.Value(3.0, "y"), mg.Value(-1.0, "z")
    out = x - y + z.relu()
    out.backward()
    source = draw_dot(out, color_by="sign").source
    order = topological_order(out)

    def fill(node):
        return re.search(r'bgcolor="([^"]+)"', node_label(source, order.index(node))).group(1)

    assert (fill(x), fill(y), fill(z)) == (SIGNS["positive"], SIGNS["negative"], SIGNS["zero"])
    assert fill(out) == SIGNS["positive"]
    quiz = draw_dot(out, color_by="sign", quiz=True).source
    assert SIGNS["positive"] not in quiz and SIGNS["negative"] not in quiz


def test_boxes_are_sized_for_chinese_text():
    rate = mg.Value(0.1, "学习率乘以梯度的结果")
    source = draw_dot(rate * 2).source
    widths = [int(w) for w in re.findall(r'<td align="left" width="(\d+)">', node_label(source, 0))]
    assert min(widths) >= text_width("学习率乘以梯度的结果", bold=True)
    assert text_width("学习率", 14) == 42 and text_width("abc", 14) < 42
    assert "> 数据" not in source  # 记录字段不以空格开头. No leading space before Chinese in a field.


def test_big_graph_is_summarised_with_a_warning():
    x = mg.Value(0.5, "x")
    y = x
    for _ in range(400):
        y = (y * 0.9 + 0.1).tanh()
    with pytest.warns(UserWarning, match=r"1201 个节点.*max_nodes=300.*1201 nodes"):
        summary = draw_dot(y)
    assert "band0" in summary.source and "1201 个节点" in summary.source
    assert summary.source.count("->") <= 24
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = draw_dot(y, max_nodes=None)
    assert full.source.count("[label=<") == 1201


def test_inline_display_without_a_renderer_shows_source_and_hint(e_nodes, monkeypatch, tmp_path):
    monkeypatch.setattr("micrograd_cn.viz.renderer.find_renderer", lambda: None)
    graph = draw_dot(e_nodes["e"])
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    page = bundle["text/html"]
    assert "<pre>" in page and "pip install &quot;micrograd_cn[viz]&quot;" in page
    assert "∂c/∂a\n= 1" in page
    with pytest.raises(mg.viz.RendererNotFoundError, match=r"micrograd_cn\[viz\]"):
        render(graph, tmp_path / "e.svg")
    assert "digraph" in render(graph, tmp_path / "e.dot").read_text(encoding="utf-8")


def test_inline_display_with_a_renderer_is_svg(e_nodes):
    from micrograd_cn.viz import find_renderer

    if find_renderer() is None:
        pytest.skip("no renderer here; covered in test_viz_render")
    bundle = draw_dot(e_nodes["e"])._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    # HTML 里只有 <img>, 没有 <svg>: 不受信任的笔记本会把 <svg> 净化成一堆散字.
    # The HTML holds an <img>, no <svg>: an untrusted notebook would sanitise an <svg> into loose text.
    page = bundle["text/html"]
    assert "<svg" not in page and page.count("<img ") == 1
    assert pictures_in(page) == [bundle["image/svg+xml"].replace("\n", " ")]  # 网址里没有换行. No breaks in a URL.


def test_notebook_display_of_graphs_and_frames_is_a_picture_not_html(e_nodes):
    """IPython 真正显示的数据 (含 _repr_html_ 等补充的类型): 图片, HTML 中没有 <svg>.

    What IPython really displays, after its formatters fill in every type an
    object offers: a picture, and HTML without any ``<svg>``, for draw_dot and frames.
    """
    from IPython.core.formatters import DisplayFormatter

    from micrograd_cn.viz import find_renderer

    if find_renderer() is None:
        pytest.skip("no renderer here; covered in test_viz_render")
    formatter = DisplayFormatter()
    for shown in (draw_dot(e_nodes["e"]), *mg.frames(e_nodes["e"])[:2]):
        data, _ = formatter.format(shown)
        assert "image/svg+xml" in data and "<svg" not in data["text/html"], (type(shown), sorted(data))
        assert "<img " in data["text/html"]
