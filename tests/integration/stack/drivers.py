"""One driver per build system: the commands that configure, build and install a package
into its prefix, as a distribution's build recipe runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .recipes import PKG_CONFIG, Recipe

JOBS = "2"


@dataclass(frozen=True)
class Step:
    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)  # on top of the package's environment


@dataclass(frozen=True)
class Package:
    """One package's build, as the build sees its paths."""

    recipe: Recipe
    prefix: Path
    src: Path  # the copied upstream tree
    build: Path  # the build tree (out-of-tree builds)
    deps: dict[str, Path]  # every package it depends on (directly or not) -> its prefix
    host: str | None = None  # a cross build's target triple

    @property
    def top(self) -> Path:
        """Where the build system's files are."""
        return self.src / self.recipe.subdir if self.recipe.subdir else self.src


def _s(*argv: str | Path) -> tuple[str, ...]:
    return tuple(str(a) for a in argv)


def zlib(p: Package) -> list[Step]:
    """zlib's own configure script (not autoconf) and Makefile, in the source tree."""
    env = {"CHOST": p.host} if p.host else {}  # its ar and ranlib: $CHOST-ar, ...
    return [
        Step(_s("./configure", f"--prefix={p.prefix}", *p.recipe.options), p.top, env),
        Step(_s("make", f"-j{JOBS}"), p.top),
        Step(_s("make", "install"), p.top),
    ]


def autotools(p: Package) -> list[Step]:
    """configure (autoconf, libtool), out of tree; `make install` relinks with libtool."""
    return [
        Step(
            _s(
                p.top / "configure",
                f"--prefix={p.prefix}",
                "--disable-static",
                "--disable-dependency-tracking",
                *((f"--host={p.host}",) if p.host else ()),
                *p.recipe.options,
            ),
            p.build,
        ),
        Step(_s("make", f"-j{JOBS}"), p.build),
        Step(_s("make", "install"), p.build),
    ]


def make(p: Package) -> list[Step]:
    """A hand-written Makefile: the prefix given on make's command line, for the build and
    the install alike (lz4's lib/Makefile: PREFIX ?= /usr/local, LIBDIR ?= $(prefix)/lib)."""
    where = (f"PREFIX={p.prefix}", f"LIBDIR={p.prefix}/lib", "BUILD_STATIC=no")
    return [
        Step(_s("make", f"-j{JOBS}", *where, *p.recipe.options), p.top),
        Step(_s("make", "install", *where, *p.recipe.options), p.top),
    ]


def cmake(p: Package) -> list[Step]:
    """CMake with Ninja, out of tree; its default RPATH handling (build RPATH, install RPATH
    empty). CMAKE_BUILD_TYPE=None keeps CFLAGS as given (Debian's choice)."""
    return [
        Step(
            _s(
                "cmake",
                "-S",
                p.top,
                "-B",
                p.build,
                "-G",
                "Ninja",
                f"-DCMAKE_INSTALL_PREFIX={p.prefix}",
                "-DCMAKE_INSTALL_LIBDIR=lib",
                "-DCMAKE_BUILD_TYPE=None",
                "-DBUILD_SHARED_LIBS=ON",
                *p.recipe.options,
            ),
            p.build.parent,
        ),
        Step(_s("cmake", "--build", p.build, "-j", JOBS), p.build),
        Step(_s("cmake", "--install", p.build), p.build),
    ]


def meson(p: Package) -> list[Step]:
    """Meson with Ninja, out of tree; no subproject is downloaded."""
    return [
        Step(
            _s(
                "meson",
                "setup",
                f"--prefix={p.prefix}",
                "--libdir=lib",
                "--buildtype=plain",
                "-Ddefault_library=shared",
                "--wrap-mode=nodownload",
                *p.recipe.options,
                p.build,
                p.top,
            ),
            p.build.parent,
        ),
        Step(_s("meson", "compile", "-C", p.build, "-j", JOBS), p.build),
        Step(_s("meson", "install", "-C", p.build), p.build),
    ]


def openssl(p: Package) -> list[Step]:
    """OpenSSL's Configure (perl), out of tree: its Makefile has INSTALLTOP and LIBDIR, no
    `prefix`; `install_sw` installs the libraries, engines, modules and programs."""
    return [
        Step(
            _s(
                "perl",
                p.top / "Configure",
                f"--prefix={p.prefix}",
                "--libdir=lib",
                f"--openssldir={p.prefix}/ssl",
                *p.recipe.options,
            ),
            p.build,
        ),
        Step(_s("make", f"-j{JOBS}"), p.build),
        Step(_s("make", "install_sw"), p.build),
    ]


def consumer_make(p: Package) -> list[Step]:
    """Our C program: a Makefile that asks pkg-config for every dependency it links."""
    pkgs = [m for d in p.recipe.deps for m in PKG_CONFIG[d][0]]
    defs = [f"-D{PKG_CONFIG[d][1]}" for d in p.recipe.deps]
    args = (f"PKGS={' '.join(pkgs)}", f"DEFS={' '.join(defs)}", f"PREFIX={p.prefix}")
    return [Step(_s("make", *args), p.top), Step(_s("make", "install", *args), p.top)]


# Rust flow (b) of docs/rust.md: the drop-ins first on PATH, rustc's cc links with the ld.lld
# it finds there instead of the toolchain's own.
RUSTFLAGS = "-Clink-self-contained=-linker"


def cargo(p: Package) -> list[Step]:
    """cargo install, offline, with Debian's crates (the project's .cargo/config.toml)."""
    env = {
        "RUSTFLAGS": RUSTFLAGS,
        "CARGO_HOME": str(p.build / "cargo-home"),
        "CARGO_TARGET_DIR": str(p.build / "target"),
        "CARGO_TERM_COLOR": "never",
        "CARGO_NET_OFFLINE": "true",
    }
    return [
        Step(_s("cargo", "install", "--offline", "--path", p.top, "--root", p.prefix), p.top, env)
    ]


# The Python the extension is built for and imported by: Debian's own (python3-setuptools,
# python3-pip; its pip installs with --target outside a virtual environment). The tier's
# venv may come from another Python, e.g. pyenv's, whose LDSHARED carries rpaths of its own.
PYTHON = "/usr/bin/python3"


def pip(p: Package) -> list[Step]:
    """pip (setuptools, no build isolation) into the prefix's site-packages."""
    env = {"PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1"}
    return [
        Step(
            _s(
                PYTHON,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-build-isolation",
                "--no-deps",
                "--target",
                p.prefix / "site-packages",
                p.top,
            ),
            p.build,
            env,
        )
    ]


DRIVERS: dict[str, Callable[[Package], list[Step]]] = {
    "zlib": zlib,
    "autotools": autotools,
    "make": make,
    "cmake": cmake,
    "meson": meson,
    "openssl": openssl,
    "consumer-make": consumer_make,
    "cargo": cargo,
    "pip": pip,
}


def steps(p: Package) -> list[Step]:
    return DRIVERS[p.recipe.system](p)
