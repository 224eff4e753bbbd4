"""A minimal ELF reader for what a RUNPATH edit needs: DT_NEEDED, DT_SONAME, which of
DT_RUNPATH / DT_RPATH the object has, its value and where the string and the dynamic array
lie in the file. ELF32 and ELF64, either byte order. (The loader emulation reads files with
its own reader, loader/elf.py, for what the loader needs.)

Loaded only after a link that may need trimming (spawn.py) and by `ldwrap fixup`: hot-path
modules only, fields read with int.from_bytes (the `struct` module would load a shared
library), no typing at run time.
"""

from . import oslite as os
from .targets import (
    DT_NEEDED,
    DT_NULL,
    DT_RPATH,
    DT_RUNPATH,
    DT_SONAME,
    DT_STRSZ,
    DT_STRTAB,
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    ELFDATA2MSB,
    ELFMAG,
    ET_CORE,
    ET_DYN,
    ET_EXEC,
    ET_REL,
    PN_XNUM,
    PT_DYNAMIC,
    PT_LOAD,
)

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from typing import Literal


# Dynamic tags whose value is an offset into the dynamic string table.
STRING_TAGS = {
    DT_NEEDED: "DT_NEEDED",
    DT_SONAME: "DT_SONAME",
    DT_RPATH: "DT_RPATH",
    DT_RUNPATH: "DT_RUNPATH",
    0x7FFFFFFD: "DT_AUXILIARY",
    0x7FFFFFFE: "DT_USED",
    0x7FFFFFFF: "DT_FILTER",
    0x6FFFFEFA: "DT_CONFIG",
    0x6FFFFEFB: "DT_DEPAUDIT",
    0x6FFFFEFC: "DT_AUDIT",
}

_TYPE_NAMES = {ET_REL: "relocatable object", ET_CORE: "core file"}


class ElfError(Exception):
    """An ELF file that is truncated or corrupt."""


class DynamicInfo:
    """What the shrink step needs from one ELF object with a dynamic section."""

    __slots__ = (
        "dynamic",
        "dynstr",
        "elf_class",
        "endian",
        "machine",
        "needed",
        "runpath",
        "runpath_index",
        "runpath_offset",
        "runpath_tag",
        "soname",
        "string_refs",
        "strtab_offset",
        "type",
    )

    def __init__(self, elf_class: int, endian: str, e_type: int, machine: int) -> None:
        self.elf_class = elf_class  # ELFCLASS32 / ELFCLASS64
        self.endian = endian  # "<" or ">" (struct notation)
        self.type = e_type  # ET_EXEC / ET_DYN
        self.machine = machine  # e_machine
        self.needed: tuple[str, ...] = ()
        self.soname: str | None = None
        self.dynamic = (0, b"")  # the dynamic array's file offset and bytes, as read
        self.runpath_tag = 0  # DT_RUNPATH, DT_RPATH, or 0 for neither
        self.runpath: str | None = None  # the string, decoded with os.fsdecode
        self.runpath_offset = 0  # file offset of the string
        self.runpath_index = -1  # index of its entry in the dynamic array
        self.strtab_offset = 0  # file offset of the dynamic string table
        self.dynstr = b""  # the dynamic string table (DT_STRSZ bytes)
        # (index in the dynamic array, tag, offset into dynstr) for every string-valued tag
        self.string_refs: list[tuple[int, int, int]] = []

    @property
    def tag_name(self) -> str:
        return STRING_TAGS.get(self.runpath_tag, "")

    @property
    def entries(self) -> "list[str]":
        return self.runpath.split(":") if self.runpath is not None else []

    def __repr__(self) -> str:
        return (
            f"DynamicInfo(class={self.elf_class}, machine={self.machine}, needed={self.needed!r}, "
            f"{self.tag_name or 'no runpath'}={self.runpath!r})"
        )


class ElfFile:
    """Bounds-checked positional reads from an open file descriptor."""

    __slots__ = ("fd", "path", "size")

    def __init__(self, fd: int, path: str) -> None:
        self.fd = fd
        self.path = path
        self.size = os.fstat(fd).st_size

    def read(self, offset: int, length: int, what: str) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ElfError(
                f"{self.path}: truncated or corrupt: {what} at 0x{offset:x}+0x{length:x} "
                f"lies outside the file ({self.size} bytes)"
            )
        data = os.pread(self.fd, length, offset)
        if len(data) != length:
            raise ElfError(f"{self.path}: short read of {what} (file changed while reading?)")
        return data


_FIELD_SIZES = {"H": 2, "I": 4, "Q": 8, "i": 4, "q": 8}


