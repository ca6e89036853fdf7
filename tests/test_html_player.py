"""离线 HTML 播放器在真正的无头 Chromium 中: 点"下一步"、方向键、播放, 页面显示正确的步骤与累计梯度;
中文标签在浏览器中不超出方框.

The offline HTML player driven in real headless Chromium, and a check that
Chinese labels fit inside their boxes as the browser draws them.
"""

from __future__ import annotations

import pytest
from conftest import require_module
from test_viz_dot import e_graph

import micrograd_cn as mg
from micrograd_cn import examples
from micrograd_cn.viz import draw_dot, export_html, frames, to_svg
from micrograd_cn.viz.player import player_data

require_module("graphviz")

# 每个节点里的文字框必须落在节点形状的框内 (容差 0.5 pt); 返回所有越界的文字.
# Every text box of a node must lie inside the node's shape box; return the ones that do not.
OVERFLOWS = """(svg) => {
  const box = (els) => els.map((el) => el.getBBox()).reduce((a, b) => ({
    x: Math.min(a.x, b.x), y: Math.min(a.y, b.y),
    r: Math.max(a.r, b.x + b.width), b: Math.max(a.b, b.y + b.height)}),
    {x: Infinity, y: Infinity, r: -Infinity, b: -Infinity});
  const bad = [];
  let checked = 0;
  const check = (shapes, texts) => {
    const frame = box(shapes);
    const boxes = texts.filter((text) => text.textContent.trim()).map((text) => [text, text.getBBox()]);
    for (const [text, t] of boxes) {
      checked += 1;
      if (t.x < frame.x - 0.5 || t.y < frame.y - 0.5 || t.x + t.width > frame.r + 0.5
          || t.y + t.height > frame.b + 0.5) {
        bad.push("outside: " + text.textContent + " " + JSON.stringify([t.x, t.width, frame.x, frame.r]));
      }
      for (const [other, o] of boxes) {  // 同一行的文字不得重叠. Runs on one line must not overlap.
        if (other !== text && Math.abs(Number(other.getAttribute("y")) - Number(text.getAttribute("y"))) < 1
            && t.x < o.x && t.x + t.width > o.x + 0.5) {
          bad.push("overlap: " + text.textContent + " / " + other.textContent);
        }
      }
    }
  };
  for (const g of svg.querySelectorAll("g.node")) {
    check([...g.querySelectorAll("polygon, path, ellipse")], [...g.querySelectorAll("text")]);
  }
  const graph = svg.querySelector("g.graph");  // 图的标题须在画布之内. The caption stays on the canvas.
  const own = (tag) => [...graph.children].filter((el) => el.tagName === tag);
  check(own("polygon"), own("text"));
  return {bad, checked};
}"""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                         if route.request.url.startswith("file://") else route.abort()))
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()


def total(page, name: str) -> str:
    """累计梯度表中某个节点的值. A node's value in the running-totals table."""
    row = page.locator(".mgcn-side tr", has=page.locator(f'td:text-is("∂e/∂{name}")'))
    return row.locator("td").nth(1).inner_text()


def box_grad(page, index: int) -> str:
    """图中第 index 个方框里梯度那一行的文字. The grad row drawn in box ``node-<index>``."""
    return page.locator(f'[id="node-{index}"] text').nth(2).text_content()


def test_player_steps_through_the_five_events(pure, page, tmp_path):
    path = export_html(e_graph()["e"], tmp_path / "e.html", interval_ms=40)
    page.goto(path.as_uri())
    counter = page.locator(".mgcn-counter")
    assert counter.inner_text() == "第 0 / 5 步"
    assert total(page, "b") == "?" and box_grad(page, 1) == "梯度 grad = ?"
    for clicks, b_total in ((1, "?"), (2, "?"), (3, "?"), (4, "2"), (5, "5")):
        page.click('[data-act="next"]')
        assert counter.inner_text() == f"第 {clicks} / 5 步"
        assert total(page, "b") == b_total and box_grad(page, 1) == f"梯度 grad = {b_total}"
    assert total(page, "a") == "2" and total(page, "d") == "3"
    assert page.locator(".mgcn-equation").inner_text() == "第 5/5 步: ∂e/∂b += ∂e/∂d · ∂d/∂b = 3 × 1 = 3 （累计 5）"
    assert page.locator('[id="d-3-0"]').get_attribute("class") == "edge mgcn-active"
    page.click('[data-act="next"]')  # 最后一步之后不再前进. Stays on the last step.
    assert counter.inner_text() == "第 5 / 5 步"
    page.keyboard.press("ArrowLeft")
    assert counter.inner_text() == "第 4 / 5 步" and total(page, "b") == "2"
    page.keyboard.press(" ")
    assert total(page, "b") == "5"
    page.keyboard.press("Home")
    assert counter.inner_text() == "第 0 / 5 步" and box_grad(page, 4) == "梯度 grad = ?"
    page.click('[data-act="play"]')
    page.wait_for_function("document.querySelector('.mgcn-player').dataset.step === '5'", timeout=5000)
    assert total(page, "b") == "5"
    assert all(url.startswith("file://") for url in page.requests)


