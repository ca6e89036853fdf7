"""嵌入页面的前端文件写紧凑了, 但意思不变. The embedded front-end files are compact and mean the same."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from micrograd_cn.viz.compact import compact_css, compact_js
from micrograd_cn.viz.player import ASSETS, asset


def test_strings_and_regular_expressions_are_kept_as_written():
    source = "var s = 'a  b // not a comment';  // a comment\nvar r = /a b\\/ [/ ]/g;\nvar t = \"x /* y */\";\n"
    assert compact_js(source) == "var s='a  b // not a comment';var r=/a b\\/ [/ ]/g;var t=\"x /* y */\";\n"


def test_division_is_not_a_regular_expression():
    assert compact_js("var x = a / 2 / b;\nreturn (y) / 3;") == "var x=a/2/b;return(y)/3;\n"


def test_spaces_stay_where_tokens_would_merge():
    assert compact_js("var a = b - -c + +d;\nif (x) return typeof y;") == "var a=b- -c+ +d;if(x)return typeof y;\n"


def test_line_breaks_stay_so_semicolon_insertion_reads_the_same():
    # 没有分号的两行仍是两条语句; 跨行的注释也算一次换行.
    # Two lines without semicolons stay two statements; a comment across lines counts as a line break.
    assert compact_js("a = 1\n\n  b = 2 /* one\n two */ c = 3\nreturn\nx") == "a=1\nb=2\nc=3\nreturn\nx\n"
    # 只有 ; { , 之后的换行可以去掉; } 之后的要留 (var o = {} 之后靠它补分号).
    # Only breaks after ; { , go; one after } stays (after var o = {} it is what inserts the semicolon).
    assert compact_js("var o = {}\nvar p = [1,\n2];\nf({\na: 1})") == "var o={}\nvar p=[1,2];f({a:1})\n"


def test_style_sheet_loses_comments_and_spaces():
    assert compact_css("/* note */\n.a , .b {\n  color: red ;\n}\n.c :hover { }") == ".a,.b{color:red;}.c :hover{}"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
@pytest.mark.parametrize("name", ["player.js", "player-quiz.js"])
def test_compact_player_script_is_valid_javascript(tmp_path, name):
    script = tmp_path / name
    script.write_text(asset(name), encoding="utf-8")
    done = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # 只去掉了空白与注释: 紧凑后每个非空白字符都按原来的顺序出现在源文件里.
    # Only blanks and comments went: the compact script's characters appear in the source in order.
    source = iter((ASSETS / name).read_text(encoding="utf-8"))
    assert all(char in source for char in asset(name) if not char.isspace())
    assert len(asset(name)) < 0.75 * len((ASSETS / name).read_text(encoding="utf-8"))
