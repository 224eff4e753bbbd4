"""Fuzzing of the response-file reader and the argument parser (hypothesis, about a minute).

Oracles: a line-by-line port of libiberty's `buildargv` (what bfd and gold run), and the real
ld.bfd and ld.lld, which list the tokens of a response file in their "cannot open" errors
when every token names a missing input file.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldwrap import rsp
from ldwrap.args import parse
from ldwrap.grammar import FLAVOURS, classify

from .helpers import clean_env

WHITE = b" \t\n\r\v\f"


def buildargv(data: bytes) -> list[bytes]:
    """libiberty's buildargv (binutils 2.40, argv.c) as expandargv calls it; a NUL ends an
    argument as lld does (bfd would stop reading the file there)."""
    if all(c in WHITE for c in data):  # expandargv: an all-blank file gives no arguments
        return []
    out: list[bytes] = []
    i, n = 0, len(data)
    while True:
        while i < n and data[i] in WHITE:
            i += 1
        arg = bytearray()
        squote = dquote = bsquote = False
        while i < n:
            c = data[i]
            if c in WHITE and not squote and not dquote and not bsquote:
                break
            if bsquote:
                bsquote = False
                arg.append(c)
            elif c == 0x5C:
                bsquote = True
            elif squote:
                if c == 0x27:
                    squote = False
                else:
                    arg.append(c)
            elif dquote:
                if c == 0x22:
                    dquote = False
                else:
                    arg.append(c)
            elif c == 0x27:
                squote = True
            elif c == 0x22:
                dquote = True
            else:
                arg.append(c)
            i += 1
        out.append(bytes(arg).partition(b"\0")[0])
        while i < n and data[i] in WHITE:
            i += 1
        if i >= n:
            return out


def _bytes_from(alphabet: bytes, max_size: int = 60) -> st.SearchStrategy[bytes]:
    return st.lists(st.sampled_from([bytes([c]) for c in alphabet]), max_size=max_size).map(
        b"".join
    )


NASTY = b" \t\n\r\v\f'\"\\ab@-\x00\xff#=$"
rsp_bytes = st.one_of(_bytes_from(NASTY), st.binary(max_size=60))


@settings(max_examples=3000, deadline=None)
@given(rsp_bytes)
def test_tokenize_matches_libiberty(data: bytes) -> None:
    assert rsp.tokenize(data) == [os.fsdecode(t) for t in buildargv(data)]


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=30).map(lambda s: os.fsdecode(os.fsencode(s)) if "\0" not in s else ""))
def test_quote_round_trips(arg: str) -> None:
    """What the E2BIG path writes reads back as the same one argument."""
    assert rsp.tokenize(os.fsencode(rsp.quote(arg))) == [arg]


# Tokens that can only be input file names: no option dash, no @, no dot or slash (nothing
# that exists), no colon (the error text's separator).
ORACLE = b" \t\n\r'\"\\abcxyz\xc3\xa9\xff"


def _linker_tokens(linker: str, data: bytes, tmp: Path) -> list[bytes]:
    (tmp / "f.rsp").write_bytes(data)
    argv = [linker, "@f.rsp", "-o", "/dev/null"]
    if linker == "ld.lld":
        argv.insert(1, "--error-limit=0")
    proc = subprocess.run(argv, cwd=tmp, capture_output=True, env=clean_env(LC_ALL="C"),
                          timeout=30)
    verb = b"cannot find" if linker == "ld.bfd" else b"cannot open"
    pat = (re.escape(linker.encode()) + rb"(?:: error)?: " + verb
           + rb" (.*?): No such file or directory\n")
    return re.findall(pat, proc.stderr, re.S)


@pytest.mark.parametrize("linker", ["ld.bfd", "ld.lld"])
@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_bytes_from(ORACLE, 40))
def test_tokenize_matches_real_linker(linker: str, data: bytes, tmp_path: Path) -> None:
    data += b"\n"  # lld keeps a backslash at the very end of a file; bfd drops it
    expected = _linker_tokens(linker, data, tmp_path)
    ours = [os.fsencode(t) for t in rsp.tokenize(data)]
    if linker == "ld.lld":
        ours = [t for t in ours if t]  # lld drops empty arguments
    assert ours == expected


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arg=_bytes_from(ORACLE, 20).filter(lambda b: b.strip(WHITE) == b or b""))
def test_quote_understood_by_mold(arg: bytes, tmp_path: Path) -> None:
    """mold 1.10 has its own tokenizer; a quote at the start of the token works there too."""
    text = rsp.quote(os.fsdecode(arg))
    (tmp_path / "f.rsp").write_bytes(os.fsencode(text) + b"\n")
    proc = subprocess.run(["mold", "-m", "elf_x86_64", "@f.rsp", "-o", "/dev/null"],
                          cwd=tmp_path, capture_output=True, env=clean_env(LC_ALL="C"),
                          timeout=30)
    if arg == b"":
        return  # mold takes '' as an empty name; nothing in its error to compare
    assert b"cannot open " + arg + b": No such file or directory" in proc.stderr, proc.stderr


# --- the argument parser ----------------------------------------------------------------

WORDS = ["-L", "-l", "-o", "-m", "-rpath", "-R", "-soname", "-h", "-T", "-Bstatic", "-static",
         "-Bdynamic", "--push-state", "--pop-state", "-r", "-i", "-Ur", "--", "-flavor", "gnu",
         "--sysroot", "--sysroot=", "-L=", "-l:", "-a", "archive", "shared", "-G", "8",
         "--library", "--library-path", "-z", "now", "-plugin", "-mllvm", "--version", "-v",
         "=", "$SYSROOT", "libx.so", "libx.so.1", "-", "-static-pie", "--no-dynamic-linker",
         "-pie", "-dynamic-linker", "--library=", "-lfoo", "-Lx", "--rpath=", "-E", "-sS",
         "--export-dynamic", "--start-group", "--end-group", "--whole-archive"]
parser_args = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8),
                                 st.sampled_from(WORDS).map(lambda w: w + "x")), max_size=25)


@settings(max_examples=2500, deadline=None)
@given(flavour=st.sampled_from(FLAVOURS), args=parser_args)
def test_parser_total(flavour: str, args: list[str]) -> None:
    """Every element is consumed exactly once, and parse never raises."""
    i = 0
    while i < len(args):
        _, _, used = classify(flavour, args, i)
        assert 1 <= used <= len(args) - i
        i += used
    req = parse(flavour, args)
    assert all(isinstance(d, str) for d in req.lib_dirs)


# --- nested response files ---------------------------------------------------------------

names = st.sampled_from(["a", "b", "c", "d"])
file_body = st.lists(st.one_of(names.map(lambda n: "@" + n), st.sampled_from(["-lx", "y", "'@a'"]),
                               names.map(lambda n: f"@{n}/")), max_size=6).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(files=st.dictionaries(names, file_body, max_size=4), top=st.lists(
    names.map(lambda n: "@" + n), min_size=1, max_size=3))
def test_expand_terminates(tmp_path_factory: pytest.TempPathFactory,
                           files: dict[str, str], top: list[str]) -> None:
    """Any graph of response files: an expansion or ResponseFileError, never a hang."""
    d = tmp_path_factory.mktemp("rsp", numbered=True)
    for name, body in files.items():
        (d / name).write_text(body)
    try:
        out = rsp.expand(top, str(d))
    except rsp.ResponseFileError as e:
        assert "includes itself" in str(e) or "response files" in str(e)
        return
    assert len(out) <= rsp.MAX_ARGS
    for a in out:  # what is left of an @name is one the reader could not open
        assert a[:1] != "@" or not os.path.isfile(os.path.join(d, a[1:]))
