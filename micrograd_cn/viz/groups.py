"""在计算图里认出神经元和层: 让两层网络的图读起来像教材里的插图.

Find neurons and layers in a computation graph, from its structure alone, so
that a network's picture reads like the textbook's figure: each neuron's
weights, bias, weighted sum Σ and activation in one box, the neurons of a
layer side by side in a larger box.

A *neuron* is a ``dot`` node (the weighted sum ``net = Σ w_i x_i + b`` that
``Neuron`` builds), the leaves that feed only it (its weights and bias), and
its activation when that is the only node using the sum.  Neurons whose sums
read exactly the same inputs form a *layer*.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..graph import GraphSnapshot

ACTIVATION_OPS = frozenset({"sigmoid", "tanh", "relu", "leaky_relu", "softplus"})


@dataclass(frozen=True)
class Neuron:
    """一个神经元: 名字、Σ 节点与激活节点的位置、全部成员的位置. One neuron found in the graph."""

    name: str
    net: int
    out: int
    members: tuple[int, ...]


@dataclass(frozen=True)
class Layer:
    """一层: 编号 (从 1 起, 靠近输入的为 1) 与其中的神经元. One layer, numbered from the inputs."""

    number: int
    neurons: tuple[Neuron, ...]


def _neuron_name(graph: GraphSnapshot, net: int, out: int) -> str:
    """神经元的名字: out_h1 / net_h1 → h1, a⁽¹⁾₂ → ⁽¹⁾₂ 之外用输出节点的名字. A neuron's name."""
    for position, prefixes in ((out, ("out_", "a")), (net, ("net_", "z"))):
        name = graph.names[position]
        for prefix in prefixes:
            if name.startswith(prefix) and len(name) > len(prefix):
                return name[len(prefix):] if prefix.endswith("_") else name
    return graph.names[out]


def find_layers(graph: GraphSnapshot) -> list[Layer]:
    """图中的层与神经元 (没有 dot 节点时为空). The layers of neurons in the graph, inputs first."""
    order = graph.order
    layers: dict[tuple[int, ...], list[Neuron]] = {}
    taken: set[int] = set()
    for net, node in enumerate(order):
        if node.op != "dot":
            continue
        members = [net]
        inputs = []
        for parent in node.parents:
            j = graph.index[id(parent)]
            if not parent.parents and len(graph.consumers[j]) == 1 and j not in taken:
                members.append(j)
            else:
                inputs.append(j)
        out = net
        users = graph.consumers[net]
        if len(users) == 1 and order[users[0][0]].op in ACTIVATION_OPS:
            out = users[0][0]
            members.append(out)
        taken.update(members)
        neuron = Neuron(_neuron_name(graph, net, out), net, out, tuple(sorted(members)))
        layers.setdefault(tuple(sorted(set(inputs))), []).append(neuron)
    ordered = sorted(layers.values(), key=lambda neurons: min(n.net for n in neurons))
    return [Layer(number, tuple(neurons)) for number, neurons in enumerate(ordered, start=1)]
