"""Trim RUNPATH / RPATH entries that provide none of an object's needed libraries.

ldwrap adds `-rpath DIR` for every directory that holds a library the link asks for. With
`--as-needed` (Debian's gcc default) the linker then drops unused libraries from DT_NEEDED, and
their directories stay in RUNPATH for nothing. After a successful link the shim can remove
those entries again, in place: the RUNPATH string is rewritten with the shorter value and
padded with NULs (or, when no entry is left, the tag is taken out of the dynamic array);
nothing else in the file changes.

Three layers:

* `read_elf`: a minimal ELF reader (ELF32/ELF64, either byte order): DT_NEEDED, and which of
  DT_RUNPATH / DT_RPATH the object has, its value and where the string lies in the file.
* `entries_to_keep`: the pure decision. Only removable, absolute entries without `$` tokens
  may go, and only when they provide none of the needed libraries (for DT_RPATH: none of the
  libraries needed, transitively, by what is found through it).
* `plan_shrink` / `shrink_output`: read, decide, prove the edit safe (no other string in
  .dynstr shares the bytes that change), and write.

The shim imports this module only after a link that may need it (see run.py), and then only
the hot path's own modules: `os` comes from oslite, fields are read with int.from_bytes (the
`struct` module would load a shared library), no typing at run time, no pyelftools.
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
    SHT_DYNAMIC,
    SHT_DYNSYM,
    SHT_GNU_VERDEF,
    SHT_GNU_VERNEED,
    SHT_NOBITS,
    SHT_STRTAB,
)

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
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

# Outcomes of plan_shrink / shrink_output.
SHRUNK = "shrunk"  # entries removed (or, dry run, would be)
UNCHANGED = "unchanged"  # every entry is kept
NO_RUNPATH = "no runpath"  # a dynamic object without DT_RUNPATH / DT_RPATH
NOT_ELF = "not elf"
NOT_DYNAMIC = "not dynamic"  # relocatable, core, static: nothing the loader reads
REFUSED = "refused"  # entries could go, but the edit is not provably safe
ERROR = "error"  # truncated or corrupt file, or an I/O error

# How deep `entries_to_keep` follows DT_NEEDED through DT_RPATH entries.
MAX_DEPTH = 8


class ElfError(Exception):
    """An ELF file that is truncated or corrupt."""


class ElfInfo:
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
            f"ElfInfo(class={self.elf_class}, machine={self.machine}, needed={self.needed!r}, "
            f"{self.tag_name or 'no runpath'}={self.runpath!r})"
        )


class _File:
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


class _Struct:
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


class _Layout:
    """Struct formats for one ELF class and byte order."""

    __slots__ = ("dyn", "ehdr", "phdr", "shdr", "sym_name")

    def __init__(self, elf_class: int, e: str) -> None:
        if elf_class == ELFCLASS64:
            self.ehdr = _Struct(e + "HHIQQQIHHHHHH")
            self.phdr = _Struct(e + "IIQQQQQQ")  # type flags offset vaddr paddr filesz ..
            self.shdr = _Struct(e + "IIQQQQIIQQ")
            self.dyn = _Struct(e + "qQ")
            self.sym_name = _Struct(e + "I20x")
        else:
            self.ehdr = _Struct(e + "HHIIIIIHHHHHH")
            self.phdr = _Struct(e + "IIIIIIII")  # type offset vaddr paddr filesz memsz ..
            self.shdr = _Struct(e + "IIIIIIIIII")
            self.dyn = _Struct(e + "iI")
            self.sym_name = _Struct(e + "I12x")


class _Header:
    __slots__ = ("layout", "phentsize", "phnum", "phoff", "shentsize", "shnum", "shoff")

    def __init__(self, layout: "_Layout") -> None:
        self.layout = layout
        self.phoff = self.shoff = self.phentsize = self.phnum = self.shentsize = self.shnum = 0


def _string(data: bytes, offset: int, path: str) -> str:
    end = data.find(b"\0", offset)
    if offset < 0 or offset >= len(data) or end < 0:
        raise ElfError(f"{path}: corrupt: string offset {offset} outside the string table")
    return os.fsdecode(data[offset:end])


def _read_header(f: "_File") -> "tuple[ElfInfo, _Header] | str":
    """The ELF header, or a reason the file is not one."""
    if f.size < 4 or os.pread(f.fd, 4, 0) != ELFMAG:
        return NOT_ELF
    ident = f.read(0, 16, "e_ident")
    elf_class, data = ident[4], ident[5]
    if elf_class not in (ELFCLASS32, ELFCLASS64):
        raise ElfError(f"{f.path}: corrupt: unknown ELF class {elf_class}")
    if data not in (ELFDATA2LSB, ELFDATA2MSB):
        raise ElfError(f"{f.path}: corrupt: unknown ELF data encoding {data}")
    endian = "<" if data == ELFDATA2LSB else ">"
    layout = _Layout(elf_class, endian)
    raw = f.read(16, layout.ehdr.size, "ELF header")
    (e_type, machine, _v, _entry, phoff, shoff, _fl, _ehsz, phentsize, phnum, shentsize, shnum,
     _shstrndx) = layout.ehdr.unpack(raw)  # fmt: skip
    info = ElfInfo(elf_class, endian, e_type, machine)
    hdr = _Header(layout)
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


def _read_dynamic(f: "_File", info: "ElfInfo", hdr: "_Header") -> "str | None":
    """Fill info from the dynamic section; a reason when there is nothing to read."""
    if info.type not in (ET_EXEC, ET_DYN):
        return _TYPE_NAMES.get(info.type, f"ELF type {info.type}")
    layout = hdr.layout
    if hdr.phnum and hdr.phentsize < layout.phdr.size:
        raise ElfError(f"{f.path}: corrupt: e_phentsize {hdr.phentsize} too small")
    table = f.read(hdr.phoff, hdr.phnum * hdr.phentsize, "program headers")
    loads: list[tuple[int, int, int]] = []  # (vaddr, filesz, offset)
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
    if dynamic is None:
        return "no dynamic section (static)"
    raw = f.read(dynamic[0], dynamic[1], "dynamic section")
    info.dynamic = (dynamic[0], raw)
    dyn = layout.dyn
    strtab = strsz = -1
    refs = info.string_refs
    runpath = rpath = -1  # indexes into refs
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
    info.needed = tuple(_string(info.dynstr, v, f.path) for _, t, v in refs if t == DT_NEEDED)
    sonames = [v for _, t, v in refs if t == DT_SONAME]
    if sonames:
        info.soname = _string(info.dynstr, sonames[0], f.path)
    # glibc ignores DT_RPATH when DT_RUNPATH is present (get-dynamic-info.h).
    chosen = runpath if runpath >= 0 else rpath
    if chosen >= 0:
        index, tag, value = refs[chosen]
        info.runpath_tag = tag
        info.runpath_index = index
        info.runpath = _string(info.dynstr, value, f.path)
        info.runpath_offset = info.strtab_offset + value
    return None


def _read_fd(fd: int, path: str) -> "tuple[ElfInfo, _Header] | str":
    f = _File(fd, path)
    head = _read_header(f)
    if isinstance(head, str):
        return head
    reason = _read_dynamic(f, *head)
    return reason if reason is not None else head


def read_elf(path: str) -> "ElfInfo | None":
    """The dynamic facts of path; None for a non-ELF file, a relocatable object, a core file
    or a static executable. Raises ElfError for a truncated or corrupt ELF file, OSError when
    the file cannot be read."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        got = _read_fd(fd, path)
    finally:
        os.close(fd)
    return None if isinstance(got, str) else got[0]


