"""The GNU ld script reader (link/ldscript.py): which files a script names, table-driven."""

from __future__ import annotations

import pytest

from ldwrap.link.ldscript import named_inputs, tokens

# (id, script text, the files it names in order)
CASES = [
    ("group", "GROUP ( /s/a/lib/libfoo.so.1 )", ["/s/a/lib/libfoo.so.1"]),
    ("input-l", "INPUT(-limpl)", ["-limpl"]),
    ("bare", "INPUT(libx.so)", ["libx.so"]),
    ("commas", "INPUT(liba.so, libb.so ,libc.so)", ["liba.so", "libb.so", "libc.so"]),
    ("quoted", 'INPUT("dir with space/libq.so")', ["dir with space/libq.so"]),
    (
        "glibc-libc.so",
        "/* GNU ld script\n   Use the shared library.  */\nOUTPUT_FORMAT(elf64-x86-64)\n"
        "GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a"
        "  AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )\n",
        [
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/lib/x86_64-linux-gnu/libc_nonshared.a",
            "/lib64/ld-linux-x86-64.so.2",
        ],
    ),
    (
        "comment-inside",
        "GROUP(/a/liba.so /* not /b/libb.so */ /c/libc.so)",
        ["/a/liba.so", "/c/libc.so"],
    ),
    ("comment-glued", "GROUP(/a/liba.so/* x */)", ["/a/liba.so"]),
    ("two-commands", "INPUT(-la)\nGROUP(-lb -lc)", ["-la", "-lb", "-lc"]),
    ("other-commands-skipped", "SEARCH_DIR(/x)\nOUTPUT_FORMAT(a, b, c)\nINPUT(-la)", ["-la"]),
    ("lowercase-is-no-command", "input(-la)", []),
    ("unterminated-comment", "INPUT(-la) /* never closed", ["-la"]),
    ("unterminated-group", "GROUP ( -la -lb", ["-la", "-lb"]),
    ("empty", "", []),
    ("not-a-script", "\x00\x01binary\xff", []),
    ("nested-as-needed", "GROUP(AS_NEEDED(-la AS_NEEDED(-lb)) -lc)", ["-la", "-lb", "-lc"]),
]


@pytest.mark.parametrize(("text", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_named_inputs(text: str, names: list[str]) -> None:
    assert named_inputs(text) == names


def test_tokens_split_punctuation_and_drop_comments() -> None:
    assert tokens('GROUP(a,"b c")/*x*/d') == ["GROUP", "(", "a", ",", "b c", ")", "d"]
