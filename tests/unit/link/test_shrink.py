"""link.shrink without a linker: the decision table, and the ELF reader and safety check on
hand-built ELF files (both classes, both byte orders).

The decision rows use a fake file system: `provides` is a dict from directory to the names
found there. The ELF files are assembled byte by byte (helpers/elf.py), so that big-endian
and corrupt inputs are covered without a cross toolchain.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from helpers.elf import EM_386, EM_PPC, EM_X86_64, build_elf
from ldwrap.link import shrink
from ldwrap.link.shrink import (
    ERROR,
    NO_RUNPATH,
    NOT_DYNAMIC,
    NOT_ELF,
    REFUSED,
    SHRUNK,
    UNCHANGED,
    ElfError,
    FileProvider,
    entries_to_keep,
    plan_shrink,
    read_elf,
    shrink_output,
)
from ldwrap.link.targets import (
    DT_NEEDED,
    DT_RPATH,
    DT_RUNPATH,
    DT_SONAME,
)

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
# Hand-built ELF files (helpers/elf.py)


def patch_dyn(f: Path, index: int, tag: int, value: int) -> None:
    """Set entry `index` of the dynamic array of a 64-bit little-endian build_elf file."""
    data = bytearray(f.read_bytes())
    (dyn_off,) = struct.unpack_from("<Q", data, 64 + 56 + 8)  # PT_DYNAMIC's p_offset
    struct.pack_into("<qQ", data, dyn_off + 16 * index, tag, value)
    f.write_bytes(bytes(data))


def fake_fs(mapping: dict[str, set[str]]) -> Callable[[str, str], bool]:
    def prov(entry: str, name: str) -> bool:
        return name in mapping.get(entry, set())

    return prov


FLAVOURS = [
    pytest.param(64, False, EM_X86_64, id="elf64-le"),
    pytest.param(32, False, EM_386, id="elf32-le"),
    pytest.param(64, True, 21, id="elf64-be"),
    pytest.param(32, True, EM_PPC, id="elf32-be"),
]


@pytest.mark.parametrize(("bits", "big", "machine"), FLAVOURS)
def test_reader_all_classes_and_byte_orders(
    tmp_path: Path, bits: int, big: bool, machine: int
) -> None:
    f = build_elf(tmp_path / "x", bits=bits, big=big, machine=machine,
                  needed=("liba.so", "libb.so.1"), runpath="/a:/b:/c")  # fmt: skip
    info = read_elf(str(f))
    assert info is not None
    assert info.elf_class == (2 if bits == 64 else 1)
    assert info.machine == machine
    assert info.needed == ("liba.so", "libb.so.1")
    assert info.runpath == "/a:/b:/c"
    assert info.runpath_tag == DT_RUNPATH
    assert f.read_bytes()[info.runpath_offset : info.runpath_offset + 7] == b"/a:/b:/c"[:7]


@pytest.mark.parametrize(("bits", "big", "machine"), FLAVOURS)
def test_shrink_edits_only_the_string(tmp_path: Path, bits: int, big: bool, machine: int) -> None:
    f = build_elf(tmp_path / "x", bits=bits, big=big, machine=machine,
                  needed=("liba.so",), runpath="/x:/a:/y")  # fmt: skip
    before = f.read_bytes()
    r = shrink_output(str(f), ["/x", "/a", "/y"], provides=fake_fs({"/a": {"liba.so"}}))
    assert (r.status, r.kept, r.removed) == (SHRUNK, ("/a",), ("/x", "/y"))
    after = f.read_bytes()
    assert len(after) == len(before)
    diff = [i for i in range(len(before)) if before[i] != after[i]]
    assert diff and min(diff) >= r.offset and max(diff) < r.offset + len("/x:/a:/y")
    info = read_elf(str(f))
    assert info is not None and info.runpath == "/a"
    # Idempotent.
    again = shrink_output(str(f), ["/x", "/a", "/y"], provides=fake_fs({"/a": {"liba.so"}}))
    assert again.status == UNCHANGED and f.read_bytes() == after


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", runpath="/x:/y")
    before = f.read_bytes()
    r = shrink_output(str(f), ["/x", "/y"], dry_run=True, provides=fake_fs({}))
    assert r.status == SHRUNK and r.removed == ("/x", "/y") and f.read_bytes() == before


def test_rpath_tag(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", tag=DT_RPATH, runpath="/x:/a", needed=("liba.so",))
    r = shrink_output(str(f), ["/x", "/a"], provides=fake_fs({"/a": {"liba.so"}}))
    assert (r.status, r.tag, r.kept) == (SHRUNK, "DT_RPATH", ("/a",))


def test_runpath_and_rpath_sharing_one_string(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", runpath="/x:/a", needed=("liba.so",), also_rpath=True)
    r = shrink_output(str(f), ["/x"], provides=fake_fs({"/a": {"liba.so"}}))
    assert (r.status, r.tag, r.kept) == (SHRUNK, "DT_RUNPATH", ("/a",))


@pytest.mark.parametrize("bits", [64, 32])
def test_refuses_symbol_sharing_the_tail(tmp_path: Path, bits: int) -> None:
    machine = EM_X86_64 if bits == 64 else EM_386
    f = build_elf(tmp_path / "x", bits=bits, machine=machine, runpath="/a:/x/puts",
                  needed=("liba.so",), symbols=(), tail_symbol="puts")  # fmt: skip
    before = f.read_bytes()
    r = shrink_output(str(f), ["/x/puts"], provides=fake_fs({"/a": {"liba.so"}}))
    assert r.status == REFUSED and r.failed
    assert r.reason is not None and "symbol name 'puts'" in r.reason
    assert r.removed == ("/x/puts",)
    assert f.read_bytes() == before


def test_refuses_version_name_sharing_the_tail(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", runpath="/a:/x/GLIBC_2.2.5", needed=("liba.so",),
                  verneed=("libc.so.6", "GLIBC_2.2.5"), tail_version="GLIBC_2.2.5")  # fmt: skip
    r = shrink_output(str(f), ["/x/GLIBC_2.2.5"], provides=fake_fs({"/a": {"liba.so"}}))
    assert r.status == REFUSED and r.reason is not None and "version need" in r.reason


@pytest.mark.parametrize(("bits", "big", "machine"), FLAVOURS)
def test_no_entry_left_takes_the_tag_out(
    tmp_path: Path, bits: int, big: bool, machine: int
) -> None:
    """An empty RUNPATH is still a tag: when every entry goes, the entry leaves the dynamic
    array (the ones after it move up, a DT_NULL fills the end); nothing else changes."""
    f = build_elf(tmp_path / "x", bits=bits, big=big, machine=machine,
                  needed=("liba.so", "libb.so.1"), runpath="/x:/y")  # fmt: skip
    before = read_elf(str(f))
    assert before is not None
    r = shrink_output(str(f), ["/x", "/y"], provides=fake_fs({}))
    assert (r.status, r.removed, r.tag_removed) == (SHRUNK, ("/x", "/y"), True)
    after = read_elf(str(f))
    assert after is not None
    assert (after.runpath, after.runpath_tag, after.needed) == (None, 0, ("liba.so", "libb.so.1"))
    size = 16 if bits == 64 else 8
    offset, raw = after.dynamic
    old = before.dynamic[1]
    at = before.runpath_index * size
    assert offset == before.dynamic[0]
    assert raw == old[:at] + old[at + size :] + b"\0" * size
    # Idempotent: nothing left to take out.
    assert shrink_output(str(f), ["/x", "/y"], provides=fake_fs({})).status == NO_RUNPATH


def test_the_tag_and_a_dt_rpath_sharing_its_string_both_go(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", runpath="/x", needed=("liba.so",), also_rpath=True)
    r = shrink_output(str(f), ["/x"], provides=fake_fs({}))
    assert (r.status, r.tag_removed) == (SHRUNK, True)
    info = read_elf(str(f))
    assert info is not None and info.runpath is None
    assert [t for _, t, _ in info.string_refs] == [DT_NEEDED]


def test_a_dt_rpath_of_its_own_is_not_brought_to_life(tmp_path: Path) -> None:
    """glibc ignores DT_RPATH while DT_RUNPATH is there: taking DT_RUNPATH out would make it
    count, so the string is emptied instead."""
    f = build_elf(tmp_path / "x", runpath="/x", needed=("liba.so",), also_rpath=True)
    info = read_elf(str(f))
    assert info is not None
    index = next(i for i, t, _ in info.string_refs if t == DT_RPATH)
    patch_dyn(f, index, DT_RPATH, info.string_refs[0][2])  # DT_RPATH -> "liba.so"
    r = shrink_output(str(f), ["/x"], provides=fake_fs({}))
    assert (r.status, r.tag_removed) == (SHRUNK, False)
    info = read_elf(str(f))
    assert info is not None and info.runpath == "" and info.runpath_tag == DT_RUNPATH


def test_known_entries_are_judged_by_the_names_given(tmp_path: Path) -> None:
    """The project's own install directory holds nothing yet at link time: it stays when the
    output needs one of the build tree's sonames it is for, and goes when it needs none."""
    f = build_elf(tmp_path / "x", runpath="$ORIGIN/../lib/:/a", needed=("liba.so", "libown.so.1"))
    known = {"$ORIGIN/../lib/": {"libown.so.1"}}
    r = shrink_output(str(f), ["$ORIGIN/../lib/"], provides=fake_fs({}), known=known)
    assert r.status == UNCHANGED
    g = build_elf(tmp_path / "y", runpath="$ORIGIN/../lib/:/a", needed=("liba.so",))
    r = shrink_output(str(g), ["$ORIGIN/../lib/"], provides=fake_fs({}), known=known)
    assert (r.status, r.kept) == (SHRUNK, ("/a",))


