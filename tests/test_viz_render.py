"""渲染器的发现与渲染: 环境变量优先, 内置 graphviz-pure 能画出 SVG/PNG, 超时与出错都有清楚的异常.

Renderer discovery and rendering through the embedded graphviz-pure.
"""

from __future__ import annotations

import shutil
import sysconfig
import time
from pathlib import Path

import pytest
from conftest import require, require_module
from test_viz_dot import e_graph

import micrograd_cn as mg
from micrograd_cn.viz import Renderer, RendererNotFoundError, draw_dot, find_renderer, render, to_svg
from micrograd_cn.viz.renderer import ENV_VAR

require_module("graphviz")
PURE = shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=sysconfig.get_path("scripts"))


@pytest.fixture
def pure(monkeypatch):
    """让内置的 graphviz-pure 成为渲染器 (即使本机另有系统 dot). Use graphviz-pure even where dot exists."""
    require(PURE is not None, "graphviz-pure is not installed (pip install 'micrograd_cn[viz]')")
    monkeypatch.setenv(ENV_VAR, PURE)
    return PURE


@pytest.fixture
def e():
    out = e_graph()["e"]
    out.backward()
    return out


def test_environment_variable_wins(pure):
    assert find_renderer() == Renderer("env", pure)


def test_bad_environment_variable_is_an_error_not_a_fallback(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-dot"))
    with pytest.raises(RendererNotFoundError, match="MICROGRAD_CN_DOT"):
        find_renderer()


def test_graphviz_pure_is_found_next_to_python_without_path(monkeypatch, tmp_path):
    require(PURE is not None, "graphviz-pure is not installed")
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # 没有 dot, 也没有 venv 的 bin. Neither dot nor the venv on PATH.
    found = find_renderer()
    assert found is not None and found.source == "graphviz-pure"
    assert Path(found.path).parent == Path(sysconfig.get_path("scripts"))


def test_no_renderer_at_all(monkeypatch, tmp_path, e):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(tmp_path))
    assert find_renderer() is None
    with pytest.raises(RendererNotFoundError, match=r'pip install "micrograd_cn\[viz\]"'):
        to_svg(e)


def test_svg_through_graphviz_pure(pure, e):
    svg = to_svg(e)
    assert "graphviz-pure" in svg and "<svg" in svg
    # 边上的局部导数分两行 (∂c/∂a 与 = 1). A local derivative is on two lines.
    for text in ("数据 data = 6", "梯度 grad = 5", ">∂c/∂a<", ">∂e/∂d<", ">= 3<", ">a<", ">e<"):
        assert text in svg


def test_render_files_by_suffix(pure, e, tmp_path):
    assert render(e, tmp_path / "e.svg").read_text(encoding="utf-8").count('class="node"') == 8
    assert render(draw_dot(e), tmp_path / "e.png").read_bytes().startswith(b"\x89PNG")
    assert render(e, tmp_path / "e.dot").read_text(encoding="utf-8").startswith("digraph")
    assert render(draw_dot(e).source, tmp_path / "picture", format="svg").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="jpeg"):
        render(e, tmp_path / "e.jpeg")
    with pytest.raises(TypeError, match="int"):
        to_svg(42)


def test_renderer_errors_and_timeouts_are_clear(tmp_path):
    failing = tmp_path / "failing-dot"
    failing.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n")
    failing.chmod(0o755)
    with pytest.raises(RuntimeError, match="exit code 3.*syntax error"):
        Renderer("env", str(failing)).run("digraph {}")
    slow = tmp_path / "slow-dot"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    started = time.perf_counter()
    with pytest.raises(TimeoutError, match="0.3"):
        Renderer("env", str(slow)).run("digraph {}", timeout=0.3)
    assert time.perf_counter() - started < 5


def test_a_few_hundred_nodes_render_quickly(pure):
    x = mg.Value(0.5, "x")
    y = x
    for i in range(100):
        y = (y * mg.Value(0.9, f"w{i}")).tanh()
    started = time.perf_counter()
    svg = to_svg(draw_dot(y, max_nodes=None))
    assert svg.count('class="node"') == 301 + 200
    assert time.perf_counter() - started < 10