def test_without_javascript_the_final_graph_and_every_step_show(pure, browser, tmp_path):
    path = export_html(e_graph()["e"], tmp_path / "e.html")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(path.as_uri())
    picture = page.locator(".mgcn-static-view img")
    assert picture.is_visible() and not page.locator(".mgcn-toolbar").count()
    assert picture.evaluate("img => img.naturalWidth") > 300  # 图片真的画出来了 the picture really draws
    steps = page.locator("details li")  # 步骤列表是展开的. The list of steps is open.
    assert steps.count() == 5 and all(steps.nth(k).is_visible() for k in range(5))
    assert "jupyter trust" in page.locator(".mgcn-static-only").first.inner_text()
    page.goto(picture.get_attribute("src"))  # 反向传播结束时的梯度 the gradients after the backward pass
    assert "梯度 grad = 5" in page.content()
    context.close()


# 投影检查: 1366×768 下每个文字的屏幕字号, 每个方框的位置, 视口与当前边的矩形.
# Projector check at 1366×768: on-screen font sizes, box positions, viewport and active-edge rectangles.
MEASURE = """() => {
  const svg = document.querySelector('.mgcn-viewport svg');
  let smallest = Infinity;
  for (const t of svg.querySelectorAll('text')) {
    if (t.textContent.trim()) {
      smallest = Math.min(smallest, parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a);
    }
  }
  const boxes = [...svg.querySelectorAll('g.node')].map((g) => [g.id, g.getBBox().x, g.getBBox().y]);
  const rect = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const active = svg.querySelector('g.edge.mgcn-active[id^="d-"]');
  return {smallest, boxes, viewport: rect(document.querySelector('.mgcn-viewport')),
          active: active ? rect(active.querySelector('text')) : null,
          equation: document.querySelector('.mgcn-equation').textContent,
          mark: document.querySelector('.mgcn-player').dataset.scale,
          step: Number(document.querySelector('.mgcn-player').dataset.step)};
}"""


def test_the_two_layer_network_reads_on_a_projector(pure, browser, tmp_path):
    network = examples.mazur_network()
    error, _ = examples.mazur_forward(network)
    steps = mg.backward_steps(error)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(export_html(steps, tmp_path / "net.html", params=network.parameters()).as_uri())
    first = page.evaluate(MEASURE)
    assert first["smallest"] >= 12  # 图中没有小于 12 px 的字. No text under 12 px.
    for k in (1, 5, 9, 14, 20, len(steps)):
        page.evaluate(f"document.querySelector('.mgcn-player').mgcnPlayer.show({k}, false)")
        now = page.evaluate(MEASURE)
        assert now["step"] == k and now["boxes"] == first["boxes"]  # 方框从不移动. Boxes never move.
        assert now["smallest"] >= 12, k  # 每一步都不小于 12 px. Every step at 12 px or more.
        # 两端相距太远的一步 (9, 14, 19) 分屏, 两端各在一半 (test_player_screen 逐步检查); 其余的边上的数在视野中.
        # Far-apart ends (9, 14, 19) split the view, each end in its half (checked step by step in
        # test_player_screen); otherwise the edge's number is in view.
        if now["mark"] != "split":
            left, top, right, bottom = now["viewport"]
            a_left, a_top, a_right, a_bottom = now["active"]
            assert left <= a_left and a_right <= right and top <= a_top and a_bottom <= bottom, k  # 跟随 follow
        assert now["equation"] == f"第 {k}/{len(steps)} 步: {steps[k - 1].equation()}"
    context.close()


def test_chinese_labels_fit_their_boxes_in_the_browser(pure, page, tmp_path):
    rate = mg.Value(0.05, "学习率")
    weight = mg.Value(-1.25, "权重")
    step = rate * weight
    step.label = "更新量乘以梯度"
    loss = (step + 1).tanh()
    loss.label = "损失函数的值"
    loss.backward()
    pictures = [to_svg(draw_dot(loss, show_index=True, layered=True)), frames(loss)[2].svg(),
                player_data(loss).svg]
    body = "".join(svg[svg.find("<svg"):] for svg in pictures)
    (tmp_path / "labels.html").write_text(f"<!DOCTYPE html><meta charset='utf-8'><body>{body}</body>",
                                          encoding="utf-8")
    page.goto((tmp_path / "labels.html").as_uri())
    drawn, frame, player = (page.evaluate(OVERFLOWS, svg) for svg in page.query_selector_all("svg"))
    assert drawn["checked"] == 5 * 4 + 3 and drawn["bad"] == []
    # 含中文标题与发送者、接收者的角色标签. With the Chinese caption and the two role tags.
    assert frame["checked"] == 5 * 3 + 3 + 1 + 2 and frame["bad"] == []
    assert player["checked"] == 5 * 3 + 3 and player["bad"] == []
    page.goto(export_html(e_graph()["e"], tmp_path / "e.html").as_uri())
    for step_index in range(6):  # 每一步的文字都放得进排版时留出的方框. Every step's text fits the one layout.
        result = page.evaluate(OVERFLOWS, page.query_selector(".mgcn-viewport svg"))
        assert result["checked"] == 5 * 3 + 3 and result["bad"] == [], step_index
        page.keyboard.press("ArrowRight")


