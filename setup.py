"""构建 wheel 时顺便构建浏览器站点, 放进包里 (micrograd_cn/app/site/), 像 Jupyter 的前端包那样.

Building a wheel also builds the browser site from the npm lockfile
(``web/build.py``) into the package, as ``micrograd_cn/app/site/``, the way
Jupyter front-end packages ship theirs: ``pip install "micrograd_cn[web]"``
then ``micrograd-cn serve`` needs no clone and no npm.  An editable install
(``pip install -e .``) skips this step; there ``web/build.py`` fills
``web/dist``, which ``serve`` finds when no packaged site exists.
Everything else about the package is in ``pyproject.toml``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithSite(build_py):
    """build_py 之后把站点构建到 build_lib 里的 micrograd_cn/app/site. Build the site into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        spec = importlib.util.spec_from_file_location("web_build", HERE / "web" / "build.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        target = Path(self.build_lib) / "micrograd_cn" / "app" / "site"
        sizes = module.build(target)
        print(f"micrograd_cn: built the site into {target} ({len(sizes)} files)")


setup(cmdclass={"build_py": BuildPyWithSite})
