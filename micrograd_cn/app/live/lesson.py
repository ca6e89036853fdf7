"""一节课要问的图: 每张图 (board) 是记录下来的反向传播和按顺序要问的节点.

What a lesson asks about: a list of boards, each a recorded backward pass
(:func:`backward_steps`) and the nodes to ask, in the order the backward pass
reaches them.  Made from an expression, generated exercises, a seed example
(the e graph, the 2-2-2 net) or any Value.  Grading reuses
:func:`diagnose.check_answer`; the picture reuses :func:`player_data`, with
every gradient, step and expansion left out so the page holds no answer.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ...backprop.diagnose import Diagnosis, check_answer, diagnose
from ...backprop.trace import BackwardSteps, backward_steps, format_number, partial
from ...engine import Value
from ...errors import fail
from ...graph import backward_order, topological_order

MAX_TEXT = 32
"""答案最多的字符数. The longest answer text accepted."""

PUBLIC_KEYS = ("version", "lang", "words", "out", "grad_prefix", "nodes", "partials", "table_order", "interval_ms",
               "focus_above", "neurons", "neuron_edges", "missing_renderer")
"""发给页面的播放器数据 (没有步骤、梯度与展开式). The player data a page receives: no steps, grads, expansions."""

EXAMPLES = ("e", "mazur")
"""--example 可用的种子例题. The seed examples ``--example`` knows."""


def parse_number(text: str) -> float | None:
    """学生写的数: 0.25、-3、1/4, 全角数字与符号、−、小数逗号都可以; 不是有限的数时为 None.

    A typed number, as the solo quiz reads it: decimals, ``a/b`` fractions,
    full-width digits and signs (NFKC), the minus sign −, a decimal comma.
    None when it is not a finite number.
    """
    text = unicodedata.normalize("NFKC", str(text)).strip().replace("−", "-").replace(",", ".")
    if not text or len(text) > MAX_TEXT or not all(c in "0123456789+-./eE " for c in text):
        return None
    parts = text.split("/")
    try:
        if len(parts) == 2:
            value = float(parts[0]) / float(parts[1])
        elif len(parts) == 1:
            value = float(text)
        else:
            return None
    except (ValueError, ZeroDivisionError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def short_label(diagnosis: Diagnosis) -> str:
    """诊断的短名 (说明中冒号前的部分), 如 "漏了经过 d 的路径". A diagnosis's short name."""
    return diagnosis.zh.split(":")[0].strip()


@dataclass
class Board:
    """一张图: 标题, 记录下来的反向传播, 要问的节点 (拓扑序号). One graph, its recorded pass, the nodes to ask."""

    title: str
    steps: BackwardSteps
    asked: list[int]
    lang: str = "zh"
    _diagnoses: dict[int, list[Diagnosis]] = field(default_factory=dict, repr=False)

    @property
    def nodes(self) -> list[Value]:
        return self.steps.graph.order

    def name(self, node: int) -> str:
        return self.steps.graph.names[node]

    def symbol(self, node: int) -> str:
        """问题的记号 ∂e/∂b. The question's notation."""
        return partial(self.steps.out_name, self.name(node))

    def diagnoses(self, node: int) -> list[Diagnosis]:
        """这个节点的典型错误 (算一次). The node's typical mistakes, computed once."""
        if node not in self._diagnoses:
            self._diagnoses[node] = diagnose(self.steps, self.nodes[node])
        return self._diagnoses[node]

    def grade(self, node: int, value: float) -> str:
        """答案的分组: "right", 诊断的序号 "d0" "d1" …, 或 "other". The group of an answer."""
        verdict = check_answer(self.steps, self.nodes[node], value)
        if verdict.correct:
            return "right"
        if verdict.diagnosis is None:
            return "other"
        found = verdict.diagnosis
        for i, d in enumerate(self.diagnoses(node)):
            if d.kind == found.kind and d.value == found.value:
                return f"d{i}"
        return "other"

    def diagnosis(self, node: int, key: str) -> Diagnosis | None:
        """分组 "d3" 的诊断. The diagnosis of group ``key``."""
        if not key.startswith("d"):
            return None
        return self.diagnoses(node)[int(key[1:])]

    def edges(self, node: int, key: str) -> list[list[int]]:
        """分组涉及的边 [使用者序号, k]. The edges of a group."""
        found = self.diagnosis(node, key)
        return found.to_dict(self.steps.graph.index)["edges"] if found else []

    def answer_text(self, node: int) -> str:
        return format_number(self.steps.explain(self.nodes[node]).value, 4)

    def expansion(self, node: int) -> str:
        """链式法则展开 (揭晓时显示). The chain-rule expansion, shown at the reveal."""
        return self.steps.explain(self.nodes[node]).text(self.lang)

    @cached_property
    def picture(self) -> dict[str, Any]:
        """页面上的图: 播放器数据中不含答案的部分加上排好版的 SVG. The picture a page gets, without answers."""
        from ...viz.player import player_data

        prepared = player_data(self.steps, self.lang)
        data = {key: prepared.data[key] for key in PUBLIC_KEYS if key in prepared.data}
        unknown = _unknown_grads(data["grad_prefix"])
        return {**data, "seed": "?", "steps": [], "explain": [], "svg": unknown(prepared.svg),
                "neuron_svg": unknown(prepared.neuron_svg)}

    def fingerprint(self) -> list[Any]:
        """能认出同一张图的数据 (名字、值、连接). What identifies the board: names, values, wiring."""
        graph = self.steps.graph
        return [self.title, self.asked, [[name, node.op, node.data, [graph.index[id(p)] for p in node.parents]]
                                         for node, name in zip(graph.order, graph.names)]]


