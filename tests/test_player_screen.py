"""屏幕上没有错的东西: 播放器在真正的 Chromium 中, 每一步、每个节点、每种模式.

Nothing wrong on screen: the exported player in real Chromium, walked through
every step, every node clicked, in every mode (stepping, explaining a node, the
quiz answered right, wrong, revealed one by one and all at once), failing on
any visible "undefined", "NaN", "null", "[object", "Value(", "None" or
"Infinity".  And geometry at every step: with follow on, both ends of the
active edge are inside the viewport.
"""

from __future__ import annotations

import re

import pytest
from conftest import require_module
from test_viz_dot import e_graph

import micrograd_cn as mg
from micrograd_cn.backprop.trace import format_number
from micrograd_cn.classroom import examples
from micrograd_cn.nn import MLP, RNN, losses
from micrograd_cn.viz import export_html

require_module("graphviz")

BAD = re.compile(r"\bundefined\b|\bNaN\b|\bnull\b|\[object|Value\(|\bNone\b|Infinity")
"""学生永远不该看到的文字. Text a student must never see."""


def network_2_2_2() -> mg.Value:
    """种子 000 的 2-2-2 网络的误差 E_total. The seed-000 network's error."""
    return examples.mazur_forward(examples.mazur_network())[0]


def mlp_loss() -> mg.Value:
    """MLP(2,[8,8,1]) 在一个样本上的平方误差. MLP(2,[8,8,1]) on one sample."""
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    return losses.mse([model([mg.Value(0.5, "x1"), mg.Value(-1.0, "x2")])], [1.0])


def unrolled_rnn() -> mg.Value:
    """第 07 课展开的 RNN: 三个时间步共用 W_ih, W_hh, b_ih, b_hh. Lesson 07's unrolled RNN."""
    rnn = RNN(1, 1, seed=0)
    cell = rnn.cells[0]
    for param, name in ((cell.weight_ih[0][0], "W_ih"), (cell.weight_hh[0][0], "W_hh"),
                        (cell.bias_ih[0], "b_ih"), (cell.bias_hh[0], "b_hh")):
        param.label = name
    outputs, _ = rnn([[1.0], [0.5], [-1.0]])
    terms = []
    for t, (h, y) in enumerate(zip(outputs, (0.5, -0.2, 0.3)), start=1):
        error = h[0] - y
        error.label = f"h{t}−y{t}"
        term = 0.5 * error ** 2
        term.label = f"L_{t}"
        terms.append(term)
    total = mg.sum(terms)
    total.label = "L"
    return total


