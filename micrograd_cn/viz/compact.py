"""把前端文件写紧凑再嵌入页面: 去掉注释、缩进和不必要的空格, 源文件保持好读.

Compact the front-end files before they are embedded in a page: comments,
indentation and needless spaces go, the source files stay readable.  The
script is split into tokens (strings, regular expressions, comments, words,
punctuation) so nothing inside a string or a regular expression is touched,
and every line break that automatic semicolon insertion could act on is
kept (only those after ``;``, ``{`` and ``,`` go), so the compact script
reads exactly as the source does.
"""

from __future__ import annotations

import re

_JS_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\f\v]+)
  | (?P<newline>\n)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)
  | (?P<word>[\w$.]+)
  | (?P<other>.)
""", re.X | re.S)
_JS_REGEX = re.compile(r"/(?![*/])(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "do", "else", "in", "of", "new",
                                                  "delete", "void", "throw", "yield", "await"}
"""在这些记号之后, / 开始一个正则表达式而不是除号. After these a ``/`` starts a regular expression."""


def _is_word(char: str) -> bool:
    return char.isalnum() or char in "_$." or ord(char) > 127


def _needs_space(left: str, right: str) -> bool:
    """两个记号之间能否不留空格. Whether two tokens must stay apart: two words, or ``+ +`` / ``- -``."""
    a, b = left[-1], right[0]
    return (_is_word(a) and _is_word(b)) or (a in "+-" and b in "+-")


def compact_js(source: str) -> str:
    """紧凑的脚本: 没有注释、缩进和空行, 只在两个词之间留空格; 换行只去掉 ; { , 之后的. A compact script."""
    out: list[str] = []
    previous = ""  # 上一个有意义的记号. The last significant token.
    spaced = False
    position = 0
    while position < len(source):
        match = None
        if source[position] == "/" and (not previous or previous in _BEFORE_REGEX):
            match = _JS_REGEX.match(source, position)
        kind = "regex" if match else None
        if match is None:
            match = _JS_TOKEN.match(source, position)
            kind = match.lastgroup
        token, position = match.group(0), match.end()
        if kind == "space" or (kind == "comment" and "\n" not in token):
            spaced = True
            continue
        if kind in ("newline", "comment"):  # 多行注释算一次换行. A block comment over lines is a line break.
            # ; { , 之后的换行不会引起自动补分号, 可以去掉. After ; { or , a line break never inserts a semicolon.
            if out and out[-1] != "\n" and out[-1] not in (";", "{", ","):
                out.append("\n")
            spaced = False
            continue
        if spaced and out and out[-1] != "\n" and _needs_space(out[-1], token):
            out.append(" ")
        out.append(token)
        previous, spaced = token, False
    return "".join(out).strip() + "\n"


def compact_css(source: str) -> str:
    """紧凑的样式表: 没有注释、缩进, 标点两边没有空格. A compact style sheet."""
    text = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return re.sub(r"\s*,\s*|(?<=:)\s+", lambda m: m.group(0).strip(), re.sub(r"\s*([{};])\s*", r"\1", text))
