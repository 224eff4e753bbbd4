"""Files for another machine: which machines run which files (host.runs_natively), and that
`check` and verify_output refuse to judge another machine's file by this machine's
directories. The files are hand-built ELF headers (tests/unit/link/test_shrink.py's
build_elf); real aarch64 programs under qemu are in tests/integration/loader/test_cross.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.elf import build_elf
from ldwrap.cli.check import check
from ldwrap.link.targets import (
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    ELFDATA2MSB,
    EM_386,
    EM_AARCH64,
    EM_ARM,
    EM_PPC64,
    EM_RISCV,
    EM_S390,
    EM_X86_64,
)
from ldwrap.loader.elf import Target
from ldwrap.loader.host import Host, describe, runs_natively
from ldwrap.loader.resolve import Resolver
from ldwrap.loader.startup import ForeignFile, judge
from ldwrap.loader.verify import verify_output

L, B = ELFDATA2LSB, ELFDATA2MSB


@pytest.mark.parametrize(
    ("machine", "target", "native"),
    [
        ("x86_64", Target(ELFCLASS64, L, EM_X86_64), True),
        # Multilib: i386 (and x32) programs are this machine's own loader family.
        ("x86_64", Target(ELFCLASS32, L, EM_386), True),
        ("x86_64", Target(ELFCLASS32, L, EM_X86_64), True),
        ("x86_64", Target(ELFCLASS64, L, EM_AARCH64), False),
        ("x86_64", Target(ELFCLASS32, L, EM_ARM), False),
        ("x86_64", Target(ELFCLASS64, L, EM_RISCV), False),
        ("i686", Target(ELFCLASS32, L, EM_386), True),
        ("i686", Target(ELFCLASS64, L, EM_X86_64), False),
        ("aarch64", Target(ELFCLASS64, L, EM_AARCH64), True),
        ("aarch64", Target(ELFCLASS32, L, EM_ARM), True),
        ("aarch64", Target(ELFCLASS64, L, EM_X86_64), False),
        ("armv7l", Target(ELFCLASS64, L, EM_AARCH64), False),
        ("ppc64le", Target(ELFCLASS64, L, EM_PPC64), True),
        # Byte order counts: a big-endian ppc64 file on a little-endian ppc64le machine.
        ("ppc64le", Target(ELFCLASS64, B, EM_PPC64), False),
        ("s390x", Target(ELFCLASS64, B, EM_S390), False),
        ("riscv64", Target(ELFCLASS64, L, EM_RISCV), True),
        # A machine the table does not know: nothing is refused.
        ("mips64", Target(ELFCLASS64, L, EM_AARCH64), True),
    ],
)
def test_runs_natively(machine: str, target: Target, native: bool) -> None:
    assert runs_natively(target, Host(machine, L)) is native


def test_s390x_is_big_endian() -> None:
    assert runs_natively(Target(ELFCLASS64, B, EM_S390), Host("s390x", B))


@pytest.mark.parametrize(
    ("target", "text"),
    [
        (Target(ELFCLASS64, L, EM_AARCH64), "aarch64-linux-gnu"),
        (Target(ELFCLASS32, L, EM_386), "i386-linux-gnu"),
        (Target(ELFCLASS64, L, 0x1234), "ELF machine 4660, 64-bit"),
    ],
)
def test_describe(target: Target, text: str) -> None:
    assert describe(target) == text


def test_check_refuses_another_machines_file_in_one_line(tmp_path: Path) -> None:
    app = build_elf(tmp_path / "app", machine=EM_AARCH64, e_type=2, runpath=None)
    res = CliRunner().invoke(check, [str(app)])
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr.startswith(
        f"ldwrap check: error: {app}: built for aarch64-linux-gnu, not this machine (x86_64): "
        "cannot judge it without --root SYSROOT"
    )
    assert res.stderr.count("\n") == 1
    # Other files on the same command line are still judged.
    res = CliRunner().invoke(check, [str(app), "/bin/true"])
    assert res.exit_code == 2
    assert res.stdout.splitlines()[0] == "/bin/true"


def test_a_static_file_of_another_machine_is_judged(tmp_path: Path) -> None:
    app = build_elf(tmp_path / "app", machine=EM_AARCH64, e_type=2, dynamic=False)
    res = CliRunner().invoke(check, [str(app)])
    assert (res.exit_code, res.stdout) == (0, f"{app}\n    statically linked\n")


def test_on_an_aarch64_host_an_x86_64_file_is_the_foreign_one() -> None:
    with pytest.raises(ForeignFile) as caught:
        judge(Resolver(), "/bin/true", here=Host("aarch64", L))
    assert caught.value.what == "built for x86_64-linux-gnu, not this machine (aarch64)"
    assert judge(Resolver(), "/bin/true", here=Host("x86_64", L)).ok


def test_verify_skips_another_machines_output_with_a_note(tmp_path: Path) -> None:
    app = build_elf(tmp_path / "app", machine=EM_AARCH64, e_type=2, runpath=None)
    notes: list[str] = []
    assert verify_output(str(app), {}, notes.append) == []
    assert notes == [
        "not checked: built for aarch64-linux-gnu, not this machine (x86_64); "
        "`ldwrap check --root SYSROOT` judges it"
    ]
    assert verify_output(str(app), {}) == []
