"""手推梯度检查器: 把学生手算 (或自己用 NumPy 写) 的梯度与引擎比较, 并指出典型错误.

Checking hand-derived gradients.

A student derives the gradients of a small network by hand (or writes the
backward pass in NumPy) and hands them in as numbers.
:func:`check_manual_gradients` computes the same gradients with the engine,
marks every entry that disagrees and, for each group of parameters (a layer's
weight matrix ``W{l}``, its biases ``b{l}``), looks for the simplest
explanation among the classic mistakes:

- the sign is flipped (``∂E/∂o = t − o`` instead of ``o − t``): yours = −engine;
- a constant factor is missing or extra (the ½ of ``E = ½Σ(t−o)²``, a 1/m):
  yours = c × engine for one c across the group;
- the derivative of tanh ``1 − y²`` was used for a sigmoid unit (or the
  sigmoid's ``y(1 − y)`` for a tanh unit): the engine re-runs its own backward
  pass with that local derivative swapped on one layer's units, and checks
  whether the result matches yours;
- a square matrix is transposed (the indices i, j are mixed up).

Explanations combine (a transposed matrix with a flipped sign), and the
simplest combination that reproduces every number of a group wins.  The
report lists each distinct mistake once: a sign flipped at the output shows up
in every layer below it but is named once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any, Union

from ..engine import Value, propagate
from ..errors import fail
from ..gradcheck import RowsReport
from ..graph import backward_order, depths
from ..nn.module import Module
from ..nn.train import LossSpec
from .deltas import is_network, network_layers, run_with_loss
from .diagnose import CONFUSION_TEXT, CONFUSIONS, MISTAKES, close

Manual = Union[Mapping[str, Any], Callable[..., Mapping[str, Any]]]

NICE_FACTORS = (2.0, 0.5, -2.0, -0.5)
"""常见的漏乘/多乘因子. Factors that a forgotten ½ or 2 produces."""


# ---- 报告 report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ManualRow:
    """一个梯度分量的比较: 名字, 引擎值, 学生值, 是否一致, 提示. One compared gradient entry."""

    name: str
    engine: float
    student: float
    ok: bool
    hint: str


@dataclass(frozen=True)
class Mistake:
    """找到的一个错误: 种类, 位置, 涉及的参数组, 中英文说明. One distinct mistake found."""

    kind: str
    where: str
    groups: tuple[str, ...]
    zh: str
    en: str


@dataclass(frozen=True)
class ManualCheckReport(RowsReport):
    """检查报告: 每个梯度分量一行, 每组的诊断, 以及去重后的错误列表.

    The report: one row per gradient entry, each group's diagnosis (the
    mistake kinds that explain it; empty when it is right; ``("unexplained",)``
    when no simple mistake does) and the distinct mistakes found.
    """

    rows: tuple[ManualRow, ...]
    diagnoses: Mapping[str, tuple[str, ...]]
    mistakes: tuple[Mistake, ...]
    rtol: float
    atol: float

    def __repr__(self) -> str:
        header = f"{'梯度 gradient':<16}{'引擎 engine':>16}{'你的 yours':>16}  对 ok  提示 hint"
        lines = [header, "-" * len(header)]
        for row in self.rows:
            mark = "✓" if row.ok else "✗"
            lines.append(f"{row.name:<16}{row.engine:>16.8g}{row.student:>16.8g}  {mark}     {row.hint}")
        if self.ok:
            lines.append("结论 verdict: 全部正确 (all gradients agree with the engine)")
        else:
            lines.append(f"结论 verdict: 发现 {len(self.mistakes)} 处错误 ({len(self.mistakes)} mistake(s) found):")
            lines.extend(f"  - {m.zh}\n    {m.en}" for m in self.mistakes)
        return "\n".join(lines)


# ---- 参数组 parameter groups ----------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """一组参数: 名字, 形状 (行, 列) 或 (n,), 参数列表 (按行展开). A named group of parameters."""

    name: str
    shape: tuple[int, ...]
    values: tuple[Value, ...]

    def entry_name(self, k: int) -> str:
        if len(self.shape) == 2:
            return f"{self.name}[{k // self.shape[1]}][{k % self.shape[1]}]"
        return self.name if self.shape == (1,) else f"{self.name}[{k}]"


def _model_groups(model: Module) -> dict[str, _Group]:
    """网络的参数组: 第 l 层的 W{l} (nout×nin) 与 b{l}, 以及每个参数的全名. A model's parameter groups."""
    groups = {}
    for l, layer in enumerate(network_layers(model), start=1):
        rows = [neuron.w for neuron in layer.neurons]
        groups[f"W{l}"] = _Group(f"W{l}", (len(rows), len(rows[0])), tuple(w for row in rows for w in row))
        groups[f"b{l}"] = _Group(f"b{l}", (len(rows),), tuple(neuron.b for neuron in layer.neurons))
    for name, p in model.named_parameters():
        groups[name] = _Group(name, (1,), (p,))
    return groups


