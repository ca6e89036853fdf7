"""安全的表达式解析: 把命令行上的 "(a+b)*(b+1)" 变成计算图, 只接受白名单中的语法.

A safe parser for command-line expressions such as ``"(a+b)*(b+1)"``.

The text is parsed with :func:`ast.parse` and checked against a whitelist
*before anything is evaluated*: numbers, variable names, ``+ - * / **``,
unary ``-`` and ``+``, and calls of the engine's functions (see
:data:`FUNCTIONS`) with positional arguments.  Everything else (attributes,
subscripts, imports, lambdas, comprehensions, strings, comparisons, ...) is
refused with an :class:`ExpressionError`.  The limits, all checked before
evaluating, are:

* at most :data:`MAX_LENGTH` characters and :data:`MAX_DEPTH` levels of
  nesting (brackets in the text, then the syntax tree, both counted without
  recursion);
* the exponent of ``**`` must be a number or a variable whose value has
  magnitude at most :data:`MAX_EXPONENT` (so ``2**10**10`` and ``9**99999``
  are refused);
* while evaluating, at most :data:`MAX_NODES` graph nodes are made.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .. import engine
from ..engine import Value
from ..errors import fail

FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "abs", "leaky_relu")
"""表达式中可以调用的引擎函数. The engine functions an expression may call."""

MAX_LENGTH = 100_000
"""表达式最多的字符数. The longest expression accepted, in characters."""

MAX_DEPTH = 100
"""最深的嵌套层数 (括号与语法树). The deepest nesting accepted (brackets and syntax tree)."""

MAX_EXPONENT = 100.0
"""** 的指数的最大绝对值. The largest magnitude of an exponent of ``**``."""

MAX_NODES = 10_000
"""求值时最多建立的节点数. The most graph nodes an expression may create."""

LABEL_LENGTH = 16
"""中间节点用源代码文本作标签的最大长度. Intermediate nodes are labelled by source text up to this length."""

_BINARY: dict[type[ast.operator], Callable[[object, object], object]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}

_REFUSED = {
    ast.Attribute: ("属性访问 (.)", "attribute access (.)"),
    ast.Subscript: ("下标 ([ ])", "subscripts ([ ])"),
    ast.Lambda: ("lambda", "lambdas"),
    ast.ListComp: ("推导式", "comprehensions"),
    ast.SetComp: ("推导式", "comprehensions"),
    ast.DictComp: ("推导式", "comprehensions"),
    ast.GeneratorExp: ("生成器表达式", "generator expressions"),
    ast.Compare: ("比较", "comparisons"),
    ast.BoolOp: ("and / or", "boolean operators"),
    ast.IfExp: ("条件表达式 (if else)", "conditional expressions"),
    ast.NamedExpr: ("赋值表达式 (:=)", "assignment expressions (:=)"),
    ast.JoinedStr: ("f 字符串", "f-strings"),
    ast.Starred: ("星号展开 (*)", "starred arguments (*)"),
    ast.List: ("列表", "lists"),
    ast.Tuple: ("元组", "tuples"),
    ast.Dict: ("字典", "dicts"),
    ast.Set: ("集合", "sets"),
    ast.Await: ("await", "await"),
    ast.Yield: ("yield", "yield"),
    ast.YieldFrom: ("yield", "yield"),
}


class ExpressionError(ValueError):
    """表达式或变量不被接受 (双语信息). An expression or variable that is refused."""


def _refuse(zh: str, en: str) -> None:
    fail(ExpressionError, zh, en)


@dataclass(frozen=True)
class Expression:
    """检查过的表达式: 原文、语法树与用到的变量 (按首次出现的顺序).

    A checked expression: its text, syntax tree and the variables it uses.
    """

    text: str
    tree: ast.Expression
    variables: tuple[str, ...]


# ---- 变量 variables --------------------------------------------------------------------------


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """把命令行上的 ``name=value`` 变成 {名字: 数值}; 名字须是标识符, 数值须是有限数.

    Turn ``name=value`` items into a dict.  Names must be identifiers that are
    neither keywords nor function names; values must be finite numbers.
    """
    variables: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep:
            _refuse(f"变量要写成 名字=数值, 收到 {item!r}", f"a variable must be written name=value, got {item!r}")
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            _refuse(f"变量名 {name!r} 不合法 (须是字母开头的标识符)",
                    f"invalid variable name {name!r} (must be an identifier starting with a letter)")
        if name in FUNCTIONS:
            _refuse(f"变量名 {name!r} 与函数同名", f"variable name {name!r} is the name of a function")
        if name in variables:
            _refuse(f"变量 {name} 给了两次", f"variable {name} is given twice")
        try:
            value = float(text)
        except ValueError:
            _refuse(f"变量 {name} 的值 {text!r} 不是数字", f"the value {text!r} of variable {name} is not a number")
        if not math.isfinite(value):
            _refuse(f"变量 {name} 的值必须是有限数, 收到 {text!r}",
                    f"the value of variable {name} must be finite, got {text!r}")
        variables[name] = value
    return variables


# ---- 检查 checking -----------------------------------------------------------------------------


def _children(node: ast.AST) -> list[ast.AST]:
    """表达式节点的子表达式 (不含运算符与上下文对象). Sub-expressions of a node."""
    return [child for child in ast.iter_child_nodes(node)
            if not isinstance(child, (ast.operator, ast.unaryop, ast.expr_context))]


def _check_bracket_depth(text: str) -> None:
    """在解析之前逐字符数括号的嵌套层数. Count bracket nesting character by character, before parsing."""
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                _refuse(f"表达式嵌套太深 (超过 {MAX_DEPTH} 层括号)",
                        f"the expression is nested too deeply (more than {MAX_DEPTH} brackets)")
        elif ch in ")]}":
            depth -= 1


def _check_tree_depth(tree: ast.AST) -> None:
    """用显式栈求语法树的深度, 超过 MAX_DEPTH 即拒绝. Tree depth with an explicit stack."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            _refuse(f"表达式嵌套太深 (语法树超过 {MAX_DEPTH} 层)",
                    f"the expression is nested too deeply (syntax tree deeper than {MAX_DEPTH})")
        stack.extend((child, depth + 1) for child in _children(node))


