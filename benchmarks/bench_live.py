"""课堂基准: 200 个学生同时作答、中途 kill -9 再重启、1,000 个恶意请求.

Live classroom benchmark, against the real ``micrograd-cn live`` process on
127.0.0.1 (an asyncio client, httpx):

1. **load**: 200 simulated students join; each keeps the event stream open
   (as the page does), and for 5 questions in a row reads the new question
   when the stream says so, thinks 0–2 s and answers.  Reports the answer
   latency (request to acknowledgement: p50, p99, max), the wall time, and the
   lost answers: acknowledged answers missing from the teacher's CSV.
2. **kill -9**: students answer while the server is killed with SIGKILL in
   the middle; the server is started again on the same file and every
   acknowledged answer must be in the CSV.
3. **hostile**: 1,000 malformed, oversized and hostile requests (bad JSON,
   huge bodies, wrong types, wrong tokens and codes, path tricks, garbage
   HTTP); every one must get a 4xx, and the server must still serve a page
   and take a correct answer afterwards.

Run from the repository root (figures are printed, not asserted)::

    .venv/bin/python benchmarks/bench_live.py            # all three parts
    .venv/bin/python benchmarks/bench_live.py --students 50 --skip-hostile

Targets: 200 students × 5 answers within
60 s, 0 lost, p99 ≤ 200 ms; after kill -9 every acknowledged answer present;
1,000 hostile requests all 4xx and the server still serving.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TLS = ssl.create_default_context()
"""所有客户端共用一个 (用不上的) TLS 上下文: 每个客户端各建一个要几十毫秒, 会拖慢整个事件循环.

One TLS context shared by every client (plain HTTP never uses it): building
one per client costs tens of milliseconds of the event loop each."""


class Server:
    """一个 micrograd-cn live 进程. One ``micrograd-cn live`` process on a free port."""

    def __init__(self, db: Path, port: int | None = None) -> None:
        self.db = db
        self.port = port or free_port()
        self.process: subprocess.Popen[str] | None = None
        self.code = self.token = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "micrograd_cn", "live", "--example", "e", "--port", str(self.port), "--db",
             str(self.db), "--no-qr"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        text = ""
        assert self.process.stdout is not None
        while "Ctrl+C" not in text:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the server did not start:\n{text}")
            text += line
        self.code = re.search(r"join code: (\d+)", text).group(1)
        self.token = re.search(r"token=([\w-]+)", text).group(1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("the server does not listen")

    def kill(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def teacher(self) -> dict[str, str]:
        return {"X-Live-Token": self.token}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def stored_answers(server: Server) -> Counter[tuple[str, str]]:
    """CSV 中的 (昵称, 答案) 及其次数. The (nickname, answer) pairs in the teacher's CSV, counted."""
    async with httpx.AsyncClient(base_url=server.base, timeout=30, verify=TLS) as client:
        reply = await client.get("/api/teacher/answers.csv", headers=server.teacher())
    rows = reply.content.decode("utf-8-sig").splitlines()[1:]
    return Counter((row.split(",")[0], row.split(",")[2]) for row in rows)


# ---- 1. 负载 load --------------------------------------------------------------------------------

