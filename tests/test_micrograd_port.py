"""从 micrograd 与讲座过来: 老师手里的代码只换 import 就能运行, 给出同样的数.

Coming from micrograd and the "building micrograd" lecture: micrograd's demo
loop (imports changed, ``random.seed(1337)``) builds micrograd 0.1.0's weights
and prints the losses its notebook printed; micrograd's engine test cases
agree with PyTorch; the lecture's idioms (``_prev``, ``_op``, a hand-written
``draw_dot``, a recursive topological sort, the manual ``_backward()``
sequence) run on our Values; new operations are made with ``mg.custom_op``;
user code may store its own attributes on a Value; and every render format
the README lists works with the embedded renderer.
"""

from __future__ import annotations

import importlib
import math
import random
import re
import shutil
import sysconfig
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import load_data, require, require_module

import micrograd_cn as mg
from micrograd_cn import datasets
from micrograd_cn.collector import collector_paused

EXACT = {"rel": 1e-12, "abs": 1e-15}


def micrograd_demo_step(Value, model, X, y, k: int):  # noqa: N803  (micrograd 的写法 micrograd's spelling)
    """micrograd README / demo.ipynb 的一步, 原样照抄 (只有 Value 与 model 从外面传入).

    One step of micrograd's demo, verbatim; only ``Value`` and ``model`` come
    from outside.
    """
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))  # noqa: UP034
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    acc = sum(accuracy) / len(accuracy)

    model.zero_grad()
    total_loss.backward()
    grads = [p.grad for p in model.parameters()]

    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data, acc, grads


def load(package: str) -> SimpleNamespace:
    """`from <package>.engine import Value; from <package>.nn import MLP`."""
    return SimpleNamespace(Value=importlib.import_module(f"{package}.engine").Value,
                           MLP=importlib.import_module(f"{package}.nn").MLP)


@pytest.fixture(scope="module")
def packages() -> tuple[SimpleNamespace, SimpleNamespace]:
    require_module("micrograd")
    return load("micrograd"), load("micrograd_cn")


def seeded(make, seed: int = 1337):
    """像 micrograd 的演示那样 random.seed(seed) 后建模型, 再恢复全局状态. Build after random.seed, like the demo."""
    saved = random.getstate()
    try:
        random.seed(seed)
        return make()
    finally:
        random.setstate(saved)


def test_global_seed_gives_micrograds_weights_parameter_by_parameter(packages) -> None:
    theirs_pkg, ours_pkg = packages
    theirs = seeded(lambda: theirs_pkg.MLP(2, [16, 16, 1]))
    ours = seeded(lambda: ours_pkg.MLP(2, [16, 16, 1]))
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    assert [p.data for p in ours.parameters()] == [q.data for q in theirs.parameters()]
    assert seeded(lambda: ours_pkg.MLP(2, [16, 16, 1]), 7).parameters()[0].data != ours.parameters()[0].data


def test_demo_gives_the_same_losses_and_gradients(packages) -> None:
    theirs_pkg, ours_pkg = packages
    X, y = datasets.moons(100, noise=0.1, seed=0, labels="pm1")
    theirs = seeded(lambda: theirs_pkg.MLP(2, [16, 16, 1]))
    ours = seeded(lambda: ours_pkg.MLP(2, [16, 16, 1]))
    for k in range(2):
        with collector_paused():  # 只为测试更快 (micrograd 的节点互相成环). Only to keep the test fast.
            loss_theirs, acc_theirs, grads_theirs = micrograd_demo_step(theirs_pkg.Value, theirs, X, y, k)
            loss_ours, acc_ours, grads_ours = micrograd_demo_step(ours_pkg.Value, ours, X, y, k)
        assert loss_ours == pytest.approx(loss_theirs, **EXACT)
        assert acc_ours == acc_theirs
        assert grads_ours == pytest.approx(grads_theirs, **EXACT)
    assert [p.data for p in ours.parameters()] == pytest.approx([q.data for q in theirs.parameters()], **EXACT)


