"""神经网络: Module 及建立在它上面的层、网络与损失函数. Neural networks built on :class:`Module`."""

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
]
