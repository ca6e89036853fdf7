"""安全的表达式解析: 把命令行上的 "(a+b)*(b+1)" 变成计算图, 只接受白名单中的语法.

A safe parser for expressions such as ``"(a+b)*(b+1)"``, shared by the
command line, the browser site and Python code.

Before anything is parsed, :func:`check_text` reads the text once, character
by character, and refuses it with the position of the problem: more than
:data:`MAX_LENGTH` characters, :data:`MAX_TERMS` terms, a name longer than
:data:`MAX_NAME_LENGTH`, nesting deeper than :data:`MAX_DEPTH` (brackets,
signs in a row, chained ``**``; a flat sum of 500 terms is not nested), an
unclosed bracket, an operator with nothing after it, and with a suggested
fix: characters a Chinese input method produces (``×``, ``÷``, ``（）``,
full-width digits and commas), ``2a`` or ``(a+b)(b+1)`` (did you mean
``2*a``?) and ``^`` (did you mean ``**``?).

The text is then parsed with :func:`ast.parse` and checked against a
whitelist *before anything is evaluated*: numbers, variable names,
``+ - * / **``, unary ``-`` and ``+``, and calls of the engine's functions
(see :data:`FUNCTIONS`) with positional arguments.  Everything else
(attributes, subscripts, imports, lambdas, comprehensions, strings,
comparisons, ...) is refused with an :class:`ExpressionError`.  The exponent
of ``**`` must be a number or a variable whose value has magnitude at most
:data:`MAX_EXPONENT` (so ``2**10**10`` and ``9**99999`` are refused); while
evaluating (without recursion), at most :data:`MAX_NODES` graph nodes are made.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

from .. import engine
from ..engine import Value
from ..errors import bilingual

FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "abs", "leaky_relu")
"""表达式中可以调用的引擎函数. The engine functions an expression may call."""

# ---- 限制 limits: 网站、命令行与 Python 解析器共用这一处. One place for the site, the CLI and Python. ----

MAX_LENGTH = 4000
"""表达式最多的字符数. The longest expression accepted, in characters."""

MAX_TERMS = 600
"""最多的项数 (数字与变量, 不含函数名). The most terms (numbers and variables, not function names)."""

MAX_NAME_LENGTH = 20
"""变量名最多的字符数. The longest variable name, in characters."""

MAX_DEPTH = 100
"""最深的嵌套: 括号 (含函数调用) 层数 + 连续的正负号 + 连写的 **. The deepest nesting accepted."""

MAX_EXPONENT = 100.0
"""** 的指数的最大绝对值. The largest magnitude of an exponent of ``**``."""

MAX_NODES = 1200
"""求值时最多建立的节点数 (逐步播放器能放的最大的图). The most graph nodes an expression may create."""

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
    """表达式或变量不被接受 (双语信息), 带出错的位置与建议的改法.

    An expression or variable that is refused.  ``position`` is the index
    (from 0) of the character where the problem is, or None; ``suggestion``
    the whole expression with the problem fixed, or None.
    """

    def __init__(self, message: str, position: int | None = None, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.suggestion = suggestion


def _refuse(zh: str, en: str, position: int | None = None, suggestion: str | None = None) -> NoReturn:
    """拒绝; 有位置时信息里写出 "第 N 个字符". Refuse, naming the character position (from 1) when known."""
    if position is not None:
        zh, en = f"{zh} (第 {position + 1} 个字符)", f"{en} (at character {position + 1})"
    raise ExpressionError(bilingual(zh, en), position, suggestion)


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


# ---- 解析之前 before parsing -----------------------------------------------------------------

_TYPED = {"×": "*", "÷": "/", "·": "*", "⋅": "*", "−": "-", "　": " ", "。": ".", "、": ",", "²": "**2", "³": "**3",
          "^": "**"}
"""中文输入法 (与课本) 常打出的字符 → 该写的 ASCII; 全角的 ！ 到 ～ 按编码换算.

Characters a Chinese input method (or a textbook) produces → the ASCII to
write instead; full-width ``！`` to ``～`` are mapped by their code point.
"""


def _ascii(ch: str) -> str | None:
    """中文输入法打出的字符该写成什么, 不是这样的字符时 None. What a typed character should be, or None."""
    if "\uff01" <= ch <= "\uff5e":
        ch = chr(ord(ch) - 0xFEE0)
        return _TYPED.get(ch, ch)
    return _TYPED.get(ch)


def _shown(text: str, limit: int = 60) -> str:
    """报错信息里的原文, 太长时截断. Text for a message, cut when long."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _check_typed(text: str) -> None:
    """拒绝中文输入法的字符 (与 ^), 建议整条改好的表达式. Refuse input-method characters, suggesting the fix."""
    for position, ch in enumerate(text):
        wanted = _ascii(ch)
        if wanted is None:
            continue
        fixed = "".join(_ascii(c) or c for c in text)
        if ch == "^":
            zh, en = "乘方要写成 **, 不是 ^", "powers are written **, not ^"
        else:
            zh = f"{ch!r} 是中文输入法的字符, 要写成 {wanted!r}"
            en = f"{ch!r} comes from a Chinese input method: write {wanted!r}"
        _refuse(f"{zh}; 是不是想写 {_shown(fixed)}", f"{en}; did you mean {_shown(fixed)}?", position, fixed)


