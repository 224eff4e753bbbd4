"""Which files this machine's own loaders start: the rule that keeps ``check`` and
LDWRAP_VERIFY from judging another machine's files by this machine's directories.

A machine runs its own loader family natively: x86_64 also runs i386 (and x32) programs, an
aarch64 kernel also 32-bit Arm ones. A file of any other machine is started through an
emulator with a system root of its own (``qemu-aarch64 -L /usr/aarch64-linux-gnu``), so its
libraries can be judged only against that root. :func:`runs_natively` is pure; :func:`host`
asks the kernel.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from ..link.targets import (
    ELFDATA2LSB,
    ELFDATA2MSB,
    EM_386,
    EM_AARCH64,
    EM_ARM,
    EM_LOONGARCH,
    EM_PPC64,
    EM_RISCV,
    EM_S390,
    EM_X86_64,
)
from .config import multiarch
from .elf import Target

# `uname -m` -> the e_machine values of the programs that machine starts natively.
_FAMILY: dict[str, tuple[int, ...]] = {
    "x86_64": (EM_X86_64, EM_386),
    "i386": (EM_386,),
    "i486": (EM_386,),
    "i586": (EM_386,),
    "i686": (EM_386,),
    "aarch64": (EM_AARCH64, EM_ARM),
    "aarch64_be": (EM_AARCH64, EM_ARM),
    "armv6l": (EM_ARM,),
    "armv7l": (EM_ARM,),
    "armv8l": (EM_ARM,),
    "ppc64": (EM_PPC64,),
    "ppc64le": (EM_PPC64,),
    "s390x": (EM_S390,),
    "riscv64": (EM_RISCV,),
    "loongarch64": (EM_LOONGARCH,),
}


@dataclass(frozen=True)
class Host:
    machine: str  # `uname -m`
    data: int  # ELFDATA2LSB or ELFDATA2MSB


def host() -> Host:
    return Host(os.uname().machine, ELFDATA2LSB if sys.byteorder == "little" else ELFDATA2MSB)


def runs_natively(target: Target, here: Host) -> bool:
    """A file of target is started by one of this machine's own loaders. On a machine this
    table does not know, every file is taken to be its own: nothing is refused."""
    family = _FAMILY.get(here.machine)
    if family is None:
        return True
    return target.machine in family and target.data == here.data


def describe(target: Target) -> str:
    """A target as people name it: its multiarch triplet, else its ELF machine number."""
    return multiarch(target) or f"ELF machine {target.machine}, {target.bits}-bit"


def sysroot_hint(target: Target) -> str | None:
    """The cross toolchain's system root for target on Debian (/usr/<triplet>), when it is
    installed."""
    triplet = multiarch(target)
    if triplet is None:
        return None
    root = f"/usr/{triplet}"
    return root if os.path.isdir(root) else None
