"""文档站点的 MkDocs 钩子: 把 notebooks/ 中的课程放进站点, 并保证页面不引用外部脚本.

MkDocs hooks for the documentation site.

* Every ``notebooks/*.ipynb`` of the repository becomes the page
  ``notebooks/<name>/`` (rendered by mkdocs-jupyter), read from where it is,
  without copying it into ``docs/``; the ``NOTEBOOKS`` placeholder in the ``nav`` of
  ``mkdocs.yml`` is replaced by the lessons in file-name order.
* The site must work offline in a classroom: scripts that load code from
  another host (nbconvert adds MathJax and Mermaid from a CDN) and stylesheet
  ``<link>`` tags that point to another host are removed, so formulas in the
  lessons show as their LaTeX source.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


def on_post_page(output: str, page: Any, config: Any) -> str:
    """删除指向外部主机的脚本与样式表, 站点因此可以离线使用.

    Remove scripts and stylesheets served from other hosts, so the site works offline.
    """
    output = SCRIPT.sub(lambda m: "" if _loads_external(m.group(1), m.group(2)) else m.group(0), output)
    return EXTERNAL_STYLESHEET.sub("", output)


def _loads_external(attributes: str, body: str) -> bool:
    """脚本是否从其他主机加载代码 (src 或 import). Whether a script loads code from another host."""
    return bool(EXTERNAL_SRC.search(attributes) or EXTERNAL_IMPORT.search(body))
