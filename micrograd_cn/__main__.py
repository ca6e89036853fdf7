"""``python -m micrograd_cn``: 运行命令行 (无参数时运行演示). Run the command line."""

from .demo import main

main()
