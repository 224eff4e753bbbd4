"""Library directories: the questions the rpath policy asks of them (FsView, answered once
each, so tests can hand the policy a fake tree), which target a library file there is for,
and which directories the loader searches by itself (for the default mode, where any other
directory gets an rpath).

The linker skips a candidate library built for another target ("skipping incompatible"): an
ELF file of another class or machine, or a GNU ld script whose OUTPUT_FORMAT names another
target. ldwrap must skip the same candidates, or it adds an rpath to a directory whose file
the loader then trips over at run time.
"""

from . import oslite as os
from .snapshot import LD_SO_CONF
from .targets import MULTIARCH, of_bytes  # loaded on every link anyway (rpath imports it)

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable

    # A snapshot of ld.so.conf's directories: the file it starts from, the directories, and
    # (path, mtime_ns, size) of every file read and directory listed ((-1, -1): missing).
    ConfSnapshot = tuple[str, tuple[str, ...], tuple[tuple[str, int, int], ...]]

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
# What a build tree holds: CMake's cache, Meson's private directory, autoconf's config.status,
# Ninja's and make's build files. A directory at or below one of these is a build directory.
BUILD_TREE_MARKERS = (
    "CMakeCache.txt",
    "meson-private",
    "config.status",
    "build.ninja",
    "Makefile",
    "makefile",
    "GNUmakefile",
)

CMAKE_TREE = "cmake"
MESON_TREE = "meson"
# The build systems whose install rewrites the rpath they passed, by their tree's marker.
_SYSTEM_MARKERS = (("CMakeCache.txt", CMAKE_TREE), ("meson-private", MESON_TREE))


class FsView:
    """Cached answers about the real file system."""

    def __init__(self) -> None:
        # Per directory: None if unreadable, else (the names list asked, those names found).
        self._listing: dict[str, tuple[list[str], frozenset[str]] | None] = {}
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
        if len(hits) <= 1 and len(index) == len(names):
            out = list(hits)  # the usual answer: one library, or none
        elif len(index) == len(names):
            out = sorted(hits, key=index.__getitem__)
        else:  # a name repeats: say it as often as it was asked
            out = [n for n in names if n in hits]
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
    ) -> "tuple[list[str], frozenset[str]] | None":
        try:
            listing = os.listdir(directory)
        except OSError:
            self._listing[directory] = None
            return None
        hits = frozenset([n for n in listing if n in index])
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
        """CMAKE_TREE or MESON_TREE when directory is inside a CMake or Meson build tree (the
        nearest ancestor holding CMakeCache.txt or meson-private says which), else None: the
        build systems whose install strips the rpath they passed."""
        d = directory
        while True:
            found = self._systems.get(d, _UNASKED)
            if found is _UNASKED:
                found = None
                head = d + "/" if d != "/" else "/"
                for marker, system in _SYSTEM_MARKERS:
                    if os.access(head + marker, 0):
                        found = system
                        break
                self._systems[d] = found
            if found is not None or d in ("/", ""):
                return found
            d = d.rsplit("/", 1)[0] or "/"

    def target(self, path: str) -> "tuple[int, int, int] | None":
        """The ELF target a library file is for (see of_bytes); read once."""
        if path not in self._targets:
            head = self.head(path)
            self._targets[path] = None if head is None else of_bytes(head)
        return self._targets[path]

    def head(self, path: str) -> "bytes | None":
        """A library file's first bytes (all of a linker script's first 4 KiB); read once."""
        if path not in self._heads:
            self._heads[path] = file_head(path)
        return self._heads[path]

    def script(self, path: str) -> "str | None":
        """The text of a GNU ld script standing in for a library, else None (an ELF file,
        an archive, an unreadable file)."""
        head = self.head(path)
        if head is None or head[:4] == b"\x7fELF" or head[:8] == b"!<arch>\n" or not head:
            return None
        if len(head) >= _SCRIPT_BYTES:
            head = os.read_file(path, _SCRIPT_MAX) or head
        return head.decode("utf-8", "replace")

    def is_shared_object(self, path: str) -> bool:
        """Whether path is an ELF shared object (e_type ET_DYN)."""
        head = self.head(path)
        if head is None or head[:4] != b"\x7fELF" or len(head) < 18:
            return False
        e_type = head[16] | head[17] << 8 if head[5] == 1 else head[16] << 8 | head[17]
        return e_type == 3

    def realpath(self, path: str) -> str:
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path, self._modes)
        return real


