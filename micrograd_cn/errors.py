"""双语错误信息: 说出哪个运算、收到了什么值.

Bilingual error messages that name the operation and the operand.
"""

from __future__ import annotations

from typing import NoReturn


def bilingual(zh: str, en: str) -> str:
    """把中文与英文说明拼成一条信息: ``中文 (English)``.

    Join a Chinese and an English explanation into one message.
    """
    return f"{zh} ({en})"


def fail(error: type[Exception], zh: str, en: str) -> NoReturn:
    """抛出一个双语异常.

    Raise ``error`` with a bilingual message.
    """
    raise error(bilingual(zh, en))


ENGLISH_STYLE = "color:#4b5563"
"""HTML 中英文一半的样式: 灰色, 与中文同样大小 (投影仪上不缩小). The English half in HTML: grey, same size."""


def english_html(escaped: str) -> str:
    """HTML 中双语文字的英文一半 (已转义的文本): 灰色, 不用 <small>, 字号不小于中文.

    The English half of a bilingual text in HTML (``escaped`` is already
    HTML-escaped): grey rather than ``<small>``, so it stays as large as the
    Chinese on a projector.
    """
    return f'<span style="{ENGLISH_STYLE}">{escaped}</span>'
