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


def _tokens_by_character(text: str) -> list[str]:
    """The reference: a plain reading character by character."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c in "(),":
            out.append(c)
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            out.append(text[i + 1 : end])
            i = end + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '(),"':
                if text.startswith("/*", j):
                    break
                j += 1
            out.append(text[i:j])
            i = j
    return out


def test_tokens_read_as_a_character_by_character_reading_does() -> None:
    import random

    rnd = random.Random(11)
    alphabet = ["a", "b", "/", "*", '"', "(", ")", ",", " ", "\t", "\n", "-", ".", "\u00a0"]
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 24)))
        assert tokens(text) == _tokens_by_character(text), repr(text)
    libc = (
        "/* GNU ld script\n   Use the shared library */\nOUTPUT_FORMAT(elf64-x86-64)\n"
        "GROUP ( /lib/libc.so.6 /usr/lib/libc_nonshared.a  AS_NEEDED ( /lib64/ld.so.2 ) )\n"
    )
    assert tokens(libc) == _tokens_by_character(libc)
