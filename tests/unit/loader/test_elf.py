"""loader/elf.py's pure rules: ELF identification of a candidate library."""

from __future__ import annotations

import struct
from typing import Optional

import pytest

from ldwrap.link.targets import (
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    EM_386,
    EM_AARCH64,
    EM_X86_64,
)
from ldwrap.loader.elf import (
    Target,
    Verdict,
    check_ident,
)

X64 = Target(ELFCLASS64, ELFDATA2LSB, EM_X86_64)


def header(
    cls: int = 2,
    data: int = 1,
    osabi: int = 0,
    e_type: int = 3,
    machine: int = EM_X86_64,
    phentsize: Optional[int] = None,
) -> bytes:
    ident = b"\x7fELF" + bytes([cls, data, 1, osabi, 0]) + b"\0" * 7
    if cls == 2:
        rest = struct.pack(
            "<HHIQQQIHHHHHH", e_type, machine, 1, 0, 64, 0, 0, 64, phentsize or 56, 0, 64, 0, 0
        )
    else:
        rest = struct.pack(
            "<HHIIIIIHHHHHH", e_type, machine, 1, 0, 52, 0, 0, 52, phentsize or 32, 0, 40, 0, 0
        )
    return (ident + rest).ljust(128, b"\0")  # real files are longer than one header


@pytest.mark.parametrize(
    "data,verdict,msg",
    [
        (header(), Verdict.OK, ""),
        (header(cls=1), Verdict.WRONG_CLASS, "wrong ELF class: ELFCLASS32"),
        (header(machine=EM_AARCH64), Verdict.WRONG_MACHINE, "ELF file machine mismatch"),
        (header(data=2), Verdict.FATAL, "ELF file data encoding not little-endian"),
        (header(osabi=9), Verdict.FATAL, "ELF file OS ABI invalid"),
        (header(e_type=1), Verdict.FATAL, "only ET_DYN and ET_EXEC can be loaded"),
        (header(phentsize=40), Verdict.FATAL, "ELF file's phentsize not the expected size"),
        (b"\x7fELF\x02", Verdict.FATAL, "file too short"),
        (b"INPUT(-lfoo)" + b" " * 60, Verdict.FATAL, "invalid ELF header"),
    ],
)
def test_check_ident(data: bytes, verdict: Verdict, msg: str) -> None:
    res = check_ident(data, X64)
    assert (res.verdict, res.message) == (verdict, msg)


def test_check_ident_i386_loader() -> None:
    i386 = Target(ELFCLASS32, ELFDATA2LSB, EM_386)
    assert check_ident(header(cls=1, machine=EM_386), i386).verdict is Verdict.OK
    assert check_ident(header(), i386).verdict is Verdict.WRONG_CLASS
