"""Plain helpers shared by the test suite (no fixtures: those are in tests/conftest.py).

Everything here is real: libraries are built with gcc, RUNPATH is read with pyelftools and
programs are started without LD_LIBRARY_PATH. Nothing touches the system at import time.

- `Store` / `make_store(root)`: `<root>/nix/store/<32 chars>-<name>/lib` directories, with
  `Store.shared_lib(...)` and `Store.static_lib(...)` building real libraries into them, and
  `Store.lib(...)` writing files named like libraries for the tests that link nothing.
- `BuiltStore`: the type of the session `store` fixture.
- `base_env()`: os.environ without anything that steers ldwrap, the loader or gcc.
- `read_runpath(path)`, `read_needed(path)`: dynamic tags read with pyelftools.
- `which_linker(path)`: which of bfd, gold, lld, mold wrote an ELF file.
- `run_program(path)`: start a program without LD_LIBRARY_PATH; a CompletedProcess.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path

# 32 characters of Nix's base-32 alphabet, so paths look like real store paths.
HASH_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"

# Variables that change what ldwrap, gcc or the loader do; removed from every child's env.
_STEERING = (
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "LD_RUN_PATH",
    "LIBRARY_PATH",
    "COMPILER_PATH",
    "GCC_EXEC_PREFIX",
)
_STEERING_PREFIXES = ("LDWRAP_", "NIX_")

# What also steers a build (compilers, pkg-config, CMake, make, cargo, pip): never inherited by
# the tests that run build systems (build_systems/, stack/, which add their own).
BUILD_STEERING = frozenset(
    {
        *_STEERING,
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
)


def examples(n: int) -> int:
    """A property test's example count: all n in CI (with a fixed seed), a quarter elsewhere,
    so that the fast tier stays fast while CI keeps the whole search."""
    return n if os.environ.get("CI") else max(10, n // 4)


def store_hash(name: str) -> str:
    """A deterministic 32-character store hash for name."""
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(HASH_ALPHABET[b % 32] for b in digest)


def env_without(names: Collection[str], prefixes: tuple[str, ...], **extra: str) -> dict[str, str]:
    """os.environ without names and the names that start with one of prefixes, plus extra."""
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith(prefixes)}
    env.update(extra)
    return env


def base_env(**extra: str) -> dict[str, str]:
    """os.environ without the variables that steer ldwrap, gcc's search or the loader."""
    return env_without(_STEERING, _STEERING_PREFIXES, **extra)


def compile_c(source: str, out: Path, *flags: str) -> Path:
    """Compile C source text with gcc into out (flags decide object / shared / program)."""
    src = out.with_name(out.name + ".c")
    src.write_text(source)
    subprocess.run(["gcc", *flags, "-o", str(out), str(src)], check=True, env=base_env())
    return out


