"""终端输出: 在任何编码的控制台、管道和文件里都不崩溃, 写不出的数学符号用 ASCII 拼写.

Console output that never crashes on the stream's encoding.

A Chinese Windows writes redirected or piped output in its code page (GBK,
``cp936``), which has Chinese but not ``∂``, ``⁽¹⁾``, subscripts or ``−``;
``PYTHONIOENCODING`` may also say ``ascii`` or ``cp1252``.  Python then raises
``UnicodeEncodeError`` at the first ``∂``.

The command line keeps the stream's own encoding (the program that reads the
output — PowerShell, ``more``, ``type``, an editor opening the file in the
system code page — decodes with it, so the Chinese stays readable; writing
UTF-8 instead would turn every Chinese character into mojibake there) and
spells only the characters the encoding lacks:

* ``∂e/∂b`` → ``de/db``, ``→`` → ``->``, ``×`` → ``x``, ``−`` → ``-``, ``σ`` → ``sigma`` (:data:`SPELLINGS`);
* superscripts and subscripts by their plain form: ``z⁽¹⁾₁`` → ``z(1)_1``, ``x²`` → ``x^2``;
* anything else with no plain form (Chinese on an ``ascii`` stream) → ``?``.

Streams that can encode everything (UTF-8, GB18030) are unchanged.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import unicodedata
from collections.abc import Iterator
from typing import TextIO

ERRORS = "micrograd_cn.spell"
"""注册的编码错误处理器的名字. The name of the registered codec error handler."""

SPELLINGS = {
    "∂": "d", "−": "-", "×": "x", "·": "*", "÷": "/", "±": "+/-", "√": "sqrt", "≈": "~=", "≤": "<=", "≥": ">=",
    "→": "->", "←": "<-", "↔": "<->", "…": "...", "⋯": "...", "—": "--", "–": "-", "‖": "||", "⊙": "(.)",
    "∈": " in ", "′": "'", "″": "''", "“": '"', "”": '"', "‘": "'", "’": "'", "½": "1/2",
    "✓": "OK", "✔": "OK", "✗": "X",
    "α": "alpha", "β": "beta", "δ": "delta", "Δ": "Delta", "ε": "eps", "θ": "theta", "λ": "lambda",
    "μ": "mu", "σ": "sigma", "Σ": "Sigma", "η": "eta",
}
"""数学符号的 ASCII 拼写. ASCII spellings of the symbols the lessons print."""


def _script(char: str) -> tuple[str, str] | None:
    """上标或下标字符的 (种类, 普通写法), 如 ("<super>", "1"); 其他字符为 None. Kind and plain form of a script."""
    kind, _, code = unicodedata.decomposition(char).partition(" ")
    if kind in ("<super>", "<sub>") and code:
        return kind, chr(int(code, 16))
    return None


def spelling(char: str, before: str = "") -> str:
    """一个写不出的字符的 ASCII 拼写 (before 是它前面的字符). The ASCII spelling of one character."""
    if char in SPELLINGS:
        return SPELLINGS[char]
    script = _script(char)
    if script is not None:
        kind, plain = script
        previous = _script(before)
        if plain in "()" or (previous is not None and previous[0] == kind):
            return plain  # 同一串上标/下标只在开头加一次 ^ 或 _. One ^ or _ per run; ⁽¹⁾ is just (1).
        return ("^" if kind == "<super>" else "_") + plain
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return plain if plain and plain.isascii() and plain.isprintable() else "?"


def _spell(error: UnicodeError) -> tuple[str, int]:
    """编码错误处理器: 把写不出的一段字符换成 ASCII 拼写. The codec error handler."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object
    spelled = "".join(spelling(text[i], text[i - 1] if i else "") for i in range(error.start, error.end))
    return spelled, error.end


codecs.register_error(ERRORS, _spell)


def can_write(text: str, stream: TextIO | None = None) -> bool:
    """这个流的编码能否原样写出 text (二维码之类拼写不了的东西用它判断). Whether the stream can write text as is."""
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


@contextlib.contextmanager
def readable_output() -> Iterator[None]:
    """在这段时间里 stdout/stderr 遇到写不出的字符时拼写而不是崩溃, 结束后恢复.

    While the block runs, stdout and stderr spell what their encoding cannot
    write instead of raising; their previous error handlers come back after.
    Streams without ``reconfigure`` (a notebook's, a test's capture) are left alone.
    A pipe whose reader has gone (``| more`` quit early) ends the command
    quietly with exit code 1 instead of a ``BrokenPipeError`` traceback.
    """
    restore = []
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and hasattr(stream, "errors"):
            restore.append((stream, stream.errors))
            stream.reconfigure(errors=ERRORS)
    try:
        yield
    except BrokenPipeError:  # 读管道的程序先走了 (如 | more 按了 q): 安静地结束. The reader left: end quietly.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # 退出时的 flush 不再出错. Exit flush.
        raise SystemExit(1) from None
    finally:
        for stream, errors in restore:
            with contextlib.suppress(ValueError, OSError):  # 已关闭的流. A closed stream.
                stream.reconfigure(errors=errors)


__all__ = ["ERRORS", "SPELLINGS", "can_write", "readable_output", "spelling"]
