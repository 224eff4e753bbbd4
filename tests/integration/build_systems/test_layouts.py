"""Projects laid out as real ones are (projects/layouts/), built with their own build system
through the drop-ins in every prefix mode, installed into a prefix in a store-like layout, and
started with the source and build trees hidden:

- cmake-subdirs (tiff's and brotli's layout): libx links its sibling libxcommon in the same
  build directory; tools/xtool is linked to ../libx/libx.so.1.0.0 by path. Installed, libx
  needs `$ORIGIN/` and xtool `$ORIGIN/../lib/`.
- make-prefix (lz4's Makefile): PREFIX and LIBDIR are `?=` defaults that make's command line
  sets (the link sees them in MAKEFLAGS), or a config.mk that its own configure script writes
  next to a config.status that is not autoconf's.
- configure-ssl (openssl's Configure): INSTALLTOP, a LIBDIR relative to it and
  libdir=$(INSTALLTOP)/$(LIBDIR), no `prefix`; libs needs its sibling libk, apps/kapp needs
  both, engines/eng.so (a module, installed in lib/engines-3) needs libk.

Each program prints the file the loader took every library from (dladdr): it must be the
prefix's. Without ldwrap the same programs do not start ("cannot open shared object file"):
nothing else on this machine provides these libraries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import store_hash
from ldwrap.cli import cli

from .helpers.elf import elf_files, raw_runpath
from .helpers.run import PROJECTS, clean_env, run
from .helpers.run import system_path as user_path

LAYOUTS = PROJECTS / "layouts"
MODES = ("default", "prefixes", "store")
PROJECT_CASES = ("cmake-subdirs", "make-cmdline", "make-configure", "configure-ssl")


@dataclass
class Built:
    case: str
    work: Path
    src: Path
    build: Path
    prefix: Path


def mode_env(mode: str, store: Path) -> dict[str, str]:
    if mode == "store":
        return {"NIX_STORE": str(store)}
    if mode == "prefixes":
        return {"LDWRAP_RPATH_PREFIXES": str(store)}
    return {}


def build(case: str, work: Path, mode: str, dropins: Path | None) -> Built:
    """Build case with its own build system and install it into a store-like prefix."""
    store = work / "store"
    prefix = store / f"{store_hash(case)}-{case}-1.0"
    project = "make-prefix" if case.startswith("make-") else case
    src = work / "src"
    shutil.copytree(LAYOUTS / project, src)
    shutil.copy(LAYOUTS / "where.h", src / "where.h")
    path = f"{dropins}:{user_path()}" if dropins is not None else user_path()
    env = clean_env(PATH=path, LC_ALL="C", LDWRAP_SHRINK="1", **mode_env(mode, store))
    lld = "-fuse-ld=lld"
    b = Built(case, work, src, src, prefix)
    if case == "cmake-subdirs":
        b.build = work / "build"
        flags = [f"-DCMAKE_{k}_LINKER_FLAGS={lld}" for k in ("EXE", "SHARED")]
        run(["cmake", "-S", src, "-B", b.build, "-G", "Ninja", f"-DCMAKE_INSTALL_PREFIX={prefix}",
             *flags], env)  # fmt: skip
        run(["cmake", "--build", b.build, "-j2"], env)
        run(["cmake", "--install", b.build], env)
    elif case == "make-cmdline":
        make = ["make", "-s", "CC=gcc", f"LDFLAGS={lld}", f"PREFIX={prefix}"]
        run(make, env, cwd=src)
        run([*make, "install"], env, cwd=src)
    elif case == "make-configure":
        run(["./configure", f"--prefix={prefix}"], env, cwd=src)
        run(["make", "-s", "CC=gcc", f"LDFLAGS={lld}"], env, cwd=src)
        run(["make", "-s", "install"], env, cwd=src)
    else:
        run(["./Configure", f"--prefix={prefix}"], env, cwd=src)
        run(["make", "-s", "CC=gcc", f"LDFLAGS={lld}"], env, cwd=src)
        run(["make", "-s", "install"], env, cwd=src)
    return b


def start_hidden(b: Built, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """argv in a private mount namespace where the source and build trees are empty
    directories, from an empty working directory."""
    cwd = b.work / "empty-cwd"
    cwd.mkdir(exist_ok=True)
    hide = " && ".join(f"mount -t tmpfs -o size=1m none {d}" for d in {b.src, b.build})
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", f'{hide} && exec "$@"', "sh",
         *argv],
        cwd=cwd, env=clean_env(LC_ALL="C"), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


# What each installed file's RUNPATH must be, and what each program prints: the library
# files the loader took, which must be the prefix's.
RUNPATHS = {
    "cmake-subdirs": {
        "bin/xtool": "$ORIGIN/../lib/",
        "lib/libx.so.1.0.0": "$ORIGIN/",
        "lib/libxcommon.so.1.0.0": None,
    },
    # prog-unused needs nothing of libm1 (--as-needed dropped it): LDWRAP_SHRINK took the
    # entry out again, and with it the RUNPATH tag.
    "make-cmdline": {
        "bin/prog": "$ORIGIN/../lib/",
        "bin/prog-unused": None,
        "lib/libm1.so.1": None,
    },
    "make-configure": {
        "bin/prog": "$ORIGIN/../lib/",
        "bin/prog-unused": None,
        "lib/libm1.so.1": None,
    },
    "configure-ssl": {
        "bin/kapp": "$ORIGIN/../lib/",
        "lib/libs.so.3": "$ORIGIN/",
        "lib/libk.so.3": None,
        "lib/engines-3/eng.so": "{prefix}/lib",
    },
}
PROGRAMS = {
    "cmake-subdirs": ("bin/xtool", {"libx": "lib/libx.so.1", "libxcommon": "lib/libxcommon.so.1"}),
    "make-cmdline": ("bin/prog", {"libm1": "lib/libm1.so.1"}),
    "make-configure": ("bin/prog", {"libm1": "lib/libm1.so.1"}),
    "configure-ssl": ("bin/kapp", {"libs": "lib/libs.so.3", "libk": "lib/libk.so.3"}),
}


# The layouts fixture: (case, mode, with ldwrap) to that build, made once.
Layouts = Callable[[str, str, bool], Built]


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory, bs_dropins: Path) -> Layouts:
    cache: dict[tuple[str, str, bool], Built | AssertionError] = {}

    def get(case: str, mode: str, with_ldwrap: bool) -> Built:
        key = (case, mode, with_ldwrap)
        if key not in cache:
            how = "with" if with_ldwrap else "without"
            work = tmp_path_factory.mktemp(f"layout-{case}-{mode}-{how}")
            try:
                cache[key] = build(case, work, mode, bs_dropins if with_ldwrap else None)
            except AssertionError as e:
                cache[key] = e
        got = cache[key]
        if isinstance(got, AssertionError):
            raise got
        return got

    return get


def loaded(stdout: str) -> dict[str, str]:
    """`name path` lines: each library and the file the loader took it from."""
    return dict(line.split(" ", 1) for line in stdout.splitlines())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", PROJECT_CASES)
def test_installed_programs_load_the_prefixs_own_libraries(
    layouts: Layouts, case: str, mode: str
) -> None:
    b = layouts(case, mode, True)
    got = {str(f.relative_to(b.prefix)): raw_runpath(f) for f in elf_files(b.prefix)}
    want = {k: None if v is None else v.format(prefix=b.prefix) for k, v in RUNPATHS[case].items()}
    assert got == want
    program, libraries = PROGRAMS[case]
    p = start_hidden(b, [str(b.prefix / program)])
    assert p.returncode == 0, p.stderr
    assert {k: os.path.normpath(v) for k, v in loaded(p.stdout).items()} == {
        k: str(b.prefix / v) for k, v in libraries.items()
    }
    # ldwrap's own audit of the installed tree agrees: nothing unresolved, useless, doubled,
    # empty, or in a build directory.
    audit = CliRunner().invoke(cli, ["check", str(b.prefix)])
    assert audit.exit_code == 0, audit.output
    assert audit.output.splitlines()[-1].endswith("; no findings"), audit.output


@pytest.mark.parametrize("mode", MODES)
def test_an_installed_engine_loads_its_library_from_the_prefix(layouts: Layouts, mode: str) -> None:
    b = layouts("configure-ssl", mode, True)
    engine = b.prefix / "lib" / "engines-3" / "eng.so"
    code = "import ctypes, sys; f = ctypes.CDLL(sys.argv[1]).eng_libk; " \
           "f.restype = ctypes.c_char_p; print(f().decode())"  # fmt: skip
    p = start_hidden(b, [sys.executable, "-c", code, str(engine)])
    assert p.returncode == 0, p.stderr
    assert os.path.normpath(p.stdout.strip()) == str(b.prefix / "lib" / "libk.so.3")


@pytest.mark.parametrize("case", PROJECT_CASES)
def test_without_ldwrap_the_programs_do_not_start(layouts: Layouts, case: str) -> None:
    b = layouts(case, "default", False)
    program, _ = PROGRAMS[case]
    p = start_hidden(b, [str(b.prefix / program)])
    assert p.returncode == 127 and "cannot open shared object file" in p.stderr, (
        p.returncode,
        p.stderr,
    )


def test_a_prefix_given_to_make_install_only_is_not_known_to_the_links(
    tmp_path: Path, bs_dropins: Path
) -> None:
    """`make && make install PREFIX=P`: every link ran with the Makefile's default
    (/usr/local, whose lib the loader searches by itself), so nothing names P/lib. ldwrap
    cannot know it; `ldwrap check` on the installed program says what is missing and where
    it is."""
    src = tmp_path / "src"
    shutil.copytree(LAYOUTS / "make-prefix", src)
    shutil.copy(LAYOUTS / "where.h", src / "where.h")
    prefix = tmp_path / "inst"
    env = clean_env(PATH=f"{bs_dropins}:{user_path()}", LC_ALL="C")
    run(["make", "-s", "CC=gcc", "LDFLAGS=-fuse-ld=lld"], env, cwd=src)
    run(["make", "-s", "install", f"PREFIX={prefix}"], env, cwd=src)
    assert raw_runpath(prefix / "bin" / "prog") is None
    r = CliRunner().invoke(cli, ["check", str(prefix / "bin" / "prog")])
    assert r.exit_code == 1
    assert "libm1.so.1 => not found" in r.output
    assert f"fix: libm1.so.1 is in {prefix}/lib" in r.output
