"""Rendering of load results: flat text, libtree-like tree, and JSON (schema v1)."""

from __future__ import annotations

from typing import Any, Optional

from .resolve import ALREADY_LOADED, INTERPRETER, Edge, LoadResult

SCHEMA_VERSION = 1


def _via(edge: Edge) -> str:
    via = edge.found_via.replace("_", " ")
    if edge.found_via == ALREADY_LOADED and edge.via_object:
        return f"already loaded, matched by {edge.via_object}"
    if edge.via_object and edge.found_via in ("rpath", "runpath"):
        return f"{via} of {edge.via_object}"
    return via


def _line(edge: Edge) -> str:
    if edge.path is None:
        return f"{edge.name} => not found ({edge.error or 'missing'})"
    if edge.found_via == INTERPRETER:
        return f"{edge.name} [interpreter]"
    return f"{edge.name} => {edge.path} [{_via(edge)}]"


def _tried(edge: Edge, indent: str) -> list[str]:
    return [f"{indent}tried {a.path or a.source} ({a.source}: {a.result})" for a in edge.tried]


def render_text(result: LoadResult, show_all: bool = False) -> str:
    lines = [result.file]
    if result.static:
        lines.append("    statically linked")
    for edge in result.edges:
        if not show_all and edge.found_via == ALREADY_LOADED:
            continue
        lines.append("    " + _line(edge))
        if edge.path is None:
            lines.extend(_tried(edge, "        "))
    if result.fatal:
        lines.append(f"    error: {result.fatal}")
    return "\n".join(lines)


def render_tree(result: LoadResult, show_all: bool = False) -> str:
    """Each object appears under the requester that loaded it first (BFS)."""
    children: dict[Optional[str], list[Edge]] = {}
    for edge in result.edges:
        children.setdefault(edge.needed_by, []).append(edge)
    lines = [result.file + (" (statically linked)" if result.static else "")]

    def walk(parent: str, prefix: str, seen: set[str]) -> None:
        kids = [e for e in children.get(parent, [])
                if show_all or (e.found_via != ALREADY_LOADED and (e.loaded or e.path is None))]
        for i, edge in enumerate(kids):
            last = i == len(kids) - 1
            lines.append(prefix + ("└── " if last else "├── ") + _line(edge))
            sub = prefix + ("    " if last else "│   ")
            if edge.path is None:
                lines.extend(_tried(edge, sub + "  "))
            elif edge.loaded and edge.path not in seen and edge.found_via != INTERPRETER:
                walk(edge.path, sub, seen | {edge.path})

    walk(result.file, "", {result.file})
    if result.fatal:
        lines.append(f"error: {result.fatal}")
    return "\n".join(lines)


def edge_json(edge: Edge) -> dict[str, Any]:
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
    }


def result_json(result: LoadResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "file": result.file,
        "ok": result.ok,
        "static": result.static,
        "error": result.fatal,
        "interpreter": result.config.interp,
        "loader_config": result.config.source,
        "libraries": [edge_json(e) for e in result.edges],
    }
