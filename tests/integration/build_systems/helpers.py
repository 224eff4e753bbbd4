"""Builds with real build systems, installs, and the checks every case shares.

A case builds one fixture project from `projects/` (copied into a fresh temporary directory)
with the real build system, routes every link through ldwrap's drop-ins (or not), installs it
into a fresh prefix and describes what it installed: one `Output` per ELF file, with the
RUNPATH entries the build system itself writes and whether the file can start or load there.

What a case must show, with ldwrap in front:
- every installed program starts (the extension imports, the library loads) without
  LD_LIBRARY_PATH, in a working directory that holds nothing;
- every installed ELF file's RUNPATH is exactly libgreet's directory plus what the build
  system itself installs (compared with trailing slashes stripped: ldwrap may spell its own
  copy of a directory the caller also passed as `/x/lib/`), plus libunused's directory for
  the programs that link it (--as-needed drops the library, not the directory) unless
  LDWRAP_SHRINK=1 trimmed it, plus, outside a store, ldwrap's `$ORIGIN/../lib/` for a
  program that links the project's own library from the build tree (then it starts too),
  with no empty element and no directory of a build tree;
and without ldwrap: the same RUNPATH minus libgreet's directory, and a program that does not
start ("cannot open shared object file"), unless the build system's own rpath covers it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers import which_linker

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"

LINKERS = ("bfd", "lld", "mold")
MODES = ("default", "store")

# Nix's base-32 alphabet: store paths look like real ones.
_NIX_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"

# Variables that steer ldwrap, the compilers, the build systems or the loader: never inherited.
_STEERING = {
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "LD_RUN_PATH",
    "LIBRARY_PATH",
    "COMPILER_PATH",
    "GCC_EXEC_PREFIX",
    "CPATH",
    "C_INCLUDE_PATH",
    "CFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "LIBS",
    "CC",
    "CXX",
    "CC_LD",
    "CXX_LD",
    "PKG_CONFIG_PATH",
    "PKG_CONFIG_LIBDIR",
    "PKG_CONFIG",
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "RUSTC",
    "RUSTC_WRAPPER",
    "PYTHONPATH",
    "PYTHONHOME",
    "CMAKE_PREFIX_PATH",
    "CMAKE_GENERATOR",
    "MAKEFLAGS",
    "MFLAGS",
    "DESTDIR",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_USER",
    "PIP_INDEX_URL",
    "PIP_FIND_LINKS",
}
_STEERING_PREFIXES = ("LDWRAP_", "NIX_", "CARGO_TARGET_X86_64")


def store_hash(name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(_NIX_ALPHABET[b % 32] for b in digest)


# ---------------------------------------------------------------------------------------------
# libgreet, the external library


@dataclass(frozen=True)
class Greet:
    """libgreet.so.1 installed in one prefix, for one mode, and libunused.so.1 in another."""

    mode: str  # "default": <tmp>/opt/greet; "store": <tmp>/nix/store/<hash>-greet-1.0
    prefix: Path
    store: Path | None  # NIX_STORE for the store mode
    unused_prefix: Path  # <tmp>/opt/unused, or <tmp>/nix/store/<hash>-unused-1.0

    @property
    def libdir(self) -> Path:
        return self.prefix / "lib"

    @property
    def pkgconfig(self) -> Path:
        return self.prefix / "lib" / "pkgconfig"

    @property
    def unused_libdir(self) -> Path:
        return self.unused_prefix / "lib"

    @property
    def pkg_config_path(self) -> str:
        return f"{self.pkgconfig}:{self.unused_prefix / 'lib' / 'pkgconfig'}"


def install_greet(root: Path, mode: str) -> Greet:
    """Build libgreet.so.1 (SONAME libgreet.so.1, plus libgreet.so and greet.pc) into a
    prefix under root: outside the loader's default directories, or in a fake Nix store.
    Beside it, libunused.so.1 (and unused.pc) in a prefix of its own: the programs link it
    and call nothing in it, so --as-needed drops it and only its directory can be left over
    on RUNPATH."""
    store = root / "nix" / "store" if mode == "store" else None
    prefix = _install_lib(
        root,
        store,
        "greet",
        "the external test library",
        PROJECTS / "greet" / "greet.c",
        PROJECTS / "greet" / "greet.h",
    )
    unused = _install_lib(
        root,
        store,
        "unused",
        "a library the programs link and never call",
        PROJECTS / "unused" / "unused.c",
        None,
    )
    return Greet(mode, prefix, store, unused)


def _install_lib(
    root: Path, store: Path | None, name: str, description: str, source: Path, header: Path | None
) -> Path:
    """lib<name>.so.1 (and lib<name>.so, <name>.pc) in <root>/opt/<name> or in the store."""
    if store is not None:
        prefix = store / f"{store_hash(f'{name}-1.0')}-{name}-1.0"
    else:
        prefix = root / "opt" / name
    lib, inc, pc = prefix / "lib", prefix / "include", prefix / "lib" / "pkgconfig"
    for d in (lib, inc, pc):
        d.mkdir(parents=True, exist_ok=True)
    if header is not None:
        shutil.copy(header, inc / header.name)
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-fPIC",
            "-O1",
            f"-Wl,-soname,lib{name}.so.1",
            f"-I{inc}",
            "-o",
            str(lib / f"lib{name}.so.1"),
            str(source),
        ],
        check=True,
        env=clean_env(),
    )
    (lib / f"lib{name}.so").symlink_to(f"lib{name}.so.1")
    (pc / f"{name}.pc").write_text(
        f"prefix={prefix}\n"
        "libdir=${prefix}/lib\n"
        "includedir=${prefix}/include\n\n"
        f"Name: {name}\nDescription: {description}\nVersion: 1.0\n"
        f"Libs: -L${{libdir}} -l{name}\nCflags: -I${{includedir}}\n"
    )
    return prefix


# ---------------------------------------------------------------------------------------------
# Environments


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _STEERING and not k.startswith(_STEERING_PREFIXES)
    }
    env.update(extra)
    return env


def system_path() -> str:
    """PATH as the user has it (cargo and rustup's proxies included), no ldwrap."""
    return os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")


@dataclass
class Build:
    """Where and how one case is built."""

    greet: Greet
    linker: str  # bfd | lld | mold
    ldwrap: bool  # drop-ins first on PATH, or not on PATH at all
    dropins: Path
    work: Path  # a fresh directory for sources, build trees, install prefixes, temp files
    shrink: bool = False  # LDWRAP_SHRINK=1: ldwrap trims the entries it added that go unused

    def env(self, **extra: str) -> dict[str, str]:
        tmp = self.work / "tmp"
        tmp.mkdir(exist_ok=True)
        path = system_path()
        env = clean_env(
            PATH=f"{self.dropins}:{path}" if self.ldwrap else path,
            PKG_CONFIG_PATH=self.greet.pkg_config_path,
            TMPDIR=str(tmp),
            XDG_CACHE_HOME=str(self.work / "cache"),
            PIP_NO_CACHE_DIR="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            CARGO_HOME=str(self.work / "cargo-home"),
            CARGO_TERM_COLOR="never",
            CARGO_NET_OFFLINE="true",
            LC_ALL="C",
        )
        if self.greet.store is not None:
            env["NIX_STORE"] = str(self.greet.store)
        if self.shrink:
            env["LDWRAP_SHRINK"] = "1"
        env.update(extra)
        return env

    @property
    def fuse_ld(self) -> str:
        return f"-fuse-ld={self.linker}"


def run(
    cmd: Sequence[str | Path], env: dict[str, str], cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    argv = [str(c) for c in cmd]
    p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, (
        f"{' '.join(argv)} (in {cwd}) failed with {p.returncode}\n"
        f"--- stdout\n{p.stdout[-6000:]}\n--- stderr\n{p.stderr[-6000:]}"
    )
    return p


def copy_project(name: str, dest: Path, common: bool = True) -> Path:
    shutil.copytree(PROJECTS / name, dest, symlinks=True)
    if common:  # the shared sources, unless the project has its own version of one
        for f in (PROJECTS / "common").iterdir():
            if not (dest / f.name).exists():
                shutil.copy(f, dest / f.name)
    return dest


# ---------------------------------------------------------------------------------------------
# What a case installed


@dataclass(frozen=True)
class Output:
    """One installed ELF file."""

    path: Path
    kind: str  # "exe": run it; "lib": dlopen it; "pyext": import it
    own: tuple[str, ...] = ()  # RUNPATH entries the build system itself installs
    starts: bool = True  # False: by the build system's design it cannot start there
    stdout: str = ""  # what it prints when it starts (exe), or the import prints (pyext)
    why_not: str = ""  # why it cannot start, when starts is False
    unused: bool = False  # links libunused.so, which --as-needed leaves out of DT_NEEDED
    # RUNPATH entries ldwrap adds for the project's own install directory (it links a library
    # from the build tree): with ldwrap, outside a store (a store has no build trees), the
    # output also starts where the build system's design alone would not let it.
    self_entries: tuple[str, ...] = ()


@dataclass
class Installed:
    case: str
    build: Build
    roots: list[Path]  # the install prefixes
    outputs: list[Output]
    build_trees: list[Path] = field(default_factory=list)
    # Directories the build system itself passes with -rpath at build time, as it spells them
    # (those inside its build trees and those with `$` tokens aside): never ldwrap's.
    build_rpath: tuple[str, ...] = ()


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def elf_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if is_elf(p))


# ---------------------------------------------------------------------------------------------
# Reading ELF files


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


# ---------------------------------------------------------------------------------------------
# Starting what was installed


def start(out: Output, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Start a program, dlopen a library, or import an extension: no LD_LIBRARY_PATH."""
    env = clean_env(LC_ALL="C")
    if out.kind == "exe":
        argv = [str(out.path)]
    elif out.kind == "lib":
        argv = [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", str(out.path)]
    else:
        name = out.path.name.split(".")[0]
        argv = [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, sys.argv[1]); import {name}; print({name}.version())",
            str(out.path.parent),
        ]
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def empty_dir(base: Path, name: str = "empty-cwd") -> Path:
    d = base / name
    d.mkdir(exist_ok=True)
    return d


# ---------------------------------------------------------------------------------------------
# The checks


def expected_runpath(
    out: Output, greet: Greet, with_ldwrap: bool, shrink: bool = False
) -> list[str]:
    """own, plus with ldwrap libgreet's directory and, unless LDWRAP_SHRINK trimmed it,
    libunused's (which --as-needed left out of DT_NEEDED)."""
    want = [e.rstrip("/") or e for e in out.own]
    if with_ldwrap:
        if greet.store is None:
            want += [e.rstrip("/") or e for e in out.self_entries]
        want.append(str(greet.libdir))
        if out.unused and not shrink:
            want.append(str(greet.unused_libdir))
    return sorted(set(want))


def runpath_problems(inst: Installed, with_ldwrap: bool) -> list[str]:
    """Every RUNPATH problem of every installed ELF file, as readable lines."""
    problems = []
    declared = {o.path for o in inst.outputs}
    for root in inst.roots:
        for f in elf_files(root):
            if f not in declared:
                problems.append(f"{f}: an installed ELF file the case does not describe")
    trees = [str(t) for t in inst.build_trees]
    for out in inst.outputs:
        if not out.path.exists():
            problems.append(f"{out.path}: not installed")
            continue
        rp = raw_runpath(out.path)
        if rp is not None and empty_elements(rp):
            problems.append(f"{out.path.name}: RUNPATH {rp!r} has an empty element (= cwd)")
        for e in (rp or "").split(":") if rp else []:
            if any(e == t or e.startswith(t + "/") for t in trees):
                problems.append(f"{out.path.name}: RUNPATH {rp!r} names a build tree: {e}")
        got = sorted(set(normalised(rp)) - {""})
        want = expected_runpath(out, inst.build.greet, with_ldwrap, inst.build.shrink)
        if got != want:
            problems.append(f"{out.path.name}: RUNPATH {rp!r}: directories {got} != {want}")
    return problems


def linker_problems(inst: Installed) -> list[str]:
    """Each output was linked by the linker the case asked for (lld and mold mark .comment;
    a bfd link must carry neither mark)."""
    out = []
    for o in inst.outputs:
        if o.path.exists() and which_linker(o.path) != inst.build.linker:
            out.append(f"{o.path.name}: linked by {which_linker(o.path)}, not {inst.build.linker}")
    return out


def start_problems(inst: Installed, cwd: Path) -> list[str]:
    """With ldwrap: every output that starts by design or through ldwrap's own entries."""
    problems = []
    own = inst.build.greet.store is None
    for out in inst.outputs:
        if not out.starts and not (own and out.self_entries):
            continue
        p = start(out, cwd)
        if p.returncode != 0:
            problems.append(
                f"{out.path.name}: did not start ({p.returncode}): {p.stderr.strip()[-400:]}"
            )
        elif out.kind != "lib" and p.stdout != out.stdout:
            problems.append(f"{out.path.name}: printed {p.stdout!r}, expected {out.stdout!r}")
    return problems


def check_with_ldwrap(inst: Installed) -> None:
    """The installed tree works and its RUNPATHs are exactly right."""
    problems = linker_problems(inst) + runpath_problems(inst, True)
    problems += start_problems(inst, empty_dir(inst.build.work))
    assert not problems, "\n".join([f"{inst.case}:", *problems, *describe(inst)])


def check_without_ldwrap(inst: Installed, starts_anyway: bool = False) -> None:
    """The same build without ldwrap: the build system's own RUNPATH only, and the programs
    that use libgreet do not start ("cannot open shared object file"), unless starts_anyway
    (the build system's own install rpath covers libgreet's directory)."""
    problems = runpath_problems(inst, False)
    cwd = empty_dir(inst.build.work)
    tried = 0
    for out in inst.outputs:
        if not out.starts:
            continue
        tried += 1
        p = start(out, cwd)
        if starts_anyway:
            if p.returncode != 0:
                problems.append(f"{out.path.name}: expected to start without ldwrap: {p.stderr}")
        elif p.returncode == 0 or "cannot open shared object file" not in p.stderr:
            problems.append(
                f"{out.path.name}: without ldwrap expected 'cannot open shared object file', "
                f"got rc={p.returncode} stdout={p.stdout!r} stderr={p.stderr.strip()[-300:]!r}"
            )
    assert tried, "nothing to start: the check would prove nothing"
    assert not problems, "\n".join([f"{inst.case} (no ldwrap):", *problems, *describe(inst)])


def describe(inst: Installed) -> list[str]:
    lines = ["installed RUNPATHs:"]
    for out in inst.outputs:
        if out.path.exists():
            lines.append(f"  {out.path}: {raw_runpath(out.path)!r}")
    return lines


# ---------------------------------------------------------------------------------------------
# LDWRAP_SHRINK and `ldwrap fixup --shrink`


@dataclass
class ShrinkTally:
    """Counts over a session, printed at its end (see conftest.pytest_terminal_summary)."""

    outputs: int = 0  # ELF files with RUNPATH checked in LDWRAP_SHRINK=1 builds
    installed: int = 0  # of those, installed ones
    added: int = 0  # entries ldwrap added in the same files, built without LDWRAP_SHRINK
    trimmed: int = 0  # of those, the entries LDWRAP_SHRINK=1 took out again
    compared: int = 0  # installed files given to both `fixup --shrink` and patchelf
    fixup_removed: int = 0  # entries `ldwrap fixup --shrink` removed from them
    patchelf_removed: int = 0  # entries `patchelf --shrink-rpath` removed from them
    identical: int = 0  # files both left with the same RUNPATH
    later_providers: int = 0  # entries patchelf removed and fixup kept by design (see below)
    rpath_files: int = 0  # files with DT_RPATH rather than DT_RUNPATH

    def lines(self) -> list[str]:
        out = []
        if self.outputs:
            out += [
                f"LDWRAP_SHRINK=1 builds: {self.outputs} ELF files with RUNPATH checked "
                f"({self.installed} installed), none with an unneeded entry of ldwrap's",
                f"  the same files without LDWRAP_SHRINK: {self.added} RUNPATH entries added "
                f"by ldwrap, of which LDWRAP_SHRINK=1 trimmed {self.trimmed}",
            ]
        if self.compared:
            out += [
                f"fixup --shrink vs patchelf --shrink-rpath: {self.compared} installed files, "
                f"{self.identical} with the same RUNPATH; removed {self.fixup_removed} "
                f"entries (fixup) and {self.patchelf_removed} (patchelf); "
                f"{self.later_providers} later directories that provide only libraries an "
                f"earlier one provides kept by fixup, removed by patchelf",
            ]
        if out:
            out.append(f"files with DT_RPATH rather than DT_RUNPATH: {self.rpath_files}")
        return out


TALLY = ShrinkTally()


def search_path(path: Path) -> tuple[str, list[str]]:
    """("DT_RUNPATH" or "DT_RPATH", its entries) as glibc reads them (DT_RPATH only without
    DT_RUNPATH); ("", []) when the file has neither."""
    for tag in ("DT_RUNPATH", "DT_RPATH"):
        values = dynamic_strings(path, tag)
        if values:
            return tag, values[0].split(":")
    return "", []


def provided(entry: str, names: Iterable[str]) -> list[str]:
    """The names a loader would find in entry (an absolute directory)."""
    return [n for n in names if "/" not in n and os.path.isfile(os.path.join(entry, n))]


def needed_through(path: Path, tag: str, entries: Sequence[str]) -> set[str]:
    """The libraries the loader looks for through path's entries: its DT_NEEDED and, for
    DT_RPATH (which also serves the libraries those load), what they need in turn."""
    names = set(needed(path))
    todo = list(names) if tag == "DT_RPATH" else []
    while todo:
        name = todo.pop()
        for e in entries:
            if e[:1] == "/" and provided(e, [name]):
                for n in needed(Path(e) / name):
                    if n not in names:
                        names.add(n)
                        todo.append(n)
                break
    return names


def added_by_ldwrap(inst: Installed, entries: Sequence[str]) -> list[str]:
    """The entries ldwrap added: absolute, no `$` token, outside the build trees (ldwrap never
    adds those), and not spelled as the build system spells its own (its build rpath and the
    outputs' install rpath; where ldwrap copies such a directory it spells it `DIR/`)."""
    own = set(inst.build_rpath)
    for o in inst.outputs:
        own.update(o.own)
    trees = [str(t) for t in inst.build_trees]
    return [
        e
        for e in entries
        if e[:1] == "/"
        and "$" not in e
        and e not in own
        and not any(e == t or e.startswith(t + "/") for t in trees)
    ]


def dynamic_files(inst: Installed) -> list[Path]:
    """Every ELF file with a RUNPATH or RPATH, installed or in a build tree."""
    return [
        f for root in [*inst.roots, *inst.build_trees] for f in elf_files(root) if search_path(f)[0]
    ]


def unneeded_added(inst: Installed) -> list[tuple[Path, str]]:
    """(file, entry) for each entry ldwrap added that provides none of the libraries the file
    looks for through it."""
    out = []
    for f in dynamic_files(inst):
        tag, entries = search_path(f)
        names = needed_through(f, tag, entries)
        out += [(f, e) for e in added_by_ldwrap(inst, entries) if not provided(e, names)]
    return out


def count_trimmed(plain: Installed, shrunk: Installed) -> None:
    """Add to TALLY the entries ldwrap added to each file of `plain` (built without
    LDWRAP_SHRINK) and how many of them the same file of `shrunk` no longer has."""
    for f in dynamic_files(shrunk):
        rel = f.relative_to(shrunk.build.work)
        before = plain.build.work / rel
        if not before.exists():
            continue
        TALLY.outputs += 1
        TALLY.installed += any(f.is_relative_to(r) for r in shrunk.roots)
        TALLY.rpath_files += search_path(f)[0] == "DT_RPATH"
        n_before = len(added_by_ldwrap(plain, search_path(before)[1]))
        n_after = len(added_by_ldwrap(shrunk, search_path(f)[1]))
        TALLY.added += n_before
        TALLY.trimmed += n_before - n_after


def patchelf_differences(original: Path, fixed: Path, patched: Path) -> tuple[list[str], int]:
    """How `ldwrap fixup --shrink` (fixed) and `patchelf --shrink-rpath` (patched) left the
    same file: problems, and the number of entries patchelf removed and fixup kept by design.

    Both keep relative and `$ORIGIN` entries and keep an absolute one when it holds a needed
    library; both test `DIR + "/" + name`, so a trailing slash changes nothing and the entries
    are compared as written. patchelf also removes a directory whose libraries an earlier
    entry already provides (the loader takes the first); fixup keeps every providing
    directory. For DT_RPATH, fixup also counts what the needed libraries need in turn."""
    tag, entries = search_path(original)
    tag_f, kept_f = search_path(fixed)
    tag_p, kept_p = search_path(patched)
    problems = []
    if (tag_f, tag_p) != (tag, tag):
        problems.append(f"dynamic tag {tag} became {tag_f} (fixup) and {tag_p} (patchelf)")
    names = needed_through(original, tag, entries) if tag == "DT_RPATH" else set(needed(original))
    found: set[str] = set()
    later = 0
    j = 0
    for e in kept_f:
        libs = set(provided(e, names)) if e[:1] == "/" else set()
        if j < len(kept_p) and kept_p[j] == e:
            j += 1
        elif libs and libs <= found:
            later += 1
        else:
            problems.append(
                f"fixup kept {e!r} (provides {sorted(libs - found)} first), patchelf removed it"
            )
        found |= libs
    if j < len(kept_p):
        problems.append(f"patchelf kept {kept_p[j:]} beyond what fixup kept")
    return problems, later


# ---------------------------------------------------------------------------------------------
# The build systems

APP_OUT = "greet 1.0: hello, libhello\ngreet 1.0: hello, greet-app\n"
DIRECT_OUT = "greet 1.0: hello, greet-direct\n"
NO_OWN_RPATH = (
    "the build system installs no rpath to the project's own lib directory, so "
    "greet-app cannot find libhello.so.1 there (by design, with or without ldwrap)"
)

# What ldwrap adds to a program that links the project's own library from the build tree:
# the library directory relative to the program's install directory (bin).
SELF_ENTRY = ("$ORIGIN/../lib/",)

CMAKE_VARIANTS = {
    "default": [],
    "skip-build-rpath": ["-DCMAKE_SKIP_BUILD_RPATH=ON"],
    "use-link-path": ["-DCMAKE_INSTALL_RPATH_USE_LINK_PATH=ON"],
    "origin": ["-DCMAKE_INSTALL_RPATH=$ORIGIN/../lib"],
}


def build_cmake(b: Build, variant: str) -> Installed:
    src = copy_project("cmake", b.work / "src")
    build, prefix = b.work / "build", b.work / "inst"
    env = b.env()
    flags = [f"-DCMAKE_{kind}_LINKER_FLAGS={b.fuse_ld}" for kind in ("EXE", "SHARED", "MODULE")]
    run(
        [
            "cmake",
            "-S",
            src,
            "-B",
            build,
            "-G",
            "Ninja",
            f"-DCMAKE_INSTALL_PREFIX={prefix}",
            "-DCMAKE_INSTALL_LIBDIR=lib",
            *flags,
            *CMAKE_VARIANTS[variant],
        ],
        env,
    )
    run(["cmake", "--build", build, "-j2"], env)
    run(["cmake", "--install", build], env)
    g, u = str(b.greet.libdir), str(b.greet.unused_libdir)
    own: tuple[str, ...] = ()
    own_prog: tuple[str, ...] = ()
    app_starts = False
    if variant == "use-link-path":
        # CMake's own install rpath: the linked directories outside the build tree.
        own, own_prog = (g,), (g, u)
    elif variant == "origin":
        own = own_prog = ("$ORIGIN/../lib",)
        app_starts = True
    # CMake's build rpath: the build directory and every linked directory.
    build_rpath = () if variant == "skip-build-rpath" else (g, u)
    return Installed(
        f"cmake-{variant}",
        b,
        [prefix],
        [
            Output(prefix / "lib" / "libhello.so.1.0", "lib", own),
            Output(
                prefix / "bin" / "greet-app",
                "exe",
                own_prog,
                app_starts,
                APP_OUT,
                "" if app_starts else NO_OWN_RPATH,
                unused=True,
                self_entries=SELF_ENTRY,
            ),
            Output(prefix / "bin" / "greet-direct", "exe", own_prog, True, DIRECT_OUT, unused=True),
        ],
        [src, build],
        build_rpath,
    )


def build_meson(b: Build) -> Installed:
    src = copy_project("meson", b.work / "src")
    build, prefix = b.work / "build", b.work / "inst"
    env = b.env(CC_LD=b.linker)
    run(
        ["meson", "setup", build, src, f"--prefix={prefix}", "--libdir=lib", "--buildtype=plain"],
        env,
    )
    run(["meson", "compile", "-C", build, "-j", "2"], env)
    run(["meson", "install", "-C", build, "--no-rebuild"], env)
    # Meson's build rpath: every linked directory (removed again at install).
    build_rpath = (str(b.greet.libdir), str(b.greet.unused_libdir))
    return Installed(
        "meson",
        b,
        [prefix],
        [
            Output(prefix / "lib" / "libhello.so.1.0", "lib"),
            Output(
                prefix / "bin" / "greet-app",
                "exe",
                (),
                False,
                APP_OUT,
                NO_OWN_RPATH,
                unused=True,
                self_entries=SELF_ENTRY,
            ),
            Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT, unused=True),
        ],
        [src, build],
        build_rpath,
    )


def build_autotools(b: Build, generated: Path, consumer_generated: Path) -> Installed:
    """Project 1: two libtool libraries (libhello relinked at install against the installed
    libgreetbase) and two programs. Project 2: a program linked through libtool against
    project 1's installed libhello.la."""
    src = b.work / "greetlt"
    shutil.copytree(generated, src, symlinks=True)
    prefix = b.work / "inst-greetlt"
    env = b.env()
    configure = [
        "./configure",
        "-q",
        "--disable-dependency-tracking",
        "CC=gcc",
        f"LDFLAGS={b.fuse_ld}",
    ]
    run([*configure, f"--prefix={prefix}"], env, cwd=src)
    run(["make", "-s", "-j2"], env, cwd=src)
    inst = run(["make", "-s", "install"], env, cwd=src)
    assert "relink" in inst.stdout + inst.stderr, "libtool did not relink at install"

    csrc = b.work / "consumer"
    shutil.copytree(consumer_generated, csrc, symlinks=True)
    cprefix = b.work / "inst-consumer"
    run([*configure, f"--prefix={cprefix}", f"HELLO_LA={prefix}/lib/libhello.la"], env, cwd=csrc)
    run(["make", "-s", "-j2"], env, cwd=csrc)
    run(["make", "-s", "install"], env, cwd=csrc)

    lib = str(prefix / "lib")
    return Installed(
        "autotools",
        b,
        [prefix, cprefix],
        [
            Output(prefix / "lib" / "libgreetbase.so.1.0.0", "lib"),
            Output(prefix / "lib" / "libhello.so.1.0.0", "lib", (lib,)),
            Output(
                prefix / "bin" / "greet-app",
                "exe",
                (lib,),
                True,
                "greet 1.0: hello, libhello via libgreetbase\n" + APP_OUT,
                unused=True,
            ),
            Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT, unused=True),
            Output(
                cprefix / "bin" / "greet-consumer",
                "exe",
                (lib,),
                True,
                "greet 1.0: hello, libhello via libgreetbase\ngreet 1.0: hello, libhello\n"
                "greet 1.0: hello, greet-consumer\n",
            ),
        ],
        [src, csrc],
        (lib,),
    )  # libtool's -rpath <prefix>/lib


