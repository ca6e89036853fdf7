"""浏览器站点的基准: 站点大小、首次与再次访问传送的字节数、到可交互的时间、40 个学生同时打开、训练页每秒的步数.

Benchmark of the browser site::

    .venv/bin/python benchmarks/bench_web.py            # builds web/dist first
    .venv/bin/python benchmarks/bench_web.py --no-build --runs 5 --students 40

Serves the site with the real ``serve`` code on 127.0.0.1 and reports:

* the size of the site and of its gzip copies;
* for each page, in a fresh headless Chromium context (empty cache; every
  other host unreachable through the browser's host resolver, not through
  playwright's routing, which would turn the HTTP cache off): the bytes the
  server sent for the first visit (headers and bodies; targets: at most
  8 MB) and the time to interactive (the engine ready and the first result on
  screen), then the same for a repeat visit in the same browser (target: at
  most 200 KB);
* a class: ``--students`` simulated students (plain HTTP clients with
  keep-alive that accept gzip, like a browser) loading the playground's files
  at once from one server: how many succeeded, the bytes and the seconds;
* the training page's steps per second while playing;
* the playground's longest main-thread task (PerformanceObserver longtask)
  for a 40-term and a 512-term expression, typed and then dragged by a slider.

The figures are printed, not asserted: the tests check the headers, 304s and
encodings, the benchmark reports the numbers.
"""

from __future__ import annotations

import argparse
import http.client
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

from micrograd_cn.app.serve import SiteHandler, check_site, versioned_folders  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
READY = {  # 页面 → 可交互的标志 (第一个结果已显示). Page → the sign that its first result is on screen.
    "playground.html": "#grads tr[data-var='b'] td",
    "train.html": "body[data-steps='0']",
}
FIRST_VISIT_TARGET = 8e6  # 字节 bytes
REPEAT_VISIT_TARGET = 200e3


class CountingHandler(SiteHandler):
    """记下发送的字节数 (头与内容) 和请求的路径. A handler that counts the bytes it sends and the paths asked."""

    sent: list[int] = []
    paths: list[str] = []

    def flush_headers(self) -> None:
        self.sent.append(sum(len(line) for line in getattr(self, "_headers_buffer", [])))
        self.paths.append(urlsplit(self.path).path)
        super().flush_headers()

    def send_header(self, keyword: str, value: str) -> None:
        if keyword == "Content-Length" and self.command == "GET":
            self.sent.append(int(value))
        super().send_header(keyword, value)