class Record:
    """The part of struct.Struct used here: a fixed-size record of unsigned (H I Q) and
    signed (i q) integers and pad bytes (x), in one byte order ("<" or ">")."""

    __slots__ = ("fields", "order", "size")

    def __init__(self, fmt: str) -> None:
        self.order: Literal["little", "big"] = "little" if fmt[0] == "<" else "big"
        fields: list[tuple[int, int, bool]] = []  # (offset, size, signed)
        pos = 0
        count = ""
        for c in fmt[1:]:
            if c.isdigit():
                count += c
            elif c == "x":
                pos += int(count or "1")
                count = ""
            else:
                fields.append((pos, _FIELD_SIZES[c], c in "iq"))
                pos += _FIELD_SIZES[c]
        self.fields = tuple(fields)
        self.size = pos

    def unpack_from(self, data: bytes, offset: int = 0) -> "tuple[int, ...]":
        if offset < 0 or offset + self.size > len(data):
            raise ElfError(
                f"corrupt: a record of {self.size} bytes at {offset} lies outside "
                f"its data ({len(data)} bytes)"
            )
        order = self.order
        return tuple(
            int.from_bytes(data[offset + p : offset + p + n], order, signed=sg)
            for p, n, sg in self.fields
        )

    def unpack(self, data: bytes) -> "tuple[int, ...]":
        return self.unpack_from(data)


class ElfLayout:
    """Struct formats for one ELF class and byte order."""

    __slots__ = ("dyn", "ehdr", "phdr", "shdr", "sym_name")

    def __init__(self, elf_class: int, e: str) -> None:
        if elf_class == ELFCLASS64:
            self.ehdr = Record(e + "HHIQQQIHHHHHH")
            self.phdr = Record(e + "IIQQQQQQ")  # type flags offset vaddr paddr filesz ..
            self.shdr = Record(e + "IIQQQQIIQQ")
            self.dyn = Record(e + "qQ")
            self.sym_name = Record(e + "I20x")
        else:
            self.ehdr = Record(e + "HHIIIIIHHHHHH")
            self.phdr = Record(e + "IIIIIIII")  # type offset vaddr paddr filesz memsz ..
            self.shdr = Record(e + "IIIIIIIIII")
            self.dyn = Record(e + "iI")
            self.sym_name = Record(e + "I12x")


class ElfHeader:
    __slots__ = ("layout", "phentsize", "phnum", "phoff", "shentsize", "shnum", "shoff")

    def __init__(self, layout: "ElfLayout") -> None:
        self.layout = layout
        self.phoff = self.shoff = self.phentsize = self.phnum = self.shentsize = self.shnum = 0


def string_at(data: bytes, offset: int, path: str) -> str:
    end = data.find(b"\0", offset)
    if offset < 0 or offset >= len(data) or end < 0:
        raise ElfError(f"{path}: corrupt: string offset {offset} outside the string table")
    return os.fsdecode(data[offset:end])


def read_header(f: "ElfFile") -> "tuple[DynamicInfo, ElfHeader] | str":
    """The ELF header, or a reason the file is not one."""
    if f.size < 4 or os.pread(f.fd, 4, 0) != ELFMAG:
        return "not an ELF file"
    ident = f.read(0, 16, "e_ident")
    elf_class, data = ident[4], ident[5]
    if elf_class not in (ELFCLASS32, ELFCLASS64):
        raise ElfError(f"{f.path}: corrupt: unknown ELF class {elf_class}")
    if data not in (ELFDATA2LSB, ELFDATA2MSB):
        raise ElfError(f"{f.path}: corrupt: unknown ELF data encoding {data}")
    endian = "<" if data == ELFDATA2LSB else ">"
    layout = ElfLayout(elf_class, endian)
    raw = f.read(16, layout.ehdr.size, "ELF header")
    (e_type, machine, _v, _entry, phoff, shoff, _fl, _ehsz, phentsize, phnum, shentsize, shnum,
     _shstrndx) = layout.ehdr.unpack(raw)  # fmt: skip
    info = DynamicInfo(elf_class, endian, e_type, machine)
    hdr = ElfHeader(layout)
    hdr.phoff, hdr.shoff, hdr.phentsize, hdr.phnum = phoff, shoff, phentsize, phnum
    hdr.shentsize, hdr.shnum = shentsize, shnum
    if (phnum == PN_XNUM or shnum == 0) and shoff:
        if shentsize < layout.shdr.size:
            raise ElfError(f"{f.path}: corrupt: e_shentsize {shentsize} too small")
        sh0 = layout.shdr.unpack(f.read(shoff, layout.shdr.size, "section header 0"))
        if shnum == 0:
            hdr.shnum = sh0[5]  # sh_size holds the real count
        if phnum == PN_XNUM:
            hdr.phnum = sh0[7]  # sh_info holds the real count
    return info, hdr


