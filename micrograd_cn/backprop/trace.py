"""把反向传播记录成数据: 每一次"堆放"是谁把多少梯度送给了谁, 以及路径求和的视角.

The backward pass as data.  :func:`backward_steps` runs the real backward
loop (:func:`engine.propagate`) and records every accumulation ("堆放"): which
node sends how much to which parent, and the parent's running total before and
after.  :func:`path_sums` shows the other view of the chain rule: a gradient
is the sum, over every path from the input to the output, of the product of
the local derivatives along the path, and it counts how much work that
repeats compared with the backward pass.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

from ..engine import Value, propagate, zero_grad
from ..errors import english_html, fail
from ..graph import GraphSnapshot, backward_order, display_names, snapshot, topological_order, wrap_name

Lang = Literal["zh", "en"]

MAX_PATHS = 10_000
"""path_sums 最多列出的路径条数. The most paths path_sums will list."""


# ---- 文本格式 formatting -------------------------------------------------------------------


DIGITS = 4
"""课堂上的数只用一种写法: 4 位有效数字 (横幅、节点、表格、讲解都一样). One rule for every number shown."""


def format_number(x: float, digits: int = DIGITS) -> str:
    """把数写成课堂上好读的样子: 2.0 → "2", 0.59326999 → "0.5933", -0.0 → "0".

    Format a number for the classroom: at most ``digits`` significant digits
    (4 everywhere: the player's banner, boxes and tables, the printed tables).
    """
    return f"{x + 0.0:.{digits}g}"


def partial(out_name: str, name: str) -> str:
    """偏导记号 ∂out/∂name; 名字不是简单标识符时加括号: ∂e/∂(a+b).

    The partial-derivative notation, with parentheses around compound names.
    """
    return f"∂{wrap_name(out_name)}/∂{wrap_name(name)}"


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        fail(ValueError, f"lang 只能是 'zh' 或 'en', 收到 {lang!r}", f"lang must be 'zh' or 'en', got {lang!r}")


def is_wide(char: str) -> bool:
    """全角字符 (汉字、全角标点): 占两个半角的宽度. Full-width characters take two half-width cells."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def display_width(text: str) -> int:
    """终端中的显示宽度: 中文等宽字符占两格. Terminal width: wide (CJK) characters count 2."""
    return sum(2 if is_wide(ch) else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - display_width(text))
    return space + text if right else text + space


def text_table(header_rows: list[list[str]], rows: list[list[str]], right: Sequence[bool]) -> str:
    """对齐的纯文本表格 (考虑中文宽度); right[i] 表示第 i 列右对齐.

    An aligned plain-text table that accounts for the width of Chinese text.
    """
    widths = [max(display_width(row[i]) for row in header_rows + rows) for i in range(len(right))]
    rule = "  ".join("-" * w for w in widths)

    def line(row: list[str]) -> str:
        return "  ".join(_pad(cell, w, r) for cell, w, r in zip(row, widths, right)).rstrip()

    return "\n".join([*map(line, header_rows), rule, *map(line, rows)])


# ---- 一次堆放 one accumulation -------------------------------------------------------------


@dataclass(frozen=True)
class BackwardStep:
    """反向传播中的一次堆放: node 把 node_grad × local 送给 parent, parent 的累计从 before 变成 after.

    One accumulation of the backward pass: ``node`` (whose gradient
    ``node_grad`` = ∂out/∂node is complete) sends ``contribution = node_grad ×
    local`` to ``parent``, where ``local`` = ∂node/∂parent; the parent's
    running total goes from ``before`` to ``after``.  ``index`` counts from 0.
    """

    index: int
    node: Value
    parent: Value
    node_name: str
    parent_name: str
    node_grad: float
    local: float
    contribution: float
    before: float
    after: float
    out_name: str = "out"
    position: int = 0
    """parent 在 node.parents 中的位置 k (同一父节点出现两次时区分两条边). The edge's place k in node.parents."""

    def equation(self, lang: Lang = "zh", out_name: str | None = None) -> str:
        """这一步的链式法则等式, 如 ``∂e/∂b += ∂e/∂d · ∂d/∂b = 3 × 1 = 3 （累计 5）``.

        The chain-rule equation of this step; ``lang="en"`` ends with
        ``(running total 5)``.  ``out_name`` defaults to the recorded output name.
        """
        _check_lang(lang)
        out = self.out_name if out_name is None else out_name
        after = format_number(self.after)
        total = f"（累计 {after}）" if lang == "zh" else f"(running total {after})"
        return (f"{partial(out, self.parent_name)} += {partial(out, self.node_name)} · "
                f"{partial(self.node_name, self.parent_name)} = {format_number(self.node_grad)} × "
                f"{format_number(self.local)} = {format_number(self.contribution)} {total}")

    def to_dict(self) -> dict[str, Any]:
        """可写成 JSON 的字典 (不含 Value 对象). A JSON-friendly dict, without the Value objects."""
        return {
            "index": self.index,
            "from": self.node_name,
            "to": self.parent_name,
            "node_grad": self.node_grad,
            "local": self.local,
            "contribution": self.contribution,
            "before": self.before,
            "after": self.after,
            "equation_zh": self.equation("zh"),
            "equation_en": self.equation("en"),
        }


_HEADERS = {
    "zh": ["步骤", "发送者", "接收者", "∂{out}/∂发送者", "局部导数", "贡献", "之前", "之后"],
    "en": ["step", "from", "to", "∂{out}/∂from", "local", "contribution", "before", "after"],
}
_RIGHT = (True, False, False, True, True, True, True, True)


class BackwardSteps(Sequence[BackwardStep]):
    """一次完整反向传播的所有堆放 (按发生顺序), 以及最终梯度.

    Every accumulation of one backward pass, in order.  ``out`` is the output,
    ``order`` the nodes the backward loop visited (as :func:`engine.propagate`
    returns them), ``names`` maps ``id(node)`` to its display name, ``grads``
    maps each name to its final gradient (output first, then in the order the
    nodes first received a contribution).
    """

    def __init__(self, out: Value, steps: list[BackwardStep], order: list[Value], names: dict[int, str],
                 graph: GraphSnapshot | None = None) -> None:
        self.out = out
        self.order = order
        self.names = names
        self.graph = graph if graph is not None else snapshot(out)
        self._terms_cache: dict[int, list[Term]] | None = None
        """整张图的快照 (顺序、名字、深度、边). The snapshot of the whole graph."""
        self._steps = steps
        # 每个非输出节点都至少接收过一次, 所以 out 与各步的接收者就是整个图. Out plus every receiver is the graph.
        receivers = {id(out): out} | {id(step.parent): step.parent for step in steps}
        self.grads: dict[str, float] = {names[key]: node.grad for key, node in receivers.items()}

    @property
    def out_name(self) -> str:
        """输出节点的显示名. The output's display name."""
        return self.names[id(self.out)]

    @overload
    def __getitem__(self, index: int) -> BackwardStep: ...

    @overload
    def __getitem__(self, index: slice) -> list[BackwardStep]: ...

    def __getitem__(self, index: int | slice) -> BackwardStep | list[BackwardStep]:
        return self._steps[index]

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[BackwardStep]:
        return iter(self._steps)

    def __repr__(self) -> str:
        return f"<BackwardSteps: {len(self)} 步 steps, {self.out_name} = {format_number(self.out.data)}>"

    def _header_rows(self, lang: Lang) -> list[list[str]]:
        _check_lang(lang)
        languages = ("zh", "en") if lang == "zh" else ("en",)
        out = wrap_name(self.out_name)
        return [[h.format(out=out) for h in _HEADERS[code]] for code in languages]

    def _rows(self) -> list[list[str]]:
        return [[str(s.index + 1), s.node_name, s.parent_name, *map(format_number, (
            s.node_grad, s.local, s.contribution, s.before, s.after))] for s in self._steps]

    def table(self, lang: Lang = "zh") -> str:
        """对齐的文本表格, 每次堆放一行 (步骤从 1 数起); zh 时表头为中英两行.

        An aligned text table, one row per accumulation (steps numbered from 1).
        With ``lang="zh"`` the header has a Chinese and an English line.
        """
        return text_table(self._header_rows(lang), self._rows(), _RIGHT)

    def equations(self, lang: Lang = "zh") -> str:
        """每一步的链式法则等式, 一行一个. The chain-rule equation of every step, one per line."""
        return "\n".join(step.equation(lang) for step in self._steps)

    def __str__(self) -> str:
        return f"{self.table()}\n\n{self.equations()}"

    def _repr_html_(self) -> str:
        """Jupyter 中显示为 HTML 表格. Shown as an HTML table in Jupyter."""
        headers = zip(*self._header_rows("zh"))
        head = "".join(f"<th>{html.escape(zh)}<br>{english_html(html.escape(en))}</th>" for zh, en in headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row)
            + f"<td><code>{html.escape(step.equation('zh'))}</code></td></tr>"
            for row, step in zip(self._rows(), self._steps))
        return (f"<table class=\"micrograd-cn-steps\"><thead><tr>{head}<th>等式<br>{english_html('equation')}</th>"
                f"</tr></thead><tbody>{body}</tbody></table>")

    def to_dict(self) -> dict[str, Any]:
        """可写成 JSON 的字典, 供 HTML 播放器使用.

        A JSON-friendly dict for the HTML player: ``out`` (name), ``value``,
        ``order`` (names in visiting order), ``grads`` (name → final grad) and
        ``events`` (one :meth:`BackwardStep.to_dict` per accumulation).
        """
        return {
            "out": self.out_name,
            "value": self.out.data,
            "order": [self.names[id(node)] for node in self.order],
            "grads": dict(self.grads),
            "events": [step.to_dict() for step in self._steps],
        }

    def explain(self, node: Value) -> Explanation:
        """node 的梯度的链式法则展开 (取自记录的反向传播), 如 ∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2×1 + 3×1 = 5.

        The chain-rule expansion of ∂out/∂node from the recorded pass: one
        term per edge from ``node`` into a consumer, in the order the pass
        piled them up.
        """
        if id(node) not in self.names:
            data = getattr(node, "data", node)
            fail(ValueError, f"explain: 这个 Value (data={data!r}) 不在 {self.out_name} 的计算图中",
                 f"explain: this Value (data={data!r}) is not in the graph of {self.out_name}")
        if node is self.out:
            return Explanation(node, self.out_name, self.out_name, (), self.grads[self.out_name])
        terms = self._terms().get(id(node), ())
        return Explanation(node, self.names[id(node)], self.out_name, tuple(terms),
                           sum(term.product for term in terms))

    def _terms(self) -> dict[int, list[Term]]:
        """每个节点收到的各项 (一次遍历全部步骤, 之后缓存). Every node's terms, from one pass over the steps."""
        if self._terms_cache is None:
            self._terms_cache = {}
            for step in self._steps:
                self._terms_cache.setdefault(id(step.parent), []).append(Term(
                    step.node, step.node_name, step.position, step.index, step.node_grad, step.local,
                    step.contribution))
        return self._terms_cache


