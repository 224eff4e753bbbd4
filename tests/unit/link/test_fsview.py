"""link/fsview.py: what the rpath policy asks of directories, answered once each: build-tree
markers at any depth, and which build systems take their own rpath out at install."""

from __future__ import annotations

from pathlib import Path

import pytest

from ldwrap.link.buildtrees import BUILD_TREE_MARKERS, CMAKE, MESON
from ldwrap.link.fsview import FsView


@pytest.mark.parametrize("marker", BUILD_TREE_MARKERS)
def test_build_tree_markers_at_any_depth(tmp_path: Path, marker: str) -> None:
    deep = tmp_path / "top" / "a" / "b"
    deep.mkdir(parents=True)
    fs = FsView()
    assert fs.build_tree(str(deep)) is None
    (tmp_path / "top" / marker).touch()
    assert FsView().build_tree(str(deep)) == marker
    assert FsView().build_tree(str(tmp_path)) is None


@pytest.mark.parametrize(
    ("marker", "system"),
    [("CMakeCache.txt", CMAKE), ("meson-private", MESON), ("config.status", None),
     ("Makefile", None), (None, None)],
)  # fmt: skip
def test_the_build_system_whose_install_strips_its_rpath(
    tmp_path: Path, marker: str | None, system: str | None
) -> None:
    deep = tmp_path / "build" / "sub" / "dir"
    deep.mkdir(parents=True)
    if marker is not None:
        (tmp_path / "build" / marker).touch()
    # A Makefile below the CMake tree's top (CMake writes one per directory) does not hide it.
    (tmp_path / "build" / "sub" / "Makefile").touch()
    assert FsView().build_system(str(deep)) == system
