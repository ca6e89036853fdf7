"""训练页的基准: 在 Chromium 里播放, 每秒多少步、多少次画面, 以及 worker 里时间花在哪里.

Benchmark of the training page::

    .venv/bin/python benchmarks/bench_train_page.py             # builds web/dist first
    .venv/bin/python benchmarks/bench_train_page.py --no-build --seconds 10

Serves the site with the real ``serve`` code on 127.0.0.1, opens the
training page in headless Chromium at 1366×768 (every other host blocked),
presses play and reports, for each network: steps per second, views (picture
updates) per second, and from the worker's own replies the time per step,
the time per view (float forward pass over the heatmap grid and the points,
both losses, the heatmap bytes), the size of a reply, and the time the page
takes to draw one view.  Targets: a 2×8 ReLU network on moons with
batch 10 ≥ 60 steps/s, a 4×16 network ≥ 15 steps/s, ≥ 10 views/s.  The
machine's load average is printed with the figures: on a shared machine they
scale with it.  So it also runs the worker's Python (the same Pyodide and
``py/micrograd_cn.zip``) in Node and reports the *CPU* time per step and per
view, which does not depend on how busy the machine is, and what a page
playing on a free core would get from it (a reply every 0.09 s of work).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from micrograd_cn.app.serve import make_server  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
NETWORKS = {  # 名字 → 网址参数. Name → the page's URL settings.
    "2×8 ReLU, moons, batch 10": "?ds=moons&layers=2&width=8&act=relu&batch=10",
    "4×16 ReLU, moons, batch 10": "?ds=moons&layers=4&width=16&act=relu&batch=10",
}

# 记下 worker 的每个回答 (大小与其中的 ms) 和页面画一次画面的时间. Record replies and drawing time.
RECORD = """(() => {
  const Original = window.Worker;
  window.replies = [];
  window.Worker = function (...args) {
    const worker = new Original(...args);
    worker.addEventListener("message", (event) => {
      if (event.data.type !== "reply") return;
      const reply = JSON.parse(event.data.reply);
      if (reply.ok && reply.result && reply.result.ms) {
        window.replies.push({ bytes: event.data.reply.length, ms: reply.result.ms, at: performance.now() });
      }
    });
    return worker;
  };
})();"""


# Node 里的 Pyodide: 每步与每次画面用掉的 CPU 时间 (毫秒). CPU ms per step and per view, Pyodide in Node.
NODE_SCRIPT = """
import { loadPyodide } from "PYODIDE/pyodide.mjs";
import { readFileSync } from "node:fs";
const py = await loadPyodide({ indexURL: "PYODIDE/" });
py.unpackArchive(new Uint8Array(readFileSync("ZIP")), "zip", { extractDir: "/home/pyodide/site" });
py.runPython("import sys; sys.path.insert(0, '/home/pyodide/site')\\nfrom micrograd_cn.app.trainer import Trainer");
const cpu = (code) => { const a = process.cpuUsage(); py.runPython(code); const b = process.cpuUsage(a);
  return (b.user + b.system) / 1000; };
