"""Fuzzing of the response-file reader and the argument parser (hypothesis, about a minute).

Oracles: a line-by-line port of libiberty's `buildargv` (what bfd and gold run), and the real
ld.bfd and ld.lld, which list the tokens of a response file in their "cannot open" errors
when every token names a missing input file.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import examples
from helpers.libiberty import buildargv
from ldwrap.link import rsp
from ldwrap.link.argv import parse
from ldwrap.link.grammar import FLAVOURS, classify


def _bytes_from(alphabet: bytes, max_size: int = 60) -> st.SearchStrategy[bytes]:
    return st.lists(st.sampled_from([bytes([c]) for c in alphabet]), max_size=max_size).map(
        b"".join
    )


NASTY = b" \t\n\r\v\f'\"\\ab@-\x00\xff#=$"
rsp_bytes = st.one_of(_bytes_from(NASTY), st.binary(max_size=60))


@settings(max_examples=examples(3000), deadline=None)
@given(rsp_bytes)
def test_tokenize_matches_libiberty(data: bytes) -> None:
    assert rsp.tokenize(data) == [os.fsdecode(t) for t in buildargv(data)]


@settings(max_examples=examples(1500), deadline=None)
@given(st.text(max_size=30).map(lambda s: os.fsdecode(os.fsencode(s)) if "\0" not in s else ""))
def test_quote_round_trips(arg: str) -> None:
    """What the E2BIG path writes reads back as the same one argument."""
    assert rsp.tokenize(os.fsencode(rsp.quote(arg))) == [arg]


# --- the argument parser ----------------------------------------------------------------

WORDS = [
    "-L",
    "-l",
    "-o",
    "-m",
    "-rpath",
    "-R",
    "-soname",
    "-h",
    "-T",
    "-Bstatic",
    "-static",
    "-Bdynamic",
    "--push-state",
    "--pop-state",
    "-r",
    "-i",
    "-Ur",
    "--",
    "-flavor",
    "gnu",
    "--sysroot",
    "--sysroot=",
    "-L=",
    "-l:",
    "-a",
    "archive",
    "shared",
    "-G",
    "8",
    "--library",
    "--library-path",
    "-z",
    "now",
    "-plugin",
    "-mllvm",
    "--version",
    "-v",
    "=",
    "$SYSROOT",
    "libx.so",
    "libx.so.1",
    "-",
    "-static-pie",
    "--no-dynamic-linker",
    "-pie",
    "-dynamic-linker",
    "--library=",
    "-lfoo",
    "-Lx",
    "--rpath=",
    "-E",
    "-sS",
    "--export-dynamic",
    "--start-group",
    "--end-group",
    "--whole-archive",
]
parser_args = st.lists(
    st.one_of(
        st.sampled_from(WORDS), st.text(max_size=8), st.sampled_from(WORDS).map(lambda w: w + "x")
    ),
    max_size=25,
)


@settings(max_examples=examples(2500), deadline=None)
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
file_body = st.lists(
    st.one_of(
        names.map(lambda n: "@" + n),
        st.sampled_from(["-lx", "y", "'@a'"]),
        names.map(lambda n: f"@{n}/"),
    ),
    max_size=6,
).map(" ".join)


@settings(max_examples=examples(400), deadline=None)
@given(
    files=st.dictionaries(names, file_body, max_size=4),
    top=st.lists(names.map(lambda n: "@" + n), min_size=1, max_size=3),
)
def test_expand_terminates(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, str], top: list[str]
) -> None:
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