def build(dist: Path) -> None:
    spec = importlib.util.spec_from_file_location("web_build", ROOT / "web" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(dist)


def visit(page, url: str, selector: str) -> float:
    """打开页面直到第一个结果出现, 返回秒数. Open a page until its first result shows; return seconds."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("body[data-engine=ready]", timeout=180_000)
    page.wait_for_selector(selector, timeout=60_000)
    return time.perf_counter() - started


def measure(browser, url: str, selector: str, sent: list[int], paths: list[str]) -> dict[str, float]:
    """一次首次访问与一次再次访问 (同一浏览器, 新标签页). A first visit and a repeat visit in the same browser."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    outside: list[str] = []
    context.on("request", lambda request: urlsplit(request.url).hostname in ("127.0.0.1", None)
               or outside.append(request.url))
    sent.clear()
    paths.clear()
    first = context.new_page()
    cold = visit(first, url, selector)
    result = {"cold_s": cold, "first_bytes": sum(sent), "first_paths": sorted(set(paths))}
    first.close()  # 它的 worker 不再和再次访问争 CPU. Its worker no longer competes with the repeat visit.
    sent.clear()
    page = context.new_page()
    result["warm_s"] = visit(page, url, selector)
    result["repeat_bytes"] = sum(sent)
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


def student(port: int, paths: list[str], start: threading.Barrier, results: list[tuple[bool, int, float]]) -> None:
    """一个学生: 一条保持的连接, 接受 gzip, 依次取首次访问的每个文件. One student on one kept-alive connection."""
    received, ok = 0, True
    start.wait()
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        for path in paths:
            connection.request("GET", path, headers={"Accept-Encoding": "gzip, deflate, br"})
            response = connection.getresponse()
            body = response.read()
            ok = ok and response.status == 200 and len(body) == int(response.getheader("Content-Length", -1))
            received += len(body)
    except OSError:
        ok = False
    finally:
        connection.close()
    results.append((ok, received, time.perf_counter() - began))


def classroom(port: int, paths: list[str], students: int) -> tuple[int, int, float, float]:
    """students 个学生同时打开: (成功人数, 总字节, 总秒数, 最慢一人的秒数). A class loading at once."""
    start = threading.Barrier(students + 1)
    results: list[tuple[bool, int, float]] = []
    threads = [threading.Thread(target=student, args=(port, paths, start, results)) for _ in range(students)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - began
    return sum(ok for ok, _, _ in results), sum(size for _, size, _ in results), total, max(s for _, _, s in results)


# 表达式页的两个大例子: 40 项 (41 个变量) 与 512 项的和 (成对加括号, 不超过嵌套上限).
# The playground's two big cases: a 40-term expression and a 512-term sum (bracketed in pairs).
FORTY = "+".join(f"x{i}*x{i + 1}" for i in range(40))


def _pairs(names: list[str]) -> str:
    while len(names) > 1:
        names = [f"({a}+{b})" for a, b in zip(names[::2], names[1::2])]
    return names[0]


BIG_CASES = {"40-term": FORTY, "512-term": _pairs([f"x{i}" for i in range(512)])}

# 图上有这段文字了 (大图的播放器把视口外的部件取下, 所以问播放器); 每 100 ms 问一次, 不在每一帧里加活.
# The picture holds this text (ask the player: for a large graph it takes the parts away from the view off
# the page); asked every 100 ms, so the question adds no work to every frame.
SHOWS = """(text) => { const p = document.querySelector('.mgcn-player')?.mgcnPlayer;
  const texts = p ? p.views.all.texts() : [...document.querySelectorAll('#graph:not([hidden]) svg text')];
  return texts.some((t) => t.textContent.includes(text)); }"""

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
    page.wait_for_function(SHOWS, arg="x1", polling=100, timeout=180_000)
    shown = time.perf_counter() - started
    typed = page.evaluate("[window.__longest, window.__longtasks]")
    page.evaluate(LONGTASKS)
    slider = page.locator('.variable[data-name="x1"] input[type=range]')
    for k in range(moves):
        slider.evaluate(f"s => {{ s.value = {1 + (k + 1) / 10}; s.dispatchEvent(new Event('input')); }}")
        page.wait_for_timeout(50)
    last = f"{1 + moves / 10:g}"
    page.wait_for_function(f"document.querySelector('#var-x1').value === '{last}'")
    page.wait_for_function(SHOWS, arg=f"data = {last}", polling=100, timeout=180_000)
    dragged = page.evaluate("[window.__longest, window.__longtasks]")
    context.close()
    return {"shown_s": shown, "typed_longest_ms": typed[0], "typed_longtasks": typed[1],
            "drag_longest_ms": dragged[0], "drag_longtasks": dragged[1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="use web/dist as it is")
    parser.add_argument("--runs", type=int, default=3, help="visits per page (median reported)")
    parser.add_argument("--students", type=int, default=40, help="students loading the playground at once")
    parser.add_argument("--playground-only", action="store_true", help="only the playground's longest tasks")
    args = parser.parse_args(argv)
    dist = ROOT / "web" / "dist"
    if not args.no_build:
        build(dist)
    site = check_site(dist)
    files = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*") if p.is_file()}
    plain = {name: size for name, size in files.items() if not name.endswith(".gz")}
    packed = sum(size for name, size in files.items() if name.endswith(".gz"))
    print(f"站点 site: {len(plain)} files, {sum(plain.values()) / 1e6:.2f} MB; gzip copies {packed / 1e6:.2f} MB")
    for name, size in sorted(plain.items(), key=lambda item: -item[1])[:6]:
        gz = files.get(name + ".gz")
        print(f"  {size / 1e6:7.3f} MB  {name}" + (f"  (gzip {gz / 1e6:.3f} MB)" if gz else ""))

    sent: list[int] = []
    paths: list[str] = []
    handler = type("Handler", (CountingHandler,), {"root": site, "quiet": True, "sent": sent, "paths": paths,
                                                   "versioned": versioned_folders(site)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    base = f"http://127.0.0.1:{port}/"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            playground_files: list[str] = []
            for page, selector in ({} if args.playground_only else READY).items():
                runs = [measure(browser, base + page, selector, sent, paths) for _ in range(args.runs)]
                first = statistics.median(r["first_bytes"] for r in runs)
                repeat = statistics.median(r["repeat_bytes"] for r in runs)
                line = (f"{page:16s} first visit {first / 1e6:.2f} MB (target ≤ {FIRST_VISIT_TARGET / 1e6:.1f}), "
                        f"interactive {statistics.median(r['cold_s'] for r in runs):.2f} s; "
                        f"repeat visit {repeat / 1e3:.1f} KB (target ≤ {REPEAT_VISIT_TARGET / 1e3:.0f}), "
                        f"{statistics.median(r['warm_s'] for r in runs):.2f} s")
                if "steps_per_s" in runs[0]:
                    line += f"; playing {statistics.median(r['steps_per_s'] for r in runs):.0f} steps/s"
                print(line, flush=True)
                if page == "playground.html":
                    playground_files = runs[0]["first_paths"]
            for name, text in BIG_CASES.items():
                r = measure_longtasks(browser, base, text)
                print(f"playground {name:9s} shown in {r['shown_s']:.1f} s; longest main-thread task "
                      f"{r['typed_longest_ms']:.0f} ms while typing ({r['typed_longtasks']} long tasks), "
                      f"{r['drag_longest_ms']:.0f} ms over 9 slider moves ({r['drag_longtasks']} long tasks)",
                      flush=True)
            browser.close()
        sent.clear()
        if playground_files:  # --playground-only 不量全班. Not with --playground-only.
            ok, size, seconds, slowest = classroom(port, playground_files, args.students)
            print(f"{args.students} students at once, {len(playground_files)} files each: {ok}/{args.students} "
                  f"succeeded, {size / 1e6:.1f} MB sent in {seconds:.1f} s (slowest student {slowest:.1f} s, "
                  f"{size / 1e6 / seconds:.0f} MB/s)", flush=True)
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
