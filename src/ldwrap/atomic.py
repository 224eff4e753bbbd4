"""Replacing a file so that a reader sees the old one or the new one, never half of either:
the launchers, the bundle, a wrapped toolchain's linker, a trimmed ELF file."""

from __future__ import annotations

import os
import tempfile


def fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str, data: bytes, mode: int, owner: tuple[int, int] | None = None) -> None:
    """path gets exactly data or keeps what it had: temp file in the same dir + rename.

    owner: the (uid, gid) the new file gets, where it differs from the writer's (raises
    PermissionError unless allowed)."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.ldwrap-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if owner is not None:
                mine = os.fstat(f.fileno())
                if owner != (mine.st_uid, mine.st_gid):
                    os.fchown(f.fileno(), *owner)
            os.fchmod(f.fileno(), mode)  # after chown, which clears set-ID bits
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    fsync_dir(directory)
