"""练习卷: 命令行 micrograd-cn exercises, 独立的 HTML, 以及真正的 Chromium 打印成 PDF 后答案单独成页.

The worksheet: the ``micrograd-cn exercises`` command, a self-contained HTML
file, and in real Chromium: printed to PDF, the answer key starts a page of
its own and no exercise is on its pages; on a 1366×768 projector the text is
large enough and nothing overflows sideways.
"""

from __future__ import annotations

import html
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
    assert starts[0] == 0 and starts == sorted(starts)  # 卷头与第一题同页. Header and exercise 1 share a page.
    # 最后一题之后就是答案; 分开印的题, 中间是它的各部分. The key follows the last exercise (and its parts).
    assert all(re.search(r"Part \d: ", pages[i]) for i in range(starts[-1] + 1, first)), starts


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


WORD = r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
"""pdftotext -bbox 的一个词. One word of ``pdftotext -bbox``."""


def word_sizes(pdf, first: int, last: int) -> list[tuple[int, float, str]]:
    """PDF 中每个词的字号 (磅), 用同一份 PDF 里已知 11 磅的 "given" 校准 poppler 的词框高度.

    The size in points of every word on pages first..last of the PDF, from
    poppler's word boxes, calibrated on the word "given" (11 pt body text)."""
    bbox = subprocess.run([PDFTOTEXT, "-bbox", "-f", str(first), "-l", str(last), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = []
    for number, page in enumerate(bbox.split("<page")[1:], start=first):
        for y0, y1, word in re.findall(WORD, page):
            words.append((number, float(y1) - float(y0), html.unescape(word)))
    given = [height for _, height, word in words if word.rstrip(":") == "given"]
    assert given, "no 'given' to calibrate on"
    per_point = given[0] / 11.0  # 印刷样式: body 11pt. The print style's body size.
    latin = re.compile(r"^[A-Za-z0-9=?.:+\-−∂/·²()]+$")  # 中文用另一种字体, 高度比例不同. CJK has other metrics.
    return [(number, height / per_point, word) for number, height, word in words if latin.match(word)]


def test_level_5_graph_text_prints_at_9_pt_or_more(pure, browser, tmp_path, capsys):
    """难度 5: 每张图印在横向的纸上, PDF 里图中每个字 ≥ 9 磅 (以前整张图挤在纸宽里, 约 6–7 磅).

    Level 5: every graph prints on a landscape page and every word of it is at
    least 9 pt in Chromium's PDF (the whole graph squeezed into the page width
    printed at 6–7 pt)."""
    require(PDFTOTEXT is not None, "pdftotext is not installed (Debian package poppler-utils)")
    sheet = tmp_path / "sheet.html"
    assert run(capsys, "exercises", "-n", "3", "--level", "5", "--seed", "7", "-o", str(sheet))[0] == 0
    page = browser.new_page()
    page.goto(sheet.as_uri())
    page.pdf(path=str(tmp_path / "sheet.pdf"), prefer_css_page_size=True)
    page.close()
    pages = pdf_pages(tmp_path / "sheet.pdf")
    key = next(i for i, text in enumerate(pages) if "Answer key" in text)
    graphs = [i for i in range(key) if "数据 data" in re.sub(r"\s+", " ", pages[i])]
    assert len(graphs) == 9  # 三道题, 每道三张图. Three exercises, three graphs each.
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(key), str(tmp_path / "sheet.pdf")], capture_output=True,
                          text=True).stdout
    sizes = [tuple(map(float, found)) for found in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info)]
    assert len(sizes) == key and all(width > height for width, height in sizes)  # 横向. Landscape.
    words = word_sizes(tmp_path / "sheet.pdf", 1, key)
    in_graphs = [(number, size, word) for number, size, word in words if number - 1 in graphs]
    assert len(in_graphs) > 300
    small = [(number, round(size, 2), word) for number, size, word in in_graphs if size < 8.95]
    assert not small, small[:10]
    made = exercises(n=3, level=5, seed=7)  # 每一问的横线都在某张图下. Every question has its blank.
    text = re.sub(r"\s+", " ", " ".join(pages[:key]))
    assert all(text.count(f"{q.symbol} =") >= 1 for ex in made for q in ex.questions)