# 在页面里走完一种模式, 每个状态都收集可见文字 (真正的按钮、点击与表单提交). Walk one mode, collecting visible text.
WALK = """([root, mode]) => {
  const player = root.mgcnPlayer, seen = [];
  const page = root.closest('.jp-OutputArea-output') || document.body;  // 笔记本里只看这个输出. The output only.
  const look = (where) => {
    const svgText = [...root.querySelectorAll('.mgcn-viewport > svg')]
      .filter((svg) => svg.style.display !== 'none')
      .flatMap((svg) => [...svg.querySelectorAll('text')].map((t) => t.textContent));
    seen.push([where, page.innerText + '\\n' + svgText.join('\\n')]);
  };
  const click = (el) => el.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  const nodes = () => [...root.querySelectorAll('.mgcn-viewport > svg')]
    .filter((svg) => svg.style.display !== 'none').flatMap((svg) => [...svg.querySelectorAll('g.node[id]')])
    .filter((g) => /^(node|neuron)-/.test(g.id));
  const answer = (text) => {
    const input = root.querySelector('.mgcn-answer input');
    if (!input || input.disabled) { return false; }
    input.value = text;
    root.querySelector('.mgcn-answer').requestSubmit();
    return true;
  };
  const last = player.last;
  if (mode === 'steps') {
    click(root.querySelector('[data-act="first"]'));
    look('step 0');
    for (let k = 1; k <= last; k++) { click(root.querySelector('[data-act="next"]')); look('step ' + k); }
    for (const view of ['neurons', 'all']) {
      if (!player.views[view]) { continue; }
      if (player.view !== player.views[view]) { click(root.querySelector('[data-act="view"]')); }
      for (let k = 0; k <= last; k++) { player.show(k, false); look(view + ' view, step ' + k); }
    }
  } else if (mode === 'explain') {
    for (const k of [0, Math.floor(last / 2), last]) {
      const count = nodes().length;
      for (let n = 0; n < count; n++) {
        if (player.view !== player.views.all) { click(root.querySelector('[data-act="view"]')); }
        player.show(k, false);
        const node = nodes()[n];
        click(node);
        look('step ' + k + ', explaining ' + node.id);
        for (const term of root.querySelectorAll('.mgcn-term')) {
          term.dispatchEvent(new MouseEvent('mouseenter'));
          look('step ' + k + ', ' + node.id + ', term ' + term.textContent);
        }
      }
    }
    if (player.views.neurons) {  // 神经元视图: 点每一个神经元 (它会展开). Click every neuron (it opens).
      const count = player.data.neurons.length;
      for (let n = 0; n < count; n++) {
        if (player.view !== player.views.neurons) { click(root.querySelector('[data-act="view"]')); }
        const neuron = player.views.neurons.svg.querySelectorAll('g.node[id^="neuron-"]')[n];
        click(neuron);
        look('clicked ' + neuron.id);
      }
    }
  } else {
    const quiz = player.quiz, order = quiz.q.order.slice();
    look('quiz start');
    for (const i of order) {
      const node = quiz.q.nodes[i];
      click(player.view.boxes[i]);
      look('asked ' + node.name);
      if (mode === 'quiz-right') {
        answer('abc'); look('typed abc for ' + node.name);
        answer(String(node.answer + 1000)); look('wrong answer for ' + node.name);
        for (const d of node.diagnoses) { if (answer(String(d.value))) { look(d.kind + ' for ' + node.name); } }
        answer(String(node.answer)); look('right answer for ' + node.name);
        const next = root.querySelector('.mgcn-next-question');
        if (next) { click(next); look('next question after ' + node.name); }
      } else if (mode === 'quiz-reveal') {
        click([...root.querySelectorAll('.mgcn-answer button')].find((b) => b.type === 'button'));
        look('revealed ' + node.name);
      } else {
        break;
      }
    }
    click(root.querySelector('[data-act="reveal-all"]'));
    look('after reveal all');
    for (let k = 0; k <= last; k++) { player.show(k, false); look('after reveal all, step ' + k); }
    for (const node of nodes()) { click(node); look('after reveal all, explaining ' + node.id); }
  }
  return seen;
}"""

GRAPHS = {"e": lambda: e_graph()["e"], "2-2-2": network_2_2_2}
MODES = {"steps": False, "explain": False, "quiz-right": True, "quiz-reveal": True, "quiz-reveal-all": True}


@pytest.fixture(scope="module")
def pages(browser, tmp_path_factory):
    """每个图的导出文件 (普通与测验), 只做一次. The exported files, once per graph and quiz flag."""
    folder = tmp_path_factory.mktemp("screen")
    return {(name, quiz): export_html(build(), folder / f"{name}-{quiz}.html", quiz=quiz).as_uri()
            for name, build in GRAPHS.items() for quiz in (False, True)}


@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("mode", MODES)
def test_nothing_wrong_on_screen_in_any_state(browser, pages, graph, mode):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(pages[graph, MODES[mode]])
    page.wait_for_function("document.querySelector('.mgcn-player').mgcnPlayer")
    if MODES[mode]:
        page.wait_for_selector(".mgcn-answer input")
    seen = page.evaluate(WALK, [page.query_selector(".mgcn-player"), mode])
    page.close()
    assert errors == []
    assert len(seen) > 5
    wrong = [f"{where}: …{text[max(0, m.start() - 40):m.end() + 20]!r}"
             for where, text in seen for m in BAD.finditer(text)]
    assert wrong == []


