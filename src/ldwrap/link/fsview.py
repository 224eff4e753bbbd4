"""Library directories and files as the rpath policy asks about them: `FsView` answers each
question once (so tests can hand the policy a fake tree), reading as little as it can.

The linker skips a candidate library built for another target ("skipping incompatible"): an
ELF file of another class or machine, or a GNU ld script whose OUTPUT_FORMAT names another
target. ldwrap must skip the same candidates, or it adds an rpath to a directory whose file
the loader then trips over at run time.
"""

from . import oslite as os
from .buildtrees import BUILD_TREE_MARKERS, STRIPPING
from .model import is_library_name
from .targets import ELFMAG, ET_DYN, of_bytes

# Measured on ext4 and tmpfs: reading a directory costs about as much as probing 4 names
# before its first entry, and 1 more per 8 entries. A directory's st_size
# estimates its entry count at about 32 bytes an entry (ext4, tmpfs, btrfs, xfs: within 2x).
# Past LIST_ALWAYS names no plausible library directory is cheaper to probe: skip the stat.
LIST_BASE_PROBES = 4
ENTRIES_PER_PROBE = 8
DIRENT_BYTES = 32
LIST_ALWAYS = 4096

_UNSEEN: "tuple[list[str], frozenset[str]]" = ([], frozenset())
_UNASKED = "?"


