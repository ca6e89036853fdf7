"""播放器基准: 导出文件的大小与生成时间随 "图 + 步数" 增长, 而不是 "图 × 步数".

Player benchmark: size and build time of the exported step-through player for
graphs of growing size.  One layout and a compact list of steps means the
file grows with graph + steps, not graph × steps.  Run from the repository
root:

    .venv/bin/python benchmarks/bench_player.py          # all five graphs
    .venv/bin/python benchmarks/bench_player.py --quick  # one build each

Targets: e=(a+b)(b+1) ≤ 60 KB;
the 2-2-2 network ≤ 150 KB and ≤ 0.5 s; MLP(2,[8,8,1]) on one sample ≤ 1 MB
and ≤ 1.5 s; a 1,000-Value graph ≤ 5 MB and ≤ 10 s.  Times are medians of
whole builds (recording the backward pass, one Graphviz layout, the HTML).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from micrograd_cn.demo import chain_rule_example

import micrograd_cn as mg
from micrograd_cn import examples
from micrograd_cn.nn import MLP, losses

KB = 1024


def e_graph() -> mg.Value:
    """种子 002 的 e = (a+b)(b+1). The seed's e."""
    return chain_rule_example()["e"]


def network_2_2_2() -> mg.Value:
    """种子 000 的 2-2-2 网络与误差 E_total. The 2-2-2 network's error."""
    return examples.mazur_forward(examples.mazur_network())[0]


def mlp_8_8_1() -> mg.Value:
    """MLP(2,[8,8,1]) 在一个样本上的平方误差. MLP(2,[8,8,1]) on one sample."""
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    return losses.mse([model([mg.Value(0.5, "x1"), mg.Value(-1.0, "x2")])], [1.0])


def thousand_values() -> mg.Value:
    """约 1000 个 Value: MLP(4,[27,27,1]) 在一个样本上. About 1,000 Values: MLP(4,[27,27,1]) on one sample."""
    model = MLP(4, [27, 27, 1], activation="tanh", seed=0)
    x = [mg.Value(v, f"x{k + 1}") for k, v in enumerate((0.5, -1.0, 0.25, 2.0))]
    return losses.mse([model(x)], [1.0])


GRAPHS: list[tuple[str, Callable[[], mg.Value], int, float]] = [
    ("e = (a+b)(b+1)", e_graph, 60 * KB, 1.0),
    ("2-2-2 network (seed 000)", network_2_2_2, 150 * KB, 0.5),
    ("MLP(2,[8,8,1]), one sample", mlp_8_8_1, 1024 * KB, 1.5),
    ("MLP(4,[27,27,1]), one sample", thousand_values, 5 * 1024 * KB, 10.0),
]


def measure(build: Callable[[], mg.Value], repeats: int, folder: Path) -> tuple[int, int, int, float]:
    """(Value 个数, 步数, 文件字节数, 生成时间中位数 s). Values, steps, bytes and the median build time."""
    times = []
    size = values = steps = 0
    for _ in range(repeats):
        out = build()
        start = time.perf_counter()
        recorded = mg.backward_steps(out)
        path = mg.export_html(recorded, folder / "player.html")
        times.append(time.perf_counter() - start)
        size, values, steps = path.stat().st_size, len(recorded.graph), len(recorded)
    return values, steps, size, statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="每个图只生成一次 one build per graph")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 3
    print(f"{'graph':32} {'Values':>7} {'steps':>6} {'size':>10} {'target':>9} {'build s':>8} {'target':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for name, build, size_target, time_target in GRAPHS:
            values, steps, size, seconds = measure(build, repeats, Path(folder))
            ok = "✓" if size <= size_target and seconds <= time_target else "✗"
            print(f"{name:32} {values:7d} {steps:6d} {size / KB:8.1f} KB {size_target / KB:7.0f} KB "
                  f"{seconds:8.3f} {time_target:6.1f}s {ok}")


if __name__ == "__main__":
    main()
