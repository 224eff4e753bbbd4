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
  copy of a directory the caller also passed as `/x/lib/`), with no empty element and no
  directory of a build tree;
and without ldwrap: the same RUNPATH minus libgreet's directory, and a program that does not
start ("cannot open shared object file"), unless the build system's own rpath covers it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"

LINKERS = ("bfd", "lld", "mold")
MODES = ("default", "store")

# Nix's base-32 alphabet: store paths look like real ones.
_NIX_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"

# Variables that steer ldwrap, the compilers, the build systems or the loader: never inherited.
_STEERING = {
    "LD_LIBRARY_PATH", "LD_PRELOAD", "LD_RUN_PATH", "LIBRARY_PATH", "COMPILER_PATH",
    "GCC_EXEC_PREFIX", "CPATH", "C_INCLUDE_PATH", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LIBS",
    "CC", "CXX", "CC_LD", "CXX_LD", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG",
    "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET", "RUSTC", "RUSTC_WRAPPER", "PYTHONPATH", "PYTHONHOME",
    "CMAKE_PREFIX_PATH", "CMAKE_GENERATOR", "MAKEFLAGS", "MFLAGS", "DESTDIR",
    "PIP_TARGET", "PIP_PREFIX", "PIP_USER", "PIP_INDEX_URL", "PIP_FIND_LINKS",
}
_STEERING_PREFIXES = ("LDWRAP_", "NIX_", "CARGO_TARGET_X86_64")


def store_hash(name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(_NIX_ALPHABET[b % 32] for b in digest)


# ---------------------------------------------------------------------------------------------
# libgreet, the external library


@dataclass(frozen=True)
class Greet:
    """libgreet.so.1 installed in one prefix, for one mode."""

    mode: str  # "default": <tmp>/opt/greet; "store": <tmp>/nix/store/<hash>-greet-1.0
    prefix: Path
    store: Path | None  # NIX_STORE for the store mode

    @property
    def libdir(self) -> Path:
        return self.prefix / "lib"

    @property
    def pkgconfig(self) -> Path:
        return self.prefix / "lib" / "pkgconfig"


def install_greet(root: Path, mode: str) -> Greet:
    """Build libgreet.so.1 (SONAME libgreet.so.1, plus libgreet.so and greet.pc) into a
    prefix under root: outside the loader's default directories, or in a fake Nix store."""
    if mode == "store":
        store = root / "nix" / "store"
        prefix = store / f"{store_hash('greet-1.0')}-greet-1.0"
    else:
        store = None
        prefix = root / "opt" / "greet"
    lib, inc, pc = prefix / "lib", prefix / "include", prefix / "lib" / "pkgconfig"
    for d in (lib, inc, pc):
        d.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECTS / "greet" / "greet.h", inc / "greet.h")
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-Wl,-soname,libgreet.so.1", f"-I{inc}",
         "-o", str(lib / "libgreet.so.1"), str(PROJECTS / "greet" / "greet.c")],
        check=True, env=clean_env(),
    )
    (lib / "libgreet.so").symlink_to("libgreet.so.1")
    (pc / "greet.pc").write_text(
        f"prefix={prefix}\n"
        "libdir=${prefix}/lib\n"
        "includedir=${prefix}/include\n\n"
        "Name: greet\nDescription: the external test library\nVersion: 1.0\n"
        "Libs: -L${libdir} -lgreet\nCflags: -I${includedir}\n"
    )
    return Greet(mode, prefix, store)


# ---------------------------------------------------------------------------------------------
# Environments


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items()
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

    def env(self, **extra: str) -> dict[str, str]:
        tmp = self.work / "tmp"
        tmp.mkdir(exist_ok=True)
        path = system_path()
        env = clean_env(
            PATH=f"{self.dropins}:{path}" if self.ldwrap else path,
            PKG_CONFIG_PATH=str(self.greet.pkgconfig),
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
        env.update(extra)
        return env

    @property
    def fuse_ld(self) -> str:
        return f"-fuse-ld={self.linker}"


def run(cmd: Sequence[str | Path], env: dict[str, str], cwd: Path | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
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


@dataclass
class Installed:
    case: str
    build: Build
    roots: list[Path]  # the install prefixes
    outputs: list[Output]
    build_trees: list[Path] = field(default_factory=list)


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


def which_linker(path: Path) -> str:
    """bfd, gold, lld or mold: from the marks each leaves (lld and mold in .comment)."""
    from elftools.elf.elffile import ELFFile

    with open(path, "rb") as f:
        elf = ELFFile(f)
        if elf.get_section_by_name(".note.gnu.gold-version") is not None:
            return "gold"
        comment = elf.get_section_by_name(".comment")
        text = comment.data() if comment is not None else b""
    if b"LLD" in text:
        return "lld"
    if b"mold" in text:
        return "mold"
    return "bfd"


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
        argv = [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])",
                str(out.path)]
    else:
        name = out.path.name.split(".")[0]
        argv = [sys.executable, "-c",
                f"import sys; sys.path.insert(0, sys.argv[1]); import {name}; "
                f"print({name}.version())", str(out.path.parent)]
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def empty_dir(base: Path, name: str = "empty-cwd") -> Path:
    d = base / name
    d.mkdir(exist_ok=True)
    return d


