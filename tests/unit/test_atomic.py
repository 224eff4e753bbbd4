"""atomic.py: a file is replaced whole or not at all (a temporary file in the same directory,
renamed over it), with the mode and owner asked for. Changing a file's owner needs root, so
os.fchown is recorded rather than run; failures are raised where the code would meet them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ldwrap import atomic
from ldwrap.atomic import fsync_dir, write_atomic


def _names(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


@pytest.mark.parametrize("existing", [False, True])
def test_the_file_gets_exactly_the_data_and_the_mode(tmp_path: Path, existing: bool) -> None:
    f = tmp_path / "ld.lld"
    if existing:
        f.write_bytes(b"old, and longer than the new content")
        f.chmod(0o600)
    write_atomic(str(f), b"new", 0o751)
    assert f.read_bytes() == b"new"
    assert stat.S_IMODE(f.stat().st_mode) == 0o751
    assert _names(tmp_path) == ["ld.lld"]  # no temporary file left


def test_the_new_file_is_renamed_over_the_old_and_the_directory_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "bundle"
    f.write_bytes(b"old")
    old_inode = f.stat().st_ino
    synced: list[str] = []
    monkeypatch.setattr(atomic, "fsync_dir", synced.append)
    write_atomic(str(f), b"new", 0o644)
    assert f.stat().st_ino != old_inode  # a new file: a reader of the old one keeps it whole
    assert synced == [str(tmp_path)]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    f = tmp_path / "ld.lld"
    f.write_bytes(b"old")

    def fail(*args: object) -> None:
        raise error

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(type(error)):
        write_atomic(str(f), b"new", 0o755)
    assert f.read_bytes() == b"old"
    assert _names(tmp_path) == ["ld.lld"]


def test_the_owner_is_changed_only_when_it_differs_and_before_the_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, object]] = []
    real_fchmod = os.fchmod
    monkeypatch.setattr(os, "fchown", lambda fd, uid, gid: calls.append(("chown", (uid, gid))))

    def fchmod(fd: int, mode: int) -> None:
        calls.append(("chmod", mode))
        real_fchmod(fd, mode)

    monkeypatch.setattr(os, "fchmod", fchmod)
    mine = (os.getuid(), os.getgid())
    write_atomic(str(tmp_path / "same"), b"x", 0o755, owner=mine)
    assert calls == [("chmod", 0o755)]
    calls.clear()
    other = (mine[0] + 1, mine[1] + 1)
    # A set-ID bit set before a chown would be cleared by it: the mode comes last.
    write_atomic(str(tmp_path / "other"), b"x", 0o4755, owner=other)
    assert calls == [("chown", other), ("chmod", 0o4755)]


def test_fsync_dir_of_a_missing_directory_does_nothing(tmp_path: Path) -> None:
    fsync_dir(str(tmp_path / "gone"))
    fsync_dir(str(tmp_path))
    assert _names(tmp_path) == []