# 每一步: 当前这一步的发送者与接收者方框的中心在视口之内 (分屏时各在一半里); 记下图中最小的文字 (px) 与屏幕上的标记.
# At every step: the centres of the sender's and the receiver's boxes lie inside the viewport (in a split, each
# in its half); note the smallest text (px) and the on-screen mark.
FOLLOW = """(root) => {
  const player = root.mgcnPlayer, out = [];
  const style = document.createElement('style');  // 直接量最终位置, 不等动画. Measure the end state, not the animation.
  style.textContent = '.mgcn-viewport.mgcn-smooth > svg { transition: none !important; }';
  document.head.appendChild(style);
  const centre = (el) => {
    const r = el.getBoundingClientRect();
    return [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
  };
  root.querySelector('[data-act="first"]').click();
  for (let k = 1; k <= player.last; k++) {
    root.querySelector('[data-act="next"]').click();
    const step = player.data.steps[k - 1], view = player.view;
    const port = player.viewport.getBoundingClientRect(), pane = player.splitPane;
    const split = pane.style.display === 'none' ? null : pane.getBoundingClientRect();
    const within = ([x, y], r) => r.left <= x && x <= r.right && r.top <= y && y <= r.bottom;
    // 在图上 (不被另一半盖住), 或分屏时在另一半的副本里. On the graph (not under the other half), or in its copy.
    const inside = [[step[0], 'sender'], [step[2], 'receiver']].map(([i, role]) => {
      const at = centre(view.boxes[i]);
      if (within(at, port) && !(split && within(at, split))) return true;
      const copy = split && pane.querySelector('g.node.mgcn-' + role);
      return !!copy && within(centre(copy), split);
    });
    const map = player.minimap.style.display === 'none' ? null  // 小地图上两端标红 the ends marked on the minimap
      : ['sender', 'receiver'].map((role) => player.minimap.querySelectorAll('.mgcn-map-' + role).length);
    out.push({k, inside, map, px: view.scale * view.minFont, mark: root.dataset.scale,
              badge: player.badge.offsetParent !== null ? player.badge.textContent : ''});
  }
  return out;
}"""

FOLLOWED = {"2-2-2": network_2_2_2, "rnn": unrolled_rnn, "mlp-8-8-1": mlp_loss}


@pytest.mark.parametrize("graph", FOLLOWED)
def test_follow_keeps_both_ends_of_every_step_in_view(browser, tmp_path, graph):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(export_html(FOLLOWED[graph](), tmp_path / "follow.html").as_uri())
    page.wait_for_function("document.querySelector('.mgcn-player').mgcnPlayer")
    steps = page.evaluate(FOLLOW, page.query_selector(".mgcn-player"))
    page.close()
    assert steps and all(all(s["inside"]) for s in steps), [s["k"] for s in steps if not all(s["inside"])]
    # 两端离得再远, 每一步也都可读: 放不进一个视口时分屏. However far apart the ends, every step is readable.
    assert all(s["px"] >= 12 - 1e-6 and s["mark"] in ("readable", "split") and s["badge"] == "" for s in steps)
    assert all(s["map"] in (None, [1, 1]) for s in steps)
    if graph != "rnn":  # 比视口大的图有小地图. A graph larger than the view has the minimap.
        assert any(s["map"] for s in steps)
    split = [s["k"] for s in steps if s["mark"] == "split"]
    print(f"{graph}: {len(steps)} steps, {len(split)} split in two (smallest text "
          f"{min(s['px'] for s in steps):.1f} px): {split}")


def tanh_neuron() -> mg.Value:
    """一个 tanh 神经元 o = tanh(x1·w1 + x2·w2 + b), 讲座中的例子. The lecture's tanh neuron."""
    x1, x2, w1, w2 = mg.Value(2.0, "x1"), mg.Value(0.0, "x2"), mg.Value(-3.0, "w1"), mg.Value(1.0, "w2")
    b = mg.Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


