"""每个运算的数值与梯度: 与 PyTorch (float64) 和中心差分对照; 以及 Value 本身的约定.

Every operation, value and gradient, against PyTorch in float64 (relative
error 1e-12) and against central differences (``mg.gradcheck``).  The inputs
are drawn by hypothesis from each operation's domain, so every op is checked
on hundreds of points rather than one hand-picked number.

The table ``CASES`` lists each operation once.  An operand is either a Value
("V") or a plain constant ("C"): a constant is passed to micrograd_cn as an
int or float and to PyTorch as a tensor that needs no gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import require_module
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

import micrograd_cn as mg

PER_OP = settings(max_examples=max(25, settings().max_examples // 4))
"""每个运算抽取的点数: CI 中 125 (38 个运算共约 4750 个点), 开发时 25. Points drawn per operation."""

EXACT = {"rel": 1e-12, "abs": 1e-300}
"""与 PyTorch 对照的容差. Tolerance against PyTorch float64."""

# ---- 各运算的定义域 the domains ---------------------------------------------------------

real = st.floats(-20, 20)
positive = st.floats(0.01, 50)
base = st.floats(0.1, 10)
exponent = st.floats(-3, 3)
away_from_zero = st.one_of(st.floats(-20, -0.01), st.floats(0.01, 20))
denominator = st.one_of(st.floats(-20, -0.1), st.floats(0.1, 20))
int_const = st.integers(-5, 5)
float_const = st.floats(-5, 5)
const = st.one_of(int_const, float_const)
nonzero_const = st.one_of(st.integers(1, 5), st.integers(-5, -1), st.floats(0.1, 5), st.floats(-5, -0.1))
int_exponent = st.integers(-3, 4)
slope = st.floats(0, 1)


@dataclass(frozen=True)
class OpCase:
    """一个运算: micrograd_cn 写法, PyTorch 写法 (默认相同), 每个操作数的定义域与种类.

    One operation: its micrograd_cn spelling, its PyTorch spelling (the same
    expression unless given), the domain of each operand and its kind ("V" for
    a Value, "C" for a constant).
    """

    name: str
    fn: Callable[..., Any]
    domains: tuple[SearchStrategy, ...]
    kinds: str
    torch_fn: Callable[..., Any] | None = None
    grad_atol: float = EXACT["abs"]

    def __repr__(self) -> str:
        return self.name


def _softplus(t: Any) -> Any:
    # torch.nn.functional.softplus 在 x > 20 时直接返回 x (threshold); logaddexp(x, 0) 是精确的 ln(1+e^x).
    torch = require_module("torch")
    return torch.logaddexp(t, torch.zeros((), dtype=torch.float64))


def _leaky(t: Any, s: Any) -> Any:
    return require_module("torch").nn.functional.leaky_relu(t, float(s))


CASES = [
    OpCase("a + b", lambda a, b: a + b, (real, real), "VV"),
    OpCase("a + c", lambda a, c: a + c, (real, const), "VC"),
    OpCase("c + a", lambda c, a: c + a, (const, real), "CV"),
    OpCase("a - b", lambda a, b: a - b, (real, real), "VV"),
    OpCase("a - c", lambda a, c: a - c, (real, const), "VC"),
    OpCase("c - a", lambda c, a: c - a, (const, real), "CV"),
    OpCase("a * b", lambda a, b: a * b, (real, real), "VV"),
    OpCase("a * c", lambda a, c: a * c, (real, const), "VC"),
    OpCase("c * a", lambda c, a: c * a, (const, real), "CV"),
    OpCase("a / b", lambda a, b: a / b, (real, denominator), "VV"),
    OpCase("a / c", lambda a, c: a / c, (real, nonzero_const), "VC"),
    OpCase("c / a", lambda c, a: c / a, (const, denominator), "CV"),
    OpCase("a ** b", lambda a, b: a**b, (base, exponent), "VV"),
    OpCase("a ** int", lambda a, n: a**n, (denominator, int_exponent), "VC"),
    OpCase("a ** float", lambda a, p: a**p, (base, exponent), "VC"),
    OpCase("2 ** a", lambda two, a: two**a, (st.just(2), real), "CV"),
    OpCase("c ** a", lambda c, a: c**a, (base, exponent), "CV"),
    OpCase("-a", lambda a: -a, (real,), "V"),
    OpCase("abs(a)", abs, (away_from_zero,), "V"),
    OpCase("exp", lambda a: a.exp(), (real,), "V"),
    OpCase("log", lambda a: a.log(), (positive,), "V"),
    OpCase("sqrt", lambda a: a.sqrt(), (positive,), "V"),
    # 1 - tanh²x 在 tanh x ≈ ±1 时相减抵消: 两边的绝对误差都是 1 的 1 ulp 量级, 不是 1e-12 相对误差.
    # 1 - tanh²x cancels when tanh x ≈ ±1: both sides are off by about one ulp of 1, absolutely.
    OpCase("tanh", lambda a: a.tanh(), (real,), "V", None, 4e-16),
    OpCase("sigmoid", lambda a: a.sigmoid(), (real,), "V"),
    OpCase("relu", lambda a: a.relu(), (away_from_zero,), "V"),
    OpCase("leaky_relu", lambda a, s: a.leaky_relu(s), (away_from_zero, slope), "VC", _leaky),
    OpCase("softplus", lambda a: a.softplus(), (st.floats(-40, 40),), "V", _softplus),
    OpCase("sin", lambda a: a.sin(), (real,), "V"),
    OpCase("cos", lambda a: a.cos(), (real,), "V"),
    OpCase("mg.sin (函数形式)", lambda a: mg.sin(a), (real,), "V", lambda a: a.sin()),
    OpCase("mg.sum", lambda a, b, c: mg.sum([a, b, a, c]), (real, real, real), "VVV",
           lambda a, b, c: a + b + a + c),
    OpCase("mg.sum mixed", lambda a, k, b: mg.sum([a, k, b], start=1), (real, const, real), "VCV",
           lambda a, k, b: 1 + a + k + b),
    OpCase("mg.mean", lambda a, b, c: mg.mean([a, b, c]), (real, real, real), "VVV",
           lambda a, b, c: (a + b + c) / 3),
    OpCase("mg.dot", lambda a, b, c, d: mg.dot([a, b], [c, d]), (real,) * 4, "VVVV",
           lambda a, b, c, d: a * c + b * d),
    OpCase("mg.dot bias", lambda w1, w2, x1, x2, b: mg.dot([w1, w2], [x1, x2], bias=b), (real,) * 5, "VVVVV",
           lambda w1, w2, x1, x2, b: w1 * x1 + w2 * x2 + b),
    OpCase("mg.dot shared", lambda a, b: mg.dot([a, b], [a, a]), (real, real), "VV",
           lambda a, b: a * a + b * a),
    OpCase("mg.dot constants", lambda w1, k1, k2, x2, k3: mg.dot([w1, k1], [k2, x2], bias=k3),
           (real, const, const, real, const), "VCCVC", lambda w1, k1, k2, x2, k3: w1 * k2 + k1 * x2 + k3),
    OpCase("mg.dot constant bias", lambda w, x, k: mg.dot([w], [x], bias=k), (real, real, const), "VVC",
           lambda w, x, k: w * x + k),
]


def _operands(case: OpCase, drawn: tuple) -> list[Any]:
    """micrograd_cn 的操作数: "V" 处是新的叶子 Value, "C" 处是常数本身. The micrograd_cn operands."""
    return [mg.Value(x) if kind == "V" else x for x, kind in zip(drawn, case.kinds)]


@pytest.fixture(scope="module")
def torch() -> Any:
    """PyTorch 模块 (没有就跳过, CI 中失败). PyTorch, or skip (fail in CI)."""
    return require_module("torch")


def _check_against_pytorch(torch: Any, case: OpCase, drawn: tuple) -> None:
    """数值与每个 Value 操作数的梯度都与 PyTorch float64 一致. Value and gradients as PyTorch's."""
    operands = _operands(case, drawn)
    out = case.fn(*operands)
    out.backward()

    tensors = [torch.tensor(float(x), dtype=torch.float64, requires_grad=kind == "V")
               for x, kind in zip(drawn, case.kinds)]
    expected = (case.torch_fn or case.fn)(*tensors)
    expected.backward()

    assert isinstance(out, mg.Value)
    assert out.data == pytest.approx(expected.item(), **EXACT)
    for value, tensor in zip(operands, tensors):
        if isinstance(value, mg.Value):
            assert value.grad == pytest.approx(tensor.grad.item(), rel=EXACT["rel"], abs=case.grad_atol), value
            # 一个运算一个节点: 叶子的梯度就是它所在各条边的局部导数之和.
            # One op, one node: a leaf's gradient is the sum of the local derivatives on its edges.
            edges = [local for parent, local in zip(out.parents, out.local_grads) if parent is value]
            assert edges and value.grad == math.fsum(edges)


