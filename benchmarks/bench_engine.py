"""引擎基准: micrograd 0.1.0 与 micrograd_cn 在同一进程、同一工作量下并排计时.

Engine benchmark: PyPI ``micrograd==0.1.0`` and micrograd_cn side by side, in
one process, on the same workloads.  Run from the repository root:

    .venv/bin/python benchmarks/bench_engine.py            # everything (~1 minute)
    .venv/bin/python benchmarks/bench_engine.py --quick    # fewer repetitions

(a) micrograd's demo step: MLP(2, [16, 16, 1]) on 100 two-moons points,
    max-margin loss + 1e-4·Σp², SGD update; forward, backward and update timed
    separately over consecutive steps, with Python's GC at its defaults and
    with the GC off.  micrograd_cn runs the step twice: written idiomatically
    (``mg.mean``, ``mg.dot``) and as micrograd's code with only the imports
    changed.
(b) bytes per op node on chains of 10^6 operations (tracemalloc).
(c) deep chains: the depth at which micrograd's recursive backward dies, and
    micrograd_cn's backward time at 10^4, 10^5 and 10^6 nodes.
(d) micrograd's demo training loop (lr decaying from 1.0, accuracy computed
    each step) in training samples per second, micrograd vs micrograd_cn
    running the same code, and micrograd_cn's own ``fit`` in accumulated mode.

Timings are medians; ratios are micrograd time / micrograd_cn time.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from micrograd.engine import Value as MicroValue
from micrograd.nn import MLP as MicroMLP
from micrograd_cn.datasets import moons

import micrograd_cn as mg
from micrograd_cn.nn import MLP

ALPHA = 1e-4
Phases = dict[str, float]


# ---- (a) micrograd 的演示训练步 the demo training step ------------------------------------


def demo_loss(model: Any, value: type, X: list, y: list) -> tuple[Any, list]:
    """micrograd 演示的损失 (代码原样, 只换 import); 返回 (总损失, 各点得分). micrograd's demo loss, verbatim."""
    inputs = [list(map(value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss, scores


def micrograd_style_step(model: Any, value: type, X: list, y: list, lr: float) -> Phases:
    """micrograd 演示中的一步 (代码原样, 只换 import). One step of micrograd's demo, verbatim."""
    t0 = time.perf_counter()
    total_loss, _ = demo_loss(model, value, X, y)
    t1 = time.perf_counter()
    model.zero_grad()
    total_loss.backward()
    t2 = time.perf_counter()
    for p in model.parameters():
        p.data -= lr * p.grad
    t3 = time.perf_counter()
    return {"forward": t1 - t0, "backward": t2 - t1, "update": t3 - t2, "loss": total_loss.data}


def idiomatic_step(model: MLP, value: type, X: list, y: list, lr: float) -> Phases:
    """同一步, micrograd_cn 的写法: 输入是常数, 求和与正则各是一个节点. The same step, idiomatic."""
    t0 = time.perf_counter()
    params = model.parameters()
    scores = [model(x) for x in X]
    data_loss = mg.mean([(1 - yi * score).relu() for yi, score in zip(y, scores)])
    total_loss = data_loss + ALPHA * mg.dot(params, params)
    t1 = time.perf_counter()
    model.zero_grad()
    total_loss.backward()
    t2 = time.perf_counter()
    for p in params:
        p.data -= lr * p.grad
    t3 = time.perf_counter()
    return {"forward": t1 - t0, "backward": t2 - t1, "update": t3 - t2, "loss": total_loss.data}


def copy_weights(source: Any, target: MLP) -> None:
    """把 micrograd 模型的权重复制到 micrograd_cn 模型 (参数顺序相同). Same parameter order."""
    for p, q in zip(source.parameters(), target.parameters(), strict=True):
        q.data = p.data


def run_steps(step: Callable[..., Phases], model: Any, value: type, X: list, y: list,
              steps: int, gc_enabled: bool) -> dict[str, float]:
    """连续跑若干步 (中间不强制回收), 返回各阶段的中位数. Median phase times over consecutive steps."""
    gc.collect()
    (gc.enable if gc_enabled else gc.disable)()
    try:
        step(model, value, X, y, 0.0)  # 预热 warm-up (lr 0 keeps the weights)
        records = [step(model, value, X, y, 0.0) for _ in range(steps)]
    finally:
        gc.enable()
    medians = {phase: statistics.median(r[phase] for r in records) for phase in ("forward", "backward", "update")}
    medians["step"] = statistics.median(r["forward"] + r["backward"] + r["update"] for r in records)
    medians["loss"] = records[-1]["loss"]
    return medians


def bench_demo_step(quick: bool) -> None:
    print("(a) micrograd 演示训练步 demo step: MLP(2,[16,16,1]), 100 moons points, "
          "max-margin + 1e-4·Σp², SGD")
    X, labels = moons(n=100, noise=0.1, seed=1)
    y = [1.0 if label > 0 else -1.0 for label in labels]
    random.seed(1337)
    micro_model = MicroMLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1])
    copy_weights(micro_model, ours)
    micro_steps, our_steps = (2, 5) if quick else (5, 20)
    header = f"{'engine / code':<34}{'GC':<6}{'forward':>10}{'backward':>10}{'update':>10}{'step':>10}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for gc_enabled in (True, False):
        mode = "on" if gc_enabled else "off"
        base = run_steps(micrograd_style_step, micro_model, MicroValue, X, y, micro_steps, gc_enabled)
        rows = [("micrograd 0.1.0", base),
                ("micrograd_cn, micrograd's code", run_steps(micrograd_style_step, ours, mg.Value, X, y,
                                                             our_steps, gc_enabled)),
                ("micrograd_cn, idiomatic", run_steps(idiomatic_step, ours, mg.Value, X, y,
                                                      our_steps, gc_enabled))]
        for name, r in rows:
            ratio = base["step"] / r["step"]
            print(f"{name:<34}{mode:<6}{r['forward'] * 1e3:>9.1f}ms{r['backward'] * 1e3:>8.1f}ms"
                  f"{r['update'] * 1e3:>8.2f}ms{r['step'] * 1e3:>8.1f}ms{ratio:>7.1f}×")
        losses = {name: r["loss"] for name, r in rows}
        spread = max(losses.values()) - min(losses.values())
        print(f"   (same weights, same loss: {base['loss']:.12f}; max difference {spread:.1e})")
    print()


# ---- (b) 每个运算节点的内存 bytes per op node -----------------------------------------------

CHAINS: dict[str, Callable[[Any, Any], Any]] = {
    "y = y * 1.0000001": lambda y, x: y * 1.0000001,
    "y = y + x": lambda y, x: y + x,
    "y = y * x": lambda y, x: y * x,
    "y = y.relu()": lambda y, x: y.relu(),
}


def bytes_per_node(value: type, step: Callable[[Any, Any], Any], n: int) -> float:
    """建一条 n 个运算的链, tracemalloc 量出每个运算占用的字节数. Traced bytes per op."""
    gc.collect()
    tracemalloc.start()
    x, y = value(1e-7), value(0.5)
    for _ in range(n):
        y = step(y, x)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del y
    return current / n


def step_graph_bytes(step: Callable[..., Phases], model: Any, value: type, X: list, y: list) -> int:
    """演示训练步的计算图 (前向 + 反向后) 占用的字节数. Traced bytes of one demo step's graph."""
    gc.collect()
    tracemalloc.start()
    step(model, value, X, y, 0.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def bench_memory(quick: bool) -> None:
    n = 10**5 if quick else 10**6
    print(f"(b) 每个运算节点的内存 bytes per op node, chains of {n:,} ops (tracemalloc)")
    header = f"{'chain':<34}{'micrograd':>12}{'micrograd_cn':>14}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, step in CHAINS.items():
        theirs, ours = bytes_per_node(MicroValue, step, n), bytes_per_node(mg.Value, step, n)
        print(f"{name:<34}{theirs:>10.0f} B{ours:>12.0f} B{theirs / ours:>7.2f}×")
    X, labels = moons(n=100, noise=0.1, seed=1)
    y = [1.0 if label > 0 else -1.0 for label in labels]
    random.seed(1337)
    micro_model, ours_model = MicroMLP(2, [16, 16, 1]), MLP(2, [16, 16, 1])
    theirs = step_graph_bytes(micrograd_style_step, micro_model, MicroValue, X, y)
    ours = step_graph_bytes(idiomatic_step, ours_model, mg.Value, X, y)
    print(f"{'demo step graph (peak, whole step)':<34}{theirs / 1e6:>9.1f} MB"
          f"{ours / 1e6:>11.1f} MB{theirs / ours:>7.1f}×")
    print()


# ---- (c) 深链 deep chains -----------------------------------------------------------------


def chain(value: type, depth: int) -> tuple[Any, Any]:
    """深度为 depth 的链 y = y * c. A chain of ``depth`` ops; returns (input, output)."""
    x = value(0.5)
    y = x
    for _ in range(depth):
        y = y * 1.0000001
    return x, y


def micrograd_survives(depth: int) -> bool:
    """micrograd 的递归拓扑排序能否处理这个深度. Whether micrograd's backward survives."""
    _, y = chain(MicroValue, depth)
    try:
        y.backward()
    except RecursionError:
        return False
    return True


def deepest_micrograd_chain(limit: int = 100_000) -> int:
    """二分查找 micrograd 还能反向传播的最大深度. Binary search for micrograd's deepest chain."""
    low, high = 1, limit
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if micrograd_survives(middle) else (low, middle - 1)
    return low


def backward_seconds(depth: int, repeats: int) -> float:
    """micrograd_cn 在深度为 depth 的链上反向传播的中位时间. Median backward time."""
    times = []
    for _ in range(repeats):
        x, y = chain(mg.Value, depth)
        start = time.perf_counter()
        y.backward()
        times.append(time.perf_counter() - start)
        assert abs(x.grad - 1.0000001**depth) < 1e-6 * x.grad
    return statistics.median(times)


def bench_deep(quick: bool) -> None:
    print(f"(c) 深链 deep chains (sys.getrecursionlimit() = {sys.getrecursionlimit()})")
    print(f"micrograd 0.1.0: deepest chain whose backward works = {deepest_micrograd_chain():,} ops "
          f"(RecursionError beyond)")
    repeats = 1 if quick else 3
    seconds = {depth: backward_seconds(depth, repeats) for depth in (10**4, 10**5, 10**6)}
    for depth, t in seconds.items():
        print(f"micrograd_cn backward, {depth:>9,} nodes: {t * 1e3:8.1f} ms  ({t / depth * 1e9:.0f} ns/node)")
    linearity = seconds[10**6] / (10 * seconds[10**5])
    print(f"t(10^6) / (10·t(10^5)) = {linearity:.2f}  (1.00 = perfectly linear)")
    print()


# ---- (d) 训练循环 the training loop ---------------------------------------------------------


def demo_training_loop(model: Any, value: type, X: list, y: list, steps: int) -> float:
    """micrograd 演示的训练循环 (每步算准确率, 学习率从 1.0 递减); 返回最后的损失. micrograd's demo loop."""
    for k in range(steps):
        total_loss, scores = demo_loss(model, value, X, y)
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / steps
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    print(f"   {type(model).__module__}: loss {total_loss.data:.4f}, accuracy {sum(accuracy) / len(accuracy):.0%}")
    return total_loss.data


def samples_per_second(run: Callable[[], object], samples: int) -> float:
    """跑一次训练, 返回每秒处理的训练样本数 (先回收上一次运行留下的垃圾). Samples per second of one run."""
    gc.collect()  # 上一个引擎留下的环状垃圾不算在这次头上. Not this run's garbage.
    start = time.perf_counter()
    run()
    return samples / (time.perf_counter() - start)


def bench_training(quick: bool) -> None:
    steps = 5 if quick else 20
    print(f"(d) micrograd 演示训练循环 demo training loop: {steps} steps × 100 samples, GC at its defaults")
    X, labels = moons(n=100, noise=0.1, seed=1)
    y = [1.0 if label > 0 else -1.0 for label in labels]
    random.seed(1337)
    micro_model = MicroMLP(2, [16, 16, 1])
    ours, ours_fit = MLP(2, [16, 16, 1]), MLP(2, [16, 16, 1])
    copy_weights(micro_model, ours)
    copy_weights(micro_model, ours_fit)
    samples = steps * len(X)
    rates = {
        "micrograd 0.1.0, its demo loop": samples_per_second(
            lambda: demo_training_loop(micro_model, MicroValue, X, y, steps), samples),
        "micrograd_cn, the same loop": samples_per_second(
            lambda: demo_training_loop(ours, mg.Value, X, y, steps), samples),
        "micrograd_cn, fit(mode='accumulated')": samples_per_second(
            lambda: mg.fit(ours_fit, X, y, loss="hinge", l2=ALPHA, lr=0.5, epochs=steps, mode="accumulated",
                           shuffle=False, metrics=None), samples),
    }
    base = rates["micrograd 0.1.0, its demo loop"]
    for name, rate in rates.items():
        print(f"{name:<40}{rate:>10,.0f} samples/s{rate / base:>8.1f}×")
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, 10^5-node memory chains")
    parser.add_argument("--only", choices=("step", "memory", "deep", "train"), help="run one part only")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, micrograd 0.1.0 vs micrograd_cn {mg.__version__}\n")
    parts = {"step": bench_demo_step, "memory": bench_memory, "deep": bench_deep, "train": bench_training}
    for name, part in parts.items():
        if args.only in (None, name):
            part(args.quick)


if __name__ == "__main__":
    main()
