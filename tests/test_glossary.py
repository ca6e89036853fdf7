"""术语表: 每个术语有英文, 真的出现在它列出的地方; 表中不用的说法在包、课程、README 和文档里一处也没有.

The glossary (docs/pages/glossary.md) is data: every term has its English
term and appears where the table says; no ruled-out variant appears in the
package's strings and front-end assets, the lessons, the README, the docs or
the browser site's sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "pages" / "glossary.md"
REQUIRED = ("反向传播", "前向传播", "计算图", "局部导数", "上游梯度", "链式法则", "堆放", "梯度", "叶子节点",
            "拓扑排序", "误差项", "损失", "学习率", "优化器", "随时间反向传播")
"""课程离不开的术语. The terms every lesson leans on."""


@dataclass(frozen=True)
class Term:
    term: str
    english: str
    lessons: tuple[str, ...]
    places: tuple[str, ...]
    ruled_out: tuple[str, ...]

    @property
    def primary(self) -> str:
        """主用的写法: 第一格的第一个词 ("堆放 (又作 累加)" → 堆放). The primary spelling."""
        return self.term.split()[0]


def glossary() -> list[Term]:
    """读术语表的 Markdown 表格. Read the Markdown table."""
    rows = [line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    assert rows and rows[0].split("|")[1].strip() == "术语"
    terms = []
    for row in rows[1:]:
        cells = [cell.strip() for cell in row.strip().strip("|").split(" | ")]
        assert len(cells) == 5, row
        term, english, _, where, ruled_out = cells
        lessons = tuple(n for found in re.findall(r"第 ([0-9、]+) 课", where) for n in found.split("、"))
        variants = tuple(v.strip() for v in ruled_out.split("、") if v.strip() not in ("", "—"))
        terms.append(Term(term, english, lessons, tuple(re.findall(r"`([^`]+)`", where)), variants))
    return terms


def lesson(number: str) -> Path:
    (path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    return path


def scanned() -> list[Path]:
    """要检查的文件: 包的 .py 与前端资源, 课程, README, 文档 (术语表自己除外), 浏览器站点的源码.

    The package's Python and assets, the lessons, the README, the docs
    pages and build scripts (the glossary itself excepted), the browser
    site's sources."""
    files = [*(ROOT / "micrograd_cn").rglob("*.py"), *(ROOT / "micrograd_cn" / "viz" / "assets").iterdir(),
             *(ROOT / "notebooks").glob("*.ipynb"), ROOT / "README.md", *(ROOT / "docs").glob("*.py"),
             *(ROOT / "docs" / "pages").rglob("*.md"), *(ROOT / "web" / "src").iterdir(), ROOT / "web" / "build.py"]
    return sorted({f for f in files if f.is_file() and f != GLOSSARY and f.suffix != ".pyc"})


def test_glossary_lists_the_terms_with_english_and_places():
    terms = glossary()
    primaries = [t.primary for t in terms]
    assert len(primaries) == len(set(primaries))
    assert set(REQUIRED) <= set(primaries), set(REQUIRED) - set(primaries)
    accumulate = next(t for t in terms if t.primary == "堆放")
    assert "累加" in accumulate.term  # 两个词, 一件事: 表中说明另一个. One idea, the other word explained.
    for t in terms:
        assert re.search(r"[A-Za-z]{3,}", t.english), t.term
        assert t.lessons or t.places, t.term
        for number in t.lessons:
            assert t.primary in lesson(number).read_text(encoding="utf-8"), (t.primary, f"lesson {number}")
        for place in t.places:
            assert t.primary in (ROOT / place).read_text(encoding="utf-8"), (t.primary, place)


def test_no_ruled_out_variant_anywhere():
    variants = [(v, t.primary) for t in glossary() for v in t.ruled_out]
    assert len(variants) >= 30
    found = []
    for path in scanned():
        text = path.read_text(encoding="utf-8").lower()
        for variant, primary in variants:
            if variant.lower() in text:
                line = text[:text.index(variant.lower())].count("\n") + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {variant!r} (用 use {primary!r})")
    assert not found, "\n".join(found)


def test_scan_covers_the_places_that_speak_to_a_class():
    names = {str(p.relative_to(ROOT)) for p in scanned()}
    for must in ("micrograd_cn/backprop/diagnose.py", "micrograd_cn/viz/assets/player.js", "micrograd_cn/viz/player.py",
                 "README.md", "docs/pages/concepts.md", "web/src/playground.js"):
        assert must in names, must
    assert sum(name.startswith("notebooks/") for name in names) == 8


@pytest.mark.parametrize("variant", ["只把下游的梯度传了下来", "每一项是 a 中的乘积"])
def test_the_scan_would_catch_the_old_hints(variant, tmp_path):
    """旧提示的写法确实被表中的某一条挡住. The old hints' wording is caught by some ruled-out variant."""
    assert any(v.lower() in variant.lower() for t in glossary() for v in t.ruled_out), variant
