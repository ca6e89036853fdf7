"""课程文件打开时不是 "已修改": 磁盘上的文本就是 JupyterLab 打开后会写回的样子; 测验的答案不紧挨着测验印出来.

Lesson files open unmodified.  JupyterLab marks a notebook modified as soon
as anything it writes back would differ from the file: the kernel's
``language_info`` (missing, or another Python version), cell ids, nbformat
4.5, or the text layout of nbformat's writer.  This checks each lesson's
file against all of that without starting JupyterLab (the JupyterLab test of
the lessons also checks the dirty flag on opening).  It also checks that no
lesson prints a quiz's answers in plain sight right under the quiz.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import require_module

LESSONS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IDS = [lesson.name[:2] for lesson in LESSONS]


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_a_lesson_file_is_what_jupyterlab_would_write_back(lesson):
    nbformat = require_module("nbformat")
    kernel = require_module("ipykernel.ipkernel").IPythonKernel
    raw = lesson.read_text(encoding="utf-8")
    notebook = nbformat.reads(raw, as_version=4)
    nbformat.validate(notebook)
    assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5)
    assert raw == nbformat.writes(notebook) + "\n"  # 同样的键序、缩进与结尾换行. Same key order, indent, last newline.
    assert all(re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", cell.get("id", "")) for cell in notebook.cells)
    assert notebook.metadata.kernelspec == {"display_name": "Python 3 (ipykernel)", "language": "python",
                                            "name": "python3"}
    stored = dict(notebook.metadata.get("language_info", {}))
    reported = dict(kernel.language_info)  # 内核连上后 JupyterLab 写进元数据的. What JupyterLab writes on connecting.
    assert re.fullmatch(r"3\.\d+\.\d+", stored.pop("version", "")), "language_info has no Python version"
    reported.pop("version")
    assert stored == reported
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)  # 未运行. Saved unexecuted.


QUIZ = re.compile(r"step_through\([^)]*quiz=True|\.player\(")
PRINTED_GRAD = re.compile(r"print\([^)]*\.grad\b")


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_no_quiz_answer_is_printed_right_under_the_quiz(lesson):
    """测验之后的三个代码单元不 print 梯度 (答案要藏在 "点开看答案" 里). No printed gradients right after a quiz."""
    cells = [cell for cell in json.loads(lesson.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]
    for index, cell in enumerate(cells):
        if QUIZ.search("".join(cell["source"])):
            for after in cells[index + 1:index + 4]:
                source = "".join(after["source"])
                assert not PRINTED_GRAD.search(source), f"{lesson.name}: answers printed after a quiz:\n{source}"
