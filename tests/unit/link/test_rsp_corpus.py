"""Checked-in nasty response files (tests/corpus/NAME.rsp) with the arguments they hold
(NAME.tokens, NUL-terminated, as libiberty's expandargv reads them, NUL ending an argument as
in lld). Regression cases: a fuzzing find goes here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.libiberty import buildargv
from ldwrap.link import rsp

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CASES = sorted(p.stem for p in CORPUS.glob("*.rsp"))


def test_corpus_is_there() -> None:
    assert len(CASES) >= 16


@pytest.mark.parametrize("name", CASES)
def test_corpus_case(name: str, tmp_path: Path) -> None:
    data = (CORPUS / f"{name}.rsp").read_bytes()
    expected = (CORPUS / f"{name}.tokens").read_bytes().split(b"\0")[:-1]
    assert buildargv(data) == expected
    assert [os.fsencode(t) for t in rsp.tokenize(data)] == expected
    # Through expand: what the shim analyses, from a file in the working directory.
    (tmp_path / "c.rsp").write_bytes(data)
    assert [os.fsencode(t) for t in rsp.expand(["@c.rsp"], str(tmp_path))] == expected
