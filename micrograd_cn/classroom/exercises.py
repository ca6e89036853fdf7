"""课堂练习生成器: 按难度生成数字好算的反向传播练习, 同一个种子总是得到同一组题.

Exercises for a class: small computation graphs with hand-computable numbers,
at graded levels, deterministic per seed.

1. ``+`` and ``×`` only, every input used once;
2. a shared input: one variable feeds two different nodes (two paths, 堆放);
3. a unary function (exp, tanh, σ, relu) of a small sum or product; answers
   rounded to 3 decimal places;
4. one neuron ``o = act(w1·x1 + w2·x2 + b)`` with the squared error
   ``L = (o − t)²``;
5. two layers: two ReLU neurons feeding a linear output, ``L = (o − t)²``.

Each :class:`Exercise` holds the expression, the graph (a labelled
:class:`Value`), the questions (which ∂out/∂node to find) and their answers;
:meth:`Exercise.backward_steps` gives the recorded pass a quiz player needs.
:func:`exercises` returns an :class:`ExerciseSet`, a list that prints (and
shows in a notebook) as a numbered list of questions; the answers stay
hidden until asked for (``show_answers=True`` or :meth:`ExerciseSet.with_answers`).
"""

from __future__ import annotations

import html
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..backprop.diagnose import quiz_data
from ..backprop.trace import BackwardSteps, backward_steps, format_number, partial
from ..engine import Value, dot, sum, zero_grad  # noqa: A004
from ..errors import english_html, fail
from ..graph import backward_order, topological_order

LEVELS: dict[int, tuple[str, str]] = {
    1: ("只有加法和乘法", "+ and × only"),
    2: ("一个输入用了两次: 两条路径", "a shared input: two paths"),
    3: ("一元函数 exp、tanh、σ、relu", "unary functions exp, tanh, σ, relu"),
    4: ("一个神经元与平方误差", "one neuron with a squared-error loss"),
    5: ("两层网络", "two layers"),
}
"""难度 → (中文说明, 英文说明). Level → (Chinese, English) description."""

ROUNDED_LEVELS = {3: 3}
"""答案需要舍入的难度 → 小数位数; 其余难度的答案是精确的. Levels whose answers are rounded → decimals."""

MAX_EXERCISES = 200
MAX_TRIES = 10_000
"""每道题最多试这么多个候选. The most candidates tried for one exercise."""
FRESH_TRIES = 200
"""先用这么多次尝试找一个没出过的式子, 之后才允许同一式子换数字. Tries spent looking for an unseen expression."""
UNARY = {"exp": "exp", "tanh": "tanh", "sigmoid": "σ", "relu": "relu"}
"""一元函数 → 题目中的写法. Unary function → how the expression writes it."""


