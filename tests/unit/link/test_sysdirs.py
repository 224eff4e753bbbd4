"""link/sysdirs.py: what the default mode reads of ld.so.conf, its wildcards against fnmatch
and glob, the directories it counts as the system's, and the snapshot install keeps."""

from __future__ import annotations

import fnmatch
import glob
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from ldwrap.link import sysdirs
from ldwrap.link.sysdirs import (
    _wildcard_match,
    conf_snapshot,
    default_dir_checker,
    expand_include,
    ld_so_conf_dirs,
    snapshot_dirs,
)


def test_wildcards_match_as_fnmatch_does() -> None:
    rnd = random.Random(7)
    for _ in range(20000):
        pattern = "".join(rnd.choice("ab.c*?") for _ in range(rnd.randint(0, 6)))
        name = "".join(rnd.choice("ab.c") for _ in range(rnd.randint(0, 7)))
        assert _wildcard_match(name, pattern) == fnmatch.fnmatchcase(name, pattern), (name, pattern)


@pytest.mark.parametrize(
    "pattern",
    ["*.conf", "a*", "*", "x?.conf", "[ab].conf", "*/*.conf", "b.conf", "missing.conf", ".*"],
)
def test_include_patterns_find_what_glob_finds(tmp_path: Path, pattern: str) -> None:
    for name in ("a.conf", "b.conf", "x1.conf", ".hidden.conf", "notes.txt"):
        (tmp_path / name).write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.conf").write_text("")
    full = str(tmp_path / pattern)
    assert expand_include(full) == sorted(glob.glob(full))


def test_ld_so_conf_with_includes_comments_and_hwcap(tmp_path: Path) -> None:
    d = tmp_path / "ld.so.conf.d"
    d.mkdir()
    (d / "a.conf").write_text("/opt/a/lib  # a comment\n\n/opt/b/lib/\n")
    (d / "b.conf").write_text("hwcap 1 nosegneg\n/opt/c/lib=libc6\ninclude self.conf\n")
    (d / "self.conf").write_text("include self.conf\n")  # a loop ends at the depth limit
    conf = tmp_path / "ld.so.conf"
    conf.write_text("include ld.so.conf.d/*.conf\n/usr/local/lib\n")
    dirs = ld_so_conf_dirs(str(conf))
    assert dirs == ["/opt/a/lib", "/opt/b/lib", "/opt/c/lib", "/usr/local/lib"]


def test_default_dirs_by_name_and_through_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real" / "lib"
    real.mkdir(parents=True)
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    conf = tmp_path / "ld.so.conf"
    conf.write_text(f"{tmp_path}/alias/lib\n")
    is_default = default_dir_checker(str(conf))
    assert is_default("/usr/lib/x86_64-linux-gnu")
    assert is_default("/usr/lib/gcc/x86_64-linux-gnu/12")
    assert is_default(f"{tmp_path}/alias/lib")
    assert is_default(str(real))  # the same directory under its real name
    assert not is_default(str(tmp_path))
    assert not is_default(str(tmp_path / "missing"))


@pytest.mark.parametrize(
    ("path", "default"),
    [
        ("/usr/lib/gcc-cross/aarch64-linux-gnu/12", True),  # Debian's cross gcc
        ("/usr/aarch64-linux-gnu/lib", True),  # the cross root: the target's /lib
        ("/usr/aarch64-linux-gnu/lib64", True),
        ("/usr/arm-linux-gnueabihf/lib", True),
        ("/usr/riscv64-linux-gnu/lib32", True),
        ("/usr/aarch64-linux-gnu/lib/sub", False),
        ("/usr/aarch64-linux-gnu/opt", False),
        ("/usr/local/lib", False),
        ("/usr/foo/lib", False),
        ("/opt/aarch64-linux-gnu/lib", False),
        ("/usr/lib/gcc-crossx/a", False),
    ],
)
def test_cross_toolchain_directories(tmp_path: Path, path: str, default: bool) -> None:
    conf = tmp_path / "ld.so.conf"
    conf.write_text("")
    assert default_dir_checker(str(conf))(path) is default


