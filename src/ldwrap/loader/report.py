"""Rendering of a judged load: flat text, libtree-like tree, and JSON (schema v1).

Text is short by default: one line per library, and for a missing one a ``searched:`` line
(the search lists, collapsed to their directories) and a ``fix:`` line. ``verbose`` adds
every candidate path the loader would try, as the JSON always has it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Optional

from .finding import Finding
from .hints import in_own_search_path, needs_fix
from .resolve import (
    ALREADY_LOADED,
    DEFAULT_DIRS,
    DIRECT,
    INTERPRETER,
    LD_LIBRARY_PATH,
    LD_SO_CACHE,
    PRELOAD,
    RPATH,
    RUNPATH,
    Edge,
    Searched,
)
from .startup import ENV_ONLY, Judgement

SCHEMA_VERSION = 1

_LABELS = {
    RPATH: "rpath",
    RUNPATH: "runpath",
    LD_LIBRARY_PATH: "LD_LIBRARY_PATH",
    LD_SO_CACHE: "ld.so.cache",
    DEFAULT_DIRS: "default dir",
    DIRECT: "direct",
    PRELOAD: "preload",
}
_SEARCH_LABELS = {RPATH: "RPATH", RUNPATH: "RUNPATH", LD_LIBRARY_PATH: "LD_LIBRARY_PATH"}
_SAME_FILE = " (same file as loaded object)"  # how resolve marks a file reused under a new name
_NO_FILE = "cannot open shared object file: No such file or directory"

Fixes = Mapping[int, Optional[str]]  # edge index -> a directory holding the missing library


def _via(edge: Edge) -> str:
    owner = edge.via_object or ""
    same = owner.endswith(_SAME_FILE)
    if same:
        owner = owner[: -len(_SAME_FILE)]
    if edge.found_via == ALREADY_LOADED:
        return f"already loaded, matched by {owner}" if owner else "already loaded"
    label = _LABELS.get(edge.found_via, edge.found_via.replace("_", " "))
    if edge.found_via in (RPATH, RUNPATH) and owner and owner != edge.needed_by:
        label += f" of {owner}"  # inherited from a loader further up
    return label + (", same file as a loaded object" if same else "")


def _line(edge: Edge, finding: Optional[Finding]) -> str:
    if edge.path is None:
        reason = f" ({edge.error})" if edge.error and edge.error != _NO_FILE else ""
        mark = f" [only through {finding.how}]" if finding and finding.kind == ENV_ONLY else ""
        return f"{edge.name} => not found{reason}{mark}"
    if edge.found_via == INTERPRETER:
        return f"{edge.name} [interpreter]"
    return f"{edge.name} => {edge.path} [{_via(edge)}]"


def _segment(s: Searched) -> str:
    if s.source == LD_SO_CACHE:
        return "ld.so.cache"
    if s.source == DEFAULT_DIRS:
        return f"default dirs ({s.note})" if s.note else ", ".join(s.dirs)
    label = _SEARCH_LABELS.get(s.source, s.source)
    if s.owner and s.source == RPATH:
        label += f" of {os.path.basename(s.owner)}"
    return f"{label} ({', '.join(s.dirs) or 'no usable directory'})"


def searched_line(edge: Edge) -> str:
    """The search lists of one need, collapsed: 'RUNPATH (none)' says the requester has
    neither RUNPATH nor RPATH, the usual reason for a miss."""
    parts = [_segment(s) for s in edge.searched]
    if not any(s.source in (RPATH, RUNPATH) for s in edge.searched):
        parts.insert(0, "RUNPATH (none)")
    return "searched: " + ", ".join(parts)


def fix_line(edge: Edge, main: str, where: Optional[str]) -> str:
    """How to make the need resolve: relink its requester so that it records the directory."""
    name = edge.lookup_name or edge.name
    who = "" if edge.needed_by in (None, main) else f" {os.path.basename(edge.needed_by or '')}"
    to = "" if not who else " to its link"
    if where is None:
        return (
            f"fix: relink{who} through ldwrap with -L<directory of {name}>, or add "
            f"-Wl,-rpath,<that directory>{to}"
        )
    if in_own_search_path(edge, where):  # only under --root: see hints.on_this_machine
        return (
            f"fix: {name} is in {where} on this machine, not in the --root system; the rpath is "
            f"right: install {name} at {where} there (qemu-user -L falls back to this "
            "machine's files)"
        )
    return (
        f"fix: {name} is in {where}: relink{who} through ldwrap with -L{where}, or add "
        f"-Wl,-rpath,{where}{to}"
    )


def _details(
    verdict: Judgement, i: int, edge: Edge, fixes: Optional[Fixes], verbose: bool
) -> list[str]:
    """The lines under a library: why it is missing and what to do, and with verbose the
    candidate paths."""
    lines = []
    if needs_fix(edge):
        lines.append(searched_line(edge))
        if fixes is not None and i in fixes:
            lines.append(fix_line(edge, verdict.result.file, fixes[i]))
    if verbose and edge.path is None:
        lines += [f"tried {a.path or a.source} ({a.source}: {a.result})" for a in edge.tried]
    return lines


def _footer(verdict: Judgement) -> list[str]:
    lines = []
    for f in verdict.findings:
        lines.append(("warning: " if f.fails else "note: ") + f.message)
        if f.fix:
            lines.append("    fix: " + f.fix)
    return lines


def render_text(
    verdict: Judgement, show_all: bool = False, verbose: bool = False, fixes: Optional[Fixes] = None
) -> str:
    result = verdict.result
    lines = [result.file]
    if result.static:
        lines.append("    statically linked")
    for i, edge in enumerate(result.edges):
        if not show_all and edge.found_via == ALREADY_LOADED:
            continue
        lines.append("    " + _line(edge, verdict.finding_for(i)))
        lines += ["        " + d for d in _details(verdict, i, edge, fixes, verbose)]
    if result.fatal:
        lines.append(f"    error: {result.fatal}")
    return "\n".join(lines + _footer(verdict))


def render_tree(
    verdict: Judgement, show_all: bool = False, verbose: bool = False, fixes: Optional[Fixes] = None
) -> str:
    """Each object appears under the requester that loaded it first (BFS)."""
    result = verdict.result
    children: dict[Optional[str], list[int]] = {}
    for i, edge in enumerate(result.edges):
        children.setdefault(edge.needed_by, []).append(i)
    lines = [result.file + (" (statically linked)" if result.static else "")]

    def shown(edge: Edge) -> bool:
        return show_all or (edge.found_via != ALREADY_LOADED and (edge.loaded or edge.path is None))

    def walk(parent: str, prefix: str, seen: set[str]) -> None:
        kids = [i for i in children.get(parent, []) if shown(result.edges[i])]
        for n, i in enumerate(kids):
            edge = result.edges[i]
            last = n == len(kids) - 1
            branch = "└── " if last else "├── "
            lines.append(prefix + branch + _line(edge, verdict.finding_for(i)))
            sub = prefix + ("    " if last else "│   ")
            lines.extend(sub + "  " + d for d in _details(verdict, i, edge, fixes, verbose))
            new = edge.loaded and edge.path and edge.path not in seen
            if new and edge.path and edge.found_via != INTERPRETER:
                walk(edge.path, sub, seen | {edge.path})

    walk(result.file, "", {result.file})
    if result.fatal:
        lines.append(f"error: {result.fatal}")
    return "\n".join(lines + _footer(verdict))


def edge_json(
    edge: Edge, fix: Optional[str] = None, finding: Optional[Finding] = None
) -> dict[str, Any]:
    return {
        "name": edge.name,
        "lookup_name": edge.lookup_name,
        "path": edge.path,
        "found_via": edge.found_via,
        "via_object": edge.via_object,
        "needed_by": edge.needed_by,
        "depth": edge.depth,
        "loaded": edge.loaded,
        "error": edge.error,
        "tried": [{"path": a.path, "source": a.source, "result": a.result} for a in edge.tried],
        # Additions to schema 1 (older readers ignore them):
        "searched": [
            {"source": s.source, "owner": s.owner, "dirs": s.dirs, "note": s.note}
            for s in edge.searched
        ],
        "fix_dir": fix,
        "environment": None
        if finding is None
        else {"kind": finding.kind, "path": finding.path, "through": finding.how},
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "message": f.message,
        "fails": f.fails,
        "library": f.library,
        "object": f.obj,
        "path": f.path,
        "fix": f.fix,
        # Additions to schema 1, for the entry findings (null for the others):
        "entry": f.entry,
        "tag": f.tag,
    }


def result_json(verdict: Judgement, fixes: Optional[Fixes] = None) -> dict[str, Any]:
    result = verdict.result
    return {
        "schema": SCHEMA_VERSION,
        "file": result.file,
        "ok": result.ok,
        "static": result.static,
        "error": result.fatal,
        "interpreter": result.config.interp,
        "loader_config": result.config.source,
        "libraries": [
            edge_json(e, (fixes or {}).get(i), verdict.finding_for(i))
            for i, e in enumerate(result.edges)
        ],
        # Additions to schema 1:
        "ld_library_path": verdict.ld_library_path,
        "warnings": [finding_json(f) for f in verdict.findings],
    }
