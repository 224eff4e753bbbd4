"""What marks a build tree, by build system: one table, read by the rpath policy (a
directory in a build tree gets no entry), installdirs.py (where the tree installs), and
loader/places.py (`check`'s build-directory entries). A leaf module: it imports nothing.
"""

CMAKE = "cmake"
MESON = "meson"
AUTOCONF = "autoconf"
NINJA = "ninja"
MAKE = "make"

# (build system, what a directory at the top of one of its build trees holds, the file there
# that says where the tree installs, or ""), in the order a directory is asked about them.
TREES = (
    (CMAKE, "CMakeCache.txt", "CMakeCache.txt"),
    (MESON, "meson-private", "meson-info/intro-buildoptions.json"),
    (AUTOCONF, "config.status", "config.status"),
    (NINJA, "build.ninja", ""),
    (MAKE, "Makefile", "Makefile"),
    (MAKE, "makefile", "makefile"),
    (MAKE, "GNUmakefile", "GNUmakefile"),
)
# A directory at or below one of these is a build directory (a libtool `.libs` is one too).
BUILD_TREE_MARKERS = tuple(marker for _, marker, _ in TREES)
# The build systems whose install takes out the rpath they passed (CMake replaces its build
# rpath, Meson removes its build-only entries), by their tree's marker.
STRIPPING = tuple((marker, system) for system, marker, _ in TREES if system in (CMAKE, MESON))
# The configurations that say where a tree installs, in the order they are looked for; a
# Makefile is read only when no directory up the walk has any of these.
CONFIG_FILES = tuple(
    (system, config) for system, _, config in TREES if config and system not in (NINJA, MAKE)
)
MAKEFILES = ("GNUmakefile", "makefile", "Makefile")  # make's own order
