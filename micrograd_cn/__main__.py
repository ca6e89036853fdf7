"""``python -m micrograd_cn``: 运行命令行 (无参数时运行演示). Run the command line (the demo without arguments)."""

from .app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
