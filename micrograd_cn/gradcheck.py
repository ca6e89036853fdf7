"""梯度检查: 用中心差分验证反向传播算出的梯度.

Gradient checking: backward() against central finite differences.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .engine import Value, as_value, no_grad
from .errors import english_html, fail


@dataclass(frozen=True)
class GradcheckRow:
    """一个输入的检查结果. The check of one input."""

    name: str
    value: float
    analytic: float
    numeric: float
    error: float
    ok: bool


class RowsReport:
    """逐行检查的报告: 每一行都 ok 才算通过, 可直接用作 bool.

    A report made of rows that each have ``ok``: it passes when every row
    does, and is truthy exactly then.
    """

    rows: tuple[Any, ...]

    @property
    def ok(self) -> bool:
        """每一行都通过. Every row passed."""
        return all(row.ok for row in self.rows)

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class GradcheckReport(RowsReport):
    """梯度检查报告: 每个输入一行, 以及总体结论 ok. The report of :func:`gradcheck`."""

    rows: tuple[GradcheckRow, ...]
    eps: float
    rtol: float
    atol: float

    def __repr__(self) -> str:
        header = (f"{'输入 input':<14}{'值 value':>14}{'反向传播 analytic':>20}"
                  f"{'中心差分 numeric':>20}{'误差 error':>12}  通过 ok")
        lines = [header, "-" * len(header)]
        for row in self.rows:
            mark = "✓" if row.ok else "✗"
            lines.append(f"{row.name:<14}{row.value:>14.6g}{row.analytic:>20.10g}{row.numeric:>20.10g}"
                         f"{row.error:>12.2e}  {mark}")
        verdict = "全部通过 (all passed)" if self.ok else "有梯度不一致 (some gradients disagree)"
        lines.append(f"结论 verdict: {verdict}; eps={self.eps:g}, rtol={self.rtol:g}, atol={self.atol:g}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Jupyter 中显示为 HTML 表格与一句结论. An HTML table and the verdict in a notebook."""
        head = "".join(f"<th>{zh}<br>{english_html(en)}</th>" for zh, en in (
            ("输入", "input"), ("值", "value"), ("反向传播", "analytic"), ("中心差分", "numeric"),
            ("误差", "error"), ("通过", "ok")))
        body = "".join(
            f"<tr><td>{html.escape(row.name)}</td><td>{row.value:.6g}</td><td>{row.analytic:.10g}</td>"
            f"<td>{row.numeric:.10g}</td><td>{row.error:.2e}</td><td>{'✓' if row.ok else '✗'}</td></tr>"
            for row in self.rows)
        verdict = "全部通过 (all passed)" if self.ok else "有梯度不一致 (some gradients disagree)"
        return (f'<table class="micrograd-cn-gradcheck"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
                f"<p>结论 verdict: {verdict}; eps={self.eps:g}, rtol={self.rtol:g}, atol={self.atol:g}</p>")


def gradcheck(f: Callable[..., Value], inputs: Sequence[Value | float], eps: float = 1e-6,
              rtol: float = 1e-5, atol: float = 1e-8, names: Sequence[str] | None = None) -> GradcheckReport:
    """比较 backward() 的梯度与中心差分 (f(x+ε) - f(x-ε)) / 2ε.

    Compare the gradient that ``backward()`` computes for each input of ``f``
    with the central difference ``(f(x+ε) - f(x-ε)) / 2ε``.  ``f`` takes as
    many Values as there are ``inputs`` and returns a Value.  An input passes
    when ``|analytic - numeric| ≤ atol + rtol·|numeric|``.  The inputs' own
    gradients are left untouched.
    """
    points = [as_value(x).data for x in inputs]
    if not points:
        fail(ValueError, "gradcheck: 至少需要一个输入", "gradcheck needs at least one input")
    if names is None:
        names = [getattr(x, "label", "") or f"x{i}" for i, x in enumerate(inputs)]
    leaves = [Value(x, name) for x, name in zip(points, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        fail(TypeError, f"gradcheck: f 必须返回 Value, 收到 {type(out).__name__}",
             f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()

    def value_at(i: int, shift: float) -> float:
        moved = [Value(x + shift) if j == i else Value(x) for j, x in enumerate(points)]
        with no_grad():
            return f(*moved).data

    rows = []
    for i, leaf in enumerate(leaves):
        numeric = (value_at(i, eps) - value_at(i, -eps)) / (2 * eps)
        error = abs(leaf.grad - numeric)
        rows.append(GradcheckRow(leaf.label, leaf.data, leaf.grad, numeric, error,
                                 error <= atol + rtol * abs(numeric)))
    return GradcheckReport(tuple(rows), eps, rtol, atol)