def _number(node: ast.AST) -> float | None:
    """若 node 是 (带正负号的) 数字常量, 返回其值, 否则 None. The value of a signed number literal."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * _finite_constant(node.value)
    return None


def _finite_constant(value: float) -> float:
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        _refuse(f"数字 {str(value)[:30]} 超出浮点数范围", f"the number {str(value)[:30]} is out of float range")
    return number


def _check_exponent(node: ast.AST, variables: Mapping[str, float], text: str) -> None:
    """** 的指数只能是数字或变量, 且绝对值不超过 MAX_EXPONENT. The exponent rule."""
    value = _number(node)
    if value is None and isinstance(node, ast.Name) and node.id in variables:
        value = variables[node.id]
    if value is None:
        segment = _source(text, node)
        _refuse(f"** 的指数只能是数字或变量, 收到 {segment!r}",
                f"the exponent of ** must be a number or a variable, got {segment!r}")
    if abs(value) > MAX_EXPONENT:
        segment = _source(text, node)
        shown = segment if segment == f"{value:g}" else f"{segment} = {value:g}"
        _refuse(f"** 的指数 {shown} 太大 (绝对值不能超过 {MAX_EXPONENT:g})",
                f"the exponent {shown} of ** is too large (magnitude at most {MAX_EXPONENT:g})")


def _check_call(node: ast.Call, text: str) -> None:
    """只能调用白名单中的函数, 只用位置参数, 参数个数正确. Whitelisted functions, positional args only."""
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        segment = _source(text, node)
        _refuse(f"不能调用 {segment!r}: 只允许调用 {', '.join(FUNCTIONS)}",
                f"cannot call {segment!r}: only {', '.join(FUNCTIONS)} may be called")
    name = node.func.id
    if node.keywords:
        _refuse(f"{name}: 不接受关键字参数", f"{name} takes no keyword arguments")
    arity = (1, 2) if name == "leaky_relu" else (1,)
    if len(node.args) not in arity:
        _refuse(f"{name} 需要 {' 或 '.join(map(str, arity))} 个参数, 收到 {len(node.args)} 个",
                f"{name} takes {' or '.join(map(str, arity))} argument(s), got {len(node.args)}")
    if len(node.args) == 2 and _number(node.args[1]) is None:
        _refuse("leaky_relu 的斜率 (第二个参数) 必须是数字",
                "the slope of leaky_relu (second argument) must be a number")


def _source(text: str, node: ast.AST, default: str = "?") -> str:
    """节点的源代码文本, 最多 60 个字符 (只在报错时调用). Source text of a node, for error messages."""
    segment = ast.get_source_segment(text, node) or default
    return segment if len(segment) <= 60 else segment[:57] + "..."


def _check_node(node: ast.AST, variables: Mapping[str, float], text: str, callee: bool) -> None:
    """检查一个语法树节点是否在白名单中. Check one syntax-tree node against the whitelist."""
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            segment = _source(text, node)
            _refuse(f"不允许的常量 {segment!r}: 只能用实数", f"constant {segment!r} is not allowed: only real numbers")
        _finite_constant(node.value)
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS and not callee:
            _refuse(f"函数 {node.id} 要带括号调用, 如 {node.id}(a)",
                    f"the function {node.id} must be called, e.g. {node.id}(a)")
        if node.id not in FUNCTIONS and node.id not in variables:
            _refuse(f"变量 {node.id} 没有给值: 在命令行上加上 {node.id}=数值",
                    f"variable {node.id} has no value: add {node.id}=<number> on the command line")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            segment = _source(text, node, type(node).__name__)
            _refuse(f"不允许的运算 {segment!r}: 只能用 + - * / **",
                    f"operator not allowed in {segment!r}: only + - * / ** may be used")
        if isinstance(node.op, ast.Pow):
            _check_exponent(node.right, variables, text)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            segment = _source(text, node, type(node).__name__)
            _refuse(f"不允许的一元运算 {segment!r}: 只能用 - 和 +",
                    f"unary operator not allowed in {segment!r}: only - and + may be used")
    elif isinstance(node, ast.Call):
        _check_call(node, text)
    elif not isinstance(node, ast.Expression):
        segment = _source(text, node, type(node).__name__)
        zh, en = _REFUSED.get(type(node), (f"语法 {type(node).__name__}", f"the syntax {type(node).__name__}"))
        _refuse(f"表达式中不允许{zh}: {segment!r}", f"{en} not allowed in expressions: {segment!r}")


def parse_expression(text: str, variables: Mapping[str, float]) -> Expression:
    """解析并检查表达式 (不求值); 不在白名单中的语法一律拒绝.

    Parse and check ``text`` without evaluating anything.  ``variables`` are
    the names given values on the command line (their values matter for the
    exponent rule).  Raises :class:`ExpressionError` for anything refused.
    """
    if not isinstance(text, str) or not text.strip():
        _refuse("表达式是空的", "the expression is empty")
    if len(text) > MAX_LENGTH:
        _refuse(f"表达式太长: {len(text)} 个字符, 最多 {MAX_LENGTH}",
                f"the expression is too long: {len(text)} characters, at most {MAX_LENGTH}")
    _check_bracket_depth(text)
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        _refuse(f"表达式有语法错误: {error.msg}", f"syntax error in the expression: {error.msg}")
    except (RecursionError, MemoryError, ValueError):
        _refuse("表达式太复杂, 无法解析", "the expression is too complex to parse")
    _check_tree_depth(tree)
    used: dict[str, None] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, callee = stack.pop()
        _check_node(node, variables, text, callee)
        if isinstance(node, ast.Name) and not callee:
            used[node.id] = None
        if isinstance(node, ast.Call):
            stack.append((node.func, True))
            stack.extend((arg, False) for arg in reversed(node.args))
        else:
            stack.extend((child, False) for child in reversed(_children(node)))
    return Expression(text, tree, tuple(used))  # 栈按从左到右的先序弹出. Pre-order, left to right.


# ---- 求值 evaluating ---------------------------------------------------------------------------


def _function(name: str) -> Callable[..., Value]:
    """表达式中函数名对应的引擎函数 (调用时才查找). The engine function for a name, looked up when called."""
    return operator.abs if name == "abs" else getattr(engine, name)


class _Evaluator:
    """对检查过的语法树求值, 建立计算图并数节点. Evaluate a checked tree, counting graph nodes."""

    def __init__(self, expression: Expression, leaves: Mapping[str, Value], max_nodes: int) -> None:
        self.expression = expression
        self.leaves = leaves
        self.max_nodes = max_nodes
        self.nodes = len(leaves)
        self.lines = [line.encode() for line in expression.text.split("\n")]

    def short_source(self, node: ast.AST) -> str:
        """子表达式的原文 (去掉空白), 超过 LABEL_LENGTH 时为空; 不重复扫描全文.

        The source text of a sub-expression without whitespace, or "" when
        longer than ``LABEL_LENGTH``.  Uses the node's (UTF-8 byte) offsets
        directly, so labelling stays linear in the expression's size.
        """
        if node.lineno != node.end_lineno or node.end_col_offset - node.col_offset > 4 * LABEL_LENGTH:
            return ""
        raw = self.lines[node.lineno - 1][node.col_offset:node.end_col_offset].decode(errors="replace")
        text = "".join(raw.split())
        return text if len(text) <= LABEL_LENGTH else ""

    def value(self, node: ast.AST) -> Value | float:
        """子表达式的值: 依赖变量时是 Value, 否则是 (折叠后的) 常数. A Value, or a folded constant."""
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return self.leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.made(node, -operand) if isinstance(operand, Value) else -operand
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left), self.value(node.right)
            return self.apply(node, _BINARY[type(node.op)], left, right)
        if isinstance(node, ast.Call):
            args = [self.value(arg) for arg in node.args]
            return self.apply(node, _function(node.func.id), *args)
        raise AssertionError(f"unchecked node {type(node).__name__}")  # parse_expression 已拒绝. Already refused.

    def apply(self, node: ast.AST, function: Callable[..., object], *args: Value | float) -> Value | float:
        """施加运算; 全是常数时在 no_grad 下借引擎算出常数 (同样的定义域检查).

        Apply an operation.  With only constants it is folded under
        ``no_grad`` through the engine, so the same domain checks apply.
        """
        if any(isinstance(arg, Value) for arg in args):
            return self.made(node, function(*args))
        with engine.no_grad():
            return function(Value(args[0]), *args[1:]).data

    def made(self, node: ast.AST, result: Value) -> Value:
        """数一个新节点; 较短的子表达式原文作标签. Count a new node; label it with short source text."""
        self.nodes += 1
        if self.nodes > self.max_nodes:
            _refuse(f"计算图太大: 超过 {self.max_nodes} 个节点",
                    f"the graph is too large: more than {self.max_nodes} nodes")
        if result.parents and not result.label:
            result.label = self.short_source(node)
        return result


def evaluate(expression: Expression, variables: Mapping[str, float], name: str = "",
             max_nodes: int = MAX_NODES) -> Value:
    """对检查过的表达式求值, 返回输出节点; 叶子以变量名为标签, 输出以 name 为标签.

    Evaluate a checked expression and return its output node.  Leaves are
    labelled with their variable names; short intermediate sub-expressions
    with their source text; the output (unless it is a variable itself) with
    ``name``.  More than ``max_nodes`` nodes raises :class:`ExpressionError`.
    """
    leaves = {var: Value(variables[var], label=var) for var in expression.variables}
    out = _Evaluator(expression, leaves, max_nodes).value(expression.tree.body)
    if not isinstance(out, Value):
        out = Value(out)
    if name and (out.parents or not out.label):
        out.label = name
    return out