def test_micrograd_style_values_work_with_builtin_sum(packages) -> None:
    _, ours = packages
    a, b = ours.Value(2.0), ours.Value(-3.0)
    total = sum([a * b, a, b])  # 0 + Value 走 __radd__. 0 + Value uses __radd__.
    total.backward()
    assert total.data == -7.0 and (a.grad, b.grad) == (-2.0, 3.0)
    out = ours.MLP(3, [4, 1])([ours.Value(1.0), ours.Value(0.5), ours.Value(-1.0)])
    assert isinstance(out, ours.Value) and out.relu().data >= 0.0


def test_demo_notebook_prints_micrograds_losses() -> None:
    """demo.ipynb 的数据与 random.seed(1337): 100 步的损失与笔记本打印的一致. The notebook's 100 losses."""
    demo = load_data("micrograd_demo.json")
    X, y, printed = demo["X"]["values"], demo["y"]["values"], demo["losses"]["values"]
    ours = load("micrograd_cn")
    model = seeded(lambda: ours.MLP(2, [16, 16, 1]))
    losses, accuracies = [], []
    with collector_paused():
        for k in range(100):
            loss, acc, _ = micrograd_demo_step(ours.Value, model, X, y, k)
            losses.append(loss)
            accuracies.append(acc)
    first = f"step 0 loss {losses[0]}, accuracy {accuracies[0] * 100}%"  # 笔记本打印的第一行. The first line printed.
    assert first == "step 0 loss 0.8958441028683222, accuracy 50.0%"
    assert losses == pytest.approx(printed, rel=1e-13)  # 实测最大相对差 3e-15. Measured worst: 3e-15.
    assert (accuracies[0], accuracies[-1]) == (demo["accuracy"]["step_0"], demo["accuracy"]["step_99"])


# ---- micrograd 的引擎测试用例, 对照 PyTorch micrograd's engine test cases, against PyTorch ----------


def sanity_check(x):
    """micrograd 的 "sanity check" 表达式; Value 与 torch 张量都能算. Works on Values and tensors alike."""
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def more_ops(a, b):
    """micrograd 的 "more ops" 表达式 (原文的 += 写成了赋值). The "more ops" case, += written out."""
    c = a + b
    d = a * b + b**3
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).relu())
    d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


@pytest.mark.parametrize(("expression", "inputs", "expected"), [
    (sanity_check, (-4.0,), -20.0),
    (more_ops, (-4.0, 2.0), 24.70408163265306),
])
def test_micrograds_engine_cases_agree_with_torch(expression, inputs, expected) -> None:
    torch = require_module("torch")
    ours = [mg.Value(v) for v in inputs]
    out = expression(*ours)
    out.backward()
    theirs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in inputs]
    reference = expression(*theirs)
    reference.backward()
    assert out.data == pytest.approx(reference.item(), rel=1e-12) == pytest.approx(expected, rel=1e-12)
    assert [v.grad for v in ours] == pytest.approx([t.grad.item() for t in theirs], rel=1e-12)


# ---- 讲座中的写法 the lecture's idioms ------------------------------------------------------------


def lecture_neuron() -> dict[str, mg.Value]:
    """讲座中的神经元 o = tanh(x1·w1 + x2·w2 + b), 逐个节点起名. The lecture's neuron, every node named."""
    x1, x2 = mg.Value(2.0, label="x1"), mg.Value(0.0, label="x2")
    w1, w2 = mg.Value(-3.0, label="w1"), mg.Value(1.0, label="w2")
    b = mg.Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "x1w1": x1w1, "x2w2": x2w2, "x1w1x2w2": x1w1x2w2,
            "n": n, "o": o}


LECTURE_GRADS = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5, "n": 0.5, "x1w1": 0.5, "x2w2": 0.5,
                 "x1w1x2w2": 0.5, "o": 1.0}
"""讲座手算出的梯度. The gradients the lecture works out by hand."""