# glibc's built-in directories, for the usual layouts (multiarch, lib64, plain).
_BUILTIN = (
    "/lib",
    "/usr/lib",
    "/lib64",
    "/usr/lib64",
    "/lib32",
    "/usr/lib32",
    "/libx32",
    "/usr/libx32",
)
# Compiler-private trees: gcc and clang pass them as -L, but the libraries there are linker
# scripts or links back to the system directories, so an rpath to them only leaks build paths.
_CONF_BYTES = 1 << 20  # an ld.so.conf file larger than this is not one
_PRIVATE_PREFIXES = (
    "/usr/lib/gcc/",
    "/usr/lib/gcc-cross/",  # Debian's cross gcc
    "/usr/lib64/gcc/",
    "/usr/lib/llvm",
    "/usr/libexec/",
)
# A cross toolchain's root (Debian's /usr/aarch64-linux-gnu): its lib directories are the
# target's own system directories, found by the target's loader by itself.
_CROSS_ROOT_LIBS = ("lib", "lib64", "lib32", "libx32")


def _in_cross_root(path: str) -> bool:
    """Whether path is /usr/<triple>/lib (or lib64, ...), a cross toolchain's library dir."""
    parts = path.split("/")
    return (
        len(parts) == 4
        and parts[1] == "usr"
        and "-linux-" in parts[2]
        and parts[3] in _CROSS_ROOT_LIBS
    )


def _wildcard_match(name: str, pattern: str) -> bool:
    """fnmatch's `*` and `?` without importing re (which the default mode would pay for on
    every link); `[...]` patterns are left to glob."""
    if "?" in pattern:
        return _match_slowly(name, pattern)
    parts = pattern.split("*")
    if len(parts) == 1:
        return name == pattern
    first, last = parts[0], parts[-1]
    if len(name) < len(first) + len(last) or not (name.startswith(first) and name.endswith(last)):
        return False
    pos, end = len(first), len(name) - len(last)
    for middle in parts[1:-1]:
        at = name.find(middle, pos, end)
        if at < 0:
            return False
        pos = at + len(middle)
    return True


def _match_slowly(name: str, pattern: str) -> bool:
    if not pattern:
        return not name
    head = pattern[0]
    if head == "*":
        return any(_match_slowly(name[i:], pattern[1:]) for i in range(len(name) + 1))
    if not name:
        return False
    return (head == "?" or head == name[0]) and _match_slowly(name[1:], pattern[1:])


def expand_include(pattern: str, read: "list[str | None] | None" = None) -> "list[str]":
    """The files an ld.so.conf `include` pattern names, sorted, as glob would find them.
    read: see ld_so_conf_dirs."""
    directory, base = os.path.split(pattern)
    if "[" in pattern or any(c in directory for c in "*?"):
        import glob  # rare patterns: the general tool

        if read is not None:
            read.append(None)  # what glob looked at is not known: no snapshot
        return sorted(glob.glob(pattern))
    if "*" not in base and "?" not in base:
        if read is not None:
            read.append(pattern)
        return [pattern] if os.path.exists(pattern) else []
    if read is not None:
        read.append(directory or ".")
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return []
    # glob skips hidden files unless the pattern itself starts with a dot.
    hidden = base[:1] == "."
    return sorted(
        os.path.join(directory, n)
        for n in names
        if (hidden or n[:1] != ".") and _wildcard_match(n, base)
    )


def ld_so_conf_dirs(
    path: str = "/etc/ld.so.conf", depth: int = 0, read: "list[str | None] | None" = None
) -> "list[str]":
    """The directories listed in ld.so.conf, following `include` patterns. read, when given,
    gets every file this reads and every directory it lists (None for a pattern left to
    glob): what a snapshot of the answer must find unchanged to stay true."""
    out: list[str] = []
    if read is not None:
        read.append(path)
    data = os.read_file(path, _CONF_BYTES)
    if data is None:
        return out
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("include"):
            if depth >= 8:
                continue  # an include loop: what it names is no directory either
            pattern = line[len("include") :].strip()
            if not os.path.isabs(pattern):
                pattern = os.path.join(os.path.dirname(path), pattern)
            for inc in expand_include(pattern, read):
                out += ld_so_conf_dirs(inc, depth + 1, read)
        elif line.startswith("hwcap"):
            continue
        else:
            out.append(line.split("=", 1)[0].rstrip("/") or "/")
    return out


