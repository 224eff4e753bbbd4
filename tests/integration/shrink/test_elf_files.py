"""link.trim and `ldwrap fixup --shrink` on real ELF files.

Programs and shared libraries are built with gcc through GNU ld, gold, lld and mold, as ELF64
and ELF32 (`-m32`), with extra `-rpath` directories that provide nothing, the way `--as-needed`
leaves them behind: `-Wl,--as-needed -L unused -lunused` drops libunused from DT_NEEDED while
its directory stays in RUNPATH. RUNPATH is read back with `readelf -d`, and every trimmed
program is started (without LD_LIBRARY_PATH) to show it still finds its libraries.

Everything the module needs is built by its own fixtures.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ldwrap.fixup import fixup
from ldwrap.link.elfdyn import read_dynamic
from ldwrap.link.trim import REFUSED, SHRUNK, UNCHANGED, plan_shrink, shrink_output

pytestmark = pytest.mark.integration

LINKERS = ["bfd", "gold", "lld", "mold"]
BITS = [64, 32]
_LINKER_BINARY = {"bfd": "ld.bfd", "gold": "ld.gold", "lld": "ld.lld", "mold": "mold"}

MAIN_C = r"""
#include <stdio.h>
int foo(void);
int main(void) { puts(foo() == 42 ? "foo ok" : "foo wrong"); return 0; }
"""
FOO_C = "int foo(void) { return 42; }\n"
UNUSED_C = "int unused_function(void) { return 1; }\n"
WRAP_C = "int foo(void);\nint wrap(void) { return foo(); }\n"
USE_WRAP_C = r"""
#include <stdio.h>
int wrap(void);
int main(void) { puts(wrap() == 42 ? "wrap ok" : "wrap wrong"); return 0; }
"""
DEP_C = "int dep(void) { return 7; }\n"
MID_C = "int dep(void);\nint mid(void) { return dep() * 6; }\n"
USE_MID_C = r"""
#include <stdio.h>
int mid(void);
int main(void) { puts(mid() == 42 ? "mid ok" : "mid wrong"); return 0; }
"""


def clean_env() -> dict[str, str]:
    drop = ("LD_LIBRARY_PATH", "LD_PRELOAD", "LD_RUN_PATH", "LIBRARY_PATH", "GCC_EXEC_PREFIX")
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("LDWRAP_")}


def gcc(out: Path, source: str, *flags: str, bits: int = 64) -> Path:
    src = out.with_name(out.name + ".c")
    src.write_text(source)
    subprocess.run(
        ["gcc", f"-m{bits}", str(src), *flags, "-o", str(out)], check=True, env=clean_env()
    )
    return out


def shared(out: Path, source: str, *flags: str, bits: int = 64) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    return gcc(out, source, "-shared", "-fPIC", *flags, bits=bits)


def readelf_dynamic(path: Path) -> str:
    return subprocess.run(
        ["readelf", "-d", str(path)], check=True, capture_output=True, text=True
    ).stdout


def runpath_of(path: Path) -> tuple[str, str] | None:
    """(RUNPATH or RPATH, value) as readelf shows it; None without either."""
    m = re.search(r"\((RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[(.*)\]", readelf_dynamic(path))
    return (m.group(1), m.group(2)) if m else None


def needed_of(path: Path) -> list[str]:
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", readelf_dynamic(path))


def run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(path)], capture_output=True, text=True, env=clean_env())


def need_linker(linker: str) -> None:
    if shutil.which(_LINKER_BINARY[linker]) is None:
        pytest.skip(f"{_LINKER_BINARY[linker]} is not installed")


def changed_ranges(a: bytes, b: bytes) -> tuple[int, int]:
    assert len(a) == len(b)
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return (min(diff), max(diff) + 1) if diff else (0, 0)


class Libs:
    """Library directories for one word size."""

    def __init__(self, root: Path, bits: int) -> None:
        self.bits = bits
        self.root = root
        self.used = root / "used"  # libfoo.so: what the programs need
        self.used_copy = root / "used-copy"  # another libfoo.so: a duplicate provider
        self.unused = root / "unused"  # libunused.so: dropped by --as-needed
        self.empty = root / "empty"  # an existing directory with nothing in it
        self.missing = root / "missing"  # does not exist
        self.dep = root / "dep"  # libdep.so, needed only by libmid
        self.mid = root / "mid"  # libmid.so -> libdep.so
        shared(self.used / "libfoo.so", FOO_C, bits=bits)
        shared(self.used_copy / "libfoo.so", FOO_C, bits=bits)
        shared(self.unused / "libunused.so", UNUSED_C, bits=bits)
        self.empty.mkdir()
        shared(self.dep / "libdep.so", DEP_C, bits=bits)
        shared(self.mid / "libmid.so", MID_C, f"-L{self.dep}", "-ldep", bits=bits)

    def as_needed_flags(self, *rpath: Path | str) -> list[str]:
        return [
            "-Wl,--as-needed", f"-L{self.used}", "-lfoo", f"-L{self.unused}", "-lunused",
            "-Wl,-rpath," + ":".join(str(p) for p in rpath),
        ]  # fmt: skip


@pytest.fixture(scope="module")
def libs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Libs]:
    if shutil.which("gcc") is None or shutil.which("readelf") is None:
        pytest.skip("gcc and readelf are needed")
    out: dict[int, Libs] = {}
    for bits in BITS:
        root = tmp_path_factory.mktemp(f"libs{bits}")
        try:
            out[bits] = Libs(root, bits)
        except subprocess.CalledProcessError:
            if bits == 64:
                raise
    return out


def libs_for(libs: dict[int, Libs], bits: int) -> Libs:
    if bits not in libs:
        pytest.skip(f"cannot build {bits}-bit libraries (gcc-multilib missing?)")
    return libs[bits]


LINK_CASES = [pytest.param(ld, bits, id=f"{ld}-elf{bits}") for ld in LINKERS for bits in BITS]


# ---------------------------------------------------------------------------------------------
# The shim's step: shrink_output after a link


@pytest.mark.parametrize(("linker", "bits"), LINK_CASES)
def test_program_runpath_is_trimmed(
    libs: dict[int, Libs], tmp_path: Path, linker: str, bits: int
) -> None:
    need_linker(linker)
    lb = libs_for(libs, bits)
    entries = [lb.unused, lb.used, lb.empty, lb.missing]
    prog = gcc(tmp_path / "prog", MAIN_C, f"-fuse-ld={linker}", *lb.as_needed_flags(*entries),
               bits=bits)  # fmt: skip
    assert "libunused.so" not in needed_of(prog)  # the --as-needed premise
    assert runpath_of(prog) == ("RUNPATH", ":".join(map(str, entries)))
    before = prog.read_bytes()

    result = shrink_output(str(prog), [str(e) for e in entries])

    assert result.status == SHRUNK, result.reason
    assert result.kept == (str(lb.used),)
    assert result.removed == (str(lb.unused), str(lb.empty), str(lb.missing))
    assert runpath_of(prog) == ("RUNPATH", str(lb.used))
    after = prog.read_bytes()
    lo, hi = changed_ranges(before, after)
    assert result.offset <= lo and hi <= result.offset + len(":".join(map(str, entries)))
    proc = run(prog)
    assert (proc.returncode, proc.stdout) == (0, "foo ok\n"), proc.stderr
    # A second pass changes nothing.
    assert shrink_output(str(prog), [str(e) for e in entries]).status == UNCHANGED
    assert prog.read_bytes() == after


@pytest.mark.parametrize(("linker", "bits"), LINK_CASES)
def test_shared_library_runpath_is_trimmed(
    libs: dict[int, Libs], tmp_path: Path, linker: str, bits: int
) -> None:
    need_linker(linker)
    lb = libs_for(libs, bits)
    (tmp_path / "lib").mkdir()
    lib = shared(tmp_path / "lib" / "libwrap.so", WRAP_C, f"-fuse-ld={linker}",
                 *lb.as_needed_flags(lb.empty, lb.unused, lb.used), bits=bits)  # fmt: skip
    result = shrink_output(str(lib), [str(lb.empty), str(lb.unused), str(lb.used)])
    assert result.status == SHRUNK and result.kept == (str(lb.used),), result.reason
    assert runpath_of(lib) == ("RUNPATH", str(lb.used))
    # A program that finds libwrap finds libfoo through libwrap's trimmed RUNPATH.
    prog = gcc(tmp_path / "prog", USE_WRAP_C, f"-fuse-ld={linker}", f"-L{lib.parent}", "-lwrap",
               f"-Wl,-rpath,{lib.parent}", f"-Wl,-rpath-link,{lb.used}", bits=bits)  # fmt: skip
    proc = run(prog)
    assert (proc.returncode, proc.stdout) == (0, "wrap ok\n"), proc.stderr


def test_only_removable_entries_go(libs: dict[int, Libs], tmp_path: Path) -> None:
    lb = libs[64]
    entries = [lb.unused, lb.used, lb.empty]
    prog = gcc(tmp_path / "prog", MAIN_C, *lb.as_needed_flags(*entries))
    result = shrink_output(str(prog), [str(lb.unused)])  # as if the caller had passed the rest
    assert result.status == SHRUNK
    assert runpath_of(prog) == ("RUNPATH", f"{lb.used}:{lb.empty}")


def test_everything_removed_takes_the_runpath_tag_out(
    libs: dict[int, Libs], tmp_path: Path
) -> None:
    lb = libs[64]
    prog = gcc(tmp_path / "prog", 'int main(void) { return 0; }\n', "-Wl,--as-needed",
               f"-L{lb.unused}", "-lunused", f"-Wl,-rpath,{lb.unused}")  # fmt: skip
    env = clean_env()
    env["LD_DEBUG"] = "libs"

    def loader_log() -> str:
        proc = subprocess.run([str(prog)], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert proc.returncode == 0
        return proc.stderr

    assert "RUNPATH from file" in loader_log()  # LD_DEBUG shows the search paths it builds
    before = subprocess.run(["readelf", "-dW", str(prog)], capture_output=True, text=True)
    result = shrink_output(str(prog), [str(lb.unused)])
    assert result.status == SHRUNK and result.kept == () and result.tag_removed
    # No RUNPATH tag at all (an empty one is still a tag for tools to read), and readelf reads
    # the dynamic section as before, less that one entry.
    assert runpath_of(prog) is None
    after = subprocess.run(["readelf", "-dW", str(prog)], capture_output=True, text=True)
    assert after.returncode == 0 and not after.stderr
    lines = [line.split() for line in before.stdout.splitlines() if line.startswith(" 0x")]
    kept = [line.split() for line in after.stdout.splitlines() if line.startswith(" 0x")]
    assert [w[1] for w in kept] == [w[1] for w in lines if w[1] != "(RUNPATH)"]
    assert "RUNPATH" not in loader_log()


def test_static_and_relocatable_outputs_are_left_alone(tmp_path: Path) -> None:
    obj = tmp_path / "x.o"
    (tmp_path / "x.c").write_text("int x(void) { return 1; }\n")
    subprocess.run(["gcc", "-c", "-o", str(obj), str(tmp_path / "x.c")], check=True)
    static = gcc(tmp_path / "static", "int main(void) { return 0; }\n", "-static",
                 "-Wl,-rpath,/nonexistent")  # fmt: skip
    for path in (obj, static):
        before = path.read_bytes()
        result = shrink_output(str(path), ["/nonexistent"])
        assert result.status == "not dynamic" and not result.failed
        assert path.read_bytes() == before
        assert read_dynamic(str(path)) is None


# ---------------------------------------------------------------------------------------------
# Tail sharing: GNU ld stores a string that is the suffix of another only once


def dynstr_sharing(path: Path, symbol: str) -> bool:
    """Whether symbol's name lies inside the RUNPATH string, read with pyelftools (not with
    the code under test)."""
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    with open(path, "rb") as f:
        elf = ELFFile(f)
        dynamic = elf.get_section_by_name(".dynamic")
        dynsym = elf.get_section_by_name(".dynsym")
        assert isinstance(dynamic, DynamicSection) and isinstance(dynsym, SymbolTableSection)
        runpath = next(t for t in dynamic.iter_tags() if t.entry.d_tag == "DT_RUNPATH")
        start = runpath.entry.d_val
        end = start + len(runpath.runpath)  # type: ignore[attr-defined]
        names = [s.entry.st_name for s in dynsym.iter_symbols() if s.name == symbol]
    assert names, f"{path} does not import {symbol}"
    return any(start < n < end for n in names)


@pytest.mark.parametrize(("linker", "bits"), LINK_CASES)
def test_tail_sharing_is_refused(
    libs: dict[int, Libs], tmp_path: Path, linker: str, bits: int
) -> None:
    need_linker(linker)
    lb = libs_for(libs, bits)
    tail = tmp_path / "x" / "puts"  # the program imports puts
    prog = gcc(tmp_path / "prog", MAIN_C, f"-fuse-ld={linker}",
               *lb.as_needed_flags(lb.used, tail), bits=bits)  # fmt: skip
    shared_tail = dynstr_sharing(prog, "puts")
    if linker == "bfd":
        assert shared_tail, "GNU ld no longer merges string tails: the refusal is untested"
    before = prog.read_bytes()
    result = shrink_output(str(prog), [str(lb.used), str(tail)])
    if shared_tail:
        assert result.status == REFUSED and result.failed
        assert result.reason is not None and "symbol name 'puts'" in result.reason
        assert result.removed == (str(tail),)
        assert prog.read_bytes() == before
        out = io.StringIO()
        assert fixup([str(prog)], False, out) == 1
        assert f"{prog}: skipped: unsafe" in out.getvalue()
        assert prog.read_bytes() == before
    else:
        assert result.status == SHRUNK and result.kept == (str(lb.used),)
    proc = run(prog)
    assert (proc.returncode, proc.stdout) == (0, "foo ok\n"), proc.stderr


# ---------------------------------------------------------------------------------------------
# DT_RPATH: the loader also uses it for the object's dependencies' own lookups


@pytest.mark.parametrize("linker", LINKERS)
def test_rpath_keeps_a_dependencys_dependency(
    libs: dict[int, Libs], tmp_path: Path, linker: str
) -> None:
    need_linker(linker)
    lb = libs[64]
    entries = [lb.unused, lb.mid, lb.dep, lb.empty]
    prog = gcc(tmp_path / "prog", USE_MID_C, f"-fuse-ld={linker}", "-Wl,--disable-new-dtags",
               "-Wl,--as-needed", f"-L{lb.mid}", "-lmid", f"-Wl,-rpath-link,{lb.dep}",
               f"-L{lb.unused}", "-lunused",
               "-Wl,-rpath," + ":".join(map(str, entries)))  # fmt: skip
    assert needed_of(prog)[0] == "libmid.so" and "libdep.so" not in needed_of(prog)
    assert runpath_of(prog) == ("RPATH", ":".join(map(str, entries)))
    assert runpath_of(lb.mid / "libmid.so") is None  # libdep is found through prog's RPATH

    result = shrink_output(str(prog), [str(e) for e in entries])

    assert result.status == SHRUNK and result.tag == "DT_RPATH", result.reason
    assert result.kept == (str(lb.mid), str(lb.dep))
    assert runpath_of(prog) == ("RPATH", f"{lb.mid}:{lb.dep}")
    proc = run(prog)
    assert (proc.returncode, proc.stdout) == (0, "mid ok\n"), proc.stderr


# ---------------------------------------------------------------------------------------------
# ldwrap fixup --shrink on a tree


@pytest.fixture
def tree(libs: dict[int, Libs], tmp_path: Path) -> Iterator[Path]:
    lb = libs[64]
    root = tmp_path / "prefix"
    (root / "bin").mkdir(parents=True)
    (root / "lib" / "nested").mkdir(parents=True)
    gcc(root / "bin" / "prog", MAIN_C, *lb.as_needed_flags(lb.unused, lb.used, lb.empty))
    (root / "bin" / "prog.c").unlink()
    (root / "bin" / "prog").chmod(0o750)
    shared(root / "lib" / "nested" / "libwrap.so", WRAP_C,
           *lb.as_needed_flags(lb.used, lb.missing))  # fmt: skip
    (root / "lib" / "nested" / "libwrap.so.c").unlink()
    (root / "lib" / "nested" / "libwrap.so").chmod(0o644)
    gcc(root / "bin" / "plain", MAIN_C, f"-L{lb.used}", "-lfoo", f"-Wl,-rpath,{lb.used}")
    (root / "bin" / "plain.c").unlink()
    (root / "bin" / "script").write_text("#!/bin/sh\necho hi\n")
    (root / "lib" / "libfoo.la").write_text("# libtool archive\n")
    (root / "bin" / "prog-link").symlink_to("prog")
    (root / "lib-link").symlink_to("lib")
    (root / "lib" / "outside").symlink_to(lb.unused / "libunused.so")
    if os.geteuid() == 0:
        os.chown(root / "bin" / "prog", 1234, 2345)
    yield root


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int, int]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            if p.is_symlink():
                continue
            st = p.lstat()
            out[str(p.relative_to(root))] = (p.read_bytes(), st.st_mode, st.st_uid, st.st_gid)
    return out


def test_fixup_tree(libs: dict[int, Libs], tree: Path) -> None:
    lb = libs[64]
    before = snapshot(tree)

    dry = io.StringIO()
    assert fixup([str(tree)], True, dry) == 0
    assert snapshot(tree) == before
    assert f"{tree}/bin/prog: would remove {lb.unused}, {lb.empty}" in dry.getvalue()

    out = io.StringIO()
    assert fixup([str(tree)], False, out) == 0
    lines = out.getvalue().splitlines()
    assert lines == [
        f"{tree}/bin/plain: unchanged",
        f"{tree}/bin/prog: removed {lb.unused}, {lb.empty}",
        f"{tree}/lib/nested/libwrap.so: removed {lb.missing}",
        "2 non-ELF files left alone",
        "3 symlinks not followed",
    ]
    after = snapshot(tree)
    assert set(after) == set(before)
    for name, (_data, mode, uid, gid) in before.items():
        assert after[name][1:] == (mode, uid, gid), name  # mode and owner kept
    assert after["bin/script"] == before["bin/script"]
    assert runpath_of(tree / "bin" / "prog") == ("RUNPATH", str(lb.used))
    assert runpath_of(tree / "lib" / "nested" / "libwrap.so") == ("RUNPATH", str(lb.used))
    assert stat.S_IMODE((tree / "bin" / "prog").stat().st_mode) == 0o750
    if os.geteuid() == 0:
        assert ((tree / "bin" / "prog").stat().st_uid, (tree / "bin" / "prog").stat().st_gid) == (
            1234, 2345)  # fmt: skip
    assert not [p for p in tree.rglob(".*.ldwrap-*")]  # no temporary file left behind
    proc = run(tree / "bin" / "prog")
    assert (proc.returncode, proc.stdout) == (0, "foo ok\n"), proc.stderr
    # The symlinked library outside the tree was not touched.
    assert runpath_of(lb.unused / "libunused.so") is None

    again = io.StringIO()
    assert fixup([str(tree)], False, again) == 0
    assert snapshot(tree) == after
    assert "removed" not in again.getvalue()


def test_fixup_exit_status(tree: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert fixup([str(tree / "bin" / "prog"), str(tmp_path / "nope")], False, out, err) == 2
    assert "nope: no such file or directory" in err.getvalue()
    assert "bin/prog: removed" in out.getvalue()  # the other paths are still processed
    corrupt = tmp_path / "corrupt"
    corrupt.write_bytes((tree / "bin" / "plain").read_bytes()[:100])
    out = io.StringIO()
    assert fixup([str(corrupt)], False, out) == 1
    assert f"{corrupt}: skipped:" in out.getvalue()
    out = io.StringIO()
    assert fixup([str(tree / "bin" / "prog-link")], False, out) == 0  # named: followed
    assert out.getvalue() == f"{tree}/bin/prog: unchanged\n"


# ---------------------------------------------------------------------------------------------
# Agreement with patchelf --shrink-rpath


def patchelf_shrink(path: Path) -> None:
    subprocess.run(["patchelf", "--shrink-rpath", str(path)], check=True)


@pytest.mark.parametrize(("linker", "bits"), LINK_CASES)
def test_agrees_with_patchelf(
    libs: dict[int, Libs], tmp_path: Path, linker: str, bits: int
) -> None:
    """On outputs where no two directories provide the same library."""
    if shutil.which("patchelf") is None:
        pytest.skip("patchelf is not installed")
    need_linker(linker)
    lb = libs_for(libs, bits)
    ld = f"-fuse-ld={linker}"
    (tmp_path / "lib").mkdir()
    outputs = [
        gcc(tmp_path / "prog", MAIN_C, ld, *lb.as_needed_flags(lb.unused, lb.used, lb.empty),
            bits=bits),
        gcc(tmp_path / "prog-mid", USE_MID_C, ld, f"-L{lb.mid}", "-lmid",
            f"-Wl,-rpath-link,{lb.dep}", f"-Wl,-rpath,{lb.missing}:{lb.mid}:{lb.dep}", bits=bits),
        gcc(tmp_path / "prog-none", "int main(void) { return 0; }\n", ld, "-Wl,--as-needed",
            f"-L{lb.unused}", "-lunused", f"-Wl,-rpath,{lb.unused}:{lb.empty}", bits=bits),
        gcc(tmp_path / "prog-kept", MAIN_C, ld, f"-L{lb.used}", "-lfoo",
            f"-Wl,-rpath,{lb.used}", bits=bits),
        shared(tmp_path / "lib" / "libwrap.so", WRAP_C, ld,
               *lb.as_needed_flags(lb.used, lb.unused), bits=bits),
    ]  # fmt: skip
    for out in outputs:
        ours, theirs = out.with_name(out.name + ".ours"), out.with_name(out.name + ".patchelf")
        shutil.copy2(out, ours)
        shutil.copy2(out, theirs)
        assert fixup([str(ours)], False, io.StringIO()) == 0
        patchelf_shrink(theirs)
        # Where no entry is left, patchelf leaves an empty tag and ldwrap takes it out.
        want = runpath_of(theirs)
        assert runpath_of(ours) == (None if want == ("RUNPATH", "") else want), out.name
    assert runpath_of(tmp_path / "prog.ours") == ("RUNPATH", str(lb.used))
    assert runpath_of(tmp_path / "prog-mid.ours") == ("RUNPATH", str(lb.mid))
    assert runpath_of(tmp_path / "prog-none.ours") is None
    assert runpath_of(tmp_path / "prog-none.patchelf") == ("RUNPATH", "")


def test_differs_from_patchelf_on_duplicate_providers(
    libs: dict[int, Libs], tmp_path: Path
) -> None:
    """patchelf drops a later directory whose libraries an earlier one already provides;
    ldwrap keeps every providing directory (the earlier one may be gone at run time, or
    replaced: both are where the link found what it needed)."""
    if shutil.which("patchelf") is None:
        pytest.skip("patchelf is not installed")
    lb = libs[64]
    prog = gcc(tmp_path / "prog", MAIN_C, *lb.as_needed_flags(lb.used, lb.used_copy, lb.empty))
    theirs = tmp_path / "theirs"
    shutil.copy2(prog, theirs)
    patchelf_shrink(theirs)
    assert fixup([str(prog)], False, io.StringIO()) == 0
    assert runpath_of(prog) == ("RUNPATH", f"{lb.used}:{lb.used_copy}")
    assert runpath_of(theirs) == ("RUNPATH", str(lb.used))


def test_differs_from_patchelf_on_rpath(libs: dict[int, Libs], tmp_path: Path) -> None:
    """patchelf 0.14 counts only the file's own DT_NEEDED and turns DT_RPATH into DT_RUNPATH:
    a directory needed by a dependency's dependency is dropped and the program no longer
    starts. ldwrap keeps DT_RPATH and that directory."""
    if shutil.which("patchelf") is None:
        pytest.skip("patchelf is not installed")
    lb = libs[64]
    prog = gcc(tmp_path / "prog", USE_MID_C, "-Wl,--disable-new-dtags", f"-L{lb.mid}", "-lmid",
               f"-Wl,-rpath-link,{lb.dep}", f"-Wl,-rpath,{lb.mid}:{lb.dep}")  # fmt: skip
    theirs = tmp_path / "theirs"
    shutil.copy2(prog, theirs)
    subprocess.run(["patchelf", "--shrink-rpath", str(theirs)], check=True)
    assert fixup([str(prog)], False, io.StringIO()) == 0
    assert runpath_of(prog) == ("RPATH", f"{lb.mid}:{lb.dep}")
    assert run(prog).returncode == 0
    assert runpath_of(theirs) == ("RUNPATH", str(lb.mid))
    assert run(theirs).returncode != 0  # libdep.so is not found any more


def test_plan_matches_shrink(libs: dict[int, Libs], tmp_path: Path) -> None:
    lb = libs[64]
    prog = gcc(tmp_path / "prog", MAIN_C, *lb.as_needed_flags(lb.unused, lb.used))
    before = prog.read_bytes()
    plan = plan_shrink(str(prog))
    assert prog.read_bytes() == before
    assert (plan.status, plan.kept, plan.removed) == (SHRUNK, (str(lb.used),), (str(lb.unused),))
