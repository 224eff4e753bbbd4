"""The rules of ``ldwrap check`` on a tree, for one file (pure: the file system comes in as
a ``DirFacts`` and the load as the LoadResult the resolver made).

Two sources of findings:

* the judged load (``load_findings``): each need that does not resolve, a load that aborts,
  and the findings of loader.startup and loader.neededpath, leaving out those that belong to
  another file of the audited trees (that file's own audit reports them, once);
* the file's own RUNPATH or RPATH (``entry_findings``), entry by entry, against what the
  loader did with it: for RUNPATH, an entry counts when the loader takes at least one of the
  file's needed libraries from it; for RPATH, also one that an object it loads needs (RPATH is
  inherited). An entry that only holds libraries the loader takes from an earlier place first
  is `shadowed_entry`, not `unused_entry`: patchelf --shrink-rpath drops both, ldwrap fixup
  keeps the shadowed one (it is a fallback while the earlier one holds the library).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional, Protocol

from .config import LoaderConfig
from .finding import Finding
from .fs import FileId
from .neededpath import NEEDED_PATH
from .places import is_stub_dir, normal_dir
from .resolve import INTERPRETER, LoadResult, expand_dst
from .startup import EMPTY_ELEMENT, ENV_CHANGES, ENV_ONLY, SYSTEM_COPY, Judgement

# Values of Finding.kind, besides loader.startup's and loader.neededpath's.
UNRESOLVED = "unresolved"  # a needed library the loader does not find
LOAD_ERROR = "load_error"  # the load aborts: a corrupt library, a missing interpreter
BAD_ELF = "bad_elf"  # a file of the tree that looks like ELF and cannot be read
RELATIVE = "relative_entry"  # searched from the current directory
BUILD_DIR = "build_dir_entry"  # in a build tree
TEMP_DIR = "temp_dir_entry"  # in /tmp, /var/tmp, $TMPDIR, $NIX_BUILD_TOP
STUB = "stub_entry"  # a `stubs` directory: libraries to link against, never to load
DUPLICATE = "duplicate_entry"  # the same directory as an earlier entry
UNUSED = "unused_entry"  # the loader takes nothing from it: it holds none of the needs
SHADOWED = "shadowed_entry"  # it holds some, which the loader takes from elsewhere first
EMPTY_RUNPATH = "empty_runpath"  # DT_RUNPATH is "": no directory, but RPATH is off

# Every kind a tree audit reports, and whether it counts against the file (exit status 1).
# needed_path counts only when the path is relative or in a build or temporary directory.
KINDS: dict[str, bool] = {
    UNRESOLVED: True,
    ENV_ONLY: True,
    LOAD_ERROR: True,
    BAD_ELF: True,
    EMPTY_ELEMENT: True,
    RELATIVE: True,
    BUILD_DIR: True,
    TEMP_DIR: True,
    STUB: True,
    SYSTEM_COPY: True,
    NEEDED_PATH: False,
    DUPLICATE: False,
    UNUSED: False,
    SHADOWED: False,
    EMPTY_RUNPATH: False,
    ENV_CHANGES: False,
}

_SAME_FILE = " (same file as loaded object)"  # how resolve marks a file reused under a new name
_NO_FILE = "cannot open shared object file: No such file or directory"


class DirFacts(Protocol):
    """What the entry rules ask the file system (loader.tree answers, tests fake it)."""

    def dir_id(self, directory: str) -> Optional[FileId]:
        """The directory's (device, inode), or None when it is not a directory."""

    def holds(self, directory: str, name: str) -> bool:
        """Whether directory holds a file of that name the loader would take."""

    def build_reason(self, directory: str) -> Optional[str]: ...

    def temp_reason(self, directory: str) -> Optional[str]: ...


@dataclass(frozen=True)
class Entry:
    written: str  # as in the file
    directory: Optional[str]  # as the loader searches it; None: a token without a value


@dataclass
class ListUse:
    """What the loader did with one object's RUNPATH or RPATH."""

    searched: list[str] = field(default_factory=list)  # names looked for through it, in order
    taken: dict[str, list[str]] = field(default_factory=dict)  # directory -> names found there
    found: dict[str, Optional[str]] = field(default_factory=dict)  # name -> the path loaded


def entries(value: str, origin: str, cfg: LoaderConfig, is_main: bool) -> list[Entry]:
    """The elements of a RUNPATH/RPATH value, each with the directory the loader searches
    for it ($ORIGIN, $LIB, $PLATFORM expanded; an empty element is the current directory;
    trailing slashes removed, as resolve.path_dirs does)."""
    out = []
    for written in value.split(":"):
        expanded = expand_dst(written or "./", origin, cfg, False, True, is_main)
        directory = (expanded.rstrip("/") or "/") if expanded else None
        out.append(Entry(written, directory))
    return out


