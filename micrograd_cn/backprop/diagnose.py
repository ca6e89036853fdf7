"""链式法则的典型错误: 对图中的一个节点, 学生常给出哪些错误答案、为什么; 以及检查学生输入的答案.

Diagnosing chain-rule mistakes at one node of the picture.

From the recorded backward pass (:func:`trace.backward_steps`) and the graph,
:func:`diagnose` lists, for ∂out/∂node, the wrong answers learners typically
give and why:

- ``missing_path``: a path is missing (forgot to pile up, 堆放): only some of
  the consumers' terms were added;
- ``sign``: the whole answer's sign is flipped; ``sign_term``: one term's;
- ``tanh_derivative_for_sigmoid`` / ``sigmoid_derivative_for_tanh``: the
  derivative of the other activation was used (tanh's 1−σ² for σ', as in
  seed 004; the same table serves :func:`manual.check_manual_gradients`);
- ``own_value``: for a product, the node's own value was used as the local
  derivative instead of the other factor;
- ``no_local``: the upstream gradient was passed on without the local
  derivative;
- ``added_locals``: ∂out/∂consumer and the local derivative were added
  instead of multiplied; ``added_along_path``: the local derivatives along
  each path were added instead of multiplied.

Each :class:`Diagnosis` predicts one wrong value, with a short explanation and
a hint in Chinese and English and the edges involved as ``(consumer, k)``,
``consumer.parents[k] is node``.  :func:`check_answer` checks a typed number
and names the mistake that explains it; :func:`quiz_data` ships all of it to
the player as JSON-ready data.

Tolerance: a typed number is right when ``|typed − true| ≤ ATOL + RTOL·|true|``
(``ATOL = 5e-4``, ``RTOL = 1e-3``), so an answer rounded to 3 decimal places
or to 4 significant digits (the picture's display) counts as right.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

from ..engine import Value, checked_float
from ..errors import english_html, fail
from ..graph import backward_order
from .trace import BackwardSteps, Explanation, Term, format_number, partial, path_sums

RTOL = 1e-3
"""学生输入的数的相对容差. Relative tolerance for a typed number."""
ATOL = 5e-4
"""学生输入的数的绝对容差 (保留 3 位小数的舍入误差). Absolute tolerance: the rounding of 3 decimals."""
MAX_SUBSET_TERMS = 6
"""项数不超过此数时列出所有 "漏了路径" 的子集, 更多时只列漏掉一项或只剩一项.

Up to this many terms every subset is listed as a missing path; beyond, only one missing or one kept."""

CONFUSIONS: dict[str, tuple[str, Callable[[float], float]]] = {
    "sigmoid": ("tanh_derivative_for_sigmoid", lambda y: 1.0 - y * y),
    "tanh": ("sigmoid_derivative_for_tanh", lambda y: y * (1.0 - y)),
}
"""激活函数 → (错误名, 错用的局部导数, 以输出 y 表示). Activation → (mistake, wrong local derivative of y)."""

MISTAKES: dict[str, tuple[str, str]] = {
    "missing_path": ("漏了路径 (忘了堆放)", "a path is missing (forgot to pile up)"),
    "sign": ("符号反了", "sign flipped"),
    "tanh_derivative_for_sigmoid": ("sigmoid 用了 1−σ²", "tanh' used for σ'"),
    "sigmoid_derivative_for_tanh": ("tanh 用了 y(1−y)", "σ'-form used for tanh'"),
    "own_value": ("乘法的局部导数用了自己的值", "own value used for a product's local derivative"),
    "sign_term": ("一项的符号反了", "one term's sign flipped"),
    "no_local": ("漏乘局部导数", "local derivative left out"),
    "added_locals": ("把局部导数加上而不是乘上", "local derivative added, not multiplied"),
    "added_along_path": ("沿路径把局部导数相加", "local derivatives added along a path"),
}
"""错误种类 → 简短的中英文名; 顺序即优先级 (两种错误预测同一个数时, 留先列出的).

