"""link.shrink without a linker: which RUNPATH / RPATH entries stay (the decision table, on
a fake file system where `provides` is a dict from directory to the names found there), and
FileProvider, the real file-system check, on a temporary directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from helpers.elf import EM_386, EM_X86_64, build_elf
from ldwrap.link.shrink import FileProvider, entries_to_keep

# ---------------------------------------------------------------------------------------------
# The decision table

FS = {
    "/a": {"liba.so.1"},
    "/b": {"libb.so.2"},
    "/both": {"liba.so.1", "libb.so.2"},
    "/dep": {"libdep.so"},  # needed only by liba (through DT_RPATH)
    "/deep": {"libdeep.so"},  # needed by libdep
    "/cyc": {"libcyc1.so", "libcyc2.so"},
}
NEEDED_OF = {
    ("/a", "liba.so.1"): ("libdep.so", "libc.so.6"),
    ("/both", "liba.so.1"): ("libdep.so",),
    ("/dep", "libdep.so"): ("libdeep.so",),
    ("/cyc", "libcyc1.so"): ("libcyc2.so",),
    ("/cyc", "libcyc2.so"): ("libcyc1.so", "libdeep.so"),
}


def provides(entry: str, name: str) -> bool:
    return name in FS.get(entry, set())


def needed_of(entry: str, name: str) -> tuple[str, ...]:
    return NEEDED_OF.get((entry, name), ())


ALL = object()  # removable = every entry

# (id, entries, needed, removable, rpath semantics, expected kept)
TABLE: list[tuple[str, list[str], list[str], object, bool, list[str]]] = [
    ("nothing to remove", ["/a", "/b"], ["liba.so.1", "libb.so.2"], ALL, False, ["/a", "/b"]),
    ("drop the one providing nothing", ["/a", "/x"], ["liba.so.1"], ALL, False, ["/a"]),
    ("drop several, keep order", ["/x", "/a", "/y", "/b", "/z"], ["libb.so.2", "liba.so.1"],
     ALL, False, ["/a", "/b"]),
    ("drop all: no needed libraries", ["/a", "/b"], [], ALL, False, []),
    ("drop all: none provided", ["/x", "/y"], ["liba.so.1"], ALL, False, []),
    ("not removable stays", ["/x", "/y"], ["liba.so.1"], {"/y"}, False, ["/x"]),
    ("empty removable set keeps all", ["/x", "/y"], ["liba.so.1"], set(), False, ["/x", "/y"]),
    ("$ORIGIN never removed", ["$ORIGIN", "/x"], ["liba.so.1"], ALL, False, ["$ORIGIN"]),
    ("${ORIGIN}/../lib never removed", ["${ORIGIN}/../lib", "/x"], [], ALL, False,
     ["${ORIGIN}/../lib"]),
    ("$ORIGIN even if listed removable", ["$ORIGIN/lib"], [], {"$ORIGIN/lib"}, False,
     ["$ORIGIN/lib"]),
    ("other tokens never removed", ["/opt/$LIB", "/x/$PLATFORM"], [], ALL, False,
     ["/opt/$LIB", "/x/$PLATFORM"]),
    ("relative never removed", ["lib", "./lib", "../x"], [], ALL, False, ["lib", "./lib", "../x"]),
    ("empty entry (cwd) never removed", ["", "/x"], [], ALL, False, [""]),
    ("duplicates: both copies kept when providing", ["/a", "/a"], ["liba.so.1"], ALL, False,
     ["/a", "/a"]),
    ("duplicates: both copies dropped when not", ["/x", "/a", "/x"], ["liba.so.1"], ALL, False,
     ["/a"]),
    ("every providing dir kept (no first-match pruning)", ["/a", "/both"],
     ["liba.so.1"], ALL, False, ["/a", "/both"]),
    ("names with a slash are not searched", ["/a"], ["/a/liba.so.1", "sub/liba.so.1"], ALL,
     False, []),
    ("RUNPATH: a dependency's dependency does not count", ["/a", "/dep"], ["liba.so.1"], ALL,
     False, ["/a"]),
    ("RPATH: a dependency's dependency counts", ["/a", "/dep"], ["liba.so.1"], ALL, True,
     ["/a", "/dep"]),
    ("RPATH: transitively", ["/a", "/dep", "/deep", "/x"], ["liba.so.1"], ALL, True,
     ["/a", "/dep", "/deep"]),
    ("RPATH: closure through a non-removable entry", ["/a", "/dep"], ["liba.so.1"], {"/dep"},
     True, ["/a", "/dep"]),
    ("RPATH: cycles end", ["/cyc", "/deep", "/x"], ["libcyc1.so"], ALL, True, ["/cyc", "/deep"]),
    ("RPATH: unrelated dir still goes", ["/a", "/b"], ["liba.so.1"], ALL, True, ["/a"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("entries", "needed", "removable", "rpath", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_decision(
    entries: list[str], needed: list[str], removable: object, rpath: bool, expected: list[str]
) -> None:
    allowed = set(entries) if removable is ALL else removable
    assert isinstance(allowed, set)
    got = entries_to_keep(entries, needed, allowed, provides, needed_of if rpath else None)
    assert got == expected


def normal(entry: str) -> str | None:
    """The directory an absolute entry names, as FileProvider.normal_directory gives it."""
    return os.path.normpath(entry) if entry[:1] == "/" else None


# (id, entries, needed, removable, vouched, expected kept): a directory named a second time
# goes (the loader never takes anything from it), and vouched entries may go with tokens.
DOUBLED: list[tuple[str, list[str], list[str], object, set[str], list[str]]] = [
    ("the second copy goes", ["/a", "/a"], ["liba.so.1"], ALL, set(), ["/a"]),
    ("spelled otherwise", ["/a/", "/b", "/a", "/a/./"], ["liba.so.1", "libb.so.2"], ALL, set(),
     ["/a/", "/b"]),
    ("the first stays even if it is the caller's", ["/a", "/a/"], ["liba.so.1"], {"/a/"},
     set(), ["/a"]),
    ("a kept first copy that may not go", ["/a", "/a/"], ["liba.so.1"], {"/a/"}, set(),
     ["/a"]),
    ("a second copy that may not go stays", ["/a", "/a/"], ["liba.so.1"], {"/a"}, set(),
     ["/a", "/a/"]),
    ("a dropped first copy names nothing", ["/x", "/x/", "/a"], ["liba.so.1"], ALL, set(),
     ["/a"]),
    ("a vouched $ORIGIN entry that provides nothing goes", ["$ORIGIN/../lib/", "/a"],
     ["liba.so.1"], ALL, {"$ORIGIN/../lib/"}, ["/a"]),
    ("a token entry not vouched for stays", ["$ORIGIN/../lib/", "/a"], ["liba.so.1"], ALL,
     set(), ["$ORIGIN/../lib/", "/a"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("entries", "needed", "removable", "vouched", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in DOUBLED],
)
def test_decision_doubled_and_vouched(
    entries: list[str], needed: list[str], removable: object, vouched: set[str], expected: list[str]
) -> None:
    allowed = set(entries) if removable is ALL else removable
    assert isinstance(allowed, set)

    def prov(entry: str, name: str) -> bool:
        return provides(normal(entry) or entry, name)

    got = entries_to_keep(entries, needed, allowed, prov, directory=normal, vouched=vouched)
    assert got == expected


def test_decision_depth_is_bounded() -> None:
    # A chain libN -> libN+1, each in its own directory: only max_depth levels are followed.
    chain = {f"/d{i}": f"lib{i}.so" for i in range(20)}

    def prov(entry: str, name: str) -> bool:
        return chain.get(entry) == name

    def deps(entry: str, name: str) -> Iterable[str]:
        i = int(entry[2:])
        return [f"lib{i + 1}.so"]

    entries = list(chain)
    kept = entries_to_keep(entries, ["lib0.so"], set(entries), prov, deps, max_depth=3)
    assert kept == ["/d0", "/d1", "/d2", "/d3"]


def test_decision_asks_only_about_removable_entries() -> None:
    asked: list[tuple[str, str]] = []

    def prov(entry: str, name: str) -> bool:
        asked.append((entry, name))
        return False

    entries_to_keep(["/keep", "$ORIGIN", "rel", "/go"], ["liba.so"], {"/go", "$ORIGIN"}, prov)
    assert asked == [("/go", "liba.so")]


# ---------------------------------------------------------------------------------------------
# FileProvider on a real (temporary) file system


def test_file_provider(tmp_path: Path) -> None:
    d = tmp_path / "lib"
    d.mkdir()
    build_elf(d / "libok.so", bits=64, machine=EM_X86_64)
    build_elf(d / "lib32.so", bits=32, machine=EM_386)
    build_elf(d / "libarm.so", bits=64, machine=183)
    (d / "libscript.so").write_text("/* GNU ld script */\nGROUP ( libok.so )\n")
    (d / "libdir.so").mkdir()
    (d / "libdangling.so").symlink_to("nowhere")
    (d / "liblink.so").symlink_to("libok.so")
    p = FileProvider(2, EM_X86_64, origin=str(tmp_path))
    e = str(d)
    assert p(e, "libok.so") and p(e, "liblink.so") and p(e, "libscript.so")
    assert not p(e, "lib32.so") and not p(e, "libarm.so")
    assert not p(e, "libdir.so") and not p(e, "libdangling.so") and not p(e, "libnone.so")
    assert p("$ORIGIN/lib", "libok.so") and p("${ORIGIN}/lib", "libok.so")
    assert not p("$LIB/lib", "libok.so") and not p("lib", "libok.so")
    assert FileProvider(1, EM_386)(e, "lib32.so")
    assert p.needed_of(e, "libok.so") == ("libc.so.6",)
    assert p.needed_of(e, "libscript.so") == () and p.needed_of(e, "libnone.so") == ()
