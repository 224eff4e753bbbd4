"""`@file` response files, read the way GNU ld, gold and lld read them (libiberty rules).

The checked-in nasty response files (tests/corpus/NAME.rsp) hold the arguments in NAME.tokens,
NUL-terminated, as libiberty's expandargv reads them, NUL ending an argument as in lld.
Regression cases: a fuzzing find goes there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.libiberty import buildargv
from ldwrap.link.rsp import ResponseFileError, expand, quote, tokenize

# (file content, tokens) — the quoting table of the grammar reference, plus edge cases.
TOKENIZE_CASES = [
    (b"-shared -o out.so a.o", ["-shared", "-o", "out.so", "a.o"]),
    (b"-soname 'lib x.so'", ["-soname", "lib x.so"]),
    (b'-soname "lib y.so"', ["-soname", "lib y.so"]),
    (b"-soname lib\\ z.so", ["-soname", "lib z.so"]),
    (b"-soname 'a\\'b'", ["-soname", "a'b"]),  # backslash escapes inside single quotes too
    (b'-soname "a\\"b\\\\c"', ["-soname", 'a"b\\c']),
    (b"-soname ''", ["-soname", ""]),  # an empty argument
    (b'""', [""]),
    (b"-soname a'b c'd", ["-soname", "ab cd"]),  # quotes open and close mid-token
    (b"-soname 'a'b", ["-soname", "ab"]),
    (b"# comment -shared", ["#", "comment", "-shared"]),  # no comment syntax
    (b"-shared\r\n-o\tout.so \x0b a.o\r\n", ["-shared", "-o", "out.so", "a.o"]),  # CRLF, tabs
    (b"", []),
    (b"  \n\n ", []),
    (b"-soname 'unterminated\n", ["-soname", "unterminated\n"]),  # runs to end of file
    (b'"open', ["open"]),
    (b"multi\\\nline", ["multi\nline"]),  # backslash-newline: a literal newline
    (b"trailing\\", ["trailing"]),
    (b"'@inner.rsp'", ["@inner.rsp"]),
    (b"caf\xc3\xa9 \xff\xfe", ["café", "\udcff\udcfe"]),  # undecodable bytes survive
    (b"a\\ b\nc\\\\d", ["a b", "c\\d"]),  # gcc's own temporary files escape like this
    (b"ab\0cd ef", ["ab", "ef"]),  # an argument ends at NUL
]


@pytest.mark.parametrize(("data", "tokens"), TOKENIZE_CASES, ids=lambda v: repr(v)[:40])
def test_tokenize(data: bytes, tokens: list[str]) -> None:
    assert tokenize(data) == tokens


# argv elements are C strings (never NUL); Python decodes their undecodable bytes to lone
# surrogates U+DC80..U+DCFF only (surrogateescape), so other surrogates cannot occur.
_ARG_CHARS = st.one_of(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    st.sampled_from([chr(c) for c in range(0xDC80, 0xDD00)]),
)


@given(st.lists(st.text(_ARG_CHARS), max_size=6))
def test_quote_round_trips_through_tokenize(args: list[str]) -> None:
    # Compared as bytes, which is what a linker sees: "\udcc3\udca9" and "é" are one argument.
    data = "\n".join(quote(a) for a in args).encode("utf-8", "surrogateescape")
    back = [t.encode("utf-8", "surrogateescape") for t in tokenize(data)]
    assert back == [a.encode("utf-8", "surrogateescape") for a in args]


def _write(d: Path, name: str, data: str | bytes) -> Path:
    p = d / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def test_no_response_file_returns_the_same_list(tmp_path: Path) -> None:
    args = ["-L/a", "-lfoo"]
    assert expand(args, str(tmp_path)) is args


def test_expands_in_place_and_keeps_order(tmp_path: Path) -> None:
    _write(tmp_path, "a.rsp", "-L/x -lfoo")
    assert expand(["pre.o", "@a.rsp", "post.o"], str(tmp_path)) == [
        "pre.o",
        "-L/x",
        "-lfoo",
        "post.o",
    ]


def test_absolute_name(tmp_path: Path) -> None:
    p = _write(tmp_path, "a.rsp", "-lfoo")
    assert expand([f"@{p}"], "/") == ["-lfoo"]


def test_nested_files_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    _write(tmp_path, "sub/outer.rsp", "-shared @sub/inner.rsp '@sub/q.rsp'")
    _write(tmp_path, "sub/inner.rsp", "-soname nested")
    _write(tmp_path, "sub/q.rsp", "-lq")
    assert expand(["@sub/outer.rsp"], str(tmp_path)) == ["-shared", "-soname", "nested", "-lq"]


def test_nested_name_relative_to_the_including_file_is_not_found(tmp_path: Path) -> None:
    # libiberty resolves against the CWD; "inner.rsp" next to the outer file is not it.
    _write(tmp_path, "sub/outer.rsp", "@inner.rsp")
    _write(tmp_path, "sub/inner.rsp", "-lfoo")
    assert expand(["@sub/outer.rsp"], str(tmp_path)) == ["@inner.rsp"]


def test_missing_file_stays_a_literal_argument(tmp_path: Path) -> None:
    assert expand(["a.o", "@nonexist.rsp"], str(tmp_path)) == ["a.o", "@nonexist.rsp"]


def test_lone_at_sign_is_an_argument(tmp_path: Path) -> None:
    assert expand(["@"], str(tmp_path)) == ["@"]


def test_empty_file_expands_to_nothing(tmp_path: Path) -> None:
    _write(tmp_path, "empty.rsp", "")
    assert expand(["a.o", "@empty.rsp"], str(tmp_path)) == ["a.o"]


def test_value_position_is_expanded_too(tmp_path: Path) -> None:
    _write(tmp_path, "sn.rsp", "libq.so")
    assert expand(["-soname", "@sn.rsp"], str(tmp_path)) == ["-soname", "libq.so"]


def test_the_same_file_twice_is_not_a_cycle(tmp_path: Path) -> None:
    _write(tmp_path, "a.rsp", "-la")
    _write(tmp_path, "b.rsp", "@a.rsp @a.rsp")
    assert expand(["@b.rsp", "@a.rsp"], str(tmp_path)) == ["-la", "-la", "-la"]


@pytest.mark.parametrize(
    ("files", "start"),
    [
        ({"self.rsp": "-la @self.rsp"}, "@self.rsp"),
        ({"mutA.rsp": "@mutB.rsp", "mutB.rsp": "-lb @mutA.rsp"}, "@mutA.rsp"),
        ({"a.rsp": "@b.rsp", "b.rsp": "@c.rsp", "c.rsp": "@./a.rsp"}, "@a.rsp"),
    ],
    ids=["self", "mutual", "three-via-other-spelling"],
)
def test_self_inclusion_is_an_error_not_a_hang(
    tmp_path: Path, files: dict[str, str], start: str
) -> None:
    for name, text in files.items():
        _write(tmp_path, name, text)
    with pytest.raises(ResponseFileError, match="includes itself"):
        expand([start], str(tmp_path))


def test_self_inclusion_through_a_symlink(tmp_path: Path) -> None:
    _write(tmp_path, "real.rsp", "@link.rsp")
    (tmp_path / "link.rsp").symlink_to("real.rsp")
    with pytest.raises(ResponseFileError):
        expand(["@real.rsp"], str(tmp_path))


def test_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    with pytest.raises(ResponseFileError, match="directory"):
        expand(["@sub"], str(tmp_path))


def test_deep_nesting_stops_with_an_error_not_a_crash(tmp_path: Path) -> None:
    # A chain of 1100 distinct files: not a cycle, but deeper than Python's stack.
    for i in range(1100):
        _write(tmp_path, f"f{i}.rsp", f"@f{i + 1}.rsp")
    with pytest.raises(ResponseFileError, match="nested"):
        expand(["@f0.rsp"], str(tmp_path))


def test_many_distinct_files_stop_at_the_limit(tmp_path: Path) -> None:
    # 2100 sibling files, each read once: far beyond any real build.
    for i in range(2100):
        _write(tmp_path, f"f{i}.rsp", f"-l{i}")
    _write(tmp_path, "all.rsp", " ".join(f"@f{i}.rsp" for i in range(2100)))
    with pytest.raises(ResponseFileError, match="more than"):
        expand(["@all.rsp"], str(tmp_path))


@pytest.mark.parametrize(
    "arg",
    [
        "plain",
        "",
        "with space",
        "quote'in",
        'dq"in',
        "back\\slash",
        "new\nline",
        "tab\t",
        "'",
        "\\'",
        "café",
        "\udcff",
    ],
)
def test_quote_single_arguments(arg: str) -> None:
    assert tokenize(quote(arg).encode("utf-8", "surrogateescape")) == [arg]


CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CASES = sorted(p.stem for p in CORPUS.glob("*.rsp"))


def test_corpus_is_there() -> None:
    assert len(CASES) >= 16


@pytest.mark.parametrize("name", CASES)
def test_corpus_case(name: str, tmp_path: Path) -> None:
    data = (CORPUS / f"{name}.rsp").read_bytes()
    expected = (CORPUS / f"{name}.tokens").read_bytes().split(b"\0")[:-1]
    assert buildargv(data) == expected
    assert [os.fsencode(t) for t in tokenize(data)] == expected
    # Through expand: what the shim analyses, from a file in the working directory.
    (tmp_path / "c.rsp").write_bytes(data)
    assert [os.fsencode(t) for t in expand(["@c.rsp"], str(tmp_path))] == expected
