"""Typed, read-only view of the ELF facts the dynamic loader cares about.

Two layers:

* :func:`check_ident` is pure: it classifies the first bytes of a candidate
  file the way glibc's ``open_verify`` does (skip versus fatal error).
* :func:`read_elf` reads the dynamic section. It never executes anything. It reads the
  few fields the loader uses with :mod:`struct` (program headers, the dynamic array, the
  strings it names through DT_STRTAB, as the loader finds them), which is what makes a check
  of a whole tree fast; a file that reading does not fit (several PT_DYNAMIC, PN_XNUM, a
  DT_STRTAB outside every PT_LOAD, a truncated table) goes to pyelftools instead.
"""

from __future__ import annotations

import enum
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO, Optional

from ..link.targets import (
    DF_1_NODEFLIB,
    DT_NEEDED,
    DT_NULL,
    DT_RPATH,
    DT_RUNPATH,
    DT_SONAME,
    DT_STRTAB,
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    ELFDATA2MSB,
    ELFMAG,
    ELFOSABI_GNU,
    ELFOSABI_SYSV,
    ET_DYN,
    ET_EXEC,
    PT_DYNAMIC,
    PT_LOAD,
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


PT_INTERP = 3
DT_FLAGS_1 = 0x6FFFFFFB
_STRING_TAGS = (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH)
_TYPES = (ET_DYN, ET_EXEC)


class _Unfit(Exception):
    """A file the struct reader leaves to pyelftools."""


@dataclass(frozen=True)
class _Layout:
    ehdr: struct.Struct  # e_type .. e_shstrndx, from offset 16
    phdr: struct.Struct  # (p_type, p_offset, p_vaddr, p_filesz), in that order
    dyn: struct.Struct


def _layout(elf_class: int, data: int) -> _Layout:
    e = "<" if data == ELFDATA2LSB else ">"
    if elf_class == ELFCLASS64:
        # p_type p_flags p_offset p_vaddr p_paddr p_filesz (p_memsz p_align)
        return _Layout(
            struct.Struct(e + "HHIQQQIHHHHHH"),
            struct.Struct(e + "I4xQQ8xQ"),
            struct.Struct(e + "qQ"),
        )
    # p_type p_offset p_vaddr p_paddr p_filesz (p_memsz p_flags p_align)
    return _Layout(
        struct.Struct(e + "HHIIIIIHHHHHH"), struct.Struct(e + "III4xI"), struct.Struct(e + "iI")
    )


_LAYOUTS = {
    (c, d): _layout(c, d) for c in (ELFCLASS32, ELFCLASS64) for d in (ELFDATA2LSB, ELFDATA2MSB)
}


class _Reader:
    """Positional reads of one open file: pread on its descriptor, else seek and read."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        try:
            self.fd: Optional[int] = stream.fileno()
            self.size = os.fstat(self.fd).st_size
        except (AttributeError, OSError, ValueError):  # io.BytesIO and the like
            self.fd = None
            self.size = stream.seek(0, os.SEEK_END)

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise _Unfit("outside the file")
        if self.fd is not None:
            data = os.pread(self.fd, length, offset)
        else:
            self.stream.seek(offset)
            data = self.stream.read(length)
        if len(data) != length:
            raise _Unfit("short read")
        return data

    def string(self, offset: int) -> str:
        """The NUL-terminated string at offset, decoded as pyelftools decodes .dynstr."""
        chunks = []
        while True:
            data = os.pread(self.fd, 256, offset) if self.fd is not None else self._at(offset)
            end = data.find(b"\0")
            if end >= 0:
                chunks.append(data[:end])
                return b"".join(chunks).decode("utf-8", errors="replace")
            if len(data) < 256:
                raise _Unfit("unterminated string")
            chunks.append(data)
            offset += 256

    def _at(self, offset: int) -> bytes:
        self.stream.seek(offset)
        return self.stream.read(256)


def _read_struct(stream: BinaryIO, header: bytes, target: Target) -> ElfInfo:
    """The loader's facts by struct alone; raises _Unfit when pyelftools should decide."""
    if len(header) < EHDR_SIZE[target.elf_class]:
        raise _Unfit("short header")
    lay = _LAYOUTS[(target.elf_class, target.data)]
    fields = lay.ehdr.unpack_from(header, 16)
    e_type, phoff, phentsize, phnum = fields[0], fields[4], fields[8], fields[9]
    if phnum == 0xFFFF or (phnum and phentsize < PHDR_SIZE[target.elf_class]):
        raise _Unfit("extended or odd program headers")
    f = _Reader(stream)
    table = f.read(phoff, phnum * phentsize) if phnum else b""
    loads: list[tuple[int, int, int]] = []
    interp = dynamic = None
    for i in range(phnum):
        p_type, p_offset, p_vaddr, p_filesz = lay.phdr.unpack_from(table, i * phentsize)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_filesz, p_offset))
        elif p_type == PT_INTERP:
            interp = (p_offset, p_filesz)
        elif p_type == PT_DYNAMIC:
            if dynamic is not None:
                raise _Unfit("several PT_DYNAMIC")
            dynamic = (p_offset, p_filesz)
    interp_name = None
    if interp is not None:
        raw = f.read(interp[0], interp[1])
        end = raw.find(b"\0")
        if end < 0:
            raise _Unfit("unterminated PT_INTERP")
        try:
            interp_name = raw[:end].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Unfit("PT_INTERP not UTF-8") from exc
    needed: list[str] = []
    strings: dict[int, str] = {}
    flags_1 = 0
    if dynamic is not None:
        raw = f.read(dynamic[0], dynamic[1])
        refs: list[tuple[int, int]] = []
        strtab = None
        for tag, val in lay.dyn.iter_unpack(raw[: len(raw) - len(raw) % lay.dyn.size]):
            if tag == DT_NULL:
                break
            if tag in _STRING_TAGS:
                refs.append((tag, val))
            elif tag == DT_STRTAB:
                strtab = val
            elif tag == DT_FLAGS_1:
                flags_1 = val
        if refs:
            base = None
            if strtab is not None:
                for vaddr, filesz, offset in loads:
                    if vaddr <= strtab < vaddr + filesz:
                        base = strtab - vaddr + offset
                        break
            if base is None:
                raise _Unfit("DT_STRTAB in no PT_LOAD")
            for tag, val in refs:
                text = f.string(base + val)
                if tag == DT_NEEDED:
                    needed.append(text)
                else:
                    strings[tag] = text  # the last of a tag wins, as for the loader
    return ElfInfo(
        target=target,
        e_type=e_type if e_type in _TYPES else 0,
        osabi=header[7],
        interp=interp_name,
        needed=tuple(needed),
        soname=strings.get(DT_SONAME),
        rpath=strings.get(DT_RPATH),
        runpath=strings.get(DT_RUNPATH),
        flags_1=flags_1,
        has_dynamic=dynamic is not None,
    )


