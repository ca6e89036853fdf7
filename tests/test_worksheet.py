"""练习卷: 命令行 micrograd-cn exercises, 独立的 HTML, 以及真正的 Chromium 打印成 PDF 后答案单独成页.

The worksheet: the ``micrograd-cn exercises`` command, a self-contained HTML
file, and in real Chromium: printed to PDF, the answer key starts a page of
its own and no exercise is on its pages; on a 1366×768 projector the text is
large enough and nothing overflows sideways.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import require

import micrograd_cn as mg
from micrograd_cn import cli
from micrograd_cn.classroom import exercises
from micrograd_cn.classroom.worksheet import worksheet_html

PDFTOTEXT = shutil.which("pdftotext")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_prints_exercises_and_answers(capsys):
    code, out, _ = run(capsys, "exercises", "-n", "3", "--level", "2", "--seed", "7", "--answers")
    assert code == 0
    made = exercises(n=3, level=2, seed=7)
    for ex in made:
        assert f"第 {ex.number} 题 Exercise {ex.number}: {ex.text}\n" in out
        assert ", ".join(f"{q.symbol} = {q.answer_text()}" for q in ex.questions) in out
    assert out.count("答案 answers:") == 3
    code, out, _ = run(capsys, "exercises", "-n", "3", "--level", "2", "--seed", "7")
    assert code == 0 and "答案" not in out and out.count("求 find:") == 3


def test_cli_refuses_bad_arguments(capsys):
    code, _, err = run(capsys, "exercises", "-n", "0")
    assert code == 2 and "n 必须是 1 到 200 之间的整数" in err and "n must be an integer" in err
    assert run(capsys, "exercises", "--level", "6")[0] == 2
    code, _, err = run(capsys, "exercises", "-n", "1", "-o", "/no/such/folder/sheet.html")
    assert code == 1 and "No such file" in err


def test_worksheet_is_self_contained_and_bilingual(pure):
    page = worksheet_html(exercises(n=2, level=3, seed=1))
    assert "<link" not in page and "<script" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r"(?:src|href)=", page)
    assert page.count("<svg") == 2 and "梯度 grad = ?" in page
    assert "答案保留 3 位小数" in page and "Round the answers to 3 decimal places" in page
    assert "break-before: page" in page and "@media print" in page
    with pytest.raises(ValueError, match="at least one exercise"):
        worksheet_html([])


def pdf_pages(pdf) -> list[str]:
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.parametrize("level, n", [(2, 10), (5, 3)])
def test_printed_pdf_has_the_answer_key_on_its_own_pages(pure, browser, tmp_path, capsys, level, n):
    require(PDFTOTEXT is not None, "pdftotext is not installed (Debian package poppler-utils)")
    sheet = tmp_path / "sheet.html"
    code, out, _ = run(capsys, "exercises", "-n", str(n), "--level", str(level), "--seed", "7", "-o", str(sheet))
    assert code == 0 and str(sheet) in out
    page = browser.new_page()
    page.goto(sheet.as_uri())
    page.pdf(path=str(tmp_path / "sheet.pdf"), prefer_css_page_size=True)
    page.close()
    pages = pdf_pages(tmp_path / "sheet.pdf")
    key = [i for i, text in enumerate(pages) if "Answer key" in text]
    assert len(key) == 1 and key[0] > 0
    first = key[0]
    assert pages[first].strip().splitlines()[0].split() == ["答案", "Answer", "key"]  # 这一页的第一行. Its first line.
    for text in pages[first:]:  # 答案页上没有题目的图. No exercise graph on the key's pages.
        assert "grad = ?" not in text and "数据 data" not in text
    key_text = re.sub(r"\s+", " ", " ".join(pages[first:]))
    starts = []
    for ex in exercises(n=n, level=level, seed=7):  # 题目按顺序在答案之前, 答案都在答案页上. Exercises first.
        heading = re.compile(rf"第 {ex.number} 题\s+Exercise {ex.number}\b")
        starts.append(next(i for i, text in enumerate(pages[:first]) if heading.search(text)))
        assert all(f"{q.symbol} = {q.answer_text()}" in key_text for q in ex.questions)
    assert starts[0] == 0 and starts == sorted(starts) and starts[-1] == first - 1  # 卷头与第一题同页. Header + 1.


def test_readable_on_a_projector(pure, browser, tmp_path, capsys):
    sheet = tmp_path / "sheet.html"
    assert run(capsys, "exercises", "-n", "4", "--level", "4", "--seed", "3", "-o", str(sheet))[0] == 0
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                         if route.request.url.startswith("file://") else route.abort()))
    page = context.new_page()
    page.goto(sheet.as_uri())
    sizes = page.evaluate("""() => [...document.querySelectorAll('h1, h2, p, li, .expr span')]
        .map((el) => parseFloat(getComputedStyle(el).fontSize))""")
    assert sizes and min(sizes) >= 14
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    graphs = page.evaluate("""() => [...document.querySelectorAll('.graph svg')].map((svg) => {
        const r = svg.getBoundingClientRect(); return [r.width, r.height]; })""")
    assert len(graphs) == 4 and all(0 < w <= 1366 and 0 < h <= 768 for w, h in graphs)
    assert all(url.startswith("file://") for url in requests)
    context.close()


def test_each_exercise_is_a_quiz_player(pure, browser, tmp_path, capsys):
    code, out, _ = run(capsys, "exercises", "-n", "3", "--level", "2", "--seed", "7", "--quiz", str(tmp_path))
    pages = sorted(tmp_path.glob("exercise-*.html"))
    assert code == 0 and [p.name for p in pages] == ["exercise-01.html", "exercise-02.html", "exercise-03.html"]
    assert out.count("已写入 wrote:") == 3
    made = exercises(n=3, level=2, seed=7)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(pages[0].as_uri())
    assert made[0].text in page.locator("h1").inner_text()
    question = made[0].questions[-1]  # 答对最后一问 answer the last question right
    index = [node.label for node in mg.topological_order(made[0].out)].index(question.name)
    page.locator(f'[id="node-{index}"]').click()
    page.locator(".mgcn-answer input").fill(question.answer_text())
    page.locator(".mgcn-answer input").press("Enter")
    assert "✔ 对了" in page.locator(".mgcn-feedback").inner_text()
    page.close()