def _owner(via: Optional[str]) -> Optional[str]:
    if via is not None and via.endswith(_SAME_FILE):
        return via[: -len(_SAME_FILE)]
    return via


def list_use(result: LoadResult, owner: str, source: str) -> ListUse:
    """Which names the loader looked for through ``owner``'s list ``source`` (RUNPATH or
    RPATH), and where it took each: the directory of that list, or somewhere else. A hit is
    in the last list an edge searched, at the last directory of it (the search stops there)."""
    use = ListUse()
    for edge in result.edges:
        if not any(s.source == source and s.owner == owner for s in edge.searched):
            continue
        name = edge.lookup_name or edge.name
        if name not in use.searched:
            use.searched.append(name)
        last = edge.searched[-1]
        if edge.found_via == source and _owner(edge.via_object) == owner and last.dirs:
            use.taken.setdefault(last.dirs[-1], []).append(name)
        use.found.setdefault(name, edge.path)
    return use


def _shown(e: Entry) -> str:
    if e.directory is None or e.directory == e.written.rstrip("/"):
        return e.written
    return f"{e.written} ({e.directory})"


def _names(names: Sequence[str], most: int = 4) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def entry_findings(
    file: str, tag: str, items: Sequence[Entry], use: Optional[ListUse], facts: DirFacts
) -> list[Finding]:
    """The findings about each entry of the file's ``tag`` list (RUNPATH or RPATH), in order.

    An empty element is left to loader.startup (one finding for the whole value). Each other
    entry gets at most one of relative_entry / duplicate_entry (and nothing else then: the
    loader searches the first copy), and then any of build_dir_entry or temp_dir_entry (not
    for an entry written with $ORIGIN: it moves with the file), stub_entry, and unused_entry
    or shadowed_entry (not when ``use`` is None: the load stopped before its end)."""
    out: list[Finding] = []
    seen: dict[str, int] = {}
    seen_ids: dict[FileId, int] = {}

    def add(kind: str, e: Entry, why: str, fix: Optional[str] = None) -> None:
        reason = f"{tag} entry {_shown(e)} {why}"
        out.append(
            Finding(
                kind,
                f"{file}: {reason}",
                KINDS[kind],
                obj=file,
                path=e.directory,
                reason=reason,
                fix=fix,
                entry=e.written,
                tag=tag,
            )
        )

    remove = f"relink {os.path.basename(file)} without it, or remove it from the {tag}"
    for i, e in enumerate(items):
        d = e.directory
        if e.written == "" or d is None:
            continue
        if not d.startswith("/"):
            add(RELATIVE, e, "is relative: the loader searches it from the current directory",
                "write it as an absolute path or as $ORIGIN/...")  # fmt: skip
            continue
        norm = normal_dir(d)
        ident = facts.dir_id(d)
        first = seen.get(norm)
        if first is None and ident is not None:
            first = seen_ids.get(ident)
        if first is not None:
            same = "names" if normal_dir(items[first].directory or "") == norm else "is"
            add(DUPLICATE, e, f"{same} the same directory as entry {first + 1} "
                f"({_shown(items[first])}), which the loader searches first", remove)  # fmt: skip
            continue
        seen[norm] = i
        if ident is not None:
            seen_ids[ident] = i
        if "ORIGIN" not in e.written:
            why = facts.build_reason(d)
            if why is not None:
                add(BUILD_DIR, e, why, "install the library and point the run path there, "
                    "or use $ORIGIN/...")  # fmt: skip
            else:
                why = facts.temp_reason(d)
                if why is not None:
                    add(TEMP_DIR, e, why, "install the library elsewhere and point the run "
                        "path there, or use $ORIGIN/...")  # fmt: skip
        taken = use.taken.get(d, []) if use is not None else []
        if is_stub_dir(d):
            what = ""
            if use is not None:
                took = f"it takes {_names(taken)} from it" if taken else "it takes none now"
                what = f" ({took})"
            add(STUB, e, f"is a stub directory, for linking only: every call into a stub fails "
                f"once the loader takes one{what}", f"link with -L{d} but keep it out of "
                f"the run path; {remove}")  # fmt: skip
        if taken or use is None:
            continue
        held = [n for n in use.searched if use.found.get(n) and facts.holds(d, n)]
        if held:
            where = _names([f"{n} from {use.found[n]}" for n in held], 2)
            add(SHADOWED, e, f"holds only libraries the loader takes from elsewhere first "
                f"({where})", f"keep it only as a fallback; otherwise {remove}")  # fmt: skip
        elif ident is None:
            add(UNUSED, e, "does not exist", remove)
        elif not use.searched:
            add(UNUSED, e, "is never searched: the loader looks for no library through it",
                remove)  # fmt: skip
        else:
            add(UNUSED, e, f"holds none of the libraries the loader looks for through it "
                f"({_names(use.searched)})", remove)  # fmt: skip
    return out