# ---- 学生的数 the student's numbers -----------------------------------------------------------


def _flatten(value: Any, name: str) -> tuple[list[float], tuple[int, ...]]:
    """数 / 列表 / 嵌套列表 / NumPy 数组 → (展开的 float 列表, 形状). Numbers and arrays, flattened with their shape."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    try:
        if isinstance(value, (int, float)):
            return [float(value)], ()
        if all(isinstance(v, (int, float)) for v in value):
            return [float(v) for v in value], (len(value),)
        rows = [[float(v) for v in row] for row in value]
    except (TypeError, ValueError):
        rows = None
    if rows is None or len({len(r) for r in rows}) != 1:
        fail(TypeError, f"check_manual_gradients: {name} 应为数、数的列表或矩阵, 收到 {value!r}",
             f"check_manual_gradients: {name} must be a number, a list or a matrix, got {value!r}")
    return [v for row in rows for v in row], (len(rows), len(rows[0]))


def _arrange(group: _Group, value: Any) -> tuple[list[float], bool]:
    """学生的数按引擎的顺序排好; 第二项表示学生给的是 nin×nout 形状 (已转置回来).

    The student's numbers in the engine's order, and whether they came as an
    ``nin × nout`` matrix (the other common layout; transposed back, not a
    mistake).  A square matrix cannot tell; its transposition is diagnosed.
    """
    flat, shape = _flatten(value, group.name)
    if len(flat) != len(group.values):
        fail(ValueError, f"check_manual_gradients: {group.name} 应有 {len(group.values)} 个数 (形状 {group.shape}), "
             f"收到 {len(flat)} 个 (形状 {shape})",
             f"check_manual_gradients: {group.name} needs {len(group.values)} numbers (shape {group.shape}), "
             f"got {len(flat)} (shape {shape})")
    if len(group.shape) == 2 and len(shape) == 2 and shape != group.shape:
        return _transpose(flat, shape), True
    return flat, False


def _transpose(flat: list[float], shape: tuple[int, ...]) -> list[float]:
    """按行展开的 (r, c) 矩阵 → 其转置的按行展开. Row-major (r, c) matrix → row-major transpose."""
    r, c = shape
    return [flat[i * c + j] for j in range(c) for i in range(r)]


# ---- 诊断 diagnosis ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Variant:
    """一种 "错用导数" 的假设: 把某些节点的局部导数换掉后引擎算出的梯度. A swapped-derivative hypothesis."""

    kind: str
    where: str
    grads: dict[int, float]


def _fit_factor(student: list[float], engine: list[float], rtol: float, atol: float) -> tuple[float, float] | None:
    """找 c 使 学生 ≈ c × 引擎; 返回 (c, 代价) 或 None. The factor c with yours ≈ c·engine, and its cost."""
    candidates = [(1.0, 0.0), (-1.0, 1.0), *((c, 1.0) for c in NICE_FACTORS)]
    scale = sum(g * g for g in engine)
    if sum(1 for g in engine if abs(g) > atol) >= 2 and scale > 0.0:
        c = sum(s * g for s, g in zip(student, engine)) / scale
        if abs(c) > 1e-9:  # c ≈ 0 是 "全给了 0", 不是常数因子. Zeros are not a factor.
            candidates.append((c, 1.5))
    for c, cost in candidates:
        if all(close(s, c * g, rtol, atol) for s, g in zip(student, engine)):
            if cost == 1.5 and any(close(c, nice, 1e-9, 0.0) for nice in (1.0, -1.0, *NICE_FACTORS)):
                continue
            return c, cost
    return None


def _diagnose(group: _Group, student: list[float], engine: dict[int, float],
              variants: list[_Variant], rtol: float, atol: float) -> tuple[list[tuple[str, str, float]], float]:
    """找能解释这一组数的最简单错误组合. The simplest combination of mistakes that explains a group.

    Returns a list of (kind, where, factor) and the total cost (inf when
    nothing explains it).
    """
    square = len(group.shape) == 2 and group.shape[0] == group.shape[1] > 1
    best: tuple[list[tuple[str, str, float]], float] = ([("unexplained", "", math.nan)], math.inf)
    for variant, flip in product([None, *variants], [False, True] if square else [False]):
        grads = engine if variant is None else variant.grads
        reference = [grads[id(p)] for p in group.values]
        theirs = _transpose(student, group.shape) if flip else student
        fitted = _fit_factor(theirs, reference, rtol, atol)
        if fitted is None:
            continue
        c, cost = fitted
        found = []
        if flip:
            found.append(("transposed", "", 1.0))
        if variant is not None:
            found.append((variant.kind, variant.where, 1.0))
            cost += 1.0
        if c == -1.0:
            found.append(("sign", "", -1.0))
        elif c != 1.0:
            found.append(("factor", "", c))
        cost += 1.0 if flip else 0.0
        if cost < best[1]:
            best = (found, cost)
    return best


def _where_zh(where: str) -> str:
    """位置的中文说法: "layer 2" → "第 2 层", "depth 3" → "距输出 3 步的节点". A place, in Chinese."""
    kind, _, rest = where.partition(" ")
    if kind == "layer":
        return f"第 {rest} 层"
    if kind == "depth":
        return f"距输出 {rest} 步的节点"
    return f"全部 {rest.split()[0]} 单元" if kind == "all" else where


SHORT_HINTS = {
    "sign": "{} {}".format(*MISTAKES["sign"]),
    **{kind: "{} ({})".format(*MISTAKES[kind]) for kind, _ in CONFUSIONS.values()},
    "transposed": "转置了 transposed",
    "unexplained": "不符 mismatch",
}
"""表格里每行的简短提示 (完整说明见报告末尾). Short per-row hints; the full text ends the report."""


def _short_hint(found: list[tuple[str, str, float]]) -> str:
    parts = [f"×{factor:.6g} 常数因子 factor" if kind == "factor" else SHORT_HINTS[kind] for kind, _, factor in found]
    return "; ".join(parts)


def _hint(kind: str, where: str, factor: float) -> tuple[str, str]:
    """一种错误的中英文说明. The bilingual explanation of one mistake."""
    at_zh, at_en = (f"{_where_zh(where)}: ", f"{where}: ") if where else ("", "")
    if kind == "sign":
        zh, en = MISTAKES["sign"]
        return (f"{zh}: 你的梯度 = −(引擎的梯度); 检查 ∂E/∂o = o − t (不是 t − o)",
                f"{en}: yours = −engine; check that ∂E/∂o = o − t, not t − o")
    if kind == "factor":
        zh = f"差一个常数因子: 你的梯度 = {factor:.6g} × 引擎的梯度"
        en = f"constant factor: yours = {factor:.6g} × engine"
        if abs(abs(factor) - 2.0) < 1e-9:
            zh, en = zh + " (是否漏了 E = ½Σ(t−o)² 中的 ½?)", en + " (did the ½ of E = ½Σ(t−o)² go missing?)"
        elif abs(abs(factor) - 0.5) < 1e-9:
            zh, en = zh + " (是否多乘了 ½, 或漏了平方求导的 2?)", en + " (an extra ½, or a lost 2 from d(u²)/du?)"
        return zh, en
    if kind in CONFUSION_TEXT:  # 导数混用: 与单个节点的诊断同一说明. The node diagnosis's text.
        zh, en = CONFUSION_TEXT[kind]
        return at_zh + zh, at_en + en
    if kind == "transposed":
        return ("矩阵转置了 (下标 i, j 弄反): W[j][i] 是从输入 i 到神经元 j 的权重 (nout×nin)",
                "matrix transposed (indices i, j mixed up): W[j][i] connects input i to neuron j (nout×nin)")
    return ("与引擎不符, 且不是符号、常数因子、导数混用或转置这类简单错误",
            "disagrees with the engine, and not by a flipped sign, a constant factor, "
            "a swapped derivative or a transpose")


# ---- 引擎的梯度及其 "错用导数" 的版本 the engine's gradients and swapped-derivative versions -----


def _gradients(root: Value, order: list[Value], swapped: Sequence[Value] = (), local: Callable | None = None) -> None:
    """从 root 反向传播; swapped 中节点的局部导数临时换成 local(y). Backpropagate, optionally with swapped locals."""
    saved = [node.local_grads for node in swapped]
    for node in order:
        if not node.parents:
            node.grad = 0.0
    try:
        for node in swapped:
            node.local_grads = (local(node.data),)
        propagate(root)
    finally:
        for node, grads in zip(swapped, saved):
            node.local_grads = grads


def _variants(root: Value, order: list[Value], sites: list[tuple[str, list[Value]]],
              leaves: Sequence[Value]) -> list[_Variant]:
    """对每处可混用导数的单元 (一层, 以及全部) 重跑反向传播. Re-run backward with each swap."""
    found = []
    for op, (kind, local) in CONFUSIONS.items():
        places = [(where, [n for n in nodes if n.op == op]) for where, nodes in sites]
        places = [(where, nodes) for where, nodes in places if nodes]
        if len(places) > 1:
            places.append((f"all {op} units", [n for _, nodes in places for n in nodes]))
        for where, nodes in places:
            _gradients(root, order, nodes, local)
            found.append(_Variant(kind, where, {id(p): p.grad for p in leaves}))
    return found


# ---- 入口 entry point ------------------------------------------------------------------------


def check_manual_gradients(model_or_fn: Module | Callable[..., Value], x: Any, y: Any = None, *, manual: Manual,
                           loss: LossSpec = "mse", names: Sequence[str] | None = None,
                           rtol: float = 1e-6, atol: float = 1e-10) -> ManualCheckReport:
    """比较手推的梯度与引擎的梯度, 并为不一致之处给出提示 (符号、常数因子、导数混用、转置).

    Compare hand-derived gradients with the engine's.

    - Network: ``check_manual_gradients(model, x, y, manual=...)`` with one
      sample ``(x, y)`` and ``loss`` (default ``"mse"``, ``E = ½Σ(t−o)²``).
      ``manual`` maps group names to numbers: ``"W1"`` (layer 1's weights,
      ``nout × nin`` like ``nn.Linear``; a transposed ``nin × nout`` matrix is
      accepted and reported as a mistake), ``"b1"``, ``"W2"``, …, or single
      parameters by their ``named_parameters()`` name.
    - Function: ``check_manual_gradients(f, inputs, manual=...)`` with
      ``f(*Values) -> Value`` as for :func:`gradcheck`; ``manual`` maps each
      input's name (``names``, its label, or ``x0, x1, …``) to a number.

    ``manual`` may also be a function returning that mapping, called as
    ``manual(x, y)`` (network) or ``manual(*inputs)`` (function) — e.g. the
    student's own NumPy backward pass.  Entries agree when
    ``|yours − engine| ≤ atol + rtol·|engine|``; raise ``rtol`` for numbers
    copied by hand with few digits.  For a network the parameters' ``.grad``
    holds the true gradients afterwards.
    """
    if isinstance(model_or_fn, Module) and is_network(model_or_fn):
        model = model_or_fn
        groups = _model_groups(model)
        model.zero_grad()
        runs, root = run_with_loss(model, x, y, loss)
        sites = [(f"layer {l}", run.a) for l, run in enumerate(runs, start=1)]
        leaves = model.parameters()
        given = manual(x, y) if callable(manual) else manual
    elif callable(model_or_fn):
        points = [float(v.data if isinstance(v, Value) else v) for v in x]
        labels = list(names) if names is not None else [
            getattr(v, "label", "") or f"x{i}" for i, v in enumerate(x)]
        leaves = [Value(v, name) for v, name in zip(points, labels)]
        groups = {p.label: _Group(p.label, (1,), (p,)) for p in leaves}
        root = model_or_fn(*leaves)
        if not isinstance(root, Value):
            fail(TypeError, f"check_manual_gradients: f 必须返回 Value, 收到 {type(root).__name__}",
                 f"check_manual_gradients: f must return a Value, got {type(root).__name__}")
        sites = _depth_sites(root)
        given = manual(*points) if callable(manual) else manual
    else:
        fail(TypeError, f"check_manual_gradients: 需要网络 (MLP/Layer) 或函数, 收到 {type(model_or_fn).__name__}",
             f"check_manual_gradients: needs a network (MLP/Layer) or a function, got {type(model_or_fn).__name__}")
    unknown = [k for k in given if k not in groups]
    if unknown:
        fail(KeyError, f"check_manual_gradients: 不认识的名字 {unknown}; 可用: {', '.join(groups)}",
             f"check_manual_gradients: unknown names {unknown}; valid: {', '.join(groups)}")
    order = backward_order(root)
    variants = _variants(root, order, sites, leaves)
    _gradients(root, order)
    engine = {id(p): p.grad for p in leaves}
    return _report(groups, given, engine, variants, rtol, atol)


def _depth_sites(root: Value) -> list[tuple[str, list[Value]]]:
    """函数模式下, 按到输出的距离把节点分层. Nodes grouped by their distance from the output."""
    depth = depths(root)
    by_depth: dict[int, list[Value]] = {}
    for node in backward_order(root):
        if node.op in CONFUSIONS:
            by_depth.setdefault(depth[id(node)], []).append(node)
    return [(f"depth {d}", nodes) for d, nodes in sorted(by_depth.items())]


def _report(groups: dict[str, _Group], given: Mapping[str, Any], engine: dict[int, float],
            variants: list[_Variant], rtol: float, atol: float) -> ManualCheckReport:
    """逐组比较、诊断, 汇总成报告. Compare and diagnose group by group."""
    rows: list[ManualRow] = []
    diagnoses: dict[str, tuple[str, ...]] = {}
    mistakes: dict[tuple[str, str, float], list[str]] = {}
    for name, value in given.items():
        group = groups[name]
        student, transposed = _arrange(group, value)
        truth = [engine[id(p)] for p in group.values]
        oks = [close(s, g, rtol, atol) for s, g in zip(student, truth)]
        found: list[tuple[str, str, float]] = []
        if not all(oks):
            found = _diagnose(group, student, engine, variants, rtol, atol)[0]
        diagnoses[name] = tuple(kind for kind, _, _ in found)
        for key in found:
            mistakes.setdefault((key[0], key[1], round(key[2], 6) if key[0] == "factor" else 0.0), []).append(name)
        text = _short_hint(found)
        note = "(按 nin×nout 给出, 已转置后比较 given as nin×nout, compared transposed)" if transposed else ""
        for k, (s, g, ok) in enumerate(zip(student, truth, oks)):
            rows.append(ManualRow(group.entry_name(k), g, s, ok, note if ok else text))
    distinct = []
    for (kind, where, factor), where_found in mistakes.items():
        zh, en = _hint(kind, where, factor)
        listed = ", ".join(where_found)
        distinct.append(Mistake(kind, where, tuple(where_found), f"{zh} [{listed}]", f"{en} [{listed}]"))
    return ManualCheckReport(tuple(rows), diagnoses, tuple(distinct), rtol, atol)
