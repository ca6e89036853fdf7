"""每个命令在任何控制台编码下都不崩溃: GBK、cp936、cp1252、ascii, 输出到管道和文件.

Every command under every console encoding a teacher's laptop may use, to a
pipe and to a file: no traceback, output that decodes in the stream's own
encoding, the Chinese kept where the encoding has it and the mathematics
spelled in ASCII where it does not (``∂e/∂b`` → ``de/db``).  Also: ``serve``
stops on Ctrl+C with a goodbye, and the spelling rules themselves.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import unicodedata
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from micrograd_cn.app.cli import build_parser
from micrograd_cn.app.console import ERRORS, readable_output, spelling

SCRIPT = shutil.which("micrograd-cn", path=sysconfig.get_path("scripts")) or shutil.which("micrograd-cn")
"""安装的命令 (pip install -e . 写出的入口). The installed console script."""

ENCODINGS = ("gbk", "cp936", "cp1252", "ascii")
FOLDER = "张老师/桌面/第 1 课"
"""Windows 上常见的路径形状: 中文名和空格. The shape of a Windows path: Chinese names and spaces."""


def subcommands() -> list[str]:
    """命令行的全部子命令 (从解析器读出, 以后加的也算). Every subcommand, read from the parser."""
    parser = build_parser()
    (commands,) = [action for action in parser._actions if action.choices and action.dest == "command"]
    return list(commands.choices)


def commands(folder: Path) -> list[tuple[list[str], int, list[str]]]:
    """(命令, 退出码, 必须出现的文字) 的表: 每个子命令, 每个会打印数学符号的选项.

    The commands run under each encoding, with their exit code and texts that
    must appear (spelled in ASCII, so they appear under every encoding).
    """
    script = [SCRIPT]
    graph = [*script, "graph", "(a+b)*(b+1)", "a=2", "b=1"]
    table = [
        ([sys.executable, "-m", "micrograd_cn"], 0, ["de/db = 5", "dd/db", "total: de/db = 5"]),
        ([*script, "demo"], 0, ["de/da = 2", "total: de/db = 5"]),
        ([*graph, "--steps"], 0, ["de/db = 5", "de/db += de/d(b+1)", "d(b+1)/db"]),
        ([*script, "graph", "tanh(x*w+b)", "x=1", "w=2", "b=0.5", "--explain", "x", "--explain", "w"], 0,
         ["de/dx = 0.05318", "d(x*w)/dw"]),
        ([*graph, "--quiz", "--lang", "en", "--html", str(folder / "quiz e.html"), "-o", str(folder / "e.svg")],
         0, ["de/db = 5", "wrote:"]),
        ([*script, "graph", "log(a)", "a=-1"], 2, ["log"]),
        ([*script, "exercises", "-n", "3", "--level", "2", "--seed", "7", "--answers"], 0, ["answers:", "/d"]),
        ([*script, "exercises", "-n", "2", "-o", str(folder / "练习 卷.html"), "--quiz", str(folder / "测验")], 0,
         ["wrote:"]),
        ([*script, "--help"], 0, ["micrograd-cn"]),
    ]
    table += [([*script, name, "--help"], 0, [name]) for name in subcommands()]
    return table


def run(argv: list[str], encoding: str, to_file: Path | None, cwd: Path) -> tuple[int, bytes, bytes]:
    """在给定的 PYTHONIOENCODING 下运行; to_file 时 stdout 写进文件, stderr 走管道, 否则反过来.

    Run under ``PYTHONIOENCODING``; with ``to_file`` stdout goes to that file
    and stderr to a pipe, otherwise stdout to a pipe and stderr to a file, so
    each stream meets both kinds of sink across the two runs.
    """
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
    sink = to_file or cwd / "stderr.txt"
    with open(sink, "wb") as handle:
        stdout, stderr = (handle, subprocess.PIPE) if to_file else (subprocess.PIPE, handle)
        done = subprocess.run(argv, cwd=cwd, env=env, timeout=120, stdin=subprocess.DEVNULL, stdout=stdout,
                              stderr=stderr)
    written = sink.read_bytes()
    return (done.returncode, written, done.stderr) if to_file else (done.returncode, done.stdout, written)


@pytest.fixture(scope="module")
def utf8_outputs(tmp_path_factory) -> list[str]:
    """每个命令在 UTF-8 下的标准输出 (作为对照). Each command's stdout under UTF-8, for comparison."""
    if SCRIPT is None:
        pytest.skip("the micrograd-cn script is not installed (pip install -e .)")
    folder = tmp_path_factory.mktemp("utf8") / FOLDER
    folder.mkdir(parents=True)
    return [run(argv, "utf-8", None, tmp_path_factory.mktemp("run"))[1].decode("utf-8")
            for argv, _, _ in commands(folder)]


