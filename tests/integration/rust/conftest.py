"""Fixtures for the Rust tests: the C library `greet` in a store-like prefix with its own `.pc`
file, the installed Rust toolchain (used read-only), a link farm of it whose gcc-ld directory
is a private copy that tests may wrap, the same farm seen read-only in a private mount
namespace (`read_only_toolchain`), and a helper that runs a real offline cargo build.

Nothing here changes the machine's toolchain: cargo and rustc are run straight from the
toolchain's `bin/` (no rustup proxy), with a private CARGO_HOME and target directory.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import base_env, compile_c, make_store

FIXTURE = Path(__file__).parent / "fixture"
EXAMPLE = Path(__file__).parents[3] / "examples" / "cargo-config.toml"
# The placeholders the example uses for the directory of ldwrap's drop-ins and for the route
# of flow (f).
EXAMPLE_DROPINS = "/home/you/.local/share/ldwrap/bin"
EXAMPLE_ROUTE = "/home/you/.local/share/ldwrap/rust-route"
# Where the read-only toolchain stands as if installed by Nix (a tmpfs over /nix, in a private
# mount namespace only).
STORE_SYSROOT = "/nix/store/0vlvycv7pm1hvmk43drr7c6r3ds3amrk-rust-default"
TRIPLE = "x86_64-unknown-linux-gnu"
# Variables that would change how cargo or rustc link; never inherited by a test build.
_CARGO_STEERING = (
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTDOCFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "RUSTUP_TOOLCHAIN",
    "PKG_CONFIG_PATH",
    "PKG_CONFIG_LIBDIR",
    "PKG_CONFIG_SYSROOT_DIR",
)


@dataclass(frozen=True)
class Greet:
    """The C library greet in a store-like prefix."""

    store_root: Path  # what NIX_STORE points at
    libdir: Path  # <store>/<hash>-greet-1.0/lib, holding libgreet.so
    unused_libdir: Path  # another store dir the .pc file names with -L; nothing from it is used
    pkgconfig: Path  # the directory of greet.pc


@pytest.fixture(scope="session")
def greet(tmp_path_factory: pytest.TempPathFactory) -> Greet:
    store = make_store(tmp_path_factory.mktemp("rust-prefix"))
    libdir = store.libdir("greet-1.0")
    prefix = libdir.parent
    include = prefix / "include"
    include.mkdir()
    shutil.copy(FIXTURE / "c" / "greet.h", include / "greet.h")
    compile_c(
        (FIXTURE / "c" / "greet.c").read_text(),
        libdir / "libgreet.so",
        "-shared",
        "-fPIC",
        f"-I{include}",
        "-Wl,-soname,libgreet.so",
    )
    (libdir / "libgreet.so.c").unlink()
    unused = store.libdir("extra-2.0")
    compile_c("int extra_value(void) { return 1; }\n", unused / "libextra.so", "-shared", "-fPIC")
    (unused / "libextra.so.c").unlink()
    pc = libdir / "pkgconfig"
    pc.mkdir()
    (pc / "greet.pc").write_text(
        f"prefix={prefix}\n"
        "libdir=${prefix}/lib\n"
        "includedir=${prefix}/include\n\n"
        "Name: greet\nDescription: says hello\nVersion: 1.0\n"
        f"Libs: -L${{libdir}} -L{unused} -lgreet\n"
        "Cflags: -I${includedir}\n"
    )
    return Greet(store.root, libdir, unused, pc)


def _find_rustc() -> str:
    found = shutil.which("rustc") or shutil.which(
        "rustc", path=os.path.join(os.path.expanduser("~"), ".cargo", "bin")
    )
    assert found, "rustc is not installed (CI needs rustup with a stable toolchain >= 1.90)"
    return found


@dataclass(frozen=True)
class Toolchain:
    sysroot: Path
    rustc: Path
    cargo: Path
    version: str

    @property
    def rustlib_bin(self) -> Path:
        return self.sysroot / "lib" / "rustlib" / TRIPLE / "bin"


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    """The installed toolchain (rustup's default), used read-only."""
    rustc = _find_rustc()
    env = base_env()
    sysroot = subprocess.run(
        [rustc, "--print", "sysroot"], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    root = Path(sysroot)
    version = subprocess.run(
        [str(root / "bin" / "rustc"), "-V"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert (root / "bin" / "cargo").is_file(), f"{root} has no cargo"
    return Toolchain(root, root / "bin" / "rustc", root / "bin" / "cargo", version)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def make_farm(real: Path, dest: Path) -> Path:
    """A toolchain at dest made of symlinks to real, except what rustc's sysroot detection and
    a wrap need to be real files here.

    rustc finds its sysroot from the resolved path of librustc_driver, so `bin/rustc` and that
    library are hard links (copies across file systems); the directories down to
    `lib/rustlib/<triple>/bin/gcc-ld` are real, and gcc-ld's files are copies.
    """

    def farm_dir(src: Path, dst: Path, keep: str) -> None:
        dst.mkdir(parents=True)
        for entry in src.iterdir():
            if entry.name != keep:
                (dst / entry.name).symlink_to(entry)

    farm_dir(real, dest, "")
    for d in ("bin", "lib"):
        (dest / d).unlink()
    farm_dir(real / "bin", dest / "bin", "rustc")
    _link_or_copy(real / "bin" / "rustc", dest / "bin" / "rustc")
    farm_dir(real / "lib", dest / "lib", "rustlib")
    for driver in (real / "lib").glob("librustc_driver-*.so"):
        (dest / "lib" / driver.name).unlink()
        _link_or_copy(driver, dest / "lib" / driver.name)
    rustlib = dest / "lib" / "rustlib"
    farm_dir(real / "lib" / "rustlib", rustlib, TRIPLE)
    farm_dir(real / "lib" / "rustlib" / TRIPLE, rustlib / TRIPLE, "bin")
    farm_dir(real / "lib" / "rustlib" / TRIPLE / "bin", rustlib / TRIPLE / "bin", "gcc-ld")
    shutil.copytree(
        real / "lib" / "rustlib" / TRIPLE / "bin" / "gcc-ld",
        rustlib / TRIPLE / "bin" / "gcc-ld",
        symlinks=False,
    )
    return dest


@pytest.fixture
def farm(toolchain: Toolchain, tmp_path: Path) -> Path:
    """A link farm of the installed toolchain; its gcc-ld directory is this test's own."""
    dest = make_farm(toolchain.sysroot, tmp_path / "toolchain")
    printed = subprocess.run(
        [str(dest / "bin" / "rustc"), "--print", "sysroot"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed == str(dest), f"rustc in the farm reports sysroot {printed}"
    return dest


def example_section(flow: str, dropins: Path | str, route: Path | str = EXAMPLE_ROUTE) -> str:
    """The settings of flow `(x)` in examples/cargo-config.toml, uncommented, with the
    placeholder drop-in directory replaced by dropins, and the route's by route."""
    lines = EXAMPLE.read_text().splitlines()
    heading = f"## ({flow})"
    start = next(i for i, ln in enumerate(lines) if ln.startswith(heading))
    out = []
    for ln in lines[start + 1 :]:
        if ln.startswith("## (") or ln.startswith("## ----"):
            break
        if ln.startswith("# "):
            out.append(ln[2:])
    text = "\n".join(out).replace(EXAMPLE_DROPINS, str(dropins))
    return text.replace(EXAMPLE_ROUTE, str(route)) + "\n"


def cargo_env(toolchain: Toolchain, greet: Greet, home: Path, **extra: str) -> dict[str, str]:
    env = base_env()
    for k in _CARGO_STEERING:
        env.pop(k, None)
    env.update(
        CARGO_HOME=str(home),
        CARGO_NET_OFFLINE="true",
        CARGO_TERM_COLOR="never",
        PKG_CONFIG_PATH=str(greet.pkgconfig),
        RUSTC=str(toolchain.rustc),
        NIX_STORE=str(greet.store_root),
    )
    env.update(extra)
    return env


# Runs a command (argv, env, cwd) to the end and returns it.
Runner = Callable[
    [Sequence[str], dict[str, str], "Path | None"], "subprocess.CompletedProcess[str]"
]


def run_here(
    argv: Sequence[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def cargo_build(
    toolchain: Toolchain,
    workdir: Path,
    config: str,
    env: dict[str, str],
    run: Runner = run_here,
    cargo: str | None = None,
) -> Path:
    """Copy the fixture workspace to workdir with config as .cargo/config.toml, build it
    offline with the real cargo (by run: a read-only toolchain's namespace, say), and return
    the binary."""
    return cargo_build_logged(toolchain, workdir, config, env, run, cargo)[0]


def cargo_build_logged(
    toolchain: Toolchain,
    workdir: Path,
    config: str,
    env: dict[str, str],
    run: Runner = run_here,
    cargo: str | None = None,
) -> tuple[Path, str]:
    """cargo_build, and what cargo wrote to its standard error."""
    shutil.copytree(FIXTURE, workdir, ignore=shutil.ignore_patterns("target", "Cargo.lock"))
    (workdir / ".cargo").mkdir()
    (workdir / ".cargo" / "config.toml").write_text(config)
    env = dict(env, CARGO_TARGET_DIR=str(workdir / "target"))
    out = run(
        [cargo or str(toolchain.cargo), "build", "--offline", "-p", "greet-app"], env, workdir
    )
    assert out.returncode == 0, f"cargo build failed:\n{out.stderr}"
    return workdir / "target" / "debug" / "greet-app", out.stderr


@dataclass(frozen=True)
class ReadOnlyToolchain:
    """A link farm of the installed toolchain, seen in a private mount namespace (`unshare
    -m`, as root) over itself on a read-only bind mount ("mount"), or at STORE_SYSROOT on a
    tmpfs over /nix, read-only ("store") or writable ("writable store": root on a
    single-user Nix). The installed toolchain is a read-only bind mount there too, so nothing
    run inside can write it, whatever the farm's symbolic links lead to. Mounts end with the
    namespace: each run makes them again."""

    farm: Path
    real: Path
    where: str

    @property
    def sysroot(self) -> str:
        return str(self.farm) if self.where == "mount" else STORE_SYSROOT

    @property
    def gcc_ld(self) -> str:
        """Where a wrap would write, as seen inside the namespace."""
        return f"{self.sysroot}/lib/rustlib/{TRIPLE}/bin/gcc-ld"

    @property
    def farm_gcc_ld(self) -> Path:
        """The same directory, as seen outside."""
        return self.farm / "lib" / "rustlib" / TRIPLE / "bin" / "gcc-ld"

    def setup(self) -> str:
        def ro(d: str) -> str:
            q = shlex.quote(d)
            return f"mount --bind {q} {q} && mount -o remount,bind,ro {q}"

        steps = [ro(str(self.real))]
        if self.where == "mount":
            steps.append(ro(str(self.farm)))
        else:
            at = shlex.quote(STORE_SYSROOT)
            steps += [
                "mount -t tmpfs -o size=1m,mode=0755 tmpfs /nix",
                f"mkdir -p {at}",
                f"mount --bind {shlex.quote(str(self.farm))} {at}",
            ]
            if self.where == "store":
                steps.append(f"mount -o remount,bind,ro {at}")
        return " && ".join(steps)

    def run(
        self, argv: Sequence[str], env: dict[str, str], cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        script = f'{self.setup()} && exec "$@"'
        wrapped = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"]
        return run_here([*wrapped, *argv], env, cwd)


@pytest.fixture
def read_only_toolchain(toolchain: Toolchain, farm: Path) -> Callable[[str], ReadOnlyToolchain]:
    """The farm seen read-only ("mount", "store") or in a writable store ("writable store");
    each is checked first: inside, its gcc-ld directory (where a wrap writes) and the
    installed toolchain's refuse a new file, or the farm's takes one in a writable store."""

    def make(where: str) -> ReadOnlyToolchain:
        ro = ReadOnlyToolchain(farm, toolchain.sysroot, where)
        real_gcc_ld = toolchain.rustlib_bin / "gcc-ld"
        probe = ro.run(
            ["sh", "-c", 'touch "$1/.probe"; touch "$2/.probe"', "sh", ro.gcc_ld, str(real_gcc_ld)],
            {"PATH": "/usr/bin:/bin"},
        )
        assert (probe.stderr.count("Read-only file system"), probe.returncode) == (
            (1, 1) if where == "writable store" else (2, 1)
        ), probe.stderr
        (ro.farm_gcc_ld / ".probe").unlink(missing_ok=True)
        assert not (real_gcc_ld / ".probe").exists()
        return ro

    return make
