"""``ldwrap check`` on directories: walk the trees, judge every ELF file found, and collect
each file's findings (loader.audit's rules) and the counts for the summary.

A directory is walked recursively in name order; symbolic links inside it are not followed
(a link to a file of the tree is that file again; one to elsewhere is not the tree's), and
files that are not ELF are skipped and counted. ELF files that the loader never loads
(relocatable objects, core files, separate debug information) and files for another machine
(without --root) are counted too. A file named on the command line is judged as ``check
FILE`` judges it: bad input there is an error, as it is without a directory.

One resolver serves every file, so each library, directory and ld.so.cache lookup is read
once for the whole run (loader.fs memoises them).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ..link.targets import ELFMAG, ET_DYN, ET_EXEC
from .audit import BAD_ELF, load_findings, own_findings
from .elf import Target, is_debug_companion, target_of
from .finding import Finding
from .fs import FileId, FileSystem
from .hints import fix_dirs
from .places import Places, normal_dir
from .report import fix_line
from .resolve import InputError, Resolver
from .startup import ForeignFile, Judgement, judge

# The smallest ELF file: a 32-bit header. Smaller files are not read at all (what /proc and
# /sys hold says size 0, and some of it blocks a reader).
SMALLEST_ELF = 52


def _head(path: str) -> tuple[bytes, os.stat_result, bool]:
    """The first 64 bytes of a file (none when it is too small to be ELF), its stat, and
    whether it is separate debug information; never waits on a file that would block a
    reader."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        head = os.read(fd, 64) if st.st_size >= SMALLEST_ELF else b""
        return head, st, head[:4] == ELFMAG and is_debug_companion(fd, head)
    finally:
        os.close(fd)


@dataclass
class Counts:
    """What the walk met, for the summary line."""

    files: int = 0  # regular files: walked, and named on the command line
    symlinks: int = 0  # symbolic links inside the trees, not followed
    elf: int = 0  # ELF files among the files
    judged: int = 0  # ELF files judged: programs and shared libraries of this machine
    not_elf: int = 0  # files that are not ELF (and other kinds: fifos, sockets, devices)
    not_loadable: int = 0  # ELF files the loader never loads: objects, core files, debug info
    foreign: int = 0  # dynamic ELF files for another machine, not judged without --root
    unreadable: int = 0  # files and directories that could not be read (reported)


@dataclass
class FileAudit:
    path: str  # as judged (inside --root when there is one)
    findings: list[Finding] = field(default_factory=list)
    verdict: Judgement | None = None  # None for a file that could not be read
    fixes: dict[int, str | None] = field(default_factory=dict)  # for the JSON's fix_dir


@dataclass(frozen=True)
class _Candidate:
    path: str  # as judged
    explicit: bool  # named on the command line


