"""一堂课的进程: 加入、提问、作答、按诊断分组、揭晓、下一题、小结与导出 (没有网络代码).

The session logic, free of web code: students join with a nickname, the
teacher asks one node at a time, each answer is graded on the server by
:meth:`Board.grade` (the diagnoses of :mod:`micrograd_cn.backprop.diagnose`)
and stored before it is acknowledged; the teacher sees the answers grouped
by diagnosis; a student sees only their own answer, and in ``"reveal"`` mode
nothing about right or wrong until the teacher reveals.

Every change bumps :attr:`Session.version` (what the teacher sees) and, when
students see it too, :attr:`Session.public_version`; the server's event
streams watch the two numbers.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from ...errors import fail
from .lesson import MAX_TEXT, Board, fingerprint, parse_number, short_label
from .store import Answer, Question, Store

MODES = ("now", "reveal")
"""反馈方式: 立即 (带诊断), 或老师揭晓之后. Feedback at once (with the diagnosis) or after the reveal."""
MAX_NICKNAME = 16
"""昵称最多的字符数. The longest nickname."""
MAX_STUDENTS = 1000
"""一堂课最多的学生数. The most students one session takes."""
_NICKNAME_EXTRA = set(" _-·.")


class LiveError(Exception):
    """请求被拒绝: HTTP 状态码与中英文说明. A refused request: its HTTP status and a bilingual message."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} ({en})")
        self.status, self.zh, self.en = status, zh, en


def clean_nickname(text: Any) -> str:
    """检查昵称: 1–16 个字, 只有文字、数字、空格和 _ - · . ; 返回规范化 (NFKC) 的昵称.

    Check a nickname: 1–16 characters, letters, digits, spaces and ``_ - · .``
    only; returns it normalised (NFKC, spaces collapsed).
    """
    if not isinstance(text, str):
        raise LiveError(400, "昵称必须是文字", "the nickname must be text")
    name = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    if not 1 <= len(name) <= MAX_NICKNAME:
        raise LiveError(400, f"昵称要 1 到 {MAX_NICKNAME} 个字", f"a nickname has 1 to {MAX_NICKNAME} characters")
    if not all(c in _NICKNAME_EXTRA or unicodedata.category(c)[0] in "LN" for c in name):
        raise LiveError(400, "昵称只能用文字、数字、空格和 _ - · .",
                        "a nickname may hold letters, digits, spaces and _ - · . only")
    return name


