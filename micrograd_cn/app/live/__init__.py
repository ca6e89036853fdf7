"""全班作答的课堂: 老师提问图中的一个节点, 每个学生用手机作答, 老师看到按诊断分组的答案.

The live classroom: the teacher asks for one node's gradient on the graph,
every student answers from a phone, and the teacher sees the answers grouped
by diagnosis (right, a missing path, a flipped sign, ...).

* :mod:`.lesson`  the graphs and the nodes to ask (an expression, exercises, a seed example, a Value);
* :mod:`.store`   one SQLite file (WAL): every answer is committed before it is acknowledged;
* :mod:`.session` rounds, answers, the tally by diagnosis, the CSV (no web code);
* :mod:`.server`  the Starlette app: pages, JSON API, server-sent events, limits;
* :mod:`.run`     starting it: from the command line or in a background thread (``mg.live(out)``);
* :mod:`.command` the ``micrograd-cn live`` arguments (registered by :mod:`micrograd_cn.app.cli`);
* ``assets/``     ``live.js`` and ``live.css``, beside the one player front-end that draws the graph.

Imports the core, backprop, viz and classroom; Starlette and uvicorn (the
``web`` extra) load only when a server starts.
"""

from __future__ import annotations

from typing import Any


def live(out: Any = None, **options: Any) -> Any:
    """在后台线程里为这个计算图开一个课堂 (笔记本中用); 返回可以 stop() 的句柄.

    Start a live classroom for ``out`` in a background thread (for a
    notebook) and return its handle (``.student_url``, ``.teacher_url``,
    ``.stop()``); ``options`` go to :func:`.run.start`.
    """
    from .run import start

    return start(out, **options)
