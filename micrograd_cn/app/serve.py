"""课堂服务器: 从老师的电脑上提供构建好的浏览器站点 (只有静态文件), 并在终端里打印地址和二维码.

The classroom server: ``micrograd-cn serve`` serves the built browser site
as static files only: the site packaged inside the installed wheel
(``micrograd_cn/app/site``), else the one ``web/build.py`` built in a clone
(``web/dist``).

* binds ``127.0.0.1`` by default; ``--host 0.0.0.0`` (or an address) shares it
  on the classroom network: every LAN address is printed with a QR code for
  students' phones (``segno``, from the ``web`` extra; without it just the
  address), and ``/config.json`` tells the page the LAN address, so links it
  shares open on the students' machines;
* HTTP/1.1 with keep-alive, and each file pre-compressed at build time
  (``name.gz`` beside it) is sent gzip-encoded to a browser that accepts it
  (``Content-Encoding: gzip``, ``Vary: Accept-Encoding``);
* every file has an ``ETag`` and ``Last-Modified`` and answers ``304 Not
  Modified`` to a revalidation; pages and the project's own files are
  ``no-cache`` (always revalidated, so a rebuilt site is never stale), while
  the runtime files under a versioned folder (``pyodide/314.0.7/``, listed as
  ``versioned`` in ``build.json``) are cached for a year as ``immutable``:
  a repeat visit transfers almost nothing;
* correct types for ``.wasm`` (``application/wasm``), ``.mjs``/``.js``
  (``text/javascript``), ``.json``, ``.zip``, ...;
* no directory listing, only GET and HEAD, and nothing outside the site
  folder: ``..`` (also percent-encoded), backslashes, NUL bytes and symlinks
  that point out of the folder are all refused with 404.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import socket
import sys
from email.utils import formatdate, parsedate_to_datetime
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import bilingual
from .console import can_write

PACKAGED_SITE = Path(__file__).resolve().parent / "site"
"""随 wheel 安装的站点 (构建 wheel 时生成). The site shipped inside the wheel, made when the wheel is built."""

SITE = Path(__file__).resolve().parents[2] / "web" / "dist"
"""源码树中由 web/build.py 构建的站点. The site web/build.py builds in a clone."""

IMMUTABLE = "public, max-age=31536000, immutable"
"""带版本号的运行时文件: 缓存一年, 不再询问. Versioned runtime files: cached for a year, never revalidated."""

REVALIDATE = "no-cache"
"""页面与项目自己的文件: 每次都询问 (304). Pages and the project's own files: revalidated every time."""

CONFIG_PATH = "/config.json"
"""页面读取的服务器设置 (分享链接用的局域网地址). The server settings the page reads."""

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


def find_site() -> Path:
    """要提供的站点: 随包安装的优先, 否则是源码树里构建的. The packaged site first, else the clone's web/dist."""
    return PACKAGED_SITE if (PACKAGED_SITE / "index.html").is_file() else SITE


def check_site(root: str | os.PathLike[str]) -> Path:
    """确认 root 是构建好的站点 (有 index.html), 否则给出带构建命令的双语错误.

    Check that ``root`` holds a built site (an ``index.html``); otherwise
    raise :class:`SiteNotBuiltError` naming the build command.
    """
    folder = Path(root)
    if not (folder / "index.html").is_file():
        raise SiteNotBuiltError(bilingual(
            f"站点还没有构建: {folder} 中没有 index.html。请在仓库根目录运行: {BUILD_COMMAND}; "
            '或者安装带站点的包: pip install "micrograd_cn[web]"',
            f"the site has not been built: no index.html in {folder}. In the repository root, run: {BUILD_COMMAND}; "
            'or install the package with its site: pip install "micrograd_cn[web]"'))
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


