"""浏览器站点的每一页: 所有文字达到 WCAG AA 对比度, 每个控件都有页面语言的名字 (中文页中文, 英文页英文).

Every page of the browser site, in Chinese and in English: all visible text
meets WCAG AA contrast (read from computed styles in Chromium, as for the
player) and every visible control has an accessible name in the page's
language.
"""

from __future__ import annotations

import re

import pytest
from test_roles import _assert_contrast
from test_web import built_site, open_page, site_url, wait_ready  # noqa: F401  (fixtures)

# 每个可见控件的无障碍名字 (aria-label、aria-labelledby、<label>、文字、title、alt).
# The accessible name of every visible control.
NAMES = """() => [...document.querySelectorAll('button, input, select, textarea, a[href], [role=button], [role=tab]')]
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden' && el.type !== 'hidden')
  .map((el) => {
    const by = el.getAttribute('aria-labelledby');
    const labelled = by ? by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ') : '';
    const labels = el.labels ? [...el.labels].map((l) => l.textContent).join(' ') : '';
    const text = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) ? '' : el.textContent;
    const name = (el.getAttribute('aria-label') || labelled || labels || text || el.title || el.alt || '').trim();
    return [el.tagName + (el.id ? '#' + el.id : ''), name];
  })"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page_name", ["index.html", "playground.html", "train.html"])
def test_text_contrast_and_control_names(browser, site_url, page_name, lang):  # noqa: F811
    context, page, outside, errors = open_page(browser)
    try:
        page.goto(f"{site_url}{page_name}?lang={lang}")
        if page_name != "index.html":
            wait_ready(page)
            page.wait_for_selector(".mgcn-viewport svg, body[data-steps='0']")
        assert _assert_contrast(page, f"{page_name} ({lang})", "body") > 5
        names = page.evaluate(NAMES)
        assert names and [tag for tag, name in names if not name] == [], page_name
        chinese = {tag: name for tag, name in names if re.search(r"[\u4e00-\u9fff]", name)}
        if lang == "zh":  # 中文页: 每个名字都有中文 (可带英文). Chinese pages: every name has Chinese.
            assert [tag for tag, name in names if tag not in chinese and re.search(r"[A-Za-z]{3,}", name)] == []
        else:  # 英文页: 没有中文名字. English pages: no Chinese names.
            assert chinese == {}, chinese
    finally:
        context.close()
    assert outside == [] and errors == []
