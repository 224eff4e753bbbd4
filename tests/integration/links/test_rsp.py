"""The response-file reader and quoting against the real linkers (hypothesis): ld.bfd and ld.lld
list the tokens of a response file in their "cannot open" errors when every token names a
missing input file; mold reads what the E2BIG path writes. The libiberty-port oracle and the
parser properties are in tests/property/test_fuzz.py."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from helpers.libiberty import WHITE
from helpers.records import clean_env
from ldwrap.link import rsp
from property.test_fuzz import _bytes_from

# Tokens that can only be input file names: no option dash, no @, no dot or slash (nothing
# that exists), no colon (the error text's separator).
ORACLE = b" \t\n\r'\"\\abcxyz\xc3\xa9\xff"


def _linker_tokens(linker: str, data: bytes, tmp: Path) -> list[bytes]:
    (tmp / "f.rsp").write_bytes(data)
    argv = [linker, "@f.rsp", "-o", "/dev/null"]
    if linker == "ld.lld":
        argv.insert(1, "--error-limit=0")
    proc = subprocess.run(argv, cwd=tmp, capture_output=True, env=clean_env(LC_ALL="C"), timeout=30)
    verb = b"cannot find" if linker == "ld.bfd" else b"cannot open"
    pat = (
        re.escape(linker.encode())
        + rb"(?:: error)?: "
        + verb
        + rb" (.*?): No such file or directory\n"
    )
    return re.findall(pat, proc.stderr, re.S)


@pytest.mark.parametrize("linker", ["ld.bfd", "ld.lld"])
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_bytes_from(ORACLE, 40))
def test_tokenize_matches_real_linker(linker: str, data: bytes, tmp_path: Path) -> None:
    data += b"\n"  # lld keeps a backslash at the very end of a file; bfd drops it
    expected = _linker_tokens(linker, data, tmp_path)
    ours = [os.fsencode(t) for t in rsp.tokenize(data)]
    if linker == "ld.lld":
        ours = [t for t in ours if t]  # lld drops empty arguments
    assert ours == expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(arg=_bytes_from(ORACLE, 20).filter(lambda b: b.strip(WHITE) == b or b""))
def test_quote_understood_by_mold(arg: bytes, tmp_path: Path) -> None:
    """mold 1.10 has its own tokenizer; a quote at the start of the token works there too."""
    text = rsp.quote(os.fsdecode(arg))
    (tmp_path / "f.rsp").write_bytes(os.fsencode(text) + b"\n")
    proc = subprocess.run(
        ["mold", "-m", "elf_x86_64", "@f.rsp", "-o", "/dev/null"],
        cwd=tmp_path,
        capture_output=True,
        env=clean_env(LC_ALL="C"),
        timeout=30,
    )
    if arg == b"":
        return  # mold takes '' as an empty name; nothing in its error to compare
    assert b"cannot open " + arg + b": No such file or directory" in proc.stderr, proc.stderr