def _check_against_central_differences(case: OpCase, drawn: tuple) -> None:
    """mg.gradcheck: 反向传播的梯度与 (f(x+ε) - f(x-ε)) / 2ε 一致. Backward against central differences."""
    slots = [i for i, kind in enumerate(case.kinds) if kind == "V"]

    def f(*values: mg.Value) -> mg.Value:
        operands = list(drawn)
        for i, value in zip(slots, values):
            operands[i] = value
        return case.fn(*operands)

    report = mg.gradcheck(f, [drawn[i] for i in slots], rtol=1e-5, atol=1e-7)
    assert report.ok, report


@pytest.mark.parametrize("case", CASES, ids=repr)
@PER_OP
@given(data=st.data())
def test_value_and_gradient_match_pytorch_and_central_differences(torch: Any, case: OpCase,
                                                                  data: st.DataObject) -> None:
    drawn = data.draw(st.tuples(*case.domains), label="inputs")
    _check_against_pytorch(torch, case, drawn)
    _check_against_central_differences(case, drawn)


# ---- 拐点与特殊点 kinks and special points ----------------------------------------------

KINKS = [
    ("relu", lambda a: a.relu(), lambda t: t.relu()),
    ("abs", abs, abs),
    ("leaky_relu", lambda a: a.leaky_relu(0.1), lambda t: _leaky(t, 0.1)),
]


