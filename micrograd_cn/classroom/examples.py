"""课程中的算例: 2-2-2 网络 (Mazur)、2-3-1 网络、XOR 与 moons 演示, 每个都可直接运行.

The syllabus's worked examples as ready functions.

- :func:`mazur_network` / :func:`mazur_step` / :func:`mazur_train`: the 2-2-2
  sigmoid network with the published weights (M. Mazur's step-by-step example).
- :func:`net_2_3_1` / :func:`net_2_3_1_step`: the 2-3-1 sigmoid network written
  with NumPy in the syllabus, rebuilt from scalar Values.
- :func:`xor_demo`: a two-layer network learning XOR.
- :func:`moons_demo`: micrograd's demo, MLP(2, [16, 16, 1]) on the moons data.

Each ``*_step`` function returns plain numbers in dictionaries whose keys
follow the textbook's names, so they can be printed or checked directly.
"""

from __future__ import annotations

from typing import Any

from ..backprop.deltas import pre_activation
from ..collector import collector_paused
from ..engine import Value
from ..nn import datasets
from ..nn.layers import MLP
from ..nn.losses import hinge, l2_penalty, mse
from ..nn.optim import SGD
from ..nn.train import binary_accuracy

# ---- 2-2-2 网络 the 2-2-2 network ---------------------------------------------------------

MAZUR_INPUTS = [0.05, 0.10]
"""输入 i1, i2. The inputs i1, i2."""
MAZUR_TARGETS = [0.01, 0.99]
"""目标 t1, t2. The targets t1, t2."""
MAZUR_WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30,
                 "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
"""初始权重 (initial weights):
h1 = σ(w1·i1 + w2·i2 + b1), h2 = σ(w3·i1 + w4·i2 + b1), o1 = σ(w5·h1 + w6·h2 + b2), o2 = σ(w7·h1 + w8·h2 + b2).
"""
MAZUR_BIASES = {"b1": 0.35, "b2": 0.60}
"""共享偏置: b1 进入两个隐藏神经元, b2 进入两个输出神经元. Shared biases."""
MAZUR_LR = 0.5
"""学习率. The learning rate."""


def mazur_network() -> MLP:
    """2-2-2 sigmoid 网络, 权重取教材的值; 共享偏置 b1 (b2) 成为两个相等的逐神经元偏置.

    The 2-2-2 sigmoid network with the textbook weights.  The shared bias
    ``b1`` becomes two equal per-neuron biases (labelled ``b1(h1)``,
    ``b1(h2)``); since both start equal and receive the gradients that the
    shared ``b1`` would collect, ``∂E/∂b1`` is the sum of their gradients.
    """
    w, b = MAZUR_WEIGHTS, MAZUR_BIASES
    model = MLP.from_weights([[[w["w1"], w["w2"]], [w["w3"], w["w4"]]],
                              [[w["w5"], w["w6"]], [w["w7"], w["w8"]]]],
                             [[b["b1"], b["b1"]], [b["b2"], b["b2"]]],
                             activation="sigmoid", output_activation="sigmoid")
    for name, value in mazur_weights(model).items():
        value.label = name
    for layer, bias, units in zip(model.layers, ("b1", "b2"), (("h1", "h2"), ("o1", "o2"))):
        for neuron, unit in zip(layer.neurons, units):
            neuron.b.label = f"{bias}({unit})"
    return model


def mazur_weights(model: MLP) -> dict[str, Value]:
    """教材名字 w1…w8 → 网络中对应的权重 Value. The textbook names w1…w8 → the weight Values."""
    weights = [w for layer in model.layers for neuron in layer.neurons for w in neuron.w]
    return {f"w{k + 1}": w for k, w in enumerate(weights)}


def mazur_forward(model: MLP) -> tuple[Value, dict[str, Value]]:
    """前向传播: 返回误差 E = ½Σ(t−o)² 与中间值 h1, h2, o1, o2. The forward pass: E and h1, h2, o1, o2."""
    hidden = model.layers[0](MAZUR_INPUTS)
    out = model.layers[1](hidden)
    error = mse(out, MAZUR_TARGETS)
    values = dict(zip(("h1", "h2", "o1", "o2"), [*hidden, *out]))
    return error, values


