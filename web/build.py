"""构建浏览器站点: npm ci (按锁文件) 之后把页面、Pyodide、viz-js 与 micrograd_cn 自己的 .py 文件放进 web/dist/.

Build the browser site into ``web/dist/``::

    .venv/bin/python web/build.py

It runs ``npm ci`` in ``web/`` when ``node_modules`` does not match the
lockfile (only the npm registry is needed), then copies

* the pages, styles and scripts of ``web/src/``;
* the Pyodide runtime files the worker loads (``pyodide/<version>/``), and
  nothing else of the npm package;
* ``viz-global.js`` of ``@viz-js/viz`` (Graphviz compiled to WebAssembly), in
  ``viz/<version>/``;
* ``py/micrograd_cn.zip``: micrograd_cn's own package files, unchanged, and
  the pure-Python ``graphviz`` package that ``draw_dot`` builds DOT text with
  (taken from the Python environment running this script);
* the step-through player's front-end, when the package ships one
  (``micrograd_cn/viz/assets/``).

The npm runtime files sit in folders named by their version from the
lockfile (the pages' and the worker's references are rewritten to match, and
``build.json`` lists the folders as ``versioned``), so ``micrograd-cn serve``
lets browsers cache them for a year: a new version is a new address.  Every
file that compresses well gets a gzip copy beside it (``name.gz``), made once
here, which ``serve`` sends to browsers that accept gzip.

At run time the site fetches nothing from any other host.  ``--no-npm`` skips
``npm ci`` (for a ``node_modules`` you installed yourself).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent
SRC = WEB / "src"
DIST = WEB / "dist"
MODULES = WEB / "node_modules"
sys.path.insert(0, str(ROOT))

from micrograd_cn.errors import bilingual  # noqa: E402  (从源码树导入. Imported from the source tree.)

PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
"""Worker 需要的 Pyodide 运行时文件. The Pyodide runtime files the worker needs."""

VIZ_FILE = "viz-global.js"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # 固定时间戳: 同样的源码得到同样的 zip. Fixed timestamps: reproducible zip.
FIRST_LOAD_LIMIT = 20 * 1024 * 1024
"""站点 (不计 .gz 副本) 最多的字节数. The most bytes the site may hold, not counting its .gz copies."""

COMPRESSED_SUFFIXES = (".html", ".css", ".js", ".mjs", ".json", ".wasm", ".svg", ".txt", ".zip")
"""值得压缩的文件类型 (zip 只在确实变小时). File types worth a gzip copy (a zip only when it shrinks)."""

GZIP_LEVEL = 6  # 比 9 快一倍, 只大 0.5 %. Twice as fast as 9, 0.5 % larger.
MIN_SAVING = 0.1  # 至少省 10 % 才留下 .gz. Keep a .gz only when it saves at least 10 %.


def runtime_files(dist: Path) -> list[str]:
    """页面与 worker 运行必需的文件 (相对 dist, 在哪个文件夹里都找得到). The files the pages and workers
    cannot run without, relative to ``dist``, wherever they were copied."""
    names = (*PYODIDE_FILES, VIZ_FILE, "micrograd_cn.zip", "worker.js", "layout.js", "common.js")
    return [path.relative_to(dist).as_posix() for name in names for path in sorted(dist.rglob(name))[:1]]


class BuildError(RuntimeError):
    """构建失败 (双语信息). The build failed."""


def find_npm(path: str | None = None, windows: bool = os.name == "nt") -> str | None:
    """npm 的完整路径; Windows 上 npm 是 npm.cmd, subprocess 只认完整路径.

    The full path of npm in ``path`` (default: ``PATH``), or None.  On Windows
    npm is ``npm.cmd``, a batch file that ``subprocess`` runs only by its full
    path, so it is asked for by that name before any other.
    """
    for name in ("npm.cmd", "npm.exe", "npm") if windows else ("npm",):
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def npm_ci(force: bool = False) -> None:
    """node_modules 与锁文件不一致时运行 npm ci. Run ``npm ci`` unless node_modules matches the lockfile."""
    lock = WEB / "package-lock.json"
    installed = MODULES / ".package-lock.json"
    if not force and installed.exists() and _same_packages(lock, installed):
        return
    npm = find_npm()
    if npm is None:
        raise BuildError(bilingual("找不到 npm: 请先安装 Node.js (含 npm)", "npm not found: install Node.js with npm"))
    print(f"+ npm ci --prefix {WEB}", flush=True)
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefix", str(WEB)], check=False)
    if result.returncode != 0:
        raise BuildError(bilingual(f"npm ci 失败 (退出码 {result.returncode})",
                                   f"npm ci failed (exit code {result.returncode})"))


def _same_packages(lock: Path, installed: Path) -> bool:
    """锁文件中的包与已安装的包 (名字与版本) 是否一致. Whether the installed packages match the lockfile."""
    wanted = json.loads(lock.read_text(encoding="utf-8")).get("packages", {})
    have = json.loads(installed.read_text(encoding="utf-8")).get("packages", {})
    return all(have.get(name, {}).get("version") == info.get("version")
               for name, info in wanted.items() if name)


def _package_files(package: Path, prefix: str) -> list[tuple[Path, str]]:
    """一个 Python 包里的 .py 文件 (及许可证), 配上 zip 中的路径. A package's .py files with their zip paths."""
    files = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    return [(p, f"{prefix}/{p.relative_to(package).as_posix()}") for p in files]


