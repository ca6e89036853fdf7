"""课堂用的材料: 练习生成器与可打印的练习卷.

Classroom material: the exercise generator and the printable worksheet.
"""

from __future__ import annotations

from .exercises import LEVELS, Exercise, Question, exercises
from .worksheet import worksheet_html, write_worksheet

__all__ = ["LEVELS", "Exercise", "Question", "exercises", "worksheet_html", "write_worksheet"]
