"""课堂的网络服务: Starlette 应用 (页面、JSON 接口、服务器推送事件) 与它的限制.

The classroom's web face, a Starlette app on top of :class:`Session`:

* ``GET /`` the student page, ``GET /teacher?token=…`` the teacher page; both
  load the one player front-end (``/assets/player.js``, ``player.css``) and
  ``live.js``/``live.css``; no CDN, no fonts;
* students: ``POST /api/join`` (join code + nickname → an HttpOnly cookie),
  ``GET /api/state``, ``POST /api/answer``, ``GET /api/picture/{board}``,
  ``GET /api/events`` (server-sent events; the browser reconnects by itself);
* the teacher (token in ``X-Live-Token``, or ``?token=`` for the page, the
  event stream, the QR code and the CSV): ``GET /api/teacher/state``,
  ``POST /api/teacher/{ask,next,next-board,reveal,mode}``,
  ``GET /api/teacher/events``, ``GET /api/teacher/answers.csv``, ``GET /qr.svg``.

Limits: request bodies ≤ 2 KB of JSON (``application/json`` only, so a
cross-site form cannot post), a token bucket per student and one per address
for wrong join codes, nicknames checked by :func:`clean_nickname`; every refusal is a 4xx
with a bilingual JSON message; pages build their text with ``textContent``
(never HTML), and a Content-Security-Policy allows scripts from the server only.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ...viz.player import ASSETS, asset
from .session import LiveError, Session

MAX_BODY = 2048
"""请求体最多的字节数. The largest request body accepted."""
COOKIE = "mgcn_live"
"""学生身份的 cookie. The student's cookie."""
WAKE_S = 1.0
"""没有变化时事件流最长的等待 (然后检查是否要结束). The longest an idle event stream sleeps."""
TEACHER_GAP_S = 0.25
"""老师的事件流两条消息之间至少的间隔. The least time between two messages to the teacher."""
HEARTBEAT_S = 15.0
"""没有变化时事件流发送心跳的间隔. The keep-alive interval of an idle event stream."""
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-store"}

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/assets/player.css">
<link rel="stylesheet" href="/assets/live.css">
</head>
<body class="live live-{role}" data-role="{role}">
<noscript>这个页面需要 JavaScript (this page needs JavaScript).</noscript>
<script src="/assets/player.js"></script>
<script src="/assets/live.js"></script>
</body>
</html>
"""

LIVE_ASSETS = {"player.js": "text/javascript", "player.css": "text/css", "live.js": "text/javascript",
               "live.css": "text/css"}


class Bucket:
    """每个键一个令牌桶: 每秒补 rate 个, 最多 burst 个. A token bucket per key."""

    def __init__(self, rate: float, burst: float, keys: int = 20000) -> None:
        self.rate, self.burst, self.keys = rate, burst, keys
        self.state: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def has(self, key: str) -> bool:
        """还有令牌 (不取走). Whether a token is left, without taking it."""
        with self.lock:
            tokens, then = self.state.get(key, (self.burst, time.monotonic()))
            return min(self.burst, tokens + (time.monotonic() - then) * self.rate) >= 1.0

    def take(self, key: str) -> bool:
        """取一个令牌; 没有了就是 False. Take a token; False when none is left."""
        with self.lock:
            return self._take(key)

    def _take(self, key: str) -> bool:
        now = time.monotonic()
        tokens, then = self.state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1.0:
            self.state[key] = (tokens, now)
            return False
        if len(self.state) >= self.keys and key not in self.state:
            self.state.clear()  # 太多键: 从头记起 (只会放宽, 不会误拦). Too many keys: start over.
        self.state[key] = (tokens - 1.0, now)
        return True


class Changes:
    """会话一变就叫醒等着的事件流 (变化可能来自工作线程). Wakes the event streams when the session changes.

    Session changes happen in worker threads; :meth:`notify` hands the
    wake-up to the event loop, which sets the current event and starts a new one.
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.event: asyncio.Event | None = None

    def bind(self) -> None:
        """在事件循环里第一次调用时记下它. Remember the running loop (first call, in the loop)."""
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            self.event = asyncio.Event()

    def notify(self) -> None:
        """任何线程都可以调用. Callable from any thread."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self.event is not None:
            self.event.set()
        self.event = asyncio.Event()

    async def wait(self, event: asyncio.Event | None, timeout: float) -> float:
        """等这个事件或超时; 返回安静的秒数 (被叫醒时为 0). Wait for the event or the timeout."""
        if event is None:
            await asyncio.sleep(timeout)
            return timeout
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return timeout
        return 0.0


def _error(error: LiveError) -> JSONResponse:
    return JSONResponse({"error": error.zh, "error_en": error.en}, status_code=error.status, headers=HEADERS)


async def read_json(request: Request) -> dict[str, Any]:
    """读取一个小的 JSON 对象; 太大 413, 类型不对 415, 不是 JSON 对象 400. Read a small JSON object."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise LiveError(415, "请求必须是 JSON", "the request must be JSON")
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > MAX_BODY):
        raise LiveError(413, f"请求太大 (最多 {MAX_BODY} 字节)", f"request too large (at most {MAX_BODY} bytes)")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise LiveError(413, f"请求太大 (最多 {MAX_BODY} 字节)", f"request too large (at most {MAX_BODY} bytes)")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise LiveError(400, "请求不是合法的 JSON", "the request is not valid JSON") from None
    if not isinstance(data, dict):
        raise LiveError(400, "请求必须是 JSON 对象", "the request must be a JSON object")
    return data