# 一页里依次打开许多播放器 (同一份前端), 每个打开后量: 字号, 以及每个方框是否都在视口之内.
# Open many players one after another in one page (the one front-end) and measure each as it opens.
OPEN_ALL = """async (players) => {
  const holder = document.getElementById('holder'), results = [];
  const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  for (const data of players) {
    const root = document.createElement('div');
    root.className = 'mgcn-player';
    holder.replaceChildren(root);
    const player = MicrogradPlayer.mount(root, data);
    await frame();
    const port = player.viewport.getBoundingClientRect();
    const clipped = [...player.view.svg.querySelectorAll('g.node')].filter((g) => {
      const r = g.getBoundingClientRect();
      return r.left < port.left - 0.5 || r.right > port.right + 0.5
        || r.top < port.top - 0.5 || r.bottom > port.bottom + 0.5;
    }).length;
    const px = player.view.scale * player.view.minFont;
    const fits = Math.min((root.clientWidth - 2) / player.view.width, (port.height - 2) / player.view.height)
      * player.view.minFont >= 12;
    results.push({clipped, px, fits, mark: root.dataset.scale, minimap: player.minimap.style.display !== 'none'});
  }
  return results;
}"""


def front_end_page(path, body: str, style: str = ""):
    """一页: 播放器的前端 (含测验的部分) 与 body, 播放器由测验自己挂载. A page with the front-end and ``body``."""
    from micrograd_cn.viz.player import asset, front_end

    path.write_text(f"<!DOCTYPE html><meta charset='utf-8'><style>{style}{asset('player.css')}</style>"
                    f"<script>{front_end(True)}</script>{body}", encoding="utf-8")
    return path


def open_many(browser, tmp_path, builds: list[mg.Value], quiz: bool = True) -> list[dict]:
    """在 1000×768 的页面中依次打开这些图的播放器, 返回每个的测量. Open each in a 1000×768 page and measure."""
    from micrograd_cn.viz.player import player_data

    page = browser.new_page(viewport={"width": 1000, "height": 768})
    page.goto(front_end_page(tmp_path / "many.html", "<div id='holder' style='width:1000px'></div>",
                             "body{margin:0}").as_uri())
    players = [{**prepared.data, "svg": prepared.svg, "neuron_svg": prepared.neuron_svg}
               for prepared in (player_data(out, quiz=quiz) for out in builds)]
    results = page.evaluate(OPEN_ALL, players)
    page.close()
    return results


def one_input_neuron() -> mg.Value:
    """一个输入的 tanh 神经元 o = tanh(x·w + b). A tanh neuron with one input."""
    x, w, b = mg.Value(2.0, "x"), mg.Value(-3.0, "w"), mg.Value(6.8813735870195432, "b")
    n = x * w + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def test_small_graphs_open_whole_and_readable(browser, tmp_path):
    e, small, neuron = open_many(browser, tmp_path, [e_graph()["e"], one_input_neuron(), tanh_neuron()], quiz=False)
    assert e["clipped"] == 0 and e["px"] >= 12
    assert small["clipped"] == 0 and small["px"] >= 12  # 一个输入的 tanh 神经元整个打开. Opens whole.
    # 讲座的两个输入的 tanh 神经元横排有 1203 px 宽, 在 12 px 下放不进 1000 px: 打开时可读, 带小地图.
    # The lecture's two-input tanh neuron is 1203 px wide at 12 px: it opens readable, with the minimap.
    assert not neuron["fits"] and neuron["px"] >= 12 and neuron["minimap"]


@pytest.mark.parametrize("level", [1, 2, 3])
def test_every_generated_exercise_opens_whole(browser, tmp_path, level):
    builds = [exercise.backward_steps() for exercise in mg.exercises(200, level=level, seed=level)]
    results = open_many(browser, tmp_path, builds)
    assert len(results) == 200
    not_whole = [(n, r) for n, r in enumerate(results) if r["clipped"] or r["px"] < 12 - 1e-6]
    assert not_whole == []


def step_of(page, n: int) -> int:
    """第 n 个播放器现在的步数. The step the n-th player shows."""
    return int(page.locator(".mgcn-player").nth(n).get_attribute("data-step"))