def empty_runpath_finding(file: str) -> Finding:
    why = (
        "has an empty RUNPATH: it names no directory, but turns off the RPATH of the file "
        "and the RPATH inherited from whatever loads it"
    )
    return Finding(
        EMPTY_RUNPATH,
        f"{file}: {why}",
        KINDS[EMPTY_RUNPATH],
        obj=file,
        reason=why,
        fix="remove the tag (patchelf --remove-rpath), or give it the directories it needs",
        entry="",
        tag="RUNPATH",
    )


def load_findings(
    verdict: Judgement,
    elsewhere_in_tree: Callable[[str], bool],
    fixes: Mapping[int, Optional[str]],
) -> list[Finding]:
    """The findings of the judged load of one file of the tree: each need that does not
    resolve (`unresolved`, or the startup finding that says only the ignored environment
    finds it), a load that aborts, then the startup and needed-path findings.

    A finding about another object (a library the file loads) is left out when
    ``elsewhere_in_tree(path)``: that file is audited too, and its own audit reports it
    (what it misses alone it misses loaded by others: RPATH and already loaded objects can
    only add). ``fixes`` maps an edge index to its fix: line's text."""
    result = verdict.result
    file = result.file
    out: list[Finding] = []

    def theirs(obj: Optional[str]) -> bool:
        return obj is not None and obj != file and elsewhere_in_tree(obj)

    for i, edge in enumerate(result.edges):
        if not edge.missing or edge.fatal or theirs(edge.needed_by):
            continue
        env = verdict.finding_for(i)
        if env is not None and env.kind == ENV_ONLY:
            continue  # told below, with what finds it
        by = "" if edge.needed_by == file else f" (needed by {edge.needed_by})"
        err = f": {edge.error}" if edge.error and edge.error != _NO_FILE else ""
        why = f"{edge.name}{by} is not found{err}"
        out.append(
            Finding(
                UNRESOLVED,
                f"{file}: {why}",
                True,
                library=edge.name,
                index=i,
                obj=edge.needed_by,
                reason=why,
                fix=fixes.get(i),
            )
        )
    fatal = next((e for e in result.edges if e.fatal), None)
    if result.fatal and not (fatal is not None and theirs(fatal.needed_by)):
        what = "cannot start" if fatal is not None and fatal.found_via == INTERPRETER else "aborts"
        why = f"the load {what}: {result.fatal}"
        out.append(Finding(LOAD_ERROR, f"{file}: {why}", True, obj=file, reason=why))
    for f in verdict.findings:
        obj = f.obj
        if f.index is not None:
            obj = result.edges[f.index].needed_by
        if theirs(obj):
            continue
        out.append(f)
    return out


def list_of(result: LoadResult) -> Optional[tuple[str, str]]:
    """The file's own search list in effect: ("RUNPATH", value) or ("RPATH", value), or
    None (neither, or an empty RUNPATH: see empty_runpath_finding)."""
    info = result.objects[0].info if result.objects else None
    if info is None:
        return None
    if info.runpath is not None:
        return ("RUNPATH", info.runpath) if info.runpath else None
    return ("RPATH", info.rpath) if info.rpath else None


def search_cut(result: LoadResult) -> bool:
    """Whether the load stopped before every need was searched (a corrupt library found on
    the way): then what an entry would have provided is not known."""
    return any(e.fatal and e.found_via != INTERPRETER for e in result.edges)


def own_findings(result: LoadResult, facts: DirFacts) -> list[Finding]:
    """The findings about the file's own dynamic section: its RUNPATH or RPATH entries, an
    empty RUNPATH."""
    if result.static or not result.objects:
        return []
    main = result.objects[0]
    if main.info.runpath == "":
        return [empty_runpath_finding(result.file)]
    own = list_of(result)
    if own is None:
        return []
    tag, value = own
    items = entries(value, main.origin, result.config, True)
    use = None if search_cut(result) else list_use(result, result.file, tag.lower())
    return entry_findings(result.file, tag, items, use, facts)
