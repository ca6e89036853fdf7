"""训练页的模型与数据: 小批量训练、训练集与测试集、L2 正则、每个神经元的输出热图, 数都来自引擎.

The training page's model and data (TensorFlow Playground's features, on the
real engine), run by Pyodide in the site's Web Worker.

- Points are ``[x1, x2, class, test]``: a seeded share of them (``test``,
  50 % by default, as in TensorFlow Playground) is held out for testing.
- One *step* is one update of :func:`micrograd_cn.nn.train.fit` (its
  :func:`~micrograd_cn.nn.train.train_step`) on a batch
  of ``batch`` training points (10 by default, as in TensorFlow Playground),
  with ``l2`` added to the loss; an *epoch* is one shuffled pass over the
  training points.
- A *view* is what the page draws: both mean losses and accuracies, every
  neuron's output over a ``GRID × GRID`` grid of the plane (its heatmap,
  computed with plain floats by :mod:`micrograd_cn.nn.floats`), the weights,
  and the loss history since the entry the page already has.
- Exact pause: each :meth:`Trainer.step` call remembers the state it started
  from, so :meth:`Trainer.pause` can return to the step the page was showing
  when the pause button was pressed.

Every method returns plain dicts, lists, strings and floats (JSON for the
worker); nothing here needs a browser, the tests call it directly.
"""

from __future__ import annotations

import base64
import math
import random
import time
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from ..backprop.trace import format_number
from ..engine import Value, dot, no_grad
from ..errors import fail
from ..nn import MLP, datasets, get_activation, optim
from ..nn.floats import neuron_outputs
from ..nn.train import LOSSES, binary_accuracy, train_step

DATASETS = ("moons", "circles", "xor", "spiral")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
TRAIN_LOSSES = ("hinge", "bce_with_logits", "mse")
OPTIMIZERS = ("sgd", "momentum", "adam")
MAX_LAYERS = 4
MAX_WIDTH = 16
MAX_POINTS = 400
MAX_TEST_SHARE = 0.9
GRID_BUDGET = 250_000
"""一次画面里网格上乘加的次数的上限: 网络越大, 网格越粗. Multiply-adds per view over the grid, at most."""
GRID_SIZES = (12, 24)
"""热图网格边长的范围 (每个神经元 边长×边长 个点). The range of the heatmap grid's side."""

SUM_OF_SAMPLE_LOSSES = {"hinge": "sum", "bce_with_logits": "sum", "mse": "half_sum"}
"""损失函数对一列样本求和的 reduction, 等于 fit 每个样本的损失之和 (mse 的单样本损失是 ½(t−o)²).

The reduction under which each loss adds up fit's per-sample losses over a
list of samples (fit's per-sample mse is ``½(t−o)²``)."""


def _number(x: float) -> float | None:
    """JSON 里的数: nan/inf 写成 None. A number for JSON (None for nan or inf)."""
    return x if math.isfinite(x) else None


def _choice(value: object, allowed: Sequence[str], name: str) -> str:
    if value not in allowed:
        fail(ValueError, f"{name} 必须是 {'/'.join(allowed)} 之一, 收到 {value!r}",
             f"{name} must be one of {'/'.join(allowed)}, got {value!r}")
    return str(value)