def fragment_page(tmp_path, outs: list[mg.Value], **options) -> str:
    """一页里放几个笔记本里的那种播放器 (键不绑在整页上), 前后有别的内容. Notebook-style players on one page."""
    from micrograd_cn.viz.player import player_data, player_html

    parts = "".join(f"<p>cell {n}</p>" + player_html(player_data(out, **options)) for n, out in enumerate(outs))
    path = tmp_path / f"players-{len(outs)}.html"
    path.write_text(f"<!DOCTYPE html><meta charset='utf-8'><body><input id='other'>{parts}</body>", encoding="utf-8")
    return path.as_uri()


def test_the_only_player_on_the_page_takes_the_keys_without_a_click(browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(fragment_page(tmp_path, [e_graph()["e"]]))
    page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")
    assert step_of(page, 0) == 2
    page.keyboard.press("End")
    assert step_of(page, 0) == 5
    page.keyboard.press("Shift+ ")
    assert step_of(page, 0) == 4
    page.click("#other")  # 在别处打字时, 键不归播放器. Typing elsewhere keeps the keys.
    page.keyboard.press("ArrowLeft")
    page.keyboard.type("1 0")
    assert step_of(page, 0) == 4 and page.input_value("#other") == "1 0"
    help_text = page.locator(".mgcn-help").inner_text()  # 键写在屏幕上. The keys are on screen.
    for key in ("← →", "空格", "Home", "End", "P 播放", "[ ]", "+ −", "0 全貌", "1 可读大小", "F 演示"):
        assert key in help_text
    page.close()


def test_with_two_players_the_keys_follow_the_last_click_anywhere_in_one(browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 1800})
    page.goto(fragment_page(tmp_path, [e_graph()["e"], e_graph()["e"]]))
    page.keyboard.press("ArrowRight")  # 两个都看得见: 谁也不动. Two visible: neither moves.
    assert step_of(page, 0) == step_of(page, 1) == 0
    second, first = page.locator(".mgcn-player").nth(1), page.locator(".mgcn-player").nth(0)
    second.locator(".mgcn-side tr").nth(2).click()  # 表格的一行 a row of the table
    page.keyboard.press("ArrowRight")
    assert (step_of(page, 0), step_of(page, 1)) == (0, 1)
    first.locator('[data-act="zoom-in"]').click()  # 一个按钮 a button
    page.keyboard.press(" ")  # 空格不再 "点" 那个按钮. Space steps instead of pressing the button again.
    page.keyboard.press("ArrowRight")
    assert (step_of(page, 0), step_of(page, 1)) == (2, 1)
    first.locator(".mgcn-equation").click()  # 任何地方 anywhere
    page.keyboard.press("ArrowLeft")
    assert (step_of(page, 0), step_of(page, 1)) == (1, 1)
    page.close()


SMALLEST = """(root) => {
  const p = root.mgcnPlayer;
  return {px: p.view.scale * p.view.minFont, mark: root.dataset.scale,
          presenting: root.classList.contains('mgcn-presenting')};
}"""


