"""文档站点的 MkDocs 钩子: 把 notebooks/ 中的课程放进站点, 并保证页面不引用外部脚本.

MkDocs hooks for the documentation site.

* Every ``notebooks/*.ipynb`` of the repository becomes the page
  ``notebooks/<name>/`` (rendered by mkdocs-jupyter), read from where it is,
  without copying it into ``docs/``; the ``NOTEBOOKS`` placeholder in the ``nav`` of
  ``mkdocs.yml`` is replaced by the lessons in file-name order.
* The site must work offline in a classroom: scripts that load code from
  another host (nbconvert adds MathJax and Mermaid from a CDN) and stylesheet
  ``<link>`` tags that point to another host are removed.
* Instead of MathJax, every formula is turned into MathML at build time
  (``latex2mathml``), which Chromium (>= 109) and Firefox draw natively:
  ``$...$``/``$$...$$`` written by nbconvert in the lessons, and ``\\(...\\)``/
  ``\\[...\\]`` written by ``pymdownx.arithmatex`` for ``$...$`` in the Markdown
  pages. Code, code cells and cell outputs are left alone. A formula that
  cannot be converted fails the build, naming the page and the formula.
"""

from __future__ import annotations

import html
import importlib.util
import re
from functools import cache
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PLACEHOLDER = "NOTEBOOKS"

EXTERNAL_URL = r"[\"']?(?:https?:)?//"
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
EXTERNAL_SRC = re.compile(r"\bsrc=" + EXTERNAL_URL, re.IGNORECASE)
EXTERNAL_IMPORT = re.compile(r"(?:\bimport\s*\(\s*|\bfrom\s+|\bimport\s+)" + EXTERNAL_URL)
EXTERNAL_STYLESHEET = re.compile(r"<link\b[^>]*\bhref=" + EXTERNAL_URL + r"[^>]*>", re.IGNORECASE)


def notebook_paths() -> list[Path]:
    """仓库中的全部课程笔记本, 按文件名排序. The repository's notebooks, sorted by name."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def lesson_uri(notebook: Path) -> str:
    """笔记本在站点中的源路径 (与仓库中相同). The notebook's path in the site, as in the repository."""
    return notebook.relative_to(ROOT).as_posix()


def _expand(nav: Any, lessons: list[str]) -> Any:
    """把 nav 中的占位符换成课程列表. Replace the placeholder in the nav by the lessons."""
    if isinstance(nav, list):
        expanded: list[Any] = []
        for item in nav:
            if item == PLACEHOLDER:
                expanded.extend(lessons)
            else:
                expanded.append(_expand(item, lessons))
        return expanded
    if isinstance(nav, dict):
        return {title: _expand(value, lessons) for title, value in nav.items()}
    return nav


def on_config(config: Any) -> Any:
    """在导航中列出每个笔记本. List every notebook in the navigation."""
    if config["nav"] is not None:
        config["nav"] = _expand(config["nav"], [lesson_uri(path) for path in notebook_paths()])
    return config


@event_priority(100)  # 先于 mkdocs-jupyter 运行, 它才会把这些文件当作笔记本页面. Before mkdocs-jupyter.
def on_files(files: Files, config: Any) -> Files:
    """把 notebooks/*.ipynb 加入站点, 源目录是仓库根目录 (不复制文件).

    Add each notebook as a file whose source folder is the repository root.
    """
    for path in notebook_paths():
        files.append(File(lesson_uri(path), str(ROOT), config["site_dir"], config["use_directory_urls"]))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """架构页: 在构建时从源码的导入生成分层图与文件夹表, 所以它不会过时.

    The architecture page: the layer picture and the folder table are made
    from the package's imports at build time, so they cannot go stale.
    """
    if page.file.src_uri != "architecture.md":
        return markdown
    from micrograd_cn.viz.renderer import to_svg

    spec = importlib.util.spec_from_file_location("architecture", Path(__file__).with_name("architecture.py"))
    architecture = importlib.util.module_from_spec(spec)  # docs/architecture.py: 分层规则. The layer rules.
    spec.loader.exec_module(architecture)
    graph = architecture.imports()
    svg = to_svg(architecture.layer_dot(graph))
    svg = svg[svg.index("<svg"):]
    picture = f'<div class="mgcn-layers" role="img" aria-label="分层图 layer picture">{svg}</div>'
    return markdown.replace("<!-- layers:picture -->", picture).replace(
        "<!-- layers:table -->", architecture.folder_table(graph))