@pytest.mark.parametrize(("name", "fn", "torch_fn"), KINKS, ids=[k[0] for k in KINKS])
def test_kinks_at_zero_follow_pytorch(torch: Any, name: str, fn: Callable, torch_fn: Callable) -> None:
    """x = 0 处不可导; 与 PyTorch 取同样的次梯度. At the kink, the same choice as PyTorch."""
    x = mg.Value(0.0)
    fn(x).backward()
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    torch_fn(t).backward()
    assert x.grad == t.grad.item()


def test_hand_checked_local_derivatives() -> None:
    """几个能心算的局部导数. A few local derivatives you can check by hand."""
    x = mg.Value(0.0)
    assert x.sigmoid().local_grads == (0.25,)
    assert x.tanh().local_grads == (1.0,)
    assert x.softplus().local_grads == (0.5,)
    assert x.exp().local_grads == (1.0,)
    assert x.cos().local_grads == (-0.0,)
    assert mg.Value(4.0).sqrt().local_grads == (0.25,)
    assert mg.Value(4.0).log().local_grads == (0.25,)
    assert (mg.Value(3.0) ** 2).local_grads == (6.0,)
    assert (2 ** mg.Value(3.0)).local_grads == (8 * math.log(2),)
    assert (mg.Value(6.0) / mg.Value(3.0)).local_grads == (1 / 3, -6 / 9)