def sonames(paths: "Iterable[str]") -> "set[str]":
    """The names a program that links these library files needs them by: each one's
    DT_SONAME, else its file name (what the linker records then). A file that cannot be read
    counts by its file name and every name it may be reached by is kept: the safe side."""
    out: set[str] = set()
    for path in paths:
        out.add(os.path.basename(path))
        try:
            info = read_elf(path)
        except (OSError, ElfError):
            continue
        if info is not None and info.soname:
            out.add(info.soname)
    return out


# ---------------------------------------------------------------------------------------------
# The decision


def removable_kind(entry: str) -> bool:
    """Whether an entry may ever be removed: absolute, and no `$ORIGIN`, `$LIB`, ... token.

    Relative entries (and the empty entry) are searched relative to the working directory
    at run time, and dynamic string tokens depend on where and how the program runs: what
    they provide cannot be known here.
    """
    return entry[:1] == "/" and "$" not in entry


def entries_to_keep(
    entries: "Sequence[str]",
    needed: "Iterable[str]",
    removable: "Collection[str]",
    provides: "Callable[[str, str], bool]",
    needed_of: "Callable[[str, str], Iterable[str]] | None" = None,
    max_depth: int = MAX_DEPTH,
    directory: "Callable[[str], str | None] | None" = None,
    vouched: "Collection[str]" = (),
) -> "list[str]":
    """The entries to keep, in their order. Pure but for the callbacks.

    An entry is removed only when it is in `removable`, is absolute without `$` tokens (or is
    `vouched` for: an entry whose `provides` answer is known without the file system), and
    either `provides(entry, name)` is false for every needed name, or it names the same
    directory as an entry kept before it (`directory(entry)`: the directory, normalised; the
    loader never takes anything from the second). Names with a `/` are loaded by path, not
    searched, and do not count.

    With `needed_of(entry, name)` (for DT_RPATH, which the loader also uses for the object's
    dependencies' own lookups), the needed set grows by the DT_NEEDED of every library found
    through any entry, transitively, up to `max_depth` levels; cycles end the walk.
    """
    names: list[str] = []
    seen: set[str] = set()
    for name in needed:
        if "/" not in name and name not in seen:
            seen.add(name)
            names.append(name)
    if needed_of is not None:
        frontier = names[:]
        for _ in range(max_depth):
            found: list[str] = []
            for name in frontier:
                for entry in entries:
                    if not provides(entry, name):
                        continue
                    for sub in needed_of(entry, name):
                        if "/" not in sub and sub not in seen:
                            seen.add(sub)
                            found.append(sub)
            if not found:
                break
            names.extend(found)
            frontier = found
    kept: list[str] = []
    named: set[str] = set()  # the directories of the entries kept so far
    for e in entries:
        d = directory(e) if directory is not None else None
        if e not in removable or not (removable_kind(e) or e in vouched):
            keep = True
        else:
            keep = d not in named and any(provides(e, n) for n in names)
        if keep:
            kept.append(e)
            if d is not None:
                named.add(d)
    return kept


