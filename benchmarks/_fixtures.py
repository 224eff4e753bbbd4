"""Everything the benchmark links against, built in a work directory at run time.

- a linker that exits at once (a tiny static C program) under every linker name;
- ldwrap's drop-ins, written by `ldwrap install` exactly as users get them;
- store-like directories `<work>/nix/store/<hash>-<name>/lib` with library files;
- real argvs: what gcc and rustc hand to `ld.lld`, recorded by a stand-in linker;
- a C program of realistic size and a Rust binary, compiled once, for real links.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

LINKER_NAMES = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")
_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"  # Nix's base-32 alphabet

# Records its argv (NUL-separated) into $LDWRAP_BENCH_RECORD, then exits like a linker would.
_RECORDER = '#!/bin/sh\nprintf \'%s\\0\' "$@" > "$LDWRAP_BENCH_RECORD"\n'


def sh(argv: list[str], cwd: str | None = None, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])} ...: exit {proc.returncode}\n{proc.stderr}")


def clean_env(path: str, **extra: str) -> dict[str, str]:
    """A small, fixed environment: only what a link needs, nothing that steers ldwrap."""
    env = {"PATH": path, "LC_ALL": "C", "HOME": os.environ.get("HOME", "/")}
    env.update(extra)
    return env


def store_path(store: str, name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return os.path.join(store, "".join(_ALPHABET[b % 32] for b in digest) + "-" + name)


def fast_linker(work: str) -> str:
    """A directory holding a program that exits at once under every linker name."""
    bindir = os.path.join(work, "fastbin")
    if os.path.isdir(bindir):
        return bindir
    os.makedirs(bindir)
    src = os.path.join(work, "exit0.c")
    with open(src, "w") as f:
        f.write("int main(void) { return 0; }\n")
    exe = os.path.join(bindir, "ld")
    try:  # static: no loader work, so what remains is the cost of exec itself
        sh(["gcc", "-O2", "-static", src, "-o", exe])
    except RuntimeError:
        sh(["gcc", "-O2", src, "-o", exe])
    for name in LINKER_NAMES[1:]:
        os.link(exe, os.path.join(bindir, name))
    return bindir


def install_dropins(work: str) -> str:
    """Drop-ins written by the `ldwrap install` command of this interpreter's ldwrap, checked
    to be exactly the launcher `ldwrap.launcher` writes: this interpreter, this ldwrap, with
    its hot-path bundle current."""
    from ldwrap.bundle import FILE_NAME, why_stale
    from ldwrap.launchertext import launcher_text

    shimdir = os.path.join(work, "shims")
    sh([sys.executable, "-m", "ldwrap", "install", "--force", shimdir])
    bundle = os.path.join(os.path.abspath(shimdir), FILE_NAME)
    stale = why_stale(bundle)
    if stale:
        raise RuntimeError(f"the drop-ins would not use their bundle: {stale}")
    expected = launcher_text(bundle=bundle)
    for name in LINKER_NAMES:
        with open(os.path.join(shimdir, name)) as f:
            if f.read() != expected:
                raise RuntimeError(f"{shimdir}/{name} is not the launcher ldwrap.launcher writes")
    return shimdir


class Mode:
    """One way ldwrap chooses the directories that get an rpath, and the environment that
    selects it. `extra` is None when this machine cannot offer the mode."""

    def __init__(
        self,
        key: str,
        label: str,
        config_mode: str,
        extra: dict[str, str] | None,
        why_not: str = "",
        store_argv: bool = False,
    ) -> None:
        self.key = key
        self.label = label
        self.config_mode = config_mode  # ldwrap.link.config's name for it
        self.extra = extra
        self.why_not = why_not
        self.store_argv = store_argv  # gcc's own files named in the store (in_store_argv)


def prefix_modes(store: str) -> list[Mode]:
    """The three prefix modes (the Nix store one also as a Nix build sets it up), each
    pointed at the same store-like directory so that the same argv gets the same rpath in
    all of them."""
    from ldwrap.link.config import (
        HOST_NIXOS_FILE,
        HOST_NIXOS_ID,
        MODE_NIX,
        MODE_NONDEFAULT,
        MODE_PREFIXES,
        nix_host,
    )

    default_ok = nix_host() not in (HOST_NIXOS_FILE, HOST_NIXOS_ID)
    # What a link inside a Nix build also carries: the wrapper's flags and its marker, which
    # make ldwrap read them (the Nix reader loads). NIX_ENFORCE_PURITY stays unset: this
    # gcc's own paths are outside the store, which purity refuses.
    salt = f"{os.uname().machine}_unknown_linux_gnu"
    wrapper = {
        "NIX_STORE": store,
        "NIX_LDFLAGS": f"-L{store}",
        f"NIX_BINTOOLS_WRAPPER_TARGET_HOST_{salt}": "1",
    }
    return [
        Mode("nix", "Nix store (NIX_STORE)", MODE_NIX, {"NIX_STORE": store}),
        Mode(
            "nixbuild",
            "Nix build (NIX_STORE, NIX_LDFLAGS, the wrapper's marker)",
            MODE_NIX,
            wrapper,
        ),
        Mode(
            "nixpure",
            "Nix build with purity (the same and NIX_ENFORCE_PURITY=1; gcc's files in the store)",
            MODE_NIX,
            # The work directory (store/../..) as the build's top: purity allows the build's
            # own files there, as it allows /tmp.
            {
                **wrapper,
                "NIX_ENFORCE_PURITY": "1",
                "NIX_BUILD_TOP": os.path.dirname(os.path.dirname(store)),
            },
            store_argv=True,
        ),
        Mode(
            "prefixes",
            "prefixes (LDWRAP_RPATH_PREFIXES)",
            MODE_PREFIXES,
            {"LDWRAP_RPATH_PREFIXES": store},
        ),
        # Neither variable, not NixOS: ldwrap reads /etc/ld.so.conf to learn the loader's own
        # directories. On a machine with a /nix/store the link also pays for asking whether
        # this is NixOS (a stat of /etc/NIXOS and a read of /etc/os-release).
        Mode(
            "default",
            "default (/etc/ld.so.conf)",
            MODE_NONDEFAULT,
            {} if default_ok else None,
            "" if default_ok else "not measurable on NixOS",
        ),
    ]


def make_store_dirs(store: str, tag: str, count: int, files: int) -> list[tuple[str, str]]:
    """count directories `<hash>-<tag><i>/lib`, each holding `lib<tag><i>.so` and files - 1
    other library files; returns (lib dir, -l name) pairs. Reuses what exists."""
    out = []
    for i in range(count):
        lib = f"{tag}{i}"
        d = os.path.join(store_path(store, lib), "lib")
        out.append((d, lib))
        marker = os.path.join(d, f"lib{lib}.so")
        if os.path.exists(marker):
            continue
        os.makedirs(d, exist_ok=True)
        for j in range(files - 1):
            open(os.path.join(d, f"lib{lib}x{j}.so.{j % 7}"), "w").close()
        open(marker, "w").close()
    return out


def record_ld_argv(work: str, cc_argv: list[str], cwd: str | None = None) -> list[str]:
    """What the compiler driver passes to ld.lld for cc_argv (which has no -fuse-ld)."""
    recdir = os.path.join(work, "recorder")
    rec = os.path.join(recdir, "ld.lld")
    if not os.path.exists(rec):
        os.makedirs(recdir, exist_ok=True)
        with open(rec, "w") as f:
            f.write(_RECORDER)
        os.chmod(rec, 0o755)
    out = os.path.join(work, "recorded.argv")
    # Found through PATH, as users' drop-ins are: -B would add a -L of its own.
    env = clean_env(recdir + ":/usr/bin:/bin", LDWRAP_BENCH_RECORD=out)
    sh([*cc_argv, "-fuse-ld=lld"], cwd=cwd, env=env)
    with open(out, "rb") as f:
        return [a.decode("utf-8", "surrogateescape") for a in f.read().split(b"\0")[:-1]]


def in_store_argv(store: str, argv: list[str]) -> list[str]:
    """argv as a Nix build's gcc would pass it: gcc's and glibc's directories are store
    paths (links to this machine's own, so that ldwrap finds the same files, linker scripts
    included), as purity requires. What is left outside (gcc's `-L/usr/lib/../lib` and the
    like) purity drops, as it would in a build."""
    triple = f"{os.uname().machine}-linux-gnu"
    gcc = store_path(store, "gcc-lib")
    libc = store_path(store, "glibc")
    for link, target in ((gcc, "/usr/lib/gcc"), (libc, f"/usr/lib/{triple}")):
        if not os.path.islink(link):
            os.symlink(target, link)
    out = []
    for a in argv:
        a = a.replace(f"/usr/lib/gcc/{triple}/12/../../../{triple}", libc)
        a = a.replace("/usr/lib/gcc/", gcc + "/")
        a = a.replace(f"/usr/lib/{triple}", libc).replace(f"-L/lib/{triple}", f"-L{libc}")
        a = a.replace("/lib64/ld-linux-x86-64.so.2", libc + "/ld-linux-x86-64.so.2")
        out.append(a)
    return out


def gcc_argv(work: str, store: str) -> list[str]:
    """A gcc link with 10 -L and 10 -l: gcc's own 8 -L and 5 -l, plus 2 store dirs and 5 libs."""
    pairs = make_store_dirs(store, "gccstyle", 2, 10)
    obj = os.path.join(work, "hello.o")
    if not os.path.exists(obj):
        src = os.path.join(work, "hello.c")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        sh(["gcc", "-c", src, "-o", obj])
    user = [f"-L{d}" for d, _ in pairs]
    user += [f"-l{lib}" for _, lib in pairs] + ["-lm", "-lpthread", "-ldl"]
    return record_ld_argv(work, ["gcc", obj, "-o", os.path.join(work, "hello"), *user])


