"""浏览器站点端到端: 构建 (npm ci + web/build.py), 用真正的 serve 提供, 在无头 Chromium 中断网使用.

The browser site end to end: built once per test session (``npm ci`` and
``web/build.py``), served on 127.0.0.1 by the real ``serve`` code, and used in
real headless Chromium with every request to any other host aborted (and
counted: none may be attempted).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import require, require_module, site_server

ROOT = Path(__file__).resolve().parent.parent
LOAD_TIMEOUT = 120_000  # ms: Pyodide 在繁忙的 2 核机器上也能加载完. Enough for Pyodide on a busy 2-core machine.

# 页面上所有可见文字中最小的字号 (px). The smallest font size of any visible text on the page.
SMALLEST_TEXT = """() => {
  let smallest = Infinity, where = "";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest("[hidden]") || el.closest("svg.graph-svg")) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest) { smallest = size; where = node.textContent.trim().slice(0, 30); }
  }
  return [smallest, where];
}"""


# 1.5 秒内主线程上相邻两次计时器回调的最长间隔 (ms). The longest gap between timer ticks over 1.5 s.
LONGEST_GAP = """() => new Promise((resolve) => {
  let last = performance.now(), worst = 0;
  const id = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last); last = now; }, 20);
  setTimeout(() => { clearInterval(id); resolve(worst); }, 1500);
})"""


def load_build_script():
    spec = importlib.util.spec_from_file_location("web_build", ROOT / "web" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """整个测试会话只构建一次 (别的测试模块导入这个 fixture 时也是). Built once per test session, also when
    another test module imports this fixture."""
    require(shutil.which("npm") is not None, "npm is not installed")
    require_module("graphviz")
    dist = tmp_path_factory.getbasetemp() / "web-site" / "dist"
    if not (dist / "build.json").is_file():
        load_build_script().build(dist)
    return dist


@pytest.fixture(scope="module")
def site_url(built_site):
    with site_server(built_site) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/"


def open_page(browser, viewport=(1366, 768)):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    outside: list[str] = []

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, outside, errors


@pytest.fixture
def tab(browser):
    context, page, outside, errors = open_page(browser)
    yield page
    context.close()
    assert outside == [], f"requests to other hosts: {outside}"
    assert errors == []


def wait_ready(page):
    page.wait_for_selector("body[data-engine=ready]", timeout=LOAD_TIMEOUT)


def test_the_site_holds_the_real_package_and_stays_under_20_mb(built_site):
    files = {p.relative_to(built_site).as_posix(): p.stat().st_size for p in built_site.rglob("*")
             if p.is_file() and p.suffix != ".gz"}  # .gz: 压缩副本 compressed copies
    versions = json.loads((built_site / "build.json").read_text(encoding="utf-8"))
    pyodide, viz = f"pyodide/{versions['pyodide']}/", f"viz/{versions['viz']}/"
    assert versions["versioned"] == [pyodide, viz]
    assert {"index.html", "playground.html", "train.html", "worker.js", viz + "viz-global.js",
            pyodide + "pyodide.mjs", pyodide + "pyodide.asm.wasm", pyodide + "python_stdlib.zip",
            "py/micrograd_cn.zip"} <= set(files)
    assert not any(name.endswith((".map", ".d.ts", ".html")) and name.startswith("pyodide/") for name in files)
    assert f'"./{pyodide}pyodide.mjs"' in (built_site / "worker.js").read_text(encoding="utf-8")
    assert sum(files.values()) <= 20 * 1024 * 1024
    with zipfile.ZipFile(built_site / "py" / "micrograd_cn.zip") as archive:
        names = set(archive.namelist())
        assert "graphviz/__init__.py" in names
        for path in (ROOT / "micrograd_cn").rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            assert archive.read(name) == path.read_bytes(), name  # 原样的包文件. The package files, unchanged.
    for page in ("index.html", "playground.html", "train.html", "common.js", "worker.js", "site.css"):
        text = (built_site / page).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text.replace("http://www.w3.org/2000/svg", ""), page


def test_typing_the_seed_expression_shows_the_gradient_and_the_five_steps(tab, site_url):
    tab.goto(site_url + "playground.html?e=a*b&v=a:0,b:0")
    wait_ready(tab)
    tab.wait_for_selector('#grads tr[data-var="b"]')
    tab.fill("#expr", "(a+b)*(b+1)")
    tab.fill("#var-a", "2")
    tab.fill("#var-b", "1")
    # 新的表达式从第 0 步开始, 表跟着步骤走. A new expression starts at step 0; the table follows the step.
    tab.wait_for_function("document.querySelector('.mgcn-player .mgcn-counter')?.textContent === '第 0 / 5 步'")
    assert tab.inner_text('#grads tr[data-var="b"] td') == "?"
    tab.click(".mgcn-player [data-act=last]")
    tab.wait_for_function("document.querySelector('#grads tr[data-var=\"b\"] td')?.textContent === '5'")
    assert tab.inner_text('#grads tr[data-var="b"] th') == "∂e/∂b"
    assert tab.inner_text('#grads tr[data-var="a"] td') == "2"
    assert tab.inner_text("#grads .value-row td") == "6"
    steps = tab.locator("#steps li")
    assert steps.count() == 5
    assert steps.nth(4).inner_text() == "∂e/∂b += ∂e/∂(b+1) · ∂(b+1)/∂b = 3 × 1 = 3 （累计 5）"
    # 播放器 (micrograd_cn/viz/assets/player.js), 图由 viz-js 排版. The one player, laid out by viz-js.
    tab.wait_for_function("document.querySelector('.mgcn-player .mgcn-counter')?.textContent === '第 5 / 5 步'")
    assert "梯度 grad = 5" in tab.text_content(".mgcn-viewport svg")
    tab.click(".mgcn-player [data-act=first]")
    assert tab.inner_text(".mgcn-player .mgcn-counter") == "第 0 / 5 步"
    assert "梯度 grad = ?" in tab.text_content(".mgcn-viewport svg")
    for _ in range(5):
        tab.click(".mgcn-player [data-act=next]")
    assert tab.inner_text(".mgcn-player .mgcn-counter") == "第 5 / 5 步"
    assert tab.inner_text(".mgcn-equation").endswith("= 3 × 1 = 3 （累计 5）")
    tab.wait_for_function("location.search.includes('step=5')")
    assert "e=%28a%2Bb%29*%28b%2B1%29" in tab.url
    tab.click("#steps li[data-step='2']")  # 步骤列表也能跳到某一步. The list jumps to a step too.
    assert tab.inner_text(".mgcn-player .mgcn-counter") == "第 2 / 5 步"
    tab.wait_for_function("location.search.includes('step=2')")


def test_a_link_reproduces_the_exercise_and_the_language_switches(tab, site_url):
    tab.goto(site_url + "playground.html?e=x*y&v=x:3,y:4&step=1&lang=en")
    wait_ready(tab)
    tab.wait_for_function("document.querySelector('#grads tr[data-var=\"x\"] td')?.textContent === '4'")
    assert tab.input_value("#expr") == "x*y" and tab.input_value("#var-y") == "4"
    tab.wait_for_selector(".mgcn-player .mgcn-equation")
    assert tab.inner_text(".mgcn-equation").startswith("step 1/2: ∂e/∂x += ∂e/∂e")
    assert tab.inner_text("nav a[aria-current]") == "Expression playground"
    assert tab.get_attribute("html", "lang") == "en"
    tab.click("#lang-toggle")
    tab.wait_for_function("document.querySelector('.mgcn-counter')?.textContent === '第 1 / 2 步'")
    assert "lang=" not in tab.url and tab.inner_text("nav a[aria-current]") == "表达式与反向传播"
    assert tab.get_attribute("nav a[href^='train.html']", "href") == "train.html"


def test_a_refused_expression_shows_the_parsers_message(tab, site_url):
    tab.goto(site_url + "playground.html")
    wait_ready(tab)
    tab.wait_for_selector('#grads tr[data-var="b"]')
    tab.fill("#expr", "__import__('os').system('ls')")
    tab.wait_for_selector("#error:not([hidden])")
    assert "不能调用" in tab.inner_text("#error")


def test_quiz_mode_is_the_players_answering_quiz(tab, site_url):
    tab.goto(site_url + "playground.html?quiz=1")
    wait_ready(tab)
    tab.wait_for_selector(".mgcn-player .mgcn-score")
    assert tab.inner_text(".mgcn-score") == "答对 0 / 5"
    assert tab.inner_text('#grads tr[data-var="b"] td') == "?" and tab.locator("#steps").is_hidden()
    tab.locator('.mgcn-viewport [id="node-1"]').click()  # b
    answer, feedback = tab.locator(".mgcn-answer input"), tab.locator(".mgcn-feedback")
    answer.fill("2")
    answer.press("Enter")
    assert feedback.get_attribute("data-kind") == "missing_path"  # 漏了一条路径 (忘了堆放). A path is missing.
    assert "漏了经过 b+1 的路径" in feedback.inner_text()
    answer.fill("5")
    answer.press("Enter")
    assert "对了" in feedback.inner_text() and "∂e/∂b = 5" in feedback.inner_text()
    assert tab.inner_text(".mgcn-score") == "答对 1 / 5"
    tab.click('.mgcn-player [data-act="reveal-all"]')
    tab.wait_for_function("!location.search.includes('quiz')")
    assert tab.inner_text('#grads tr[data-var="b"] td') == "5" and tab.locator("#steps li").count() == 5
    assert tab.inner_text(".mgcn-counter") == "第 5 / 5 步"


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
@pytest.mark.parametrize("page_name", ["index.html", "playground.html", "train.html"])
def test_readable_on_a_projector_and_on_a_phone(browser, site_url, viewport, page_name, tmp_path):
    context, page, outside, errors = open_page(browser, viewport)
    try:
        page.goto(site_url + page_name)
        if page_name != "index.html":
            wait_ready(page)
            page.wait_for_selector(".mgcn-viewport svg, body[data-steps='0']")
        smallest, where = page.evaluate(SMALLEST_TEXT)
        assert smallest >= 12, f"text smaller than 12 px: {where!r} ({smallest} px)"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport[0], f"page is {width} px wide in a {viewport[0]} px window"
        page.screenshot(path=tmp_path / f"{page_name}-{viewport[0]}.png")
    finally:
        context.close()
    assert outside == [] and errors == []


OTHER_HOSTS_UNREACHABLE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
"""不经 playwright 的拦截断开其他主机 (拦截会关掉缓存). Cut other hosts without routing, which turns the cache off."""


def test_a_repeat_visit_asks_only_for_pages_and_the_runtime_comes_gzip_encoded(browser, built_site):
    """第一次访问: 每个文件 200, 运行时文件以 gzip 传送; 再次访问: 带版本号的文件一个也不请求, 其余都是 304.

    First visit: every file 200, the runtime gzip-encoded; a repeat visit in
    the same browser asks for no versioned file at all and gets 304 for the
    rest.  Other hosts are cut by the browser's host resolver, not by
    playwright's routing (which turns the HTTP cache off), and any request to
    them is counted.
    """
    from conftest import CHROMIUM, CHROMIUM_ARGS

    versioned = tuple(json.loads((built_site / "build.json").read_text(encoding="utf-8"))["versioned"])
    cached = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, OTHER_HOSTS_UNREACHABLE])
    with site_server(built_site) as server:
        asked: list[tuple[str, int]] = []
        checked: list[str] = []  # 页面就绪前用 HEAD 核对文件在不在、多大 (没有正文). HEAD checks before ready: no body.
        handler = server.RequestHandlerClass.func
        handler.log_request = lambda self, code="-", size="-": (
            checked if self.command == "HEAD" else asked).append((urlsplit(self.path).path, int(code)))
        url = f"http://127.0.0.1:{server.server_address[1]}/playground.html?e=a*b&v=a:2,b:3"
        context = cached.new_context(viewport={"width": 1366, "height": 768})
        outside: list[str] = []
        errors: list[str] = []
        encodings: dict[str, str | None] = {}
        context.on("request", lambda request: urlsplit(request.url).hostname in ("127.0.0.1", None)
                   or request.url.startswith(("data:", "blob:")) or outside.append(request.url))
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda response: encodings.__setitem__(
            urlsplit(response.url).path, response.all_headers().get("content-encoding")))
        page.goto(url)
        wait_ready(page)
        page.wait_for_selector('#grads tr[data-var="b"] td')
        first = list(asked)
        assert first and all(code == 200 for _, code in first), first
        assert any(path.lstrip("/").startswith(versioned) for path, _ in first)
        wasm = next(path for path in encodings if path.endswith("pyodide.asm.wasm"))
        assert encodings[wasm] == "gzip" and encodings["/playground.html"] == "gzip"

        asked.clear()
        checked.clear()
        again = context.new_page()
        again.on("pageerror", lambda error: errors.append(str(error)))
        again.goto(url)
        wait_ready(again)
        again.wait_for_selector('#grads tr[data-var="b"] td')
        assert again.inner_text('#grads tr[data-var="a"] td') == "3"
        assert asked, "the pages are revalidated"
        assert not [path for path, _ in asked if path.lstrip("/").startswith(versioned)], asked
        # config.json 与 build.json (文件清单) 每次都取新的, 各不到 1 KB. Both fetched fresh, under 1 KB each.
        fresh = ("/config.json", "/build.json")
        assert [(path, code) for path, code in asked if code != 304 and path not in fresh] == [], asked
        assert checked, "the page checks its files (HEAD: headers only, no body)"
        context.close()
    cached.close()
    assert outside == [] and errors == []
