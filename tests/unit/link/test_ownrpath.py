"""The project's own install directory on the rpath of a link that takes a library from a
build tree: which entry, where in the command, and when none.

Each case is a real tree on disk (a build directory holding the build system's configuration
and a freshly built libown.so) and the full command `prepare` builds for it. The links run in
the prefixes mode with the temporary directory as the prefix, so that they do not depend on
what this machine has under /nix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ldwrap.link import ownrpath
from ldwrap.link.plan import prepare
from ldwrap.link.verdicts import (
    ADDED,
    BUILD_TREE,
    DEFAULT_DIR,
    OUTSIDE,
    OWN_ABSOLUTE,
    OWN_INSTALL_NAMED,
    OWN_NAMED,
    OWN_ORIGIN,
    OWN_UNSAFE,
)

CONFIGS = {
    "cmake": ("CMakeCache.txt", "CMAKE_INSTALL_PREFIX:PATH={prefix}\n"),
    "meson": (
        "meson-info/intro-buildoptions.json",
        '[{{"name": "libdir", "value": "lib"}}, {{"name": "prefix", "value": "{prefix}"}}]',
    ),
    "autoconf": (
        "config.status",
        'S["prefix"]="{prefix}"\nS["exec_prefix"]="${{prefix}}"\nS["libdir"]="${{exec_prefix}}/lib"\n',
    ),
}


def tree(tmp_path: Path, kind: str, prefix: str) -> Path:
    build = tmp_path / "build"
    name, text = CONFIGS[kind]
    (build / name).parent.mkdir(parents=True, exist_ok=True)
    (build / name).write_text(text.format(prefix=prefix))
    (build / "meson-private").mkdir(exist_ok=True)  # Meson's marker of a build tree
    (build / "libown.so").touch()
    return build


Link = Callable[..., tuple[list[str], list[tuple[str, str]]]]


@pytest.fixture
def link(tmp_path: Path, linker_path: str) -> Link:
    """link(build, args, **env): prepare's arguments after the real linker (a placeholder:
    nothing is linked) for a link in build, and the verdicts on the directories besides it."""

    def run(build: Path, args: list[str], **env: str) -> tuple[list[str], list[tuple[str, str]]]:
        full = {"PATH": linker_path, "LDWRAP_RPATH_PREFIXES": str(tmp_path), **env}
        inv = prepare("ld.lld", args, full, str(build))
        assert inv.plan is not None
        own = [(d.path, d.verdict) for d in inv.plan.decisions if d.path != str(build)]
        return inv.argv[1:], own

    return run


LINK = ["-o", "app", "app.o", "-L.", "-lown"]
CMAKE_RPATH = ["-rpath", "{build}:"]


@pytest.mark.parametrize(
    ("kind", "args", "want_args", "want"),
    [
        # CMake passes its build rpath and replaces it at install: $ORIGIN, before it.
        (
            "cmake",
            [*LINK, *CMAKE_RPATH],
            ["-rpath", "$ORIGIN/../lib/", *LINK, *CMAKE_RPATH],
            [("$ORIGIN/../lib/", OWN_ORIGIN)],
        ),
        # A shared library is installed into the library directory itself.
        (
            "cmake",
            ["-shared", "-o", "libtwo.so.1", "two.o", "-L.", "-lown", *CMAKE_RPATH],
            [
                "-rpath",
                "$ORIGIN/",
                "-shared",
                "-o",
                "libtwo.so.1",
                "two.o",
                "-L.",
                "-lown",
                *CMAKE_RPATH,
            ],
            [("$ORIGIN/", OWN_ORIGIN)],
        ),
        # Meson passed `$ORIGIN/` itself and removes exactly that at install.
        (
            "meson",
            ["-o", "libtwo.so.1", "two.o", "-rpath", "$ORIGIN/", "libown.so"],
            [
                "-rpath",
                "$ORIGIN//",
                "-o",
                "libtwo.so.1",
                "two.o",
                "-rpath",
                "$ORIGIN/",
                "libown.so",
            ],
            [("$ORIGIN//", OWN_ORIGIN)],
        ),
        (
            "autoconf",
            LINK,
            ["-rpath", "$ORIGIN/../lib/", *LINK],
            [("$ORIGIN/../lib/", OWN_ORIGIN)],
        ),
        # libtool passes the install directory itself.
        (
            "autoconf",
            [*LINK, "-rpath", "{prefix}/lib"],
            [*LINK, "-rpath", "{prefix}/lib"],
            [("{prefix}/lib", OWN_NAMED)],
        ),
    ],
)
def test_own_entry(
    link: Link,
    tmp_path: Path,
    kind: str,
    args: list[str],
    want_args: list[str],
    want: list[tuple[str, str]],
) -> None:
    prefix = str(tmp_path / "inst")
    build = tree(tmp_path, kind, prefix)

    def fill(words: list[str]) -> list[str]:
        return [w.format(build=build, prefix=prefix) for w in words]

    got_args, got = link(build, fill(args))
    assert got_args == fill(want_args)
    assert got == [(p.format(prefix=prefix), v) for p, v in want]


def test_where_others_could_create_the_directory_an_absolute_entry_goes_last(
    link: Link,
    tmp_path: Path,
) -> None:
    # From <open>/build/app, $ORIGIN/../lib is <open>/lib: anyone may create it (like /tmp/lib).
    prefix = str(tmp_path / "inst")
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o1777)
    build = tree(open_dir, "autoconf", prefix)
    args, got = link(build, LINK)
    assert args == [*LINK, "-rpath", f"{prefix}/lib"]
    assert got == [(f"{prefix}/lib", OWN_ABSOLUTE)]
    # In a CMake tree that passes its own rpath, an entry after it would leave `:DIR`.
    build = tree(open_dir, "cmake", prefix)
    cmake = [*LINK, "-rpath", f"{build}:"]
    args, got = link(build, cmake)
    assert args == cmake
    assert got == [(f"{prefix}/lib", OWN_UNSAFE)]


@pytest.mark.parametrize(
    ("install_rpath", "want_args", "verdict"),
    [
        ("$ORIGIN/../lib", [], OWN_INSTALL_NAMED),
        ("{prefix}/lib", [], OWN_INSTALL_NAMED),
        ("$ORIGIN/../lib64", ["-rpath", "$ORIGIN/../lib/"], OWN_ORIGIN),
    ],
)
def test_cmakes_install_rpath_naming_the_directory_already(
    link: Link, tmp_path: Path, install_rpath: str, want_args: list[str], verdict: str
) -> None:
    """`-DCMAKE_INSTALL_RPATH=$ORIGIN/../lib`: the install writes it itself; an entry of
    ldwrap's as well would name the directory twice."""
    prefix = str(tmp_path / "inst")
    build = tree(tmp_path, "cmake", prefix)
    cache = build / "CMakeCache.txt"
    rpath = install_rpath.format(prefix=prefix)
    cache.write_text(cache.read_text() + f"CMAKE_INSTALL_RPATH:STRING={rpath}\n")
    args = [*LINK, "-rpath", f"{build}:"]
    got_args, got = link(build, args)
    assert got_args == [*want_args, *args]
    entry = "$ORIGIN/../lib/" if want_args else f"{prefix}/lib"
    assert got == [(entry, verdict)]


