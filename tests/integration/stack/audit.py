"""The audit of every installed ELF file: what its RUNPATH finds and what it holds in vain.

Pure functions over what elfread.py reads; the file system is reached through a Layout
(paths as the build sees them, files outside the namespace). Kinds of finding:

- `unresolved`: a DT_NEEDED library found neither through the RUNPATH ($ORIGIN expanded)
  nor, for a library the stack does not install, in the system's directories (the stack's
  own sonames are hidden from the system when its programs run);
- `useless`: an entry that provides none of the file's needed libraries;
- `doubled`: an entry naming a directory an earlier entry names (after normalising:
  trailing slashes, `//`, `/./`, `..`);
- `empty-element`: an empty element (`:a`, `a:`, `a::b`), searched as the working
  directory by glibc;
- `empty-tag`: a RUNPATH tag whose string is empty;
- `build-dir`: an entry inside a source tree, build tree or temporary directory;
- `relative`: an entry that is neither absolute nor starts with $ORIGIN (searched from the
  working directory).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .elfread import ElfInfo, same_kind
from .layout import Layout

KINDS = ("unresolved", "useless", "doubled", "empty-element", "empty-tag", "build-dir", "relative")


@dataclass(frozen=True)
class Finding:
    kind: str
    file: str  # as the build sees it
    item: str  # the RUNPATH entry, or the needed library
    detail: str
    by: str = ""  # for an entry: "ldwrap", "build system" or "" (not known)

    @property
    def involves_ldwrap(self) -> bool:
        """The entry, or for a doubled one the entry it repeats, is one ldwrap added."""
        return self.by == "ldwrap" or "added by ldwrap)" in self.detail

    def line(self) -> str:
        by = f" [{self.by}]" if self.by else ""
        return f"{self.kind}: {self.file}: {self.item!r}{by}: {self.detail}"


def expand(entry: str, origin: str) -> str:
    """$ORIGIN and ${ORIGIN} replaced by the file's directory."""
    return entry.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)


def normal(path: str) -> str:
    return os.path.normpath(path) if path.startswith("/") else path


def _under(path: str, roots: Iterable[str]) -> bool:
    p = PurePosixPath(path)
    return any(p == PurePosixPath(r) or PurePosixPath(r) in p.parents for r in roots)


@dataclass(frozen=True)
class Context:
    layout: Layout
    stack_sonames: frozenset[str]  # hidden from the system when programs run
    system_dirs: tuple[Path, ...]  # the loader's own directories (files outside the namespace)
    forbidden: tuple[str, ...]  # source, build and temporary directories
    store: str  # the prefixes' directory: never forbidden


def provides(ctx: Context, directory: str, name: str, like: ElfInfo) -> bool:
    return directory.startswith("/") and same_kind(ctx.layout.host_path(directory) / name, like)


def in_system(ctx: Context, name: str, like: ElfInfo) -> bool:
    if name in ctx.stack_sonames:
        return False
    return any(same_kind(d / name, like) for d in ctx.system_dirs)


def entries(info: ElfInfo) -> list[str]:
    return [] if info.runpath is None else info.runpath.split(":")


def audit(
    ctx: Context, file: str, info: ElfInfo, attribution: dict[str, str] | None = None
) -> list[Finding]:
    """The findings of one file (file as the build sees it)."""
    found: list[Finding] = []
    by = attribution or {}
    origin = str(PurePosixPath(file).parent)
    raw = entries(info)
    dirs = [normal(expand(e, origin)) for e in raw]
    for n in info.needed:
        if any(provides(ctx, d, n, info) for d in dirs if d):
            continue
        if in_system(ctx, n, info):
            continue
        where = f"RUNPATH {info.runpath!r}" if info.runpath is not None else "no RUNPATH"
        found.append(Finding("unresolved", file, n, f"not found ({where})"))
    if info.runpath == "":
        found.append(Finding("empty-tag", file, "", f"an empty DT_{info.tag} tag"))
        return found
    seen: dict[str, str] = {}  # normalised directory -> its first entry
    for e, d in zip(raw, dirs):
        who = by.get(e, "")
        if e == "":
            found.append(Finding("empty-element", file, e, "searched as the working directory"))
            continue
        if d in seen:
            first = seen[d]
            first_by = f", added by {by[first]}" if by.get(first) else ""
            detail = f"names {d} again (first as {first!r}{first_by})"
            found.append(Finding("doubled", file, e, detail, who))
            continue
        seen[d] = e
        if not d.startswith("/"):
            found.append(Finding("relative", file, e, "searched from the working directory", who))
            continue
        if not _under(d, (ctx.store,)) and _under(d, ctx.forbidden):
            found.append(Finding("build-dir", file, e, "inside a source, build or temp dir", who))
        if not any(provides(ctx, d, n, info) for n in info.needed):
            found.append(
                Finding("useless", file, e, "provides none of " + ",".join(info.needed), who)
            )
    return found


def count(findings: Sequence[Finding]) -> dict[str, int]:
    out = dict.fromkeys(KINDS, 0)
    for f in findings:
        out[f.kind] += 1
    return out
