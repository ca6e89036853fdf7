"""README 说的就是真的: 引擎示例的名字与图一致, mg.MLP 可用, 例题有名字, 播放器不叫 "滑块".

The README, read as a new user reads it: its engine snippet runs and names
c, d, e as its picture does; ``mg.MLP`` works as it says; the seed examples
it names exist; the player is never called a slider.
"""

from __future__ import annotations

import re
from pathlib import Path

import micrograd_cn as mg
from micrograd_cn.classroom import examples

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC_PAGES = [ROOT / "README.md", *sorted((ROOT / "docs" / "pages").rglob("*.md"))]


def python_blocks(text: str) -> list[str]:
    """Markdown 中的 python 代码块. The python code blocks of a Markdown text."""
    return re.findall(r"```python\n(.*?)```", text, re.DOTALL)


def test_the_engine_snippet_names_c_d_e_as_the_picture_does():
    engine = next(block for block in python_blocks(README) if "e.backward()" in block)
    scope: dict[str, object] = {}
    exec(engine, scope)  # noqa: S102  (README 的示例代码. The README's own example.)
    e = scope["e"]
    assert isinstance(e, mg.Value) and (scope["a"].grad, scope["b"].grad) == (2.0, 5.0)
    steps = mg.backward_steps(e)
    assert steps.graph.names == ["a", "b", "c", "d", "e"]  # 没有 (a+b)·(b+1) 这样的式子名. No formula names.
    picture = (ROOT / "docs" / "pages" / "images" / "e_graph.svg").read_text(encoding="utf-8")
    for name in "cde":
        assert f">{name}<" in picture, name


def test_mg_mlp_works_as_the_readme_says():
    assert "`mg.MLP`" in README
    model = mg.MLP(2, [3, 1], seed=0)
    assert isinstance(model, mg.nn.MLP) and isinstance(model.layers[0], mg.Layer)
    assert isinstance(model.layers[0].neurons[0], mg.Neuron)


def test_the_seed_examples_are_named_in_the_readme():
    for name in ("mazur_network", "mazur_forward", "mazur_weights", "mazur_step", "mazur_train", "net_2_3_1",
                 "net_2_3_1_step", "xor_demo", "moons_demo"):
        assert callable(getattr(examples, name)), name
        assert f"{name}" in README, name


def test_the_player_is_never_called_a_slider():
    for page in DOC_PAGES:
        for line in page.read_text(encoding="utf-8").splitlines():
            if re.search(r"slider|滑块", line, re.IGNORECASE):
                # 表达式页给每个变量一个真正的滑块; 播放器不是滑块. Only the playground's variables have sliders.
                assert "每个变量一个滑块" in line or "拖动滑块时" in line, f"{page.name}: {line}"