# ---- 数值稳定性 numerical stability -----------------------------------------------------

LIMITS = [
    # (运算, x, 函数值, 局部导数)
    ("sigmoid", 1000.0, 1.0, 0.0),
    ("sigmoid", -1000.0, 0.0, 0.0),
    ("sigmoid", 1e6, 1.0, 0.0),
    ("sigmoid", -1e6, 0.0, 0.0),
    ("tanh", 1000.0, 1.0, 0.0),
    ("tanh", -1000.0, -1.0, 0.0),
    ("tanh", 1e6, 1.0, 0.0),
    ("tanh", -1e6, -1.0, 0.0),
    ("softplus", 1000.0, 1000.0, 1.0),
    ("softplus", -1000.0, 0.0, 0.0),
    ("softplus", 1e6, 1e6, 1.0),
    ("softplus", -1e6, 0.0, 0.0),
]


@pytest.mark.parametrize(("op", "x", "value", "local"), LIMITS)
def test_saturating_ops_reach_exact_limits(op: str, x: float, value: float, local: float) -> None:
    v = mg.Value(x)
    out = getattr(v, op)()
    assert out.data == value
    assert out.local_grads == (local,)
    out.backward()
    assert math.isfinite(v.grad) and v.grad == local


@pytest.mark.parametrize("x", [-700.0, -40.0, 40.0, 700.0])
def test_sigmoid_and_softplus_keep_precision_in_the_tails(x: float) -> None:
    """尾部不是简单地截成 0 或 1: σ(-700) ≈ e^-700, softplus(-700) ≈ e^-700. Tails keep precision."""
    z = math.exp(-abs(x))
    sigmoid = 1 / (1 + z) if x > 0 else z / (1 + z)
    softplus = max(x, 0.0) + math.log1p(z)
    assert mg.Value(x).sigmoid().data == pytest.approx(sigmoid, rel=1e-15)
    assert mg.Value(x).softplus().data == pytest.approx(softplus, rel=1e-15)
    assert mg.Value(x).softplus().data > 0.0


# ---- Value 的约定 the Value protocol ----------------------------------------------------


def test_value_stores_floats_and_starts_with_zero_grad() -> None:
    v = mg.Value(3, label="x")
    assert type(v.data) is float and v.data == 3.0
    assert v.grad == 0.0 and v.label == "x" and v.op == ""
    assert v.parents == () and v.local_grads == ()


def test_value_takes_user_attributes_but_engine_fields_stay_slots() -> None:
    v = mg.Value(1.0)
    v.m, v.colour = 0.0, "red"  # 优化器状态、颜色. Optimizer state, colours.
    assert vars(v) == {"m": 0.0, "colour": "red"}
    assert {"data", "grad", "parents", "local_grads", "op", "label"} <= set(mg.Value.__slots__)
    assert vars(v * 2) == {}  # 引擎自己的字段不在字典里. The engine's own fields are not in the dict.
    assert (v * 2).local_grads is (v * 2).local_grads  # 同一常数共用一个元组. One shared tuple per constant.
    with pytest.raises(AttributeError):
        (v * 2).m  # noqa: B018  (别的节点没有这个属性 other nodes do not have it)


def test_parents_and_local_grads_are_tuples_in_operand_order() -> None:
    a, b = mg.Value(2.0, "a"), mg.Value(5.0, "b")
    for out, parents, local_grads in [
        (a * b, (a, b), (5.0, 2.0)),
        (b * a, (b, a), (2.0, 5.0)),
        (a - b, (a, b), (1.0, -1.0)),
        (b - a, (b, a), (1.0, -1.0)),
        (a / b, (a, b), (1 / 5, -2 / 25)),
        (a**b, (a, b), (5 * 2.0**4, 32 * math.log(2.0))),
        (mg.dot([a, b], [b, a], bias=a), (a, b, b, a, a), (5.0, 2.0, 2.0, 5.0, 1.0)),
    ]:
        assert type(out.parents) is tuple and type(out.local_grads) is tuple
        assert len(out.parents) == len(parents) and all(p is q for p, q in zip(out.parents, parents))
        assert out.local_grads == pytest.approx(local_grads, rel=1e-15)


