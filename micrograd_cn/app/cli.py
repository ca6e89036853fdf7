"""命令行 ``micrograd-cn``: 对一个表达式求值、反向传播, 打印梯度与堆放表, 并画图.

The ``micrograd-cn`` command (also ``python -m micrograd_cn``).

* ``micrograd-cn`` or ``micrograd-cn demo``: the demo e = (a+b)(b+1).
* ``micrograd-cn serve [--host H] [--port P] [--root DIR] [--no-qr]``: serve
  the built browser site (see :mod:`micrograd_cn.serve`).
* ``micrograd-cn graph "(a+b)*(b+1)" a=2 b=1 [-o e.svg] [--html e.html]
  [--steps] [--explain b] [--lang zh|en] [--quiz] [--rankdir LR|TB] [--name e]``:
  evaluate the expression, run the backward pass and print the value and every
  gradient (``∂e/∂a = 2``); ``--steps`` adds the table of accumulations (堆放)
  and the chain-rule equations; ``--explain b`` (repeatable) the chain-rule
  expansion of ∂e/∂b (``∂e/∂b = ∂e/∂(a+b)·∂(a+b)/∂b + … = 2×1 + 3×1 = 5``);
  ``-o`` writes the graph (.svg .png .dot; .pdf with a system Graphviz) and
  ``--html`` the step-through player.  The output is called ``e`` unless
  ``--name`` says otherwise (or ``out`` if a variable is already called ``e``).
* ``micrograd-cn exercises -n 10 --level 2 --seed 7 [-o sheet.html]
  [--answers] [--quiz DIR]``: print generated exercises (``--answers`` adds the answers;
  ``--quiz DIR`` writes one quiz player per exercise),
  or write them as a printable worksheet with an answer key.
* ``micrograd-cn live "(a+b)*(b+1)" a=2 b=1 [--exercise LEVEL --seed N]
  [--example mazur] [--feedback now|reveal] [--host H] [--port P] [--db FILE]``:
  the live classroom (see :mod:`micrograd_cn.app.live`).

Exit codes: 0 success; 2 a refused expression, a bad variable or a math error
(nothing is evaluated for a refused expression); 1 a file could not be
written (e.g. no renderer installed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..backprop.trace import BackwardSteps, backward_steps, format_number, partial
from ..engine import Value
from ..errors import bilingual
from .console import readable_output
from .expr import FUNCTIONS, MAX_EXPONENT, MAX_NODES, ExpressionError, evaluate, parse_assignments, parse_expression

OUTPUT_NAME = "e"
"""输出节点的默认名字 (与种子文章的例子一致). The default name of the output."""

SUFFIXES = (".svg", ".png", ".pdf", ".dot")
VIZ_HINT = bilingual('画图需要 graphviz 包和渲染器: pip install "micrograd_cn[viz]"',
                     'drawing needs the graphviz package and a renderer: pip install "micrograd_cn[viz]"')


def _text(lang: str, zh: str, en: str) -> str:
    """中文模式下 "中文 English", 英文模式下只有英文. Bilingual heading in zh mode, English in en mode."""
    return f"{zh} {en}" if lang == "zh" else en


def build_parser() -> argparse.ArgumentParser:
    """命令行参数的定义 (帮助信息中英双语). The argument parser, with bilingual help."""
    parser = argparse.ArgumentParser(
        prog="micrograd-cn",
        description="看见反向传播: 对表达式求梯度并展示每一步堆放. "
                    "Seeing backprop: gradients of an expression and every accumulation of the backward pass.",
        epilog='例 example: micrograd-cn graph "(a+b)*(b+1)" a=2 b=1 --steps -o e.svg --html e.html',
    )
    commands = parser.add_subparsers(dest="command", metavar="{demo,graph,exercises,serve,live}")
    commands.add_parser("demo", help="运行演示 e = (a+b)(b+1) (run the demo)",
                        description="运行演示 e = (a+b)(b+1). Run the demo e = (a+b)(b+1).")
    graph = commands.add_parser(
        "graph", help="对表达式求值并反向传播 (evaluate an expression and backpropagate)",
        description="对表达式求值并反向传播, 打印值与梯度. Evaluate an expression, backpropagate, print value and "
                    f"gradients. 可用 allowed: 数字 numbers, 变量 variables, + - * / **, 一元 unary -, "
                    f"{', '.join(FUNCTIONS)}. ** 的指数须是数字或变量, |指数| ≤ {MAX_EXPONENT:g} "
                    f"(the exponent of ** must be a number or a variable, magnitude ≤ {MAX_EXPONENT:g}); "
                    f"最多 at most {MAX_NODES} 个节点 nodes. 表达式以 - 开头时先写 -- "
                    "(put -- before an expression that starts with -).",
        epilog='例 example: micrograd-cn graph "(a+b)*(b+1)" a=2 b=1 --steps -o e.svg --html e.html')
    graph.add_argument("expression", help='表达式, 如 "(a+b)*(b+1)" (the expression)')
    graph.add_argument("assignments", nargs="*", metavar="name=value",
                       help="变量的值, 如 a=2 b=1 (values of the variables)")
    graph.add_argument("-o", "--output", metavar="FILE",
                       help="把计算图写成文件, 格式取自后缀 .svg .png .dot; .pdf 需要系统的 Graphviz "
                            "(write the graph; format from suffix; .pdf needs a system Graphviz)")
    graph.add_argument("--html", metavar="FILE", help="写出可逐步播放的 HTML 文件 (write the step-through HTML player)")
    graph.add_argument("--steps", action="store_true", help="打印堆放表与链式法则等式 (print the table and equations)")
    graph.add_argument("--explain", action="append", default=[], metavar="NAME",
                       help="打印 ∂输出/∂NAME 的链式法则展开, 可重复 (print the chain-rule expansion of a node; "
                            "repeatable)")
    graph.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言 language (默认 default: zh)")
    graph.add_argument("--quiz", action="store_true",
                       help="测验: 图中梯度显示为 ?, --html 的播放器让学生填写答案并诊断错误 "
                            "(quiz: grads shown as ?; the --html player asks for them and diagnoses mistakes)")
    graph.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                       help="图的方向: 从左到右或从上到下 (graph direction; default LR)")
    graph.add_argument("--name", default=None,
                       help=f"输出节点的名字 (the output's name; default {OUTPUT_NAME}, "
                            f"or out if a variable is called {OUTPUT_NAME})")
    _add_exercises(commands)
    serve = commands.add_parser(
        "serve", help="提供浏览器站点给课堂 (serve the browser site to a classroom)",
        description="提供构建好的浏览器站点 (只有静态文件). Serve the built browser site (static files only). "
                    "构建 build: .venv/bin/python web/build.py")
    serve.add_argument("--host", default="127.0.0.1",
                       help="监听地址, 0.0.0.0 分享给教室网络 (address; 0.0.0.0 shares it; default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="端口 port (默认 default 8000; 0: 任意 any free port)")
    serve.add_argument("--root", default=None,
                       help="站点目录 (the site folder; default: the one installed with the package, "
                       "else web/dist)")
    serve.add_argument("--no-qr", action="store_true", help="不打印二维码 (no QR code)")
    from .live.command import add_parser as add_live  # 全班作答的课堂. The live classroom.

    add_live(commands)
    return parser


def _add_exercises(commands: Any) -> None:
    """exercises 子命令的参数. The arguments of the exercises subcommand."""
    from ..classroom.exercises import LEVELS, MAX_EXERCISES

    levels = "; ".join(f"{k}: {zh} ({en})" for k, (zh, en) in LEVELS.items())
    sheet = commands.add_parser(
        "exercises", help="生成课堂练习与练习卷 (generate exercises and a printable worksheet)",
        description=f"生成数字好算的反向传播练习, 同一种子得到同一组题. Generate backprop exercises with "
                    f"hand-computable numbers, the same for the same seed. 难度 levels: {levels}.",
        epilog="例 example: micrograd-cn exercises -n 10 --level 2 --seed 7 -o sheet.html")
    sheet.add_argument("-n", type=int, default=10, help=f"题数 1–{MAX_EXERCISES} (number of exercises; default 10)")
    sheet.add_argument("--level", type=int, choices=sorted(LEVELS), default=1, help="难度 level (默认 default: 1)")
    sheet.add_argument("--seed", type=int, default=0, help="随机种子 random seed (默认 default: 0)")
    sheet.add_argument("-o", "--output", metavar="FILE.html",
                       help="写出可打印的练习卷, 答案另起一页 (write the printable worksheet with its answer key)")
    sheet.add_argument("--answers", action="store_true", help="同时打印答案 (print the answers too)")
    sheet.add_argument("--quiz", metavar="DIR",
                       help="把每道题写成一个测验播放器 DIR/exercise-NN.html (one quiz player per exercise)")


def main(argv: Sequence[str] | None = None) -> int:
    """命令行入口, 返回退出码; 任何控制台编码下都不崩溃. The entry point; no crash on any console encoding."""
    with readable_output():  # 见 console: 写不出的符号用 ASCII 拼写. See console: spell what cannot be written.
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    """解析参数并运行子命令. Parse the arguments and run the subcommand."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help 为 0, 用法错误为 2. --help gives 0, usage errors 2.
        return int(exit_.code or 0)
    if args.command in (None, "demo"):
        from ..classroom.demo import main as demo

        return demo()
    if args.command == "exercises":
        return run_exercises(args)
    if args.command == "live":
        from .live.command import run_live

        return run_live(args)
    if args.command == "serve":
        from .serve import serve

        return serve(args.root, args.host, args.port, qr=not args.no_qr)
    return run_graph(args)