def mazur_step(model: MLP | None = None, lr: float = MAZUR_LR) -> dict[str, Any]:
    """一步梯度下降 (只更新权重): 前向值、E、全部梯度、更新后的权重与更新后的 E.

    One gradient-descent step on the weights only (the biases stay fixed, as
    in the textbook).  Returns ``forward`` (h1, h2, o1, o2, E), ``grads``
    (w1…w8 and the shared biases' b1, b2, each the sum of its two per-neuron
    gradients), ``weights_after_one_step`` and ``E_after_one_step``.
    """
    model = model if model is not None else mazur_network()
    weights = mazur_weights(model)
    error, values = mazur_forward(model)
    model.zero_grad()
    error.backward()
    grads = {name: w.grad for name, w in weights.items()}
    for layer, bias in zip(model.layers, ("b1", "b2")):
        grads[bias] = sum(neuron.b.grad for neuron in layer.neurons)
    SGD(list(weights.values()), lr=lr).step()
    return {"forward": {**{k: v.data for k, v in values.items()}, "E": error.data},
            "grads": grads,
            "weights_after_one_step": {name: w.data for name, w in weights.items()},
            "E_after_one_step": mazur_forward(model)[0].data}


def mazur_train(steps: int = 10_000, lr: float = MAZUR_LR) -> dict[str, float]:
    """从教材权重出发只更新权重训练 steps 步, 返回最终的 E, o1, o2.

    Train the weights only (biases fixed) for ``steps`` full steps from the
    textbook weights; return the final ``E``, ``o1``, ``o2``.
    """
    model = mazur_network()
    optimizer = SGD(list(mazur_weights(model).values()), lr=lr)
    for _ in range(steps):
        error, _ = mazur_forward(model)
        optimizer.zero_grad()
        error.backward()
        optimizer.step()
    error, values = mazur_forward(model)
    return {"E": error.data, "o1": values["o1"].data, "o2": values["o2"].data}


# ---- 2-3-1 网络 the 2-3-1 network -------------------------------------------------------------

NET_2_3_1 = {
    "x": [0.4, 0.5],
    "W": [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]],
    "B1": [0.1, 0.2, 0.3],
    "V": [0.1, 0.2, 0.3],
    "B2": 0.1,
    "label": 1.0,
    "lr": 0.01,
}
"""2-3-1 网络的数据: W 是 2×3, W[i][j] 从输入 i 到隐藏神经元 j (net1 = x·W + B1); V 从隐藏层到输出.

The 2-3-1 network's numbers: ``W[i][j]`` connects input ``i`` to hidden unit ``j``.
"""


def net_2_3_1() -> MLP:
    """2-3-1 sigmoid 网络: 隐藏神经元 j 的权重是 W 的第 j 列 (MLP 按 "进入神经元 j" 的行存储).

    The 2-3-1 sigmoid network.  The textbook's ``W`` is input × hidden, so
    hidden neuron ``j`` gets column ``j`` of ``W``.  Parameters and nodes
    carry the textbook's names (``W11``…``W23``, ``B1_1``…, ``V1``…, ``B2``;
    ``net1_j``, ``H_j``, ``net2``, ``Y``).
    """
    w = NET_2_3_1["W"]
    model = MLP.from_weights([_transpose(w), [NET_2_3_1["V"]]], [NET_2_3_1["B1"], [NET_2_3_1["B2"]]],
                             activation="sigmoid", output_activation="sigmoid")
    hidden, output = model.layers[0].neurons, model.layers[1].neurons[0]
    for j, neuron in enumerate(hidden):  # 教材的名字 the textbook's names: W11…W23, B1_1…, V1…, net1_j, H_j
        for i, weight in enumerate(neuron.w):
            weight.label = f"W{i + 1}{j + 1}"
        neuron.b.label = f"B1_{j + 1}"
        neuron.net_label, neuron.out_label = f"net1_{j + 1}", f"H_{j + 1}"
    for j, weight in enumerate(output.w):
        weight.label = f"V{j + 1}"
    output.b.label = "B2"
    output.net_label, output.out_label = "net2", "Y"
    return model


def net_2_3_1_step(model: MLP | None = None, lr: float | None = None) -> dict[str, Any]:
    """一步梯度下降: 前向值 net1, H, net2, Y, J; 梯度 (W 按教材的 2×3 布局); 更新后的参数.

    One gradient-descent step on every parameter of the 2-3-1 network.
    Returns ``forward`` (net1, H, net2, Y, J), ``grads`` and
    ``after_one_step`` (W, B1, V, B2), with ``W`` in the textbook's
    input × hidden layout.
    """
    model = model if model is not None else net_2_3_1()
    hidden_layer, output_layer = model.layers
    H = hidden_layer(NET_2_3_1["x"])
    Y = output_layer(H)
    J = mse(Y, NET_2_3_1["label"])
    J.label = "J"
    model.zero_grad()
    J.backward()
    forward = {"net1": [pre_activation(h).data for h in H], "H": [h.data for h in H],
               "net2": pre_activation(Y).data, "Y": Y.data, "J": J.data}
    grads = _net_2_3_1_numbers(model, "grad")
    SGD(model.parameters(), lr=lr if lr is not None else NET_2_3_1["lr"]).step()
    return {"forward": forward, "grads": grads, "after_one_step": _net_2_3_1_numbers(model, "data")}