def autoreconf(name: str, dest: Path) -> Path:
    """Copy an autotools project and generate configure & co. once (autoreconf is slow)."""
    src = copy_project(name, dest, common=(name == "autotools"))
    run(["autoreconf", "-fi"], clean_env(), cwd=src)
    return src


def build_make(b: Build) -> Installed:
    src = copy_project("make", b.work / "src")
    prefix = b.work / "inst"
    env = b.env()
    run(["make", "-s", "-j2", "CC=gcc", f"LDFLAGS={b.fuse_ld}", f"PREFIX={prefix}"], env, cwd=src)
    run(["make", "-s", "install", f"PREFIX={prefix}"], env, cwd=src)
    return Installed(
        "make",
        b,
        [prefix],
        [
            Output(prefix / "lib" / "libhello.so.1", "lib"),
            Output(
                prefix / "bin" / "greet-app", "exe", ("$ORIGIN/../lib",), True, APP_OUT, unused=True
            ),
            Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT, unused=True),
        ],
        [src],
    )


def build_pyext(b: Build) -> Installed:
    src = copy_project("pyext", b.work / "src", common=False)
    target = b.work / "inst" / "site"
    env = b.env(LDFLAGS=b.fuse_ld, CC="gcc")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-build-isolation",
            "--no-index",
            "--no-deps",
            "--target",
            target,
            src,
        ],
        env,
        cwd=b.work,
    )
    found = sorted(target.glob("greetext*.so"))
    assert len(found) == 1, f"extension not installed: {list(target.rglob('*'))}"
    return Installed(
        "setuptools",
        b,
        [target],
        [
            Output(found[0], "pyext", python_own_rpaths(), True, "1.0\n"),
        ],
        [src],
    )


