"""Rendering of a tree audit: one line per finding, the summary line, and the JSON object.

A finding's line is ``FILE: error: WHAT [kind]`` (``error`` counts toward exit status 1,
``warning`` does not); with verbose, a ``searched:`` line under a library not found and a
``fix:`` line under each finding that has one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .audit import KINDS, UNRESOLVED
from .finding import Finding
from .report import SCHEMA_VERSION, finding_json, result_json, searched_line
from .tree import Counts, FileAudit


def severity(f: Finding) -> str:
    return "error" if f.fails else "warning"


def finding_text(file: str, f: Finding) -> str:
    what = f.message
    if what.startswith(file + ": "):
        what = what[len(file) + 2 :]
    return f"{file}: {severity(f)}: {what} [{f.kind}]"


def render_file(audit: FileAudit, verbose: bool = False) -> list[str]:
    lines = []
    for f in audit.findings:
        lines.append(finding_text(audit.path, f))
        if not verbose:
            continue
        if f.kind == UNRESOLVED and f.index is not None and audit.verdict is not None:
            lines.append("    " + searched_line(audit.verdict.result.edges[f.index]))
        if f.fix:
            lines.append("    fix: " + f.fix)
    return lines


def tally(audits: Iterable[FileAudit]) -> Counter[str]:
    return Counter(f.kind for a in audits for f in a.findings)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary_line(counts: Counts, kinds: Counter[str], errors: int) -> str:
    """``ldwrap check: N files: what was judged and skipped; the findings per kind``."""
    c = counts
    malformed = c.elf - c.judged - c.not_loadable - c.foreign
    parts = [_plural(c.judged, "ELF file") + " judged"]
    for n, what in (
        (malformed, "malformed ELF"),
        (c.not_loadable, "ELF not loadable (objects, core files, debug information)"),
        (c.foreign, "ELF for another machine, not judged without --root"),
        (c.not_elf, "not ELF, skipped"),
        (c.symlinks, "symlink" + ("s" if c.symlinks != 1 else "") + " not followed"),
        (c.unreadable, "could not be read"),
    ):
        if n > 0:
            parts.append(f"{n} {what}")
    head = f"ldwrap check: {_plural(c.files, 'file')}: {', '.join(parts)}"
    total = sum(kinds.values())
    if not total:
        return head + "; no findings"
    per_kind = ", ".join(f"{k} {kinds[k]}" for k in _ordered(kinds))
    return f"{head}; {_plural(errors, 'error')}, {_plural(total - errors, 'warning')} ({per_kind})"


def _ordered(kinds: Counter[str]) -> list[str]:
    known = [k for k in KINDS if kinds.get(k)]
    return known + sorted(k for k in kinds if k not in KINDS)


def audit_json(
    paths: list[str], audits: list[FileAudit], counts: Counts, verbose: bool
) -> dict[str, Any]:
    """The JSON of a tree audit (schema 1, see docs/check.md)."""
    kinds = tally(audits)
    findings = []
    for a in audits:
        for f in a.findings:
            findings.append({"file": a.path, "severity": severity(f), **finding_json(f)})
    errors = sum(1 for f in findings if f["fails"])
    c = counts
    out: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "paths": paths,
        "summary": {
            "files": c.files,
            "elf_files": c.elf,
            "judged": c.judged,
            "not_elf": c.not_elf,
            "not_loadable": c.not_loadable,
            "foreign": c.foreign,
            "symlinks": c.symlinks,
            "unreadable": c.unreadable,
            "errors": errors,
            "warnings": len(findings) - errors,
            "kinds": {k: kinds[k] for k in _ordered(kinds)},
        },
        "findings": findings,
    }
    if verbose:
        out["files"] = [
            {**result_json(a.verdict, a.fixes), "findings": [finding_json(f) for f in a.findings]}
            for a in audits
            if a.verdict is not None
        ]
    return out
