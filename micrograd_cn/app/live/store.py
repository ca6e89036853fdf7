"""课堂的数据: 一个 SQLite 文件 (WAL); 每个答案先提交再回复, 进程被杀后重启也一个不少.

The classroom's data in one SQLite file (standard library ``sqlite3``, WAL
journal, ``synchronous=FULL``).  :meth:`Store.add_answer` returns only after
the transaction is committed, so an answer the server acknowledged survives
``kill -9``; the session's state (join code, token, current question) lives in
the same file, so a restart on the file resumes the session.

Tables: ``meta`` (key → value), ``students``, ``questions`` (one per asked
node), ``answers`` (one per student and question).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS students (
    id TEXT PRIMARY KEY, nickname TEXT NOT NULL, folded TEXT NOT NULL UNIQUE, joined_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY, board INTEGER NOT NULL, node INTEGER NOT NULL, opened_at REAL NOT NULL,
    revealed_at REAL);
CREATE TABLE IF NOT EXISTS answers (
    student TEXT NOT NULL REFERENCES students(id), question INTEGER NOT NULL REFERENCES questions(id),
    text TEXT NOT NULL, value REAL NOT NULL, group_key TEXT NOT NULL, seconds REAL NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (student, question));
"""


@dataclass(frozen=True)
class Question:
    """问过的一个节点: 第几张图 (board) 的第几个节点, 何时提问, 何时揭晓. One asked node."""

    id: int
    board: int
    node: int
    opened_at: float
    revealed_at: float | None

    @property
    def revealed(self) -> bool:
        return self.revealed_at is not None


@dataclass(frozen=True)
class Answer:
    """一个学生对一个问题的答案, 及其分组 (right / 诊断序号 d0 d1 … / other). One stored answer."""

    student: str
    question: int
    text: str
    value: float
    group_key: str
    seconds: float


class Store:
    """一个课堂数据文件. One classroom data file; safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        """关闭文件 (数据留在磁盘上). Close the file; the data stays on disk."""
        with self.lock:
            self.db.close()

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """一条写语句, 在它自己的事务里提交后才返回. One write, committed before it returns."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self.db.execute(sql, args)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return cursor

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    # ---- meta ----
    def get(self, key: str) -> str | None:
        """会话状态中的一项. One item of the session state."""
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def put(self, **items: Any) -> None:
        """写入会话状态的几项 (一个事务). Write items of the session state in one transaction."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                [(key, str(value)) for key, value in items.items()])
            self.db.execute("COMMIT")

    # ---- students ----
    def add_student(self, student: str, nickname: str, folded: str) -> bool:
        """加入一个学生; 昵称 (折叠大小写后) 已被使用时返回 False. Add a student; False if the nickname is taken."""
        try:
            self._write("INSERT INTO students VALUES (?, ?, ?, ?)", (student, nickname, folded, time.time()))
        except sqlite3.IntegrityError:
            return False
        return True

    def nickname(self, student: str) -> str | None:
        rows = self._read("SELECT nickname FROM students WHERE id = ?", (student,))
        return rows[0][0] if rows else None

    def student_count(self) -> int:
        return self._read("SELECT COUNT(*) FROM students")[0][0]

    # ---- questions ----
    def open_question(self, board: int, node: int) -> Question:
        """提出一个新问题 (提交后返回). Ask a new question, committed."""
        now = time.time()
        cursor = self._write("INSERT INTO questions (board, node, opened_at) VALUES (?, ?, ?)", (board, node, now))
        return Question(cursor.lastrowid, board, node, now, None)

    def reveal(self, question: int) -> None:
        self._write("UPDATE questions SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
                    (time.time(), question))

    def question(self, question: int) -> Question | None:
        rows = self._read("SELECT id, board, node, opened_at, revealed_at FROM questions WHERE id = ?", (question,))
        return Question(*rows[0]) if rows else None

    def questions(self) -> list[Question]:
        """问过的全部问题, 按提问顺序. Every asked question, in order."""
        return [Question(*row) for row in
                self._read("SELECT id, board, node, opened_at, revealed_at FROM questions ORDER BY id")]

    # ---- answers ----
    def add_answer(self, answer: Answer) -> bool:
        """存一个答案, 提交后才返回; 这个学生已经答过这道题时返回 False. Store an answer (committed)."""
        try:
            self._write("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (answer.student, answer.question, answer.text, answer.value, answer.group_key,
                         answer.seconds, time.time()))
        except sqlite3.IntegrityError:
            return False
        return True

    def answer(self, student: str, question: int) -> Answer | None:
        rows = self._read("SELECT student, question, text, value, group_key, seconds FROM answers "
                          "WHERE student = ? AND question = ?", (student, question))
        return Answer(*rows[0]) if rows else None

    def counts(self, question: int) -> dict[str, int]:
        """一个问题的答案按分组计数. The answers to one question, counted by group."""
        return dict(self._read("SELECT group_key, COUNT(*) FROM answers WHERE question = ? GROUP BY group_key",
                               (question,)))

    def rows(self) -> list[tuple[str, int, str, str, float]]:
        """导出用: (昵称, 问题, 答案, 分组, 用时) 按问题与时间排序. For export, ordered by question and time."""
        return self._read("SELECT s.nickname, a.question, a.text, a.group_key, a.seconds FROM answers a "
                          "JOIN students s ON s.id = a.student ORDER BY a.question, a.at")

    def answer_count(self) -> int:
        return self._read("SELECT COUNT(*) FROM answers")[0][0]
