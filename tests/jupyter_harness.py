"""在真正的 JupyterLab 4 (或 Notebook 7) 与 Chromium 中运行笔记本: 启动, 打开, 全部运行, 保存, 重新打开, 测量.

Drive real JupyterLab 4 (or Notebook 7) in real headless Chromium.  A test
module loads this file as a pytest plugin (``pytest_plugins = ("jupyter_harness",)``)
and asks for the ``lab`` fixture: a :class:`LabPage` on a JupyterLab server of
its own (temporary notebook folder, configuration, runtime and settings
folders, so nothing of the user's leaks in; news, update checks and the
extension manager off, so the page makes no outside requests).  The server is
stopped by its PID afterwards, also when the test fails.  Screenshots go to
``tmp_path/screenshots`` (or ``$MICROGRAD_CN_SCREENSHOTS/<test>``); their
folders are listed at the end of the pytest run.

Typical use::

    pytest_plugins = ("jupyter_harness",)

    def test_demo(lab):
        lab.write_notebook("demo.ipynb", ["print(1 + 1)"])
        lab.open("demo.ipynb")
        run = lab.run_all()
        assert run.problems == [] and run.unexecuted == []
        lab.save("demo.ipynb")
        lab.reopen("demo.ipynb")  # 内核关掉, 不重新运行. Kernels shut down, nothing re-run.

    def test_lesson(lab):  # 没有错误, 图中文字 ≥ 12 px, 没有 v<数字>. No errors, text ≥ 12 px, no v<n>.
        run = lab.run_notebook(Path("notebooks/01_链式法则与堆放.ipynb"))
        assert run.problems == [] and lab.small_text(12) == [] and lab.auto_names() == []

The ``notebook7`` fixture gives the same :class:`LabPage` on Notebook 7.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import require, require_module

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}  # 投影仪的分辨率. The projector size.
STARTUP_TIMEOUT = 60.0
SCREENSHOT_ENV = "MICROGRAD_CN_SCREENSHOTS"

# 启动时不联网、不弹窗: 关掉新闻、更新检查与扩展管理器 (它会查询 PyPI).
# No network and no pop-ups at start: news, update checks and the extension manager (it queries PyPI) off.
DISABLED_PLUGINS = {
    "@jupyterlab/apputils-extension:announcements": True,
    "@jupyterlab/extensionmanager-extension:plugin": True,
}
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # 每个单元都放进页面并排版: 默认的窗口化只在空闲时或滚到附近才放入屏幕外的单元, 那时它们的输出还量不到.
    # Every cell attached and laid out: the default windowing attaches cells outside the viewport only when idle
    # or scrolled near, and until then their outputs cannot be measured (a long lesson's last player was missing).
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

# 笔记本输出中所有 <svg> 的最小屏幕字号 (CSS px): 计算字号 × 当前屏幕缩放 (getScreenCTM).
# For every <svg> in the outputs, the smallest font size on screen in CSS px: computed font size × the
# element's current screen scale from getScreenCTM (which includes every CSS and SVG transform above it).
SVG_FONT_SIZES = """async (selector) => {
  const measure = (svg) => {
    const sizes = [];
    for (const text of svg.querySelectorAll('text')) {
      if (!text.textContent.trim() || text.getClientRects().length === 0) continue;
      const style = getComputedStyle(text);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const ctm = text.getScreenCTM();
      if (!ctm) continue;
      sizes.push({text: text.textContent.trim(), px: parseFloat(style.fontSize) * Math.hypot(ctm.a, ctm.b),
                  height: text.getBoundingClientRect().height});
    }
    return sizes.sort((a, b) => a.px - b.px);
  };
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const results = [];
  const pictures = [...document.querySelectorAll(selector)]
    .filter((el) => el.tagName.toLowerCase() === 'img' ? /^data:image\\/svg|\\.svg|^blob:/.test(el.src)
                                                    : !el.parentElement.closest('svg'));
  for (const el of pictures) {
    const rect = el.getBoundingClientRect();
    let svg = el, holder = null;
    if (el.tagName.toLowerCase() === 'img') {
      // 图片形式的 SVG (image/svg+xml 输出): 按图片在屏幕上的大小重画一份再量.
      // An SVG shown as <img> (image/svg+xml outputs): draw a copy at the image's on-screen size and measure it.
      const source = await (await fetch(el.src)).text();
      svg = new DOMParser().parseFromString(source, 'image/svg+xml').documentElement;
      holder = document.createElement('div');
      holder.style.cssText = 'position:fixed;left:0;top:0;visibility:visible;pointer-events:none;z-index:-1';
      svg.setAttribute('width', rect.width);
      svg.setAttribute('height', rect.height);
      holder.appendChild(svg);
      document.body.appendChild(holder);
      svg = holder.firstElementChild;
    }
    const sizes = measure(svg);
    if (holder) holder.remove();
    results.push({index: results.length, cell: cells.indexOf(el.closest('.jp-Cell')),
                  kind: el.tagName.toLowerCase(), texts: sizes.length,
                  min_px: sizes.length ? sizes[0].px : null, smallest: sizes.slice(0, 3),
                  width: rect.width, height: rect.height, id: svg.id || null});
  }
  return results;
}"""

# 输出区中看得见的文字: 每个输出的 innerText, 以及每个显示出来的 SVG <text>.
# The visible text of the outputs: each output's innerText and every SVG <text> that is drawn.
OUTPUT_TEXTS = """async () => {
  const texts = [];
  for (const output of document.querySelectorAll('.jp-OutputArea-output')) {
    if (output.innerText.trim()) texts.push(output.innerText);
    for (const text of output.querySelectorAll('svg text')) {
      const style = getComputedStyle(text);
      if (text.getClientRects().length && style.visibility !== 'hidden' && style.display !== 'none'
          && style.opacity !== '0' && text.textContent.trim()) texts.push(text.textContent.trim());
    }
    for (const img of output.querySelectorAll('img')) {  // 图片形式的 SVG. SVGs shown as images.
      if (!/^data:image\\/svg|\\.svg|^blob:/.test(img.src)) continue;
      const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml');
      for (const text of svg.querySelectorAll('text')) {
        if (text.textContent.trim()) texts.push(text.textContent.trim());
      }
    }
  }
  return texts;
}"""

# 每个代码单元的状态: 提示符 ([ ] / [*] / [3]), 输出的 MIME 类型与文字.
# Each code cell's state: its prompt ([ ], [*], [3]), and its outputs' MIME types and text.
CELL_STATES = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')].map((cell) => {
  const prompt = cell.querySelector('.jp-InputArea-prompt');
  return {prompt: prompt ? prompt.textContent.trim() : '',
          outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map((out) => ({
            mime: out.getAttribute('data-mime-type') || '', text: out.innerText}))};
})"""

