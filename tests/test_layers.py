"""分层: 从源码读导入 (ast, 不执行), 不许有导入环, 不许有向上的箭头; 旧路径照常可用.

The layers, read from the source (``docs/architecture.py``, with ast; no
import is executed): no import cycle, no arrow up a layer; and every old
module path still imports, as an alias of the moved module.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def architecture():
    spec = importlib.util.spec_from_file_location("architecture", ROOT / "docs" / "architecture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graph(architecture):
    return architecture.imports()


def test_the_root_holds_the_core_only() -> None:
    root = {path.name for path in (ROOT / "micrograd_cn").glob("*.py")}
    assert root == {"__init__.py", "__main__.py", "engine.py", "ops.py", "graph.py", "errors.py", "collector.py",
                    "gradcheck.py"}
    folders = {path.name for path in (ROOT / "micrograd_cn").iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert folders == {"backprop", "nn", "viz", "classroom", "app"}
    for folder in folders:  # 每个子包的 __init__ 都说明它装什么、能导入什么. Each says what it holds and may import.
        doc = (ROOT / "micrograd_cn" / folder / "__init__.py").read_text(encoding="utf-8")
        assert doc.startswith('"""') and "import" in doc.split('"""')[1], folder


def test_no_import_cycles(architecture, graph) -> None:
    assert architecture.cycles(graph) == []


def test_no_arrow_points_up_a_layer(architecture, graph) -> None:
    assert architecture.upward_imports(graph) == []


def test_the_reader_sees_lazy_imports_and_catches_a_cycle(architecture) -> None:
    """读取器能看见函数里的导入, 也能找到环 (这个测试本身会失败时才有意义). The checks can fail."""
    graph = architecture.imports()
    assert "micrograd_cn.viz.player" in graph["micrograd_cn.app.browser"]  # 函数里的惰性导入. A lazy import.
    assert "micrograd_cn.nn.datasets" in graph["micrograd_cn.app.trainer"]  # from ..nn import datasets
    looped = {name: set(targets) for name, targets in graph.items()}
    looped["micrograd_cn.graph"].add("micrograd_cn.engine")
    assert ["micrograd_cn.engine", "micrograd_cn.graph"] in architecture.cycles(looped)
    looped["micrograd_cn.nn.train"].add("micrograd_cn.viz.player")
    assert ("micrograd_cn.nn.train", "micrograd_cn.viz.player") in architecture.upward_imports(looped)


@pytest.mark.parametrize(("old", "new"), [
    ("trace", "backprop.trace"), ("diagnose", "backprop.diagnose"), ("manual", "backprop.manual"),
    ("deltas", "backprop.deltas"), ("optim", "nn.optim"), ("train", "nn.train"), ("datasets", "nn.datasets"),
    ("bridge", "nn.bridge"), ("examples", "classroom.examples"), ("dynamics", "classroom.dynamics"),
    ("sequence_tasks", "classroom.sequence_tasks"), ("demo", "classroom.demo"), ("plots", "classroom.plots"),
    ("cli", "app.cli"), ("expr", "app.expr"), ("serve", "app.serve"), ("browser", "app.browser"),
])
def test_old_module_paths_are_aliases(old: str, new: str) -> None:
    import micrograd_cn as mg

    assert mg.MOVED_MODULES[old] == new
    alias = importlib.import_module(f"micrograd_cn.{old}")
    moved = importlib.import_module(f"micrograd_cn.{new}")
    assert alias is moved and getattr(mg, old) is moved
    assert moved.__spec__.name == f"micrograd_cn.{new}"  # 别名不改写模块自己的 spec. The alias leaves the spec alone.


def test_old_paths_import_in_a_fresh_interpreter() -> None:
    code = ("from micrograd_cn.trace import backward_steps\nfrom micrograd_cn.optim import SGD\n"
            "import micrograd_cn.dynamics, micrograd_cn.viz.player, micrograd_cn.nn.losses\n"
            "from micrograd_cn.cli import main\nimport micrograd_cn.backprop.trace as t\n"
            "assert backward_steps is t.backward_steps\nprint('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "ok", done.stderr


def test_public_names_keep_working_and_dir_lists_only_public_names() -> None:
    import micrograd_cn as mg

    for name in mg.__all__:
        assert getattr(mg, name) is not None, name
    assert callable(mg.draw_dot) and callable(mg.check_manual_gradients) and mg.examples.mazur_network
    names = dir(mg)
    assert not [name for name in names if name.startswith("_") and name != "__version__"]
    assert {"Any", "annotations", "import_module"}.isdisjoint(names)
    assert {"nn", "viz", "backprop", "classroom", "app", "Value", "draw_dot", "trace"} <= set(names)
    assert mg.MLP is mg.nn.MLP and mg.Layer is mg.nn.Layer and mg.Neuron is mg.nn.Neuron  # 如 README. As the README.
    assert {"MLP", "Layer", "Neuron"} <= set(names)


def _resolves(path: str) -> bool:
    """一个点分路径能否导入 (模块, 再加属性). Whether a dotted path imports: a module, then attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                target = getattr(target, attribute)
        except AttributeError:
            return False
        return True
    return False


def test_every_module_path_the_readme_docs_and_lessons_name_imports() -> None:
    import re

    texts = [ROOT / "README.md", *(ROOT / "docs" / "pages").rglob("*.md"), *(ROOT / "notebooks").glob("*.ipynb")]
    named = {match for path in texts
             for match in re.findall(r"micrograd_cn(?:\.[A-Za-z_]\w*)+", path.read_text(encoding="utf-8"))
             if not match.endswith((".zip", ".py", ".ipynb", ".html", ".svg"))}
    assert len(named) > 20  # README、文档与课程确实提到了很多路径. They do name many paths.
    assert sorted(path for path in named if not _resolves(path)) == []
