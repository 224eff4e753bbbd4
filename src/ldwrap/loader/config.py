"""What one dynamic loader build searches: default dirs, $LIB, $PLATFORM, hwcaps.

These values are fixed when glibc is built, so they are learned from the
loader named by PT_INTERP.  The loader binary itself (never the inspected
file) is asked with ``--list-diagnostics`` and ``--help`` only when it is a
root-owned system loader on the host; otherwise a built-in table keyed by
(machine, class, interpreter path) is used.  The table's fallbacks:

* Debian/Ubuntu multiarch: ``/lib/<triplet>/ /usr/lib/<triplet>/ /lib/ /usr/lib/``
  (i386 biarch loader on amd64: ``/lib32/ /usr/lib32/ /lib/ /usr/lib/``);
* upstream layout (Fedora, RHEL, Arch, ...): ``/lib64/ /usr/lib64/`` for
  64-bit, ``/lib/ /usr/lib/`` for 32-bit;
* NixOS / Nix: the interpreter's own directory, the cache of that glibc
  (normally absent);
* musl: ``/etc/ld-musl-<arch>.path`` or ``/lib /usr/local/lib /usr/lib``, no cache.
"""

from __future__ import annotations

import functools
import os
import stat
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Callable

from ..link.targets import DEBIAN_ARCH as _ARCH
from ..link.targets import ELFCLASS64, EM_386, EM_AARCH64, EM_X86_64
from .elf import Target


@dataclass(frozen=True)
class LoaderConfig:
    flavour: str  # "glibc" or "musl"
    interp: str
    target: Target
    system_dirs: tuple[str, ...]  # each ends with "/"
    lib: str | None  # value of $LIB
    platform: str | None  # value of $PLATFORM
    hwcaps: tuple[str, ...]  # active glibc-hwcaps subdirectories, best first
    legacy_subdirs: tuple[str, ...]  # glibc <= 2.36 power-set subdirectories
    cache_path: str | None
    cache_flags: tuple[int, ...]
    cache_default_flag: int
    isa_supported: int
    source: str  # where the values came from


def multiarch(target: Target) -> str | None:
    """The Debian multiarch triplet of a target (x86_64-linux-gnu), or None."""
    arch = _ARCH.get((target.machine, target.elf_class))
    return arch[0] if arch else None


def default_interp(target: Target) -> str:
    """Loader used for a file without PT_INTERP (a shared library given directly)."""
    arch = _ARCH.get((target.machine, target.elf_class))
    return arch[1] if arch else "/lib/ld-linux.so.2"


def legacy_power_set(components: Sequence[str]) -> tuple[str, ...]:
    """glibc <= 2.36 legacy subdirs: all non-empty combinations, longest first.

    ``components`` is ordered tls, platform, hwcap names; combinations are
    enumerated by a bit mask counting down, first component most significant.
    """
    n = len(components)
    out = []
    for mask in range((1 << n) - 1, 0, -1):
        parts = [components[i] for i in range(n) if mask & (1 << (n - 1 - i))]
        out.append("/".join(parts))
    return tuple(out)