OUTPUT_PICTURES = ".jp-OutputArea-output svg, .jp-OutputArea-output img"
ERROR_MIME = "application/vnd.jupyter.error"
STDERR_MIME = "application/vnd.jupyter.stderr"
WIDGET_ERRORS = ("Error displaying widget", "model not found")
AUTO_NAME = re.compile(r"\bv\d+\b")  # 自动编号的节点名, 如 v24. Automatic node names such as v24.


def free_port() -> int:
    """向系统要一个空闲端口. Ask the system for a free TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JupyterServer:
    """一个正在运行的 Jupyter 服务器. A running Jupyter server and its folders."""

    app: str
    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    def page_url(self, notebook: str, reset: bool = True) -> str:
        """打开笔记本的网址 (JupyterLab: /lab/tree/…, Notebook 7: /notebooks/…). The URL that opens a notebook."""
        prefix = "lab/tree" if self.app == "lab" else "notebooks"
        query = f"token={self.token}" + ("&reset" if reset and self.app == "lab" else "")
        return f"{self.url}{prefix}/{urllib.request.pathname2url(notebook)}?{query}"

    def api(self, method: str, path: str) -> Any:
        """调用服务器的 REST 接口. Call the server's REST API (returns the decoded JSON, or None)."""
        request = urllib.request.Request(f"{self.url}api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> int:
        """关掉所有会话和内核 (像第二天重新打开笔记本那样). Shut down every session and kernel; return how many."""
        sessions = self.api("GET", "sessions")
        for session in sessions:
            self.api("DELETE", f"sessions/{session['id']}")
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}")
        return len(sessions)

    def log_tail(self, lines: int = 40) -> str:
        """服务器日志的最后几行. The last lines of the server log."""
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _write_settings(config: Path, settings: dict[str, dict[str, Any]]) -> Path:
    """写入 page_config.json 与用户设置, 返回设置目录. Write page config and user settings; return the settings dir."""
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": DISABLED_PLUGINS}), encoding="utf-8")
    settings_dir = config / "lab-settings"
    for plugin, values in {**USER_SETTINGS, **settings}.items():
        package, _, name = plugin.rpartition("/")
        path = settings_dir / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    return settings_dir


