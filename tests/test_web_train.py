"""训练页端到端 (断网的无头 Chromium, 真正的 serve 与 Pyodide 里的 micrograd_cn): TensorFlow Playground 的功能.

The training page end to end, in headless Chromium with every other host cut
off (the site, the server and the fixtures of ``test_web.py``): steps and
epochs, both losses, the heatmap of every neuron, an exact pause, no lost
clicks, the loss history sent incrementally, settings refused by their
visible label, and text of at least 12 px on a projector and on a phone.
Nothing here is timed: speed is reported by ``benchmarks/bench_train_page.py``.
"""
# ruff: noqa: F811  (pytest 的 fixture 作参数. Fixtures as parameters.)

from __future__ import annotations

import re

import pytest

# 站点、服务器与浏览器标签页的 fixture 来自 test_web.py. The site, server and tab fixtures of test_web.py.
from test_web import LONGEST_GAP, SMALLEST_TEXT, built_site, open_page, site_url, tab, wait_ready  # noqa: F401

NEVER = ("undefined", "NaN", "null", "[object", "Value(", "+₃")
"""页面上永远不该出现的字. Text that must never be visible."""

VISIBLE_TEXT = """() => {
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (el && !el.closest("[hidden]") && el.getClientRects().length) parts.push(walker.currentNode.textContent);
  }
  return parts.join(" ") + " " + [...document.querySelectorAll("input")].map((i) => i.value).join(" ");
}"""

# 设置里每个标签只占一行, 每个下拉框的每个选项都放得下. Labels on one line; every option fits its select.
SETTINGS_FIT = """() => {
  const problems = [];
  for (const span of document.querySelectorAll(".tr-settings .field > span")) {
    const range = document.createRange();
    range.selectNodeContents(span);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size !== 1) problems.push(`wrapped label ${span.textContent}`);
  }
  const measure = document.createElement("canvas").getContext("2d");
  for (const select of document.querySelectorAll(".tr-settings select")) {
    const style = getComputedStyle(select);
    measure.font = `${style.fontSize} ${style.fontFamily}`;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    for (const option of select.options) {
      if (measure.measureText(option.textContent).width > room) problems.push(`cut option ${option.textContent}`);
    }
  }
  return problems;
}"""

# 所有控件: 每一帧画面出来的请求与回答 (包在 Worker 外面记下). Every worker request and reply, recorded.
RECORD_WORKER = """(() => {
  const Original = window.Worker;
  window.workerLog = [];
  window.Worker = function (...args) {
    const worker = new Original(...args);
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message) => { window.workerLog.push(["request", message.request]); post(message); };
    worker.addEventListener("message", (event) => {
      if (event.data.type === "reply") window.workerLog.push(["reply", JSON.parse(event.data.reply)]);
    });
    return worker;
  };
})();"""


def open_train(page, site_url, query=""):
    page.goto(site_url + "train.html" + query)
    wait_ready(page)
    page.wait_for_selector("body[data-steps='0']")


def visible_text(page):
    return page.evaluate(VISIBLE_TEXT)


def assert_clean(page):
    text = visible_text(page)
    for word in NEVER:
        assert word not in text, f"{word!r} is visible"


def test_each_step_is_a_batch_of_10_with_steps_epochs_and_both_losses(tab, site_url):
    open_train(tab, site_url)
    assert tab.input_value("#batch") == "10" and tab.input_value("#test-share") == "50"
    assert tab.get_attribute("body", "data-points") == "200" and tab.inner_text("#epochs-count") == "0"
    for k in range(1, 11):  # 100 个训练点, 每批 10 个: 第 10 步完成一轮. 100 training points: 10 steps an epoch.
        tab.click("#step")
        tab.wait_for_selector(f"body[data-steps='{k}']")
        assert tab.inner_text("#epochs-count") == ("1" if k == 10 else "0")
        assert tab.get_attribute("body", "data-history") == str(k + 1)
        assert float(tab.inner_text("#train-loss")) > 0 and float(tab.inner_text("#test-loss")) > 0
    assert re.fullmatch(r"\d+\.\d %", tab.inner_text("#accuracy"))
    assert_clean(tab)