Mistake kind → short Chinese and English names.  The order is the priority:
when two kinds predict the same number, the one listed first is kept.
"""


CONFUSION_TEXT: dict[str, tuple[str, str]] = {
    "tanh_derivative_for_sigmoid": ("sigmoid 的导数用成了 tanh 的导数 1−σ²; 应为 σ(1−σ)",
                                    "the tanh derivative 1−σ² was used for sigmoid; σ' = σ(1−σ)"),
    "sigmoid_derivative_for_tanh": ("tanh 的导数用成了 sigmoid 形式的 y(1−y); 应为 1−y²",
                                    "the sigmoid-style derivative y(1−y) was used for tanh; tanh' = 1−y²"),
}
"""导数混用 → 中英文说明 (单个节点的诊断与 check_manual_gradients 共用). Swapped derivative → explanation."""


def close(typed: float, true: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """typed 与 true 在容差内一致: |typed − true| ≤ atol + rtol·|true|. Agreement within the tolerance."""
    return abs(typed - true) <= atol + rtol * abs(true)


# ---- 诊断 diagnoses --------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    """一个错误答案: 它的数值, 错误种类, 中英文说明与提示, 以及涉及的边 (使用者, k).

    One wrong answer: the ``value`` it predicts, the mistake ``kind`` (a key
    of :data:`MISTAKES`), a short explanation (``zh``, ``en``), a hint
    (``hint_zh``, ``hint_en``) and the ``edges`` involved as ``(consumer,
    k)`` with ``consumer.parents[k]`` the node.  ``also`` lists other kinds
    that predict the same number.
    """

    value: float
    kind: str
    zh: str
    en: str
    hint_zh: str
    hint_en: str
    edges: tuple[tuple[Value, int], ...]
    also: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.zh}; 提示: {self.hint_zh}\n({self.en}; hint: {self.hint_en})"

    def __repr__(self) -> str:
        return f"<Diagnosis {self.kind}: {format_number(self.value)} — {self.zh}>"

    def to_dict(self, index: Mapping[int, int]) -> dict[str, Any]:
        """可写成 JSON 的字典, 边写成 [使用者的拓扑序号, k]. JSON-ready, edges as ``[consumer index, k]``."""
        return {"value": self.value, "kind": self.kind, "zh": self.zh, "en": self.en, "hint_zh": self.hint_zh,
                "hint_en": self.hint_en, "edges": [[index[id(c)], k] for c, k in self.edges], "also": list(self.also)}


class _Node:
    """诊断一个节点时共用的名字与记号. The names and notation shared while diagnosing one node."""

    def __init__(self, steps: BackwardSteps, explanation: Explanation) -> None:
        self.steps = steps
        self.exp = explanation
        self.terms = explanation.terms
        self.answer = explanation.value
        consumers = [id(t.consumer) for t in self.terms]
        self.repeated = {c for c in consumers if consumers.count(c) > 1}

    def edge(self, t: Term) -> str:
        """边的名字 (梯度流动的方向), 如 d→b; 同一使用者用了两次时注明 k. An edge's name, like d→b."""
        name = f"{t.consumer_name}→{self.exp.name}"
        return f"{name} (k={t.k})" if id(t.consumer) in self.repeated else name

    def edges(self, terms: tuple[Term, ...]) -> str:
        return ", ".join(map(self.edge, terms))

    def edge_en(self, terms: tuple[Term, ...]) -> str:
        """英文中的 "edge d→b" 或 "edges c→b, d→b". The edges with the right English noun."""
        return f"{'edge' if len(terms) == 1 else 'edges'} {self.edges(terms)}"

    def chain(self, t: Term) -> str:
        """一项的记号 ∂e/∂c·∂c/∂b. The notation of one term."""
        return f"{partial(self.exp.out_name, t.consumer_name)}·{partial(t.consumer_name, self.exp.name)}"

    @staticmethod
    def found(value: float, kind: str, zh: str, en: str, hint_zh: str, hint_en: str,
              terms: tuple[Term, ...]) -> Diagnosis:
        """一个诊断, 涉及的边取自这些项. A diagnosis whose edges are those of ``terms``."""
        return Diagnosis(value, kind, zh, en, hint_zh, hint_en, tuple((t.consumer, t.k) for t in terms))

    def replaced(self, t: Term, product: float) -> float:
        """把第 t 项换成 product 后的总和. The sum with term t replaced by ``product``."""
        return self.answer - t.product + product