def python_own_rpaths() -> tuple[str, ...]:
    """The rpaths this interpreter's own link command (sysconfig LDSHARED) passes to every
    extension, e.g. pyenv's `-Wl,-rpath,<prefix>/lib`: the build system's, not ldwrap's."""
    import shlex
    import sysconfig

    out: list[str] = []
    words = shlex.split(sysconfig.get_config_var("LDSHARED") or "")
    for w in words:
        if w.startswith("-Wl,"):
            parts = w[4:].split(",")
            for i, part in enumerate(parts):
                if part in ("-rpath", "-R", "--rpath") and i + 1 < len(parts):
                    out += parts[i + 1].split(":")
                elif part.startswith(("-rpath=", "--rpath=")):
                    out += part.split("=", 1)[1].split(":")
    return tuple(dict.fromkeys(out))


CARGO_FLAGS = {
    "bfd": "-Clinker-features=-lld -Clink-arg=-fuse-ld=bfd",
    "lld": "-Clinker-features=-lld -Clink-arg=-fuse-ld=lld",
    "mold": "-Clinker-features=-lld -Clink-arg=-fuse-ld=mold",
}


def build_cargo(b: Build) -> Installed:
    src = copy_project("cargo", b.work / "src", common=False)
    root = b.work / "inst"
    target = b.work / "target"
    env = b.env(RUSTFLAGS=CARGO_FLAGS[b.linker], CARGO_TARGET_DIR=str(target))
    run(
        ["cargo", "install", "--offline", "--quiet", "--path", src / "greet-cli", "--root", root],
        env,
        cwd=src,
        timeout=600,
    )
    return Installed(
        "cargo",
        b,
        [root],
        [
            Output(root / "bin" / "greet-cli", "exe", (), True, "greet-cli: libgreet 1.0\n"),
        ],
        [src, target],
    )
