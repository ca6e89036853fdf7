"""文档站点: mkdocs build --strict 成功, 课程与 API 页面都在, 页面不引用外部脚本, 示例代码能运行.

The documentation site: it builds in strict mode, has the Chinese home page,
every lesson and API page, loads nothing from other hosts (it must work
offline in a classroom), shows the formulas as MathML converted at build time,
and the code examples of its pages run.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_module

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = DOCS / "pages"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = ["01_链式法则与堆放", "02_神经元与梯度下降", "03_两层网络逐步反向传播", "04_手推梯度检查",
           "05_矩阵形式的误差项", "06_训练多层感知机", "07_循环神经网络与BPTT", "08_从_micrograd_cn_到_PyTorch"]
API_PAGES = {"engine": "engine", "graph": "graph", "gradcheck": "gradcheck", "trace": "backprop.trace", "viz": "viz",
             "nn": "nn", "optim": "nn.optim", "train": "nn.train", "plots": "classroom.plots",
             "datasets": "nn.datasets", "examples": "classroom.examples", "manual": "backprop.manual",
             "diagnose": "backprop.diagnose", "classroom": "classroom", "deltas": "backprop.deltas",
             "bridge": "nn.bridge", "dynamics": "classroom.dynamics", "sequence_tasks": "classroom.sequence_tasks",
             "cli": "app.cli"}
"""API 页面 → 它记录的模块 (在包里的位置). API page → the module it documents."""
BUILD_TIMEOUT = 600  # 秒. Seconds.

EXTERNAL = r"[\"']?(?:https?:)?//"
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
EXTERNAL_SRC = re.compile(r"\bsrc=" + EXTERNAL, re.IGNORECASE)
EXTERNAL_IMPORT = re.compile(r"(?:\bimport\s*\(\s*|\bfrom\s+|\bimport\s+)" + EXTERNAL)
EXTERNAL_STYLESHEET = re.compile(r"<link\b[^>]*\bhref=" + EXTERNAL + r"[^>]*>", re.IGNORECASE)
EXTERNAL_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?" + EXTERNAL, re.IGNORECASE)


def external_loads(html: str) -> list[str]:
    """页面中从其他主机加载的脚本与样式表. Scripts and stylesheets a page loads from other hosts."""
    found = [m.group(0)[:100] for m in SCRIPT.finditer(html)
             if EXTERNAL_SRC.search(m.group(1)) or EXTERNAL_IMPORT.search(m.group(2))]
    found += [m.group(0)[:100] for m in EXTERNAL_STYLESHEET.finditer(html)]
    return found + [m.group(0) for m in EXTERNAL_CSS_IMPORT.finditer(html)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """构建一次站点 (严格模式), 返回输出目录. Build the site once, strictly; return its folder."""
    require_module("mkdocs")
    require_module("material")
    require_module("mkdocs_jupyter")
    require_module("mkdocstrings_handlers.python")
    require_module("latex2mathml")
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(DOCS / "mkdocs.yml"),
                           "-d", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return out


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_home_page_is_chinese(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in home
    assert "标量反向传播" in home
    assert 'src="images/e_graph.svg"' in home
    assert (site / "images" / "e_graph.svg").is_file()


def test_core_pages_exist(site: Path) -> None:
    for page in ("quickstart", "concepts", "from_micrograd", "performance", "notebooks"):
        assert (site / page / "index.html").is_file(), page
    assert (site / "images" / "e_player.html").is_file()


def test_every_notebook_is_a_lesson_page(site: Path) -> None:
    assert NOTEBOOKS, "notebooks/ has no .ipynb files"
    for notebook in NOTEBOOKS:
        page = site / "notebooks" / notebook.stem / "index.html"
        assert page.is_file(), f"lesson page missing for {notebook.name}"
        html = page.read_text(encoding="utf-8")
        assert "jupyter-wrapper" in html  # 由 mkdocs-jupyter 渲染. Rendered by mkdocs-jupyter.
        assert (page.parent / notebook.name).is_file()  # 可下载原文件. The .ipynb can be downloaded.
    names = {notebook.stem for notebook in NOTEBOOKS}
    assert names == set(LESSONS), f"expected the eight lessons, found {sorted(names)}"


def test_lessons_are_in_the_navigation(site: Path) -> None:
    html = (site / "notebooks" / "index.html").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert notebook.stem in _unquoted_links(html), notebook.stem


def _unquoted_links(html: str) -> str:
    from urllib.parse import unquote

    return unquote(" ".join(re.findall(r'href="([^"]*)"', html)))


def test_api_pages_are_generated_from_docstrings(site: Path) -> None:
    for name, module in API_PAGES.items():
        page = site / "api" / name / "index.html"
        assert page.is_file(), name
        html = page.read_text(encoding="utf-8")
        assert f"micrograd_cn.{module}" in html and "doc-heading" in html, name
    engine = (site / "api" / "engine" / "index.html").read_text(encoding="utf-8")
    assert "计算图中的一个标量节点" in engine  # Value 的文档字符串. The Value docstring.
    assert "propagate" in engine


def test_no_page_loads_from_another_host(site: Path) -> None:
    offenders = [f"{page.relative_to(site)}: {tag}" for page in _pages(site)
                 for tag in external_loads(page.read_text(encoding="utf-8"))]
    assert not offenders, "\n".join(offenders)
    for stylesheet in site.rglob("*.css"):
        assert not EXTERNAL_CSS_IMPORT.search(stylesheet.read_text(encoding="utf-8")), stylesheet


def test_the_offline_check_catches_cdn_assets() -> None:
    assert external_loads('<script src="https://cdn.example.org/mathjax.js"></script>')
    assert external_loads('<link rel="stylesheet" href="//fonts.example.org/a.css">')
    assert external_loads('<script type="module">const m = (await import("https://cdn.example.org/m.mjs"));</script>')
    assert not external_loads('<script src="../assets/javascripts/bundle.js"></script>'
                              '<p>see https://example.org/ from "https://example.org"</p>')


# 代码单元的 "复制" 按钮用的原文 (<div class="clipboard-copy-txt">) 也是代码.
# The raw text behind a code cell's copy button (<div class="clipboard-copy-txt">) is code too.
NOT_PROSE = re.compile(r"<(pre|code|script|style|math|svg)\b.*?</\1>|<div class=\"clipboard-copy-txt\"[^>]*>.*?</div>",
                       re.IGNORECASE | re.DOTALL)


def _prose(html: str) -> str:
    """页面中代码、脚本与公式以外的部分. A page without its code, scripts and formulas."""
    return NOT_PROSE.sub("", html)


def test_lesson_formulas_are_mathml(site: Path) -> None:
    for notebook in NOTEBOOKS:
        html = (site / "notebooks" / notebook.stem / "index.html").read_text(encoding="utf-8")
        assert "<math " in html, notebook.stem
        prose = _prose(html)
        for leftover in ("$\\", "$$", "\\partial", "\\frac"):
            assert leftover not in prose, f"{notebook.stem}: TeX source {leftover!r} left outside code"
    first = (site / "notebooks" / LESSONS[0] / "index.html").read_text(encoding="utf-8")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in first  # 链式法则那一大段.
    assert "<mfrac>" in first and "&#x02202;" in first  # ∂e/∂a 是分式, ∂ 是一个 MathML 字符.
    assert "<msub><mi>w</mi><mn>1</mn></msub>" in (site / "notebooks" / LESSONS[2] / "index.html").read_text(
        encoding="utf-8")  # 下标 w_1. The subscript of w_1.


@pytest.fixture(scope="module")
def hooks() -> object:
    """docs/hooks.py 作为模块. The site's hooks as a module."""
    require_module("mkdocs")
    require_module("latex2mathml")
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_math_converter_on_tricky_inputs(hooks: object) -> None:
    render = hooks.render_math  # type: ignore[attr-defined]
    page = ("<p>因为 $x &lt; y$ 且 $$\\frac{\\partial e}{\\partial a} = 2$$, "
            "而 $W=\\begin{pmatrix}1&amp;2\\\\3&amp;4\\end{pmatrix}$.</p>"
            '<pre><code>price = "$5"  # $x$ 不是公式</code></pre>'
            "<p>价钱 $5 和 $10 不变, \\$3 是一个美元符号.</p>"
            '<div class="jp-Cell-outputWrapper"><div><p>$y$</p></div></div><p>$z_1$</p>')
    html, failures = render(page)
    assert failures == []
    assert html.count("<math ") == 4
    assert 'display="inline"><mrow><mi>x</mi><mo>&#x0003C;</mo><mi>y</mi>' in html  # &lt; 还原为 <.
    assert 'display="block"><mrow><mfrac><mrow><mo>&#x02202;</mo><mi>e</mi>' in html  # $$...$$ 是独立公式.
    assert "<mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>2</mn></mtd></mtr>" in html  # &amp; 分开矩阵的两列.
    assert '<pre><code>price = "$5"  # $x$ 不是公式</code></pre>' in html  # 代码原样保留. Code untouched.
    assert "<p>价钱 $5 和 $10 不变, $3 是一个美元符号.</p>" in html
    assert '<div class="jp-Cell-outputWrapper"><div><p>$y$</p></div></div>' in html  # 输出原样. Output untouched.
    assert html.endswith("<msub><mi>z</mi><mn>1</mn></msub></mrow></math></p>")