def _net_2_3_1_numbers(model: MLP, field: str) -> dict[str, Any]:
    """按教材布局读出参数的 data 或 grad. The parameters' data or grad in the textbook layout."""
    hidden, output = model.layers[0].neurons, model.layers[1].neurons[0]
    return {"W": _transpose([[getattr(w, field) for w in n.w] for n in hidden]),
            "B1": [getattr(n.b, field) for n in hidden],
            "V": [getattr(v, field) for v in output.w],
            "B2": getattr(output.b, field)}


def _transpose(matrix: list[list[float]]) -> list[list[float]]:
    """矩阵转置. Matrix transpose."""
    return [list(column) for column in zip(*matrix)]


# ---- 训练演示 training demos ------------------------------------------------------------------


def accuracy(model: MLP, X: list[list[float]], y: list[int], threshold: float = 0.0) -> float:
    """二分类准确率: 输出 > threshold 判为正类 (标签 1 或 +1). Binary accuracy of a one-output model."""
    return binary_accuracy([model.predict(x) for x in X], y, threshold)


def xor_demo(seed: int = 0, epochs: int = 2000, lr: float = 0.5) -> dict[str, Any]:
    """两层网络学会异或: 2-4-1, tanh 隐藏层 + sigmoid 输出, ½Σ(t−o)² 误差, 累积 BP (整批更新) 带动量.

    A two-layer network (2-4-1, tanh hidden, sigmoid output) learns XOR with
    the squared error, one full-batch (accumulated) update per epoch, SGD
    with momentum 0.9.  Stops once all four points are right with error
    below 0.01.  Returns the model, the epochs used, the final error, the
    accuracy and the error history.
    """
    X, y = datasets.xor()
    model = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=seed)
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    history: list[float] = []
    for _ in range(epochs):
        error = mse([model(x) for x in X], y)
        history.append(error.data)
        optimizer.zero_grad()
        error.backward()
        optimizer.step()
        if error.data < 0.01 and accuracy(model, X, y, threshold=0.5) == 1.0:
            break
    return {"model": model, "epochs": len(history), "error": mse([model.predict(x) for x in X], y).data,
            "accuracy": accuracy(model, X, y, threshold=0.5), "history": history}


def moons_demo(seed: int = 0, steps: int = 100, n: int = 100, noise: float = 0.1) -> dict[str, Any]:
    """micrograd 的演示: MLP(2,[16,16,1]) 在 moons 上, 最大间隔损失 + 1e-4·Σp², 学习率 1.0 − 0.9·k/steps.

    micrograd's demo: MLP(2, [16, 16, 1]) on ``n`` moons points (labels ±1),
    max-margin loss plus ``1e-4·Σp²``, full-batch SGD whose learning rate
    decays as ``1.0 − 0.9·k/steps``.  Returns the model, the data, the final
    loss and training accuracy, and the loss and accuracy histories.
    """
    X, y = datasets.moons(n, noise=noise, seed=seed, labels="pm1")
    model = MLP(2, [16, 16, 1], seed=seed)
    optimizer = SGD(model.parameters(), lr=1.0)
    losses: list[float] = []
    accuracies: list[float] = []
    for k in range(steps):
        with collector_paused():  # 图中没有引用环, 暂停循环回收更快. No cycles: skip the cyclic collector.
            scores = [model(x) for x in X]
            loss = hinge(scores, y) + l2_penalty(model, 1e-4)
        losses.append(loss.data)
        accuracies.append(binary_accuracy([s.data for s in scores], y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * k / steps
        optimizer.step()
    return {"model": model, "X": X, "y": y, "loss": losses[-1], "accuracy": accuracy(model, X, y),
            "losses": losses, "accuracies": accuracies}


__all__ = ["MAZUR_BIASES", "MAZUR_INPUTS", "MAZUR_LR", "MAZUR_TARGETS", "MAZUR_WEIGHTS", "NET_2_3_1",
           "accuracy", "mazur_forward", "mazur_network", "mazur_step", "mazur_train", "mazur_weights",
           "moons_demo", "net_2_3_1", "net_2_3_1_step", "xor_demo"]
