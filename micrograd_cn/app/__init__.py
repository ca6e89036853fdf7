"""使用者运行的入口: 命令行、表达式解析、浏览器站点的服务器、Pyodide 里的浏览器桥.

The faces a user runs: the command line, the expression parser, the site
server and the browser bridge that runs inside Pyodide.  May import every
layer; nothing outside ``app`` imports it (``python -m micrograd_cn`` only
starts its command line).
"""