@pytest.mark.parametrize("entry", ["$ORIGIN/../lib", "$ORIGIN/../lib/", "${ORIGIN}/../lib"])
def test_a_makefiles_own_origin_entry_is_not_named_twice(
    link: Link, tmp_path: Path, entry: str
) -> None:
    """A Makefile that passes `-Wl,-rpath,'$ORIGIN/../lib'` itself keeps it through `make
    install`: ldwrap adds no second one (in a CMake or Meson tree it would: their install
    takes theirs out)."""
    prefix = str(tmp_path / "inst")
    build = tree(tmp_path, "autoconf", prefix)
    (build / "meson-private").rmdir()
    args = [*LINK, "-rpath", entry]
    got_args, got = link(build, args)
    assert got_args == args
    assert got == [(f"{prefix}/lib", OWN_NAMED)]


def test_inside_the_build_tree_is_safe(link: Link, tmp_path: Path) -> None:
    # bin/app and lib/ inside the build tree, as CMake's output directories may lay them out.
    prefix = str(tmp_path / "inst")
    build = tree(tmp_path / "open", "cmake", prefix)
    (tmp_path / "open").chmod(0o777)
    (build / "lib").mkdir()
    args = ["-o", "bin/app", "app.o", "-L.", "-lown", "-rpath", f"{build}:"]
    got_args, got = link(build, args)
    assert got_args == ["-rpath", "$ORIGIN/../lib/", *args]
    assert got == [("$ORIGIN/../lib/", OWN_ORIGIN)]


