"""ldwrap's entries survive the build systems' install-time rewriting of RUNPATH.

Build systems pass an rpath of their own and rewrite it when they install (measured with
CMake 3.25 and Meson 1.0.1; see docs/build-systems.md): CMake replaces its own string by
position (and drops the separator before it only when its string is last), Meson removes
every element equal to a value it passed, GNU ld drops an `-rpath` value it already has.
These tests take the command `prepare` builds, compute the RUNPATH each linker writes from
it, apply the rewriters as specified, and check what an installed file keeps. The real build
systems run in tests/integration/build_systems/.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import Store
from ldwrap.link.plan import prepare
from ldwrap.link.verdicts import BUILD_TREE, SHADOWS


def runpath(argv: list[str], linker: str) -> str:
    """The DT_RUNPATH a linker writes for these arguments: the -rpath values joined by `:`
    in command-line order; GNU ld leaves out a value equal to an element it already has."""
    out: list[str] = []
    for i, a in enumerate(argv[:-1]):
        if a == "-rpath":
            value = argv[i + 1]
            if linker == "bfd" and value in ":".join(out).split(":"):
                continue
            out.append(value)
    return ":".join(out)


def cmake_install(rp: str, build_rpath: str, install_rpath: str = "") -> str:
    """file(RPATH_CHANGE): the old string replaced where it stands; when it is last and the
    new one is empty, the separator before it goes too."""
    at = rp.find(build_rpath)
    assert at >= 0, (rp, build_rpath)
    end = at + len(build_rpath)
    if end == len(rp) and not install_rpath and at > 0 and rp[at - 1] == ":":
        at -= 1
    return rp[:at] + install_rpath + rp[end:]


def meson_install(rp: str, build_only: set[str]) -> str:
    return ":".join(e for e in rp.split(":") if e not in build_only)


Argv = Callable[..., list[str]]


@pytest.fixture
def argv(tmp_path: Path, linker_path: str) -> Argv:
    """argv(args, **env): the command prepare builds in tmp_path, with a store there; its
    real linker is a placeholder (nothing is linked here)."""

    def run(args: list[str], **env: str) -> list[str]:
        full = {"PATH": linker_path, "NIX_STORE": str(tmp_path / "nix" / "store"), **env}
        return prepare("ld.lld", args, full, str(tmp_path)).argv

    return run


def meson_tree(tmp: Path) -> Path:
    """A Meson build directory (its install removes the rpath values it passed)."""
    build = tmp / "mbuild"
    (build / "meson-private").mkdir(parents=True, exist_ok=True)
    return build


@pytest.mark.parametrize("linker", ["bfd", "gold", "lld", "mold"])
def test_cmake_default_install_keeps_the_directory_and_no_empty_element(
    argv: Argv, tmp_path: Path, linker: str
) -> None:
    p = Store(tmp_path)
    x = p.lib("x", "libx.so")
    build = tmp_path / "build"
    build.mkdir()
    (build / "CMakeCache.txt").touch()
    cmake = f"{build}:{x}:"  # CMake's build rpath: its build tree, the library, a pad
    cmd = argv(["-o", f"{build}/app", "main.o", f"{x}/libx.so", "-rpath", cmake])
    rp = runpath(cmd, linker)
    installed = cmake_install(rp, cmake)
    assert installed.split(":") == [x + "/"]
    assert "" not in installed.split(":")


def test_cmake_with_an_install_rpath(argv: Argv, tmp_path: Path) -> None:
    p = Store(tmp_path)
    x = p.lib("x", "libx.so")
    cmake = f"{x}:"
    (tmp_path / "CMakeCache.txt").touch()
    rp = runpath(argv(["main.o", "-L", x, "-lx", "-rpath", cmake]), "lld")
    assert cmake_install(rp, cmake, "$ORIGIN/../lib").split(":") == [x + "/", "$ORIGIN/../lib"]


@pytest.mark.parametrize("linker", ["bfd", "lld"])
def test_meson_install_keeps_the_copy(argv: Argv, tmp_path: Path, linker: str) -> None:
    p = Store(tmp_path)
    x = p.lib("x", "libx.so")
    out = f"{meson_tree(tmp_path)}/app"
    rp = runpath(argv(["-o", out, "main.o", "-L", x, "-lx", "-rpath", x]), linker)
    assert meson_install(rp, {x}).split(":") == [x + "/"]


@pytest.mark.parametrize("linker", ["bfd", "lld"])
def test_an_autotools_build_keeps_the_callers_entry_alone(
    argv: Argv, tmp_path: Path, linker: str
) -> None:
    """libtool passes -rpath for each dependency's libdir and keeps it at install: a copy of
    ldwrap's would only name the directory twice."""
    p = Store(tmp_path)
    x = p.lib("x", "libx.so")
    (tmp_path / "config.status").touch()
    (tmp_path / ".libs").mkdir()
    args = ["-o", ".libs/app", "main.o", "-L", x, "-lx", "-rpath", x]
    assert argv(args)[1:] == args
    assert runpath(argv(args), linker) == x


