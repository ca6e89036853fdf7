"""神经网络与训练: Module、层、网络、损失、优化器 (nn.optim)、训练循环 (nn.train)、数据集、PyTorch 桥接.

Neural networks and their training: :class:`Module` and the layers,
networks and losses built on it, optimizers (``nn.optim``), the training
loop (``nn.train``), datasets and the PyTorch bridge.  May import the core
only: nothing here draws (no ``viz``) or records the backward pass.
"""

from .activations import ACTIVATIONS, get_activation
from .init import SCHEMES
from .layers import MLP, Layer, Neuron
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    l1,
    l2_penalty,
    log_softmax,
    logsumexp,
    max_margin,
    mse,
    regularized_error,
    softmax,
)
from .module import Module
from .recurrent import RNN, GRUCell, LSTMCell, RNNCell
from .spelling import micrograd_repr

__all__ = [
    # 基类与网络 base class and networks
    "Module", "Neuron", "Layer", "MLP",
    # 激活与初始化 activations and initialisation
    "ACTIVATIONS", "SCHEMES", "get_activation",
    # 损失 losses
    "mse", "l1", "binary_cross_entropy", "binary_cross_entropy_with_logits", "softmax", "log_softmax",
    "logsumexp", "cross_entropy", "hinge", "max_margin", "l2_penalty", "regularized_error",
    # 循环网络 recurrent networks
    "RNNCell", "GRUCell", "LSTMCell", "RNN",
    # micrograd 的打印写法 micrograd's printed spelling
    "micrograd_repr",
]