class Session:
    """一堂课: 图、数据文件、加入码、老师的口令、当前的问题. One live session.

    A data file that already holds this lesson (same :func:`fingerprint`) is
    resumed: same join code, same teacher token, same question, every answer.
    A file holding another lesson is refused.
    """

    def __init__(self, boards: Sequence[Board], store: Store, feedback: str = "now") -> None:
        if feedback not in MODES:
            fail(ValueError, f"live: feedback 必须是 {' 或 '.join(MODES)}, 收到 {feedback!r}",
                 f"live: feedback must be {' or '.join(MODES)}, got {feedback!r}")
        self.boards = list(boards)
        self.store = store
        print_ = fingerprint(self.boards)
        found = store.get("fingerprint")
        self.resumed = found is not None
        if found is not None and found != print_:
            fail(ValueError, f"live: 数据文件 {store.path} 属于另一节课; 换一个 --db 文件",
                 f"live: the data file {store.path} holds another lesson; use another --db file")
        if not self.resumed:
            store.put(fingerprint=print_, code=f"{secrets.randbelow(10**6):06d}",
                      token=secrets.token_urlsafe(24), mode=feedback)
        self.code: str = store.get("code") or ""
        self.token: str = store.get("token") or ""
        self.mode: str = store.get("mode") or feedback
        self.version = 0
        self.public_version = 0
        self.lock = threading.Lock()
        self.listeners: list[Callable[[bool], None]] = []
        """每次变化后调用, 参数说明学生是否也看得见这个变化 (任何线程). Called after every change, any thread;
        the argument says whether students see the change too."""
        asked = store.questions()
        self.question: Question = asked[-1] if asked else store.open_question(0, self.boards[0].asked[0])

    # ---- 变化 changes ----
    def _changed(self, public: bool) -> None:
        with self.lock:
            self.version += 1
            if public:
                self.public_version += 1
        for listener in self.listeners:
            listener(public)

    @property
    def joined(self) -> int:
        """加入的学生数. How many students joined."""
        return self.store.student_count()

    @property
    def board(self) -> Board:
        return self.boards[self.question.board]

    # ---- 学生 students ----
    def join(self, code: Any, nickname: Any) -> str:
        """用加入码和昵称加入, 返回学生的秘密编号. Join with the code and a nickname; returns the student's id."""
        if not isinstance(code, str) or not secrets.compare_digest(code.strip().encode(), self.code.encode()):
            raise LiveError(403, "加入码不对", "wrong join code")
        name = clean_nickname(nickname)
        if self.store.student_count() >= MAX_STUDENTS:
            raise LiveError(409, "这堂课已满", "the session is full")
        student = secrets.token_urlsafe(18)
        if not self.store.add_student(student, name, name.casefold()):
            raise LiveError(409, "这个昵称已经有人用了, 换一个", "that nickname is taken; pick another")
        self._changed(False)
        return student

    def nickname(self, student: str | None) -> str:
        """学生的昵称; 不认识的编号被拒绝 (401). The student's nickname; an unknown id is refused."""
        name = self.store.nickname(student) if student else None
        if name is None:
            raise LiveError(401, "请先加入", "join first")
        return name

    def answer(self, student: str, question: Any, text: Any) -> dict[str, Any]:
        """存一个答案 (提交后才返回), 回复这个学生能看到的反馈. Store an answer, then reply with the feedback.

        Only the current question takes answers, one per student; the first
        answer counts (a second is refused with 409).
        """
        self.nickname(student)
        if question != self.question.id:
            raise LiveError(409, "这道题已经结束, 请看新题", "that question is over; see the new one")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise LiveError(400, f"答案是不超过 {MAX_TEXT} 个字的数", f"an answer is a number of at most {MAX_TEXT} "
                            "characters")
        value = parse_number(text)
        if value is None:
            raise LiveError(422, "请写一个数, 如 0.25、-3 或 1/4", "type a number such as 0.25, -3 or 1/4")
        q = self.question
        group = self.board.grade(q.node, value)
        stored = Answer(student, q.id, text.strip(), value, group, round(time.time() - q.opened_at, 3))
        if not self.store.add_answer(stored):
            raise LiveError(409, "这道题你已经答过了", "you have answered this question already")
        self._changed(False)
        return self._mine(stored)

    def _mine(self, answer: Answer) -> dict[str, Any]:
        """学生自己的答案和他此刻可以看到的反馈. A student's own answer and the feedback they may see now."""
        mine: dict[str, Any] = {"text": answer.text}
        q = self.question if answer.question == self.question.id else self.store.question(answer.question)
        if q is None or (self.mode == "reveal" and not q.revealed):
            return mine  # 揭晓前不说对错. Nothing about right or wrong before the reveal.
        board = self.boards[q.board]
        mine["right"] = answer.group_key == "right"
        found = board.diagnosis(q.node, answer.group_key)
        if found is not None:
            mine.update(label=short_label(found), zh=found.zh, en=found.en, hint=f"{found.hint_zh} ({found.hint_en})",
                        edges=board.edges(q.node, answer.group_key))
        return mine

    def student_state(self, student: str) -> dict[str, Any]:
        """一个学生此刻看到的一切 (没有别人的答案; 揭晓前没有答案). What one student sees now."""
        name = self.nickname(student)
        q, board = self.question, self.board
        mine = self.store.answer(student, q.id)
        state: dict[str, Any] = {
            "nickname": name, "mode": self.mode, "board": q.board, "title": board.title,
            "question": {"id": q.id, "node": q.node, "symbol": board.symbol(q.node), "revealed": q.revealed},
            "mine": self._mine(mine) if mine else None, "reveal": None}
        if q.revealed:
            state["reveal"] = {"answer": board.answer_text(q.node), "expansion": board.expansion(q.node)}
        return state

    # ---- 老师 the teacher ----
    def check_token(self, token: Any) -> None:
        """老师的口令 (常数时间比较); 不对就 403. The teacher's token, compared in constant time."""
        if not isinstance(token, str) or not secrets.compare_digest(token.encode(), self.token.encode()):
            raise LiveError(403, "需要老师的口令", "the teacher's token is needed")

    def ask(self, board: int, node: int) -> None:
        """提问第 board 张图的第 node 个节点 (新的一轮). Ask for node ``node`` of board ``board``."""
        if not (isinstance(board, int) and 0 <= board < len(self.boards)):
            raise LiveError(400, "没有这张图", "no such board")
        if not (isinstance(node, int) and 0 <= node < len(self.boards[board].nodes)):
            raise LiveError(400, "图中没有这个节点", "no such node")
        if node == self.boards[board].steps.graph.index[id(self.boards[board].steps.out)]:
            raise LiveError(400, "输出对自己的梯度总是 1, 换一个节点",
                            "the output's own gradient is 1; ask another node")
        self.question = self.store.open_question(board, node)
        self._changed(True)

    def next_node(self) -> None:
        """这张图上要问的下一个节点 (问完了就从头). The board's next node to ask (wrapping around)."""
        asked = self.board.asked
        node = self.question.node
        following = asked[(asked.index(node) + 1) % len(asked)] if node in asked else asked[0]
        self.ask(self.question.board, following)

    def next_board(self) -> None:
        """下一张图 (下一道练习) 的第一个问题. The first question of the next board."""
        board = (self.question.board + 1) % len(self.boards)
        self.ask(board, self.boards[board].asked[0])

    def reveal(self) -> None:
        """揭晓当前问题的答案与链式法则展开. Reveal the current question's answer and expansion."""
        if not self.question.revealed:
            self.store.reveal(self.question.id)
            self.question = self.store.question(self.question.id) or self.question
            self._changed(True)

    def set_mode(self, mode: Any) -> None:
        """反馈方式: "now" 立即, "reveal" 揭晓之后. Feedback at once or after the reveal."""
        if mode not in MODES:
            raise LiveError(400, f"反馈方式只能是 {' 或 '.join(MODES)}", f"the feedback mode is {' or '.join(MODES)}")
        self.mode = mode
        self.store.put(mode=mode)
        self._changed(True)

    def groups(self, question: Question, counts: dict[str, int]) -> list[dict[str, Any]]:
        """按诊断分组的答案: 对的在前, 其次各种错误 (多的在前), 最后 "其他". Answers grouped by diagnosis."""
        board = self.boards[question.board]
        found = []
        for key, count in counts.items():
            diagnosis = board.diagnosis(question.node, key)
            label = "✔" if key == "right" else short_label(diagnosis) if diagnosis else "其他"
            en = "right" if key == "right" else diagnosis.en.split(":")[0] if diagnosis else "other"
            found.append({"key": key, "label": label, "en": en, "count": count,
                          "edges": board.edges(question.node, key)})
        rank = {"right": 0, "other": 2}
        return sorted(found, key=lambda g: (rank.get(g["key"], 1), -g["count"], g["key"]))

    def teacher_state(self) -> dict[str, Any]:
        """老师看到的一切: 人数、分组、揭晓的展开式、每个问题的小结. Everything the teacher sees."""
        q, board = self.question, self.board
        counts = self.store.counts(q.id)
        state: dict[str, Any] = {
            "code": self.code, "mode": self.mode, "joined": self.joined, "answered": sum(counts.values()),
            "board": q.board, "boards": len(self.boards), "title": board.title,
            "question": {"id": q.id, "node": q.node, "symbol": board.symbol(q.node), "revealed": q.revealed},
            "groups": self.groups(q, counts), "reveal": None, "summary": self.summary()}
        if q.revealed:
            state["reveal"] = {"answer": board.answer_text(q.node), "expansion": board.expansion(q.node)}
        return state

    def summary(self) -> list[dict[str, Any]]:
        """每个问过的问题一行: 记号、作答人数、答对人数、最常见的错误. One row per asked question."""
        rows = []
        for q in self.store.questions():
            counts = self.store.counts(q.id)
            if not counts and q.id != self.question.id:
                continue
            wrong = [g for g in self.groups(q, counts) if g["key"] != "right"]
            top = max(wrong, key=lambda g: g["count"]) if wrong else None
            rows.append({"id": q.id, "board": q.board, "symbol": self.boards[q.board].symbol(q.node),
                         "answered": sum(counts.values()), "right": counts.get("right", 0),
                         "top": f"{top['label']} ×{top['count']}" if top else ""})
        return rows

    def csv(self) -> str:
        """导出: 昵称, 问题, 答案, 诊断, 用时 (秒). The CSV export."""
        questions = {q.id: q for q in self.store.questions()}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["nickname 昵称", "question 问题", "answer 答案", "diagnosis 诊断", "seconds 用时"])
        for name, question, text, key, seconds in self.store.rows():
            q = questions[question]
            board = self.boards[q.board]
            found = board.diagnosis(q.node, key)
            label = "✔ 正确 right" if key == "right" else short_label(found) if found else "其他 other"
            symbol = f"{q.board + 1}: {board.symbol(q.node)}" if len(self.boards) > 1 else board.symbol(q.node)
            writer.writerow([_cell(name), symbol, _cell(text), label, f"{seconds:.1f}"])
        return out.getvalue()


def _cell(text: str) -> str:
    """表格软件不会当成公式的单元格 (=, +, -, @ 开头的前面加 '). A cell no spreadsheet runs as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and parse_number(text) is None else text
