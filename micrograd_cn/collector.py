"""在热点路径上暂停 Python 的循环垃圾回收器, 结束后恢复用户原来的设置.

Pausing Python's cyclic garbage collector in hot paths.

A Value holds its parents in a tuple and nothing points back, so a graph has
no reference cycles: reference counting alone frees it.  The cyclic collector
still walks every live node on each full collection, which can cost more than
the arithmetic itself while a large graph is being built or traversed.  The
engine's own hot paths (``backward()``, a model's forward pass, a training
step) therefore run with the collector paused and restore the user's setting
afterwards, whatever it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """暂停循环垃圾回收器 (gc), 退出时恢复原状态; 可以嵌套.

    Pause the cyclic garbage collector; restore the previous state on exit.
    Nesting is safe: only the outermost block re-enables it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