@contextmanager
def jupyter_server(app: str = "lab", settings: dict[str, dict[str, Any]] | None = None,
                   timeout: float = STARTUP_TIMEOUT) -> Iterator[JupyterServer]:
    """启动 JupyterLab ("lab") 或 Notebook 7 ("notebook"), 等它应答, 结束时按 PID 停止.

    Start ``jupyter lab`` (or ``jupyter notebook``) on 127.0.0.1 with a free
    port, a random token and temporary notebook, config, data, runtime and
    settings folders; wait until it answers; stop it by its PID on exit (also
    on failure).  ``settings`` maps a plugin id such as
    ``"@jupyterlab/notebook-extension/tracker"`` to user settings for it.
    """
    module = {"lab": "jupyterlab", "notebook": "notebook"}[app]
    require_module(module)
    require_module("ipykernel")
    base = Path(tempfile.mkdtemp(prefix=f"mgcn-jupyter-{app}-"))
    root, config, data, runtime = (base / name for name in ("notebooks", "config", "data", "runtime"))
    for folder in (root, config, data, runtime):
        folder.mkdir()
    settings_dir = _write_settings(config, settings or {})
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_DATA_DIR": str(data),
           "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"), "IPYTHONDIR": str(base / "ipython"),
           "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    token = secrets.token_hex(16)
    port = free_port()
    command = [sys.executable, "-m", module, "--no-browser", f"--ServerApp.token={token}",
               f"--port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.root_dir={root}", "--ServerApp.allow_root=True",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabServerApp.workspaces_dir={base / 'workspaces'}",
               f"--LabServerApp.user_settings_dir={settings_dir}"]
    command.append("--LabApp.expose_app_in_browser=True" if app == "lab"
                   else "--JupyterNotebookApp.expose_app_in_browser=True")
    log = base / "server.log"
    with log.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True, preexec_fn=_die_with_parent)
    server = JupyterServer(app, f"http://127.0.0.1:{port}/", token, root, process, log)
    try:
        _wait_until_answering(server, timeout)
        yield server
    finally:
        _stop(server)
        shutil.rmtree(base, ignore_errors=True)


def _die_with_parent() -> None:
    """(Linux) 测试进程被强行结束时, 服务器收到 SIGTERM, 不会留下来.

    On Linux, ask for SIGTERM when the test process dies (say, killed by a
    timeout before its ``finally`` ran), so no server is left behind.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_until_answering(server: JupyterServer, timeout: float) -> None:
    """等到 /api/status 应答. Poll /api/status until the server answers (or fail with its log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"jupyter {server.app} exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            server.api("GET", "status")
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"jupyter {server.app} did not answer within {timeout} s:\n{server.log_tail()}")


