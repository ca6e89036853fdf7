"""八课都像老师在投影仪上那样运行: 真正的 JupyterLab 4 + Chromium, 1366×768, 同一个服务器.

Every lesson run as a teacher runs it on a projector: real JupyterLab 4 in
real headless Chromium at 1366×768, all eight in one JupyterLab server
(started and stopped by the harness).  For each lesson, after "Run All":

- the file opens unmodified (nothing JupyterLab writes back differs from it);
- no error output: no traceback, no widget error, no uncaught page error,
  nothing on stderr (warnings included);
- every drawn graph and player has its smallest text at 12 px or more on
  screen, and no node shows an automatic name such as ``v24``;
- every plot is shown at its own size (not squeezed to the cell), so its
  12 pt tick labels (see ``micrograd_cn.plots``) are about 16 px;
- the lesson ends with a quiz in the answering quiz mode.

Screenshots of each lesson's players and plots go to the harness's folder
(``$MICROGRAD_CN_SCREENSHOTS`` if set).
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import pytest

pytest_plugins = ("jupyter_harness",)

LESSONS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MIN_PX = 12  # 投影仪上能读的最小字号. The smallest text a class can read on a projector.

# 输出中的位图 (matplotlib 的 PNG): 图片本身的宽度与屏幕上显示的宽度.
# Raster outputs (matplotlib's PNGs): their own width and their width on screen.
PNG_SIZES = """() => [...document.querySelectorAll('.jp-OutputArea-output img')]
  .filter((img) => img.src.startsWith('data:image/png'))
  .map((img) => ({natural: img.naturalWidth, shown: img.getBoundingClientRect().width}))"""


def test_there_are_eight_lessons():
    assert [lesson.name[:2] for lesson in LESSONS] == [f"{k:02d}" for k in range(1, 9)]


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name[:2] for lesson in LESSONS])
def test_lesson_runs_readably_in_jupyterlab(lab, lesson):
    started = time.monotonic()
    lab.copy_notebook(lesson)
    lab.open(lesson.name)
    # 打开时不是 "已修改": 文件里的 language_info 就是内核报告的 (同一个 Python 版本时).
    # Not modified on opening: the stored language_info is what the kernel reports (for the same Python version).
    stored = json.loads(lesson.read_text(encoding="utf-8"))["metadata"]["language_info"]["version"]
    assert lab.is_dirty() == (stored != platform.python_version()), "the lesson opens marked modified"
    run = lab.run_all(300_000)
    assert run.problems == [] and run.unexecuted == [], run.problems
    assert lab.stderr() == []

    pictures = [picture for picture in lab.svg_font_sizes() if picture["texts"]]
    assert pictures, "no graph or player was drawn"
    assert lab.small_text(MIN_PX) == [], lab.small_text(MIN_PX)
    assert lab.auto_names() == []

    plots = lab.page.evaluate(PNG_SIZES)
    squeezed = [size for size in plots if size["shown"] < 0.99 * size["natural"]]
    assert squeezed == [], f"plots squeezed to the cell width: {squeezed}"

    players = lab.page.locator("div.mgcn-player")
    quizzes = lab.page.locator("div.mgcn-player.mgcn-quizzing")
    assert quizzes.count() >= 1, "the lesson has no quiz player"
    last = players.nth(players.count() - 1)
    assert "mgcn-quizzing" in last.get_attribute("class").split(), "the lesson does not end with a quiz"

    for index in range(players.count()):
        player = players.nth(index)
        player.scroll_into_view_if_needed()
        lab.screenshot(f"player-{index + 1}", player)
    for index in range(len(plots)):
        image = lab.page.locator(".jp-OutputArea-output img[src^='data:image/png']").nth(index)
        image.scroll_into_view_if_needed()
        lab.screenshot(f"plot-{index + 1}", image)
    smallest = min(picture["min_px"] for picture in pictures)
    print(f"{lesson.name}: run all {run.seconds:.1f} s, {len(pictures)} pictures (smallest text {smallest:.1f} px), "
          f"{players.count()} players ({quizzes.count()} quiz), {len(plots)} plots "
          f"(widths {[size['natural'] for size in plots]}), test {time.monotonic() - started:.1f} s")