def test_the_copy_is_placed_after_lld_flavor(argv: Argv, tmp_path: Path) -> None:
    p = Store(tmp_path)
    x = p.lib("x", "libx.so")
    out = ["-o", f"{meson_tree(tmp_path)}/app"]
    cmd = argv(["-flavor", "gnu", *out, "main.o", "-L", x, "-lx", "-rpath", x])
    assert cmd[1:] == [
        *("-flavor", "gnu", "-rpath", x + "/", *out),
        *("main.o", "-L", x, "-lx", "-rpath", x),
    ]


def test_a_new_directory_still_goes_last_as_in_nixpkgs(argv: Argv, tmp_path: Path) -> None:
    p = Store(tmp_path)
    x, y = p.lib("x", "libx.so"), p.lib("y", "liby.so")
    out = f"{meson_tree(tmp_path)}/app"
    cmd = argv(["-o", out, "main.o", "-L", x, "-lx", "-L", y, "-ly", "-rpath", x])
    assert cmd[1:] == [
        "-rpath",
        x + "/",
        "-o",
        out,
        "main.o",
        "-L",
        x,
        "-lx",
        "-L",
        y,
        "-ly",
        "-rpath",
        x,
        "-rpath",
        y,
    ]


@pytest.mark.parametrize("linker", ["bfd", "gold", "lld", "mold"])
def test_after_cmakes_padding_a_new_directory_goes_first(
    argv: Argv, tmp_path: Path, linker: str
) -> None:
    """CMake pads its build rpath with `:`; a directory it does not name (an -L of the
    user's LDFLAGS) placed after it would stand behind an empty element, the current
    directory, once the install removes CMake's string. It goes before the caller's
    arguments, after the copies."""
    p = Store(tmp_path)
    x, y = p.lib("x", "libx.so"), p.lib("y", "liby.so")
    build = tmp_path / "build"
    build.mkdir()
    (build / "CMakeCache.txt").touch()
    cmake = f"{build}:{x}:"
    args = ["-o", f"{build}/app", "main.o", "-L", x, "-lx", "-L", y, "-ly", "-rpath", cmake]
    cmd = argv(args)
    assert cmd[1:] == [*("-rpath", x + "/", "-rpath", y), *args]
    installed = cmake_install(runpath(cmd, linker), cmake)
    assert installed.split(":") == [x + "/", y]


def test_after_cmakes_padding_a_directory_that_would_win_stays_last(
    argv: Argv, tmp_path: Path
) -> None:
    """The build tree holds a newer libfoo and a prefix on LDFLAGS the installed one: in
    front of CMake's string the prefix would win in the build tree. It stays last, where it
    was; another directory still goes first."""
    p = Store(tmp_path)
    old, y = p.lib("foo-old", "libfoo.so", "libfoo.so.1", "libbar.so"), p.lib("y", "liby.so")
    build = tmp_path / "build"
    build.mkdir()
    (build / "CMakeCache.txt").touch()
    (build / "libfoo.so.1").touch()
    cmake = f"{build}:"
    args = ["main.o", f"{build}/libfoo.so.1", "-L", old, "-lbar", "-L", y, "-ly"]
    cmd = argv([*args, "-rpath", cmake])
    assert cmd[1:] == ["-rpath", y, *args, "-rpath", cmake, "-rpath", old]


@pytest.mark.parametrize("caller", ["/b:", ":/b", "/b::/c"])
def test_any_empty_element_of_the_callers_rpath_puts_ours_first(
    argv: Argv, tmp_path: Path, caller: str
) -> None:
    y = Store(tmp_path).lib("y", "liby.so")
    cmd = argv(["main.o", "-L", y, "-ly", "-rpath", caller])
    assert cmd[1:] == ["-rpath", y, "main.o", "-L", y, "-ly", "-rpath", caller]


