"""link/buildtrees.py: the one table of what marks a build tree, and the lists derived from it
for the rpath policy, installdirs.py and loader/places.py. What a marker does to a directory is
tested with each of those modules; here, that the table says what the build systems do."""

from __future__ import annotations

import ast
from pathlib import Path

from ldwrap.link import buildtrees
from ldwrap.link.buildtrees import (
    AUTOCONF,
    BUILD_TREE_MARKERS,
    CMAKE,
    CONFIG_FILES,
    MAKE,
    MAKEFILES,
    MESON,
    NINJA,
    STRIPPING,
    TREES,
)


def test_the_table() -> None:
    assert TREES == (
        (CMAKE, "CMakeCache.txt", "CMakeCache.txt"),
        (MESON, "meson-private", "meson-info/intro-buildoptions.json"),
        (AUTOCONF, "config.status", "config.status"),
        (NINJA, "build.ninja", ""),
        (MAKE, "Makefile", "Makefile"),
        (MAKE, "makefile", "makefile"),
        (MAKE, "GNUmakefile", "GNUmakefile"),
    )


def test_each_marker_once_in_the_tables_order() -> None:
    assert BUILD_TREE_MARKERS == (
        "CMakeCache.txt",
        "meson-private",
        "config.status",
        "build.ninja",
        "Makefile",
        "makefile",
        "GNUmakefile",
    )
    assert len(set(BUILD_TREE_MARKERS)) == len(BUILD_TREE_MARKERS)
    # A name in the tree's top directory, never a path.
    assert all("/" not in m for m in BUILD_TREE_MARKERS)


def test_cmake_and_meson_strip_their_rpath_at_install() -> None:
    assert STRIPPING == (("CMakeCache.txt", CMAKE), ("meson-private", MESON))


def test_the_configurations_that_name_the_install_prefix() -> None:
    # make's own files are read only when none of these is found; ninja's says nothing.
    assert CONFIG_FILES == (
        (CMAKE, "CMakeCache.txt"),
        (MESON, "meson-info/intro-buildoptions.json"),
        (AUTOCONF, "config.status"),
    )


def test_makefiles_in_make_s_own_order() -> None:
    # GNU make looks for GNUmakefile, makefile and Makefile, in that order.
    assert MAKEFILES == ("GNUmakefile", "makefile", "Makefile")
    assert set(MAKEFILES) == {marker for system, marker, _ in TREES if system == MAKE}


def test_a_leaf_module() -> None:
    tree = ast.parse(Path(buildtrees.__file__).read_text())
    assert [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))] == []
