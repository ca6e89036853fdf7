"""重新生成文档与 README 中的图片: e = (a+b)(b+1) 反向传播之后的计算图, 以及它的逐步播放器.

Regenerate the pictures used by the README and the documentation site:
``e_graph.svg`` (the graph after the backward pass) and ``e_player.html``
(the offline step-through player).
Run from anywhere:

    .venv/bin/python docs/make_images.py [--out FOLDER]

The graph is rendered with the embedded renderer ``graphviz-pure`` (installed
by the ``viz`` extra), selected through ``MICROGRAD_CN_DOT``, so the SVG is the
same on every machine whatever system Graphviz is installed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import sysconfig
from pathlib import Path

import micrograd_cn as mg
from micrograd_cn import demo

IMAGES = Path(__file__).resolve().parent / "pages" / "images"


def embedded_renderer() -> str:
    """内置渲染器 graphviz-pure 的路径. The path of the embedded renderer."""
    path = shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=sysconfig.get_path("scripts"))
    if path is None:
        sys.exit('找不到 graphviz-pure; 请运行 pip install "micrograd_cn[viz]" '
                 '(graphviz-pure not found; run pip install "micrograd_cn[viz]")')
    return path


def chain_rule_example(backward: bool = True) -> mg.Value:
    """例子 e = (a+b)(b+1), a = 2, b = 1; 默认已经反向传播. The example, by default after backward()."""
    e = demo.chain_rule_example()["e"]
    if backward:
        e.backward()
    return e


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="重新生成文档图片. Regenerate the documentation pictures.")
    parser.add_argument("--out", type=Path, default=IMAGES, help=f"输出目录 output folder (default {IMAGES})")
    out = parser.parse_args(argv).out
    os.environ["MICROGRAD_CN_DOT"] = embedded_renderer()
    out.mkdir(parents=True, exist_ok=True)
    print(mg.render(mg.draw_dot(chain_rule_example()), out / "e_graph.svg"))
    player = mg.export_html(chain_rule_example(backward=False), out / "e_player.html",
                            title="e = (a+b)(b+1) 的反向传播")
    # 播放器的元素 id 每次随机生成; 换成固定的, 重新生成时文件不变. A fixed element id keeps the file reproducible.
    player.write_text(re.sub(r"mgcn-[0-9a-f]{12}", "mgcn-e-player", player.read_text(encoding="utf-8")),
                      encoding="utf-8")
    print(player)
    for path in role_pictures(out):
        print(path)


def role_pictures(out: Path) -> list[Path]:
    """e 第 5 步与 2-2-2 网络第 12 步的播放器, 各一张彩色、灰度与模拟绿色盲 (deuteranopia) 的截图.

    Screenshots of the player (the e graph at step 5, the 2-2-2 net at step
    12) in colour, in greyscale and as seen with deuteranopia, so a teacher can
    check that sender and receiver read without colour.  Needs Debian's
    chromium and playwright (the test extra) and numpy.
    """
    import importlib.util
    import tempfile

    import numpy as np
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from micrograd_cn.classroom import examples

    spec = importlib.util.spec_from_file_location("colour_vision", Path(__file__).with_name("colour_vision.py"))
    colour_vision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(colour_vision)
    network = examples.mazur_network()
    loss, _ = examples.mazur_forward(network)
    written = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as driver:
        players = {"e_step5": (mg.export_html(chain_rule_example(backward=False), Path(folder) / "e.html"), 5),
                   "net_step12": (mg.export_html(loss, Path(folder) / "net.html", params=network.parameters()), 12)}
        browser = driver.chromium.launch(executable_path=shutil.which("chromium"),
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1100, "height": 700})
        for name, (path, step) in players.items():
            page.goto(path.as_uri())
            page.evaluate(f"document.querySelector('.mgcn-player').mgcnPlayer.show({step}, false)")
            shot = Path(folder) / f"{name}.png"
            page.locator(".mgcn-player").screenshot(path=str(shot))
            pixels = np.asarray(Image.open(shot).convert("RGB"))
            for vision in ("colour", "greyscale", "deuteranopia"):
                seen = pixels if vision == "colour" else colour_vision.simulate_image(pixels, vision)
                target = out / f"roles_{name}_{vision}.png"
                Image.fromarray(seen).quantize(colors=64).save(target, optimize=True)
                written.append(target)
        browser.close()
    return written


if __name__ == "__main__":
    main()
