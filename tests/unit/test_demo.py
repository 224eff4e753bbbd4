"""demo.py: what `ldwrap demo` does before and around its links. The links themselves need a
compiler and each linker, so they run in tests/integration/cli/test_links.py; here, the
machine without a compiler, the PATH its plain links use, what it prints of a RUNPATH (read
from ELF files built by hand), and the linkers it tries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.elf import build_elf
from ldwrap import demo
from ldwrap.link.linkers import DROP_IN_NAMES
from ldwrap.link.targets import DT_RPATH


def test_no_compiler_is_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no cc, no gcc
    assert demo.run_demo() == 2
    assert capsys.readouterr() == ("", "ldwrap demo: no C compiler (cc or gcc) on PATH\n")
    assert list(tmp_path.iterdir()) == []


def test_the_plain_links_path_leaves_out_every_directory_of_drop_ins(
    tmp_path: Path, dropins: Path
) -> None:
    other = tmp_path / "bin"
    other.mkdir()
    (other / "ld").write_text("#!/bin/sh\n")  # a linker, not a launcher of ldwrap's
    path = os.pathsep.join([str(dropins), str(other), "/usr/bin", str(dropins), "/bin"])
    assert demo._without_launchers(path) == os.pathsep.join([str(other), "/usr/bin", "/bin"])


def test_the_runpath_it_prints(tmp_path: Path) -> None:
    assert demo._runpath(str(build_elf(tmp_path / "a", runpath="/s/lib:/t"))) == "/s/lib:/t"
    rpath = build_elf(tmp_path / "b", runpath="/old", tag=DT_RPATH)
    assert demo._runpath(str(rpath)) == "/old"
    assert demo._runpath(str(build_elf(tmp_path / "c", runpath=None))) == ""


def test_each_linker_is_tried_by_its_fuse_ld_name_through_a_drop_in() -> None:
    # gcc -fuse-ld=X -B DIR looks for DIR/ld.X: each must be a launcher `install` writes.
    assert [label for label, _ in demo.LINKERS] == ["bfd", "gold", "lld", "mold"]
    for label, program in demo.LINKERS:
        assert program == f"ld.{label}" and program in DROP_IN_NAMES
