"""课堂服务器: 只提供站点里的静态文件, MIME 类型正确, 不列目录, 站点之外的东西一概读不到.

The classroom server on a small hand-made site: correct types, no listing,
nothing outside the site folder (``..``, encoded ``..``, symlinks out),
and a clear message with the build command when the site is not built.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os

import pytest
from conftest import require_module, site_server
from micrograd_cn.serve import BUILD_COMMAND, IMMUTABLE, SiteNotBuiltError, addresses, make_server, qr_text

from micrograd_cn import cli
from micrograd_cn.app import serve as serve_module

RUNTIME = "x = 1;\n" * 2000  # 一个带版本号、可压缩的运行时文件. A versioned, compressible runtime file.


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
    (root / "build.json").write_text('{"versioned": ["runtime/1.0.0/"]}', encoding="utf-8")
    (root / "runtime" / "1.0.0").mkdir(parents=True)
    (root / "runtime" / "1.0.0" / "big.js").write_text(RUNTIME, encoding="utf-8")
    (root / "runtime" / "1.0.0" / "big.js.gz").write_bytes(gzip.compress(RUNTIME.encode(), mtime=0))
    (root / "page.html").write_text("<p>" + "页面 " * 500, encoding="utf-8")
    (root / "page.html.gz").write_bytes(gzip.compress((root / "page.html").read_bytes(), mtime=0))
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
    response, body = fetch(server, path, method, headers)
    return response.status, response.getheader("Content-Type") or "", body


def fetch(server, path: str, method: str = "GET", headers: dict[str, str] | None = None, connection=None):
    """一个请求, 返回 (回答, 内容); 给了 connection 就用它 (保持连接). One request; reuses a given connection."""
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            connection.putheader(key, value)
        connection.endheaders()
        response = connection.getresponse()
        return response, response.read()
    finally:
        if own:
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


def site_files(site) -> list[str]:
    return sorted("/" + p.relative_to(site).as_posix() for p in site.rglob("*")
                  if p.is_file() and not p.is_symlink() and p.suffix != ".gz" and not p.name.startswith(".")
                  and p.suffix in (".html", ".js", ".mjs", ".json", ".wasm", ".zip"))


def test_pre_compressed_files_are_sent_gzip_encoded_to_browsers_that_accept_it(server, site):
    response, body = fetch(server, "/runtime/1.0.0/big.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.getheader("Content-Encoding") == "gzip" and response.getheader("Vary") == "Accept-Encoding"
    assert int(response.getheader("Content-Length")) == len(body) < len(RUNTIME) / 10
    assert gzip.decompress(body).decode() == RUNTIME
    assert response.getheader("Content-Type") == "text/javascript; charset=utf-8"
    for refused in ({}, {"Accept-Encoding": "gzip;q=0"}, {"Accept-Encoding": "identity"}):
        response, body = fetch(server, "/runtime/1.0.0/big.js", headers=refused)
        assert response.getheader("Content-Encoding") is None and body.decode() == RUNTIME, refused
        assert response.getheader("Vary") == "Accept-Encoding"
    response, body = fetch(server, "/page.html", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(body) == (site / "page.html").read_bytes()
    assert get(server, "/page.html.gz")[0] == 404  # 副本不单独提供. The copies are not served by name.


def test_versioned_runtime_files_are_immutable_and_pages_revalidate(server):
    assert fetch(server, "/runtime/1.0.0/big.js")[0].getheader("Cache-Control") == IMMUTABLE
    for path in ("/", "/page.html", "/worker.js", "/build.json", "/pyodide/pyodide.asm.wasm"):
        assert fetch(server, path)[0].getheader("Cache-Control") == "no-cache", path


@pytest.mark.parametrize("encoding", ["gzip", None])
def test_every_file_answers_304_to_its_etag_and_to_if_modified_since(server, site, encoding):
    asked = {"Accept-Encoding": encoding} if encoding else {}
    for path in site_files(site):
        response, body = fetch(server, path, headers=asked)
        etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
        assert response.status == 200 and body and etag and modified, path
        checks = ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'}, {"If-Modified-Since": modified})
        for check in checks:
            again, body = fetch(server, path, headers={**asked, **check})
            assert again.status == 304 and body == b"" and again.getheader("ETag") == etag, (path, check)
            assert again.getheader("Cache-Control") == response.getheader("Cache-Control")
        assert fetch(server, path, headers={**asked, "If-None-Match": '"other"'})[0].status == 200
        old = {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}
        assert fetch(server, path, headers={**asked, **old})[0].status == 200
    gz = fetch(server, "/runtime/1.0.0/big.js", headers={"Accept-Encoding": "gzip"})[0].getheader("ETag")
    plain = fetch(server, "/runtime/1.0.0/big.js")[0].getheader("ETag")
    assert gz != plain  # 两种编码是两份不同的内容. Two encodings, two different bodies.


def test_one_connection_carries_many_requests(server, site):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        paths = site_files(site) + ["/nothing.html", "/config.json", "/"]
        for path in paths * 2:
            response, _ = fetch(server, path, headers={"Accept-Encoding": "gzip"}, connection=connection)
            assert response.version == 11 and not response.will_close, path
            assert response.getheader("Content-Length") is not None or response.status == 304
        first = connection.sock
        fetch(server, "/worker.js", connection=connection)
        assert connection.sock is first  # 没有重新连接. No reconnection.
    finally:
        connection.close()


def test_the_page_learns_the_address_to_share(server, monkeypatch):
    response, body = fetch(server, "/config.json")
    assert response.getheader("Content-Type") == "application/json"
    assert response.getheader("Cache-Control") == "no-store"
    assert json.loads(body) == {"share": None, "addresses": []}  # 只在本机提供. Served on this machine only.
    monkeypatch.setattr(serve_module, "lan_addresses", lambda: ["192.168.1.10", "10.0.0.5"])
    assert serve_module.share_config("0.0.0.0", 8000) == {
        "share": "http://192.168.1.10:8000/", "addresses": ["http://192.168.1.10:8000/", "http://10.0.0.5:8000/"]}
    assert serve_module.share_config("192.168.1.10", 80)["share"] == "http://192.168.1.10:80/"
    assert serve_module.share_config("127.0.0.1", 80) == {"share": None, "addresses": []}


def test_qr_codes_only_for_addresses_students_can_open(site, monkeypatch):
    require_module("segno")
    monkeypatch.setattr(serve_module, "lan_addresses", lambda: ["192.168.1.10", "10.0.0.5"])
    shared = serve_module.banner(site, "0.0.0.0", 8000)
    assert "http://192.168.1.10:8000/" in shared and "http://10.0.0.5:8000/" in shared
    assert shared.count("打开 open:") == 2 and "█" in shared and "只有本机" not in shared
    blocks = [block for block in shared.split("打开 open:")[1:]]
    assert all("█" in block for block in blocks)  # 每个地址一个二维码. A QR code for each address.
    local = serve_module.banner(site, "127.0.0.1", 8000)
    assert "http://127.0.0.1:8000/" in local and "█" not in local and "--host 0.0.0.0" in local
    monkeypatch.setattr(serve_module, "lan_addresses", lambda: [])
    assert "█" not in serve_module.banner(site, "0.0.0.0", 8000)  # 找不到局域网地址. No LAN address found.


def test_the_packaged_site_comes_first(tmp_path, monkeypatch):
    packaged, source = tmp_path / "packaged", tmp_path / "source"
    monkeypatch.setattr(serve_module, "PACKAGED_SITE", packaged)
    monkeypatch.setattr(serve_module, "SITE", source)
    assert serve_module.find_site() == source
    packaged.mkdir()
    (packaged / "index.html").write_text("packaged", encoding="utf-8")
    assert serve_module.find_site() == packaged