def run_exercises(args: argparse.Namespace) -> int:
    """exercises 子命令: 生成 → 打印或写出练习卷. The exercises subcommand."""
    from ..classroom.exercises import exercises

    try:
        made = exercises(n=args.n, level=args.level, seed=args.seed)
    except ValueError as error:
        print(f"micrograd-cn: {error}", file=sys.stderr)
        return 2
    if args.quiz and _writing(lambda: _write_quizzes(made, Path(args.quiz))):
        return 1
    if not args.output:
        if args.quiz:
            return 0
        for ex in made:
            print(f"第 {ex.number} 题 Exercise {ex.number}: {ex.text}")
            given = ", ".join(f"{name} = {format_number(value)}" for name, value in ex.values.items())
            print(f"  已知 given: {given}")
            print(f"  求 find: {', '.join(q.symbol for q in ex.questions)}")
            if args.answers:
                print(f"  答案 answers: {', '.join(f'{q.symbol} = {q.answer_text()}' for q in ex.questions)}")
        return 0
    return _writing(lambda: _write_worksheet(made, args.output))


def _write_quizzes(made: list[Any], folder: Path) -> None:
    """每道题一个测验播放器 folder/exercise-NN.html. One quiz player per exercise."""
    folder.mkdir(parents=True, exist_ok=True)
    for ex in made:
        print(f"已写入 wrote: {ex.export_quiz(folder / f'exercise-{ex.number:02d}.html')}")


