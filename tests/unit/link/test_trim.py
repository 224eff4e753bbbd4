"""link.trim on hand-built ELF files (helpers/elf.py; both classes, both byte orders): the
edit touches only the string or the dynamic array, it is refused when another string shares
the bytes, and bad files give a result, never an exception.

`provides` is a fake file system: a dict from directory to the names found there.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.elf import ELF_FLAVOURS, EM_386, EM_X86_64, build_elf
from ldwrap.link.elfdyn import read_dynamic
from ldwrap.link.targets import DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME
from ldwrap.link.trim import (
    ERROR,
    NO_RUNPATH,
    NOT_DYNAMIC,
    NOT_ELF,
    REFUSED,
    SHRUNK,
    UNCHANGED,
    plan_shrink,
    shrink_output,
)


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


@pytest.mark.parametrize(("bits", "big", "machine"), ELF_FLAVOURS)
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
    info = read_dynamic(str(f))
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


@pytest.mark.parametrize(("bits", "big", "machine"), ELF_FLAVOURS)
def test_no_entry_left_takes_the_tag_out(
    tmp_path: Path, bits: int, big: bool, machine: int
) -> None:
    """An empty RUNPATH is still a tag: when every entry goes, the entry leaves the dynamic
    array (the ones after it move up, a DT_NULL fills the end); nothing else changes."""
    f = build_elf(tmp_path / "x", bits=bits, big=big, machine=machine,
                  needed=("liba.so", "libb.so.1"), runpath="/x:/y")  # fmt: skip
    before = read_dynamic(str(f))
    assert before is not None
    r = shrink_output(str(f), ["/x", "/y"], provides=fake_fs({}))
    assert (r.status, r.removed, r.tag_removed) == (SHRUNK, ("/x", "/y"), True)
    after = read_dynamic(str(f))
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
    info = read_dynamic(str(f))
    assert info is not None and info.runpath is None
    assert [t for _, t, _ in info.string_refs] == [DT_NEEDED]


def test_a_dt_rpath_of_its_own_is_not_brought_to_life(tmp_path: Path) -> None:
    """glibc ignores DT_RPATH while DT_RUNPATH is there: taking DT_RUNPATH out would make it
    count, so the string is emptied instead."""
    f = build_elf(tmp_path / "x", runpath="/x", needed=("liba.so",), also_rpath=True)
    info = read_dynamic(str(f))
    assert info is not None
    index = next(i for i, t, _ in info.string_refs if t == DT_RPATH)
    patch_dyn(f, index, DT_RPATH, info.string_refs[0][2])  # DT_RPATH -> "liba.so"
    r = shrink_output(str(f), ["/x"], provides=fake_fs({}))
    assert (r.status, r.tag_removed) == (SHRUNK, False)
    info = read_dynamic(str(f))
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
    info = read_dynamic(str(f))
    assert info is not None
    index, tag, _ = info.string_refs[0]
    assert tag == DT_NEEDED
    patch_dyn(f, index, DT_NEEDED, info.runpath_offset - info.strtab_offset + len("/a:/x/"))
    r = shrink_output(str(f), ["/x/liba.so"], provides=fake_fs({}))
    assert r.status == REFUSED and r.reason is not None and "DT_NEEDED 'liba.so'" in r.reason


def test_refuses_when_the_runpath_is_a_tail_of_another_string(tmp_path: Path) -> None:
    # DT_SONAME "zz/x:/a", with the runpath "/x:/a" stored as its tail.
    f = build_elf(tmp_path / "x", runpath="zz/x:/a", needed=("liba.so",))
    info = read_dynamic(str(f))
    assert info is not None
    (i1, t1, _), (i2, t2, rp) = info.string_refs
    assert (t1, t2) == (DT_NEEDED, DT_RUNPATH)
    patch_dyn(f, i1, DT_SONAME, rp)
    patch_dyn(f, i2, DT_RUNPATH, rp + 2)
    info = read_dynamic(str(f))
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
        assert read_dynamic(str(f)) is None


@pytest.mark.parametrize("content", [b"", b"\x7fEL", b"#!/bin/sh\n", b"/* GNU ld script */"])
def test_non_elf(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "x"
    f.write_bytes(content)
    assert read_dynamic(str(f)) is None
    assert shrink_output(str(f), ["/a"]).status == NOT_ELF


@pytest.mark.parametrize("cut", [10, 30, 100, 200])
def test_truncated_is_an_error(tmp_path: Path, cut: int) -> None:
    f = build_elf(tmp_path / "x", runpath="/x:/a", needed=("liba.so",))
    f.write_bytes(f.read_bytes()[:cut])
    r = shrink_output(str(f), ["/x"], provides=fake_fs({}))
    assert r.status == ERROR and r.failed and r.reason


def test_missing_file_is_an_error_result() -> None:
    r = plan_shrink("/nonexistent/ldwrap-test")
    assert r.status == ERROR and r.reason is not None and "cannot open" in r.reason
