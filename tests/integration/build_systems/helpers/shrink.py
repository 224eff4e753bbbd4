"""What LDWRAP_SHRINK and `ldwrap fixup --shrink` must leave: the entries ldwrap added that
provide nothing needed, the counts for the session summary, and fixup against
`patchelf --shrink-rpath`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .case import Installed
from .elf import dynamic_strings, elf_files, needed


@dataclass
class ShrinkTally:
    """Counts over a session, printed at its end (see conftest.pytest_terminal_summary)."""

    outputs: int = 0  # ELF files with RUNPATH checked in LDWRAP_SHRINK=1 builds
    installed: int = 0  # of those, installed ones
    added: int = 0  # entries ldwrap added in the same files, built without LDWRAP_SHRINK
    trimmed: int = 0  # of those, the entries LDWRAP_SHRINK=1 took out again
    compared: int = 0  # installed files given to both `fixup --shrink` and patchelf
    fixup_removed: int = 0  # entries `ldwrap fixup --shrink` removed from them
    patchelf_removed: int = 0  # entries `patchelf --shrink-rpath` removed from them
    identical: int = 0  # files both left with the same RUNPATH
    later_providers: int = 0  # entries patchelf removed and fixup kept by design (see below)
    rpath_files: int = 0  # files with DT_RPATH rather than DT_RUNPATH

    def lines(self) -> list[str]:
        out = []
        if self.outputs:
            out += [
                f"LDWRAP_SHRINK=1 builds: {self.outputs} ELF files with RUNPATH checked "
                f"({self.installed} installed), none with an unneeded entry of ldwrap's",
                f"  the same files without LDWRAP_SHRINK: {self.added} RUNPATH entries added "
                f"by ldwrap, of which LDWRAP_SHRINK=1 trimmed {self.trimmed}",
            ]
        if self.compared:
            out += [
                f"fixup --shrink vs patchelf --shrink-rpath: {self.compared} installed files, "
                f"{self.identical} with the same RUNPATH; removed {self.fixup_removed} "
                f"entries (fixup) and {self.patchelf_removed} (patchelf); "
                f"{self.later_providers} later directories that provide only libraries an "
                f"earlier one provides kept by fixup, removed by patchelf",
            ]
        if out:
            out.append(f"files with DT_RPATH rather than DT_RUNPATH: {self.rpath_files}")
        return out


TALLY = ShrinkTally()


def search_path(path: Path) -> tuple[str, list[str]]:
    """("DT_RUNPATH" or "DT_RPATH", its entries) as glibc reads them (DT_RPATH only without
    DT_RUNPATH); ("", []) when the file has neither."""
    for tag in ("DT_RUNPATH", "DT_RPATH"):
        values = dynamic_strings(path, tag)
        if values:
            return tag, values[0].split(":")
    return "", []


def provided(entry: str, names: Iterable[str]) -> list[str]:
    """The names a loader would find in entry (an absolute directory)."""
    return [n for n in names if "/" not in n and os.path.isfile(os.path.join(entry, n))]


def needed_through(path: Path, tag: str, entries: Sequence[str]) -> set[str]:
    """The libraries the loader looks for through path's entries: its DT_NEEDED and, for
    DT_RPATH (which also serves the libraries those load), what they need in turn."""
    names = set(needed(path))
    todo = list(names) if tag == "DT_RPATH" else []
    while todo:
        name = todo.pop()
        for e in entries:
            if e[:1] == "/" and provided(e, [name]):
                for n in needed(Path(e) / name):
                    if n not in names:
                        names.add(n)
                        todo.append(n)
                break
    return names


def added_by_ldwrap(inst: Installed, entries: Sequence[str]) -> list[str]:
    """The entries ldwrap added: absolute, no `$` token, outside the build trees (ldwrap never
    adds those), and not spelled as the build system spells its own (its build rpath and the
    outputs' install rpath; where ldwrap copies such a directory it spells it `DIR/`)."""
    own = set(inst.build_rpath)
    for o in inst.outputs:
        own.update(o.own)
    trees = [str(t) for t in inst.build_trees]
    return [
        e
        for e in entries
        if e[:1] == "/"
        and "$" not in e
        and e not in own
        and not any(e == t or e.startswith(t + "/") for t in trees)
    ]


def dynamic_files(inst: Installed) -> list[Path]:
    """Every ELF file with a RUNPATH or RPATH, installed or in a build tree."""
    return [
        f for root in [*inst.roots, *inst.build_trees] for f in elf_files(root) if search_path(f)[0]
    ]


def unneeded_added(inst: Installed) -> list[tuple[Path, str]]:
    """(file, entry) for each entry ldwrap added that provides none of the libraries the file
    looks for through it."""
    out = []
    for f in dynamic_files(inst):
        tag, entries = search_path(f)
        names = needed_through(f, tag, entries)
        out += [(f, e) for e in added_by_ldwrap(inst, entries) if not provided(e, names)]
    return out


def count_trimmed(plain: Installed, shrunk: Installed) -> None:
    """Add to TALLY the entries ldwrap added to each file of `plain` (built without
    LDWRAP_SHRINK) and how many of them the same file of `shrunk` no longer has."""
    for f in dynamic_files(shrunk):
        rel = f.relative_to(shrunk.build.work)
        before = plain.build.work / rel
        if not before.exists():
            continue
        TALLY.outputs += 1
        TALLY.installed += any(f.is_relative_to(r) for r in shrunk.roots)
        TALLY.rpath_files += search_path(f)[0] == "DT_RPATH"
        n_before = len(added_by_ldwrap(plain, search_path(before)[1]))
        n_after = len(added_by_ldwrap(shrunk, search_path(f)[1]))
        TALLY.added += n_before
        TALLY.trimmed += n_before - n_after


def patchelf_differences(original: Path, fixed: Path, patched: Path) -> tuple[list[str], int]:
    """How `ldwrap fixup --shrink` (fixed) and `patchelf --shrink-rpath` (patched) left the
    same file: problems, and the number of entries patchelf removed and fixup kept by design.

    Both keep relative and `$ORIGIN` entries and keep an absolute one when it holds a needed
    library; both test `DIR + "/" + name`, so a trailing slash changes nothing and the entries
    are compared as written. patchelf also removes a directory whose libraries an earlier
    entry already provides (the loader takes the first); fixup keeps every providing
    directory. For DT_RPATH, fixup also counts what the needed libraries need in turn."""
    tag, entries = search_path(original)
    tag_f, kept_f = search_path(fixed)
    tag_p, kept_p = search_path(patched)
    problems = []
    if (tag_f, tag_p) != (tag, tag):
        problems.append(f"dynamic tag {tag} became {tag_f} (fixup) and {tag_p} (patchelf)")
    names = needed_through(original, tag, entries) if tag == "DT_RPATH" else set(needed(original))
    found: set[str] = set()
    later = 0
    j = 0
    for e in kept_f:
        libs = set(provided(e, names)) if e[:1] == "/" else set()
        if j < len(kept_p) and kept_p[j] == e:
            j += 1
        elif libs and libs <= found:
            later += 1
        else:
            problems.append(
                f"fixup kept {e!r} (provides {sorted(libs - found)} first), patchelf removed it"
            )
        found |= libs
    if j < len(kept_p):
        problems.append(f"patchelf kept {kept_p[j:]} beyond what fixup kept")
    return problems, later