def _unknown_grads(prefix: str) -> Callable[[str | None], str | None]:
    """把 SVG 中每个 "梯度 grad = 5" 换成 "梯度 grad = ?" (页面上的图不带答案). Hide every gradient in an SVG."""
    shown = html.escape(prefix, quote=False)
    pattern = re.compile(f"(<text[^>]*>){re.escape(shown)}[^<]*</text>")

    def hide(svg: str | None) -> str | None:
        return None if svg is None else pattern.sub(lambda m: f"{m.group(1)}{shown}?</text>", svg)

    return hide


def _recorded(out: Value) -> BackwardSteps:
    """从零梯度开始记录反向传播. Record the backward pass from zero gradients."""
    for node in topological_order(out):
        node.grad = 0.0
    return backward_steps(out)


def board_for(out: Value, title: str = "", asked: Sequence[Value] | None = None, lang: str = "zh") -> Board:
    """一个 Value 的图; 默认按反向传播的顺序问每个节点 (输出除外). A board for ``out``."""
    steps = _recorded(out)
    index = steps.graph.index
    nodes = list(asked) if asked is not None else [n for n in backward_order(out) if n is not out]
    if not nodes:
        fail(ValueError, "live: 图中只有输出一个节点, 没有可问的梯度",
             "live: the graph holds the output alone; there is no gradient to ask")
    return Board(title or steps.out_name, steps, [index[id(n)] for n in nodes], lang)


def from_expression(text: str, assignments: Sequence[str], lang: str = "zh") -> list[Board]:
    """命令行的表达式与赋值 (与 graph 子命令同一个解析器). An expression, parsed like ``graph``'s."""
    from ..expr import evaluate, parse_assignments, parse_expression

    variables = parse_assignments(assignments)
    expression = parse_expression(text, variables)
    name = "out" if "e" in variables else "e"
    values = ", ".join(f"{k} = {format_number(v)}" for k, v in variables.items())
    return [board_for(evaluate(expression, variables, name), f"{name} = {expression.text}   ({values})", lang=lang)]


def from_exercises(level: int, seed: int, n: int = 5, lang: str = "zh") -> list[Board]:
    """生成的练习, 每道题一张图, 问它自己的小题. Generated exercises, one board each."""
    from ...classroom.exercises import exercises

    return [board_for(ex.out, f"第 {ex.number} 题 Exercise {ex.number}: {ex.text}",
                      [q.node for q in ex.questions], lang)
            for ex in exercises(n=n, level=level, seed=seed)]


def from_example(name: str, lang: str = "zh") -> list[Board]:
    """种子例题: "e" 即 (a+b)(b+1), "mazur" 即 2-2-2 网络 (问 w5…w8, 再问 w1…w4). A seed example."""
    if name == "e":
        a, b = Value(2.0, label="a"), Value(1.0, label="b")
        c, d = a + b, b + 1
        c.label, d.label = "c", "d"
        e = c * d
        e.label = "e"
        return [board_for(e, "e = (a+b)(b+1), a = 2, b = 1", lang=lang)]
    if name == "mazur":
        from ...classroom.examples import mazur_forward, mazur_network, mazur_weights

        model = mazur_network()
        error, _ = mazur_forward(model)
        weights = mazur_weights(model)
        order = [weights[f"w{k}"] for k in (5, 6, 7, 8, 1, 2, 3, 4)]
        return [board_for(error, "2-2-2 网络 (Mazur) the 2-2-2 network", order, lang)]
    fail(ValueError, f"live: 没有例题 {name!r}; 可用: {', '.join(EXAMPLES)}",
         f"live: no example called {name!r}; known: {', '.join(EXAMPLES)}")


def fingerprint(boards: Sequence[Board]) -> str:
    """一节课的指纹: 重启时用它确认数据文件属于同一节课. The lesson's fingerprint, checked on resume."""
    text = json.dumps([b.fingerprint() for b in boards], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
