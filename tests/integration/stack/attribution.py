"""Who put each RUNPATH entry of an installed file there: the build system (an `-rpath` of
the file's last recorded link, or CMake's install RPATH) or ldwrap (an entry the caller did
not pass)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from .layout import Layout
from .linkrec import LinkRecord

BUILD_SYSTEM = "build system"
LDWRAP = "ldwrap"

_RPATH_CHANGE = re.compile(
    r'file\(RPATH_CHANGE\s+FILE\s+"([^"]+)"\s+OLD_RPATH\s+"([^"]*)"\s+NEW_RPATH\s+"([^"]*)"\)'
)


def cmake_install_rpaths(layout: Layout, build_tree: Path) -> dict[str, list[str]]:
    """installed file -> the NEW_RPATH CMake's install sets (cmake_install.cmake files)."""
    out: dict[str, list[str]] = {}
    host = layout.host_path(build_tree)
    for f in host.rglob("cmake_install.cmake") if host.is_dir() else []:
        for m in _RPATH_CHANGE.finditer(f.read_text(errors="replace")):
            target = m.group(1).replace("$ENV{DESTDIR}", "")
            out[os.path.normpath(target)] = [e for e in m.group(3).split(":") if e]
    return out


def _same_name(output: str, installed: str) -> bool:
    """The link's output became the installed file: the same name, or cargo's
    `deps/<crate>-<hash>` for the program `<crate>` (dashes as underscores)."""
    out = os.path.basename(output)
    return out == installed or out.startswith(installed.replace("-", "_") + "-")


def link_of(records: Sequence[LinkRecord], file: str, trees: Sequence[Path]) -> LinkRecord | None:
    """The last link, run in one of trees, whose output has the installed file's name."""
    name = os.path.basename(file)
    found = None
    for r in records:
        if not _same_name(r.output, name):
            continue
        if not any(r.cwd == str(t) or r.cwd.startswith(str(t) + "/") for t in trees):
            continue
        found = r
    return found


def attribute(
    file: str,
    runpath_entries: Sequence[str],
    record: LinkRecord | None,
    installed_rpath: Sequence[str] = (),
) -> dict[str, str]:
    """entry -> BUILD_SYSTEM or LDWRAP (nothing when the link was not recorded)."""
    if record is None and not installed_rpath:
        return {}
    caller = set(record.rpaths if record else ()) | set(installed_rpath)
    return {e: BUILD_SYSTEM if e in caller else LDWRAP for e in runpath_entries if e}
