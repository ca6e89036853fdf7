"""live 子命令: micrograd-cn live "(a+b)*(b+1)" a=2 b=1 [--exercise LEVEL --seed N | --example mazur].

The ``live`` subcommand's arguments and runner; :mod:`micrograd_cn.app.cli`
only registers them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .lesson import EXAMPLES


def add_parser(commands: Any) -> None:
    """live 子命令的参数. The arguments of the live subcommand."""
    live = commands.add_parser(
        "live", help="全班作答的课堂 (the live classroom: the whole class answers)",
        description="开一堂全班作答的课: 学生用手机加入并写出一个节点的梯度, 老师看到按诊断分组的答案. "
                    "Start a live classroom: students join from their phones and type a node's gradient; the "
                    "teacher sees the answers grouped by diagnosis.",
        epilog='例 example: micrograd-cn live "(a+b)*(b+1)" a=2 b=1 --host 0.0.0.0')
    live.add_argument("expression", nargs="?", help='表达式, 如 "(a+b)*(b+1)" (the expression)')
    live.add_argument("assignments", nargs="*", metavar="name=value", help="变量的值, 如 a=2 b=1 (values)")
    live.add_argument("--exercise", type=int, metavar="LEVEL", help="用生成的练习 (难度 1–5) (generated exercises)")
    live.add_argument("--seed", type=int, default=0, help="练习的随机种子 (the exercises' seed; default 0)")
    live.add_argument("-n", type=int, default=5, help="练习的题数 (how many exercises; default 5)")
    live.add_argument("--example", choices=EXAMPLES, help="种子例题 (a seed example: e, mazur = the 2-2-2 net)")
    live.add_argument("--feedback", choices=("now", "reveal"), default="now",
                      help="学生何时知道对错: now 立即 (带诊断), reveal 老师揭晓后 "
                           "(when students learn right or wrong)")
    live.add_argument("--host", default="127.0.0.1",
                      help="监听地址, 0.0.0.0 分享给教室网络 (address; 0.0.0.0 shares it; default 127.0.0.1)")
    live.add_argument("--port", type=int, default=8000, help="端口 port (默认 default 8000; 0: 任意 any free port)")
    live.add_argument("--db", default=None,
                      help="数据文件 (SQLite); 同一节课重启时接着用 (the data file; the same lesson resumes it)")
    live.add_argument("--no-qr", action="store_true", help="不打印二维码 (no QR code)")


def run_live(args: argparse.Namespace) -> int:
    """live 子命令: 准备图 → 开课直到 Ctrl+C. The live subcommand."""
    from ..expr import ExpressionError
    from .lesson import from_example, from_exercises, from_expression

    chosen = [args.expression is not None, args.exercise is not None, args.example is not None]
    if sum(chosen) != 1:
        print("micrograd-cn live: 请给出一个表达式、--exercise LEVEL 或 --example 中的一个 "
              "(give exactly one of an expression, --exercise LEVEL or --example)", file=sys.stderr)
        return 2
    try:
        if args.expression is not None:
            boards = from_expression(args.expression, args.assignments)
        elif args.exercise is not None:
            boards = from_exercises(args.exercise, args.seed, args.n)
        else:
            boards = from_example(args.example)
    except (ExpressionError, ArithmeticError, ValueError, RuntimeError) as error:
        print(f"micrograd-cn live: {error}", file=sys.stderr)
        return 2
    try:
        from .run import run
    except ImportError as error:
        print(f'micrograd-cn live: 需要 starlette 与 uvicorn: pip install "micrograd_cn[web]" '
              f'(needs starlette and uvicorn) [{error}]', file=sys.stderr)
        return 1
    return run(boards, args.host, args.port, args.db, args.feedback, qr=not args.no_qr)
