"""在真正的 JupyterLab 4 与 Chromium 中: 运行笔记本、报告错误、测量图的字号、保存后重新打开.

Notebooks in real JupyterLab 4 driven in real headless Chromium at 1366×768
with the file browser open: the harness itself (it runs cells, reports
errors, measures SVG text, survives save and reopen) and the step-through
player of issue 10 (its DOM contract: ``div.mgcn-player[data-step]``,
``[data-act]`` buttons, ``.mgcn-equation``, one ``<svg>`` in ``.mgcn-viewport``
with ``g.node#node-<i>/#op-<i>`` and ``g.edge#d-<i>-<k>``, the active edge
``.mgcn-active``).
"""

from __future__ import annotations

import secrets

pytest_plugins = ("jupyter_harness",)

MIN_PX = 12  # 投影仪上能读的最小字号. The smallest text a class can read on a projector.

# 已知大小的 SVG: viewBox 宽 100、画成 200 px 宽, 字号 10 → 屏幕上 20 px.
# An SVG of known scale: viewBox 100 wide drawn 200 px wide, font size 10 → 20 px on screen.
KNOWN_SVG = ('<svg id="mgcn-known" width="200" height="60" viewBox="0 0 100 30">'
             '<text x="2" y="20" font-size="10">已知 known</text></svg>')
SCRIPT_PROBE = ('<div id="mgcn-script-probe">脚本没有运行 script did not run</div>'
                '<script>document.getElementById("mgcn-script-probe").textContent = "脚本运行了 script ran {mark}";'
                '</script>')


def harness_cells(mark: str, fail: bool = False) -> list[str]:
    """检验测试工具本身的笔记本: 打印数值, (可选) 抛出错误, 画图, 已知大小的 SVG, 带脚本的 HTML.

    The notebook that checks the harness: printed values carrying a random
    mark (so only real execution produces them), an optional error, a drawn
    graph, an SVG of known on-screen size, and HTML with a script.
    """
    cells = [
        "import micrograd_cn as mg\n"
        "from IPython.display import HTML, SVG, display\n"
        "a, b = mg.Value(2.0, 'a'), mg.Value(1.0, 'b')\n"
        "c = a + b\nc.label = 'c'\nd = b + 1\nd.label = 'd'\ne = c * d\ne.label = 'e'\ne.backward()\n"
        f"print('{mark}', e.data, b.grad)",
        "mg.draw_dot(e)",
        f"display(SVG('{KNOWN_SVG}'))\nprint('v7 是自动编号 is an automatic name')",
        f"display(HTML({SCRIPT_PROBE.format(mark=mark)!r}))",
    ]
    if fail:
        cells.insert(1, f"raise ValueError('出错了 failed {mark}')")
    return cells


def test_harness_runs_measures_saves_and_reopens(lab):
    mark = f"mark-{secrets.token_hex(4)}"
    lab.write_notebook("harness.ipynb", harness_cells(mark))
    lab.open("harness.ipynb")
    assert lab.page.locator("#filebrowser").is_visible()
    assert lab.page.locator(".jp-DirListing-item", has_text="harness.ipynb").count() == 1
    run = lab.run_all()
    print(f"run all: {run.seconds:.1f} s")
    assert run.problems == [] and run.unexecuted == []
    assert f"{mark} 6.0 5.0" in run.cells[0]["outputs"][0]["text"]
    assert lab.page.locator("#mgcn-script-probe").inner_text() == f"脚本运行了 script ran {mark}"
    assert lab.trusted() == [True] * 4
    lab.screenshot("after-run-all")

    sizes = {size["id"]: size for size in lab.svg_font_sizes()}
    assert abs(sizes["mgcn-known"]["min_px"] - 20) < 0.01  # 测量方法本身. The measure itself.
    drawn = [size for size in sizes.values() if size["id"] != "mgcn-known"]
    assert len(drawn) == 1 and drawn[0]["cell"] == 1 and drawn[0]["texts"] >= 5 * 3
    print(f"draw_dot(e) in JupyterLab at 1366×768: {drawn[0]['width']:.0f} px wide, "
          f"smallest text {drawn[0]['min_px']:.1f} px")
    assert 0.8 < drawn[0]["smallest"][0]["height"] / drawn[0]["min_px"] < 2  # 两种量法一致. Two measures agree.
    lab.screenshot("draw-dot", lab.output(1))
    assert lab.auto_names() == ["v7"]

    lab.save("harness.ipynb")
    saved = lab.read_notebook("harness.ipynb")
    assert mark in "".join(saved["cells"][0]["outputs"][0]["text"]) and saved["cells"][1]["outputs"]
    lab.reopen("harness.ipynb")  # 内核已关, 不重新运行. Kernels shut down; nothing is run again.
    lab.screenshot("reopened")
    reopened = lab.cell_states()
    assert [cell["prompt"] for cell in reopened] == [cell["prompt"] for cell in run.cells]
    assert f"{mark} 6.0 5.0" in reopened[0]["outputs"][0]["text"]
    again = {size["id"]: size for size in lab.svg_font_sizes()}
    assert abs(again["mgcn-known"]["min_px"] - 20) < 0.01 and len(again) == 2
    print(f"after save and reopen: trusted {lab.trusted()}, script probe: "
          f"{lab.page.locator('#mgcn-script-probe').inner_text()!r}")
    assert lab.problems() == [] and lab.outside_requests == []


def test_harness_reports_an_error_and_the_cells_it_stopped(lab):
    mark = f"mark-{secrets.token_hex(4)}"
    lab.write_notebook("failing.ipynb", harness_cells(mark, fail=True))
    lab.open("failing.ipynb")
    run = lab.run_all()
    lab.screenshot("error")
    assert len(run.problems) == 1
    assert "ValueError" in run.problems[0] and f"出错了 failed {mark}" in run.problems[0]
    assert run.problems[0].startswith("cell 1:")
    assert run.unexecuted == [2, 3, 4]  # "全部运行" 在出错处停下. Run All stops at the error.