def assert_spelled(actual: str, utf8: str, encoding: str, where: str) -> None:
    """输出逐行等于 UTF-8 输出按编码拼写的结果 (含临时目录路径的行除外). Line by line, the UTF-8 output spelled."""
    actual_lines, utf8_lines = actual.splitlines(), utf8.splitlines()
    assert len(actual_lines) == len(utf8_lines), f"{where}: {len(actual_lines)} lines, {len(utf8_lines)} in UTF-8"
    for line, original in zip(actual_lines, utf8_lines):
        if FOLDER.split("/")[0] not in original:  # 临时目录因测试而不同. The temporary folder differs per test.
            assert line == original.encode(encoding, errors=ERRORS).decode(encoding), f"{where}: {line!r}"


def test_every_symbol_the_commands_print_has_an_ascii_spelling(utf8_outputs):
    """数学符号没有一个落到 "?": 只有汉字 (及全角字符) 在没有中文的编码下成为 ?. Only CJK ever becomes ?."""
    printed = {ch for text in utf8_outputs for ch in text if not ch.isascii()}
    assert "∂" in printed
    lost = sorted(ch for ch in printed if spelling(ch) == "?" and unicodedata.east_asian_width(ch) not in "WF")
    assert lost == [], f"no ASCII spelling for {lost}: add them to console.SPELLINGS"


