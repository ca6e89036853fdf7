"""浏览器站点的基准: 站点大小、首次加载的字节数、到可交互的时间、训练页播放时每秒的步数.

Benchmark of the browser site::

    .venv/bin/python benchmarks/bench_web.py            # builds web/dist first
    .venv/bin/python benchmarks/bench_web.py --no-build --runs 5

Serves the site with the real ``serve`` code on 127.0.0.1, opens each page in
a fresh headless Chromium context (empty cache; every other host blocked) and
reports: the total size of the site, the bytes the server sent for the first
load of the page (page, worker, Pyodide, viz-js, micrograd_cn's files), the
time from navigation to interactive (the engine is ready and the first result
is on screen), the same for a reload with the browser cache warm, and the
training page's steps per second while playing, and the playground's longest
main-thread task (PerformanceObserver longtask) for a 40-term and a 512-term
expression, typed and then dragged by a slider.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from micrograd_cn.serve import SiteHandler, check_site  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
READY = {  # 页面 → 可交互的标志 (第一个结果已显示). Page → the sign that its first result is on screen.
    "playground.html": "#grads tr[data-var='b'] td",
    "train.html": "body[data-steps='0']",
}


class CountingHandler(SiteHandler):
    """记下发送的字节数的处理器. A handler that counts the bytes it sends."""

    sent: list[int] = []

    def send_header(self, keyword: str, value: str) -> None:
        if keyword == "Content-Length" and self.command == "GET":
            self.sent.append(int(value))
        super().send_header(keyword, value)


def build(dist: Path) -> None:
    spec = importlib.util.spec_from_file_location("web_build", ROOT / "web" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(dist)


def measure(browser, url: str, selector: str, counter: list[int]) -> dict[str, float]:
    """一次冷加载与一次热加载. One cold load (empty cache) and one warm reload."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    outside: list[str] = []
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                  else (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    counter.clear()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("body[data-engine=ready]", timeout=180_000)
    page.wait_for_selector(selector, timeout=60_000)
    cold = time.perf_counter() - started
    first_bytes = sum(counter)
    started = time.perf_counter()
    page.reload()
    page.wait_for_selector("body[data-engine=ready]", timeout=180_000)
    page.wait_for_selector(selector, timeout=60_000)
    warm = time.perf_counter() - started
    result = {"cold_s": cold, "warm_s": warm, "first_load_bytes": first_bytes}
    if "train" in url:
        page.click("#play")
        page.wait_for_function("Number(document.body.dataset.steps) >= 1", timeout=60_000)
        begin_steps, begin = int(page.get_attribute("body", "data-steps")), time.perf_counter()
        page.wait_for_timeout(5000)
        steps = int(page.get_attribute("body", "data-steps")) - begin_steps
        result["steps_per_s"] = steps / (time.perf_counter() - begin)
        page.click("#play")
    context.close()
    if outside:
        raise RuntimeError(f"requests to other hosts: {outside}")
    return result


# 表达式页的两个大例子: 40 项 (41 个变量) 与 512 项的和 (成对加括号, 不超过嵌套上限).
# The playground's two big cases: a 40-term expression and a 512-term sum (bracketed in pairs).
FORTY = "+".join(f"x{i}*x{i + 1}" for i in range(40))


def _pairs(names: list[str]) -> str:
    while len(names) > 1:
        names = [f"({a}+{b})" for a, b in zip(names[::2], names[1::2])]
    return names[0]


BIG_CASES = {"40-term": FORTY, "512-term": _pairs([f"x{i}" for i in range(512)])}

LONGTASKS = """() => { window.__longest = 0; window.__longtasks = 0;
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) {
    window.__longest = Math.max(window.__longest, entry.duration); window.__longtasks++; } })
    .observe({ type: "longtask", buffered: false }); }"""


def measure_longtasks(browser, base: str, text: str, moves: int = 9) -> dict[str, float]:
    """表达式页的主线程最长任务: 输入表达式直到图显示, 再拖动滑块 moves 次直到图更新.

    The longest main-thread task (PerformanceObserver longtask, ≥ 50 ms) on
    the playground while a big expression is typed and drawn, and while a
    slider is dragged ``moves`` times and the graph follows.
    """
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                  else route.abort())
    page = context.new_page()
    page.goto(base + "playground.html")
    page.wait_for_selector("body[data-engine=ready]", timeout=180_000)
    page.wait_for_selector("#grads tr[data-var='b'] td", timeout=60_000)
    page.wait_for_selector(".mgcn-viewport svg", timeout=60_000)
    page.evaluate(LONGTASKS)
    started = time.perf_counter()
    page.fill("#expr", text)
    page.wait_for_selector("#var-x1", timeout=180_000)
    page.wait_for_function("document.querySelector('.mgcn-viewport svg, #graph:not([hidden]) svg')"
                           "?.textContent.includes('x1')", timeout=180_000)
    shown = time.perf_counter() - started
    typed = page.evaluate("[window.__longest, window.__longtasks]")
    page.evaluate(LONGTASKS)
    slider = page.locator('.variable[data-name="x1"] input[type=range]')
    for k in range(moves):
        slider.evaluate(f"s => {{ s.value = {1 + (k + 1) / 10}; s.dispatchEvent(new Event('input')); }}")
        page.wait_for_timeout(50)
    last = f"{1 + moves / 10:g}"
    page.wait_for_function(f"document.querySelector('#var-x1').value === '{last}'")
    page.wait_for_function("document.querySelector('.mgcn-viewport svg, #graph:not([hidden]) svg')"
                           f"?.textContent.includes('data = {last}')", timeout=180_000)
    dragged = page.evaluate("[window.__longest, window.__longtasks]")
    context.close()
    return {"shown_s": shown, "typed_longest_ms": typed[0], "typed_longtasks": typed[1],
            "drag_longest_ms": dragged[0], "drag_longtasks": dragged[1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="use web/dist as it is")
    parser.add_argument("--runs", type=int, default=3, help="loads per page (median reported)")
    parser.add_argument("--playground-only", action="store_true", help="only the playground's longest tasks")
    args = parser.parse_args(argv)
    dist = ROOT / "web" / "dist"
    if not args.no_build:
        build(dist)
    site = check_site(dist)
    files = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*") if p.is_file()}
    print(f"站点 site: {len(files)} files, {sum(files.values()) / 1e6:.2f} MB")
    for name, size in sorted(files.items(), key=lambda item: -item[1])[:8]:
        print(f"  {size / 1e6:7.3f} MB  {name}")

    counter: list[int] = []
    handler = type("Handler", (CountingHandler,), {"root": site, "quiet": True, "sent": counter})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for page, selector in ({} if args.playground_only else READY).items():
                runs = [measure(browser, base + page, selector, counter) for _ in range(args.runs)]
                cold = ", ".join(f"{r['cold_s']:.2f}" for r in runs)
                line = (f"{page:16s} first load {statistics.median(r['first_load_bytes'] for r in runs) / 1e6:.2f} MB, "
                        f"interactive {statistics.median(r['cold_s'] for r in runs):.2f} s cold (runs: {cold}), "
                        f"{statistics.median(r['warm_s'] for r in runs):.2f} s cached")
                if "steps_per_s" in runs[0]:
                    line += f", playing {statistics.median(r['steps_per_s'] for r in runs):.0f} steps/s"
                print(line, flush=True)
            for name, text in BIG_CASES.items():
                r = measure_longtasks(browser, base, text)
                print(f"playground {name:9s} shown in {r['shown_s']:.1f} s; longest main-thread task "
                      f"{r['typed_longest_ms']:.0f} ms while typing ({r['typed_longtasks']} long tasks), "
                      f"{r['drag_longest_ms']:.0f} ms over 9 slider moves ({r['drag_longtasks']} long tasks)",
                      flush=True)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