def test_math_converter_reports_what_it_cannot_convert(hooks: object) -> None:
    html, failures = hooks.render_math("<p>$\\frac{1$ 和 $x^$ 和 $\\unknowncommand{x}$ 和 $$a & b$$</p>")
    assert [tex for tex, _ in failures] == ["\\frac{1", "x^", "\\unknowncommand{x}", "a & b"]
    assert "unbalanced braces" in failures[0][1] and "\\unknowncommand" in failures[2][1]
    assert "<math" not in html and "$\\frac{1$" in html  # 原文保留. The text is kept.


def test_a_formula_that_cannot_be_converted_fails_the_build(hooks: object) -> None:
    from mkdocs.exceptions import PluginError

    class File:
        src_uri = "notebooks/99_示例.ipynb"

    class Page:
        file = File()

    with pytest.raises(PluginError, match=r"notebooks/99_示例\.ipynb.*\n.*\\\\oops"):
        hooks.on_post_page("<html><head></head><body><p>$\\oops x$</p></body></html>", Page(), {})
    html = hooks.on_post_page("<html><head></head><body><p>$x$</p></body></html>", Page(), {})
    assert "<math " in html and "<style>math{" in html


def test_markdown_pages_write_formulas_with_arithmatex(hooks: object) -> None:
    markdown = require_module("markdown")
    require_module("pymdownx")
    text = "价钱 $5 和 $10; 公式 $a_1 * b_1 * c$ 与\n\n$$\n\\sum_i w_i^2\n$$\n\n`$x$`"
    page = markdown.markdown(text, extensions=["pymdownx.arithmatex"],
                             extension_configs={"pymdownx.arithmatex": {"generic": True}})
    html, failures = hooks.render_math(page, dollars=False)
    assert failures == [] and html.count("<math ") == 2
    assert "<msub><mi>a</mi><mn>1</mn></msub><mo>&#x0002A;</mo>" in html  # _ 与 * 没有变成斜体. No emphasis.
    assert "价钱 $5 和 $10" in html and "<code>$x$</code>" in html