def _missing_path(n: _Node) -> Iterator[Diagnosis]:
    terms, count = n.terms, len(n.terms)
    if count < 2:
        return
    sizes = range(count - 1, 0, -1) if count <= MAX_SUBSET_TERMS else sorted({count - 1, 1}, reverse=True)
    for size in sizes:
        for kept in combinations(range(count), size):
            missing = tuple(t for i, t in enumerate(terms) if i not in kept)
            through = ", ".join(t.consumer_name for t in missing)
            value = sum(terms[i].product for i in kept)
            yield n.found(value, "missing_path",
                          f"漏了经过 {through} 的路径: {n.exp.name} 的每个使用者送来的梯度都要堆放 (相加)",
                          f"{'a path is missing, the one' if len(missing) == 1 else 'paths are missing, those'} "
                          f"through {through}: what every consumer of {n.exp.name} sends must be piled up (added)",
                          f"看边 {n.edges(missing)}: {' + '.join(map(n.chain, missing))} 也要加上",
                          f"look at {n.edge_en(missing)}: {' + '.join(map(n.chain, missing))} belongs in the sum too",
                          missing)


def _sign(n: _Node) -> Iterator[Diagnosis]:
    negative = tuple(t for t in n.terms if t.local < 0 or t.consumer_grad < 0) or n.terms
    yield n.found(-n.answer, "sign", "符号反了: 大小对, 正负号错了",
                  "the sign is flipped: the size is right, the sign is not",
                  f"检查边 {n.edges(negative)} 上的正负号 (减法、取负的局部导数是 −1)",
                  f"check the signs along {n.edges(negative)} (subtraction and negation have local derivative −1)",
                  negative)
    if len(n.terms) < 2:
        return
    for t in n.terms:
        if t.product != 0.0:
            yield n.found(n.replaced(t, -t.product), "sign_term", f"经过 {t.consumer_name} 的那一项符号反了",
                          f"the term through {t.consumer_name} has the wrong sign",
                          f"重新算边 {n.edge(t)} 上的 {n.chain(t)}, 注意正负号",
                          f"recompute {n.chain(t)} on edge {n.edge(t)}, minding the sign", (t,))


def _confusion(n: _Node) -> Iterator[Diagnosis]:
    for t in n.terms:
        if t.consumer.op in CONFUSIONS:
            kind, wrong = CONFUSIONS[t.consumer.op]
            zh, en = CONFUSION_TEXT[kind]
            yield n.found(n.replaced(t, t.consumer_grad * wrong(t.consumer.data)), kind, zh, en,
                          f"看边 {n.edge(t)}: {partial(t.consumer_name, n.exp.name)} 是 {t.consumer.op} 的导数",
                          f"look at edge {n.edge(t)}: {partial(t.consumer_name, n.exp.name)} is the derivative of "
                          f"{t.consumer.op}", (t,))


def _other_factor(t: Term) -> Value | None:
    """乘积 (* 或 dot) 中与该输入相乘的另一个因子; 不是乘积的边为 None. The other factor of a product edge."""
    parents = t.consumer.parents
    if t.consumer.op == "*" and len(parents) == 2:
        return parents[1 - t.k]
    half = len(parents) // 2
    if t.consumer.op == "dot" and half and t.k < 2 * half:  # 父节点 (*左, *右[, 偏置]). (*left, *right[, bias])
        other = parents[(t.k + half) % (2 * half)]
        return other if other.data == t.local else None
    return None


def _own_value(n: _Node) -> Iterator[Diagnosis]:
    for t in n.terms:
        other = _other_factor(t)
        if other is None:
            continue
        other_name = n.steps.names[id(other)]
        consumer, name = t.consumer_name, n.exp.name
        yield n.found(n.replaced(t, t.consumer_grad * n.exp.node.data), "own_value",
                      f"{consumer} 是乘积: {partial(consumer, name)} 是另一个因子 {other_name}, 不是 {name} 自己的值",
                      f"{consumer} is a product: {partial(consumer, name)} is the other factor {other_name}, "
                      f"not the value of {name} itself",
                      f"看边 {n.edge(t)}: 乘积对一个因子的导数等于另一个因子",
                      f"look at edge {n.edge(t)}: a product's derivative toward one factor is the other factor", (t,))


