"""Where a directory named in a run path lies: in a build tree, in a temporary directory, in a
stub directory. ``ldwrap check`` flags such entries (and DT_NEEDED paths into such places).

A build tree is a directory that holds one of the markers the rpath policy knows
(``link.dirs.BUILD_TREE_MARKERS``: CMakeCache.txt, meson-private, config.status, build.ninja,
a Makefile), or any directory below one; a libtool ``.libs`` directory is one itself. The
temporary directories are /tmp, /var/tmp, $TMPDIR and $NIX_BUILD_TOP (a Nix build's top
directory). A stub directory is one named ``stubs`` (CUDA's ``lib64/stubs``): its libraries
exist to link against without a driver, and every call into them fails at run time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Optional

from ..link.dirs import BUILD_TREE_MARKERS
from .fs import FileSystem

TEMP_DIRS = ("/tmp", "/var/tmp")
STUB_NAME = "stubs"


def normal_dir(path: str) -> str:
    """A directory's spelling with `//`, `/./` and trailing slashes taken out (`..` stays:
    through a symlink it does not cancel the component before it)."""
    absolute = path.startswith("/")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if absolute:
        return "/" + "/".join(parts)
    return "/".join(parts) or "."


def temp_roots(env: Mapping[str, str]) -> tuple[str, ...]:
    """The temporary directories: /tmp, /var/tmp, and $TMPDIR and $NIX_BUILD_TOP when they
    are absolute (each normalised, without repeats)."""
    out: list[str] = []
    for d in (*TEMP_DIRS, env.get("TMPDIR") or "", env.get("NIX_BUILD_TOP") or ""):
        if d.startswith("/"):
            d = normal_dir(d)
            if d != "/" and d not in out:
                out.append(d)
    return tuple(out)


def under(path: str, roots: Sequence[str]) -> Optional[str]:
    """The first of roots that path (normalised, absolute) is at or below, else None."""
    for r in roots:
        if path == r or path.startswith(r + "/"):
            return r
    return None


def is_stub_dir(path: str) -> bool:
    return normal_dir(path).rsplit("/", 1)[-1] == STUB_NAME


class Places:
    """The questions about directories, answered once each (markers probed on the file
    system, inside --root when there is one)."""

    def __init__(self, fs: FileSystem, env: Mapping[str, str]) -> None:
        self.fs = fs
        self.temp = temp_roots(env)
        # The trees being audited: an entry into one of them is no reference to a scratch
        # directory, even where the tree itself was staged in one (a DESTDIR under /tmp).
        self.audited: list[str] = []
        self._markers: dict[str, Optional[str]] = {}

    def build_tree(self, path: str) -> Optional[tuple[str, str]]:
        """(the directory holding a marker, the marker) when path (absolute) is in a build
        tree; a libtool `.libs` directory is its own marker. None otherwise. An existing
        directory is walked up from its real path (`..` after a symlink is not lexical)."""
        d = normal_dir(path)
        if d.rsplit("/", 1)[-1] == ".libs":
            return d, ".libs"
        if "/../" in d + "/" and self.fs.is_dir(d):
            d = self.fs.realpath(d)
        while True:
            marker = self._marker(d)
            if marker is not None:
                return d, marker
            if d == "/":
                return None
            d = d.rsplit("/", 1)[0] or "/"

    def _marker(self, d: str) -> Optional[str]:
        if d not in self._markers:
            host = self.fs.host(d)
            self._markers[d] = next(
                (m for m in BUILD_TREE_MARKERS if os.path.lexists(os.path.join(host, m))), None
            )
        return self._markers[d]

    def build_reason(self, path: str) -> Optional[str]:
        """Why an absolute path is in a build tree, else None."""
        tree = self.build_tree(path)
        if tree is None:
            return None
        where, marker = tree
        if marker == ".libs":
            return "is a libtool .libs directory"
        return f"is in a build tree ({os.path.join(where, marker)} exists)"

    def hazard(self, path: str) -> Optional[str]:
        """Why an absolute path lies where no installed file should point (a build tree, a
        temporary directory), else None."""
        return self.build_reason(path) or self.temp_reason(path)

    def temp_reason(self, path: str) -> Optional[str]:
        """Why an absolute path is in a temporary directory (and not in a tree being
        audited), else None."""
        if under(normal_dir(path), self.audited) is not None:
            return None
        temp = under(normal_dir(path), self.temp)
        if temp is None and self.fs.is_dir(path):
            temp = under(self.fs.realpath(path), self.temp)
        return None if temp is None else f"is in the temporary directory {temp}"
