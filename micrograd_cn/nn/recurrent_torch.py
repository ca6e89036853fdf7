"""与 PyTorch 交换循环网络的权重: RNN ↔ torch.nn.RNN / GRU / LSTM (float64).

Weight exchange between :class:`~micrograd_cn.nn.recurrent.RNN` and
``torch.nn.RNN`` / ``nn.GRU`` / ``nn.LSTM``.  Both sides store the same
matrices in the same layout (gate blocks r, z, n or i, f, g, o), so every
scalar maps to exactly one tensor entry: PyTorch's ``weight_ih_l{k}``,
``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` (with ``_reverse``
for the backward direction) are ``model.cells[k·D + d]``'s ``weight_ih``,
``weight_hh``, ``bias_ih``, ``bias_hh``.

The PyTorch module is built in float64; feed it one unbatched sequence of
shape ``(T, nin)``.  torch is imported only when these functions run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine import Value
from ..errors import fail
from .bridge import torch_module
from .recurrent import RNN

_TORCH_CLASSES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}
_PARAMETER_KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def torch_parameter_name(kind: str, layer: int, reverse: bool) -> str:
    """PyTorch 中的参数名, 如 weight_hh_l1_reverse. PyTorch's name of a parameter."""
    return f"{kind}_l{layer}{'_reverse' if reverse else ''}"


def parameter_pairs(model: RNN, module: Any) -> Iterator[tuple[list[list[Value]], Any]]:
    """逐个给出 (我们的参数矩阵, 对应的 torch 参数); 偏置当作一列的矩阵.

    Yield ``(our Values as rows × columns, the matching torch Parameter)``
    for every parameter tensor; a bias is given as a one-column matrix.
    """
    for index, cell in enumerate(model.cells):
        layer, direction = divmod(index, model.directions)
        for kind in _PARAMETER_KINDS:
            ours = getattr(cell, kind)
            rows = ours if kind.startswith("weight") else [[v] for v in ours]
            yield rows, getattr(module, torch_parameter_name(kind, layer, bool(direction)))


def rnn_to_torch(model: RNN) -> Any:
    """建一个权重相同的 torch.nn.RNN / GRU / LSTM (float64). A PyTorch copy of ``model``.

    Returns ``torch.nn.RNN`` (with the same ``nonlinearity``), ``nn.GRU`` or
    ``nn.LSTM`` with ``num_layers``, ``bidirectional`` and every weight equal
    to ``model``'s, in float64.  The forget-gate bias needs no special care:
    ``b_if`` and ``b_hf`` are copied as they are.
    """
    if not isinstance(model, RNN):
        fail(TypeError, f"rnn_to_torch: 需要 micrograd_cn.nn.RNN, 收到 {type(model).__name__}",
             f"rnn_to_torch needs a micrograd_cn.nn.RNN, got {type(model).__name__}")
    torch = torch_module()
    options: dict[str, Any] = {"num_layers": model.num_layers, "bidirectional": model.bidirectional,
                               "dtype": torch.float64}
    if model.cell == "rnn":
        options["nonlinearity"] = model.activation
    module = getattr(torch.nn, _TORCH_CLASSES[model.cell])(model.nin, model.nh, **options)
    with torch.no_grad():
        for rows, parameter in parameter_pairs(model, module):
            values = torch.tensor([[v.data for v in row] for row in rows], dtype=torch.float64)
            parameter.copy_(values.reshape(parameter.shape))
    return module


def rnn_from_torch(module: Any) -> RNN:
    """由 torch.nn.RNN / GRU / LSTM 建一个权重相同的 RNN. An RNN with the weights of a PyTorch module.

    The module must have biases, no projection (``proj_size=0``) and no
    dropout between layers, because this RNN has none of these.
    """
    torch = torch_module()
    kinds = {torch.nn.RNN: "rnn", torch.nn.GRU: "gru", torch.nn.LSTM: "lstm"}
    cell = kinds.get(type(module))
    if cell is None:
        fail(TypeError, f"rnn_from_torch: 需要 torch.nn.RNN/GRU/LSTM, 收到 {type(module).__name__}",
             f"rnn_from_torch needs a torch.nn.RNN, GRU or LSTM, got {type(module).__name__}")
    if not module.bias or getattr(module, "proj_size", 0) or module.dropout:
        fail(ValueError, f"rnn_from_torch: 不支持 bias=False, proj_size 或 dropout ({module!r})",
             f"rnn_from_torch does not support bias=False, proj_size or dropout ({module!r})")
    options: dict[str, Any] = {"cell": cell, "num_layers": module.num_layers,
                               "bidirectional": module.bidirectional, "seed": 0}
    if cell == "rnn":
        options["activation"] = module.nonlinearity
    if cell == "lstm":
        options["forget_bias"] = None  # 遗忘门偏置就是载入的权重. The loaded weights are the forget bias.
    model = RNN(module.input_size, module.hidden_size, **options)
    for rows, parameter in parameter_pairs(model, module):
        values = parameter.detach().to(torch.float64).reshape(len(rows), len(rows[0])).tolist()
        for row, numbers in zip(rows, values):
            for value, number in zip(row, numbers):
                value.data = number
    return model
