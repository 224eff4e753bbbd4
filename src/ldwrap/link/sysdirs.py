"""The directories the loader searches by itself, for the default mode, where any other
directory gets an rpath: glibc's built-in ones, known by name, and those in /etc/ld.so.conf
(read at install into the bundle's snapshot, snapshot.py, trusted while nothing it was read
from changed).
"""

from . import oslite as os
from .snapshot import LD_SO_CONF
from .targets import MULTIARCH

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable

    from .snapshot import ConfSnapshot

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