class RustLink:
    """A Rust binary's link, as rustc hands it to cc, kept so it can be replayed."""

    def __init__(self, cc_args: list[str], cwd: str, ld_argv: list[str]) -> None:
        self.cc_args = cc_args  # without the driver name, -fuse-ld and -B
        self.cwd = cwd
        self.ld_argv = ld_argv  # what ld.lld receives from gcc


_RUST_SRC = """\
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

fn main() {
    let mut words: HashMap<String, usize> = HashMap::new();
    let mut input = String::new();
    let _ = std::io::stdin().read_to_string(&mut input);
    let args: Vec<String> = std::env::args().skip(1).collect();
    for w in input.split_whitespace().chain(args.iter().map(|s| s.as_str())) {
        *words.entry(w.to_lowercase()).or_default() += 1;
    }
    let sorted: BTreeMap<_, _> = words.into_iter().map(|(k, v)| (v, k)).collect();
    for (n, w) in sorted.iter().rev().take(10) {
        println!("{n:6} {w}");
    }
}
"""


def rust_link(work: str) -> RustLink | None:
    """Compile a small Rust program keeping its objects; None when rustc is not installed."""
    rustc = shutil.which("rustc")
    if rustc is None:
        return None
    d = os.path.join(work, "rust")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "main.rs")
    with open(src, "w") as f:
        f.write(_RUST_SRC)
    rec = os.path.join(d, "record-cc")
    with open(rec, "w") as f:
        f.write(f'#!/bin/sh\nprintf \'%s\\0\' "$@" > {d}/cc.argv\nexec cc "$@"\n')
    os.chmod(rec, 0o755)
    # The pre-1.90 flow: rustc runs cc, cc runs the linker it finds; objects are kept.
    sh(
        [
            rustc,
            "-O",
            "-C",
            "save-temps",
            "-C",
            f"linker={rec}",
            "-C",
            "link-self-contained=-linker",
            "-C",
            "linker-features=-lld",
            "main.rs",
            "-o",
            "main",
        ],
        cwd=d,
        env={**os.environ, "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    with open(os.path.join(d, "cc.argv"), "rb") as f:
        cc_args = [a.decode() for a in f.read().split(b"\0")[:-1]]
    cc_args = [a for a in cc_args if not a.startswith(("-fuse-ld=", "-B"))]
    return RustLink(cc_args, d, record_ld_argv(work, ["gcc", *cc_args], cwd=d))


def _c_file(i: int, n_files: int, funcs: int) -> str:
    table = ", ".join(str((i * 31 + k) % 97) for k in range(512))
    nxt = (i + 1) % n_files
    lines = ["#include <string.h>", "#include <stdio.h>", f"extern int f{nxt}_0(int);"]
    lines.append(f"static const int table{i}[512] = {{{table}}};")
    for j in range(funcs):
        call = f"f{nxt}_0(x - 1)" if j == 0 else f"f{i}_{j - 1}(x / 2)"
        lines.append(
            f"int f{i}_{j}(int x) {{\n"
            f"  char buf[64]; int acc = table{i}[(x + {j}) & 511];\n"
            f"  if (x <= 0) return acc;\n"
            f'  snprintf(buf, sizeof buf, "%d-{i}-{j}", x);\n'
            f"  for (size_t k = 0; k < strlen(buf); k++) acc = acc * 33 + buf[k];\n"
            f"  return acc ^ {call};\n}}"
        )
    return "\n".join(lines) + "\n"


def c_program(work: str, store: str, n_files: int, funcs: int = 40) -> tuple[list[str], str, int]:
    """Objects of a generated C program (-O1 -g) and the -L/-l for the store libraries it
    uses (real shared libraries); returns (link arguments, work dir, object bytes)."""
    d = os.path.join(work, f"cprog{n_files}")
    os.makedirs(d, exist_ok=True)
    libs = []
    for k in range(4):
        name = f"bench{k}"
        libdir = os.path.join(store_path(store, name), "lib")
        so = os.path.join(libdir, f"lib{name}.so")
        if not os.path.exists(so):
            os.makedirs(libdir, exist_ok=True)
            c = os.path.join(libdir, f"{name}.c")
            with open(c, "w") as f:
                f.write(f"int {name}_value(int x) {{ return x * {k + 3}; }}\n")
            sh(["gcc", "-shared", "-fPIC", c, "-o", so])
        libs.append((libdir, name))
    objs = []
    jobs = []
    for i in range(n_files):
        obj = os.path.join(d, f"u{i}.o")
        objs.append(obj)
        if not os.path.exists(obj):
            src = os.path.join(d, f"u{i}.c")
            with open(src, "w") as f:
                f.write(_c_file(i, n_files, funcs))
            jobs.append(["gcc", "-O1", "-g", "-fPIE", "-c", src, "-o", obj])
    main_obj = os.path.join(d, "main.o")
    if not os.path.exists(main_obj):
        src = os.path.join(d, "main.c")
        with open(src, "w") as f:
            decls = "".join(f"int bench{k}_value(int);\n" for k in range(4))
            calls = " + ".join(f"bench{k}_value(argc)" for k in range(4))
            f.write(
                f"{decls}int f0_0(int);\nint main(int argc, char **argv) {{\n"
                f"  (void)argv; return (f0_0(argc) + {calls}) & 1;\n}}\n"
            )
        jobs.append(["gcc", "-O1", "-g", "-fPIE", "-c", src, "-o", main_obj])
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(sh, jobs))
    size = sum(os.path.getsize(o) for o in [*objs, main_obj])
    args = [main_obj, *objs, *(f"-L{libdir}" for libdir, _ in libs), *(f"-l{n}" for _, n in libs)]
    return args, d, size


def runpath(path: str) -> str:
    """The binary's DT_RUNPATH (else DT_RPATH), read as `ldwrap check` reads it."""
    from ldwrap.loader.elf import read_elf

    with open(path, "rb") as f:
        info = read_elf(f)
    return info.runpath or info.rpath or ""