def test_lecture_manual_backward_sequence_gives_the_lectures_numbers() -> None:
    v = lecture_neuron()
    assert v["o"].data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    v["o"].grad = 1.0
    for name in ("o", "n", "b", "x1w1x2w2", "x2w2", "x1w1"):  # 讲座中的顺序; b 是叶子, 什么也不做. b is a leaf.
        v[name]._backward()
    assert {name: value.grad for name, value in v.items()} == pytest.approx(LECTURE_GRADS, abs=1e-12)
    fresh = lecture_neuron()
    fresh["o"].backward()
    assert {name: value.grad for name, value in fresh.items()} == {name: value.grad for name, value in v.items()}


def test_prev_and_op_are_the_parents_and_the_op() -> None:
    v = lecture_neuron()
    assert v["n"]._prev == {v["x1w1x2w2"], v["b"]} and isinstance(v["n"]._prev, set)
    assert (v["n"]._op, v["o"]._op, v["x1"]._op, v["x1"]._prev) == ("+", "tanh", "", set())
    assert (v["x1"] * 2)._prev == {v["x1"]}  # 常数不是节点. A constant is not a node.


def lecture_trace(root):
    """讲座的 trace: 沿 _prev 递归收集节点与边. The lecture's trace, recursive over _prev."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def lecture_draw_dot(root):
    """讲座风格的 draw_dot: 读 _prev, _op, label, data, grad, 用 graphviz.Digraph 画. The lecture's drawing."""
    graphviz = require_module("graphviz")
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = lecture_trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ {n.label} | data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def test_lecture_draw_dot_runs_and_renders(pure_renderer) -> None:
    v = lecture_neuron()
    v["o"].backward()
    dot = lecture_draw_dot(v["o"])
    nodes, edges = lecture_trace(v["o"])
    assert len(nodes) == 10 and len(edges) == 9
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in dot.source and "{ w2 | data 1.0000 | grad 0.0000 }" in dot.source
    svg = mg.to_svg(dot)
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "tanh" in svg