# ---------------------------------------------------------------------------------------------
# The checks


def expected_runpath(out: Output, greet: Greet, with_ldwrap: bool) -> list[str]:
    want = [e.rstrip("/") or e for e in out.own]
    g = str(greet.libdir)
    if with_ldwrap and g not in want:
        want.append(g)
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
        want = expected_runpath(out, inst.build.greet, with_ldwrap)
        if got != want:
            problems.append(f"{out.path.name}: RUNPATH {rp!r}: directories {got} != {want}")
    return problems


def linker_problems(inst: Installed) -> list[str]:
    """Each output was linked by the linker the case asked for (lld and mold mark .comment;
    a bfd link must carry neither mark)."""
    out = []
    for o in inst.outputs:
        if o.path.exists() and which_linker(o.path) != inst.build.linker:
            out.append(f"{o.path.name}: linked by {which_linker(o.path)}, "
                       f"not {inst.build.linker}")
    return out


def start_problems(inst: Installed, cwd: Path) -> list[str]:
    problems = []
    for out in inst.outputs:
        if not out.starts:
            continue
        p = start(out, cwd)
        if p.returncode != 0:
            problems.append(f"{out.path.name}: did not start ({p.returncode}): "
                            f"{p.stderr.strip()[-400:]}")
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
                f"got rc={p.returncode} stdout={p.stdout!r} stderr={p.stderr.strip()[-300:]!r}")
    assert tried, "nothing to start: the check would prove nothing"
    assert not problems, "\n".join([f"{inst.case} (no ldwrap):", *problems, *describe(inst)])


def describe(inst: Installed) -> list[str]:
    lines = ["installed RUNPATHs:"]
    for out in inst.outputs:
        if out.path.exists():
            lines.append(f"  {out.path}: {raw_runpath(out.path)!r}")
    return lines


# ---------------------------------------------------------------------------------------------
# The build systems

APP_OUT = "greet 1.0: hello, libhello\ngreet 1.0: hello, greet-app\n"
DIRECT_OUT = "greet 1.0: hello, greet-direct\n"
NO_OWN_RPATH = ("the build system installs no rpath to the project's own lib directory, so "
                "greet-app cannot find libhello.so.1 there (by design, with or without ldwrap)")

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
    run(["cmake", "-S", src, "-B", build, "-G", "Ninja", f"-DCMAKE_INSTALL_PREFIX={prefix}",
         "-DCMAKE_INSTALL_LIBDIR=lib", *flags, *CMAKE_VARIANTS[variant]], env)
    run(["cmake", "--build", build, "-j2"], env)
    run(["cmake", "--install", build], env)
    g = str(b.greet.libdir)
    own: tuple[str, ...] = ()
    app_starts = False
    if variant == "use-link-path":
        own = (g,)  # CMake's own install rpath: the linked directories outside the build tree
    elif variant == "origin":
        own = ("$ORIGIN/../lib",)
        app_starts = True
    return Installed(f"cmake-{variant}", b, [prefix], [
        Output(prefix / "lib" / "libhello.so.1.0", "lib", own),
        Output(prefix / "bin" / "greet-app", "exe", own, app_starts, APP_OUT,
               "" if app_starts else NO_OWN_RPATH),
        Output(prefix / "bin" / "greet-direct", "exe", own, True, DIRECT_OUT),
    ], [src, build])