@pytest.mark.parametrize(
    ("prefix", "env", "want_args", "want"),
    [
        # The loader searches /usr/lib by itself.
        ("/usr", {}, [], [("/usr/lib", DEFAULT_DIR)]),
        ("{tmp}/inst", {"LDWRAP_SELF_RPATH": "0"}, [], []),
        # The explicit setting replaces what the configuration says.
        (
            "{tmp}/inst",
            {"LDWRAP_SELF_RPATH": "{tmp}/other/lib:{tmp}/inst/lib"},
            # relative to the program's install directory, {tmp}/inst/bin
            ["-rpath", "$ORIGIN/../../other/lib/", "-rpath", "$ORIGIN/../lib/"],
            [
                ("$ORIGIN/../../other/lib/", OWN_ORIGIN),
                ("$ORIGIN/../lib/", OWN_ORIGIN),
            ],
        ),
        # Outside the allowed prefixes: the prefixes are for dependencies; the install
        # prefix's library directory is the program's own.
        (
            "/opt/elsewhere",
            {},
            ["-rpath", "$ORIGIN/../lib/"],
            [("$ORIGIN/../lib/", OWN_ORIGIN)],
        ),
        # A prefix staged inside the build tree is no place to load from.
        ("{tmp}/build/stage", {}, [], [("{tmp}/build/stage/lib", BUILD_TREE)]),
    ],
)
def test_no_entry_or_another(
    link: Link,
    tmp_path: Path,
    prefix: str,
    env: dict[str, str],
    want_args: list[str],
    want: list[tuple[str, str]],
) -> None:
    t = str(tmp_path)
    build = tree(tmp_path, "autoconf", prefix.format(tmp=t))
    env = {k: v.format(tmp=t) for k, v in env.items()}
    got_args, got = link(build, LINK, **env)
    assert got_args == [*want_args, *LINK]
    assert got == [(p.format(tmp=t), v) for p, v in want]


@pytest.mark.parametrize(
    ("env", "want"),
    [
        ({"LDWRAP_RPATH_PREFIXES": "/nix/store"}, ["-rpath", "$ORIGIN/../lib/"]),
        # NIX_STORE outside a Nix build (a store layout built by hand), and on NixOS: the
        # build tree lies outside the store, and its library is still the project's own.
        ({"NIX_STORE": "/nix/store"}, ["-rpath", "$ORIGIN/../lib/"]),
        ({"NIX_STORE": "{tmp}/store", "out": "/elsewhere/out"}, ["-rpath", "$ORIGIN/../lib/"]),
        # A Nix build ($out in the store): stdenv's NIX_LDFLAGS carry `-rpath $out/lib`, and
        # nixpkgs' wrapper adds nothing for a build tree.
        ({"NIX_STORE": "{tmp}/store", "out": "{tmp}/store/abc-own-1.0"}, []),
    ],
)
def test_every_mode_but_a_nix_build_gets_the_own_directory(
    linker_path: str, tmp_path: Path, env: dict[str, str], want: list[str]
) -> None:
    t = str(tmp_path)
    build = tree(tmp_path, "cmake", f"{t}/inst")
    full = {"PATH": linker_path, **{k: v.format(tmp=t) for k, v in env.items()}}
    inv = prepare("ld.lld", LINK, full, str(build))
    assert inv.argv[1:] == [*want, *LINK]
    assert inv.plan is not None
    # In a Nix build the directories outside the store are not even walked, as in nixpkgs.
    verdict = BUILD_TREE if want else OUTSIDE
    assert [d.verdict for d in inv.plan.decisions][:1] == [verdict]


@pytest.mark.parametrize("name", ["afalg.so", "_ext.cpython-311-x86_64-linux-gnu.so"])
def test_a_module_gets_the_absolute_directory(link: Link, tmp_path: Path, name: str) -> None:
    """An engine, a plugin or a Python extension may be installed anywhere (openssl's
    engines go to lib/engines-3): `$ORIGIN/` would guess its directory."""
    prefix = str(tmp_path / "inst")
    build = tree(tmp_path, "autoconf", prefix)
    args = ["-shared", "-o", f"engines/{name}", "e.o", "-L.", "-lown"]
    got_args, got = link(build, args)
    assert got_args == [*args, "-rpath", f"{prefix}/lib"]
    assert got == [(f"{prefix}/lib", OWN_ABSOLUTE)]


def test_a_link_that_takes_nothing_from_a_build_tree_reads_no_configuration(
    link: Link,
    tmp_path: Path,
) -> None:
    lib = tmp_path / "opt" / "lib"
    lib.mkdir(parents=True)
    (lib / "libx.so").touch()
    build = tree(tmp_path, "cmake", str(tmp_path / "inst"))
    (build / "CMakeCache.txt").write_text("not read: a link from outside the tree\n")
    args = ["-o", "app", "app.o", f"-L{lib}", "-lx"]
    got_args, got = link(build, args)
    assert got_args == [*args, "-rpath", str(lib)]
    assert got == [(str(lib), ADDED)]