# ---- 一个节点的链式法则展开 the chain rule for one node ------------------------------------


def _factor(x: float) -> str:
    """乘积中的一个因子, 负数加括号: 2, (-1). A factor of a product; negatives in parentheses."""
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class Term:
    """展开式中的一项: 使用者 consumer 的第 k 个输入是该节点, 第 step 步送来 consumer_grad × local = product.

    One term of the expansion: ``node`` is input ``k`` of ``consumer``
    (``consumer.parents[k]``); at step ``step`` of the recorded pass the
    consumer sent ``consumer_grad`` (∂out/∂consumer) × ``local``
    (∂consumer/∂node) = ``product``.
    """

    consumer: Value
    consumer_name: str
    k: int
    step: int
    consumer_grad: float
    local: float
    product: float

    def symbol(self, out_name: str, name: str) -> str:
        """这一项的记号, 如 ∂e/∂c·∂c/∂b. The term in symbols."""
        return f"{partial(out_name, self.consumer_name)}·{partial(self.consumer_name, name)}"

    def numbers(self) -> str:
        """这一项的数, 如 2×1. The term in numbers."""
        return f"{_factor(self.consumer_grad)}×{_factor(self.local)}"


@dataclass(frozen=True)
class Explanation:
    """∂out/∂node 的链式法则展开: 每个使用者一项, value 是各项之和.

    The chain-rule expansion of ∂out/∂node: one :class:`Term` per edge into a
    consumer, and their sum ``value``.  For the output itself there are no
    terms and ``value`` is the gradient the pass started with (1).
    """

    node: Value
    name: str
    out_name: str
    terms: tuple[Term, ...]
    value: float

    def formula(self) -> str:
        """只含记号与数的等式. The equation alone, e.g. ``∂e/∂b = ∂e/∂c·∂c/∂b + … = 2×1 + 3×1 = 5``."""
        left = partial(self.out_name, self.name)
        total = format_number(self.value)
        if not self.terms:
            return f"{left} = {total}"
        symbols = " + ".join(t.symbol(self.out_name, self.name) for t in self.terms)
        numbers = " + ".join(t.numbers() for t in self.terms)
        return f"{left} = {symbols} = {numbers} = {total}"

    def note(self, lang: Lang = "zh") -> str:
        """一句说明: 有几个使用者, 它们送来的梯度堆放相加. A short sentence on where the terms come from."""
        _check_lang(lang)
        through = ", ".join(t.consumer_name for t in self.terms)
        if not self.terms:
            return ("（输出对自己的导数, 反向传播从这里开始）" if lang == "zh"
                    else "(the output itself: the backward pass starts here)")
        if len(self.terms) == 1:
            return f"（只有一个使用者 {through}）" if lang == "zh" else f"(one consumer, {through})"
        return (f"（{len(self.terms)} 个使用者 {through} 送来的梯度堆放相加）" if lang == "zh"
                else f"(what the {len(self.terms)} consumers {through} send, piled up)")

    def text(self, lang: Lang = "zh") -> str:
        """等式加一句说明 (zh 或 en). The equation with a short sentence in Chinese or English."""
        return f"{self.formula()} {self.note(lang)}"

    def __str__(self) -> str:
        return self.text("zh")

    def to_dict(self, index: dict[int, int]) -> dict[str, Any]:
        """可写成 JSON 的字典; index 把 id(节点) 映射为拓扑序号, 边写成 [使用者序号, k].

        A JSON-friendly dict; ``index`` maps ``id(node)`` to its topological
        index (``BackwardSteps.graph.index``), so every edge is ``[consumer,
        k]`` as in the drawn graph's ``d-<consumer>-<k>``.
        """
        return {
            "value": self.value,
            "head": partial(self.out_name, self.name),
            "total": format_number(self.value),
            "formula": self.formula(),
            "note_zh": self.note("zh"),
            "note_en": self.note("en"),
            "text_zh": self.text("zh"),
            "text_en": self.text("en"),
            "terms": [{"edge": [index[id(t.consumer)], t.k], "step": t.step,
                       "symbol": t.symbol(self.out_name, self.name), "numbers": t.numbers(),
                       "consumer_grad": t.consumer_grad, "local": t.local, "product": t.product}
                      for t in self.terms],
        }