def _count(value: object, low: int, high: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
            or not low <= value <= high:
        fail(ValueError, f"{name} 必须是 {low} 到 {high} 之间的整数, 收到 {value!r}",
             f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def _between(value: object, low: float, high: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        fail(ValueError, f"{name} 必须在 {low} 到 {high} 之间, 收到 {value!r}",
             f"{name} must lie in [{low}, {high}], got {value!r}")
    return float(value)


def _positive(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        fail(ValueError, f"{name} 必须是正数, 收到 {value!r}", f"{name} must be a positive number, got {value!r}")
    return float(value)


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _superscript(n: int) -> str:
    return "⁽" + str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) + "⁾"


def heatmap_bytes(columns: Sequence[Sequence[float]], scale: float = 1.0) -> bytes:
    """每个值 v 记作一个有符号字节 round(127·clamp(v/scale, −1, 1)): 页面按 −1…1 上色.

    Each value as one signed byte, ``round(127·clamp(v/scale, −1, 1))``: the
    page colours −1 … 1, as TensorFlow Playground does, so one byte per cell
    is all the picture needs (a 4×16 network's view is 38 KB, not 700 KB of JSON).
    """
    factor = 127.0 / scale
    cells = array("b")
    for column in columns:
        cells.extend([c if -127 <= c <= 127 else (127 if c > 0 else -127)
                      for c in map(round, map(factor.__mul__, column))])
    return cells.tobytes()


class Trainer:
    """训练页的模型与数据. The training page's model and data.

    ``config`` keys: ``dataset`` (moons/circles/xor/spiral), ``n``, ``noise``,
    ``seed``, ``test`` (share of points held out for testing, 0 … 0.9),
    ``layers`` and ``width`` (hidden layers), ``activation``, ``loss``
    (hinge, bce_with_logits, mse), ``optimizer`` (sgd, momentum, adam),
    ``lr``, ``l2`` (α of ``α·Σw²``), ``batch`` (points per step) and
    optionally ``points`` (``[x1, x2, class]`` or ``[x1, x2, class, test]``).
    Classes are 0 and 1 on the page; hinge and mse train on −1/+1.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.dataset = _choice(config.get("dataset", "moons"), DATASETS, "dataset")
        self.n = _count(config.get("n", 200), 4, MAX_POINTS, "n")
        self.noise = _between(config.get("noise", 0.1), 0.0, 1.0, "noise")
        self.seed = _count(config.get("seed", 0), 0, 2**31 - 1, "seed")
        self.test_share = _between(config.get("test", 0.5), 0.0, MAX_TEST_SHARE, "test")
        self.layers = _count(config.get("layers", 2), 1, MAX_LAYERS, "layers")
        self.width = _count(config.get("width", 8), 1, MAX_WIDTH, "width")
        self.activation = _choice(config.get("activation", "relu"), ACTIVATIONS, "activation")
        self.loss = _choice(config.get("loss", "hinge"), TRAIN_LOSSES, "loss")
        self.optimizer_name = _choice(config.get("optimizer", "sgd"), OPTIMIZERS, "optimizer")
        self.lr = _positive(config.get("lr", 0.1), "lr")
        self.l2 = _between(config.get("l2", 0.0), 0.0, 1.0, "l2")
        self.batch = _count(config.get("batch", 10), 1, MAX_POINTS, "batch")
        points = config.get("points")
        self.points = self._generate() if points is None else self._checked_points(points)
        self.extent = self._extent(self.points)
        self.view_seconds = 0.0
        self.train_seconds = 0.0
        self.reset()

    # ---- 数据 the points ----------------------------------------------------------------------

    def _generate(self) -> list[list[float]]:
        if self.dataset == "spiral":
            X, y = datasets.spiral(n=self.n, classes=2, noise=self.noise, seed=self.seed)
        else:
            X, y = getattr(datasets, self.dataset)(n=self.n, noise=self.noise, seed=self.seed)
        held_out = set(random.Random(self.seed).sample(range(len(X)), round(self.test_share * len(X))))
        return [[float(x[0]), float(x[1]), int(t), int(k in held_out)] for k, (x, t) in enumerate(zip(X, y))]

    @staticmethod
    def _checked_point(point: object) -> list[float]:
        """一个点 [x1, x2, 类别] 或 [x1, x2, 类别, 是否测试]. One point from the page, checked."""
        if (not isinstance(point, Sequence) or len(point) not in (3, 4) or point[2] not in (0, 1)
                or (len(point) == 4 and point[3] not in (0, 1))
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c)
                           for c in point[:2])):
            fail(ValueError, f"点必须是 [x1, x2, 0 或 1], 收到 {point!r}",
                 f"a point must be [x1, x2, 0 or 1], got {point!r}")
        return [float(point[0]), float(point[1]), int(point[2]), int(point[3]) if len(point) == 4 else 0]

    def _checked_points(self, points: object) -> list[list[float]]:
        if not isinstance(points, Sequence) or isinstance(points, str) or len(points) > MAX_POINTS:
            fail(ValueError, f"points 必须是最多 {MAX_POINTS} 个 [x1, x2, 类别]",
                 f"points must be at most {MAX_POINTS} [x1, x2, class] triples")
        return [self._checked_point(point) for point in points]

    @staticmethod
    def _extent(points: Sequence[Sequence[float]]) -> list[float]:
        """画布显示的范围 [x 最小, x 最大, y 最小, y 最大] (正方形, 留边). The square canvas area."""
        if not points:
            return [-1.5, 1.5, -1.5, 1.5]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 + 0.4
        return [cx - half, cx + half, cy - half, cy + half]

    def _changed_points(self) -> None:
        """点变了: 下一步开始新的一轮 (打乱顺序引用的是旧的点). The next step starts a new pass."""
        self._order, self._cursor = [], 0
        self.version += 1

    def set_points(self, points: object) -> dict[str, Any]:
        """换成页面上编辑过的全部点 (网络继续训练, 不重置). Replace all the points; training goes on."""
        self.points = self._checked_points(points)
        self._changed_points()
        return self.state()

    def add_point(self, point: object, since: int = 0) -> dict[str, Any]:
        """加一个训练点 (页面上点击画布). Add one training point (a click on the plane)."""
        if len(self.points) >= MAX_POINTS:
            fail(ValueError, f"最多 {MAX_POINTS} 个点", f"at most {MAX_POINTS} points")
        self.points.append(self._checked_point(point))
        self._changed_points()
        return self.state(since)

    def remove_point(self, index: object, since: int = 0) -> dict[str, Any]:
        """删去第 index 个点. Remove point ``index``."""
        del self.points[_count(index, 0, len(self.points) - 1, "index")]
        self._changed_points()
        return self.state(since)

    def _rows(self, test: bool) -> list[int]:
        return [k for k, p in enumerate(self.points) if p[3] == test]

    def _target(self, label: float) -> float:
        """训练目标: hinge 与 mse 用 −1/+1, bce_with_logits 用 0/1. The training target of a class."""
        return float(label) if self.loss == "bce_with_logits" else 2.0 * label - 1.0

    def targets(self) -> list[float]:
        """每个点的训练目标. Every point's training target."""
        return [self._target(p[2]) for p in self.points]

    # ---- 训练 training ------------------------------------------------------------------------

    def reset(self) -> None:
        """重新初始化网络与优化器 (数据不变). New initial weights and optimizer state; same points."""
        self.model = MLP(2, [self.width] * self.layers + [1], activation=self.activation, seed=self.seed)
        self.params = self.model.parameters()
        sizes = [2, *[self.width] * self.layers, 1]
        per_point = sum(a * b for a, b in zip(sizes, sizes[1:]))
        low, high = GRID_SIZES
        self.grid = max(low, min(high, math.isqrt(GRID_BUDGET // per_point)))
        if self.optimizer_name == "adam":
            self.optimizer: Any = optim.Adam(self.params, lr=self.lr)
        else:
            self.optimizer = optim.SGD(self.params, lr=self.lr,
                                       momentum=0.9 if self.optimizer_name == "momentum" else 0.0)
        self.steps = 0
        self.epochs = 0
        self.history: list[list[float | None]] = []
        self._rng = random.Random(self.seed)
        self._order: list[int] = []
        self._cursor = 0
        self.version = 0
        self._checkpoint: dict[str, Any] | None = None

    def _next_batch(self) -> list[int]:
        """下一批训练点的编号 (每一轮重新打乱). The next batch; each pass is freshly shuffled."""
        if not self._order:
            rows = self._rows(False)
            self._order = self._rng.sample(rows, len(rows))
            self._cursor = 0
        batch = self._order[self._cursor:self._cursor + self.batch]
        self._cursor += len(batch)
        return batch

    def _train_step(self) -> None:
        """一步: 在一批点上更新一次 (fit 的一步: 小批量的平均损失 + L2). One update of fit on one batch."""
        batch = self._next_batch()
        train_step(self.model, self.optimizer, [self.points[k][:2] for k in batch],
                   [self._target(self.points[k][2]) for k in batch], loss=self.loss, l2=self.l2)
        self.steps += 1
        if self._cursor >= len(self._order):
            self.epochs += 1
            self._order = []

    def step(self, count: int = 1, seconds: float | None = None, since: int = 0) -> dict[str, Any]:
        """训练 count 步, 返回新的画面 (view); 给了 seconds 时, 连同画面在内大约用这么久.

        Train ``count`` steps and return the new view.  With ``seconds``, stop
        early (after at least one step) when the next step, at the mean time
        of this call's steps, would not fit before the view: the steps and
        the view together take at most about ``seconds``, so a playing page
        gets a view every ``seconds`` however big the network is.
        """
        count = _count(count, 1, 10_000, "count")
        train = self._rows(False)
        if len({self.points[k][2] for k in train}) < 2:
            fail(ValueError, "训练集里两类点都至少要有一个才能训练",
                 "training needs at least one training point of each class")
        self._checkpoint = self._save()
        started = time.perf_counter()
        budget = None if seconds is None else seconds - self.view_seconds
        for k in range(count):
            elapsed = time.perf_counter() - started
            if k and budget is not None and elapsed + elapsed / k > budget:  # 下一步放不下. The next would not fit.
                break
            self._train_step()
        self.train_seconds = time.perf_counter() - started
        return self.view(since)

    def _save(self) -> dict[str, Any]:
        return {"steps": self.steps, "epochs": self.epochs, "params": [p.data for p in self.params],
                "optimizer": self.optimizer.state_dict(), "order": list(self._order), "cursor": self._cursor,
                "rng": self._rng.getstate(), "history": len(self.history), "version": self.version}

    def pause(self, steps: object, since: int = 0) -> dict[str, Any]:
        """暂停在页面按下暂停时显示的那一步: 之后算出的步 (还没显示) 退回去.

        Pause exactly at ``steps``, the step the page showed when pause was
        pressed: the steps of the last :meth:`step` call, computed but not
        yet shown, are taken back (the weights, the optimizer's state, the
        batch order and the history return to where that call started).
        """
        steps = _count(steps, 0, 2**53, "steps")
        saved = self._checkpoint
        if saved is not None and saved["steps"] == steps != self.steps:
            for p, value in zip(self.params, saved["params"]):
                p.data = value
            self.optimizer.load_state_dict(saved["optimizer"])
            self.steps, self.epochs, self._cursor = saved["steps"], saved["epochs"], saved["cursor"]
            self._order = saved["order"] if saved["version"] == self.version else []
            self._rng.setstate(saved["rng"])
            del self.history[saved["history"]:]
        self._checkpoint = None
        return self.state(since)

    # ---- 画面 what the page shows -------------------------------------------------------------

    def grid_points(self, size: int | None = None) -> list[list[float]]:
        """size×size 网格的中心点 (按行, 从上到下), 默认 self.grid. Grid cell centres, top row first."""
        size = size or self.grid
        x0, x1, y0, y1 = self.extent
        return [[x0 + (i + 0.5) * (x1 - x0) / size, y1 - (j + 0.5) * (y1 - y0) / size]
                for j in range(size) for i in range(size)]

    def scores(self, points: Sequence[Sequence[float]]) -> list[float]:
        """网络对一批点的输出 (普通浮点数); 大于 0 判为类别 1. The model's scores; above 0 means class 1."""
        return neuron_outputs(self.model, points)[-1][0]

    def _mean_loss(self, scores: Sequence[float], rows: Sequence[int]) -> float | None:
        """这些点上的平均损失 (引擎的损失函数, 一次调用, no_grad). Mean loss over ``rows``, by the engine's loss."""
        if not rows:
            return None
        with no_grad():
            total = LOSSES[self.loss]([scores[k] for k in rows], [self._target(self.points[k][2]) for k in rows],
                                      reduction=SUM_OF_SAMPLE_LOSSES[self.loss]).data
        return _number(total / len(rows))

    def _accuracy(self, scores: Sequence[float], rows: Sequence[int]) -> float | None:
        if not rows:
            return None
        return binary_accuracy([scores[k] for k in rows], [float(self.points[k][2]) for k in rows])

    def view(self, since: int = 0) -> dict[str, Any]:
        """页面的一次画面更新: 两个损失、准确率、每个神经元的热图、权重、新的损失记录.

        One view for the page: the mean training and test losses (without
        the L2 term) and accuracies, every neuron's heatmap (``maps``: base64
        of :func:`heatmap_bytes`, layer by layer, neuron by neuron, each
        ``grid × grid`` cells, top row first; layer 0 is x₁ and x₂; the grid
        is finer for smaller networks, see :data:`GRID_BUDGET`), the
        weights, the time the last steps and this view took (``ms``), and the loss history from entry ``since`` on
        (``history_from`` says where the entries start: after a pause or a
        reset the page drops what it has beyond it).
        """
        started = time.perf_counter()
        grid = self.grid_points()
        layers = neuron_outputs(self.model, grid + [p[:2] for p in self.points])
        cells = len(grid)
        scores = layers[-1][0][cells:]
        train, test = self._rows(False), self._rows(True)
        train_loss, test_loss = self._mean_loss(scores, train), self._mean_loss(scores, test)
        if not self.history or self.history[-1][0] != self.steps:
            self.history.append([self.steps, train_loss, test_loss])
        reach = max(abs(v) for v in self.extent)
        maps = heatmap_bytes([column[:cells] for column in layers[0]], reach) + b"".join(
            heatmap_bytes([column[:cells] for column in layer]) for layer in layers[1:])
        since = _count(since, 0, 2**53, "since")
        start = min(since, len(self.history))
        weights = [[[round(w, 4) for w in row] for row in matrix] for matrix in self.model.get_weights()[0]]
        self.view_seconds = time.perf_counter() - started
        train_seconds, self.train_seconds = self.train_seconds, 0.0
        return {
            "ms": {"train": round(1000 * train_seconds, 1), "view": round(1000 * self.view_seconds, 1)},
            "steps": self.steps,
            "epochs": self.epochs,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": self._accuracy(scores, train),
            "test_accuracy": self._accuracy(scores, test),
            "history_from": start,
            "history": self.history[start:],
            "extent": self.extent,
            "grid": self.grid,
            "sizes": [2, *[self.width] * self.layers, 1],
            "weights": weights,
            "maps": base64.b64encode(maps).decode("ascii"),
        }

    def state(self, since: int = 0) -> dict[str, Any]:
        """画面加上全部的点 (新建、改点、重置、暂停之后). The view plus every point."""
        return {**self.view(since), "points": [list(p) for p in self.points]}

    # ---- 一个神经元的局部计算图 one neuron's local graph --------------------------------------

    def hardest_sample(self) -> int:
        """当前损失最大的训练点 (它的梯度最能说明问题). The training point with the largest loss now."""
        rows = self._rows(False) or list(range(len(self.points)))
        scores = self.scores([self.points[k][:2] for k in rows])
        loss = LOSSES[self.loss]
        with no_grad():
            losses = [loss(Value(s), self._target(self.points[k][2])).data for s, k in zip(scores, rows)]
        return rows[max(range(len(rows)), key=losses.__getitem__)]

    def neuron_graph(self, layer: int, index: int, sample: int | None = None, lang: str = "zh") -> dict[str, Any]:
        """第 layer 层 (1 起) 第 index 个神经元在样本 sample 上的局部计算图 (DOT), 带数据、梯度与局部导数.

        The local graph of neuron ``index`` of layer ``layer`` (hidden layers
        count from 1, the output is the last) for one sample: its inputs,
        weights and bias, the Σ node z and the activation a, with data,
        gradients ∂L/∂· of that sample's loss flowing through this neuron,
        and the local derivative on every edge.  ``sample=None`` picks the
        training point with the largest loss (a well-classified one has all
        zeros under the hinge loss).
        """
        layer = _count(layer, 1, len(self.model.layers), "layer")
        index = _count(index, 0, self.model.layers[layer - 1].nout - 1, "index")
        if not self.points:
            fail(ValueError, "还没有数据点", "there are no points yet")
        if sample is None:
            sample = self.hardest_sample()
        elif isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < len(self.points):
            last = len(self.points) - 1
            fail(ValueError, f"样本编号必须是 0 到 {last} 之间的整数, 收到 {sample!r}",
                 f"the sample number must be an integer from 0 to {last}, got {sample!r}")
        x, label = self.points[sample][:2], self.points[sample][2]
        activations: list[list[Value]] = [[Value(v) for v in x]]
        for module in self.model.layers:
            out = module(activations[-1])
            activations.append([out] if isinstance(out, Value) else list(out))
        loss = LOSSES[self.loss](activations[-1][0], self._target(label))
        loss.backward()
        neuron = self.model.layers[layer - 1].neurons[index]
        output = activations[layer][index]
        sup, sub = _superscript(layer), _subscript(index + 1)
        names = ([f"x{_subscript(i + 1)}" for i in range(neuron.nin)] if layer == 1
                 else [f"a{_superscript(layer - 1)}{_subscript(i + 1)}" for i in range(neuron.nin)])
        inputs = [Value(v.data, label=name) for v, name in zip(activations[layer - 1], names)]
        weights = [Value(w.data, label=f"w{sup}{sub}{_subscript(i + 1)}") for i, w in enumerate(neuron.w)]
        bias = Value(neuron.b.data, label=f"b{sup}{sub}")
        z = dot(weights, inputs, bias)
        z.label = f"z{sup}{sub}"
        a = get_activation(neuron.activation)(z)
        if a is not z:
            a.label = f"a{sup}{sub}"
        a.backward(output.grad)
        from ..viz import draw_dot

        graph = draw_dot(a, lang=lang, params=[*weights, bias])
        kind = ("测试点" if lang == "zh" else "test point") if self.points[sample][3] else \
            ("训练点" if lang == "zh" else "training point")
        caption = (f"样本 #{sample} ({kind}, 类别 {label}) 的损失 L = {format_number(loss.data)}; "
                   "梯度是 ∂L/∂· 经过这个神经元的部分"
                   if lang == "zh" else
                   f"sample #{sample} ({kind}, class {label}), loss L = {format_number(loss.data)}; "
                   "grads are ∂L/∂· through this neuron")
        return {"dot": graph.source, "caption": caption, "layer": layer, "index": index, "sample": sample,
                "activation": neuron.activation}


def handle(trainer: Trainer | None, request: Mapping[str, Any]) -> tuple[Trainer, Any]:
    """执行一个 train.* 请求, 返回 (训练器, 结果). Run one ``train.*`` request of the worker."""
    cmd = request.get("cmd")
    lang = _choice(request.get("lang", "zh"), ("zh", "en"), "lang")
    if cmd == "train.new":
        trainer = Trainer(request.get("config") or {})
        return trainer, trainer.state()
    if trainer is None:
        fail(ValueError, f"请求 {cmd!r} 之前需要先 train.new", f"request {cmd!r} needs train.new first")
    since = request.get("since", 0)
    if cmd == "train.step":
        seconds = request.get("seconds")
        budget = None if seconds is None else _positive(seconds, "seconds")
        return trainer, trainer.step(request.get("count", 1), budget, since)
    if cmd == "train.pause":
        return trainer, trainer.pause(request.get("steps"), since)
    if cmd == "train.add":
        return trainer, trainer.add_point(request.get("point"), since)
    if cmd == "train.remove":
        return trainer, trainer.remove_point(request.get("index"), since)
    if cmd == "train.points":
        return trainer, trainer.set_points(request.get("points"))
    if cmd == "train.reset":
        trainer.reset()
        return trainer, trainer.state()
    if cmd == "train.neuron":
        return trainer, trainer.neuron_graph(request.get("layer"), request.get("index"), request.get("sample"), lang)
    fail(ValueError, f"未知的请求 {cmd!r}", f"unknown request {cmd!r}")
