"""A program finds its own project's library once installed: CMake, Meson and a configure+make
project (no libtool), each with a shared library of its own (projects/own), default settings,
installed into a prefix in a temporary directory, linked with bfd, lld and mold.

Each build starts with an older copy of libown.so.1 ("stale") already installed in the
prefix. With ldwrap:
- the build tree's program, run the way its build system runs it (CMake's and Meson's build
  rpath; `make check`'s LD_LIBRARY_PATH), loads the fresh library from the build tree;
- the installed program's RUNPATH is exactly ldwrap's `$ORIGIN/../lib/`, no empty element
  anywhere in the prefix;
- the installed program, started in a private mount namespace where the build tree and the
  source tree are hidden under empty directories, from an empty working directory, loads the
  fresh copy from the prefix (the library prints the file it was loaded from).
Without ldwrap the installed program does not start ("cannot open shared object file"):
nothing else on this machine provides libown.so.1. And with a "system" libown.so.1 in a loader
cache mounted over /etc/ld.so.cache, the installed program loads the prefix's copy with ldwrap
and silently the system's without (as CPython built into a prefix loads Debian's libpython).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers.elf import elf_files, empty_elements, raw_runpath
from .helpers.run import LINKERS, PROJECTS, clean_env, run
from .helpers.run import system_path as user_path

pytestmark = pytest.mark.integration

OWN = PROJECTS / "own"
SYSTEMS = ("cmake", "meson", "autoconf")


class OwnBuild:
    """One project built and installed: where, and what its programs printed."""

    def __init__(self, work: Path, system: str, linker: str, ldwrap: bool) -> None:
        self.work, self.system, self.linker, self.ldwrap = work, system, linker, ldwrap
        self.src = work / "src"
        self.build = self.src if system == "autoconf" else work / "build"
        self.prefix = work / "inst"
        self.build_tree_output = ""

    @property
    def app(self) -> Path:
        return self.prefix / "bin" / "own-app"


# The own_built fixture: (system, linker, with ldwrap) to that build, made once.
OwnBuilder = Callable[[str, str, bool], OwnBuild]


def build_own(
    work: Path, system: str, linker: str, dropins: Path | None, autoconf: Path
) -> OwnBuild:
    b = OwnBuild(work, system, linker, dropins is not None)
    path = f"{dropins}:{user_path()}" if dropins is not None else user_path()
    tmp = work / "tmp"
    tmp.mkdir()
    env = clean_env(PATH=path, TMPDIR=str(tmp), LC_ALL="C", XDG_CACHE_HOME=str(work / "cache"))
    # The stale copy, installed before the build.
    (b.prefix / "lib").mkdir(parents=True)
    run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            '-DOWN_BUILD="stale"',
            "-Wl,-soname,libown.so.1",
            "-o",
            b.prefix / "lib" / "libown.so.1.0",
            OWN / "own.c",
            "-ldl",
        ],
        clean_env(),
    )
    (b.prefix / "lib" / "libown.so.1").symlink_to("libown.so.1.0")  # as installs lay it out
    # Older, as a stale copy is: CMake's install skips a file whose time is within a second of
    # the one it would copy.
    os.utime(b.prefix / "lib" / "libown.so.1.0", (946684800, 946684800))
    if system == "autoconf":
        shutil.copytree(autoconf, b.src)
    else:
        shutil.copytree(OWN / system, b.src)
    for f in ("own.c", "app.c"):
        shutil.copy(OWN / f, b.src / f)
    fuse = f"-fuse-ld={linker}"
    if system == "cmake":
        flags = [f"-DCMAKE_{k}_LINKER_FLAGS={fuse}" for k in ("EXE", "SHARED")]
        run(
            [
                "cmake",
                "-S",
                b.src,
                "-B",
                b.build,
                "-G",
                "Ninja",
                f"-DCMAKE_INSTALL_PREFIX={b.prefix}",
                *flags,
            ],
            env,
        )
        run(["cmake", "--build", b.build, "-j2"], env)
        b.build_tree_output = run([b.build / "own-app"], clean_env(LC_ALL="C")).stdout
        run(["cmake", "--install", b.build], env)
    elif system == "meson":
        menv = {**env, "CC_LD": linker}
        run(["meson", "setup", b.build, b.src, f"--prefix={b.prefix}", "--libdir=lib"], menv)
        run(["meson", "compile", "-C", b.build, "-j", "2"], menv)
        b.build_tree_output = run([b.build / "own-app"], clean_env(LC_ALL="C")).stdout
        run(["meson", "install", "-C", b.build, "--no-rebuild"], menv)
    else:
        run(
            ["./configure", "-q", "CC=gcc", f"LDFLAGS={fuse}", f"--prefix={b.prefix}"],
            env,
            cwd=b.src,
        )
        run(["make", "-s", "-j2"], env, cwd=b.src)
        b.build_tree_output = run(["make", "-s", "check"], env, cwd=b.src).stdout
        run(["make", "-s", "install"], env, cwd=b.src)
    return b


@pytest.fixture(scope="module")
def autoconf_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("own-autoconf") / "src"
    shutil.copytree(OWN / "autoconf", src)
    run(["autoconf"], clean_env(), cwd=src)
    return src


@pytest.fixture(scope="module")
def system_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A loader cache (ld.so.cache) that also lists a "system" libown.so.1, to be mounted over
    /etc/ld.so.cache in a private mount namespace: a library of the same name the system
    provides, as Debian provides libpython3.11.so.1.0."""
    base = tmp_path_factory.mktemp("own-system")
    (base / "lib").mkdir()
    run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            '-DOWN_BUILD="system"',
            "-Wl,-soname,libown.so.1",
            "-o",
            base / "lib" / "libown.so.1",
            OWN / "own.c",
            "-ldl",
        ],
        clean_env(),
    )
    conf = base / "ld.so.conf"
    conf.write_text(f"{base / 'lib'}\ninclude /etc/ld.so.conf.d/*.conf\n")
    cache = base / "ld.so.cache"
    run(["ldconfig", "-X", "-C", cache, "-f", conf], clean_env())
    return cache