def _stamp(path: str) -> "tuple[int, int]":
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def conf_snapshot(conf: str = "/etc/ld.so.conf") -> "ConfSnapshot | None":
    """ld.so.conf's directories with what proves them current (see snapshot.py), or None
    when that cannot be told (an include pattern only glob can expand)."""
    read: list[str | None] = []
    found = ld_so_conf_dirs(conf, 0, read)
    stamps = []
    for path in read:
        if path is None:
            return None
        stamps.append((path, *_stamp(path)))
    return (conf, tuple(found), tuple(dict.fromkeys(stamps)))


def snapshot_dirs(snapshot: "ConfSnapshot | None", conf: str) -> "tuple[str, ...] | None":
    """The snapshot's directories while every file and directory it was read from is as it
    was (one stat each, in place of reading and parsing them all); else None."""
    if snapshot is None or snapshot[0] != conf:
        return None
    for path, mtime, size in snapshot[2]:
        if _stamp(path) != (mtime, size):
            return None
    return snapshot[1]


def library_names(directory: str) -> "frozenset[str]":
    """The names in directory that look like shared libraries (`lib*.so*`); none when it
    cannot be read."""
    try:
        names = os.listdir(directory)
    except (OSError, ValueError):
        return frozenset()
    return frozenset(n for n in names if n[:3] == "lib" and ".so" in n)


def _identity(path: str) -> "tuple[int, int] | None":
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


_BUILTIN_ALL = frozenset(
    (*_BUILTIN, *(f"{base}/{triple}" for base in ("/lib", "/usr/lib") for triple in MULTIARCH))
)


def is_system_dir(path: str) -> bool:
    """Whether a directory is one of glibc's built-in ones, a compiler's private tree or a
    cross toolchain's root, known by name alone (no file is read)."""
    return path in _BUILTIN_ALL or path.startswith(_PRIVATE_PREFIXES) or _in_cross_root(path)


def default_dir_checker(conf: str = "/etc/ld.so.conf") -> "Callable[[str], bool]":
    """Whether a directory is one the loader searches by itself (or a compiler's own).

    glibc's built-in directories are known by name (their symlinked spellings are in the
    list too). ld.so.conf is read only for a directory that is none of those (a link against
    system libraries alone never reads it), and its directories are recognised by name or,
    through symlinks, by identity: device and inode, one stat per directory, where resolving
    every name would cost a call per path component."""

    conf_dirs: set[str] = set()
    ids: set[tuple[int, int]] = set()
    read: list[bool] = []  # empty until ld.so.conf has been read

    def is_default(path: str) -> bool:
        if is_system_dir(path):
            return True
        if not read:
            read.append(True)
            known = snapshot_dirs(LD_SO_CONF, conf)
            conf_dirs.update(ld_so_conf_dirs(conf) if known is None else known)
            ids.update(i for i in map(_identity, conf_dirs) if i is not None)
        if path in conf_dirs:
            return True
        found = _identity(path) if ids else None
        return found is not None and found in ids

    return is_default


_SCRIPT_BYTES = 4096  # glibc's libc.so names its format in the first few hundred bytes
_SCRIPT_MAX = 1 << 16  # a linker script standing in for a library is a few lines


def file_head(path: str) -> "bytes | None":
    """A file's first 64 bytes, or its first 4 KiB when it is not ELF (a linker script)."""
    # An ELF header says it all in 20 bytes; only a script (rare) is read further.
    head = os.read_file(path, 64)
    if head is not None and head[:4] != b"\x7fELF" and len(head) == 64:
        head = os.read_file(path, _SCRIPT_BYTES)
    return head


def file_target(path: str) -> "tuple[int, int, int] | None":
    """The target a library file is for (see targets.of_bytes)."""
    head = file_head(path)
    return None if head is None else of_bytes(head)