def test_every_neuron_is_drawn_as_its_heatmap_with_a_colour_legend(tab, site_url):
    open_train(tab, site_url, "?layers=2&width=3")
    units = tab.locator("#network .unit")
    assert units.count() == 2 + 3 + 3 + 1
    maps = tab.evaluate("""() => [...document.querySelectorAll('#network .unit canvas')].map((canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set();
      for (let k = 0; k < data.length; k += 4) colours.add(`${data[k]},${data[k + 1]},${data[k + 2]}`);
      return [canvas.width, colours.size];
    })""")
    grid = maps[0][0]
    assert grid >= 12 and all(size == grid for size, _ in maps)
    assert all(colours > 3 for _, colours in maps)  # 每个热图都有颜色的变化. Every heatmap varies.
    assert [tab.inner_text(s) for s in (".scale-labels span:nth-child(1)", ".scale-labels span:nth-child(3)")] \
        == ["−1", "+1"]
    assert "测试点" in tab.inner_text(".tr-output .legend") and "训练损失" in tab.inner_text(".tr-output")


def test_clicking_every_neuron_shows_its_named_local_graph(tab, site_url):
    open_train(tab, site_url, "?layers=2&width=3")
    tab.click("#step")
    tab.wait_for_selector("body[data-steps='1']")
    for button in tab.locator("#network button.unit").all():
        layer, index = button.get_attribute("data-layer"), button.get_attribute("data-index")
        button.click()
        tab.wait_for_selector(f"#neuron[data-layer='{layer}'][data-index='{index}'] #neuron-graph svg")
        graph = tab.text_content("#neuron-graph svg")
        assert f"z⁽{'¹²³'[int(layer) - 1]}⁾" in graph and "梯度 grad" in graph
        assert not re.search(r"[+×·][₀-₉]", graph)  # 没有无名的和 (+₃₃). No unnamed sums.
        assert tab.locator("#network button.unit.selected").count() == 1
        assert_clean(tab)


def test_pause_stops_exactly_at_the_step_on_screen(tab, site_url):
    open_train(tab, site_url, "?layers=1&width=4")
    tab.click("#play")
    tab.wait_for_function("Number(document.body.dataset.steps) >= 30", timeout=60_000)
    worst_gap = tab.evaluate(LONGEST_GAP)  # 训练在 worker 里: 页面不卡. Training runs in the worker.
    assert worst_gap < 400, f"the page froze for {worst_gap:.0f} ms"
    shown = tab.evaluate("""() => {
      document.querySelector('#play').click();
      return [document.body.dataset.steps, document.querySelector('#train-loss').textContent,
              document.querySelector('#epochs-count').textContent];
    }""")
    tab.wait_for_selector("body[data-playing='0']")
    assert tab.inner_text("#play") == "▶ 训练"
    after = [tab.get_attribute("body", "data-steps"), tab.inner_text("#train-loss"), tab.inner_text("#epochs-count")]
    assert after == shown
    tab.wait_for_timeout(500)
    assert tab.get_attribute("body", "data-steps") == shown[0]
    tab.click("#step")  # worker 里的模型正停在屏幕上的那一步. The worker's model is at the shown step.
    tab.wait_for_selector(f"body[data-steps='{int(shown[0]) + 1}']")


def test_clicks_while_training_are_never_lost(tab, site_url):
    open_train(tab, site_url, "?layers=1&width=4")
    tab.click("#play")
    tab.wait_for_function("Number(document.body.dataset.steps) >= 5", timeout=60_000)
    box = tab.locator("#plane").bounding_box()
    for k in range(5):
        tab.mouse.click(box["x"] + 20 + 25 * k, box["y"] + 20)
        tab.wait_for_timeout(100)
    assert tab.get_attribute("body", "data-points") == "205"  # 立即画出. Drawn at once.
    tab.click("#play")
    tab.wait_for_selector("body[data-playing='0']")
    tab.click("#step")  # 这一步的回答来自 worker: 它也有 205 个点. This reply comes from the worker.
    tab.wait_for_function("Number(document.body.dataset.views) > 0 && document.body.dataset.points === '205'")
    tab.check('input[name="mode"][value="erase"]')
    tab.mouse.click(box["x"] + 20, box["y"] + 20)
    tab.wait_for_selector("body[data-points='204']")


def test_the_loss_history_is_sent_a_piece_at_a_time(browser, site_url):
    context, page, outside, errors = open_page(browser)
    try:
        page.add_init_script(RECORD_WORKER)
        open_train(page, site_url, "?layers=1&width=4")
        page.click("#play")
        page.wait_for_function("Number(document.body.dataset.views) >= 12", timeout=60_000)
        page.click("#play")
        page.wait_for_selector("body[data-playing='0']")
        log = page.evaluate("window.workerLog")
        page_history = int(page.get_attribute("body", "data-history"))
    finally:
        context.close()
    assert outside == [] and errors == []
    requests = [message for kind, message in log if kind == "request" and message["cmd"] == "train.step"]
    replies = [message["result"] for kind, message in log if kind == "reply" and "history_from" in message["result"]]
    assert len(requests) >= 10
    assert all(len(reply["history"]) <= 1 for reply in replies[1:])  # 只有新的一条. Only the new entry.
    assert replies[-1]["history_from"] + len(replies[-1]["history"]) == page_history
    assert all(request["since"] > 0 for request in requests)


