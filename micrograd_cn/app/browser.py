"""浏览器站点在 Pyodide 里调用的 Python 一侧: 表达式的值、梯度与堆放记录, 以及训练页的模型.

The Python side of the browser site, run by Pyodide in a Web Worker.

Every number the pages show comes from here, i.e. from the engine itself:
:func:`expression_state` evaluates an expression with the command line's
whitelist parser (:mod:`micrograd_cn.expr`), runs the recorded backward pass
and draws the graph as DOT text (the page lays it out with viz-js);
the training page's requests go to :class:`Trainer`
(:mod:`micrograd_cn.app.trainer`: mini-batches, a train/test split, L2 and a
heatmap per neuron).  Every function returns
plain dicts, lists, strings and floats, so the worker can send them to the
page as JSON.  Nothing here needs a browser: the tests call it directly.
"""

from __future__ import annotations

import contextlib
import json
import math
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

from ..backprop.trace import backward_steps
from ..errors import bilingual, fail
from . import trainer
from .cli import OUTPUT_NAME
from .expr import FUNCTIONS, ExpressionError, evaluate, parse_assignments, parse_expression
from .trainer import Trainer, _choice

DEFAULT_VALUE = 1.0
"""页面上新出现的变量的初始值. The starting value of a variable the page has not seen yet."""


LAYOUT_BUDGET = 200
"""网页排版的预算: 每条边跨过的多余层数之和 (见 layout_cost); 超过时只画概要, 不逐步播放.

The page's layout budget, in :func:`layout_cost` units.  viz-js lays a graph
out in seconds or minutes when many edges skip ranks (one variable used in
many terms: ``a+a+…+a`` costs 190 with 20 terms, 1.1 s; 435 with 30, 5.8 s;
1,225 with 50, 82 s), whatever the node count (150 distinct terms: 0.4 s).
Beyond the budget the page gets the summary by depth and no player.
"""


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


def layout_cost(graph: Any) -> int:
    """边跨过的多余层数之和: 长边越多, 排版越慢. How many ranks the edges skip beyond the next one.

    The sum over the edges of a graph snapshot of ``depth(parent) −
    depth(consumer) − 1``: 0 for a chain or a tree of distinct variables,
    about n²/2 for one variable used in n chained terms.
    """
    return sum(graph.depth[parent] - graph.depth[consumer] - 1 for consumer, _, parent in graph.edges())


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
    "position": ..., "suggestion": ...}``: the bilingual message, the index
    (from 0) of the character at fault or None, and the whole expression
    with the fix (``2*a`` for ``2a``, ``*`` for ``×``) or None.
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
    except ExpressionError as error:
        return {"ok": False, "error": str(error), "position": error.position, "suggestion": error.suggestion}
    except (ArithmeticError, ValueError, TypeError) as error:
        return {"ok": False, "error": str(error), "position": None, "suggestion": None}
    except (RecursionError, MemoryError):
        return {"ok": False, "error": bilingual("表达式太大或嵌套太深, 算不了; 请换一个小一些的表达式",
                                                "the expression is too big or too deeply nested to compute; "
                                                "try a smaller one"),
                "position": None, "suggestion": None}
    from ..viz import draw_dot
    from ..viz.player import player_data

    too_slow = layout_cost(steps.graph) > LAYOUT_BUDGET
    with warnings.catch_warnings(record=True) as caught:  # 大图的概要提示显示在页面上. Shown on the page.
        warnings.simplefilter("always")
        whole = draw_dot(out, lang=lang, quiz=quiz, rankdir=rankdir,
                         **({"max_nodes": 0} if too_slow else {}))
    notes = [str(warning.message) for warning in caught if "max_nodes" not in str(warning.message)]
    count = len(steps.graph)
    if too_slow:  # 说网页用户能做的事, 不提 Python 的参数. Say what a page user can do.
        notes.append(bilingual("图中有很多跨过好几层的边 (同一个变量用在很多项里), 网页排版太慢: 只画按层的概要, "
                               "不能逐步播放; 减少项数就能看到每个节点",
                               "many edges of this graph skip several ranks (one variable used in many terms), too "
                               "slow to lay out in the page: shown as a summary by depth, without the step-through "
                               "player; use fewer terms to see every node"))
    elif len(notes) < len(caught):
        notes.append(bilingual(f"图有 {count} 个节点, 太多, 只画按层的概要; 缩短表达式就能看到每个节点",
                               f"the graph has {count} nodes, too many to draw one by one, so it is shown as a "
                               "summary by depth; shorten the expression to see every node"))
    player: dict[str, Any] | None = None  # 图太大或排版太慢: 只给整张图与步骤列表. Else the graph and steps only.
    if not too_slow:
        with contextlib.suppress(ValueError):  # 页面用 viz-js 排版 dot. The page lays out the DOT for the player.
            prepared = player_data(steps, lang, quiz=quiz, layout=False, rankdir=rankdir)
            player = {"data": prepared.data, "dot": prepared.dot}
    return {
        "ok": True,
        "text": expression.text,
        "variables": variables,
        "out": steps.out_name,
        "value": _number(out.data),
        "grads": {var: steps.grads.get(var, 0.0) for var in variables},
        "steps": steps.to_dict(),
        "dot": whole.source,
        "notes": notes,
        "player": player,
    }


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
        if isinstance(cmd, str) and cmd.startswith("train."):
            self.trainer, result = trainer.handle(self.trainer, request)
            return result
        fail(ValueError, f"未知的请求 {cmd!r}", f"unknown request {cmd!r}")

    def handle_json(self, text: str) -> str:
        """JSON 进, JSON 出; 错误变成双语信息而不是异常. JSON in, JSON out; errors become messages."""
        try:
            result = self.handle(json.loads(text))
        except (ValueError, TypeError, ArithmeticError, ExpressionError) as error:
            return json.dumps({"ok": False, "error": str(error)}, ensure_ascii=False)
        return json.dumps({"ok": True, "result": result}, ensure_ascii=False, allow_nan=False)
