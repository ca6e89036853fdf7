"""构建浏览器站点: npm ci (按锁文件) 之后把页面、Pyodide、viz-js 与 micrograd_cn 自己的 .py 文件放进 web/dist/.

Build the browser site into ``web/dist/``::

    .venv/bin/python web/build.py

It runs ``npm ci`` in ``web/`` when ``node_modules`` does not match the
lockfile (only the npm registry is needed), then copies

* the pages, styles and scripts of ``web/src/``;
* the Pyodide runtime files the worker loads (``pyodide/``), and nothing else
  of the npm package;
* ``viz-global.js`` of ``@viz-js/viz`` (Graphviz compiled to WebAssembly);
* ``py/micrograd_cn.zip``: micrograd_cn's own package files, unchanged, and
  the pure-Python ``graphviz`` package that ``draw_dot`` builds DOT text with
  (taken from the Python environment running this script);
* the step-through player's front-end, when the package ships one
  (``micrograd_cn/viz/assets/``).

At run time the site fetches nothing from any other host.  ``--no-npm`` skips
``npm ci`` (for a ``node_modules`` you installed yourself).
"""

from __future__ import annotations

import argparse
import json
import os
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


def runtime_files(dist: Path) -> list[str]:
    """页面与 worker 运行必需的文件 (相对 dist, 在哪个文件夹里都找得到). The files the pages and workers
    cannot run without, relative to ``dist``, wherever they were copied."""
    names = (*PYODIDE_FILES, VIZ_FILE, "micrograd_cn.zip", "worker.js", "layout.js", "common.js")
    return [path.relative_to(dist).as_posix() for name in names for path in sorted(dist.rglob(name))[:1]]


class BuildError(RuntimeError):
    """构建失败 (双语信息). The build failed."""


def npm_ci(force: bool = False) -> None:
    """node_modules 与锁文件不一致时运行 npm ci. Run ``npm ci`` unless node_modules matches the lockfile."""
    lock = WEB / "package-lock.json"
    installed = MODULES / ".package-lock.json"
    if not force and installed.exists() and _same_packages(lock, installed):
        return
    npm = shutil.which("npm")
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
    """构建站点到 dist, 返回每个文件的字节数. Build the site into ``dist``; return each file's size."""
    if run_npm:
        npm_ci()
    if dist.exists():
        shutil.rmtree(dist)
    shutil.copytree(SRC, dist)
    for name in PYODIDE_FILES:
        _copy(MODULES / "pyodide" / name, dist / "pyodide" / name)
    _copy(MODULES / "@viz-js" / "viz" / "dist" / VIZ_FILE, dist / "viz" / VIZ_FILE)
    (dist / "py").mkdir()
    write_zip(dist / "py" / "micrograd_cn.zip", python_files())
    assets = ROOT / "micrograd_cn" / "viz" / "assets"
    for name in ("player.js", "player.css"):
        if (assets / name).is_file():
            _copy(assets / name, dist / "player" / name)
    versions = {
        "pyodide": json.loads((MODULES / "pyodide" / "package.json").read_text(encoding="utf-8"))["version"],
        "viz": json.loads((MODULES / "@viz-js" / "viz" / "package.json").read_text(encoding="utf-8"))["version"],
        "player": (dist / "player" / "player.js").exists(),
        # 页面加载时核对这些文件在不在、是否完整. The page checks these are present and complete.
        "files": {name: (dist / name).stat().st_size for name in runtime_files(dist)},
    }
    (dist / "build.json").write_text(json.dumps(versions, indent=1) + "\n", encoding="utf-8")
    sizes = {p.relative_to(dist).as_posix(): p.stat().st_size for p in sorted(dist.rglob("*")) if p.is_file()}
    total = sum(sizes.values())
    if total > FIRST_LOAD_LIMIT:
        raise BuildError(bilingual(f"站点共 {total} 字节, 超过 20 MB", f"the site is {total} bytes, more than 20 MB"))
    return sizes


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
    print(f"已构建 built: {args.dist} ({len(sizes)} 个文件 files, {total / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
