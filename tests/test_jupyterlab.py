"""在真正的 JupyterLab 4 (与 Notebook 7) 和 Chromium 中: 运行笔记本、报告错误、测量图的字号、保存后重新打开.

Notebooks in real JupyterLab 4 driven in real headless Chromium at 1366×768
with the file browser open: the harness itself (it runs cells, reports
errors, measures SVG text, survives save and reopen) and the step-through
player (its DOM contract: ``div.mgcn-player[data-step]``,
``[data-act]`` buttons, ``.mgcn-equation``, one shown ``<svg>`` in
``.mgcn-viewport`` (another view may be there, hidden) with
``g.node#node-<i>/#op-<i>`` and ``g.edge#d-<i>-<k>``, the active edge
``.mgcn-active``).
"""

from __future__ import annotations

import re
import secrets

from conftest import require_module

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
        cells[1:1] = [f"display(HTML('<script>throw new Error(\"脚本出错 script failed {mark}\")</script>'))",
                      f"raise ValueError('出错了 failed {mark}')"]
    return cells


def test_harness_runs_measures_saves_and_reopens(lab):
    mark = f"mark-{secrets.token_hex(4)}"
    lab.write_notebook("harness.ipynb", harness_cells(mark))
    lab.open("harness.ipynb")
    assert lab.page.locator("#filebrowser").is_visible()
    assert lab.page.locator(".jp-DirListing-item", has_text="harness.ipynb").count() == 1
    run = lab.run_all()
    print(f"run all: {run.seconds:.1f} s")
    assert run.problems == [] and run.unexecuted == [] and lab.stderr() == []
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
    smallest = drawn[0]["min_px"]
    assert [p["cell"] for p in lab.small_text(smallest + 0.1)] == [1] and lab.small_text(smallest - 0.1) == []
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
    # 同一服务器保存时签了名: 重新打开后仍可信, 输出中的脚本再次运行.
    # Saved by the same server, the notebook is signed: reopened, it is trusted and output scripts run again.
    assert lab.trusted() == [True] * 4
    assert lab.page.locator("#mgcn-script-probe").inner_text() == f"脚本运行了 script ran {mark}"
    assert lab.problems() == [] and lab.outside_requests == []


def test_harness_reports_an_error_and_the_cells_it_stopped(lab):
    mark = f"mark-{secrets.token_hex(4)}"
    lab.write_notebook("failing.ipynb", harness_cells(mark, fail=True))
    lab.open("failing.ipynb")
    assert len(lab.cell_states()) == 6 and all(not re.search(r"\[\d+\]", c["prompt"]) for c in lab.cell_states())
    run = lab.run_all()
    lab.screenshot("error")
    assert len(run.problems) == 2, run.problems
    assert run.problems[0].startswith("cell 2:")
    assert "ValueError" in run.problems[0] and f"出错了 failed {mark}" in run.problems[0]
    assert run.problems[1] == f"page error: 脚本出错 script failed {mark}"  # 输出中的脚本. From an output's script.
    # "全部运行" 在出错处停下; 机器很忙时, 内核可能在后面的请求到达之前就处理完了错误, 它们照常运行.
    # Run All stops at the error; on a busy machine the kernel may handle the error before the later
    # requests arrive, and then they run as usual.
    assert run.unexecuted in ([3, 4, 5], []) and all(re.search(r"\[\d+\]", run.cells[i]["prompt"]) for i in range(3))


# 播放器中每个节点形状在图坐标 (g.graph) 中的位置: 与平移、缩放无关, 节点移动时才会变.
# Where each node's shape is in the graph's own coordinates (g.graph): independent of pan and zoom,
# it changes only if a node moves.  Nodes not drawn at this step (hidden) are left out.
# 视口中显示着的那张图 (另一张视图, 如按神经元归并的图, 可能藏着).
# The picture shown in the viewport (another view, such as the neuron view, may be hidden).
SHOWN_SVG = """const shown = (root) => [...root.querySelectorAll('.mgcn-viewport svg')]
  .filter((svg) => !svg.parentElement.closest('svg') && svg.getBoundingClientRect().width > 0);"""