def test_no_copy_that_would_change_which_library_wins(linker_path: str, tmp_path: Path) -> None:
    """A newer libfoo is being built: the caller's rpath names its directory first, and the
    installed one's second. A copy of the second in front would make the old one win."""
    p = Store(tmp_path)
    new, old = p.lib("foo-new", "libfoo.so"), p.lib("foo-old", "libfoo.so")
    args = ["-o", f"{meson_tree(tmp_path)}/app", "main.o", "-L", old, "-lfoo"]
    inv = prepare(
        "ld.lld",
        [*args, "-rpath", f"{new}:{old}"],
        {"PATH": linker_path, "NIX_STORE": str(p.root)},
        str(tmp_path),
    )
    assert inv.argv[1:] == [*args, "-rpath", f"{new}:{old}"]
    assert inv.plan is not None
    assert [(d.path, d.verdict) for d in inv.plan.decisions] == [(old, SHADOWS)]


def test_a_copy_that_changes_nothing_is_made(argv: Argv, tmp_path: Path) -> None:
    # The earlier entry of the caller's holds other libraries only: no precedence changes.
    p = Store(tmp_path)
    a, x = p.lib("a", "liba.so"), p.lib("x", "libx.so")
    out = f"{meson_tree(tmp_path)}/app"
    cmd = argv(["-o", out, "main.o", "-L", x, "-lx", "-L", a, "-la", "-rpath", f"{a}:{x}"])
    assert cmd[1:5] == ["-rpath", x + "/", "-rpath", a + "/"]


MARKERS = [
    "CMakeCache.txt",
    "meson-private",
    "config.status",
    "build.ninja",
    "Makefile",
    "makefile",
    "GNUmakefile",
]


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("mode", ["default", "prefixes"])
def test_a_build_tree_gets_no_rpath(
    linker_path: str, tmp_path: Path, marker: str, mode: str
) -> None:
    top = tmp_path / "proj"
    lib = top / "build" / "sub"
    lib.mkdir(parents=True)
    (lib / "libfoo.so").touch()
    m = top / "build" / marker
    if marker == "meson-private":
        m.mkdir()
    else:
        m.touch()
    env = {"PATH": linker_path}
    if mode == "prefixes":
        env["LDWRAP_RPATH_PREFIXES"] = str(tmp_path)
    inv = prepare("ld.lld", ["main.o", "-L", str(lib), "-lfoo"], env, str(tmp_path))
    assert inv.argv[1:] == ["main.o", "-L", str(lib), "-lfoo"]
    assert inv.plan is not None
    assert [d.verdict for d in inv.plan.decisions] == [BUILD_TREE]


def test_a_libtool_libs_directory_is_a_build_tree(linker_path: str, tmp_path: Path) -> None:
    lib = tmp_path / "pkg" / ".libs"
    lib.mkdir(parents=True)
    (lib / "libfoo.so").touch()
    inv = prepare("ld.lld", ["main.o", f"{lib}/libfoo.so"], {"PATH": linker_path}, str(tmp_path))
    assert inv.plan is not None
    assert [d.verdict for d in inv.plan.decisions] == [BUILD_TREE]


def test_a_prefix_next_to_a_build_tree_still_counts(linker_path: str, tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (build / "CMakeCache.txt").touch()
    prefix = tmp_path / "opt" / "lib"
    prefix.mkdir(parents=True)
    (prefix / "libfoo.so").touch()
    inv = prepare(
        "ld.lld", ["main.o", "-L", str(prefix), "-lfoo"], {"PATH": linker_path}, str(build)
    )
    assert inv.argv[-2:] == ["-rpath", str(prefix)]


def test_the_store_is_never_a_build_tree(argv: Argv, tmp_path: Path) -> None:
    # A Makefile inside a store path (a source tarball unpacked there) changes nothing.
    p = Store(tmp_path)
    x = p.lib("x", "libx.so")
    (Path(x).parent / "Makefile").touch()
    assert argv(["main.o", "-L", x, "-lx"])[-2:] == ["-rpath", x]


def test_a_prefix_installed_inside_a_build_tree_is_still_a_prefix(
    linker_path: str, tmp_path: Path
) -> None:
    # `cmake --install build --prefix build/stage`: the markers above the prefix do not count.
    build = tmp_path / "build"
    lib = build / "stage" / "lib"
    lib.mkdir(parents=True)
    (build / "CMakeCache.txt").touch()
    (lib / "libfoo.so").touch()
    env = {"PATH": linker_path, "LDWRAP_RPATH_PREFIXES": str(build / "stage")}
    inv = prepare("ld.lld", ["main.o", "-L", str(lib), "-lfoo"], env, str(tmp_path))
    assert inv.argv[-2:] == ["-rpath", str(lib)]
    # Inside the prefix, a build tree still counts.
    (lib / "Makefile").touch()
    inv = prepare("ld.lld", ["main.o", "-L", str(lib), "-lfoo"], env, str(tmp_path))
    assert inv.plan is not None
    assert [d.verdict for d in inv.plan.decisions] == [BUILD_TREE]