@pytest.mark.skipif(SCRIPT is None, reason="the micrograd-cn script is not installed (pip install -e .)")
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_command_under_every_encoding_to_a_pipe_and_to_a_file(tmp_path, encoding, utf8_outputs):
    folder = tmp_path / FOLDER
    folder.mkdir(parents=True)
    jobs = []
    for number, (argv, code, wanted) in enumerate(commands(folder)):
        for to_file in (False, True):
            cwd = tmp_path / f"run {number} {to_file}"
            cwd.mkdir()
            jobs.append((argv, code, wanted, to_file, cwd))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: run(job[0], encoding, job[4] / "stdout.txt" if job[3] else None,
                                                job[4]), jobs))
    for number, ((argv, code, wanted, to_file, _), (returncode, out, err)) in enumerate(zip(jobs, results)):
        where = f"{' '.join(argv[1:])} ({encoding}, stdout to {'a file' if to_file else 'a pipe'})"
        stdout, stderr = out.decode(encoding), err.decode(encoding)  # 严格解码: 没有混进别的编码. Strictly.
        assert "Traceback" not in stdout + stderr and "Error" not in stderr, f"{where}:\n{stderr}"
        assert returncode == code, f"{where}: exit {returncode}\n{stderr}"
        for text in wanted:
            assert text in stdout + stderr, f"{where}: {text!r} missing in\n{stdout}{stderr}"
        assert_spelled(stdout, utf8_outputs[number // 2], encoding, where)
        if encoding in ("gbk", "cp936") and "--lang" not in argv:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in stdout + stderr), f"{where}: the Chinese was lost"
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert written == ["e.svg", "quiz e.html", "测验/exercise-01.html", "测验/exercise-02.html", "练习 卷.html"]


def test_the_streams_own_encoding_is_kept_and_utf8_is_untouched(tmp_path):
    argv = [SCRIPT or sys.executable, *([] if SCRIPT else ["-m", "micrograd_cn"]), "graph", "(a+b)*(b+1)",
            "a=2", "b=1"]
    _, gbk, _ = run(argv, "gbk", None, tmp_path)
    assert "梯度 gradients" in gbk.decode("gbk") and "de/db = 5" in gbk.decode("gbk")
    _, utf8, _ = run(argv, "utf-8", None, tmp_path)
    assert "∂e/∂b = 5" in utf8.decode("utf-8")


@pytest.mark.parametrize("text, spelled", [
    ("∂e/∂b", "de/db"), ("z⁽¹⁾₁", "z(1)_1"), ("w⁽²⁾₁₂", "w(2)_12"), ("x²", "x^2"), ("δ⁽ˡ⁾", "delta(l)"),
    ("Wᵀ", "W^T"), ("a → b", "a -> b"), ("2 × 1 − 3", "2 x 1 - 3"), ("σ′", "sigma'"), ("（累计 5）", "(?? 5)"),
])
def test_spellings_read_like_the_textbook_in_ascii(text, spelled):
    assert text.encode("ascii", errors=ERRORS).decode("ascii") == spelled
    assert spelling("∂") == "d" and spelling("₁", before="₂") == "1"


def test_readable_output_restores_the_streams_handler(capsys):
    import io

    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    saved, sys.stdout = sys.stdout, stream
    try:
        with readable_output():
            print("∂e/∂b = 5")
            assert stream.errors != "strict"
        assert stream.errors == "strict"
        stream.flush()
        assert stream.buffer.getvalue() == b"de/db = 5\n"
    finally:
        sys.stdout = saved


def until_ctrl_c(argv: list[str], encoding: str, marker: bytes) -> tuple[int, str, str, str]:
    """运行一个服务器命令, 打开它打印的 marker 后面的网址, 再按 Ctrl+C; 返回 (退出码, 输出, 错误, 网页).

    Run a server command under ``PYTHONIOENCODING=encoding``, open the URL it
    prints after ``marker``, send SIGINT, and return the exit code, stdout,
    stderr (decoded in that encoding) and the page it served.
    """
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
    server = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        lines = []
        while not lines or b"Ctrl+C" not in lines[-1]:
            line = server.stdout.readline()
            assert line, f"{argv[1]} ended early: {b''.join(lines)!r} {server.stderr.read()!r}"
            lines.append(line)
        url = next(line.split(marker)[1].strip().decode() for line in lines if marker in line)
        with urllib.request.urlopen(url, timeout=30) as answer:  # 它在提供网页. It is serving.
            page = answer.read().decode("utf-8")
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return server.returncode, (b"".join(lines) + out).decode(encoding), err.decode(encoding), page


@pytest.mark.skipif(SCRIPT is None or os.name != "posix", reason="sends SIGINT to a POSIX process")
@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_live_stops_on_ctrl_c_and_keeps_its_data(tmp_path, encoding):
    """micrograd-cn live 在 GBK/ASCII 控制台上: 打印地址, 回答页面, Ctrl+C 干净地结束, 数据文件留下.

    The live classroom on a GBK or ASCII console: it prints its addresses,
    answers the student page, ends cleanly on Ctrl+C and keeps its data file."""
    pytest.importorskip("uvicorn")
    db = tmp_path / FOLDER / "课堂 e.sqlite"
    db.parent.mkdir(parents=True)
    code, output, err, page = until_ctrl_c([SCRIPT, "live", "(a+b)*(b+1)", "a=2", "b=1", "--port", "0",
                                            "--db", str(db)], encoding, b"students open: ")
    assert code == 0, err
    assert "Traceback" not in output + err and "<html" in page.lower()
    assert "session over" in output and db.is_file()


@pytest.mark.skipif(SCRIPT is None or os.name != "posix", reason="sends SIGINT to a POSIX process")
@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_serve_stops_on_ctrl_c_with_a_goodbye(tmp_path, encoding):
    site = tmp_path / FOLDER / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>课堂</title>", encoding="utf-8")
    code, output, err, page = until_ctrl_c([SCRIPT, "serve", "--port", "0", "--root", str(site)], encoding,
                                           b"open: ")
    assert "课堂" in page
    assert code == 0, err
    assert "Traceback" not in output + err and "KeyboardInterrupt" not in err
    assert "stopped, goodbye" in output
    assert "\u2580" not in output and not re.search(r"\?{12,}", output)  # 没有画成一片 ? 的二维码. No QR of ?s.
    if encoding == "gbk":
        assert "已停止, 再见 (stopped, goodbye)" in output


@pytest.mark.skipif(SCRIPT is None, reason="the micrograd-cn script is not installed (pip install -e .)")
def test_a_pipe_closed_early_ends_quietly(tmp_path):
    """``micrograd-cn | more`` 按了 q: 没有 BrokenPipeError. The reader of the pipe quits after one line."""
    demo = subprocess.Popen([SCRIPT, "demo"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    assert demo.stdout.readline().startswith(b"e = (a+b)(b+1)")
    demo.stdout.close()
    err = demo.stderr.read()
    assert demo.wait(timeout=60) in (0, 1)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode("utf-8", "replace")


def test_a_qr_code_the_console_cannot_draw_becomes_a_note(monkeypatch):
    """GBK 的管道画不出 ▀: serve 与 live 打印一行说明, 不是一片 ?. A GBK pipe gets a note instead of a QR of ?s."""
    pytest.importorskip("segno")
    from micrograd_cn.app.serve import qr_block

    gbk = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    monkeypatch.setattr(sys, "stdout", gbk)
    assert "cannot draw the QR code: use the address above" in qr_block("http://192.168.1.10:8000/")
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert "\u2580" in qr_block("http://192.168.1.10:8000/")
