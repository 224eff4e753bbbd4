"""Target facts, in one place: ELF constants and machine numbers, the linkers' emulation
names, BFD target names, machine and triple spellings, and Debian's multiarch directories.

A target is (EI_CLASS, EI_DATA, e_machine): class 1 = 32-bit, 2 = 64-bit; data 1 = little
endian, 2 = big. Plain dicts and tuples only: the shim imports this module on the hot path.
"""

from . import oslite as os

# ELF identification (e_ident) and header fields.
ELFMAG = b"\x7fELF"
ELFCLASS32 = 1
ELFCLASS64 = 2
ELFDATA2LSB = 1
ELFDATA2MSB = 2
ELFOSABI_SYSV = 0
ELFOSABI_GNU = 3

ET_REL = 1
ET_EXEC = 2
ET_DYN = 3
ET_CORE = 4

PT_LOAD = 1
PT_DYNAMIC = 2
PN_XNUM = 0xFFFF

SHT_STRTAB = 3
SHT_DYNAMIC = 6
SHT_NOBITS = 8
SHT_DYNSYM = 11
SHT_GNU_VERDEF = 0x6FFFFFFD
SHT_GNU_VERNEED = 0x6FFFFFFE

DT_NULL = 0
DT_NEEDED = 1
DT_STRTAB = 5
DT_STRSZ = 10
DT_SONAME = 14
DT_RPATH = 15
DT_RUNPATH = 29
DF_1_NODEFLIB = 0x800

# e_machine.
EM_386 = 3
EM_PPC = 20
EM_PPC64 = 21
EM_S390 = 22
EM_ARM = 40
EM_SPARCV9 = 43
EM_X86_64 = 62
EM_AARCH64 = 183
EM_RISCV = 243
EM_LOONGARCH = 258

# Emulation (`-m`) -> (its target, the architecture a target triple names it by).
EMULATIONS: "dict[str, tuple[tuple[int, int, int], str]]" = {
    "elf_x86_64": ((2, 1, EM_X86_64), "x86_64"),
    "elf32_x86_64": ((1, 1, EM_X86_64), "x86_64"),
    "elf_i386": ((1, 1, EM_386), "i686"),
    "aarch64linux": ((2, 1, EM_AARCH64), "aarch64"),
    "aarch64elf": ((2, 1, EM_AARCH64), "aarch64"),
    "aarch64linuxb": ((2, 2, EM_AARCH64), "aarch64_be"),
    "armelf_linux_eabi": ((1, 1, EM_ARM), "arm"),
    "armelf": ((1, 1, EM_ARM), "arm"),
    "elf64lriscv": ((2, 1, EM_RISCV), "riscv64"),
    "elf32lriscv": ((1, 1, EM_RISCV), "riscv32"),
    "elf64lppc": ((2, 1, EM_PPC64), "powerpc64le"),
    "elf64ppc": ((2, 2, EM_PPC64), "powerpc64"),
    "elf32ppclinux": ((1, 2, EM_PPC), "powerpc"),
    "elf64_s390": ((2, 2, EM_S390), "s390x"),
    "elf64loongarch": ((2, 1, EM_LOONGARCH), "loongarch64"),
    "elf64_sparc": ((2, 2, EM_SPARCV9), "sparc64"),
}
# A machine as uname and target triples spell it -> its target.
MACHINES = {
    "x86_64": (2, 1, EM_X86_64),
    "i386": (1, 1, EM_386),
    "i486": (1, 1, EM_386),
    "i586": (1, 1, EM_386),
    "i686": (1, 1, EM_386),
    "aarch64": (2, 1, EM_AARCH64),
    "arm64": (2, 1, EM_AARCH64),
    "armv7l": (1, 1, EM_ARM),
    "riscv64": (2, 1, EM_RISCV),
    "ppc64le": (2, 1, EM_PPC64),
    "ppc64": (2, 2, EM_PPC64),
    "s390x": (2, 2, EM_S390),
    "loongarch64": (2, 1, EM_LOONGARCH),
    # Target triples spell some machines their own way (a linker's name prefix).
    "arm": (1, 1, EM_ARM),
    "armhf": (1, 1, EM_ARM),
    "powerpc64le": (2, 1, EM_PPC64),
    "powerpc64": (2, 2, EM_PPC64),
    "aarch64_be": (2, 2, EM_AARCH64),
}
# uname's machine names that differ from the triple's.
MACHINE_ARCH = {"ppc64le": "powerpc64le", "ppc64": "powerpc64", "arm64": "aarch64"}
# Triple spellings one architecture goes by.
ARCH_SPELLINGS = {
    "i686": ("i386", "i486", "i586", "i686"),
    "arm": ("arm", "armv5tel", "armv6l", "armv7l", "armv7a"),
}
# BFD target names as GNU ld scripts write them in OUTPUT_FORMAT.
BFD_TARGETS = {
    "elf64-x86-64": (2, 1, EM_X86_64),
    "elf32-x86-64": (1, 1, EM_X86_64),
    "elf32-i386": (1, 1, EM_386),
    "elf64-littleaarch64": (2, 1, EM_AARCH64),
    "elf64-bigaarch64": (2, 2, EM_AARCH64),
    "elf32-littlearm": (1, 1, EM_ARM),
    "elf32-bigarm": (1, 2, EM_ARM),
    "elf64-littleriscv": (2, 1, EM_RISCV),
    "elf32-littleriscv": (1, 1, EM_RISCV),
    "elf64-powerpcle": (2, 1, EM_PPC64),
    "elf64-powerpc": (2, 2, EM_PPC64),
    "elf32-powerpc": (1, 2, EM_PPC),
    "elf64-s390": (2, 2, EM_S390),
    "elf64-loongarch": (2, 1, EM_LOONGARCH),
    "elf64-sparc": (2, 2, EM_SPARCV9),
}
# (e_machine, EI_CLASS) -> (Debian multiarch triplet, default loader, accepted ld.so.cache
# flags): one table for the loader emulation and the default mode's list of system directories.
DEBIAN_ARCH: "dict[tuple[int, int], tuple[str, str, tuple[int, ...]]]" = {
    (EM_X86_64, 2): ("x86_64-linux-gnu", "/lib64/ld-linux-x86-64.so.2", (0x0303,)),
    (EM_X86_64, 1): ("x86_64-linux-gnux32", "/libx32/ld-linux-x32.so.2", (0x0803,)),
    (EM_386, 1): ("i386-linux-gnu", "/lib/ld-linux.so.2", (0x0001, 0x0003)),
    (EM_AARCH64, 2): ("aarch64-linux-gnu", "/lib/ld-linux-aarch64.so.1", (0x0A03,)),
    (EM_ARM, 1): ("arm-linux-gnueabihf", "/lib/ld-linux-armhf.so.3", (0x0903, 0x0003)),
    (EM_PPC64, 2): ("powerpc64le-linux-gnu", "/lib64/ld64.so.2", (0x0503,)),
    (EM_S390, 2): ("s390x-linux-gnu", "/lib/ld64.so.1", (0x0403,)),
    (EM_RISCV, 2): ("riscv64-linux-gnu", "/lib/ld-linux-riscv64-lp64d.so.1", (0x1003,)),
}
MULTIARCH = tuple(triplet for triplet, _, _ in DEBIAN_ARCH.values())


