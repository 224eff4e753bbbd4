"""The ``check`` command on bad input: exit code 2 and one line (the output forms and the JSON
schema on real binaries are in tests/integration/loader/test_check.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.builder import Builder
from ldwrap.cli.check import check


@pytest.fixture
def build(tmp_path: Path) -> Builder:
    return Builder(tmp_path)


def test_bad_input_exit_two_one_line(build: Builder) -> None:
    text = build.file("notelf.txt", b"hello\n")
    res = CliRunner().invoke(check, [str(text)])
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0 and "not an ELF file" in res.output
    res2 = CliRunner().invoke(check, [str(build.root / "missing")])
    assert res2.exit_code == 2 and "No such file or directory" in res2.output