NODE_PLACES = SHOWN_SVG + """(root) => {
  const svg = shown(root)[0];
  const graph = svg.querySelector('g.graph');
  const m = graph.getScreenCTM();
  const places = {};
  for (const node of svg.querySelectorAll('g.node[id]')) {
    const boxes = [...node.querySelectorAll('polygon, path, ellipse, rect')]
      .map((shape) => shape.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);
    if (!boxes.length) continue;
    const left = Math.min(...boxes.map((r) => r.left)), top = Math.min(...boxes.map((r) => r.top));
    const right = Math.max(...boxes.map((r) => r.right)), bottom = Math.max(...boxes.map((r) => r.bottom));
    places[node.id] = [(left - m.e) / m.a, (top - m.f) / m.d, (right - left) / m.a, (bottom - top) / m.d];
  }
  return places;
}"""

# 当前这一步的状态: 步数, 等式, 当前的边与视口、窗口的位置.
# The state at this step: step number, equation, the active edge's box, the viewport's and the window's.
PLAYER_STATE = SHOWN_SVG + """(root) => {
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const svgs = shown(root);
  const edge = svgs.length === 1 ? svgs[0].querySelector('g.edge.mgcn-active') : null;
  return {step: Number(root.dataset.step), equation: root.querySelector('.mgcn-equation').innerText.trim(),
          shown: svgs.length, edge: edge ? {id: edge.id, ...box(edge)} : null,
          viewport: box(root.querySelector('.mgcn-viewport')),
          window: {left: 0, top: 0, right: innerWidth, bottom: innerHeight}};
}"""

PLAYER_CELLS = [
    "import micrograd_cn as mg\nfrom micrograd_cn import examples\n"
    "a, b = mg.Value(2.0, 'a'), mg.Value(1.0, 'b')\ne = (a + b) * (b + 1)\ne.label = 'e'\n"
    "e_steps = mg.backward_steps(e)\nprint('steps', len(e_steps))",
    "mg.step_through(e_steps)",
    # 与第 3 课相同: 种子 000 的 2-2-2 sigmoid 网络. As lesson 03: the 2-2-2 sigmoid net of seed 000.
    "model = examples.mazur_network()\nE, values = examples.mazur_forward(model)\nmodel.zero_grad()\n"
    "steps = mg.backward_steps(E)\nprint('steps', len(steps))",
    "mg.step_through(steps, layered=True, params=model.parameters())",
]


def inside(box, frame, slack=2.0):
    """box 是否在 frame 之内 (容差 slack px). Whether ``box`` lies inside ``frame`` give or take ``slack`` px."""
    return (box["left"] >= frame["left"] - slack and box["top"] >= frame["top"] - slack
            and box["right"] <= frame["right"] + slack and box["bottom"] <= frame["bottom"] + slack)


def settle(lab, player):
    """等平移/缩放的过渡动画结束. Wait until the pan/zoom transitions have finished."""
    lab.page.wait_for_function(
        "(root) => root.querySelector('.mgcn-viewport').getAnimations({subtree: true})"
        ".every((a) => a.playState !== 'running')", arg=player.element_handle(), timeout=5000)


def step_player(lab, player, name, checks):
    """用按钮与键盘走一遍播放器, 在每一步检查版面; 返回每一步的状态.

    Step a player with its buttons and keys, checking at each step that node
    text is at least 12 px, no node moved, the active edge is inside the
    viewport and the equation changed; return the states seen.
    """
    player.scroll_into_view_if_needed()
    state = lambda: lab.page.evaluate(PLAYER_STATE, player.element_handle())  # noqa: E731
    places = lambda: lab.page.evaluate(NODE_PLACES, player.element_handle())  # noqa: E731
    start, first_places = state(), places()
    assert start["step"] == 0 and first_places, f"{name}: no player state at step 0"
    seen = [start]
    for target in checks:
        while seen[-1]["step"] < target:
            player.locator('[data-act="next"]').click()
            now = state()
            assert now["step"] == seen[-1]["step"] + 1, f"{name}: next went {seen[-1]['step']} → {now['step']}"
            assert now["equation"] and now["equation"] != seen[-1]["equation"], f"{name}: equation at {now['step']}"
            seen.append(now)
        settle(lab, player)
        now = seen[-1] = state()
        assert now["shown"] == 1, f"{name} step {target}: {now['shown']} pictures shown in the viewport"
        size = [picture for picture in lab.svg_font_sizes(f"#{player.get_attribute('id')} .mgcn-viewport svg")
                if picture["texts"]]
        assert len(size) == 1 and size[0]["min_px"] >= MIN_PX, f"{name} step {target}: {size}"
        moved = {node: (place, first_places.get(node)) for node, place in places().items()
                 if node in first_places and max(abs(p - q) for p, q in zip(place, first_places[node])) > 0.5}
        assert moved == {}, f"{name} step {target}: nodes moved {moved}"
        assert now["edge"] is not None, f"{name} step {target}: no active edge"
        assert inside(now["edge"], now["viewport"]), f"{name} step {target}: active edge outside {now}"
        lab.screenshot(f"{name}-step-{target}")
    return seen


