"""File access for the loader emulation, optionally confined to a root dir.

Everything the emulator learns from disk goes through :class:`FileSystem`,
which memoises results (one ``check`` over many files opens libc once).
Paths handed in and out are always paths *inside* the emulated root.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import Optional

from .elf import ElfInfo, IdentResult, NotElfError, Target, Verdict, check_ident, read_elf

FileId = tuple[int, int]


@dataclass(frozen=True)
class Probe:
    """Outcome of the loader opening one candidate path."""

    kind: str  # "ok", "missing", "abandon", "wrong_class", "wrong_machine", "fatal"
    message: str = ""
    file_id: Optional[FileId] = None
    setuid: bool = False


class FileSystem:
    """The files the loader sees: this machine's; or, with ``root``, those of a system
    installed under it (nothing outside); or, with ``overlay``, this machine's with a
    staging directory laid over it (``make install DESTDIR=DIR``: a path the staging
    directory holds is taken from there, any other from this machine)."""

    def __init__(
        self, root: Optional[str] = None, cwd: Optional[str] = None, overlay: Optional[str] = None
    ) -> None:
        self.root = os.path.abspath(root) if root else None
        self.overlay = os.path.abspath(overlay) if overlay and not root else None
        self.cwd = cwd if cwd is not None else ("/" if root else os.getcwd())
        self._hosts: dict[str, str] = {}
        self._heads: dict[str, tuple[Optional[bytes], int, Optional[FileId], bool]] = {}
        self._elves: dict[FileId, ElfInfo] = {}
        self._elf_paths: dict[str, ElfInfo] = {}  # host path -> its parsed facts
        self._real: dict[str, str] = {}
        self._probes: dict[tuple[str, Target], Probe] = {}
        self._placed: dict[str, str] = {}  # emulated path -> host file, outside the root

    def place(self, path: str, host_file: str) -> None:
        """Make the host file host_file appear at the emulated absolute path (a file built on
        this machine, outside the root, checked as if installed there)."""
        self._placed[path] = host_file

    def absolute(self, path: str) -> str:
        """Absolute emulated path, joined to the CWD without normalising."""
        if path.startswith("/"):
            return path
        if path.startswith("./"):
            path = path[2:]
        return os.path.join(self.cwd, path)

    def host(self, path: str) -> str:
        """Host path for an emulated path, resolving symlinks inside the root."""
        path = self.absolute(path)
        if self.root is None:
            return path if self.overlay is None else self._staged(path)
        return self._placed.get(path) or self.root + self._resolve_in_root(path)

    def _staged(self, path: str) -> str:
        """Under an overlay: the staged copy of path when there is one, else the path."""
        known = self._hosts.get(path)
        if known is None:
            assert self.overlay is not None
            real = self._resolve_overlay(path)
            staged = self.overlay + real
            known = self._hosts[path] = staged if os.path.lexists(staged) else real
        return known

    def _resolve_overlay(self, path: str, depth: int = 0) -> str:
        """path with its symlinks resolved, each component looked up in the staging
        directory first (an absolute link there points into the installed system)."""
        assert self.overlay is not None
        parts = [p for p in path.split("/") if p]
        done = ""
        for i, part in enumerate(parts):
            if part == ".":
                continue
            if part == "..":
                done = os.path.dirname(done) if done else ""
                continue
            candidate = done + "/" + part
            staged = self.overlay + candidate
            full = staged if os.path.lexists(staged) else candidate
            if os.path.islink(full) and depth < 40:
                target = os.readlink(full)
                rest = "/".join(parts[i + 1 :])
                base = target if target.startswith("/") else (done or "") + "/" + target
                return self._resolve_overlay(base + ("/" + rest if rest else ""), depth + 1)
            done = candidate
        return done or "/"

    def _resolve_in_root(self, path: str, depth: int = 0) -> str:
        assert self.root is not None
        parts = [p for p in path.split("/") if p]
        done = ""
        for i, part in enumerate(parts):
            if part == ".":
                continue
            if part == "..":
                done = os.path.dirname(done) if done else ""
                continue
            candidate = done + "/" + part
            full = self.root + candidate
            if os.path.islink(full) and depth < 40:
                target = os.readlink(full)
                rest = "/".join(parts[i + 1 :])
                base = target if target.startswith("/") else (done or "") + "/" + target
                return self._resolve_in_root(base + ("/" + rest if rest else ""), depth + 1)
            done = candidate
        return done or "/"

    def realpath(self, path: str) -> str:
        """The path with symlinks resolved (inside the root), memoised: one check of a tree
        asks it of the same directories for every file."""
        path = self.absolute(path)
        real = self._real.get(path)
        if real is None:
            if self.root is not None:
                real = self._resolve_in_root(path)
            elif self.overlay is not None:
                real = self._resolve_overlay(path)
            else:
                real = os.path.realpath(path)
            self._real[path] = real
        return real

    def _head(self, path: str) -> tuple[Optional[bytes], int, Optional[FileId], bool]:
        """First 64 bytes (or None), open errno, file id, set-user-ID bit."""
        hp = self.host(path)
        cached = self._heads.get(hp)
        if cached is not None:
            return cached
        try:
            fd = os.open(hp, os.O_RDONLY)
        except OSError as exc:
            result: tuple[Optional[bytes], int, Optional[FileId], bool] = (
                None,
                exc.errno or errno.EIO,
                None,
                False,
            )
        else:
            try:
                st = os.fstat(fd)
                fid = (st.st_dev, st.st_ino)
                suid = bool(st.st_mode & stat.S_ISUID)
                try:
                    data = os.read(fd, 64)
                    result = (data, 0, fid, suid)
                except OSError as exc:
                    result = (None, exc.errno or errno.EIO, fid, suid)
            finally:
                os.close(fd)
        self._heads[hp] = result
        return result

    def probe(self, path: str, want: Target) -> Probe:
        key = (path, want)
        known = self._probes.get(key)
        if known is None:
            known = self._probes[key] = self._probe(path, want)
        return known

    def _probe(self, path: str, want: Target) -> Probe:
        data, err, fid, suid = self._head(path)
        if data is None and fid is None:
            if err in (errno.ENOENT, errno.EACCES):
                return Probe("missing", os.strerror(err))
            return Probe("abandon", os.strerror(err))
        if data is None:
            return Probe("fatal", "cannot read file data: " + os.strerror(err), fid)
        res: IdentResult = check_ident(data, want)
        kinds = {
            Verdict.OK: "ok",
            Verdict.WRONG_CLASS: "wrong_class",
            Verdict.WRONG_MACHINE: "wrong_machine",
            Verdict.FATAL: "fatal",
        }
        return Probe(kinds[res.verdict], res.message, fid, suid)

    def elf(self, path: str) -> ElfInfo:
        """Parsed dynamic info, memoised per path and per file (device, inode)."""
        hp = self.host(path)
        known = self._elf_paths.get(hp)
        if known is not None:
            return known
        with open(hp, "rb") as fh:
            st = os.fstat(fh.fileno())
            fid = (st.st_dev, st.st_ino)
            info = self._elves.get(fid)
            if info is None:
                info = read_elf(fh)
                self._elves[fid] = info
        self._elf_paths[hp] = info
        return info

    def is_dir(self, path: str) -> bool:
        return os.path.isdir(self.host(path))

    def file_id(self, path: str) -> Optional[FileId]:
        return self._head(path)[2]

    def read_text(self, path: str) -> Optional[str]:
        try:
            with open(self.host(path), encoding="utf-8", errors="surrogateescape") as fh:
                return fh.read()
        except OSError:
            return None


__all__ = ["FileId", "FileSystem", "NotElfError", "Probe"]