def on_post_page(output: str, page: Any, config: Any) -> str:
    """删除指向外部主机的脚本与样式表, 站点因此可以离线使用.

    Remove scripts and stylesheets served from other hosts, so the site works offline.
    """
    output = SCRIPT.sub(lambda m: "" if _loads_external(m.group(1), m.group(2)) else m.group(0), output)
    output = EXTERNAL_STYLESHEET.sub("", output)
    output, failures = render_math(output, dollars=page.file.src_uri.endswith(".ipynb"))
    if failures:
        listed = "\n".join(f"  {tex!r}: {reason}" for tex, reason in failures)
        raise PluginError(f"{page.file.src_uri}: {len(failures)} 个公式无法转换为 MathML, 请改写 "
                          f"({len(failures)} formula(s) cannot be converted to MathML, please rewrite them):\n{listed}")
    return output.replace("</head>", MATH_STYLE + "</head>", 1) if "<math" in output else output


def _loads_external(attributes: str, body: str) -> bool:
    """脚本是否从其他主机加载代码 (src 或 import). Whether a script loads code from another host."""
    return bool(EXTERNAL_SRC.search(attributes) or EXTERNAL_IMPORT.search(body))


# ---------------------------------------------------------------------------
# 公式: LaTeX → MathML. Formulas: LaTeX to MathML.

MATH_STYLE = ("<style>math{font-family:'STIX Two Math','Latin Modern Math','Cambria Math',math}"
              "math[display=block]{margin:.8em 0;overflow-x:auto;overflow-y:hidden}</style>")
