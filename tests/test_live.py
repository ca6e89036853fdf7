"""全班作答的课堂: 数据文件、会话逻辑、网络接口的限制、进程被杀后重启、真实浏览器中的老师与学生.

The live classroom: the store, the session logic, the web API's limits and
secrets, a restart after ``kill -9``, and a real browser with one teacher
page and three phone-sized student pages.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import require_module

from micrograd_cn.app.live.lesson import Board, from_example, from_exercises, from_expression, parse_number
from micrograd_cn.app.live.session import LiveError, Session, clean_nickname
from micrograd_cn.app.live.store import Answer, Store

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("undefined", "NaN", "null", "[object", "Value(")
"""页面上永远不该出现的文字. Text no page may ever show."""


def node(board: Board, name: str) -> int:
    return board.steps.graph.names.index(name)


@pytest.fixture
def e_session(tmp_path: Path) -> Iterator[Session]:
    """e = (a+b)(b+1) 的课堂, 问 ∂e/∂b. The e lesson, asking for ∂e/∂b."""
    boards = from_example("e")
    session = Session(boards, Store(tmp_path / "live.sqlite"))
    session.ask(0, node(boards[0], "b"))
    yield session
    session.store.close()


# ---- 输入 input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("5", 5.0), ("-3", -3.0), ("1/4", 0.25), ("１／４", 0.25), ("２", 2.0), ("−0.5", -0.5), ("0,5", 0.5),
    ("－５", -5.0), (" 2.50 ", 2.5), ("1e-3", 0.001),
])
def test_answers_read_like_the_solo_quiz(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "nan", "inf", "1e400", "1/2/3", "2+2", "<b>5</b>", "5" * 40,
                                  "__import__('os')"])
def test_what_is_not_a_finite_number_is_refused(text: str) -> None:
    assert parse_number(text) is None


def test_nicknames_are_short_plain_text() -> None:
    assert clean_nickname("  小明  ") == "小明"
    assert clean_nickname("Ｌｉ　Ｌｅｉ") == "Li Lei"
    for bad in ("", " ", "x" * 17, "<script>", "a\x00b", "a\u202eb", "😀", 5, None):
        with pytest.raises(LiveError) as refused:
            clean_nickname(bad)
        assert refused.value.status == 400


# ---- 数据文件 the store ------------------------------------------------------------------------

def test_an_answer_is_committed_before_add_answer_returns(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    assert store.add_student("s1", "小明", "小明")
    assert not store.add_student("s2", "小明", "小明")  # 同一个昵称. The same nickname.
    q = store.open_question(0, 1)
    assert store.add_answer(Answer("s1", q.id, "5", 5.0, "right", 1.5))
    other = sqlite3.connect(tmp_path / "s.sqlite")  # 另一个连接 (像另一个进程) 已经看得见. Another connection sees it.
    assert other.execute("SELECT text, group_key FROM answers").fetchall() == [("5", "right")]
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    assert not store.add_answer(Answer("s1", q.id, "6", 6.0, "other", 2.0))  # 第一个答案算数. The first counts.
    store.close()
    again = Store(tmp_path / "s.sqlite")
    assert again.answer("s1", q.id) == Answer("s1", q.id, "5", 5.0, "right", 1.5)
    assert again.counts(q.id) == {"right": 1} and again.student_count() == 1
    again.close()


# ---- 会话 the session --------------------------------------------------------------------------

def test_answers_are_graded_and_grouped_by_diagnosis(e_session: Session) -> None:
    s = e_session
    answers = {"甲": "5", "乙": "2", "丙": "-5", "丁": "1/3", "戊": "５"}
    for name, text in answers.items():
        s.answer(s.join(s.code, name), s.question.id, text)
    groups = {g["label"]: g["count"] for g in s.teacher_state()["groups"]}
    assert groups == {"✔": 2, "漏了经过 d 的路径": 1, "符号反了": 1, "其他": 1}
    first = s.teacher_state()["groups"]
    assert [g["key"] for g in first][0] == "right" and first[-1]["key"] == "other"
    missing = next(g for g in first if g["label"] == "漏了经过 d 的路径")
    d, b = node(s.board, "d"), node(s.board, "b")
    assert missing["edges"] == [[d, 0]] and s.board.nodes[d].parents[0] is s.board.nodes[b]


def test_feedback_at_once_carries_the_diagnosis(e_session: Session) -> None:
    s = e_session
    mine = s.answer(s.join(s.code, "乙"), s.question.id, "2")
    assert mine["right"] is False and mine["label"] == "漏了经过 d 的路径" and "d→b" in mine["hint"]
    assert "5" not in json.dumps(mine, ensure_ascii=False)  # 不给答案. No answer key.


def test_reveal_mode_says_nothing_until_the_reveal(e_session: Session) -> None:
    s = e_session
    s.set_mode("reveal")
    student = s.join(s.code, "乙")
    assert s.answer(student, s.question.id, "2") == {"text": "2"}
    state = s.student_state(student)
    assert state["reveal"] is None and state["mine"] == {"text": "2"}
    assert "5" not in json.dumps(state, ensure_ascii=False).replace(s.board.title, "")
    s.reveal()
    state = s.student_state(student)
    assert state["mine"]["right"] is False and state["mine"]["label"] == "漏了经过 d 的路径"
    assert state["reveal"]["answer"] == "5" and "2×1 + 3×1 = 5" in state["reveal"]["expansion"]


def test_a_student_sees_only_their_own_answer(e_session: Session) -> None:
    s = e_session
    me, other = s.join(s.code, "me"), s.join(s.code, "other")
    s.answer(other, s.question.id, "-5")
    state = s.student_state(me)
    assert state["mine"] is None
    assert "-5" not in json.dumps(state) and "other" not in json.dumps(state)


def test_rounds_move_on_and_the_summary_keeps_each_node(e_session: Session) -> None:
    s = e_session
    student = s.join(s.code, "甲")
    s.answer(student, s.question.id, "5")
    s.next_node()
    assert s.question.node != node(s.board, "b")
    with pytest.raises(LiveError) as late:
        s.answer(student, s.question.id - 1, "5")
    assert late.value.status == 409
    s.answer(student, s.question.id, "2")
    summary = s.teacher_state()["summary"]
    assert [row["symbol"] for row in summary] == ["∂e/∂b", s.board.symbol(s.question.node)]
    assert summary[0]["right"] == 1 and summary[0]["answered"] == 1


def test_the_join_code_and_the_token_keep_others_out(e_session: Session) -> None:
    s = e_session
    with pytest.raises(LiveError) as wrong:
        s.join("000000" if s.code != "000000" else "111111", "x")
    assert wrong.value.status == 403
    for token in (None, "", s.token[:-1], s.token + "x", 5):
        with pytest.raises(LiveError):
            s.check_token(token)
    s.check_token(s.token)
    with pytest.raises(LiveError) as unknown:
        s.student_state("not-a-student")
    assert unknown.value.status == 401


def test_the_csv_has_one_row_per_answer(e_session: Session) -> None:
    s = e_session
    s.answer(s.join(s.code, "甲"), s.question.id, "5")
    s.answer(s.join(s.code, "乙"), s.question.id, "2")
    s.answer(s.join(s.code, "丙"), s.question.id, "-5")
    rows = s.csv().splitlines()
    assert rows[0] == "nickname 昵称,question 问题,answer 答案,diagnosis 诊断,seconds 用时"
    assert [r.split(",")[:4] for r in rows[1:]] == [["甲", "∂e/∂b", "5", "✔ 正确 right"],
                                                   ["乙", "∂e/∂b", "2", "漏了经过 d 的路径"],
                                                   ["丙", "∂e/∂b", "-5", "符号反了"]]
    assert all(float(r.split(",")[4]) >= 0 for r in rows[1:])


def test_a_restart_resumes_the_same_session_and_refuses_another_lesson(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    first = Session(from_example("e"), Store(path), feedback="reveal")
    student = first.join(first.code, "甲")
    first.next_node()
    first.answer(student, first.question.id, "2")
    first.store.close()
    again = Session(from_example("e"), Store(path))
    assert again.resumed and (again.code, again.token, again.mode) == (first.code, first.token, "reveal")
    assert again.question == first.question and again.joined == 1
    assert again.student_state(student)["mine"] == {"text": "2"}
    again.store.close()
    with pytest.raises(ValueError, match="另一节课"):
        Session(from_expression("a*b", ["a=2", "b=3"]), Store(path))


def test_pictures_hold_no_gradient() -> None:
    for board in (*from_example("e"), *from_example("mazur"), *from_exercises(2, 7, 2)):
        picture = board.picture
        assert picture["steps"] == [] and picture["explain"] == [] and "quiz" not in picture
        for svg in (picture["svg"], picture["neuron_svg"]):
            if svg is None:
                continue
            grads = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.startswith("梯度 grad")]
            assert grads and set(grads) == {"梯度 grad = ?"}


def test_next_exercise_moves_to_the_next_board(tmp_path: Path) -> None:
    boards = from_exercises(2, 7, 3)
    s = Session(boards, Store(tmp_path / "ex.sqlite"))
    assert (s.question.board, s.question.node) == (0, boards[0].asked[0])
    s.next_board()
    assert (s.question.board, s.question.node) == (1, boards[1].asked[0])
    assert s.teacher_state()["title"].startswith("第 2 题") and s.teacher_state()["boards"] == 3
    with pytest.raises(ValueError, match="feedback"):
        Session(boards, Store(tmp_path / "other.sqlite"), feedback="later")


def test_exercises_and_examples_ask_their_own_questions() -> None:
    boards = from_exercises(2, 7, 3)
    assert len(boards) == 3 and all(b.asked for b in boards)
    mazur = from_example("mazur")[0]
    assert [mazur.name(i) for i in mazur.asked[:2]] == ["w5", "w6"]
    right = mazur.steps.explain(mazur.nodes[mazur.asked[0]]).value
    assert mazur.grade(mazur.asked[0], right) == "right"
    assert mazur.grade(mazur.asked[0], 12345.0) == "other"


# ---- 网络接口 the web API -----------------------------------------------------------------------

@pytest.fixture
def client(e_session: Session) -> Any:
    require_module("starlette")
    from starlette.testclient import TestClient

    from micrograd_cn.app.live.server import create_app

    with TestClient(create_app(e_session, "http://127.0.0.1:1/"), base_url="http://127.0.0.1") as c:
        yield c


def joined(client: Any, session: Session, name: str) -> Any:
    reply = client.post("/api/join", json={"code": session.code, "nickname": name})
    assert reply.status_code == 201, reply.text
    return reply


def test_every_teacher_action_needs_the_token(client: Any, e_session: Session) -> None:
    joined(client, e_session, "学生")  # 学生的 cookie 不是口令. A student's cookie is no token.
    for method, url in [("GET", "/teacher"), ("GET", "/api/teacher/state"), ("GET", "/api/teacher/answers.csv"),
                        ("GET", "/api/teacher/events"), ("GET", "/qr.svg"), ("POST", "/api/teacher/reveal"),
                        ("POST", "/api/teacher/next"), ("POST", "/api/teacher/mode"), ("POST", "/api/teacher/ask")]:
        for headers in ({}, {"X-Live-Token": "wrong"}):
            reply = client.request(method, url, headers=headers, json={})
            assert reply.status_code == 403, (method, url, reply.status_code)
    assert e_session.question.revealed is False
    assert client.get("/api/teacher/state", headers={"X-Live-Token": e_session.token}).status_code == 200
    assert client.get(f"/teacher?token={e_session.token}").status_code == 200


def test_a_student_asking_for_answers_before_the_reveal_gets_none(client: Any, e_session: Session) -> None:
    e_session.set_mode("reveal")
    joined(client, e_session, "好奇")
    answer = client.post("/api/answer", json={"question": e_session.question.id, "text": "2"})
    assert answer.status_code == 200 and answer.json() == {"text": "2"}
    state = client.get("/api/state").json()
    assert state["reveal"] is None and "right" not in state["mine"]
    picture = client.get("/api/picture/0").json()
    assert "梯度 grad = 5" not in picture["svg"] and picture["steps"] == []
    for url in ("/api/teacher/state", "/api/teacher/answers.csv", "/api/teacher/state?token="):
        assert client.get(url).status_code == 403
    e_session.reveal()
    assert client.get("/api/state").json()["reveal"]["answer"] == "5"


def test_hostile_requests_are_refused_with_4xx(client: Any, e_session: Session) -> None:
    code = e_session.code
    cases = [
        ("POST", "/api/join", {"content": b"x" * 5000, "headers": {"content-type": "application/json"}}, 413),
        ("POST", "/api/join", {"content": b"{", "headers": {"content-type": "application/json"}}, 400),
        ("POST", "/api/join", {"content": b"[1]", "headers": {"content-type": "application/json"}}, 400),
        ("POST", "/api/join", {"data": {"code": code, "nickname": "x"}}, 415),
        ("POST", "/api/join", {"json": {"code": code, "nickname": "<img src=x onerror=alert(1)>"}}, 400),
        ("POST", "/api/join", {"json": {"code": code, "nickname": ["x"]}}, 400),
        ("POST", "/api/join", {"json": {"code": "12", "nickname": "x"}}, 403),
        ("GET", "/api/state", {}, 401),
        ("POST", "/api/answer", {"json": {"question": 1, "text": "5"}}, 401),
        ("GET", "/api/picture/0", {}, 401),
        ("GET", "/api/events", {}, 401),
        ("GET", "/../../etc/passwd", {}, 404),
        ("GET", "/assets/../../server.py", {}, 404),
        ("GET", "/assets/session.py", {}, 404),
        ("DELETE", "/api/join", {}, 405),
    ]
    for method, url, options, status in cases:
        reply = client.request(method, url, **options)
        assert reply.status_code == status, (method, url, reply.status_code, reply.text)
        assert reply.headers["content-type"].startswith("application/json")
    joined(client, e_session, "正常")
    q = e_session.question.id
    for body, status in [({"question": q, "text": "abc"}, 422), ({"question": q, "text": 5}, 400),
                         ({"question": q, "text": "9" * 100}, 400), ({"question": q + 7, "text": "5"}, 409)]:
        assert client.post("/api/answer", json=body).status_code == status
    assert client.post("/api/answer", json={"question": q, "text": "5"}).json()["right"] is True
    assert client.get("/").headers["content-security-policy"].startswith("default-src 'self'")


def test_each_student_is_rate_limited(e_session: Session) -> None:
    require_module("starlette")
    from starlette.testclient import TestClient

    from micrograd_cn.app.live.server import create_app

    with TestClient(create_app(e_session, "http://127.0.0.1:1/", answer_rate=1.0),
                    base_url="http://127.0.0.1") as c:
        joined(c, e_session, "急")
        statuses = [c.get("/api/state").status_code for _ in range(12)]
    assert statuses[0] == 200 and 429 in statuses


def test_guessing_join_codes_is_slowed_down_but_a_class_joins_freely(e_session: Session) -> None:
    require_module("starlette")
    from starlette.testclient import TestClient

    from micrograd_cn.app.live.server import create_app

    with TestClient(create_app(e_session, "http://127.0.0.1:1/"), base_url="http://127.0.0.1") as c:
        for i in range(60):  # 一个路由器后面的一整班. A whole class behind one router.
            assert c.post("/api/join", json={"code": e_session.code, "nickname": f"s{i}"}).status_code == 201
        wrong = "000000" if e_session.code != "000000" else "111111"
        statuses = [c.post("/api/join", json={"code": wrong, "nickname": "g"}).status_code for _ in range(30)]
    assert statuses[0] == 403 and statuses[-1] == 429


def test_the_command_line_wants_exactly_one_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    from micrograd_cn.app.cli import main

    assert main(["live"]) == 2
    assert main(["live", "a*b", "a=2", "b=3", "--example", "e"]) == 2
    assert main(["live", "a*", "a=2"]) == 2
    assert main(["live", "--example", "nope"]) == 2
    assert "live" in capsys.readouterr().err


# ---- 重启 restart after kill -9 ----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_live(db: Path, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-m", "micrograd_cn", "live", "--example", "e", "--port", str(port),
                                "--db", str(db), "--no-qr"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        if process.poll() is not None:
            raise AssertionError(process.stdout.read() if process.stdout else "exited")
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def test_kill_9_then_restart_keeps_every_acknowledged_answer(tmp_path: Path) -> None:
    httpx = require_module("httpx")
    db, port = tmp_path / "live.sqlite", free_port()
    process = start_live(db, port)
    base = f"http://127.0.0.1:{port}"
    try:
        store = Store(db)
        code, token = store.get("code"), store.get("token")
        store.close()
        acknowledged = {}
        clients = [httpx.Client(base_url=base) for _ in range(5)]
        state = clients[0].get("/api/teacher/state", headers={"X-Live-Token": token}).json()
        for i, c in enumerate(clients):
            assert c.post("/api/join", json={"code": code, "nickname": f"s{i}"}).status_code == 201
            reply = c.post("/api/answer", json={"question": state["question"]["id"], "text": str(i)})
            assert reply.status_code == 200
            acknowledged[f"s{i}"] = str(i)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    process = start_live(db, port)
    try:
        after = clients[0].get("/api/teacher/state", headers={"X-Live-Token": token}).json()
        assert after["answered"] == 5 and after["joined"] == 5 and after["code"] == code
        for i, c in enumerate(clients):  # 同一个 cookie 仍然有效. The same cookies still work.
            assert c.get("/api/state").json()["mine"]["text"] == acknowledged[f"s{i}"]
        rows = clients[0].get(f"/api/teacher/answers.csv?token={token}").text.splitlines()[1:]
        assert sorted(r.split(",")[0] for r in rows) == sorted(acknowledged)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C: 结束, 数据文件保留. Ends; the file stays.
        output, _ = process.communicate(timeout=30)
        for c in clients:
            c.close()
    assert process.returncode == 0, output
    assert "resumed" in output and db.exists()


# ---- 真实的浏览器 a real browser ----------------------------------------------------------------

def visible_problems(page: Any) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    return [word for word in FORBIDDEN if word in text]


SMALL_TEXT = """() => {
  const small = [];
  for (const node of document.querySelectorAll('body *')) {
    const own = [...node.childNodes].some(c => c.nodeType === 3 && c.textContent.trim());
    if (!own) continue;
    const box = node.getBoundingClientRect(), style = getComputedStyle(node);
    if (!box.width || style.visibility === 'hidden' || style.display === 'none') continue;
    let size = parseFloat(style.fontSize);
    if (node instanceof SVGTextElement) {
      const m = node.getScreenCTM();
      size = parseFloat(node.getAttribute('font-size') || size) * (m ? Math.hypot(m.a, m.b) : 1);
      const view = node.closest('.mgcn-viewport').getBoundingClientRect();
      if (box.right < view.left || box.left > view.right || box.bottom < view.top || box.top > view.bottom) continue;
    }
    if (size < 11.9) small.push(node.textContent.trim().slice(0, 30) + ' ' + size.toFixed(1));
  }
  return small;
}"""

ASKED_IN_VIEW = """() => {
  const box = document.querySelector('g.node.live-asked').getBoundingClientRect();
  const view = document.querySelector('.mgcn-viewport').getBoundingClientRect();
  return box.left >= view.left - 1 && box.right <= view.right + 1 && box.top >= view.top - 1
         && box.bottom <= view.bottom + 1;
}"""


@pytest.fixture
def classroom(tmp_path: Path) -> Any:
    require_module("uvicorn")
    from micrograd_cn.app.live.run import start

    room = start(from_example("e"), port=0, db=tmp_path / "live.sqlite", quiet=True)
    yield room
    room.stop()


def test_teacher_and_three_phones_in_a_real_browser(browser: Any, classroom: Any) -> None:
    room = classroom
    session = room.session
    b = node(session.board, "b")
    teacher = browser.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    teacher.on("pageerror", lambda error: errors.append(str(error)))
    teacher.goto(room.teacher_url)
    teacher.wait_for_selector(".live-empty")
    teacher.evaluate("([token, node]) => fetch('/api/teacher/ask', {method: 'POST', headers: {'Content-Type': "
                     "'application/json', 'X-Live-Token': token}, body: JSON.stringify({node})})",
                     [session.token, b])
    teacher.wait_for_function("() => document.querySelector('.live-question').textContent.includes('∂e/∂b')")
    phones = []
    for name, text, kind in (("小明", "5", "live-right"), ("小红", "2", "live-wrong"), ("小刚", "−5", "live-wrong")):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        phone = context.new_page()
        phone.on("pageerror", lambda error: errors.append(str(error)))
        loaded: list[int] = []
        phone.on("response", lambda r, loaded=loaded: loaded.append(len(r.body()) if r.ok and
                                                                       "events" not in r.url else 0))
        phone.goto(room.join_url)
        phone.fill("#live-nickname", name)
        phone.click(".live-join button")
        phone.wait_for_selector("g.node.live-asked")
        phone.wait_for_function(ASKED_IN_VIEW, timeout=5000)  # 被问的节点在手机的视口里. The asked node is in view.
        assert phone.inner_text(".live-question") == "求 find ∂e/∂b = ?"
        phone.fill("#live-input", text)
        phone.click(".live-answer button")
        phone.wait_for_selector(f".live-feedback.{kind}")
        assert sum(loaded) <= 200_000, (name, sum(loaded))
        assert visible_problems(phone) == [] and phone.evaluate(SMALL_TEXT) == []
        phones.append(phone)
    assert "漏了经过 d 的路径" in phones[1].inner_text(".live-feedback")
    assert "符号反了" in phones[2].inner_text(".live-feedback")
    assert phones[1].locator("g.edge.mgcn-hot").count() == 1  # 学生自己的错误: 边 d→b. Their own mistake's edge.
    teacher.wait_for_function("() => document.querySelectorAll('.live-group').length === 3")
    groups = [(g.get_attribute("data-key"), g.inner_text().split("\n"))
              for g in teacher.query_selector_all(".live-group")]
    assert [(key, [part.strip() for part in parts if part.strip()]) for key, parts in groups] == [
        ("right", ["1", "✔"]), (groups[1][0], ["1", "漏了经过 d 的路径"]), (groups[2][0], ["1", "符号反了"])]
    assert "已加入 joined 3 · 已作答 answered 3" in teacher.inner_text(".live-counts")
    for group in teacher.query_selector_all(".live-group"):  # 指向每一组: 它的边亮起. Each group lights its edges.
        group.hover()
        key = group.get_attribute("data-key")
        expected = {g["key"]: len(g["edges"]) for g in session.teacher_state()["groups"]}[key]
        assert teacher.locator("g.edge.mgcn-hot").count() == expected, key
    assert teacher.evaluate(SMALL_TEXT) == [] and visible_problems(teacher) == []
    teacher.click("[data-live=reveal]")
    teacher.wait_for_selector(".live-reveal .live-expansion")
    assert "2×1 + 3×1 = 5" in teacher.inner_text(".live-expansion")
    for phone in phones:
        phone.wait_for_selector(".live-reveal .live-key")
        assert phone.inner_text(".live-key") == "答案 answer: ∂e/∂b = 5"
        assert visible_problems(phone) == []
    for _ in session.board.asked:  # 每一个节点都问一遍: 每一步检查每个页面. Every node once; every page each time.
        before = session.question.id
        teacher.click("[data-live=next]")
        deadline = time.monotonic() + 10
        while session.question.id == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert session.question.id == before + 1
        symbol = session.board.symbol(session.question.node)
        for page in (teacher, *phones):
            page.wait_for_function("s => document.querySelector('.live-question').textContent === "
                                   "'求 find ' + s + ' = ?'", arg=symbol)
            page.wait_for_function(ASKED_IN_VIEW, timeout=5000)
            assert visible_problems(page) == [] and page.evaluate(SMALL_TEXT) == []
        for phone in phones:
            assert phone.is_enabled("#live-input") and phone.input_value("#live-input") == ""
        assert teacher.inner_text(".live-groups") == "还没有答案 no answers yet"
    a = node(session.board, "a")  # 老师点图中的节点 a: 全班改答 ∂e/∂a. The teacher clicks node a: everyone gets ∂e/∂a.
    teacher.click(f"#node-{a}")
    for page in (teacher, *phones):
        page.wait_for_function("() => document.querySelector('.live-question').textContent === '求 find ∂e/∂a = ?'")
        page.wait_for_function(ASKED_IN_VIEW, timeout=5000)
    assert session.question.node == a
    # 汇总表随后才更新: 等它列出两个节点; 读每行第一格. The summary follows a moment later: its rows' first cells.
    teacher.wait_for_function("() => document.querySelectorAll('.live-summary tr').length === 3")
    rows = [row.eval_on_selector("td, th", "cell => cell.textContent.trim()")
            for row in teacher.query_selector_all(".live-summary tr")[1:]]
    assert rows == ["∂e/∂b", session.board.symbol(session.question.node)]  # 有答案的与当前的. Answered and current.
    assert errors == []


def test_a_phone_reconnects_by_itself_after_a_restart(browser: Any, tmp_path: Path) -> None:
    require_module("uvicorn")
    from micrograd_cn.app.live.run import start

    db = tmp_path / "live.sqlite"
    room = start(from_example("e"), port=0, db=db, quiet=True)
    port = int(room.student_url.rsplit(":", 1)[1].strip("/"))
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(room.join_url)
    phone.fill("#live-nickname", "小明")
    phone.click(".live-join button")
    phone.wait_for_selector(".live-status.live-on")
    first = phone.inner_text(".live-question")
    room.stop()
    phone.wait_for_selector(".live-status.live-off")  # 页面看见断开. The page sees the break.
    again = start(from_example("e"), port=port, db=db, quiet=True)
    try:
        assert again.session.resumed
        phone.wait_for_selector(".live-status.live-on", timeout=15000)  # 自己重新连上. Reconnected by itself.
        again.session.next_node()
        phone.wait_for_function("q => document.querySelector('.live-question').textContent !== q", arg=first)
        assert phone.inner_text(".live-who") == "小明"  # 同一个学生, 不用重新加入. The same student, no new join.
    finally:
        again.stop()


def test_mg_live_starts_the_same_server_for_a_value(tmp_path: Path) -> None:
    httpx = require_module("httpx")
    require_module("uvicorn")
    import micrograd_cn as mg

    x = mg.Value(3.0, label="x")
    y = x * x + x
    y.label = "y"
    room = mg.live(y, db=tmp_path / "nb.sqlite", quiet=True)
    try:
        assert room.teacher_url.startswith("http://127.0.0.1:") and "token=" in room.teacher_url
        assert room.join_url.endswith(f"?c={room.session.code}") and room.session.code in room._repr_html_()
        state = httpx.get(room.teacher_url.replace("/teacher?token=", "/api/teacher/state?token=")).json()
        assert state["question"]["symbol"].startswith("∂y/∂") and state["joined"] == 0
    finally:
        room.stop()
    assert (tmp_path / "nb.sqlite").exists()