@pytest.mark.parametrize("make", [lambda x: x * 2, lambda x: 2 * x, lambda x: x + 1.5, lambda x: 1 - x,
                                  lambda x: x / 4, lambda x: 4 / x, lambda x: x**3, lambda x: 2**x],
                         ids=["x*2", "2*x", "x+1.5", "1-x", "x/4", "4/x", "x**3", "2**x"])
def test_constants_do_not_become_nodes(make: Callable) -> None:
    x = mg.Value(2.0)
    out = make(x)
    assert len(out.parents) == 1 and out.parents[0] is x
    assert len(out.local_grads) == 1


def test_constants_in_sum_and_dot_are_not_parents() -> None:
    w, x = mg.Value(2.0), mg.Value(3.0)
    out = mg.dot([w, 5], [7, x], bias=1.0)
    assert out.data == 2 * 7 + 5 * 3 + 1
    assert out.parents == (w, x) and out.local_grads == (7.0, 5.0)
    total = mg.sum([w, 1, x, 2.5])
    assert total.data == 8.5 and total.parents == (w, x)


def test_comparisons_compare_data_and_return_bool() -> None:
    a, b = mg.Value(1.0), mg.Value(2.0)
    results = [a < b, a <= b, b > a, b >= a, a < 1.5, 3 > a, a >= 1, not (a > b)]
    assert all(type(r) is bool for r in results) and all(results)


def test_values_hash_and_compare_by_identity() -> None:
    a, b = mg.Value(1.0), mg.Value(1.0)
    assert a == a and a != b  # 同样的数据, 不同的节点. Equal data, distinct nodes.
    assert len({a, b}) == 2
    grads = {a: "a", b: "b"}
    assert grads[a] == "a" and grads[b] == "b"
    assert hash(a) != hash(b)


def test_repr_shows_label_data_and_grad() -> None:
    w = mg.Value(-0.5, label="w1")
    w.grad = 0.25
    text = repr(w)
    assert "w1" in text and "-0.5" in text and "0.25" in text
    unlabelled = repr(mg.Value(3.0))
    assert "3.0" in unlabelled and "0.0" in unlabelled


NUMPY_SCALARS = ["float64", "float32", "int64"]
BINARY = [
    ("*", lambda p, q: p * q),
    ("+", lambda p, q: p + q),
    ("-", lambda p, q: p - q),
    ("/", lambda p, q: p / q),
    ("**", lambda p, q: p**q),
]


@pytest.mark.parametrize("scalar", NUMPY_SCALARS)
@pytest.mark.parametrize(("op", "fn"), BINARY, ids=[b[0] for b in BINARY])
def test_numpy_scalars_work_on_either_side(scalar: str, op: str, fn: Callable) -> None:
    np = require_module("numpy")
    c = getattr(np, scalar)(2)
    x = mg.Value(3.0)
    for out, expected in [(fn(c, x), fn(2.0, 3.0)), (fn(x, c), fn(3.0, 2.0))]:
        assert isinstance(out, mg.Value), (op, type(out))
        assert type(out.data) is float and out.data == pytest.approx(expected, rel=1e-15)
        assert out.parents == (x,)


@pytest.mark.parametrize("scalar", NUMPY_SCALARS)
def test_numpy_scalars_become_float_leaves(scalar: str) -> None:
    np = require_module("numpy")
    v = mg.Value(getattr(np, scalar)(3))
    assert type(v.data) is float and v.data == 3.0
    assert type(v < np.float64(4)) is bool and (np.float64(4) > v) is True
