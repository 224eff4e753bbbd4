"""The C compilers on PATH and the targets they build for: which prefixed drop-ins they look
for, and which of those can run a real linker for their target."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from .link.linkers import (
    ALIASES,
    PER_TARGET_NAMES,
    foreign,
    machine_target,
    path_dirs,
    search_path,
    target_linker,
)
from .probe import ask

# clang and clang-NN: their target is this machine's unless -dumpmachine says otherwise.
CLANG = re.compile(r"clang(?:-[0-9.]+)?")
# A target-prefixed driver: aarch64-linux-gnu-gcc, -g++, -cc, -clang, each maybe -NN.
PREFIXED = re.compile(
    r"([A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)+)-(?:gcc|g\+\+|cc|clang|clang\+\+)(?:-[0-9.]+)?"
)
TRIPLE = re.compile(r"[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)+")
TIMEOUT = 30


def drivers(env: Mapping[str, str], pattern: re.Pattern[str]) -> list[str]:
    """Every program on PATH whose name matches pattern, shadowed ones too (each may be run
    by its full path), one per file (links to the same compiler count once)."""
    seen_files: set[str] = set()
    found = []
    for d in path_dirs(env):
        try:
            entries = sorted(os.listdir(d))
        except OSError:
            continue
        for name in entries:
            if not pattern.fullmatch(name):
                continue
            path = os.path.join(d, name)
            if not os.access(path, os.X_OK) or os.path.isdir(path):
                continue
            real = os.path.realpath(path)
            if real not in seen_files:
                seen_files.add(real)
                found.append(path)
    return found


def dumpmachine(path: str, env: Mapping[str, str]) -> str | None:
    """The target a compiler builds for (`-dumpmachine`), or None when it does not say."""
    out = ask([path, "-dumpmachine"], env, TIMEOUT)
    if out is None:
        return None
    triple = out.stdout.strip()
    return triple if out.returncode == 0 and TRIPLE.fullmatch(triple) else None


def is_cross(triple: str, machine: str | None = None) -> bool:
    """Whether this machine's own linkers cannot link for triple (an unknown arch counts as
    another machine's)."""
    target = machine_target(triple.split("-", 1)[0])
    return target is None or foreign(target, machine)


def clang_triples(env: Mapping[str, str]) -> tuple[str, ...]:
    """The targets of every clang and clang-NN on PATH.

    clang takes `<triple>-ld` (`-ld.lld`, ...) from PATH before the plain name from its own
    directory, so only the prefixed drop-ins put ldwrap in front of it."""
    triples = (dumpmachine(p, env) for p in drivers(env, CLANG))
    return tuple(dict.fromkeys(t for t in triples if t))


def cross_compilers(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(path, triple) of every target-prefixed compiler on PATH that builds for another
    machine (aarch64-linux-gnu-gcc on x86_64, say)."""
    found = []
    for path in drivers(env, PREFIXED):
        triple = dumpmachine(path, env)
        if triple and is_cross(triple):
            found.append((path, triple))
    return found


def servable(triple: str, names: tuple[str, ...], env: Mapping[str, str]) -> tuple[str, ...]:
    """Of names, those a `<triple>-name` drop-in can run a real linker for: all of them for
    this machine's own targets; for another machine's, bfd and gold where that target's own
    exists and lld and mold where they are installed (they serve every target)."""
    if not is_cross(triple):
        return names
    out = []
    for name in names:
        if name in PER_TARGET_NAMES:
            ok = target_linker(name, (triple,), env) is not None
        else:
            ok = any(search_path(n, env) for n in (name, *ALIASES.get(name, ())))
        if ok:
            out.append(name)
    return tuple(out)
