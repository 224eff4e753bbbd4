"""Which ELF class, byte order and machine a link produces, and whether a library file fits.

The linker skips a candidate library built for another target ("skipping incompatible"):
an ELF file of another class or machine, or a GNU ld script whose OUTPUT_FORMAT names
another target. ldwrap must skip the same candidates, or it adds an rpath to a directory
whose file the loader then trips over at run time.
"""

from __future__ import annotations

from . import oslite as os

# A target is (EI_CLASS, EI_DATA, e_machine): class 1 = 32-bit, 2 = 64-bit; data 1 = little,
# 2 = big.

_EMULATIONS = {
    "elf_x86_64": (2, 1, 62),
    "elf32_x86_64": (1, 1, 62),
    "elf_i386": (1, 1, 3),
    "aarch64linux": (2, 1, 183),
    "aarch64elf": (2, 1, 183),
    "aarch64linuxb": (2, 2, 183),
    "armelf_linux_eabi": (1, 1, 40),
    "armelf": (1, 1, 40),
    "elf64lriscv": (2, 1, 243),
    "elf32lriscv": (1, 1, 243),
    "elf64lppc": (2, 1, 21),
    "elf64ppc": (2, 2, 21),
    "elf32ppclinux": (1, 2, 20),
    "elf64_s390": (2, 2, 22),
    "elf64loongarch": (2, 1, 258),
    "elf64_sparc": (2, 2, 43),
}
_MACHINES = {
    "x86_64": (2, 1, 62),
    "i386": (1, 1, 3),
    "i486": (1, 1, 3),
    "i586": (1, 1, 3),
    "i686": (1, 1, 3),
    "aarch64": (2, 1, 183),
    "arm64": (2, 1, 183),
    "armv7l": (1, 1, 40),
    "riscv64": (2, 1, 243),
    "ppc64le": (2, 1, 21),
    "ppc64": (2, 2, 21),
    "s390x": (2, 2, 22),
    "loongarch64": (2, 1, 258),
}
# BFD target names as GNU ld scripts write them in OUTPUT_FORMAT.
_BFD_TARGETS = {
    "elf64-x86-64": (2, 1, 62),
    "elf32-x86-64": (1, 1, 62),
    "elf32-i386": (1, 1, 3),
    "elf64-littleaarch64": (2, 1, 183),
    "elf64-bigaarch64": (2, 2, 183),
    "elf32-littlearm": (1, 1, 40),
    "elf32-bigarm": (1, 2, 40),
    "elf64-littleriscv": (2, 1, 243),
    "elf32-littleriscv": (1, 1, 243),
    "elf64-powerpcle": (2, 1, 21),
    "elf64-powerpc": (2, 2, 21),
    "elf32-powerpc": (1, 2, 20),
    "elf64-s390": (2, 2, 22),
    "elf64-loongarch": (2, 1, 258),
    "elf64-sparc": (2, 2, 43),
}
_SCRIPT_BYTES = 4096  # glibc's libc.so names its format in the first few hundred bytes


def of_link(emulation: str | None, machine: str | None = None) -> tuple[int, int, int] | None:
    """The target of a link: its `-m` emulation, else this machine; None when unknown (then
    nothing is skipped)."""
    if emulation:
        return _EMULATIONS.get(emulation)
    return _MACHINES.get(machine if machine is not None else os.uname().machine)


def of_bytes(head: bytes) -> tuple[int, int, int] | None:
    """The target a library file is for, from its first bytes; None when it does not say
    (a linker script without OUTPUT_FORMAT, an unknown format name, not a library at all)."""
    if head[:4] == b"\x7fELF":
        if len(head) < 20:
            return None
        machine = head[18] | head[19] << 8 if head[5] == 1 else head[18] << 8 | head[19]
        return (head[4], head[5], machine)
    at = head.find(b"OUTPUT_FORMAT")
    if at < 0:
        return None
    rest = head[at + len("OUTPUT_FORMAT") :].lstrip()
    if rest[:1] != b"(":
        return None
    # OUTPUT_FORMAT(default) or OUTPUT_FORMAT(default, big, little): the first name rules.
    name = rest[1:].split(b")", 1)[0].split(b",", 1)[0].strip().strip(b'"')
    return _BFD_TARGETS.get(name.decode("ascii", "replace"))


def file_target(path: str) -> tuple[int, int, int] | None:
    try:
        with open(path, "rb") as f:
            head = f.read(_SCRIPT_BYTES)
    except OSError:
        return None
    return of_bytes(head)


def fits(file_kind: tuple[int, int, int] | None, link: tuple[int, int, int] | None) -> bool:
    """Whether the linker would take a file of file_kind for a link to link."""
    return file_kind is None or link is None or file_kind == link


# (e_machine, EI_CLASS) -> (Debian multiarch triplet, default loader, accepted ld.so.cache
# flags): one table for the loader emulation and the default mode's list of system directories.
DEBIAN_ARCH: dict[tuple[int, int], tuple[str, str, tuple[int, ...]]] = {
    (62, 2): ("x86_64-linux-gnu", "/lib64/ld-linux-x86-64.so.2", (0x0303,)),
    (62, 1): ("x86_64-linux-gnux32", "/libx32/ld-linux-x32.so.2", (0x0803,)),
    (3, 1): ("i386-linux-gnu", "/lib/ld-linux.so.2", (0x0001, 0x0003)),
    (183, 2): ("aarch64-linux-gnu", "/lib/ld-linux-aarch64.so.1", (0x0A03,)),
    (40, 1): ("arm-linux-gnueabihf", "/lib/ld-linux-armhf.so.3", (0x0903, 0x0003)),
    (21, 2): ("powerpc64le-linux-gnu", "/lib64/ld64.so.2", (0x0503,)),
    (22, 2): ("s390x-linux-gnu", "/lib/ld64.so.1", (0x0403,)),
    (243, 2): ("riscv64-linux-gnu", "/lib/ld-linux-riscv64-lp64d.so.1", (0x1003,)),
}
MULTIARCH = tuple(triplet for triplet, _, _ in DEBIAN_ARCH.values())