class Store:
    """A store-like prefix: `<root>/nix/store/<hash>-<name>/lib`."""

    def __init__(self, root: Path) -> None:
        self.root = root / "nix" / "store"  # what NIX_STORE points at
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        """The store path of package name, `<root>/<hash>-<name>` (created on first use)."""
        d = self.root / f"{store_hash(name)}-{name}"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def libdir(self, name: str) -> Path:
        """The lib directory of package name (created on first use)."""
        d = self.path(name) / "lib"
        d.mkdir(exist_ok=True)
        return d

    def lib(self, package: str, *files: str, sub: str = "lib", content: bytes = b"") -> str:
        """The directory sub of package holding files, each written with content (else
        created empty, or left as it is): files named like libraries, for the tests that only
        ask whether a file is there and what its first bytes say (the rpath policy), and link
        nothing."""
        d = self.path(package) / sub
        d.mkdir(parents=True, exist_ok=True)
        for f in files:
            (d / f).parent.mkdir(parents=True, exist_ok=True)
            if content:
                (d / f).write_bytes(content)
            else:
                (d / f).touch()
        return str(d)

    def env(self, **extra: str) -> dict[str, str]:
        """NIX_STORE naming this store, plus extra."""
        return {"NIX_STORE": str(self.root), **extra}

    def shared_lib(
        self, package: str, lib: str, symbol: str | None = None, version: str | None = "1"
    ) -> Path:
        """Build lib<lib>.so.<version> (SONAME the same) defining `int <symbol>(void)`, plus
        the lib<lib>.so link a `-l<lib>` needs; version None builds a plain lib<lib>.so."""
        symbol = symbol or f"{lib}_value"
        d = self.libdir(package)
        real = f"lib{lib}.so.{version}" if version else f"lib{lib}.so"
        compile_c(
            f"int {symbol}(void) {{ return 42; }}\n",
            d / real,
            "-shared",
            "-fPIC",
            f"-Wl,-soname,{real}",
        )
        link = d / f"lib{lib}.so"
        if version and not link.exists():
            link.symlink_to(real)
        return d / real

    def static_lib(self, package: str, lib: str, symbol: str | None = None) -> Path:
        """Build lib<lib>.a (only the archive) defining `int <symbol>(void)`."""
        symbol = symbol or f"{lib}_value"
        d = self.libdir(package)
        obj = compile_c(f"int {symbol}(void) {{ return 7; }}\n", d / f"{lib}.o", "-c", "-fPIC")
        archive = d / f"lib{lib}.a"
        subprocess.run(["ar", "rcs", str(archive), str(obj)], check=True)
        obj.unlink()
        (d / f"{lib}.o.c").unlink()
        return archive


def make_store(root: Path) -> Store:
    return Store(root)


class BuiltStore(Store):
    """The session store: which library lives where."""

    foo: Path  # dir of libfoo.so -> libfoo.so.1 (foo_value)
    bar: Path  # dir of libbar.so -> libbar.so.1 (bar_value)
    sta: Path  # dir holding only libsta.a (sta_value)
    unused: Path  # dir of libunused.so, which no program needs


def _dynamic_tags(path: Path) -> list[tuple[str, object]]:
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    out: list[tuple[str, object]] = []
    with open(path, "rb") as f:
        for sec in ELFFile(f).iter_sections():
            if isinstance(sec, DynamicSection):
                for tag in sec.iter_tags():
                    kind = tag.entry.d_tag
                    # pyelftools sets the decoded string as an attribute named after the tag.
                    attr = {"DT_RUNPATH": "runpath", "DT_RPATH": "rpath", "DT_NEEDED": "needed"}
                    if kind in attr:
                        out.append((kind, getattr(tag, attr[kind])))
    return out


def read_runpath(path: Path | str) -> list[str] | None:
    """The DT_RUNPATH (or, if absent, DT_RPATH) entries of an ELF file; None if it has none."""
    tags = _dynamic_tags(Path(path))
    for kind in ("DT_RUNPATH", "DT_RPATH"):
        values = [str(v) for k, v in tags if k == kind]
        if values:
            return ":".join(values).split(":")
    return None


def read_needed(path: Path | str) -> list[str]:
    """The DT_NEEDED entries of an ELF file, in order."""
    return [str(v) for k, v in _dynamic_tags(Path(path)) if k == "DT_NEEDED"]


def which_linker(path: Path | str) -> str:
    """Which linker wrote an ELF file, from the marks each leaves: gold a
    `.note.gnu.gold-version` section, lld and mold a line in `.comment`; bfd none."""
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


def run_program(
    path: Path | str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Start a program as a user would: no LD_LIBRARY_PATH, LD_PRELOAD or LD_RUN_PATH."""
    e = dict(base_env() if env is None else env)
    for k in ("LD_LIBRARY_PATH", "LD_PRELOAD"):
        e.pop(k, None)
    return subprocess.run([str(path)], capture_output=True, text=True, env=e, timeout=30)


PYTHON = sys.executable
