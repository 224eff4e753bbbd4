"""The file-system questions the policy asks, answered once each.

The policy is pure but for this interface, so tests can hand it a fake tree and the shim a
cached view of the real one.
"""

from __future__ import annotations

import os

# Measured on ext4 and tmpfs: reading a directory costs about as much as probing 4 names
# before its first entry, and 1 more per 8 entries. A directory's st_size
# estimates its entry count at about 32 bytes an entry (ext4, tmpfs, btrfs, xfs: within 2x).
# Past LIST_ALWAYS names no plausible library directory is cheaper to probe: skip the stat.
LIST_BASE_PROBES = 4
ENTRIES_PER_PROBE = 8
DIRENT_BYTES = 32
LIST_ALWAYS = 4096

_UNSEEN: tuple[list[str], frozenset[str]] = ([], frozenset())


class FsView:
    """Cached answers about the real file system."""

    def __init__(self) -> None:
        # Per directory: None if unreadable, else (the names list asked, those names found).
        self._listing: dict[str, tuple[list[str], frozenset[str]] | None] = {}
        self._probed: dict[str, bool] = {}
        self._real: dict[str, str] = {}
        self._order: tuple[list[str], dict[str, int], list[str]] | None = None
        self._targets: dict[str, tuple[int, int, int] | None] = {}

    def present(self, directory: str, names: list[str], count: int) -> list[str]:
        """The names (of count wanted) that exist in directory, in the order given.

        Each directory is read once, by probing the names or by listing it, whichever the
        size of the directory says is cheaper. Of a listing, only the names asked for are
        kept: whole listings would be most of the memory of a link with thousands of -L.
        """
        index, slashed = self._index(names)
        kept = self._listing.get(directory, _UNSEEN)
        if kept is _UNSEEN or (kept is not None and kept[0] is not names):
            if kept is _UNSEEN and not self._list_cheaper(directory, count):
                return [n for n in names if self._exists_in(directory, n)]
            kept = self._read(directory, names, index)
        if kept is None:
            return []
        hits = kept[1]
        if len(hits) <= 1 and len(index) == len(names):
            out = list(hits)  # the usual answer: one library, or none
        elif len(index) == len(names):
            out = sorted(hits, key=index.__getitem__)
        else:  # a name repeats: say it as often as it was asked
            out = [n for n in names if n in hits]
        if slashed:
            # A name with a slash (-l:sub/libx.so) is not in the listing; probe it.
            out += [n for n in slashed if self._exists_in(directory, n)]
        return out

    def _list_cheaper(self, directory: str, count: int) -> bool:
        """Whether listing directory costs less than probing count names in it."""
        if count <= LIST_BASE_PROBES:
            return False
        if count >= LIST_ALWAYS:
            return True
        try:
            entries = os.stat(directory).st_size // DIRENT_BYTES
        except OSError:
            return True  # no such directory: the listing fails at once and is remembered
        return LIST_BASE_PROBES + entries // ENTRIES_PER_PROBE < count

    def _read(
        self, directory: str, names: list[str], index: dict[str, int]
    ) -> tuple[list[str], frozenset[str]] | None:
        try:
            listing = os.listdir(directory)
        except OSError:
            self._listing[directory] = None
            return None
        hits = frozenset([n for n in listing if n in index])
        kept = self._listing[directory] = (names, hits)
        return kept

    def _exists_in(self, directory: str, name: str) -> bool:
        # Plain concatenation: os.path.join costs as much as the probe itself.
        path = directory + "/" + name if name[:1] != "/" else name
        hit = self._probed.get(path)
        if hit is None:
            # access(F_OK) answers what os.path.exists does, without building a stat result.
            hit = self._probed[path] = os.access(path, os.F_OK)
        return hit

    def _index(self, names: list[str]) -> tuple[dict[str, int], list[str]]:
        """Each name's position, and the names with a slash; kept for the list the policy
        passes for every directory, so that no directory costs a pass over all names."""
        if self._order is None or self._order[0] is not names:
            index = {n: i for i, n in enumerate(names)}
            self._order = (names, index, [n for n in names if "/" in n])
        return self._order[1], self._order[2]

    def target(self, path: str) -> tuple[int, int, int] | None:
        """The ELF target a library file is for (see targets.of_bytes); read once."""
        if path not in self._targets:
            from .targets import file_target

            self._targets[path] = file_target(path)
        return self._targets[path]

    def realpath(self, path: str) -> str:
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path)
        return real