def _number_end(text: str, i: int) -> int:
    """从 i 开始的数字字面量 (如 12, 1.5e-3, 0x1f) 在哪里结束. Where the number literal starting at i ends."""
    n = len(text)
    if text.startswith(("0x", "0X", "0o", "0O", "0b", "0B"), i):
        j = i + 2
        while j < n and (text[j].isalnum() or text[j] == "_"):
            j += 1
        return j
    j = i
    while j < n and (text[j] in "0123456789._"):
        j += 1
    sign = 1 if text[j + 1:j + 2] in ("+", "-") else 0
    if j < n and text[j] in "eE" and text[j + 1 + sign:j + 2 + sign] in tuple("0123456789"):
        j += 1 + sign
        while j < n and text[j] in "0123456789_":
            j += 1
    return j


_KINDS = {"(": "open", "[": "open", "{": "open", ")": "close", "]": "close", "}": "close",
          "+": "sign", "-": "sign", "*": "op", "/": "op", ",": "comma"}


def _tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """把文本切成 (种类, 起点, 终点), 一次读完, 不递归. Cut the text into (kind, start, end) in one pass."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "0123456789" or (ch == "." and text[i + 1:i + 2] in tuple("0123456789")):
            kind, j = "number", _number_end(text, i)
        elif ch.isidentifier():
            kind, j = "name", i + 1
            while j < n and f"a{text[j]}".isidentifier():
                j += 1
        elif text.startswith("**", i):
            kind, j = "power", i + 2
        else:
            kind, j = _KINDS.get(ch, "other"), i + 1
        yield kind, i, j
        i = j


def _operand_follows(before: tuple[str, int, int], after: tuple[str, int, int], text: str) -> bool:
    """两个记号之间是不是省略了乘号 (2a, a b, (a+b)(b+1), 2(a+b); 不含 f(a)). Whether a ``*`` was left out."""
    if before[0] not in ("number", "name", "close") or after[0] not in ("number", "name", "open"):
        return False
    if before[0] == "name" and after[0] == "open":
        return False  # 调用: 由白名单决定 (exp(a) 可以, f(a) 不行). A call: the whitelist decides.
    words = [text[start:end] for kind, start, end in (before, after) if kind == "name"]
    return not any(keyword.iskeyword(word) for word in words)  # 关键字交给解析器. Keywords: left to the parser.


def check_text(text: str) -> None:
    """解析之前检查长度、项数、名字长度、嵌套深度、括号与省略的乘号; 出错时给出位置 (与建议).

    Check the text before parsing it, in one pass without recursion: its
    length, the number of terms, name lengths, nesting (brackets, signs in a
    row and chained ``**``, so a flat sum is not nested), unbalanced brackets,
    a missing operand at the end, characters from a Chinese input method and
    left-out multiplication signs.  Raises :class:`ExpressionError` with the
    position, and a suggested fix where there is one.
    """
    if not isinstance(text, str) or not text.strip():
        _refuse("表达式是空的", "the expression is empty")
    if len(text) > MAX_LENGTH:
        _refuse(f"表达式太长: {len(text)} 个字符, 最多 {MAX_LENGTH}",
                f"the expression is too long: {len(text)} characters, at most {MAX_LENGTH}", MAX_LENGTH)
    _check_typed(text)
    opened: list[int] = []  # 未闭合的括号的位置. Positions of the open brackets.
    powers = [0]  # 每层括号里连写的 ** 个数. Chained ** per bracket level.
    signs = terms = 0
    missing: list[tuple[tuple[str, int, int], tuple[str, int, int]]] = []
    previous: tuple[str, int, int] | None = None
    for token in _tokens(text):
        kind, start, end = token
        if previous is not None and _operand_follows(previous, token, text):
            missing.append((previous, token))
        if kind == "sign" and (previous is None or previous[0] in ("open", "sign", "op", "power", "comma")):
            signs += 1
        else:
            signs = 0
        if kind == "name" and end - start > MAX_NAME_LENGTH:
            _refuse(f"名字 {_shown(text[start:end], 30)} 太长: {end - start} 个字符, 最多 {MAX_NAME_LENGTH}",
                    f"the name {_shown(text[start:end], 30)} is too long: {end - start} characters, "
                    f"at most {MAX_NAME_LENGTH}", start)
        if kind == "number" or (kind == "name" and text[start:end] not in FUNCTIONS):
            terms += 1
            if terms > MAX_TERMS:
                _refuse(f"项数太多: 超过 {MAX_TERMS} 个数字与变量", f"too many terms: more than {MAX_TERMS} numbers "
                        "and variables", start)
        elif kind == "open":
            opened.append(start)
            powers.append(0)
        elif kind == "close":
            if not opened:
                _refuse(f"多了一个右括号 {text[start]}", f"an extra closing bracket {text[start]}", start)
            opened.pop()
            powers.pop()
        elif kind == "power":
            powers[-1] += 1
        elif kind in ("sign", "op", "comma") and not signs:
            powers[-1] = 0
        if len(opened) + powers[-1] + signs > MAX_DEPTH:
            _refuse(f"表达式嵌套太深 (括号、连续的正负号与连写的 ** 超过 {MAX_DEPTH} 层)",
                    f"the expression is nested too deeply (brackets, signs in a row and chained ** deeper than "
                    f"{MAX_DEPTH})", start)
        previous = token
    if opened:
        _refuse(f"括号 {text[opened[-1]]} 没有闭合", f"the bracket {text[opened[-1]]} is never closed", opened[-1])
    if previous is not None and previous[0] in ("sign", "op", "power", "comma"):
        operator_ = text[previous[1]:previous[2]]
        _refuse(f"{operator_} 后面缺少操作数", f"{operator_} has nothing after it", previous[1])
    if missing:
        _refuse_missing_star(text, missing)


def _refuse_missing_star(text: str, missing: list[tuple[tuple[str, int, int], tuple[str, int, int]]]) -> NoReturn:
    """乘号不能省略: 指出第一处, 建议补上所有乘号的表达式. A left-out ``*``: the first place, and the fix."""
    pieces, last = [], 0
    for before, after in missing:
        pieces += [text[last:before[2]], "*"]
        last = after[1]
    fixed = "".join(pieces) + text[last:]
    before, after = missing[0]
    meant = fixed.strip() if len(fixed.strip()) <= 40 else f"{text[before[1]:before[2]]}*{text[after[1]:after[2]]}"
    _refuse(f"乘号不能省略; 是不是想写 {_shown(meant, 40)}",
            f"the multiplication sign cannot be left out; did you mean {_shown(meant, 40)}?", after[1], fixed)


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


def _offset(text: str, node: ast.AST) -> int:
    """语法树节点在文本中的字符位置 (ast 给的是 UTF-8 字节位置). A node's character index in the text."""
    lines = text.split("\n")
    before = sum(len(line) + 1 for line in lines[:node.lineno - 1])
    return before + len(lines[node.lineno - 1].encode()[:node.col_offset].decode(errors="ignore"))


