"""libgreet.so.1, the library every case links: built once per mode and installed in a prefix
(default mode) or in a fake Nix store (store mode), with libunused.so.1 in a prefix of its own."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .run import PROJECTS, clean_env

# Nix's base-32 alphabet: store paths look like real ones.
_NIX_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"


def store_hash(name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(_NIX_ALPHABET[b % 32] for b in digest)


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
