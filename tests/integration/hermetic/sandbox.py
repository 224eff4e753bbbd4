"""A machine without tools, made in a private namespace (`unshare -m -n`, as root).

Inside it: no network (a fresh network namespace), an empty tmpfs on /nix and on every cross
sysroot (/usr/<triple>), an empty HOME, a PATH of basic POSIX tools plus the venv's bin, and
every linker, compiler, binutils program, build system, Nix, git and qemu of the machine's bin
directories covered by an empty, non-executable file (a bind mount), so that a test reaching
for one by its absolute path (`/usr/bin/ld.lld`) finds nothing either.

Run by hand to see what a unit test still takes from the machine:

    .venv/bin/python tests/integration/hermetic/sandbox.py -q -m "not integration"
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

# What any POSIX machine has: the only programs left on PATH.
BASIC_TOOLS = (
    "sh bash dash env true false cat ls mkdir rm cp mv chmod ln sleep kill readlink dirname "
    "basename touch echo printf test uname id grep sed head tail wc sort tr cut expr stat find "
    "xargs realpath mktemp"
).split()

# The machine's tools a unit test must not need, by file name (fnmatch patterns).
HIDDEN = (
    # linkers
    "ld", "ld.*", "*-ld", "*-ld.*", "lld", "lld-*", "ld64.lld*", "wasm-ld*", "mold", "rust-lld",
    "gold", "*-lld*",
    # compilers and their drivers
    "gcc", "gcc-*", "*-gcc", "*-gcc-*", "g++", "g++-*", "*-g++", "*-g++-*", "cc", "c++", "c89*",
    "c99*", "cpp", "cpp-*", "clang", "clang-*", "clang++*", "*-clang*", "tcc", "rustc", "cargo",
    "rustup", "rustdoc",
    # binutils and ELF tools
    "as", "*-as", "ar", "*-ar", "nm", "*-nm", "objdump", "*-objdump", "readelf", "*-readelf",
    "strip", "*-strip", "objcopy", "*-objcopy", "ranlib", "*-ranlib", "llvm-*", "patchelf",
    "file", "ldd", "ldconfig*",
    # build systems, version control, Nix, emulators, the network
    "make", "cmake", "meson", "ninja", "pkg-config", "*-pkg-config", "libtool", "autoconf",
    "automake", "git", "git-*", "nix", "nix-*", "qemu-*", "curl", "wget", "ccache",
)

BIN_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/local/sbin")


def hidden_files() -> list[str]:
    """The real files (symlinks followed) the sandbox covers, each once."""
    seen: dict[str, None] = {}
    for d in BIN_DIRS:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            if name == "ld.so" or not any(fnmatch.fnmatchcase(name, p) for p in HIDDEN):
                continue
            real = os.path.realpath(os.path.join(d, name))
            # The dynamic loader stays: every program, python included, needs it.
            if ".so" in os.path.basename(real) or not os.path.isfile(real):
                continue
            seen[real] = None
    return list(seen)


def cross_sysroots() -> list[str]:
    """/usr/<triple> directories: a cross toolchain's libraries and linker."""
    return sorted(
        str(p) for p in Path("/usr").glob("*-linux-*") if p.is_dir() and not p.is_symlink()
    )


def minimal_path(directory: Path) -> Path:
    """directory filled with links to the basic tools; what is missing here is left out."""
    directory.mkdir(parents=True, exist_ok=True)
    for tool in BASIC_TOOLS:
        found = shutil.which(tool)
        if found and not (directory / tool).exists():
            (directory / tool).symlink_to(os.path.realpath(found))
    return directory


def command(argv: list[str], work: Path) -> list[str]:
    """argv run in the sandbox, with work as the scratch directory (PATH, HOME, the empty
    file mounted over the hidden tools)."""
    empty = work / "empty"
    empty.write_bytes(b"")
    empty.chmod(0o644)
    home = work / "home"
    home.mkdir(exist_ok=True)
    path = minimal_path(work / "bin")
    steps = ["mount --make-rprivate /"]
    if os.path.isdir("/nix"):
        steps.append("mount -t tmpfs none /nix")
    steps += [f"mount -t tmpfs none {shlex.quote(d)}" for d in cross_sysroots()]
    steps += [f"mount --bind {shlex.quote(str(empty))} {shlex.quote(f)}" for f in hidden_files()]
    venv_bin = str(Path(sys.executable).parent)
    script = " && ".join(steps) + ' && exec "$@"'
    return [
        "unshare", "-m", "-n", "--", "sh", "-c", script, "sh",
        "env", f"PATH={path}:{venv_bin}", f"HOME={home}", *argv,
    ]  # fmt: skip


def sandbox_env() -> dict[str, str]:
    """The environment the sandbox starts from: this one without the variables that steer
    ldwrap, the compilers or the loader, and without the Rust toolchain's homes."""
    drop = ("CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN")
    return {
        k: v
        for k, v in os.environ.items()
        if k not in drop
        and not k.startswith(("LDWRAP_", "NIX_", "LD_"))
        and k not in ("LIBRARY_PATH", "COMPILER_PATH", "GCC_EXEC_PREFIX")
    }


def main(args: list[str]) -> int:
    root = Path(__file__).resolve().parents[3]
    with tempfile.TemporaryDirectory(prefix="ldwrap-sandbox-") as tmp:
        work = Path(tmp)
        argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                f"--basetemp={work / 'pytest'}", *args]  # fmt: skip
        os.chdir(root)
        import subprocess

        return subprocess.run(command(argv, work), env=sandbox_env()).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
