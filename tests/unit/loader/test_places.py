"""loader/places.py: normalising a directory's spelling, the temporary directories, and the
build-tree and stub rules (markers on a real tmp_path tree, also inside a root)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from ldwrap.link.dirs import BUILD_TREE_MARKERS
from ldwrap.loader.fs import FileSystem
from ldwrap.loader.places import Places, is_stub_dir, normal_dir, temp_roots, under


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a/b", "/a/b"),
        ("/a/b/", "/a/b"),
        ("/a/b///", "/a/b"),
        ("/a//b", "/a/b"),
        ("/a/./b/.", "/a/b"),
        ("//a", "/a"),
        ("/", "/"),
        ("///", "/"),
        ("/a/../b", "/a/../b"),  # `..` after a symlink does not cancel: kept
        ("rel//x/", "rel/x"),
        ("./", "."),
        ("", "."),
    ],
)
def test_normal_dir(path: str, expected: str) -> None:
    assert normal_dir(path) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("/tmp", "/var/tmp")),
        ({"TMPDIR": "/scratch/u/"}, ("/tmp", "/var/tmp", "/scratch/u")),
        ({"TMPDIR": "/tmp"}, ("/tmp", "/var/tmp")),  # no repeat
        ({"TMPDIR": "rel"}, ("/tmp", "/var/tmp")),  # not absolute: ignored
        ({"TMPDIR": "/"}, ("/tmp", "/var/tmp")),  # the whole system is no temporary dir
        ({"NIX_BUILD_TOP": "/build", "TMPDIR": "/build"}, ("/tmp", "/var/tmp", "/build")),
    ],
)
def test_temp_roots(env: dict[str, str], expected: tuple[str, ...]) -> None:
    assert temp_roots(env) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/tmp", "/tmp"),
        ("/tmp/x/lib", "/tmp"),
        ("/tmpx/lib", None),  # a prefix of the name is not a parent
        ("/var/tmp/b", "/var/tmp"),
        ("/usr/lib", None),
    ],
)
def test_under(path: str, expected: Optional[str]) -> None:
    assert under(path, ("/tmp", "/var/tmp")) == expected


@pytest.mark.parametrize(
    ("path", "stub"),
    [
        ("/usr/local/cuda/lib64/stubs", True),
        ("/usr/local/cuda/lib64/stubs/", True),
        ("/x/stubs/lib", False),  # a directory inside one is not named stubs
        ("/x/libstubs", False),
    ],
)
def test_is_stub_dir(path: str, stub: bool) -> None:
    assert is_stub_dir(path) is stub


@pytest.mark.parametrize("marker", BUILD_TREE_MARKERS)
def test_build_tree_marker_at_or_above(tmp_path: Path, marker: str) -> None:
    top = tmp_path / "proj" / "build"
    (top / "sub" / "lib").mkdir(parents=True)
    (top / marker).touch()
    places = Places(FileSystem(), {})
    assert places.build_tree(str(top / "sub" / "lib")) == (str(top), marker)
    assert places.build_tree(str(top)) == (str(top), marker)
    assert places.build_tree(str(top / "gone" / "lib")) == (str(top), marker)  # not there yet
    reason = places.build_reason(str(top / "sub" / "lib"))
    assert reason == f"is in a build tree ({top / marker} exists)"


def test_libtool_libs_is_a_build_dir_by_itself(tmp_path: Path) -> None:
    places = Places(FileSystem(), {})
    assert places.build_reason(str(tmp_path / "src" / ".libs")) == "is a libtool .libs directory"


def test_no_marker_is_no_build_tree(tmp_path: Path) -> None:
    (tmp_path / "prefix" / "lib").mkdir(parents=True)
    places = Places(FileSystem(), {})
    assert places.build_reason(str(tmp_path / "prefix" / "lib")) is None


def test_dotdot_walks_up_the_real_path(tmp_path: Path) -> None:
    """`/p/link/../lib` is the parent of link's target, not /p: the markers are looked for
    above the real directory."""
    (tmp_path / "build" / "real" / "x").mkdir(parents=True)
    (tmp_path / "build" / "CMakeCache.txt").touch()
    (tmp_path / "clean" / "lib").mkdir(parents=True)
    (tmp_path / "clean" / "link").symlink_to(tmp_path / "build" / "real" / "x")
    places = Places(FileSystem(), {})
    got = places.build_tree(str(tmp_path / "clean" / "link" / ".." / "x"))
    assert got == (str(tmp_path / "build"), "CMakeCache.txt")


def test_markers_inside_a_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "home" / "b" / "lib").mkdir(parents=True)
    (root / "home" / "b" / "config.status").touch()
    places = Places(FileSystem(str(root)), {})
    assert places.build_tree("/home/b/lib") == ("/home/b", "config.status")


def test_temp_reason_and_hazard() -> None:
    places = Places(FileSystem(), {"TMPDIR": "/scratch/u", "NIX_BUILD_TOP": "/build"})
    assert places.temp_reason("/build/source/lib") == "is in the temporary directory /build"
    assert places.temp_reason("/scratch/u//x/") == "is in the temporary directory /scratch/u"
    assert places.temp_reason("/scratch/other") is None
    assert places.temp_reason("/usr/lib") is None
    assert places.hazard("/var/tmp/x") == "is in the temporary directory /var/tmp"


def test_an_entry_into_a_tree_being_audited_is_no_temporary_one() -> None:
    """A tree staged under /tmp (a DESTDIR, a test's prefix) names its own library
    directory: that is the tree, not a scratch directory it will lose."""
    places = Places(FileSystem(), {})
    places.audited.append("/tmp/stage/opt/p")
    assert places.temp_reason("/tmp/stage/opt/p/lib") is None
    assert places.temp_reason("/tmp/stage/opt/p") is None
    assert places.temp_reason("/tmp/stage/opt/other/lib") == "is in the temporary directory /tmp"
    assert places.temp_reason("/tmp/build/lib") == "is in the temporary directory /tmp"