def backward_steps(out: Value, gradient: float = 1.0, *, accumulate: bool = False) -> BackwardSteps:
    """记录一次从零梯度开始的反向传播 (不管之前是否调用过 backward); accumulate=True 时在已有梯度上累加.

    Record one backward pass from ``out``, every accumulation of it.  By
    default the pass starts from zero gradients whatever ran before: the
    graph's leaves are set to 0 first (intermediate nodes are reset by the
    engine anyway), so the totals equal one ``backward()`` on a fresh graph,
    even after an earlier ``out.backward()``.  ``accumulate=True`` keeps the
    leaves' gradients and adds to them, as a second ``backward()`` does in
    PyTorch.  Either way this *is* ``out.backward(gradient)`` (the same loop,
    with a listener).
    """
    graph = snapshot(out)
    if not accumulate:  # 叶子从 0 开始 (快照已列出它们, 不再遍历一次). Leaves start at 0; the snapshot lists them.
        zero_grad(node for node in graph.order if not node.parents)
    names = graph.names_by_id()
    out_name = names[id(out)]
    steps: list[BackwardStep] = []
    sent = [None, 0]  # 当前发送者与它已送出的次数 (即边的位置 k). The current sender and its edges so far.

    def record(node: Value, parent: Value, local: float, before: float) -> None:
        if sent[0] is not node:
            sent[0], sent[1] = node, 0
        steps.append(BackwardStep(
            index=len(steps), node=node, parent=parent, node_name=names[id(node)], parent_name=names[id(parent)],
            node_grad=node.grad, local=local, contribution=local * node.grad, before=before, after=parent.grad,
            out_name=out_name, position=sent[1]))
        sent[1] += 1

    order = propagate(out, gradient, on_edge=record)
    return BackwardSteps(out, steps, order, names, graph)