const results = {};
for (const [name, layers, width] of NETWORKS) {
  py.runPython(`t = Trainer({"layers": ${layers}, "width": ${width}}); t.step(3); t.view()`);
  const step = cpu("for _ in range(40): t._train_step()") / 40;
  results[name] = { step, view: cpu("for _ in range(10): t.view()") / 10 };
}
console.log(JSON.stringify(results));
"""


def worker_cpu(dist: Path) -> dict[str, dict[str, float]] | None:
    """在 Node 里跑 worker 的 Python, 量 CPU 时间; 没有 node 时为 None. CPU ms per step/view, or None."""
    node = shutil.which("node")
    pyodide = ROOT / "web" / "node_modules" / "pyodide"
    if node is None or not pyodide.exists():
        return None
    networks = [[name, int(query.split("layers=")[1].split("&")[0]), int(query.split("width=")[1].split("&")[0])]
                for name, query in NETWORKS.items()]
    script = (NODE_SCRIPT.replace("PYODIDE", pyodide.as_posix()).replace("ZIP", (dist / "py" / "micrograd_cn.zip")
              .as_posix()).replace("NETWORKS", json.dumps(networks, ensure_ascii=False)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cpu.mjs"
        path.write_text(script, encoding="utf-8")
        result = subprocess.run([node, str(path)], capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if result.returncode == 0 and lines else None


def free_core(step_ms: float, view_ms: float, period_ms: float = 90.0) -> tuple[float, float]:
    """一个空闲的核上播放时的 (步/秒, 画面/秒): 每次回答先训练 period − view, 再画. Steps and views per second."""
    steps = max(1, (period_ms - view_ms) // step_ms)
    cycle = steps * step_ms + view_ms
    return steps * 1000 / cycle, 1000 / cycle


def build(dist: Path) -> None:
    spec = importlib.util.spec_from_file_location("web_build", ROOT / "web" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(dist)


def play(browser, url: str, seconds: float) -> dict[str, float]:
    """播放 seconds 秒, 返回每秒的步数与画面数和 worker 的分解. Play and measure."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    outside: list[str] = []
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                  else (outside.append(route.request.url), route.abort()))
    context.add_init_script(RECORD)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-engine=ready]", timeout=180_000)
    page.wait_for_selector("body[data-steps='0']", timeout=60_000)
    page.click("#play")
    page.wait_for_function("Number(document.body.dataset.views) >= 3", timeout=60_000)
    read = "() => [Number(document.body.dataset.steps), Number(document.body.dataset.views), window.replies.length]"
    steps0, views0, replies0 = page.evaluate(read)
    started = time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    steps1, views1, replies1 = page.evaluate(read)
    elapsed = time.perf_counter() - started
    replies = page.evaluate("window.replies")[replies0:replies1]
    draw = float(page.get_attribute("body", "data-draw-ms"))
    page.click("#play")
    context.close()
    if outside:
        raise RuntimeError(f"requests to other hosts: {outside}")
    step_ms = sum(r["ms"]["train"] for r in replies) / max(1, steps1 - steps0)
    return {
        "steps_per_s": (steps1 - steps0) / elapsed,
        "views_per_s": (views1 - views0) / elapsed,
        "step_ms": step_ms,
        "view_ms": statistics.median(r["ms"]["view"] for r in replies) if replies else float("nan"),
        "reply_kb": statistics.median(r["bytes"] for r in replies) / 1000 if replies else float("nan"),
        "frame_ms": draw,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="use web/dist as it is")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of playing per network")
    parser.add_argument("--runs", type=int, default=1, help="runs per network (median reported)")
    args = parser.parse_args(argv)
    dist = ROOT / "web" / "dist"
    if not args.no_build:
        build(dist)
    server = make_server(dist, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/train.html"
    from playwright.sync_api import sync_playwright

    print(f"负载 load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())} ({os.cpu_count()} cores)")
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, query in NETWORKS.items():
                runs = [play(browser, base + query, args.seconds) for _ in range(args.runs)]
                median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
                print(f"{name:28s} {median['steps_per_s']:6.1f} steps/s  {median['views_per_s']:5.1f} views/s  "
                      f"worker: {median['step_ms']:5.1f} ms/step, {median['view_ms']:5.1f} ms/view, "
                      f"{median['reply_kb']:5.1f} KB/reply; page: {median['frame_ms']:4.1f} ms/view", flush=True)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"负载 load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    cpu = worker_cpu(dist)
    if cpu is None:
        print("(没有 node 或 web/node_modules/pyodide: 跳过 CPU 时间. No node: CPU times skipped.)")
    for name, times in (cpu or {}).items():
        steps, views = free_core(times["step"], times["view"])
        print(f"{name:28s} Pyodide CPU time: {times['step']:5.1f} ms/step, {times['view']:5.1f} ms/view "
              f"→ on a free core about {steps:.0f} steps/s and {views:.1f} views/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
