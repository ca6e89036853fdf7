"""wheel 里带着构建好的站点: 构建 wheel, 装进仓库之外的新虚拟环境, micrograd-cn serve, 断网的 Chromium 打开练习页.

The built site ships inside the wheel.  The wheel is built from a copy of
the project (``pip wheel``, which runs ``web/build.py`` from the npm lockfile
through ``setup.py``), installed with ``--no-deps`` into a fresh virtual
environment outside the repository, and its ``micrograd-cn serve`` is
started there; Chromium, with every other host cut off, loads the playground
and computes a gradient with the engine the wheel carries.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import require
from test_web import open_page, wait_ready

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "micrograd_cn",
                 "web/build.py", "web/package.json", "web/package-lock.json", "web/src")
"""构建 wheel 需要的文件 (复制出去, 仓库里不留 build/). What building the wheel needs; copied, so no build/ is left."""


def copy_project(target: Path) -> Path:
    for name in PROJECT_FILES:
        source, copy = ROOT / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "site", "*.egg-info"))
        else:
            shutil.copyfile(source, copy)
    if (ROOT / "web" / "node_modules" / ".package-lock.json").is_file():  # 已按锁文件安装: 不再下载. Already installed.
        (target / "web" / "node_modules").symlink_to(ROOT / "web" / "node_modules")
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    require(shutil.which("npm") is not None, "npm is not installed")
    project = copy_project(tmp_path_factory.mktemp("project"))
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(project)],
                   check=True, timeout=900)
    (built,) = wheels.glob("micrograd_cn-*.whl")
    return built


def test_the_wheel_holds_the_built_site(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    site = "micrograd_cn/app/site/"
    assert {site + name for name in ("index.html", "playground.html", "train.html", "worker.js", "build.json",
                                     "py/micrograd_cn.zip", "player/player.js")} <= names
    assert any(re.fullmatch(rf"{site}pyodide/[\d.]+/pyodide\.asm\.wasm(\.gz)?", name) for name in names)
    assert any(name.endswith("pyodide.asm.wasm.gz") for name in names)
    assert not any(name.startswith(("web/", "tests/")) or "node_modules" in name for name in names)


def read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


def test_pip_install_then_serve_works_with_no_clone_and_no_npm(wheel, tmp_path, browser):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, timeout=300)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin"  # 没有 npm 也没有仓库. Neither npm nor the clone.
    server = subprocess.Popen([str(venv / "bin" / "micrograd-cn"), "serve", "--port", "0", "--no-qr"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines, args=(server.stdout, lines), daemon=True).start()
    try:
        printed = ""
        while "open: http://" not in printed:
            printed += lines.get(timeout=60)
        site = re.search(r"classroom site\): (.+)", printed).group(1).strip()
        # 提供的是随包安装的站点. The site served is the packaged one.
        assert Path(site).is_relative_to(venv) and Path(site).name == "site", printed
        url = re.search(r"open: (http://127\.0\.0\.1:\d+/)", printed).group(1)
        context, page, outside, errors = open_page(browser)
        page.goto(url + "playground.html?e=(a%2Bb)*(b%2B1)&v=a:2,b:1")
        wait_ready(page)
        page.wait_for_function("document.querySelector('#grads tr[data-var=\"b\"] td')?.textContent === '5'")
        assert page.inner_text('#grads tr[data-var="a"] td') == "2"
        context.close()
        assert outside == [] and errors == []
    finally:
        server.terminate()
        server.wait(timeout=30)
