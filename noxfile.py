"""在每个支持的 Python (3.10–3.13) 上运行测试: ``.venv/bin/python -m nox``.

Run the tests on every supported Python with one command::

    .venv/bin/python -m nox                 # 3.10, 3.11, 3.12, 3.13
    .venv/bin/python -m nox -p 3.12         # one version
    .venv/bin/python -m nox -- tests/test_engine_ops.py -x   # pytest's arguments instead of "tests"

Each version gets its own virtual environment in ``.nox/`` with the package
(``viz``, ``train``, ``web`` extras) and the ``test`` extra's tools, except
the browser and notebook ones (``playwright``, JupyterLab, ``nbmake``): the
browser, JupyterLab, notebook, docs and site-build tests are the Python-
independent part that ``.ci/run`` covers on 3.11.  Tests that need a missing
tool skip, as they do everywhere.

``torch==2.13.0`` is installed only from a wheel already on this machine
(``pip install --no-index --no-deps``, i.e. pip's configured ``find-links``;
its dependencies then come from the index): on PyPI
the other versions' wheels pull the CUDA libraries (gigabytes).  Where there
is none, one line says so and the PyTorch comparisons skip;
``MICROGRAD_CN_NOX_TORCH=download`` installs it from the index instead.

Interpreters are found on ``PATH`` (``python3.12``; on Windows the ``py``
launcher) and in pyenv's ``versions/`` folder; a version that is not there is
skipped with a line saying so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nox
from packaging.requirements import Requirement

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
ROOT = Path(__file__).resolve().parent
TORCH = "torch==2.13.0"
NOT_HERE = {"torch", "playwright", "jupyterlab", "notebook", "nbmake", "ipykernel", "ruff", "nox"}
"""test 依赖中不在这里装的: torch 另装, 浏览器与笔记本的工具留给 .ci/run. Test tools not installed here."""
IGNORED = ["tests/test_jupyterlab.py", "tests/test_lessons_jupyterlab.py", "tests/test_web.py", "tests/test_docs.py"]
"""要 JupyterLab、npm 构建或 mkdocs 的测试模块 (.ci/run 运行它们). Modules that need JupyterLab, npm or mkdocs."""

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = False  # 没有的版本跳过并说明. A missing version is skipped, with a line.
nox.options.reuse_venv = "yes"


def _pyenv_interpreters() -> None:
    """把 pyenv 中每个版本的 bin 放到 PATH 前面 (pyenv 的 shim 只对激活的版本有效).

    Put each wanted pyenv version's ``bin`` first on ``PATH``, so ``python3.12``
    is the real interpreter (pyenv's shims answer only for activated versions).
    """
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = []
    for python in PYTHONS:
        candidates = sorted(versions.glob(f"{python}.*/bin/python{python}"),
                            key=lambda p: [int(x) for x in p.parent.parent.name.split(".") if x.isdigit()])
        if candidates:
            found.append(str(candidates[-1].parent))
    if found:
        os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


def test_requirements() -> list[str]:
    """pyproject.toml 中 test 依赖, 去掉 NOT_HERE. The test extra from pyproject.toml, less NOT_HERE."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    return [spec for spec in extras["test"] if Requirement(spec).name.lower() not in NOT_HERE]


_pyenv_interpreters()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """一个 Python 版本上的测试 (浏览器与笔记本之外的全部). The suite on one Python, less browser and notebooks."""
    session.install("-e", ".[viz,train,web]", *test_requirements())
    python = Path(session.bin) / ("python.exe" if sys.platform == "win32" else "python")
    pip = [str(python), "-m", "pip", "install", "-q"]
    local = [] if os.environ.get("MICROGRAD_CN_NOX_TORCH") == "download" else ["--no-index", "--no-deps"]
    if subprocess.run([*pip, *local, TORCH], check=False, capture_output=True).returncode == 0:
        session.install(TORCH)  # 它的依赖 (sympy, filelock, ...) 从索引来. Its dependencies come from the index.
    else:
        session.log(f"{TORCH}: 本机没有 Python {session.python} 的 wheel, 与 PyTorch 对照的测试跳过 "
                    f"(no local wheel for Python {session.python}: the PyTorch comparisons skip; "
                    "MICROGRAD_CN_NOX_TORCH=download installs it from the index)")
    session.run("python", "-m", "pytest", *(session.posargs or ["tests"]), "-q", "-p", "no:cacheprovider",
                "-o", "addopts=-ra", *(f"--ignore={path}" for path in IGNORED),
                env={"MICROGRAD_CN_STRICT": "0"})
