"""课堂服务器: 只提供站点里的静态文件, MIME 类型正确, 不列目录, 站点之外的东西一概读不到.

The classroom server on a small hand-made site: correct types, no listing,
nothing outside the site folder (``..``, encoded ``..``, symlinks out),
and a clear message with the build command when the site is not built.
"""

from __future__ import annotations

import http.client
import os

import pytest
from conftest import require_module, site_server
from micrograd_cn.serve import BUILD_COMMAND, SiteNotBuiltError, addresses, make_server, qr_text

from micrograd_cn import cli


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("serve")
    root = base / "dist"
    (root / "pyodide").mkdir(parents=True)
    (root / "lessons").mkdir()
    (root / "index.html").write_text("<!DOCTYPE html><title>home</title>", encoding="utf-8")
    (root / "pyodide" / "pyodide.asm.wasm").write_bytes(b"\0asm\1\0\0\0")
    (root / "pyodide" / "pyodide.mjs").write_text("export {};", encoding="utf-8")
    (root / "worker.js").write_text("self.onmessage = null;", encoding="utf-8")
    (root / "build.json").write_text("{}", encoding="utf-8")
    (root / "py.zip").write_bytes(b"PK\5\6" + b"\0" * 18)
    (root / "lessons" / "index.html").write_text("lessons", encoding="utf-8")
    (root / ".hidden.html").write_text("hidden", encoding="utf-8")
    (root / "notes.py").write_text("secret = 1", encoding="utf-8")
    (base / "secret.html").write_text("outside the site", encoding="utf-8")
    (root / "link.html").symlink_to(base / "secret.html")
    (root / "linkdir").symlink_to(base)
    (root / "inner.html").symlink_to(root / "index.html")  # 指向站点内部的链接可以. A link inside is fine.
    return root


@pytest.fixture(scope="module")
def server(site):
    with site_server(site) as running:
        yield running


def get(server, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            connection.putheader(key, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path, mime", [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/pyodide/pyodide.asm.wasm", "application/wasm"),
    ("/pyodide/pyodide.mjs", "text/javascript; charset=utf-8"),
    ("/worker.js", "text/javascript; charset=utf-8"),
    ("/build.json", "application/json"),
    ("/py.zip", "application/zip"),
    ("/lessons/", "text/html; charset=utf-8"),
    ("/inner.html", "text/html; charset=utf-8"),
    ("/index.html?lang=en#x", "text/html; charset=utf-8"),
])
def test_site_files_are_served_with_their_types(server, path, mime):
    status, content_type, body = get(server, path)
    assert status == 200 and content_type == mime and body


def test_a_reload_revalidates_with_the_etag(server, site):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    connection.request("GET", "/pyodide/pyodide.asm.wasm")
    response = connection.getresponse()
    response.read()
    etag = response.getheader("ETag")
    connection.close()
    assert etag and response.getheader("Cache-Control") == "no-cache"
    status, _, body = get(server, "/pyodide/pyodide.asm.wasm", headers={"If-None-Match": etag})
    assert status == 304 and body == b""
    assert get(server, "/pyodide/pyodide.asm.wasm", headers={"If-None-Match": '"other"'})[0] == 200


def test_head_sends_no_body_and_a_directory_without_slash_redirects(server):
    status, _, body = get(server, "/worker.js", "HEAD")
    assert status == 200 and body == b""
    assert get(server, "/lessons")[0] == 301


@pytest.mark.parametrize("path", [
    "/../secret.html", "/%2e%2e/secret.html", "/%2E%2E%2Fsecret.html", "/lessons/../../secret.html",
    "/..%2fsecret.html", "/%252e%252e/secret.html", "/..\\secret.html", "/%5c..%5csecret.html",
    "/link.html", "/linkdir/secret.html", "/pyodide/", "/pyodide", "/.hidden.html", "/notes.py",
    "/index.html%00.js", "/nothing.html", "//etc/passwd", "/%ff%fe.html",
])
def test_nothing_outside_the_site_no_listing_no_unknown_types(server, path):
    status, _, body = get(server, path)
    assert status == 404, path
    assert b"outside the site" not in body and b"secret" not in body


def test_only_get_and_head(server):
    status, _, body = get(server, "/index.html", "POST")
    assert status == 501 and b"home" not in body
    assert get(server, "/index.html", "PUT")[0] == 501


def test_an_unbuilt_site_names_the_build_command(tmp_path, capsys):
    with pytest.raises(SiteNotBuiltError, match="web/build.py"):
        make_server(tmp_path, "127.0.0.1", 0)
    assert cli.main(["serve", "--root", os.fspath(tmp_path), "--port", "0"]) == 1
    message = capsys.readouterr().err
    assert BUILD_COMMAND in message and "站点还没有构建" in message and "has not been built" in message


def test_addresses_and_qr_code():
    assert addresses("127.0.0.1", 8000) == ["http://127.0.0.1:8000/"]
    assert addresses("::1", 80) == ["http://[::1]:80/"]
    assert all(url.startswith("http://") and url.endswith(":8000/") for url in addresses("0.0.0.0", 8000))
    require_module("segno")
    code = qr_text("http://192.168.1.10:8000/")
    assert code is not None and len(code.splitlines()) > 10 and "█" in code