# ---- 题目 exercises ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """一道小题: 求 ∂out/∂node; answer 为精确值, decimals 为答案应保留的小数位 (None: 精确).

    One question: find ∂out/∂node.  ``answer`` is exact; ``decimals`` is the
    rounding the answer key states (None: the answer is exact).
    """

    node: Value
    name: str
    out_name: str
    answer: float
    decimals: int | None

    @property
    def symbol(self) -> str:
        """记号 ∂e/∂b. The notation ∂e/∂b."""
        return partial(self.out_name, self.name)

    def answer_text(self) -> str:
        """答案卷上的写法 (需要时按规定舍入). The answer as the key prints it."""
        if self.decimals is None:
            return format_number(self.answer)
        return f"{self.answer + 0.0:.{self.decimals}f}"


@dataclass(frozen=True)
class Exercise:
    """一道练习: 编号, 难度, 表达式, 输入的值, 计算图 out 与各小题.

    One exercise: its ``number`` (from 1), ``level``, the expression ``text``
    (``e = (a + b) · (b + 1)``; several equations are separated by ``"; "``),
    the ``values`` of its named leaves and constants, the
    graph ``out`` (every node labelled) and the ``questions``.
    Printed or shown in a notebook it is the question alone; with
    ``show_answers`` (see :meth:`with_answers`) the answer key follows.
    """

    number: int
    level: int
    text: str
    values: dict[str, float]
    out: Value
    questions: tuple[Question, ...]
    show_answers: bool = field(default=False, compare=False)
    """打印与显示时是否附上答案. Whether printing and display include the answers."""

    def given(self) -> str:
        """已知的数, 如 "a = 2, b = 1". The given values, like ``a = 2, b = 1``."""
        return ", ".join(f"{name} = {format_number(value)}" for name, value in self.values.items())

    def asked(self) -> str:
        """要求的偏导, 如 "∂e/∂a, ∂e/∂b". What is asked for, like ``∂e/∂a, ∂e/∂b``."""
        return ", ".join(q.symbol for q in self.questions)

    def answer_key(self) -> str:
        """答案, 如 "∂e/∂a = 2, ∂e/∂b = 5" (需要时按规定舍入). The answers, rounded where the level says so."""
        return ", ".join(f"{q.symbol} = {q.answer_text()}" for q in self.questions)

    def with_answers(self) -> Exercise:
        """同一道题, 打印与显示时附上答案. The same exercise, printed and shown with its answers."""
        return replace(self, show_answers=True)

    def __str__(self) -> str:
        lines = [f"{self.number}. {self.text}    ({self.given()})"]
        lines.append(f"   求 find: {self.asked()}")
        if self.show_answers:
            lines.append(f"   答案 answers: {self.answer_key()}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _html_item(self) -> str:
        """题目列表中的一项 (不含 <li>). One item of the list of exercises."""
        answers = (f"<br>答案 {english_html('answers')}: <code>{html.escape(self.answer_key())}</code>"
                   if self.show_answers else "")
        return (f"<code>{html.escape(self.text)}</code> &nbsp; ({html.escape(self.given())})"
                f"<br>求 {english_html('find')}: {html.escape(self.asked())}{answers}")

    def _repr_html_(self) -> str:
        """Jupyter 中显示为编号的一道题 (答案藏着, 除非 show_answers). One numbered question in a notebook."""
        return f'<ol class="micrograd-cn-exercises" start="{self.number}"><li>{self._html_item()}</li></ol>'

    @property
    def decimals(self) -> int | None:
        """答案保留的小数位数 (None: 答案是精确的). The rounding of the answers (None: exact)."""
        return ROUNDED_LEVELS.get(self.level)

    def backward_steps(self) -> BackwardSteps:
        """重新运行并记录这道题的反向传播 (先把梯度清零), 供测验播放器使用.

        Record this exercise's backward pass afresh (gradients zeroed first,
        so leaves do not pile up across calls): what a quiz player consumes.
        """
        zero_grad(topological_order(self.out))
        return backward_steps(self.out)

    def quiz_data(self) -> dict[str, Any]:
        """这道题的测验数据 (见 diagnose.quiz_data). The quiz data of :func:`diagnose.quiz_data`."""
        return quiz_data(self.backward_steps())

    def player(self, lang: str = "zh") -> Any:
        """这道题的测验播放器 (笔记本中直接显示): 学生填写梯度, 错误答案得到诊断.

        This exercise as a quiz player (shows itself in a notebook): the
        student types the gradients and wrong answers get their diagnoses.
        """
        from ..viz.notebook import step_through

        return step_through(self.backward_steps(), lang, quiz=True)

    def export_quiz(self, path: str | os.PathLike[str], lang: str = "zh") -> Path:
        """把这道题的测验播放器写成独立的 HTML 文件 (离线可用). Write the quiz player to one HTML file."""
        from ..viz.html import export_html

        title = (f"第 {self.number} 题 Exercise {self.number}: {self.text}" if lang == "zh"
                 else f"Exercise {self.number}: {self.text}")
        return export_html(self.backward_steps(), path, lang, title, quiz=True)

    def to_dict(self) -> dict[str, Any]:
        """可写成 JSON 的字典; 小题以节点的拓扑序号标识. JSON-ready; questions name nodes by topological index."""
        index = {id(node): i for i, node in enumerate(topological_order(self.out))}
        return {"number": self.number, "level": self.level, "text": self.text, "values": dict(self.values),
                "decimals": self.decimals,
                "questions": [{"index": index[id(q.node)], "name": q.name, "symbol": q.symbol,
                               "answer": q.answer, "answer_text": q.answer_text()} for q in self.questions]}


class Answers:
    """藏起来的答案: 笔记本中显示为折叠的 "点开看答案", 点开才看得见; 打印时只说怎样看.

    Answers kept out of sight until asked for.  In a notebook they show as a
    closed "点开看答案 (answers)" box that a click opens (a ``<details>``
    element, which also survives an untrusted notebook's sanitiser); printed,
    they only say how to see them (``print(answers.text)``).  ``answers`` is
    a mapping such as ``{"∂e/∂a": 4.0}`` or ready lines of text.
    """

    def __init__(self, answers: dict[str, float] | Sequence[str]) -> None:
        if isinstance(answers, dict):
            lines = [f"{name} = {format_number(value)}" for name, value in answers.items()]
        else:
            lines = [str(line) for line in answers]
        self.text = "\n".join(lines)

    def __repr__(self) -> str:
        return "（答案藏着, print(….text) 才显示 / answers hidden: print(….text) shows them）"

    def _repr_html_(self) -> str:
        body = "<br>".join(html.escape(line) for line in self.text.splitlines())
        summary = f"点开看答案 {english_html('(click to see the answers)')}"
        return f'<details class="micrograd-cn-answers"><summary>{summary}</summary><p>{body}</p></details>'


class ExerciseSet(list[Exercise]):
    """一组练习: 仍是 list, 打印 (和在笔记本中显示) 为带编号的题目列表, 答案藏着.

    A set of exercises.  It is a list (index it, loop over it, ``len``), and
    it prints, and shows in a notebook, as a numbered list of the questions
    with the answers hidden; :meth:`with_answers` gives the same set with the
    answer key shown (as ``exercises(..., show_answers=True)`` does).
    """

    def with_answers(self) -> ExerciseSet:
        """同一组题, 打印与显示时附上答案. The same set, printed and shown with the answers."""
        return ExerciseSet(exercise.with_answers() for exercise in self)

    def answer_key(self) -> str:
        """全部答案, 每题一行. The answers, one line per exercise."""
        return "\n".join(f"{exercise.number}. {exercise.answer_key()}" for exercise in self)

    def answers(self) -> Answers:
        """全部答案, 藏在笔记本中 "点开看答案" 的框里. The answers behind a click in a notebook."""
        return Answers(self.answer_key().splitlines())

    def _heading(self) -> str:
        levels = sorted({exercise.level for exercise in self})
        count = f"{len(self)} {'exercise' if len(self) == 1 else 'exercises'}"
        if len(levels) != 1:
            return f"{len(self)} 道练习 ({count})"
        zh, en = LEVELS[levels[0]]
        return f"{len(self)} 道练习, 难度 {levels[0]}: {zh} ({count}, level {levels[0]}: {en})"

    def __str__(self) -> str:
        return "\n".join([f"{self._heading()}:", *map(str, self)])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """Jupyter 中显示为编号列表. A numbered list in a notebook."""
        items = "".join(f'<li value="{exercise.number}">{exercise._html_item()}</li>' for exercise in self)
        return f'<p>{html.escape(self._heading())}</p><ol class="micrograd-cn-exercises">{items}</ol>'


# ---- 表达式树 expression trees (难度 1–3) ------------------------------------------------------


@dataclass(frozen=True)
class _Expr:
    """建好的子表达式: 写法, 值 (Value 或常数), 优先级 (3 原子/函数, 2 乘积, 1 和), 运算与运算对象.

    A built sub-expression: its text, value (a Value or a constant), rank
    (3 atom/function, 2 product, 1 sum), and the operation with its operands.
    """

    text: str
    value: Value | float
    rank: int
    op: str = ""
    args: tuple[_Expr, ...] = ()


_RANK = {"+": 1, "-": 1, "*": 2}
_SYMBOL = {"+": "+", "-": "−", "*": "·"}
_APPLY: dict[str, Callable[[Any, Any], Any]] = {"+": lambda x, y: x + y, "-": lambda x, y: x - y,
                                                 "*": lambda x, y: x * y}


def _binary(op: str, left: _Expr, right: _Expr) -> _Expr:
    """x op y; 括号保证写法与图的结构一致. Parentheses keep the text in the graph's shape."""
    rank = _RANK[op]
    lt = f"({left.text})" if left.rank < rank else left.text
    rt = f"({right.text})" if right.rank <= rank else right.text
    return _Expr(f"{lt} {_SYMBOL[op]} {rt}", _APPLY[op](left.value, right.value), rank, op, (left, right))


def _unary(name: str, inner: _Expr) -> _Expr:
    assert isinstance(inner.value, Value)
    return _Expr(f"{UNARY[name]}({inner.text})", getattr(inner.value, name)(), 3, name, (inner,))


def _equations(expr: _Expr) -> str:
    """把表达式写成一步一式, 每个中间节点一个等式 (按拓扑序): ``c = b + 3; d = c + b; e = a · d``.

    The expression as one equation per inner node, in topological order, so
    every node a question asks about is named in the text.
    """
    found: dict[int, str] = {}

    def name(part: _Expr) -> str:
        return part.value.label if isinstance(part.value, Value) else part.text

    def walk(part: _Expr) -> None:
        for arg in part.args:
            walk(arg)
        if part.args and isinstance(part.value, Value):
            names = [name(arg) for arg in part.args]
            right = f"{UNARY[part.op]}({names[0]})" if part.op in UNARY else f"{names[0]} {_SYMBOL[part.op]} {names[1]}"
            found[id(part.value)] = f"{part.value.label} = {right}"

    walk(expr)
    out = expr.value
    assert isinstance(out, Value)
    return "; ".join(found[id(node)] for node in topological_order(out) if id(node) in found)


def _leaf(name: str, value: float) -> _Expr:
    return _Expr(name, Value(value, name), 3)


def _constant(value: float) -> _Expr:
    text = format_number(value)
    return _Expr(f"({text})" if value < 0 else text, value, 3)


def _shape(rng: random.Random, slots: list[int]) -> Any:
    """随机的二叉树形状, 叶子是槽位编号. A random binary tree over the slot numbers."""
    if len(slots) == 1:
        return slots[0]
    cut = rng.randint(1, len(slots) - 1)
    return (_shape(rng, slots[:cut]), _shape(rng, slots[cut:]))


def _siblings(shape: Any) -> set[frozenset[int]]:
    """同一个运算的两个叶子槽位. Pairs of slots that are the two operands of one operation."""
    if isinstance(shape, int):
        return set()
    left, right = shape
    found = _siblings(left) | _siblings(right)
    if isinstance(left, int) and isinstance(right, int):
        found.add(frozenset((left, right)))
    return found


def _build(rng: random.Random, shape: Any, leaves: list[_Expr], ops: Sequence[str]) -> _Expr:
    if isinstance(shape, int):
        return leaves[shape]
    left, right = (_build(rng, part, leaves, ops) for part in shape)
    return _binary(rng.choice(ops), left, right)


def _small(rng: random.Random, low: int = -3, high: int = 5) -> float:
    """非零小整数. A small non-zero integer."""
    return float(rng.choice([k for k in range(low, high + 1) if k != 0]))


def _level_1(rng: random.Random) -> _Expr:
    slots = rng.choice([3, 3, 4])
    leaves = [_leaf(name, _small(rng)) for name in "abcd"[:slots]]
    return _build(rng, _shape(rng, list(range(slots))), leaves, "+*")


def _level_2(rng: random.Random) -> _Expr:
    slots = rng.choice([3, 4, 4])
    shape = _shape(rng, list(range(slots)))
    siblings = _siblings(shape)
    pairs = [(i, j) for i in range(slots) for j in range(i + 1, slots) if frozenset((i, j)) not in siblings]
    first, second = rng.choice(pairs)
    names: dict[int, str] = {}
    letters = iter("abcd")
    # 四个槽位时可以有一个常数 (如 b + 1), 至少留下两个变量. With four slots one may be a constant, like b + 1.
    constant = rng.choice([k for k in range(slots) if k not in (first, second)]) if slots == 4 and rng.random() < 0.5 \
        else None
    for slot in range(slots):
        if slot != second and slot != constant:
            names[slot] = next(letters)
    names[second] = names[first]
    values = {name: _small(rng) for name in sorted(set(names.values()))}
    shared = {name: Value(value, name) for name, value in values.items()}
    leaves = [_constant(rng.choice([2.0, 3.0])) if slot == constant else _Expr(names[slot], shared[names[slot]], 3)
              for slot in range(slots)]
    return _build(rng, shape, leaves, "+-*")


def _level_3(rng: random.Random) -> _Expr:
    name = rng.choice(list(UNARY))
    low, high = (-3, 3) if name != "exp" else (-2, 2)
    inner = _binary(rng.choice("+*"), _leaf("a", _small(rng, low, high)), _leaf("b", _small(rng, low, high)))
    applied = _unary(name, inner)
    outer = rng.choice(["", "*", "+"])
    return _binary(outer, applied, _leaf("c", _small(rng))) if outer else applied


# ---- 神经元与两层网络 a neuron and two layers (难度 4–5) ----------------------------------------


_WEIGHTS = (-1.0, -0.5, 0.5, 1.0, 1.5, 2.0)
_INPUTS = (-2.0, -1.0, 1.0, 2.0, 3.0)
_BIASES = (-1.0, -0.5, 0.0, 0.5, 1.0)
_ACT_TEXT = {"relu": "relu", "sigmoid": "σ", "tanh": "tanh"}


def _named(node: Value, name: str) -> Value:
    node.label = name
    return node


def _error(o: Value, target: float) -> tuple[Value, str]:
    """误差 err = o − t 及其写法; t 为负时写成 o + |t|. The error o − t and how the expression writes it."""
    if target < 0:
        return _named(o + -target, "err"), f"+ {format_number(-target)}"
    return _named(o - target, "err"), f"− {format_number(target)}"


def _level_4(rng: random.Random) -> tuple[str, dict[str, float], Value]:
    act = rng.choice(list(_ACT_TEXT))
    x1, x2 = (Value(rng.choice(_INPUTS), n) for n in ("x1", "x2"))
    w1, w2 = (Value(rng.choice(_WEIGHTS), n) for n in ("w1", "w2"))
    weighted = w1.data * x1.data + w2.data * x2.data
    # σ 与 tanh 只在 net = 0 处有好算的数: 偏置取 −(w1·x1 + w2·x2). σ and tanh are nice at net = 0 only.
    b = Value(rng.choice(_BIASES) if act == "relu" else -weighted + 0.0, "b")
    target = {"relu": rng.choice([1.0, 2.0]), "sigmoid": 1.0, "tanh": rng.choice([1.0, -1.0])}[act]
    p1, p2 = _named(w1 * x1, "p1"), _named(w2 * x2, "p2")
    net = _named(sum([p1, p2, b]), "net")
    o = _named(getattr(net, act)(), "o")
    err, minus_t = _error(o, target)
    loss = err ** 2
    text = f"p1 = w1·x1; p2 = w2·x2; net = p1 + p2 + b; o = {_ACT_TEXT[act]}(net); err = o {minus_t}; L = err²"
    values = {v.label: v.data for v in (x1, x2, w1, w2, b)} | {"t": target}
    return text, values, loss


def _level_5(rng: random.Random) -> tuple[str, dict[str, float], Value]:
    i1, i2 = (Value(rng.choice(_INPUTS), n) for n in ("i1", "i2"))
    weights = [Value(rng.choice(_WEIGHTS), f"w{k}") for k in range(1, 7)]
    b1, b2, b3 = (Value(rng.choice(_BIASES), f"b{k}") for k in range(1, 4))
    net1 = _named(dot(weights[0:2], [i1, i2], b1), "net1")
    net2 = _named(dot(weights[2:4], [i1, i2], b2), "net2")
    h1, h2 = _named(net1.relu(), "h1"), _named(net2.relu(), "h2")
    o = _named(dot(weights[4:6], [h1, h2], b3), "o")
    target = rng.choice([-1.0, 1.0, 2.0])
    err, minus_t = _error(o, target)
    loss = err ** 2
    text = (f"net1 = w1·i1 + w2·i2 + b1; h1 = relu(net1); net2 = w3·i1 + w4·i2 + b2; h2 = relu(net2); "
            f"o = w5·h1 + w6·h2 + b3; err = o {minus_t}; L = err²")
    values = {v.label: v.data for v in (i1, i2, *weights, b1, b2, b3)} | {"t": target}
    return text, values, loss



# ---- 生成 generating ---------------------------------------------------------------------------


def _is_nice(x: float) -> bool:
    """最多三位小数的数 (手算不出错). A number with at most three decimals."""
    return abs(x * 1000.0 - round(x * 1000.0)) < 1e-6


def _label_inner(out: Value) -> None:
    """给没有名字的中间节点按字母顺序起名 (接在输入之后), 输出得到最后一个字母. Letters for the inner nodes."""
    order = topological_order(out)
    used = {node.label for node in order}
    letters = (ch for ch in "abcdefghjkmnpqrsuvwyz" if ch not in used)
    for node in order:
        if not node.label:
            node.label = next(letters)


def _candidate(rng: random.Random, level: int) -> tuple[str, dict[str, float], Value, set[str]]:
    """一道候选题: (表达式, 输入的值, 输出, 不提问的输入名). One candidate before it is checked."""
    if level >= 4:
        text, values, out = (_level_4 if level == 4 else _level_5)(rng)
        _label_inner(out)  # 只剩输出 L 没有名字. Only the output is unnamed here.
        out.label = "L"
        return text, values, out, {"x1", "x2", "i1", "i2"}
    expr = (_level_1, _level_2, _level_3)[level - 1](rng)
    out = expr.value
    assert isinstance(out, Value)
    _label_inner(out)
    values = {node.label: node.data for node in topological_order(out) if not node.parents}
    return _equations(expr), values, out, set()


def _acceptable(level: int, out: Value, questions: list[Question]) -> bool:
    """数字好算吗: 答案非零且不大; 精确的难度里所有数最多三位小数; 一元函数的输入不大.

    Are the numbers classroom-friendly?  Non-zero, moderate answers; in the
    exact levels every value and answer has at most three decimals; the input
    of exp/tanh/σ is small.
    """
    if not all(0.0 < abs(q.answer) <= 100.0 for q in questions):
        return False
    nodes = topological_order(out)
    if level not in ROUNDED_LEVELS and not all(_is_nice(x) for x in [*(n.data for n in nodes),
                                                                      *(q.answer for q in questions)]):
        return False
    if level == 1 and {n.op for n in nodes if n.parents} != {"+", "*"}:
        return False
    squashing = [n for n in nodes if n.op in ("exp", "tanh", "sigmoid")]
    return all(abs(n.parents[0].data) <= 2.0 for n in squashing) and abs(out.data) <= 1000.0


def exercises(n: int = 10, level: int = 1, seed: int = 0, *, show_answers: bool = False) -> ExerciseSet:
    """生成 n 道某难度的练习; 同样的 (n, level, seed) 总是得到同样的题.

    Make ``n`` exercises of ``level`` (1–5, see :data:`LEVELS`), the same for
    the same ``seed``.  Numbers are small integers or simple decimals;
    level 3 answers are rounded to 3 decimals (``Exercise.decimals``).
    The result is an :class:`ExerciseSet` (a list) that prints as a numbered
    list of questions; ``show_answers=True`` prints the answers as well.
    """
    for name, value, low, high in (("n", n, 1, MAX_EXERCISES), ("level", level, 1, len(LEVELS))):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            fail(ValueError, f"exercises: {name} 必须是 {low} 到 {high} 之间的整数, 收到 {value!r}",
                 f"exercises: {name} must be an integer from {low} to {high}, got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        fail(TypeError, f"exercises: seed 必须是整数, 收到 {seed!r}",
             f"exercises: seed must be an integer, got {seed!r}")
    rng = random.Random(f"micrograd-cn exercises: level {level}, seed {seed}")
    made: list[Exercise] = []
    seen: set[tuple[str, tuple[tuple[str, float], ...]]] = set()
    texts: set[str] = set()
    tries = 0
    while len(made) < n:
        tries += 1
        if tries > MAX_TRIES:
            fail(RuntimeError, f"exercises: 试了 {MAX_TRIES} 次仍找不到第 {len(made) + 1} 道难度 {level} 练习",
                 f"exercises: no level-{level} exercise number {len(made) + 1} in {MAX_TRIES} tries")
        text, values, out, skipped = _candidate(rng, level)
        key = (text, tuple(sorted(values.items())))
        if key in seen or (text in texts and tries <= FRESH_TRIES):  # 先找新的式子. New shapes first.
            continue
        steps = backward_steps(out)
        questions = [Question(node, node.label, out.label, steps.explain(node).value, ROUNDED_LEVELS.get(level))
                     for node in backward_order(out) if node is not out and node.label not in skipped]
        if _acceptable(level, out, questions):
            seen.add(key)
            texts.add(text)
            made.append(Exercise(len(made) + 1, level, text, values, out, tuple(questions), show_answers))
            tries = 0
    return ExerciseSet(made)
