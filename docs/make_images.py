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


if __name__ == "__main__":
    main()
