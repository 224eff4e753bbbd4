"""``ldwrap fixup --shrink``: trim RUNPATH/RPATH entries that provide nothing, in files that
are already built.

Every absolute entry is a candidate (the rules are `link.shrink.entries_to_keep`'s, the edit
`link.trim`'s): it goes when it provides none of the file's DT_NEEDED libraries (for
DT_RPATH, none of the libraries needed through it, transitively). Files are replaced
atomically (a temporary file in the same directory, fsync'd, given the old mode and owner,
renamed over the old one), so a program that is running or being read never sees a half-
written file. Never on the shim's hot path.

A file in a Nix store is never edited (see `storeguard`): such a path is bad input.

Exit status, like ``ldwrap check``: 0 nothing wrong, 1 some file could not be fixed (the edit
was unsafe, or the file is corrupt or could not be written), 2 bad input (a missing path, a
path in a Nix store).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TextIO

from .atomic import write_atomic
from .link.trim import (
    ERROR,
    NO_RUNPATH,
    NOT_ELF,
    REFUSED,
    SHRUNK,
    UNCHANGED,
    ShrinkResult,
    plan_shrink,
)
from .storeguard import guard_from_env, path_refusal

__all__ = ["fixup", "fixup_file", "iter_files", "replace_bytes"]


class Tally:
    """Counts over one run, for the summary lines."""

    __slots__ = ("failed", "missing", "non_elf", "other", "symlinks")

    def __init__(self) -> None:
        self.non_elf = 0  # regular files that are not ELF
        self.symlinks = 0  # symlinked files met while walking a directory
        self.other = 0  # fifos, sockets, devices met while walking
        self.failed = 0  # files that could not be fixed
        self.missing = 0  # paths on the command line that do not exist


def iter_files(path: str, tally: Tally) -> Iterator[str]:
    """The regular files under path (path itself when it is a file).

    A path named on the command line is followed when it is a symlink. Inside a directory,
    symlinks are not followed: a symlinked directory would be walked twice or lead outside the
    tree, and a symlinked file is either processed under its own name or lies outside.
    """
    if not os.path.isdir(path):
        if stat.S_ISREG(os.stat(path).st_mode):
            yield os.path.realpath(path) if os.path.islink(path) else path
        else:
            tally.other += 1
        return
    for root, dirs, files in os.walk(path, followlinks=False):
        dirs.sort()
        # os.walk lists symlinks to directories among dirs and does not descend into them.
        tally.symlinks += sum(1 for d in dirs if os.path.islink(os.path.join(root, d)))
        for name in sorted(files):
            full = os.path.join(root, name)
            try:
                mode = os.lstat(full).st_mode
            except OSError:
                continue  # vanished while walking
            if stat.S_ISLNK(mode):
                tally.symlinks += 1
            elif stat.S_ISREG(mode):
                yield full
            else:
                tally.other += 1


def replace_bytes(path: str, offset: int, old: bytes, new: bytes) -> None:
    """Replace path by a copy whose bytes at offset are new instead of old, atomically, with
    path's mode and owner. Raises OSError, or ValueError when the bytes at offset are not old
    any more (the file changed since it was read)."""
    st = os.stat(path)
    with open(path, "rb") as f:
        content = bytearray(f.read())
    if content[offset : offset + len(old)] != old:
        raise ValueError("the file changed while it was being fixed")
    content[offset : offset + len(new)] = new
    owner = (st.st_uid, st.st_gid)
    write_atomic(os.path.abspath(path), bytes(content), stat.S_IMODE(st.st_mode), owner)


def fixup_file(path: str, dry_run: bool) -> tuple[ShrinkResult, str | None]:
    """Shrink one file; the result and the report line (None for a non-ELF file)."""
    result = plan_shrink(path)
    status = result.status
    if status == NOT_ELF:
        return result, None
    if status == SHRUNK:
        removed = ", ".join(result.removed)
        if dry_run:
            return result, f"{path}: would remove {removed}"
        try:
            replace_bytes(path, result.offset, result.before, result.new)
        except (OSError, ValueError) as e:
            result.status = ERROR
            result.reason = f"cannot write: {getattr(e, 'strerror', None) or e}"
            return result, f"{path}: skipped: {result.reason}"
        return result, f"{path}: removed {removed}"
    if status in (UNCHANGED, NO_RUNPATH):
        return result, f"{path}: unchanged"
    if status == REFUSED:
        wanted = ", ".join(result.removed)
        return result, f"{path}: skipped: {result.reason} (would remove {wanted})"
    return result, f"{path}: skipped: {result.reason}"  # NOT_DYNAMIC (fine), ERROR (not)


def fixup(
    paths: Sequence[str],
    dry_run: bool,
    out: TextIO,
    err: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run ``ldwrap fixup --shrink [--dry-run] PATH...``; report to out, errors to err
    (default stderr). Returns the exit status: 0, 1 (some file not fixed), 2 (bad input: a
    missing path, or one in a Nix store; env, default os.environ, says where the stores are
    and which outputs a running Nix build may still change)."""
    if err is None:
        err = sys.stderr
    guard = guard_from_env(os.environ if env is None else env)
    tally = Tally()
    status = 0
    seen: set[str] = set()
    for path in paths:
        if not os.path.exists(path):
            print(f"ldwrap fixup: error: {path}: no such file or directory", file=err)
            tally.missing += 1
            status = 2
            continue
        refused = path_refusal(guard, path)
        if refused is not None:
            print(f"ldwrap fixup: error: {path}: {refused}", file=err)
            status = 2
            continue
        for file in iter_files(path, tally):
            key = os.path.realpath(file)
            if key in seen:
                continue
            seen.add(key)
            result, line = fixup_file(file, dry_run)
            if line is None:
                tally.non_elf += 1
                continue
            print(line, file=out)
            if result.failed:
                tally.failed += 1
                status = max(status, 1)
    if tally.non_elf:
        print(f"{_count(tally.non_elf, 'non-ELF file')} left alone", file=out)
    if tally.symlinks:
        print(f"{_count(tally.symlinks, 'symlink')} not followed", file=out)
    if tally.other:
        print(f"{_count(tally.other, 'special file')} (fifo, socket, device) left alone", file=out)
    return status


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