def of_link(emulation: "str | None", machine: "str | None" = None) -> "tuple[int, int, int] | None":
    """The target of a link: its `-m` emulation, else machine (this machine's when None); None
    when unknown (then nothing is skipped)."""
    if emulation:
        known = EMULATIONS.get(emulation)
        return known[0] if known else None
    return MACHINES.get(machine if machine is not None else os.uname().machine)


def target_arch(emulation: "str | None", machine: str) -> str:
    """The architecture a target triple names the link's target by: from its emulation, else
    machine's."""
    if emulation:
        known = EMULATIONS.get(emulation)
        if known:
            return known[1]
    m = MACHINE_ARCH.get(machine, machine)
    if len(m) == 4 and m[0] == "i" and m[2:] == "86":
        return "i686"
    if m.startswith("armv"):
        return "arm"
    return m


def name_machine(invoked: str, linker: str) -> "str | None":
    """The machine a target-prefixed linker name links for (`aarch64-linux-gnu-ld.gold`,
    linker `ld.gold` -> `aarch64`): its own default without `-m`. None without a prefix."""
    if not invoked.endswith("-" + linker):
        return None
    arch = invoked[: -len(linker) - 1].split("-", 1)[0]
    return arch or None


def of_bytes(head: bytes) -> "tuple[int, int, int] | None":
    """The target a library file is for, from its first bytes; None when it does not say
    (a linker script without OUTPUT_FORMAT, an unknown format name, not a library at all)."""
    if head[:4] == ELFMAG:
        if len(head) < 20:
            return None
        machine = head[18] | head[19] << 8 if head[5] == ELFDATA2LSB else head[18] << 8 | head[19]
        return (head[4], head[5], machine)
    at = head.find(b"OUTPUT_FORMAT")
    if at < 0:
        return None
    rest = head[at + len("OUTPUT_FORMAT") :].lstrip()
    if rest[:1] != b"(":
        return None
    # OUTPUT_FORMAT(default) or OUTPUT_FORMAT(default, big, little): the first name rules.
    name = rest[1:].split(b")", 1)[0].split(b",", 1)[0].strip().strip(b'"')
    return BFD_TARGETS.get(name.decode("ascii", "replace"))
