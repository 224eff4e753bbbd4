"""What the audit reads of an ELF file, with pyelftools (independent of ldwrap's own reader):
DT_NEEDED, DT_RUNPATH or DT_RPATH, DT_SONAME, its class and machine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile


@dataclass(frozen=True)
class ElfInfo:
    needed: tuple[str, ...]
    runpath: str | None  # the tag's string as written; None without the tag
    tag: str | None  # "RUNPATH", "RPATH" or None
    soname: str | None
    elfclass: int  # 32 or 64
    machine: str  # e_machine, e.g. EM_X86_64
    dynamic: bool  # has a dynamic section
    executable: bool  # has an interpreter (a program, or a library that can run)


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def elf_files(root: Path) -> list[Path]:
    """Every regular ELF file under root (symlinks left out: their targets are listed)."""
    return sorted(p for p in root.rglob("*") if is_elf(p))


def read(path: Path) -> ElfInfo:
    with open(path, "rb") as f:
        elf = ELFFile(f)
        needed: list[str] = []
        runpath: list[str] = []
        rpath: list[str] = []
        soname = None
        dynamic = False
        for sec in elf.iter_sections():
            if not isinstance(sec, DynamicSection):
                continue
            dynamic = True
            for t in sec.iter_tags():
                kind = t.entry.d_tag
                if kind == "DT_NEEDED":
                    needed.append(_value(t, "needed"))
                elif kind == "DT_RUNPATH":
                    runpath.append(_value(t, "runpath"))
                elif kind == "DT_RPATH":
                    rpath.append(_value(t, "rpath"))
                elif kind == "DT_SONAME":
                    soname = _value(t, "soname")
        executable = any(seg["p_type"] == "PT_INTERP" for seg in elf.iter_segments())
        tag, value = None, None
        if runpath:
            tag, value = "RUNPATH", ":".join(runpath)
        elif rpath:
            tag, value = "RPATH", ":".join(rpath)
        return ElfInfo(
            tuple(needed),
            value,
            tag,
            soname,
            elf.elfclass,
            str(elf["e_machine"]),
            dynamic,
            executable,
        )


def _value(tag: object, name: str) -> str:
    """A string tag's value (pyelftools sets it as an attribute named after the tag)."""
    return str(getattr(tag, name))


def same_kind(path: Path, like: ElfInfo) -> bool:
    """path is an ELF file (through symlinks) of like's class and machine: one the loader
    would take for it."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return False
            f.seek(0)
            elf = ELFFile(f)
            return bool(elf.elfclass == like.elfclass and str(elf["e_machine"]) == like.machine)
    except (OSError, ValueError):
        return False
    except Exception:  # pyelftools raises its own errors on a damaged file
        return False