def test_the_neuron_view_reads_like_the_textbook_figure(pure, browser, tmp_path):
    network = examples.mazur_network()
    error, _ = examples.mazur_forward(network)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(export_html(error, tmp_path / "net.html").as_uri())
    page.click('[data-act="view"]')
    neurons = page.locator(".mgcn-viewport svg:visible g.node[id^='neuron-']")
    assert neurons.count() == 4
    titles = {neurons.nth(k).locator("text").first.text_content() for k in range(4)}
    assert titles == {"h1 (第 1 层)", "h2 (第 1 层)", "o1 (第 2 层)", "o2 (第 2 层)"}
    for _ in range(18):  # 第 18 步: net_o2 把梯度送给 out_h1, 即神经元 o2 → h1. Step 18: neuron o2 sends to h1.
        page.keyboard.press("ArrowRight")
    assert "∂E_total/∂out_h1 += ∂E_total/∂net_o2" in page.locator(".mgcn-equation").inner_text()
    receiver = page.locator(".mgcn-viewport svg:visible .mgcn-receiver")
    assert receiver.locator("text").first.text_content() == "h1 (第 1 层)"
    assert receiver.locator("text").nth(2).text_content() == "梯度 grad = 0.03635"
    receiver.click()  # 展开神经元 h1 open neuron h1
    assert page.locator('.mgcn-viewport svg:visible [id="node-0"]').count() == 1  # 全部节点视图 the full view
    assert page.locator(".mgcn-viewport svg:visible .mgcn-selected text").first.text_content() == "out_h1"
    context.close()


def test_the_quiz_diagnoses_a_missing_path_and_accepts_the_right_answer(pure, page, tmp_path):
    page.goto(export_html(e_graph()["e"], tmp_path / "quiz.html", quiz=True).as_uri())
    assert page.locator(".mgcn-score").inner_text() == "答对 0 / 5"
    assert page.locator('[data-act="next"]').is_hidden() and box_grad(page, 4) == "梯度 grad = ?"
    page.locator('[id="node-1"]').click()  # b
    answer, feedback = page.locator(".mgcn-answer input"), page.locator(".mgcn-feedback")
    answer.fill("2")
    answer.press("Enter")
    assert feedback.get_attribute("data-kind") == "missing_path"
    assert "漏了经过 d 的路径" in feedback.inner_text() and "a path is missing" in feedback.inner_text()
    assert page.locator('[id="d-3-0"]').get_attribute("class") == "edge mgcn-hot"  # d→b 这条边 the edge d→b
    answer.fill("-5")
    answer.press("Enter")
    assert feedback.get_attribute("data-kind") == "sign"
    answer.fill("7")  # (2+1) + (3+1): 把局部导数加上而不是乘上 added instead of multiplied
    answer.press("Enter")
    assert feedback.get_attribute("data-kind") == "added_locals"
    answer.fill("11")
    answer.press("Enter")
    assert feedback.inner_text().startswith("还不对") and page.locator(".mgcn-hot").count() == 0
    answer.fill("5")
    answer.press("Enter")
    assert "✔ 对了" in feedback.inner_text() and "∂e/∂b = 5" in feedback.inner_text()
    assert "∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2×1 + 3×1 = 5" in feedback.inner_text()  # 讲解 the explanation
    assert box_grad(page, 1) == "梯度 grad = 5" and page.locator(".mgcn-score").inner_text() == "答对 1 / 5"
    page.locator(".mgcn-term").nth(1).hover()  # 指向一项, 它的边亮起. Hovering a term lights its edge.
    assert "mgcn-hot" in page.locator('[id="d-3-0"]').get_attribute("class")
    for node, value in ((4, "1"), (2, "2"), (3, "3"), (0, "2")):
        page.locator(f'[id="node-{node}"]').click()
        page.locator(".mgcn-answer input").fill(value)
        page.locator(".mgcn-answer input").press("Enter")
    assert page.locator(".mgcn-score").inner_text() == "答对 5 / 5"
    assert page.locator(".mgcn-row-selected").count() == 1 and page.locator(".mgcn-selected").count() == 1
    assert "答对 5 / 5, 其中 4 个一次答对" in page.locator(".mgcn-equation").inner_text()
    page.click('[data-act="reveal-all"]')  # 回到逐步播放 back to stepping
    assert page.locator(".mgcn-counter").inner_text() == "第 5 / 5 步"
    assert all(url.startswith("file://") for url in page.requests)