class FsView:
    """Cached answers about the real file system."""

    def __init__(self) -> None:
        # Per directory: None if unreadable, else (the names list asked, those names found,
        # in its order and as its own strings: a listing's strings are dropped with it).
        self._listing: dict[str, tuple[list[str], tuple[str, ...]] | None] = {}
        self._probed: dict[str, bool] = {}
        self._real: dict[str, str] = {}
        self._modes: dict[str, int] = {}  # lstat answers of realpath's components
        self._order: tuple[list[str], dict[str, int], list[str]] | None = None
        self._targets: dict[str, tuple[int, int, int] | None] = {}
        self._heads: dict[str, bytes | None] = {}
        self._markers: dict[str, str | None] = {}
        self._systems: dict[str, str | None] = {}

    def present(self, directory: str, names: "list[str]", count: int) -> "list[str]":
        """The names (of count wanted) that exist in directory, in the order given.

        Each directory is read once, by probing the names or by listing it, whichever the
        size of the directory says is cheaper. Of a listing, only the names asked for are
        kept: whole listings would be most of the memory of a link with thousands of -L.
        """
        index, slashed = self._index(names)
        kept = self._listing.get(directory, _UNSEEN)
        if kept is _UNSEEN or (kept is not None and kept[0] is not names):
            if kept is _UNSEEN and not self._list_cheaper(directory, count):
                return [n for n in names if self._exists_in(directory, n)]
            kept = self._read(directory, names, index)
        if kept is None:
            return []
        hits = kept[1]
        if len(index) == len(names):
            out = list(hits)
        else:  # a name repeats: say it as often as it was asked
            found = set(hits)
            out = [n for n in names if n in found]
        if slashed:
            # A name with a slash (-l:sub/libx.so) is not in the listing; probe it.
            out += [n for n in slashed if self._exists_in(directory, n)]
        return out

    def _list_cheaper(self, directory: str, count: int) -> bool:
        """Whether listing directory costs less than probing count names in it."""
        if count <= LIST_BASE_PROBES:
            return False
        if count >= LIST_ALWAYS:
            return True
        try:
            entries = os.stat(directory).st_size // DIRENT_BYTES
        except OSError:
            return True  # no such directory: the listing fails at once and is remembered
        return LIST_BASE_PROBES + entries // ENTRIES_PER_PROBE < count

    def _read(
        self, directory: str, names: "list[str]", index: "dict[str, int]"
    ) -> "tuple[list[str], tuple[str, ...]] | None":
        try:
            listing = os.listdir(directory)
        except OSError:
            self._listing[directory] = None
            return None
        found = index.keys() & listing  # in C: the listing is walked once
        if len(found) == 1:
            hits: tuple[str, ...] = (names[index[found.pop()]],)  # the usual answer
        else:
            hits = tuple([names[i] for i in sorted([index[n] for n in found])])
        kept = self._listing[directory] = (names, hits)
        return kept

    def _exists_in(self, directory: str, name: str) -> bool:
        # Plain concatenation: os.path.join costs as much as the probe itself.
        path = directory + "/" + name if name[:1] != "/" else name
        hit = self._probed.get(path)
        if hit is None:
            # access(F_OK) answers what os.path.exists does, without building a stat result.
            hit = self._probed[path] = os.access(path, os.F_OK)
        return hit

    def _index(self, names: "list[str]") -> "tuple[dict[str, int], list[str]]":
        """Each name's position, and the names with a slash; kept for the list the policy
        passes for every directory, so that no directory costs a pass over all names."""
        if self._order is None or self._order[0] is not names:
            index = {n: i for i, n in enumerate(names)}
            self._order = (names, index, [n for n in names if "/" in n])
        return self._order[1], self._order[2]

    def build_tree(self, directory: str, top: str = "/") -> "str | None":
        """The marker that puts directory inside a build tree (itself or an ancestor up to
        top holds it; a libtool `.libs` directory is one itself), or None. Each directory is
        asked once."""
        if directory.rsplit("/", 1)[-1] == ".libs":
            return ".libs"
        d = directory
        markers, access = self._markers, os.access
        while True:
            found = markers.get(d, _UNASKED)
            if found is _UNASKED:
                # Seven probes a level, on every link of the default mode: a plain loop.
                found = None
                head = d + "/" if d != "/" else "/"
                for m in BUILD_TREE_MARKERS:
                    if access(head + m, 0):
                        found = m
                        break
                markers[d] = found
            if found is not None:
                return found
            if d in ("/", "", top):
                return None
            d = d.rsplit("/", 1)[0] or "/"

    def build_system(self, directory: str) -> "str | None":
        """buildtrees.CMAKE or MESON when directory is inside a CMake or Meson build tree (the
        nearest ancestor holding CMakeCache.txt or meson-private says which), else None: the
        build systems whose install strips the rpath they passed."""
        d = directory
        while True:
            found = self._systems.get(d, _UNASKED)
            if found is _UNASKED:
                found = None
                head = d + "/" if d != "/" else "/"
                for marker, system in STRIPPING:
                    if os.access(head + marker, 0):
                        found = system
                        break
                self._systems[d] = found
            if found is not None or d in ("/", ""):
                return found
            d = d.rsplit("/", 1)[0] or "/"

    def target(self, path: str) -> "tuple[int, int, int] | None":
        """The ELF target a library file is for (see of_bytes); read once. Of an ELF file
        only the target is kept: a link with 10,000 libraries would keep 10,000 headers."""
        targets = self._targets
        if path in targets:
            return targets[path]
        if path in self._heads:
            head = self._heads[path]
        else:
            head = file_head(path)
            if head is None or head[:4] != ELFMAG:
                self._heads[path] = head  # a script's text is asked for next
        found = targets[path] = None if head is None else of_bytes(head)
        return found

    def head(self, path: str) -> "bytes | None":
        """A library file's first bytes (all of a linker script's first 4 KiB); read once."""
        if path in self._heads:
            return self._heads[path]
        head = self._heads[path] = file_head(path)
        return head

    def script(self, path: str) -> "str | None":
        """The text of a GNU ld script standing in for a library, else None (an ELF file,
        an archive, an unreadable file)."""
        head = self.head(path)
        if head is None or head[:4] == ELFMAG or head[:8] == b"!<arch>\n" or not head:
            return None
        if len(head) >= _SCRIPT_BYTES:
            head = os.read_file(path, _SCRIPT_MAX) or head
        return head.decode("utf-8", "replace")

    def is_shared_object(self, path: str) -> bool:
        """Whether path is an ELF shared object (e_type ET_DYN)."""
        head = self.head(path)
        if head is None or head[:4] != ELFMAG or len(head) < 18:
            return False
        e_type = head[16] | head[17] << 8 if head[5] == 1 else head[16] << 8 | head[17]
        return e_type == ET_DYN

    def realpath(self, path: str) -> str:
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path, self._modes)
        return real


def library_names(directory: str) -> "frozenset[str]":
    """The names in directory that look like shared libraries (`lib*.so*`); none when it
    cannot be read."""
    try:
        names = os.listdir(directory)
    except (OSError, ValueError):
        return frozenset()
    return frozenset(n for n in names if is_library_name(n))


_SCRIPT_BYTES = 4096  # glibc's libc.so names its format in the first few hundred bytes
_SCRIPT_MAX = 1 << 16  # a linker script standing in for a library is a few lines


def file_head(path: str) -> "bytes | None":
    """A file's first 64 bytes, or its first 4 KiB when it is not ELF (a linker script)."""
    # An ELF header says it all in 20 bytes; only a script (rare) is read further.
    head = os.read_file(path, 64)
    if head is not None and head[:4] != ELFMAG and len(head) == 64:
        head = os.read_file(path, _SCRIPT_BYTES)
    return head


def file_target(path: str) -> "tuple[int, int, int] | None":
    """The target a library file is for (see targets.of_bytes)."""
    head = file_head(path)
    return None if head is None else of_bytes(head)
