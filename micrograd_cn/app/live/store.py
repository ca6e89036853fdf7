"""课堂的数据: 一个 SQLite 文件 (WAL); 每个答案先提交再回复, 进程被杀后重启也一个不少.

The classroom's data in one SQLite file (standard library ``sqlite3``, WAL
journal, ``synchronous=FULL``, group commit).  :meth:`Store.add_answer` returns only after
the transaction is committed, so an answer the server acknowledged survives
``kill -9``; the session's state (join code, token, current question) lives in
the same file, so a restart on the file resumes the session.

Tables: ``meta`` (key → value), ``students``, ``questions`` (one per asked
node), ``answers`` (one per student and question).
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
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
CREATE INDEX IF NOT EXISTS answers_by_question ON answers (question);
"""
GROUP_COMMIT = 256
"""一次提交最多合并的写. The most writes one commit takes together."""


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
    """一个课堂数据文件; 多个线程可以同时使用. One classroom data file, safe to share between threads.

    Writes go through one writer thread that commits whatever is waiting in
    one transaction (group commit: one ``fsync`` for a burst of answers, each
    write in its own savepoint so one refused write does not undo the others);
    a write call returns only after that commit.  Reads use one connection
    per thread and see every committed write (WAL lets them run beside it).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._queue: queue.Queue[tuple[Callable[[sqlite3.Connection], Any], Future[Any]] | None] = queue.Queue()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        writer = self._connect()
        writer.execute("PRAGMA journal_mode=WAL")
        writer.executescript(SCHEMA)
        self._thread = threading.Thread(target=self._write_loop, args=(writer,), daemon=True,
                                        name="micrograd-cn-live-store")
        self._thread.start()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def _write_loop(self, db: sqlite3.Connection) -> None:
        """写线程: 把等着的写一起提交, 然后逐个回复. The writer: commit what waits together, then answer each."""
        while True:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < GROUP_COMMIT:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # 先做完这一批再停. Finish this batch, then stop.
                    break
                batch.append(item)
            results: list[tuple[Future[Any], Any, BaseException | None]] = []
            try:
                db.execute("BEGIN IMMEDIATE")
                for write, done in batch:
                    db.execute("SAVEPOINT one")
                    try:
                        value = write(db)
                    except sqlite3.Error as error:
                        db.execute("ROLLBACK TO one")
                        results.append((done, None, error))
                    else:
                        results.append((done, value, None))
                    db.execute("RELEASE one")
                db.execute("COMMIT")
            except sqlite3.Error as error:  # 提交失败: 这一批都没有写成. The commit failed: nothing was written.
                if db.in_transaction:
                    db.execute("ROLLBACK")
                results = [(done, None, error) for _, done in batch]
            for done, value, error in results:
                if error is None:
                    done.set_result(value)
                else:
                    done.set_exception(error)
        db.close()

    def _apply(self, write: Callable[[sqlite3.Connection], Any]) -> Any:
        """交给写线程, 等到提交之后才返回. Hand a write to the writer; return after its commit."""
        done: Future[Any] = Future()
        self._queue.put((write, done))
        return done.result()

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> int | None:
        """一条写语句 (提交后返回最后插入的行号). One write statement, committed; returns the last row id."""
        return self._apply(lambda db: db.execute(sql, args).lastrowid)

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        reader = getattr(self._local, "db", None)
        if reader is None:
            reader = self._local.db = self._connect()
            with self._readers_lock:
                self._readers.append(reader)
        return reader.execute(sql, args).fetchall()

    def close(self) -> None:
        """等写线程做完, 关闭文件 (数据留在磁盘上). Let the writer finish and close; the data stays on disk."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        with self._readers_lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()

    # ---- meta ----
    def get(self, key: str) -> str | None:
        """会话状态中的一项. One item of the session state."""
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def put(self, **items: Any) -> None:
        """写入会话状态的几项 (一起提交). Write items of the session state, committed together."""
        rows = [(key, str(value)) for key, value in items.items()]
        self._apply(lambda db: db.executemany(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", rows))

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
        row = self._write("INSERT INTO questions (board, node, opened_at) VALUES (?, ?, ?)", (board, node, now))
        return Question(int(row or 0), board, node, now, None)

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
