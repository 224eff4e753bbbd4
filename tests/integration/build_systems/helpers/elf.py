"""Reading installed files: which are ELF, their DT_NEEDED and RUNPATH, and RUNPATH compared
with trailing slashes stripped."""

from __future__ import annotations

from pathlib import Path


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def elf_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if is_elf(p))


def dynamic_strings(path: Path, tag: str) -> list[str]:
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    attr = {"DT_RUNPATH": "runpath", "DT_RPATH": "rpath", "DT_NEEDED": "needed"}[tag]
    out = []
    with open(path, "rb") as f:
        for sec in ELFFile(f).iter_sections():
            if isinstance(sec, DynamicSection):
                out += [str(getattr(t, attr)) for t in sec.iter_tags() if t.entry.d_tag == tag]
    return out


def raw_runpath(path: Path) -> str | None:
    """DT_RUNPATH (or DT_RPATH when there is no RUNPATH) exactly as written; None if none."""
    for tag in ("DT_RUNPATH", "DT_RPATH"):
        values = dynamic_strings(path, tag)
        if values:
            assert len(values) == 1, f"{path}: {len(values)} {tag} entries"
            return values[0]
    return None


def needed(path: Path) -> list[str]:
    return dynamic_strings(path, "DT_NEEDED")


def empty_elements(runpath: str) -> bool:
    """An empty element (`:a`, `a:`, `a::b`, or the empty string) means the working
    directory to glibc's loader."""
    return "" in runpath.split(":")


def normalised(runpath: str | None) -> list[str]:
    """The elements with trailing slashes stripped, duplicates after the first dropped."""
    out: list[str] = []
    for e in (runpath or "").split(":") if runpath else []:
        n = e.rstrip("/") or e
        if n not in out:
            out.append(n)
    return out