def test_step_through_player_in_jupyterlab(lab):
    lab.write_notebook("player.ipynb", PLAYER_CELLS)
    lab.open("player.ipynb")
    run = lab.run_all()
    assert run.problems == [] and run.unexecuted == [], run.problems
    counts = [int(cell["outputs"][0]["text"].split()[1]) for cell in (run.cells[0], run.cells[2])]
    assert counts[0] == 5 and counts[1] >= 27
    players = lab.page.locator("div.mgcn-player")
    assert players.count() == 2
    assert lab.auto_names() == []  # 节点没有 v<数字> 这样的名字. No v<number> node names.

    small, net = players.nth(0), players.nth(1)
    seen = step_player(lab, small, "e", [1, 3, 5])
    small.locator('[data-act="next"]').click()  # 最后一步之后不再前进. Stays on the last step.
    assert small.get_attribute("data-step") == "5"
    net_steps = counts[1]
    step_player(lab, net, "net", [1, 5, 12, 20, net_steps])

    # 键盘: 播放器有焦点时 ← → 与空格. Keys while the player has focus.
    small.locator('[data-act="first"]').click()
    small.focus()
    lab.page.keyboard.press("ArrowRight")
    lab.page.keyboard.press("ArrowRight")
    assert small.get_attribute("data-step") == "2"
    assert small.locator(".mgcn-equation").inner_text().strip() == seen[2]["equation"]
    lab.page.keyboard.press("ArrowLeft")
    assert small.get_attribute("data-step") == "1"
    lab.page.keyboard.press(" ")
    lab.page.wait_for_function("(el) => el.dataset.step !== '1'", arg=small.element_handle(), timeout=5000)
    assert lab.page.locator(".jp-Notebook .jp-Cell").count() == 4  # 键没有被笔记本拿去. Keys stayed in the player.

    lab.save("player.ipynb")
    lab.reopen("player.ipynb")  # 内核已关, 不重新运行. Kernels shut down; nothing is run again.
    lab.screenshot("reopened")
    players = lab.page.locator("div.mgcn-player")
    assert players.count() == 2 and lab.problems() == []
    print(f"after save and reopen: trusted {lab.trusted()}")
    net = players.nth(1)
    step_player(lab, net, "reopened-net", [1, 3])
    assert lab.problems() == [] and lab.outside_requests == []


def test_step_through_player_in_notebook7(notebook7):
    notebook7.write_notebook("player.ipynb", PLAYER_CELLS)
    notebook7.open("player.ipynb")
    run = notebook7.run_all()
    assert run.problems == [] and run.unexecuted == [], run.problems
    players = notebook7.page.locator("div.mgcn-player")
    assert players.count() == 2
    step_player(notebook7, players.nth(1), "net", [1, 6])
    notebook7.save("player.ipynb")
    notebook7.reopen("player.ipynb")
    players = notebook7.page.locator("div.mgcn-player")
    assert players.count() == 2 and notebook7.trusted() == [True] * 4
    step_player(notebook7, players.nth(1), "reopened-net", [2])
    assert notebook7.problems() == [] and notebook7.outside_requests == []


# 输出区的文字 (innerText, 不含图片里的字): 不受信任时 SVG 被净化成的 "一堆散字" 就在这里.
# The outputs' own text (innerText, not the text inside pictures): where sanitised SVG turns into loose text.
OUTPUT_INNER_TEXT = "() => [...document.querySelectorAll('.jp-OutputArea-output')].map((out) => out.innerText)"

