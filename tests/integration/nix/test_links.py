"""Real links through ldwrap's drop-ins, the results read back with pyelftools: hardening,
build id, dynamic linker, RPATH versus RUNPATH, LD_RUN_PATH, the 32-bit dynamic linker."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import NoteSection
from elftools.elf.segments import InterpSegment

from helpers import BuiltStore, base_env, compile_c, read_runpath, run_program

LINKERS = ["ld.bfd", "ld.gold", "ld.lld", "ld.mold"]
FUSE = {"ld.bfd": "bfd", "ld.gold": "gold", "ld.lld": "lld", "ld.mold": "mold"}
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"


def _main_o(tmp_path: Path) -> Path:
    return compile_c("int main(void){return 0;}\n", tmp_path / "m.o", "-c", "-fPIC")


def link(dropins: Path, tmp_path: Path, name: str, args: list[str], **env: str) -> Path:
    """Call the drop-in as a build would call the linker: a dynamic executable of m.o."""
    out = tmp_path / "out"
    cmd = [str(dropins / name), str(_main_o(tmp_path)), LIBC, "-e", "main", "-o", str(out), *args]
    r = subprocess.run(cmd, env=base_env(**env), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


def segments(path: Path) -> dict[str, object]:
    with open(path, "rb") as f:
        elf = ELFFile(f)
        out: dict[str, object] = {}
        for seg in elf.iter_segments():
            kind = seg["p_type"]
            # pyelftools reads a PT_INTERP segment as an InterpSegment.
            out[kind] = seg.get_interp_name() if isinstance(seg, InterpSegment) else True
        return out


def dynamic(path: Path) -> dict[str, int]:
    with open(path, "rb") as f:
        out: dict[str, int] = {}
        for sec in ELFFile(f).iter_sections():
            if isinstance(sec, DynamicSection):
                for tag in sec.iter_tags():
                    if tag.entry.d_tag in ("DT_FLAGS", "DT_FLAGS_1"):
                        out[tag.entry.d_tag] = tag.entry.d_val
        return out


def build_id(path: Path) -> bytes | None:
    with open(path, "rb") as f:
        for sec in ELFFile(f).iter_sections():
            if isinstance(sec, NoteSection):  # what pyelftools makes of an SHT_NOTE section
                for note in sec.iter_notes():
                    if note["n_type"] == "NT_GNU_BUILD_ID":
                        return bytes.fromhex(note["n_desc"])
    return None


@pytest.mark.parametrize("name", LINKERS)
def test_bindnow(dropins: Path, tmp_path: Path, name: str) -> None:
    lazy = dynamic(link(dropins, tmp_path, name, []))
    assert not lazy.get("DT_FLAGS", 0) & 0x8 and not lazy.get("DT_FLAGS_1", 0) & 0x1
    now = dynamic(link(dropins, tmp_path, name, [], NIX_HARDENING_ENABLE="bindnow"))
    assert now.get("DT_FLAGS", 0) & 0x8 or now.get("DT_FLAGS_1", 0) & 0x1  # BIND_NOW, DF_1_NOW


@pytest.mark.parametrize("name", LINKERS)
def test_relro_first_so_the_caller_wins(dropins: Path, tmp_path: Path, name: str) -> None:
    env = {"NIX_HARDENING_ENABLE": "relro"}
    assert "PT_GNU_RELRO" in segments(link(dropins, tmp_path, name, [], **env))
    assert "PT_GNU_RELRO" not in segments(link(dropins, tmp_path, name, ["-z", "norelro"], **env))


@pytest.mark.parametrize("name", LINKERS)
def test_build_id(dropins: Path, tmp_path: Path, name: str) -> None:
    assert build_id(link(dropins, tmp_path, name, [])) is None
    sha1 = build_id(link(dropins, tmp_path, name, [], NIX_SET_BUILD_ID="1"))
    md5 = build_id(
        link(dropins, tmp_path, name, [], NIX_SET_BUILD_ID="1", NIX_BUILD_ID_STYLE="md5")
    )
    assert sha1 is not None and md5 is not None and (len(sha1), len(md5)) == (20, 16)


@pytest.mark.parametrize("name", LINKERS)
def test_nix_dynamic_linker(dropins: Path, tmp_path: Path, name: str) -> None:
    out = link(dropins, tmp_path, name, [], NIX_DYNAMIC_LINKER="/nix/store/x-glibc/lib/ld.so")
    assert segments(out)["PT_INTERP"] == "/nix/store/x-glibc/lib/ld.so"


@pytest.mark.parametrize("name", LINKERS)
@pytest.mark.parametrize(("dtags", "tag"), [("rpath", "DT_RPATH"), ("runpath", "DT_RUNPATH")])
def test_dtags(
    dropins: Path, tmp_path: Path, store: BuiltStore, name: str, dtags: str, tag: str
) -> None:
    prog = tmp_path / "prog"
    src = "int foo_value(void); int main(void){return foo_value() == 42 ? 0 : 1;}\n"
    (tmp_path / "p.c").write_text(src)
    subprocess.run(
        [
            "gcc",
            f"-B{dropins}",
            f"-fuse-ld={FUSE[name]}",
            str(tmp_path / "p.c"),
            "-L",
            str(store.foo),
            "-lfoo",
            "-o",
            str(prog),
        ],
        check=True,
        env=base_env(NIX_STORE=str(store.root), LDWRAP_DTAGS=dtags),
    )
    with open(prog, "rb") as f:
        tags = {
            t.entry.d_tag
            for s in ELFFile(f).iter_sections()
            if isinstance(s, DynamicSection)
            for t in s.iter_tags()
        }
    other = "DT_RUNPATH" if tag == "DT_RPATH" else "DT_RPATH"
    assert tag in tags and other not in tags
    assert read_runpath(prog) == [str(store.foo)]
    assert run_program(prog).returncode == 0


@pytest.mark.parametrize("name", LINKERS)
def test_ld_run_path_parity(dropins: Path, tmp_path: Path, store: BuiltStore, name: str) -> None:
    # GNU ld's rule for every linker, and bfd keeps it although ldwrap adds its own -rpath.
    out = link(
        dropins,
        tmp_path,
        name,
        ["-L", str(store.foo), "-lfoo"],
        NIX_STORE=str(store.root),
        LD_RUN_PATH="/opt/run",
    )
    assert read_runpath(out) == ["/opt/run", str(store.foo)]
    out = link(
        dropins,
        tmp_path,
        name,
        ["-L", str(store.foo), "-lfoo", "-rpath", "/own"],
        NIX_STORE=str(store.root),
        LD_RUN_PATH="/opt/run",
    )
    assert read_runpath(out) == ["/own", str(store.foo)]


@pytest.mark.parametrize("name", LINKERS)
def test_m32_dynamic_linker(dropins: Path, tmp_path: Path, name: str) -> None:
    # gcc -m32 passes `-m elf_i386` and its own -dynamic-linker; ldwrap's comes later and wins.
    loader = tmp_path / "ld32.so"
    loader.symlink_to("/lib/ld-linux.so.2")
    prog = tmp_path / "prog32"
    (tmp_path / "p.c").write_text("int main(void){return 3;}\n")
    subprocess.run(
        [
            "gcc",
            "-m32",
            f"-B{dropins}",
            f"-fuse-ld={FUSE[name]}",
            str(tmp_path / "p.c"),
            "-o",
            str(prog),
        ],
        check=True,
        env=base_env(LDWRAP_DYNAMIC_LINKER_M32=str(loader)),
    )
    assert segments(prog)["PT_INTERP"] == str(loader)
    assert run_program(prog).returncode == 3
