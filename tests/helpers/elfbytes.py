"""Hand-assembled ELF programs and shared libraries, for tests that must run without a
compiler: header, program headers (one PT_LOAD over the whole file, PT_INTERP, PT_DYNAMIC),
the dynamic string table and the dynamic array. Both classes, both byte orders. The files are
never run; the loader emulation reads them as the real loader would."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

EM_X86_64, EM_386, EM_AARCH64, EM_PPC64 = 62, 3, 183, 21
ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_SONAME, DT_RPATH, DT_RUNPATH = 1, 5, 10, 14, 15, 29
DT_FLAGS_1 = 0x6FFFFFFB
X64_INTERP = "/lib64/ld-linux-x86-64.so.2"


def elf_bytes(
    *,
    bits: int = 64,
    big: bool = False,
    machine: int = EM_X86_64,
    e_type: int = ET_DYN,
    interp: Optional[str] = None,
    needed: Sequence[str] = (),
    soname: Optional[str] = None,
    rpath: Optional[str] = None,
    runpath: Optional[str] = None,
    flags_1: int = 0,
    dynamic: bool = True,
    strtab_outside: bool = False,  # DT_STRTAB in no PT_LOAD (the struct reader gives up)
    sections: Sequence[tuple[int, int, int]] = (),  # (sh_type, sh_flags, sh_size) headers
) -> bytes:
    e = ">" if big else "<"
    is64 = bits == 64
    ehsize, phentsize = (64, 56) if is64 else (52, 32)
    strs = bytearray(b"\0")

    def add(s: str) -> int:
        off = len(strs)
        strs.extend(s.encode() + b"\0")
        return off

    dyn: list[tuple[int, int]] = [(DT_NEEDED, add(n)) for n in needed]
    for tag, value in ((DT_SONAME, soname), (DT_RPATH, rpath), (DT_RUNPATH, runpath)):
        if value is not None:
            dyn.append((tag, add(value)))
    if flags_1:
        dyn.append((DT_FLAGS_1, flags_1))
    nph = 1 + (interp is not None) + dynamic
    interp_off = ehsize + nph * phentsize
    interp_raw = (interp.encode() + b"\0") if interp is not None else b""
    strtab_off = interp_off + len(interp_raw)
    dyn_off = (strtab_off + len(strs) + 7) & ~7
    dyn += [(DT_STRTAB, strtab_off + (1 << 20 if strtab_outside else 0)), (DT_STRSZ, len(strs))]
    dyn.append((0, 0))
    dyn_raw = b"".join(struct.pack(e + ("qQ" if is64 else "iI"), t, v) for t, v in dyn)
    shoff = (dyn_off + len(dyn_raw) + 7) & ~7 if sections else 0
    shentsize = 64 if is64 else 40
    sh_raw = (
        b"".join(
            struct.pack(e + "IIQQQQIIQQ", 0, t, f, 0, 0, n, 0, 0, 1, 0)
            if is64
            else struct.pack(e + "IIIIIIIIII", 0, t, f, 0, 0, n, 0, 0, 1, 0)
            for t, f, n in [(0, 0, 0), *sections]
        )
        if sections
        else b""
    )
    total = (shoff + len(sh_raw)) if sections else dyn_off + len(dyn_raw)
    phdrs = [(1, 0, total)]  # PT_LOAD: type, offset (== vaddr), size
    if interp is not None:
        phdrs.append((3, interp_off, len(interp_raw)))
    if dynamic:
        phdrs.append((2, dyn_off, len(dyn_raw)))
    ph = b""
    for p_type, off, size in phdrs:
        if is64:
            ph += struct.pack(e + "IIQQQQQQ", p_type, 4, off, off, off, size, size, 8)
        else:
            ph += struct.pack(e + "IIIIIIII", p_type, off, off, off, size, size, 4, 8)
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 2 if big else 1, 1, 0]) + b"\0" * 8
    fmt = e + ("HHIQQQIHHHHHH" if is64 else "HHIIIIIHHHHHH")
    hdr = ident + struct.pack(
        fmt, e_type, machine, 1, 0, ehsize, shoff, 0, ehsize, phentsize, nph,
        shentsize if sections else 0, len(sections) + 1 if sections else 0, 0,
    )  # fmt: skip
    out = bytearray(total)
    for off, blob in ((0, hdr), (ehsize, ph), (interp_off, interp_raw), (strtab_off, strs),
                      (dyn_off, dyn_raw), (shoff, sh_raw)):  # fmt: skip
        out[off : off + len(blob)] = blob
    return bytes(out)


def write_elf(path: Path, **kwargs: object) -> Path:
    """elf_bytes(**kwargs) written to path (its directory made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(elf_bytes(**kwargs))  # type: ignore[arg-type]
    return path


def program(path: Path, **kwargs: object) -> Path:
    """An x86_64 position-independent program (ET_DYN with PT_INTERP)."""
    return write_elf(path, interp=X64_INTERP, **kwargs)


def library(path: Path, soname: Optional[str] = "", **kwargs: object) -> Path:
    """An x86_64 shared library; soname "" means its file name, None means none."""
    return write_elf(path, soname=path.name if soname == "" else soname, **kwargs)
