"""每课开头的 extras 检查: 说明装了什么, 缺了什么、怎么装; 需要时缺了就报错.

The lessons' check of their extras: what is there, what is missing and how
to install it; with ``required=True`` a missing extra stops with that command.
"""

from __future__ import annotations

import sys

import pytest

import micrograd_cn as mg


def test_installed_extras_report_ready():
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    report = mg.check_extras("train")
    assert report and report["train"] and report.missing == {"train": []}
    assert str(report).startswith("✓ [train]")


def test_a_missing_extra_names_its_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch 失败. import torch fails.
    report = mg.check_extras("torch")
    assert not report and report["torch"] is False and report.missing["torch"] == ["torch"]
    line = str(report)
    assert line.startswith("✗ [torch]") and 'pip install "micrograd_cn[torch]"' in line
    with pytest.raises(ImportError, match=r'pip install "micrograd_cn\[torch\]"'):
        mg.check_extras("torch", required=True)


def test_viz_without_a_renderer(monkeypatch):
    pytest.importorskip("graphviz")
    from micrograd_cn.viz import renderer

    monkeypatch.setattr(renderer, "find_renderer", lambda: None)
    report = mg.check_extras("viz")
    assert report["viz"] is False and report.missing["viz"] == ["graphviz-pure (renderer)"]


def test_unknown_extra_is_refused():
    with pytest.raises(ValueError, match="check_extras"):
        mg.check_extras("gpu")
    with pytest.raises(ValueError, match="check_extras"):
        mg.check_extras()
