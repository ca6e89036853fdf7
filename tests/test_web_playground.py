"""表达式页在真实课堂里: 每个请求都有回复、出错不留旧结果、不卡住、加载失败说清楚、用起来顺手.

The playground page as a class will push it, in headless Chromium with every
request to another host aborted: every request is answered (a crash of Python
restarts the worker), an error greys the old results with a note, layout runs
off the main thread and slider moves are coalesced, a missing or truncated
file is named with its fix, and the classroom ergonomics (keys, steps, kept
view, the table following the step, the phone layout, copy link, language).
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from conftest import site_server
from test_web import LOAD_TIMEOUT, built_site, open_page, wait_ready  # noqa: F401  (fixture)

from micrograd_cn.app.browser import Session, expression_state
from micrograd_cn.backprop.trace import backward_steps
from micrograd_cn.engine import Value

FORBIDDEN = re.compile(r"undefined|NaN|null|\[object|Value\(")
SEED_URL = "playground.html?e=(a%2Bb)*(b%2B1)&v=a:2,b:1"


@pytest.fixture(scope="module")
def site_url(built_site):  # noqa: F811
    with site_server(built_site) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def tab(browser):
    context, page, outside, errors = open_page(browser)
    yield page
    context.close()
    assert outside == [], f"requests to other hosts: {outside}"
    assert errors == []


def open_seed(page, site_url, query=SEED_URL):
    page.goto(site_url + query)
    wait_ready(page)
    page.wait_for_selector(".mgcn-viewport svg", timeout=LOAD_TIMEOUT)


def visible_text(page) -> str:
    return page.evaluate("document.body.innerText")


# ---- 1. 每个请求都有回复 every request is answered -----------------------------------------------


def test_a_huge_sum_gets_an_answer_and_the_page_keeps_working(tab, site_url):
    open_seed(tab, site_url)
    tab.fill("#expr", "+".join(["a"] * 5000))  # 9,999 个字符. 9,999 characters.
    tab.wait_for_selector("body[data-result=error]", timeout=LOAD_TIMEOUT)
    message = tab.inner_text("#error")
    assert message.strip() and "undefined" not in message and "is not valid JSON" not in message
    tab.fill("#expr", "a*b+1")
    tab.wait_for_function("document.querySelector('.mgcn-counter')?.textContent === '第 0 / 3 步'",
                          timeout=LOAD_TIMEOUT)
    assert tab.get_attribute("body", "data-result") == "ok"
    assert tab.inner_text("#grads .value-row td") == "3"


def test_after_python_dies_the_worker_restarts_and_answers(tab, site_url):
    open_seed(tab, site_url)
    worker = next(w for w in tab.workers if w.url.endswith("/worker.js"))
    # 真的让 Pyodide 崩溃: JavaScript 的栈溢出. Really crash Pyodide: overflow the JavaScript stack.
    worker.evaluate("""() => { try { self.pyodide.runPython(
        "import sys\\nsys.setrecursionlimit(10**8)\\ndef f(n):\\n    return f(n + 1)\\nf(0)"); } catch (e) {} }""")
    tab.fill("#expr", "a*b")  # 这个请求碰到已经死掉的 Python. This request meets the dead Python.
    tab.wait_for_selector("body[data-result=error]", timeout=LOAD_TIMEOUT)
    assert "已重新启动" in tab.inner_text("#error")
    tab.wait_for_selector("body[data-engine=ready]", timeout=LOAD_TIMEOUT)
    assert "Python 已重新启动" in tab.inner_text("#status")
    tab.fill("#expr", "a*b*2")
    tab.wait_for_function("document.querySelector('.mgcn-counter')?.textContent === '第 0 / 3 步'",
                          timeout=LOAD_TIMEOUT)
    assert tab.inner_text("#grads .value-row td") == "4"


def test_the_python_side_passes_on_position_and_suggestion():
    state = expression_state("a+", {})
    assert state["ok"] is False and set(state) >= {"error", "position", "suggestion"}


def test_the_python_side_lays_out_top_to_bottom_for_a_phone_and_names_a_bad_direction():
    assert "rankdir=TB" in expression_state("a*b", {}, rankdir="TB")["player"]["dot"]
    reply = json.loads(Session().handle_json(json.dumps({"cmd": "expression", "text": "a", "rankdir": "XY"})))
    assert reply["ok"] is False and "rankdir" in reply["error"] and "必须" in reply["error"]


def test_the_parsers_position_and_suggested_fix_are_shown(tab, site_url):
    state = expression_state("2×a", {"a": 1.0})
    if state["position"] is None or not state["suggestion"]:
        pytest.skip("this parser gives no position or suggestion for 2×a")
    open_seed(tab, site_url)
    tab.fill("#expr", "2×a")
    tab.wait_for_selector("#fix:not([hidden])", timeout=LOAD_TIMEOUT)
    assert tab.inner_text("#error-where mark") == "2×a"[state["position"]]
    tab.click("#fix")
    tab.wait_for_selector("body[data-result=ok]", timeout=LOAD_TIMEOUT)
    assert tab.input_value("#expr") == state["suggestion"]


# ---- 2. 出错时不留旧结果 no stale results ----------------------------------------------------------


def test_an_error_greys_the_old_results_with_a_note(tab, site_url):
    open_seed(tab, site_url)
    tab.fill("#expr", "(a+b)*(b+")
    tab.wait_for_selector("body[data-result=error]", timeout=LOAD_TIMEOUT)
    assert tab.is_visible("#error") and tab.is_visible("#stale")
    assert "(a+b)*(b+1)" in tab.inner_text("#stale")
    for part in tab.locator(".pg-stale-able").all():
        assert part.evaluate("el => el.inert && Number(getComputedStyle(el).opacity) < 0.5")
    tab.fill("#expr", "(a+b)*(b+2)")
    tab.wait_for_selector("body[data-result=ok]", timeout=LOAD_TIMEOUT)
    assert tab.is_hidden("#stale") and tab.is_hidden("#error")
    for part in tab.locator(".pg-stale-able").all():
        assert part.evaluate("el => !el.inert && getComputedStyle(el).opacity === '1'")


# ---- 3. 不卡住 never frozen -------------------------------------------------------------------------


def test_layout_is_off_the_main_thread_and_slider_moves_are_coalesced(tab, site_url):
    terms = "+".join(f"x{i}*x{i + 1}" for i in range(40))
    open_seed(tab, site_url, f"playground.html?e={terms.replace('+', '%2B')}")
    tab.wait_for_selector("#var-x0")
    # viz-js 不在页面的主线程里. viz-js is not on the page's main thread.
    assert tab.evaluate("typeof window.Viz") == "undefined"
    assert any(w.url.endswith("/layout.js") for w in tab.workers)
    # 每画一次表, 表的 data-step 就写一次. Each drawing of the table writes its data-step once.
    tab.evaluate("""() => { window.__results = 0; new MutationObserver((records) => window.__results += records.length)
        .observe(document.getElementById('grads'), { attributes: true, attributeFilter: ['data-step'] }); }""")
    slider = tab.locator('.variable[data-name="x0"] input[type=range]')
    for k in range(30):  # 30 次拖动, 不等回复. Thirty moves, without waiting.
        slider.evaluate(f"s => {{ s.value = {(k + 1) / 10}; s.dispatchEvent(new Event('input')); }}")
    # 最后一次为准: x0 = 3, ∂e/∂x1 = x0 + x2 = 4. The latest wins.
    tab.wait_for_function("document.querySelector('#grads tr[data-var=\"x1\"] td').textContent === '4'",
                          timeout=LOAD_TIMEOUT)
    tab.wait_for_function("document.querySelector('.mgcn-viewport svg')?.textContent.includes('data = 3')",
                          timeout=LOAD_TIMEOUT)
    assert 0 < tab.evaluate("window.__results") < 30  # 合并了, 没有排队 30 次. Coalesced, not 30 queued results.


def pair_sum_text(n: int) -> str:
    names = [f"x{i}" for i in range(n)]
    while len(names) > 1:
        names = [f"({a}+{b})" for a, b in zip(names[::2], names[1::2])]
    return names[0]


# 大图在页面上: 只有视口附近的部件挂在图上, 文字一个不少; 长列表最后都完整. The large graph on the page.
LARGE_STATE = """() => {
  const p = document.querySelector('.mgcn-player')?.mgcnPlayer;
  if (!p || p.data.nodes.length !== 1023) return null;
  const v = p.views.all;
  return {on: v.parts.filter((part) => part.isConnected).length, parts: v.parts.length, texts: v.texts().length,
          steps: document.querySelectorAll('#steps li[data-step]').length,
          variables: document.querySelectorAll('#variables .variable').length};
}"""


def test_a_512_term_sum_is_drawn_near_the_view_and_keeps_its_player_when_a_value_changes(tab, site_url):
    open_seed(tab, site_url, "playground.html?e=" + pair_sum_text(512).replace("+", "%2B"))
    tab.wait_for_function(LARGE_STATE, timeout=LOAD_TIMEOUT)
    # 列表分几次加完. The long lists are complete once their chunks are in.
    tab.wait_for_function(f"(({LARGE_STATE})() || {{}}).steps === 1022", timeout=LOAD_TIMEOUT)
    tab.wait_for_function(f"(({LARGE_STATE})() || {{}}).variables === 512", timeout=LOAD_TIMEOUT)
    state = tab.evaluate(LARGE_STATE)
    assert state["parts"] > 3000 and 0 < state["on"] < state["parts"] / 10, state
    assert state["texts"] > 5000
    tab.evaluate("window.__player = document.querySelector('.mgcn-player').mgcnPlayer")
    slider = tab.locator('.variable[data-name="x0"] input[type=range]')
    slider.evaluate("s => { s.value = 2; s.dispatchEvent(new Event('input')); }")
    # 新的数写进同一个播放器 (没有重新挂载), 连取下的部件里的文字也是新的.
    # The new numbers go into the same player (no new mount), even in the parts taken off the page.
    tab.wait_for_function("""() => { const p = document.querySelector('.mgcn-player').mgcnPlayer;
        return p === window.__player && p.views.all.texts().some((t) => t.textContent === '数据 data = 2'); }""",
                          timeout=LOAD_TIMEOUT)
    assert tab.evaluate(LARGE_STATE)["texts"] == state["texts"]
    assert tab.inner_text('#grads tr[data-var="x0"] td') == "1"


# ---- 4. 加载失败说清楚 loading failures explained ---------------------------------------------------


def broken_copy(built, target, change):
    shutil.copytree(built, target, copy_function=os.link)  # 硬链接: 不复制 15 MB. Hard links, no 15 MB copy.
    change(target)
    return target


def site_file(dist, name):
    """站点中的一个运行时文件 (也许在带版本号的文件夹里), 连同它的 .gz 副本. A runtime file and its gzip copy."""
    path = next(p for p in sorted(dist.rglob(name)) if p.is_file())
    return path, path.with_name(path.name + ".gz")


def remove(dist, name):
    for path in site_file(dist, name):
        path.unlink(missing_ok=True)


def truncate(dist, name):
    path, packed = site_file(dist, name)
    packed.unlink(missing_ok=True)  # 只留下不完整的原文件. Only the incomplete file is left to send.
    data = path.read_bytes()
    path.unlink()  # 先断开硬链接. Break the hard link first.
    path.write_bytes(data[: len(data) // 2])


BROKEN = {  # 情形 → (文件, 说法, 怎样弄坏). Case → (file, wording, how to break it).
    "missing wasm": ("pyodide.asm.wasm", "缺少文件", remove),
    "truncated wasm": ("pyodide.asm.wasm", "不完整", truncate),
    "missing stdlib": ("python_stdlib.zip", "缺少文件", remove),
    "missing viz": ("viz-global.js", "缺少文件", remove),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_missing_or_truncated_file_is_named_with_its_fix(browser, built_site, tmp_path, case):  # noqa: F811
    name, kind, change = BROKEN[case]
    file = site_file(built_site, name)[0].relative_to(built_site).as_posix()
    site = broken_copy(built_site, tmp_path / "dist", lambda dist: change(dist, name))
    context, page, outside, errors = open_page(browser)
    try:
        with site_server(site) as server:
            page.add_init_script("""document.addEventListener('DOMContentLoaded', () => {
                window.__states = [];
                new MutationObserver(() => window.__states.push(document.body.dataset.engine))
                  .observe(document.body, { attributes: true, attributeFilter: ['data-engine'] }); });""")
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/playground.html")
            page.wait_for_selector("body[data-engine=failed]", timeout=15_000)  # 15 秒之内. Within 15 s.
            status = page.inner_text("#status")
            assert file in status and kind in status and "web/build.py" in status, status
            assert page.get_attribute("#status", "data-kind") == "error"
            page.wait_for_timeout(1000)
            assert "ready" not in page.evaluate("window.__states")  # 从来没有 "就绪". Never ready.
            assert page.get_attribute("body", "data-engine") == "failed"
            page.click("#lang-toggle")  # 英文也说出文件与修法. In English too.
            assert file in page.inner_text("#status") and "To fix" in page.inner_text("#status")
    finally:
        context.close()
    assert outside == []
    assert all(file.split("/")[-1] in error for error in errors), errors  # Pyodide 自己的报错只关于这个文件.


# ---- 5. 课堂上顺手 classroom ergonomics -------------------------------------------------------------


def expected_grads(k: int) -> dict[str, str]:
    """e = (a+b)(b+1), a=2, b=1 在第 k 步时 a, b 已知的梯度 (来自记录的反向传播). Known grads at step k."""
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    steps = backward_steps((a + b) * (b + 1))
    known = {"a": "?", "b": "?"}
    for step in list(steps)[:k]:
        if step.parent_name in known:
            known[step.parent_name] = f"{step.after:g}"
    return known


# 图中每个叶子节点 (按名字) 的梯度文字. The grad text of every leaf node in the graph, by name.
GRAPH_GRADS = """() => Object.fromEntries([...document.querySelectorAll('.mgcn-viewport g.node')]
  .map((g) => [...g.querySelectorAll('text')].map((t) => t.textContent))
  .filter((texts) => texts[0] === 'a' || texts[0] === 'b')
  .map((texts) => [texts[0], texts.find((t) => t.startsWith('梯度'))]))"""


def test_keys_work_without_a_click_and_the_table_follows_every_step(tab, site_url):
    open_seed(tab, site_url)
    tab.keyboard.press("Home")  # 没有先点一下. No click first.
    assert tab.inner_text(".mgcn-counter") == "第 0 / 5 步"
    for k in range(6):
        if k:
            tab.keyboard.press("ArrowRight")
        assert tab.inner_text(".mgcn-counter") == f"第 {k} / 5 步"
        shown = {name: tab.inner_text(f'#grads tr[data-var="{name}"] td') for name in "ab"}
        assert shown == expected_grads(k), k
        assert tab.evaluate(GRAPH_GRADS) == {name: f"梯度 grad = {value}" for name, value in shown.items()}
        assert not FORBIDDEN.search(visible_text(tab))
    tab.click("h2[data-i18n=results]")  # 点在页面别处之后也行. After a click elsewhere on the page too.
    tab.keyboard.press("ArrowLeft")
    assert tab.inner_text(".mgcn-counter") == "第 4 / 5 步"


def test_clicking_every_node_in_both_languages_shows_no_broken_text(tab, site_url):
    open_seed(tab, site_url, SEED_URL + "&step=4")
    for language in ("zh", "en"):  # 点每一个节点, 两种语言. Click every node, in both languages.
        nodes = tab.locator(".mgcn-viewport g.node")
        for i in range(nodes.count()):
            nodes.nth(i).dispatch_event("click")
            assert tab.locator(".mgcn-panel").inner_text().strip(), (language, i)
            assert not FORBIDDEN.search(visible_text(tab)), (language, i)
        if language == "zh":
            tab.click("#lang-toggle")
            tab.wait_for_function("document.querySelector('.mgcn-counter')?.textContent === 'step 4 of 5'",
                                  timeout=LOAD_TIMEOUT)


def test_a_new_expression_starts_at_step_0(tab, site_url):
    open_seed(tab, site_url)
    assert tab.inner_text(".mgcn-counter") == "第 5 / 5 步"
    tab.fill("#expr", "a*b")
    tab.wait_for_function("document.querySelector('.mgcn-counter')?.textContent === '第 0 / 2 步'",
                          timeout=LOAD_TIMEOUT)
    assert tab.inner_text('#grads tr[data-var="a"] td') == "?"
    tab.wait_for_function("location.search.includes('step=0')")


def test_zoom_pan_selection_and_step_survive_a_value_change(tab, site_url):
    open_seed(tab, site_url)
    tab.click(".mgcn-player [data-act=prev]")
    tab.click(".mgcn-player [data-act=zoom-in]")
    tab.click(".mgcn-player [data-act=zoom-in]")
    tab.locator('.mgcn-viewport [id="node-1"]').dispatch_event("click")
    tab.wait_for_timeout(400)  # 缩放动画结束. The zoom animation ends.
    view = tab.evaluate("document.querySelector('.mgcn-viewport svg').style.transform")
    tab.fill("#var-a", "3")
    tab.wait_for_function("document.querySelector('.mgcn-viewport svg')?.textContent.includes('data = 3')",
                          timeout=LOAD_TIMEOUT)
    tab.wait_for_timeout(400)
    assert tab.evaluate("document.querySelector('.mgcn-viewport svg').style.transform") == view
    assert tab.locator('.mgcn-viewport [id="node-1"]').get_attribute("class").split().count("mgcn-selected") == 1
    assert tab.inner_text(".mgcn-counter") == "第 4 / 5 步"


def test_a_phone_gets_the_graph_first_two_toolbar_rows_a_fitting_graph_and_pinch_zoom(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    page = context.new_page()
    try:
        open_seed(page, site_url)
        page.wait_for_timeout(500)
        box = page.locator(".mgcn-viewport").bounding_box()
        assert box["y"] < 844 / 2 and box["y"] + box["height"] <= 844  # 第一屏里. In the first screen.
        rows = page.evaluate("""() => {
            const tops = [...document.querySelectorAll('.mgcn-toolbar > *')].filter((e) => e.offsetParent)
              .map((e) => e.getBoundingClientRect()).map((r) => r.top + r.height / 2).sort((a, b) => a - b);
            return tops.filter((y, i) => i === 0 || y - tops[i - 1] > 12).length; }""")
        assert rows <= 2
        graph = page.locator(".mgcn-viewport svg").bounding_box()
        assert graph["x"] >= box["x"] - 1 and graph["x"] + graph["width"] <= box["x"] + box["width"] + 1
        assert graph["y"] >= box["y"] - 1 and graph["y"] + graph["height"] <= box["y"] + box["height"] + 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        scale = page.evaluate("getComputedStyle(document.querySelector('.mgcn-viewport svg')).transform")
        cdp = context.new_cdp_session(page)
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

        def touch(kind, spread):
            points = [] if kind == "touchEnd" else [{"x": cx - spread, "y": cy, "id": 1},
                                                   {"x": cx + spread, "y": cy, "id": 2}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", 20)
        for spread in range(30, 130, 10):
            touch("touchMove", spread)
        touch("touchEnd", 0)
        page.wait_for_timeout(200)
        zoomed = page.evaluate("getComputedStyle(document.querySelector('.mgcn-viewport svg')).transform")
        assert float(zoomed.split("(")[1].split(",")[0]) > float(scale.split("(")[1].split(",")[0]) * 2
    finally:
        context.close()


def test_copy_link_works_without_a_secure_context_and_uses_the_lan_address(browser, built_site, tmp_path):  # noqa: F811
    config = {"share": "http://192.168.1.5:8000/", "addresses": ["http://192.168.1.5:8000/"]}
    site = broken_copy(built_site, tmp_path / "dist", lambda d: (d / "config.json").write_text(json.dumps(config)))
    context, page, outside, errors = open_page(browser)
    try:
        with site_server(site) as server:
            # 服务器自己回答 config.json 时, 让它说出这个局域网地址 (像 --host 0.0.0.0 那样).
            # Where the server answers config.json itself, have it name this LAN address (as with --host 0.0.0.0).
            handler = getattr(server.RequestHandlerClass, "func", server.RequestHandlerClass)
            if hasattr(handler, "config"):
                handler.config = config
            page.add_init_script("""Object.defineProperty(window, 'isSecureContext', { value: false });
                window.prompt = () => { throw new Error('prompt() must not be used'); };""")
            open_seed(page, f"http://127.0.0.1:{server.server_address[1]}/")
            page.click("#share")
            page.wait_for_selector("#share-field:not([hidden])")
            link = page.input_value("#share-field")
            assert link.startswith("http://192.168.1.5:8000/playground.html?e=")
            assert page.evaluate("document.activeElement.id") == "share-field"
            assert page.evaluate("[document.activeElement.selectionStart, document.activeElement.selectionEnd]") \
                == [0, len(link)]
            assert page.inner_text("#share") in ("已复制", "请复制下面选中的链接")
    finally:
        context.close()
    assert outside == [] and errors == []


def test_the_language_toggle_translates_everything_including_the_status(tab, site_url):
    open_seed(tab, site_url)
    tab.click("#lang-toggle")
    tab.wait_for_function("document.querySelector('.mgcn-counter')?.textContent === 'step 5 of 5'",
                          timeout=LOAD_TIMEOUT)
    assert tab.inner_text("#status").startswith("Ready: micrograd_cn")
    han = re.findall(r"[\u4e00-\u9fff]+", visible_text(tab))
    assert han == ["中文"], han  # 只有切回中文的按钮. Only the button that switches back.
    tab.click("#lang-toggle")
    tab.wait_for_function("document.querySelector('.mgcn-counter')?.textContent === '第 5 / 5 步'",
                          timeout=LOAD_TIMEOUT)
    assert tab.inner_text("#status").startswith("就绪")


PIECES = """async ([text, chunk]) => {
  const { parseSvgInPieces } = await import('./common.js');
  const whole = document.createElement('div');
  whole.innerHTML = text;
  const pieces = await parseSvgInPieces(text, chunk);
  return [whole.querySelector('svg').outerHTML === pieces.outerHTML, pieces.querySelectorAll('g.node').length];
}"""


def test_a_large_picture_parsed_in_pieces_is_the_same_picture(tab, site_url):
    from test_player_screen import pair_sum

    from micrograd_cn.viz.player import player_data

    svg = player_data(pair_sum(64)).svg
    open_seed(tab, site_url)
    same, nodes = tab.evaluate(PIECES, [svg, 5000])  # 切成几十片. Cut into dozens of pieces.
    assert same and nodes == svg.count('class="node"')
