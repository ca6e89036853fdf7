"""课堂用的材料: 种子文章的例题网络、练习生成器与练习卷、梯度动力学、序列任务、演示、给投影仪的图.

Lesson aids: the seed articles' worked examples, the exercise generator and
printable worksheet, gradient dynamics, sequence tasks, the demo, plots for
a projector and the extras check.  May import every layer but ``app``.
"""

from __future__ import annotations

from .exercises import LEVELS, Answers, Exercise, ExerciseSet, Question, exercises
from .worksheet import worksheet_html, write_worksheet

__all__ = ["LEVELS", "Answers", "Exercise", "ExerciseSet", "Question", "exercises", "worksheet_html",
           "write_worksheet"]