def build_meson(b: Build) -> Installed:
    src = copy_project("meson", b.work / "src")
    build, prefix = b.work / "build", b.work / "inst"
    env = b.env(CC_LD=b.linker)
    run(["meson", "setup", build, src, f"--prefix={prefix}", "--libdir=lib",
         "--buildtype=plain"], env)
    run(["meson", "compile", "-C", build, "-j", "2"], env)
    run(["meson", "install", "-C", build, "--no-rebuild"], env)
    return Installed("meson", b, [prefix], [
        Output(prefix / "lib" / "libhello.so.1.0", "lib"),
        Output(prefix / "bin" / "greet-app", "exe", (), False, APP_OUT, NO_OWN_RPATH),
        Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT),
    ], [src, build])


def build_autotools(b: Build, generated: Path, consumer_generated: Path) -> Installed:
    """Project 1: two libtool libraries (libhello relinked at install against the installed
    libgreetbase) and two programs. Project 2: a program linked through libtool against
    project 1's installed libhello.la."""
    src = b.work / "greetlt"
    shutil.copytree(generated, src, symlinks=True)
    prefix = b.work / "inst-greetlt"
    env = b.env()
    configure = ["./configure", "-q", "--disable-dependency-tracking", "CC=gcc",
                 f"LDFLAGS={b.fuse_ld}"]
    run([*configure, f"--prefix={prefix}"], env, cwd=src)
    run(["make", "-s", "-j2"], env, cwd=src)
    inst = run(["make", "-s", "install"], env, cwd=src)
    assert "relink" in inst.stdout + inst.stderr, "libtool did not relink at install"

    csrc = b.work / "consumer"
    shutil.copytree(consumer_generated, csrc, symlinks=True)
    cprefix = b.work / "inst-consumer"
    run([*configure, f"--prefix={cprefix}", f"HELLO_LA={prefix}/lib/libhello.la"], env,
        cwd=csrc)
    run(["make", "-s", "-j2"], env, cwd=csrc)
    run(["make", "-s", "install"], env, cwd=csrc)

    lib = str(prefix / "lib")
    return Installed("autotools", b, [prefix, cprefix], [
        Output(prefix / "lib" / "libgreetbase.so.1.0.0", "lib"),
        Output(prefix / "lib" / "libhello.so.1.0.0", "lib", (lib,)),
        Output(prefix / "bin" / "greet-app", "exe", (lib,), True,
               "greet 1.0: hello, libhello via libgreetbase\n" + APP_OUT),
        Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT),
        Output(cprefix / "bin" / "greet-consumer", "exe", (lib,), True,
               "greet 1.0: hello, libhello via libgreetbase\ngreet 1.0: hello, libhello\n"
               "greet 1.0: hello, greet-consumer\n"),
    ], [src, csrc])


def autoreconf(name: str, dest: Path) -> Path:
    """Copy an autotools project and generate configure & co. once (autoreconf is slow)."""
    src = copy_project(name, dest, common=(name == "autotools"))
    run(["autoreconf", "-fi"], clean_env(), cwd=src)
    return src


def build_make(b: Build) -> Installed:
    src = copy_project("make", b.work / "src")
    prefix = b.work / "inst"
    env = b.env()
    run(["make", "-s", "-j2", "CC=gcc", f"LDFLAGS={b.fuse_ld}", f"PREFIX={prefix}"], env,
        cwd=src)
    run(["make", "-s", "install", f"PREFIX={prefix}"], env, cwd=src)
    return Installed("make", b, [prefix], [
        Output(prefix / "lib" / "libhello.so.1", "lib"),
        Output(prefix / "bin" / "greet-app", "exe", ("$ORIGIN/../lib",), True, APP_OUT),
        Output(prefix / "bin" / "greet-direct", "exe", (), True, DIRECT_OUT),
    ], [src])


def build_pyext(b: Build) -> Installed:
    src = copy_project("pyext", b.work / "src", common=False)
    target = b.work / "inst" / "site"
    env = b.env(LDFLAGS=b.fuse_ld, CC="gcc")
    run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-index",
         "--no-deps", "--target", target, src], env, cwd=b.work)
    found = sorted(target.glob("greetext*.so"))
    assert len(found) == 1, f"extension not installed: {list(target.rglob('*'))}"
    return Installed("setuptools", b, [target], [
        Output(found[0], "pyext", python_own_rpaths(), True, "1.0\n"),
    ], [src])


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
    run(["cargo", "install", "--offline", "--quiet", "--path", src / "greet-cli",
         "--root", root], env, cwd=src, timeout=600)
    return Installed("cargo", b, [root], [
        Output(root / "bin" / "greet-cli", "exe", (), True, "greet-cli: libgreet 1.0\n"),
    ], [src, target])
