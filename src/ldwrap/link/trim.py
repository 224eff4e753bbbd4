"""Trim an object's RUNPATH / RPATH in place: read it (elfdyn.py), decide what goes
(shrink.py), prove the edit safe (no other string in .dynstr shares the bytes that change),
and write. The string is rewritten with the shorter value and padded with NULs, or, when no
entry is left, the tag is taken out of the dynamic array; nothing else in the file changes.

Used after a successful link (LDWRAP_SHRINK, spawn.py) and by `ldwrap fixup`.
"""

from . import oslite as os
from .elfdyn import (
    STRING_TAGS,
    DynamicInfo,
    ElfError,
    ElfFile,
    ElfHeader,
    Record,
    read_dynamic_section,
    read_header,
    string_at,
)
from .shrink import FileProvider, entries_to_keep
from .targets import (
    DT_RPATH,
    DT_RUNPATH,
    SHT_DYNAMIC,
    SHT_DYNSYM,
    SHT_GNU_VERDEF,
    SHT_GNU_VERNEED,
    SHT_NOBITS,
    SHT_STRTAB,
)

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping


# Outcomes of plan_shrink / shrink_output.
SHRUNK = "shrunk"  # entries removed (or, dry run, would be)
UNCHANGED = "unchanged"  # every entry is kept
NO_RUNPATH = "no runpath"  # a dynamic object without DT_RUNPATH / DT_RPATH
NOT_ELF = "not elf"
NOT_DYNAMIC = "not dynamic"  # relocatable, core, static: nothing the loader reads
REFUSED = "refused"  # entries could go, but the edit is not provably safe
ERROR = "error"  # truncated or corrupt file, or an I/O error


def _section_headers(f: "ElfFile", hdr: "ElfHeader") -> "list[tuple[int, ...]]":
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


def _unsafe_reason(
    f: "ElfFile", info: "DynamicInfo", hdr: "ElfHeader", lo: int, hi: int
) -> "str | None":
    """Why rewriting the bytes that strings starting at dynstr offsets lo..hi-1 read would
    change some other string; None when nothing else points there."""

    def shared(offset: int) -> bool:
        return lo <= offset < hi

    def name(offset: int) -> str:
        return string_at(info.dynstr, offset, f.path)

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
    head = Record(endian + ("HHHHIII" if verdef else "HHIII"))
    aux = Record(endian + ("II" if verdef else "IHHII"))
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
    f = ElfFile(fd, path)
    head = read_header(f)
    if isinstance(head, str):
        return ShrinkResult(path, NOT_ELF, "not an ELF file")
    info, hdr = head
    reason = read_dynamic_section(f, info, hdr)
    if reason is not None:
        return ShrinkResult(path, NOT_DYNAMIC, reason)
    if info.runpath is None:
        return ShrinkResult(path, NO_RUNPATH, "no RUNPATH or RPATH")
    result = ShrinkResult(path, UNCHANGED)
    result.tag = info.tag_name
    result.old = info.runpath
    kept = _kept(path, info, removable, provides, known)
    result.kept = tuple(kept)
    if len(kept) == len(entries := info.entries):
        return result
    keep_set = set(kept)
    result.removed = tuple(e for e in entries if e not in keep_set)
    tags = _search_tags(info) if not kept else None
    if tags:
        _take_tags_out(result, info, hdr, tags)
    else:
        _rewrite_string(result, f, info, hdr, kept)
    return result


def _kept(
    path: str,
    info: "DynamicInfo",
    removable: "Collection[str] | None",
    provides: "Callable[[str, str], bool] | None",
    known: "Mapping[str, Collection[str]] | None",
) -> "list[str]":
    """The entries of info's search path that stay."""
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

    return entries_to_keep(
        entries,
        info.needed,
        removable,
        check,
        provider.needed_of if info.runpath_tag == DT_RPATH else None,
        directory=provider.normal_directory,
        vouched=known or (),
    )


def _take_tags_out(
    result: "ShrinkResult", info: "DynamicInfo", hdr: "ElfHeader", tags: "set[int]"
) -> None:
    """Plan taking the tags out of the dynamic array: the entries after them move up and
    DT_NULLs fill the places left at the end. The string stays, unreferenced."""
    offset, raw = info.dynamic
    size = hdr.layout.dyn.size
    new = b"".join(raw[i * size : (i + 1) * size] for i in range(len(raw) // size) if i not in tags)
    result.status = SHRUNK
    result.tag_removed = True
    result.offset = offset
    result.before = raw
    result.new = new + b"\0" * (len(raw) - len(new))


def _rewrite_string(
    result: "ShrinkResult",
    f: "ElfFile",
    info: "DynamicInfo",
    hdr: "ElfHeader",
    kept: "list[str]",
) -> None:
    """Plan writing the kept entries over the string, padded with NULs; REFUSED when another
    string shares the bytes that change."""
    old = os.fsencode(info.runpath or "")
    new = os.fsencode(":".join(kept))
    own = info.runpath_offset - info.strtab_offset
    start = info.dynstr.rfind(b"\0", 0, own) + 1  # a longer string may end with this one
    unsafe = _unsafe_reason(f, info, hdr, start, own + len(old))
    if unsafe is not None:
        result.status = REFUSED
        result.reason = f"unsafe to edit {info.tag_name}: {unsafe}"
        return
    result.status = SHRUNK
    result.offset = info.runpath_offset
    result.before = old
    result.new = new + b"\0" * (len(old) - len(new))


def _search_tags(info: "DynamicInfo") -> "set[int] | None":
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
