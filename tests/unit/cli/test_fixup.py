"""`ldwrap fixup` through click: options, usage errors, exit status; the files are built by
hand (tests/unit/link/test_shrink.py's build_elf), the real linkers' files are in
tests/integration/test_shrink.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ldwrap.cli import cli
from ldwrap.link.shrink import read_elf
from unit.link.test_shrink import build_elf


def runpath(path: Path) -> str | None:
    info = read_elf(str(path))
    assert info is not None
    return info.runpath


@pytest.fixture
def prog(tmp_path: Path) -> Path:
    """A RUNPATH of /a, which provides libc.so.6 (a GNU ld script: not ELF, so it counts),
    and /gone, which provides nothing."""
    a = tmp_path / "a"
    a.mkdir()
    (a / "libc.so.6").write_text("/* GNU ld script */\n")  # not ELF: counts as provided
    return build_elf(tmp_path / "prog", needed=("libc.so.6",), runpath=f"{a}:{tmp_path}/gone")


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


def test_a_missing_path_is_exit_2_and_the_others_are_fixed(prog: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["fixup", "--shrink", str(tmp_path / "nope"), str(prog)])
    assert r.exit_code == 2
    assert f"ldwrap fixup: error: {tmp_path}/nope: no such file or directory" in r.output
    assert runpath(prog) == f"{tmp_path}/a"


def test_an_unsafe_edit_is_exit_1(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "lib.so", needed=(), runpath="/x/puts", symbols=(), tail_symbol="puts")
    before = f.read_bytes()
    r = CliRunner().invoke(cli, ["fixup", "--shrink", str(f)])
    assert r.exit_code == 1
    assert f"{f}: skipped: unsafe to edit DT_RUNPATH: symbol name 'puts'" in r.output
    assert f.read_bytes() == before


def test_fixup_is_listed_in_the_help() -> None:
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    assert "fixup" in r.output
