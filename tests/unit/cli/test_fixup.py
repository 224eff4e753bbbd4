"""`ldwrap fixup` through click: what the command decides, its options and usage errors (the
rules, reports and exit status are ldwrap.fixup's, in tests/unit/test_fixup.py); the file is
built by hand (helpers/elf.py's build_elf, the `prog` fixture of tests/unit/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ldwrap.cli import cli
from ldwrap.link.elfdyn import read_dynamic


def runpath(path: Path) -> str | None:
    info = read_dynamic(str(path))
    assert info is not None
    return info.runpath


def test_shrink_removes_the_entry_that_provides_nothing(prog: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["fixup", "--shrink", str(prog)])
    assert r.exit_code == 0, r.output
    assert r.output == f"{prog}: removed {tmp_path}/gone\n"
    assert runpath(prog) == f"{tmp_path}/a"


def test_dry_run_changes_nothing(prog: Path, tmp_path: Path) -> None:
    before = prog.read_bytes()
    r = CliRunner().invoke(cli, ["fixup", "--shrink", "--dry-run", str(prog)])
    assert r.exit_code == 0, r.output
    assert r.output == f"{prog}: would remove {tmp_path}/gone\n"
    assert prog.read_bytes() == before


@pytest.mark.parametrize("args", [["PROG"], ["--dry-run", "PROG"]])
def test_without_shrink_is_a_usage_error_naming_it(prog: Path, args: list[str]) -> None:
    before = prog.read_bytes()
    r = CliRunner().invoke(cli, ["fixup", *(str(prog) if a == "PROG" else a for a in args)])
    assert r.exit_code == 2
    assert "--shrink" in r.output
    assert prog.read_bytes() == before


def test_no_path_is_a_usage_error() -> None:
    r = CliRunner().invoke(cli, ["fixup", "--shrink"])
    assert r.exit_code == 2
    assert "PATHS" in r.output


def test_fixup_is_listed_in_the_help() -> None:
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    assert "fixup" in r.output
