"""神经网络: Module 及建立在它上面的层与网络. Neural networks built on :class:`Module`."""

from .module import Module

__all__ = ["Module"]