def python_files() -> list[tuple[Path, str]]:
    """放进 micrograd_cn.zip 的文件: micrograd_cn 本身与纯 Python 的 graphviz 包.

    The files of ``py/micrograd_cn.zip``: micrograd_cn itself and the pure
    Python ``graphviz`` package (with its licence) from this environment.
    """
    files = _package_files(ROOT / "micrograd_cn", "micrograd_cn")
    try:
        import graphviz
    except ImportError as error:
        raise BuildError(bilingual('构建需要 graphviz 包 (纯 Python): pip install -e ".[viz]"',
                                   'the build needs the graphviz package (pure Python): pip install -e ".[viz]"')
                         ) from error
    package = Path(graphviz.__file__).parent
    files += _package_files(package, "graphviz")
    licences = sorted(package.parent.glob("graphviz-*.dist-info/LICENSE*")) + sorted(
        package.parent.glob("graphviz-*.dist-info/licenses/LICENSE*"))
    files += [(path, f"graphviz/{path.name}") for path in licences[:1]]
    return files


def write_zip(target: Path, files: list[tuple[Path, str]]) -> None:
    """写出可复现的 zip (固定时间戳, 按路径排序). Write a reproducible zip."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path, name in sorted(files, key=lambda item: item[1]):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())


def _copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BuildError(bilingual(f"缺少文件 {source}: 请重新运行 npm ci", f"missing file {source}: run npm ci again"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def build(dist: Path = DIST, run_npm: bool = True) -> dict[str, int]:
    """构建站点到 dist, 返回每个文件 (不含 .gz 副本) 的字节数. Build the site into ``dist``; return each file's size."""
    if run_npm:
        npm_ci()
    if dist.exists():
        shutil.rmtree(dist)
    shutil.copytree(SRC, dist)
    versions = {
        "pyodide": json.loads((MODULES / "pyodide" / "package.json").read_text(encoding="utf-8"))["version"],
        "viz": json.loads((MODULES / "@viz-js" / "viz" / "package.json").read_text(encoding="utf-8"))["version"],
    }
    folders = {"pyodide": f"pyodide/{versions['pyodide']}/", "viz": f"viz/{versions['viz']}/"}
    for name in PYODIDE_FILES:
        _copy(MODULES / "pyodide" / name, dist / folders["pyodide"] / name)
    _copy(MODULES / "@viz-js" / "viz" / "dist" / VIZ_FILE, dist / folders["viz"] / VIZ_FILE)
    point_to_versions(dist, folders)
    (dist / "py").mkdir()
    write_zip(dist / "py" / "micrograd_cn.zip", python_files())
    assets = ROOT / "micrograd_cn" / "viz" / "assets"
    for name in ("player.js", "player-quiz.js", "player.css"):
        if (assets / name).is_file():
            _copy(assets / name, dist / "player" / name)
    info = {**versions, "player": (dist / "player" / "player.js").exists(), "versioned": sorted(folders.values()),
            # 页面加载时核对这些文件在不在、是否完整. The page checks these are present and complete.
            "files": {name: (dist / name).stat().st_size for name in runtime_files(dist)}}
    (dist / "build.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    sizes = {p.relative_to(dist).as_posix(): p.stat().st_size for p in sorted(dist.rglob("*")) if p.is_file()}
    total = sum(sizes.values())
    if total > FIRST_LOAD_LIMIT:
        raise BuildError(bilingual(f"站点共 {total} 字节, 超过 20 MB", f"the site is {total} bytes, more than 20 MB"))
    compress(dist)
    return sizes


def point_to_versions(dist: Path, folders: dict[str, str]) -> None:
    """把页面与 worker 中 "pyodide/…"、"viz/viz-global.js" 的引用改到带版本号的文件夹.

    Rewrite the pages' and the worker's references to ``pyodide/...`` and
    ``viz/viz-global.js`` so they point into the versioned folders.  Each
    runtime must be referred to somewhere, or the build fails (a renamed
    reference would otherwise load nothing).
    """
    patterns = {
        "pyodide": (re.compile(r"(?<![\w/.-])((?:\./)?)pyodide/(?=[\w.-]*[\"'`])"), rf"\1{folders['pyodide']}"),
        "viz": (re.compile(r"(?<![\w/.-])((?:\./)?)viz/(?=viz-global\.js)"), rf"\1{folders['viz']}"),
    }
    found = dict.fromkeys(patterns, 0)
    for page in sorted(dist.glob("*")):
        if page.suffix not in (".html", ".js", ".mjs"):
            continue
        text = page.read_text(encoding="utf-8")
        for name, (pattern, replacement) in patterns.items():
            text, count = pattern.subn(replacement, text)
            found[name] += count
        page.write_text(text, encoding="utf-8")
    missing = [name for name, count in found.items() if not count]
    if missing:
        names = ", ".join(missing)
        raise BuildError(bilingual(f"页面中找不到对 {names} 的引用", f"no page refers to {names}"))


def compress(dist: Path) -> dict[str, int]:
    """给值得压缩的文件写出 gzip 副本 name.gz (可复现: 不记时间与文件名); 返回各副本的字节数.

    Write a gzip copy ``name.gz`` beside each file that shrinks by at least
    :data:`MIN_SAVING` (reproducible: no time stamp, no file name inside);
    return the sizes of the copies.
    """
    written: dict[str, int] = {}
    for path in sorted(dist.rglob("*")):
        if not path.is_file() or path.suffix not in COMPRESSED_SUFFIXES:
            continue
        data = path.read_bytes()
        packed = gzip.compress(data, GZIP_LEVEL, mtime=0)
        if len(packed) <= (1 - MIN_SAVING) * len(data):
            path.with_name(path.name + ".gz").write_bytes(packed)
            written[path.relative_to(dist).as_posix()] = len(packed)
    return written


def main(argv: list[str] | None = None) -> int:
    """命令行入口. The command-line entry point."""
    parser = argparse.ArgumentParser(description="构建浏览器站点到 web/dist. Build the browser site into web/dist.")
    parser.add_argument("--no-npm", action="store_true", help="不运行 npm ci (skip npm ci)")
    parser.add_argument("--dist", default=os.fspath(DIST), help="输出目录 (output folder; default web/dist)")
    args = parser.parse_args(argv)
    try:
        sizes = build(Path(args.dist), run_npm=not args.no_npm)
    except BuildError as error:
        print(f"web/build.py: {error}", file=sys.stderr)
        return 1
    total = sum(sizes.values())
    packed = sum(p.stat().st_size for p in Path(args.dist).rglob("*.gz"))
    print(f"已构建 built: {args.dist} ({len(sizes)} 个文件 files, {total / 1e6:.1f} MB; "
          f"gzip 副本 copies {packed / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