def test_version_names_elsewhere_are_fine(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", runpath="/a:/x", needed=("liba.so",),
                  verneed=("libc.so.6", "GLIBC_2.2.5"))  # fmt: skip
    r = shrink_output(str(f), ["/x"], provides=fake_fs({"/a": {"liba.so"}}))
    assert r.status == SHRUNK


def test_refuses_needed_name_sharing_the_tail(tmp_path: Path) -> None:
    # Point DT_NEEDED at the tail of the runpath "/a:/x/liba.so".
    f = build_elf(tmp_path / "x", runpath="/a:/x/liba.so", needed=("liba.so",))
    info = read_elf(str(f))
    assert info is not None
    index, tag, _ = info.string_refs[0]
    assert tag == DT_NEEDED
    patch_dyn(f, index, DT_NEEDED, info.runpath_offset - info.strtab_offset + len("/a:/x/"))
    r = shrink_output(str(f), ["/x/liba.so"], provides=fake_fs({}))
    assert r.status == REFUSED and r.reason is not None and "DT_NEEDED 'liba.so'" in r.reason


def test_refuses_when_the_runpath_is_a_tail_of_another_string(tmp_path: Path) -> None:
    # DT_SONAME "zz/x:/a", with the runpath "/x:/a" stored as its tail.
    f = build_elf(tmp_path / "x", runpath="zz/x:/a", needed=("liba.so",))
    info = read_elf(str(f))
    assert info is not None
    (i1, t1, _), (i2, t2, rp) = info.string_refs
    assert (t1, t2) == (DT_NEEDED, DT_RUNPATH)
    patch_dyn(f, i1, DT_SONAME, rp)
    patch_dyn(f, i2, DT_RUNPATH, rp + 2)
    info = read_elf(str(f))
    assert info is not None and info.runpath == "/x:/a"
    r = shrink_output(str(f), ["/x"], provides=fake_fs({}))
    assert r.status == REFUSED and r.reason is not None and "DT_SONAME 'zz/x:/a'" in r.reason


