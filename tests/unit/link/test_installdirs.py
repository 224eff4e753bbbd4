"""Reading a build tree's install directories from its build system's own configuration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ldwrap.link import buildtrees
from ldwrap.link import installdirs as idirs

CMAKE_CACHE = """# This is the CMakeCache file.
//Install path prefix, prepended onto install directories.
CMAKE_INSTALL_PREFIX:PATH=/opt/p
//Object code libraries (lib)
CMAKE_INSTALL_LIBDIR:PATH=lib64
CMAKE_INSTALL_BINDIR:PATH=bin
//CMAKE_INSTALL_LIBDIR:PATH=commented
"""

CONFIG_STATUS = """#! /bin/sh
S["LIBS"]="-lm"
S["libdir"]="${exec_prefix}/lib"
S["bindir"]="${exec_prefix}/bin"
S["exec_prefix"]="${prefix}"
S["prefix"]="/opt/a very long"\\
"/prefix"
"""

MESON = (
    '[{"name": "auto_features", "value": "auto", "section": "core"}, '
    '{"name": "libdir", "value": "lib/x86_64-linux-gnu", "section": "directory"}, '
    '{"name": "prefix", "value": "/opt/m\\u00e9son\\/x", "section": "directory"}, '
    '{"name": "sub:prefix", "value": "/wrong", "section": "directory"}]'
)

MAKEFILE = """# GNU conventions
prefix = /usr/local/x
exec_prefix := $(prefix)
libdir ?= $(exec_prefix)/lib64
bindir = $(exec_prefix)/bin  # a comment
\tlibdir = /recipe/line
"""


@pytest.mark.parametrize(
    ("parser", "text", "want"),
    [
        (
            idirs.parse_cmake_cache,
            CMAKE_CACHE,
            {"prefix": "/opt/p", "libdir": "lib64", "bindir": "bin"},
        ),
        (
            idirs.parse_cmake_cache,
            "CMAKE_INSTALL_PREFIX=/x\n",
            {"prefix": "/x", "libdir": "lib", "bindir": "bin"},
        ),
        (
            idirs.parse_cmake_cache,
            "CMAKE_INSTALL_RPATH:STRING=$ORIGIN/../lib;/opt/x\n"
            "CMAKE_INSTALL_RPATH_USE_LINK_PATH:BOOL=ON\n",
            {
                "libdir": "lib",
                "bindir": "bin",
                "install_rpath": "$ORIGIN/../lib;/opt/x",
                "link_path": "ON",
            },
        ),
        (
            idirs.parse_config_status,
            CONFIG_STATUS,
            {
                "libdir": "${exec_prefix}/lib",
                "bindir": "${exec_prefix}/bin",
                "exec_prefix": "${prefix}",
                "prefix": "/opt/a very long/prefix",
            },
        ),
        (
            idirs.parse_meson_options,
            MESON,
            {"libdir": "lib/x86_64-linux-gnu", "prefix": "/opt/méson/x"},
        ),
        (
            idirs.parse_config_status,
            "s,@prefix@,/opt/old,;t t\ns,@libdir@,${exec_prefix}/lib64,;t t\n",
            {"prefix": "/opt/old", "libdir": "${exec_prefix}/lib64"},
        ),
        (idirs.parse_config_status, "s%@bindir@%/b%g\n  s,@prefix@,/no,;t t\n", {"bindir": "/b"}),
        (idirs.parse_config_status, "#!/bin/sh\n# written by another tool\n", {}),
        (idirs.parse_meson_options, '[{"name": "prefix", "value": "/x\\q"}]', {}),
    ],
)
def test_parsers(parser: Callable[[str], dict[str, str]], text: str, want: dict[str, str]) -> None:
    assert parser(text) == want


@pytest.mark.parametrize(
    ("text", "cmdline", "want"),
    [
        (
            MAKEFILE,
            {},
            {
                "prefix": "/usr/local/x",
                "exec_prefix": "/usr/local/x",
                "libdir": "/usr/local/x/lib64",
                "bindir": "/usr/local/x/bin",
            },
        ),
        (
            "PREFIX ?= /usr\nLIBDIR ?= $(PREFIX)/lib64\n",
            {},
            {"prefix": "/usr", "libdir": "/usr/lib64"},
        ),
        ("PREFIX ?= /usr\n", {"PREFIX": "/opt/x"}, {"prefix": "/opt/x"}),
        # openssl's Configure: INSTALLTOP and a relative LIBDIR under the GNU libdir.
        (
            "INSTALLTOP=/opt/ssl\nLIBDIR=lib64\nlibdir=$(INSTALLTOP)/$(LIBDIR)\n",
            {},
            {"prefix": "/opt/ssl", "libdir": "/opt/ssl/lib64"},
        ),
        ("INSTALLTOP=/opt/ssl\nLIBDIR=lib64\n", {}, {"prefix": "/opt/ssl", "libdir": "lib64"}),
    ],
)
def test_make_values(text: str, cmdline: dict[str, str], want: dict[str, str]) -> None:
    from ldwrap.link.makevars import MakeVars

    assert idirs.make_values(MakeVars(text, cmdline, {})) == want


@pytest.mark.parametrize(
    ("kind", "values", "want"),
    [
        (
            buildtrees.CMAKE,
            {"prefix": "/opt/p", "libdir": "lib64", "bindir": "bin"},
            ("/opt/p/lib64", "/opt/p/bin"),
        ),
        (
            buildtrees.CMAKE,
            {"prefix": "/opt/p/", "libdir": "/abs/lib", "bindir": "bin"},
            ("/abs/lib", "/opt/p/bin"),
        ),
        (
            buildtrees.MESON,
            {"prefix": "/opt/m", "libdir": "lib/x86_64-linux-gnu"},
            ("/opt/m/lib/x86_64-linux-gnu", "/opt/m/bin"),
        ),
        (
            buildtrees.AUTOCONF,
            {"prefix": "/opt/a", "exec_prefix": "${prefix}/x", "libdir": "${exec_prefix}/lib"},
            ("/opt/a/x/lib", "/opt/a/x/bin"),
        ),
        (buildtrees.AUTOCONF, {"prefix": "/opt/a"}, ("/opt/a/lib", "/opt/a/bin")),
        (
            buildtrees.MAKE,
            {"prefix": "/opt/k", "libdir": "$(prefix)/lib"},
            ("/opt/k/lib", "/opt/k/bin"),
        ),
        (buildtrees.MAKE, {"prefix": "/opt/s", "libdir": "lib64"}, ("/opt/s/lib64", "/opt/s/bin")),
        # Unknown or relative prefixes, and references this reader cannot expand: nothing.
        (buildtrees.AUTOCONF, {"prefix": "NONE"}, None),
        (buildtrees.AUTOCONF, {}, None),
        (buildtrees.MAKE, {"prefix": "/opt/k", "libdir": "$(DESTDIR)/lib"}, None),
        (buildtrees.AUTOCONF, {"prefix": "${prefix}"}, None),
    ],
)
def test_install_dirs(kind: str, values: dict[str, str], want: tuple[str, str] | None) -> None:
    got = idirs.install_dirs(kind, "/b", "/b/f", values)
    assert (None if got is None else (got.libdir, got.bindir)) == want


@pytest.mark.parametrize(
    ("files", "start", "env", "want"),
    [
        (
            {"build/CMakeCache.txt": CMAKE_CACHE},
            "build/sub/dir",
            {},
            (buildtrees.CMAKE, "build", "/opt/p/lib64"),
        ),
        (
            {"b/meson-info/intro-buildoptions.json": MESON, "b/meson-private/x": ""},
            "b/src",
            {},
            (buildtrees.MESON, "b", "/opt/méson/x/lib/x86_64-linux-gnu"),
        ),
        (
            {"t/config.status": CONFIG_STATUS, "t/lib/Makefile": MAKEFILE},
            "t/lib",
            {},
            (buildtrees.AUTOCONF, "t", "/opt/a very long/prefix/lib"),
        ),
        # A Makefile counts only when no configuration is found further up.
        ({"m/Makefile": MAKEFILE}, "m/x", {}, (buildtrees.MAKE, "m", "/usr/local/x/lib64")),
        ({"m/Makefile": "PREFIX ?= /usr\n"}, "m", {}, (buildtrees.MAKE, "m", "/usr/lib")),
        # make's command line reaches the link through MAKEFLAGS (lz4: `make PREFIX=...`).
        (
            {
                "z/lib/Makefile": "include ../Makefile.inc\nLIBDIR ?= $(PREFIX)/lib\n",
                "z/Makefile.inc": "PREFIX ?= /usr/local\n",
            },
            "z/lib",
            {"MAKEFLAGS": "s -j2 -- PREFIX=/opt/z", "PREFIX": "/opt/z"},
            (buildtrees.MAKE, "z/lib", "/opt/z/lib"),
        ),
        # A config.status that is not autoconf's: the Makefile beside it says the prefix.
        (
            {
                "o/config.status": '#!/bin/sh\nexec ./configure "$@"\n',
                "o/Makefile": "INSTALLTOP=/opt/o\nlibdir=$(INSTALLTOP)/lib\n",
            },
            "o",
            {},
            (buildtrees.MAKE, "o", "/opt/o/lib"),
        ),
        ({"n/config.status": "#!/bin/sh\n"}, "n", {}, None),
    ],
)
def test_lookup(
    tmp_path: Path,
    files: dict[str, str],
    start: str,
    env: dict[str, str],
    want: tuple[str, str, str] | None,
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / start).mkdir(parents=True, exist_ok=True)
    got = idirs.TreeView(env).lookup(str(tmp_path / start))
    assert (None if got is None else (got.kind, got.root, got.libdir)) == (
        None if want is None else (want[0], str(tmp_path / want[1]), want[2])
    )


@pytest.mark.parametrize(
    ("values", "name", "installed_in", "again", "link_path"),
    [
        ({}, "app", "/p/bin", set(), False),
        ({"install_rpath": "$ORIGIN/../lib;/opt/x/"}, "app", "/p/bin", {"/p/lib", "/opt/x"}, False),
        # A library is installed into the library directory: $ORIGIN/../lib is that one too.
        ({"install_rpath": "$ORIGIN/../lib"}, "libx.so.1.0", "/p/lib", {"/p/lib"}, False),
        ({"install_rpath": "${ORIGIN}:$LIB/x:rel"}, "libx.so", "/p/lib", {"/p/lib"}, False),
        # A module may go anywhere: `$ORIGIN` names nothing known.
        ({"install_rpath": "$ORIGIN/../lib:/abs"}, "mod.so", None, {"/abs"}, False),
        ({"link_path": "on"}, "app", "/p/bin", set(), True),
        ({"link_path": "1"}, "app", "/p/bin", set(), True),
        ({"link_path": "OFF"}, "app", "/p/bin", set(), False),
        ({"link_path": "0"}, "app", "/p/bin", set(), False),
    ],
)
def test_cmake_install_rpath(
    values: dict[str, str], name: str, installed_in: str | None, again: set[str], link_path: bool
) -> None:
    tree = idirs.install_dirs(
        buildtrees.CMAKE, "/b", "/b/CMakeCache.txt", {"prefix": "/p", **values}
    )
    assert tree is not None
    assert tree.install_dir(name) == installed_in
    assert tree.install_rpath_dirs(installed_in) == again
    assert tree.link_path == link_path


def test_others_may_create(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    (mine / "exists").mkdir()
    view = idirs.TreeView()
    assert not view.others_may_create(str(mine / "lib"))
    assert not view.others_may_create(str(mine / "not" / "yet" / "lib"))
    assert view.others_may_create(str(mine / "exists"))  # it may hold anything already
    assert view.others_may_create(str(shared / "lib"))  # like /tmp/lib
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o777)
    (open_dir / "mine").mkdir(mode=0o755)
    # Others may rename open/mine away and put their own in its place.
    assert view.others_may_create(str(open_dir / "mine" / "lib"))
