"""link/targets.py: the target of a link (its emulation, else the machine), the architecture a
target triple names, the machine a prefixed linker name links for, the target a library's
first bytes say (an ELF header, a GNU ld script's OUTPUT_FORMAT), and the tables' agreement
with one another. Pure: every input is given."""

from __future__ import annotations

import os
import struct

import pytest

from ldwrap.link.targets import (
    ARCH_SPELLINGS,
    BFD_TARGETS,
    DEBIAN_ARCH,
    EM_386,
    EM_AARCH64,
    EM_ARM,
    EM_PPC64,
    EM_RISCV,
    EM_X86_64,
    EMULATIONS,
    MACHINE_ARCH,
    MACHINES,
    MULTIARCH,
    name_machine,
    of_bytes,
    of_link,
    target_arch,
)

X86_64 = (2, 1, EM_X86_64)
I386 = (1, 1, EM_386)
AARCH64 = (2, 1, EM_AARCH64)


@pytest.mark.parametrize(
    ("emulation", "machine", "arch"),
    [
        (None, "x86_64", "x86_64"),
        ("elf_i386", "x86_64", "i686"),
        (None, "i686", "i686"),
        ("aarch64linux", "x86_64", "aarch64"),
        (None, "ppc64le", "powerpc64le"),
        (None, "armv7l", "arm"),
        ("elf64lriscv", "x86_64", "riscv64"),
        ("unknown_emulation", "aarch64", "aarch64"),
    ],
)
def test_target_arch(emulation: str | None, machine: str, arch: str) -> None:
    assert target_arch(emulation, machine) == arch


@pytest.mark.parametrize(
    ("invoked", "linker", "machine"),
    [
        ("aarch64-linux-gnu-ld", "ld", "aarch64"),
        ("aarch64-linux-gnu-ld.gold", "ld.gold", "aarch64"),
        ("aarch64-unknown-linux-gnu-ld.lld", "ld.lld", "aarch64"),
        ("riscv64-linux-gnu-ld.bfd", "ld.bfd", "riscv64"),
        ("i686-linux-gnu-ld.mold", "ld.mold", "i686"),
        ("arm-linux-gnueabihf-ld", "ld", "arm"),
        ("ld", "ld", None),
        ("ld.gold", "ld.gold", None),
        ("-ld", "ld", None),
    ],
)
def test_name_machine(invoked: str, linker: str, machine: str | None) -> None:
    assert name_machine(invoked, linker) == machine


@pytest.mark.parametrize(
    ("emulation", "machine", "target"),
    [
        ("elf_x86_64", "aarch64", X86_64),  # the emulation wins over the machine
        ("elf_i386", "x86_64", I386),
        ("elf32_x86_64", "x86_64", (1, 1, EM_X86_64)),
        ("aarch64linuxb", "x86_64", (2, 2, EM_AARCH64)),
        ("elf_unknown", "x86_64", None),  # an emulation not known: no target, nothing skipped
        (None, "x86_64", X86_64),
        ("", "aarch64", AARCH64),
        (None, "i586", I386),
        (None, "arm64", AARCH64),
        (None, "ppc64", (2, 2, EM_PPC64)),
        (None, "sparc", None),
    ],
)
def test_of_link(emulation: str | None, machine: str, target: tuple[int, int, int] | None) -> None:
    assert of_link(emulation, machine) == target


def test_of_link_defaults_to_this_machine() -> None:
    assert of_link(None) == MACHINES.get(os.uname().machine)
    assert of_link("elf_i386") == I386


def _elf(cls: int, data: int, machine: int) -> bytes:
    """The first 20 bytes of an ELF header: e_ident, e_type (ET_DYN), e_machine."""
    order = "<" if data == 1 else ">"
    return b"\x7fELF" + bytes((cls, data, 1)) + b"\0" * 9 + struct.pack(order + "HH", 3, machine)


@pytest.mark.parametrize(
    ("head", "target"),
    [
        (_elf(2, 1, EM_X86_64), X86_64),
        (_elf(1, 1, EM_386), I386),
        (_elf(2, 2, EM_PPC64), (2, 2, EM_PPC64)),  # big-endian: e_machine read in its order
        (_elf(2, 1, EM_RISCV) + b"\0" * 44, (2, 1, EM_RISCV)),
        (_elf(2, 1, EM_X86_64)[:19], None),  # too short to hold e_machine
        (b"\x7fELF", None),
        (b"", None),
        (b"!<arch>\n", None),  # an archive says nothing
        (b"/* GNU ld script */\nGROUP ( libc.so.6 )\n", None),
        (b"OUTPUT_FORMAT(elf64-x86-64)\nGROUP ( libc.so.6 )\n", X86_64),
        (b"/* GNU ld script */\nOUTPUT_FORMAT(elf32-i386)\n", I386),
        (b'OUTPUT_FORMAT("elf64-littleaarch64")', AARCH64),
        (b"OUTPUT_FORMAT ( elf32-littlearm )", (1, 1, EM_ARM)),
        # The default, big and little names: the first rules.
        (b"OUTPUT_FORMAT(elf32-bigarm, elf32-bigarm, elf32-littlearm)", (1, 2, EM_ARM)),
        (b"OUTPUT_FORMAT(elf64-unknown)", None),
        (b"OUTPUT_FORMAT elf64-x86-64", None),  # no parenthesis: not the command
        (b"OUTPUT_FORMAT(\xffx)", None),
    ],
)
def test_of_bytes(head: bytes, target: tuple[int, int, int] | None) -> None:
    assert of_bytes(head) == target


def test_every_emulation_has_a_bfd_name() -> None:
    # A library for any emulation's target can say so in a linker script.
    assert {t for t, _ in EMULATIONS.values()} <= set(BFD_TARGETS.values())


@pytest.mark.parametrize("name", sorted(BFD_TARGETS))
def test_a_bfd_names_class_is_its_own(name: str) -> None:
    cls, data, _ = BFD_TARGETS[name]
    assert cls == {"elf32-": 1, "elf64-": 2}[name[:6]]
    if "big" in name or "little" in name:
        assert data == (2 if "big" in name else 1)


@pytest.mark.parametrize("emulation", sorted(EMULATIONS))
def test_an_emulations_architecture_is_the_same_machine(emulation: str) -> None:
    target, arch = EMULATIONS[emulation]
    assert target[0] in (1, 2) and target[1] in (1, 2)
    if arch in MACHINES:
        assert MACHINES[arch][2] == target[2]
    assert target_arch(emulation, "x86_64") == arch


def test_machine_spellings_agree() -> None:
    for uname, triple in MACHINE_ARCH.items():
        assert MACHINES[uname] == MACHINES[triple], uname
    for arch, spellings in ARCH_SPELLINGS.items():
        for spelling in spellings:
            assert MACHINES.get(spelling, MACHINES[arch]) == MACHINES[arch], spelling
            assert target_arch(None, spelling) == arch


def test_debian_multiarch_triplets() -> None:
    assert tuple(triplet for triplet, _, _ in DEBIAN_ARCH.values()) == MULTIARCH
    assert len(set(MULTIARCH)) == len(MULTIARCH)
    for (machine, cls), (triplet, loader, flags) in DEBIAN_ARCH.items():
        assert cls in (1, 2) and flags, triplet
        assert MACHINES[triplet.split("-", 1)[0]][2] == machine, triplet
        assert loader.startswith("/") and "/ld" in loader, triplet