def test_refuses_without_section_headers(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", runpath="/x:/a", needed=("liba.so",), sections=False)
    r = shrink_output(str(f), ["/x"], provides=fake_fs({"/a": {"liba.so"}}))
    assert r.status == REFUSED and r.reason is not None and "no section headers" in r.reason


def test_nothing_removable_needs_no_section_headers(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", runpath="/a", needed=("liba.so",), sections=False)
    r = shrink_output(str(f), ["/a"], provides=fake_fs({"/a": {"liba.so"}}))
    assert r.status == UNCHANGED and r.reason is None


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        pytest.param({"e_type": 1}, NOT_DYNAMIC, id="relocatable"),
        pytest.param({"e_type": 4}, NOT_DYNAMIC, id="core"),
        pytest.param({"dynamic": False}, NOT_DYNAMIC, id="static"),
        pytest.param({"runpath": None}, NO_RUNPATH, id="no-runpath"),
    ],
)
def test_not_applicable(tmp_path: Path, kwargs: dict[str, object], status: str) -> None:
    f = build_elf(tmp_path / "x", **kwargs)  # type: ignore[arg-type]
    before = f.read_bytes()
    r = shrink_output(str(f), ["/a", "/b"], provides=fake_fs({}))
    assert r.status == status and not r.failed and r.reason
    assert f.read_bytes() == before
    if status == NOT_DYNAMIC:
        assert read_elf(str(f)) is None


@pytest.mark.parametrize("content", [b"", b"\x7fEL", b"#!/bin/sh\n", b"/* GNU ld script */"])
def test_non_elf(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "x"
    f.write_bytes(content)
    assert read_elf(str(f)) is None
    assert shrink_output(str(f), ["/a"]).status == NOT_ELF


@pytest.mark.parametrize("cut", [10, 30, 100, 200])
def test_truncated_is_an_error(tmp_path: Path, cut: int) -> None:
    f = build_elf(tmp_path / "x", runpath="/x:/a", needed=("liba.so",))
    f.write_bytes(f.read_bytes()[:cut])
    with pytest.raises(ElfError, match=r"truncated|corrupt"):
        read_elf(str(f))
    r = shrink_output(str(f), ["/x"], provides=fake_fs({}))
    assert r.status == ERROR and r.failed and r.reason


def test_bad_class_is_an_error(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x")
    data = bytearray(f.read_bytes())
    data[4] = 7
    f.write_bytes(bytes(data))
    with pytest.raises(ElfError, match="class"):
        read_elf(str(f))


def test_string_offset_out_of_range_is_an_error(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", needed=("liba.so",))
    info = read_elf(str(f))
    assert info is not None
    patch_dyn(f, info.string_refs[0][0], DT_NEEDED, 10_000)
    with pytest.raises(ElfError, match="string"):
        read_elf(str(f))


def test_missing_file_is_an_error_result() -> None:
    r = plan_shrink("/nonexistent/ldwrap-test")
    assert r.status == ERROR and r.reason is not None and "cannot open" in r.reason


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


def test_module_imports_stay_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import ldwrap.link.shrink; "
        "bad = {'typing', 're', 'enum', 'dataclasses', 'subprocess', 'json', 'tempfile', "
        "'elftools', 'click'} & set(sys.modules); print(sorted(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", f"import sys; sys.path[:0] = {sys.path!r}; {code}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out.strip() == "[]"
    assert shrink.__name__ == "ldwrap.link.shrink"
