"""参数初始化: 均匀 / Xavier / He 初始化; 给了种子就不碰全局随机状态, 没给就像 micrograd 一样用全局的 random.

Weight initialisation schemes.  Every scheme draws from a ``random.Random``:
the one passed in, one made from ``seed=``, or, with neither, the generator
behind Python's global ``random`` module, so that ``random.seed(1337)``
before ``MLP(2, [16, 16, 1])`` gives micrograd's weights (as
``torch.manual_seed`` does for PyTorch).

- ``"uniform"``: U(-1, 1), like micrograd (same draws as micrograd for the same seed).
- ``"xavier"`` (Glorot uniform): U(-a, a), a = √(6 / (fan_in + fan_out)); suits tanh/sigmoid.
- ``"xavier_normal"``: N(0, σ²), σ = √(2 / (fan_in + fan_out)).
- ``"he"`` (Kaiming uniform, PyTorch's ``kaiming_uniform_`` for ReLU): U(-a, a), a = √(6 / fan_in).
- ``"he_normal"`` (Kaiming normal): N(0, σ²), σ = √(2 / fan_in); suits ReLU.

Biases start at 0 in every scheme, as in micrograd.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from ..errors import fail

Scheme = Callable[[int, int, random.Random], "list[float]"]

GLOBAL_RANDOM: random.Random = random._inst  # type: ignore[attr-defined]
"""random.seed / random.uniform 背后的那个发生器. The generator behind random.seed and random.uniform."""


def _uniform(fan_in: int, fan_out: int, rng: random.Random) -> list[float]:
    """U(-1, 1), 与 micrograd 相同. micrograd's uniform(-1, 1)."""
    return [rng.uniform(-1, 1) for _ in range(fan_in)]


def _xavier(fan_in: int, fan_out: int, rng: random.Random) -> list[float]:
    """Glorot 均匀: U(-a, a), a = √(6/(fan_in+fan_out)). Glorot uniform."""
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return [rng.uniform(-a, a) for _ in range(fan_in)]


def _xavier_normal(fan_in: int, fan_out: int, rng: random.Random) -> list[float]:
    """Glorot 正态: N(0, 2/(fan_in+fan_out)). Glorot normal."""
    sigma = math.sqrt(2.0 / (fan_in + fan_out))
    return [rng.gauss(0.0, sigma) for _ in range(fan_in)]


def _he(fan_in: int, fan_out: int, rng: random.Random) -> list[float]:
    """He (Kaiming) 均匀: U(-a, a), a = √(6/fan_in). Kaiming uniform for ReLU."""
    a = math.sqrt(6.0 / fan_in)
    return [rng.uniform(-a, a) for _ in range(fan_in)]


def _he_normal(fan_in: int, fan_out: int, rng: random.Random) -> list[float]:
    """He (Kaiming) 正态: N(0, 2/fan_in). Kaiming normal for ReLU."""
    sigma = math.sqrt(2.0 / fan_in)
    return [rng.gauss(0.0, sigma) for _ in range(fan_in)]


SCHEMES: dict[str, Scheme] = {
    "uniform": _uniform,
    "xavier": _xavier,
    "xavier_normal": _xavier_normal,
    "he": _he,
    "he_normal": _he_normal,
}
"""初始化方案名 → 函数 (fan_in, fan_out, rng) → fan_in 个权重. Scheme name → weight sampler."""


def make_rng(seed: int | None = None, rng: random.Random | None = None, where: str = "make_rng") -> random.Random:
    """由种子或现成的 Random 得到随机数发生器; 都没给时用全局 random 模块的发生器 (random.seed 对它有效).

    A random generator from ``rng`` or ``seed`` (then the global ``random``
    state is not touched); with neither, the generator behind the global
    ``random`` module, so ``random.seed(s)`` makes the draws reproducible,
    as in micrograd.  ``where`` names the caller in error messages.
    """
    if rng is not None and seed is not None:
        fail(ValueError, f"{where}: seed 与 rng 只能给一个", f"{where}: give either seed or rng, not both")
    if rng is not None:
        if not isinstance(rng, random.Random):
            fail(TypeError, f"{where}: rng 必须是 random.Random, 收到 {type(rng).__name__}",
                 f"{where}: rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        fail(TypeError, f"{where}: seed 必须是整数或 None, 收到 {seed!r}",
             f"{where}: seed must be an int or None, got {seed!r}")
    if seed is None:
        return GLOBAL_RANDOM
    return random.Random(seed)


def init_weights(scheme: str, fan_in: int, fan_out: int, rng: random.Random) -> list[float]:
    """按方案抽取一个神经元的 fan_in 个初始权重. Draw one neuron's ``fan_in`` initial weights."""
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        valid = ", ".join(SCHEMES)
        fail(ValueError, f"未知的初始化方案 {scheme!r}; 可选: {valid}",
             f"unknown initialisation {scheme!r}; valid schemes: {valid}")
    return SCHEMES[scheme](fan_in, fan_out, rng)