# 播放器静态视图中图片框的大小与能否滚动. The static view's picture box: its size and whether it scrolls.
STATIC_BOX = """(player) => {
  const box = player.querySelector('.mgcn-static-view');
  const img = box.querySelector('img');
  const before = [box.scrollLeft, box.scrollTop];
  box.scrollTo(200, 200);
  const after = [box.scrollLeft, box.scrollTop];
  box.scrollTo(0, 0);
  const steps = [...player.querySelectorAll('details li')];
  return {box: [box.clientWidth, box.clientHeight, box.scrollWidth, box.scrollHeight],
          image: [img.naturalWidth, img.getBoundingClientRect().width], before, after,
          open: player.querySelector('details').open, steps: steps.length,
          shown_steps: steps.filter((li) => li.getClientRects().length > 0).length,
          text: player.querySelector('.mgcn-static-only').textContent,
          text_shown: player.querySelector('.mgcn-static-only').getBoundingClientRect().height > 20};
}"""


def test_untrusted_executed_notebook_shows_a_readable_player(lab):
    """在别处执行的笔记本 (nbclient、nbmake、另一台电脑) 不受信任: 脚本不运行, 图与播放器至少要看得清.

    A notebook executed elsewhere (nbclient, nbmake, another computer) is not
    trusted: JupyterLab runs no scripts, sanitizes its HTML and shows no
    ``image/svg+xml``.  Graphs (draw_dot, frames) and players must then still
    be pictures with text of at least 12 px, never the graph's bare text or
    DOT source; the player's static view scrolls, lists every step and says
    how to trust the notebook.
    """
    nbformat = require_module("nbformat")
    nbclient = require_module("nbclient")
    cells = [*PLAYER_CELLS, "mg.draw_dot(e)", "mg.frames(e)[3]"]
    path = lab.write_notebook("executed.ipynb", cells)
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    nbformat.write(notebook, path)
    lab.open("executed.ipynb")
    assert lab.trusted() == [False] * len(cells) and lab.problems() == []
    players = lab.page.locator("div.mgcn-player")
    assert players.count() == 2
    for index, name in enumerate(("e", "net")):
        player = players.nth(index)
        player.scroll_into_view_if_needed()
        lab.screenshot(f"untrusted-{name}")
    for cell, name in ((4, "draw-dot"), (5, "frame")):
        lab.screenshot(f"untrusted-{name}", lab.output(cell))
    texts = "\n".join(lab.output_texts())
    dot_ids = sorted(set(re.findall(r"\b(?:n|op)\d+->(?:n|op)\d+", texts)))
    pictures = [picture for picture in lab.svg_font_sizes() if picture["texts"]]
    print(f"untrusted: pictures {[(p['cell'], p['kind'], p['min_px']) for p in pictures]}, "
          f"DOT ids shown as text: {dot_ids[:5]}")
    assert dot_ids == [], "the sanitized player shows the graph's bare text"
    assert sorted(picture["cell"] for picture in pictures) == [1, 3, 4, 5]
    assert all(picture["kind"] == "img" for picture in pictures)  # 一张图片, 不是散字. A picture, not loose text.
    assert all(picture["min_px"] >= MIN_PX for picture in pictures), pictures
    inner = "\n".join(lab.page.evaluate(OUTPUT_INNER_TEXT))
    for soup in ("数据 data =", "梯度 grad =", "digraph", "->", "Value(", "undefined"):
        assert soup not in inner, f"{soup!r} shown as text in an untrusted notebook"

    for index, steps in enumerate((5, run_count(notebook))):
        static = lab.page.evaluate(STATIC_BOX, players.nth(index).element_handle())
        print(f"untrusted player {index}: {static['box']} image {static['image']}, steps {static['shown_steps']}")
        assert static["open"] and static["steps"] == static["shown_steps"] == steps  # 全部步骤都列出. Every step.
        assert "jupyter trust" in static["text"] and "Trust Notebook" in static["text"] and "信任" in static["text"]
        assert static["text_shown"]  # 说明写在页面上, 看得见. The note is laid out on the page.
        width, height, scroll_width, scroll_height = static["box"]
        assert height <= 560 and static["image"][0] == static["image"][1]  # 原大小, 不缩小. At its own size.
        if scroll_width > width or scroll_height > height:  # 比框大的图可以滚动. A bigger picture scrolls.
            assert static["after"] != static["before"], static
    net = lab.page.evaluate(STATIC_BOX, players.nth(1).element_handle())
    assert net["box"][2] > net["box"][0] and net["box"][3] > net["box"][1]  # 2-2-2 网络比框大. The net is bigger.


def run_count(notebook) -> int:
    """第三个单元打印的步数 ("steps 28"). The number of steps the third cell printed."""
    return int("".join(notebook.cells[2].outputs[0]["text"]).split()[1])