async def get(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """GET, 连接恰好被关掉时重试一次 (浏览器也这样做). GET, retried once on a closed keep-alive connection."""
    try:
        return await client.get(url)
    except httpx.RemoteProtocolError:
        return await client.get(url)


async def student(server: Server, name: str, questions: int, latencies: list[float],
                  acknowledged: set[tuple[str, str]], failures: Counter[str], done: asyncio.Event) -> None:
    """一个学生: 加入, 打开事件流, 每出一道新题就想一会儿再作答. One simulated student."""
    limits = httpx.Limits(max_connections=4)
    async with httpx.AsyncClient(base_url=server.base, timeout=30, verify=TLS, limits=limits) as client:
        reply = await client.post("/api/join", json={"code": server.code, "nickname": name})
        if reply.status_code != 201:
            failures[f"join {reply.status_code}"] += 1
            return
        answered: set[int] = set()
        async with client.stream("GET", "/api/events") as events:
            async for line in events.aiter_lines():
                if not line.startswith("data:"):
                    continue
                state = (await get(client, "/api/state")).json()
                question = state["question"]["id"]
                if question in answered:
                    continue
                answered.add(question)
                await asyncio.sleep(random.uniform(0.0, 2.0))
                text = random.choice(["5", "2", "-5", "3", "1/2", "２"])
                start = time.perf_counter()
                reply = await client.post("/api/answer", json={"question": question, "text": text})
                latencies.append(time.perf_counter() - start)
                if reply.status_code == 200:
                    acknowledged.add((name, text, question))
                else:
                    failures[f"answer {reply.status_code}"] += 1
                if len(answered) >= questions:
                    break
    done.set()


async def load(students: int, questions: int, verbose: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder) / "live.sqlite").start()
        try:
            latencies: list[float] = []
            acknowledged: set[tuple[str, str, int]] = set()
            failures: Counter[str] = Counter()
            start = time.perf_counter()
            tasks = [asyncio.create_task(student(server, f"s{i:03d}", questions, latencies, acknowledged, failures,
                                                 asyncio.Event())) for i in range(students)]
            async with httpx.AsyncClient(base_url=server.base, timeout=30, verify=TLS) as teacher:
                for q in range(questions):
                    deadline = time.monotonic() + 30
                    while time.monotonic() < deadline:
                        state = (await teacher.get("/api/teacher/state", headers=server.teacher())).json()
                        if state["answered"] >= students - sum(failures.values()):
                            break
                    if verbose:
                        print(f"  question {q + 1}: {state['answered']} answered after "
                              f"{time.perf_counter() - start:.1f} s", flush=True)
                        await asyncio.sleep(0.2)
                    if q < questions - 1:
                        await teacher.post("/api/teacher/next", json={}, headers=server.teacher())
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
            wall = time.perf_counter() - start
            stored = await stored_answers(server)
        finally:
            server.stop()
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    lost = sum((Counter((name, text) for name, text, _ in acknowledged) - stored).values())
    print(f"load: {students} students × {questions} questions in {wall:.1f} s (answers spread over 0–2 s of "
          "thinking per question)")
    print(f"  acknowledged {len(acknowledged)}, stored {sum(stored.values())}, lost {lost}, refused {dict(failures)}")
    if latencies:
        print(f"  answer latency: p50 {1000 * statistics.median(latencies):.1f} ms, "
              f"p99 {1000 * percentile(latencies, 99):.1f} ms, max {1000 * max(latencies):.1f} ms")
    print(f"  CPU: server {children.ru_utime + children.ru_stime:.1f} s, the simulated clients "
          f"{own.ru_utime + own.ru_stime:.1f} s, load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


# ---- 2. kill -9 ----------------------------------------------------------------------------------

async def killed(students: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "live.sqlite"
        server = Server(db).start()
        acknowledged: set[tuple[str, str]] = set()
        errors = Counter()

        async def answer(i: int) -> None:
            async with httpx.AsyncClient(base_url=server.base, timeout=10, verify=TLS) as client:
                try:
                    joining = await client.post("/api/join", json={"code": server.code, "nickname": f"k{i}"})
                    if joining.status_code != 201:
                        return
                    await asyncio.sleep(random.uniform(0, 1.0))
                    state = (await client.get("/api/state")).json()
                    question = state["question"]["id"]
                    reply = await client.post("/api/answer", json={"question": question, "text": str(i)})
                    if reply.status_code == 200:
                        acknowledged.add((f"k{i}", str(i)))
                except httpx.HTTPError as error:
                    errors[type(error).__name__] += 1

        tasks = [asyncio.create_task(answer(i)) for i in range(students)]
        while len(acknowledged) < students // 2:  # 一半学生答完时杀掉. Kill when half have answered.
            await asyncio.sleep(0.01)
        server.kill()
        await asyncio.gather(*tasks)
        before = len(acknowledged)
        restarted = Server(db, server.port).start()
        try:
            stored = await stored_answers(restarted)
        finally:
            restarted.stop()
    missing = sum((Counter(acknowledged) - stored).values())
    print(f"kill -9: {before} answers acknowledged before SIGKILL ({sum(errors.values())} requests cut off: "
          f"{dict(errors)}); after restart {sum(stored.values())} stored, {missing} acknowledged answers missing")


# ---- 3. 恶意请求 hostile requests ----------------------------------------------------------------

def hostile_requests(server: Server, count: int) -> list[tuple[str, str, dict]]:
    """各种坏请求. Malformed, oversized and hostile requests."""
    big = b"x" * 200_000
    deep = b"[" * 1500 + b"]" * 1500
    kinds = [
        ("POST", "/api/join", {"content": big, "headers": {"content-type": "application/json"}}),
        ("POST", "/api/join", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("POST", "/api/join", {"content": deep, "headers": {"content-type": "application/json"}}),
        ("POST", "/api/join", {"content": b"\xff\xfe\x00", "headers": {"content-type": "application/json"}}),
        ("POST", "/api/join", {"content": b'{"code": "1", "nickname": "x"}',
                               "headers": {"content-type": "text/plain"}}),
        ("POST", "/api/join", {"json": {"code": server.code, "nickname": "<script>alert(1)</script>"}}),
        ("POST", "/api/join", {"json": {"code": server.code, "nickname": "x" * 500}}),
        ("POST", "/api/join", {"json": {"code": server.code, "nickname": {"$ne": 1}}}),
        ("POST", "/api/join", {"json": {"code": "' OR 1=1 --", "nickname": "x"}}),
        ("POST", "/api/join", {"json": [1, 2, 3]}),
        ("POST", "/api/answer", {"json": {"question": 1, "text": "5"}}),
        ("GET", "/api/state", {"headers": {"cookie": "mgcn_live=' OR '1'='1"}}),
        ("GET", "/api/teacher/state", {"headers": {"X-Live-Token": "guess"}}),
        ("POST", "/api/teacher/reveal", {"json": {}}),
        ("POST", "/api/teacher/ask", {"json": {"node": -1}, "headers": {"X-Live-Token": "x" * 5000}}),
        ("GET", "/api/teacher/answers.csv?token=" + "A" * 40, {}),
        ("GET", "/teacher?token=", {}),
        ("GET", "/qr.svg", {}),
        ("GET", "/../../../../etc/passwd", {}),
        ("GET", "/assets/..%2F..%2Fserver.py", {}),
        ("GET", "/assets/%00", {}),
        ("GET", "/api/picture/999999999999999999999", {}),
        ("GET", "/api/events", {}),
        ("PUT", "/api/answer", {"json": {}}),
        ("DELETE", "/", {}),
    ]
    return [kinds[i % len(kinds)] for i in range(count)]


async def garbage_http(port: int) -> int:
    """不是 HTTP 的字节: 服务器回 400 并关掉连接. Bytes that are not HTTP."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"\x16\x03\x01 NOT HTTP AT ALL\r\n\r\n")
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    return int(line.split()[1]) if line.startswith(b"HTTP/") else 0


async def hostile(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder) / "live.sqlite").start()
        try:
            statuses: Counter[int] = Counter()
            requests = hostile_requests(server, count - count // 20)
            async with httpx.AsyncClient(base_url=server.base, timeout=30, verify=TLS) as client:
                for start in range(0, len(requests), 50):
                    batch = requests[start:start + 50]

                    async def send(method: str, url: str, options: dict) -> int:
                        try:
                            return (await client.request(method, url, **options)).status_code
                        except httpx.HTTPError:
                            return 0

                    statuses.update(await asyncio.gather(*(send(*r) for r in batch)))
            statuses.update(await asyncio.gather(*(garbage_http(server.port) for _ in range(count // 20))))
            async with httpx.AsyncClient(base_url=server.base, timeout=30, verify=TLS) as client:
                page = (await client.get("/")).status_code
                waited = 0.0  # 猜错加入码的地址要等一会儿 (同一个地址). A guessing address waits a little.
                while (await client.post("/api/join", json={"code": server.code, "nickname": "afterwards"})
                       ).status_code == 429 and waited < 60:
                    await asyncio.sleep(1.0)
                    waited += 1.0
                state = (await client.get("/api/state")).json()
                answer = await client.post("/api/answer", json={"question": state["question"]["id"], "text": "2"})
        finally:
            server.stop()
    total = sum(statuses.values())
    other = {code: n for code, n in statuses.items() if not 400 <= code < 500}
    print(f"hostile: {total} requests, status codes {dict(sorted(statuses.items()))}; not 4xx: {other or 'none'}")
    print(f"  afterwards: page {page}, a correct answer {answer.status_code} (the join from the same address "
          f"waited {waited:.0f} s for the wrong-code limit)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--hostile", type=int, default=1000)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="每道题打印进度 (progress per question)")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--skip-hostile", action="store_true")
    args = parser.parse_args()
    if not args.skip_load:
        asyncio.run(load(args.students, args.questions, args.verbose))
    if not args.skip_kill:
        asyncio.run(killed(args.students))
    if not args.skip_hostile:
        asyncio.run(hostile(args.hostile))


if __name__ == "__main__":
    main()
