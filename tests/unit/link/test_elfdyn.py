"""link.elfdyn: the dynamic-section reader, on hand-built ELF files of both classes and both
byte orders (helpers/elf.py), including corrupt ones, without a cross toolchain.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from helpers.elf import ELF_FLAVOURS, build_elf
from ldwrap.link.elfdyn import ElfError, read_dynamic
from ldwrap.link.targets import DT_NEEDED, DT_RUNPATH


def patch_dyn(f: Path, index: int, tag: int, value: int) -> None:
    """Set entry `index` of the dynamic array of a 64-bit little-endian build_elf file."""
    data = bytearray(f.read_bytes())
    (dyn_off,) = struct.unpack_from("<Q", data, 64 + 56 + 8)  # PT_DYNAMIC's p_offset
    struct.pack_into("<qQ", data, dyn_off + 16 * index, tag, value)
    f.write_bytes(bytes(data))


@pytest.mark.parametrize(("bits", "big", "machine"), ELF_FLAVOURS)
def test_reader_all_classes_and_byte_orders(
    tmp_path: Path, bits: int, big: bool, machine: int
) -> None:
    f = build_elf(tmp_path / "x", bits=bits, big=big, machine=machine,
                  needed=("liba.so", "libb.so.1"), runpath="/a:/b:/c")  # fmt: skip
    info = read_dynamic(str(f))
    assert info is not None
    assert info.elf_class == (2 if bits == 64 else 1)
    assert info.machine == machine
    assert info.needed == ("liba.so", "libb.so.1")
    assert info.runpath == "/a:/b:/c"
    assert info.runpath_tag == DT_RUNPATH
    assert f.read_bytes()[info.runpath_offset : info.runpath_offset + 7] == b"/a:/b:/c"[:7]


def test_bad_class_is_an_error(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x")
    data = bytearray(f.read_bytes())
    data[4] = 7
    f.write_bytes(bytes(data))
    with pytest.raises(ElfError, match="class"):
        read_dynamic(str(f))


def test_string_offset_out_of_range_is_an_error(tmp_path: Path) -> None:
    f = build_elf(tmp_path / "x", needed=("liba.so",))
    info = read_dynamic(str(f))
    assert info is not None
    patch_dyn(f, info.string_refs[0][0], DT_NEEDED, 10_000)
    with pytest.raises(ElfError, match="string"):
        read_dynamic(str(f))


def test_not_an_elf_or_not_dynamic_reads_as_none(tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_bytes(b"/* GNU ld script */")
    assert read_dynamic(str(script)) is None
    assert read_dynamic(str(build_elf(tmp_path / "rel", e_type=1))) is None
    assert read_dynamic(str(build_elf(tmp_path / "static", dynamic=False))) is None


@pytest.mark.parametrize("cut", [10, 30, 100, 200])
def test_truncated_is_an_error(tmp_path: Path, cut: int) -> None:
    f = build_elf(tmp_path / "x", runpath="/x:/a", needed=("liba.so",))
    f.write_bytes(f.read_bytes()[:cut])
    with pytest.raises(ElfError, match=r"truncated|corrupt"):
        read_dynamic(str(f))
