"""循环网络基准: 隐藏维 8 的 LSTM 沿 T 步展开, 前向 + 反向 (BPTT) 的耗时.

Recurrent benchmark: an LSTM with hidden size 8 (input size 4) unrolled over
T time steps, forward + backward (BPTT), timed for

- micrograd_cn (``nn.RNN(cell="lstm")``, one ``dot`` node per gate row);
- PyTorch with scalar tensors: every weight a 0-d float64 tensor and the same
  scalar operations (products and sums per gate row, sigmoid, tanh), i.e.
  PyTorch used the way micrograd_cn is used;
- ``torch.nn.LSTM`` (float64, one unbatched sequence) with the same weights,
  for reference.

The three agree on the loss (checked).  Then T=1000 shows that depth is no
problem for the iterative backward pass.  Run from the repository root:

    .venv/bin/python benchmarks/bench_rnn.py            # T=50 (7 runs) and T=1000
    .venv/bin/python benchmarks/bench_rnn.py --quick    # fewer runs

Timings are medians of several runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
from micrograd_cn.dynamics import random_sequence

import micrograd_cn as mg
from micrograd_cn.nn import RNN
from micrograd_cn.nn.recurrent_torch import rnn_to_torch

NIN, NH = 4, 8


def timed(run: Callable[[], float], repeats: int) -> tuple[float, float]:
    """运行 repeats 次, 返回 (中位数秒数, 损失). Median seconds over ``repeats`` runs, and the loss."""
    times, loss = [], 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        loss = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), loss


def micrograd_cn_run(model: RNN, xs: list[list[float]]) -> Callable[[], float]:
    def run() -> float:
        model.zero_grad()
        outputs, _ = model(xs)
        loss = mg.sum(outputs[-1])
        loss.backward()
        return loss.data
    return run


def scalar_torch_run(model: RNN, xs: list[list[float]]) -> Callable[[], float]:
    """同样的标量运算, 每个权重是一个 0 维张量. The same scalar ops on 0-d tensors."""
    def tensors(rows: list) -> list[list[torch.Tensor]]:
        return [[torch.tensor(v.data, dtype=torch.float64, requires_grad=True) for v in row] for row in rows]

    cell = model.cells[0]
    w_ih, w_hh = tensors(cell.weight_ih), tensors(cell.weight_hh)
    b_ih, b_hh = tensors([cell.bias_ih])[0], tensors([cell.bias_hh])[0]
    inputs = [[torch.tensor(x, dtype=torch.float64) for x in row] for row in xs]
    zero = torch.tensor(0.0, dtype=torch.float64)

    def run() -> float:
        for p in (*[w for row in w_ih + w_hh for w in row], *b_ih, *b_hh):
            p.grad = None
        h, c = [zero] * NH, [zero] * NH
        for x in inputs:
            pre = []
            for row in range(4 * NH):
                acc = b_ih[row] + b_hh[row]
                for w, v in zip(w_ih[row], x):
                    acc = acc + w * v
                for w, v in zip(w_hh[row], h):
                    acc = acc + w * v
                pre.append(acc)
            i = [torch.sigmoid(a) for a in pre[:NH]]
            f = [torch.sigmoid(a) for a in pre[NH:2 * NH]]
            g = [torch.tanh(a) for a in pre[2 * NH:3 * NH]]
            o = [torch.sigmoid(a) for a in pre[3 * NH:]]
            c = [f[j] * c[j] + i[j] * g[j] for j in range(NH)]
            h = [o[j] * torch.tanh(c[j]) for j in range(NH)]
        loss = sum(h[1:], h[0])
        loss.backward()
        return loss.item()
    return run


def torch_lstm_run(model: RNN, xs: list[list[float]]) -> Callable[[], float]:
    module = rnn_to_torch(model)
    inputs = torch.tensor(xs, dtype=torch.float64)

    def run() -> float:
        module.zero_grad()
        outputs, _ = module(inputs)
        loss = outputs[-1].sum()
        loss.backward()
        return loss.item()
    return run


def nodes_of(model: RNN, xs: list[list[float]]) -> int:
    outputs, _ = model(xs)
    return len(mg.topological_order(mg.sum(outputs[-1])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    torch.set_num_threads(1)
    print(f"LSTM nin={NIN} nh={NH}, forward + backward, median of {repeats} runs (seconds)")
    print(f"{'T':>5} {'nodes':>8} {'micrograd_cn':>13} {'torch scalars':>14} {'torch.nn.LSTM':>14}  loss check")
    for steps, scalar in ((50, True), (1000, not args.quick)):
        model = RNN(NIN, NH, cell="lstm", seed=0)
        xs = random_sequence(steps, NIN, seed=1)
        ours, loss = timed(micrograd_cn_run(model, xs), repeats if steps <= 50 else 3)
        if scalar:
            theirs, scalar_loss = timed(scalar_torch_run(model, xs), repeats if steps <= 50 else 1)
            scalar_text = f"{theirs:14.4f}"
        else:
            scalar_text, scalar_loss = f"{'—':>14}", loss
        reference, reference_loss = timed(torch_lstm_run(model, xs), repeats)
        agree = abs(loss - reference_loss) < 1e-10 and abs(loss - scalar_loss) < 1e-10
        print(f"{steps:>5} {nodes_of(model, xs):>8} {ours:13.4f} {scalar_text} {reference:14.4f}  "
              f"{'equal' if agree else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
