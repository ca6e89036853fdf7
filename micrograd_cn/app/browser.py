"""浏览器站点在 Pyodide 里调用的 Python 一侧: 表达式的值、梯度与堆放记录, 以及训练页的模型.

The Python side of the browser site, run by Pyodide in a Web Worker.

Every number the pages show comes from here, i.e. from the engine itself:
:func:`expression_state` evaluates an expression with the command line's
whitelist parser (:mod:`micrograd_cn.expr`), runs the recorded backward pass
and draws the graph as DOT text (the page lays it out with viz-js);
:class:`Trainer` trains an MLP on a 2-D dataset with :func:`train.fit`, one
full-batch step at a time, and reports the loss, the accuracy, the decision
boundary on a grid and the local graph of one neuron.  Every function returns
plain dicts, lists, strings and floats, so the worker can send them to the
page as JSON.  Nothing here needs a browser: the tests call it directly.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..backprop.trace import backward_steps, format_number
from ..engine import Value, dot, no_grad
from ..errors import bilingual, fail
from ..nn import MLP, datasets, get_activation, optim
from ..nn.train import LOSSES, binary_accuracy, fit
from .cli import OUTPUT_NAME
from .expr import FUNCTIONS, ExpressionError, evaluate, parse_assignments, parse_expression

DEFAULT_VALUE = 1.0
"""页面上新出现的变量的初始值. The starting value of a variable the page has not seen yet."""

DATASETS = ("moons", "circles", "xor", "spiral")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
TRAIN_LOSSES = ("hinge", "bce_with_logits", "mse")
OPTIMIZERS = ("sgd", "momentum", "adam")
MAX_LAYERS = 4
MAX_WIDTH = 16
MAX_POINTS = 400
GRID = 28


class _AnyVariable(Mapping[str, float]):
    """解析时把每个名字都当作已给值的变量 (值取自页面, 否则为 DEFAULT_VALUE).

    A mapping in which every name is a variable: the page's value when it has
    one, else :data:`DEFAULT_VALUE`.  The parser then reports which names the
    expression uses, and still checks the exponent rule with the real values.
    """

    def __init__(self, values: Mapping[str, float]) -> None:
        self.values = values

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name not in FUNCTIONS

    def __getitem__(self, name: str) -> float:
        return float(self.values.get(name, DEFAULT_VALUE))

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def _number(x: float) -> float | None:
    """JSON 里的数: nan/inf 写成 None. A number for JSON (None for nan or inf)."""
    return x if math.isfinite(x) else None


def expression_state(text: str, values: Mapping[str, float] | None = None, lang: str = "zh",
                     quiz: bool = False, rankdir: str = "LR") -> dict[str, Any]:
    """对表达式求值并反向传播, 返回页面所需的一切 (出错时 ok=False 与双语信息).

    Evaluate ``text`` with the command line's parser at ``values`` (names the
    page has no value for start at 1), record the backward pass and return a
    JSON-friendly dict: ``variables`` (name → value, in order of first use),
    ``out`` (the output's name, ``e`` as on the command line), ``value``,
    ``grads`` (variable → ∂out/∂variable), ``steps`` (``backward_steps(...).to_dict()``),
    ``dot`` (the whole graph from :func:`viz.draw_dot`, gradients as ``?`` in
    quiz mode; ``notes`` holds its warnings, e.g. that a big graph is drawn
    as a summary) and ``player`` (``data`` and ``dot`` of :func:`viz.player.player_data`
    for the step-through player, with the answering quiz when ``quiz``; None
    for a graph too big to step through); ``rankdir`` is Graphviz's direction
    (``TB`` fits a phone's narrow screen).
    A refused expression or a math error gives ``{"ok": False, "error": ...,
    "position": ..., "suggestion": ...}`` (the parser's character index from
    0 and its suggested text, or None).
    """
    values = dict(values or {})
    try:
        expression = parse_expression(text, _AnyVariable(values))
        variables = parse_assignments([f"{name}={float(values.get(name, DEFAULT_VALUE))!r}"
                                       for name in expression.variables])
        expression = parse_expression(text, variables)  # 用真正的值再查一次. Checked again with the real values.
        name = "out" if OUTPUT_NAME in variables else OUTPUT_NAME
        out = evaluate(expression, variables, name)
        steps = backward_steps(out)
    except (ExpressionError, ArithmeticError, ValueError, TypeError) as error:
        # 解析器知道出错的位置 (从 0 起) 与改好的写法时, 页面标出位置、给出一键改正.
        # When the parser knows the position (from 0) and a fix, the page marks it and offers the fix.
        return {"ok": False, "error": str(error), "position": getattr(error, "position", None),
                "suggestion": getattr(error, "suggestion", None)}
    except (RecursionError, MemoryError):
        return {"ok": False, "error": bilingual("表达式太大或嵌套太深, 算不了; 请换一个小一些的表达式",
                                                "the expression is too big or too deeply nested to compute; "
                                                "try a smaller one"),
                "position": None, "suggestion": None}
    from ..viz import draw_dot
    from ..viz.player import player_data

    with warnings.catch_warnings(record=True) as caught:  # 大图的概要提示显示在页面上. Shown on the page.
        warnings.simplefilter("always")
        whole = draw_dot(out, lang=lang, quiz=quiz, rankdir=rankdir)
    try:  # 页面用 viz-js 排版 dot, 放进 data.svg 后交给播放器. The page lays out the DOT for the player.
        prepared = player_data(steps, lang, quiz=quiz, layout=False, rankdir=rankdir)
        player: dict[str, Any] | None = {"data": prepared.data, "dot": prepared.dot}
    except ValueError:  # 图太大, 只给整张图与步骤列表. Too big: the whole graph and the step list only.
        player = None
    return {
        "ok": True,
        "text": expression.text,
        "variables": variables,
        "out": steps.out_name,
        "value": _number(out.data),
        "grads": {var: steps.grads.get(var, 0.0) for var in variables},
        "steps": steps.to_dict(),
        "dot": whole.source,
        "notes": [str(warning.message) for warning in caught],
        "player": player,
    }


# ---- 训练页 the training page ---------------------------------------------------------------


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


def _positive(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        fail(ValueError, f"{name} 必须是正数, 收到 {value!r}", f"{name} must be a positive number, got {value!r}")
    return float(value)


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _superscript(n: int) -> str:
    return "⁽" + str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) + "⁾"


class Trainer:
    """训练页的模型与数据: 每一步是一次全批量的 fit (累积 BP), 数都来自引擎.

    The training page's model and data.  ``config`` keys: ``dataset``
    (moons/circles/xor/spiral), ``n``, ``noise``, ``seed``, ``layers`` and
    ``width`` (hidden layers), ``activation``, ``loss`` (hinge,
    bce_with_logits, mse), ``optimizer`` (sgd, momentum, adam), ``lr`` and
    ``l2``.  Classes are 0 and 1 on the page; hinge and mse train on −1/+1.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.dataset = _choice(config.get("dataset", "moons"), DATASETS, "dataset")
        self.n = _count(config.get("n", 100), 4, MAX_POINTS, "n")
        noise = config.get("noise", 0.1)
        if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise <= 1:
            fail(ValueError, f"noise 必须在 0 到 1 之间, 收到 {noise!r}", f"noise must lie in [0, 1], got {noise!r}")
        self.noise = float(noise)
        self.seed = _count(config.get("seed", 0), 0, 2**31 - 1, "seed")
        self.layers = _count(config.get("layers", 2), 1, MAX_LAYERS, "layers")
        self.width = _count(config.get("width", 8), 1, MAX_WIDTH, "width")
        self.activation = _choice(config.get("activation", "relu"), ACTIVATIONS, "activation")
        self.loss = _choice(config.get("loss", "hinge"), TRAIN_LOSSES, "loss")
        self.optimizer_name = _choice(config.get("optimizer", "sgd"), OPTIMIZERS, "optimizer")
        self.lr = _positive(config.get("lr", 0.5), "lr")
        l2 = config.get("l2", 0.0)
        self.l2 = 0.0 if not l2 else _positive(l2, "l2")
        points = config.get("points")
        if points is None:
            X, y = self._generate()
        else:
            X, y = self._checked_points(points)
        self.X, self.y = X, y
        self.extent = self._extent(X)
        self.reset()

    def _generate(self) -> tuple[list[list[float]], list[int]]:
        if self.dataset == "spiral":
            X, y = datasets.spiral(n=self.n, classes=2, noise=self.noise, seed=self.seed)
        else:
            X, y = getattr(datasets, self.dataset)(n=self.n, noise=self.noise, seed=self.seed)
        return X, [int(label) for label in y]

    @staticmethod
    def _checked_points(points: object) -> tuple[list[list[float]], list[int]]:
        """页面送来的点 [[x1, x2, 类别], ...]. Points from the page as ``[x1, x2, class]`` triples."""
        if not isinstance(points, Sequence) or len(points) > MAX_POINTS:
            fail(ValueError, f"points 必须是最多 {MAX_POINTS} 个 [x1, x2, 类别]",
                 f"points must be at most {MAX_POINTS} [x1, x2, class] triples")
        X, y = [], []
        for point in points:
            if (not isinstance(point, Sequence) or len(point) != 3 or point[2] not in (0, 1)
                    or not all(isinstance(c, (int, float)) and math.isfinite(c) for c in point[:2])):
                fail(ValueError, f"点必须是 [x1, x2, 0 或 1], 收到 {point!r}",
                     f"a point must be [x1, x2, 0 or 1], got {point!r}")
            X.append([float(point[0]), float(point[1])])
            y.append(int(point[2]))
        return X, y

    @staticmethod
    def _extent(X: Sequence[Sequence[float]]) -> list[float]:
        """画布显示的范围 [x 最小, x 最大, y 最小, y 最大] (正方形, 留边). The square canvas area."""
        if not X:
            return [-1.5, 1.5, -1.5, 1.5]
        xs, ys = [p[0] for p in X], [p[1] for p in X]
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 + 0.4
        return [cx - half, cx + half, cy - half, cy + half]

    def reset(self) -> None:
        """重新初始化网络与优化器 (数据不变). New initial weights and optimizer state; same data."""
        self.model = MLP(2, [self.width] * self.layers + [1], activation=self.activation, seed=self.seed)
        params = self.model.parameters()
        if self.optimizer_name == "adam":
            self.optimizer: Any = optim.Adam(params, lr=self.lr)
        else:
            self.optimizer = optim.SGD(params, lr=self.lr, momentum=0.9 if self.optimizer_name == "momentum" else 0.0)
        self.steps = 0
        self.losses: list[float] = []

    def set_points(self, points: object) -> dict[str, Any]:
        """换成页面上编辑过的点 (网络继续训练, 不重置). Use the points edited on the page."""
        self.X, self.y = self._checked_points(points)
        return self.state()

    def targets(self) -> list[float]:
        """训练目标: hinge 与 mse 用 −1/+1, bce_with_logits 用 0/1. Training targets for the loss."""
        return [float(t) for t in self.y] if self.loss == "bce_with_logits" else [2.0 * t - 1.0 for t in self.y]

    def scores(self, points: Sequence[Sequence[float]]) -> list[float]:
        """网络对一批点的输出 (不建计算图); 大于 0 判为类别 1. The model's scores; above 0 means class 1."""
        with no_grad():
            return [self.model(p).data for p in points]

    def step(self, count: int = 1, seconds: float | None = None) -> dict[str, Any]:
        """训练 count 步 (每步: 全部点的平均损失一次更新), 返回新的状态.

        Train ``count`` full-batch steps and return the new state; with
        ``seconds``, stop early (after at least one step) once that much time
        has passed, so a playing page stays lively on a slow machine.
        """
        count = _count(count, 1, 1000, "count")
        if len(set(self.y)) < 2:
            fail(ValueError, "两类点都至少要有一个才能训练", "training needs at least one point of each class")
        started = time.perf_counter()
        for k in range(count):
            if k and seconds is not None and time.perf_counter() - started > seconds:
                break
            history = fit(self.model, self.X, self.targets(), loss=self.loss, optimizer=self.optimizer, epochs=1,
                          mode="accumulated", shuffle=False, l2=self.l2, metrics=None)
            self.losses.append(history.loss[-1])
            self.steps += 1
        return self.state()

    def accuracy(self) -> float | None:
        """当前网络在全部点上的准确率. Accuracy of the current model on all the points."""
        if not self.X:
            return None
        return binary_accuracy(self.scores(self.X), [float(t) for t in self.y])

    def boundary(self, size: int = GRID) -> list[float]:
        """size×size 网格上的输出 (按行, 从上到下), 用来画决策边界. Scores on a grid, top row first."""
        x0, x1, y0, y1 = self.extent
        cells = [[x0 + (i + 0.5) * (x1 - x0) / size, y1 - (j + 0.5) * (y1 - y0) / size]
                 for j in range(size) for i in range(size)]
        return [max(-1e6, min(1e6, s)) for s in self.scores(cells)]

    def network(self) -> list[list[list[float]]]:
        """每层的权重矩阵 (nout × nin), 给网络图上色. Each layer's weights, for the network diagram."""
        return self.model.get_weights()[0]

    def state(self, grid: int = GRID) -> dict[str, Any]:
        """页面需要的全部状态. Everything the page shows."""
        return {
            "steps": self.steps,
            "loss": _number(self.losses[-1]) if self.losses else None,
            "losses": [_number(v) for v in self.losses],
            "accuracy": self.accuracy(),
            "points": [[p[0], p[1], t] for p, t in zip(self.X, self.y)],
            "extent": self.extent,
            "grid": grid,
            "boundary": self.boundary(grid),
            "sizes": [2, *[self.width] * self.layers, 1],
            "weights": self.network(),
        }

    def hardest_sample(self) -> int:
        """当前损失最大的样本 (它的梯度最能说明问题). The sample with the largest loss now."""
        loss = LOSSES[self.loss]
        with no_grad():
            losses = [loss(self.model(x), t).data for x, t in zip(self.X, self.targets())]
        return max(range(len(losses)), key=losses.__getitem__)

    def neuron_graph(self, layer: int, index: int, sample: int | None = None, lang: str = "zh") -> dict[str, Any]:
        """第 layer 层 (1 起) 第 index 个神经元在样本 sample 上的局部计算图 (DOT), 带数据、梯度与局部导数.

        The local graph of neuron ``index`` of layer ``layer`` (hidden layers
        count from 1, the output is the last) for one sample: its inputs,
        weights and bias, the Σ node z and the activation a, with data,
        gradients ∂L/∂· of that sample's loss flowing through this neuron,
        and the local derivative on every edge.  ``sample=None`` picks the
        sample with the largest loss (a well-classified one has all zeros
        under the hinge loss).
        """
        layer = _count(layer, 1, len(self.model.layers), "layer")
        index = _count(index, 0, self.model.layers[layer - 1].nout - 1, "index")
        if not self.X:
            fail(ValueError, "还没有数据点", "there are no points yet")
        sample = self.hardest_sample() if sample is None else _count(sample, 0, len(self.X) - 1, "sample")
        activations: list[list[Value]] = [[Value(x) for x in self.X[sample]]]
        for module in self.model.layers:
            out = module(activations[-1])
            activations.append([out] if isinstance(out, Value) else list(out))
        loss = LOSSES[self.loss](activations[-1][0], self.targets()[sample])
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
        target = self.y[sample]
        caption = (f"样本 #{sample} (类别 {target}) 的损失 L = {format_number(loss.data)}; "
                   "梯度是 ∂L/∂· 经过这个神经元的部分"
                   if lang == "zh" else
                   f"sample #{sample} (class {target}), loss L = {format_number(loss.data)}; "
                   "grads are ∂L/∂· through this neuron")
        return {"dot": graph.source, "caption": caption, "layer": layer, "index": index, "sample": sample,
                "activation": neuron.activation}


# ---- 与 Web Worker 的接口 the worker's interface ---------------------------------------------


class Session:
    """一个页面的会话: 把 worker 收到的请求交给上面的函数, 结果写成 JSON.

    One page's session in the worker: :meth:`handle_json` takes a request
    ``{"cmd": ..., ...}`` as JSON text and returns ``{"ok": true, "result": ...}``
    or ``{"ok": false, "error": "中文 (English)"}`` as JSON text.
    """

    def __init__(self) -> None:
        self.trainer: Trainer | None = None

    def handle(self, request: Mapping[str, Any]) -> Any:
        """执行一个请求, 返回结果. Run one request and return its result."""
        cmd = request.get("cmd")
        if cmd == "expression":
            return expression_state(request.get("text", ""), request.get("values") or {},
                                    _choice(request.get("lang", "zh"), ("zh", "en"), "lang"),
                                    bool(request.get("quiz", False)),
                                    _choice(request.get("rankdir", "LR"), ("LR", "TB"), "rankdir"))
        if cmd == "train.new":
            self.trainer = Trainer(request.get("config") or {})
            return self.trainer.state()
        if self.trainer is None:
            fail(ValueError, f"请求 {cmd!r} 之前需要先 train.new", f"request {cmd!r} needs train.new first")
        if cmd == "train.step":
            seconds = request.get("seconds")
            budget = None if seconds is None else _positive(seconds, "seconds")
            return self.trainer.step(request.get("count", 1), budget)
        if cmd == "train.points":
            return self.trainer.set_points(request.get("points"))
        if cmd == "train.reset":
            self.trainer.reset()
            return self.trainer.state()
        if cmd == "train.neuron":
            return self.trainer.neuron_graph(request.get("layer"), request.get("index"), request.get("sample"),
                                             _choice(request.get("lang", "zh"), ("zh", "en"), "lang"))
        fail(ValueError, f"未知的请求 {cmd!r}", f"unknown request {cmd!r}")

    def handle_json(self, text: str) -> str:
        """JSON 进, JSON 出; 错误变成双语信息而不是异常. JSON in, JSON out; errors become messages."""
        try:
            result = self.handle(json.loads(text))
        except (ValueError, TypeError, ArithmeticError, ExpressionError) as error:
            return json.dumps({"ok": False, "error": str(error)}, ensure_ascii=False)
        return json.dumps({"ok": True, "result": result}, ensure_ascii=False, allow_nan=False)