def test_invalid_settings_are_named_by_their_label_and_left_out_of_the_url(tab, site_url):
    tab.goto(site_url + "train.html?layers=9&act=swish&width=3")
    wait_ready(tab)
    tab.wait_for_selector("body[data-steps='0']")
    message = tab.inner_text("#settings-error")
    assert "「隐藏层数」必须是 1 到 4 之间的整数, 收到 9" in message and "「激活函数」没有 swish 这个选项" in message
    assert "layers" not in message and "layers=" not in tab.url and "act=" not in tab.url and "width=3" in tab.url
    assert tab.input_value("#layers") == "2" and tab.locator("#network .unit").count() == 2 + 3 + 3 + 1
    tab.fill("#width", "40")
    tab.dispatch_event("#width", "change")
    assert "「每层神经元」必须是 1 到 16 之间的整数, 收到 40" in tab.inner_text("#settings-error")
    assert tab.get_attribute("#width", "aria-invalid") == "true" and "width=40" not in tab.url
    tab.fill("#lr", "-1")
    tab.dispatch_event("#lr", "change")
    assert "「学习率」必须是 0.0001 到 10 之间的数, 收到 -1" in tab.inner_text("#settings-error")
    tab.fill("#width", "4")
    tab.dispatch_event("#width", "change")
    tab.wait_for_function("document.querySelectorAll('#network .unit').length === 2 + 4 + 4 + 1")
    assert tab.locator("#settings-error").is_hidden() and "width=4" in tab.url
    tab.fill("#l2", "0.01")
    tab.dispatch_event("#l2", "change")
    tab.wait_for_function("location.search.includes('l2=0.01')")
    assert_clean(tab)


def test_a_sample_number_out_of_range_is_refused_visibly(tab, site_url):
    open_train(tab, site_url)
    tab.click('#network button.unit[data-layer="1"][data-index="0"]')
    tab.wait_for_selector("#neuron-graph svg")
    caption = tab.inner_text("#neuron-caption")
    tab.fill("#sample", "999")
    tab.dispatch_event("#sample", "change")
    assert tab.inner_text("#sample-error") == "样本编号必须是 0 到 199 之间的整数, 收到 999"
    assert tab.get_attribute("#sample", "aria-invalid") == "true" and tab.inner_text("#neuron-caption") == caption
    tab.fill("#sample", "7")
    tab.dispatch_event("#sample", "change")
    tab.wait_for_function("document.querySelector('#neuron-caption').textContent.startsWith('样本 #7 ')")
    assert tab.locator("#sample-error").is_hidden()


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
@pytest.mark.parametrize("query", ["", "?layers=4&width=16", "?layers=4&width=16&lang=en"])
def test_every_text_is_at_least_12_px_and_nothing_is_cut_or_wrapped(browser, site_url, viewport, query, tmp_path):
    context, page, outside, errors = open_page(browser, viewport)
    try:
        open_train(page, site_url, query)
        page.click("#step")
        page.wait_for_selector("body[data-steps='1']")
        page.click('#network button.unit[data-layer="1"][data-index="0"]')
        page.wait_for_selector("#neuron-graph svg")
        smallest, where = page.evaluate(SMALLEST_TEXT)
        assert smallest >= 12, f"text smaller than 12 px: {where!r} ({smallest} px)"
        assert float(page.get_attribute("#curve", "data-font-px")) >= 12  # 曲线的刻度. The curve's tick labels.
        assert page.evaluate(SETTINGS_FIT) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport[0], f"page is {width} px wide in a {viewport[0]} px window"
        units = page.evaluate("""() => [...document.querySelectorAll('#network .unit')].map((u) => {
          const r = u.getBoundingClientRect(); return [r.width, r.height]; })""")
        assert all(w >= 28 and h >= 28 for w, h in units)  # 热图方块不缩小. Heatmaps are not shrunk.
        assert_clean(page)
        page.screenshot(path=tmp_path / f"train-{viewport[0]}.png", full_page=True)
    finally:
        context.close()
    assert outside == [] and errors == []
