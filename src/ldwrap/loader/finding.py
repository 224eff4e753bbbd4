"""One finding about a judged file: what ``ldwrap check`` prints under a file (``warning:``
when it counts against the file, else ``note:``), lists in its JSON, and LDWRAP_VERIFY
reports. The kinds are named where each is found (loader.startup, loader.neededpath,
loader.audit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str  # one line, without a "warning:" or "note:" label
    fails: bool  # counts against the file (exit status 1, LDWRAP_VERIFY problem)
    library: str | None = None  # the need's name, for the environment findings
    index: int | None = None  # that need's position in LoadResult.edges
    obj: str | None = None  # the object whose RUNPATH/RPATH it is
    path: str | None = None  # where the environment would take the library from
    how: str | None = None  # LD_LIBRARY_PATH or LD_PRELOAD: what in the environment does it
    reason: str = ""  # the message without its subject (library or object)
    fix: str | None = None  # what to do, one line without its "fix:" label
    entry: str | None = None  # a RUNPATH/RPATH entry as written, for the entry findings
    tag: str | None = None  # "RUNPATH" or "RPATH": the list that entry is in
