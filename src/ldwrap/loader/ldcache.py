"""Reader for glibc's /etc/ld.so.cache (new, old and compat layouts).

Parsing is pure (bytes in, dataclasses out); :func:`load_cache` is the only
function that touches the file system.  The lookup follows the loader's
rules, not ldconfig's printing order: first matching key in file order,
flags filter, glibc-hwcaps entries ranked by subdirectory priority.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

NEW_MAGIC = b"glibc-ld.so.cache"
NEW_VERSION = b"1.1"
OLD_MAGIC = b"ld.so-1.7.0"
EXT_MAGIC = 0xEAA42174
EXT_TAG_GENERATOR = 0
EXT_TAG_HWCAPS = 1
HWCAPS_MARK = 1 << 62
ISA_LEVEL_MASK = 0x3FF << 32

_NEW_HEADER = struct.Struct("<17s3sIIB3xI12x")
_NEW_ENTRY = struct.Struct("<iIIIQ")
_OLD_ENTRY = struct.Struct("<iII")


class CacheFormatError(ValueError):
    """The bytes are not a cache the loader would accept."""


@dataclass(frozen=True)
class CacheEntry:
    flags: int
    key: str
    value: str
    hwcap: int = 0
    hwcaps_subdir: str | None = None  # set for glibc-hwcaps entries

    @property
    def is_hwcaps(self) -> bool:
        return (self.hwcap & ~ISA_LEVEL_MASK) >> 32 == HWCAPS_MARK >> 32

    @property
    def isa_level(self) -> int:
        return (self.hwcap & ISA_LEVEL_MASK) >> 32


@dataclass
class LdCache:
    layout: str  # "new", "old" or "compat"
    entries: list[CacheEntry]
    generator: str | None = None
    hwcaps_names: list[str] = field(default_factory=list)
    _by_key: dict[str, list[CacheEntry]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._by_key.setdefault(entry.key, []).append(entry)

    def candidates(self, name: str) -> list[CacheEntry]:
        return self._by_key.get(name, [])


def _cstr(data: bytes, offset: int) -> str | None:
    if offset < 0 or offset >= len(data):
        return None
    end = data.find(b"\0", offset)
    if end < 0:
        return None
    return data[offset:end].decode("utf-8", "surrogateescape")


def _parse_new(data: bytes, base: int, layout: str) -> LdCache:
    if len(data) - base < _NEW_HEADER.size:
        raise CacheFormatError("truncated header")
    magic, version, nlibs, _len_strings, flags, ext_offset = _NEW_HEADER.unpack_from(data, base)
    if magic != NEW_MAGIC or version != NEW_VERSION:
        raise CacheFormatError("bad new-format magic")
    byte_order = flags & 3
    if byte_order == 1 or byte_order == 3:  # invalid, or big-endian on this LE reader
        raise CacheFormatError("cache byte order does not match")
    if (len(data) - base - _NEW_HEADER.size) // _NEW_ENTRY.size < nlibs:
        raise CacheFormatError("entry count larger than file")
    hwcaps_names: list[str] = []
    generator: str | None = None
    if ext_offset and ext_offset % 4 == 0 and ext_offset + 8 <= len(data):
        generator, hwcaps_names = _parse_extensions(data, ext_offset, base)
    entries = []
    for i in range(nlibs):
        eflags, key, value, _osv, hwcap = _NEW_ENTRY.unpack_from(
            data, base + _NEW_HEADER.size + i * _NEW_ENTRY.size
        )
        k, v = _cstr(data, base + key), _cstr(data, base + value)
        if k is None or v is None:
            continue  # out of bounds: the loader skips such entries
        entry = CacheEntry(eflags, k, v, hwcap)
        if entry.is_hwcaps:
            idx = hwcap & 0xFFFFFFFF
            sub = hwcaps_names[idx] if idx < len(hwcaps_names) else None
            entry = CacheEntry(eflags, k, v, hwcap, sub)
        entries.append(entry)
    return LdCache(layout, entries, generator, hwcaps_names)


def _parse_extensions(data: bytes, ext_offset: int, base: int) -> tuple[str | None, list[str]]:
    magic, count = struct.unpack_from("<II", data, ext_offset)
    if magic != EXT_MAGIC:
        return None, []
    generator: str | None = None
    names: list[str] = []
    for i in range(count):
        off = ext_offset + 8 + 16 * i
        if off + 16 > len(data):
            break
        tag, _flags, sec_off, size = struct.unpack_from("<IIII", data, off)
        if sec_off + size > len(data):
            continue
        if tag == EXT_TAG_GENERATOR:
            generator = data[sec_off : sec_off + size].decode("utf-8", "replace")
        elif tag == EXT_TAG_HWCAPS and size % 4 == 0 and sec_off % 4 == 0:
            for j in range(size // 4):
                (str_off,) = struct.unpack_from("<I", data, sec_off + 4 * j)
                # The loader resolves these against the file start; ldconfig's
                # compat writer uses the embedded header, so compat names come
                # out garbled exactly as the loader sees them.
                names.append(_cstr(data, str_off) or "")
    return generator, names


def parse_cache(data: bytes) -> LdCache:
    """Parse cache bytes in any of the three layouts."""
    if data.startswith(NEW_MAGIC):
        return _parse_new(data, 0, "new")
    if not data.startswith(OLD_MAGIC):
        raise CacheFormatError("not an ld.so.cache file")
    if len(data) < 16:
        raise CacheFormatError("truncated old header")
    (nlibs,) = struct.unpack_from("<I", data, 12)
    strings = 16 + nlibs * _OLD_ENTRY.size
    if strings > len(data):
        raise CacheFormatError("old entry count larger than file")
    new_base = (strings + 7) & ~7
    if data[new_base : new_base + len(NEW_MAGIC)] == NEW_MAGIC:
        return _parse_new(data, new_base, "compat")
    entries = []
    for i in range(nlibs):
        eflags, key, value = _OLD_ENTRY.unpack_from(data, 16 + i * _OLD_ENTRY.size)
        k, v = _cstr(data, strings + key), _cstr(data, strings + value)
        if k is not None and v is not None:
            entries.append(CacheEntry(eflags, k, v))
    return LdCache("old", entries)


_TYPES = {0: "libc4", 1: "ELF", 2: "libc5", 3: "libc6"}
_ARCHES = {
    0x0100: "64bit",
    0x0200: "IA-64",
    0x0300: "x86-64",
    0x0400: "64bit",
    0x0500: "64bit",
    0x0600: "N32",
    0x0700: "64bit",
    0x0800: "x32",
    0x0900: "hard-float",
    0x0A00: "AArch64",
    0x0B00: "soft-float",
    0x0C00: "nan2008",
    0x0D00: "N32,nan2008",
    0x0E00: "64bit,nan2008",
    0x0F00: "soft-float",
    0x1000: "double-float",
    0x1100: "soft-float",
    0x1200: "double-float",
}


def describe_flags(flags: int) -> str:
    """The flag text ``ldconfig -p`` prints, e.g. ``libc6,x86-64``."""
    text = _TYPES.get(flags & 0xFF, "unknown")
    arch = flags & 0xFF00
    if arch:
        text += "," + _ARCHES.get(arch, str(arch))
    return text


def format_entry(entry: CacheEntry) -> str:
    """One ``ldconfig -p`` line (without the leading tab)."""
    extra = f', hwcap: "{entry.hwcaps_subdir}"' if entry.is_hwcaps else ""
    if entry.hwcap and not entry.is_hwcaps:
        extra = f", hwcap: {entry.hwcap:#018x}"
    return f"{entry.key} ({describe_flags(entry.flags)}{extra}) => {entry.value}"


def load_cache(path: str) -> LdCache | None:
    """Read and parse a cache file; None when missing or unusable (as the loader)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    try:
        return parse_cache(data)
    except (CacheFormatError, struct.error):
        return None


def lookup(
    cache: LdCache,
    name: str,
    accepted_flags: Sequence[int],
    default_flag: int,
    active_hwcaps: Sequence[str],
    isa_supported: int = 0xFFFFFFFF,
) -> str | None:
    """Return the path the loader would take from the cache for ``name``.

    ``active_hwcaps`` is the loader's glibc-hwcaps list, best first.
    """
    best: str | None = None
    best_prio = len(active_hwcaps)
    for entry in cache.candidates(name):
        if entry.flags not in accepted_flags:
            continue
        if entry.is_hwcaps:
            sub = entry.hwcaps_subdir
            if sub is None or sub not in active_hwcaps:
                continue
            if entry.isa_level & ~isa_supported:
                continue
            prio = active_hwcaps.index(sub)
            if prio < best_prio:
                best, best_prio = entry.value, prio
            continue
        if entry.hwcap:
            continue  # legacy hwcap entry: ignored (ldconfig >= 2.37 never writes them)
        if best_prio < len(active_hwcaps):
            return best  # a plain match ends the scan; the best hwcaps entry wins
        if best is None or entry.flags == default_flag:
            best = entry.value
        if entry.flags == default_flag:
            return best
    return best
