"""loader/hints.py: where `check` looks for a missing library, to name its directory in the
`fix:` line. Load results are built by hand; the libraries are ELF files built by hand
(helpers/elf.py) in temporary directories, some under a directory standing for a system's
root (`--root`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import Store
from helpers.elf import EM_386, build_elf
from ldwrap.link import config
from ldwrap.link.config import HOST_NIXOS_FILE, HOST_NO_STORE, HOST_STORE
from ldwrap.loader import hints
from ldwrap.loader.elf import ElfInfo
from ldwrap.loader.fs import FileSystem
from ldwrap.loader.hints import (
    candidate_dirs,
    find_library,
    fix_dirs,
    in_own_search_path,
    needs_fix,
    on_this_machine,
)
from ldwrap.loader.resolve import (
    LD_LIBRARY_PATH,
    LD_SO_CACHE,
    NOT_FOUND,
    RPATH,
    RUNPATH,
    Edge,
    LoadedObject,
    LoadResult,
    Searched,
)

from .test_report import CFG, X64

TRIPLET = "x86_64-linux-gnu"  # CFG's multiarch directory


def _object(path: str, interp: str | None = None) -> LoadedObject:
    info = ElfInfo(X64, 3, 0, interp, (), None, None, None, 0, True)
    return LoadedObject(path, info, {os.path.basename(path)}, None, None, os.path.dirname(path), 0)


def _missing(name: str, searched: list[Searched] | None = None, fatal: bool = False) -> Edge:
    return Edge(
        name,
        "/opt/app/bin/app",
        None,
        NOT_FOUND,
        1,
        lookup_name=name,
        searched=[Searched(RUNPATH, "/opt/app/bin/app", ["/r"])] if searched is None else searched,
        fatal=fatal,
    )


def _loaded(path: str) -> Edge:
    return Edge(os.path.basename(path), "/opt/app/bin/app", path, LD_SO_CACHE, 1, loaded=True)


@pytest.mark.parametrize(
    ("edge", "fix"),
    [
        (_missing("libfoo.so.1"), True),
        (_missing("libfoo.so.1", searched=[]), False),  # a need by path: no search path helps
        (_missing("libfoo.so.1", fatal=True), False),
        (_loaded("/usr/lib/libc.so.6"), False),
    ],
    ids=["missing", "by-path", "fatal", "found"],
)
def test_needs_fix(edge: Edge, fix: bool) -> None:
    assert needs_fix(edge) is fix


@pytest.mark.parametrize(
    ("source", "own"), [(RUNPATH, True), (RPATH, True), (LD_LIBRARY_PATH, False)]
)
def test_in_own_search_path_counts_the_needs_rpath_and_runpath_only(source: str, own: bool) -> None:
    edge = _missing("libfoo.so.1", searched=[Searched(source, "/opt/app/bin/app", ["/a", "/b"])])
    assert in_own_search_path(edge, "/b") is own
    assert not in_own_search_path(edge, "/c")


def test_candidates_best_first_without_repeats(tmp_path: Path) -> None:
    prefix = tmp_path / "p"
    for sub in ("b", "a"):
        (prefix / sub).mkdir(parents=True)
    (prefix / "file").touch()  # not a directory: no candidates of its own
    result = LoadResult(
        "/opt/app/bin/app",
        CFG,
        [_loaded(f"/usr/lib/{TRIPLET}/libc.so.6"), _missing("libfoo.so.1")],
        objects=[_object("/opt/app/bin/app", "/lib64/ld.so"), _object("/opt/dep/lib/libdep.so")],
    )
    env = {
        "LD_LIBRARY_PATH": f"/llp:rel:/llp2/:/usr/lib/{TRIPLET}/",
        "LIBRARY_PATH": "/lp",
        "NIX_LDFLAGS_AFTER": "-L/n0",
        "NIX_LDFLAGS": "-L /n1 -L/n2 -Lrel -lfoo -L",
        "LDWRAP_RPATH_PREFIXES": str(prefix),
    }
    assert list(candidate_dirs(result, env, FileSystem())) == [
        # the directories of what the file already loads
        f"/usr/lib/{TRIPLET}",
        # the program's own prefix, then the library's (its own directory first)
        "/opt/app/lib",
        "/opt/app/lib64",
        f"/opt/app/lib/{TRIPLET}",
        "/opt/dep/lib",
        "/opt/dep/lib64",
        f"/opt/dep/lib/{TRIPLET}",
        # the environment's absolute directories; NIX_LDFLAGS* by name
        "/llp",
        "/llp2",
        "/lp",
        "/n1",
        "/n2",
        "/n0",
        # the allowed prefix, its lib directories, and those of each directory in it
        str(prefix),
        f"{prefix}/lib",
        f"{prefix}/lib64",
        f"{prefix}/a/lib",
        f"{prefix}/a/lib64",
        f"{prefix}/b/lib",
        f"{prefix}/b/lib64",
    ]


def test_a_prefix_that_cannot_be_listed_gives_its_own_directories(tmp_path: Path) -> None:
    gone = str(tmp_path / "gone")
    env = {"LDWRAP_RPATH_PREFIXES": gone}
    got = list(candidate_dirs(LoadResult("/app", CFG, []), env, FileSystem()))
    assert got == [gone, f"{gone}/lib", f"{gone}/lib64"]


@pytest.mark.parametrize(
    ("host", "looked_in"),
    [
        (HOST_NO_STORE, False),
        (HOST_STORE, True),  # beside a distribution store paths get rpaths, so hints look there
        (HOST_NIXOS_FILE, True),
    ],
)
def test_check_looks_for_missing_libraries_in_the_store_where_it_counts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, host: str, looked_in: bool
) -> None:
    lib = Store(tmp_path).libdir("x")
    monkeypatch.setattr(config, "nix_host", lambda root="": host)
    fs = FileSystem(root=str(tmp_path))  # /nix/store is tmp_path/nix/store to the checker
    got = list(candidate_dirs(LoadResult("/app", CFG, []), {}, fs))
    store_path = "/nix/store/" + lib.parent.name
    want = [
        "/nix/store",
        "/nix/store/lib",
        "/nix/store/lib64",
        f"{store_path}/lib",
        f"{store_path}/lib64",
    ]
    assert got == (want if looked_in else [])


def test_find_library_takes_the_first_file_the_loader_would(tmp_path: Path) -> None:
    empty, other_class, right = (tmp_path / d for d in ("empty", "i386", "x86_64"))
    empty.mkdir()
    other_class.mkdir()
    right.mkdir()
    build_elf(other_class / "libfoo.so.1", bits=32, machine=EM_386)
    build_elf(right / "libfoo.so.1")
    dirs = [str(empty), str(other_class), str(right)]
    fs = FileSystem()
    assert find_library("libfoo.so.1", dirs, fs, X64) == str(right)
    assert find_library("libfoo.so.1", dirs[:2], fs, X64) is None
    assert find_library("libbar.so.1", dirs, fs, X64) is None


def test_fix_dirs_names_a_directory_for_each_need_a_search_path_could_meet(
    tmp_path: Path,
) -> None:
    llp = tmp_path / "llp"
    llp.mkdir()
    build_elf(llp / "libfoo.so.1")
    edges = [
        _loaded("/usr/lib/libc.so.6"),
        _missing("libfoo.so.1"),
        _missing("libnowhere.so.1"),
        _missing("/abs/libbypath.so", searched=[]),
    ]
    result = LoadResult("/opt/app/bin/app", CFG, edges)
    assert fix_dirs(result, {"LD_LIBRARY_PATH": str(llp)}, FileSystem()) == {
        1: str(llp),
        2: None,
    }


def test_fix_dirs_builds_no_candidate_list_when_nothing_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no(*args: object) -> object:
        raise AssertionError("candidate_dirs was asked")

    monkeypatch.setattr(hints, "candidate_dirs", no)
    result = LoadResult("/app", CFG, [_loaded("/usr/lib/libc.so.6")])
    assert fix_dirs(result, {}, FileSystem()) == {}


def test_under_a_root_a_library_only_this_machine_has_is_named_first(tmp_path: Path) -> None:
    """qemu-user -L falls back to this machine's files: a need met here, through its own
    RUNPATH, and missing under the root is named with that directory."""
    root = tmp_path / "root"
    (root / "llp").mkdir(parents=True)
    build_elf(root / "llp" / "libfoo.so.1")  # under the root, through the environment
    here = tmp_path / "here"
    here.mkdir()
    build_elf(here / "libfoo.so.1")  # on this machine, outside the root
    fs = FileSystem(root=str(root))
    edge = _missing("libfoo.so.1", searched=[Searched(RUNPATH, "/app", ["/nowhere", str(here)])])
    assert on_this_machine(edge, "libfoo.so.1", fs, X64) == str(here)
    result = LoadResult("/app", CFG, [edge])
    assert fix_dirs(result, {"LD_LIBRARY_PATH": "/llp"}, fs) == {0: str(here)}
    # Without a root there is no other machine; an environment's list is no own search path.
    assert on_this_machine(edge, "libfoo.so.1", FileSystem(), X64) is None
    by_env = _missing("libfoo.so.1", searched=[Searched(LD_LIBRARY_PATH, None, [str(here)])])
    assert on_this_machine(by_env, "libfoo.so.1", fs, X64) is None
    assert fix_dirs(LoadResult("/app", CFG, [by_env]), {"LD_LIBRARY_PATH": "/llp"}, fs) == {
        0: "/llp"
    }