def versioned_folders(root: Path) -> tuple[str, ...]:
    """build.json 中列出的带版本号的文件夹 (如 "pyodide/314.0.7/"). The versioned folders build.json lists."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        listed = json.loads((root / "build.json").read_text(encoding="utf-8")).get("versioned", [])
        return tuple(str(folder).strip("/") + "/" for folder in listed if str(folder).strip("/"))
    return ()


def _accepts_gzip(header: str | None) -> bool:
    """Accept-Encoding 是否接受 gzip (q=0 表示不接受). Whether Accept-Encoding allows gzip."""
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class SiteHandler(BaseHTTPRequestHandler):
    """只读的静态文件处理器: GET/HEAD, 无目录列表, HTTP/1.1 保持连接. A read-only static file handler."""

    server_version = "micrograd-cn"
    sys_version = ""
    protocol_version = "HTTP/1.1"  # 保持连接: 一个页面的十几个文件走同一条连接. Keep-alive.
    timeout = 60  # 空闲的连接一分钟后关闭, 线程随之结束. An idle connection closes after a minute.
    root: Path = SITE
    quiet: bool = False
    versioned: tuple[str, ...] = ()
    config: dict[str, Any] = {}

    def do_GET(self) -> None:  # noqa: N802  (http.server 的命名. http.server's naming.)
        self.send(include_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.send(include_body=False)

    def send(self, include_body: bool) -> None:
        """发送一个文件 (可能是压缩好的)、304 或 404. Send a file (maybe pre-compressed), a 304 or a 404."""
        if urlsplit(self.path).path == CONFIG_PATH:
            self.send_config(include_body)
            return
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
        compressed = target.with_name(target.name + ".gz")
        has_gzip = compressed.is_file()
        body = compressed if has_gzip and _accepts_gzip(self.headers.get("Accept-Encoding")) else target
        stat = body.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}{"-gz" if body is compressed else ""}"'
        self.send_response(HTTPStatus.NOT_MODIFIED if self.is_current(etag, stat.st_mtime) else HTTPStatus.OK)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
        self.send_header("Cache-Control", self.caching(target))
        if has_gzip:
            self.send_header("Vary", "Accept-Encoding")
        if self.is_current(etag, stat.st_mtime):  # 浏览器的副本仍然有效. The browser's copy is current.
            self.end_headers()
            return
        self.send_header("Content-Type", MIME_TYPES[target.suffix.lower()])
        if body is compressed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if include_body:
            with body.open("rb") as source:
                shutil.copyfileobj(source, self.wfile, 256 * 1024)

    def is_current(self, etag: str, mtime: float) -> bool:
        """If-None-Match / If-Modified-Since 是否说明浏览器的副本仍然有效. Whether the browser's copy is current."""
        match = self.headers.get("If-None-Match")
        if match is not None:
            return etag in (tag.strip().removeprefix("W/") for tag in match.split(",")) or match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False

    def caching(self, target: Path) -> str:
        """带版本号的文件夹里的文件缓存一年, 其余每次询问. A year for versioned folders, else revalidate."""
        relative = target.relative_to(self.root).as_posix()
        return IMMUTABLE if relative.startswith(self.versioned) else REVALIDATE

    def send_config(self, include_body: bool) -> None:
        """/config.json: 分享链接该用的地址 (不缓存). Where shared links should point; never cached."""
        data = json.dumps(self.config, ensure_ascii=False).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", MIME_TYPES[".json"])
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if include_body:
            self.wfile.write(data)

    def refuse(self, status: HTTPStatus) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.command not in ("GET", "HEAD"):
            self.send_header("Connection", "close")  # 请求体没有读, 不能再用这条连接. Its body was not read.
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """不支持的方法等: 简短的纯文本回答. Unsupported methods and the like: a short plain answer."""
        self.close_connection = True
        self.refuse(HTTPStatus(code))

    def log_message(self, message_format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(message_format, *args)


def make_server(root: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                quiet: bool = False) -> ThreadingHTTPServer:
    """建立 (但不启动) 服务器; root 默认由 find_site 找; port=0 时由系统选端口.

    Make (not start) the server for ``root`` (default: :func:`find_site`);
    port 0 picks a free port.  ``/config.json`` gives the page
    ``{"share": URL or null, "addresses": [...]}``: with ``--host`` the first
    LAN address, which links shared from the page should use.
    """
    site = check_site(find_site() if root is None else root)
    handler = type("Handler", (SiteHandler,), {"root": site, "quiet": quiet, "versioned": versioned_folders(site)})
    server = ThreadingHTTPServer((host, port), partial(handler))
    server.daemon_threads = True
    handler.config = share_config(host, server.server_address[1])
    server.site = site  # type: ignore[attr-defined]
    return server


def share_config(host: str, port: int) -> dict[str, Any]:
    """/config.json 的内容: 学生能打开的局域网网址, 第一个用于分享链接 (只在本机时为 None).

    What ``/config.json`` tells the page: ``addresses``, the LAN URLs students
    can open, and ``share``, the first of them (None when serving this
    machine only), which links shared from the page should start with.
    """
    urls = [url for url in addresses(host, port) if not is_loopback(url)]
    return {"share": urls[0] if urls else None, "addresses": urls}


def is_loopback(url: str) -> bool:
    """网址是否指向本机 (127.x、::1、localhost); 这样的地址学生打不开. Whether a URL points at this machine only."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def qr_block(url: str) -> str:
    """网址的二维码 (终端文字); 没有 segno 或终端编码画不出时是一行说明. A URL's QR code, or a one-line note.

    The note names the fix: install segno, or (a console whose encoding has
    no ``▀``, such as a GBK pipe) use the address printed above.
    """
    code = qr_text(url)
    if code is None:
        return '  (二维码需要 segno: pip install "micrograd_cn[web]"; QR needs segno)'
    if not can_write(code):  # 如 GBK 的管道没有 ▀: 画出来是一堆 ?. No ▀ in GBK: it would print as ?.
        encoding = sys.stdout.encoding
        return (f"  (终端编码 {encoding} 画不出二维码, 请用上面的网址; "
                f"the console's encoding {encoding} cannot draw the QR code: use the address above)")
    return code.rstrip("\n")


def banner(site: Path, host: str, port: int, qr: bool = True) -> str:
    """启动时打印的文字: 站点、网址, 局域网网址各配一个二维码 (本机地址不配). What serve prints on start.

    The site folder and every URL; each LAN URL with its QR code (none for a
    loopback address, which no student's phone can open).
    """
    lines = [f"micrograd_cn 课堂站点 (classroom site): {site}"]
    urls = addresses(host, port)
    for url in urls:
        lines.append(f"  打开 open: {url}")
        if qr and not is_loopback(url):
            lines.append(qr_block(url))
    if all(is_loopback(url) for url in urls):
        lines.append("  只有本机可以访问; 用 --host 0.0.0.0 分享给教室网络 "
                     "(only this machine; --host 0.0.0.0 shares it)")
    lines.append("  按 Ctrl+C 停止 (press Ctrl+C to stop)")
    return "\n".join(lines)


def serve(root: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          qr: bool = True) -> int:
    """提供站点直到 Ctrl+C; 先打印地址, 局域网地址配二维码. Serve until Ctrl+C, after printing the addresses."""
    try:
        server = make_server(root, host, port)
    except SiteNotBuiltError as error:
        print(f"micrograd-cn serve: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"micrograd-cn serve: {bilingual(f'无法监听 {host}:{port}', f'cannot listen on {host}:{port}')}: "
              f"{error}", file=sys.stderr)
        return 1
    print(banner(server.site, host, server.server_address[1], qr), flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C 就是 "停止". Ctrl+C means stop.
            server.serve_forever()
    finally:
        server.server_close()
    print("已停止, 再见 (stopped, goodbye)")
    return 0


__all__ = ["BUILD_COMMAND", "CONFIG_PATH", "MIME_TYPES", "PACKAGED_SITE", "SITE", "SiteNotBuiltError", "addresses",
           "banner", "check_site", "find_site", "is_loopback", "make_server", "resolve", "serve", "share_config",
           "versioned_folders"]
