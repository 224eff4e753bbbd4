"""Typed, read-only view of the ELF facts the dynamic loader cares about.

Two layers:

* :func:`check_ident` is pure: it classifies the first bytes of a candidate
  file the way glibc's ``open_verify`` does (skip versus fatal error).
* :func:`read_elf` uses pyelftools to extract the dynamic section. It never
  executes anything.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO, Optional

from ..link.targets import (
    DF_1_NODEFLIB,
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    ELFDATA2MSB,
    ELFMAG,
    ELFOSABI_GNU,
    ELFOSABI_SYSV,
    ET_DYN,
    ET_EXEC,
)

EHDR_SIZE = {ELFCLASS32: 52, ELFCLASS64: 64}
PHDR_SIZE = {ELFCLASS32: 32, ELFCLASS64: 56}


class NotElfError(Exception):
    """The file is not an ELF object pyelftools can read."""


@dataclass(frozen=True)
class Target:
    """What one loader accepts: class, byte order and e_machine."""

    elf_class: int
    data: int
    machine: int

    @property
    def bits(self) -> int:
        return 64 if self.elf_class == ELFCLASS64 else 32


class Verdict(enum.Enum):
    OK = "ok"
    WRONG_CLASS = "wrong_class"
    WRONG_MACHINE = "wrong_machine"
    FATAL = "fatal"


@dataclass(frozen=True)
class IdentResult:
    verdict: Verdict
    message: str = ""


def check_ident(header: bytes, want: Target) -> IdentResult:
    """Classify a candidate's first bytes like glibc's open_verify.

    Wrong class and wrong machine are skipped by the loader (the search goes
    on); every other defect aborts the whole load.
    """
    if len(header) < EHDR_SIZE[want.elf_class]:
        return IdentResult(Verdict.FATAL, "file too short")
    if header[:4] != ELFMAG:
        return IdentResult(Verdict.FATAL, "invalid ELF header")
    if header[4] != want.elf_class:
        got = "ELFCLASS64" if header[4] == ELFCLASS64 else "ELFCLASS32"
        return IdentResult(Verdict.WRONG_CLASS, f"wrong ELF class: {got}")
    if header[5] != want.data:
        order = "little" if want.data == ELFDATA2LSB else "big"
        return IdentResult(Verdict.FATAL, f"ELF file data encoding not {order}-endian")
    if header[6] != 1:
        return IdentResult(Verdict.FATAL, "ELF file version ident does not match current one")
    osabi, abiversion = header[7], header[8]
    if osabi not in (ELFOSABI_SYSV, ELFOSABI_GNU):
        return IdentResult(Verdict.FATAL, "ELF file OS ABI invalid")
    if osabi == ELFOSABI_SYSV and abiversion != 0:
        return IdentResult(Verdict.FATAL, "ELF file ABI version invalid")
    if any(header[9:16]):
        return IdentResult(Verdict.FATAL, "nonzero padding in e_ident")
    fmt = "<" if want.data == ELFDATA2LSB else ">"
    e_type, e_machine, e_version = struct.unpack_from(fmt + "HHI", header, 16)
    if e_version != 1:
        return IdentResult(Verdict.FATAL, "ELF file version does not match current one")
    if e_machine != want.machine:
        return IdentResult(Verdict.WRONG_MACHINE, "ELF file machine mismatch")
    if e_type not in (ET_DYN, ET_EXEC):
        return IdentResult(Verdict.FATAL, "only ET_DYN and ET_EXEC can be loaded")
    phentsize_off = 54 if want.elf_class == ELFCLASS64 else 42
    (phentsize,) = struct.unpack_from(fmt + "H", header, phentsize_off)
    if phentsize != PHDR_SIZE[want.elf_class]:
        return IdentResult(Verdict.FATAL, "ELF file's phentsize not the expected size")
    return IdentResult(Verdict.OK)


def target_of(header: bytes) -> Optional[Target]:
    """The loader target matching a file's own header, or None if not ELF."""
    if len(header) < 20 or header[:4] != ELFMAG or header[4] not in (1, 2):
        return None
    if header[5] not in (ELFDATA2LSB, ELFDATA2MSB):
        return None
    fmt = "<" if header[5] == ELFDATA2LSB else ">"
    (machine,) = struct.unpack_from(fmt + "H", header, 18)
    return Target(header[4], header[5], machine)


@dataclass(frozen=True)
class ElfInfo:
    """Loader-relevant facts of one ELF file."""

    target: Target
    e_type: int
    osabi: int
    interp: Optional[str]
    needed: tuple[str, ...]
    soname: Optional[str]
    rpath: Optional[str]
    runpath: Optional[str]
    flags_1: int
    has_dynamic: bool

    @property
    def nodeflib(self) -> bool:
        return bool(self.flags_1 & DF_1_NODEFLIB)


def read_elf(stream: BinaryIO) -> ElfInfo:
    """Parse the dynamic section of an open ELF file (pyelftools imported lazily)."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    stream.seek(0)
    header = stream.read(64)
    target = target_of(header)
    if target is None:
        raise NotElfError("not an ELF file")
    stream.seek(0)
    try:
        elf = ELFFile(stream)
        interp: Optional[str] = None
        needed: list[str] = []
        soname = rpath = runpath = None
        flags_1 = 0
        has_dynamic = False
        segments: Iterable[Any] = elf.iter_segments()  # typed loosely: per-type methods
        for seg in segments:
            ptype = seg["p_type"]
            if ptype == "PT_INTERP":
                interp = str(seg.get_interp_name())
            elif ptype == "PT_DYNAMIC":
                has_dynamic = True
                for tag in seg.iter_tags():
                    d_tag = tag.entry.d_tag
                    if d_tag == "DT_NEEDED":
                        needed.append(tag.needed)
                    elif d_tag == "DT_SONAME":
                        soname = tag.soname
                    elif d_tag == "DT_RPATH":
                        rpath = tag.rpath
                    elif d_tag == "DT_RUNPATH":
                        runpath = tag.runpath
                    elif d_tag == "DT_FLAGS_1":
                        flags_1 = int(tag.entry.d_val)
        return ElfInfo(
            target=target,
            e_type={"ET_DYN": ET_DYN, "ET_EXEC": ET_EXEC}.get(elf["e_type"], 0),
            osabi=header[7],
            interp=interp,
            needed=tuple(needed),
            soname=soname,
            rpath=rpath,
            runpath=runpath,
            flags_1=flags_1,
            has_dynamic=has_dynamic,
        )
    except ELFError as exc:
        raise NotElfError(f"malformed ELF file: {exc}") from exc
    except Exception as exc:  # pyelftools raises many kinds on corrupt input
        raise NotElfError(f"malformed ELF file: {type(exc).__name__}: {exc}") from exc
