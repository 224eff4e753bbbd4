"""The system's copies of the stack's libraries, taken away in a mount namespace.

Every directory the loader may search (its default directories and every directory
`ldconfig -p` lists) that holds a file named after one of the sonames (`libz.so.1`,
`libz.so.1.2.13`, ...) gets a stand-in: a directory of symlinks to everything else in it,
bound over it, while the original stays reachable through a second bind mount elsewhere.
The loader then finds no copy, in its cache or in its directories, and fails as on a
machine without the library: `libz.so.1: cannot open shared object file: No such file or
directory`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .namespace import Mount, bind

# glibc's default directories on x86_64 Debian, and those of the aarch64 cross root that
# qemu-aarch64 -L /usr/aarch64-linux-gnu maps to / for the cross programs.
DEFAULT_DIRS = (
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
    "/usr/local/lib",
    "/usr/aarch64-linux-gnu/lib",
)


def loader_dirs() -> list[Path]:
    """The directories the loader may take a library from, resolved, each once."""
    p = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False)
    listed = [os.path.dirname(m) for m in re.findall(r"=> (/\S+)$", p.stdout, re.M)]
    out: list[Path] = []
    for d in [*DEFAULT_DIRS, *listed]:
        r = Path(os.path.realpath(d))
        if r.is_dir() and r not in out:
            out.append(r)
    return out


def hidden_names(names: Iterable[str], sonames: frozenset[str], directory: Path) -> set[str]:
    """The entries of directory that are a copy of one of sonames: the soname itself, a
    longer version of it (`libz.so.1.2.13`), and symlinks that lead to one of those."""
    names = list(names)
    hidden = {n for n in names for s in sonames if n == s or n.startswith(s + ".")}
    grew = True
    while grew:
        grew = False
        for n in names:
            if n in hidden:
                continue
            p = directory / n
            if p.is_symlink():
                target = Path(os.path.realpath(p))
                if target.parent == directory and target.name in hidden:
                    hidden.add(n)
                    grew = True
    # The files the hidden symlinks lead to go too.
    for n in list(hidden):
        p = directory / n
        if p.is_symlink():
            target = Path(os.path.realpath(p))
            if target.parent == directory:
                hidden.add(target.name)
    return hidden


@dataclass(frozen=True)
class Hiding:
    sonames: frozenset[str]
    hidden: dict[Path, tuple[str, ...]]  # directory -> the entries taken away
    mounts: tuple[Mount, ...]


def make_hiding(work: Path, sonames: frozenset[str], dirs: Iterable[Path] | None = None) -> Hiding:
    """Stand-in directories under work (made once) and the mounts that put them in place:
    first every original on its second place, then the stand-ins over the originals."""
    work.mkdir(parents=True, exist_ok=True)
    originals: list[Mount] = []
    standins: list[Mount] = []
    hidden: dict[Path, tuple[str, ...]] = {}
    for i, d in enumerate(loader_dirs() if dirs is None else dirs):
        names = os.listdir(d)
        gone = hidden_names(names, sonames, d)
        if not gone:
            continue
        orig, shadow = work / f"orig{i}", work / f"standin{i}"
        if shadow.exists():
            shutil.rmtree(shadow)
        orig.mkdir(exist_ok=True)
        shadow.mkdir()
        for n in names:
            if n not in gone:
                (shadow / n).symlink_to(orig / n)
        hidden[d] = tuple(sorted(gone))
        originals.append(bind(d, orig))
        standins.append(bind(shadow, d))
    return Hiding(sonames, hidden, (*originals, *standins))
