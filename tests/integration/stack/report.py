"""Failure messages that say exactly what is wrong: the file, its RUNPATH as installed and
after the fixup, the finding, who added the entry, and the link that made the file.

Store paths are written `$S/<name>-<version>` ($S: the store directory and the 32-character
hash, given on the message's first line)."""

from __future__ import annotations

import re

from .audit import Finding
from .layout import Layout
from .linkrec import LinkRecord
from .pipeline import Audited, FileAudit

# Options whose value is no library of the link.
_SKIP_VALUE = ("-plugin", "-dynamic-linker", "--dynamic-linker", "-plugin-opt")
# What gcc adds to every link: its own and the system's directories and libraries.
_GCC_DIRS = ("/usr/lib/gcc/", "/lib/", "/usr/lib/")
_GCC_LIBS = ("-lgcc", "-lgcc_s", "-lc")


def shorten(text: str, layout: Layout) -> str:
    return re.sub(re.escape(str(layout.store)) + r"/[0-9a-z]{32}-", "$S/", text)


def legend(layout: Layout) -> str:
    return f"($S/<name> is {layout.store}/<hash>-<name>)"


def link_summary(rec: LinkRecord) -> str:
    """The parts of a link that decide RUNPATH: output, -L, -l, libraries by path, -rpath."""
    keep: list[str] = []
    args = list(rec.argv)
    i = 0
    while i < len(args):
        a = args[i]
        if a in _SKIP_VALUE:
            i += 2
            continue
        if a in ("-o", "-rpath", "--rpath", "-soname", "-L", "-l") and i + 1 < len(args):
            keep += [a, args[i + 1]]
            i += 2
            continue
        lib = not a.startswith("-") and (a.endswith(".so") or ".so." in a)
        gcc = (a.startswith("-L") and a[2:].startswith(_GCC_DIRS)) or a in _GCC_LIBS
        if gcc:
            pass
        elif lib or a.startswith(("-L", "-l", "-rpath", "--rpath", "-R", "--enable-new-dtags")):
            keep.append(a)
        i += 1
    return f"{rec.name} (in {rec.cwd}): {' '.join(keep)} (gcc's own -L and -l left out)"


def _finding_lines(found: list[Finding]) -> list[str]:
    out = []
    for f in found:
        by = f" (added by {f.by})" if f.by else ""
        out.append(f"    {f.kind}: {f.item!r}{by}: {f.detail}")
    return out


def file_report(
    a: FileAudit, layout: Layout, installed: list[Finding], after: list[Finding]
) -> str:
    lines = [a.file]
    lines.append(f"    RUNPATH as installed: {a.runpath_before!r}")
    if a.runpath_after != a.runpath_before:
        lines.append(f"    RUNPATH after fixup:  {a.runpath_after!r}")
    first, then = _finding_lines(installed), _finding_lines(after)
    if first == then:
        lines += [line.replace(": ", " (as installed and after fixup): ", 1) for line in first]
    else:
        lines += [line.replace(": ", " (as installed): ", 1) for line in first]
        lines += [line.replace(": ", " (after fixup): ", 1) for line in then]
    if a.loader:
        lines.append(f"    the loader (ld.so --list) does not find: {', '.join(a.loader)}")
    if a.link is not None:
        lines.append(f"    linked by {link_summary(a.link)}")
    return shorten("\n".join(lines), layout)


def kind_report(
    audited: Audited,
    package: str,
    kind: str,
    stages: tuple[str, ...],
    ldwraps_only: bool = False,
) -> str:
    """The files of package with findings of kind at those stages; with ldwraps_only, the
    installed stage counts only findings that involve an entry ldwrap added."""
    layout = audited.stack.layout
    parts: list[str] = []
    for a in audited.files.get(package, []):
        installed = [
            f
            for f in (a.before if "installed" in stages else [])
            if f.kind == kind and (not ldwraps_only or f.involves_ldwrap)
        ]
        after = [f for f in a.after if f.kind == kind] if "after-fixup" in stages else []
        if installed or after:
            parts.append(file_report(a, layout, installed, after))
    if not parts:
        return ""
    head = f"{audited.stack.name}: {package}: {kind} {legend(layout)}"
    return head + "\n" + "\n".join(parts)


def loader_report(audited: Audited, files: list[FileAudit]) -> str:
    layout = audited.stack.layout
    head = f"{audited.stack.name}: ld.so --list with the system's copies hidden {legend(layout)}"
    return head + "\n" + "\n".join(file_report(a, layout, [], []) for a in files)
