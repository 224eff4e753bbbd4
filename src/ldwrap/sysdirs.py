"""Directories the loader searches by itself, for the "not a default directory" policy.

Used only when no prefix is configured and there is no Nix store: then any library directory
the loader would not find on its own gets an rpath. Read lazily (ld.so.conf), off the Nix path.
"""

from __future__ import annotations

import glob
import os

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable

# glibc's built-in directories, for the usual layouts (multiarch, lib64, plain).
_BUILTIN = (
    "/lib",
    "/usr/lib",
    "/lib64",
    "/usr/lib64",
    "/lib32",
    "/usr/lib32",
    "/libx32",
    "/usr/libx32",
)
_MULTIARCH = ("x86_64-linux-gnu", "i386-linux-gnu", "aarch64-linux-gnu", "x86_64-linux-gnux32")
# Compiler-private trees: gcc and clang pass them as -L, but the libraries there are linker
# scripts or links back to the system directories, so an rpath to them only leaks build paths.
_PRIVATE_PREFIXES = ("/usr/lib/gcc/", "/usr/lib64/gcc/", "/usr/lib/llvm", "/usr/libexec/")


def ld_so_conf_dirs(path: str = "/etc/ld.so.conf", depth: int = 0) -> list[str]:
    """The directories listed in ld.so.conf, following `include` globs."""
    out: list[str] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("include") and depth < 8:
            pattern = line[len("include") :].strip()
            if not os.path.isabs(pattern):
                pattern = os.path.join(os.path.dirname(path), pattern)
            for inc in sorted(glob.glob(pattern)):
                out += ld_so_conf_dirs(inc, depth + 1)
        elif line.startswith("hwcap"):
            continue
        else:
            out.append(line.split("=", 1)[0].rstrip("/") or "/")
    return out


def default_dir_checker(conf: str = "/etc/ld.so.conf") -> Callable[[str], bool]:
    dirs = set(_BUILTIN)
    for base in ("/lib", "/usr/lib"):
        dirs.update(f"{base}/{triple}" for triple in _MULTIARCH)
    dirs.update(ld_so_conf_dirs(conf))
    dirs.update(os.path.realpath(d) for d in list(dirs))

    def is_default(path: str) -> bool:
        return path in dirs or path.startswith(_PRIVATE_PREFIXES)

    return is_default
