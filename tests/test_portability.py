"""老师自己的电脑: Windows 的命令与 npm.cmd, 带空格和中文的路径, 非 UTF-8 的系统编码, 各平台的 CI.

The teacher's own laptop: the README's Windows commands and the CI workflow
that runs them, ``npm.cmd``, files written into ``张老师/桌面/第 1 课/``, and the
library under a system encoding that is not UTF-8 (as on a Chinese Windows,
where ``open()`` without an encoding means GBK).
"""

from __future__ import annotations

import importlib.util
import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import require_module

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "张老师/桌面/第 1 课"


def readme_command(name: str) -> str:
    """README 中 <!-- NAME --> 之后代码块的第一行 (与 .ci/run 读法相同). The first line after a README marker."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(f"<!-- {name} -->")
    assert lines[start + 1].startswith("```")
    return lines[start + 2]


def test_readme_gives_the_windows_form_of_both_commands():
    install, test = readme_command("ci:install"), readme_command("ci:test")
    assert install == 'python3 -m venv .venv && .venv/bin/pip install -e ".[all]" && .venv/bin/python -m micrograd_cn'
    assert test == ".venv/bin/python -m pytest"
    win_install, win_test = readme_command("windows:install"), readme_command("windows:test")
    assert "/" not in win_install.replace('".[all]"', "") and "&&" not in win_install  # PowerShell 5.1 没有 &&.
    assert win_install.split("; ") == ["py -m venv .venv", r'.venv\Scripts\python -m pip install -e ".[all]"',
                                       r".venv\Scripts\python -m micrograd_cn"]
    assert win_test == test.replace(".venv/bin/", ".venv\\Scripts\\")
    quickstart = (ROOT / "docs" / "pages" / "quickstart.md").read_text(encoding="utf-8")
    assert all(command in quickstart for command in (install, test, win_install, win_test))


def test_the_workflow_runs_the_readme_commands_on_every_platform_and_python():
    yaml = require_module("yaml")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"] == {"os": ["windows-latest", "macos-latest", "ubuntu-latest"],
                                         "python": ["3.10", "3.11", "3.12", "3.13"]}
    runs = {step.get("if", ""): [] for step in job["steps"]}
    for step in job["steps"]:
        if "run" in step:
            runs[step["if"]].append(step["run"].strip())
    assert runs["runner.os != 'Windows'"] == [readme_command("ci:install"), readme_command("ci:test")]
    assert runs["runner.os == 'Windows'"] == [readme_command("windows:install"), readme_command("windows:test")]
    assert {step["shell"] for step in job["steps"] if step.get("if") == "runner.os == 'Windows'"} == {"powershell"}


def load_build_script():
    spec = importlib.util.spec_from_file_location("web_build", ROOT / "web" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("@echo off\n" if path.suffix == ".cmd" else "#!/bin/sh\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_build_finds_npm_cmd_on_windows(tmp_path):
    build = load_build_script()
    nodejs = tmp_path / "Program Files" / "nodejs"
    shell_script, batch = executable(nodejs / "npm"), executable(nodejs / "npm.cmd")
    assert build.find_npm(str(nodejs), windows=True) == str(batch)  # npm.cmd 先于没有后缀的 npm. npm.cmd first.
    assert build.find_npm(str(tmp_path), windows=True) is None
    if os.name == "posix":  # Windows 的 which 按 PATHEXT 也会找到 npm.cmd. Windows' which finds npm.cmd by PATHEXT.
        assert build.find_npm(str(nodejs), windows=False) == str(shell_script)
        assert build.find_npm(str(tmp_path), windows=False) is None


def test_library_writes_into_folders_with_spaces_and_chinese_names(tmp_path, pure):
    import micrograd_cn as mg
    from micrograd_cn.classroom.exercises import exercises
    from micrograd_cn.classroom.worksheet import write_worksheet

    folder = tmp_path / FOLDER
    folder.mkdir(parents=True)
    a, b = mg.Value(2.0, "a"), mg.Value(1.0, "b")
    e = (a + b) * (b + 1)
    e.label = "e"
    page = mg.export_html(e, folder / "反向 传播.html")
    e.backward()
    pictures = [mg.render(e, folder / "图 1.svg"), mg.render(e, folder / "图 1.dot"),
                mg.draw_dot(e).render(str(folder / "gout"))]
    sheet = write_worksheet(exercises(n=2, level=1, seed=3), folder / "练习 卷.html")
    for path in (page, *pictures, sheet):
        path = Path(path)
        assert path.parent == folder and path.stat().st_size > 0, path
    assert "∂" in page.read_text(encoding="utf-8") or "\\u2202" in page.read_text(encoding="utf-8")


@pytest.mark.skipif(os.name != "posix", reason="the C locale is how a POSIX system says: not UTF-8")
def test_library_and_command_line_under_a_system_encoding_that_is_not_utf8(tmp_path, pure):
    """open() 没写 encoding 时在中文 Windows 上是 GBK; 这里用 C 语言环境 (ASCII) 检查同样的事.

    Under the C locale with UTF-8 mode and locale coercion off, Python's
    default file encoding is ASCII, like GBK on a Chinese Windows: any file
    opened without ``encoding=`` fails on the first ``∂``.
    """
    script = textwrap.dedent("""
        import locale, sys
        from pathlib import Path
        encoding = locale.getpreferredencoding(False)
        assert encoding.lower() in ("ansi_x3.4-1968", "ascii", "us-ascii"), encoding
        import micrograd_cn as mg
        from micrograd_cn.app.cli import main
        from micrograd_cn.classroom.exercises import exercises
        from micrograd_cn.classroom.worksheet import write_worksheet
        folder = Path(sys.argv[1])
        x = mg.Value(1.0, "x")
        y = (x * 2).tanh()
        mg.export_html(y, folder / "p.html")
        y.backward()
        mg.render(y, folder / "p.svg")
        write_worksheet(exercises(n=2, level=2, seed=1), folder / "w.html")
        steps = mg.backward_steps(y)
        assert "\\u2202" in str(steps) + steps.explain(x).text("zh")
        sys.exit(main(["graph", "sigmoid(x*w)", "x=1", "w=2", "--steps", "--html", str(folder / "g.html")])
                 or main(["exercises", "-n", "2", "-o", str(folder / "s.html"), "--quiz", str(folder / "q")]))
    """)
    folder = tmp_path / FOLDER
    folder.mkdir(parents=True)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    env.pop("PYTHONIOENCODING", None)
    done = subprocess.run([sys.executable, "-c", script, str(folder)], env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert b"Traceback" not in done.stderr
    assert b"de/dx = " in done.stdout and re.search(rb"\?+ gradients", done.stdout)
    names = sorted(p.name for p in folder.rglob("*") if p.is_file())
    assert names == ["exercise-01.html", "exercise-02.html", "g.html", "p.html", "p.svg", "s.html", "w.html"]
    for path in folder.rglob("*.html"):
        assert "∂" in path.read_text(encoding="utf-8") or "\\u2202" in path.read_text(encoding="utf-8"), path