SHT_NOTE = 7
SHT_NOBITS = 8
SHF_ALLOC = 0x2


def is_debug_companion(fd: int, header: bytes) -> bool:
    """Whether an ELF file is separate debug information (`objcopy --only-keep-debug`, what
    /usr/lib/debug holds): it keeps the program headers of the file it describes, but every
    section that would be loaded (but its notes) is SHT_NOBITS, so its dynamic section is not
    there to read.
    False when the file has no section headers or cannot be read."""
    target = target_of(header)
    if target is None or len(header) < EHDR_SIZE[target.elf_class]:
        return False
    is64 = target.elf_class == ELFCLASS64
    e = "<" if target.data == ELFDATA2LSB else ">"
    if is64:  # e_shoff, then e_shentsize and e_shnum
        (shoff,) = struct.unpack_from(e + "Q", header, 40)
        shentsize, shnum = struct.unpack_from(e + "HH", header, 58)
        shdr, size = struct.Struct(e + "IIQ8x8xQ"), 64  # name type flags (addr offset) size
    else:
        (shoff,) = struct.unpack_from(e + "I", header, 32)
        shentsize, shnum = struct.unpack_from(e + "HH", header, 46)
        shdr, size = struct.Struct(e + "III4x4xI"), 40
    if not shoff or not shnum or shentsize < size or shnum > 0xFF00:
        return False
    try:
        table = os.pread(fd, shnum * shentsize, shoff)
    except OSError:
        return False
    loaded = nobits = 0
    for i in range(min(shnum, len(table) // shentsize)):
        _name, sh_type, flags, sh_size = shdr.unpack_from(table, i * shentsize)
        if flags & SHF_ALLOC and sh_size and sh_type != SHT_NOTE:  # the notes are kept
            loaded += 1
            nobits += sh_type == SHT_NOBITS
    return loaded > 0 and nobits == loaded


def read_elf(stream: BinaryIO) -> ElfInfo:
    """Parse the dynamic section of an open ELF file: by struct, or by pyelftools (imported
    lazily) when the file does not fit the struct reader."""
    stream.seek(0)
    header = stream.read(64)
    target = target_of(header)
    if target is None:
        raise NotElfError("not an ELF file")
    try:
        return _read_struct(stream, header, target)
    except (_Unfit, struct.error, OSError, OverflowError, ValueError):
        return read_elf_pyelftools(stream)


def read_elf_pyelftools(stream: BinaryIO) -> ElfInfo:
    """Parse the dynamic section of an open ELF file with pyelftools (imported lazily)."""
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