def test_presenter_mode_raises_the_text_floor_and_has_a_speed_control(browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(export_html(network_2_2_2(), tmp_path / "net.html").as_uri())
    page.wait_for_function("document.querySelector('.mgcn-player').mgcnPlayer")
    root = page.query_selector(".mgcn-player")
    assert page.evaluate(SMALLEST, root)["px"] >= 12
    for size in ("20", "16"):
        page.keyboard.press("f")  # 演示时才能选字号. The size is chosen while presenting.
        page.select_option('[data-act="present-size"]', size)
        for k in range(page.evaluate("(root) => root.mgcnPlayer.last", root) + 1):  # 每一步 every step
            page.evaluate(f"(root) => root.mgcnPlayer.show({k}, false)", root)
            now = page.evaluate(SMALLEST, root)
            assert now["presenting"] and (now["px"] >= int(size) - 1e-6 or now["mark"] == "step"), (size, k, now)
        page.keyboard.press("f")
        assert not page.evaluate(SMALLEST, root)["presenting"]
    speed = page.locator('[data-act="speed"]')
    assert speed.input_value() == "1"
    page.keyboard.press("]")
    assert speed.input_value() == "2"
    page.keyboard.press("[")
    page.keyboard.press("[")
    assert speed.input_value() == "0.5"
    page.close()


def test_the_quiz_speaks_of_the_quiz_and_reveal_all_gives_the_stepping_toolbar(browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(export_html(e_graph()["e"], tmp_path / "quiz.html", quiz=True).as_uri())
    page.wait_for_selector(".mgcn-answer input")
    help_text = page.locator(".mgcn-help").inner_text()
    assert help_text.startswith("测验") and "← →" not in help_text
    assert page.locator('[data-act="speed"]').is_hidden()  # 测验中没有播放. No playing in a quiz.
    page.keyboard.press("ArrowRight")  # 测验中不逐步 no stepping in a quiz
    assert step_of(page, 0) == 0
    page.click('[data-act="reveal-all"]')
    assert page.locator(".mgcn-score").count() == 0 and page.locator('[data-act="reveal-all"]').count() == 0
    assert page.locator('[data-act="next"]').is_visible() and page.locator(".mgcn-counter").is_visible()
    assert page.locator('[data-act="speed"]').is_visible()
    assert page.locator(".mgcn-help").inner_text().startswith("键: ← →")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert step_of(page, 0) == 1
    page.close()


def test_the_quiz_reads_numbers_from_a_chinese_input_method(browser, tmp_path):
    a, c = mg.Value(2.0, "a"), mg.Value(-0.721, "c")
    y = a * c
    y.label = "y"
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(export_html(y, tmp_path / "typed.html", quiz=True).as_uri())
    page.wait_for_selector(".mgcn-answer input")
    feedback = page.locator(".mgcn-feedback")

    def answer(node: int, text: str) -> str:
        page.locator(f'[id="node-{node}"]').dispatch_event("click")
        page.locator(".mgcn-answer input").fill(text)
        page.locator(".mgcn-answer input").press("Enter")
        return feedback.inner_text()

    index = {name: k for k, name in enumerate(page.evaluate(
        "() => document.querySelector('.mgcn-player').mgcnPlayer.data.nodes.map((n) => n.name)"))}
    for text in ("1abc", "0.7.2", "--1", "1/", ""):
        assert answer(index["y"], text).startswith("请写一个数"), text
    assert answer(index["y"], "１").startswith("✔")
    assert answer(index["a"], "－０.７２１").startswith("✔")  # 全角数字与全角减号 full-width digits and minus
    assert answer(index["c"], "４／２").startswith("✔")  # 全角分数线 a full-width fraction bar
    page.close()
    for typed in ("-0,721", "−0.721", "－０。７２１", " - 0.721 ", "-721/1000", "-7.21e-1"):
        page = browser.new_page()
        page.goto(export_html(y, tmp_path / "typed.html", quiz=True).as_uri())
        page.wait_for_selector(".mgcn-answer input")
        page.locator(f'[id="node-{index["a"]}"]').dispatch_event("click")
        page.locator(".mgcn-answer input").fill(typed)
        page.locator(".mgcn-answer input").press("Enter")
        assert page.locator(".mgcn-feedback").inner_text().startswith("✔"), typed
        page.close()


def test_the_neuron_view_shows_the_number_the_banner_speaks_of(browser, tmp_path):
    steps = mg.backward_steps(network_2_2_2())
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(export_html(steps, tmp_path / "net.html").as_uri())
    page.wait_for_function("document.querySelector('.mgcn-player').mgcnPlayer")
    page.click('[data-act="view"]')
    svg = ".mgcn-viewport svg:visible"
    checked = 0
    for k, step in enumerate(steps, start=1):  # 每一步 every step
        page.evaluate(f"document.querySelector('.mgcn-player').mgcnPlayer.show({k}, false)")
        ends = ((step.node_name, step.node_grad), (step.parent_name, step.after))
        numbers = {line for name, grad in ends for line in (f"梯度 grad = {format_number(grad)}",
                                                            f"梯度 grad = {format_number(grad)} ({name})")}
        for role in ("sender", "receiver"):  # 方框里的数是这一步两端之一的数. The box shows one end's number.
            box = page.locator(f"{svg} g.node.mgcn-{role}")
            if box.count() and box.first.get_attribute("id").startswith("neuron-"):
                assert box.first.locator("text").nth(2).text_content() in numbers, (k, role, numbers)
                checked += 1
    assert checked > 20
    # 问题中的那一步: net_o1 (0.1385) 把梯度送给 out_h1. The step of the report: net_o1 sends 0.1385 to out_h1.
    k = next(k for k, s in enumerate(steps, 1) if s.node_name == "net_o1" and s.parent_name == "out_h1")
    page.evaluate(f"document.querySelector('.mgcn-player').mgcnPlayer.show({k}, false)")
    assert page.locator(f"{svg} g.node.mgcn-sender text").nth(2).text_content() == "梯度 grad = 0.1385 (net_o1)"
    overflow = page.evaluate("""() => [...document.querySelectorAll('.mgcn-viewport svg')].filter((s) =>
      s.style.display !== 'none' && !s.classList.contains('mgcn-minimap')).flatMap((svg) =>
      [...svg.querySelectorAll('g.node[id^="neuron-"]')].filter((g) => {
        const frame = g.querySelector('polygon, path').getBBox(), t = g.querySelectorAll('text')[2].getBBox();
        return t.x + t.width > frame.x + frame.width + 0.5; }).map((g) => g.id))""")
    assert overflow == []  # 名字放得进方框 the name fits its box
    page.close()


# 显示着的那张图的每个方框是否都在视口之内; 字号; 标记; 小地图. Every box inside the viewport? Text size, mark, minimap.
WHOLE = """(root) => {
  const p = root.mgcnPlayer, port = p.viewport.getBoundingClientRect();
  const clipped = [...p.view.svg.querySelectorAll('g.node')].filter((g) => {
    const r = g.getBoundingClientRect();
    return r.left < port.left - 0.5 || r.right > port.right + 0.5
      || r.top < port.top - 0.5 || r.bottom > port.bottom + 0.5;
  }).map((g) => g.id);
  return {clipped, px: p.view.scale * p.view.minFont, mark: root.dataset.scale, badge: p.badge.textContent,
          badgeShown: p.badge.offsetParent !== null, minimap: p.minimap.style.display !== 'none',
          side: !root.classList.contains('mgcn-no-side')};
}"""


def test_fit_shows_the_whole_net_as_a_marked_overview_and_key_1_reads_again(browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(export_html(network_2_2_2(), tmp_path / "net.html").as_uri())
    page.wait_for_function("document.querySelector('.mgcn-player').mgcnPlayer")
    page.add_style_tag(content=".mgcn-viewport.mgcn-smooth > svg { transition: none !important; }")
    root = page.query_selector(".mgcn-player")
    opened = page.evaluate(WHOLE, root)  # 放不下: 可读大小, 从输出看起, 有小地图. Too big: readable, with the minimap.
    assert opened["px"] >= 12 and opened["clipped"] and opened["minimap"] and not opened["badgeShown"]
    page.keyboard.press("0")
    whole = page.evaluate(WHOLE, root)
    assert whole["clipped"] == [] and whole["px"] < 12 and whole["mark"] == "overview"
    assert whole["badgeShown"] and whole["badge"].startswith("全貌") and not whole["minimap"]
    page.keyboard.press("ArrowRight")  # 全貌中逐步: 仍是全貌. Stepping in the overview keeps it.
    assert page.evaluate(WHOLE, root)["clipped"] == []
    page.keyboard.press("1")
    again = page.evaluate(WHOLE, root)
    assert again["px"] >= 12 and again["mark"] == "readable" and not again["badgeShown"] and again["minimap"]
    page.click('[data-act="fit"]')
    page.locator(".mgcn-badge").click()  # 点标记也回到可读大小. A click on the mark reads again too.
    assert page.evaluate(WHOLE, root)["px"] >= 12
    page.close()


def test_toggling_the_totals_never_clips_a_graph_that_fits(browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(export_html(e_graph()["e"], tmp_path / "e.html").as_uri())
    page.wait_for_function("document.querySelector('.mgcn-player').mgcnPlayer")
    root = page.query_selector(".mgcn-player")
    states = []
    for _ in range(4):
        page.wait_for_timeout(100)  # 视口大小改变的通知 the resize notice
        page.wait_for_function("(root) => !root.querySelector('.mgcn-viewport').getAnimations({subtree: true})"
                               ".some((a) => a.playState === 'running')", arg=root)
        states.append(page.evaluate(WHOLE, root))
        page.click('[data-act="totals"]')
    assert [s["side"] for s in states] == [True, False, True, False]
    assert all(s["clipped"] == [] and s["px"] >= 12 for s in states), states
    page.close()


def test_a_page_can_turn_the_keys_off(browser, tmp_path):
    from micrograd_cn.viz.player import player_data

    prepared = player_data(e_graph()["e"])
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(front_end_page(tmp_path / "nokeys.html", "<div id='holder' class='mgcn-player'></div>").as_uri())
    page.evaluate("(data) => MicrogradPlayer.mount(document.getElementById('holder'), data)",
                  {**prepared.data, "svg": prepared.svg, "keys": False})
    page.locator(".mgcn-viewport").click()
    page.keyboard.press("ArrowRight")
    assert step_of(page, 0) == 0
    page.click('[data-act="next"]')  # 按钮照常 buttons still work
    assert step_of(page, 0) == 1
    page.close()


def pair_sum(n: int) -> mg.Value:
    """n 个变量两两相加成的和 (n − 1 个加法), 一张上千个节点的大图. A sum in pairs: a graph of 2n − 1 Values."""
    values = [mg.Value(1.0, f"x{i}") for i in range(n)]
    while len(values) > 1:
        values = [a + b for a, b in zip(values[::2], values[1::2])]
    values[0].label = "e"
    return values[0]


# 大图: 打开时只有视口附近的部件在页面上; 每一步的两端都在页面上且在视野中; 全貌时全部都在; 文字一个不少.
# A large graph: only the parts near the view are on the page when it opens; each step's two ends are on the
# page and in view; the overview has them all; no text is lost.
LARGE = """(root) => {
  const p = root.mgcnPlayer, v = () => p.view;
  const on = () => v().parts.filter((part) => part.isConnected).length;
  const port = p.viewport.getBoundingClientRect();
  const seen = (el) => {
    const r = el.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    return el.isConnected && port.left <= x && x <= port.right && port.top <= y && y <= port.bottom;
  };
  const out = {parts: v().parts.length, atOpen: on(), texts: v().texts().length, steps: []};
  for (const k of [1, 2, 200, 511, 700, p.last]) {
    p.show(k, false);
    const step = p.data.steps[k - 1], pane = p.splitPane.style.display === 'none' ? null : p.splitPane;
    const sender = seen(v().boxes[step[0]]) || (!!pane && !!pane.querySelector('g.node.mgcn-sender'));
    out.steps.push({k, sender, receiver: seen(v().boxes[step[2]]), on: on(), px: v().scale * v().minFont});
  }
  p.act('fit');
  out.whole = on();
  return out;
}"""


def test_a_large_graph_keeps_only_what_is_near_the_view_on_the_page(browser, tmp_path):
    from micrograd_cn.viz.player import player_data

    out = pair_sum(512)  # 1023 个 Value, 3000 多个部件. 1023 Values, over 3000 parts.
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(export_html(out, tmp_path / "large.html").as_uri())
    page.wait_for_function("document.querySelector('.mgcn-player').mgcnPlayer")
    result = page.evaluate(LARGE, page.query_selector(".mgcn-player"))
    page.close()
    assert errors == []
    assert result["parts"] > 3000 and result["atOpen"] < result["parts"] / 10, result
    assert all(s["sender"] and s["receiver"] and s["px"] >= 12 - 1e-6 and s["on"] < result["parts"] / 10
               for s in result["steps"]), result["steps"]
    assert result["whole"] == result["parts"]
    assert result["texts"] == player_data(out).svg.count("<text")