def _no_local(n: _Node) -> Iterator[Diagnosis]:
    terms = n.terms
    yield n.found(sum(t.consumer_grad for t in terms), "no_local",
                  "只把上游梯度传了下来, 没有乘局部导数",
                  "the upstream gradient was passed on without the local derivative",
                  f"看边 {n.edges(terms)}: {' + '.join(map(n.chain, terms))} 的每一项都是上游梯度乘局部导数, "
                  "别漏了局部导数",
                  f"look at {n.edge_en(terms)}: each term of {' + '.join(map(n.chain, terms))} is the upstream "
                  "gradient times the local derivative; keep the local derivative", terms)
    if len(terms) < 2:
        return
    for t in terms:
        if t.local != 1.0:
            yield n.found(n.replaced(t, t.consumer_grad), "no_local", f"经过 {t.consumer_name} 的那一项漏乘了局部导数",
                          f"the term through {t.consumer_name} lacks its local derivative",
                          f"看边 {n.edge(t)}: 还要乘 {partial(t.consumer_name, n.exp.name)}",
                          f"look at edge {n.edge(t)}: multiply by {partial(t.consumer_name, n.exp.name)} too", (t,))


def _added(n: _Node) -> Iterator[Diagnosis]:
    terms = n.terms
    yield n.found(sum(t.consumer_grad + t.local for t in terms), "added_locals",
                  "把上游梯度与局部导数相加了; 链式法则是相乘",
                  "the upstream gradient and the local derivative were added; the chain rule multiplies them",
                  f"看边 {n.edges(terms)}: {' + '.join(map(n.chain, terms))} 中的 · 是乘号",
                  f"look at {n.edge_en(terms)}: the · in {' + '.join(map(n.chain, terms))} means times", terms)
    if n.steps.grads[n.steps.out_name] != 1.0:
        return
    try:
        paths = path_sums(n.steps.out, n.exp.node)
    except ValueError:  # 路径太多. Too many paths to list.
        return
    yield n.found(sum(sum(path.locals) for path in paths.paths), "added_along_path",
                  "沿着路径把局部导数相加了; 一条路径的贡献是各局部导数之积",
                  "the local derivatives along a path were added; a path contributes their product",
                  f"从 {n.exp.name} 到 {n.exp.out_name} 的每条路径: 把边上的局部导数相乘, 再把各路径相加",
                  f"on every path from {n.exp.name} to {n.exp.out_name} multiply the local derivatives, "
                  "then add the paths",
                  terms)


_KINDS = (_missing_path, _sign, _confusion, _own_value, _no_local, _added)


def _priority(kind: str) -> int:
    return list(MISTAKES).index(kind)


def _same(a: float, b: float) -> bool:
    """两个数在容差内无法区分 (两个方向都试). Two numbers a typed answer cannot tell apart."""
    return close(a, b) or close(b, a)


def diagnose(steps: BackwardSteps, node: Value) -> list[Diagnosis]:
    """∂out/∂node 的典型错误答案及其原因 (按优先级; 与正确答案或彼此相同的数只留一个).

    The typical wrong answers for ∂out/∂node and why, from the recorded pass.
    A predicted number that equals the right answer (within the tolerance) is
    dropped; when several kinds predict the same number, the one first in
    :data:`MISTAKES` is kept and names the others in ``also``.
    """
    n = _Node(steps, steps.explain(node))
    if not n.terms:
        return []
    found = sorted((d for kind in _KINDS for d in kind(n)), key=lambda d: _priority(d.kind))
    kept: list[Diagnosis] = []
    for d in found:
        if _same(d.value, n.answer):
            continue
        i = next((i for i, k in enumerate(kept) if _same(d.value, k.value)), None)
        if i is None:
            kept.append(d)
        elif d.kind != kept[i].kind and d.kind not in kept[i].also:
            kept[i] = replace(kept[i], also=(*kept[i].also, d.kind))
    return kept


