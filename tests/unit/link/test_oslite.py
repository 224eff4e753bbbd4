"""link/oslite.py: the path functions that stand in for os.path on the hot path, each against
the standard library, and its environment and file reads."""

from __future__ import annotations

import os
import posix
import posixpath
from pathlib import Path

import pytest

from ldwrap.link import oslite

PATHS = [
    "",
    "/",
    "//",
    "///",
    "a",
    "a/",
    "/a/b/",
    "a//b",
    "./a",
    "../a",
    "a/../../b",
    "/../a",
    "//a/b",
    "a/./b/.",
    "/a/b/../..",
    "..",
    "/tmp//x/",
]


@pytest.mark.parametrize("p", PATHS)
def test_path_functions_are_posixpaths(p: str) -> None:
    assert oslite.path.normpath(p) == posixpath.normpath(p)
    assert oslite.path.split(p) == posixpath.split(p)
    assert oslite.path.dirname(p) == posixpath.dirname(p)
    assert oslite.path.basename(p) == posixpath.basename(p)
    for q in PATHS[:8]:
        assert oslite.path.join(p, q) == posixpath.join(p, q)


def test_realpath_is_posixpaths(tmp_path: Path) -> None:
    t = str(tmp_path)
    os.makedirs(f"{t}/r/lib")
    os.makedirs(f"{t}/q")
    os.symlink(f"{t}/r/lib", f"{t}/l1")
    os.symlink("../r", f"{t}/q/rel")
    os.symlink("loop2", f"{t}/loop1")
    os.symlink("loop1", f"{t}/loop2")
    os.symlink("/nonexistent/x", f"{t}/dang")
    for p in [
        f"{t}/l1",
        f"{t}/l1/..",
        f"{t}/q/rel/lib/../lib",
        f"{t}/loop1/x",
        f"{t}/dang/y",
        f"{t}/q/../l1/./",
        f"{t}/missing/../q",
        "/",
    ]:
        assert oslite.path.realpath(p) == os.path.realpath(p), p
    # One link's cache of lstat answers, shared by all its paths, gives the same answers.
    modes: dict[str, int] = {}
    for _ in range(2):
        for p in [f"{t}/q/rel/lib/../lib", f"{t}/l1/..", f"{t}/loop1/x", f"{t}/dang/y"]:
            assert oslite.path.realpath(p, modes) == os.path.realpath(p), p
    assert modes[f"{t}/l1"] == os.lstat(f"{t}/l1").st_mode


def test_realpath_asks_each_component_once_with_a_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = str(tmp_path)
    os.makedirs(f"{t}/a/b/c")
    os.makedirs(f"{t}/a/b/d")
    asked: list[str] = []
    real_lstat = posix.lstat

    def lstat(p: str) -> os.stat_result:
        asked.append(p)
        return real_lstat(p)

    monkeypatch.setattr(posix, "lstat", lstat)
    modes: dict[str, int] = {}
    assert oslite.path.realpath(f"{t}/a/b/c/../d", modes) == f"{t}/a/b/d"
    assert oslite.path.realpath(f"{t}/a/b/c", modes) == f"{t}/a/b/c"
    assert len(asked) == len(set(asked))  # nothing asked twice


def test_environ_and_file_reads(tmp_path: Path) -> None:
    assert oslite.environ() is os.environ  # os is loaded here: its view, with its changes
    f = tmp_path / "f"
    f.write_bytes(b"x" * 3000)
    assert oslite.read_file(str(f), 10) == b"x" * 10
    assert oslite.read_file(str(f), 1 << 20) == b"x" * 3000
    big = tmp_path / "big"
    big.write_bytes(bytes(range(256)) * 1000)  # more than one read's chunk
    assert oslite.read_file(str(big), 1 << 20) == big.read_bytes()
    assert oslite.read_file(str(big), 200_000) == big.read_bytes()[:200_000]
    assert oslite.read_file(str(tmp_path / "missing"), 10) is None
