"""A DT_NEEDED that holds a path: what linking a library without a SONAME by its path gives
(`cc main.o target/release/libfoo.so`, a cargo cdylib). The loader opens exactly that file,
whatever the run path says: the program works only while the library stays at that path (and,
for a relative one, only when started from the directory it is relative to).

The fix is the library's: give it a SONAME, and the programs linked against it record that
bare name, which the run path then finds. A name that starts with $ORIGIN is a path relative
to the requester, written on purpose, and is not reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Optional

from .finding import Finding
from .resolve import LoadResult

NEEDED_PATH = "needed_path"

# Why an absolute path lies where no installed file should point (a build tree, a temporary
# directory), or None: loader.places.Places answers it.
Hazard = Callable[[str], Optional[str]]


def is_needed_path(name: str) -> bool:
    return "/" in name and not name.startswith(("$ORIGIN", "${ORIGIN}"))


def needed_path_findings(result: LoadResult, hazard: Optional[Hazard] = None) -> list[Finding]:
    """One finding per DT_NEEDED path of each object loaded. It fails when the path is
    relative (opened from the current directory) or, given ``hazard``, lies in a build tree
    or a temporary directory; otherwise it is a warning: the file works where it is."""
    opened: dict[tuple[Optional[str], str], Optional[str]] = {}
    for e in result.edges:
        opened.setdefault((e.needed_by, e.name), e.path)
    out = []
    for obj in result.objects:
        for name in obj.info.needed:
            if not is_needed_path(name):
                continue
            why = (
                f"DT_NEEDED {name!r} is a path: the loader opens that file and ignores the run path"
            )
            fails = False
            if not name.startswith("/"):
                why += "; relative, it is opened from the current directory"
                fails = True
            elif hazard is not None:
                place = hazard(name)
                if place is not None:
                    why += f"; it {place}"
                    fails = True
            lib = os.path.basename(name)
            fix = (
                f"link {lib} with a SONAME (-Wl,-soname,{lib}), then relink "
                f"{obj.path}: it then needs the bare name, found through its run path"
            )
            out.append(
                Finding(
                    NEEDED_PATH,
                    f"{obj.path}: {why}",
                    fails,
                    library=name,
                    obj=obj.path,
                    path=opened.get((obj.path, name)),
                    reason=why,
                    fix=fix,
                )
            )
    return out