def _write_worksheet(made: list[Any], output: str) -> None:
    """写出可打印的练习卷. Write the printable worksheet."""
    from ..classroom.worksheet import write_worksheet

    print(f"已写入 wrote: {write_worksheet(made, output)}")


def _writing(write: Callable[[], None]) -> int:
    """写文件; 缺少 viz 或写不成时打印原因并返回 1, 否则返回 0. Write files; report a failure as exit code 1."""
    try:
        write()
    except ImportError as error:
        print(f"micrograd-cn: {VIZ_HINT} [{error}]", file=sys.stderr)
        return 1
    except (RuntimeError, OSError) as error:
        print(f"micrograd-cn: {error}", file=sys.stderr)
        return 1
    return 0


def run_graph(args: argparse.Namespace) -> int:
    """graph 子命令: 检查 → 求值 → 反向传播 → 打印 → 写文件. The graph subcommand."""
    try:
        path = args.output
        if path and Path(path).suffix.lower() not in SUFFIXES:
            raise ExpressionError(bilingual(f"-o 的文件后缀必须是 {' '.join(SUFFIXES)}, 收到 {path!r}",
                                            f"the file given to -o must end in {' '.join(SUFFIXES)}, got {path!r}"))
        variables = parse_assignments(args.assignments)
        expression = parse_expression(args.expression, variables)
        name = args.name or ("out" if OUTPUT_NAME in variables else OUTPUT_NAME)
        if not name.isidentifier() or name in variables or name in FUNCTIONS:
            raise ExpressionError(bilingual(f"--name {name!r} 不合法或与变量/函数同名",
                                            f"--name {name!r} is invalid or clashes with a variable or function"))

        def build() -> Value:
            return evaluate(expression, variables, name)

        out = build()
        steps = backward_steps(out)
        explained = _explained(steps, args.explain)
    except (ExpressionError, ArithmeticError, ValueError) as error:
        print(f"micrograd-cn: {error}", file=sys.stderr)
        return 2
    _print_result(args, expression.text, variables, steps)
    if explained:
        print(f"\n{_text(args.lang, '链式法则展开', 'chain rule, term by term')}:")
        for node in explained:
            print(f"  {steps.explain(node).text(args.lang)}")
    return _write_files(args, build)


