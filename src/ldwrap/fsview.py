"""The file-system questions the policy asks, answered once each.

The policy is pure but for this interface, so tests can hand it a fake tree and the shim a
cached view of the real one.
"""

from __future__ import annotations

import os

# Probe names one by one up to this many; list the directory beyond it.
PROBE_LIMIT = 8


class FsView:
    """Cached answers about the real file system."""

    def __init__(self) -> None:
        self._listing: dict[str, frozenset[str] | None] = {}
        self._real: dict[str, str] = {}

    def present(self, directory: str, names: list[str], count: int) -> list[str]:
        """The names (of count wanted) that exist in directory, in the order given."""
        if directory not in self._listing and count <= PROBE_LIMIT:
            join = os.path.join
            exists = os.path.exists
            return [n for n in names if exists(join(directory, n))]
        if directory in self._listing:
            listing = self._listing[directory]
        else:
            try:
                listing = frozenset(os.listdir(directory))
            except OSError:
                listing = None
            self._listing[directory] = listing
        if not listing:
            return []
        out = [n for n in names if n in listing]
        # A name with a slash (-l:sub/libx.so) is not in the listing; probe it.
        return out + [n for n in names if "/" in n and os.path.exists(os.path.join(directory, n))]

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def realpath(self, path: str) -> str:
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path)
        return real

    def read_text(self, path: str) -> str | None:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                return f.read()
        except OSError:
            return None

    def listdir(self, directory: str) -> list[str]:
        try:
            return os.listdir(directory)
        except OSError:
            return []
