"""重新生成课堂页面的截图: 老师页 (1366×768) 与学生页 (390×844).

Regenerate the live classroom screenshots of ``docs/pages/live.md``: a
classroom for e = (a+b)(b+1) asks for ∂e/∂b, 34 answers arrive (18 right, 9
missing the path through d, 4 with the sign flipped, 3 other), then the
teacher page (projector size, hovering the "missing path" group) and one
student page (phone size) are captured with Debian's chromium.  Run from the
repository root::

    .venv/bin/python docs/make_live_images.py [--out FOLDER]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import httpx

from micrograd_cn.app.live.lesson import from_example
from micrograd_cn.app.live.run import start

IMAGES = Path(__file__).resolve().parent / "pages" / "images"
ANSWERS = ["2"] + ["5"] * 18 + ["2"] * 8 + ["-5"] * 4 + ["8", "10", "0.3"]
"""第一个答案是手机上的学生写的. The first answer is typed on the phone."""
NAMES = ["小明", "小红", "小刚", "小丽", "阿强", "晓峰", "子涵", "雨桐", "浩然", "思远", "欣怡", "梓萱", "俊杰", "嘉怡",
         "宇航", "若曦", "一诺", "天佑", "佳琪", "明轩", "诗涵", "博文", "紫涵", "子墨", "雅琪", "皓轩", "梦琪", "志强",
         "晨曦", "可馨", "睿泽", "心怡", "文轩", "静怡"]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


def shrink(path: Path) -> None:
    """截图减到 64 色 (文字与框线清楚, 文件小几倍); 没有 Pillow 就保持原样. Fewer colours, a smaller file."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMAGES)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        room = start(from_example("e"), port=0, db=Path(folder) / "live.sqlite", quiet=True)
        try:
            session = room.session
            session.ask(0, session.board.steps.graph.names.index("b"))
            base = room.student_url.rstrip("/")
            for name, text in zip(NAMES[1:], ANSWERS[1:]):
                with httpx.Client(base_url=base) as client:
                    client.post("/api/join", json={"code": session.code, "nickname": name})
                    client.post("/api/answer", json={"question": session.question.id, "text": text})
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
                phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
                phone.goto(room.join_url)
                phone.fill("#live-nickname", NAMES[0])
                phone.click(".live-join button")
                phone.wait_for_selector("g.node.live-asked")
                phone.fill("#live-input", ANSWERS[0])
                phone.click(".live-answer button")
                phone.wait_for_selector(".live-feedback.live-wrong")
                phone.wait_for_timeout(600)
                teacher = browser.new_page(viewport={"width": 1366, "height": 768})
                teacher.goto(room.teacher_url)
                teacher.wait_for_function("() => document.querySelectorAll('.live-group').length === 4")
                teacher.wait_for_timeout(600)
                teacher.hover(".live-group-mistake")
                args.out.mkdir(parents=True, exist_ok=True)
                teacher.screenshot(path=str(args.out / "live_teacher.png"))
                phone.screenshot(path=str(args.out / "live_student.png"))
                browser.close()
        finally:
            room.stop()
    for name in ("live_teacher.png", "live_student.png"):
        shrink(args.out / name)
        print(f"wrote {args.out / name} ({(args.out / name).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
