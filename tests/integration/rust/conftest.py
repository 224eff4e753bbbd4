"""Fixtures for the Rust tests: the C library `greet` in a store-like prefix with its own `.pc`
file, the installed Rust toolchain (used read-only), a link farm of it whose gcc-ld directory
is a private copy that tests may wrap, and a helper that runs a real offline cargo build.

Nothing here changes the machine's toolchain: cargo and rustc are run straight from the
toolchain's `bin/` (no rustup proxy), with a private CARGO_HOME and target directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import base_env, compile_c, make_store

FIXTURE = Path(__file__).parent / "fixture"
EXAMPLE = Path(__file__).parents[3] / "examples" / "cargo-config.toml"
# The placeholder the example uses for the directory of ldwrap's drop-ins.
EXAMPLE_DROPINS = "/home/you/.local/share/ldwrap/bin"
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


def example_section(flow: str, dropins: Path | str) -> str:
    """The settings of flow `(x)` in examples/cargo-config.toml, uncommented, with the
    placeholder drop-in directory replaced by dropins."""
    lines = EXAMPLE.read_text().splitlines()
    heading = f"## ({flow})"
    start = next(i for i, ln in enumerate(lines) if ln.startswith(heading))
    out = []
    for ln in lines[start + 1 :]:
        if ln.startswith("## (") or ln.startswith("## ----"):
            break
        if ln.startswith("# "):
            out.append(ln[2:])
    return "\n".join(out).replace(EXAMPLE_DROPINS, str(dropins)) + "\n"


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


def cargo_build(toolchain: Toolchain, workdir: Path, config: str, env: dict[str, str]) -> Path:
    """Copy the fixture workspace to workdir with config as .cargo/config.toml, build it
    offline with the real cargo, and return the binary."""
    shutil.copytree(FIXTURE, workdir, ignore=shutil.ignore_patterns("target", "Cargo.lock"))
    (workdir / ".cargo").mkdir()
    (workdir / ".cargo" / "config.toml").write_text(config)
    env = dict(env, CARGO_TARGET_DIR=str(workdir / "target"))
    out = subprocess.run(
        [str(toolchain.cargo), "build", "--offline", "-p", "greet-app"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, f"cargo build failed:\n{out.stderr}"
    return workdir / "target" / "debug" / "greet-app"