class _Facts:
    """audit.DirFacts over the run's FileSystem and Places, for files of one target."""

    def __init__(self, fs: FileSystem, places: Places) -> None:
        self.fs = fs
        self.places = places
        self.target: Target | None = None
        self._ids: dict[str, FileId | None] = {}

    def dir_id(self, directory: str) -> FileId | None:
        if directory not in self._ids:
            try:
                st = os.stat(self.fs.host(directory))
                ident = (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None
            except (OSError, ValueError):
                ident = None
            self._ids[directory] = ident
        return self._ids[directory]

    def holds(self, directory: str, name: str) -> bool:
        assert self.target is not None
        return self.fs.probe(os.path.join(directory, name), self.target).kind == "ok"

    def build_reason(self, directory: str) -> str | None:
        return self.places.build_reason(directory)

    def temp_reason(self, directory: str) -> str | None:
        return self.places.temp_reason(directory)


class TreeAudit:
    """One run over the trees and files given."""

    def __init__(
        self,
        resolver: Resolver,
        env_resolver: Resolver | None,
        env: Mapping[str, str],
        error: Callable[[str], None],
        keep_verdicts: bool = False,
    ) -> None:
        self.resolver = resolver
        self.env_resolver = env_resolver
        self.env = env
        self.fs = resolver.fs
        self.places = Places(self.fs, env)
        self.facts = _Facts(self.fs, self.places)
        self.error = error  # told each bad input, one line without the "error:" label
        self.keep_verdicts = keep_verdicts
        self.counts = Counts()
        self.bad_input = False
        self._tree_ids: set[FileId] = set()

    # -- the walk -----------------------------------------------------------------------------
    def _bad(self, text: str) -> None:
        self.bad_input = True
        self.counts.unreadable += 1
        self.error(text)

    def _walk(self, top: str) -> Iterator[str]:
        """Every regular file under top (a path as judged), in name order, links not
        followed."""
        try:
            with os.scandir(self.fs.host(top)) as it:
                found = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self._bad(f"{top}: {exc.strerror or exc}")
            return
        for e in found:
            path = os.path.join(top, e.name)
            try:
                if e.is_symlink():
                    self.counts.symlinks += 1
                elif e.is_dir(follow_symlinks=False):
                    yield from self._walk(path)
                elif e.is_file(follow_symlinks=False):
                    yield path
                else:
                    self.counts.files += 1
                    self.counts.not_elf += 1
            except OSError as exc:
                self._bad(f"{path}: {exc.strerror or exc}")

    def _classify(self, path: str, explicit: bool) -> _Candidate | None:
        """A walked file worth judging, or None (counted): not ELF, not loadable."""
        self.counts.files += 1
        try:
            head, st, debug = _head(self.fs.host(path))
        except OSError as exc:
            if explicit:
                return _Candidate(path, True)  # judge says what is wrong, as without a tree
            self._bad(f"{path}: {exc.strerror or exc}")
            return None
        if head[:4] != ELFMAG:
            self.counts.not_elf += 1
            return _Candidate(path, True) if explicit else None
        self.counts.elf += 1
        target = target_of(head)
        if target is not None and len(head) >= 18:
            e_type = int.from_bytes(head[16:18], "little" if target.data == 1 else "big")
            if e_type not in (ET_EXEC, ET_DYN) or debug:
                self.counts.not_loadable += 1
                return _Candidate(path, True) if explicit else None
        self._tree_ids.add((st.st_dev, st.st_ino))
        return _Candidate(path, explicit)

    def candidates(self, paths: Sequence[tuple[str, bool]]) -> list[_Candidate]:
        """The files to judge, in order: (path, is a directory) for each argument. Every
        file's identity is known before the first is judged, so that a finding about a
        library of the trees is reported once, by that library's own audit."""
        out: list[_Candidate] = []
        for path, is_dir in paths:
            if is_dir:
                self.places.audited.append(normal_dir(os.path.abspath(path)))
            walked = self._walk(path) if is_dir else iter([path])
            for p in walked:
                c = self._classify(p, not is_dir)
                if c is not None:
                    out.append(c)
        return out

    # -- judging ------------------------------------------------------------------------------
    def in_tree(self, path: str) -> bool:
        fid = self.fs.file_id(path)
        return fid is not None and fid in self._tree_ids

    def audit(self, c: _Candidate) -> FileAudit | None:
        """One file's audit, or None when it is skipped (for another machine, counted) or
        bad input (reported)."""
        try:
            verdict = judge(self.resolver, c.path, self.env_resolver, hazard=self.places.hazard)
        except ForeignFile as exc:
            if c.explicit:
                self.bad_input = True
                self.error(str(exc))
            else:
                self.counts.foreign += 1
            return None
        except InputError as exc:
            if c.explicit:
                self.bad_input = True
                self.error(str(exc))
                return None
            why = str(exc)
            why = why[len(c.path) + 2 :] if why.startswith(c.path + ": ") else why
            bad = Finding(BAD_ELF, f"{c.path}: {why}", True, obj=c.path, reason=why)
            return FileAudit(c.path, [bad])
        self.counts.judged += 1
        result = verdict.result
        fixes = fix_dirs(result, self.env, self.fs) if not result.ok else {}
        texts = {
            i: fix_line(result.edges[i], result.file, where)[len("fix: ") :]
            for i, where in fixes.items()
        }
        self.facts.target = result.config.target
        findings = load_findings(verdict, self.in_tree, texts)
        findings += own_findings(result, self.facts)
        kept = verdict if self.keep_verdicts else None
        return FileAudit(result.file, findings, kept, fixes)

    def run(self, paths: Sequence[tuple[str, bool]]) -> Iterator[FileAudit]:
        for c in self.candidates(paths):
            got = self.audit(c)
            if got is not None:
                yield got
