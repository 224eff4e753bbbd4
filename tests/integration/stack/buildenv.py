"""The environment of a build: the three modes, the drop-ins and the link recorder, ccache,
and a package's dependencies (found only through their prefixes)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers import BUILD_STEERING, env_without

from .layout import Layout

MODES = ("default", "prefixes", "store")
CCACHE_MASQUERADE = Path("/usr/lib/ccache")

# What steers a build (helpers.BUILD_STEERING), and more that this tier's builds read: C++
# flags, ar, pkg-config's sysroot, CMake's and make's defaults, the install prefix, qemu's
# library root, fontconfig's files, nixpkgs' outputs. Never inherited from the machine.
_STEERING = BUILD_STEERING | {
    "CPLUS_INCLUDE_PATH",
    "CXXFLAGS",
    "AR",
    "PKG_CONFIG_SYSROOT_DIR",
    "CMAKE_INSTALL_PREFIX",
    "MAKELEVEL",
    "PREFIX",
    "QEMU_LD_PREFIX",
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
    "out",
    "outputs",
}
_STEERING_PREFIXES = ("LDWRAP_", "NIX_", "CCACHE_", "CARGO_TARGET_", "MESON")


def clean_env(**extra: str) -> dict[str, str]:
    return env_without(_STEERING, _STEERING_PREFIXES, **extra)


def mode_env(mode: str, layout: Layout) -> dict[str, str]:
    """What makes a mode: nothing (default: no /nix/store on this machine), the store as an
    allowed prefix, or the store as NIX_STORE (outside any Nix build)."""
    if mode == "default":
        return {}
    if mode == "prefixes":
        return {"LDWRAP_RPATH_PREFIXES": str(layout.store)}
    if mode == "store":
        return {"NIX_STORE": str(layout.store)}
    raise ValueError(f"unknown mode {mode!r}")


@dataclass(frozen=True)
class Toolchain:
    """How links are made: through ldwrap's drop-ins (first on PATH) or not, recorded by the
    link recorder gcc finds first (COMPILER_PATH), compiles cached by ccache."""

    dropins: Path | None  # None: a build without ldwrap
    ccache_dir: Path | None
    shrink: bool = True  # LDWRAP_SHRINK=1
    host: str | None = None  # a cross build's target triple (aarch64-linux-gnu)

    @property
    def with_ldwrap(self) -> bool:
        return self.dropins is not None


def system_path() -> str:
    return os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")


def deps_env(deps: Sequence[Path]) -> dict[str, str]:
    """A package's dependencies, found only through their prefixes: pkg-config sees their
    .pc files and never the system's, CMake searches their prefixes first, the compiler and
    linker get their include and lib directories."""
    pc = [str(p / sub / "pkgconfig") for p in deps for sub in ("lib", "share")]
    return {
        # An empty PKG_CONFIG_LIBDIR still hides the system's .pc files.
        "PKG_CONFIG_LIBDIR": ":".join(pc),
        "CMAKE_PREFIX_PATH": ":".join(str(p) for p in deps),
        "CPPFLAGS": " ".join(f"-I{p}/include" for p in deps),
        "LDFLAGS": " ".join(f"-L{p}/lib" for p in deps),
    }


def build_env(
    layout: Layout,
    mode: str,
    tools: Toolchain,
    linker: str,
    deps: Sequence[Path],
    **extra: str,
) -> dict[str, str]:
    """The environment every command of a package's build runs with."""
    path = [str(p / "bin") for p in deps] + system_path().split(":")
    if tools.ccache_dir is not None:
        assert CCACHE_MASQUERADE.is_dir(), "ccache is not installed (.ci/run installs it)"
        path.insert(0, str(CCACHE_MASQUERADE))
    if tools.dropins is not None:
        path.insert(0, str(tools.dropins))
    cross = f"{tools.host}-" if tools.host else ""
    env = clean_env(
        PATH=":".join(path),
        CC=f"{cross}gcc -fuse-ld={linker}",
        CXX=f"{cross}g++ -fuse-ld={linker}",
        CFLAGS="-O1",
        CXXFLAGS="-O1",
        TMPDIR=str(layout.tmp),
        LC_ALL="C",
        # gcc finds the link recorder before anything on PATH; it runs the drop-in (or,
        # without ldwrap, the real linker) of the same name.
        COMPILER_PATH=str(layout.tools / "rec"),
        **deps_env(deps),
    )
    if tools.ccache_dir is not None:
        env["CCACHE_DIR"] = str(tools.ccache_dir)
        env["CCACHE_MAXSIZE"] = "4G"
    if tools.with_ldwrap:
        env.update(mode_env(mode, layout))
        if tools.shrink:
            env["LDWRAP_SHRINK"] = "1"
    env.update(extra)
    return env


def which(name: str) -> str:
    found = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin")
    assert found, f"{name} is not installed (.ci/run installs it)"
    return found
