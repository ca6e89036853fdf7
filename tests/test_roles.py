"""发送者与接收者: 不只靠颜色 (标签、框线、箭头), 颜色在色盲与投影褪色下仍可分辨, 文字对比度达到 WCAG AA,
减少动画的设置与读屏软件都被照顾到. 颜色与对比度都从 Chromium 中页面实际使用的样式算出.

The sender and the receiver of each step: roles carried by more than colour
(tags, border styles, an arrowhead), colours that stay apart under simulated
colour-vision deficiencies and a washed-out projector, text that meets WCAG
AA, reduced motion and one live region for screen readers.  Every colour is
read from the computed styles of the page Chromium draws, not from a list.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
from pathlib import Path

import pytest
from conftest import require_module
from test_viz_dot import e_graph

from micrograd_cn.classroom import examples
from micrograd_cn.viz import export_html, frames
from micrograd_cn.viz import style as viz_style

require_module("graphviz")

_spec = importlib.util.spec_from_file_location("colour_vision", Path(__file__).parents[1] / "docs" / "colour_vision.py")
colour_vision = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(colour_vision)  # 文档图片与测试共用的色觉计算. Shared with the docs pictures.
MACHADO, blend, contrast = colour_vision.MACHADO, colour_vision.blend, colour_vision.contrast
delta_e, parse_css_colour = colour_vision.delta_e, colour_vision.parse_css_colour
simulate, washout = colour_vision.simulate, colour_vision.washout

ROLE_COLOURS = """(root) => {
  const player = root.mgcnPlayer, svg = root.querySelector('.mgcn-viewport svg');
  const stroke = (el) => getComputedStyle(el).stroke;
  const ordinary = player.data.nodes.findIndex((node) => node.name === 'c');
  return {
    receiver: stroke(svg.querySelector('g.node.mgcn-receiver polygon[fill="none"]')),
    sender: stroke(svg.querySelector('g.node.mgcn-sender polygon[fill="none"]')),
    active: stroke(svg.querySelector('g.edge.mgcn-active path')),
    ordinary: stroke(svg.querySelector('[id="node-' + ordinary + '"] polygon[fill="none"]')),
  };
}"""

MARKERS = """(root) => {
  const svg = root.querySelector('.mgcn-viewport svg');
  const style = (sel) => getComputedStyle(svg.querySelector(sel));
  const centre = (el) => { const b = el.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; };
  const arrow = svg.querySelector('.mgcn-direction');
  const tip = arrow.points[0], matrix = arrow.getScreenCTM();
  const point = svg.createSVGPoint(); point.x = tip.x; point.y = tip.y;
  const tipOnScreen = point.matrixTransform(matrix), base = point; base.x = -7; base.y = 0;
  const baseOnScreen = base.matrixTransform(matrix);
  const receiver = centre(svg.querySelector('g.node.mgcn-receiver'));
  const dist = (p) => Math.hypot(p.x - receiver[0], p.y - receiver[1]);
  const row = (cls) => getComputedStyle(root.querySelector('tr.' + cls + ' td'), '::before').content;
  return {
    tags: [...svg.querySelectorAll('.mgcn-tag')].map((t) => [t.getAttribute('class'), t.textContent]),
    receiverDash: style('g.node.mgcn-receiver polygon[fill="none"]').strokeDasharray,
    receiverWidth: parseFloat(style('g.node.mgcn-receiver polygon[fill="none"]').strokeWidth),
    senderDash: style('g.node.mgcn-sender polygon[fill="none"]').strokeDasharray,
    edgeDash: style('g.edge.mgcn-active path').strokeDasharray,
    ordinaryEdgeDash: style('g.edge:not(.mgcn-active) path').strokeDasharray,
    arrowPointsAtReceiver: dist(tipOnScreen) < dist(baseOnScreen),
    rows: [row('mgcn-row-receiver'), row('mgcn-row-sender')],
    legend: root.querySelector('.mgcn-legend').innerText,
  };
}"""

# 每段可见文字: 字色、实际底色、字号 (屏幕像素)、是否粗体. Every visible run of text with its colours and size.
TEXTS = """(root) => {
  const out = [];
  const opaque = (c) => c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c);
  const htmlBackground = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (opaque(bg)) { return bg; }
    }
    return 'rgb(255, 255, 255)';
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) { o *= parseFloat(getComputedStyle(e).opacity); }
    return o;
  };
  const svgBackground = (text) => {
    const tag = text.closest('.mgcn-tag');
    if (tag) { return getComputedStyle(tag.querySelector('rect')).fill; }
    const group = text.closest('g.node') || text.closest('g.edge');
    const b = text.getBBox(), cx = b.x + b.width / 2, cy = b.y + b.height / 2;
    let found = null;
    if (group) {
      for (const shape of group.querySelectorAll('polygon, path, ellipse')) {
        if (shape.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_PRECEDING) { break; }
        const fill = getComputedStyle(shape).fill, s = shape.getBBox();
        if (fill !== 'none' && cx >= s.x && cx <= s.x + s.width && cy >= s.y && cy <= s.y + s.height) { found = fill; }
      }
    }
    return found || htmlBackground(text.closest('.mgcn-viewport'));
  };
  const visible = (el) => {
    if (el.closest('.mgcn-announce, .mgcn-dim, [hidden]')) { return false; }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const scale = (el) => { const m = el.getScreenCTM ? el.getScreenCTM() : null; return m ? Math.hypot(m.a, m.b) : 1; };
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim())
      .map((n) => n.textContent).join('');
    if (!own || !visible(el)) { continue; }
    const cs = getComputedStyle(el), isSvg = el instanceof SVGElement;
    out.push({ text: own.trim().slice(0, 40), colour: isSvg ? cs.fill : cs.color,
               background: isSvg ? svgBackground(el) : htmlBackground(el), opacity: opacity(el),
               px: parseFloat(cs.fontSize) * (isSvg ? scale(el) : 1), bold: parseInt(cs.fontWeight, 10) >= 700 });
  }
  return out;
}"""


def _player(page, path: Path, step: int) -> None:
    page.goto(path.as_uri())
    page.evaluate(f"document.querySelector('.mgcn-player').mgcnPlayer.show({step}, false)")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def e_player(tmp_path_factory) -> Path:
    return export_html(e_graph()["e"], tmp_path_factory.mktemp("roles") / "e.html")


def test_the_role_colours_separate_for_every_vision_and_a_washed_out_projector(pure, page, e_player):
    _player(page, e_player, 5)
    colours = {role: parse_css_colour(value) for role, value in
               page.evaluate(ROLE_COLOURS, page.query_selector(".mgcn-player")).items()}
    assert len(set(colours.values())) == 4
    for vision in MACHADO:
        seen = {role: simulate(colour, vision) for role, colour in colours.items()}
        for (a, x), (b, y) in itertools.combinations(seen.items(), 2):
            assert delta_e(x, y) >= 30, (vision, a, b, delta_e(x, y))
            assert delta_e(washout(x), washout(y)) >= 20, (vision, "washout", a, b)


def test_roles_have_markers_that_read_in_greyscale(pure, page, e_player):
    _player(page, e_player, 5)  # d 把 3 送给 b. d sends 3 to b.
    marks = page.evaluate(MARKERS, page.query_selector(".mgcn-player"))
    assert sorted(marks["tags"]) == [["mgcn-tag mgcn-tag-receiver", "接收 ← receive"],
                                     ["mgcn-tag mgcn-tag-sender", "发送 → send"]]
    assert marks["receiverDash"] == "none" and marks["receiverWidth"] >= 5
    assert marks["senderDash"] != "none" and marks["edgeDash"] != "none" and marks["ordinaryEdgeDash"] == "none"
    assert marks["arrowPointsAtReceiver"]
    assert marks["rows"] == ['"←"', '"→"']
    assert "接收 ← receive" in marks["legend"] and "发送 → send" in marks["legend"]
    page.evaluate("document.querySelector('.mgcn-player').mgcnPlayer.show(0, false)")  # 第 0 步没有角色. None at 0.
    assert page.locator(".mgcn-tag, .mgcn-direction").count() == 0


def test_static_frames_carry_the_same_markers():
    frame = frames(e_graph()["e"], lang="en")[5]
    source = frame.graph.source
    assert "receive ←" in source and "send →" in source and "style=dashed" in source


def test_the_page_uses_the_palette_of_viz_style():
    css = (Path(viz_style.__file__).parent / "assets" / "player.css").read_text(encoding="utf-8")
    declared = dict(re.findall(r"--mgcn-([\w-]+):\s*(#[0-9a-f]{6})", css))
    assert declared == {"receiver": viz_style.RECEIVER, "receiver-fill": viz_style.ROLE_FILLS["receiver"],
                        "sender": viz_style.SENDER, "sender-fill": viz_style.ROLE_FILLS["sender"],
                        "active": viz_style.ACTIVE, "active-text": viz_style.ACTIVE_TEXT}


def _assert_contrast(page, where: str, root: str = ".mgcn-player") -> int:
    """root 里每段可见文字都达到 WCAG AA; 返回检查了几段. Every visible text in root meets WCAG AA."""
    texts = page.evaluate(TEXTS, page.query_selector(root))
    bad = []
    for text in texts:
        background = parse_css_colour(text["background"])
        colour = blend(parse_css_colour(text["colour"]), text["opacity"], background)
        need = 3.0 if text["px"] >= 18 else 4.5
        if contrast(colour, background) < need:
            bad.append((text["text"], text["colour"], text["background"], round(contrast(colour, background), 2)))
    assert bad == [], where
    return len(texts)


def test_all_text_meets_wcag_aa_in_every_mode(pure, page, tmp_path, e_player):
    for step in range(6):  # 逐步. Stepping.
        _player(page, e_player, step)
        assert _assert_contrast(page, f"e step {step}") > 20
    for step in (2, 5):  # 解释每个节点, 有的项还没送到. Explaining every node, some terms still pending.
        _player(page, e_player, step)
        for box in page.locator('.mgcn-viewport [id^="node-"]').all():
            box.click()
            _assert_contrast(page, f"explain at step {step}")
    quiz = export_html(e_graph()["e"], tmp_path / "quiz.html", quiz=True)
    page.goto(quiz.as_uri())
    page.wait_for_selector(".mgcn-answer input")
    page.fill(".mgcn-answer input", "12345")
    page.press(".mgcn-answer input", "Enter")
    _assert_contrast(page, "quiz, wrong")
    page.locator('.mgcn-answer button[type="button"]').click()
    _assert_contrast(page, "quiz, revealed")
    network = examples.mazur_network()
    loss, _ = examples.mazur_forward(network)
    net = export_html(loss, tmp_path / "net.html", params=network.parameters(), lang="en")
    for step in (0, 12, 28):
        _player(page, net, step)
        _assert_contrast(page, f"2-2-2 net step {step}")
    page.click('[data-act="view"]')  # 神经元视图. The neuron view.
    _assert_contrast(page, "2-2-2 net, neuron view")


def test_one_live_region_and_named_controls(pure, page, tmp_path, e_player):
    for path, lang_has_chinese in ((e_player, True), (export_html(e_graph()["e"], tmp_path / "en.html", lang="en"),
                                                      False)):
        _player(page, path, 3)
        regions = page.locator(".mgcn-player [aria-live]")
        assert regions.count() == 1
        equation = page.inner_text(".mgcn-equation")
        assert page.locator(".mgcn-announce").text_content() == equation
        names = page.evaluate("""(root) => [...root.querySelectorAll('button, input, select, [role=button]')]
            .filter((el) => el.getClientRects().length)
            .map((el) => el.getAttribute('aria-label') || el.textContent.trim())""",
                              page.query_selector(".mgcn-player"))
        assert names and all(name.strip() for name in names)
        chinese = [bool(re.search(r"[\u4e00-\u9fff]", name)) for name in names]
        assert all(chinese) if lang_has_chinese else not any(chinese), names


def test_reduced_motion_turns_off_animated_pan_and_zoom(pure, browser, e_player):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(e_player.as_uri())
    page.focus(".mgcn-player")
    page.keyboard.press("ArrowRight")
    page.click('[data-act="zoom-in"]')
    assert page.locator(".mgcn-viewport.mgcn-smooth").count() == 0
    assert page.evaluate("getComputedStyle(document.querySelector('.mgcn-viewport svg')).transitionDuration") == "0s"
    context.close()
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(e_player.as_uri())
    page.click('[data-act="zoom-in"]')  # 没有这个设置时照常平滑. Smooth as usual without the setting.
    assert page.locator(".mgcn-viewport.mgcn-smooth").count() == 1
    context.close()
