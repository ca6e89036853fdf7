"""网络节点的课本名字: 每个神经元的加权和与输出, 如 net_h1 / out_h1 (种子 000) 或 z⁽¹⁾₁ / a⁽¹⁾₁ (种子 003).

Textbook names for a network's nodes, so that a drawn graph and the recorded
backward pass read like the seed articles.  A neuron's weighted sum (one
``dot`` node) and its output (the activation) are labelled by the
convention chosen with ``naming=``:

- ``"net/out"`` (default, seed 000): ``net_h1`` / ``out_h1`` for the hidden
  neuron h1, ``net_o1`` / ``out_o1`` for the output neuron o1.  With several
  hidden layers the unit is ``h{l}_{j}`` (layer l, unit j, both from 1).
- ``"z/a"`` (seed 003): ``z⁽ˡ⁾ⱼ`` / ``a⁽ˡ⁾ⱼ``, layers counted from 1.
- ``None``: no labels (the graph then shows automatic names).

A linear neuron has no activation node; its sum is labelled as its output.

:func:`parameter_labels` names an MLP's parameters in the same convention:
``"net/out"`` numbers the weights ``w1, w2, …`` in ``parameters()`` order
(as seed 000 numbers w1…w8) and calls the biases ``b_h1``, ``b_o1``;
``"z/a"`` writes ``w⁽ˡ⁾ⱼₖ`` (into neuron j from input k) and ``b⁽ˡ⁾ⱼ``;
None keeps the structural ``L{l}.N{j}.w{k}`` / ``L{l}.N{j}.b``.
"""

from __future__ import annotations

from ..errors import fail

NAMINGS = ("net/out", "z/a", None)
"""可选的命名约定. The naming conventions."""

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def check_naming(naming: str | None, where: str) -> None:
    """命名约定必须是 NAMINGS 之一. The convention must be one of :data:`NAMINGS`."""
    if naming not in NAMINGS:
        fail(ValueError, f"{where}: naming 只能是 'net/out'、'z/a' 或 None, 收到 {naming!r}",
             f"{where}: naming must be 'net/out', 'z/a' or None, got {naming!r}")


def unit_name(layer: int, layers: int, j: int) -> str:
    """第 layer 层 (从 0 起, 共 layers 层) 第 j 个神经元的名字: h1, h2_3, o1. The unit's textbook name."""
    if layer == layers - 1 and layers > 1:
        return f"o{j + 1}"
    return f"h{j + 1}" if layers <= 2 else f"h{layer + 1}_{j + 1}"


def neuron_labels(naming: str | None, layer: int, layers: int, j: int) -> tuple[str, str]:
    """(加权和的名字, 输出的名字). The labels of a neuron's weighted sum and output."""
    if naming is None:
        return "", ""
    if naming == "z/a":
        mark = f"⁽{str(layer + 1).translate(_SUPERSCRIPTS)}⁾{str(j + 1).translate(_SUBSCRIPTS)}"
        return f"z{mark}", f"a{mark}"
    unit = unit_name(layer, layers, j)
    return f"net_{unit}", f"out_{unit}"


def parameter_labels(naming: str | None, sizes: list[int]) -> list[list[tuple[list[str], str]]]:
    """一个 MLP (各层大小 sizes = [nin, n1, n2, …]) 的参数名: 每层每个神经元的 (权重名列表, 偏置名).

    The labels of an MLP's parameters, per layer and neuron: ``(weight
    labels, bias label)``; see the module docstring for the conventions.
    """
    layers = len(sizes) - 1
    labels: list[list[tuple[list[str], str]]] = []
    count = 0
    for l in range(layers):
        row = []
        for j in range(sizes[l + 1]):
            nin = sizes[l]
            if naming == "net/out":
                weights = [f"w{count + k + 1}" for k in range(nin)]
                count += nin
                bias = f"b_{unit_name(l, layers, j)}"
            elif naming == "z/a":
                layer = f"⁽{str(l + 1).translate(_SUPERSCRIPTS)}⁾"
                unit = str(j + 1).translate(_SUBSCRIPTS)
                weights = [f"w{layer}{unit}{str(k + 1).translate(_SUBSCRIPTS)}" for k in range(nin)]
                bias = f"b{layer}{unit}"
            else:
                weights = [f"L{l}.N{j}.w{k}" for k in range(nin)]
                bias = f"L{l}.N{j}.b"
            row.append((weights, bias))
        labels.append(row)
    return labels