def parse_expression(text: str, variables: Mapping[str, float]) -> Expression:
    """解析并检查表达式 (不求值); 不在白名单中的语法一律拒绝.

    Parse and check ``text`` without evaluating anything, after
    :func:`check_text` has checked its limits.  ``variables`` are
    the names given values on the command line (their values matter for the
    exponent rule).  Raises :class:`ExpressionError` for anything refused.
    """
    check_text(text)
    lead = len(text) - len(text.lstrip())  # 位置从原文算起. Positions count from the text as given.
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        position = lead + max(0, (error.offset or len(text) + 1) - 1) if error.lineno in (None, 1) else None
        _refuse(f"表达式有语法错误: {error.msg}", f"syntax error in the expression: {error.msg}", position)
    except (RecursionError, MemoryError, ValueError):
        _refuse("表达式太复杂, 无法解析", "the expression is too complex to parse")
    used: dict[str, None] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, callee = stack.pop()
        try:
            _check_node(node, variables, text, callee)
        except ExpressionError as error:
            if error.position is None and hasattr(node, "col_offset"):
                error.position = lead + _offset(text, node)
            raise
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

    def position(self, node: ast.AST) -> int:
        """节点在原文中的字符位置. A node's character index in the text."""
        return _offset(self.expression.text, node)

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

    def value(self, root: ast.AST) -> Value | float:
        """整棵树的值, 用显式栈按后序求值 (不递归); 依赖变量时是 Value, 否则是 (折叠后的) 常数.

        The value of the tree, evaluated in post-order with an explicit stack
        (no recursion, so a sum of hundreds of terms is fine): a Value, or a
        folded constant when no variable is involved.
        """
        results: list[Value | float] = []
        stack: list[tuple[ast.AST, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            operands = node.args if isinstance(node, ast.Call) else _children(node)
            if not ready and operands:
                stack.append((node, True))
                stack.extend((operand, False) for operand in reversed(operands))
                continue
            args = [results.pop() for _ in operands][::-1]
            results.append(self.combine(node, args))
        return results.pop()

    def combine(self, node: ast.AST, args: list[Value | float]) -> Value | float:
        """一个节点的值, 其子表达式的值 args 已经算好. One node's value from its operands' values."""
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return self.leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = args[0]
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.made(node, -operand) if isinstance(operand, Value) else -operand
        if isinstance(node, ast.BinOp):
            return self.apply(node, _BINARY[type(node.op)], *args)
        if isinstance(node, ast.Call):
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
            _refuse(f"计算图太大: 超过 {self.max_nodes} 个节点; 请减少项数或函数调用",
                    f"the graph is too large: more than {self.max_nodes} nodes; use fewer terms or function calls",
                    self.position(node))
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
