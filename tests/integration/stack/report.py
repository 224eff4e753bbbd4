"""Failure messages that say exactly what is wrong: the file, its RUNPATH as installed and
after the fixup, the finding, who added the entry, and the link that made the file."""

from __future__ import annotations

from .audit import Finding
from .layout import Layout
from .linkrec import LinkRecord
from .pipeline import Audited, FileAudit


def short(path: str, layout: Layout) -> str:
    """A store path as <name> (the hash and the root left out), for reading."""
    store = str(layout.store) + "/"
    if path.startswith(store):
        rest = path[len(store) :]
        return rest[33:] if len(rest) > 33 and rest[32] == "-" else rest
    return path


def link_summary(rec: LinkRecord) -> str:
    """The parts of a link that decide RUNPATH: output, -L, -l, libraries by path, -rpath."""
    keep: list[str] = []
    args = list(rec.argv)
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-o", "-rpath", "--rpath", "-soname", "-L", "-l") and i + 1 < len(args):
            keep += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith(("-L", "-l", "-rpath", "--rpath", "-R", "--enable-new-dtags")) or (
            ".so" in a and not a.startswith("-")
        ):
            keep.append(a)
        i += 1
    return f"{rec.name} (in {rec.cwd}): {' '.join(keep)}"


def file_report(a: FileAudit, found: list[Finding], layout: Layout) -> str:
    lines = [f"{short(a.file, layout)}"]
    lines.append(f"    RUNPATH as installed: {a.runpath_before!r}")
    if a.runpath_after != a.runpath_before:
        lines.append(f"    RUNPATH after fixup:  {a.runpath_after!r}")
    for f in found:
        by = f" (added by {f.by})" if f.by else ""
        lines.append(f"    {f.kind}: {f.item!r}{by}: {f.detail}")
    if a.loader:
        lines.append(f"    the loader does not find: {', '.join(a.loader)}")
    if a.link is not None:
        lines.append(f"    linked by {link_summary(a.link)}")
    return "\n".join(lines)


def kind_report(audited: Audited, package: str, kind: str, stages: tuple[str, ...]) -> str:
    layout = audited.stack.layout
    parts: list[str] = []
    for a in audited.files.get(package, []):
        for stage in stages:
            found = [f for f in (a.before if stage == "installed" else a.after) if f.kind == kind]
            if found:
                parts.append(f"[{stage}] " + file_report(a, found, layout))
    head = f"{audited.stack.name}: {package}: {kind}"
    return head + "\n" + "\n".join(parts) if parts else ""
