"""`check` and LDWRAP_VERIFY on a system copy standing in for the program's own library: a
real zlib (/usr/lib/x86_64-linux-gnu/libz.so.1) is found through the loader's cache while the
program's prefix holds its own libz.so.1 (a tiny library built here with that soname). The
real loader is asked each time which file it takes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.builder import Builder, real_loader
from ldwrap.cli.check import check
from ldwrap.loader.verify import verify_output

SYSTEM_Z = "/lib/x86_64-linux-gnu/libz.so.1"  # what the cache answers on Debian


def loaded(exe: Path, name: str, env: dict[str, str] | None = None) -> str | None:
    """The file the real loader takes for name."""
    pairs = dict(real_loader(exe, env).pairs)
    path = pairs[name]
    return os.path.realpath(path) if path else None


@pytest.mark.parametrize("own_dir", ["lib", "lib64", "lib/x86_64-linux-gnu"])
def test_a_system_copy_standing_in_warns_naming_both(build: Builder, own_dir: str) -> None:
    r = build.root
    own = build.lib(f"p/{own_dir}/libz.so.1", soname="libz.so.1")
    exe = build.exe("p/bin/app", deps=[own])  # linked against its own copy, no RUNPATH
    assert loaded(exe, "libz.so.1") == os.path.realpath(SYSTEM_Z)
    res = CliRunner().invoke(check, [str(exe)])
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert lines[2] == f"    libz.so.1 => {SYSTEM_Z} [ld.so.cache]"
    assert lines[-2:] == [
        f"warning: libz.so.1 is loaded from {SYSTEM_Z} (ld.so.cache), not the program's "
        f"own {r}/p/{own_dir}/libz.so.1",
        f"    fix: relink {exe} with -Wl,-rpath,'$ORIGIN/../{own_dir}' "
        f"(or -Wl,-rpath,{r}/p/{own_dir})",
    ]
    doc = json.loads(CliRunner().invoke(check, ["--json", str(exe)]).output)[0]
    assert doc["warnings"] == [
        {
            "kind": "system_copy",
            "message": lines[-2][len("warning: ") :],
            "fails": True,
            "library": "libz.so.1",
            "object": str(exe),
            "path": f"{r}/p/{own_dir}/libz.so.1",
            "fix": lines[-1][len("    fix: ") :],
            "entry": None,
            "tag": None,
        }
    ]
    assert verify_output(str(exe), {}) == [lines[-2][len("warning: ") :]]


def test_a_runpath_to_the_own_prefix_is_no_warning(build: Builder) -> None:
    own = build.lib("p/lib/libz.so.1", soname="libz.so.1")
    exe = build.exe("p/bin/app", deps=[own], runpath="$ORIGIN/../lib")
    assert loaded(exe, "libz.so.1") == str(own)
    res = CliRunner().invoke(check, [str(exe)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[2] == (
        f"    libz.so.1 => {build.root}/p/bin/../lib/libz.so.1 [runpath]"
    )
    assert not [line for line in res.output.splitlines() if line.startswith("warning:")]
    assert verify_output(str(exe), {}) == []


def test_no_own_copy_no_warning(build: Builder) -> None:
    """A system library with nothing of that name in the prefix is the normal case."""
    build.lib("p/lib/libother.so.1", soname="libother.so.1")
    exe = build.exe("p/bin/app", deps=[Path(SYSTEM_Z)])
    res = CliRunner().invoke(check, [str(exe)])
    assert res.exit_code == 0, res.output
    assert not [line for line in res.output.splitlines() if line.startswith("warning:")]


def test_an_own_copy_the_loader_could_not_take_is_no_warning(build: Builder) -> None:
    """A 32-bit file of that name in a 64-bit program's prefix is no stand-in."""
    build.lib("p/lib/libz.so.1", soname="libz.so.1", m32=True)
    exe = build.exe("p/bin/app", deps=[Path(SYSTEM_Z)])
    res = CliRunner().invoke(check, [str(exe)])
    assert res.exit_code == 0, res.output


def test_a_library_requester_counts_its_own_directory(build: Builder) -> None:
    """For a library the prefix starts at its own directory: $ORIGIN."""
    r = build.root
    own = build.lib("p/lib/libz.so.1", soname="libz.so.1")
    liba = build.lib("p/lib/liba.so.1", deps=[own])
    exe = build.exe("p/bin/app", deps=[liba], runpath="$ORIGIN/../lib")
    assert loaded(exe, "libz.so.1") == os.path.realpath(SYSTEM_Z)
    res = CliRunner().invoke(check, [str(exe)])
    assert res.exit_code == 1
    assert res.output.splitlines()[-2:] == [
        f"warning: libz.so.1 is loaded from {SYSTEM_Z} (ld.so.cache), not liba.so.1's own "
        f"{r}/p/lib/libz.so.1",
        f"    fix: relink {r}/p/bin/../lib/liba.so.1 with -Wl,-rpath,'$ORIGIN' "
        f"(or -Wl,-rpath,{r}/p/lib)",
    ]


def test_through_ld_library_path(build: Builder) -> None:
    """A copy found through the run-time LD_LIBRARY_PATH stands in too; a RUNPATH cannot
    help there (it comes later), so the fix says so."""
    r = build.root
    other = build.lib("elsewhere/libz.so.1", soname="libz.so.1")
    own = build.lib("p/lib/libz.so.1", soname="libz.so.1")
    exe = build.exe("p/bin/app", deps=[own])
    env = {"LD_LIBRARY_PATH": f"{r}/elsewhere"}
    assert loaded(exe, "libz.so.1", env) == str(other)
    res = CliRunner().invoke(check, ["--ld-library-path", f"{r}/elsewhere", str(exe)])
    assert res.exit_code == 1
    assert res.output.splitlines()[-2:] == [
        f"warning: libz.so.1 is loaded from {other} (LD_LIBRARY_PATH), not the program's own {own}",
        f"    fix: leave that directory out of LD_LIBRARY_PATH, or relink {exe} with "
        "-Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib' (an RPATH comes before "
        "LD_LIBRARY_PATH)",
    ]
    # And an RPATH does put the own copy first.
    fixed = build.exe("p/bin/fixed", deps=[own], rpath="$ORIGIN/../lib")
    assert loaded(fixed, "libz.so.1", env) == str(own)
    res = CliRunner().invoke(check, ["--ld-library-path", f"{r}/elsewhere", str(fixed)])
    assert res.exit_code == 0, res.output
