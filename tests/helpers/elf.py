"""Hand-built ELF files: a valid header, program headers, a dynamic section with DT_NEEDED
and DT_RUNPATH (or DT_RPATH), a string table, symbols and version needs, for any class, byte
order, machine and file type, written byte by byte. Code that reads only an ELF file's header
or its dynamic section (the rpath policy, the shrink, the loader's identification) is tested
on these without a compiler, linker or cross toolchain.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

import pytest

from ldwrap.link.targets import DT_NEEDED, DT_RPATH, DT_RUNPATH

# e_machine values (elf.h).
EM_386, EM_PPC, EM_X86_64, EM_AARCH64 = 3, 20, 62, 183
# e_type values: a relocatable object, a program, a shared library (or PIE).
ET_REL, ET_EXEC, ET_DYN = 1, 2, 3

# (bits, big-endian, machine): one of each class and byte order.
ELF_FLAVOURS = [
    pytest.param(64, False, EM_X86_64, id="elf64-le"),
    pytest.param(32, False, EM_386, id="elf32-le"),
    pytest.param(64, True, 21, id="elf64-be"),
    pytest.param(32, True, EM_PPC, id="elf32-be"),
]


class Dynstr:
    """A string table with explicit control over tail sharing."""

    def __init__(self) -> None:
        self.data = bytearray(b"\0")

    def add(self, s: str) -> int:
        off = len(self.data)
        self.data += s.encode() + b"\0"
        return off

    def tail(self, base: int, s: str, suffix: str) -> int:
        """The offset of suffix inside the string s stored at base (GNU ld's tail merging)."""
        assert s.endswith(suffix)
        return base + len(s) - len(suffix)


def build_elf(
    path: Path,
    *,
    bits: int = 64,
    big: bool = False,
    machine: int = EM_X86_64,
    e_type: int = ET_DYN,
    needed: Iterable[str] = ("libc.so.6",),
    runpath: str | None = "/a:/b",
    tag: int = DT_RUNPATH,
    symbols: Iterable[str] = ("puts",),
    tail_symbol: str | None = None,  # a symbol whose name is a suffix of the runpath
    verneed: tuple[str, str] | None = None,  # (file, version name)
    tail_version: str | None = None,  # a version name that is a suffix of the runpath
    sections: bool = True,
    also_rpath: bool = False,  # DT_RPATH too, pointing at the same string
    dynamic: bool = True,
) -> Path:
    """Write a minimal valid ELF file to path: by default a little-endian x86_64 shared
    library needing libc.so.6 with DT_RUNPATH `/a:/b`."""
    e = ">" if big else "<"
    is64 = bits == 64
    strs = Dynstr()
    dyn: list[tuple[int, int]] = []
    for n in needed:
        dyn.append((DT_NEEDED, strs.add(n)))
    rp_off = strs.add(runpath) if runpath is not None else 0
    if runpath is not None:
        dyn.append((tag, rp_off))
        if also_rpath:
            dyn.append((DT_RPATH, rp_off))
    sym_names = [0] + [strs.add(s) for s in symbols]
    if tail_symbol is not None:
        assert runpath is not None
        sym_names.append(strs.tail(rp_off, runpath, tail_symbol))
    vn: bytes = b""
    if verneed is not None:
        file_off = strs.add(verneed[0])
        name_off = (
            strs.tail(rp_off, runpath, tail_version)
            if tail_version is not None and runpath is not None
            else strs.add(verneed[1])
        )
        vn = struct.pack(e + "HHIII", 1, 1, file_off, 16, 0) + struct.pack(
            e + "IHHII", 0x1234, 0, 2, name_off, 0
        )
    ehsize, phentsize, shentsize = (64, 56, 64) if is64 else (52, 32, 40)
    dynstr_off = ehsize + 2 * phentsize
    dynstr = bytes(strs.data)
    symsize = 24 if is64 else 16
    dynsym_off = (dynstr_off + len(dynstr) + 7) & ~7
    dynsym = b"".join(
        struct.pack(e + "IBBHQQ", n, 0x12, 0, 0, 0, 0)
        if is64
        else struct.pack(e + "IIIBBH", n, 0, 0, 0x12, 0, 0)
        for n in sym_names
    )
    vn_off = dynsym_off + len(dynsym)
    dyn_off = (vn_off + len(vn) + 7) & ~7
    dyn += [(5, dynstr_off), (10, len(dynstr)), (0, 0)]  # DT_STRTAB (vaddr == offset), DT_STRSZ
    dyn_bytes = b"".join(struct.pack(e + ("qQ" if is64 else "iI"), t, v) for t, v in dyn)
    sh_off = dyn_off + len(dyn_bytes)
    shdrs: list[tuple[int, ...]] = [(0,) * 10]
    # (name, type, flags, addr, offset, size, link, info, align, entsize)
    shdrs.append((0, 3, 2, dynstr_off, dynstr_off, len(dynstr), 0, 0, 1, 0))
    shdrs.append((0, 11, 2, dynsym_off, dynsym_off, len(dynsym), 1, 1, 8, symsize))
    if vn:
        shdrs.append((0, 0x6FFFFFFE, 2, vn_off, vn_off, len(vn), 1, 1, 4, 0))
    shdrs.append((0, 6, 3, dyn_off, dyn_off, len(dyn_bytes), 1, 0, 8, 16 if is64 else 8))
    sh_fmt = e + ("IIQQQQIIQQ" if is64 else "IIIIIIIIII")
    sh_bytes = b"".join(struct.pack(sh_fmt, *s) for s in shdrs) if sections else b""
    total = sh_off + len(sh_bytes)
    phdrs = [(1, 0, 0, total)]  # PT_LOAD: type, offset, vaddr, filesz
    if dynamic:
        phdrs.append((2, dyn_off, dyn_off, len(dyn_bytes)))
    else:
        phdrs.append((6, 0, 0, 0))  # PT_PHDR as filler
    ph = b""
    for p_type, off, vaddr, size in phdrs:
        if is64:
            ph += struct.pack(e + "IIQQQQQQ", p_type, 6, off, vaddr, vaddr, size, size, 8)
        else:
            ph += struct.pack(e + "IIIIIIII", p_type, off, vaddr, vaddr, size, size, 6, 8)
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 2 if big else 1, 1]) + b"\0" * 9
    hdr_fmt = e + ("HHIQQQIHHHHHH" if is64 else "HHIIIIIHHHHHH")
    hdr = ident + struct.pack(
        hdr_fmt, e_type, machine, 1, 0, ehsize, sh_off if sections else 0, 0, ehsize,
        phentsize, 2, shentsize, len(shdrs) if sections else 0, 0,
    )  # fmt: skip
    out = bytearray(total)
    for off, blob in ((0, hdr), (ehsize, ph), (dynstr_off, dynstr), (dynsym_off, dynsym),
                      (vn_off, vn), (dyn_off, dyn_bytes), (sh_off, sh_bytes)):  # fmt: skip
        out[off : off + len(blob)] = blob
    path.write_bytes(bytes(out))
    return path