def test_system_directories_alone_never_read_ld_so_conf(tmp_path: Path) -> None:
    conf = tmp_path / "ld.so.conf"  # unreadable: a directory
    conf.mkdir()
    is_default = default_dir_checker(str(conf))
    assert is_default("/usr/lib") and is_default("/lib/x86_64-linux-gnu")


def _conf_tree(tmp_path: Path) -> Path:
    d = tmp_path / "ld.so.conf.d"
    d.mkdir()
    (d / "a.conf").write_text("/opt/a/lib\n")
    (d / "b.conf").write_text("/opt/b/lib\ninclude /nowhere/c.conf\n")
    conf = tmp_path / "ld.so.conf"
    conf.write_text(f"include {d}/*.conf\n/usr/local/lib\n")
    return conf


def test_a_snapshot_records_everything_its_answer_was_read_from(tmp_path: Path) -> None:
    conf = _conf_tree(tmp_path)
    snap = conf_snapshot(str(conf))
    assert snap is not None
    assert snap[0] == str(conf)
    assert snap[1] == ("/opt/a/lib", "/opt/b/lib", "/usr/local/lib")
    d = tmp_path / "ld.so.conf.d"
    assert [s[0] for s in snap[2]] == [
        str(conf),
        str(d),  # listed: a file added or removed changes its time
        str(d / "a.conf"),
        str(d / "b.conf"),
        "/nowhere/c.conf",  # missing, and so must it stay
    ]
    assert snap[2][-1][1:] == (-1, -1)
    assert snapshot_dirs(snap, str(conf)) == snap[1]
    assert snapshot_dirs(snap, str(tmp_path / "other.conf")) is None
    assert snapshot_dirs(None, str(conf)) is None


def _bump(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize(
    "change",
    [
        lambda t: (t / "ld.so.conf.d" / "a.conf").write_text("/opt/other/lib\n"),
        lambda t: _bump(t / "ld.so.conf.d" / "b.conf"),  # same size, edited later
        lambda t: (t / "ld.so.conf.d" / "z.conf").write_text("/opt/z/lib\n"),
        lambda t: _bump(t / "ld.so.conf.d"),  # a file renamed over another leaves this
        lambda t: (t / "ld.so.conf").unlink(),
    ],
)
def test_any_change_to_what_was_read_makes_a_snapshot_stale(
    tmp_path: Path, change: Callable[[Path], object]
) -> None:
    conf = _conf_tree(tmp_path)
    snap = conf_snapshot(str(conf))
    change(tmp_path)
    assert snapshot_dirs(snap, str(conf)) is None


def test_a_pattern_only_glob_expands_gets_no_snapshot(tmp_path: Path) -> None:
    conf = tmp_path / "ld.so.conf"
    conf.write_text(f"include {tmp_path}/[ab].conf\n")
    assert conf_snapshot(str(conf)) is None


def test_the_checker_trusts_a_current_snapshot_and_reads_a_stale_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = _conf_tree(tmp_path)
    monkeypatch.setattr(sysdirs, "LD_SO_CONF", conf_snapshot(str(conf)))
    reads: list[str] = []
    real = sysdirs.ld_so_conf_dirs

    def counted(path: str, depth: int = 0, read: object = None) -> list[str]:
        reads.append(path)
        return real(path, depth)

    monkeypatch.setattr(sysdirs, "ld_so_conf_dirs", counted)
    assert default_dir_checker(str(conf))("/opt/a/lib")
    assert reads == []  # the snapshot answered
    (tmp_path / "ld.so.conf.d" / "a.conf").write_text("/opt/new/lib\n")
    is_default = default_dir_checker(str(conf))
    assert is_default("/opt/new/lib") and not is_default("/opt/a/lib")
    assert reads[0] == str(conf)  # read again, from the top
