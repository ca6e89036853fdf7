"""播放器在真正的 JupyterLab 4 中: 笔记本里只有它一个时不用点就能用键; 每一步当前的边两端都在视野中; 屏幕上没有错的文字.

The player in real JupyterLab 4 (1366×768, file browser open): with the
player the only one in the notebook, the keys step it without a click; at
every step both ends of the active edge are inside its viewport; and no
visible "undefined", "NaN", "null", "[object", "Value(" in any state.
"""

from __future__ import annotations

from test_player_screen import BAD, FOLLOW, WALK

pytest_plugins = ("jupyter_harness",)

NET_CELLS = [
    "import micrograd_cn as mg\nfrom micrograd_cn.classroom import examples\n"
    "E, values = examples.mazur_forward(examples.mazur_network())",
    "mg.step_through(E)",
]
QUIZ_CELLS = [
    "import micrograd_cn as mg\n"
    "a, b = mg.Value(2.0, 'a'), mg.Value(1.0, 'b')\nc = a + b\nc.label = 'c'\nd = b + 1\nd.label = 'd'\n"
    "e = c * d\ne.label = 'e'",
    "mg.step_through(e, quiz=True)",
]


def wrong_text(seen: list[list[str]]) -> list[str]:
    """看到的文字中不该出现的部分. What must never be seen, with where."""
    return [f"{where}: …{text[max(0, m.start() - 40):m.end() + 20]!r}"
            for where, text in seen for m in BAD.finditer(text)]


def test_the_only_player_in_a_notebook_steps_by_keys_follows_and_shows_nothing_wrong(lab):
    lab.write_notebook("net.ipynb", NET_CELLS)
    lab.open("net.ipynb")
    run = lab.run_all()
    assert run.problems == [] and run.unexecuted == [], run.problems
    player = lab.page.locator("div.mgcn-player")
    assert player.count() == 1
    player.scroll_into_view_if_needed()
    lab.page.keyboard.press("ArrowRight")  # 不点播放器 no click on the player
    assert player.get_attribute("data-step") == "1"
    lab.page.keyboard.press(" ")
    assert player.get_attribute("data-step") == "2"
    lab.page.keyboard.press("ArrowLeft")
    assert player.get_attribute("data-step") == "1"
    assert lab.page.locator(".jp-Notebook .jp-Cell").count() == 2  # 键没有被笔记本拿去. The notebook kept no key.
    lab.screenshot("keys-without-click")
    root = player.element_handle()
    steps = lab.page.evaluate(FOLLOW, root)
    assert len(steps) >= 27 and [s["k"] for s in steps if not all(s["inside"])] == []
    assert all(s["px"] >= 12 - 1e-6 or s["mark"] == "step" for s in steps)
    lab.screenshot("followed-to-the-end")
    for mode in ("steps", "explain"):
        seen = lab.page.evaluate(WALK, [root, mode])
        assert len(seen) > 27 and wrong_text(seen) == [], mode
    assert lab.problems() == [] and lab.outside_requests == []


def test_the_quiz_in_a_notebook_shows_nothing_wrong(lab):
    lab.write_notebook("quiz.ipynb", QUIZ_CELLS)
    lab.open("quiz.ipynb")
    run = lab.run_all()
    assert run.problems == [] and run.unexecuted == [], run.problems
    player = lab.page.locator("div.mgcn-player")
    player.locator(".mgcn-answer input").wait_for()
    seen = lab.page.evaluate(WALK, [player.element_handle(), "quiz-right"])
    lab.screenshot("quiz-after-reveal-all")
    assert len(seen) > 10 and wrong_text(seen) == []
    assert lab.problems() == []