def _stop(server: JupyterServer) -> None:
    """按 PID 停止服务器: 先关内核, 再 SIGTERM, 不行再 SIGKILL.

    Stop the server by its PID: shut its kernels down (they run in sessions
    of their own), then SIGTERM to its process group, then SIGKILL.
    """
    process = server.process
    if process.poll() is not None:
        return
    try:
        server.shutdown_kernels()
    except (urllib.error.URLError, ConnectionError, OSError):
        pass  # 服务器不应答时照样结束它. Stop it all the same when it does not answer.
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """用 playwright 启动 Debian 的 Chromium (无头). Launch Debian's chromium through playwright, headless."""
    require(shutil.which("chromium") is not None, "chromium is not installed (Debian package chromium)")
    require_module("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class RunResult:
    """一次"全部运行"的结果. What "Run All" left behind."""

    cells: list[dict[str, Any]]
    seconds: float
    unexecuted: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class LabPage:
    """浏览器中的一个 JupyterLab 页面, 以及老师在课堂上会做的操作. One JupyterLab page and a teacher's actions on it."""

    def __init__(self, page: Any, server: JupyterServer, shots: Path) -> None:
        self.page = page
        self.server = server
        self.shots = shots
        self.page_errors: list[str] = []
        self.app_errors: list[str] = []
        self.outside_requests: list[str] = []
        self._shot_count = 0
        page.on("pageerror", self._page_error)

    def _page_error(self, error: Any) -> None:
        """页面中未捕获的错误: 出自 Jupyter 自己的代码 (/static/ 下的包) 的另记, 其余 (如输出中的脚本) 算问题.

        An uncaught error in the page.  Errors thrown by Jupyter's own bundles
        (top frame under the server's /static/) go to ``app_errors`` (Notebook
        7.6 throws one while loading its settings); all others, such as errors
        from a script in an output, to ``page_errors``, which count as problems.
        """
        frames = [line.strip() for line in (error.stack or "").splitlines() if line.strip().startswith("at ")]
        top = frames[0] if frames else ""
        own = f"({self.server.url}static/" in top or f"at {self.server.url}static/" in top
        (self.app_errors if own else self.page_errors).append(str(error))

    # ---- 笔记本文件 notebook files ----
    def write_notebook(self, name: str, cells: list[str]) -> Path:
        """用 nbformat 写一个未运行的笔记本 (Python 3 内核). Write an unexecuted notebook of code cells."""
        nbformat = require_module("nbformat")
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                           "language": "python"}
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        path = self.server.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
        return path

    def copy_notebook(self, source: Path, name: str | None = None) -> Path:
        """把现有的笔记本 (如课程笔记本) 复制到服务器的目录. Copy an existing notebook into the server's folder."""
        target = self.server.root / (name or source.name)
        shutil.copyfile(source, target)
        return target

    def read_notebook(self, name: str) -> dict[str, Any]:
        """读磁盘上的笔记本 JSON. The notebook's JSON as saved on disk."""
        return json.loads((self.server.root / name).read_text(encoding="utf-8"))

    # ---- 打开、运行、保存 open, run, save ----
    def open(self, name: str, timeout: float = 60_000) -> None:
        """打开笔记本, 等内核就绪, 并确保左侧文件浏览器是打开的.

        Open a notebook, wait for its kernel, file browser open.
        """
        self.page.goto(self.server.page_url(name), wait_until="domcontentloaded")
        self.page.wait_for_selector(".jp-Notebook", state="visible", timeout=timeout)
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                                    " && window.jupyterapp.shell.currentWidget.sessionContext", timeout=timeout)
        # 内核就绪, 或者弹出了对话框 (如没有 kernelspec 时的 "选择内核"): 后者立即报告, 不空等.
        # The kernel is ready, or a dialog came up (such as "Select Kernel" without a kernelspec): report it.
        self.page.wait_for_function("() => { const w = jupyterapp.shell.currentWidget;"
                                    " return (w.context.isReady && w.sessionContext.isReady)"
                                    " || document.querySelector('.jp-Dialog'); }", timeout=timeout)
        dialog = self.page.locator(".jp-Dialog")
        if dialog.count():
            raise RuntimeError(f"JupyterLab opened a dialog for {name}: {dialog.first.inner_text()!r}")
        if self.server.app == "lab":
            self.show_file_browser()
        self.wait_until_idle(timeout)

    def show_file_browser(self) -> None:
        """左侧栏显示文件浏览器 (老师通常这样开着).

        Keep the left sidebar open on the file browser, as a teacher has it.
        """
        browser = self.page.locator("#filebrowser")
        if not browser.is_visible():
            self.page.click('.jp-SideBar.jp-mod-left [data-id="filebrowser"]')
        browser.wait_for(state="visible", timeout=5000)

    def kernel_status(self) -> str:
        """当前笔记本内核的状态 (idle / busy / starting …). The current notebook's kernel status."""
        return self.page.evaluate("() => { const s = jupyterapp.shell.currentWidget.sessionContext;"
                                  " return s.session && s.session.kernel ? s.session.kernel.status : 'none'; }")

    def cell_states(self) -> list[dict[str, Any]]:
        """每个代码单元的提示符与输出. Each code cell's prompt and outputs."""
        return self.page.evaluate(CELL_STATES)

    def wait_until_idle(self, timeout: float = 60_000) -> None:
        """等内核空闲且没有单元在排队 ([*]). Wait until the kernel is idle and no cell is queued or running."""
        self.page.wait_for_function(
            """() => { const s = jupyterapp.shell.currentWidget.sessionContext;
                       const k = s.session && s.session.kernel;
                       const busy = [...document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt')]
                         .some((p) => p.textContent.includes('*'));
                       return k && k.status === 'idle' && !busy; }""", timeout=timeout)

    def run_all(self, timeout: float = 120_000) -> RunResult:
        """"运行 → 运行全部单元", 等全部执行完, 返回未执行的单元与出错的输出.

        Run All (the command behind the Run menu's "Run All Cells"), wait until
        the kernel is idle and no cell is queued, and report the code cells
        that did not run and every problem output (tracebacks, widget errors,
        uncaught errors in the page).
        """
        start = time.monotonic()
        command = "notebook:run-all-cells"
        self.page.evaluate(f"async () => {{ await jupyterapp.commands.execute('{command}'); }}")
        self.wait_until_idle(timeout)
        cells = self.cell_states()
        unexecuted = [index for index, cell in enumerate(cells) if not re.search(r"\[\d+\]", cell["prompt"])]
        return RunResult(cells, time.monotonic() - start, unexecuted, self.problems())

    def run_notebook(self, source: Path, timeout: float = 300_000) -> RunResult:
        """把一个笔记本 (如一课) 复制过来, 打开, 全部运行. Copy a notebook (a lesson, say) in, open it and Run All."""
        self.copy_notebook(source)
        self.open(source.name)
        return self.run_all(timeout)

    def problems(self) -> list[str]:
        """所有出错的输出: 异常回溯、stderr 中的回溯、部件错误、页面中未捕获的错误.

        Every error in the outputs: error outputs (tracebacks), stderr outputs
        with a traceback, "Error displaying widget" / "model not found", and
        uncaught errors in the page (for example from a script in an output).
        """
        found = []
        for index, cell in enumerate(self.cell_states()):
            for output in cell["outputs"]:
                text = output["text"].strip()
                if output["mime"] == ERROR_MIME or (output["mime"] == STDERR_MIME and "Traceback" in text):
                    found.append(f"cell {index}: {text}")
                elif any(word in text for word in WIDGET_ERRORS):
                    found.append(f"cell {index}: {text}")
        return found + [f"page error: {error}" for error in self.page_errors]

    def stderr(self) -> list[str]:
        """所有 stderr 输出 (包括警告). All stderr outputs, warnings included."""
        return [output["text"] for cell in self.cell_states() for output in cell["outputs"]
                if output["mime"] == STDERR_MIME]

    def is_dirty(self) -> bool:
        """笔记本有未保存的修改吗. Does the notebook have unsaved changes?"""
        return self.page.evaluate("() => jupyterapp.shell.currentWidget.context.model.dirty")

    def save(self, name: str, timeout: float = 30_000) -> None:
        """按 Ctrl+S 保存, 等到磁盘上的文件更新、标签上的 "未保存" 标记消失.

        Save with Ctrl+S and wait until it is on disk.
        """
        path = self.server.root / name
        before = path.stat().st_mtime_ns
        self.page.click(".jp-Notebook .jp-Cell .jp-InputPrompt >> nth=0")  # 命令模式, 焦点在笔记本. Command mode.
        self.page.keyboard.press("Control+s")
        deadline = time.monotonic() + timeout / 1000
        while time.monotonic() < deadline:
            if path.stat().st_mtime_ns != before and not self.is_dirty():
                return
            self.page.wait_for_timeout(100)  # 让 playwright 处理事件. Lets playwright handle its events.
        status = self.page.locator(".jp-StatusBar-Widget").all_inner_texts()
        raise TimeoutError(f"{name} was not saved within {timeout / 1000} s (dirty={self.is_dirty()}, "
                           f"modified on disk: {path.stat().st_mtime_ns != before}, status bar: {status})")

    def reopen(self, name: str, shutdown_kernels: bool = True, timeout: float = 60_000) -> None:
        """离开页面, (默认) 关掉内核, 再重新打开笔记本, 不重新运行.

        Leave the page, shut the kernels down (as when the notebook is opened
        again another day; ``shutdown_kernels=False`` keeps them, as when the
        tab is only reopened), and open the notebook again without running it.
        """
        self.page.goto("about:blank")
        if shutdown_kernels:
            self.server.shutdown_kernels()
        self.page_errors.clear()
        self.open(name, timeout)

    def trusted(self) -> list[bool]:
        """每个单元是否被 JupyterLab 视为可信 (决定输出中的脚本是否运行). Whether JupyterLab trusts each cell."""
        return self.page.evaluate("() => jupyterapp.shell.currentWidget.content.widgets"
                                  ".map((cell) => cell.model.trusted)")

    # ---- 查看与测量 look and measure ----
    def output(self, cell: int) -> Any:
        """第 ``cell`` 个代码单元的输出区 (定位器), 并滚动到可见处.

        The outputs of the n-th code cell, scrolled into view.
        """
        area = self.page.locator(".jp-Notebook .jp-Cell.jp-CodeCell").nth(cell).locator(".jp-OutputArea")
        area.scroll_into_view_if_needed()
        return area

    def settle(self, timeout: float = 10_000) -> None:
        """等输出中有限的动画与过渡 (如播放器的平移) 结束. Wait for finite animations/transitions in the outputs."""
        self.page.wait_for_function(
            """() => document.getAnimations().every((a) => a.playState !== 'running' || !a.effect
                 || a.effect.getComputedTiming().endTime === Infinity
                 || !(a.effect.target instanceof Element) || !a.effect.target.closest('.jp-OutputArea-output'))""",
            timeout=timeout)

    def svg_font_sizes(self, selector: str = OUTPUT_PICTURES) -> list[dict[str, Any]]:
        """输出中每个 <svg> (或 SVG 图片) 的最小屏幕字号 (CSS px) 等.

        For every output ``<svg>`` (or SVG shown as ``<img>``) matched by
        ``selector``, once transitions have finished: the smallest on-screen
        font size in CSS px of its drawn text, the three smallest texts, its
        cell index, size and id.
        """
        self.settle()
        return self.page.evaluate(SVG_FONT_SIZES, selector)

    def small_text(self, min_px: float = 12) -> list[dict[str, Any]]:
        """文字小于 ``min_px`` 的图. The output pictures whose smallest drawn text is below ``min_px`` CSS px."""
        return [picture for picture in self.svg_font_sizes() if picture["texts"] and picture["min_px"] < min_px]

    def output_texts(self) -> list[str]:
        """输出中看得见的全部文字. All visible text in the outputs."""
        return self.page.evaluate(OUTPUT_TEXTS)

    def auto_names(self) -> list[str]:
        """输出文字中自动编号的节点名 (v12 之类). Automatic node names (v12 and such) visible in the outputs."""
        return sorted({match for text in self.output_texts() for match in AUTO_NAME.findall(text)})

    def screenshot(self, name: str, locator: Any = None) -> Path:
        """截图 (整个窗口或一个元素), 按顺序编号. Save a numbered screenshot of the window or one element."""
        self.shots.mkdir(parents=True, exist_ok=True)
        self._shot_count += 1
        path = self.shots / f"{self._shot_count:02d}-{name}.png"
        (locator or self.page).screenshot(path=str(path))
        return path