def _explained(steps: BackwardSteps, wanted: list[str]) -> list[Value]:
    """--explain 的名字对应的节点; 不认识的名字报错. The nodes named by --explain."""
    by_name = {steps.names[id(node)]: node for node in (steps.out, *(step.parent for step in steps))}
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        raise ExpressionError(bilingual(f"--explain: 图中没有节点 {', '.join(unknown)}; 可用: {', '.join(by_name)}",
                                        f"--explain: no node called {', '.join(unknown)}; "
                                        f"known: {', '.join(by_name)}"))
    return [by_name[name] for name in wanted]


def _print_result(args: argparse.Namespace, text: str, variables: dict[str, float], steps: BackwardSteps) -> None:
    """打印表达式、值、每个梯度, 以及 (--steps) 堆放表与等式. Print value, gradients and (--steps) the trace."""
    lang, out, out_name = args.lang, steps.out, steps.out_name
    print(f"{_text(lang, '表达式', 'expression')}: {out_name} = {text}")
    if variables:
        values = ", ".join(f"{k} = {format_number(v)}" for k, v in variables.items())
        print(f"{_text(lang, '变量', 'variables')}: {values}")
    print(f"{_text(lang, '值', 'value')}: {out_name} = {format_number(out.data)}")
    print(f"{_text(lang, '梯度', 'gradients')}:")
    for var in variables:
        grad = steps.grads.get(var)
        note = "" if grad is not None else f"  ({_text(lang, '未用到', 'not used')})"
        print(f"  {partial(out_name, var)} = {format_number(grad or 0.0)}{note}")
    inner = [node for node in steps.order if node is not out]  # order 只含运算节点. Operation nodes only.
    if inner:
        print(f"{_text(lang, '中间节点', 'intermediate nodes')}:")
        for node in inner:
            print(f"  {partial(out_name, steps.names[id(node)])} = {format_number(node.grad)}")
    if args.steps:
        print(f"\n{_text(lang, '反向传播, 逐步堆放', 'backward pass, one accumulation at a time')}:")
        print(steps.table(lang))
        print()
        print(steps.equations(lang))


def _write_files(args: argparse.Namespace, build: Callable[[], Value]) -> int:
    """用 viz 写出 -o 与 --html 指定的文件; 每个文件用新建的图. Write the requested files with viz."""
    if not (args.output or args.html):
        return 0
    try:
        from ..viz import draw_dot, export_html, render
    except ImportError as error:
        print(f"micrograd-cn: {VIZ_HINT} [{error}]", file=sys.stderr)
        return 1
    try:
        if args.output:
            out = build()
            out.backward()
            graph = draw_dot(out, rankdir=args.rankdir, quiz=args.quiz, lang=args.lang)
            print(f"{_text(args.lang, '已写入', 'wrote')}: {render(graph, args.output)}")
        if args.html:
            page = export_html(build(), args.html, lang=args.lang, rankdir=args.rankdir, quiz=args.quiz)
            print(f"{_text(args.lang, '已写入', 'wrote')}: {page}")
    except (ImportError, RuntimeError, OSError, ValueError) as error:
        print(f"micrograd-cn: {error}", file=sys.stderr)
        return 1
    return 0
