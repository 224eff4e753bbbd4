"""link/oslite.py: the path functions that stand in for os.path on the hot path, each against
the standard library, and its environment and file reads."""

from __future__ import annotations

import os
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


def test_environ_and_file_reads(tmp_path: Path) -> None:
    assert oslite.environ() is os.environ  # os is loaded here: its view, with its changes
    f = tmp_path / "f"
    f.write_bytes(b"x" * 3000)
    assert oslite.read_file(str(f), 10) == b"x" * 10
    assert oslite.read_file(str(f), 1 << 20) == b"x" * 3000
    assert oslite.read_file(str(tmp_path / "missing"), 10) is None