@pytest.mark.parametrize(
    ("target", "start", "want"),
    [
        ("/opt/p/lib", "/opt/p/bin", "../lib"),
        ("/opt/p/lib", "/opt/p/lib", "."),
        ("/opt/p/lib/x86_64-linux-gnu", "/opt/p/bin", "../lib/x86_64-linux-gnu"),
        ("/abs/lib", "/opt/p/bin", "../../../abs/lib"),
        ("/", "/a", ".."),
    ],
)
def test_relpath(target: str, start: str, want: str) -> None:
    assert ownrpath.relpath(target, start) == want


@pytest.mark.parametrize(
    ("value", "dirs", "off", "warnings"),
    [
        (None, (), False, []),
        ("", (), False, []),
        ("0", (), True, []),
        ("/opt/p/lib", ("/opt/p/lib",), False, []),
        ("/opt/p/lib/::/opt/p/lib64", ("/opt/p/lib", "/opt/p/lib64"), False, []),
        (
            "lib:/opt/p/lib",
            ("/opt/p/lib",),
            False,
            ["LDWRAP_SELF_RPATH: relative directories ignored: lib"],
        ),
        ("1", (), False, ["LDWRAP_SELF_RPATH: relative directories ignored: 1"]),
    ],
)
def test_config(value: str | None, dirs: tuple[str, ...], off: bool, warnings: list[str]) -> None:
    from ldwrap.link.config import Config

    env = {} if value is None else {"LDWRAP_SELF_RPATH": value}
    c = Config.from_env(env, nix_store_exists=False)
    assert (c.self_rpath, c.self_rpath_off, c.warnings) == (dirs, off, warnings)


def test_a_library_from_another_projects_tree(link: Link, tmp_path: Path) -> None:
    # A superbuild: B's program (CMake tree, prefix pb) links A's library from A's tree
    # (autoconf, prefix pa). A's configuration says where the library goes, B's where the
    # program goes: from pb/bin to pa/lib.
    a = tree(tmp_path / "a", "autoconf", str(tmp_path / "pa"))
    b = tmp_path / "b" / "build"
    b.mkdir(parents=True)
    (b / "CMakeCache.txt").write_text(f"CMAKE_INSTALL_PREFIX:PATH={tmp_path / 'pb'}\n")
    args = ["-o", "app", "app.o", f"-L{a}", "-lown", "-rpath", f"{a}:"]
    got_args, got = link(b, args)
    assert got_args == ["-rpath", "$ORIGIN/../../pa/lib/", *args]
    assert got == [(str(a), BUILD_TREE), ("$ORIGIN/../../pa/lib/", OWN_ORIGIN)]


def test_explain_shows_the_entry(linker_path: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    prefix = tmp_path / "inst"
    build = tree(tmp_path, "cmake", str(prefix))
    env = {"PATH": linker_path, "LDWRAP_RPATH_PREFIXES": str(tmp_path)}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "ldwrap",
            "explain",
            "--as",
            "ld.lld",
            "--",
            *LINK,
            "-rpath",
            f"{build}:",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=build,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[3:] == [
        f"- . -> {build}: {BUILD_TREE} [libown.so]",
        f"+ {build / 'CMakeCache.txt'} -> $ORIGIN/../lib/: {OWN_ORIGIN}",
        "adds before: -rpath '$ORIGIN/../lib/'",
    ]


@pytest.mark.parametrize(
    ("args", "trims"),
    [
        (["--as-needed", "-lown"], ["$ORIGIN/../lib/"]),
        (["-lown"], []),  # not under --as-needed: the library stays needed, and the entry
        (["--as-needed", "-lown", "--no-as-needed"], ["$ORIGIN/../lib/"]),
    ],
)
def test_the_own_entry_is_a_shrink_candidate_under_as_needed(
    linker_path: str, tmp_path: Path, args: list[str], trims: list[str]
) -> None:
    """With LDWRAP_SHRINK=1 the post-link trim may take the own entry out again when the
    linker dropped the build tree's library; what it is for (the library files) goes with
    the plan, since the install directory holds nothing yet."""
    build = tree(tmp_path, "cmake", str(tmp_path / "inst"))
    full = {"PATH": linker_path, "LDWRAP_RPATH_PREFIXES": str(tmp_path), "LDWRAP_SHRINK": "1"}
    inv = prepare("ld.lld", ["-o", "app", "app.o", "-L.", *args], full, str(build))
    assert inv.shrink_candidates == trims
    assert inv.plan is not None
    assert inv.plan.vouched == {"$ORIGIN/../lib/": (f"{build}/libown.so",)}
