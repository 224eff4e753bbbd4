"""One finding about a judged file: what ``ldwrap check`` prints under a file (``warning:``
when it counts against the file, else ``note:``), lists in its JSON, and LDWRAP_VERIFY
reports. The kinds are named where each is found (loader.startup, loader.neededpath,
loader.audit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str  # one line, without a "warning:" or "note:" label
    fails: bool  # counts against the file (exit status 1, LDWRAP_VERIFY problem)
    library: Optional[str] = None  # the need's name, for the environment findings
    index: Optional[int] = None  # that need's position in LoadResult.edges
    obj: Optional[str] = None  # the object whose RUNPATH/RPATH it is
    path: Optional[str] = None  # where the environment would take the library from
    how: Optional[str] = None  # LD_LIBRARY_PATH or LD_PRELOAD: what in the environment does it
    reason: str = ""  # the message without its subject (library or object)
    fix: Optional[str] = None  # what to do, one line without its "fix:" label
    entry: Optional[str] = None  # a RUNPATH/RPATH entry as written, for the entry findings
    tag: Optional[str] = None  # "RUNPATH" or "RPATH": the list that entry is in