# ---- 检查答案 checking an answer --------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """对一个答案的判定: 是否正确, 正确答案, 以及解释这个错误答案的诊断 (没有则为 None).

    The verdict on a typed answer: ``correct``, the right ``answer``, and the
    :class:`Diagnosis` that explains a wrong one (None when none does);
    ``typed`` and ``symbol`` (∂e/∂b) say what was checked.  Printed or shown
    in a notebook it is one sentence, and a wrong answer's sentence does not
    give the right one away.
    """

    correct: bool
    answer: float
    diagnosis: Diagnosis | None
    typed: float | None = field(default=None, compare=False)
    symbol: str = field(default="", compare=False)

    def _parts(self) -> tuple[str, str, str, str]:
        """(中文结论, 英文结论, 中文说明, 英文说明). The verdict and the explanation, in Chinese and English."""
        left = self.symbol or "∂out/∂x"
        typed = format_number(self.typed if self.typed is not None else self.answer)
        if self.correct:
            return f"✔ 对了: {left} = {typed}", f"right: {left} = {typed}", "", ""
        head_zh, head_en = f"✘ 还不对: {left} ≠ {typed}", f"not yet: {left} ≠ {typed}"
        if self.diagnosis is None:
            return head_zh, head_en, "再想想每条路径和每个局部导数", "think again about every path and local derivative"
        d = self.diagnosis
        return head_zh, head_en, f"{d.zh}; 提示: {d.hint_zh}", f"{d.en}; hint: {d.hint_en}"

    def __str__(self) -> str:
        head_zh, head_en, zh, en = self._parts()
        if not zh:
            return f"{head_zh} ({head_en})"
        return f"{head_zh}. {zh}\n({head_en}. {en})"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """Jupyter 中显示为一两句话 (对的绿色, 错的红色). One or two sentences in a notebook."""
        head_zh, head_en, zh, en = self._parts()
        color = "#15803d" if self.correct else "#b91c1c"
        more = f"<br>{html.escape(zh)}<br>{english_html(html.escape(en))}" if zh else ""
        return (f'<p class="micrograd-cn-verdict"><strong style="color:{color}">{html.escape(head_zh)}</strong> '
                f"{english_html(f'({html.escape(head_en)})')}{more}</p>")


def check_answer(steps: BackwardSteps, node: Value, value: float) -> Verdict:
    """检查学生给出的 ∂out/∂node; 容差见模块说明 (保留 3 位小数或 4 位有效数字即可).

    Check a typed ∂out/∂node.  Right when ``|value − true| ≤ ATOL + RTOL·|true|``;
    a wrong value close to a diagnosis's value gets that diagnosis.
    """
    value = checked_float(value, "check_answer")
    explanation = steps.explain(node)
    answer, symbol = explanation.value, partial(explanation.out_name, explanation.name)
    if close(value, answer):
        return Verdict(True, answer, None, value, symbol)
    found = next((d for d in diagnose(steps, node) if close(value, d.value)), None)
    return Verdict(False, answer, found, value, symbol)


def quiz_data(steps: BackwardSteps, with_explanations: bool = True,
              ask: Iterable[Value] | None = None) -> dict[str, Any]:
    """播放器的测验数据 (可写成 JSON): 每个节点的答案、链式法则展开与典型错误; ask 只问这些节点.

    The quiz data for the player, JSON-ready.  Nodes are keyed by their index
    ``i`` in ``topological_order(out)`` (the drawn graph's ``node-<i>``), edges
    are ``[consumer index, k]`` (the drawn ``d-<i>-<k>``):
    ``{"out", "out_name", "rtol", "atol", "order", "nodes"}`` where ``order``
    is the suggested (backward) order of the indices asked and ``nodes[i]`` is
    ``{"index", "name", "answer", "text", "explain", "diagnoses"}`` (``text``
    is the answer as the graph prints it; ``explain`` only
    ``with_explanations``, for a page that has them already).  ``ask`` (default:
    every node) limits the questions to these Values, e.g. the ones with a
    textbook name; every one of them must be in the graph.
    """
    index = steps.graph.index
    asked = None if ask is None else {id(node): node for node in ask}
    if asked is not None:
        stray = [node for key, node in asked.items() if key not in index]
        if stray or not asked:
            shown = f"{getattr(stray[0], 'data', stray[0])!r}" if stray else "[]"
            fail(ValueError, f"quiz ask: 要问的节点必须在 {steps.out_name} 的计算图中, 且至少一个; 收到 {shown}",
                 f"quiz ask: the nodes asked must be in the graph of {steps.out_name}, at least one; got {shown}")
    nodes = []
    for i, node in enumerate(steps.graph.order):
        explanation = steps.explain(node)
        entry = {"index": i, "name": explanation.name, "answer": explanation.value,
                 "text": format_number(explanation.value),
                 "diagnoses": [d.to_dict(index) for d in diagnose(steps, node)]}
        if with_explanations:
            entry["explain"] = explanation.to_dict(index)
        nodes.append(entry)
    order = [index[id(node)] for node in backward_order(steps.out) if asked is None or id(node) in asked]
    return {"out": index[id(steps.out)], "out_name": steps.out_name, "rtol": RTOL, "atol": ATOL,
            "order": order, "nodes": nodes}
