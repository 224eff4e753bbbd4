"""Which RUNPATH / RPATH entries of an object go: those that provide none of its needed
libraries. Pure but for the callbacks (FileProvider asks the file system).

ldwrap adds `-rpath DIR` for every directory that holds a library the link asks for. With
`--as-needed` (Debian's gcc default) the linker then drops unused libraries from DT_NEEDED, and
their directories stay in RUNPATH for nothing. Only removable, absolute entries without `$`
tokens may go (or entries whose libraries are vouched for), and only when they provide none of
the needed libraries (for DT_RPATH: none of the libraries needed, transitively, by what is
found through it), or name a directory an earlier entry names. trim.py makes the edit.
"""

from . import oslite as os
from .elfdyn import ElfError, read_dynamic
from .targets import ELFDATA2LSB, ELFMAG

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Sequence


# How deep `entries_to_keep` follows DT_NEEDED through DT_RPATH entries.
MAX_DEPTH = 8


def sonames(paths: "Iterable[str]") -> "set[str]":
    """The names a program that links these library files needs them by: each one's
    DT_SONAME, else its file name (what the linker records then). A file that cannot be read
    counts by its file name and every name it may be reached by is kept: the safe side."""
    out: set[str] = set()
    for path in paths:
        out.add(os.path.basename(path))
        try:
            info = read_dynamic(path)
        except (OSError, ElfError):
            continue
        if info is not None and info.soname:
            out.add(info.soname)
    return out


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
            info = read_dynamic(os.path.join(d, name))
        except (OSError, ElfError):
            return ()
        return info.needed if info is not None else ()
