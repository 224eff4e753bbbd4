"""loader/elf.py: ELF identification of a candidate library (pure), and read_elf's struct
reader held to pyelftools on hand-built files of both classes and byte orders."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path
from typing import Optional

import pytest

from helpers.elfbytes import EM_PPC64, ET_REL, X64_INTERP, elf_bytes
from ldwrap.link.targets import (
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    EM_386,
    EM_AARCH64,
    EM_X86_64,
)
from ldwrap.loader.elf import (
    NotElfError,
    Target,
    Verdict,
    check_ident,
    is_debug_companion,
    read_elf,
    read_elf_pyelftools,
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


# -- read_elf: the struct reader, held to pyelftools on hand-built files --------------------

FULL = {
    "interp": X64_INTERP,
    "needed": ["libfoo.so.1", "/abs/libbar.so", "libc.so.6"],
    "soname": "libself.so.2",
    "rpath": "/r1:/r2",
    "runpath": "$ORIGIN/../lib::/x",
    "flags_1": 0x800,
}


@pytest.mark.parametrize(
    ("bits", "big", "machine"),
    [(64, False, EM_X86_64), (32, False, EM_386), (64, True, EM_PPC64), (32, True, 20)],
)
@pytest.mark.parametrize(
    "fields",
    [
        FULL,
        {},  # a dynamic section with DT_STRTAB alone
        {"needed": ["libc.so.6"], "runpath": ""},  # an empty RUNPATH string
        {"soname": "libx.so", "dynamic": False},  # no PT_DYNAMIC: static
        {"interp": X64_INTERP, "dynamic": False},
        {"e_type": ET_REL, "dynamic": False},
        {"needed": ["libé.so"]},  # UTF-8
    ],
    ids=["all", "bare", "empty-runpath", "static-lib", "static-exe", "relocatable", "utf8"],
)
def test_read_elf_matches_pyelftools(
    bits: int, big: bool, machine: int, fields: dict[str, object]
) -> None:
    data = elf_bytes(bits=bits, big=big, machine=machine, **fields)  # type: ignore[arg-type]
    fast = read_elf(io.BytesIO(data))
    assert fast == read_elf_pyelftools(io.BytesIO(data))
    if fields is FULL:
        assert fast.needed == ("libfoo.so.1", "/abs/libbar.so", "libc.so.6")
        assert (fast.soname, fast.rpath, fast.runpath) == (
            FULL["soname"],
            FULL["rpath"],
            FULL["runpath"],
        )
        assert fast.interp == X64_INTERP and fast.nodeflib and fast.has_dynamic


def test_read_elf_uses_the_descriptor_of_a_real_file(tmp_path: Path) -> None:
    f = tmp_path / "lib"
    f.write_bytes(elf_bytes(**FULL))  # type: ignore[arg-type]
    with open(f, "rb") as fh:
        assert read_elf(fh) == read_elf_pyelftools(fh)


def test_a_file_the_struct_reader_does_not_fit_goes_to_pyelftools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DT_STRTAB outside every PT_LOAD: the struct reader gives up and hands the file to
    pyelftools, whose answer (here a stand-in's error) is the result."""
    data = elf_bytes(needed=["libc.so.6"], strtab_outside=True)
    asked: list[bool] = []

    def fake(stream: object) -> str:
        asked.append(True)
        raise NotElfError("malformed ELF file: told by the fallback")

    monkeypatch.setattr("ldwrap.loader.elf.read_elf_pyelftools", fake)
    with pytest.raises(NotElfError, match="told by the fallback"):
        read_elf(io.BytesIO(data))
    assert asked == [True]


def test_truncated_and_not_elf() -> None:
    data = elf_bytes(**FULL)  # type: ignore[arg-type]
    with pytest.raises(NotElfError):
        read_elf(io.BytesIO(b"INPUT(-lc)\n"))
    with pytest.raises(NotElfError):  # cut inside the dynamic array: pyelftools says why
        read_elf(io.BytesIO(data[: len(data) - 20]))


SHT_PROGBITS, SHT_NOTE, SHT_NOBITS, SHF_ALLOC = 1, 7, 8, 2


@pytest.mark.parametrize(
    ("sections", "debug"),
    [
        # objcopy --only-keep-debug: the notes stay, every other loaded section is NOBITS
        ([(SHT_NOTE, SHF_ALLOC, 0x24), (SHT_NOBITS, SHF_ALLOC, 0x100), (SHT_PROGBITS, 0, 9)],
         True),
        ([(SHT_NOTE, SHF_ALLOC, 0x24), (SHT_PROGBITS, SHF_ALLOC, 0x100),
          (SHT_NOBITS, SHF_ALLOC, 0x10)], False),  # a real file: .text, and .bss
        ([(SHT_NOTE, SHF_ALLOC, 0x24)], False),  # nothing loaded but notes
        ([], False),  # no section headers: cannot tell, so not
    ],
)  # fmt: skip
@pytest.mark.parametrize("bits", [64, 32])
def test_is_debug_companion(
    tmp_path: Path, sections: list[tuple[int, int, int]], debug: bool, bits: int
) -> None:
    f = tmp_path / "x.debug"
    f.write_bytes(elf_bytes(bits=bits, machine=EM_X86_64 if bits == 64 else EM_386,
                            sections=sections, needed=["libc.so.6"]))  # fmt: skip
    fd = os.open(f, os.O_RDONLY)
    try:
        assert is_debug_companion(fd, os.pread(fd, 64, 0)) is debug
    finally:
        os.close(fd)