def test_lecture_topological_sort_and_reverse_walk() -> None:
    v = lecture_neuron()
    topo, visited = [], set()

    def build_topo(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                build_topo(child)
            topo.append(node)

    build_topo(v["o"])
    position = {node: i for i, node in enumerate(topo)}
    assert len(topo) == 10 and topo[-1] is v["o"]
    assert all(position[parent] < position[node] for node in topo for parent in node._prev)
    v["o"].grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert {name: value.grad for name, value in v.items()} == pytest.approx(LECTURE_GRADS, abs=1e-12)


def test_micrograds_neuron_and_layer_signatures() -> None:
    nn = importlib.import_module("micrograd_cn.nn")
    x = [mg.Value(1.0), mg.Value(-2.0)]
    linear = nn.Neuron(2, nonlin=False)
    assert (linear.nonlin, linear.activation) == (False, "linear")
    assert linear(x).data == pytest.approx(linear.w[0].data - 2 * linear.w[1].data)
    assert nn.Neuron(2).nonlin and nn.Neuron(2, False).activation == "linear"
    layer = nn.Layer(2, 3, nonlin=False)  # 关键字传给每个神经元. Keywords go to every Neuron.
    assert [n.activation for n in layer.neurons] == ["linear"] * 3 and layer.activation == "linear"
    with pytest.raises(ValueError, match="nonlin"):
        nn.Neuron(2, "tanh", nonlin=False)


# ---- 新运算 adding an op --------------------------------------------------------------------------


def cube(x: mg.Value) -> mg.Value:
    """用 custom_op 定义的 x³. x cubed, defined with custom_op."""
    return mg.custom_op(x.data**3, (x,), (3 * x.data**2,), "cube")


def test_custom_op_backpropagates_like_a_built_in_op() -> None:
    x = mg.Value(2.0, label="x")
    y = cube(x) * x  # y = x⁴, dy/dx = 4x³ = 32
    y.backward()
    assert (y.data, x.grad) == (16.0, 32.0)
    assert y.parents[0].op == "cube" and y.parents[0].local_grads == (12.0,)
    report = mg.gradcheck(lambda v: cube(v) + cube(v * v), [mg.Value(0.7)])
    assert report.ok
    with mg.no_grad():
        assert cube(x).parents == ()


def test_micrograds_way_of_adding_an_op_is_refused_with_a_pointer() -> None:
    x = mg.Value(2.0)
    with pytest.raises(TypeError) as error:
        mg.Value(math.exp(x.data), (x,), "exp")
    message = str(error.value)
    assert "'exp'" in message and "mg.custom_op" in message and "(Value(" in message and "micrograd" in message
    out = x * 3
    with pytest.raises(AttributeError) as error:
        out._backward = lambda: None
    assert "_backward" in str(error.value) and "custom_op" in str(error.value) and "'* 3'" in str(error.value)
    with pytest.raises(AttributeError):
        out._prev = {x}


@pytest.mark.parametrize(("args", "error", "words"), [
    ((1.0, (2.0,), (1.0,), "f"), TypeError, "parents must be Values"),
    ((1.0, (mg.Value(1.0),), (1.0, 2.0), "f"), ValueError, "1 parents but 2 local derivatives"),
    ((1.0, (mg.Value(1.0),), (math.nan,), "f"), ValueError, "finite"),
    ((1.0, (), (), ""), TypeError, "non-empty string"),
])
def test_custom_op_checks_its_arguments(args, error, words) -> None:
    with pytest.raises(error, match=words):
        mg.custom_op(*args)


# ---- 用户属性 user attributes --------------------------------------------------------------------


def test_optimizer_state_stored_on_parameters_micrograd_style() -> None:
    """micrograd 衍生代码的 Adam: 把 m, v 存在参数上; 结果与 optim.Adam 一致. Adam with state on the parameters."""
    nn, optim = importlib.import_module("micrograd_cn.nn"), importlib.import_module("micrograd_cn.optim")
    ours, reference = nn.MLP(2, [4, 1], seed=3), nn.MLP(2, [4, 1], seed=3)
    adam = optim.Adam(reference.parameters(), lr=0.01)
    for p in ours.parameters():
        p.m, p.v = 0.0, 0.0
    x = [mg.Value(0.5), mg.Value(-1.5)]
    for t in range(1, 4):
        for model in (ours, reference):
            model.zero_grad()
            (model(x) ** 2).backward()
        adam.step()
        for p in ours.parameters():
            p.m = 0.9 * p.m + 0.1 * p.grad
            p.v = 0.999 * p.v + 0.001 * p.grad**2
            p.data -= 0.01 * (p.m / (1 - 0.9**t)) / (math.sqrt(p.v / (1 - 0.999**t)) + 1e-8)
    assert [p.data for p in ours.parameters()] == pytest.approx([p.data for p in reference.parameters()], rel=1e-9)


def bytes_per_op(Value, n: int = 20_000) -> float:  # noqa: N803
    """y = y * 1.0000001 链上每个运算的字节数 (tracemalloc). Bytes per op on the y*c chain."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        y = Value(1.0)
        for _ in range(n):
            y = y * 1.0000001
        return (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()


def test_user_attributes_keep_memory_within_a_fifth_of_micrograd(packages) -> None:
    theirs, ours = packages
    with collector_paused():
        mine, micrograds = bytes_per_op(ours.Value), bytes_per_op(theirs.Value)
    assert mine <= micrograds / 5, (mine, micrograds)


# ---- 画图与渲染 drawing and rendering ------------------------------------------------------------

PURE = shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=sysconfig.get_path("scripts"))
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def pure_renderer(monkeypatch):
    """用内置的 graphviz-pure 渲染 (即使本机另有系统 dot). Render with graphviz-pure even where dot exists."""
    require_module("graphviz")
    require(PURE is not None, "graphviz-pure is not installed (pip install 'micrograd_cn[viz]')")
    from micrograd_cn.viz.renderer import ENV_VAR

    monkeypatch.setenv(ENV_VAR, PURE)


def readme_render_formats() -> list[str]:
    """README 中 mg.render 一行列出的格式. The formats the README's mg.render line lists."""
    found = re.search(r'mg\.render\(e, "e\.svg"\)\s+# 按后缀写 ([a-z/]+) ', README.read_text(encoding="utf-8"))
    assert found, "README has no mg.render line listing formats"
    return found.group(1).split("/")


MAGIC = {"svg": b"<svg", "png": b"\x89PNG", "dot": b"digraph"}


def test_every_render_format_the_readme_lists_works_with_the_embedded_renderer(pure_renderer, tmp_path) -> None:
    v = lecture_neuron()
    v["o"].backward()
    formats = readme_render_formats()
    assert "pdf" not in formats
    for fmt in formats:
        written = mg.render(v["o"], tmp_path / f"o.{fmt}").read_bytes()
        assert MAGIC[fmt] in written[:400], fmt
    with pytest.raises(mg.viz.RendererNotFoundError) as error:
        mg.render(v["o"], tmp_path / "o.pdf")
    assert "apt install graphviz" in str(error.value) and "(the embedded renderer" in str(error.value)
    assert not (tmp_path / "o.pdf").exists()


def test_draw_dot_with_micrograds_signature_renders_gout(pure_renderer, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    v = lecture_neuron()
    v["o"].backward()
    dot = mg.draw_dot(v["o"], "svg", "TB")  # micrograd: draw_dot(root, format='svg', rankdir='LR')
    assert dot.format == "svg" and "rankdir=TB" in dot.source
    assert mg.draw_dot(v["o"]).format == "svg"
    assert dot.render("gout") == "gout.svg"  # 笔记本里的写法. The notebook idiom.
    assert (tmp_path / "gout.svg").read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
    assert dot.pipe(format="png")[:4] == b"\x89PNG"
    assert mg.draw_dot(v["o"], "png").render("small") == "small.png"
    with pytest.raises(mg.viz.RendererNotFoundError):
        dot.render("gout", format="pdf")


def test_micrograd_repr_prints_what_micrograd_prints() -> None:
    """micrograd_repr 与 micrograd 0.1.0 的 print 逐字相同; 自己的 repr 则不同 (见 from_micrograd 页).

    micrograd_repr matches micrograd 0.1.0's printed text character for
    character, for a network, a layer, a neuron and Values before and after
    backward; micrograd_cn's own repr differs as the docs page says."""
    micrograd_nn = require_module("micrograd.nn")
    micrograd_engine = require_module("micrograd.engine")
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = mg.nn.MLP(2, [16, 16, 1])
    assert mg.micrograd_repr(ours) == str(theirs)
    assert str(ours) == "MLP(2 → 16 → 16 → 1, activation='relu', output_activation='linear', 参数 parameters=337)"
    assert mg.micrograd_repr(mg.nn.Layer(2, 3, nonlin=False)) == str(micrograd_nn.Layer(2, 3, nonlin=False))
    assert mg.micrograd_repr(mg.nn.Neuron(2)) == str(micrograd_nn.Neuron(2)) == "ReLUNeuron(2)"
    assert mg.micrograd_repr(mg.nn.Neuron(2, activation="tanh")) == "TanhNeuron(2)"
    printed = {}
    for package, show in ((mg, mg.micrograd_repr), (micrograd_engine, str)):
        a, b = package.Value(2.0), package.Value(3.0)
        c = (a * b + a).relu() + b ** 2
        before = [show(v) for v in (a, b, c)]
        c.backward()
        printed[package.__name__] = before, [show(v) for v in (a, b, c)]
    ours, theirs = printed.values()
    # micrograd 把输出的梯度设为整数 1 (见 from_micrograd 页). micrograd sets the output's gradient to the int 1.
    assert ours[1][2] == "Value(data=17.0, grad=1.0)" and theirs[1][2] == "Value(data=17.0, grad=1)"
    ours[1].pop(), theirs[1].pop()
    assert ours == theirs and ours[0][0] == "Value(data=2.0, grad=0)" and ours[1][0] == "Value(data=2.0, grad=4.0)"
    assert str(mg.Value(2.0)) == "Value(data=2.0, grad=0.0)"  # 自己的写法: 梯度总是 float. Own repr: a float.
    with pytest.raises(TypeError, match="micrograd_repr"):
        mg.micrograd_repr(3.0)
