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