def read_dynamic_section(f: "ElfFile", info: "DynamicInfo", hdr: "ElfHeader") -> "str | None":
    """Fill info from the dynamic section; a reason when there is nothing to read."""
    if info.type not in (ET_EXEC, ET_DYN):
        return _TYPE_NAMES.get(info.type, f"ELF type {info.type}")
    loads, dynamic = _segments(f, info, hdr)
    if dynamic is None:
        return "no dynamic section (static)"
    raw = f.read(dynamic[0], dynamic[1], "dynamic section")
    info.dynamic = (dynamic[0], raw)
    strtab, strsz, runpath, rpath = _entries(f, info, hdr, raw)
    refs = info.string_refs
    if not refs:
        return None
    if strtab < 0 or strsz < 0:
        raise ElfError(f"{f.path}: corrupt: string-valued dynamic tags but no DT_STRTAB/DT_STRSZ")
    for vaddr, filesz, offset in loads:
        if vaddr <= strtab < vaddr + filesz:
            info.strtab_offset = strtab - vaddr + offset
            break
    else:
        raise ElfError(f"{f.path}: corrupt: DT_STRTAB 0x{strtab:x} is in no loaded segment")
    info.dynstr = f.read(info.strtab_offset, strsz, "dynamic string table")
    info.needed = tuple(string_at(info.dynstr, v, f.path) for _, t, v in refs if t == DT_NEEDED)
    sonames = [v for _, t, v in refs if t == DT_SONAME]
    if sonames:
        info.soname = string_at(info.dynstr, sonames[0], f.path)
    # glibc ignores DT_RPATH when DT_RUNPATH is present (get-dynamic-info.h).
    chosen = runpath if runpath >= 0 else rpath
    if chosen >= 0:
        index, tag, value = refs[chosen]
        info.runpath_tag = tag
        info.runpath_index = index
        info.runpath = string_at(info.dynstr, value, f.path)
        info.runpath_offset = info.strtab_offset + value
    return None


def _segments(
    f: "ElfFile", info: "DynamicInfo", hdr: "ElfHeader"
) -> "tuple[list[tuple[int, int, int]], tuple[int, int] | None]":
    """The loaded segments (vaddr, filesz, offset) and the dynamic one (offset, filesz)."""
    layout = hdr.layout
    if hdr.phnum and hdr.phentsize < layout.phdr.size:
        raise ElfError(f"{f.path}: corrupt: e_phentsize {hdr.phentsize} too small")
    table = f.read(hdr.phoff, hdr.phnum * hdr.phentsize, "program headers")
    loads: list[tuple[int, int, int]] = []
    dynamic: tuple[int, int] | None = None
    is64 = info.elf_class == ELFCLASS64
    for i in range(hdr.phnum):
        ph = layout.phdr.unpack_from(table, i * hdr.phentsize)
        if is64:
            p_type, p_offset, p_vaddr, p_filesz = ph[0], ph[2], ph[3], ph[5]
        else:
            p_type, p_offset, p_vaddr, p_filesz = ph[0], ph[1], ph[2], ph[4]
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_filesz, p_offset))
        elif p_type == PT_DYNAMIC and dynamic is None:
            dynamic = (p_offset, p_filesz)
    return loads, dynamic


def _entries(
    f: "ElfFile", info: "DynamicInfo", hdr: "ElfHeader", raw: bytes
) -> "tuple[int, int, int, int]":
    """Walk the dynamic array up to DT_NULL: every string-valued tag into info.string_refs;
    DT_STRTAB, DT_STRSZ, and the indexes in string_refs of DT_RUNPATH and DT_RPATH (-1:
    none)."""
    dyn = hdr.layout.dyn
    strtab = strsz = -1
    refs = info.string_refs
    runpath = rpath = -1
    for i in range(len(raw) // dyn.size):
        tag, val = dyn.unpack_from(raw, i * dyn.size)
        if tag == DT_NULL:
            break
        if tag == DT_STRTAB:
            strtab = val
        elif tag == DT_STRSZ:
            strsz = val
        elif tag in STRING_TAGS:
            if tag in (DT_RUNPATH, DT_RPATH):
                if (runpath if tag == DT_RUNPATH else rpath) >= 0:
                    raise ElfError(f"{f.path}: corrupt: more than one {STRING_TAGS[tag]}")
                if tag == DT_RUNPATH:
                    runpath = len(refs)
                else:
                    rpath = len(refs)
            refs.append((i, tag, val))
    return strtab, strsz, runpath, rpath


def read_fd(fd: int, path: str) -> "tuple[DynamicInfo, ElfHeader] | str":
    f = ElfFile(fd, path)
    head = read_header(f)
    if isinstance(head, str):
        return head
    reason = read_dynamic_section(f, *head)
    return reason if reason is not None else head


def read_dynamic(path: str) -> "DynamicInfo | None":
    """The dynamic facts of path; None for a non-ELF file, a relocatable object, a core file
    or a static executable. Raises ElfError for a truncated or corrupt ELF file, OSError when
    the file cannot be read."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        got = read_fd(fd, path)
    finally:
        os.close(fd)
    return None if isinstance(got, str) else got[0]