Handler = Callable[[Request], Awaitable[Response]]


def refusing(handler: Handler) -> Handler:
    """把 LiveError 变成带双语说明的 4xx 回复. Turn a LiveError into a 4xx reply."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except LiveError as error:
            return _error(error)

    return wrapped


def create_app(session: Session, student_url: str = "", *, answer_rate: float = 5.0,
               join_rate: float = 1.0) -> Starlette:
    """课堂的 Starlette 应用. The classroom's Starlette app.

    ``student_url`` is the address printed for students (put in the QR code);
    ``answer_rate`` the requests per second a student may make on average
    (bursts of 4×), ``join_rate`` the wrong join codes per second one address
    may try (bursts of 20): a class behind one school router joins freely, a
    guesser needs days for the 10⁶ codes.
    """
    students = Bucket(answer_rate, 4 * answer_rate)
    joins = Bucket(join_rate, 20)
    closing = threading.Event()
    acting = threading.Lock()
    public, private = Changes(), Changes()  # 学生只被学生看得见的变化叫醒. Students wake for what they see.
    session.listeners.append(lambda shown: (private.notify(), shown and public.notify()))

    def student_of(request: Request) -> str:
        student = request.cookies.get(COOKIE, "")
        session.nickname(student)
        if not students.take(student):
            raise LiveError(429, "太快了, 请稍等", "too many requests; wait a moment")
        return student

    def teacher(request: Request) -> None:
        session.check_token(request.headers.get("x-live-token") or request.query_params.get("token"))

    def ok(data: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(data, status_code=status, headers=HEADERS)

    async def page(request: Request, role: str, title: str) -> Response:
        return Response(PAGE.format(role=role, title=html.escape(title)), media_type="text/html; charset=utf-8",
                        headers=HEADERS)

    @refusing
    async def student_page(request: Request) -> Response:
        return await page(request, "student", "课堂作答 live classroom")

    @refusing
    async def teacher_page(request: Request) -> Response:
        teacher(request)
        return await page(request, "teacher", "课堂 (老师) live classroom, teacher")

    @refusing
    async def assets(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in LIVE_ASSETS:
            raise LiveError(404, "没有这个文件", "no such file")
        text = asset(name) if (ASSETS / name).is_file() else _own_asset(name)
        return Response(text, media_type=f"{LIVE_ASSETS[name]}; charset=utf-8",
                        headers={**HEADERS, "Cache-Control": "no-cache"})

    @refusing
    async def join(request: Request) -> Response:
        address = request.client.host if request.client else "?"
        if not joins.has(address):
            raise LiveError(429, "加入码错了太多次, 请稍等", "too many wrong join codes; wait a moment")
        data = await read_json(request)
        try:
            student = await run_in_threadpool(session.join, data.get("code"), data.get("nickname"))
        except LiveError as error:
            if error.status == 403:  # 只有猜错加入码才计数. Only wrong codes count.
                joins.take(address)
            raise
        response = ok({"nickname": await run_in_threadpool(session.nickname, student)}, 201)
        response.set_cookie(COOKIE, student, max_age=12 * 3600, httponly=True, samesite="strict")
        return response

    @refusing
    async def state(request: Request) -> Response:
        return ok(await run_in_threadpool(lambda: session.student_state(student_of(request))))

    @refusing
    async def answer(request: Request) -> Response:
        student = await run_in_threadpool(student_of, request)
        data = await read_json(request)
        return ok(await run_in_threadpool(session.answer, student, data.get("question"), data.get("text")))

    @refusing
    async def picture(request: Request) -> Response:
        if request.query_params.get("token"):
            teacher(request)
        else:
            await run_in_threadpool(student_of, request)
        board = request.path_params["board"]
        if not 0 <= board < len(session.boards):
            raise LiveError(404, "没有这张图", "no such board")
        return ok(session.boards[board].picture)

    def events(request: Request, version: Callable[[], int], changes: Changes, gap: float = 0.0) -> StreamingResponse:
        changes.bind()

        async def stream() -> Any:
            yield "retry: 1000\n\n"
            last, quiet = None, 0.0
            while not closing.is_set():  # 浏览器断开时 Starlette 取消这个生成器. Starlette cancels it on disconnect.
                waiting = changes.event
                now = version()
                if now != last:
                    last, quiet = now, 0.0
                    yield f"data: {now}\n\n"
                    if gap:
                        await asyncio.sleep(gap)  # 一阵作答合成一条消息. A burst of answers makes one message.
                    continue
                if quiet >= HEARTBEAT_S:
                    quiet = 0.0
                    yield ": keep-alive\n\n"
                quiet += await changes.wait(waiting, WAKE_S)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={**HEADERS, "X-Accel-Buffering": "no"})

    @refusing
    async def student_events(request: Request) -> Response:
        await run_in_threadpool(session.nickname, request.cookies.get(COOKIE, ""))
        return events(request, lambda: session.public_version, public)

    @refusing
    async def teacher_events(request: Request) -> Response:
        teacher(request)
        return events(request, lambda: session.version, private, gap=TEACHER_GAP_S)

    @refusing
    async def teacher_state(request: Request) -> Response:
        teacher(request)
        return ok({**await run_in_threadpool(session.teacher_state), "student_url": student_url})

    @refusing
    async def teacher_action(request: Request) -> Response:
        teacher(request)
        data = await read_json(request)
        await run_in_threadpool(act, request.path_params["action"], data)
        return ok(await run_in_threadpool(session.teacher_state))

    def act(action: str, data: dict[str, Any]) -> None:
        """老师的一个操作 (在线程里运行, 它要等提交; 一次一个). One teacher action, in a thread, one at a time."""
        with acting:
            teacher_act(action, data)

    def teacher_act(action: str, data: dict[str, Any]) -> None:
        if action == "ask":
            session.ask(data.get("board", session.question.board), data.get("node"))
        elif action == "next":
            session.next_node()
        elif action == "next-board":
            session.next_board()
        elif action == "reveal":
            session.reveal()
        elif action == "mode":
            session.set_mode(data.get("mode"))
        else:
            raise LiveError(404, "没有这个操作", "no such action")

    @refusing
    async def export(request: Request) -> Response:
        teacher(request)
        text = await run_in_threadpool(session.csv)
        return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                        headers={**HEADERS, "Content-Disposition": 'attachment; filename="live-answers.csv"'})

    @refusing
    async def qr(request: Request) -> Response:
        teacher(request)
        return Response(qr_svg(f"{student_url}?c={session.code}"), media_type="image/svg+xml", headers=HEADERS)

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return JSONResponse({"error": "没有这个地址或方法", "error_en": "no such address or method"},
                            status_code=status if 400 <= status < 500 else 404, headers=HEADERS)

    routes = [
        Route("/", student_page), Route("/teacher", teacher_page), Route("/assets/{name}", assets),
        Route("/api/join", join, methods=["POST"]), Route("/api/state", state),
        Route("/api/answer", answer, methods=["POST"]), Route("/api/picture/{board:int}", picture),
        Route("/api/events", student_events), Route("/api/teacher/events", teacher_events),
        Route("/api/teacher/state", teacher_state), Route("/api/teacher/answers.csv", export),
        Route("/api/teacher/{action}", teacher_action, methods=["POST"]), Route("/qr.svg", qr),
        Route("/favicon.ico", no_icon),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.state.closing = closing
    app.state.session = session
    return app


def _own_asset(name: str) -> str:
    """课堂自己的前端文件 (live.js, live.css). The classroom's own front-end files."""
    return (Path(__file__).with_name("assets") / name).read_text(encoding="utf-8")


def qr_svg(url: str) -> str:
    """地址的二维码 (SVG); 没有 segno 时是一段提示. The address as a QR code, or a note without segno."""
    try:
        import segno
    except ImportError:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40"><text x="4" y="24" font-size="14">'
                'pip install "micrograd_cn[web]"</text></svg>')
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return out.getvalue().decode("utf-8")