TAG = re.compile(r"<!--.*?-->|<![^>]*>|</?([a-zA-Z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.DOTALL)
CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
# 这些元素中的文字不是公式: 代码、脚本、样式、页头, 以及已经是 MathML/SVG 的部分.
# Text inside these elements is never a formula.
NO_MATH_TAGS = {"pre", "code", "kbd", "samp", "script", "style", "textarea", "title", "head", "math", "svg"}
# 代码格的输入与任何一格的输出 (nbconvert 的类名). A code cell's input and every cell's output.
NO_MATH_CLASSES = {"jp-InputArea-editor", "jp-Cell-outputWrapper", "jp-OutputArea", "highlight"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# 公式的写法, 排在前面的优先. Ways to write a formula; earlier ones win.
LATEX_DELIMITERS = [
    r"\\\[(?P<bracket_display>.+?)\\\]",
    r"\\\((?P<paren_inline>.+?)\\\)",
    # nbconvert 原样输出不在 $ 中的公式环境. nbconvert writes a bare math environment as it is.
    r"(?P<environment>\\begin\{(?P<env>(?:equation|align|gather|multline|eqnarray|alignat)\*?)\}.*?\\end\{(?P=env)\})",
]
# 先认出 \$ (不是公式), 再认 $$...$$, 再认 $...$. An escaped dollar first, then display, then inline math.
# 行内 $...$ 按 Pandoc 的规则: 开头的 $ 后、结尾的 $ 前不能是空白, 结尾的 $ 后不能紧跟数字,
# 所以 "$5 和 $10" 这样的价钱不是公式. Inline math follows Pandoc's rule, so prices stay text.
DOLLAR_DELIMITERS = [
    r"(?P<escaped>\\\$)",
    r"\$\$(?P<dollar_display>.+?)(?<!\\)\$\$",
    *LATEX_DELIMITERS,
    r"\$(?=[^\s$])(?P<dollar_inline>(?:\\.|[^$\\])+?)(?<![\s\\])\$(?!\d)",
]
LATEX_MATH = re.compile("|".join(LATEX_DELIMITERS), re.DOTALL)
DOLLAR_MATH = re.compile("|".join(DOLLAR_DELIMITERS), re.DOTALL)
DISPLAY_GROUPS = ("dollar_display", "bracket_display", "environment")
BARE_AMPERSAND = re.compile(r"&(?!#?\w+;)")
UNKNOWN_COMMAND = re.compile(r">[^<]*?(\\[a-zA-Z]+)")
TEXT_ESCAPE = re.compile(r"\\([%_$#&{} ])")
MTEXT = re.compile(r"(<mtext>)(.*?)(</mtext>)", re.DOTALL)
STYLED_LETTER = re.compile(r'<mi mathvariant="(bold|bold-italic)">([A-Za-z])</mi>')
# MathML Core 不支持 mathvariant="bold": 换成 Unicode 数学粗体字母. Chromium ignores bold mathvariant.
STYLE_OFFSETS = {"bold": 0x1D400, "bold-italic": 0x1D468}


class MathError(ValueError):
    """公式无法转换为 MathML. A formula that cannot be converted to MathML."""


@cache
def tex_to_mathml(tex: str, display: bool = False) -> str:
    """把一段 LaTeX 公式转换为 MathML; 不支持或写错时抛出 MathError.

    Convert one LaTeX formula (without delimiters) to a ``<math>`` element.
    Raises ``MathError`` when latex2mathml rejects it, when its braces do not
    balance, or when a command is unknown to latex2mathml (which would
    otherwise print it as text).
    """
    from latex2mathml.converter import convert

    depth = 0
    for brace in re.findall(r"\\.|[{}]", tex):
        depth += {"{": 1, "}": -1}.get(brace, 0)
        if depth < 0:
            break
    if depth:
        raise MathError("花括号不配对 (unbalanced braces)")
    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml 的各种语法错误. Its syntax errors have no common base.
        raise MathError(f"latex2mathml: {type(error).__name__} {error}".strip()) from error
    mathml = MTEXT.sub(lambda m: m.group(1) + TEXT_ESCAPE.sub(r"\1", m.group(2)) + m.group(3), mathml)
    if BARE_AMPERSAND.search(mathml):
        raise MathError("& 只能用在矩阵或对齐环境中, 文字 & 请写 \\& (a bare & belongs in a matrix; write \\&)")
    unknown = UNKNOWN_COMMAND.search(mathml)
    if unknown:
        raise MathError(f"latex2mathml 不认识 {unknown.group(1)} (unsupported command {unknown.group(1)})")
    return STYLED_LETTER.sub(_styled_letter, mathml)


def _styled_letter(match: re.Match[str]) -> str:
    """把粗体字母换成 Unicode 数学字母. A bold letter as a Unicode mathematical letter."""
    letter = match.group(2)
    index = ord(letter) - ord("A") if letter.isupper() else 26 + ord(letter) - ord("a")
    offset = STYLE_OFFSETS[match.group(1)] + index
    return f"<mi>{chr(offset)}</mi>"


def render_math(page_html: str, dollars: bool = True) -> tuple[str, list[tuple[str, str]]]:
    """把页面 HTML 中的公式换成 MathML, 返回新的 HTML 与无法转换的 (公式, 原因).

    Replace the formulas of a page's HTML by MathML. Only text outside code,
    scripts, styles and notebook code cells/outputs is looked at; the text is
    HTML-escaped, so each formula is unescaped before conversion. ``\\(...\\)``,
    ``\\[...\\]`` and math environments are always formulas; ``$...$`` and
    ``$$...$$`` only when ``dollars`` is true (notebook pages; the Markdown
    pages' dollars are already turned into ``\\(...\\)`` by arithmatex), where
    ``\\$`` shows a plain dollar. Returns the new HTML and, for every formula
    that could not be converted, the formula and the reason (its text is kept).
    """
    failures: list[tuple[str, str]] = []
    pieces: list[str] = []
    skipping: list[Any] = []  # [标签名, 嵌套深度] 或空. [tag name, depth] while inside a no-math element.
    position = 0
    for tag in TAG.finditer(page_html):
        pieces.append(page_html[position:tag.start()] if skipping else
                      _convert_text(page_html[position:tag.start()], dollars, failures))
        pieces.append(tag.group(0))
        position = tag.end()
        _track_no_math(tag, skipping)
    pieces.append(page_html[position:] if skipping else _convert_text(page_html[position:], dollars, failures))
    return "".join(pieces), failures


def _track_no_math(tag: re.Match[str], skipping: list[Any]) -> None:
    """跟踪当前是否在不含公式的元素里. Track whether the scan is inside a no-math element."""
    name = (tag.group(1) or "").lower()
    if not name:
        return
    closing = tag.group(0).startswith("</")
    opens = not closing and not tag.group(0).endswith("/>") and name not in VOID_TAGS
    if skipping:
        if name == skipping[0]:
            skipping[1] += 1 if opens else -1 if closing else 0
            if skipping[1] == 0:
                skipping.clear()
        return
    if opens:
        classes = CLASS.search(tag.group(0))
        if name in NO_MATH_TAGS or (classes and NO_MATH_CLASSES.intersection(classes.group(1).split())):
            skipping.extend([name, 1])


def _convert_text(text: str, dollars: bool, failures: list[tuple[str, str]]) -> str:
    """转换一段 (HTML 转义过的) 文字中的公式. Convert the formulas of one run of escaped text."""
    if "$" not in text and "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        found = {name: group for name, group in match.groupdict().items() if group is not None and name != "env"}
        if "escaped" in found:
            return "$"
        (kind, source), = found.items()
        tex = html.unescape(source)
        try:
            return tex_to_mathml(tex.strip(), kind in DISPLAY_GROUPS)
        except MathError as error:
            failures.append((tex, str(error)))
            return match.group(0)

    return (DOLLAR_MATH if dollars else LATEX_MATH).sub(replace, text)
