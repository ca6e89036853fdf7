"""测试的公共设置: hypothesis 配置与 "CI 中不许跳过" 的开关.

Shared test settings.  With ``CI`` set, hypothesis runs more examples; with
``MICROGRAD_CN_STRICT=1`` (set by ``.ci/run``) a missing optional tool (torch,
renderer, browser) fails the test instead of skipping it.
"""

from __future__ import annotations

import html
import importlib
import json
import os
import re
import shutil
import sysconfig
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

STRICT = os.environ.get("MICROGRAD_CN_STRICT") == "1"
DATA = Path(__file__).resolve().parent / "data"
"""测试自带的参考数据 (每项注明出处). The tests' own reference data, each entry with its source."""


def require(condition: bool, reason: str) -> None:
    """条件不满足时跳过测试; 严格模式 (CI) 下改为失败. Skip, or fail in strict mode."""
    if not condition:
        if STRICT:
            pytest.fail(f"required in CI: {reason}")
        pytest.skip(reason)


def pictures_in(page: str) -> list[str]:
    """HTML 中每个 <img> 的 SVG 图片还原成文本. The SVG text of every picture (``<img>`` data URL) in a page."""
    sources = re.findall(r"src='data:image/svg\+xml;charset=utf-8,([^']*)'", page)
    return [unquote(html.unescape(source)) for source in sources]


def require_module(name: str) -> Any:
    """导入可选模块; 缺失时跳过 (CI 中失败). Import an optional module or skip (fail in CI)."""
    if STRICT:
        return importlib.import_module(name)
    return pytest.importorskip(name)


@pytest.fixture(scope="session")
def worked_examples() -> dict[str, Any]:
    """tests/data/worked_examples.json 中的参考数值. The reference numbers of the worked examples."""
    return load_data("worked_examples.json")


def load_data(name: str) -> dict[str, Any]:
    """读取 tests/data 中的一个 JSON 文件. Read one JSON file of tests/data."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
"""Debian 的 chromium 与无头运行的参数 (不用 playwright install). Debian's chromium and its headless flags."""


@pytest.fixture(scope="module")
def browser() -> Any:
    """playwright 驱动的 Debian chromium (每个测试模块一个). Debian's chromium driven by playwright, one per module."""
    require(CHROMIUM is not None, "chromium is not installed (Debian package chromium)")
    require_module("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


PURE = shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=sysconfig.get_path("scripts"))
"""内置的渲染器 graphviz-pure (viz 依赖安装). The embedded renderer that the viz extra installs."""


@pytest.fixture
def pure(monkeypatch: pytest.MonkeyPatch) -> None:
    """用内置的 graphviz-pure 渲染, 与新机器上一样. Render with the embedded graphviz-pure, as on a new machine."""
    from micrograd_cn.viz.renderer import ENV_VAR

    require(PURE is not None, "graphviz-pure is not installed")
    monkeypatch.setenv(ENV_VAR, PURE)


@contextmanager
def site_server(root: Path) -> Iterator[Any]:
    """在后台线程里用 micrograd-cn serve 的代码提供 root (127.0.0.1, 空闲端口), 退出时关闭.

    Serve ``root`` with the real ``serve`` code on 127.0.0.1 (a free port) in
    a background thread; shut it down on exit.
    """
    from micrograd_cn.serve import make_server

    server = make_server(root, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
