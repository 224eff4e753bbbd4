"""A machine without tools, made in private namespaces (`unshare -m -n`, as root).

Inside: no network (a new network namespace, whose loopback is down), an empty tmpfs on /nix
and on every cross sysroot (`/usr/<triple>`), an empty HOME, a PATH of basic POSIX tools and
the venv's bin directory, and every linker, compiler, binutils program, build system, Nix,
git and emulator in the machine's bin directories covered by an empty, non-executable file
(a bind mount on the file itself, so that a test naming `/usr/bin/ld.lld` finds nothing
either). The Python that runs the tests and the dynamic loader stay.

By hand, to see what a unit test still takes from the machine (as root):

    .venv/bin/python tests/integration/fast_tier/sandbox.py -q -m "not integration"
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# What any POSIX machine has: the only programs on PATH.
BASIC_TOOLS = (
    "sh", "bash", "dash", "env", "true", "false", "cat", "ls", "mkdir", "rm", "cp", "mv",
    "chmod", "ln", "sleep", "kill", "readlink", "dirname", "basename", "touch", "echo",
    "printf", "test", "uname", "id", "grep", "sed", "head", "tail", "wc", "sort", "tr", "cut",
    "expr", "stat", "find", "xargs", "realpath", "mktemp",
)  # fmt: skip

# The programs a unit test must not need, by file name.
HIDDEN = (
    # linkers
    "ld", "ld.*", "*-ld", "*-ld.*", "gold", "lld", "lld-*", "*-lld*", "ld64.lld*", "wasm-ld*",
    "mold", "rust-lld",
    # compilers and their drivers
    "cc", "c++", "c89*", "c99*", "cpp", "cpp-*", "gcc", "gcc-*", "*-gcc", "*-gcc-*", "g++",
    "g++-*", "*-g++", "*-g++-*", "clang", "clang-*", "clang++*", "*-clang*", "tcc", "rustc",
    "rustdoc", "cargo", "rustup",
    # binutils and ELF tools
    "as", "*-as", "ar", "*-ar", "nm", "*-nm", "ranlib", "*-ranlib", "strip", "*-strip",
    "objcopy", "*-objcopy", "objdump", "*-objdump", "readelf", "*-readelf", "llvm-*",
    "patchelf", "file", "ldd", "ldconfig*",
    # build systems, version control, Nix, emulators, the network
    "make", "cmake", "meson", "ninja", "pkg-config", "*-pkg-config", "pkgconf", "libtool",
    "autoconf", "automake*", "ccache", "git", "git-*", "nix", "nix-*", "qemu-*", "curl", "wget",
)  # fmt: skip

BIN_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/local/sbin")


def hidden_files() -> list[str]:
    """The files the sandbox covers: each program of HIDDEN in BIN_DIRS, symlinks followed
    (so every name of one program goes at once), each file once."""
    found: dict[str, None] = {}
    for d in BIN_DIRS:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            if not any(fnmatch.fnmatchcase(name, p) for p in HIDDEN):
                continue
            real = os.path.realpath(os.path.join(d, name))
            # The dynamic loader (`ld.so`, `ld-linux-*.so.2`) stays: every program needs it.
            if ".so" in os.path.basename(real) or not os.path.isfile(real):
                continue
            found[real] = None
    return list(found)


def cross_sysroots() -> list[str]:
    """The cross toolchains' directories, `/usr/<triple>` (their libraries, and the linkers a
    cross gcc finds before PATH)."""
    return sorted(str(p) for p in Path("/usr").glob("*-linux-*") if p.is_dir())


def minimal_path(directory: Path) -> Path:
    """directory, holding a link to each basic tool this machine has."""
    directory.mkdir(parents=True, exist_ok=True)
    for tool in BASIC_TOOLS:
        found = shutil.which(tool)
        if found and not (directory / tool).exists():
            (directory / tool).symlink_to(os.path.realpath(found))
    return directory


def command(argv: list[str], work: Path) -> list[str]:
    """argv, run in the sandbox; work is an empty directory for its PATH, HOME and the empty
    file that covers each hidden program."""
    empty = work / "empty"
    empty.write_bytes(b"")
    empty.chmod(0o644)
    home = work / "home"
    home.mkdir()
    path = f"{minimal_path(work / 'bin')}:{Path(sys.executable).parent}"
    q = shlex.quote
    steps = ["mount --make-rprivate /"]
    if os.path.isdir("/nix"):
        steps.append("mount -t tmpfs none /nix")
    steps += [f"mount -t tmpfs none {q(d)}" for d in cross_sysroots()]
    steps += [f"mount --bind {q(str(empty))} {q(f)}" for f in hidden_files()]
    script = " && ".join(steps) + ' && exec "$@"'
    return [
        "unshare", "-m", "-n", "--", "sh", "-c", script, "sh",
        "env", f"PATH={path}", f"HOME={home}", *argv,
    ]  # fmt: skip


def environment() -> dict[str, str]:
    """The environment the sandbox starts from: this one without what steers ldwrap, the
    compilers or the loader, and without the Rust toolchain's homes."""
    dropped = {"CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "LIBRARY_PATH", "COMPILER_PATH"}
    dropped.add("GCC_EXEC_PREFIX")
    return {
        k: v
        for k, v in os.environ.items()
        if k not in dropped and not k.startswith(("LDWRAP_", "NIX_", "LD_"))
    }


def pytest_argv(work: Path, *args: str) -> list[str]:
    """pytest in the sandbox, on this checkout, its temporary files under work."""
    return [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
        f"--basetemp={work / 'pytest'}", *args,
    ]  # fmt: skip


def main(args: list[str]) -> int:
    root = Path(__file__).resolve().parents[3]
    with tempfile.TemporaryDirectory(prefix="ldwrap-sandbox-") as tmp:
        work = Path(tmp)
        argv = command(pytest_argv(work, *args), work)
        return subprocess.run(argv, env=environment(), cwd=root, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
