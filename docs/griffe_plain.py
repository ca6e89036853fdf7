"""把文档字符串中的纯文本写法变成安全的 Markdown, 供 API 参考页使用.

A griffe extension for the API reference.  The package's docstrings are plain
text with reStructuredText habits (````code````, ``:func:`name` ``), not
Markdown.  So that they render as written:

* Sphinx roles such as ``:func:`x` `` become the code span `` `x` ``;
* outside code spans and indented code blocks, ``[``, ``<`` and an inline
  ``*`` are escaped, so ``W[i][j]`` is not taken for a link, ``<name>`` not
  for HTML and ``a*b*c`` not for emphasis.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|obj|exc|py:\w+):(?=`)")
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)


def _escape_text(text: str) -> str:
    """转义普通文字中的 Markdown 特殊字符. Escape Markdown syntax in plain text."""
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("<", "&lt;")
    # 行首的 "* " 是列表, 保留; 其他 * 转义. A "* " at a line start is a list item.
    return re.sub(r"\*", lambda m: m.group(0) if _starts_item(text, m.start()) else "\\*", text)


def _starts_item(text: str, index: int) -> bool:
    """该 * 是否是行首的列表标记. Whether the star at ``index`` starts a list item."""
    line_start = text.rfind("\n", 0, index) + 1
    return text[line_start:index].strip() == "" and text[index + 1:index + 2] == " "


def _escape_paragraph(text: str) -> str:
    """转义一段文字, 代码片段原样保留. Escape a paragraph, keeping code spans."""
    pieces, last = [], 0
    for match in CODE_SPAN.finditer(text):
        pieces.append(_escape_text(text[last:match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_escape_text(text[last:]))
    return "".join(pieces)


def markdown_from_plain(docstring: str) -> str:
    """把纯文本文档字符串变成 Markdown; 缩进的代码块原样保留.

    Turn a plain-text docstring into Markdown; indented code blocks stay as they are.
    """
    docstring = ROLE.sub("", docstring)
    blocks = re.split(r"(\n\s*\n)", docstring)
    return "".join(block if block.startswith("    ") or not block.strip() else _escape_paragraph(block)
                   for block in blocks)


class PlainDocstrings(Extension):
    """载入每个对象时改写它的文档字符串. Rewrite every docstring as it is loaded."""

    def on_instance(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_from_plain(obj.docstring.value)