class FileProvider:
    """`provides(entry, name)` on the real file system, for objects of one class and machine.

    A directory provides a name when a regular file of that name is there (following
    symlinks) and, if it is an ELF file, its class and e_machine match (the loader skips
    other ones). A file that is not ELF, such as a GNU ld script, counts as a match: keeping
    the entry is the safe side. `$ORIGIN` is expanded when `origin` is given; entries with
    other tokens, and relative entries, provide nothing (they are never removed anyway).
    """

    __slots__ = ("_cache", "elf_class", "machine", "origin")

    def __init__(self, elf_class: int, machine: int, origin: "str | None" = None) -> None:
        self.elf_class = elf_class
        self.machine = machine
        self.origin = origin
        self._cache: dict[tuple[str, str], bool] = {}

    def normal_directory(self, entry: str) -> "str | None":
        """The directory an entry names, normalised (trailing slashes, `.`, `..`, `//`
        folded), or None when it cannot be known."""
        d = self.directory(entry)
        return os.path.normpath(d) if d is not None else None

    def directory(self, entry: str) -> "str | None":
        if "$" in entry:
            if self.origin is None:
                return None
            entry = entry.replace("${ORIGIN}", self.origin).replace("$ORIGIN", self.origin)
            if "$" in entry:
                return None
        return entry if entry[:1] == "/" else None

    def __call__(self, entry: str, name: str) -> bool:
        key = (entry, name)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._provides(entry, name)
        return hit

    def _provides(self, entry: str, name: str) -> bool:
        d = self.directory(entry)
        if d is None:
            return False
        try:
            fd = os.open(os.path.join(d, name), os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except FileNotFoundError:
            return False
        except OSError:
            # There but unreadable (or a name too long, a loop): keep the entry.
            return os.path.lexists(os.path.join(d, name))
        try:
            st = os.fstat(fd)
            if (st.st_mode & 0o170000) != 0o100000:
                return False  # a directory or device of that name is no library
            head = os.pread(fd, 20, 0)
        except OSError:
            return True
        finally:
            os.close(fd)
        if len(head) < 20 or head[:4] != ELFMAG:
            return True  # GNU ld script or something else: the safe side
        if head[4] != self.elf_class:
            return False
        machine = int.from_bytes(head[18:20], "little" if head[5] == ELFDATA2LSB else "big")
        return machine == self.machine

    def needed_of(self, entry: str, name: str) -> "tuple[str, ...]":
        """DT_NEEDED of the library `name` in `entry`; () when it cannot be read."""
        d = self.directory(entry)
        if d is None:
            return ()
        try:
            info = read_elf(os.path.join(d, name))
        except (OSError, ElfError):
            return ()
        return info.needed if info is not None else ()


# ---------------------------------------------------------------------------------------------
# Safety of the edit


def _section_headers(f: "_File", hdr: "_Header") -> "list[tuple[int, ...]]":
    shdr = hdr.layout.shdr
    if hdr.shentsize < shdr.size:
        raise ElfError(f"{f.path}: corrupt: e_shentsize {hdr.shentsize} too small")
    table = f.read(hdr.shoff, hdr.shnum * hdr.shentsize, "section headers")
    # (sh_type, sh_offset, sh_size, sh_link, sh_info, sh_entsize)
    out: list[tuple[int, ...]] = []
    for i in range(hdr.shnum):
        s = shdr.unpack_from(table, i * hdr.shentsize)
        out.append((s[1], s[4], s[5], s[6], s[7], s[9]))
    return out


def _unsafe_reason(f: "_File", info: "ElfInfo", hdr: "_Header", lo: int, hi: int) -> "str | None":
    """Why rewriting the bytes that strings starting at dynstr offsets lo..hi-1 read would
    change some other string; None when nothing else points there."""

    def shared(offset: int) -> bool:
        return lo <= offset < hi

    def name(offset: int) -> str:
        return _string(info.dynstr, offset, f.path)

    own = info.runpath_offset - info.strtab_offset
    for index, tag, value in info.string_refs:
        if index == info.runpath_index:
            continue
        if tag == DT_RPATH and value == own and info.runpath_tag == DT_RUNPATH:
            continue  # the same string; glibc ignores DT_RPATH when DT_RUNPATH is there
        if shared(value):
            return f"{STRING_TAGS[tag]} {name(value)!r} shares bytes with {info.tag_name}"
    if not hdr.shoff or not hdr.shnum:
        return "no section headers: cannot prove that no symbol name shares its bytes"
    sections = _section_headers(f, hdr)
    dynstr_index = -1
    for i, s in enumerate(sections):
        if s[0] == SHT_STRTAB and s[1] == info.strtab_offset:
            dynstr_index = i
            break
    if dynstr_index < 0:
        return "no section header for the dynamic string table: cannot check its users"
    sym_name = hdr.layout.sym_name
    for i, (sh_type, offset, size, link, count, entsize) in enumerate(sections):
        if link != dynstr_index and sh_type in (SHT_DYNSYM, SHT_GNU_VERDEF, SHT_GNU_VERNEED):
            return f"section {i} (type 0x{sh_type:x}) names a string table other than .dynstr"
        if link != dynstr_index or sh_type in (SHT_NOBITS, SHT_DYNAMIC):
            continue  # the dynamic section was checked above, through PT_DYNAMIC
        if sh_type == SHT_DYNSYM:
            if entsize < sym_name.size:
                raise ElfError(f"{f.path}: corrupt: .dynsym entry size {entsize}")
            data = f.read(offset, size - size % entsize, ".dynsym")
            order = sym_name.order
            for j in range(0, len(data), entsize):  # st_name is each entry's first word
                st_name = int.from_bytes(data[j : j + 4], order)
                if shared(st_name):
                    return f"symbol name {name(st_name)!r} shares bytes with {info.tag_name}"
        elif sh_type in (SHT_GNU_VERDEF, SHT_GNU_VERNEED):
            data = f.read(offset, size, "version section")
            for what, value in _version_names(data, sh_type, count, info.endian, f.path):
                if shared(value):
                    return f"{what} {name(value)!r} shares bytes with {info.tag_name}"
        else:
            return f"section {i} (type 0x{sh_type:x}) uses .dynstr in a way ldwrap does not check"
    return None


def _version_names(
    data: bytes, sh_type: int, count: int, endian: str, path: str
) -> "list[tuple[str, int]]":
    """(kind, dynstr offset) of every name in a GNU version definition or need section."""
    out: list[tuple[str, int]] = []
    verdef = sh_type == SHT_GNU_VERDEF
    # Elf_Verdef: version, flags, ndx, cnt, hash, aux, next; Elf_Verdaux: name, next.
    # Elf_Verneed: version, cnt, file, aux, next; Elf_Vernaux: hash, flags, other, name, next.
    head = _Struct(endian + ("HHHHIII" if verdef else "HHIII"))
    aux = _Struct(endian + ("II" if verdef else "IHHII"))
    pos = 0
    for _ in range(count or 0xFFFF):
        if pos + head.size > len(data):
            raise ElfError(f"{path}: corrupt: version entry outside its section")
        h = head.unpack_from(data, pos)
        if verdef:
            n_aux, aux_off, nxt = h[3], h[5], h[6]
        else:
            n_aux, aux_off, nxt = h[1], h[3], h[4]
            out.append(("version need file", h[2]))
        apos = pos + aux_off
        for _ in range(n_aux):
            if apos + aux.size > len(data):
                raise ElfError(f"{path}: corrupt: version aux entry outside its section")
            a = aux.unpack_from(data, apos)
            if verdef:
                out.append(("version definition", a[0]))
                anext = a[1]
            else:
                out.append(("version need", a[3]))
                anext = a[4]
            if not anext:
                break
            apos += anext
        if not nxt:
            break
        pos += nxt
    return out


# ---------------------------------------------------------------------------------------------
# Plan and edit


class ShrinkResult:
    """What the shrink step did (or, on a dry run or a refusal, would do) to one file.

    `status` is one of SHRUNK, UNCHANGED, NO_RUNPATH, NOT_ELF, NOT_DYNAMIC, REFUSED, ERROR;
    `reason` says why nothing was done (None for SHRUNK and UNCHANGED); `kept` and `removed`
    are the entries (for REFUSED: those that would have been removed).
    """

    __slots__ = (
        "before",
        "kept",
        "new",
        "offset",
        "old",
        "path",
        "reason",
        "removed",
        "status",
        "tag",
        "tag_removed",
    )

    def __init__(self, path: str, status: str, reason: "str | None" = None) -> None:
        self.path = path
        self.status = status
        self.reason = reason
        self.tag = ""  # "DT_RUNPATH" or "DT_RPATH"
        self.old: str | None = None  # the value before
        self.kept: tuple[str, ...] = ()
        self.removed: tuple[str, ...] = ()
        self.offset = -1  # file offset of the edit: the string, or the dynamic array
        self.before = b""  # the bytes there now
        self.new = b""  # the bytes to write there (as many)
        # Every entry goes: the tag itself is taken out of the dynamic array (an empty
        # RUNPATH would still be a tag for tools to read).
        self.tag_removed = False

    @property
    def changed(self) -> bool:
        return self.status == SHRUNK

    @property
    def failed(self) -> bool:
        """Something should have been done and was not."""
        return self.status == REFUSED or self.status == ERROR

    def __repr__(self) -> str:
        return (
            f"ShrinkResult({self.path!r}, {self.status!r}, kept={self.kept!r}, "
            f"removed={self.removed!r}, reason={self.reason!r})"
        )


def _plan_fd(
    fd: int,
    path: str,
    removable: "Collection[str] | None",
    provides: "Callable[[str, str], bool] | None",
    known: "Mapping[str, Collection[str]] | None" = None,
) -> "ShrinkResult":
    f = _File(fd, path)
    head = _read_header(f)
    if isinstance(head, str):
        return ShrinkResult(path, NOT_ELF, "not an ELF file")
    info, hdr = head
    reason = _read_dynamic(f, info, hdr)
    if reason is not None:
        return ShrinkResult(path, NOT_DYNAMIC, reason)
    if info.runpath is None:
        return ShrinkResult(path, NO_RUNPATH, "no RUNPATH or RPATH")
    result = ShrinkResult(path, UNCHANGED)
    result.tag = info.tag_name
    result.old = info.runpath
    entries = info.entries
    if removable is None:
        removable = [e for e in entries if e[:1] == "/"]
    provider = FileProvider(info.elf_class, info.machine, os.path.dirname(os.path.abspath(path)))
    check = provides if provides is not None else provider
    if known:
        base = check

        def check(entry: str, name: str) -> bool:
            names = known.get(entry)
            return name in names if names is not None else base(entry, name)

    kept = entries_to_keep(
        entries,
        info.needed,
        removable,
        check,
        provider.needed_of if info.runpath_tag == DT_RPATH else None,
        directory=provider.normal_directory,
        vouched=known or (),
    )
    result.kept = tuple(kept)
    if len(kept) == len(entries):
        return result
    keep_set = set(kept)
    result.removed = tuple(e for e in entries if e not in keep_set)
    tags = _search_tags(info) if not kept else None
    if tags:
        # Take the tag out of the dynamic array: the entries after it move up and DT_NULLs
        # fill the places left at the end. The string stays, unreferenced.
        offset, raw = info.dynamic
        size = hdr.layout.dyn.size
        new = b"".join(
            raw[i * size : (i + 1) * size] for i in range(len(raw) // size) if i not in tags
        )
        result.status = SHRUNK
        result.tag_removed = True
        result.offset = offset
        result.before = raw
        result.new = new + b"\0" * (len(raw) - len(new))
        return result
    old = os.fsencode(info.runpath)
    new = os.fsencode(":".join(kept))
    own = info.runpath_offset - info.strtab_offset
    start = info.dynstr.rfind(b"\0", 0, own) + 1  # a longer string may end with this one
    unsafe = _unsafe_reason(f, info, hdr, start, own + len(old))
    if unsafe is not None:
        result.status = REFUSED
        result.reason = f"unsafe to edit {info.tag_name}: {unsafe}"
        return result
    result.status = SHRUNK
    result.offset = info.runpath_offset
    result.before = old
    result.new = new + b"\0" * (len(old) - len(new))
    return result


def _search_tags(info: "ElfInfo") -> "set[int] | None":
    """The dynamic-array indexes of the search-path tags to take out when every entry goes:
    the chosen one and a DT_RPATH naming the same string; None when another DT_RPATH would
    be left (glibc ignores it while DT_RUNPATH is there: taking that out would bring it to
    life)."""
    own = info.runpath_offset - info.strtab_offset
    tags = [(i, v) for i, tag, v in info.string_refs if tag in (DT_RUNPATH, DT_RPATH)]
    if any(v != own for _, v in tags):
        return None
    return {i for i, _ in tags}


def plan_shrink(
    path: str,
    removable: "Collection[str] | None" = None,
    provides: "Callable[[str, str], bool] | None" = None,
) -> "ShrinkResult":
    """Decide what shrinking path would do, without changing it.

    `removable`: the entries that may go (None: every absolute entry). `provides`: overrides
    the file-system check (for tests). Never raises for a bad file: the result's status is
    ERROR and its reason says why.
    """
    return _on_file(path, removable, provides, write=False, failing="cannot read")


def shrink_output(
    path: str,
    removable_entries: "Collection[str]",
    dry_run: bool = False,
    provides: "Callable[[str, str], bool] | None" = None,
    known: "Mapping[str, Collection[str]] | None" = None,
) -> "ShrinkResult":
    """After a successful link: remove from path's RUNPATH/RPATH the `removable_entries` that
    provide none of its needed libraries, in place (only the string's bytes are written, or,
    when every entry goes, the tag is taken out of the dynamic array).

    known: entries whose provided names are known without the file system (the project's
    own install directory, which holds nothing yet: the sonames of the build tree's libraries
    it is for); they may go even with `$ORIGIN` in them.

    Does nothing to non-ELF files, relocatable objects and static executables. Never raises
    for a bad file; see ShrinkResult.
    """
    if not removable_entries:
        return ShrinkResult(path, UNCHANGED)
    return _on_file(
        path, removable_entries, provides, write=not dry_run, failing="cannot edit", known=known
    )


def _on_file(
    path: str,
    removable: "Collection[str] | None",
    provides: "Callable[[str, str], bool] | None",
    *,
    write: bool,
    failing: str,
    known: "Mapping[str, Collection[str]] | None" = None,
) -> "ShrinkResult":
    """Plan the shrink of path on one descriptor and, with write, make the edit in place.
    Errors become an ERROR result; `failing` starts the reason for an I/O error."""
    try:
        fd = os.open(path, (os.O_RDWR if write else os.O_RDONLY) | os.O_CLOEXEC)
    except OSError as e:
        return ShrinkResult(path, ERROR, f"cannot open: {e.strerror}")
    try:
        result = _plan_fd(fd, path, removable, provides, known)
        if (
            write
            and result.status == SHRUNK
            and os.pwrite(fd, result.new, result.offset) != len(result.new)
        ):
            result.status = ERROR
            result.reason = "short write"
        return result
    except ElfError as e:
        return ShrinkResult(path, ERROR, str(e))
    except OSError as e:
        return ShrinkResult(path, ERROR, f"{failing}: {e.strerror}")
    finally:
        os.close(fd)