# ---- pytest 插件部分 the pytest plugin part ----
_SHOT_FOLDERS: list[Path] = []


@pytest.fixture(scope="module")
def lab_browser() -> Iterator[Any]:
    """本模块共用的 Chromium. One chromium for the test module."""
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def lab_server() -> Iterator[JupyterServer]:
    """本模块共用的 JupyterLab 服务器. One JupyterLab server for the test module."""
    with jupyter_server("lab") as server:
        yield server


def _screenshot_folder(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    chosen = os.environ.get(SCREENSHOT_ENV)
    folder = Path(chosen) / re.sub(r"[^\w.-]+", "_", request.node.name) if chosen else tmp_path / "screenshots"
    _SHOT_FOLDERS.append(folder)
    return folder


def new_lab_page(browser: Any, server: JupyterServer, shots: Path) -> tuple[Any, LabPage]:
    """新的浏览器上下文 (1366×768, 只许访问本机服务器) 与页面.

    A fresh 1366×768 context that may reach only the server.
    """
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    lab = LabPage(context.new_page(), server, shots)

    def refuse(route: Any) -> None:
        lab.outside_requests.append(route.request.url)
        route.abort()

    # 只拦截发往别处的请求 (正则在浏览器驱动一侧匹配, 发往服务器的请求不经过 Python).
    # Intercept only requests going elsewhere: the regex is matched by the driver, so requests to the
    # server never wait for this (synchronous) Python side.
    context.route(re.compile(rf"^(?!{re.escape(server.url)}|data:|blob:|about:)"), refuse)
    lab.page.set_default_timeout(30_000)
    return context, lab


@pytest.fixture(scope="module")
def notebook7_server() -> Iterator[JupyterServer]:
    """本模块共用的 Notebook 7 服务器. One Notebook 7 server for the test module."""
    with jupyter_server("notebook") as server:
        yield server


@pytest.fixture
def notebook7(request: pytest.FixtureRequest, lab_browser: Any, notebook7_server: JupyterServer,
              tmp_path: Path) -> Iterator[LabPage]:
    """1366×768 的 Notebook 7 页面 (与 ``lab`` 用法相同). A Notebook 7 page, used like ``lab``."""
    yield from _page_fixture(request, lab_browser, notebook7_server, tmp_path)


@pytest.fixture
def lab(request: pytest.FixtureRequest, lab_browser: Any, lab_server: JupyterServer,
        tmp_path: Path) -> Iterator[LabPage]:
    """1366×768 的 JupyterLab 页面, 文件浏览器打开; 失败时自动截图. A JupyterLab page; a screenshot on failure."""
    yield from _page_fixture(request, lab_browser, lab_server, tmp_path)


def _page_fixture(request: pytest.FixtureRequest, browser: Any, server: JupyterServer,
                  tmp_path: Path) -> Iterator[LabPage]:
    context, lab = new_lab_page(browser, server, _screenshot_folder(request, tmp_path))
    try:
        yield lab
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed and lab.page.url.startswith("http"):
            lab.screenshot("failure")
        server.shutdown_kernels()
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """记下测试结果, 供 ``lab`` 在失败时截图. Keep the call report so ``lab`` can screenshot failures."""
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """在测试结束时列出截图所在的文件夹. List the screenshot folders at the end of the run."""
    folders = [folder for folder in dict.fromkeys(_SHOT_FOLDERS) if folder.exists()]
    if folders:
        terminalreporter.section("JupyterLab screenshots")
        for folder in folders:
            terminalreporter.write_line(f"{folder} ({len(list(folder.glob('*.png')))} png)")
