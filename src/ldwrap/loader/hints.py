"""Where a missing library might be: a directory to name in the ``fix:`` hint of ``check``.

Looked at, in this order: the directories of the libraries the file already resolves; the
own directories of the file and of each library it loads (a library's own directory, then
../lib, ../lib64 and ../lib/<multiarch> of each); the environment's LD_LIBRARY_PATH and
LIBRARY_PATH and the -L directories of NIX_LDFLAGS*; then the allowed rpath prefixes of the
link configuration (NIX_STORE, LDWRAP_RPATH_PREFIXES, or /nix/store where one exists and
neither is set): the prefix itself, its lib/ and lib64/, and those of each directory in it
(a store path). A file counts only if the loader would take it (right class and machine).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Optional

from ..link.config import HOST_STORE, Config
from .config import multiarch
from .elf import Target
from .fs import FileSystem
from .resolve import RPATH, RUNPATH, Edge, LoadResult
from .startup import own_dirs

_LIB_DIRS = ("lib", "lib64")


def _env_dirs(env: Mapping[str, str]) -> Iterator[str]:
    for var in ("LD_LIBRARY_PATH", "LIBRARY_PATH"):
        yield from (d for d in (env.get(var) or "").split(":") if d.startswith("/"))
    for var in sorted(env):
        if var.startswith("NIX_LDFLAGS"):
            words = env[var].split()
            for i, word in enumerate(words):
                if word == "-L" and i + 1 < len(words):
                    yield words[i + 1]
                elif word.startswith("-L/"):
                    yield word[2:]


def _prefix_dirs(prefix: str, fs: FileSystem) -> Iterator[str]:
    yield prefix
    yield from (os.path.join(prefix, sub) for sub in _LIB_DIRS)
    try:
        entries = sorted(e.name for e in os.scandir(fs.host(prefix)) if e.is_dir())
    except OSError:
        return
    for name in entries:
        yield from (os.path.join(prefix, name, sub) for sub in _LIB_DIRS)


def _own_dirs(result: LoadResult) -> Iterator[str]:
    """Where the requesters' own prefixes keep libraries (a library's own directory, then
    $ORIGIN/../lib, ../lib64, ../lib/<multiarch>): a plugin installed beside the library it
    misses."""
    triplet = multiarch(result.config.target)
    for i, obj in enumerate(result.objects):
        yield from own_dirs(obj.origin, i > 0 or obj.info.interp is None, triplet)


def candidate_dirs(result: LoadResult, env: Mapping[str, str], fs: FileSystem) -> Iterator[str]:
    """Directories to look for a missing library in, best first, without repeats."""
    seen: set[str] = set()

    def fresh(dirs: Iterator[str]) -> Iterator[str]:
        for d in dirs:
            d = os.path.normpath(d)
            if d not in seen:
                seen.add(d)
                yield d

    yield from fresh(os.path.dirname(e.path) for e in result.edges if e.loaded and e.path)
    yield from fresh(_own_dirs(result))
    yield from fresh(_env_dirs(env))
    config = Config.from_env(env)
    prefixes = config.prefixes
    if config.rule_why == HOST_STORE:
        prefixes = ("/nix/store",)  # beside a distribution, store paths get rpaths too
    for prefix in prefixes:
        yield from fresh(_prefix_dirs(prefix, fs))


def find_library(name: str, dirs: Iterable[str], fs: FileSystem, target: Target) -> Optional[str]:
    """The first directory of ``dirs`` holding a file ``name`` that the loader would take."""
    for d in dirs:
        if fs.probe(os.path.join(d, name), target).kind == "ok":
            return d
    return None


def fix_dirs(
    result: LoadResult, env: Mapping[str, str], fs: FileSystem
) -> dict[int, Optional[str]]:
    """For each missing need searched by name (by index in result.edges): a directory that
    holds it, or None. The candidate list is built once, and only when something is missing."""
    wanted = [i for i, e in enumerate(result.edges) if needs_fix(e)]
    if not wanted:
        return {}
    dirs = list(candidate_dirs(result, env, fs))
    target = result.config.target
    fixes: dict[int, Optional[str]] = {}
    for i in wanted:
        name = result.edges[i].lookup_name or result.edges[i].name
        on_host = on_this_machine(result.edges[i], name, fs, target)
        fixes[i] = on_host or find_library(name, dirs, fs, target)
    return fixes


def on_this_machine(edge: Edge, name: str, fs: FileSystem, target: Target) -> Optional[str]:
    """Under --root: the first RPATH/RUNPATH directory of the need that holds the library on
    this machine but not inside the root (a program linked here against a library built here:
    qemu-user -L falls back to this machine's files, the target system will not)."""
    if fs.root is None:
        return None
    host = FileSystem()
    for s in edge.searched:
        if s.source in (RPATH, RUNPATH):
            for d in s.dirs:
                if host.probe(os.path.join(d, name), target).kind == "ok":
                    return d
    return None


def in_own_search_path(edge: Edge, directory: str) -> bool:
    """Whether directory is one of the need's own RPATH/RUNPATH entries (then the link was
    right and only the library is missing where the file is judged)."""
    return any(directory in s.dirs for s in edge.searched if s.source in (RPATH, RUNPATH))


def needs_fix(edge: Edge) -> bool:
    """A need that a search path could satisfy: missing, searched by name, not fatal."""
    return edge.missing and not edge.fatal and bool(edge.searched)
