"""课堂服务器: 从老师的电脑上提供构建好的浏览器站点 (只有静态文件), 并在终端里打印地址和二维码.

The classroom server: ``micrograd-cn serve`` serves the built browser site
(``web/dist``) as static files only.

* binds ``127.0.0.1`` by default; ``--host 0.0.0.0`` (or an address) shares it
  on the classroom network, and the address is printed with a QR code for
  students' phones (``segno``, from the ``web`` extra; without it just the
  address);
* ``ETag`` with ``Cache-Control: no-cache``: a reload revalidates and gets
  ``304 Not Modified`` instead of 15 MB again, and a rebuilt site is never stale;
* correct types for ``.wasm`` (``application/wasm``), ``.mjs``/``.js``
  (``text/javascript``), ``.json``, ``.zip``, ...;
* no directory listing, only GET and HEAD, and nothing outside the site
  folder: ``..`` (also percent-encoded), backslashes, NUL bytes and symlinks
  that point out of the folder are all refused with 404.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import bilingual
from .console import can_write

SITE = Path(__file__).resolve().parent.parent / "web" / "dist"
"""源码树中构建好的站点. The built site in the source tree."""

BUILD_COMMAND = r".venv\Scripts\python web\build.py" if os.name == "nt" else ".venv/bin/python web/build.py"
"""构建站点的命令 (在仓库根目录运行). The command that builds the site, run in the repository root."""

DEFAULT_PORT = 8000

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
}
"""文件后缀 → Content-Type; 不在表中的文件不提供. Suffix → Content-Type; other files are not served."""


class SiteNotBuiltError(FileNotFoundError):
    """站点还没有构建 (信息中给出构建命令). The site has not been built; the message gives the command."""


def check_site(root: str | os.PathLike[str]) -> Path:
    """确认 root 是构建好的站点 (有 index.html), 否则给出带构建命令的双语错误.

    Check that ``root`` holds a built site (an ``index.html``); otherwise
    raise :class:`SiteNotBuiltError` naming the build command.
    """
    folder = Path(root)
    if not (folder / "index.html").is_file():
        raise SiteNotBuiltError(bilingual(
            f"站点还没有构建: {folder} 中没有 index.html。请在仓库根目录运行: {BUILD_COMMAND}",
            f"the site has not been built: no index.html in {folder}. In the repository root, run: {BUILD_COMMAND}"))
    return folder.resolve()


def resolve(root: Path, url_path: str) -> Path | None:
    """把请求路径变成站点里的文件; 不在站点里、不是普通文件或类型未知时为 None.

    Map a request path to a file inside ``root`` (already resolved), or None:
    for anything outside it (``..``, encoded or not; symlinks out), a
    directory without ``index.html``, or a file type not in :data:`MIME_TYPES`.
    """
    path = unquote(urlsplit(url_path).path, errors="strict")
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [part for part in path.split("/") if part]
    if any(part in (".", "..") or part.startswith(".") for part in parts):
        return None
    target = root.joinpath(*parts)
    try:
        real = Path(os.path.realpath(target))
    except (OSError, ValueError):
        return None
    if real != root and root not in real.parents:
        return None
    if real.is_dir():
        real = real / "index.html"
    if not real.is_file() or real.suffix.lower() not in MIME_TYPES:
        return None
    return real


class SiteHandler(BaseHTTPRequestHandler):
    """只读的静态文件处理器: GET/HEAD, 无目录列表. A read-only static file handler."""

    server_version = "micrograd-cn"
    sys_version = ""
    root: Path = SITE
    quiet: bool = False

    def do_GET(self) -> None:  # noqa: N802  (http.server 的命名. http.server's naming.)
        self.send(include_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.send(include_body=False)

    def send(self, include_body: bool) -> None:
        """发送一个文件或 404. Send a file, or 404."""
        try:
            target = resolve(self.root, self.path)
        except UnicodeDecodeError:
            target = None
        if target is None:
            self.refuse(HTTPStatus.NOT_FOUND)
            return
        if target.name == "index.html" and not urlsplit(self.path).path.endswith(("/", ".html")):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)  # 目录要以 / 结尾, 相对链接才对. Directories end in /.
            self.send_header("Location", urlsplit(self.path).path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        stat = target.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if etag in (self.headers.get("If-None-Match") or ""):  # 浏览器缓存仍然有效. The browser's copy is current.
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            return
        data = target.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("ETag", etag)
        self.send_header("Content-Type", MIME_TYPES[target.suffix.lower()])
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if include_body:
            self.wfile.write(data)

    def refuse(self, status: HTTPStatus) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """不支持的方法等: 简短的纯文本回答. Unsupported methods and the like: a short plain answer."""
        self.refuse(HTTPStatus(code))

    def log_message(self, message_format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(message_format, *args)


def make_server(root: str | os.PathLike[str] = SITE, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                quiet: bool = False) -> ThreadingHTTPServer:
    """建立 (但不启动) 服务器; port=0 时由系统选端口. Make (not start) the server; port 0 picks a free port."""
    site = check_site(root)
    handler = type("Handler", (SiteHandler,), {"root": site, "quiet": quiet})
    server = ThreadingHTTPServer((host, port), partial(handler))
    server.daemon_threads = True
    return server


def lan_addresses() -> list[str]:
    """本机在局域网中的 IPv4 地址 (不发出任何数据包). This machine's IPv4 addresses; sends no packet."""
    found: list[str] = []
    with contextlib.suppress(OSError):  # 没有主机名解析时跳过. No name resolution: skip.
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.254.254.254", 1))  # UDP 的 connect 只选路由, 不发送. UDP connect only picks a route.
        found.append(probe.getsockname()[0])
    return sorted({a for a in found if not a.startswith("127.")})