# ---- 路径求和 path sums --------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """从输入到输出的一条路径: 经过的节点 (及其名字) 和每条边的局部导数, 以及它们的乘积.

    One path from the input to the output: its nodes, their names, the local
    derivative of each edge (input side first) and their product.
    """

    nodes: tuple[Value, ...]
    names: tuple[str, ...]
    locals: tuple[float, ...]
    product: float

    def __str__(self) -> str:
        factors = " × ".join(map(format_number, self.locals)) or "1"
        return f"{' → '.join(self.names)}: {factors} = {format_number(self.product)}"


@dataclass(frozen=True)
class PathSums:
    """x 到 out 的全部路径; total 是各路径乘积之和, 等于 ∂out/∂x.

    Every path from ``x`` to ``out``.  ``total`` (the sum of the path
    products) equals ∂out/∂x.  ``multiplications`` counts the multiplications
    this method really does: a path of k edges multiplies k local derivatives,
    which is k − 1 multiplications (``1 × 2 = 2`` is one).  Compare with
    ``backward_multiplications``, backward's one ``local × grad`` per edge
    for every gradient at once (:func:`backward_multiplications`).
    """

    out: Value
    x: Value
    out_name: str
    x_name: str
    paths: tuple[Path, ...]
    total: float
    multiplications: int
    backward_multiplications: int

    def __len__(self) -> int:
        return len(self.paths)

    def _heading(self) -> tuple[str, str]:
        """标题的中文与英文 (只有一条路径时用单数). The heading in Chinese and English, singular for one path."""
        n, x, out = len(self.paths), self.x_name, self.out_name
        if n == 0:
            return f"从 {x} 到 {out} 没有路径", f"no path from {x} to {out}"
        if n == 1:
            return f"从 {x} 到 {out} 只有 1 条路径", f"the only path from {x} to {out}"
        return f"从 {x} 到 {out} 的全部 {n} 条路径", f"all {n} paths from {x} to {out}"

    def _counts(self) -> tuple[str, str]:
        """乘法次数的比较, 中文与英文. The multiplication counts compared, in Chinese and English."""
        d, mine, theirs = partial(self.out_name, self.x_name), self.multiplications, self.backward_multiplications
        return (f"乘法次数: 路径求和 {mine} 次 (只得到 {d}); 反向传播 {theirs} 次 (得到所有梯度)",
                f"multiplications: path sums {mine} for {d} alone; backward {theirs} for every gradient")

    def __str__(self) -> str:
        zh, en = self._heading()
        counts_zh, counts_en = self._counts()
        lines = [f"{zh} ({en}):", *(f"  {path}" for path in self.paths),
                 f"合计 total: {partial(self.out_name, self.x_name)} = {format_number(self.total)}",
                 counts_zh, f"({counts_en})"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        """Jupyter 中显示为一张表: 每条路径一行, 然后是合计与乘法次数. An HTML table in Jupyter."""
        zh, en = self._heading()
        counts_zh, counts_en = self._counts()
        rows = "".join(f"<tr><td>{html.escape(' → '.join(path.names))}</td>"
                       f"<td>{html.escape(' × '.join(map(format_number, path.locals)) or '1')}</td>"
                       f"<td>{html.escape(format_number(path.product))}</td></tr>" for path in self.paths)
        total = html.escape(f"{partial(self.out_name, self.x_name)} = {format_number(self.total)}")
        return (f'<table class="micrograd-cn-paths"><caption>{html.escape(zh)} ({html.escape(en)})</caption>'
                f"<thead><tr><th>路径<br>{english_html('path')}</th><th>局部导数之积<br>"
                f"{english_html('product of local derivatives')}</th><th>乘积<br>{english_html('product')}</th>"
                "</tr></thead>"
                f"<tbody>{rows}</tbody><tfoot><tr><td colspan=\"3\">合计 total: {total}</td></tr></tfoot></table>"
                f"<p>{html.escape(counts_zh)}<br>{english_html(html.escape(counts_en))}</p>")


def backward_multiplications(out: Value) -> int:
    """反向传播的乘法次数: 每条边一次 local × grad. Backward's multiplications: one per edge."""
    return sum(len(node.parents) for node in backward_order(out, leaves=False))


