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


def test_every_build_system_marks_its_tree() -> None:
    assert {system for system, _, _ in TREES} == {CMAKE, MESON, AUTOCONF, NINJA, MAKE}


def test_each_marker_once_a_plain_name() -> None:
    assert len(set(BUILD_TREE_MARKERS)) == len(BUILD_TREE_MARKERS) == len(TREES)
    # A name in the tree's top directory, never a path.
    assert all(m and "/" not in m for m in BUILD_TREE_MARKERS)


def test_a_generator_s_own_marker_is_asked_before_the_files_it_writes() -> None:
    # A CMake, Meson or autoconf tree also holds a Makefile or build.ninja it generated: its
    # own marker must be found first in the same directory, or the tree is taken for make's.
    order = {marker: i for i, marker in enumerate(BUILD_TREE_MARKERS)}
    for generator in ("CMakeCache.txt", "meson-private", "config.status"):
        for generated in ("build.ninja", "Makefile", "makefile", "GNUmakefile"):
            assert order[generator] < order[generated]


def test_each_configuration_sits_in_its_tree() -> None:
    # The file naming the install prefix is the marker itself or inside the marked tree's top.
    for _, marker, config in TREES:
        assert config == "" or config == marker or "/" in config


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
