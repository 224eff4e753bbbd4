"""The part of `os` the hot path uses, built on the `posix` C module.

Under `python -I -S` (how the launchers start) nothing has imported `os` yet, and importing it
costs about 1 ms per link: it pulls in _collections_abc, stat and posixpath. The hot-path
modules import this module as `os`; it offers the same names with the same meaning for the
str paths they use. When `os` is already loaded (the CLI, tests, an embedding program) the
environment and exec go through it, so that changes made through `os` are seen.
"""

import posix
import sys

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import NoReturn

F_OK = 0
X_OK = 1
O_RDONLY = posix.O_RDONLY
O_RDWR = posix.O_RDWR
O_NONBLOCK = posix.O_NONBLOCK
O_CLOEXEC = getattr(posix, "O_CLOEXEC", 0)
error = OSError

getcwd = posix.getcwd
listdir = posix.listdir
stat = posix.stat
lstat = posix.lstat
access = posix.access
readlink = posix.readlink
uname = posix.uname
getpid = posix.getpid
_exit = posix._exit
getppid = posix.getppid
kill = posix.kill
waitpid = posix.waitpid
posix_spawn = posix.posix_spawn
unlink = posix.unlink
open = posix.open
close = posix.close
fstat = posix.fstat
read = posix.read
pread = posix.pread
pwrite = posix.pwrite
WIFSIGNALED = posix.WIFSIGNALED
WTERMSIG = posix.WTERMSIG
WIFEXITED = posix.WIFEXITED
WEXITSTATUS = posix.WEXITSTATUS

_FS_ENCODING = sys.getfilesystemencoding()
_S_IFMT = 0o170000
_S_IFDIR = 0o040000
_S_IFREG = 0o100000
_S_IFLNK = 0o120000


def _os() -> "object | None":
    return sys.modules.get("os")


def environ() -> "Mapping[str, str]":
    """The process environment (os.environ when os is loaded, else decoded from posix)."""
    os = _os()
    if os is not None:
        return os.environ  # type: ignore[attr-defined, no-any-return]
    dec = _FS_ENCODING
    return {
        k.decode(dec, "surrogateescape"): v.decode(dec, "surrogateescape")
        for k, v in posix.environ.items()
    }


def execve(path: str, argv: "list[str]", env: "Mapping[str, str]") -> "NoReturn":
    os = _os()
    if os is not None:
        os.execve(path, argv, env)  # type: ignore[attr-defined]
    posix.execve(path, argv, env)
    raise AssertionError("execve returned")  # pragma: no cover


def fsencode(name: str) -> bytes:
    return name.encode(_FS_ENCODING, "surrogateescape")


def fsdecode(name: bytes) -> str:
    return name.decode(_FS_ENCODING, "surrogateescape")


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[posix.write(fd, view) :]


def S_ISDIR(mode: int) -> bool:
    return mode & _S_IFMT == _S_IFDIR


def S_ISREG(mode: int) -> bool:
    return mode & _S_IFMT == _S_IFREG


# posix.read allocates the whole size asked for before reading: past 128 KiB that is a fresh
# mapping (mmap, then mremap and munmap) for a file of a few lines.
_CHUNK = 1 << 16