def parse_diagnostics(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, val = line.partition("=")
        if sep and val.startswith('"') and val.endswith('"'):
            values[key] = val[1:-1]
    return values


def parse_help(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Active glibc-hwcaps names and legacy subdirectories from ``ld.so --help``."""
    hwcaps: list[str] = []
    legacy_parts: list[tuple[str, str]] = []
    section = ""
    for line in text.splitlines():
        if line.startswith("Subdirectories of glibc-hwcaps"):
            section = "hwcaps"
        elif line.startswith("Legacy HWCAP subdirectories"):
            section = "legacy"
        elif not line.startswith("  "):
            section = ""
        elif "searched" in line:
            name = line.split()[0]
            if section == "hwcaps":
                hwcaps.append(name)
            elif section == "legacy":
                legacy_parts.append((name, "platform" if "AT_PLATFORM" in line else ""))
    tls = [n for n, kind in legacy_parts if n == "tls" and not kind]
    plat = [n for n, kind in legacy_parts if kind == "platform"]
    rest = [n for n, kind in legacy_parts if not kind and n != "tls"]
    return tuple(hwcaps), legacy_power_set(tls + plat + rest)


def _trusted_host_loader(path: str) -> bool:
    """Only a root-owned, not world/group-writable loader in a system dir is run."""
    real = os.path.realpath(path)
    if not real.startswith(("/lib", "/usr/lib")):
        return False
    try:
        st = os.stat(real)
    except OSError:
        return False
    return st.st_uid == 0 and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _run(argv: list[str]) -> str | None:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=10, env={}, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _cpu_x86_isa() -> tuple[tuple[str, ...], int]:
    """Active x86-64 glibc-hwcaps levels from /proc/cpuinfo (fallback path)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            flags: set[str] = set()
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        return (), 1
    v2 = {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}
    v3 = v2 | {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"}
    v4 = v3 | {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}
    active = [
        name
        for name, need in (("x86-64-v4", v4), ("x86-64-v3", v3), ("x86-64-v2", v2))
        if need <= flags
    ]
    return tuple(active), _isa_bits(active)


def _isa_bits(active: Sequence[str]) -> int:
    bits = 1
    for name, bit in (("x86-64-v2", 2), ("x86-64-v3", 4), ("x86-64-v4", 8)):
        if name in active:
            bits |= bit
    return bits


def table_config(
    interp: str,
    target: Target,
    root_exists: Callable[[str], bool],
    read: Callable[[str], str | None],
) -> LoaderConfig:
    """Built-in values for a loader that is not run. Pure apart from the callbacks."""
    arch = _ARCH.get((target.machine, target.elf_class))
    triplet, _, flags = arch if arch else ("", "", (0x0003,))
    base = os.path.basename(interp)
    if base.startswith("ld-musl-"):
        march = base[len("ld-musl-") :].split(".")[0]
        text = read(f"/etc/ld-musl-{march}.path")
        musl_default = ["/lib", "/usr/local/lib", "/usr/lib"]
        dirs = text.replace("\n", ":").split(":") if text else musl_default
        return _table("musl", interp, target, [d for d in dirs if d], None, None, (), "table:musl")
    if interp.startswith("/nix/store/"):
        libdir = os.path.dirname(interp)
        cache = os.path.dirname(libdir) + "/etc/ld.so.cache"
        return _table("glibc", interp, target, [libdir], "lib", cache, flags, "table:nix")
    dirs, lib, source = _glibc_dirs(target, triplet, root_exists)
    return _table("glibc", interp, target, dirs, lib, "/etc/ld.so.cache", flags, source)


def _glibc_dirs(
    target: Target, triplet: str, root_exists: Callable[[str], bool]
) -> tuple[list[str], str, str]:
    """A distribution's glibc: its built-in directories, $LIB, and which layout said so."""
    if (
        target.machine == EM_386
        and root_exists("/lib32")
        and not root_exists("/lib/i386-linux-gnu")
    ):
        return ["/lib32", "/usr/lib32", "/lib", "/usr/lib"], "lib32", "table:debian-biarch"
    if triplet and (root_exists(f"/lib/{triplet}") or root_exists(f"/usr/lib/{triplet}")):
        dirs = [f"/lib/{triplet}", f"/usr/lib/{triplet}", "/lib", "/usr/lib"]
        return dirs, f"lib/{triplet}", "table:debian-multiarch"
    if target.elf_class == ELFCLASS64 and target.machine != EM_AARCH64:
        return ["/lib64", "/usr/lib64"], "lib64", "table:lib64"
    return ["/lib", "/usr/lib"], "lib", "table:lib"


def _table(
    flavour: str,
    interp: str,
    target: Target,
    dirs: list[str],
    lib: str | None,
    cache: str | None,
    flags: tuple[int, ...],
    source: str,
) -> LoaderConfig:
    """A built-in configuration: no hwcaps or $PLATFORM, which only a run loader tells."""
    return LoaderConfig(
        flavour=flavour,
        interp=interp,
        target=target,
        system_dirs=tuple(_slash(d) for d in dirs),
        lib=lib,
        platform=None,
        hwcaps=(),
        legacy_subdirs=(),
        cache_path=cache,
        cache_flags=flags,
        cache_default_flag=flags[-1] if flags else 0,
        isa_supported=1,
        source=source,
    )


def _slash(d: str) -> str:
    d = d.rstrip("/")
    return d + "/"


@functools.lru_cache(maxsize=32)
def discover(interp: str, target: Target, root: str | None) -> LoaderConfig:
    """Config for ``interp``: ask the trusted host loader, else use the table.

    Memoised per process: a loader's built-in values do not change.
    """

    def exists(p: str) -> bool:
        return os.path.isdir((root or "") + p)

    def read(p: str) -> str | None:
        try:
            with open((root or "") + p, encoding="utf-8") as fh:
                return fh.read()
        except OSError:
            return None

    cfg = table_config(interp, target, exists, read)
    if cfg.flavour != "glibc":
        return cfg
    host_x86 = os.uname().machine == "x86_64" and target.machine == EM_X86_64
    if root is None and _trusted_host_loader(interp):
        diag = _run([interp, "--list-diagnostics"])
        helptext = _run([interp, "--help"])
        if diag is not None and helptext is not None:
            values = parse_diagnostics(diag)
            dirs = tuple(
                v
                for k, v in sorted(
                    ((k, v) for k, v in values.items() if k.startswith("path.system_dirs[")),
                    key=lambda kv: int(kv[0][len("path.system_dirs[") : -1], 16),
                )
            )
            hwcaps, legacy = parse_help(helptext)
            sysconf = values.get("path.sysconfdir", "/etc")
            return replace(
                cfg,
                system_dirs=dirs or cfg.system_dirs,
                lib=values.get("dl_dst_lib", cfg.lib),
                platform=values.get("dl_platform") or None,
                hwcaps=hwcaps,
                legacy_subdirs=legacy,
                cache_path=sysconf.rstrip("/") + "/ld.so.cache",
                isa_supported=_isa_bits(hwcaps),
                source=f"{interp} --list-diagnostics",
            )
    if host_x86 and target.elf_class == ELFCLASS64 and root is None:
        active, bits = _cpu_x86_isa()
        return replace(cfg, hwcaps=active, isa_supported=bits, platform="x86_64")
    return cfg
