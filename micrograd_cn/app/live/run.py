"""开课: 建立 (或接着用) 数据文件, 启动 uvicorn, 打印学生的地址、二维码、加入码和老师的地址.

Starting a live classroom: open (or resume) the data file, start uvicorn
and print the students' address with a QR code, the join code and the
teacher's presenter address with its secret token.  :func:`run` blocks until
Ctrl+C (the command line); :func:`start` runs the same server in a background
thread (``mg.live(out)`` in a notebook).  Either way the data file stays.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...engine import Value
from ..serve import addresses, is_loopback, qr_block
from .lesson import Board, board_for, fingerprint
from .session import Session
from .store import Store

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def default_db(boards: Sequence[Board]) -> Path:
    """默认的数据文件: 当前目录中以这节课的指纹命名, 同一节课重启时自动接着用.

    The default data file, named after the lesson's fingerprint in the current
    folder: starting the same lesson again resumes it.
    """
    return Path(f"micrograd-cn-live-{fingerprint(boards)}.sqlite")


@dataclass
class Classroom:
    """一个正在运行的课堂: 会话, 学生与老师的地址, 服务器. A running classroom."""

    session: Session
    student_url: str
    teacher_url: str
    db: Path
    server: Any
    sock: socket.socket
    thread: threading.Thread | None = None

    @property
    def join_url(self) -> str:
        """二维码里的地址 (带加入码). The address in the QR code, with the join code."""
        return f"{self.student_url}?c={self.session.code}"

    def stop(self) -> None:
        """停止服务器 (数据文件保留). Stop the server; the data file stays."""
        self.server.should_exit = True
        self.server.closing.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.session.store.close()

    def _repr_html_(self) -> str:
        import html

        return (f"<p>学生 students: <a href='{html.escape(self.join_url)}' target='_blank'>"
                f"{html.escape(self.join_url)}</a> · 加入码 join code <b>{self.session.code}</b><br>"
                f"老师 teacher: <a href='{html.escape(self.teacher_url)}' target='_blank'>"
                f"{html.escape(self.teacher_url)}</a></p>")

    def __repr__(self) -> str:
        return f"<Classroom {self.join_url} code {self.session.code}; teacher {self.teacher_url}>"


def _server(app: Any) -> Any:
    """uvicorn 服务器; Ctrl+C 时也结束事件流. A uvicorn server that also ends the event streams on exit."""
    import uvicorn

    class Server(uvicorn.Server):
        closing = app.state.closing

        def handle_exit(self, sig: int, frame: Any) -> None:
            self.closing.set()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2,
                            timeout_keep_alive=60, lifespan="off")
    return Server(config)


def prepare(boards: Sequence[Board], host: str = "127.0.0.1", port: int = 0, db: str | os.PathLike[str] | None = None,
            feedback: str = "now") -> Classroom:
    """打开数据文件、建立会话和应用、占好端口 (还不提供服务). Open everything and bind the port; not serving yet."""
    from .server import create_app

    for board in boards:  # 图先排好版, 第一批学生不用等. Lay out every board before the first student comes.
        board.picture  # noqa: B018
    path = Path(db) if db is not None else default_db(boards)
    store = Store(path)
    try:
        session = Session(boards, store, feedback)
    except ValueError:
        store.close()
        raise
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        store.close()
        raise
    sock.listen(256)
    port = sock.getsockname()[1]
    student_url = addresses(host, port)[0]
    local = "127.0.0.1" if family == socket.AF_INET else "[::1]"
    teacher_host = host if host in LOCAL_HOSTS else local
    teacher_url = f"http://{teacher_host}:{port}/teacher?token={session.token}"
    app = create_app(session, student_url)
    return Classroom(session, student_url, teacher_url, path, _server(app), sock)


def announce(room: Classroom, host: str, qr: bool = True) -> None:
    """打印地址、二维码、加入码与老师的地址. Print the addresses, QR code, join code and teacher address."""
    s = room.session
    print(f"micrograd_cn 课堂 live classroom: {len(s.boards)} 张图 boards, "
          f"{'接着上次 resumed' if s.resumed else '新的 new'}; 数据 data: {room.db}")
    print(f"  学生打开 students open: {room.join_url}")
    print(f"  加入码 join code: {s.code}")
    if qr and not is_loopback(room.join_url):  # 本机地址没有学生的手机能打开. No phone opens a loopback address.
        print(qr_block(room.join_url))
    print(f"  老师 teacher (保密 keep it secret): {room.teacher_url}")
    if host in LOCAL_HOSTS:
        print("  只有本机可以访问; 用 --host 0.0.0.0 分享给教室网络 (only this machine; --host 0.0.0.0 shares it)")
    print("  按 Ctrl+C 结束, 数据文件保留 (Ctrl+C ends the session; the data file stays)", flush=True)


def run(boards: Sequence[Board], host: str = "127.0.0.1", port: int = 8000, db: str | os.PathLike[str] | None = None,
        feedback: str = "now", qr: bool = True) -> int:
    """开课并提供服务直到 Ctrl+C; 返回退出码. Serve until Ctrl+C; returns the exit code."""
    try:
        room = prepare(boards, host, port, db, feedback)
    except ValueError as error:
        print(f"micrograd-cn live: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"micrograd-cn live: 无法监听 {host}:{port} (cannot listen on {host}:{port}): {error}", file=sys.stderr)
        return 1
    announce(room, host, qr)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C 就是 "下课". Ctrl+C ends the session.
            room.server.run(sockets=[room.sock])
    finally:
        room.session.store.close()
    print(f"课堂结束, 数据在 {room.db} (session over; the data is in {room.db})")
    return 0


def start(out: Value | Sequence[Board], host: str = "127.0.0.1", port: int = 0,
          db: str | os.PathLike[str] | None = None, feedback: str = "now", title: str = "",
          lang: str = "zh", quiet: bool = False) -> Classroom:
    """在后台线程里开课 (笔记本用): 一个 Value 或几张图; 返回 :class:`Classroom`, 用 stop() 结束.

    Start a classroom in a background thread: ``out`` is a Value (every node
    asked in backward order) or a list of :class:`Board`.  Returns the
    :class:`Classroom` (``stop()`` ends it; the data file stays).
    """
    boards = [board_for(out, title, lang=lang)] if isinstance(out, Value) else list(out)
    room = prepare(boards, host, port, db, feedback)
    room.thread = threading.Thread(target=room.server.run, kwargs={"sockets": [room.sock]}, daemon=True,
                                   name="micrograd-cn-live")
    room.thread.start()
    if not quiet:
        announce(room, host, qr=False)
    return room
