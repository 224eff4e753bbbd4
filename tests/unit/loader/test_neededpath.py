"""loader/neededpath.py: a DT_NEEDED that holds a path, from hand-made loads: which names
count, when the finding fails, and its fix line."""

from __future__ import annotations

import pytest

from ldwrap.link.targets import ELFCLASS64, ELFDATA2LSB, EM_X86_64
from ldwrap.loader.config import LoaderConfig
from ldwrap.loader.elf import ElfInfo, Target
from ldwrap.loader.neededpath import NEEDED_PATH, Hazard, is_needed_path, needed_path_findings
from ldwrap.loader.resolve import DIRECT, NOT_FOUND, Edge, LoadedObject, LoadResult

X64 = Target(ELFCLASS64, ELFDATA2LSB, EM_X86_64)
CFG = LoaderConfig("glibc", "/lib64/ld-linux-x86-64.so.2", X64, ("/lib/",), "lib", None,
                   (), (), None, (), 0, 1, "test")  # fmt: skip
APP = "/p/bin/app"


@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("libfoo.so.1", False),
        ("/w/target/release/libfoo.so", True),
        ("target/release/libfoo.so", True),
        ("./libfoo.so", True),
        ("$ORIGIN/libfoo.so", False),  # relative to the requester on purpose
        ("${ORIGIN}/../lib/libfoo.so", False),
        ("/x/$ORIGIN/libfoo.so", True),  # $ORIGIN in the middle moves nothing with the file
    ],
)
def test_is_needed_path(name: str, counts: bool) -> None:
    assert is_needed_path(name) is counts


def _load(needed: tuple[str, ...], found: dict[str, str | None]) -> LoadResult:
    info = ElfInfo(X64, 3, 0, "/lib64/ld-linux-x86-64.so.2", needed, None, None, None, 0, True)
    main = LoadedObject(APP, info, set(), None, None, "/p/bin", 0)
    edges = [Edge(n, APP, found.get(n), DIRECT if found.get(n) else NOT_FOUND, 1) for n in needed]
    return LoadResult(APP, CFG, edges, objects=[main])


def _hazard(path: str) -> str | None:
    return "is in a build tree (/w/Makefile exists)" if path.startswith("/w/") else None


@pytest.mark.parametrize(
    ("name", "hazard", "fails", "tail"),
    [
        ("/opt/x/lib/libfoo.so", _hazard, False, ""),
        ("/w/target/release/libfoo.so", _hazard, True,
         "; it is in a build tree (/w/Makefile exists)"),
        ("/w/target/release/libfoo.so", None, False, ""),  # without the question: warns
        ("target/release/libfoo.so", None, True,
         "; relative, it is opened from the current directory"),
    ],
)  # fmt: skip
def test_needed_path_findings(name: str, hazard: Hazard | None, fails: bool, tail: str) -> None:
    result = _load(("libc.so.6", name), {name: "/resolved/libfoo.so"})
    got = needed_path_findings(result, hazard)
    assert len(got) == 1
    f = got[0]
    assert (f.kind, f.fails, f.library, f.obj, f.path) == (
        NEEDED_PATH,
        fails,
        name,
        APP,
        "/resolved/libfoo.so",
    )
    assert f.reason == (
        f"DT_NEEDED {name!r} is a path: the loader opens that file and ignores the run path" + tail
    )
    assert f.message == f"{APP}: {f.reason}"
    assert f.fix == (
        "link libfoo.so with a SONAME (-Wl,-soname,libfoo.so), then relink /p/bin/app: it then "
        "needs the bare name, found through its run path"
    )


def test_no_path_no_finding_and_a_missing_one_has_no_path() -> None:
    assert needed_path_findings(_load(("libc.so.6", "$ORIGIN/libx.so"), {}), None) == []
    (f,) = needed_path_findings(_load(("/gone/libx.so",), {}), None)
    assert f.path is None