@pytest.fixture(scope="module")
def own_built(
    tmp_path_factory: pytest.TempPathFactory, bs_dropins: Path, autoconf_project: Path
) -> OwnBuilder:
    cache: dict[tuple[str, str, bool], OwnBuild | AssertionError] = {}

    def get(system: str, linker: str, ldwrap: bool) -> OwnBuild:
        key = (system, linker, ldwrap)
        if key not in cache:
            work = tmp_path_factory.mktemp(
                f"own-{system}-{linker}-{'with' if ldwrap else 'without'}"
            )
            try:
                cache[key] = build_own(
                    work, system, linker, bs_dropins if ldwrap else None, autoconf_project
                )
            except AssertionError as e:
                cache[key] = e
        got = cache[key]
        if isinstance(got, AssertionError):
            raise got
        return got

    return get


def loaded(output: str, cwd: Path) -> tuple[str, Path]:
    """("fresh" or "stale", the file the loader took libown.so.1 from, normalised) from the
    program's one line `own BUILD from PATH`; PATH as the loader spelled it
    (`<origin>/../lib/...`, `./libown.so.1` under LD_LIBRARY_PATH=.)."""
    words = output.split()
    assert len(words) == 4 and words[0] == "own" and words[2] == "from", output
    return words[1], Path(os.path.normpath(cwd / words[3]))


def start_hidden(b: OwnBuild, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed program, in a private mount namespace where the build and source trees
    are empty directories, from an empty working directory; with cache, that loader cache
    stands in for the system's."""
    cwd = b.work / "empty-cwd"
    cwd.mkdir(exist_ok=True)
    mounts = [f"mount -t tmpfs -o size=1m none {d}" for d in {b.src, b.build}]
    if cache is not None:
        mounts.append(f"mount --bind {cache} /etc/ld.so.cache")
    hide = " && ".join(mounts)
    return subprocess.run(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            f'{hide} && exec "$0"',
            str(b.app),
        ],
        cwd=cwd,
        env=clean_env(LC_ALL="C"),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("system", SYSTEMS)
def test_installed_program_loads_its_own_library(
    own_built: OwnBuilder, system: str, linker: str
) -> None:
    b = own_built(system, linker, True)
    # The build tree ran its fresh library, not the stale copy already in the prefix.
    assert loaded(b.build_tree_output, b.build) == ("fresh", b.build / "libown.so.1")
    assert raw_runpath(b.app) == "$ORIGIN/../lib/"
    problems = [
        f"{f}: {raw_runpath(f)!r}"
        for f in elf_files(b.prefix)
        if empty_elements(raw_runpath(f) or "x")
    ]
    assert not problems, f"empty RUNPATH elements: {problems}"
    p = start_hidden(b)
    assert p.returncode == 0, p.stderr
    assert loaded(p.stdout, b.work) == ("fresh", b.prefix / "lib" / "libown.so.1")


@pytest.mark.parametrize("system", SYSTEMS)
def test_without_ldwrap_the_installed_program_does_not_start(
    own_built: OwnBuilder, system: str
) -> None:
    b = own_built(system, "lld", False)
    assert raw_runpath(b.app) is None
    p = start_hidden(b)
    assert p.returncode == 127 and "libown.so.1: cannot open shared object file" in p.stderr, (
        p.returncode,
        p.stdout,
        p.stderr,
    )


@pytest.mark.parametrize("with_ldwrap", [True, False])
@pytest.mark.parametrize("system", SYSTEMS)
def test_a_system_copy_does_not_stand_in(
    own_built: OwnBuilder,
    system_copy: Path,
    system: str,
    with_ldwrap: bool,
) -> None:
    """With a libown.so.1 of the system's in the loader cache, the installed program loads
    the prefix's copy through ldwrap's entry; without ldwrap it silently loads the system's."""
    b = own_built(system, "lld", with_ldwrap)
    p = start_hidden(b, system_copy)
    assert p.returncode == 0, p.stderr
    if with_ldwrap:
        assert loaded(p.stdout, b.work) == ("fresh", b.prefix / "lib" / "libown.so.1")
    else:
        assert loaded(p.stdout, b.work) == ("system", system_copy.parent / "lib" / "libown.so.1")