def _path_stats(order: list[Value], x: Value) -> tuple[dict[int, int], dict[int, int]]:
    """动态规划: 每个节点向下到 x 的路径条数, 以及这些路径的边数之和 (只含能到达 x 的节点).

    Dynamic programming over ``order`` (inputs first): for every node that
    reaches ``x``, the number of paths down to ``x`` and their summed lengths.
    """
    counts: dict[int, int] = {}
    lengths: dict[int, int] = {}
    for node in order:
        if node is x:
            counts[id(node)], lengths[id(node)] = 1, 0
            continue
        n = length = 0
        for parent in node.parents:
            c = counts.get(id(parent), 0)
            n += c
            length += lengths.get(id(parent), 0) + c
        if n:
            counts[id(node)], lengths[id(node)] = n, length
    return counts, lengths


def path_sums(out: Value, x: Value, limit: int = MAX_PATHS) -> PathSums:
    """列出从 x 到 out 的每条路径及其局部导数之积; 各积之和就是 ∂out/∂x (种子文章的路径求和).

    List every path from ``x`` to ``out`` with the product of the local
    derivatives along it; their sum is ∂out/∂x.  The number of paths can grow
    exponentially, so more than ``limit`` paths is refused (before any is
    listed).  Iterative: an explicit stack, no recursion.
    """
    counts, _ = _path_stats(topological_order(out), x)
    n_paths = counts.get(id(out), 0)
    if n_paths > limit:
        fail(ValueError, f"path_sums: 从 x 到输出共有 {n_paths} 条路径, 超过上限 {limit}; 这正是路径求和不可行的原因",
             f"path_sums: there are {n_paths} paths from x to the output, more than the limit {limit}; "
             "which is exactly why path summing does not scale")
    names = display_names(out)
    paths: list[Path] = []
    # 栈中每项: (当前节点, 从 out 走到它的节点列表, 对应的局部导数). Walk down from out towards x.
    stack: list[tuple[Value, tuple[Value, ...], tuple[float, ...]]] = [(out, (out,), ())] if n_paths else []
    while stack:
        node, nodes, locals_ = stack.pop()
        if node is x:
            up_nodes, up_locals = nodes[::-1], locals_[::-1]
            product = 1.0
            for local in up_locals:
                product *= local
            paths.append(Path(up_nodes, tuple(names[id(v)] for v in up_nodes), up_locals, product))
            continue
        edges = [(p, local) for p, local in zip(node.parents, node.local_grads) if id(p) in counts]
        for parent, local in reversed(edges):  # 先走第一个操作数 first operand first
            stack.append((parent, (*nodes, parent), (*locals_, local)))
    return PathSums(out=out, x=x, out_name=names[id(out)], x_name=names.get(id(x), x.label or "x"),
                    paths=tuple(paths), total=sum(path.product for path in paths),
                    multiplications=sum(max(len(path.locals) - 1, 0) for path in paths),
                    backward_multiplications=backward_multiplications(out))


def path_sum_multiplications(out: Value, inputs: Sequence[Value] | None = None) -> int:
    """用路径求和得到 inputs (默认: 所有叶子) 的梯度共需多少次乘法 (不列出路径, 可处理巨量路径).

    How many multiplications path summing needs for the gradients of
    ``inputs`` (default: every leaf): a path of k edges costs k − 1, so the
    sum over paths of their lengths minus the number of paths, counted by
    dynamic programming without listing any path.
    """
    order = topological_order(out)
    if inputs is None:
        inputs = [node for node in order if not node.parents]
    total = 0
    for x in inputs:
        counts, lengths = _path_stats(order, x)
        if x is not out:
            total += lengths.get(id(out), 0) - counts.get(id(out), 0)
    return total