def _examples(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (PAGES / page).read_text(encoding="utf-8"), re.DOTALL)


@pytest.mark.parametrize("page", ["quickstart.md", "concepts.md", "from_micrograd.md"])
def test_code_examples_run(page: str, tmp_path: Path) -> None:
    examples = _examples(page)
    assert examples
    if any("import torch" in code for code in examples):
        require_module("torch")
    for number, code in enumerate(examples):
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{page} example {number} failed:\n{code}\n{done.stderr[-2000:]}"


def test_readme_picture_is_reproducible(tmp_path: Path) -> None:
    require_module("graphviz")
    done = subprocess.run([sys.executable, str(DOCS / "make_images.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("e_graph.svg", "e_player.html"):
        assert (tmp_path / name).read_bytes() == (PAGES / "images" / name).read_bytes(), name
    svg = (tmp_path / "e_graph.svg").read_text(encoding="utf-8")
    assert "graphviz-pure" in svg  # 用内置渲染器画的. Drawn by the embedded renderer.
    assert "grad = 5" in svg and "grad = 2" in svg  # ∂e/∂b = 5, ∂e/∂a = 2


def test_architecture_page_is_generated_from_the_imports(site: Path) -> None:
    html = (site / "architecture" / "index.html").read_text(encoding="utf-8")
    assert "<!-- layers:" not in html  # 占位符都已替换. Every placeholder replaced.
    assert 'class="mgcn-layers"' in html and "<svg" in html
    for folder in ("backprop/", "nn/", "viz/", "classroom/", "app/"):
        assert folder in html, folder
    assert "<code>trace</code>" in html and "<code>pictures</code>" in html  # 表里列出了模块. Modules in the table.