def read_upto(fd: int, limit: int) -> bytes:
    """Up to limit bytes from fd, to its end."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = posix.read(fd, min(left, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_file(path: str, limit: int) -> "bytes | None":
    """Up to limit bytes of a file, None when it cannot be read: without the io module's
    buffered and text layers, which cost more than the read itself for small files."""
    try:
        fd = posix.open(path, posix.O_RDONLY | O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        data = posix.read(fd, min(limit, _CHUNK))
        return data if len(data) in (0, limit) else data + read_upto(fd, limit - len(data))
    except OSError:
        return None
    finally:
        posix.close(fd)


def _mode(path: str, follow: bool = True) -> int:
    try:
        return (posix.stat(path) if follow else posix.lstat(path)).st_mode
    except (OSError, ValueError):
        return 0


class path:
    """posixpath's functions for str paths."""

    @staticmethod
    def join(a: str, *parts: str) -> str:
        out = a
        for p in parts:
            if p[:1] == "/":
                out = p
            elif not out or out[-1:] == "/":
                out += p
            else:
                out += "/" + p
        return out

    @staticmethod
    def split(p: str) -> "tuple[str, str]":
        i = p.rfind("/") + 1
        head, tail = p[:i], p[i:]
        if head and head != "/" * len(head):
            head = head.rstrip("/")
        return head, tail

    @staticmethod
    def basename(p: str) -> str:
        return p[p.rfind("/") + 1 :]

    @staticmethod
    def dirname(p: str) -> str:
        return path.split(p)[0]

    @staticmethod
    def isabs(p: str) -> bool:
        return p[:1] == "/"

    @staticmethod
    def normpath(p: str) -> str:
        if p[:1] == "/" and "/." not in p and "//" not in p and p[-1:] != "/":
            return p  # already normal (no `.`, `..` or empty component): most paths asked
        if not p:
            return "."
        initial = 1 if p[:1] == "/" else 0
        if initial and p[:2] == "//" and p[:3] != "///":
            initial = 2  # POSIX leaves a leading `//` alone
        out: list[str] = []
        for comp in p.split("/"):
            if comp in ("", "."):
                continue
            if comp != ".." or (not initial and not out) or (out and out[-1] == ".."):
                out.append(comp)
            elif out:
                out.pop()
        joined = "/".join(out)
        return ("/" * initial + joined) or "."

    @staticmethod
    def abspath(p: str) -> str:
        if p[:1] != "/":
            p = path.join(posix.getcwd(), p)
        return path.normpath(p)

    @staticmethod
    def exists(p: str) -> bool:
        return _mode(p) != 0

    @staticmethod
    def lexists(p: str) -> bool:
        return _mode(p, follow=False) != 0

    @staticmethod
    def isdir(p: str) -> bool:
        return _mode(p) & _S_IFMT == _S_IFDIR

    @staticmethod
    def isfile(p: str) -> bool:
        return _mode(p) & _S_IFMT == _S_IFREG

    @staticmethod
    def samefile(a: str, b: str) -> bool:
        sa, sb = posix.stat(a), posix.stat(b)
        return sa.st_ino == sb.st_ino and sa.st_dev == sb.st_dev

    @staticmethod
    def realpath(p: str, modes: "dict[str, int] | None" = None) -> str:
        """posixpath.realpath (non-strict): symlinks resolved, `..` after them; a loop or an
        unreadable link is left as it is from there on. modes, when given, keeps each
        component's lstat answer for the caller's later calls (the -L directories of one
        link share most of their components)."""
        resolved, _ = _join_real("", p, {}, {} if modes is None else modes)
        return path.abspath(resolved)


def _join_real(
    base: str, rest: str, seen: "dict[str, str | None]", modes: "dict[str, int]"
) -> "tuple[str, bool]":
    """posixpath's own walk: rest's components onto base, each symlink followed once."""
    if rest[:1] == "/":
        rest, base = rest[1:], "/"
    while rest:
        name, _, rest = rest.partition("/")
        if not name or name == ".":
            continue
        if name == "..":
            if base:
                base, last = path.split(base)
                if last == "..":
                    base = path.join(base, "..", "..")
            else:
                base = ".."
            continue
        new = path.join(base, name)
        mode = modes.get(new)
        if mode is None:
            mode = modes[new] = _mode(new, follow=False)
        if mode & _S_IFMT != _S_IFLNK:
            base = new
            continue
        if new in seen:
            known = seen[new]
            if known is not None:
                base = known
                continue
            return path.join(new, rest), False  # a loop
        seen[new] = None
        try:
            target = posix.readlink(new)
        except OSError:
            base = new
            continue
        base, ok = _join_real(base, target, seen, modes)
        if not ok:
            return path.join(base, rest), False
        seen[new] = base
    return base, True
