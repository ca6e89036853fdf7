"""命令行 micrograd-cn: 正常用法, 写文件, 以及一组恶意表达式 (全部退出码 2, 且什么都不求值).

The command line: happy paths, writing files, and a battery of hostile
expressions, each refused with exit code 2 and a message before anything is
evaluated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require
from micrograd_cn.expr import MAX_LENGTH, MAX_NODES, parse_assignments, parse_expression

import micrograd_cn.engine as engine
from micrograd_cn import cli

E = "(a+b)*(b+1)"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_graph_prints_value_and_gradients(capsys):
    code, out, err = run(capsys, "graph", E, "a=2", "b=1")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "值 value: e = 6" in lines
    assert "  ∂e/∂a = 2" in lines and "  ∂e/∂b = 5" in lines
    assert "  ∂e/∂(a+b) = 2" in lines and "  ∂e/∂(b+1) = 3" in lines
    assert "步骤" not in out  # 没有 --steps 就没有表 no table without --steps


def test_graph_steps_table_and_equations(capsys):
    code, out, _ = run(capsys, "graph", E, "a=2", "b=1", "--steps")
    assert code == 0
    assert "步骤  发送者  接收者" in out and "step  from    to" in out
    assert "∂e/∂b += ∂e/∂(b+1) · ∂(b+1)/∂b = 3 × 1 = 3 （累计 5）" in out
    assert out.count("（累计") == 5
    code, out, _ = run(capsys, "graph", E, "a=2", "b=1", "--steps", "--lang", "en", "--name", "L")
    assert code == 0 and "value: L = 6" in out and "∂L/∂a = 2" in out and "(running total 5)" in out
    assert "累计" not in out and "梯度" not in out


def test_output_name_defaults(capsys):
    assert run(capsys, "graph", "e*2", "e=3")[1].splitlines()[-1] == "  ∂out/∂e = 2"
    code, out, _ = run(capsys, "graph", "a*b", "a=3", "b=4", "c=1")
    assert code == 0 and "∂e/∂c = 0  (未用到 not used)" in out and "∂e/∂a = 4" in out
    code, out, _ = run(capsys, "graph", "2*3")  # 只有常数 constants only
    assert code == 0 and "e = 6" in out


def test_functions_constants_and_folding(capsys):
    code, out, _ = run(capsys, "graph", "tanh(x)*exp(0) + leaky_relu(-x, 0.1) + abs(-2) - -x + x**2 + 2**x", "x=1")
    assert code == 0
    import math

    expected = (1 - math.tanh(1) ** 2) - 0.1 + 1 + 2 + 2 * math.log(2)  # leaky_relu 在 -1 处斜率 0.1
    grad = float(next(line for line in out.splitlines() if "∂e/∂x" in line).split("=")[1])
    assert grad == pytest.approx(expected, rel=5e-4)  # 4 位有效数字 four significant digits


def test_no_arguments_and_demo_run_the_demo(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("micrograd_cn.demo.write_pictures", lambda: [Path("x.svg")])
    for argv in ([], ["demo"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and "∂e/∂b += ∂e/∂d · ∂d/∂b = 3 × 1 = 3 （累计 5）" in out
        assert "b → d → e: 1 × 3 = 3" in out and "65536" in out and "已写入 wrote: x.svg" in out


def test_demo_without_renderer_prints_a_hint(capsys, monkeypatch):
    def missing():
        raise ImportError('画图需要 graphviz 包 (pip install "micrograd_cn[viz]")')

    monkeypatch.setattr("micrograd_cn.demo.write_pictures", missing)
    code, out, _ = run(capsys, "demo")
    assert code == 0 and out.rstrip().splitlines()[-1].startswith("没有画图 (no pictures):")
    assert "micrograd_cn[viz]" in out


def test_help_is_bilingual(capsys):
    code, out, _ = run(capsys, "graph", "--help")
    assert code == 0 and "表达式" in out and "expression" in out and "--quiz" in out
    code, _, err = run(capsys, "graph")
    assert code == 2 and "expression" in err


def test_writes_files_through_viz_api(capsys, tmp_path, monkeypatch):
    """用替身检查 CLI 如何调用 viz (参数、路径). Check how the CLI calls the viz API, with stand-ins."""
    import micrograd_cn.viz as viz

    calls = []

    def draw_dot(out, **options):
        calls.append(("draw_dot", out.label, out.grad, options))
        return "digraph {}"

    def render(graph, path):
        calls.append(("render", graph, str(path)))
        return Path(path)

    def export_html(out, path, lang="zh", **options):
        calls.append(("export_html", out.label, out.grad, lang, options))
        return Path(path)

    monkeypatch.setattr(viz, "draw_dot", draw_dot)
    monkeypatch.setattr(viz, "render", render)
    monkeypatch.setattr(viz, "export_html", export_html)
    svg, page = tmp_path / "e.svg", tmp_path / "e.html"
    code, out, _ = run(capsys, "graph", E, "a=2", "b=1", "-o", str(svg), "--html", str(page), "--quiz",
                       "--rankdir", "TB", "--lang", "en")
    assert code == 0
    assert calls == [("draw_dot", "e", 1.0, {"rankdir": "TB", "quiz": True, "lang": "en"}),
                     ("render", "digraph {}", str(svg)),
                     ("export_html", "e", 0.0, "en", {"rankdir": "TB", "quiz": True})]  # 新图 a fresh graph
    assert f"wrote: {svg}" in out and f"wrote: {page}" in out


def test_missing_renderer_exit_1(capsys, tmp_path, monkeypatch):
    import micrograd_cn.viz as viz

    def render(graph, path):
        raise viz.RendererNotFoundError("没有找到 Graphviz 渲染器 (no Graphviz renderer found)")

    monkeypatch.setattr(viz, "render", render)
    code, out, err = run(capsys, "graph", E, "a=2", "b=1", "-o", str(tmp_path / "e.png"))
    assert code == 1 and "∂e/∂b = 5" in out and "no Graphviz renderer found" in err


def test_real_viz_writes_svg_dot_and_html(capsys, tmp_path):
    from micrograd_cn.viz import find_renderer

    require(find_renderer() is not None, "no Graphviz renderer (pip install graphviz-pure)")
    svg, dot, page = tmp_path / "e.svg", tmp_path / "e.dot", tmp_path / "e.html"
    code, out, err = run(capsys, "graph", E, "a=2", "b=1", "-o", str(svg), "--html", str(page))
    assert code == 0, err
    assert svg.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg", "<!--"))
    assert "<svg" in svg.read_text(encoding="utf-8") and "a+b" in svg.read_text(encoding="utf-8")
    html = page.read_text(encoding="utf-8")
    assert "data:image/svg+xml;charset=utf-8," in html and "累计 5" in html
    assert run(capsys, "graph", E, "a=2", "b=1", "-o", str(dot))[0] == 0
    assert dot.read_text(encoding="utf-8").startswith(("digraph", "strict digraph", "//"))


def test_python_dash_m_subprocess(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "micrograd_cn", "graph", E, "a=2", "b=1", "--steps"],
                          capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "∂e/∂a = 2" in done.stdout and "∂e/∂b = 5" in done.stdout and "（累计 5）" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "micrograd_cn", "graph", "__import__('os').system('echo hi')"],
                         capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, env=env, timeout=60)
    assert bad.returncode == 2 and "hi" not in bad.stdout and "__import__" in bad.stderr


# ---- 恶意或错误的输入 hostile and bad input ----------------------------------------------------


def _balanced(depth: int) -> str:
    text = "a"
    for _ in range(depth):
        text = f"({text}+{text})"
    return text


HOSTILE = [
    "__import__('os')",
    "__import__('os').system('rm -rf /')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "a.b",
    "a.data",
    "a[0]",
    "lambda: 1",
    "[x for x in a]",
    "{x for x in a}",
    "(x for x in a)",
    "'s'",
    "b'bytes'",
    "2**10**10",
    "9**99999",
    "a**1000",
    "a**exp(a)",
    "a if a else b",
    "a<b",
    "a and b",
    "not a",
    "(a:=1)",
    'f"{a}"',
    "a % b",
    "a // b",
    "a @ b",
    "a << b",
    "~a",
    "1j",
    "True + a",
    "None",
    "...",
    "[a, b]",
    "(a, b)",
    "{a: 1}",
    "exp",
    "exp(a, b)",
    "exp(x=a)",
    "exp(*[a])",
    "leaky_relu(a, b)",
    "open('f')",
    "eval('1')",
    "getattr(a, 'x')",
    "a(1)",
    "c + a",
    "__builtins__",
    "1e999 * a",
    "a; import os",
    "import os",
    "",
    "   ",
    "a +",
    "-" * 150 + "a",
    "(" * 150 + "a" + ")" * 150,
    "a+" * 50_000 + "a",
    "exp(" * 120 + "a" + ")" * 120,
]


@pytest.fixture
def no_evaluation(monkeypatch):
    """把引擎建节点与函数换成报警的替身: 任何求值都会让测试失败. Fail on any evaluation."""
    def boom(*args, **kwargs):
        raise AssertionError("evaluated!")

    for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "leaky_relu"):
        monkeypatch.setattr(engine, name, boom)
    monkeypatch.setattr(engine, "_node", boom)
    monkeypatch.setattr(engine.Value, "__init__", boom)


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:30])
def test_hostile_expression_refused_before_evaluation(capsys, no_evaluation, text):
    code, out, err = run(capsys, "graph", "--", text, "a=2", "b=1")  # -- 让以 - 开头的表达式也能传入
    assert code == 2 and out == ""
    assert err.startswith("micrograd-cn: ") and "(" in err and len(err.splitlines()) == 1
    assert "evaluated" not in err


def test_hostile_battery_is_large_enough():
    assert len(HOSTILE) >= 25 and len(HOSTILE[-2]) > MAX_LENGTH


def test_huge_graph_refused(capsys):
    """太大的图在求值途中 (数节点时) 被拒绝. A huge graph is refused while evaluating, by counting nodes."""
    text = "+".join(["exp(-exp(-a))"] * (MAX_NODES // 5 + 1))  # 每项 5 个节点 five nodes a term
    assert len(text) < MAX_LENGTH
    code, out, err = run(capsys, "graph", text, "a=1")
    assert code == 2 and out == "" and f"{MAX_NODES}" in err and "too large" in err
    assert run(capsys, "graph", _balanced(8), "a=1")[0] == 0  # 255 个加法节点可以 fine


@pytest.mark.parametrize("assignments", [["a=abc"], ["a=nan"], ["a=inf"], ["a"], ["1a=2"], ["exp=1"],
                                         ["a=1", "a=2"], ["_x=1", "a=1"], ["for=1"], ["a=1e999"]])
def test_bad_variables(capsys, no_evaluation, assignments):
    code, out, err = run(capsys, "graph", "a+1", *assignments)
    assert code == 2 and out == "" and err.startswith("micrograd-cn: ")


@pytest.mark.parametrize("argv", [["graph", "log(a)", "a=-1"], ["graph", "a/b", "a=1", "b=0"],
                                  ["graph", "exp(a)", "a=1000"], ["graph", "a", "a=1", "--name", "a"],
                                  ["graph", "a", "a=1", "-o", "e.txt"], ["graph", "a", "a=1", "--lang", "fr"],
                                  ["graph", "sqrt(a)", "a=0"], ["graph", "a**b", "a=2", "b=101"]])
def test_math_and_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and err


def test_messages_are_bilingual_and_name_the_problem(capsys):
    _, _, err = run(capsys, "graph", "a.b", "a=1")
    assert "属性" in err and "attribute" in err and "a.b" in err
    _, _, err = run(capsys, "graph", "a+c", "a=1")
    assert "变量 c" in err and "variable c" in err and "c=" in err
    _, _, err = run(capsys, "graph", "9**99999", "a=1")
    assert "指数" in err and "exponent" in err and "99999" in err
    _, _, err = run(capsys, "graph", "a", "a=abc")
    assert "不是数字" in err and "not a number" in err and "'abc'" in err


def test_parser_api():
    variables = parse_assignments(["a=2", " b = -1.5 "])
    assert variables == {"a": 2.0, "b": -1.5}
    expression = parse_expression("b*exp(a) + a", variables)
    assert expression.variables == ("b", "a")