def addresses(host: str, port: int) -> list[str]:
    """学生可以打开的网址. The URLs students can open."""
    if host in ("0.0.0.0", ""):
        hosts = lan_addresses() or ["127.0.0.1"]
    elif host == "::":
        hosts = lan_addresses() or ["[::1]"]
    else:
        hosts = [f"[{host}]" if ":" in host else host]
    return [f"http://{h}:{port}/" for h in hosts]


def qr_text(url: str) -> str | None:
    """终端里的二维码 (需要 segno); 没有 segno 时为 None. A terminal QR code, or None without segno."""
    try:
        import segno
    except ImportError:
        return None
    import io

    buffer = io.StringIO()
    segno.make(url, error="l").terminal(out=buffer, compact=True)
    return buffer.getvalue()


def serve(root: str | os.PathLike[str] = SITE, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          qr: bool = True) -> int:
    """提供站点直到 Ctrl+C; 先打印地址与二维码. Serve until Ctrl+C, after printing the address and QR code."""
    try:
        server = make_server(root, host, port)
    except SiteNotBuiltError as error:
        print(f"micrograd-cn serve: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"micrograd-cn serve: {bilingual(f'无法监听 {host}:{port}', f'cannot listen on {host}:{port}')}: "
              f"{error}", file=sys.stderr)
        return 1
    port = server.server_address[1]
    urls = addresses(host, port)
    print(f"micrograd_cn 课堂站点 (classroom site): {check_site(root)}")
    for url in urls:
        print(f"  打开 open: {url}")
    if qr:
        code = qr_text(urls[0])
        if code is None:
            print('  (二维码需要 segno: pip install "micrograd_cn[web]"; QR needs segno)')
        elif not can_write(code):  # 如 GBK 的管道没有 ▀: 画出来是一堆 ?. No ▀ in GBK: it would print as ?.
            print(f"  (终端编码 {sys.stdout.encoding} 画不出二维码, 请用上面的网址; "
                  f"the console's encoding {sys.stdout.encoding} cannot draw the QR code: use the address above)")
        else:
            print(code)
    if host in ("127.0.0.1", "localhost", "::1"):
        print("  只有本机可以访问; 用 --host 0.0.0.0 分享给教室网络 (only this machine; --host 0.0.0.0 shares it)")
    print("  按 Ctrl+C 停止 (press Ctrl+C to stop)", flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C 就是 "停止". Ctrl+C means stop.
            server.serve_forever()
    finally:
        server.server_close()
    print("已停止, 再见 (stopped, goodbye)")
    return 0


__all__ = ["BUILD_COMMAND", "MIME_TYPES", "SITE", "SiteNotBuiltError", "addresses", "check_site", "make_server",
           "resolve", "serve"]
